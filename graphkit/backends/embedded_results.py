"""LadybugDB's values in the plain form (see graphkit.backends.results): nodes and
relationships arrive as dicts with _label/_id, paths with _nodes/_rels."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import ladybug

from graphkit.backends.base import QueryResult
from graphkit.backends.results import SCALARS, collector_paused, node_key, plain_rows, properties, rel_props_plain
from graphkit.model.times import FORMAT

# LadybugDB 0.22 spells its internal fields in capitals (_LABEL, _ID, _SRC, ...).
_INTERNAL = {"_ID": "_id", "_LABEL": "_label", "_SRC": "_src", "_DST": "_dst", "_NODES": "_nodes", "_RELS": "_rels"}


def query_result(result: ladybug.QueryResult) -> QueryResult:
    """The store's result, unpacked and converted."""
    with collector_paused():
        return QueryResult(result.get_column_names(), plain_rows(result.get_all(), plain_ladybug))


def plain_ladybug(value: Any, keys_by_id: dict[Any, Any] | None = None) -> Any:
    """Convert a LadybugDB value (or anything nested) to the plain form."""
    if type(value) in SCALARS:
        return value
    if isinstance(value, Decimal):  # sums of integers arrive as 128-bit decimals
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        value = _internal(value)
        if "_nodes" in value and "_rels" in value:
            keys = {_id_key(n["_id"]): node_key(n["_label"], n) for n in map(_internal, value["_nodes"])}
            return {
                "nodes": [plain_ladybug(n) for n in value["_nodes"]],
                "relationships": [plain_ladybug(r, keys) for r in value["_rels"]],
            }
        if "_src" in value and "_dst" in value:
            out: dict[str, Any] = {"_type": value.get("_label")}
            if keys_by_id is not None:
                out["_from"] = keys_by_id.get(_id_key(value["_src"]))
                out["_to"] = keys_by_id.get(_id_key(value["_dst"]))
            return {**out, **rel_props_plain(out["_type"], properties(value, plain_ladybug))}
        if "_label" in value and "_id" in value:
            return {"_label": value["_label"], **properties(value, plain_ladybug)}
        return {k: plain_ladybug(v, keys_by_id) for k, v in value.items()}
    if isinstance(value, list):
        return [v if type(v) in SCALARS else plain_ladybug(v, keys_by_id) for v in value]
    if isinstance(value, datetime):  # TIMESTAMPs (UTC): graphkit's time text
        return value.strftime(FORMAT)
    return value


def _internal(value: dict[str, Any]) -> dict[str, Any]:
    return {_INTERNAL.get(k, k): v for k, v in value.items()}


def _id_key(internal_id: Any) -> tuple[Any, Any]:
    return (internal_id.get("table"), internal_id.get("offset")) if isinstance(internal_id, dict) else internal_id
