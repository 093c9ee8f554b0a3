// name: lookup-sources

// The day-level text of cypher/lookup-sources.cypher, whose header applies: run when a window
// (since, until) is given, it sums the daily relationships in it.
MATCH (c)-[r:LOOKED_UP]->(:Domain {name: $domain})
WHERE (coalesce($since, '') = '' OR r.day >= $since) AND (coalesce($until, '') = '' OR r.day <= $until)
WITH DISTINCT c
OPTIONAL MATCH (c)-[:ATTRIBUTED_TO]->(o1:Organization) WHERE $group_by = 'organization'
WITH c, min(o1.key) AS k1
OPTIONAL MATCH (c)-[:IN_NETBLOCK]->(:Netblock)-[:ATTRIBUTED_TO]->(o2:Organization) WHERE $group_by = 'organization'
WITH c, k1, min(o2.key) AS k2
OPTIONAL MATCH (c)-[:IN_NETBLOCK]->(:Netblock)-[:ALLOCATED_TO]->(o3:Organization) WHERE $group_by = 'organization'
WITH c, k1, k2, min(o3.key) AS k3
OPTIONAL MATCH (c)-[:IN_NETBLOCK]->(:Netblock)-[:ANNOUNCED_BY]->(:ASN)-[:OPERATED_BY]->(o4:Organization)
  WHERE $group_by = 'organization'
WITH c, k1, k2, k3, min(o4.key) AS k4
WITH c, coalesce(k1, k2, k3, k4) AS org_key
OPTIONAL MATCH (org:Organization) WHERE org.key = org_key
WITH c, coalesce(org.key, c.address, c.name) AS source_key, coalesce(org.name, org.key, c.address, c.name) AS source,
     CASE WHEN org IS NOT NULL THEN 'organization' WHEN c.address IS NULL THEN 'host' ELSE 'address' END AS kind
MATCH (c)-[r:LOOKED_UP]->(:Domain {name: $domain})
WHERE (coalesce($since, '') = '' OR r.day >= $since) AND (coalesce($until, '') = '' OR r.day <= $until)
// a time as its text on both stores: the embedded store keeps a TIMESTAMP, whose text
// ('2016-05-04 09:12:03') left() takes; on Neo4j this gives back the text stored
WITH source_key, source, kind, coalesce(c.address, c.name) AS client, sum(r.count) AS n,
     min(CASE WHEN r.first_seen IS NULL THEN r.day ELSE replace(left(r.first_seen, 19), ' ', 'T') + 'Z' END) AS first_seen,
     max(CASE WHEN r.last_seen IS NULL THEN r.day ELSE replace(left(r.last_seen, 19), ' ', 'T') + 'Z' END) AS last_seen
// clients in address order (a LIMIT keeps the order through the aggregation on both stores)
WITH source_key, source, kind, client, n, first_seen, last_seen ORDER BY client LIMIT 1000000000
WITH source_key, source, kind, collect(client) AS clients, sum(n) AS n,
     min(first_seen) AS first_seen, max(last_seen) AS last_seen
WITH collect({key: source_key, source: source, kind: kind, clients: clients, n: n, first_seen: first_seen,
              last_seen: last_seen}) AS per_source, sum(n) AS total
UNWIND per_source AS s
RETURN s.source AS source, s.kind AS kind, s.n AS lookups, round(s.n * 1.0 / total, 4) AS share,
       s.clients AS clients, s.first_seen AS first_seen, s.last_seen AS last_seen
ORDER BY lookups DESC, s.key
