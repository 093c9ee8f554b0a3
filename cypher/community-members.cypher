// name: community-members
// title: The members of a community found by `graphkit analyze communities`
// description:
//   The nodes of the community that the given client or domain is in (from the latest
//   `analyze communities` run over its label), each with its PageRank where `analyze
//   centrality` has run, the organization behind its address, and the evidence
//   that ties it to the others: the names it looked up that other members looked up too.
//   Members sharing the most come first. The names are evidence for clients; a domain's
//   community (an `infrastructure` run) has none here: `shared-infrastructure -p domain=...`
//   gives what it shares.
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
//   organization -- the organization behind its address (attributed, its netblock's, its AS operator)
//   shared -- how many names it looked up that other members looked up too
//   shared_names -- those names, in order
MATCH (s)
WHERE (s.address = $key OR s.name = toLower($key)) AND s.community IS NOT NULL
MATCH (m)
WHERE m.community_source = s.community_source AND m.community = s.community
// a name is shared when more than one member looked it up: grouped by name, the members'
// lookups are read once (not once per other client of each name)
OPTIONAL MATCH (m)-[:LOOKED_UP_TOTAL]->(d:Domain)
WITH d, collect(m) AS askers
UNWIND askers AS m
WITH m, CASE WHEN size(askers) > 1 THEN d.name END AS name
ORDER BY name LIMIT 1000000000  // names in order: a LIMIT keeps the order through collect
WITH m, collect(DISTINCT name) AS shared_names
// the organization behind a client address, as lookup-sources finds it: attributed to the
// address, else to its netblock, else the netblock's holder, else its AS's operator
OPTIONAL MATCH (m)-[:ATTRIBUTED_TO]->(o1:Organization)
WITH m, shared_names, min(o1.key) AS k1
OPTIONAL MATCH (m)-[:IN_NETBLOCK]->(:Netblock)-[:ATTRIBUTED_TO]->(o2:Organization)
WITH m, shared_names, k1, min(o2.key) AS k2
OPTIONAL MATCH (m)-[:IN_NETBLOCK]->(:Netblock)-[:ALLOCATED_TO]->(o3:Organization)
WITH m, shared_names, k1, k2, min(o3.key) AS k3
OPTIONAL MATCH (m)-[:IN_NETBLOCK]->(:Netblock)-[:ANNOUNCED_BY]->(:ASN)-[:OPERATED_BY]->(o4:Organization)
WITH m, shared_names, k1, k2, k3, min(o4.key) AS k4
WITH m, shared_names, coalesce(k1, k2, k3, k4) AS org_key
OPTIONAL MATCH (org:Organization) WHERE org.key = org_key
RETURN coalesce(m.address, m.name) AS member, m.community AS community, m.community_size AS size,
       m.pagerank AS pagerank, coalesce(org.name, org.key) AS organization,
       size(shared_names) AS shared, shared_names
ORDER BY shared DESC, member
LIMIT $limit
