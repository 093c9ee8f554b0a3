// name: shared-certificate
// title: Servers and names that share a certificate, or the same set of names under another
// description:
//   Given a certificate (its fingerprint or key), a server address or a name: the
//   certificates it has (the one named, those the server presented, those naming the name),
//   each server that presented one of them, and the other certificates that cover exactly
//   the same names, with the servers that presented those (a certificate known by its SHA-1
//   and by its SHA-256 is one: both are listed as the target's). A certificate presented by more
//   servers than max_servers (a CDN's, a shared host's) is counted, not listed: it says
//   little about who runs each server.
// why:
//   The same certificate on two servers means the same key on both: one operator, or one
//   stolen key. The same set of names renewed under a new certificate carries the operator
//   across renewals.
// params:
//   target: string -- a certificate fingerprint or key, an IP address or a domain name
//   max_servers: int = 50 -- certificates presented by more servers are counted, not listed
// columns:
//   certificate -- the certificate's key
//   via -- certificate (one of the target's) or names (another certificate with the same names)
//   subject -- its subject
//   server -- an address that presented it (null: none known, or more than max_servers)
//   servers -- how many servers presented it
//   sessions -- TLS sessions in which this server presented it
//   first_seen -- first session
//   last_seen -- last session
OPTIONAL MATCH (c1:Certificate) WHERE c1.fingerprint = $target OR c1.sha1 = $target
OPTIONAL MATCH (:IPAddress {address: $target})-[:SERVED_CERT]->(c2:Certificate)
OPTIONAL MATCH (c3:Certificate)-[:NAMES]->(:Domain {name: $target})
WITH collect(DISTINCT c1.fingerprint) + collect(DISTINCT c2.fingerprint) + collect(DISTINCT c3.fingerprint) AS keys
UNWIND keys AS key
MATCH (k:Certificate {fingerprint: key})
// the same certificate known by its SHA-1 only (Suricata) and by its SHA-256 (elsewhere)
OPTIONAL MATCH (same:Certificate) WHERE k.sha1 IS NOT NULL AND same.sha1 = k.sha1
WITH collect(DISTINCT k.fingerprint) + collect(DISTINCT same.fingerprint) AS keys
UNWIND keys AS key
WITH DISTINCT key
OPTIONAL MATCH (:Certificate {fingerprint: key})-[:NAMES]->(cd:Domain)
WITH key, count(DISTINCT cd.name) AS mine
OPTIONAL MATCH (:Certificate {fingerprint: key})-[:NAMES]->(:Domain)<-[:NAMES]-(o:Certificate)
WHERE o.fingerprint <> key
WITH key, mine, o.fingerprint AS other, count(*) AS shared
OPTIONAL MATCH (:Certificate {fingerprint: other})-[:NAMES]->(od:Domain)
WITH key, mine, other, shared, count(DISTINCT od.name) AS theirs
WITH key, collect(CASE WHEN other IS NOT NULL AND mine > 0 AND shared = mine AND theirs = mine
                       THEN other ELSE null END) AS same_names
UNWIND [key] + same_names AS found
WITH found, min(CASE WHEN found = key THEN 'certificate' ELSE 'names' END) AS via
MATCH (x:Certificate {fingerprint: found})
OPTIONAL MATCH (s:IPAddress)-[r:SERVED_CERT]->(x)
WITH found, via, x.subject AS subject, s.address AS server, sum(r.count) AS sessions,
     min(r.first_seen) AS first_seen, max(r.last_seen) AS last_seen
WITH found, via, subject, count(server) AS servers,
     collect({server: server, sessions: sessions, first_seen: first_seen, last_seen: last_seen}) AS seen
UNWIND seen AS y
WITH DISTINCT found, via, subject, servers, servers > 0 AND servers <= $max_servers AS listed, y
RETURN DISTINCT found AS certificate, via, subject,
       CASE WHEN listed THEN y.server ELSE null END AS server, servers,
       CASE WHEN listed THEN y.sessions ELSE null END AS sessions,
       CASE WHEN listed THEN y.first_seen ELSE null END AS first_seen,
       CASE WHEN listed THEN y.last_seen ELSE null END AS last_seen
ORDER BY via, certificate, coalesce(server, '')
