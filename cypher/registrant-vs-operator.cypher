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
WHERE d.name = coalesce($domain, d.name) AND ($domain IS NOT NULL OR EXISTS { (d)-[:REGISTERED_BY]->() })
// what the domains stand on: addresses (direct), and name and mail servers; each one once,
// with the domains that use it (no second walk from the servers back to the domains)
MATCH (d)-[r:RESOLVES_TO|USES_MAIL_SERVER|USES_NAMESERVER]->(x)
WITH x, type(r) = 'RESOLVES_TO' AS direct, collect([d, type(r)]) AS users
// its operator, resolved once however many domains use it; a server with no known address
// stands for itself, with no operator
OPTIONAL MATCH (x)-[:RESOLVES_TO]->(ha) WHERE NOT direct
WITH x, direct, users, CASE WHEN direct THEN x ELSE ha END AS a
WITH x, direct, users, a,
     coalesce(
       reduce(m = null, o IN [(a)-[:ATTRIBUTED_TO]->(o:Organization) | o] | CASE WHEN m IS NULL OR o.key < m.key THEN o ELSE m END),
       reduce(m = null, o IN [(a)-[:IN_NETBLOCK]->(:Netblock)-[:ATTRIBUTED_TO]->(o:Organization) | o] | CASE WHEN m IS NULL OR o.key < m.key THEN o ELSE m END),
       reduce(m = null, o IN [(a)-[:IN_NETBLOCK]->(:Netblock)-[:ALLOCATED_TO]->(o:Organization) | o] | CASE WHEN m IS NULL OR o.key < m.key THEN o ELSE m END),
       reduce(m = null, o IN [(a)-[:IN_NETBLOCK]->(:Netblock)-[:ANNOUNCED_BY]->(:ASN)-[:OPERATED_BY]->(o:Organization) | o] | CASE WHEN m IS NULL OR o.key < m.key THEN o ELSE m END)
     ) AS org
WITH users, coalesce(org.key, a.address) AS op_key, coalesce(org.name, org.key, a.address) AS operator,
     CASE WHEN direct THEN x.address ELSE x.name END AS via
// back to the domains; sorted once, so each domain's rows then stream out in order
UNWIND users AS u
WITH u[0] AS d, u[0].name AS domain,
     CASE u[1] WHEN 'RESOLVES_TO' THEN 'address' WHEN 'USES_MAIL_SERVER' THEN 'mail server' ELSE 'name server' END AS role,
     op_key, operator, via
ORDER BY domain, role, op_key, via
WITH d, domain, role, op_key, operator, collect(DISTINCT via) AS via
// each domain's registrant and admin contact, once per domain
WITH d, domain, collect([role, op_key, operator, via]) AS uses
WITH domain, uses,
     reduce(m = null, o IN [(d)-[:REGISTERED_BY]->(o) | o] | CASE WHEN m IS NULL OR o.key < m.key THEN o ELSE m END) AS reg,
     reduce(m = null, o IN [(d)-[:ADMINISTERED_BY]->(o) | o] | CASE WHEN m IS NULL OR o.key < m.key THEN o ELSE m END) AS adm
WITH domain, uses, reg.key AS reg_key, adm.key AS adm_key, coalesce(reg.name, reg.key) AS registrant,
     coalesce(adm.name, adm.key) AS admin
UNWIND uses AS u
WITH domain, registrant, admin, reg_key, adm_key, u[0] AS role, u[1] AS op_key, u[2] AS operator, u[3] AS via
RETURN domain, registrant, admin, role, operator, via,
       CASE WHEN op_key IS NULL THEN null WHEN op_key = reg_key THEN 'registrant'
            WHEN op_key = adm_key THEN 'admin contact' ELSE 'other' END AS relation,
       CASE WHEN op_key IS NULL THEN null ELSE coalesce(op_key <> reg_key, true) END AS differs
ORDER BY domain, role, op_key
