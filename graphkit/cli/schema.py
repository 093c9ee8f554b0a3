"""`graphkit schema`: the graph model and the statements generated from it."""

from __future__ import annotations

import typer

from graphkit.backends.ddl import ladybug_statements, neo4j_statements
from graphkit.model.schema_doc import schema_markdown

HELP = "Show the graph model and the statements generated from it."


def show() -> None:
    """The labels, keys, properties and relationship types (Markdown, as docs/schema.md)."""
    typer.echo(schema_markdown(), nl=False)


def cypher() -> None:
    """Neo4j constraints and indexes (idempotent: IF NOT EXISTS), ready for cypher-shell."""
    for stmt in neo4j_statements():
        typer.echo(stmt + ";")


def ddl() -> None:
    """LadybugDB table definitions for the embedded store."""
    for stmt in ladybug_statements():
        typer.echo(stmt + ";")
