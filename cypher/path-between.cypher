// name: path-between
// title: Shortest paths between two entities
// description:
//   All shortest paths (up to max_hops relationships, at most 6, in either direction)
//   between two entities given by key: a domain name, an IP address, a CIDR, an ASN
//   (15632 or AS15632), an organization (its name or key) or an email address. Paths
//   that differ only in parallel relationships (lookups on different days) are shown once.
//   SIMILAR_TO (written by `graphkit analyze similarity`) is not a step: it is a conclusion
//   drawn from lookups, not a fact, and the lookups it stands for are paths of their own.
// why:
//   How is this bank connected to that mail server? The path names every link in the
//   chain, so each can be checked against its source.
// params:
//   from: string -- the first entity's key
//   to: string -- the second entity's key
//   max_hops: int in 1..6 = 4 -- the longest path considered
// filters:
//   max_hops = 6
// columns:
//   hops -- the path's length in relationships
//   keys -- the nodes' keys, from `from` to `to`
//   labels -- the nodes' labels
//   steps -- the relationships in order, with their direction: -[TYPE]-> or <-[TYPE]-
CALL () {
  MATCH (n:Domain) WHERE n.name = toLower($from) RETURN n
  UNION MATCH (n:IPAddress) WHERE n.address = $from RETURN n
  UNION MATCH (n:Netblock) WHERE n.cidr = $from RETURN n
  UNION MATCH (n:ASN) WHERE n.number = toInteger(replace(toUpper($from), 'AS', '')) RETURN n
  UNION MATCH (n:Organization) WHERE n.key = $from OR toLower(n.name) = toLower($from) RETURN n
  UNION MATCH (n:Email) WHERE n.address = toLower($from) RETURN n
  UNION MATCH (n:Host) WHERE n.name = toLower($from) RETURN n
}
WITH n AS a
CALL () {
  MATCH (n:Domain) WHERE n.name = toLower($to) RETURN n
  UNION MATCH (n:IPAddress) WHERE n.address = $to RETURN n
  UNION MATCH (n:Netblock) WHERE n.cidr = $to RETURN n
  UNION MATCH (n:ASN) WHERE n.number = toInteger(replace(toUpper($to), 'AS', '')) RETURN n
  UNION MATCH (n:Organization) WHERE n.key = $to OR toLower(n.name) = toLower($to) RETURN n
  UNION MATCH (n:Email) WHERE n.address = toLower($to) RETURN n
  UNION MATCH (n:Host) WHERE n.name = toLower($to) RETURN n
}
WITH a, n AS b
WHERE a <> b
// A client's daily lookups of a name are one step through their rollup, written LOOKED_UP:
// walking each day's relationship would repeat every path once per day.
MATCH p = allShortestPaths((a)-[*..6]-(b))
WHERE length(p) <= $max_hops AND none(r IN relationships(p) WHERE type(r) IN ['SIMILAR_TO', 'LOOKED_UP'])
WITH nodes(p) AS ns, relationships(p) AS rs
WITH DISTINCT size(rs) AS hops,
     [n IN ns | CASE WHEN n:ASN THEN 'AS' + toString(n.number) WHEN n:Domain OR n:Host THEN n.name
                     WHEN n:IPAddress OR n:Email THEN n.address WHEN n:Netblock THEN n.cidr
                     WHEN n:Source THEN n.id ELSE n.key END] AS keys,
     [n IN ns | labels(n)[0]] AS labels,
     [i IN range(0, size(rs) - 1) | CASE WHEN startNode(rs[i]) = ns[i] THEN '-[' + replace(type(rs[i]), '_TOTAL', '') + ']->'
                                         ELSE '<-[' + replace(type(rs[i]), '_TOTAL', '') + ']-' END] AS steps
RETURN hops, keys, labels, steps
ORDER BY hops, reduce(s = head(keys), k IN tail(keys) | s + ' / ' + k),
         reduce(s = head(steps), t IN tail(steps) | s + ' / ' + t)
