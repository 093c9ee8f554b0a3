// name: neighborhood
// title: The ego network around an entity
// description:
//   The relationships around an entity given by key (a domain name, an IP address, a
//   CIDR, an ASN as 15632 or AS15632, an organization's name or key, an email address, a
//   certificate's fingerprint, a TLS fingerprint as kind:value):
//   its neighbours (hop 1) and, with hops = 2, their neighbours (hop 2). Each hop keeps
//   at most `limit` new nodes, the first in (label, key) order (so hop 2 can include a
//   neighbour of the entity that hop 1 left out); parallel relationships (lookups on
//   different days) are counted in one row.
// why:
//   A first look at everything the graph knows around a lead, small enough to read.
// params:
//   key: string -- the entity's key
//   hops: int in 1|2 = 1 -- how far to go
//   limit: int = 25 -- at most this many new nodes per hop
// columns:
//   hop -- 1 for relationships of the entity itself, 2 for those of its neighbours
//   from_label -- the label of the relationship's start node
//   from -- its key
//   type -- the relationship type
//   to_label -- the label of the relationship's end node
//   to -- its key
//   edges -- how many such relationships (parallel ones counted together)
CALL () {
  MATCH (n:Domain) WHERE n.name = toLower($key) RETURN n
  UNION MATCH (n:IPAddress) WHERE n.address = $key RETURN n
  UNION MATCH (n:Netblock) WHERE n.cidr = $key RETURN n
  UNION MATCH (n:ASN) WHERE n.number = toInteger(replace(toUpper($key), 'AS', '')) RETURN n
  UNION MATCH (n:Organization) WHERE n.key = $key OR toLower(n.name) = toLower($key) RETURN n
  UNION MATCH (n:Email) WHERE n.address = toLower($key) RETURN n
  UNION MATCH (n:Host) WHERE n.name = toLower($key) RETURN n
  UNION MATCH (n:Certificate) WHERE n.fingerprint = toLower(replace($key, ':', '')) RETURN n
  UNION MATCH (n:Fingerprint) WHERE n.id = $key RETURN n
}
WITH n AS s
// A client's daily lookups of a name are walked as their one rollup (LOOKED_UP_TOTAL), and
// listed as LOOKED_UP with their number (its `daily`): however many days, one row to read.
// ring 1: the first `limit` neighbours
MATCH (s)-[:!LOOKED_UP]-(m)
WHERE m <> s
WITH DISTINCT s, m
WITH s, m, labels(m)[0] AS label,
     CASE WHEN m:ASN THEN 'AS' + toString(m.number) WHEN m:Domain OR m:Host THEN m.name WHEN m:IPAddress OR m:Email THEN m.address
          WHEN m:Netblock THEN m.cidr WHEN m:Source OR m:Fingerprint THEN m.id
          WHEN m:Certificate THEN m.fingerprint ELSE m.key END AS key
ORDER BY label, key LIMIT $limit
WITH s, collect(m) AS ring1
// ring 2: the first `limit` other nodes next to ring 1
UNWIND ring1 AS x
WITH s, ring1, x
OPTIONAL MATCH (x)-[:!LOOKED_UP]-(m)
WHERE $hops >= 2 AND m <> s AND NOT m IN ring1
WITH DISTINCT s, ring1, m
WITH s, ring1, m, labels(m)[0] AS label,
     CASE WHEN m:ASN THEN 'AS' + toString(m.number) WHEN m:Domain OR m:Host THEN m.name WHEN m:IPAddress OR m:Email THEN m.address
          WHEN m:Netblock THEN m.cidr WHEN m:Source OR m:Fingerprint THEN m.id
          WHEN m:Certificate THEN m.fingerprint ELSE m.key END AS key
ORDER BY label, key LIMIT $limit
WITH s, ring1, collect(m) AS ring2
// the relationships: entity - ring 1 (hop 1) and ring 1 - ring 2 (hop 2), in both directions
OPTIONAL MATCH (s)-[r:!LOOKED_UP]->(m) WHERE m IN ring1
WITH s, ring1, ring2, collect(CASE WHEN r IS NULL THEN null ELSE {hop: 1, a: s, t: type(r), b: m, n: coalesce(r.daily, 1)} END) AS found
OPTIONAL MATCH (s)<-[r:!LOOKED_UP]-(m) WHERE m IN ring1
WITH s, ring1, ring2, found, collect(CASE WHEN r IS NULL THEN null ELSE {hop: 1, a: m, t: type(r), b: s, n: coalesce(r.daily, 1)} END) AS more
WITH s, ring1, ring2, found + more AS found
UNWIND ring1 AS x
WITH ring2, found, x
OPTIONAL MATCH (x)-[r:!LOOKED_UP]->(m) WHERE m IN ring2
WITH ring2, found, x, collect(CASE WHEN r IS NULL THEN null ELSE {hop: 2, a: x, t: type(r), b: m, n: coalesce(r.daily, 1)} END) AS out2
OPTIONAL MATCH (x)<-[r:!LOOKED_UP]-(m) WHERE m IN ring2
WITH found, x, out2, collect(CASE WHEN r IS NULL THEN null ELSE {hop: 2, a: m, t: type(r), b: x, n: coalesce(r.daily, 1)} END) AS in2
WITH found, collect(out2 + in2) AS hop2
UNWIND hop2 + [found] AS part
UNWIND part AS e
WITH e.hop AS hop, e.a AS a, CASE e.t WHEN 'LOOKED_UP_TOTAL' THEN 'LOOKED_UP' ELSE e.t END AS type, e.b AS b, e.n AS n
WITH hop, labels(a)[0] AS from_label,
     CASE WHEN a:ASN THEN 'AS' + toString(a.number) WHEN a:Domain OR a:Host THEN a.name WHEN a:IPAddress OR a:Email THEN a.address
          WHEN a:Netblock THEN a.cidr WHEN a:Source OR a:Fingerprint THEN a.id
          WHEN a:Certificate THEN a.fingerprint ELSE a.key END AS from,
     type, n, labels(b)[0] AS to_label,
     CASE WHEN b:ASN THEN 'AS' + toString(b.number) WHEN b:Domain OR b:Host THEN b.name WHEN b:IPAddress OR b:Email THEN b.address
          WHEN b:Netblock THEN b.cidr WHEN b:Source OR b:Fingerprint THEN b.id
          WHEN b:Certificate THEN b.fingerprint ELSE b.key END AS to
RETURN hop, from_label, from, type, to_label, to, sum(n) AS edges
ORDER BY hop, from_label, from, type, to_label, to
