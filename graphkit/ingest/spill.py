"""Every table a load yields, merged across the whole load before anything is written.

The same node or edge turns up in many batches of one input (a name server of thousands of
domains, a registered domain under each of its hosts). Merged here by the schema's rules
(`combine`), each identity reaches the store once per load, which is what lets a store table
that held nothing before the load take its rows in one COPY without looking any of them up
(`Bulk.merged`; most of a first load's time before), and lets a store that has them look each
up once rather than once per batch.

Memory stays bounded whatever the input: past `HELD_ROWS` rows, tables go to Arrow IPC files
in a temporary folder (TMPDIR), split into `PARTS` partitions by a hash of the first identity
column, so that one identity is always in one partition; each partition is merged on its own.
Rows keep the order they came in within a partition, so FIRST and SET merge as they would
batch by batch.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from graphkit.errors import GraphkitError
from graphkit.ingest.combine import combined
from graphkit.model import tables
from graphkit.model.tables import Bulk, EdgeTable, Kind

HELD_ROWS = 1_000_000  # rows held in memory before the load's tables go to disk
PARTS = 64  # a partition of a 10M-row load merges in about 100 MB


@dataclass
class _Gathered:
    """What the load yielded of one kind of table."""

    kind: Kind
    sources: set[str | None] = field(default_factory=set)
    distinct: bool = True
    held: list[pa.Table] = field(default_factory=list)
    files: dict[int, tuple[Path, pa.ipc.RecordBatchStreamWriter]] = field(default_factory=dict)  # per partition


class Spill:
    """Tables added during a load; `tables()` hands them on merged, nodes first."""

    def __init__(self, table_rows: int, held_rows: int = HELD_ROWS) -> None:
        self.table_rows = table_rows  # rows per table handed on at most (Backend.table_rows)
        self.held_rows = held_rows
        self._held = 0
        self._folder: Path | None = None
        self._files = 0
        self._gathered: dict[Kind, _Gathered] = {}

    def __enter__(self) -> Spill:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, bulk: Bulk) -> None:
        kind = Kind.of(bulk)
        gathered = self._gathered.setdefault(kind, _Gathered(kind))
        gathered.sources.add(bulk.source)
        gathered.distinct = gathered.distinct and isinstance(bulk, EdgeTable) and bulk.distinct
        # the rows name their source now: tables of several sources merge into one
        table = tables.with_provenance(bulk.table, bulk.source, kind.declared.props_by_name, rows=False)
        table = tables.conform(kind.schema, table)
        if self._folder is not None:
            self._write(gathered, table)
            return
        gathered.held.append(table)
        self._held += table.num_rows
        if self._held > self.held_rows:
            try:
                self._folder = Path(tempfile.mkdtemp(prefix="graphkit-load-"))
            except OSError as exc:
                raise _no_room(tempfile.gettempdir(), exc) from None
            for held in self._gathered.values():
                for part in held.held:
                    self._write(held, part)
                held.held.clear()

    def tables(self) -> Iterator[Bulk]:
        """The load's tables, one identity once in all of them; node tables first."""
        tables.release_unused_memory()  # the parse is over
        for kind, gathered in sorted(self._gathered.items(), key=lambda item: bool(item[0].from_label)):
            flags = {"merged": True, **({"distinct": gathered.distinct} if kind.from_label else {})}
            pending: list[pa.Table] = []
            rows = 0
            for part in self._parts(gathered):
                pending.append(combined(part, kind.identity, kind.declared.props))
                rows += pending[-1].num_rows
                if rows >= self.table_rows:
                    yield kind.bulk(pa.concat_tables(pending), gathered.sources, **flags)
                    pending, rows = [], 0
            if pending:
                yield kind.bulk(pa.concat_tables(pending), gathered.sources, **flags)

    def close(self) -> None:
        for gathered in self._gathered.values():
            for _, writer in gathered.files.values():
                writer.close()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
        self._folder, self._gathered, self._held = None, {}, 0

    def _write(self, gathered: _Gathered, table: pa.Table) -> None:
        assert self._folder is not None
        column = table.column(gathered.kind.identity[0]).to_pylist()
        part_of = pa.array([hash(value) % PARTS for value in column], pa.int64())
        # grouped by partition in one stable sort: rows keep their order within each
        table = table.take(pc.sort_indices(part_of))
        start = 0
        parts, sizes = pc.value_counts(part_of).flatten()
        for part, size in sorted(zip(parts.to_pylist(), sizes.to_pylist(), strict=True)):
            rows = table.slice(start, size)
            start += size
            try:
                if part not in gathered.files:
                    self._files += 1
                    path = self._folder / f"{self._files}.arrow"
                    gathered.files[part] = (path, pa.ipc.new_stream(str(path), table.schema))
                gathered.files[part][1].write_table(rows)
            except OSError as exc:
                raise _no_room(str(self._folder), exc) from None

    def _parts(self, gathered: _Gathered) -> Iterator[pa.Table]:
        if gathered.held:
            yield pa.concat_tables(gathered.held)
            gathered.held.clear()
        while gathered.files:
            _, (path, writer) = gathered.files.popitem()
            writer.close()
            with pa.ipc.open_stream(str(path)) as reader:
                table = reader.read_all()
            path.unlink()
            yield table


def _no_room(folder: str, exc: OSError) -> GraphkitError:
    return GraphkitError(
        f"cannot keep the load's tables in {folder}: {exc.strerror or exc}; set TMPDIR to a folder with room"
    )
