// name: certificate-names
// title: What a certificate covers, and where those names resolve
// description:
//   Every name a certificate covers (its subject CN and SAN DNS names, wildcards as
//   written) and SAN address, with the addresses each name resolves to and when the
//   record was seen. The certificate is named by its fingerprint (SHA-256, or SHA-1 as
//   Suricata gives it) or by its key as graphkit shows it (crtsh:ID, x509:DIGEST).
// why:
//   A certificate is a list of names someone chose to put together: names that share one
//   belong to one operator, and where they resolve shows the operator's servers.
// params:
//   certificate: string -- the certificate's fingerprint or key (lowercase hex, no colons)
// columns:
//   name -- a name the certificate covers (CN or SAN), or a SAN address
//   kind -- name or address
//   address -- an address the name resolves to (for a SAN address, itself)
//   first_seen -- first time the name's record (or the certificate naming the address) was seen
//   last_seen -- last time it was seen
MATCH (k:Certificate)
WHERE k.fingerprint = $certificate OR k.sha1 = $certificate OR k.sha256 = $certificate
// the same certificate known by its SHA-1 only (Suricata) and by its SHA-256 (elsewhere)
OPTIONAL MATCH (same:Certificate) WHERE k.sha1 IS NOT NULL AND same.sha1 = k.sha1
WITH collect(DISTINCT k.fingerprint) + collect(DISTINCT same.fingerprint) AS keys
UNWIND keys AS key
WITH DISTINCT key
MATCH (c:Certificate {fingerprint: key})
OPTIONAL MATCH (c)-[:NAMES]->(d:Domain)
OPTIONAL MATCH (d)-[r:RESOLVES_TO]->(a:IPAddress)
WITH key, collect(CASE WHEN d IS NULL THEN null
                ELSE {name: d.name, kind: 'name', address: a.address,
                      first_seen: r.first_seen, last_seen: r.last_seen} END) AS named
OPTIONAL MATCH (:Certificate {fingerprint: key})-[s:NAMES_ADDRESS]->(ip:IPAddress)
WITH named, collect(CASE WHEN ip IS NULL THEN null
                    ELSE {name: ip.address, kind: 'address', address: ip.address,
                          first_seen: s.first_seen, last_seen: s.last_seen} END) AS addressed
UNWIND named + addressed AS x
RETURN DISTINCT x.name AS name, x.kind AS kind, x.address AS address,
       x.first_seen AS first_seen, x.last_seen AS last_seen
ORDER BY name, address
