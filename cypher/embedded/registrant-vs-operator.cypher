// name: registrant-vs-operator
// The embedded (LadybugDB) dialect of cypher/registrant-vs-operator.cypher, whose header
// applies. LadybugDB has no CALL subqueries, so each domain's rows carry its registrant
// and admin contact, and an address's operator is resolved per row (its four candidates in
// one aggregation); the kind of each use comes from label() of one multi-type pattern, and
// host lists are sorted with list_sort().
MATCH (d:Domain)
WHERE d.name = coalesce($domain, d.name) AND ($domain IS NOT NULL OR EXISTS { MATCH (d)-[:REGISTERED_BY]->(:Organization) })
OPTIONAL MATCH (d)-[:REGISTERED_BY]->(reg:Organization)
WITH d, min(reg.key) AS reg_key
OPTIONAL MATCH (d)-[:ADMINISTERED_BY]->(adm:Organization)
WITH d, reg_key, min(adm.key) AS adm_key
OPTIONAL MATCH (reg:Organization) WHERE reg.key = reg_key
OPTIONAL MATCH (adm:Organization) WHERE adm.key = adm_key
WITH d, reg_key, adm_key, coalesce(reg.name, reg_key) AS registrant, coalesce(adm.name, adm_key) AS admin
// what each domain stands on: its addresses (x), and its name and mail servers (x) with
// their addresses (ha); a server with no known address stands for itself, with no operator
MATCH (d)-[u:RESOLVES_TO|USES_MAIL_SERVER|USES_NAMESERVER]->(x)
OPTIONAL MATCH (x)-[:RESOLVES_TO]->(ha:IPAddress)
WITH d.name AS domain, reg_key, adm_key, registrant, admin,
     CASE label(u) WHEN 'RESOLVES_TO' THEN 'address' WHEN 'USES_MAIL_SERVER' THEN 'mail server' ELSE 'name server' END AS role,
     CASE WHEN label(u) = 'RESOLVES_TO' THEN x.address ELSE ha.address END AS key,
     CASE WHEN label(u) = 'RESOLVES_TO' THEN x.address ELSE x.name END AS via
// the operator of each address
OPTIONAL MATCH (c:IPAddress) WHERE c.address = key
OPTIONAL MATCH (c)-[:ATTRIBUTED_TO]->(o1:Organization)
OPTIONAL MATCH (c)-[:IN_NETBLOCK]->(:Netblock)-[:ATTRIBUTED_TO]->(o2:Organization)
OPTIONAL MATCH (c)-[:IN_NETBLOCK]->(:Netblock)-[:ALLOCATED_TO]->(o3:Organization)
OPTIONAL MATCH (c)-[:IN_NETBLOCK]->(:Netblock)-[:ANNOUNCED_BY]->(:ASN)-[:OPERATED_BY]->(o4:Organization)
WITH domain, reg_key, adm_key, registrant, admin, role, via, c,
     coalesce(min(o1.key), min(o2.key), min(o3.key), min(o4.key)) AS org_key
OPTIONAL MATCH (org:Organization) WHERE org.key = org_key
WITH domain, reg_key, adm_key, registrant, admin, role, coalesce(org.key, c.address) AS op_key,
     coalesce(org.name, org.key, c.address) AS operator, list_sort(collect(DISTINCT via)) AS hosts
RETURN domain, registrant, admin, role, operator, hosts AS via,
       CASE WHEN op_key IS NULL THEN null WHEN op_key = reg_key THEN 'registrant'
            WHEN op_key = adm_key THEN 'admin contact' ELSE 'other' END AS relation,
       CASE WHEN op_key IS NULL THEN null ELSE coalesce(op_key <> reg_key, true) END AS differs
ORDER BY domain, role, op_key
