"""Where a collector's records go: straight into a store, or to a JSON-lines file
(`--emit`) that `graphkit load records` reads back into the same graph."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from graphkit.backends.base import Backend
from graphkit.ingest import DEFAULT_BATCH
from graphkit.ingest.pipeline import tables_of
from graphkit.ingest.spill import Spill
from graphkit.ingest.writer import GraphWriter
from graphkit.model.records import NodeRecord, Record, RecordError, to_json


def emit(records: Iterable[Record], source: NodeRecord, path: Path) -> int:
    """Write records (each naming `source`) and, last, the Source node itself; returns the count."""
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        for record in records:
            record.source = record.source or str(source.key)
            out.write(to_json(record) + "\n")
            written += 1
        out.write(to_json(source) + "\n")
    return written + 1


def load(records: Iterable[Record], source: NodeRecord, backend: Backend) -> tuple[int, list[str]]:
    """Validate, normalise and write records, then the Source node; returns (written, problems)."""
    backend.ensure_schema()
    problems: list[str] = []
    written = write_records(records, backend, str(source.key), problems.append)
    write_records([source], backend, None, problems.append)
    return written + 1, problems


def write_records(
    records: Iterable[Record],
    backend: Backend,
    source: str | None = None,
    problem: Callable[[str], None] | None = None,
    batch_size: int = DEFAULT_BATCH,
) -> int:
    """Records (each naming `source` unless it names its own) through the load path into a
    store; a record that does not fit is told to `problem` (raised without one). Returns the
    records written."""
    told = problem or _raise
    count = rejected = 0

    def reject(reason: str, text: str, line: int | None) -> None:
        nonlocal rejected
        rejected += 1
        told(reason)

    def sourced() -> Iterator[Record]:
        nonlocal count
        for record in records:
            record.source = record.source or source
            count += 1
            yield record

    with Spill(backend.table_rows) as spill, GraphWriter(backend, batch_size) as writer:
        for bulk in tables_of(sourced(), reject, batch_size):
            spill.add(bulk)
        for bulk in spill.tables():
            writer.add(bulk)
    return count - rejected


def _raise(problem: str) -> None:
    raise RecordError(problem)
