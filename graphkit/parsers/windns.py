"""`graphkit load windns`: the Windows DNS Server's logs: its analytical event log
(Microsoft-Windows-DNSServer/Analytical, from EVTX or an export, read by `winevents`) and its
legacy debug log (the text `dns.log` that "Log packets for debugging" writes).

Analytical events, by id:
- 256 QUERY_RECEIVED is a lookup by `Source`, of `QNAME` and `QTYPE` (a number), sent to
  `InterfaceIP`, at the event's time;
- 257 RESPONSE_SUCCESS and 261 RECURSE_RESPONSE_IN give answers: the response's own DNS
  message (`PacketData`, hex), A, AAAA and CNAME records with their owners;
- 260 RECURSE_QUERY_OUT and the other recursion events are the server's own queries
  upstream: counted, not lookups (the server would be the client of every name it resolves);
- the rest (updates, zone transfers, failures) are counted by id.
The server (the events' `Computer`) is the Source's observer.

Debug log lines, one a packet:

    6/1/2020 10:00:01 AM 0E5C PACKET  000000D2A1B4C0F0 UDP Rcv 10.0.0.25  c8a1   Q [0001   D   NOERROR] A
        (3)www(7)example(3)com(0)          (on the same line)

A received query (`Rcv`, no `R`, opcode `Q`) is a lookup by the remote address; the server's
queries upstream (`Snd`, no `R`) are counted. The log holds no answers (its detailed packet
dumps are passed over). Stamps are the server's local time in its locale's format: month
first unless `--day-first`, read in `--tz` (UTC unless given).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo
from typing import Any

from graphkit.ingest.context import ParseContext
from graphkit.ingest.lookups.aggregator import LookupAggregator, LookupOptions, finish, unreadable_file_rejected
from graphkit.ingest.lookups.builder import ColumnBuilder
from graphkit.model.records import Record
from graphkit.model.tables import Bulk
from graphkit.parsers import dnsmessage, windns_blocks, winevents
from graphkit.parsers.pdns_blocks import blocks
from graphkit.parsers.winevent_shapes import WinEvent

QUERY_RECEIVED = 256
RESPONSES = frozenset({257, 261})  # RESPONSE_SUCCESS, RECURSE_RESPONSE_IN
UPSTREAM = frozenset({260, 262})  # RECURSE_QUERY_OUT, RECURSE_QUERY_TIMEOUT
EVENT_NAMES = {
    258: "RESPONSE_FAILURE",
    259: "IGNORED_QUERY",
    263: "DYNAMIC_UPDATE_RECEIVED",
    264: "DYNAMIC_UPDATE_RESPONSE",
    265: "IXFR_REQUEST_OUT",
    266: "IXFR_REQUEST_RECEIVED",
    267: "IXFR_RESPONSE_OUT",
    268: "IXFR_RESPONSE_IN",
    269: "AXFR_REQUEST_OUT",
    270: "AXFR_REQUEST_RECEIVED",
    271: "AXFR_RESPONSE_OUT",
    272: "AXFR_RESPONSE_IN",
    279: "INTERNAL_LOOKUP_CNAME",
    280: "INTERNAL_LOOKUP_ADDITIONAL",
}
OBSERVERS_NAMED = 10
BLOCK_BYTES = 16 << 20

# The debug log's packet line (Microsoft's "Message logging key", fields 1-16).
PACKET = re.compile(
    r"^(?P<date>\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}) (?P<time>\d{1,2}:\d\d:\d\d)(?: (?P<ampm>[AaPp][Mm]))? "
    r"+[0-9A-Fa-f]+ +PACKET +[0-9A-Fa-f]+ +(?P<proto>UDP|TCP) +(?P<dir>Snd|Rcv) +(?P<remote>[0-9A-Fa-f.:]+) +"
    r"[0-9A-Fa-f]+ (?P<response>[R ]) (?P<opcode>[QNU?]) \[[0-9A-Fa-f]+ +(?P<flags>[ATDR ]*?) *(?P<rcode>\w+)\] +"
    r"(?P<qtype>\S+) +(?P<qname>\S+)\s*$"
)
PACKET_WORD = re.compile(r"^\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4} .* PACKET ")  # a packet line, well formed or not
LENGTH_LABELS = re.compile(r"\(\d+\)")  # (3)www(7)example(3)com(0)


class WindnsParser:
    kind = "windns"

    def __init__(self, options: LookupOptions | None = None, *, zone: tzinfo | None = None, day_first: bool = False):
        self.options = options or LookupOptions()
        self.zone, self.day_first = zone, day_first

    def __call__(self, ctx: ParseContext) -> Iterator[Record | Bulk]:
        aggregator = LookupAggregator(ctx, self.options)
        rows = ColumnBuilder(aggregator, binary=False, zeek_escapes=False)
        servers: set[str] = set()
        with unreadable_file_rejected(ctx):
            if _is_debug_log(ctx):
                _DebugLog(ctx, rows, self.zone, self.day_first).read()
            else:
                for event in winevents.events(ctx):
                    ctx.counts["events read"] += 1
                    _analytical_event(ctx, rows, event, servers)
                    ctx.tick()
        rows.flush()
        observer = ",".join(sorted(servers)) if 0 < len(servers) <= OBSERVERS_NAMED else None
        yield from finish(ctx, aggregator, self.options, default_client_side=None, observer=observer)


def _is_debug_log(ctx: ParseContext) -> bool:
    with ctx.open(line_limit=None, size_limit=None) as stream:
        head = stream.read(1 << 16)
    return looks_like_debug_log(head)


def looks_like_debug_log(head: bytes) -> bool:
    text = head.decode("utf-8", "replace")
    return text.lstrip().startswith("DNS Server log") or any(PACKET_WORD.match(line) for line in text.splitlines()[:50])


# -- the analytical log -----------------------------------------------------------------------


def _analytical_event(ctx: ParseContext, rows: ColumnBuilder, event: WinEvent, servers: set[str]) -> None:
    if "dnsserver" not in (event.provider or "dnsserver").lower():
        ctx.skip(f"{event.provider or 'events'} {event.event_id}: not a DNS Server event")
        return
    if event.computer and len(servers) <= OBSERVERS_NAMED:
        servers.add(event.computer.lower())
    data, number = event.data, event.number
    if event.event_id == QUERY_RECEIVED:
        rows.add_read_from(
            event.text,
            number,
            event.time,
            client=_text(data.get("Source")),
            qname=_text(data.get("QNAME")),
            qtype=_qtype(data.get("QTYPE")),
            server=_text(data.get("InterfaceIP")),
            rd="T" if str(data.get("RD")) == "1" else "F",
            lookup=True,
        )
    elif event.event_id in RESPONSES:
        _answers(ctx, rows, event)
    elif event.event_id in UPSTREAM:
        ctx.skip("the server's own queries upstream (RECURSE_*): not lookups")
    else:
        name = EVENT_NAMES.get(event.event_id or 0, f"event {event.event_id}")
        ctx.skip(f"{name}: not a lookup")


def _answers(ctx: ParseContext, rows: ColumnBuilder, event: WinEvent) -> None:
    packet = _text(event.data.get("PacketData"))
    if packet is None:
        ctx.skip("responses logged without their message")
        return
    try:
        wire = bytes.fromhex(packet)
    except ValueError:
        ctx.reject_row("a response whose PacketData is not hex", event.text, event.number)
        return
    found = dnsmessage.answers(wire)
    if found is None:
        ctx.reject_row("a response whose DNS message does not decode", event.text, event.number)
        return
    dnsmessage.add_answers(ctx, rows, found, event.time, event.number, event.text)


def _qtype(value: Any) -> str | None:
    try:
        return dnsmessage.type_text(int(value))
    except (TypeError, ValueError):
        return _text(value)


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = value if isinstance(value, str) else str(value)
    return text if text.strip() else None


# -- the debug log ----------------------------------------------------------------------------


class _DebugLog:
    def __init__(self, ctx: ParseContext, rows: ColumnBuilder, zone: tzinfo | None, day_first: bool) -> None:
        self.ctx, self.rows, self.zone, self.day_first = ctx, rows, zone, day_first

    def read(self) -> None:
        """Blocks whose packet lines Arrow matches (windns_blocks), the rest a line at a time."""
        ctx = self.ctx
        aggregator = self.rows.aggregator
        with ctx.open() as stream:
            for first, block in blocks(stream, BLOCK_BYTES):
                if windns_blocks.take(ctx, aggregator, block, first, PACKET.pattern, PACKET_WORD.pattern, self.time):
                    continue
                for number, raw in enumerate(block.split(b"\n")[:-1], first):
                    if number not in ctx.long_lines:
                        ctx.line = number
                        self.read_line(raw)
                ctx.tick()

    def read_line(self, raw: bytes) -> None:
        self.ctx.counts["lines read"] += 1
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            line = raw.decode("cp1252", "replace")  # the server writes its ANSI code page
        self.line(line.rstrip("\r\n"), raw)

    def line(self, line: str, raw: bytes) -> None:
        ctx = self.ctx
        packet = PACKET.match(line)
        if packet is None:
            if PACKET_WORD.match(line):
                ctx.reject("a packet line that does not read as one", raw)
            else:
                ctx.skip("lines that are no packet (headers, notes, packet details)")
            return
        if packet["opcode"] != "Q":
            ctx.skip("packets that are no standard query (notify, update)")
            return
        if packet["response"] == "R":
            ctx.skip("responses (the debug log holds no answers)")
            return
        if packet["dir"] == "Snd":
            ctx.skip("the server's own queries upstream: not lookups")
            return
        ts = self.time(packet["date"], packet["time"], packet["ampm"])
        if ts is None:
            ctx.reject(f"bad date or time {packet['date']} {packet['time']}", raw)
            return
        self.rows.add(
            ctx.line or 0,
            ts,
            client=packet["remote"],
            qname=LENGTH_LABELS.sub(".", packet["qname"]).strip(".") or ".",
            qtype=packet["qtype"],
            rd="T" if "D" in packet["flags"] else "F",
        )

    def time(self, day: str, clock: str, ampm: str | None) -> float | None:
        parts = re.split(r"[/.-]", day)
        if len(parts[0]) == 4:  # 2020-06-01
            year, month, mday = parts
        elif "." in day or self.day_first:  # 01.06.2020, or 01/06/2020 with --day-first
            mday, month, year = parts
        else:  # 6/1/2020
            month, mday, year = parts
        hour, minute, second = (int(x) for x in clock.split(":"))
        if ampm:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if ampm.upper() == "PM" else 0)
        try:
            return datetime(int(year), int(month), int(mday), hour, minute, second, tzinfo=self.zone or UTC).timestamp()
        except ValueError:
            return None
