// name: cohosted
// title: Names on the same addresses or in the same netblocks
// description:
//   Given an address, or a name (then its addresses), the other names resolving to the
//   same address, and the names resolving to other addresses in the same netblocks,
//   with the first and last time each record was seen.
// why:
//   Names hosted together often belong together: in the 2016 case, a new name appeared
//   on the mail server's address days after the old name was deleted.
// params:
//   target: string -- an IP address or a domain name
// columns:
//   via -- address (the same address) or netblock (another address in the same netblock)
//   shared -- the shared address or the netblock's CIDR
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
UNWIND found + more AS x
WITH DISTINCT x.via AS via, x.shared AS shared, x.name AS name, x.address AS address,
     x.first_seen AS first_seen, x.last_seen AS last_seen
RETURN via, shared, name, address, first_seen, last_seen
ORDER BY via, shared, name, address
