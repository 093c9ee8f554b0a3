// name: community-members
// title: The members of a community found by `graphkit analyze communities`
// description:
//   The nodes of the community that the given client or domain is in (from the latest
//   `analyze communities` run over its label), each with its PageRank where `analyze
//   centrality` has run, the organizations its address is attributed to, and the evidence
//   that ties it to the others: the names it looked up that other members looked up too.
//   Members sharing the most come first.
// why:
//   A community is a lead, not a finding: who is in it, who they are, and which shared
//   names put them there, so that the link can be checked.
// params:
//   key: string -- a member: a client address, a host name or a domain name
//   limit: int = 100 -- at most this many members
// needs: communities
// columns:
//   member -- the member's address or name
//   community -- the community's number (0 is the largest)
//   size -- how many members it has
//   pagerank -- the member's PageRank (null when `analyze centrality` has not run)
//   organizations -- the organizations its address is attributed to
//   shared -- how many names it looked up that other members looked up too
//   shared_names -- those names, in order
MATCH (s)
WHERE (s.address = $key OR s.name = toLower($key)) AND s.community IS NOT NULL
MATCH (m)
WHERE m.community_source = s.community_source AND m.community = s.community
OPTIONAL MATCH (m)-[:LOOKED_UP]->(d:Domain)<-[:LOOKED_UP]-(o)
WHERE o.community_source = s.community_source AND o.community = s.community
  AND o <> m
WITH m, d.name AS name
ORDER BY name LIMIT 1000000000  // names in order: a LIMIT keeps the order through collect on both stores
WITH m, collect(DISTINCT name) AS shared_names
OPTIONAL MATCH (m)-[:ATTRIBUTED_TO]->(org:Organization)
WITH m, shared_names, org.name AS organization
ORDER BY organization LIMIT 1000000000
RETURN coalesce(m.address, m.name) AS member, m.community AS community, m.community_size AS size,
       m.pagerank AS pagerank, collect(DISTINCT organization) AS organizations,
       size(shared_names) AS shared, shared_names
ORDER BY shared DESC, member
LIMIT $limit
