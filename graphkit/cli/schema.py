"""`graphkit schema`: the graph model and the statements generated from it."""

from __future__ import annotations

import typer

from graphkit.backends.ddl import ladybug_statements, neo4j_statements
from graphkit.cli.app import app
from graphkit.model.schema_doc import schema_markdown

schema_app = typer.Typer(help="Show the graph model and the statements generated from it.", no_args_is_help=True)
app.add_typer(schema_app, name="schema")


@schema_app.command("show")
def show() -> None:
    """The labels, keys, properties and relationship types (Markdown, as docs/schema.md)."""
    typer.echo(schema_markdown(), nl=False)


@schema_app.command("cypher")
def cypher() -> None:
    """Neo4j constraints and indexes (idempotent: IF NOT EXISTS), ready for cypher-shell."""
    for stmt in neo4j_statements():
        typer.echo(stmt + ";")


@schema_app.command("ddl")
def ddl() -> None:
    """LadybugDB table definitions for the embedded store."""
    for stmt in ladybug_statements():
        typer.echo(stmt + ";")
