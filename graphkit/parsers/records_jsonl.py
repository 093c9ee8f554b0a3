"""`graphkit load records`: observation records in their JSON-lines form (records.to_json)."""

from __future__ import annotations

from collections.abc import Iterator

from graphkit.ingest.context import ParseContext
from graphkit.model.records import Record, RecordError, from_json


class RecordsParser:
    kind = "records"

    def __call__(self, ctx: ParseContext) -> Iterator[Record]:
        with ctx.open() as stream:
            for line in ctx.lines(stream):
                if not line.strip():
                    continue
                try:
                    text = line.decode("utf-8")
                except UnicodeDecodeError as exc:
                    ctx.reject(f"undecodable bytes at column {exc.start + 1}", line)
                    continue
                try:
                    record = from_json(text)
                except RecordError as exc:
                    ctx.reject(str(exc), line)
                    continue
                ctx.counts["node" if hasattr(record, "label") else "edge"] += 1
                yield record
