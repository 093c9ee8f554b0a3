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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from graphkit.errors import GraphkitError
from graphkit.ingest.combine import combined
from graphkit.model import tables
from graphkit.model.schema import SCHEMA, Prop
from graphkit.model.tables import Bulk, EdgeTable, NodeTable

HELD_ROWS = 1_000_000  # rows held in memory before the load's tables go to disk
PARTS = 16
WRITE_ROWS = 1_000_000  # rows per table handed on at most: one COPY into a relationship table beats several

_Key = tuple[str, str, str]  # label or type, from label, to label ('' for nodes)


@dataclass
class _Gathered:
    """What the load yielded for one label or relationship between two labels."""

    schema: pa.Schema
    identity: list[str]
    props: Sequence[Prop]
    sources: set[str | None] = field(default_factory=set)
    distinct: bool = True
    held: list[pa.Table] = field(default_factory=list)
    files: dict[int, tuple[Path, pa.ipc.RecordBatchStreamWriter]] = field(default_factory=dict)  # per partition


class Spill:
    """Tables added during a load; `tables()` hands them on merged, nodes first."""

    def __init__(self, held_rows: int = HELD_ROWS) -> None:
        self.held_rows = held_rows
        self._held = 0
        self._folder: Path | None = None
        self._files = 0
        self._gathered: dict[_Key, _Gathered] = {}

    def __enter__(self) -> Spill:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, bulk: Bulk) -> None:
        gathered = self._gathering(bulk)
        if isinstance(bulk, NodeTable):
            declared = SCHEMA.by_label[bulk.label].props_by_name
        else:
            declared = SCHEMA.by_type[bulk.type].props_by_name
            gathered.distinct = gathered.distinct and bulk.distinct
        gathered.sources.add(bulk.source)
        # the rows name their source now: tables of several sources merge into one
        table = tables.conform(gathered.schema, tables.with_provenance(bulk.table, bulk.source, declared, rows=False))
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
        for key, gathered in sorted(self._gathered.items(), key=lambda item: bool(item[0][1])):
            pending: list[pa.Table] = []
            for part in self._parts(gathered):
                merged = combined(part, gathered.identity, gathered.props)
                pending.append(merged)
                if sum(t.num_rows for t in pending) >= WRITE_ROWS:
                    yield self._bulk(key, gathered, pa.concat_tables(pending))
                    pending = []
            if pending:
                yield self._bulk(key, gathered, pa.concat_tables(pending))

    def close(self) -> None:
        for gathered in self._gathered.values():
            for _, writer in gathered.files.values():
                writer.close()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
        self._folder, self._gathered, self._held = None, {}, 0

    def _gathering(self, bulk: Bulk) -> _Gathered:
        if isinstance(bulk, NodeTable):
            key: _Key = (bulk.label, "", "")
        else:
            key = (bulk.type, bulk.from_label, bulk.to_label)
        if key not in self._gathered:
            if isinstance(bulk, NodeTable):
                node = SCHEMA.by_label[bulk.label]
                self._gathered[key] = _Gathered(tables.node_schema(node), ["_k"], node.props)
            else:
                rel = SCHEMA.by_type[bulk.type]
                schema = tables.edge_schema(rel, bulk.from_label, bulk.to_label)
                self._gathered[key] = _Gathered(schema, ["_f", "_t", *rel.identity], rel.props)
        return self._gathered[key]

    def _write(self, gathered: _Gathered, table: pa.Table) -> None:
        assert self._folder is not None
        column = table.column(gathered.identity[0]).to_pylist()
        part_of = pa.array([hash(value) % PARTS for value in column], pa.int64())
        for part in range(PARTS):
            rows = table.filter(pc.equal(part_of, pa.scalar(part, pa.int64())))
            if not rows.num_rows:
                continue
            try:
                if part not in gathered.files:
                    self._files += 1
                    path = self._folder / f"{self._files}.arrow"
                    gathered.files[part] = (path, pa.ipc.new_stream(str(path), gathered.schema))
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

    @staticmethod
    def _bulk(key: _Key, gathered: _Gathered, table: pa.Table) -> Bulk:
        name, from_label, to_label = key
        source = next(iter(gathered.sources)) if len(gathered.sources) == 1 else None
        if not from_label:
            return NodeTable(name, table, source, merged=True)
        return EdgeTable(name, from_label, to_label, table, source, distinct=gathered.distinct, merged=True)


def _no_room(folder: str, exc: OSError) -> GraphkitError:
    return GraphkitError(
        f"cannot keep the load's tables in {folder}: {exc.strerror or exc}; set TMPDIR to a folder with room"
    )
