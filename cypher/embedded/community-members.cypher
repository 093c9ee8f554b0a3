// name: community-members

// The embedded (LadybugDB) dialect of cypher/community-members.cypher, whose header applies.
// LadybugDB 0.22 cannot match from nodes that an UNWIND gives back (it finds the wrong
// organizations), so the shared names are computed per member key first and looked up from
// the members matched again; its collect does not keep the order a LIMIT gave, so the names
// are sorted with list_sort.
MATCH (s)
WHERE (s.address = $key OR s.name = toLower($key)) AND s.community IS NOT NULL
MATCH (m)
WHERE m.community_source = s.community_source AND m.community = s.community
OPTIONAL MATCH (m)-[:LOOKED_UP_TOTAL]->(d:Domain)
WITH s, d, collect(coalesce(m.address, m.name)) AS askers
UNWIND askers AS member
WITH s, member, CASE WHEN size(askers) > 1 THEN d.name END AS name
WITH s, member, list_sort(collect(DISTINCT name)) AS shared_names
WITH s, collect({member: member, names: shared_names}) AS evidence
MATCH (m)
WHERE m.community_source = s.community_source AND m.community = s.community
WITH m, evidence, coalesce(m.address, m.name) AS key
WITH m, list_filter(evidence, e -> e.member = key) AS found
WITH m, struct_extract(found[1], "names") AS shared_names
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
