// name: registrant-vs-operator

// The embedded (LadybugDB) dialect of cypher/registrant-vs-operator.cypher, whose header
// applies, with the same plan: each address's or server's operator once, then the domains
// that use it (found by a second walk: the Neo4j text carries them from the first).
// LadybugDB has no pattern comprehensions, no type() and no CASE that picks a node, so an
// address is found again by its key and its operator by min() and then its key; the
// registrant and admin contact are minimum keys in the domains' own aggregation;
// what a use is comes from label() (a relationship table fixes its endpoints: RESOLVES_TO
// reaches an address, the others a server); host lists are sorted with list_sort().
MATCH (d0:Domain)
WHERE d0.name = coalesce($domain, d0.name) AND ($domain IS NOT NULL OR EXISTS { MATCH (d0)-[:REGISTERED_BY]->(:Organization) })
// what the domains stand on: addresses, and name and mail servers; each one once
MATCH (d0)-[:RESOLVES_TO|USES_MAIL_SERVER|USES_NAMESERVER]->(x)
WITH DISTINCT x
// its operator, resolved once however many domains use it; a server with no known address
// stands for itself, with no operator
OPTIONAL MATCH (x)-[:RESOLVES_TO]->(ha:IPAddress)
WITH x, CASE WHEN label(x) = 'IPAddress' THEN x.address ELSE ha.address END AS key
OPTIONAL MATCH (c:IPAddress) WHERE c.address = key
OPTIONAL MATCH (c)-[:ATTRIBUTED_TO]->(o1:Organization)
OPTIONAL MATCH (c)-[:IN_NETBLOCK]->(:Netblock)-[:ATTRIBUTED_TO]->(o2:Organization)
OPTIONAL MATCH (c)-[:IN_NETBLOCK]->(:Netblock)-[:ALLOCATED_TO]->(o3:Organization)
OPTIONAL MATCH (c)-[:IN_NETBLOCK]->(:Netblock)-[:ANNOUNCED_BY]->(:ASN)-[:OPERATED_BY]->(o4:Organization)
WITH x, c, coalesce(min(o1.key), min(o2.key), min(o3.key), min(o4.key)) AS org_key
OPTIONAL MATCH (org:Organization) WHERE org.key = org_key
WITH x, coalesce(org.key, c.address) AS op_key, coalesce(org.name, org.key, c.address) AS operator
// back to the domains that use it, with their registrants and admin contacts
MATCH (d:Domain)-[u:RESOLVES_TO|USES_MAIL_SERVER|USES_NAMESERVER]->(x)
WHERE d.name = coalesce($domain, d.name) AND ($domain IS NOT NULL OR EXISTS { MATCH (d)-[:REGISTERED_BY]->(:Organization) })
OPTIONAL MATCH (d)-[:REGISTERED_BY]->(r:Organization)
OPTIONAL MATCH (d)-[:ADMINISTERED_BY]->(m:Organization)
WITH d, label(u) AS kind, op_key, operator, min(r.key) AS reg_key, min(m.key) AS adm_key,
     list_sort(collect(DISTINCT CASE WHEN label(u) = 'RESOLVES_TO' THEN x.address ELSE x.name END)) AS via
OPTIONAL MATCH (reg:Organization) WHERE reg.key = reg_key
OPTIONAL MATCH (adm:Organization) WHERE adm.key = adm_key
WITH d.name AS domain, reg_key, adm_key, coalesce(reg.name, reg_key) AS registrant, coalesce(adm.name, adm_key) AS admin,
     CASE kind WHEN 'RESOLVES_TO' THEN 'address' WHEN 'USES_MAIL_SERVER' THEN 'mail server' ELSE 'name server' END AS role,
     op_key, operator, via
RETURN domain, registrant, admin, role, operator, via,
       CASE WHEN op_key IS NULL THEN null WHEN op_key = reg_key THEN 'registrant'
            WHEN op_key = adm_key THEN 'admin contact' ELSE 'other' END AS relation,
       CASE WHEN op_key IS NULL THEN null ELSE coalesce(op_key <> reg_key, true) END AS differs
ORDER BY domain, role, op_key
