// name: central-nodes
// title: The most central nodes, found by `graphkit analyze centrality`
// description:
//   The nodes with the highest score from the latest `analyze centrality` run over their
//   label: PageRank (much linked to by what is itself much linked to) or betweenness (on
//   many shortest paths between others: a bridge between groups), optionally within one
//   community. Clients and domains are analysed apart (co-lookup, infrastructure), each run
//   numbering its own communities from 0 and scoring on its own scale: `projection` keeps
//   to one run.
// why:
//   Where to look first in a graph too big to read: the hubs, and the few nodes that join
//   groups that otherwise have nothing to do with each other.
// params:
//   score: string in pagerank|betweenness = pagerank -- which score ranks them
//   projection: string = '' -- only scores from the run over this projection: co-lookup, infrastructure or whole ('': every run's)
//   community: int = -1 -- only the members of this community of that projection's run (-1: all)
//   limit: int = 25 -- at most this many nodes
// needs: centrality
// columns:
//   node -- the node's address or name
//   pagerank -- its PageRank
//   betweenness -- its betweenness
//   community -- its community (null when `analyze communities` has not run)
MATCH (n)
WHERE n.centrality_source IS NOT NULL
  AND ($projection = '' OR n.centrality_source = 'analysis:' + $projection + ':centrality')
  AND ($community = -1 OR (n.community = $community
       AND ($projection = '' OR n.community_source = 'analysis:' + $projection + ':communities')))
RETURN coalesce(n.address, n.name, n.cidr, n.fingerprint, n.id, n.key, toString(n.number)) AS node,
       n.pagerank AS pagerank, n.betweenness AS betweenness, n.community AS community
ORDER BY CASE WHEN $score = 'pagerank' THEN n.pagerank ELSE n.betweenness END DESC, node
LIMIT $limit
