"""The Cypher both stores run to read edges by their ends (Backend.edges_between, edge_totals):
written once, with each store's expression for a row's values (`row[0]` on Neo4j, a LOAD FROM
column on the embedded store). The embedded store reads most edges by their from-node instead
(`leaving`, `degrees`; see EmbeddedBackend.edges_between). Labels, types and property names come
only from the schema."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from graphkit.model.schema import SCHEMA, RelType

if TYPE_CHECKING:
    from graphkit.backends.base import Backend


def unrolled(backend: Backend) -> list[str]:
    """The types whose relationships the store holds without any of their rollups (a store an
    older graphkit loaded). Asked of the store itself: Neo4j's is_empty never says empty."""

    def holds(type_: str) -> bool:
        return bool(backend.query(f"MATCH ()-[r:{type_}]->() RETURN 1 LIMIT 1").rows)

    return [daily for daily, rollup in SCHEMA.rollups.items() if holds(daily) and not holds(rollup.type)]


def between(rel: RelType, from_label: str, to_label: str, start: str, end: str, props: Sequence[str]) -> str:
    """The edges from the node keyed `start` to the node keyed `end`: `_f`, `_t` and `props`."""
    a, b = SCHEMA.by_label[from_label], SCHEMA.by_label[to_label]
    wanted = "".join(f", r.{name} AS {name}" for name in props)
    return (
        f"MATCH (a:{a.label} {{{a.key.name}: {start}}})-[r:{rel.type}]->(b:{b.label} {{{b.key.name}: {end}}}) "
        f"RETURN {start} AS _f, {end} AS _t{wanted}"
    )


def leaving(rel: RelType, from_label: str, to_label: str, start: str, props: Sequence[str]) -> str:
    """Every edge leaving the node keyed `start` for a node of `to_label`: `_f`, `_t` and `props`."""
    a, b = SCHEMA.by_label[from_label], SCHEMA.by_label[to_label]
    wanted = "".join(f", r.{name} AS {name}" for name in props)
    return (
        f"MATCH (a:{a.label} {{{a.key.name}: {start}}})-[r:{rel.type}]->(b:{b.label}) "
        f"RETURN {start} AS _f, b.{b.key.name} AS _t{wanted}"
    )


def degrees(rel: RelType, from_label: str, to_label: str, key: str) -> str:
    """How many edges leave the node keyed `key` for nodes of `to_label`: `_k`, `edges`."""
    a, b = SCHEMA.by_label[from_label], SCHEMA.by_label[to_label]
    return (
        f"MATCH (a:{a.label} {{{a.key.name}: {key}}})-[r:{rel.type}]->(:{b.label}) "
        f"RETURN {key} AS _k, count(r) AS edges"
    )


def totals(rel: RelType, label: str, key: str, prop: str, *, outgoing: bool) -> str:
    """The sum of `prop` over the node's edges of this type, and their number: `_k`, `total`, `edges`."""
    edge = f"-[r:{rel.type}]->()" if outgoing else f"<-[r:{rel.type}]-()"
    return (
        f"MATCH (n:{label} {{{SCHEMA.by_label[label].key.name}: {key}}}){edge} "
        f"RETURN {key} AS _k, sum(r.{prop}) AS total, count(r) AS edges"
    )
