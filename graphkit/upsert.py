"""Idempotent Neo4j upsert statements, generated from the schema's merge rules.

Rows reach the store as parameters (`row.<name>` inside UNWIND); labels, types and
property names come only from the schema. The embedded store applies the same rules
in Python (writer.merge_value) and assigns the results.
"""

from __future__ import annotations

from collections.abc import Sequence

from graphkit.schema import Merge, NodeType, Prop, RelType


def merge_expr(prop: Prop, target: str) -> str:
    cur, new = f"{target}.{prop.name}", f"row.{prop.name}"
    if prop.merge is Merge.SET:
        return f"coalesce({new}, {cur})"
    if prop.merge is Merge.FIRST:
        return f"coalesce({cur}, {new})"
    if prop.merge in (Merge.MIN, Merge.MAX):
        op = "<" if prop.merge is Merge.MIN else ">"
        return f"CASE WHEN {new} IS NULL THEN {cur} WHEN {cur} IS NULL OR {new} {op} {cur} THEN {new} ELSE {cur} END"
    added = f"[v IN {new} WHERE NOT v IN coalesce({cur}, [])]"
    return f"CASE WHEN {new} IS NULL THEN {cur} ELSE coalesce({cur}, []) + {added} END"


def set_clause(props: Sequence[Prop], target: str) -> str:
    if not props:
        return ""
    return "SET " + ", ".join(f"{target}.{p.name} = {merge_expr(p, target)}" for p in props)


def neo4j_node_upsert(node: NodeType) -> str:
    return f"UNWIND $rows AS row MERGE (n:{node.label} {{{node.key.name}: row._k}}) " + set_clause(node.props, "n")


def _endpoints(from_node: NodeType, to_node: NodeType) -> str:
    return (
        "UNWIND $rows AS row "
        f"MATCH (a:{from_node.label} {{{from_node.key.name}: row._f}}) "
        f"MATCH (b:{to_node.label} {{{to_node.key.name}: row._t}}) "
    )


def _prop_map(names: Sequence[str]) -> str:
    return " {" + ", ".join(f"{name}: row.{name}" for name in names) + "}" if names else ""


def neo4j_edge_upsert(rel: RelType, from_node: NodeType, to_node: NodeType) -> str:
    mutable = [p for p in rel.props if p.name not in rel.identity]
    return (
        _endpoints(from_node, to_node)
        + f"MERGE (a)-[r:{rel.type}{_prop_map(rel.identity)}]->(b) "
        + set_clause(mutable, "r")
    )


def neo4j_edge_create(rel: RelType, from_node: NodeType, to_node: NodeType) -> str:
    """For edges known to be absent (null values are simply not stored)."""
    return _endpoints(from_node, to_node) + f"CREATE (a)-[r:{rel.type}{_prop_map([p.name for p in rel.props])}]->(b)"
