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
// what each domain stands on: its addresses, and its name and mail servers' addresses; a
// server with no known address stands for itself, with no operator
CALL (d) {
  MATCH (d)-[:RESOLVES_TO]->(a) RETURN 'address' AS role, a, a.address AS via
  UNION ALL
  MATCH (d)-[:USES_MAIL_SERVER]->(h) OPTIONAL MATCH (h)-[:RESOLVES_TO]->(a) RETURN 'mail server' AS role, a, h.name AS via
  UNION ALL
  MATCH (d)-[:USES_NAMESERVER]->(h) OPTIONAL MATCH (h)-[:RESOLVES_TO]->(a) RETURN 'name server' AS role, a, h.name AS via
}
// each address's operator, resolved once however many domains use it (in a subquery, so
// the list of its uses is no grouping key)
WITH a, collect({d: d, role: role, via: via}) AS uses
CALL (a) {
  OPTIONAL MATCH (a)-[:ATTRIBUTED_TO]->(o1:Organization)
  WITH a, min(o1.key) AS k1
  OPTIONAL MATCH (a)-[:IN_NETBLOCK]->(:Netblock)-[:ATTRIBUTED_TO]->(o2:Organization)
  WITH a, k1, min(o2.key) AS k2
  OPTIONAL MATCH (a)-[:IN_NETBLOCK]->(:Netblock)-[:ALLOCATED_TO]->(o3:Organization)
  WITH a, k1, k2, min(o3.key) AS k3
  OPTIONAL MATCH (a)-[:IN_NETBLOCK]->(:Netblock)-[:ANNOUNCED_BY]->(:ASN)-[:OPERATED_BY]->(o4:Organization)
  WITH a, k1, k2, k3, min(o4.key) AS k4
  OPTIONAL MATCH (org:Organization) WHERE org.key = coalesce(k1, k2, k3, k4)
  RETURN coalesce(org.key, a.address) AS op_key, coalesce(org.name, org.key, a.address) AS operator
}
// back to the domains: each one's registrant and admin contact once, then its rows
UNWIND uses AS u
WITH u.d AS d, collect({role: u.role, op_key: op_key, operator: operator, via: u.via}) AS uses
CALL (d) {
  OPTIONAL MATCH (d)-[:REGISTERED_BY]->(reg)
  WITH reg ORDER BY reg.key LIMIT 1
  RETURN reg.key AS reg_key, coalesce(reg.name, reg.key) AS registrant
}
CALL (d) {
  OPTIONAL MATCH (d)-[:ADMINISTERED_BY]->(adm)
  WITH adm ORDER BY adm.key LIMIT 1
  RETURN adm.key AS adm_key, coalesce(adm.name, adm.key) AS admin
}
CALL (uses) {
  UNWIND uses AS u
  WITH u ORDER BY u.via
  RETURN u.role AS role, u.op_key AS op_key, u.operator AS operator, collect(DISTINCT u.via) AS via
}
RETURN d.name AS domain, registrant, admin, role, operator, via,
       CASE WHEN op_key IS NULL THEN null WHEN op_key = reg_key THEN 'registrant'
            WHEN op_key = adm_key THEN 'admin contact' ELSE 'other' END AS relation,
       CASE WHEN op_key IS NULL THEN null ELSE coalesce(op_key <> reg_key, true) END AS differs
ORDER BY domain, role, op_key
