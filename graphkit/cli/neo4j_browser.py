"""`graphkit browser`: where Neo4j Browser is, and every canned query brought into it."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from graphkit.backends.store import StoreOptions, redacted_uri
from graphkit.cli.options import store_options
from graphkit.cli.query import QueriesArg
from graphkit.errors import GraphkitError
from graphkit.query.catalogue import catalogue
from graphkit.query.neo4j_browser import (
    APOC_CHECK,
    DEFAULT_PORT,
    GUIDE_PATH,
    STYLE_PATH,
    GuideServer,
    browser_address,
    grass,
    guide,
)


def browser(
    ctx: typer.Context,
    port: Annotated[
        int, typer.Option("--port", metavar="PORT", help="Port for the guide on 127.0.0.1 (0: any free one).")
    ] = DEFAULT_PORT,
    http_port: Annotated[
        Optional[int],
        typer.Option(
            "--http-port",
            metavar="PORT",
            help="Neo4j's HTTP port, where Browser is (default 7474). Env: NEO4J_HTTP_PORT.",
        ),
    ] = None,
    write_style: Annotated[
        Optional[Path],
        typer.Option(
            "--write-style", metavar="FILE", help="Write the GraSS stylesheet to FILE and exit.", show_default=False
        ),
    ] = None,
    write_guide: Annotated[
        Optional[Path],
        typer.Option(
            "--write-guide", metavar="FILE", help="Write the Browser guide to FILE and exit.", show_default=False
        ),
    ] = None,
    queries: QueriesArg = None,
) -> None:
    """Print the Neo4j Browser address and what to type; serve a guide with every canned query
    (`:play`) and graphkit's stylesheet (`:style`) on localhost until Ctrl-C."""
    if write_style or write_guide:
        if write_style:
            write_style.write_text(grass(), encoding="utf-8")
            typer.echo(f"wrote {write_style}: in Browser type :style, then drag the file onto the window")
        if write_guide:
            write_guide.write_text(guide(catalogue(queries or ())), encoding="utf-8")
            typer.echo(f"wrote {write_guide}")
        return
    options = store_options(ctx)
    if not options.is_neo4j:
        raise GraphkitError(
            f"Neo4j Browser needs a Neo4j store, and {redacted_uri(options.location)} is the embedded one: "
            "give --store bolt://HOST:7687 (or set GRAPHKIT_STORE), after loading into Neo4j"
        )
    found = catalogue(queries or ())
    if http_port is None:
        text = os.environ.get("NEO4J_HTTP_PORT", "7474")
        if not text.isdigit():
            raise GraphkitError(f"NEO4J_HTTP_PORT must be a port number, got {text!r}")
        http_port = int(text)
    try:
        server = GuideServer(port)
    except OSError as exc:
        raise GraphkitError(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc} (try --port 0)") from None
    style_url = server.url(STYLE_PATH)
    server.publish(guide(found, style_url), grass()).start()
    login = options.login
    typer.echo(f"1. Open Neo4j Browser: {browser_address(options.location, http_port, login)}")
    typer.echo(f"   and connect as {login} (NEO4J_PASSWORD).")
    typer.echo(f"2. Type  :play {server.url(GUIDE_PATH)}")
    typer.echo("   for every canned query: run the :params block of a slide, then its query.")
    typer.echo(f"3. Type  :style {style_url}")
    typer.echo("   for graphkit's colours and captions (or :style, then drag a file from --write-style onto it).")
    if not _has_apoc(options):
        typer.echo(
            "Note: this Neo4j has no APOC core, which the guide's pictures need (they draw parallel lookups "
            "merged, as virtual relationships); the tables run without it. docker/neo4j-local installs it; "
            "with Docker, set NEO4J_PLUGINS='[\"apoc\"]'."
        )
    typer.echo("Serving the guide until Ctrl-C.")
    try:
        while True:
            time.sleep(3600)
    finally:
        server.stop()


def _has_apoc(options: StoreOptions) -> bool:
    """Whether the server has APOC core; True when it cannot be asked (no password given, or
    not reachable: Browser will say what is wrong), so the note is only printed when true."""
    password = options.password or os.environ.get("NEO4J_PASSWORD")
    if password is None:
        return True
    from graphkit.backends.neo4j import Neo4jBackend

    try:
        backend = Neo4jBackend(
            options.location,
            options.login,
            password,
            options.database or os.environ.get("NEO4J_DATABASE") or None,
            retry_seconds=0,
            connect_timeout=3,
        )
    except GraphkitError:
        return True
    try:
        return bool(backend.query(APOC_CHECK).rows[0][0])
    except GraphkitError:
        return True
    finally:
        backend.close()
