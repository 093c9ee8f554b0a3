// name: rare-names
// title: Names looked up by very few clients
// description:
//   Names looked up by at most max_sources client addresses in the window, with at
//   least min_lookups lookups in all, with each of those clients and its lookups.
// why:
//   A name almost nobody asks for, asked for repeatedly by one or two clients, is a
//   private channel between those clients and whoever runs the name.
// params:
//   max_sources: int = 2 -- list names with at most this many client addresses
//   min_lookups: int = 10 -- leave out names with fewer lookups in the window
//   since: date = null -- first day counted (YYYY-MM-DD)
//   until: date = null -- last day counted (YYYY-MM-DD)
// filters:
//   max_sources = 1000000000
//   min_lookups = 1
//   since = null
//   until = null
// columns:
//   name -- the name looked up
//   sources -- how many client addresses looked it up
//   total -- its lookups in the window
//   client -- one of those clients
//   lookups -- that client's lookups of the name
// Name first: rows arrive grouped by name, so Neo4j aggregates them in order. The client end
// needs no label (LOOKED_UP always starts at an address; checking it reads every client).
// The CASE reads r.day only when a window is given.
MATCH (d:Domain)<-[r:LOOKED_UP]-(c)
WHERE CASE WHEN $since IS NULL AND $until IS NULL THEN true
           ELSE r.day >= coalesce($since, '') AND r.day <= coalesce($until, '9999') END
// names with few clients first, then the clients of those names only
WITH d, count(DISTINCT c) AS sources, sum(r.count) AS total
WHERE sources <= $max_sources AND total >= $min_lookups
MATCH (d)<-[r:LOOKED_UP]-(c)
WHERE CASE WHEN $since IS NULL AND $until IS NULL THEN true
           ELSE r.day >= coalesce($since, '') AND r.day <= coalesce($until, '9999') END
WITH d, sources, total, c, sum(r.count) AS n
RETURN d.name AS name, sources, total, coalesce(c.address, c.name) AS client, n AS lookups
ORDER BY sources, total DESC, name, lookups DESC, client
