"""Options shared by every command, declared once."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from graphkit.backends.store import DEFAULT_STORE, StoreOptions
from graphkit.cli.output import Format

StoreArg = Annotated[
    Optional[str],
    typer.Option(
        "--store",
        "-s",
        help=f"Embedded store path (default {DEFAULT_STORE}) or a Neo4j URI (bolt://, neo4j://, +s). "
        "Env: GRAPHKIT_STORE.",
        show_default=False,
    ),
]
UserArg = Annotated[Optional[str], typer.Option("--user", help="Neo4j user. Env: NEO4J_USERNAME.", show_default=False)]
PasswordArg = Annotated[
    Optional[str],
    typer.Option("--password", help="Neo4j password (prefer env NEO4J_PASSWORD; never printed).", show_default=False),
]
DatabaseArg = Annotated[
    Optional[str], typer.Option("--database", help="Neo4j database. Env: NEO4J_DATABASE.", show_default=False)
]
FormatArg = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


def store_options(store: str | None, user: str | None, password: str | None, database: str | None) -> StoreOptions:
    return StoreOptions(store, user, password, database)
