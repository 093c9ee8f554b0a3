// name: lookup-sources
// title: Who looked a name up
// description:
//   The sources that looked a name up in the window: client addresses, or the
//   organizations they resolve to (ATTRIBUTED_TO organization, else the netblock's
//   attribution or ALLOCATED_TO holder, else the ASN's OPERATED_BY operator; unknown
//   stays the address), with their lookups, share, client addresses and first and last
//   time seen.
// why:
//   The first question about a name of interest: whose machines were asking for it, how
//   often, and over what period.
// params:
//   domain: string -- the name looked up
//   since: date = null -- first day counted (YYYY-MM-DD)
//   until: date = null -- last day counted (YYYY-MM-DD)
//   group_by: string in client|organization = organization -- what a source is
// filters:
//   since = null
//   until = null
// columns:
//   source -- the organization's name, or the client address
//   kind -- organization or address
//   lookups -- lookups of the name by this source
//   share -- share of all lookups of the name in the window (4 decimals)
//   clients -- the client addresses behind the source
//   first_seen -- first lookup (time when logged, else the day)
//   last_seen -- last lookup
// Without a window, from the rollups: one per client (by-day/lookup-sources.cypher sums a
// window's daily relationships).
MATCH (c)-[:LOOKED_UP_TOTAL]->(:Domain {name: $domain})
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
MATCH (c)-[r:LOOKED_UP_TOTAL]->(:Domain {name: $domain})
// a time as its text on both stores: the embedded store keeps a TIMESTAMP, whose text
// ('2016-05-04 09:12:03') left() takes; on Neo4j this gives back the text stored
WITH source_key, source, kind, c, r,
     CASE WHEN r.first_seen IS NULL THEN null ELSE replace(left(r.first_seen, 19), ' ', 'T') + 'Z' END AS timed_first,
     CASE WHEN r.last_seen IS NULL THEN null ELSE replace(left(r.last_seen, 19), ' ', 'T') + 'Z' END AS timed_last
// the earlier (later) of the logged times and the days logged without one, compared as text
WITH source_key, source, kind, coalesce(c.address, c.name) AS client, r.count AS n,
     CASE WHEN r.first_day IS NOT NULL AND (timed_first IS NULL OR r.first_day <= left(timed_first, 10))
          THEN r.first_day ELSE timed_first END AS first_seen,
     CASE WHEN r.last_day IS NOT NULL AND (timed_last IS NULL OR r.last_day > left(timed_last, 10))
          THEN r.last_day ELSE timed_last END AS last_seen
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
