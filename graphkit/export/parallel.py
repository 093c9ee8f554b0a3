"""Parallel relationships merged for a picture: one edge per type and pair of nodes.

A lookup is stored per client, name, query type, day and log: one resolver asking for one name
over five months is some 140 LOOKED_UP relationships, which a drawing fans out into a band
that hides everything else. Merged, they are one edge that says what they were: how many
(`merged`), the sum of their counts, on how many days, first and last seen, and the query
types; a property every one of them had the same is kept, the others (a day, a log) dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphkit.query.subgraph import NodeRef, Relationship, Subgraph

VISUAL = frozenset({"html", "graphml", "gexf"})  # merged unless --expand; the data formats only with --merge


def merged(graph: Subgraph) -> Subgraph:
    """The graph with each group of same-type relationships between the same two nodes as one."""
    groups: dict[tuple[str, NodeRef, NodeRef], list[Relationship]] = {}
    for rel in graph.relationships:
        groups.setdefault((rel.type, rel.start, rel.end), []).append(rel)
    out = Subgraph()
    out.nodes = {ref: dict(props) for ref, props in graph.nodes.items()}
    out.notes = list(graph.notes)
    for (type_, start, end), rels in groups.items():
        out.add_relationship(type_, start, end, rels[0].props if len(rels) == 1 else merged_props(rels))
    if len(out.relationships) < len(graph.relationships):
        out.notes.append(
            f"{len(graph.relationships)} relationships drawn as {len(out.relationships)}: parallel ones of one type "
            "merged into one edge with their sum (--expand keeps them apart)"
        )
    return out


def merged_props(rels: Iterable[Relationship]) -> dict[str, Any]:
    props = [rel.props for rel in rels]
    out: dict[str, Any] = {"merged": len(props)}
    shared = set.intersection(*(set(p) for p in props)) if props else set()
    for name in sorted(shared - {"count", "day", "first_seen", "last_seen", "qtype"}):
        values = {repr(p[name]) for p in props}
        if len(values) == 1:
            out[name] = props[0][name]
    counts = [p["count"] for p in props if isinstance(p.get("count"), int)]
    if counts:
        out["count"] = sum(counts)
    days = {p["day"] for p in props if p.get("day")}
    if days:
        out["days"] = len(days)
    firsts = [str(p["first_seen"]) for p in props if p.get("first_seen")]
    lasts = [str(p["last_seen"]) for p in props if p.get("last_seen")]
    if firsts:
        out["first_seen"] = min(firsts)
    if lasts:
        out["last_seen"] = max(lasts)
    qtypes = sorted({str(p["qtype"]) for p in props if p.get("qtype")})
    if qtypes:
        out["qtypes"] = qtypes
    return out
