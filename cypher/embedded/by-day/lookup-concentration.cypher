// name: lookup-concentration

// The embedded (LadybugDB) dialect of cypher/by-day/lookup-concentration.cypher, the
// day-level text of cypher/lookup-concentration.cypher, whose header applies; it is
// embedded/lookup-concentration.cypher (whose comment says why it is written so) summing
// the daily relationships in the window instead of the rollups. The window is tested as it
// stands (LadybugDB reads r.day cheaply).
// the one name asked about, found by its key
OPTIONAL MATCH (asked:Domain {name: $domain})
WITH id(asked) AS asked
// the clients: those with a daily lookup (their totals are rollups, which a store an older
// graphkit loaded lacks, and a window reads no rollup)
MATCH (c:IPAddress|Host)
WHERE EXISTS { MATCH (c)-[:LOOKED_UP]->(:Domain) }
// the organization of each client, resolved once per client
OPTIONAL MATCH (c)-[:ATTRIBUTED_TO]->(o1:Organization) WHERE $group_by = 'organization'
WITH asked, c, min(o1.key) AS k1
OPTIONAL MATCH (c)-[:IN_NETBLOCK]->(:Netblock)-[:ATTRIBUTED_TO]->(o2:Organization) WHERE $group_by = 'organization'
WITH asked, c, k1, min(o2.key) AS k2
OPTIONAL MATCH (c)-[:IN_NETBLOCK]->(:Netblock)-[:ALLOCATED_TO]->(o3:Organization) WHERE $group_by = 'organization'
WITH asked, c, k1, k2, min(o3.key) AS k3
OPTIONAL MATCH (c)-[:IN_NETBLOCK]->(:Netblock)-[:ANNOUNCED_BY]->(:ASN)-[:OPERATED_BY]->(o4:Organization)
  WHERE $group_by = 'organization'
WITH asked, c, k1, k2, k3, min(o4.key) AS k4
WITH asked, c, coalesce(k1, k2, k3, k4) AS org_key
OPTIONAL MATCH (org:Organization) WHERE org.key = org_key
WITH asked, c, coalesce(org.key, c.address, c.name) AS source_key,
     CASE WHEN org IS NOT NULL THEN 'organization' WHEN c.address IS NULL THEN 'host' ELSE 'address' END AS kind
MATCH (c)-[r:LOOKED_UP]->(d:Domain)
WHERE (coalesce($domain, '') = '' OR id(d) = asked)
  AND (coalesce($since, '') = '' OR r.day >= $since) AND (coalesce($until, '') = '' OR r.day <= $until)
WITH id(d) AS name_id, source_key, kind, sum(r.count) AS n
WITH name_id, sum(n) AS total, max(n) AS top_n, sum(n * n) AS squares,
     collect({key: source_key, kind: kind, n: n}) AS per_source
WHERE total >= $min_total AND top_n * 1.0 / total >= $min_share
MATCH (d:Domain) WHERE id(d) = name_id
UNWIND per_source AS s
WITH d.name AS name, total, top_n, squares, s
WITH name, total, top_n, squares, s, CASE WHEN s.n = top_n THEN 1 ELSE 0 END AS is_top
WITH name, total, top_n, squares, collect(s) AS per_source, sum(is_top) AS tied_at_top,
     max(CASE WHEN s.n < top_n THEN s.n ELSE null END) AS second_n
UNWIND per_source AS s
WITH name, total, size(per_source) AS sources, top_n, squares, tied_at_top, second_n, s
OPTIONAL MATCH (o:Organization) WHERE s.kind = 'organization' AND o.key = s.key
RETURN name, total, sources,
       round(top_n * 1.0 / total, 4) AS top_share,
       round((top_n + CASE WHEN tied_at_top > 1 THEN top_n ELSE coalesce(second_n, 0) END) * 1.0 / total, 4) AS top2_share,
       round(squares * 1.0 / (total * total), 4) AS hhi,
       coalesce(o.name, s.key) AS source, s.kind AS kind, s.n AS lookups, round(s.n * 1.0 / total, 4) AS share
ORDER BY top_share DESC, total DESC, name, lookups DESC, s.key
