"""The load pipeline: parser -> normaliser -> spill (merged across the load) -> writer -> store.

One Source node per input file (id from the file's content, so loading it again is a
no-op) is filled in last, after every record of the file: its `loaded_at` means the file
was loaded completely. A lookup log's Source is begun (a bare node) before its first
lookups are written: see Backend.claim_source.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graphkit.backends.base import Backend
from graphkit.errors import GraphkitError
from graphkit.ingest import DEFAULT_BATCH, inputs
from graphkit.ingest.consolidate import Batch
from graphkit.ingest.context import FileRejected, ParseContext, Parser, Reject, RejectsFile
from graphkit.ingest.normalise import Normaliser, Rejecter, derived_tables
from graphkit.ingest.observations import Observations, Observed
from graphkit.ingest.spill import Spill
from graphkit.ingest.writer import GraphWriter
from graphkit.model import tables, times
from graphkit.model.records import EdgeRecord, NodeRecord, Record, RecordError, validate
from graphkit.model.schema import SCHEMA
from graphkit.model.tables import Bulk, NodeTable

SHOWN_REJECTS = 10


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
    empty: bool = False  # nothing but whitespace: not loaded, a warning rather than a reject

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


def now_iso() -> str:
    return datetime.now(UTC).strftime(times.FORMAT)


def canonical_tables(parser: Parser, ctx: ParseContext, batch_size: int = DEFAULT_BATCH) -> Iterator[Bulk]:
    """The parser's observations as canonical node and edge tables; bad rows are rejected through
    ctx. What names no source is the file's."""

    def sourced() -> Iterator[Record | Bulk | Observed]:
        for item in parser(ctx):
            if item.source is None:
                item.source, ctx.source_used = ctx.file_source(), True
            yield item

    return tables_of(sourced(), ctx.reject_row, batch_size, lambda: ctx.line)


def tables_of(
    items: Iterable[Record | Bulk | Observed],
    reject: Rejecter,
    batch_size: int = DEFAULT_BATCH,
    line: Callable[[], int | None] = lambda: None,
) -> Iterator[Bulk]:
    """Observations as canonical node and edge tables, endpoints first, a table per label and
    relationship for each batch of rows. Single records are validated (`line()`: where the one
    at hand was read) and gathered into tables too."""
    normalise = Normaliser(reject)
    gathered = Observations(batch_size)
    batch = Batch(batch_size)
    for item in items:
        if isinstance(item, NodeRecord | EdgeRecord):
            try:
                validate(item)
            except RecordError as exc:
                reject(str(exc), _describe(item), line())
                continue
            gathered.record(item, line())
            if gathered.full:
                _normalise_into(batch, gathered.take(), normalise)
        elif isinstance(item, Observed):
            _normalise_into(batch, [item], normalise)
        else:  # a canonical table (a lookup log's): what came before it is written before it
            _normalise_into(batch, gathered.take(), normalise)
            yield from batch.take()
            yield from derived_tables(item) if isinstance(item, NodeTable) else [item]
        if batch.full:
            yield from batch.take()
    _normalise_into(batch, gathered.take(), normalise)
    yield from batch.take()


def _normalise_into(batch: Batch, observed: Iterable[Observed], normalise: Normaliser) -> None:
    for table in observed:
        batch.add(normalise(table))


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
        for bulk in canonical_tables(parser, ctx):
            result.records += bulk.table.num_rows
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
        tables.use_returning_allocator()

    def load(self, path: Path) -> LoadReport:
        if inputs.is_empty(path):
            return LoadReport(str(path), empty=True)
        with contextlib.ExitStack() as stack:
            try:
                data = stack.enter_context(inputs.readable(path))  # standard input: a copy
            except GraphkitError as exc:
                return LoadReport(str(path), rejected_whole=str(exc))
            return self._load(path, data, str(path) if data != path else "")

    def _load(self, path: Path, data: Path, name: str) -> LoadReport:
        """Load `path`, read from `data` (named `name` when it is a copy). The file's digest,
        which names its Source, is read beside the parse: a lookup log's rows need it only once
        the whole file is read (a 10M-line log's 1.7 GB took 1.5 s before the parse began)."""
        report = LoadReport(str(path))
        hashed = inputs.sha256_beside(data)

        def source() -> str:
            try:
                report.source = f"{self.parser.kind}:{hashed.result()[:16]}"
            except GraphkitError as exc:
                raise _Unreadable(str(exc)) from None
            return report.source

        try:
            return self._load_with(path, data, name, report, source, hashed)
        except _Unreadable as exc:
            report.rejected_whole = str(exc)
            return report

    def _load_with(
        self, path: Path, data: Path, name: str, report: LoadReport, source: Callable[[], str], hashed: Future[str]
    ) -> LoadReport:
        if self.strict:
            source()
            first = self._first_reject(data, report.source, name)
            if first is not None:
                report.rejected, report.rejected_whole = 1, f"--strict: {first}"
                self.rejects.write(first)
                return report
        writer = GraphWriter(self.backend, self.batch_size)
        ctx = self._context(data, report, name)
        ctx.pending_source = source
        try:
            with Spill(self.backend.table_rows) as spill:
                for bulk in canonical_tables(self.parser, ctx, self.batch_size):
                    spill.add(bulk)
                    ctx.tick()
                ctx.file_source()  # the report names it, whatever the rows named
                for bulk in spill.tables():
                    writer.add(bulk)
            writer.flush()
            report.nodes = sum(n for k, n in writer.written.items() if k in SCHEMA.by_label)
            report.edges = sum(n for k, n in writer.written.items() if k in SCHEMA.by_type)
            report.skipped, report.counts = dict(ctx.skipped), dict(ctx.counts)
            if ctx.source_used or not (report.nodes or report.edges):
                self._write_source(writer, ctx, report, hashed.result())
        except FileRejected as exc:
            failure = writer.abandon()
            if failure is not None:  # the store failed too: that is what the user must hear of
                raise failure from None
            reject = Reject(str(path), exc.line, exc.reason)
            report.rejected_whole = str(reject)
            self.rejects.write(reject)
        except BaseException:
            writer.abandon()
            raise
        return report

    def _context(self, path: Path, report: LoadReport, name: str) -> ParseContext:
        def on_reject(reject: Reject) -> None:
            report.rejected += 1
            if len(report.shown) < SHOWN_REJECTS:
                report.shown.append(reject)
            self.rejects.write(reject)

        return ParseContext(path, report.source, on_reject, progress=self.progress, name=name)

    def _first_reject(self, path: Path, source: str, name: str) -> Reject | None:
        found: list[Reject] = []

        def stop(reject: Reject) -> None:
            found.append(reject)
            raise _StopParsing

        ctx = ParseContext(path, source, stop, name=name)
        try:
            for _ in canonical_tables(self.parser, ctx, self.batch_size):
                pass
        except _StopParsing:
            return found[0]
        except FileRejected as exc:
            return Reject(name or str(path), exc.line, exc.reason)
        return None

    def _write_source(self, writer: GraphWriter, ctx: ParseContext, report: LoadReport, digest: str) -> None:
        props = {
            "kind": self.parser.kind,
            "path": ctx.name or str(Path(report.path).resolve()),
            "sha256": digest,
            "loaded_at": now_iso(),
            "records": report.nodes + report.edges,
            "rejects": report.rejected,
            "summary": json.dumps({"skipped": report.skipped, "counts": report.counts}, sort_keys=True),
            **ctx.source_props,
        }
        node = SCHEMA.by_label["Source"]
        writer.add(NodeTable("Source", tables.from_rows(tables.node_schema(node), [{"_k": report.source, **props}])))
        writer.flush()


class _StopParsing(Exception):
    pass


class _Unreadable(Exception):
    """The file could not be read for its digest: the message says why, naming the file."""


def _describe(record: Record) -> str:
    if isinstance(record, NodeRecord):
        return f"{record.label} {record.key!r}"
    assert isinstance(record, EdgeRecord)
    return f"{record.type} {record.from_key!r} -> {record.to_key!r}"
