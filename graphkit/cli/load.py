"""`graphkit load KIND FILES...`: one subcommand per input kind, one shared pipeline.

The parsers and the pipeline are imported when a load runs: they bring pyarrow and ladybug.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from graphkit.backends.store import StoreOptions, open_store
from graphkit.cli.options import FormatArg, store_options
from graphkit.cli.output import Format
from graphkit.ingest import DEFAULT_BATCH

if TYPE_CHECKING:
    from graphkit.ingest.context import ParseContext, Parser
    from graphkit.ingest.pipeline import LoadReport

HELP = "Load input files into the graph. Rejected lines are named and kept; the rest loads."

FilesArg = Annotated[
    list[Path], typer.Argument(help="Input files (gzip is detected; - reads standard input).", show_default=False)
]
StrictArg = Annotated[
    bool, typer.Option("--strict", help="Stop at a file's first bad line and write nothing from that file.")
]
BatchArg = Annotated[
    int, typer.Option("--batch-size", help="Rows read at a time, and per write merging into what the store holds.")
]


def run_load(
    parser: Parser,
    files: list[Path],
    options: StoreOptions,
    *,
    strict: bool = False,
    batch_size: int = DEFAULT_BATCH,
    fmt: Format = Format.table,
) -> list[LoadReport]:
    """Load every file with one parser; print a summary line per file."""
    return load_files(lambda path: parser, parser.kind, files, options, strict=strict, batch_size=batch_size, fmt=fmt)


def load_files(
    choose: Callable[[Path], Parser | str],
    kind: str,
    files: list[Path],
    options: StoreOptions,
    *,
    strict: bool = False,
    batch_size: int = DEFAULT_BATCH,
    fmt: Format = Format.table,
) -> list[LoadReport]:
    """Load every file with the parser `choose` gives for it (or refuse it, with the reason
    `choose` gives instead); print a summary line per file. One rule for every kind: exit 1 if
    any file was rejected whole (unreadable, not of this kind, or every record of it rejected),
    while an empty file is a warning."""
    from graphkit.ingest import inputs, rollups
    from graphkit.ingest.context import RejectsFile
    from graphkit.ingest.pipeline import Loader, LoadReport

    backend = open_store(options)
    rejects = RejectsFile(options.rejects_dir(), kind)
    reports = []
    try:
        backend.ensure_schema()
        if rollups.catch_up(backend):  # a store an older graphkit loaded
            typer.echo(
                f"note: summed the lookups already in {backend.display} into rollups (LOOKED_UP_TOTAL)", err=True
            )
        progress = _progress()
        loaders: dict[int, Loader] = {}  # per parser
        for path in files:
            parser = None if inputs.is_empty(path) else choose(path)  # an empty file is no kind
            if isinstance(parser, str):
                report = LoadReport(str(path), rejected_whole=parser)
                reports.append(report)
                _print_report(report, fmt)
                continue
            if parser is None:
                report = LoadReport(str(path), empty=True)
            else:
                loader = loaders.get(id(parser))
                if loader is None:
                    loader = loaders[id(parser)] = Loader(
                        backend, parser, rejects=rejects, strict=strict, batch_size=batch_size, progress=progress
                    )
                report = loader.load(path)
            if report.empty:
                typer.echo(f"warning: {path}: empty file, nothing to load", err=True)
                reports.append(report)
                if fmt is not Format.table:
                    _print_report(report, fmt)
                continue
            if progress is not None:
                typer.echo("\r\033[K", err=True, nl=False)  # the summary replaces the progress line
            reports.append(report)
            read_through = _all_rejected(report)
            if read_through:
                report.rejected_whole = read_through
            _print_report(report, fmt, read_through=bool(read_through))
    finally:
        rejects.close()
        backend.close()
    if rejects.used:
        typer.echo(f"rejected lines written to {rejects.path}", err=True)
    if any(r.rejected_whole for r in reports):
        raise typer.Exit(1)
    return reports


def _all_rejected(report: LoadReport) -> str | None:
    """Why a file read to the end counts as rejected whole: records, and every one rejected."""
    if report.rejected_whole or not report.rejected or report.nodes or report.edges:
        return None
    return f"{report.path}: nothing loaded, every record rejected ({report.rejected})"


def _print_report(report: LoadReport, fmt: Format, read_through: bool = False) -> None:
    """A file rejected whole says why first; one read through whose every record was rejected
    (`read_through`) gives its summary and rejects first."""
    if fmt is not Format.table:
        typer.echo(json.dumps(report.as_dict(), sort_keys=True))
        return
    if report.rejected_whole and not read_through:
        typer.echo(f"rejected whole: {report.rejected_whole}", err=True)
        _print_rejects(report)  # lines rejected before, often why nothing in the file was usable
        return
    extra = "".join(f", {k} {v}" for k, v in sorted(report.counts.items()))
    skipped = "".join(f", skipped {v} ({k})" for k, v in sorted(report.skipped.items()))
    typer.echo(
        f"{report.path}: {report.nodes} nodes, {report.edges} relationships{extra}{skipped}, {report.rejected} rejected"
    )
    _print_rejects(report)
    if report.rejected_whole:
        typer.echo(f"rejected whole: {report.rejected_whole}", err=True)


def _print_rejects(report: LoadReport) -> None:
    for reject in report.shown:
        typer.echo(f"  rejected {reject}", err=True)
    if report.rejected > len(report.shown):
        typer.echo(f"  ... and {report.rejected - len(report.shown)} more rejected", err=True)


def _progress() -> Callable[[ParseContext], None] | None:
    """A progress line on a terminal, nothing otherwise."""
    if not sys.stderr.isatty():
        return None

    def show(ctx: ParseContext) -> None:
        if ctx.raw is not None and not ctx.raw.closed:
            size = ctx.path.stat().st_size or 1
            lines = ctx.counts.get("lines read") or ctx.line
            at = f"  line {lines:,}" if lines else ""
            typer.echo(f"\r{ctx.path.name}: {100 * ctx.raw.tell() / size:5.1f}%{at}", err=True, nl=False)

    return show


def load_records(
    ctx: typer.Context,
    files: FilesArg,
    strict: StrictArg = False,
    batch_size: BatchArg = DEFAULT_BATCH,
    fmt: FormatArg = Format.table,
) -> None:
    """Load observation records (JSON lines: {"node": ...} / {"edge": ...}), validated against the schema."""
    from graphkit.parsers.records_jsonl import RecordsParser

    run_load(RecordsParser(), files, store_options(ctx), strict=strict, batch_size=batch_size, fmt=fmt)


def load_stix(
    ctx: typer.Context,
    files: FilesArg,
    strict: StrictArg = False,
    batch_size: BatchArg = DEFAULT_BATCH,
    fmt: FormatArg = Format.table,
) -> None:
    """Load STIX 2.1 bundles (OpenCTI, MISP, graphkit export): domains, addresses, ASes, emails,
    certificates and organizations with the relationships among them; what has no graph form
    is counted by type."""
    from graphkit.parsers.stix import StixParser

    run_load(StixParser(), files, store_options(ctx), strict=strict, batch_size=batch_size, fmt=fmt)
