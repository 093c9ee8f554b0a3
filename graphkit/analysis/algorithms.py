"""The analyses: each runs on a CompactGraph and gives, per node id, the properties it writes
(declared in the schema, graphkit.model.schema.ANALYSIS)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from graphkit.analysis.centrality import betweenness, pagerank
from graphkit.analysis.compact import CompactGraph
from graphkit.analysis.louvain import louvain

Results = dict[int, dict[str, Any]]  # node id -> the properties written on it
Edge = tuple[int, int, dict[str, Any]]


@dataclass(frozen=True)
class Settings:
    seed: int = 42
    resolution: float = 1.0  # Louvain: above 1, smaller communities
    samples: int = 500  # betweenness: nodes sampled as sources on projections larger than this
    top: int = 5  # similarity: the most similar clients kept per client
    measure: str = "jaccard"  # similarity: jaccard or overlap
    min_score: float = 0.1  # similarity: less alike than this is not kept


@dataclass(frozen=True)
class Analysis:
    name: str  # the `graphkit analyze` command
    doc: str
    props: tuple[str, ...]  # what it writes on a node
    source_prop: str  # where it writes the id of its Source (empty: it writes relationships)
    run: Callable[[CompactGraph, Settings], Results | list[Edge]]
    relationship: str = ""  # the relationship type it writes instead of node properties
    weighting: str = "rarity"  # how its projection weighs a shared element (see analysis.projections)


def numbered(groups: Iterable[Iterable[int]]) -> list[list[int]]:
    """Groups of node ids numbered from the largest down (ties: the smallest node first), so
    numbers repeat from run to run and store to store."""
    return sorted((sorted(group) for group in groups), key=lambda group: (-len(group), group[0]))


def _grouped(groups: Iterable[Iterable[int]], prop: str, size_prop: str | None = None) -> Results:
    out: Results = {}
    for number, group in enumerate(numbered(groups)):
        for node in group:
            out[node] = {prop: number, **({size_prop: len(group)} if size_prop else {})}
    return out


def communities(graph: CompactGraph, settings: Settings) -> Results:
    membership = louvain(*graph.adjacency(), resolution=settings.resolution, seed=settings.seed)
    groups: dict[int, list[int]] = {}
    for node, community in enumerate(membership.tolist()):
        groups.setdefault(community, []).append(node)
    return _grouped(groups.values(), "community", "community_size")


def centrality(graph: CompactGraph, settings: Settings) -> Results:
    indptr, neighbours, weights = graph.adjacency()
    ranks = pagerank(indptr, neighbours, weights).tolist()
    # Betweenness counts shortest paths by hops: the weights say how alike two nodes are, not
    # how far apart, so they are left out. Sampled (seeded) on large projections.
    sample = settings.samples if graph.node_count > settings.samples else None
    between = betweenness(indptr, neighbours, samples=sample, seed=settings.seed).tolist()
    return {node: {"pagerank": ranks[node], "betweenness": between[node]} for node in range(graph.node_count)}


def components(graph: CompactGraph, settings: Settings) -> Results:
    nxg = graph.networkx()
    out = _grouped(nx.connected_components(nxg), "component")
    for node, core in nx.core_number(nxg).items():
        out[node]["core"] = core
    return out


def similarity(graph: CompactGraph, settings: Settings) -> list[Edge]:
    """Each client's `top` most similar clients by the names both looked up (the projection's
    edge weights are then shared-name counts, its memberships each client's names): Jaccard
    (shared / names either looked up) or overlap (shared / the smaller set). Only pairs that
    share a name are ever scored, never all pairs."""
    best: dict[int, list[tuple[float, int, int]]] = {}
    for a, b, weight in graph.edges():
        shared = int(weight)
        sizes = graph.memberships[a], graph.memberships[b]
        union = sizes[0] + sizes[1] - shared
        score = shared / (union if settings.measure == "jaccard" else min(sizes))
        if score >= settings.min_score:
            best.setdefault(a, []).append((score, b, shared))
            best.setdefault(b, []).append((score, a, shared))
    edges: list[Edge] = []
    for node in sorted(best):
        for score, other, shared in sorted(best[node], key=lambda found: (-found[0], found[1]))[: settings.top]:
            edges.append((node, other, {"score": round(score, 6), "measure": settings.measure, "shared": shared}))
    return edges


ANALYSES = {
    a.name: a
    for a in (
        Analysis(
            "communities",
            "Louvain communities (seeded: the same seed gives the same communities)",
            ("community", "community_size"),
            "community_source",
            communities,
        ),
        Analysis(
            "centrality",
            "weighted PageRank and betweenness (sampled above --samples nodes)",
            ("pagerank", "betweenness"),
            "centrality_source",
            centrality,
        ),
        Analysis(
            "components",
            "connected components and k-core numbers",
            ("component", "core"),
            "component_source",
            components,
        ),
        Analysis(
            "similarity",
            "each client's most similar clients by the names they look up (Jaccard or overlap, top k)",
            (),
            "",
            similarity,
            relationship="SIMILAR_TO",
            weighting="count",
        ),
    )
}
