"""Reading nodes and relationships by key, from either store, with Cypher generated from the schema.

Labels, types and property names come only from graphkit.model.schema; keys are parameters.
Every statement returns plain columns (the keys, then each declared property by name),
so both stores give the same rows, and relationships always come with their endpoints.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from graphkit.backends.base import Backend
from graphkit.backends.results import rel_props_plain
from graphkit.model.records import Key, Props
from graphkit.model.schema import SCHEMA, NodeType, Prop, RelType

EdgeRow = tuple[Key, Key, Props]  # from key, to key, properties
KEYS_PER_QUERY = 5_000  # keeps parameter lists and result sets of one statement small


def chunks(values: Sequence[Any], size: int = KEYS_PER_QUERY) -> Iterator[list[Any]]:
    for offset in range(0, len(values), size):
        yield list(values[offset : offset + size])


def _columns(var: str, props: Iterable[Prop]) -> str:
    return "".join(f", {var}.{p.name} AS {p.name}" for p in props)


def _props(names: Sequence[str], row: Sequence[Any]) -> Props:
    return {name: value for name, value in zip(names, row, strict=False) if value is not None}


def _edge_row(rel: RelType, names: Sequence[str], row: Sequence[Any]) -> EdgeRow:
    return row[0], row[1], rel_props_plain(rel.type, _props(names, row[2:]))


def endpoint_pairs(*, derived: bool = False) -> Iterator[tuple[RelType, NodeType, NodeType]]:
    """Every (relationship type, from label, to label) the schema allows; derived data (which a
    load recomputes, so no export of data carries it) only when asked for."""
    for rel in SCHEMA.rels:
        if rel.derived_from and not derived:
            continue
        for src, dst in rel.endpoints:
            yield rel, SCHEMA.by_label[src], SCHEMA.by_label[dst]


def _stored_props(node: NodeType, derived: bool) -> list[Prop]:
    return [p for p in node.props if derived or f"{node.label}.{p.name}" not in SCHEMA.derived]


def fetch_nodes(backend: Backend, node: NodeType, keys: Iterable[Key]) -> dict[Key, Props]:
    """The nodes of this label among `keys`, with every property they have (key included) but
    derived ones (whole-graph lookup totals, which a subgraph's own relationships would belie)."""
    wanted = sorted(set(keys), key=str)
    props = _stored_props(node, derived=False)
    names = [node.key.name] + [p.name for p in props]
    cypher = (
        f"UNWIND $keys AS k MATCH (n:{node.label} {{{node.key.name}: k}}) "
        f"RETURN n.{node.key.name} AS {node.key.name}{_columns('n', props)}"
    )
    found: dict[Key, Props] = {}
    for part in chunks(wanted):
        for row in backend.query(cypher, {"keys": part}).rows:
            found[row[0]] = _props(names, row)
    return found


def fetch_edges_between(
    backend: Backend, rel: RelType, a: NodeType, b: NodeType, from_keys: Iterable[Key], to_keys: Iterable[Key]
) -> list[EdgeRow]:
    """Every relationship of this type from a node of `from_keys` to a node of `to_keys`
    (parallel ones included)."""
    starts, ends = sorted(set(from_keys), key=str), sorted(set(to_keys), key=str)
    if not starts or not ends:
        return []
    names = [p.name for p in rel.props]
    cypher = (
        f"UNWIND $from AS f MATCH (a:{a.label} {{{a.key.name}: f}})-[r:{rel.type}]->(b:{b.label}) "
        f"WHERE b.{b.key.name} IN $to RETURN a.{a.key.name} AS _f, b.{b.key.name} AS _t{_columns('r', rel.props)}"
    )
    out: list[EdgeRow] = []
    for start_part in chunks(starts):
        for end_part in chunks(ends):
            for row in backend.query(cypher, {"from": start_part, "to": end_part}).rows:
                out.append(_edge_row(rel, names, row))
    return out


def fetch_edges_from(
    backend: Backend, rel: RelType, a: NodeType, b: NodeType, from_keys: Sequence[Key]
) -> list[EdgeRow]:
    """Every relationship of this type leaving the nodes of `from_keys` (one query; the caller batches)."""
    if not from_keys:
        return []
    names = [p.name for p in rel.props]
    cypher = (
        f"UNWIND $from AS f MATCH (a:{a.label} {{{a.key.name}: f}})-[r:{rel.type}]->(b:{b.label}) "
        f"RETURN a.{a.key.name} AS _f, b.{b.key.name} AS _t{_columns('r', rel.props)}"
    )
    return [_edge_row(rel, names, row) for row in backend.query(cypher, {"from": list(from_keys)}).rows]


def neighbour_keys(
    backend: Backend, rel: RelType, a: NodeType, b: NodeType, keys: Iterable[Key], *, outgoing: bool, limit: int
) -> list[Key]:
    """Keys of the first `limit` nodes (in key order) linked by this type to the given nodes:
    `b` nodes reached from `a` nodes when outgoing, else `a` nodes reaching `b` nodes."""
    here, there = (a, b) if outgoing else (b, a)
    pattern = f"(x:{here.label} {{{here.key.name}: k}})" + (
        f"-[:{rel.type}]->(y:{there.label})" if outgoing else f"<-[:{rel.type}]-(y:{there.label})"
    )
    cypher = f"UNWIND $keys AS k MATCH {pattern} RETURN DISTINCT y.{there.key.name} AS k ORDER BY k LIMIT $limit"
    found: set[Key] = set()
    for part in chunks(sorted(set(keys), key=str)):
        found.update(row[0] for row in backend.query(cypher, {"keys": part, "limit": limit}).rows)
    return sorted(found, key=str)


def scan_nodes(
    backend: Backend, node: NodeType, batch: int, *, derived: bool = False
) -> Iterator[list[tuple[Key, Props]]]:
    """Every node of a label, in key order, `batch` at a time (keyset paging: memory stays
    bounded); derived properties only when asked for (endpoint_pairs)."""
    key = node.key.name
    props = _stored_props(node, derived)
    names = [key] + [p.name for p in props]
    columns = f"n.{key} AS {key}{_columns('n', props)}"
    first = f"MATCH (n:{node.label}) RETURN {columns} ORDER BY n.{key} LIMIT $batch"
    after = f"MATCH (n:{node.label}) WHERE n.{key} > $after RETURN {columns} ORDER BY n.{key} LIMIT $batch"
    params: dict[str, Any] = {"batch": batch}
    cypher = first
    while True:
        rows = backend.query(cypher, params).rows
        if not rows:
            return
        yield [(row[0], _props(names, row)) for row in rows]
        if len(rows) < batch:
            return
        cypher, params = after, {"batch": batch, "after": rows[-1][0]}
