"""`graphkit load sysmon`: Windows Sysmon event 22 (DNSEvent), from EVTX files or their exports.

Sysmon logs each name a process on the computer asked the DNS client for:

    UtcTime: 2021-12-04 21:19:10.604   QueryName: fs03vuln   QueryStatus: 0
    QueryResults: type: 5 edge.example.net;::ffff:10.23.42.38;   Image: C:\\TOOLS\\PsExec64.exe
    (and, from the event's System part) Computer: WS-17.corp.example

- The client is the computer, by name (a `Host` node): the event holds no address of it.
- Sysmon does not log the query type; lookups have type UNKNOWN. Its results are the name's
  alias chain and addresses (`type: 5 NAME` is a CNAME; `::ffff:a.b.c.d` an IPv4 address), read
  as a chain from the question, and taken only from successful queries (QueryStatus 0).
- The querying process (`Image`) is counted: the busiest are named in the summary.
- Other Sysmon events in the file (process creation, network connections, ...) are counted by
  event id, not rejected.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from graphkit.ingest.context import ParseContext
from graphkit.ingest.lookups.aggregator import LookupAggregator, LookupOptions, finish, unreadable_file_rejected
from graphkit.ingest.lookups.builder import ColumnBuilder
from graphkit.ingest.lookups.classify import HOST_CLIENT
from graphkit.model.records import Record
from graphkit.model.tables import Bulk
from graphkit.parsers import sysmon_blocks, winevents
from graphkit.parsers.winevent_shapes import WinEvent, utc_time

DNS_EVENT = sysmon_blocks.DNS_EVENT
TYPED_RESULT = re.compile(sysmon_blocks.TYPED_RESULT)
CNAME = sysmon_blocks.CNAME
MAPPED_V4 = sysmon_blocks.MAPPED_V4
# Win32 error codes a DNSEvent's QueryStatus holds most often
STATUSES = {0: "success", 9003: "name does not exist", 9501: "no records", 1460: "timed out", 1214: "invalid name"}
PROCESSES_NAMED = 10


class SysmonParser:
    kind = "sysmon"

    def __init__(self, options: LookupOptions | None = None) -> None:
        self.options = options or LookupOptions()

    def __call__(self, ctx: ParseContext) -> Iterator[Record | Bulk]:
        aggregator = LookupAggregator(ctx, self.options)
        rows = ColumnBuilder(aggregator, binary=False, zeek_escapes=False, answers_typed=True)
        processes: Counter[str] = Counter()

        def blocks_read(block: bytes, first_line: int) -> bool:
            return sysmon_blocks.take(ctx, aggregator, block, first_line, processes, STATUSES)

        with unreadable_file_rejected(ctx):
            for event in winevents.events(ctx, blocks_read):
                ctx.counts["events read"] += 1
                if event.event_id != DNS_EVENT or "sysmon" not in (event.provider or "sysmon").lower():
                    ctx.skip(f"{event.provider or 'events'} {event.event_id}: not a Sysmon DNS query")
                    continue
                _dns_event(ctx, rows, event, processes)
                ctx.tick()
        rows.flush()
        if processes:
            ctx.counts["processes that asked"] = len(processes)
            for image, n in processes.most_common(PROCESSES_NAMED):
                ctx.counts[f"lookups by {image}"] = n
        yield from finish(ctx, aggregator, self.options, default_client_side="host")


def _dns_event(ctx: ParseContext, rows: ColumnBuilder, event: WinEvent, processes: Counter[str]) -> None:
    data = event.data
    qname = _text(data.get("QueryName"))
    if qname is None:
        ctx.reject_row("a DNS query event without QueryName", event.text, event.number)
        return
    utc = _text(data.get("UtcTime"))
    ts = utc_time(utc) if utc else event.time
    status = _status(data.get("QueryStatus"))
    if status is not None:
        ctx.counts[f"QueryStatus {status} ({STATUSES.get(status, 'error')})"] += 1
    image = _text(data.get("Image"))
    if image:
        sysmon_blocks.count_process(processes, image, 1)
    answers = _chain(_text(data.get("QueryResults"))) if status in (0, None) else None
    client = HOST_CLIENT + event.computer if event.computer else None
    rows.add_read_from(event.text, event.number, ts, client=client, qname=qname, answers=answers)


def _chain(results: str | None) -> str | None:
    """QueryResults as the aggregator reads a chain: alias targets and addresses, in order."""
    if not results or results == "-":
        return None
    chain = []
    for item in results.split(";"):
        item = item.strip()
        typed = TYPED_RESULT.match(item)
        if typed:
            if int(typed["type"]) != CNAME:
                continue  # other typed results (MX, TXT, ...) are no alias or address
            item = typed["value"].rstrip(".")
        elif item.startswith(MAPPED_V4) and "." in item:
            item = item[len(MAPPED_V4) :]
        if item and "," not in item:
            chain.append(item)
    return ",".join(chain) or None


def _status(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = value if isinstance(value, str) else str(value)
    return text if text.strip() else None
