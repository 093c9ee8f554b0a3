"""`graphkit load eve`: Suricata EVE JSON, its `dns` events in all three shapes.

- v1 (Suricata up to 4): a `query` event per question, and an `answer` event per answer record
  (`rrname`, `rrtype`, `rdata`, `ttl`);
- v2 (`"version": 2`, Suricata 5-7): `query` events as before; one `answer` event per response,
  with `answers` (records, each with its owner) and/or `grouped` (values by type, no owners);
- v3 (`"version": 3`, Suricata 8): `request` and `response` events with `queries[]`,
  `answers[]`, `grouped` and `authorities`.

A lookup is a question of a query or request event, by its `src_ip`, to its `dest_ip` (the
server). Answer and response events are never counted as lookups: they give the answers (A,
AAAA and CNAME records become RESOLVES_TO / ALIAS_OF, each record with its own owner; a
response with only `grouped` values is read as a chain from the question, as Zeek's answers
are). Suricata 5-7 log an answer in the flow's direction, from the client, 8 and some older
ones from the responder: the side on port 53 is the server, else the version says. `tls`
events are TLS sessions (graphkit.parsers.eve_tls: certificates, SNI, JA3/JA4). Events of
other types (alert, flow, http, ...) are counted by type in the summary, not read. Blocks of
lines are read by Arrow (eve_blocks, eve_tls); a block Arrow cannot read exactly is read here
line by line, where the event type is found by a pattern first, so that only dns and tls
events are decoded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from graphkit.ingest.context import ParseContext
from graphkit.ingest.lookups.aggregator import LookupAggregator, LookupOptions, finish, unreadable_file_rejected
from graphkit.ingest.lookups.builder import ColumnBuilder
from graphkit.ingest.observations import Observed
from graphkit.model.records import Record
from graphkit.model.tables import Bulk
from graphkit.parsers import eve_blocks, eve_tls
from graphkit.parsers.pdns_blocks import blocks
from graphkit.parsers.tls_sessions import TlsSessions

EVENT_TYPE = re.compile(rb'"event_type"\s*:\s*"([^"\\]{1,40})"')
QUESTIONS, ANSWERS = frozenset(eve_blocks.QUESTIONS), frozenset(eve_blocks.ANSWERS)
RECORD_TYPES = frozenset(eve_blocks.RECORD_TYPES)
CHAIN_ORDER = ("CNAME", "A", "AAAA")  # a grouped response read as Zeek's answers are: aliases, then addresses
DNS_PORTS = frozenset(eve_blocks.DNS_PORTS)
OBSERVERS_NAMED = 10  # at most this many sensors (`host`) are named as the Source's observer
TIME = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)?$")


class EveParser:
    kind = "eve"

    def __init__(self, options: LookupOptions | None = None) -> None:
        self.options = options or LookupOptions()
        self._seconds: dict[tuple[str, str | None], float] = {}  # whole-second stamps read before

    def __call__(self, ctx: ParseContext) -> Iterator[Record | Bulk | Observed]:
        aggregator = LookupAggregator(ctx, self.options)
        rows = ColumnBuilder(aggregator, binary=False, zeek_escapes=False)
        self._tls = TlsSessions(ctx, self.options)
        hosts: set[str] = set()

        def seen(names: pa.Array) -> None:
            if len(hosts) <= OBSERVERS_NAMED:
                hosts.update(name for name in names.to_pylist()[: OBSERVERS_NAMED + 1] if isinstance(name, str))

        with unreadable_file_rejected(ctx), ctx.open() as stream:
            tls_likely = False
            for first, block in blocks(stream, eve_blocks.BLOCK_BYTES):
                table = eve_blocks.decoded(block, tls_likely)
                tls_likely = table is not None and "tls" in table.column_names
                if table is None or not eve_blocks.take(ctx, aggregator, table, first, seen, self._tls):
                    for number, raw in enumerate(block.split(b"\n")[:-1], first):
                        if number not in ctx.long_lines:
                            ctx.line = number
                            self._line(ctx, rows, raw, hosts)
                ctx.tick()
        rows.flush()
        observer = ",".join(sorted(hosts)) if 0 < len(hosts) <= OBSERVERS_NAMED else None
        yield from finish(ctx, aggregator, self.options, default_client_side=None, observer=observer)
        if self._tls:
            yield from self._tls.records()

    def _line(self, ctx: ParseContext, rows: ColumnBuilder, raw: bytes, hosts: set[str]) -> None:
        ctx.counts["lines read"] += 1
        if not raw.strip():
            ctx.skip("blank line")
            return
        kind = EVENT_TYPE.search(raw)
        if kind is not None and kind[1] != b"dns":
            ctx.counts[f"{kind[1].decode('ascii', 'replace')} events"] += 1
            if kind[1] == b"tls":
                self._tls_event(ctx, raw)
            return
        event = _event(ctx, raw)
        if event is not None:
            self._dns(ctx, rows, event, raw)
            if isinstance(event.get("host"), str) and len(hosts) <= OBSERVERS_NAMED:
                hosts.add(event["host"])

    def _dns(self, ctx: ParseContext, rows: ColumnBuilder, event: dict[str, Any], raw: bytes) -> None:
        dns = event.get("dns")
        if event.get("event_type") != "dns" or not isinstance(dns, dict):
            ctx.reject("not a Suricata EVE event (no event_type, or a dns event without its dns object)", raw)
            return
        ctx.counts["dns events"] += 1
        ts = self._time(event.get("timestamp"))
        if isinstance(ts, str):
            ctx.reject(ts, raw)
            return
        kind = dns.get("type")
        line = ctx.line or 0
        if kind in QUESTIONS:
            for qname, qtype in _questions(dns):
                rows.add(
                    line,
                    ts,
                    client=_text(event.get("src_ip")),
                    qname=qname,
                    qtype=qtype,
                    server=_text(event.get("dest_ip")),
                    server_port=_text(event.get("dest_port")),
                    rd=_flag(dns.get("rd")),
                    lookup=True,
                )
        elif kind in ANSWERS:
            ctx.counts["dns answer events"] += 1
            client, server = ("dest", "src") if _from_server(event, dns) else ("src", "dest")
            for owner, rtype, data, ttl in _answers(dns):
                rows.add(
                    line,
                    ts,
                    client=_text(event.get(f"{client}_ip")),
                    qname=owner,
                    qtype=rtype,
                    server=_text(event.get(f"{server}_ip")),
                    server_port=_text(event.get(f"{server}_port")),
                    answers=data,
                    ttls=ttl,
                    rd=_flag(dns.get("rd")),
                    lookup=False,
                )
        else:
            ctx.reject(f"dns event of unknown type {str(kind)[:40]!r}", raw)

    def _tls_event(self, ctx: ParseContext, raw: bytes) -> None:
        event = _event(ctx, raw)
        if event is None:
            return
        ts = self._time(event.get("timestamp"))
        if isinstance(ts, str):
            ctx.reject(ts, raw)
            return
        eve_tls.add_event(ctx, self._tls, event, ts, ctx.line or 0)

    def _time(self, value: Any) -> float | str:
        """Seconds since the epoch of EVE's ISO 8601 stamp (`+0100` offsets included)."""
        match = TIME.match(value) if isinstance(value, str) else None
        if match is None:
            return "no timestamp" if value is None else f"bad timestamp {str(value)[:40]!r}"
        second, fraction, zone = match.groups()
        key = (second, zone)
        base = self._seconds.get(key)
        if base is None:
            try:
                moment = datetime.fromisoformat(second + (zone or "").replace("Z", "+00:00"))
            except ValueError:
                return f"bad timestamp {value[:40]!r}"
            base = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
            if len(self._seconds) > 100_000:
                self._seconds.clear()
            self._seconds[key] = base
        return base + (float(fraction) if fraction else 0.0)


def _from_server(event: dict[str, Any], dns: dict[str, Any]) -> bool:
    """Whether an answer event's src_ip is the server's: the side on a DNS port, else v2 no."""
    src, dest = event.get("src_port") in DNS_PORTS, event.get("dest_port") in DNS_PORTS
    if src != dest:
        return src
    return dns.get("version") != 2


def _event(ctx: ParseContext, raw: bytes) -> dict[str, Any] | None:
    try:
        event = json.loads(raw)
    except UnicodeDecodeError:
        ctx.reject("undecodable bytes", raw)
        return None
    except (ValueError, RecursionError):
        ctx.reject("not a JSON object", raw)
        return None
    if not isinstance(event, dict):
        ctx.reject("not a JSON object", raw)
        return None
    return event


def _questions(dns: dict[str, Any]) -> list[tuple[str | None, str | None]]:
    """(name, type) of each question: v3's `queries`, else the event's own `rrname`."""
    queries = dns.get("queries")
    if isinstance(queries, list):
        return [(_text(q.get("rrname")), _text(q.get("rrtype"))) for q in queries if isinstance(q, dict)]
    return [(_text(dns.get("rrname")), _text(dns.get("rrtype")))]  # no name: skipped as Zeek's are


def _answers(dns: dict[str, Any]) -> list[tuple[str | None, str, str, str | None]]:
    """(owner, type, data, ttl) of the A, AAAA and CNAME answers of an answer or response event."""
    if dns.get("version") is None and "rdata" in dns:  # v1: one record per event
        records: Any = [dns]
    else:
        records = dns.get("answers")
    if isinstance(records, list):
        out = []
        for record in records:
            if not isinstance(record, dict) or record.get("rrtype") not in RECORD_TYPES:
                continue
            data = record.get("rdata")
            if isinstance(data, str) and data:
                out.append((_text(record.get("rrname")), record["rrtype"], data, _text(record.get("ttl"))))
        return out
    grouped = dns.get("grouped")
    if not isinstance(grouped, dict):
        return []
    questions = _questions(dns)
    owner, qtype = questions[0] if questions else (None, None)
    if qtype not in RECORD_TYPES:
        return []
    chain = [v for t in CHAIN_ORDER for v in grouped.get(t) or [] if isinstance(v, str) and v and "," not in v]
    return [(owner, qtype, ",".join(chain), None)] if chain else []


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return value if isinstance(value, str) else str(value)


def _flag(value: Any) -> str | None:
    return None if not isinstance(value, bool) else "T" if value else "F"
