"""Parallel relationships merged for a picture: one edge per type and pair of nodes, by the
rule in graphkit.query.merging (which the Neo4j Browser guide's pictures follow too)."""

from __future__ import annotations

from graphkit.query.merging import merged_props
from graphkit.query.subgraph import NodeRef, Relationship, Subgraph

VISUAL = frozenset({"html", "graphml", "gexf", "mtgx"})  # merged unless --expand; the data formats only with --merge


def merged(graph: Subgraph) -> Subgraph:
    """The graph with each group of same-type relationships between the same two nodes as one."""
    groups: dict[tuple[str, NodeRef, NodeRef], list[Relationship]] = {}
    for rel in graph.relationships:
        groups.setdefault((rel.type, rel.start, rel.end), []).append(rel)
    out = Subgraph()
    out.nodes = {ref: dict(props) for ref, props in graph.nodes.items()}
    out.notes = list(graph.notes)
    out.provenance = graph.provenance
    for (type_, start, end), rels in groups.items():
        out.add_relationship(
            type_, start, end, rels[0].props if len(rels) == 1 else merged_props([rel.props for rel in rels])
        )
    if len(out.relationships) < len(graph.relationships):
        out.notes.append(
            f"{len(graph.relationships)} relationships drawn as {len(out.relationships)}: parallel ones of one type "
            "merged into one edge with their sum (--expand keeps them apart)"
        )
    return out
