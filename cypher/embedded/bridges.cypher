// name: bridges

// The embedded (LadybugDB) dialect of cypher/bridges.cypher, whose header applies. The
// candidates' names are matched from their node ids, one id at a time (`id(b) IN chosen`
// tests every lookup against the whole list), and each name's clients are read once as the
// distinct (community source, community) pairs they belong to, then compared with each
// candidate that looked it up: reading the other clients' communities beside every
// (candidate, name, client) row took LadybugDB 0.22 2.3 s and 665 MB at ten million lookups
// (0.5 s and 272 MB so). Its collect without a grouping key ignores the ORDER BY ... LIMIT
// before it (hence `grouped`), and keeps no order, so lists are sorted with list_sort; the
// pairs are compared after an UNWIND, because list_filter with a lambda that reads the
// candidate's values answered wrongly.
MATCH (b:IPAddress|Host)
WHERE b.betweenness > 0 AND b.community IS NOT NULL
WITH b
ORDER BY b.betweenness DESC, coalesce(b.address, b.name)
LIMIT $candidates
WITH true AS grouped, collect(id(b)) AS chosen
UNWIND chosen AS chosen_id
MATCH (b)-[:LOOKED_UP_TOTAL]->(d:Domain)
WHERE id(b) = chosen_id AND d.lookup_clients <= $max_sharers
WITH d, collect({bridge: coalesce(b.address, b.name), betweenness: b.betweenness, source: b.community_source, community: b.community}) AS askers
MATCH (d)<-[:LOOKED_UP_TOTAL]-(o)
WITH d, askers, collect(DISTINCT {source: o.community_source, community: o.community}) AS groups
UNWIND askers AS a
UNWIND groups AS g
WITH a, d.name AS name, g
WHERE g.source = a.source AND g.community <> a.community
WITH a, list_sort(collect(DISTINCT name)) AS names, list_sort(collect(DISTINCT g.community)) AS communities
WITH a.bridge AS bridge, a.community AS community, a.betweenness AS betweenness, names, communities
RETURN bridge, community, betweenness, size(communities) AS reaches, communities, names
ORDER BY betweenness DESC, bridge
LIMIT $limit
