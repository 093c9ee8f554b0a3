"""The load pipeline: parser -> normaliser -> writer -> store, with rejects and provenance.

One Source node per input file (id from the file's content, so loading it again is a
no-op) is filled in last, after every record of the file: its `loaded_at` means the file
was loaded completely. A lookup log's Source is begun (a bare node) before its first
lookups are written: see Backend.claim_source.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TextIO

from graphkit import inputs, times
from graphkit.backends.base import Backend
from graphkit.batches import Bulk, EdgeTable, NodeTable
from graphkit.errors import GraphkitError
from graphkit.names import InvalidName
from graphkit.normalise import Normaliser, derived_tables
from graphkit.records import EdgeRecord, NodeRecord, Record, RecordError, validate
from graphkit.schema import SCHEMA
from graphkit.writer import DEFAULT_BATCH, GraphWriter

SHOWN_REJECTS = 10
PROGRESS_SECONDS = 0.25  # how often a progress display is told


class FileRejected(Exception):
    """The whole file is unusable (for example a zone file with a syntax error)."""

    def __init__(self, line: int | None, reason: str) -> None:
        super().__init__(reason)
        self.line, self.reason = line, reason


@dataclass
class Reject:
    path: str
    line: int | None
    reason: str
    text: str = ""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


@dataclass
class ParseContext:
    """What a parser may tell the pipeline while it reads one file."""

    path: Path
    source: str
    on_reject: Callable[[Reject], None]
    line: int | None = None
    skipped: Counter[str] = field(default_factory=Counter)
    counts: Counter[str] = field(default_factory=Counter)
    source_props: dict[str, Any] = field(default_factory=dict)
    raw: BinaryIO | None = None  # the file being read, for progress
    source_used: bool = False  # some record relied on this file's own Source
    progress: Callable[[ParseContext], None] | None = None
    _next_tick: float = 0.0

    def open(self) -> BinaryIO:
        stream, self.raw = inputs.open_binary(self.path, on_corrupt=lambda reason: self.reject(reason))
        return stream

    def lines(self, stream: BinaryIO) -> Iterator[bytes]:
        """Lines of the stream, keeping `line` current for rejects."""
        for self.line, text in inputs.numbered_lines(stream):
            yield text

    def tick(self) -> None:
        """Let a progress display catch up; parsers call it as they read, often or not."""
        if self.progress is not None:
            now = time.monotonic()
            if now >= self._next_tick:
                self._next_tick = now + PROGRESS_SECONDS
                self.progress(self)

    def reject(self, reason: str, text: bytes | str = b"", line: int | None = None) -> None:
        shown = text.decode("utf-8", "backslashreplace") if isinstance(text, bytes) else text
        self.on_reject(Reject(str(self.path), line if line is not None else self.line, reason, shown[:300]))

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped[reason] += n


class Parser(Protocol):
    kind: str

    def __call__(self, ctx: ParseContext) -> Iterator[Record | Bulk]: ...


@dataclass
class LoadReport:
    path: str
    source: str = ""
    nodes: int = 0
    edges: int = 0
    rejected: int = 0
    rejected_whole: str | None = None
    shown: list[Reject] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "source": self.source,
            "nodes": self.nodes,
            "edges": self.edges,
            "rejected": self.rejected,
            "rejected_whole": self.rejected_whole,
            "skipped": self.skipped,
            "counts": self.counts,
        }


class RejectsFile:
    """Rejected lines of one command, opened on the first reject."""

    def __init__(self, folder: Path, kind: str) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        self.path = folder / f"{kind}-{stamp}.txt"
        self._file: TextIO | None = None

    def write(self, reject: Reject) -> None:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "w", encoding="utf-8")  # noqa: SIM115
        text = reject.text.replace("\t", "\\t").replace("\n", "\\n")
        self._file.write(f"{reject}\t{text}\n")

    def close(self) -> None:
        if self._file:
            self._file.close()

    @property
    def used(self) -> bool:
        return self._file is not None


def now_iso() -> str:
    return datetime.now(UTC).strftime(times.FORMAT)


def canonical_records(parser: Parser, ctx: ParseContext) -> Iterator[Record | Bulk]:
    """The parser's records, validated and normalised; bad ones are rejected through ctx."""
    normalise = Normaliser()
    for record in parser(ctx):
        if record.source is None:
            record.source, ctx.source_used = ctx.source, True
        if isinstance(record, EdgeTable):  # bulk edges: canonical keys, endpoints yielded before
            yield record
            continue
        if isinstance(record, NodeTable):
            yield from derived_tables(record)
            continue
        try:
            validate(record)
            yield from normalise(record)
        except (RecordError, InvalidName) as exc:
            ctx.reject(str(exc), _describe(record))


@dataclass
class DryRun:
    records: int = 0
    rejects: list[Reject] = field(default_factory=list)
    rejected_whole: Reject | None = None


def dry_run(parser: Parser, path: Path) -> DryRun:
    """Parse, validate and normalise a file without a store: what a load would write and reject."""
    result = DryRun()
    ctx = ParseContext(path, f"{parser.kind}:dry-run", result.rejects.append)
    try:
        for _ in canonical_records(parser, ctx):
            result.records += 1
    except FileRejected as exc:
        result.rejected_whole = Reject(str(path), exc.line, exc.reason)
    return result


class Loader:
    """Loads files of one kind into one store."""

    def __init__(
        self,
        backend: Backend,
        parser: Parser,
        *,
        rejects: RejectsFile,
        strict: bool = False,
        batch_size: int = DEFAULT_BATCH,
        progress: Callable[[ParseContext], None] | None = None,
    ) -> None:
        self.backend, self.parser, self.rejects = backend, parser, rejects
        self.strict, self.batch_size, self.progress = strict, batch_size, progress

    def load(self, path: Path) -> LoadReport:
        report = LoadReport(str(path))
        try:
            digest = inputs.sha256_of(path)
        except GraphkitError as exc:
            report.rejected_whole = str(exc)
            return report
        report.source = f"{self.parser.kind}:{digest[:16]}"
        if self.strict:
            first = self._first_reject(path, report.source)
            if first is not None:
                report.rejected, report.rejected_whole = 1, f"--strict: {first}"
                self.rejects.write(first)
                return report
        writer = GraphWriter(self.backend, self.batch_size)
        ctx = self._context(path, report)
        try:
            for record in canonical_records(self.parser, ctx):
                writer.add(record)
                ctx.tick()
        except FileRejected as exc:
            reject = Reject(str(path), exc.line, exc.reason)
            report.rejected_whole = str(reject)
            self.rejects.write(reject)
            return report
        writer.flush()
        report.nodes = sum(n for k, n in writer.written.items() if k in SCHEMA.by_label)
        report.edges = sum(n for k, n in writer.written.items() if k in SCHEMA.by_type)
        report.skipped, report.counts = dict(ctx.skipped), dict(ctx.counts)
        if ctx.source_used or not (report.nodes or report.edges):
            self._write_source(writer, ctx, report, digest)
        return report

    def _context(self, path: Path, report: LoadReport) -> ParseContext:
        def on_reject(reject: Reject) -> None:
            report.rejected += 1
            if len(report.shown) < SHOWN_REJECTS:
                report.shown.append(reject)
            self.rejects.write(reject)

        return ParseContext(path, report.source, on_reject, progress=self.progress)

    def _first_reject(self, path: Path, source: str) -> Reject | None:
        found: list[Reject] = []

        def stop(reject: Reject) -> None:
            found.append(reject)
            raise _StopParsing

        ctx = ParseContext(path, source, stop)
        try:
            for _ in canonical_records(self.parser, ctx):
                pass
        except _StopParsing:
            return found[0]
        except FileRejected as exc:
            return Reject(str(path), exc.line, exc.reason)
        return None

    def _write_source(self, writer: GraphWriter, ctx: ParseContext, report: LoadReport, digest: str) -> None:
        props = {
            "kind": self.parser.kind,
            "path": str(Path(report.path).resolve()),
            "sha256": digest,
            "loaded_at": now_iso(),
            "records": report.nodes + report.edges,
            "rejects": report.rejected,
            "summary": json.dumps({"skipped": report.skipped, "counts": report.counts}, sort_keys=True),
            **ctx.source_props,
        }
        writer.add(NodeRecord("Source", report.source, props))
        writer.flush()


class _StopParsing(Exception):
    pass


def _describe(record: Record) -> str:
    if isinstance(record, NodeRecord):
        return f"{record.label} {record.key!r}"
    assert isinstance(record, EdgeRecord)
    return f"{record.type} {record.from_key!r} -> {record.to_key!r}"
