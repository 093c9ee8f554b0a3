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
from graphkit.backends.neo4j import Neo4jBackend
from graphkit.model.schema import SCHEMA

# What differs from run to run of the same load: the time of the load, and the absolute path
# of the input (another clone, another machine). Nothing else is left out.
VARYING = {"Source": frozenset({"loaded_at", "path"})}
BATCH_VARYING = {"Source": VARYING["Source"] | {"records"}}  # see freeze_graphs.Case.batched

# Neo4j's Python driver takes about 50 us a record, so there the nodes come a page to a
# record: 30 s -> 14 s for the full prefix table's 512k Netblocks. Pages, not one list of
# the whole result, bound the server's memory.
PAGE = 20_000


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
    tests/test_rollups.py checks against what it is derived from."""
    assert not set(SCHEMA.by_label) & set(SCHEMA.by_type), "a label and a type share a name"
    out: dict[str, list[Any]] = {}
    for node in SCHEMA.nodes:
        leave_out = varying.get(node.label, frozenset())
        if not derived:
            leave_out |= {p.name for p in node.props if f"{node.label}.{p.name}" in SCHEMA.derived}
        rows = [
            [n[node.key.name], _props(n, leave_out | {node.key.name})]
            for (n,) in _matches(backend, node.label, node.key.name)
        ]
        if rows:
            out[node.label] = _sorted(rows)
    for rel in SCHEMA.rels:
        if rel.derived_from and not derived:
            continue
        rows = []
        for src, dst in rel.endpoints:
            src_key, dst_key = SCHEMA.by_label[src].key.name, SCHEMA.by_label[dst].key.name
            path, columns = f"-[r:{rel.type}]->(b:{dst})", f"n.{src_key}, b.{dst_key}, r"
            rows += [[src, a, dst, b, _props(r)] for a, b, r in _matches(backend, src, src_key, path, columns)]
        if rows:
            out[rel.type] = _sorted(rows)
    return out


def _matches(backend: Backend, label: str, key: str, path: str = "", columns: str = "n") -> list[Any]:
    """The `columns` of each (n:label) and what `path` matches from it. On Neo4j a page of
    nodes at a time, in the order of their key (indexed), each page's rows in one record."""
    follow = f"MATCH (n){path}" if path else ""
    if not isinstance(backend, Neo4jBackend):
        return backend.query(f"MATCH (n:{label}) {follow} RETURN {columns}").rows
    row = f"CASE WHEN r IS NOT NULL THEN [{columns}] END" if path else f"[{columns}]"  # collect() drops nulls
    tail = (
        f"WITH n ORDER BY n.{key} LIMIT $page WITH collect(n) AS nodes, max(n.{key}) AS last "
        f"UNWIND nodes AS n {'OPTIONAL ' if path else ''}{follow} RETURN last, collect({row}) AS rows"
    )
    out: list[Any] = []
    result = backend.query(f"MATCH (n:{label}) {tail}", {"page": PAGE}).rows
    while result:
        ((last, rows),) = result
        out += rows
        result = backend.query(f"MATCH (n:{label}) WHERE n.{key} > $after {tail}", {"page": PAGE, "after": last}).rows
    return out


def digests(dumped: dict[str, list[Any]]) -> dict[str, str]:
    """Per label/type, the sha256 of its canonical JSON rows."""
    return {name: hashlib.sha256(canonical(rows).encode()).hexdigest() for name, rows in sorted(dumped.items())}


def counts(dumped: dict[str, list[Any]]) -> dict[str, int]:
    """Rows per label/type: what a differing digest is reported with."""
    return {name: len(rows) for name, rows in sorted(dumped.items())}
