// name: neighborhood

// The embedded (LadybugDB) dialect of cypher/neighborhood.cypher, whose header applies:
// the entity is found by label(), relationship types come from label() rather than
// type(), node keys from coalesce() over the key properties, and the rings are lists of
// node ids: an UNWIND of nodes cannot be matched on in LadybugDB 0.22, and lists of
// whole nodes carried through many rows exhaust its buffer pool.
MATCH (s)
WHERE (label(s) = 'Domain' AND s.name = lower($key)) OR (label(s) = 'IPAddress' AND s.address = $key)
   OR (label(s) = 'Netblock' AND s.cidr = $key) OR (label(s) = 'ASN' AND string(s.number) = replace(upper($key), 'AS', ''))
   OR (label(s) = 'Organization' AND (s.key = $key OR lower(s.name) = lower($key)))
   OR (label(s) = 'Email' AND s.address = lower($key)) OR (label(s) = 'Host' AND s.name = lower($key))
   OR (label(s) = 'Certificate' AND s.fingerprint = lower(replace($key, ':', '')))
   OR (label(s) = 'Fingerprint' AND s.id = $key)
// A client's daily lookups of a name are walked as their one rollup (LOOKED_UP_TOTAL), and
// listed as LOOKED_UP with their number (its `daily`).
// ring 1: the first `limit` neighbours
MATCH (s)-[r]-(m)
WHERE m <> s AND label(r) <> 'LOOKED_UP'
WITH DISTINCT s, m
WITH s, m, label(m) AS label,
     coalesce(m.address, m.cidr, m.key, m.id, m.fingerprint, CASE WHEN m.number IS NULL THEN null ELSE 'AS' + string(m.number) END, m.name) AS key
ORDER BY label, key LIMIT $limit
WITH s, collect(id(m)) AS ring1
// ring 2: the first `limit` other nodes next to ring 1
MATCH (x) WHERE id(x) IN ring1
WITH s, ring1, x
OPTIONAL MATCH (x)-[r]-(m)
WHERE $hops >= 2 AND m <> s AND NOT id(m) IN ring1 AND label(r) <> 'LOOKED_UP'
WITH s, ring1, collect(DISTINCT id(m)) AS near  // ids first: keys are read for these nodes only
// matched one id at a time (`id(m) IN near` tests every node against the whole list); the
// entity's own id goes with them, so that the rows go on when there are none
UNWIND near + [id(s)] AS near_id
MATCH (m) WHERE id(m) = near_id
WITH s, ring1, m, id(m) = id(s) AS entity
WITH s, ring1, m, CASE WHEN entity THEN null ELSE label(m) END AS label,
     CASE WHEN entity THEN null ELSE coalesce(m.address, m.cidr, m.key, m.id, m.fingerprint, CASE WHEN m.number IS NULL THEN null ELSE 'AS' + string(m.number) END, m.name) END AS key
ORDER BY label, key LIMIT $limit  // the entity's row, without a label, sorts last
WITH s, ring1, collect(CASE WHEN label IS NULL THEN null ELSE id(m) END) AS ring2
// the relationships: entity - ring 1 (hop 1) and ring 1 - ring 2 (hop 2), found in one
// pass over the relationships between the nodes kept (collecting them per node, with
// OPTIONAL MATCH, exhausts the buffer pool)
WITH s, ring1, ring2, [id(s)] + ring1 + ring2 AS kept
MATCH (a)-[r]->(b)
WHERE id(a) IN kept AND id(b) IN kept AND label(r) <> 'LOOKED_UP'
WITH kept, CASE WHEN (id(a) = id(s) AND id(b) IN ring1) OR (id(b) = id(s) AND id(a) IN ring1) THEN 1
          WHEN (id(a) IN ring1 AND id(b) IN ring2) OR (id(a) IN ring2 AND id(b) IN ring1) THEN 2 END AS hop,
     id(a) AS ia, label(r) AS rtype, r, id(b) AS ib
WHERE hop IS NOT NULL
WITH kept, collect({hop: hop, a: ia, type: CASE WHEN rtype = 'LOOKED_UP_TOTAL' THEN 'LOOKED_UP' ELSE rtype END,
                    n: CASE WHEN rtype = 'LOOKED_UP_TOTAL' THEN r.daily ELSE 1 END, b: ib}) AS edges
// the ends' labels and keys, read once per node kept: read beside every relationship
// scanned, or of every node next to ring 1, they took LadybugDB 500 MB more at ten million
// lookups
MATCH (x) WHERE id(x) IN kept
WITH edges, collect({i: id(x), label: label(x), key: coalesce(x.address, x.cidr, x.key, x.id, x.fingerprint, CASE WHEN x.number IS NULL THEN null ELSE 'AS' + string(x.number) END, x.name)}) AS kept_nodes
UNWIND edges AS e
WITH e, list_filter(kept_nodes, k -> k.i = e.a) AS a, list_filter(kept_nodes, k -> k.i = e.b) AS b
WITH e, a[1] AS a, b[1] AS b
RETURN e.hop AS hop, a.label AS from_label, a.key AS from, e.type AS type, b.label AS to_label, b.key AS to, sum(e.n) AS edges
ORDER BY hop, from_label, from, type, to_label, to
