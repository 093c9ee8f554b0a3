"""Idempotent Neo4j upsert statements, generated from the schema's merge rules.

Rows reach the store as parameters: `UNWIND $rows AS row`, each row a list in the order
of the table's columns (lists pack and unpack faster than maps). Labels, types and property
names come only from the schema. The embedded store applies the same rules in Python
(graphkit.backends.merge.merge_value) and assigns the results.
"""

from __future__ import annotations

from collections.abc import Sequence

from graphkit.backends.merge import merge_expr
from graphkit.model.schema import NodeType, Prop, RelType


def row_fields(columns: Sequence[str]) -> dict[str, str]:
    """Column name -> the Cypher expression of its value in `row`."""
    return {name: f"row[{i}]" for i, name in enumerate(columns)}


def set_clause(props: Sequence[Prop], target: str, row: dict[str, str]) -> str:
    given = [p for p in props if p.name in row]  # a column the table lacks changes nothing
    if not given:
        return ""
    return "SET " + ", ".join(f"{target}.{p.name} = {merge_expr(p, target, row[p.name])}" for p in given)


def neo4j_node_upsert(node: NodeType, columns: Sequence[str]) -> str:
    row = row_fields(columns)
    key = f"{{{node.key.name}: {row['_k']}}}"
    return f"UNWIND $rows AS row MERGE (n:{node.label} {key}) " + set_clause(node.props, "n", row)


def _endpoints(from_node: NodeType, to_node: NodeType, row: dict[str, str]) -> str:
    return (
        "UNWIND $rows AS row "
        f"MATCH (a:{from_node.label} {{{from_node.key.name}: {row['_f']}}}) "
        f"MATCH (b:{to_node.label} {{{to_node.key.name}: {row['_t']}}}) "
    )


def _prop_map(names: Sequence[str], row: dict[str, str]) -> str:
    return " {" + ", ".join(f"{name}: {row[name]}" for name in names) + "}" if names else ""


def neo4j_edge_upsert(rel: RelType, from_node: NodeType, to_node: NodeType, columns: Sequence[str]) -> str:
    row = row_fields(columns)
    mutable = [p for p in rel.props if p.name not in rel.identity]
    return (
        _endpoints(from_node, to_node, row)
        + f"MERGE (a)-[r:{rel.type}{_prop_map(rel.identity, row)}]->(b) "
        + set_clause(mutable, "r", row)
    )


def neo4j_edge_create(rel: RelType, from_node: NodeType, to_node: NodeType, columns: Sequence[str]) -> str:
    """For edges known to be absent (null values are simply not stored)."""
    row = row_fields(columns)
    given = [p.name for p in rel.props if p.name in row]
    return _endpoints(from_node, to_node, row) + f"CREATE (a)-[r:{rel.type}{_prop_map(given, row)}]->(b)"
