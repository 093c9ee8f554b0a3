// name: lookup-concentration

// The embedded (LadybugDB) dialect of cypher/lookup-concentration.cypher, whose header
// applies: sources are grouped by key strings (LadybugDB cannot coalesce nodes of two
// labels). From the rollups, and only names with min_total lookups in all.
// the clients, from their lookup totals (not by reading every rollup)
MATCH (c:IPAddress|Host)
WHERE c.lookups_made IS NOT NULL
  AND (coalesce($domain, '') = '' OR EXISTS { MATCH (c)-[:LOOKED_UP_TOTAL]->(x:Domain) WHERE x.name = $domain })
// the organization of each client, resolved once per client
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
MATCH (c)-[r:LOOKED_UP_TOTAL]->(d:Domain)
WHERE (coalesce($domain, '') = '' OR d.name = $domain) AND d.lookups >= $min_total
WITH d, source_key, source, kind, sum(r.count) AS n
WITH d, sum(n) AS total, max(n) AS top_n, sum(n * n) AS squares,
     collect({key: source_key, source: source, kind: kind, n: n}) AS per_source
WHERE total >= $min_total AND top_n * 1.0 / total >= $min_share
UNWIND per_source AS s
WITH d.name AS name, total, top_n, squares, s
WITH name, total, top_n, squares, s, CASE WHEN s.n = top_n THEN 1 ELSE 0 END AS is_top
WITH name, total, top_n, squares, collect(s) AS per_source, sum(is_top) AS tied_at_top,
     max(CASE WHEN s.n < top_n THEN s.n ELSE null END) AS second_n
UNWIND per_source AS s
RETURN name, total, size(per_source) AS sources,
       round(top_n * 1.0 / total, 4) AS top_share,
       round((top_n + CASE WHEN tied_at_top > 1 THEN top_n ELSE coalesce(second_n, 0) END) * 1.0 / total, 4) AS top2_share,
       round(squares * 1.0 / (total * total), 4) AS hhi,
       s.source AS source, s.kind AS kind, s.n AS lookups, round(s.n * 1.0 / total, 4) AS share
ORDER BY top_share DESC, total DESC, name, lookups DESC, s.key
