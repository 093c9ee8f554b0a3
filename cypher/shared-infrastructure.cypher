// name: shared-infrastructure
// title: Other domains sharing infrastructure or registration details with a domain
// description:
//   Domains that share with the given domain a name server host, mail server host,
//   address, netblock or ASN (of its addresses), registrant or administrative-contact
//   organization, contact email (privacy-proxy addresses left out), registrar, SPF
//   include, a certificate naming both, a certificate their addresses presented, or a server
//   TLS fingerprint (JA3S, JARM) of their addresses. One row per shared element and other
//   domain, rarest element first. Elements shared by more than max_degree domains (big
//   hosters, public DNS, large registrars, a CDN's certificate, a common server stack's
//   JA3S) are not expanded: they get one row with left_out = true and no domain.
// why:
//   The classic pivot: a name server, an address or a registrant email shared by a
//   handful of domains ties them to one operator; one shared by thousands ties nothing.
// params:
//   domain: string -- the domain to start from
//   max_degree: int = 50 -- elements shared by more domains than this are counted, not listed
// columns:
//   kind -- name server, mail server, address, netblock, asn, registrant, admin, email, registrar, spf include, certificate, served certificate or server fingerprint
//   element -- the shared host, address, CIDR, ASN, organization, email, registrar, certificate or fingerprint
//   shared_by -- how many domains (the given one included) share it
//   left_out -- true when shared_by > max_degree (the other domains are not listed)
//   domain -- the other domain (null when left out)
MATCH (d:Domain {name: $domain})
OPTIONAL MATCH (d)-[:USES_NAMESERVER]->(e:Domain)
OPTIONAL MATCH (e)<-[:USES_NAMESERVER]-(o:Domain)
WITH d, e, collect(DISTINCT o.name) AS domains
WITH d, collect(CASE WHEN e IS NULL THEN null ELSE {kind: 'name server', element: e.name, shared_by: size(domains),
                                              listed: CASE WHEN size(domains) > $max_degree THEN [e.name] ELSE domains END} END) AS found
OPTIONAL MATCH (d)-[:USES_MAIL_SERVER]->(e:Domain)
OPTIONAL MATCH (e)<-[:USES_MAIL_SERVER]-(o:Domain)
WITH d, found, e, collect(DISTINCT o.name) AS domains
WITH d, found, collect(CASE WHEN e IS NULL THEN null ELSE {kind: 'mail server', element: e.name, shared_by: size(domains),
                                              listed: CASE WHEN size(domains) > $max_degree THEN [e.name] ELSE domains END} END) AS more
WITH d, found + more AS found
OPTIONAL MATCH (d)-[:RESOLVES_TO]->(e:IPAddress)
OPTIONAL MATCH (e)<-[:RESOLVES_TO]-(o:Domain)
WITH d, found, e, collect(DISTINCT o.name) AS domains
WITH d, found, collect(CASE WHEN e IS NULL THEN null ELSE {kind: 'address', element: e.address, shared_by: size(domains),
                                              listed: CASE WHEN size(domains) > $max_degree THEN [e.address] ELSE domains END} END) AS more
WITH d, found + more AS found
OPTIONAL MATCH (d)-[:RESOLVES_TO]->(:IPAddress)-[:IN_NETBLOCK]->(e:Netblock)
OPTIONAL MATCH (e)<-[:IN_NETBLOCK]-(:IPAddress)<-[:RESOLVES_TO]-(o:Domain)
WITH d, found, e, collect(DISTINCT o.name) AS domains
WITH d, found, collect(CASE WHEN e IS NULL THEN null ELSE {kind: 'netblock', element: e.cidr, shared_by: size(domains),
                                              listed: CASE WHEN size(domains) > $max_degree THEN [e.cidr] ELSE domains END} END) AS more
WITH d, found + more AS found
OPTIONAL MATCH (d)-[:RESOLVES_TO]->(:IPAddress)-[:IN_NETBLOCK]->(:Netblock)-[:ANNOUNCED_BY]->(e:ASN)
OPTIONAL MATCH (e)<-[:ANNOUNCED_BY]-(:Netblock)<-[:IN_NETBLOCK]-(:IPAddress)<-[:RESOLVES_TO]-(o:Domain)
WITH d, found, e, collect(DISTINCT o.name) AS domains
WITH d, found,
     collect(CASE WHEN e IS NULL THEN null ELSE {kind: 'asn', element: 'AS' + toString(e.number), shared_by: size(domains),
                                              listed: CASE WHEN size(domains) > $max_degree THEN ['AS' + toString(e.number)] ELSE domains END} END) AS more
WITH d, found + more AS found
OPTIONAL MATCH (d)-[:REGISTERED_BY]->(e:Organization)
OPTIONAL MATCH (e)<-[:REGISTERED_BY]-(o:Domain)
WITH d, found, e, collect(DISTINCT o.name) AS domains
WITH d, found,
     collect(CASE WHEN e IS NULL THEN null ELSE {kind: 'registrant', element: coalesce(e.name, e.key), shared_by: size(domains),
                                              listed: CASE WHEN size(domains) > $max_degree THEN [coalesce(e.name, e.key)] ELSE domains END} END) AS more
WITH d, found + more AS found
OPTIONAL MATCH (d)-[:ADMINISTERED_BY]->(e:Organization)
OPTIONAL MATCH (e)<-[:ADMINISTERED_BY]-(o:Domain)
WITH d, found, e, collect(DISTINCT o.name) AS domains
WITH d, found,
     collect(CASE WHEN e IS NULL THEN null ELSE {kind: 'admin', element: coalesce(e.name, e.key), shared_by: size(domains),
                                              listed: CASE WHEN size(domains) > $max_degree THEN [coalesce(e.name, e.key)] ELSE domains END} END) AS more
WITH d, found + more AS found
OPTIONAL MATCH (d)-[:HAS_CONTACT_EMAIL]->(e:Email) WHERE NOT coalesce(e.is_proxy, false)
OPTIONAL MATCH (e)<-[:HAS_CONTACT_EMAIL]-(o:Domain)
WITH d, found, e, collect(DISTINCT o.name) AS domains
WITH d, found, collect(CASE WHEN e IS NULL THEN null ELSE {kind: 'email', element: e.address, shared_by: size(domains),
                                              listed: CASE WHEN size(domains) > $max_degree THEN [e.address] ELSE domains END} END) AS more
WITH d, found + more AS found
OPTIONAL MATCH (d)-[:REGISTERED_WITH]->(e:Registrar)
OPTIONAL MATCH (e)<-[:REGISTERED_WITH]-(o:Domain)
WITH d, found, e, collect(DISTINCT o.name) AS domains
WITH d, found,
     collect(CASE WHEN e IS NULL THEN null ELSE {kind: 'registrar', element: coalesce(e.name, e.key), shared_by: size(domains),
                                              listed: CASE WHEN size(domains) > $max_degree THEN [coalesce(e.name, e.key)] ELSE domains END} END) AS more
WITH d, found + more AS found
OPTIONAL MATCH (d)-[:SPF_INCLUDES]->(e:Domain)
OPTIONAL MATCH (e)<-[:SPF_INCLUDES]-(o:Domain)
WITH d, found, e, collect(DISTINCT o.name) AS domains
WITH d, found, collect(CASE WHEN e IS NULL THEN null ELSE {kind: 'spf include', element: e.name, shared_by: size(domains),
                                              listed: CASE WHEN size(domains) > $max_degree THEN [e.name] ELSE domains END} END) AS more
WITH d, found + more AS found
OPTIONAL MATCH (d)<-[:NAMES]-(e:Certificate)
OPTIONAL MATCH (e)-[:NAMES]->(o:Domain)
WITH d, found, e, collect(DISTINCT o.name) AS domains
WITH d, found, collect(CASE WHEN e IS NULL THEN null ELSE {kind: 'certificate', element: e.fingerprint, shared_by: size(domains),
                                              listed: CASE WHEN size(domains) > $max_degree THEN [e.fingerprint] ELSE domains END} END) AS more
WITH d, found + more AS found
OPTIONAL MATCH (d)-[:RESOLVES_TO]->(:IPAddress)-[:SERVED_CERT]->(e:Certificate)
OPTIONAL MATCH (e)<-[:SERVED_CERT]-(:IPAddress)<-[:RESOLVES_TO]-(o:Domain)
WITH d, found, e, collect(DISTINCT o.name) AS domains
WITH d, found, collect(CASE WHEN e IS NULL THEN null ELSE {kind: 'served certificate', element: e.fingerprint, shared_by: size(domains),
                                              listed: CASE WHEN size(domains) > $max_degree THEN [e.fingerprint] ELSE domains END} END) AS more
WITH d, found + more AS found
OPTIONAL MATCH (d)-[:RESOLVES_TO]->(:IPAddress)-[:SERVED_FINGERPRINT]->(e:Fingerprint)
OPTIONAL MATCH (e)<-[:SERVED_FINGERPRINT]-(:IPAddress)<-[:RESOLVES_TO]-(o:Domain)
WITH d, found, e, collect(DISTINCT o.name) AS domains
WITH d, found, collect(CASE WHEN e IS NULL THEN null ELSE {kind: 'server fingerprint', element: e.id, shared_by: size(domains),
                                              listed: CASE WHEN size(domains) > $max_degree THEN [e.id] ELSE domains END} END) AS more
WITH found + more AS found
// (only elements shared by at most max_degree domains carry their domains: big lists would
// be copied at every step above)
UNWIND found AS x
WITH x.kind AS kind, x.element AS element, x.shared_by AS shared_by, x.listed AS listed
WHERE shared_by > 1
WITH kind, element, shared_by, shared_by > $max_degree AS left_out, listed
UNWIND listed AS other
WITH kind, element, shared_by, left_out, CASE WHEN left_out THEN null ELSE other END AS domain
WHERE left_out OR domain <> $domain
RETURN kind, element, shared_by, left_out, domain
ORDER BY left_out, shared_by, kind, element, domain
