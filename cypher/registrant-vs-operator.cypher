// name: registrant-vs-operator
// title: Who registered a domain beside who runs its name servers, mail servers and addresses
// description:
//   For each domain with a registrant (or the one domain given), its registrant and
//   administrative-contact organizations beside the organizations operating the
//   addresses of its name servers, of its mail servers and of the domain itself. An
//   address's operator is its ATTRIBUTED_TO organization, else its netblock's
//   attribution or ALLOCATED_TO holder, else its ASN's OPERATED_BY operator; unknown
//   stays the address. Rows where the operator is not the registrant are flagged. A
//   domain with no known name server, mail server or address gives no rows; a host
//   with no known address gives a row whose operator is null.
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
// what the domains stand on: addresses (their own, their name and mail servers'), and
// hosts with no known address, which stand for themselves
OPTIONAL MATCH (d)-[:USES_NAMESERVER|USES_MAIL_SERVER]->(h:Domain)
OPTIONAL MATCH (h)-[:RESOLVES_TO]->(a:IPAddress)
WITH d, collect(CASE WHEN h IS NULL THEN null ELSE {key: coalesce(a.address, h.name), bare: a IS NULL} END) AS behind
OPTIONAL MATCH (d)-[:RESOLVES_TO]->(a:IPAddress)
WITH behind, collect(CASE WHEN a IS NULL THEN null ELSE {key: a.address, bare: false} END) AS own
UNWIND behind + own AS entry
WITH DISTINCT entry.key AS key, entry.bare AS bare
// each address's operator, resolved once however many domains use it
OPTIONAL MATCH (c:IPAddress) WHERE NOT bare AND c.address = key
OPTIONAL MATCH (c)-[:ATTRIBUTED_TO]->(o1:Organization)
WITH key, bare, c, min(o1.key) AS k1
OPTIONAL MATCH (c)-[:IN_NETBLOCK]->(:Netblock)-[:ATTRIBUTED_TO]->(o2:Organization)
WITH key, bare, c, k1, min(o2.key) AS k2
OPTIONAL MATCH (c)-[:IN_NETBLOCK]->(:Netblock)-[:ALLOCATED_TO]->(o3:Organization)
WITH key, bare, c, k1, k2, min(o3.key) AS k3
OPTIONAL MATCH (c)-[:IN_NETBLOCK]->(:Netblock)-[:ANNOUNCED_BY]->(:ASN)-[:OPERATED_BY]->(o4:Organization)
WITH key, bare, c, k1, k2, k3, min(o4.key) AS k4
WITH key, bare, c, coalesce(k1, k2, k3, k4) AS org_key
OPTIONAL MATCH (org:Organization) WHERE org.key = org_key
WITH key, bare, c, coalesce(org.key, c.address) AS op_key, coalesce(org.name, org.key, c.address) AS operator
// back to the domains that use it, smallest lists first (lists collected earlier are
// grouping keys of the later steps)
OPTIONAL MATCH (c)<-[:RESOLVES_TO]-(d:Domain) WHERE d.name = coalesce($domain, d.name) AND ($domain IS NOT NULL OR EXISTS { MATCH (d)-[:REGISTERED_BY]->(:Organization) })
WITH key, bare, c, op_key, operator, collect(CASE WHEN d IS NULL THEN null ELSE {domain: d.name, role: 'address', via: key} END) AS uses
OPTIONAL MATCH (h:Domain)<-[:USES_MAIL_SERVER]-(d:Domain) WHERE bare AND h.name = key AND d.name = coalesce($domain, d.name) AND ($domain IS NOT NULL OR EXISTS { MATCH (d)-[:REGISTERED_BY]->(:Organization) })
WITH key, bare, c, op_key, operator, uses, collect(CASE WHEN d IS NULL THEN null ELSE {domain: d.name, role: 'mail server', via: h.name} END) AS more
WITH key, bare, c, op_key, operator, uses + more AS uses
OPTIONAL MATCH (h:Domain)<-[:USES_NAMESERVER]-(d:Domain) WHERE bare AND h.name = key AND d.name = coalesce($domain, d.name) AND ($domain IS NOT NULL OR EXISTS { MATCH (d)-[:REGISTERED_BY]->(:Organization) })
WITH key, bare, c, op_key, operator, uses, collect(CASE WHEN d IS NULL THEN null ELSE {domain: d.name, role: 'name server', via: h.name} END) AS more
WITH c, op_key, operator, uses + more AS uses
OPTIONAL MATCH (c)<-[:RESOLVES_TO]-(h:Domain)<-[:USES_MAIL_SERVER]-(d:Domain) WHERE d.name = coalesce($domain, d.name) AND ($domain IS NOT NULL OR EXISTS { MATCH (d)-[:REGISTERED_BY]->(:Organization) })
WITH c, op_key, operator, uses, collect(CASE WHEN d IS NULL THEN null ELSE {domain: d.name, role: 'mail server', via: h.name} END) AS more
WITH c, op_key, operator, uses + more AS uses
OPTIONAL MATCH (c)<-[:RESOLVES_TO]-(h:Domain)<-[:USES_NAMESERVER]-(d:Domain) WHERE d.name = coalesce($domain, d.name) AND ($domain IS NOT NULL OR EXISTS { MATCH (d)-[:REGISTERED_BY]->(:Organization) })
WITH op_key, operator, uses, collect(CASE WHEN d IS NULL THEN null ELSE {domain: d.name, role: 'name server', via: h.name} END) AS more
UNWIND uses + more AS u
WITH DISTINCT u.domain AS domain, u.role AS role, u.via AS via, op_key, operator
WITH domain, role, op_key, operator, collect(via) AS hosts
// hosts in order: sorted row by row (one sort of all rows needs more memory than a small server has)
CALL (hosts) { UNWIND hosts AS host WITH host ORDER BY host RETURN collect(host) AS via }
MATCH (d:Domain) WHERE d.name = domain
OPTIONAL MATCH (d)-[:REGISTERED_BY]->(reg:Organization)
WITH d, domain, role, op_key, operator, via, min(reg.key) AS reg_key
OPTIONAL MATCH (d)-[:ADMINISTERED_BY]->(adm:Organization)
WITH domain, role, op_key, operator, via, reg_key, min(adm.key) AS adm_key
OPTIONAL MATCH (reg:Organization) WHERE reg.key = reg_key
OPTIONAL MATCH (adm:Organization) WHERE adm.key = adm_key
RETURN domain, coalesce(reg.name, reg_key) AS registrant, coalesce(adm.name, adm_key) AS admin, role, operator, via,
       CASE WHEN op_key IS NULL THEN null WHEN op_key = reg_key THEN 'registrant'
            WHEN op_key = adm_key THEN 'admin contact' ELSE 'other' END AS relation,
       CASE WHEN op_key IS NULL THEN null ELSE coalesce(op_key <> reg_key, true) END AS differs
ORDER BY domain, role, op_key
