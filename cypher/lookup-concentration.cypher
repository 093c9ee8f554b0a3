// name: lookup-concentration
// title: Names whose lookups come mostly from one source
// description:
//   Per name, the total lookups in the window and, per source, its lookups and share of
//   the total; the top source's share, the top two's cumulative share and the
//   Herfindahl-Hirschman index (the sum of squared shares: 1 = a single source).
//   A source is a client address, or with group_by = organization the organization it
//   resolves to (its ATTRIBUTED_TO organization, else its netblock's attribution or
//   ALLOCATED_TO holder, else its ASN's OPERATED_BY operator; unknown stays the address).
// why:
//   A name that only one organization keeps asking about is a lead: in the 2016 case, a
//   bank's two resolvers made about 80% of the lookups of a marketing mail server, and a
//   health company's made most of the rest (99% between them).
// params:
//   domain: string = null -- one name; all names when null
//   since: date = null -- first day counted (YYYY-MM-DD)
//   until: date = null -- last day counted (YYYY-MM-DD)
//   group_by: string in client|organization = organization -- what a source is
//   min_total: int = 100 -- leave out names with fewer lookups in the window
//   min_share: float = 0.5 -- list names whose top source has at least this share
// filters:
//   since = null
//   until = null
//   min_total = 1
//   min_share = 0
// columns:
//   name -- the name looked up
//   total -- lookups of the name in the window
//   sources -- how many sources looked it up
//   top_share -- share of the top source (4 decimals)
//   top2_share -- cumulative share of the top two sources
//   hhi -- Herfindahl-Hirschman index of the shares (0-1)
//   source -- the organization's name, or the client address
//   kind -- organization or address
//   lookups -- this source's lookups of the name
//   share -- this source's share of the total
// the clients that looked the name up (every client when no name is given: found by their
// own relationships, not by walking every lookup)
CALL () {
  MATCH (c:IPAddress) WHERE $domain IS NULL AND c.lookups_made IS NOT NULL
  RETURN c
  UNION
  MATCH (c:Host) WHERE $domain IS NULL AND c.lookups_made IS NOT NULL
  RETURN c
  UNION
  MATCH (:Domain {name: $domain})<-[:LOOKED_UP_TOTAL]-(c)
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
// a source is a node (its organization, else the client): node keys group faster than strings
WITH coalesce(org, c) AS src, collect(c) AS clients
// Without a window, from the rollups, and only names with min_total lookups in all (their
// `lookups`); by-day/lookup-concentration.cypher sums a window's daily relationships. A client
// that is its own source has one rollup per name already: only an organization's are summed.
CALL (src, clients) {
  WITH clients WHERE size(clients) = 1
  UNWIND clients AS c
  MATCH (c)-[r:LOOKED_UP_TOTAL]->(d)
  WHERE d.lookups >= $min_total AND ($domain IS NULL OR d.name = $domain)
  RETURN d, r.count AS n
  UNION ALL
  WITH clients WHERE size(clients) > 1
  UNWIND clients AS c
  MATCH (c)-[r:LOOKED_UP_TOTAL]->(d)
  WHERE d.lookups >= $min_total AND ($domain IS NULL OR d.name = $domain)
  RETURN d, sum(r.count) AS n
}
WITH d, src, n
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
