// name: rare-names

// The day-level text of cypher/rare-names.cypher, whose header applies: run when a window
// (since, until) is given, it counts clients and lookups from the daily relationships in it.
MATCH (d:Domain)<-[r:LOOKED_UP]-(c)
WHERE r.day >= coalesce($since, '') AND r.day <= coalesce($until, '9999')
// names with few clients first, then the clients of those names only
WITH d, count(DISTINCT c) AS sources, sum(r.count) AS total
WHERE sources <= $max_sources AND total >= $min_lookups
MATCH (d)<-[r:LOOKED_UP]-(c)
WHERE r.day >= coalesce($since, '') AND r.day <= coalesce($until, '9999')
WITH d, sources, total, c, sum(r.count) AS n
RETURN d.name AS name, sources, total, coalesce(c.address, c.name) AS client, n AS lookups
ORDER BY sources, total DESC, name, lookups DESC, client
