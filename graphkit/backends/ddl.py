"""Schema statements for each store, generated from graphkit.model.schema."""

from __future__ import annotations

import re

from graphkit.model.schema import SCHEMA, Prop, PropType, Schema

LADYBUG_TYPES = {
    PropType.STRING: "STRING",
    PropType.INT: "INT64",
    PropType.FLOAT: "DOUBLE",
    PropType.BOOL: "BOOLEAN",
    PropType.STRING_LIST: "STRING[]",
    PropType.TIME: "TIMESTAMP",
}


def ladybug_rel_type(prop: Prop) -> str:
    """A relationship property's column type. A string[] is kept as STRING (the values joined
    with LIST_SEPARATOR, see graphkit.backends.embedded): LadybugDB 0.22 checkpoints relationship
    tables with a STRING[] column slowly (1M relationships: 12.3 s against 1.1 s with STRING)."""
    return "STRING" if prop.type is PropType.STRING_LIST else LADYBUG_TYPES[prop.type]


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name).lower()


def neo4j_statements(schema: Schema = SCHEMA) -> list[str]:
    """Uniqueness constraints on every node key, then the declared indexes; all IF NOT EXISTS."""
    out = []
    for node in schema.nodes:
        out.append(
            f"CREATE CONSTRAINT {_snake(node.label)}_{node.key.name}_unique IF NOT EXISTS "
            f"FOR (n:{node.label}) REQUIRE n.{node.key.name} IS UNIQUE"
        )
    for node in schema.nodes:
        for prop in node.props:
            if prop.indexed:
                out.append(
                    f"CREATE INDEX {_snake(node.label)}_{prop.name} IF NOT EXISTS "
                    f"FOR (n:{node.label}) ON (n.{prop.name})"
                )
    for rel in schema.rels:
        for prop in rel.props:
            if prop.indexed:
                out.append(
                    f"CREATE INDEX {rel.type.lower()}_{prop.name} IF NOT EXISTS "
                    f"FOR ()-[r:{rel.type}]-() ON (r.{prop.name})"
                )
    return out


def ladybug_statements(schema: Schema = SCHEMA) -> list[str]:
    """Node tables (key as primary key) before relationship tables."""
    out = []
    for node in schema.nodes:
        cols = [f"{node.key.name} {LADYBUG_TYPES[node.key.type]} PRIMARY KEY"]
        cols += [f"{p.name} {LADYBUG_TYPES[p.type]}" for p in node.props]
        out.append(f"CREATE NODE TABLE IF NOT EXISTS {node.label}({', '.join(cols)})")
    for rel in schema.rels:
        cols = [f"FROM {src} TO {dst}" for src, dst in rel.endpoints]
        cols += [f"{p.name} {ladybug_rel_type(p)}" for p in rel.props]
        out.append(f"CREATE REL TABLE IF NOT EXISTS {rel.type}({', '.join(cols)})")
    return out
