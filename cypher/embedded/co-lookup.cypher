// name: co-lookup

// The embedded (LadybugDB) dialect of cypher/co-lookup.cypher, whose header applies: the
// client, an address or a host's name, is found through its lookups (LadybugDB 0.22 has no
// UNION inside CALL to look it up under both labels).
MATCH (s)-[:LOOKED_UP_TOTAL]->(d:Domain)
WHERE (s.address = $source OR s.name = lower($source)) AND d.lookup_clients > 1
WITH coalesce(s.address, s.name) AS me, d, 1.0 / (d.lookup_clients - 1) AS weight
MATCH (d)<-[:LOOKED_UP_TOTAL]-(o)
WITH me, coalesce(o.address, o.name) AS client, d.name AS name, weight
WHERE client <> me
WITH client, name, weight ORDER BY name LIMIT 1000000000
WITH client, round(sum(weight), 4) AS score, count(*) AS overlap, collect(name) AS shared_names
WHERE overlap >= $min_overlap
RETURN client, score, overlap, shared_names
ORDER BY score DESC, overlap DESC, client
