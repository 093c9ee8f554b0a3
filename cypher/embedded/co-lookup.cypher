// name: co-lookup

// The embedded (LadybugDB) dialect of cypher/co-lookup.cypher, whose header applies: the
// client, an address or a host's name, is found through its lookups (LadybugDB 0.22 has no
// UNION inside CALL to look it up under both labels).
MATCH (s)-[:LOOKED_UP]->(d:Domain)
WHERE s.address = $source OR s.name = lower($source)
WITH DISTINCT coalesce(s.address, s.name) AS me, d
MATCH (d)<-[:LOOKED_UP]-(o)
WITH me, d, collect(DISTINCT coalesce(o.address, o.name)) AS clients
WITH me, d, clients, size(clients) - 1 AS others
WHERE others > 0
UNWIND clients AS client
WITH me, client, d.name AS name, 1.0 / others AS weight
WHERE client <> me
WITH client, name, weight ORDER BY name LIMIT 1000000000
WITH client, round(sum(weight), 4) AS score, count(*) AS overlap, collect(name) AS shared_names
WHERE overlap >= $min_overlap
RETURN client, score, overlap, shared_names
ORDER BY score DESC, overlap DESC, client
