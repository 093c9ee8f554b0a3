"""`graphkit load csv-log`: lookup logs of other tools as delimited text with a header row.

`--columns ts=…,client=…,qname=…,qtype=…[,server=…]` names the header of each column;
without it common names are recognised (ts/timestamp/time, client/src_ip, query/qname,
qtype/type). Timestamps are epoch seconds (milliseconds and microseconds are recognised by
size) or ISO 8601 (a missing zone means UTC). One record per line: quoted fields may not
hold line breaks.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from datetime import UTC, datetime

from graphkit.ingest.context import FileRejected, ParseContext
from graphkit.ingest.lookups.aggregator import LookupAggregator, LookupOptions, finish, unreadable_file_rejected
from graphkit.ingest.lookups.builder import ColumnBuilder
from graphkit.model.records import Record
from graphkit.model.tables import Bulk

ROLES = ("ts", "client", "qname", "qtype", "server")
REQUIRED = ("ts", "client", "qname")
KNOWN_HEADERS = {
    "ts": ("ts", "timestamp", "time", "datetime", "date", "@timestamp", "event_time"),
    "client": ("client", "client_ip", "clientip", "src", "src_ip", "source_ip", "id.orig_h", "ip"),
    "qname": ("qname", "query", "query_name", "name", "domain", "question"),
    "qtype": ("qtype", "qtype_name", "query_type", "type", "rrtype", "record_type"),
    "server": ("server", "server_ip", "dst", "dst_ip", "id.resp_h"),
}
DELIMITERS = (",", "\t", ";", "|")


def parse_columns(spec: str) -> dict[str, str]:
    """'ts=time,client=src' -> {'ts': 'time', 'client': 'src'}; ValueError says what is wrong."""
    mapping: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        role, eq, header = part.partition("=")
        role = role.strip()
        if not eq or not header.strip():
            raise ValueError(f"--columns wants ROLE=HEADER pairs, got {part!r}")
        if role not in ROLES:
            raise ValueError(f"--columns: unknown role {role!r} (roles: {', '.join(ROLES)})")
        mapping[role] = header.strip()
    return mapping


def epoch_seconds(text: str) -> float:
    """Epoch seconds from epoch (s, ms, us) or ISO 8601 text; ValueError when it is neither."""
    value = text.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        if math.isfinite(seconds) and seconds > 1e11:  # milliseconds or microseconds
            seconds /= 1000 if seconds < 1e14 else 1_000_000
        return seconds
    iso = value.replace(" ", "T", 1) if len(value) > 10 and value[10] == " " else value
    if iso.endswith(("Z", "z")):
        iso = iso[:-1] + "+00:00"
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


class CsvLogParser:
    kind = "csv-log"

    def __init__(
        self,
        options: LookupOptions | None = None,
        *,
        columns: dict[str, str] | None = None,
        delimiter: str | None = None,
    ) -> None:
        self.options = options or LookupOptions()
        self.columns = columns or {}
        self.delimiter = delimiter

    def __call__(self, ctx: ParseContext) -> Iterator[Record | Bulk]:
        aggregator = LookupAggregator(ctx, self.options)
        batcher = ColumnBuilder(aggregator, binary=False, zeek_escapes=False)
        with unreadable_file_rejected(ctx), ctx.open() as stream:
            index: dict[str, int] | None = None
            width, delimiter = 0, ","
            for raw in ctx.lines(stream):
                line = ctx.line or 0
                if not raw.strip():
                    if index is not None:
                        ctx.counts["lines read"] += 1
                        ctx.skip("blank line")
                    continue
                try:
                    text = raw.decode("utf-8-sig" if index is None else "utf-8")
                except UnicodeDecodeError as exc:
                    if index is None:
                        raise FileRejected(line, "undecodable bytes in the header line") from None
                    ctx.counts["lines read"] += 1
                    ctx.reject(f"undecodable bytes at column {exc.start + 1}", raw)
                    continue
                if index is None:
                    delimiter = self.delimiter or next((d for d in DELIMITERS if d in text), ",")
                    header = _split(text, delimiter)
                    if header is None:
                        raise FileRejected(line, "unreadable header line")
                    index, width = self._index(header, line), len(header)
                    continue
                ctx.counts["lines read"] += 1
                fields = _split(text, delimiter)
                if fields is None:
                    ctx.reject("unreadable line (an unclosed quote?)", raw)
                    continue
                if len(fields) != width:
                    ctx.reject(f"wrong field count ({len(fields)} fields, expected {width})", raw)
                    continue
                try:
                    ts = epoch_seconds(fields[index["ts"]])
                except (ValueError, OverflowError):
                    ctx.reject(f"bad timestamp {fields[index['ts']][:40]!r}", raw)
                    continue
                values = {role: fields[i] or None for role, i in index.items() if role != "ts"}
                batcher.add(line, ts, **values)
        batcher.flush()
        yield from finish(ctx, aggregator, self.options, default_client_side=None)

    def _index(self, header: list[str], line: int) -> dict[str, int]:
        folded = {name.strip().lower(): i for i, name in reversed(list(enumerate(header)))}
        index: dict[str, int] = {}
        for role in ROLES:
            wanted = self.columns.get(role)
            if wanted is not None:
                if wanted.strip().lower() not in folded:
                    raise FileRejected(
                        line, f"--columns {role}={wanted}: no such column (the header has {', '.join(header)[:200]})"
                    )
                index[role] = folded[wanted.strip().lower()]
                continue
            found = next((folded[name] for name in KNOWN_HEADERS[role] if name in folded), None)
            if found is not None:
                index[role] = found
        missing = [role for role in REQUIRED if role not in index]
        if missing:
            hint = ",".join(f"{role}=HEADER" for role in missing)
            raise FileRejected(line, f"no {' and no '.join(missing)} column: give --columns {hint}")
        return index


def _split(text: str, delimiter: str) -> list[str] | None:
    try:
        return next(csv.reader([text], delimiter=delimiter, strict=True))
    except (csv.Error, StopIteration):
        return None
