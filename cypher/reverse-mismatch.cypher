// name: reverse-mismatch
// title: PTR names whose forward records do not point back
// description:
//   Addresses whose PTR name does not resolve back to that address: the name resolves
//   elsewhere, or not at all, in the records loaded.
// why:
//   Forward-confirmed reverse DNS is what a well-run mail server has. A PTR name that
//   points elsewhere is a stale record, a shared or moved server, or a name chosen to
//   look like someone else's.
// params:
//   cidr: string = null -- only addresses in this netblock (its CIDR as loaded); all when null
// columns:
//   address -- the address with the PTR record
//   ptr_name -- the name its PTR record gives
//   forward_addresses -- the addresses that name resolves to (empty: none known)
//   first_seen -- first time the PTR record was seen
//   last_seen -- last time it was seen
MATCH (a:IPAddress)-[p:POINTER_TO]->(n:Domain)
WHERE NOT EXISTS { MATCH (n)-[:RESOLVES_TO]->(a) }
  AND (coalesce($cidr, '') = '' OR EXISTS { MATCH (a)-[:IN_NETBLOCK]->(:Netblock {cidr: $cidr}) })
OPTIONAL MATCH (n)-[:RESOLVES_TO]->(f:IPAddress)
WITH a.address AS address, n.name AS ptr_name, p.first_seen AS first_seen, p.last_seen AS last_seen, f.address AS forward
// forward addresses in order (a LIMIT keeps the order through the aggregation on both stores)
ORDER BY forward LIMIT 1000000000
WITH address, ptr_name, first_seen, last_seen, collect(forward) AS forward_addresses
RETURN address, ptr_name, forward_addresses, first_seen, last_seen
ORDER BY address, ptr_name
