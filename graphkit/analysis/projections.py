"""Projections: the graph an analysis runs on, read from the store by Cypher that both stores
run alike, a page at a time, into a CompactGraph.

- `co-lookup`: clients (addresses, hosts) linked by the names they both looked up. Each name
  adds 1 / (its clients - 1) to every pair of its clients, as the co-lookup query weighs them:
  a name only two clients asked for counts 1. A name asked by more than `max_clients` clients
  links nobody: a name everybody asks for (a CDN, an update server, a public resolver's test
  name) says nothing about who belongs together, and its pairs would grow with its square.
- `whole`: the graph as it is, every relationship type, parallel relationships (lookups on
  different days) one edge of weight 1 per pair of nodes; Source nodes left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from graphkit.analysis.compact import CompactGraph
from graphkit.backends.base import Backend
from graphkit.errors import GraphkitError
from graphkit.model.schema import SCHEMA
from graphkit.query.dialect import translate

PAGE = 2_000  # names (co-lookup) or relationships (whole) read per query

NAMES_WITH_CLIENTS = """
MATCH (c)-[:LOOKED_UP]->(d:Domain)
WITH d, count(DISTINCT c) AS clients
WHERE clients >= 2 AND clients <= $max_clients
RETURN d.name AS name ORDER BY name SKIP $skip LIMIT $page
"""
CLIENTS_OF_NAMES = """
MATCH (c)-[:LOOKED_UP]->(d:Domain)
WHERE d.name IN $names
RETURN d.name AS name, collect(DISTINCT c.address) AS addresses, collect(DISTINCT c.name) AS hosts
"""


@dataclass(frozen=True)
class Projection:
    name: str
    doc: str
    labels: tuple[str, ...]  # the labels of its nodes: what a run writes on, and clears first
    read: Callable[[Backend, dict[str, Any]], CompactGraph]


def _rows(backend: Backend, cypher: str, params: dict[str, Any]) -> list[list[Any]]:
    return backend.query(translate(cypher, backend.name), params).rows


def _co_lookup(backend: Backend, options: dict[str, Any]) -> CompactGraph:
    graph = CompactGraph()
    max_clients = int(options.get("max_clients", 50))
    skip = 0
    while True:
        names = [
            row[0]
            for row in _rows(backend, NAMES_WITH_CLIENTS, {"max_clients": max_clients, "skip": skip, "page": PAGE})
        ]
        if not names:
            return graph.finished()
        skip += len(names)
        for _, addresses, hosts in sorted(_rows(backend, CLIENTS_OF_NAMES, {"names": names})):
            members = sorted(graph.node("IPAddress", a) for a in addresses if a is not None)
            members += sorted(graph.node("Host", h) for h in hosts if h is not None)
            weight = 1.0 / (len(members) - 1)
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    graph.add(a, b, weight)


def _pairs(rel_type: str, from_label: str, to_label: str) -> str:
    a, b = SCHEMA.by_label[from_label].key.name, SCHEMA.by_label[to_label].key.name
    return (
        f"MATCH (a:{from_label})-[:{rel_type}]->(b:{to_label}) "
        f"WITH DISTINCT a.{a} AS a, b.{b} AS b RETURN a, b ORDER BY a, b SKIP $skip LIMIT $page"
    )


def _whole(backend: Backend, options: dict[str, Any]) -> CompactGraph:
    graph = CompactGraph()
    for rel in SCHEMA.rels:
        for from_label, to_label in rel.endpoints:
            if "Source" in (from_label, to_label):
                continue
            for a, b in _paged(backend, _pairs(rel.type, from_label, to_label)):
                graph.add(graph.node(from_label, a), graph.node(to_label, b), 1.0, merge=max)
    return graph.finished()


def _paged(backend: Backend, cypher: str) -> Iterator[list[Any]]:
    skip = 0
    while True:
        rows = _rows(backend, cypher, {"skip": skip, "page": PAGE})
        yield from rows
        if len(rows) < PAGE:
            return
        skip += len(rows)


CLIENT_LABELS = ("IPAddress", "Host")
PROJECTIONS = {
    p.name: p
    for p in (
        Projection(
            "co-lookup",
            "clients linked by the names they both looked up, rare names weighing more",
            CLIENT_LABELS,
            _co_lookup,
        ),
        Projection(
            "whole",
            "the graph as it is, parallel relationships as one edge",
            tuple(n.label for n in SCHEMA.nodes if n.label != "Source"),
            _whole,
        ),
    )
}


def get_projection(name: str) -> Projection:
    if name not in PROJECTIONS:
        raise GraphkitError(f"no projection {name!r}: there are {', '.join(PROJECTIONS)}")
    return PROJECTIONS[name]
