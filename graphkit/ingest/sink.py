"""Where a collector's records go: straight into a store, or to a JSON-lines file
(`--emit`) that `graphkit load records` reads back into the same graph."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from graphkit.backends.base import Backend
from graphkit.ingest.normalise import Normaliser
from graphkit.ingest.writer import GraphWriter
from graphkit.model.names import InvalidName
from graphkit.model.records import NodeRecord, Record, RecordError, to_json, validate


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
    """Normalise, validate and write records, then the Source node; returns (written, problems)."""
    backend.ensure_schema()
    writer = GraphWriter(backend)
    normalise = Normaliser()
    written, problems = 0, []
    for record in records:
        record.source = record.source or str(source.key)
        try:
            validate(record)
            for row in normalise(record):
                writer.add(row)
        except (RecordError, InvalidName) as exc:
            problems.append(str(exc))
            continue
        written += 1
    writer.add(source)
    writer.flush()
    return written + 1, problems
