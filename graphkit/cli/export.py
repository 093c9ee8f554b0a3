"""`graphkit export`: a subgraph to a file (GraphML, GEXF, JSON, CSV, Cypher, HTML), and
`graphkit export bulk`: the whole graph as CSVs for neo4j-admin's offline import."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from graphkit import export
from graphkit.backends.store import open_store
from graphkit.cli.options import store_options
from graphkit.cli.query import ParamsArg, QueriesArg
from graphkit.errors import GraphkitError
from graphkit.query.catalogue import get_query, parse_assignments, require_rollups, run_query, untyped

if TYPE_CHECKING:  # the exporters are imported when an export runs: every command's start-up imports this module
    from graphkit.export.redact import Redactor

HELP = """\
Export a subgraph for Gephi, yEd, Cytoscape, another Neo4j or a report.

\b
Choose the subgraph with a canned query, or around an entity:
  graphkit export --query neighborhood -p key=mail1.trump-email.com -p hops=2 -o case.graphml
  graphkit export --around mail1.trump-email.com --hops 2 -o case.html
The format follows the file's extension (.graphml .gexf .json .cypher .html, and for the
tools findings are shared in .stix.json .misp.json .mtgx; a name without one is a folder of
CSVs), or --format. --redact hashes emails and person names.
`graphkit export bulk -o DIR` writes the whole graph for neo4j-admin's offline import.
"""


KEY_ENV = "GRAPHKIT_REDACT_KEY"


ExportFormat = StrEnum("ExportFormat", {name: name for name in export.FORMATS})  # type: ignore[misc]


RedactArg = Annotated[bool, typer.Option("--redact", help="Replace emails and person names with stable hashes.")]
RedactKeyArg = Annotated[
    Optional[str],
    typer.Option(
        "--redact-key",
        help=f"Secret for the hashes (same key, same hashes). Env: {KEY_ENV}.",
        envvar=KEY_ENV,
        show_default=False,
        show_envvar=False,
    ),
]


def _redactor(redact: bool, key: str | None) -> Redactor | None:
    if not redact:
        return None
    from graphkit.export.redact import Redactor

    if not key:
        typer.echo(
            f"note: hashing with graphkit's public key; anyone can check a guessed address against it. "
            f"Set {KEY_ENV} (or --redact-key) to a secret shared only with whom you send this.",
            err=True,
        )
    return Redactor(key)


def export_subgraph(
    ctx: typer.Context,
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", metavar="FILE", help="Where to write.", show_default=False)
    ] = None,
    query: Annotated[
        Optional[str],
        typer.Option(
            "--query", "-q", metavar="NAME", help="A canned query whose rows make the subgraph.", show_default=False
        ),
    ] = None,
    params: ParamsArg = None,
    around: Annotated[
        Optional[str],
        typer.Option(
            "--around",
            metavar="KEY",
            help="The entity at the centre: a name, address, CIDR, ASN, organisation, email or registrar.",
            show_default=False,
        ),
    ] = None,
    hops: Annotated[
        int, typer.Option("--hops", min=0, metavar="K", help="With --around: how many relationships out.")
    ] = 1,
    limit: Annotated[
        int, typer.Option("--limit", min=1, metavar="N", help="With --around: at most this many nodes.")
    ] = 200,
    everything: Annotated[
        bool, typer.Option("--all", help="The whole graph (small graphs; for large ones use `export bulk`).")
    ] = False,
    fmt: Annotated[
        Optional[ExportFormat],
        typer.Option("--format", "-f", help="File format (default: from the extension).", show_default=False),
    ] = None,
    redact: RedactArg = False,
    redact_key: RedactKeyArg = None,
    expand: Annotated[
        bool,
        typer.Option(
            "--expand",
            help="Pictures (HTML, GraphML, GEXF, Maltego): keep parallel relationships apart, one edge each.",
        ),
    ] = False,
    merge: Annotated[
        bool,
        typer.Option("--merge", help="Data formats (JSON, CSV, Cypher): merge parallel relationships as pictures do."),
    ] = False,
    queries: QueriesArg = None,
) -> None:
    """Export a subgraph: --query NAME [-p k=v ...] or --around KEY [--hops K], to -o FILE.

    Pictures (HTML, GraphML, GEXF, Maltego) draw parallel relationships of one type between two nodes as one
    edge with their sum (a client's lookups of a name, one a day: their rollup); data formats keep each."""
    if ctx.invoked_subcommand is not None:
        return
    chosen = [
        name for name, given in (("--query", query), ("--around", around), ("--all", everything or None)) if given
    ]
    if len(chosen) != 1:
        raise GraphkitError("choose the subgraph with one of --query NAME, --around KEY or --all (see --help)")
    if output is None:
        raise GraphkitError("give the output file with -o FILE")
    from graphkit.export import parallel
    from graphkit.query import subgraph

    file_format = fmt.value if fmt else export.format_for(output)
    redactor = _redactor(redact, redact_key)
    options = store_options(ctx)
    if query is not None:
        canned = get_query(query, queries or ())
        bound = canned.bind(untyped(parse_assignments(params or ())))
        title = canned.name + "".join(f" {k}={v}" for k, v in bound.items() if v is not None)
    elif params:
        raise GraphkitError("-p parameters go with --query")
    if expand and merge:
        raise GraphkitError("--expand and --merge: choose one")
    merged = merge or (file_format in parallel.VISUAL and not expand)
    backend = open_store(options, read_only=True)
    try:
        if merged:
            require_rollups(backend)
        if query is not None:
            graph = subgraph.from_rows(backend, run_query(backend, canned, bound), bound, rollups=merged)
        elif around is not None:
            graph = subgraph.around(backend, around, hops, limit, rollups=merged)
            title = f"around {around}, {hops} hop{'s' if hops != 1 else ''}"
        else:
            graph = subgraph.whole_graph(backend, rollups=merged)
            title = f"the whole graph of {backend.display}"
        subgraph.add_provenance(backend, graph)
    finally:
        backend.close()
    if redactor:
        graph, title = redactor.subgraph(graph), str(redactor.text(title)) + " (redacted)"
    if merged:
        graph = parallel.merged(graph)
    files = export.write(graph, output, file_format, title)
    for note in graph.notes:
        typer.echo(f"note: {note}", err=True)
    if not graph.nodes:
        typer.echo("note: the subgraph is empty", err=True)
    typer.echo(f"wrote {graph.summary()} as {file_format} to {', '.join(str(f) for f in files)}")


def bulk(
    ctx: typer.Context,
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="DIR", help="Folder for the CSV files.", show_default=False)
    ],
    target_database: Annotated[
        str, typer.Option("--target-database", help="Database name in the printed import command.")
    ] = "neo4j",
    batch: Annotated[
        int, typer.Option("--batch", min=100, metavar="N", help="Nodes read per query (memory stays bounded).")
    ] = 10_000,
    redact: RedactArg = False,
    redact_key: RedactKeyArg = None,
) -> None:
    """The whole graph as header-typed CSVs for `neo4j-admin database import full`, and the command to run."""
    from graphkit.export.bulk import export_bulk

    redactor = _redactor(redact, redact_key)
    backend = open_store(store_options(ctx), read_only=True)
    try:
        result = export_bulk(backend, output, redactor=redactor, batch=batch, progress=_progress())
    finally:
        backend.close()
    if sys.stderr.isatty():
        typer.echo("", err=True)
    typer.echo(
        f"wrote {result.count('nodes')} nodes and {result.count('relationships')} relationships "
        f"in {len(result.files)} files to {output}"
    )
    typer.echo("")
    typer.echo("With Neo4j stopped, build the database (it must not exist yet, or add --overwrite-destination=true):")
    typer.echo("")
    typer.echo("  " + result.command_line(target_database))
    typer.echo("")
    typer.echo("Then start Neo4j and create graphkit's constraints and indexes:")
    typer.echo("  graphkit schema cypher | cypher-shell -u neo4j   (or paste its output into Neo4j Browser)")


def _progress() -> Callable[[str, int], None] | None:
    """A progress line on a terminal, nothing otherwise."""
    if not sys.stderr.isatty():
        return None

    def show(label: str, rows: int) -> None:
        typer.echo(f"\r{label}: {rows:,} nodes        ", err=True, nl=False)

    return show
