"""The Neo4j driver's values in the plain form (see graphkit.backends.results)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import neo4j
from neo4j.graph import Node, Path, Relationship

from graphkit.backends.base import QueryResult
from graphkit.backends.results import SCALARS, collector_paused, node_key, plain_rows, properties


def query_result(result: neo4j.Result, columns: Sequence[str] = ()) -> QueryResult:
    """The driver's result, unpacked and converted. Given `columns`, the query returns its rows as
    one list (Neo4jBackend.query rewrites it so); otherwise the rows are the driver's records."""
    with collector_paused():
        if columns:
            return QueryResult(list(columns), plain_rows(result.single(strict=True)[0], plain))
        keys = list(result.keys())
        return QueryResult(keys, [[plain(v) for v in rec.values()] for rec in result])


def plain(value: Any) -> Any:
    """Convert a Neo4j driver value (or anything nested) to the plain form."""
    if type(value) in SCALARS:
        return value
    if isinstance(value, list):
        return [v if type(v) in SCALARS else plain(v) for v in value]
    if isinstance(value, Node):
        label = sorted(value.labels)[0] if value.labels else ""
        return {"_label": label, **properties(dict(value), plain)}
    if isinstance(value, Relationship):
        out: dict[str, Any] = {"_type": value.type}
        for end, name in ((value.start_node, "_from"), (value.end_node, "_to")):
            if end is not None and end.labels:
                out[name] = node_key(sorted(end.labels)[0], dict(end))
        return {**out, **properties(dict(value), plain)}
    if isinstance(value, Path):
        return {"nodes": [plain(n) for n in value.nodes], "relationships": [plain(r) for r in value.relationships]}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if hasattr(value, "iso_format"):  # the driver's temporal types
        return value.iso_format()
    return value
