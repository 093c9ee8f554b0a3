// name: lookup-timeline
// title: Lookups of a name over time, per source
// description:
//   Lookups of a name per day, week (starting Monday) or month, per source: a client
//   address, or the organization it resolves to (ATTRIBUTED_TO organization, else the
//   netblock's attribution or ALLOCATED_TO holder, else the ASN's OPERATED_BY operator;
//   unknown stays the address).
// why:
//   When the lookups started and stopped, and whether they track events (a deletion, a
//   press inquiry), says more than their total.
// params:
//   domain: string -- the name looked up
//   source: string = null -- only this source: organization name or key, or client address
//   bucket: string in day|week|month = day -- the time bucket
//   group_by: string in client|organization = organization -- what a source is
//   since: date = null -- first day counted (YYYY-MM-DD)
//   until: date = null -- last day counted (YYYY-MM-DD)
// filters:
//   source = null
//   since = null
//   until = null
// columns:
//   bucket -- the day (YYYY-MM-DD), the Monday starting the week, or the month (YYYY-MM)
//   source -- the organization's name, or the client address
//   kind -- organization or address
//   lookups -- lookups in the bucket by the source
MATCH (c)-[r:LOOKED_UP]->(:Domain {name: $domain})
WHERE (coalesce($since, '') = '' OR r.day >= $since) AND (coalesce($until, '') = '' OR r.day <= $until)
WITH DISTINCT c
OPTIONAL MATCH (c)-[:ATTRIBUTED_TO]->(o1:Organization) WHERE $group_by = 'organization'
WITH c, min(o1.key) AS k1
OPTIONAL MATCH (c)-[:IN_NETBLOCK]->(:Netblock)-[:ATTRIBUTED_TO]->(o2:Organization) WHERE $group_by = 'organization'
WITH c, k1, min(o2.key) AS k2
OPTIONAL MATCH (c)-[:IN_NETBLOCK]->(:Netblock)-[:ALLOCATED_TO]->(o3:Organization) WHERE $group_by = 'organization'
WITH c, k1, k2, min(o3.key) AS k3
OPTIONAL MATCH (c)-[:IN_NETBLOCK]->(:Netblock)-[:ANNOUNCED_BY]->(:ASN)-[:OPERATED_BY]->(o4:Organization)
  WHERE $group_by = 'organization'
WITH c, k1, k2, k3, min(o4.key) AS k4
WITH c, coalesce(k1, k2, k3, k4) AS org_key
OPTIONAL MATCH (org:Organization) WHERE org.key = org_key
WITH c, coalesce(org.key, c.address, c.name) AS source_key, coalesce(org.name, org.key, c.address, c.name) AS source,
     CASE WHEN org IS NOT NULL THEN 'organization' WHEN c.address IS NULL THEN 'host' ELSE 'address' END AS kind
WHERE coalesce($source, '') = '' OR $source IN [source_key, source, coalesce(c.address, c.name)]
MATCH (c)-[r:LOOKED_UP]->(:Domain {name: $domain})
WHERE (coalesce($since, '') = '' OR r.day >= $since) AND (coalesce($until, '') = '' OR r.day <= $until)
WITH CASE WHEN $bucket = 'week' THEN toString(date.truncate('week', date(r.day)))
          WHEN $bucket = 'month' THEN left(r.day, 7) ELSE r.day END AS bucket,
     source_key, source, kind, r.count AS n
WITH bucket, source_key, source, kind, sum(n) AS lookups
RETURN bucket, source, kind, lookups
ORDER BY bucket, lookups DESC, source_key
