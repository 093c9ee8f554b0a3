"""`graphkit query list|show|run|check`: the canned queries, and read-only ad-hoc Cypher."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from graphkit.backends.base import QueryResult, ReadOnlyViolation
from graphkit.backends.store import open_store
from graphkit.cli.options import FormatArg, store_options
from graphkit.cli.output import Format, print_rows
from graphkit.errors import GraphkitError
from graphkit.query.catalogue import (
    BY_DAY,
    EMBEDDED_DIALECT,
    QUERIES_ENV,
    QueryError,
    browser_params,
    catalogue,
    get_query,
    header_of,
    parse_assignments,
    problems,
    run_query,
    typed_adhoc,
    untyped,
)

HELP = "The canned investigation queries (list, show, run), and your own Cypher, read-only unless --write."

QueriesArg = Annotated[
    Optional[list[Path]],
    typer.Option(
        "--queries",
        metavar="DIR",
        help=f"A folder of your own .cypher queries (repeatable). Env: {QUERIES_ENV}.",
        show_default=False,
    ),
]
ParamsArg = Annotated[
    Optional[list[str]],
    typer.Option(
        "--param",
        "-p",
        metavar="KEY=VALUE",
        help="A parameter, key=value (repeatable); canned queries type it from their header, "
        "ad-hoc ones take key:int=5 (string, int, float, bool, date, list).",
        show_default=False,
    ),
]


def list_queries(queries: QueriesArg = None, fmt: FormatArg = Format.table) -> None:
    """The queries: name, title and parameters."""
    rows: list[list[Any]] = []
    for query in catalogue(queries or ()).values():
        rows.append([query.name, query.title, ", ".join(p.name if p.required else p.name + "?" for p in query.params)])
    print_rows(["name", "title", "params"], rows, fmt)


def show(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The query's name.", show_default=False)],
    params: ParamsArg = None,
    embedded: Annotated[bool, typer.Option("--embedded", help="Show the query as the embedded store runs it.")] = False,
    queries: QueriesArg = None,
) -> None:
    """The query's header and Cypher, and the :param lines to paste into Neo4j Browser first."""
    query = get_query(name, queries or ())
    given = untyped(parse_assignments(params or ()))
    lines = browser_params(query, given)
    by_day = query.by_day(given)  # a window is given: the day-level text is what runs
    path = query.variant_paths[BY_DAY] if by_day else query.path
    if embedded:
        text = query.text_for(EMBEDDED_DIALECT, by_day=by_day)
        if text == query.text_for("neo4j", by_day=by_day):
            raise QueryError(f"{name} has no {EMBEDDED_DIALECT} variant: the same Cypher runs on both stores")
        kind = f"{EMBEDDED_DIALECT}/{BY_DAY}" if by_day else EMBEDDED_DIALECT
        source = query.variant_paths.get(kind) or f"{path}, in the embedded dialect's names"
        typer.echo(f"// {source}")
        typer.echo(text.rstrip())
        return
    typer.echo(f"// {query.path}")
    if by_day:  # the main file's header, then the text a window runs
        typer.echo(header_of(query.cypher))
        typer.echo(f"// A window is given, so {path} runs (without one, {query.path.name} reads the rollups):")
    typer.echo(query.text_for("neo4j", by_day=by_day).rstrip())
    typer.echo("")
    typer.echo("// Neo4j Browser: set the parameters first (edit the values), then run the query above.")
    for line in lines:
        typer.echo(line)


def run(
    ctx: typer.Context,
    name: Annotated[
        Optional[str], typer.Argument(metavar="NAME", help="A canned query's name.", show_default=False)
    ] = None,
    params: ParamsArg = None,
    cypher: Annotated[
        Optional[str], typer.Option("--cypher", metavar="TEXT", help="Run this Cypher instead.", show_default=False)
    ] = None,
    file: Annotated[
        Optional[Path],
        typer.Option("--file", metavar="FILE", help="Run the Cypher in this file instead.", show_default=False),
    ] = None,
    write: Annotated[bool, typer.Option("--write", help="Allow an ad-hoc query to change the graph.")] = False,
    limit: Annotated[
        Optional[int], typer.Option("--limit", metavar="N", help="Print at most this many rows.", min=0)
    ] = None,
    fmt: FormatArg = Format.table,
    queries: QueriesArg = None,
) -> None:
    """Run a canned query with -p key=value parameters, or ad-hoc Cypher (--cypher / --file)."""
    given = [v for v in (name, cypher, file) if v is not None]
    if len(given) != 1:
        raise GraphkitError("give one of: a query name, --cypher TEXT or --file F")
    assignments = parse_assignments(params or ())
    options = store_options(ctx)
    if name is not None:
        if write:
            raise GraphkitError("--write is for ad-hoc Cypher; canned queries only read")
        query = get_query(name, queries or ())
        bound = query.bind(untyped(assignments))  # parameter errors before the store is opened
        backend = open_store(options, read_only=True)
        try:
            result = run_query(backend, query, bound)
            if not result.rows:  # say why, where that can be told (stderr: the output stays as asked)
                from graphkit.query.explain import why_empty

                for line in why_empty(backend, query, bound, untyped(assignments)):
                    typer.echo(f"no rows: {line}", err=True)
        except ReadOnlyViolation as exc:
            raise GraphkitError(f"refused: {query.path}: {_refused(exc)}, and canned queries only read") from None
        finally:
            backend.close()
    else:
        text = cypher if cypher is not None else _read(file)
        backend = open_store(options, read_only=not write)
        try:
            result = backend.query(text, typed_adhoc(assignments), write=write)
        except ReadOnlyViolation as exc:
            message = f"refused: {_refused(exc)}, and queries are read-only; add --write to allow it"
            raise GraphkitError(message) from None
        finally:
            backend.close()
    _print(result, fmt, limit)


def check(queries: QueriesArg = None) -> None:
    """Check every query file: header, parameters declared = used, labels and types in the schema."""
    found = catalogue(queries or ())
    issues = [issue for query in found.values() for issue in problems(query)]
    for issue in issues:
        typer.echo(issue, err=True)
    if issues:
        raise typer.Exit(1)
    typer.echo(f"{len(found)} queries: headers, parameters, labels and types check out")


def _refused(exc: ReadOnlyViolation) -> str:
    return f"this query uses {exc.reason}" if exc.reason else "this query would change the graph"


def _read(path: Path | None) -> str:
    assert path is not None
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise GraphkitError(f"cannot read {path}: {exc.strerror or exc}") from None


def _print(result: QueryResult, fmt: Format, limit: int | None) -> None:
    rows = result.rows if limit is None else result.rows[:limit]
    print_rows(result.columns, rows, fmt)
    if len(rows) < len(result.rows):
        typer.echo(f"({len(rows)} of {len(result.rows)} rows shown)", err=True)
