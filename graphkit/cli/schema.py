"""`graphkit schema`: the graph model and the statements generated from it."""

from __future__ import annotations

import typer

from graphkit.backends.ddl import ladybug_statements, neo4j_statements
from graphkit.model.schema_doc import schema_markdown

HELP = "Show the graph model and the statements generated from it; bring a store up to it."


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


def upgrade(ctx: typer.Context) -> None:
    """Bring a store an older graphkit wrote up to this one: its new properties and indexes, and
    the lookup rollups it did not keep (which the queries read). A load does the same first."""
    from graphkit.backends.store import open_store
    from graphkit.cli.options import store_options
    from graphkit.ingest import rollups

    backend = open_store(store_options(ctx))
    try:
        backend.ensure_schema()
        pairs = rollups.catch_up(backend)
    finally:
        backend.close()
    done = f"summed its lookups into {pairs:,} rollups (LOOKED_UP_TOTAL)" if pairs else "its rollups were up to date"
    typer.echo(f"{backend.display}: schema up to date; {done}")
