"""The schema's merge rules: how a stored value combines with a new one, as a Cypher
expression for Neo4j's upserts and in Python for the embedded store (which reads the old
values and assigns the results)."""

from __future__ import annotations

from typing import Any

from graphkit.model.schema import Merge, Prop


def merge_expr(prop: Prop, target: str, new: str) -> str:
    cur = f"{target}.{prop.name}"
    if prop.merge is Merge.SET:
        return f"coalesce({new}, {cur})"
    if prop.merge is Merge.FIRST:
        return f"coalesce({cur}, {new})"
    if prop.merge in (Merge.MIN, Merge.MAX):
        op = "<" if prop.merge is Merge.MIN else ">"
        return f"CASE WHEN {new} IS NULL THEN {cur} WHEN {cur} IS NULL OR {new} {op} {cur} THEN {new} ELSE {cur} END"
    added = f"[v IN {new} WHERE NOT v IN coalesce({cur}, [])]"
    return f"CASE WHEN {new} IS NULL THEN {cur} ELSE coalesce({cur}, []) + {added} END"


def merge_value(prop: Prop, old: Any, new: Any) -> Any:
    """The Python twin of merge_expr: how a stored value combines with a new one."""
    if new is None:
        return old
    if old is None:
        return new
    if prop.merge is Merge.SET:
        return new
    if prop.merge is Merge.FIRST:
        return old
    if prop.merge is Merge.MIN:
        return min(old, new)
    if prop.merge is Merge.MAX:
        return max(old, new)
    return old + [v for v in new if v not in old]
