// name: registrant-vs-operator
// title: Who registered a domain beside who runs its name servers, mail servers and addresses
// description:
//   For each domain with a registrant (or the one domain given), its registrant and
//   administrative-contact organizations beside the organizations operating the
//   addresses of its name servers, of its mail servers and of the domain itself. An
//   address's operator is its ATTRIBUTED_TO organization, else its netblock's
//   attribution or ALLOCATED_TO holder, else its ASN's OPERATED_BY operator; unknown
//   stays the address. Rows where the operator is not the registrant are flagged. A
//   domain with no known name server, mail server or address gives no rows.
// why:
//   The registrant, the marketing firm that administers the domain and the company that
//   actually runs the mail server can be three different parties. Seeing the split keeps
//   the benign reading (an outsourced marketing platform) as visible as any other.
// params:
//   domain: string = null -- one domain; every domain with a registrant when null
// columns:
//   domain -- the domain
//   registrant -- its registrant organization
//   admin -- its administrative-contact organization
//   role -- name server, mail server or address
//   operator -- the organization operating it (or the address when unknown; null when no address is known)
//   via -- the name server or mail server hosts, or the addresses, that lead to the operator
//   relation -- registrant, admin contact or other: how the operator relates to the domain
//   differs -- true when the operator is not the registrant
MATCH (d:Domain)
WHERE d.name = coalesce($domain, d.name) AND ($domain IS NOT NULL OR EXISTS { MATCH (d)-[:REGISTERED_BY]->(:Organization) })
OPTIONAL MATCH (d)-[:REGISTERED_BY]->(reg:Organization)
WITH d, min(reg.key) AS reg_key
OPTIONAL MATCH (d)-[:ADMINISTERED_BY]->(adm:Organization)
WITH d, reg_key, min(adm.key) AS adm_key
OPTIONAL MATCH (d)-[:USES_NAMESERVER]->(h:Domain)
OPTIONAL MATCH (h)-[:RESOLVES_TO]->(a:IPAddress)
WITH d, reg_key, adm_key, collect(CASE WHEN h IS NULL THEN null ELSE {role: 'name server', via: h.name, address: a.address} END) AS found
OPTIONAL MATCH (d)-[:USES_MAIL_SERVER]->(h:Domain)
OPTIONAL MATCH (h)-[:RESOLVES_TO]->(a:IPAddress)
WITH d, reg_key, adm_key, found,
     collect(CASE WHEN h IS NULL THEN null ELSE {role: 'mail server', via: h.name, address: a.address} END) AS more
WITH d, reg_key, adm_key, found + more AS found
OPTIONAL MATCH (d)-[:RESOLVES_TO]->(a:IPAddress)
WITH d, reg_key, adm_key, found,
     collect(CASE WHEN a IS NULL THEN null ELSE {role: 'address', via: a.address, address: a.address} END) AS more
WITH d, reg_key, adm_key, found + more AS found
UNWIND found AS x
WITH DISTINCT d.name AS domain, reg_key, adm_key, x.role AS role, x.via AS via, x.address AS address
// each address's operator is resolved once, however many domains use it
WITH address, collect({domain: domain, reg_key: reg_key, adm_key: adm_key, role: role, via: via}) AS uses
OPTIONAL MATCH (c:IPAddress) WHERE c.address = address
OPTIONAL MATCH (c)-[:ATTRIBUTED_TO]->(o1:Organization)
WITH uses, c, min(o1.key) AS k1
OPTIONAL MATCH (c)-[:IN_NETBLOCK]->(:Netblock)-[:ATTRIBUTED_TO]->(o2:Organization)
WITH uses, c, k1, min(o2.key) AS k2
OPTIONAL MATCH (c)-[:IN_NETBLOCK]->(:Netblock)-[:ALLOCATED_TO]->(o3:Organization)
WITH uses, c, k1, k2, min(o3.key) AS k3
OPTIONAL MATCH (c)-[:IN_NETBLOCK]->(:Netblock)-[:ANNOUNCED_BY]->(:ASN)-[:OPERATED_BY]->(o4:Organization)
WITH uses, c, k1, k2, k3, min(o4.key) AS k4
WITH uses, c, coalesce(k1, k2, k3, k4) AS org_key
OPTIONAL MATCH (org:Organization) WHERE org.key = org_key
WITH uses, coalesce(org.key, c.address) AS op_key, coalesce(org.name, org.key, c.address) AS operator
UNWIND uses AS u
WITH DISTINCT u.domain AS domain, u.reg_key AS reg_key, u.adm_key AS adm_key, u.role AS role, u.via AS via, op_key, operator
// hosts in order (a LIMIT keeps the order through the aggregation on both stores)
WITH domain, reg_key, adm_key, role, via, op_key, operator ORDER BY via LIMIT 1000000000
WITH domain, reg_key, adm_key, role, op_key, operator, collect(via) AS via
OPTIONAL MATCH (reg:Organization) WHERE reg.key = reg_key
OPTIONAL MATCH (adm:Organization) WHERE adm.key = adm_key
RETURN domain, coalesce(reg.name, reg_key) AS registrant, coalesce(adm.name, adm_key) AS admin, role, operator, via,
       CASE WHEN op_key IS NULL THEN null WHEN op_key = reg_key THEN 'registrant'
            WHEN op_key = adm_key THEN 'admin contact' ELSE 'other' END AS relation,
       CASE WHEN op_key IS NULL THEN null ELSE coalesce(op_key <> reg_key, true) END AS differs
ORDER BY domain, role, op_key
