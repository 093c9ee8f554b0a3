// name: co-lookup
// title: Clients that looked up the same names as a given client
// description:
//   Other client addresses that looked up names this client looked up, ranked by the
//   overlap weighted toward rare names: each shared name adds 1 / (the number of other
//   clients that looked it up), so a name only these two asked for counts 1 and a name
//   half the internet asks for counts almost nothing.
// why:
//   Clients with the same unusual interests are often the same party, or parties in
//   contact: resolvers of one company, or two companies using the same system.
// params:
//   source: string -- the client: an address, or a host's name (Sysmon)
//   min_overlap: int = 1 -- leave out clients sharing fewer names
// filters:
//   min_overlap = 1
// columns:
//   client -- the other client (address or host name)
//   score -- the overlap weighted toward rare names (4 decimals)
//   overlap -- how many names both looked up
//   shared_names -- those names, in order
CALL () {
  MATCH (s:IPAddress {address: $source}) RETURN s
  UNION
  MATCH (s:Host {name: toLower($source)}) RETURN s
}
// the names it looked up that others did too: a name's other clients are its lookup_clients
// less this one
MATCH (s)-[:LOOKED_UP_TOTAL]->(d:Domain)
WHERE d.lookup_clients > 1
WITH coalesce(s.address, s.name) AS me, d, 1.0 / (d.lookup_clients - 1) AS weight
MATCH (d)<-[:LOOKED_UP_TOTAL]-(o)
WITH me, coalesce(o.address, o.name) AS client, d.name AS name, weight
WHERE client <> me
// names in order (a LIMIT keeps the order through the aggregation on both stores)
WITH client, name, weight ORDER BY name LIMIT 1000000000
WITH client, round(sum(weight), 4) AS score, count(*) AS overlap, collect(name) AS shared_names
WHERE overlap >= $min_overlap
RETURN client, score, overlap, shared_names
ORDER BY score DESC, overlap DESC, client
