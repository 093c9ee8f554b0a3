"""`graphkit load umbrella`: Cisco Umbrella DNS logs (CSV, log format versions 2 to 13).

As Umbrella exports them to S3, one query a line, every field quoted, no header (an optional
header row is recognised and passed over). The first ten columns have kept their place in
every version; later versions add more after them, which are not read:

    "2024-03-14 18:59:23","Jane (jane@example.com)","Jane (jane@example.com),HQ","10.1.2.3",
    "203.0.113.7","Allowed","1 (A)","NOERROR","www.example.com.","Software/Technology", ...

Timestamp (UTC), most granular identity, identities, internal IP, external IP, action, query
type, response code, domain, categories. The client is the internal IP. A query with none
(a roaming client seen only by its network's egress address, shared by everyone behind it)
is counted but not made a lookup: the egress address would join strangers. Umbrella logs no
answers; blocked queries are lookups like the others, and actions are counted. Blocks of
lines are read by Arrow (umbrella_blocks); a block it cannot read exactly is read here line
by line.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import UTC, datetime

from graphkit.ingest.context import ParseContext
from graphkit.ingest.lookups.aggregator import LookupAggregator, LookupOptions, finish, unreadable_file_rejected
from graphkit.ingest.lookups.builder import ColumnBuilder
from graphkit.model.records import Record
from graphkit.model.tables import Bulk
from graphkit.parsers import umbrella_blocks
from graphkit.parsers.pdns_blocks import blocks

COLUMNS = umbrella_blocks.COLUMNS
BLOCK_BYTES = 16 << 20
TIME, INTERNAL, EXTERNAL, ACTION, QTYPE, DOMAIN = 0, 3, 4, 5, 6, 8
QUERY_TYPE = re.compile(r"\d+ \((?P<name>[^)]+)\)|(?P<bare>\w[\w-]*)")


class UmbrellaParser:
    kind = "umbrella"

    def __init__(self, options: LookupOptions | None = None) -> None:
        self.options = options or LookupOptions()
        self._seconds: dict[str, float] = {}

    def __call__(self, ctx: ParseContext) -> Iterator[Record | Bulk]:
        aggregator = LookupAggregator(ctx, self.options)
        rows = ColumnBuilder(aggregator, binary=False, zeek_escapes=False)
        with unreadable_file_rejected(ctx), ctx.open() as stream:
            for first, block in blocks(stream, BLOCK_BYTES):
                if not umbrella_blocks.take(ctx, aggregator, block, first, _qtype):
                    for number, raw in enumerate(block.split(b"\n")[:-1], first):
                        if number not in ctx.long_lines:
                            ctx.line = number
                            self._line(ctx, rows, raw)
                ctx.tick()
        rows.flush()
        yield from finish(ctx, aggregator, self.options, default_client_side="stub")

    def _line(self, ctx: ParseContext, rows: ColumnBuilder, raw: bytes) -> None:
        ctx.counts["lines read"] += 1
        if not raw.strip():
            ctx.skip("blank line")
            return
        try:
            fields = next(csv.reader([raw.decode("utf-8-sig")], strict=True))
        except UnicodeDecodeError as exc:
            ctx.reject(f"undecodable bytes at column {exc.start + 1}", raw)
            return
        except (csv.Error, StopIteration):
            ctx.reject("unreadable CSV line (an unclosed quote?)", raw)
            return
        if len(fields) < COLUMNS:
            ctx.reject(f"{len(fields)} fields, an Umbrella DNS log line has at least {COLUMNS}", raw)
            return
        if fields[TIME].strip().lower() == "timestamp":
            ctx.skip("header line")
            return
        ts = self._time(fields[TIME])
        if ts is None:
            ctx.reject(f"bad timestamp {fields[TIME][:40]!r}", raw)
            return
        ctx.counts[f"Umbrella {fields[ACTION] or 'no action'}"] += 1
        if not fields[INTERNAL].strip():
            ctx.skip("queries with no internal address (only the shared egress address): not lookups")
            return
        rows.add(ctx.line or 0, ts, client=fields[INTERNAL], qname=fields[DOMAIN] or None, qtype=_qtype(fields[QTYPE]))

    def _time(self, text: str) -> float | None:
        """Seconds since the epoch of 'YYYY-MM-DD HH:MM:SS' (UTC)."""
        seconds = self._seconds.get(text)
        if seconds is None:
            try:
                seconds = datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp()
            except ValueError:
                return None
            if len(self._seconds) > 100_000:
                self._seconds.clear()
            self._seconds[text] = seconds
        return seconds


def _qtype(text: str) -> str | None:
    """'28 (AAAA)' -> 'AAAA'; a bare mnemonic as it is."""
    match = QUERY_TYPE.fullmatch(text.strip())
    if match is None:
        return text or None
    return match["name"] or match["bare"]
