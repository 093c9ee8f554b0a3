// name: similar-clients
// title: The clients most like a given one, found by `graphkit analyze similarity`
// description:
//   The clients the latest `analyze similarity` run kept as most like the given client
//   (SIMILAR_TO: Jaccard or overlap of the names both looked up), with the names they share.
// why:
//   Two resolvers with the same unusual interests are often one party, or two parties in
//   contact; the shared names are the evidence to check.
// params:
//   client: string -- the client: an address, or a host's name
// needs: similarity
// columns:
//   similar -- the other client (address or host name)
//   score -- how alike (the measure's value, 0 to 1)
//   measure -- jaccard or overlap
//   shared -- how many names both looked up
//   shared_names -- those names, in order
MATCH (c)-[r:SIMILAR_TO]->(o)
WHERE c.address = $client OR c.name = toLower($client)
OPTIONAL MATCH (c)-[:LOOKED_UP_TOTAL]->(d:Domain)<-[:LOOKED_UP_TOTAL]-(o)
WITH o, r, d.name AS name
ORDER BY name LIMIT 1000000000  // names in order: a LIMIT keeps the order through collect on both stores
WITH o, r, collect(DISTINCT name) AS shared_names
RETURN coalesce(o.address, o.name) AS similar, r.score AS score, r.measure AS measure, r.shared AS shared, shared_names
ORDER BY score DESC, similar
