"""`graphkit load pdns`: passive DNS as JSON lines.

Read, one object a line:
- CIRCL's Common Output Format: rrname, rrtype, rdata (a string or a list), time_first,
  time_last (epoch seconds or ISO 8601), count, bailiwick;
- Farsight DNSDB v1 lines: the same names, rdata a list, zone_time_first/zone_time_last for
  records seen in zone files;
- DNSDB v2 SAF framing: {"cond": "begin"}, {"obj": {...}} lines, then "succeeded",
  "limited" or "failed". A stream that ends without one of those was cut short: its last
  line is reported as a reject (the records before it still load).

time_first/time_last become first_seen/last_seen and count the observation count.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import dns.exception
import dns.rdatatype

from graphkit.ingest.context import ParseContext
from graphkit.model import names, times
from graphkit.model.records import Record
from graphkit.parsers import dnsrecords
from graphkit.parsers.dnsrecords import Seen

CLOSING_CONDS = ("succeeded", "limited", "failed")


class BadField(ValueError):
    """A field of a record that cannot be used; the message says which and why."""


class PdnsParser:
    kind = "pdns"

    def __call__(self, ctx: ParseContext) -> Iterator[Record]:
        stream_open: tuple[int, bytes] | None = None  # (line, text) of the last line of an open SAF stream
        with ctx.open() as stream:
            for line in ctx.lines(stream):
                if not line.strip():
                    continue
                doc = _decode(ctx, line)
                if doc is None:
                    continue
                if "cond" in doc and "obj" not in doc:
                    stream_open = _condition(ctx, doc, line, stream_open)
                    continue
                if stream_open is not None:
                    stream_open = (ctx.line or 0, line)
                obj = doc.get("obj", doc)
                if not isinstance(obj, dict):
                    ctx.reject("'obj' must be an object", line)
                    continue
                yield from _observations(ctx, obj, line)
        if stream_open is not None:
            number, text = stream_open
            ctx.reject("DNSDB stream cut short: no closing succeeded/limited/failed line", text, line=number)


def _decode(ctx: ParseContext, line: bytes) -> dict[str, Any] | None:
    try:
        doc = json.loads(line)
    except UnicodeDecodeError as exc:
        ctx.reject(f"undecodable bytes at column {exc.start + 1}", line)
        return None
    except (ValueError, RecursionError) as exc:
        ctx.reject(f"not valid JSON ({str(exc)[:80]})", line)
        return None
    if not isinstance(doc, dict):
        ctx.reject("a passive DNS record must be a JSON object", line)
        return None
    return doc


def _condition(
    ctx: ParseContext, doc: dict[str, Any], line: bytes, stream_open: tuple[int, bytes] | None
) -> tuple[int, bytes] | None:
    """Follow DNSDB's SAF framing; returns the new open-stream marker."""
    cond, message = doc.get("cond"), doc.get("msg") or ""
    if cond == "begin":
        if stream_open is not None:
            number, text = stream_open
            ctx.reject("DNSDB stream cut short: a new stream began before it ended", text, line=number)
        return (ctx.line or 0, line)
    if cond == "ongoing":  # a keep-alive
        return stream_open
    if cond in CLOSING_CONDS:
        if cond == "limited":
            ctx.skip(f"DNSDB results were limited ({message or 'no message'})")
        elif cond == "failed":
            ctx.reject(f"DNSDB query failed ({message or 'no message'})", line)
        return None
    ctx.reject(f"unknown SAF cond {str(cond)[:40]!r}", line)
    return stream_open


def _observations(ctx: ParseContext, obj: dict[str, Any], line: bytes) -> Iterator[Record]:
    rrname, rrtype, rdata = obj.get("rrname"), obj.get("rrtype"), obj.get("rdata")
    if not isinstance(rrname, str) or not rrname:
        ctx.reject("no rrname", line)
        return
    rtype = _type_name(rrtype)
    if rtype is None:
        ctx.reject(f"rrtype must be a type name or number, got {json.dumps(rrtype)[:40]}", line)
        return
    values = [rdata] if isinstance(rdata, str) else rdata
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        ctx.reject("rdata must be a string or a list of strings", line)
        return
    try:
        seen = _seen(obj)
        owner = names.domain(rrname)
    except (times.InvalidTime, names.InvalidName, BadField) as exc:
        ctx.reject(str(exc), line)
        return
    for value in values:
        ctx.counts[rtype] += 1
        if rtype not in dnsrecords.MAPPED_TYPES:
            ctx.skip(dnsrecords.UNMAPPED)
            continue
        try:
            yield from dnsrecords.observations_from_text(owner, rtype, value, seen, ctx.skip)
        except names.InvalidName as exc:
            ctx.reject(str(exc), line)
        except (dns.exception.DNSException, ValueError) as exc:
            ctx.reject(f"bad {rtype} data {value[:60]!r} ({exc})", line)


def _type_name(rrtype: Any) -> str | None:
    if isinstance(rrtype, bool):
        return None
    if isinstance(rrtype, int):
        return str(dns.rdatatype.to_text(dns.rdatatype.RdataType.make(rrtype))) if 0 <= rrtype < 65536 else None
    if isinstance(rrtype, str) and rrtype.strip():
        text = rrtype.strip().upper()
        try:
            return str(dns.rdatatype.to_text(dns.rdatatype.from_text(text)))
        except dns.exception.DNSException:
            return text  # an unknown mnemonic: counted under its own name, mapped to nothing
    return None


def _seen(obj: dict[str, Any]) -> Seen:
    first = obj.get("time_first", obj.get("zone_time_first"))
    last = obj.get("time_last", obj.get("zone_time_last"))
    count = obj.get("count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
        raise BadField(f"count must be a whole number, got {json.dumps(count)[:40]}")
    return Seen(None, _time(first, "time_first"), _time(last, "time_last"), count)


def _time(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise times.InvalidTime(f"{field} is not a timestamp")
    if isinstance(value, (int, float)):
        return times.from_epoch(value)
    if isinstance(value, str):
        return times.from_text(value)
    raise times.InvalidTime(f"{field} is not a timestamp")
