"""Idempotent upsert statements, generated from the schema's merge rules.

Rows reach the store as parameters; labels, types and property names come only
from the schema. `inc(name)` is how a statement refers to an incoming column:
`row.name` for Neo4j's UNWIND, a bare column name for LadybugDB's LOAD FROM.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from graphkit.schema import Merge, NodeType, Prop, RelType

Incoming = Callable[[str], str]


def merge_expr(prop: Prop, target: str, inc: Incoming, dialect: str) -> str:
    cur, new = f"{target}.{prop.name}", inc(prop.name)
    if prop.merge is Merge.SET:
        return f"coalesce({new}, {cur})"
    if prop.merge is Merge.FIRST:
        return f"coalesce({cur}, {new})"
    if prop.merge in (Merge.MIN, Merge.MAX):
        op = "<" if prop.merge is Merge.MIN else ">"
        return f"CASE WHEN {new} IS NULL THEN {cur} WHEN {cur} IS NULL OR {new} {op} {cur} THEN {new} ELSE {cur} END"
    if dialect == "neo4j":
        return f"coalesce({cur}, []) + [v IN coalesce({new}, []) WHERE NOT v IN coalesce({cur}, [])]"
    return f"list_distinct(list_concat(coalesce({cur}, []), coalesce({new}, [])))"


def set_clause(props: Sequence[Prop], target: str, inc: Incoming, dialect: str) -> str:
    if not props:
        return ""
    return "SET " + ", ".join(f"{target}.{p.name} = {merge_expr(p, target, inc, dialect)}" for p in props)


def identity_pattern(rel: RelType, inc: Incoming) -> str:
    if not rel.identity:
        return ""
    return " {" + ", ".join(f"{name}: {inc(name)}" for name in rel.identity) + "}"


def neo4j_node_upsert(node: NodeType) -> str:
    def inc(name: str) -> str:
        return f"row.{name}"

    return (
        f"UNWIND $rows AS row MERGE (n:{node.label} {{{node.key.name}: row._k}}) "
        + set_clause(node.props, "n", inc, "neo4j")
    )


def neo4j_edge_upsert(rel: RelType, from_node: NodeType, to_node: NodeType) -> str:
    def inc(name: str) -> str:
        return f"row.{name}"

    mutable = [p for p in rel.props if p.name not in rel.identity]
    return (
        "UNWIND $rows AS row "
        f"MATCH (a:{from_node.label} {{{from_node.key.name}: row._f}}) "
        f"MATCH (b:{to_node.label} {{{to_node.key.name}: row._t}}) "
        f"MERGE (a)-[r:{rel.type}{identity_pattern(rel, inc)}]->(b) "
        + set_clause(mutable, "r", inc, "neo4j")
    )
