// name: neighborhood
// The embedded (LadybugDB) dialect of cypher/neighborhood.cypher, whose header applies:
// the entity is found by label(), relationship types come from label() rather than
// type(), and node keys from coalesce() over the key properties.
MATCH (s)
WHERE (label(s) = 'Domain' AND s.name = lower($key)) OR (label(s) = 'IPAddress' AND s.address = $key)
   OR (label(s) = 'Netblock' AND s.cidr = $key) OR (label(s) = 'ASN' AND string(s.number) = replace(upper($key), 'AS', ''))
   OR (label(s) = 'Organization' AND (s.key = $key OR lower(s.name) = lower($key)))
   OR (label(s) = 'Email' AND s.address = lower($key))
// ring 1: the first `limit` neighbours
MATCH (s)-[]-(m)
WHERE m <> s
WITH DISTINCT s, m
WITH s, m, label(m) AS label,
     coalesce(m.address, m.cidr, m.key, m.id, CASE WHEN m.number IS NULL THEN null ELSE 'AS' + string(m.number) END, m.name) AS key
ORDER BY label, key LIMIT $limit
WITH s, collect(m) AS ring1
// ring 2: the first `limit` other nodes next to ring 1 (one row per ring-1 node first:
// parallel relationships would multiply the rows)
MATCH (s)-[]-(x)
WHERE x IN ring1
WITH DISTINCT s, ring1, x
OPTIONAL MATCH (x)-[]-(m)
WHERE $hops >= 2 AND m <> s AND NOT m IN ring1
WITH DISTINCT s, ring1, m
WITH s, ring1, m, label(m) AS label,
     coalesce(m.address, m.cidr, m.key, m.id, CASE WHEN m.number IS NULL THEN null ELSE 'AS' + string(m.number) END, m.name) AS key
ORDER BY label, key LIMIT $limit
WITH s, ring1, collect(m) AS ring2
// the relationships: entity - ring 1 (hop 1) and ring 1 - ring 2 (hop 2), in both directions
OPTIONAL MATCH (s)-[r]->(m) WHERE m IN ring1
WITH s, ring1, ring2, collect(CASE WHEN r IS NULL THEN null ELSE {hop: 1, a: s, t: label(r), b: m} END) AS found
OPTIONAL MATCH (s)<-[r]-(m) WHERE m IN ring1
WITH s, ring1, ring2, found, collect(CASE WHEN r IS NULL THEN null ELSE {hop: 1, a: m, t: label(r), b: s} END) AS more
WITH s, ring1, ring2, found + more AS found
OPTIONAL MATCH (s)-[]-(x) WHERE x IN ring1
WITH DISTINCT s, ring2, found, x
OPTIONAL MATCH (x)-[r]->(m) WHERE m IN ring2
WITH s, ring2, found, x, collect(CASE WHEN r IS NULL THEN null ELSE {hop: 2, a: x, t: label(r), b: m} END) AS out2
OPTIONAL MATCH (x)<-[r]-(m) WHERE m IN ring2
WITH s, found, x, out2, collect(CASE WHEN r IS NULL THEN null ELSE {hop: 2, a: m, t: label(r), b: x} END) AS in2
WITH found, collect(out2 + in2) AS hop2
UNWIND hop2 + [found] AS part
UNWIND part AS e
WITH e.hop AS hop, e.a AS a, e.t AS type, e.b AS b
WITH hop, label(a) AS from_label,
     coalesce(a.address, a.cidr, a.key, a.id, CASE WHEN a.number IS NULL THEN null ELSE 'AS' + string(a.number) END, a.name) AS from,
     type, label(b) AS to_label,
     coalesce(b.address, b.cidr, b.key, b.id, CASE WHEN b.number IS NULL THEN null ELSE 'AS' + string(b.number) END, b.name) AS to
RETURN hop, from_label, from, type, to_label, to, count(*) AS edges
ORDER BY hop, from_label, from, type, to_label, to
