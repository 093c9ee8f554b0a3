"""Graph values (nodes, relationships, paths) from either store, in one plain form.

node -> {"_label": L, <properties>}; relationship -> {"_type": T, "_from": <from key>,
"_to": <to key>, <properties>}; path -> {"nodes": [...], "relationships": [...]}.
Null properties are left out, so both stores give identical rows.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from itertools import chain
from typing import Any

from graphkit.model.schema import SCHEMA
from graphkit.model.times import FORMAT


def _props(items: dict[str, Any]) -> dict[str, Any]:
    return {k: plain(v) for k, v in sorted(items.items()) if v is not None and not k.startswith("_")}


def _node_key(label: str, props: dict[str, Any]) -> Any:
    node = SCHEMA.by_label.get(label)
    return props.get(node.key.name) if node else None


# Most values in a result are scalars: checked first, by exact type (a large result has millions).
_SCALARS = frozenset({str, int, float, bool, type(None)})


def plain_rows(rows: list[Any], convert: Callable[[Any], Any]) -> list[Any]:
    """Rows (lists of values) in the plain form: `convert` (plain or plain_ladybug) on each row,
    unless every value is a scalar or a list of scalars, as in most results; those rows are plain
    already. Checking that by type runs in C, several times faster than converting them value
    by value."""
    values = list(chain.from_iterable(rows))
    kinds = set(map(type, values))
    if list in kinds:
        kinds.discard(list)
        kinds.update(map(type, chain.from_iterable(v for v in values if type(v) is list)))
    if kinds <= _SCALARS:
        return rows
    return [convert(row) for row in rows]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while a store's result is unpacked. The rows are lists of
    plain values, with no cycles to find, yet every 700 new lists start a collection that walks
    the older ones: a noticeable share of a large result's time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def plain(value: Any) -> Any:
    """Convert a Neo4j driver value (or anything nested) to the plain form."""
    if type(value) in _SCALARS:
        return value
    if isinstance(value, list):
        return [v if type(v) in _SCALARS else plain(v) for v in value]
    # Not imported here: the driver costs memory and start-up time that embedded-only runs never need.
    # Until something has imported it, no value can be one of its types.
    graph = sys.modules.get("neo4j.graph")
    if graph is not None:
        if isinstance(value, graph.Node):
            label = sorted(value.labels)[0] if value.labels else ""
            return {"_label": label, **_props(dict(value))}
        if isinstance(value, graph.Relationship):
            out: dict[str, Any] = {"_type": value.type}
            for end, name in ((value.start_node, "_from"), (value.end_node, "_to")):
                if end is not None and end.labels:
                    out[name] = _node_key(sorted(end.labels)[0], dict(end))
            return {**out, **_props(dict(value))}
        if isinstance(value, graph.Path):
            return {"nodes": [plain(n) for n in value.nodes], "relationships": [plain(r) for r in value.relationships]}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if hasattr(value, "iso_format"):  # neo4j temporal types
        return value.iso_format()
    if isinstance(value, datetime):  # the embedded store's TIMESTAMPs (UTC): graphkit's time text
        return value.strftime(FORMAT)
    return value


# LadybugDB 0.22 spells its internal fields in capitals (_LABEL, _ID, _SRC, ...).
_INTERNAL = {"_ID": "_id", "_LABEL": "_label", "_SRC": "_src", "_DST": "_dst", "_NODES": "_nodes", "_RELS": "_rels"}


def plain_ladybug(value: Any, keys_by_id: dict[Any, Any] | None = None) -> Any:
    """Convert a LadybugDB value: nodes and rels arrive as dicts with _label/_id, paths with _nodes/_rels."""
    if type(value) in _SCALARS:
        return value
    if isinstance(value, Decimal):  # sums of integers arrive as 128-bit decimals
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        value = _internal(value)
        if "_nodes" in value and "_rels" in value:
            keys = {_id_key(n["_id"]): _node_key(n["_label"], n) for n in map(_internal, value["_nodes"])}
            return {
                "nodes": [plain_ladybug(n) for n in value["_nodes"]],
                "relationships": [plain_ladybug(r, keys) for r in value["_rels"]],
            }
        if "_src" in value and "_dst" in value:
            out: dict[str, Any] = {"_type": value.get("_label")}
            if keys_by_id is not None:
                out["_from"] = keys_by_id.get(_id_key(value["_src"]))
                out["_to"] = keys_by_id.get(_id_key(value["_dst"]))
            return {**out, **_props(value)}
        if "_label" in value and "_id" in value:
            return {"_label": value["_label"], **_props(value)}
        return {k: plain_ladybug(v, keys_by_id) for k, v in value.items()}
    if isinstance(value, list):
        return [v if type(v) in _SCALARS else plain_ladybug(v, keys_by_id) for v in value]
    return plain(value)


def _internal(value: dict[str, Any]) -> dict[str, Any]:
    return {_INTERNAL.get(k, k): v for k, v in value.items()}


def _id_key(internal_id: Any) -> tuple[Any, Any]:
    return (internal_id.get("table"), internal_id.get("offset")) if isinstance(internal_id, dict) else internal_id
