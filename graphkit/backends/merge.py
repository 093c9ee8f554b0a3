"""The schema's merge rules: how a stored value combines with a new one, as a Cypher
expression for Neo4j's upserts, and in Python and over Arrow columns for the embedded store
(which reads the old values and assigns the results)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphkit.model.schema import LIST_SEPARATOR, Merge, Prop

if TYPE_CHECKING:  # pyarrow loads with the embedded store
    import pyarrow as pa


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


def merge_column(prop: Prop, old: pa.Array, new: pa.Array) -> pa.Array:
    """merge_value row by row over two columns of one type, for every rule but UNION."""
    import pyarrow.compute as pc

    if prop.merge is Merge.SET:
        return pc.coalesce(new, old)
    if prop.merge is Merge.FIRST:
        return pc.coalesce(old, new)
    if prop.merge is Merge.MIN:
        return pc.min_element_wise(old, new, skip_nulls=True)
    if prop.merge is Merge.MAX:
        return pc.max_element_wise(old, new, skip_nulls=True)
    raise ValueError(f"{prop.name}: UNION lists are merged row by row (merge_value)")


def same_values(a: pa.Array, b: pa.Array) -> pa.Array:
    """Per row, whether two columns of one type hold the same value (two nulls are the same)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_list(a.type):  # compared as text: lists of strings, joined
        a, b = pc.binary_join(a, LIST_SEPARATOR), pc.binary_join(b, LIST_SEPARATOR)
    both_null = pc.and_(pc.is_null(a), pc.is_null(b))
    return pc.fill_null(pc.equal(a, b), both_null)
