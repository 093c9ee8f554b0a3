// name: path-between
// The embedded (LadybugDB) dialect of cypher/path-between.cypher, whose header applies:
// shortest paths are `-[* ALL SHORTEST 1..6]-`, lists are built with list_transform,
// labels and types come from label(), and paths are ordered by their keys joined
// with ' / ' (as in the main file).
// (No WITH between finding the ends and the path: LadybugDB 0.22 then searches from
// every node and runs out of memory.)
MATCH (a)
WHERE (label(a) = 'Domain' AND a.name = lower($from)) OR (label(a) = 'IPAddress' AND a.address = $from)
   OR (label(a) = 'Netblock' AND a.cidr = $from) OR (label(a) = 'ASN' AND string(a.number) = replace(upper($from), 'AS', ''))
   OR (label(a) = 'Organization' AND (a.key = $from OR lower(a.name) = lower($from)))
   OR (label(a) = 'Email' AND a.address = lower($from))
MATCH (b)
WHERE (label(b) = 'Domain' AND b.name = lower($to)) OR (label(b) = 'IPAddress' AND b.address = $to)
   OR (label(b) = 'Netblock' AND b.cidr = $to) OR (label(b) = 'ASN' AND string(b.number) = replace(upper($to), 'AS', ''))
   OR (label(b) = 'Organization' AND (b.key = $to OR lower(b.name) = lower($to)))
   OR (label(b) = 'Email' AND b.address = lower($to))
MATCH p = (a)-[* ALL SHORTEST 1..6]-(b)
WHERE a <> b AND length(p) <= $max_hops
WITH nodes(p) AS ns, rels(p) AS rs
// one list per property: property access inside a larger lambda expression comes back as ''
WITH list_transform(ns, n -> n._id) AS ids, list_transform(rs, r -> r._src) AS src,
     list_transform(rs, r -> label(r)) AS types, list_transform(ns, n -> label(n)) AS labels,
     list_transform(ns, n -> n.address) AS addresses, list_transform(ns, n -> n.cidr) AS cidrs,
     list_transform(ns, n -> n.key) AS org_keys, list_transform(ns, n -> n.number) AS numbers,
     list_transform(ns, n -> n.name) AS names
WITH ids, src, types, labels, addresses, cidrs, org_keys, names,
     list_transform(numbers, x -> CASE WHEN x IS NULL THEN null ELSE 'AS' + string(x) END) AS asns
// DISTINCT on joined strings, not on the lists: grouping by lists made by list_transform
// over path nodes scrambles them in LadybugDB 0.22 (and can crash it)
WITH size(types) AS hops,
     list_to_string(' / ', list_transform(range(1, size(labels)), i -> coalesce(addresses[i], cidrs[i], org_keys[i], asns[i], names[i]))) AS key_text,
     list_to_string(' / ', labels) AS label_text,
     list_to_string(' / ', list_transform(range(1, size(types)), i -> CASE WHEN ids[i] = src[i] THEN '-[' + types[i] + ']->' ELSE '<-[' + types[i] + ']-' END)) AS step_text
WITH DISTINCT hops, key_text, label_text, step_text
RETURN hops, string_split(key_text, ' / ') AS keys, string_split(label_text, ' / ') AS labels,
       string_split(step_text, ' / ') AS steps
ORDER BY hops, key_text, step_text
