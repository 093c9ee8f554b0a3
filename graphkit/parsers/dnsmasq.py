"""`graphkit load dnsmasq`: dnsmasq's `log-queries` lines, and Pi-hole's pihole.log (the same).

    Jun 19 22:26:08 dnsmasq[14240]: query[A] pub-csm-plce-02-t.trouter.skype.com from 192.168.4.3
    Jun 19 22:26:08 dnsmasq[14240]: reply pub-csm-plce-02-t.trouter.skype.com is <CNAME>
    Jun 19 22:26:08 dnsmasq[14240]: reply partition-cname-trouter.pub-csm-....office.net is 2603:1020:1300:e::68

A `query[TYPE] NAME from CLIENT` line is a lookup (`log-queries=extra` puts a serial number
and the client's address/port before it). `reply` and `cached` lines give the answers: a name
`is <CNAME>` is an alias of the name on the next answer line, and an address belongs to the
name on its line. Answers dnsmasq made up itself (`config`, `/etc/hosts`, Pi-hole's `gravity
blocked` and blacklists: a captive portal or a block list answering every name with one
address) are counted but never linked: they say nothing about who runs the name, and would
join every name so answered through one address. DHCP lines and dnsmasq's other messages are
skipped and counted.

The lines carry no year: --year gives the year of the first line, else the file's
modification time gives the year of the last (the summary says which); a month earlier than
the line before starts the next year. Times are the server's local time: --tz, else UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo

import dns.rdatatype

from graphkit.ingest import inputs
from graphkit.ingest.context import ParseContext
from graphkit.ingest.lookups.aggregator import LookupAggregator, LookupOptions, finish, unreadable_file_rejected
from graphkit.ingest.lookups.builder import ColumnBuilder
from graphkit.model.records import Record
from graphkit.model.tables import Bulk
from graphkit.parsers import dnsmasq_blocks
from graphkit.parsers.bind import MONTHS
from graphkit.parsers.dnsmasq_blocks import Clock
from graphkit.parsers.pdns_blocks import blocks

LINE = re.compile(
    r"(?P<month>[A-Z][a-z]{2}) +(?P<day>\d{1,2}) (?P<clock>\d\d:\d\d:\d\d) (?:\S+ )?"
    r"(?P<program>dnsmasq(?:-[a-z]+)?|pihole-FTL)\[\d+\]: (?:\d+ \S+/\d+ )?(?P<message>.*)"
)
QUERY = re.compile(r"query\[(?P<qtype>[^\]]+)\] (?P<name>\S+) from (?P<client>\S+)")
ANSWER = re.compile(r"(?P<how>.+?) (?P<name>\S+) is (?P<value>\S+)")
FROM_DNS = frozenset(dnsmasq_blocks.FROM_DNS)
PATTERNS = {"line": LINE.pattern, "query": QUERY.pattern, "answer": ANSWER.pattern}
BLOCK_BYTES = 16 << 20
NUMBERED_TYPE = re.compile(r"type=(\d{1,5})")


class DnsmasqParser:
    kind = "dnsmasq"

    def __init__(self, options: LookupOptions | None = None, *, zone: tzinfo = UTC, year: int | None = None) -> None:
        self.options = options or LookupOptions()
        self.zone, self.year = zone, year

    def __call__(self, ctx: ParseContext) -> Iterator[Record | Bulk]:
        aggregator = LookupAggregator(ctx, self.options)
        rows = ColumnBuilder(aggregator, binary=False, zeek_escapes=False)
        year = self.year
        if year is None:
            year = _year_of_first_line(ctx)
            ctx.counts["year of the first line, from the file's modification time"] = year
        clock = Clock(self.zone, year)
        with unreadable_file_rejected(ctx), ctx.open() as stream:
            for first, block in blocks(stream, BLOCK_BYTES):
                if dnsmasq_blocks.take(ctx, aggregator, block, first, clock, PATTERNS, _qtype):
                    continue
                for number, raw in enumerate(block.split(b"\n")[:-1], first):
                    if number not in ctx.long_lines:
                        ctx.line = number
                        _line(ctx, rows, clock, raw, number)
                ctx.tick()
        rows.flush()
        yield from finish(ctx, aggregator, self.options, default_client_side="stub")


def _line(ctx: ParseContext, rows: ColumnBuilder, clock: Clock, raw: bytes, line: int) -> None:
    ctx.counts["lines read"] += 1
    text = raw.decode("utf-8", "replace").rstrip("\r")
    if not text.strip():
        ctx.skip("blank line")
        return
    match = LINE.fullmatch(text)
    if match is None:
        ctx.reject("not a dnsmasq log line", raw)
        return
    ts = clock.seconds(match["month"], int(match["day"]), match["clock"])
    if ts is None:
        ctx.reject(f"bad timestamp {match['month']} {match['day']} {match['clock']}", raw)
        return
    if match["program"] not in dnsmasq_blocks.PROGRAMS:
        ctx.skip(f"{match['program']} lines (DHCP and others)")
        return
    message = match["message"]
    if query := QUERY.fullmatch(message):
        clock.alias_of = None
        rows.add(line, ts, client=query["client"], qname=query["name"], qtype=_qtype(query["qtype"]))
        return
    answer = ANSWER.fullmatch(message)
    if answer is None:
        clock.alias_of = None
        ctx.skip("forwarded to an upstream server" if message.startswith("forwarded ") else "other messages")
        return
    name, value = answer["name"], answer["value"]
    if answer["how"] not in FROM_DNS:
        clock.alias_of = None
        ctx.skip("answers made up by dnsmasq itself (config, hosts files, block lists): not linked")
        return
    if clock.alias_of is not None:
        rows.add(line, ts, qname=clock.alias_of, qtype="CNAME", answers=name, lookup=False)
    clock.alias_of = name if value == "<CNAME>" else None
    if value[0] != "<" and (":" in value or value[0].isdigit()):
        rows.add(line, ts, qname=name, qtype="AAAA" if ":" in value else "A", answers=value, lookup=False)


def _qtype(text: str) -> str:
    """dnsmasq names types it does not know `type=N`."""
    number = NUMBERED_TYPE.fullmatch(text)
    return (
        dns.rdatatype.to_text(dns.rdatatype.RdataType.make(int(number[1])))
        if number and int(number[1]) < 65536
        else text
    )


def _year_of_first_line(ctx: ParseContext) -> int:
    """The last line was written in the year of the file's modification time: so the first
    line was that many years earlier as the months go back (December, then January) between."""
    year = datetime.fromtimestamp(ctx.path.stat().st_mtime, UTC).year
    last = 0
    with ctx.open(on_corrupt=lambda reason: None) as stream:  # the main reading says what is wrong
        for _, raw in inputs.numbered_lines(stream):
            month = MONTHS.get(raw[:3].decode("ascii", "replace").lower(), 0)
            if month and month < last:
                year -= 1
            last = month or last
    return year
