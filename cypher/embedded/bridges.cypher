// name: bridges

// The embedded (LadybugDB) dialect of cypher/bridges.cypher, whose header applies. Matched
// from the candidates' node ids (matched from the candidates themselves, with the other
// clients' communities compared to theirs, LadybugDB 0.22 ran out of its buffer pool at ten
// million lookups); its collect without a grouping key ignores the ORDER BY ... LIMIT before
// it (hence `grouped`), and keeps no order, so lists are sorted with list_sort.
MATCH (b:IPAddress|Host)
WHERE b.betweenness > 0 AND b.community IS NOT NULL
WITH b
ORDER BY b.betweenness DESC, coalesce(b.address, b.name)
LIMIT $candidates
WITH true AS grouped, collect(id(b)) AS chosen
MATCH (b)-[:LOOKED_UP_TOTAL]->(d:Domain)<-[:LOOKED_UP_TOTAL]-(o)
WHERE id(b) IN chosen AND d.lookup_clients <= $max_sharers AND o.community_source = b.community_source AND o.community <> b.community
WITH coalesce(b.address, b.name) AS bridge, b.community AS community, b.betweenness AS betweenness, d.name AS name,
     collect(DISTINCT o.community) AS reached
WITH bridge, community, betweenness, list_sort(collect(name)) AS names, collect(reached) AS reached
UNWIND reached AS some
UNWIND some AS other
WITH bridge, community, betweenness, names, list_sort(collect(DISTINCT other)) AS communities
RETURN bridge, community, betweenness, size(communities) AS reaches, communities, names
ORDER BY betweenness DESC, bridge
LIMIT $limit
