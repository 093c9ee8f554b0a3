// name: cohosted
// title: Names on the same addresses or in the same netblocks
// description:
//   Given an address, or a name (then its addresses), the other names resolving to the
//   same address, the names resolving to other addresses in the same netblocks, and the
//   names resolving to other addresses that presented the same TLS certificate (one that
//   max_servers or more addresses presented, a CDN's, is no pivot and left out), with the
//   first and last time each record was seen.
// why:
//   Names hosted together often belong together: in the 2016 case, a new name appeared
//   on the mail server's address days after the old name was deleted.
// params:
//   target: string -- an IP address or a domain name
//   max_servers: int = 50 -- a certificate presented by this many addresses or more is left out
// filters:
//   max_servers = 1000000000
// columns:
//   via -- address (the same address), netblock (another address in the same netblock) or certificate (another address that presented the same certificate)
//   shared -- the shared address, the netblock's CIDR or the certificate's key
//   name -- the co-hosted name
//   address -- the address the name resolves to
//   first_seen -- first time the name's record was seen
//   last_seen -- last time it was seen
OPTIONAL MATCH (:Domain {name: $target})-[:RESOLVES_TO]->(a1:IPAddress)
WITH collect(a1.address) AS addresses
UNWIND addresses + [$target] AS address
MATCH (a:IPAddress) WHERE a.address = address
WITH DISTINCT a
OPTIONAL MATCH (a)<-[r:RESOLVES_TO]-(n:Domain)
WHERE n.name <> $target
WITH a, collect(CASE WHEN n IS NULL THEN null
                ELSE {via: 'address', shared: a.address, name: n.name, address: a.address,
                      first_seen: r.first_seen, last_seen: r.last_seen} END) AS found
OPTIONAL MATCH (a)-[:IN_NETBLOCK]->(nb:Netblock)
OPTIONAL MATCH (nb)<-[:IN_NETBLOCK]-(b:IPAddress)<-[r:RESOLVES_TO]-(n:Domain)
WHERE b <> a AND n.name <> $target
WITH a, found, collect(CASE WHEN n IS NULL THEN null
                       ELSE {via: 'netblock', shared: nb.cidr, name: n.name, address: b.address,
                             first_seen: r.first_seen, last_seen: r.last_seen} END) AS more
WITH a, found + more AS found
OPTIONAL MATCH (a)-[:SERVED_CERT]->(c:Certificate)<-[:SERVED_CERT]-(b:IPAddress)
WHERE b.address <> a.address
WITH a, found, c.fingerprint AS cert, count(DISTINCT b.address) AS others
WITH a, found, collect(CASE WHEN cert IS NULL OR others + 1 >= $max_servers THEN null ELSE cert END) AS certs
OPTIONAL MATCH (a)-[:SERVED_CERT]->(c:Certificate)<-[:SERVED_CERT]-(b:IPAddress)<-[r:RESOLVES_TO]-(n:Domain)
WHERE c.fingerprint IN certs AND b.address <> a.address AND n.name <> $target
WITH found, collect(CASE WHEN n IS NULL THEN null
                    ELSE {via: 'certificate', shared: c.fingerprint, name: n.name, address: b.address,
                          first_seen: r.first_seen, last_seen: r.last_seen} END) AS more
UNWIND found + more AS x
WITH DISTINCT x.via AS via, x.shared AS shared, x.name AS name, x.address AS address,
     x.first_seen AS first_seen, x.last_seen AS last_seen
RETURN via, shared, name, address, first_seen, last_seen
ORDER BY via, shared, name, address
