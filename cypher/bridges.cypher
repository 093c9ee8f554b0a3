// name: bridges
// title: Clients that bridge communities, found by `graphkit analyze centrality` and `communities`
// description:
//   Among the clients of highest betweenness (the latest `analyze centrality` run), those that
//   looked up names that members of other communities (the latest `analyze communities` run)
//   looked up too: each with its own community, the communities it reaches and the names that
//   reach them. A name looked up by more than `max_sharers` clients ties nobody, as in the
//   projections: a name everybody asks for is no evidence of contact.
// why:
//   A client between two groups that otherwise share nothing is where the groups meet: one
//   party in both, a shared service, or a resolver forwarding for both. The names say which.
// params:
//   limit: int = 25 -- at most this many bridges
//   candidates: int = 200 -- the clients of highest betweenness examined
//   max_sharers: int = 50 -- names looked up by more clients than this are left out
// needs: centrality, communities
// columns:
//   bridge -- the client's address or host name
//   community -- its own community
//   betweenness -- its betweenness
//   reaches -- how many other communities its names reach
//   communities -- those communities, in order
//   names -- the names it shares with members of other communities, in order
MATCH (b:IPAddress|Host)
WHERE b.betweenness > 0 AND b.community IS NOT NULL
WITH b
ORDER BY b.betweenness DESC, coalesce(b.address, b.name)
LIMIT $candidates
MATCH (b)-[:LOOKED_UP_TOTAL]->(d:Domain)<-[:LOOKED_UP_TOTAL]-(o)
WHERE d.lookup_clients <= $max_sharers AND o.community_source = b.community_source AND o.community <> b.community
WITH b, d, collect(DISTINCT o.community) AS reached
WITH b, d.name AS name, reached
ORDER BY name LIMIT 1000000000  // in order: a LIMIT keeps the order through collect on both stores
WITH b, collect(name) AS names, collect(reached) AS reached
CALL (reached) {  // per bridge, so that its names are not carried through a row per community
  UNWIND reached AS some
  UNWIND some AS community
  WITH DISTINCT community
  ORDER BY community
  RETURN collect(community) AS communities
}
RETURN coalesce(b.address, b.name) AS bridge, b.community AS community, b.betweenness AS betweenness,
       size(communities) AS reaches, communities, names
ORDER BY betweenness DESC, bridge
LIMIT $limit
