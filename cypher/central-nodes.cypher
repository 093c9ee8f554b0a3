// name: central-nodes
// title: The most central nodes, found by `graphkit analyze centrality`
// description:
//   The nodes with the highest score from the latest `analyze centrality` run over their
//   label: PageRank (much linked to by what is itself much linked to) or betweenness (on
//   many shortest paths between others: a bridge between groups), optionally within one
//   community.
// why:
//   Where to look first in a graph too big to read: the hubs, and the few nodes that join
//   groups that otherwise have nothing to do with each other.
// params:
//   score: string in pagerank|betweenness = pagerank -- which score ranks them
//   community: int = -1 -- only the members of this community (-1: all)
//   limit: int = 25 -- at most this many nodes
// needs: centrality
// columns:
//   node -- the node's address or name
//   pagerank -- its PageRank
//   betweenness -- its betweenness
//   community -- its community (null when `analyze communities` has not run)
MATCH (n)
WHERE n.centrality_source IS NOT NULL AND ($community = -1 OR n.community = $community)
RETURN coalesce(n.address, n.name, n.cidr, n.fingerprint, n.id, n.key, toString(n.number)) AS node,
       n.pagerank AS pagerank, n.betweenness AS betweenness, n.community AS community
ORDER BY CASE WHEN $score = 'pagerank' THEN n.pagerank ELSE n.betweenness END DESC, node
LIMIT $limit
