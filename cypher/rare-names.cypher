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
// Without a window, from the names' totals: only names with few clients are expanded, one
// rollup per client (by-day/rare-names.cypher counts a window's daily relationships). The
// client end needs no label (a rollup always starts at a client; checking it reads every one).
MATCH (d:Domain)
WHERE d.lookup_clients <= $max_sources AND d.lookups >= $min_lookups
MATCH (d)<-[t:LOOKED_UP_TOTAL]-(c)
RETURN d.name AS name, d.lookup_clients AS sources, d.lookups AS total, coalesce(c.address, c.name) AS client,
       t.count AS lookups
ORDER BY sources, total DESC, name, lookups DESC, client
