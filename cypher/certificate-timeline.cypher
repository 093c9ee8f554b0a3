// name: certificate-timeline
// title: The certificates of a name over time: validity, CT entry, servers that presented them
// description:
//   Every certificate that names the domain, oldest first: its validity, when it entered
//   Certificate Transparency (crt.sh; for a certificate seen elsewhere, the earliest CT entry
//   of the same issuer and serial), and each server that presented it, on which port, in
//   how many sessions, first and last seen.
// why:
//   A new certificate naming a domain often comes before its DNS changes, and a server that
//   presents an old certificate after a new one was issued is another server.
// params:
//   domain: string -- the name (a wildcard such as *.example.com as written)
// columns:
//   certificate -- the certificate's key (SHA-256, else SHA-1, crtsh:ID or x509:DIGEST)
//   subject -- its subject
//   not_before -- start of validity
//   not_after -- end of validity
//   ct_entry -- earliest Certificate Transparency entry time, where known
//   server -- an address that presented it
//   port -- the port it was presented on
//   sessions -- TLS sessions in which it was presented
//   first_seen -- first session
//   last_seen -- last session
MATCH (c:Certificate)-[:NAMES]->(:Domain {name: $domain})
OPTIONAL MATCH (t:Certificate)
WHERE c.issuer_serial IS NOT NULL AND t.issuer_serial = c.issuer_serial AND t.ct_entry IS NOT NULL
WITH c, min(t.ct_entry) AS ct_entry
OPTIONAL MATCH (s:IPAddress)-[r:SERVED_CERT]->(c)
WITH c, ct_entry, s.address AS server, r.port AS port, sum(r.count) AS sessions,
     min(r.first_seen) AS first_seen, max(r.last_seen) AS last_seen
RETURN c.fingerprint AS certificate, c.subject AS subject, c.not_before AS not_before,
       c.not_after AS not_after, coalesce(ct_entry, c.ct_entry) AS ct_entry, server, port,
       CASE WHEN server IS NULL THEN null ELSE sessions END AS sessions, first_seen, last_seen
ORDER BY coalesce(not_before, ''), certificate, coalesce(server, ''), coalesce(port, 0)
