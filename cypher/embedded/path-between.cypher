// name: path-between

// The embedded (LadybugDB) dialect of cypher/path-between.cypher, whose header applies.
// Shortest paths are `-[* ALL SHORTEST 1..6]-`, labels and types come from label(), and
// each path is taken apart with UNWIND: list_transform lambdas over path elements give
// wrong values (and can crash) in LadybugDB 0.22 once there are many paths. There is no
// WITH between finding the ends and the path: with one, the search starts from every
// node. Paths are ordered by their keys joined with ' / ', as in the main file, and lookups
// are walked as their rollups, as there.
MATCH (a)
WHERE (label(a) = 'Domain' AND a.name = lower($from)) OR (label(a) = 'IPAddress' AND a.address = $from)
   OR (label(a) = 'Netblock' AND a.cidr = $from) OR (label(a) = 'ASN' AND string(a.number) = replace(upper($from), 'AS', ''))
   OR (label(a) = 'Organization' AND (a.key = $from OR lower(a.name) = lower($from)))
   OR (label(a) = 'Email' AND a.address = lower($from)) OR (label(a) = 'Host' AND a.name = lower($from))
MATCH (b)
WHERE (label(b) = 'Domain' AND b.name = lower($to)) OR (label(b) = 'IPAddress' AND b.address = $to)
   OR (label(b) = 'Netblock' AND b.cidr = $to) OR (label(b) = 'ASN' AND string(b.number) = replace(upper($to), 'AS', ''))
   OR (label(b) = 'Organization' AND (b.key = $to OR lower(b.name) = lower($to)))
   OR (label(b) = 'Email' AND b.address = lower($to)) OR (label(b) = 'Host' AND b.name = lower($to))
MATCH p = (a)-[* ALL SHORTEST 1..6 (r, n | WHERE label(r) <> 'SIMILAR_TO' AND label(r) <> 'LOOKED_UP')]-(b)
WHERE a <> b AND length(p) <= $max_hops
WITH p, nodes(p) AS ns, rels(p) AS rs
UNWIND range(1, size(rs)) AS i
WITH p, size(rs) AS hops, i, ns[i] AS x, rs[i] AS r, ns[i + 1] AS y
WITH p, hops, i, label(x) AS x_label, label(y) AS y_label,
     CASE WHEN x._id = r._src THEN '-[' + replace(label(r), '_TOTAL', '') + ']->'
          ELSE '<-[' + replace(label(r), '_TOTAL', '') + ']-' END AS step,
     coalesce(x.address, x.cidr, x.key, CASE WHEN x.number IS NULL THEN null ELSE 'AS' + string(x.number) END, x.name) AS x_key,
     coalesce(y.address, y.cidr, y.key, CASE WHEN y.number IS NULL THEN null ELSE 'AS' + string(y.number) END, y.name) AS y_key
// steps in order (a LIMIT keeps the order through the aggregation)
ORDER BY i LIMIT 1000000000
WITH p, hops, collect(step) AS steps, collect(x_key) AS keys, collect(x_label) AS labels,
     max(CASE WHEN i = hops THEN y_key ELSE null END) AS last_key, max(CASE WHEN i = hops THEN y_label ELSE null END) AS last_label
WITH DISTINCT hops, list_to_string(' / ', keys) + ' / ' + last_key AS key_text,
     list_to_string(' / ', labels) + ' / ' + last_label AS label_text, list_to_string(' / ', steps) AS step_text
RETURN hops, string_split(key_text, ' / ') AS keys, string_split(label_text, ' / ') AS labels,
       string_split(step_text, ' / ') AS steps
ORDER BY hops, key_text, step_text
