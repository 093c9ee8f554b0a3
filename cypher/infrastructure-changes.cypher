// name: infrastructure-changes
// title: Records of a domain first or last seen inside a window
// description:
//   For a domain and the names under it, the DNS records (A/AAAA, CNAME, NS, MX, SRV,
//   SPF), PTR records pointing at those names, and registrant, contact and registrar
//   links whose first or last sighting falls inside the window: one row per event,
//   in time order.
// why:
//   Changes cluster around events: in the 2016 case the mail server's forward record
//   disappeared on September 23 and a new name took its address four days later.
// params:
//   domain: string -- the registered domain (its subdomains are included)
//   since: date = null -- start of the window (YYYY-MM-DD)
//   until: date = null -- end of the window, inclusive (YYYY-MM-DD)
// filters:
//   since = null
//   until = null
// columns:
//   at -- when (ISO 8601, UTC)
//   event -- first seen or last seen
//   name -- the name the record belongs to
//   record -- A/AAAA, CNAME, NS, MX, SRV, SPF include, SPF allow, PTR, registrant, admin, technical or registrar
//   value -- the record's value: address, host, CIDR, organization or registrar
MATCH (root:Domain {name: $domain})
OPTIONAL MATCH (sub:Domain)-[:SUBDOMAIN_OF]->(root)
WITH root, collect(sub.name) AS names
UNWIND names + [root.name] AS name
MATCH (n:Domain) WHERE n.name = name
WITH DISTINCT n
OPTIONAL MATCH (n)-[r:RESOLVES_TO]->(t:IPAddress)
WITH n, collect(CASE WHEN t IS NULL THEN null ELSE {record: 'A/AAAA', value: t.address, first_seen: r.first_seen, last_seen: r.last_seen} END) AS found
OPTIONAL MATCH (n)-[r:ALIAS_OF]->(t:Domain)
WITH n, found, collect(CASE WHEN t IS NULL THEN null ELSE {record: 'CNAME', value: t.name, first_seen: r.first_seen, last_seen: r.last_seen} END) AS more
WITH n, found + more AS found
OPTIONAL MATCH (n)-[r:USES_NAMESERVER]->(t:Domain)
WITH n, found, collect(CASE WHEN t IS NULL THEN null ELSE {record: 'NS', value: t.name, first_seen: r.first_seen, last_seen: r.last_seen} END) AS more
WITH n, found + more AS found
OPTIONAL MATCH (n)-[r:USES_MAIL_SERVER]->(t:Domain)
WITH n, found, collect(CASE WHEN t IS NULL THEN null ELSE {record: 'MX', value: t.name, first_seen: r.first_seen, last_seen: r.last_seen} END) AS more
WITH n, found + more AS found
OPTIONAL MATCH (n)-[r:USES_SERVICE_HOST]->(t:Domain)
WITH n, found, collect(CASE WHEN t IS NULL THEN null ELSE {record: 'SRV', value: t.name, first_seen: r.first_seen, last_seen: r.last_seen} END) AS more
WITH n, found + more AS found
OPTIONAL MATCH (n)-[r:SPF_INCLUDES]->(t:Domain)
WITH n, found, collect(CASE WHEN t IS NULL THEN null ELSE {record: 'SPF include', value: t.name, first_seen: r.first_seen, last_seen: r.last_seen} END) AS more
WITH n, found + more AS found
OPTIONAL MATCH (n)-[r:SPF_ALLOWS]->(t:IPAddress)
WITH n, found, collect(CASE WHEN t IS NULL THEN null ELSE {record: 'SPF allow', value: t.address, first_seen: r.first_seen, last_seen: r.last_seen} END) AS more
WITH n, found + more AS found
OPTIONAL MATCH (n)-[r:SPF_ALLOWS]->(t:Netblock)
WITH n, found, collect(CASE WHEN t IS NULL THEN null ELSE {record: 'SPF allow', value: t.cidr, first_seen: r.first_seen, last_seen: r.last_seen} END) AS more
WITH n, found + more AS found
OPTIONAL MATCH (n)<-[r:POINTER_TO]-(t:IPAddress)
WITH n, found, collect(CASE WHEN t IS NULL THEN null ELSE {record: 'PTR', value: t.address, first_seen: r.first_seen, last_seen: r.last_seen} END) AS more
WITH n, found + more AS found
OPTIONAL MATCH (n)-[r:REGISTERED_BY]->(t:Organization)
WITH n, found, collect(CASE WHEN t IS NULL THEN null ELSE {record: 'registrant', value: coalesce(t.name, t.key), first_seen: r.first_seen, last_seen: r.last_seen} END) AS more
WITH n, found + more AS found
OPTIONAL MATCH (n)-[r:ADMINISTERED_BY]->(t:Organization)
WITH n, found, collect(CASE WHEN t IS NULL THEN null ELSE {record: 'admin', value: coalesce(t.name, t.key), first_seen: r.first_seen, last_seen: r.last_seen} END) AS more
WITH n, found + more AS found
OPTIONAL MATCH (n)-[r:TECHNICAL_CONTACT]->(t:Organization)
WITH n, found, collect(CASE WHEN t IS NULL THEN null ELSE {record: 'technical', value: coalesce(t.name, t.key), first_seen: r.first_seen, last_seen: r.last_seen} END) AS more
WITH n, found + more AS found
OPTIONAL MATCH (n)-[r:REGISTERED_WITH]->(t:Registrar)
WITH n, found, collect(CASE WHEN t IS NULL THEN null ELSE {record: 'registrar', value: coalesce(t.name, t.key), first_seen: r.first_seen, last_seen: r.last_seen} END) AS more
WITH n.name AS name, found + more AS found
UNWIND found AS x
UNWIND [{event: 'first seen', at: x.first_seen}, {event: 'last seen', at: x.last_seen}] AS e
WITH e.at AS at, e.event AS event, name, x.record AS record, x.value AS value
WHERE at IS NOT NULL AND at >= coalesce($since, '0000-01-01') AND left(at, 10) <= coalesce($until, '9999-12-31')
RETURN at, event, name, record, value
ORDER BY at, event, name, record, value
