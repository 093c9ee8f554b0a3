// name: rare-names

// The embedded (LadybugDB) dialect of cypher/by-day/rare-names.cypher, whose comment applies.
// The clients of the rare names are summed by their ids and found by id after: summed as
// nodes, LadybugDB joins every daily relationship in the window with its client's properties
// before the sum (0.60 s against 0.39 s for a window of 754k daily relationships).
// names with few clients first, then the clients of those names only
MATCH (d:Domain)<-[r:LOOKED_UP]-(c)
WHERE r.day >= coalesce($since, '') AND r.day <= coalesce($until, '9999')
WITH d, count(DISTINCT c) AS sources, sum(r.count) AS total
WHERE sources <= $max_sources AND total >= $min_lookups
MATCH (d)<-[r:LOOKED_UP]-(c)
WHERE r.day >= coalesce($since, '') AND r.day <= coalesce($until, '9999')
WITH d, sources, total, id(c) AS client_id, sum(r.count) AS n
MATCH (c:IPAddress|Host) WHERE id(c) = client_id
RETURN d.name AS name, sources, total, coalesce(c.address, c.name) AS client, n AS lookups
ORDER BY sources, total DESC, name, lookups DESC, client
