// name: lookup-concentration

// The day-level text of cypher/lookup-concentration.cypher, whose header applies: run when a
// window (since, until) is given, it sums the daily LOOKED_UP relationships in the window.
CALL () {
  MATCH (c:IPAddress) WHERE $domain IS NULL AND EXISTS { (c)-[:LOOKED_UP]->() }
  RETURN c
  UNION
  MATCH (c:Host) WHERE $domain IS NULL
  RETURN c
  UNION
  MATCH (:Domain {name: $domain})<-[:LOOKED_UP]-(c)
  RETURN c
}
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
OPTIONAL MATCH (org:Organization) WHERE org.key = coalesce(k1, k2, k3, k4)
// a source is a node (its organization, else the client): node keys group faster than
// strings; clients in source order, so each source's lookups are summed in one run
WITH c, coalesce(org, c) AS src
ORDER BY src
// a window is given (else the rollups answer): a plain comparison reads r.day once (a CASE read it twice)
MATCH (c)-[r:LOOKED_UP]->(d)
WHERE r.day >= coalesce($since, '') AND r.day <= coalesce($until, '9999') AND ($domain IS NULL OR d.name = $domain)
WITH d, src, sum(r.count) AS n
// sorted by name, so the sums per name are ordered aggregations too
ORDER BY d
WITH d, sum(n) AS total, max(n) AS top_n, sum(n * n) AS squares, collect({src: src, n: n}) AS per_source
WHERE total >= $min_total AND top_n * 1.0 / total >= $min_share
UNWIND per_source AS s
WITH d.name AS name, total, top_n, squares, s
WITH name, total, top_n, squares, s, CASE WHEN s.n = top_n THEN 1 ELSE 0 END AS is_top
WITH name, total, top_n, squares, collect(s) AS per_source, sum(is_top) AS tied_at_top,
     max(CASE WHEN s.n < top_n THEN s.n ELSE null END) AS second_n
UNWIND per_source AS s
WITH name, total, top_n, squares, per_source, tied_at_top, second_n, s.n AS n, s.src AS src, s.src:Organization AS is_org
RETURN name, total, size(per_source) AS sources,
       round(top_n * 1.0 / total, 4) AS top_share,
       round((top_n + CASE WHEN tied_at_top > 1 THEN top_n ELSE coalesce(second_n, 0) END) * 1.0 / total, 4) AS top2_share,
       round(squares * 1.0 / (total * total), 4) AS hhi,
       CASE WHEN is_org THEN coalesce(src.name, src.key) ELSE coalesce(src.address, src.name) END AS source,
       CASE WHEN is_org THEN 'organization' WHEN src:Host THEN 'host' ELSE 'address' END AS kind,
       n AS lookups, round(n * 1.0 / total, 4) AS share
ORDER BY top_share DESC, total DESC, name, lookups DESC, CASE WHEN is_org THEN src.key ELSE coalesce(src.address, src.name) END
