"""`graphkit collect`: live collection (DNS, RDAP); results load into --store or go to --emit FILE."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Optional

import typer

from graphkit.backends.store import StoreOptions, open_store
from graphkit.errors import GraphkitError
from graphkit.model.records import NodeRecord, Record

HELP = "Collect live data (DNS, RDAP, TLS). Load it straight into the store, or --emit a records file."

InputArg = Annotated[
    Optional[Path],
    typer.Option("--input", "-i", help="File of targets, one a line ('#' starts a comment).", show_default=False),
]
EmitArg = Annotated[
    Optional[Path],
    typer.Option(
        "--emit",
        help="Write the records to this JSON-lines file (for `graphkit load records`) instead of the store.",
        show_default=False,
    ),
]


def check_emit(emit: Path | None) -> None:
    """Refuse --emit into a folder that is not there before collecting anything."""
    if emit is not None and not emit.resolve().parent.is_dir():
        raise GraphkitError(f"--emit {emit}: no such folder")


def read_targets(given: list[str], input_file: Path | None) -> list[str]:
    """Targets from the command line and --input FILE (one a line, `#` comments), blanks dropped."""
    raw = list(given)
    if input_file is not None:
        try:
            text = input_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise GraphkitError(f"{input_file}: cannot read ({exc})") from None
        raw += [line.split("#", 1)[0] for line in text.splitlines()]
    return [value.strip() for value in raw if value.strip()]


def deliver(records: Iterable[Record], source: NodeRecord, emit: Path | None, options: StoreOptions) -> tuple[int, str]:
    """Write a collection to --emit FILE or load it into the store; (records written, where)."""
    from graphkit.ingest import sink

    if emit is not None:
        try:
            return sink.emit(records, source, emit), f"written to {emit}"
        except OSError as exc:
            raise GraphkitError(f"{emit}: cannot write ({exc.strerror or exc})") from None
    backend = open_store(options)
    try:
        written, problems = sink.load(records, source, backend)
    finally:
        backend.close()
    for problem in problems[:10]:
        typer.echo(f"  not loaded: {problem}", err=True)
    return written, f"loaded into {backend.display}"
