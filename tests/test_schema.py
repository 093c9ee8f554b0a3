"""The schema is the one source: generated docs and DDL must follow it, and apply cleanly."""

from __future__ import annotations

import re

from helpers import ROOT, Store, run_cli

from graphkit.backends.ddl import ladybug_statements, neo4j_statements
from graphkit.model.schema import SCHEMA
from graphkit.model.schema_doc import schema_markdown


def test_committed_schema_doc_is_current() -> None:
    committed = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    assert committed == schema_markdown(), "docs/schema.md is stale: run `graphkit schema show > docs/schema.md`"


def test_every_label_and_type_is_documented_and_constrained() -> None:
    doc = schema_markdown()
    stmts = "\n".join(neo4j_statements())
    for node in SCHEMA.nodes:
        assert f"| {node.label} |" in doc
        assert f"FOR (n:{node.label}) REQUIRE n.{node.key.name} IS UNIQUE" in stmts
    for rel in SCHEMA.rels:
        assert f"| {rel.type} |" in doc
    assert all("IF NOT EXISTS" in s for s in neo4j_statements() + ladybug_statements())


def test_schema_cypher_command_prints_the_generated_statements() -> None:
    out = run_cli("schema", "cypher").stdout
    assert out.splitlines() == [s + ";" for s in neo4j_statements()]


def test_ensure_schema_twice(store: Store) -> None:
    """`graphkit schema cypher` (Neo4j) and the LadybugDB DDL both apply twice without error."""
    for _ in range(2):
        backend = store.open()
        try:
            backend.ensure_schema()
        finally:
            backend.close()
    if store.kind == "neo4j":
        names = {row[0] for row in store.query("SHOW CONSTRAINTS YIELD name RETURN name")}
        declared = {re.search(r"CONSTRAINT (\S+)", s).group(1) for s in neo4j_statements() if "CONSTRAINT" in s}  # type: ignore[union-attr]
        assert declared <= names
    else:
        tables = {row[0] for row in store.query("CALL show_tables() RETURN name")}
        assert {n.label for n in SCHEMA.nodes} | {r.type for r in SCHEMA.rels} <= tables
