"""A whole store as canonical rows, and a digest per label and relationship type, so two loads
(today's and a rewritten load path's, or the embedded store's and Neo4j's) can be compared.

dump(backend) -> {label or type: rows}. A node row is [key, props]; a relationship row is
[from label, from key, to label, to key, props]. Properties come in the plain form both
backends share (graphkit.backends.results: nulls left out, times as graphkit's text), with
list values in their stored order (UNION keeps first-appearance order: part of the graph).
Only the rows are sorted, as a store returns them in no particular order.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from graphkit.backends.base import Backend
from graphkit.model.schema import SCHEMA

# What differs from run to run of the same load: the time of the load, and the absolute path
# of the input (another clone, another machine). Nothing else is left out.
VARYING = {"Source": frozenset({"loaded_at", "path"})}
BATCH_VARYING = {"Source": VARYING["Source"] | {"records"}}  # see freeze_graphs.Case.batched


def canonical(value: Any) -> str:
    """The one JSON text of a value: keys sorted, no spaces, non-ASCII kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _props(value: dict[str, Any], leave_out: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A node's or relationship's properties; the plain form's own fields (_label, _type,
    _from, _to) are not properties."""
    return {k: v for k, v in value.items() if not k.startswith("_") and k not in leave_out}


def _sorted(rows: list[list[Any]]) -> list[list[Any]]:
    return sorted(rows, key=canonical)


def dump(
    backend: Backend, varying: dict[str, frozenset[str]] = VARYING, *, derived: bool = True
) -> dict[str, list[Any]]:
    """Every node and relationship of the store, per schema label and type (empty ones left out).
    `derived=False`: without what graphkit derives from the rest (the lookup rollups), which
    tests/test_rollups.py checks against what it is derived from. No `columns` hint: on Neo4j
    it collects the whole result in one list on the server, which for the full prefix table is
    over the default transaction memory; records stream instead."""
    assert not set(SCHEMA.by_label) & set(SCHEMA.by_type), "a label and a type share a name"
    out: dict[str, list[Any]] = {}
    for node in SCHEMA.nodes:
        leave_out = varying.get(node.label, frozenset())
        if not derived:
            leave_out |= {p.name for p in node.props if f"{node.label}.{p.name}" in SCHEMA.derived}
        result = backend.query(f"MATCH (n:{node.label}) RETURN n")
        rows = [[n[node.key.name], _props(n, leave_out | {node.key.name})] for (n,) in result.rows]
        if rows:
            out[node.label] = _sorted(rows)
    for rel in SCHEMA.rels:
        if rel.derived_from and not derived:
            continue
        rows = []
        for src, dst in rel.endpoints:
            src_key, dst_key = SCHEMA.by_label[src].key.name, SCHEMA.by_label[dst].key.name
            cypher = f"MATCH (a:{src})-[r:{rel.type}]->(b:{dst}) RETURN a.{src_key} AS a, b.{dst_key} AS b, r"
            result = backend.query(cypher)
            rows += [[src, a, dst, b, _props(r)] for a, b, r in result.rows]
        if rows:
            out[rel.type] = _sorted(rows)
    return out


def digests(dumped: dict[str, list[Any]]) -> dict[str, str]:
    """Per label/type, the sha256 of its canonical JSON rows."""
    return {name: hashlib.sha256(canonical(rows).encode()).hexdigest() for name, rows in sorted(dumped.items())}


def counts(dumped: dict[str, list[Any]]) -> dict[str, int]:
    """Rows per label/type: what a differing digest is reported with."""
    return {name: len(rows) for name, rows in sorted(dumped.items())}
