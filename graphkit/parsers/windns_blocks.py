"""The Windows DNS Server's debug log, a block at a time, its packet lines matched by Arrow (RE2):
the fast path of graphkit.parsers.windns.

A block is taken unless it holds a line the line reader would reject (a damaged packet line,
a stamp that is no time) or bytes that are not UTF-8; then `take` returns False having done
nothing, and the block is read a line at a time, which names the bad lines. Each distinct
stamp is read once, by the line reader's own function.
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from graphkit.ingest.context import ParseContext
from graphkit.ingest.lookups.aggregator import LookupAggregator, LookupColumns
from graphkit.parsers.block_lines import line_numbers, text_lines

Stamp = Callable[[str, str, str | None], float | None]  # (date, time, AM/PM) -> epoch seconds


def take(
    ctx: ParseContext, aggregator: LookupAggregator, block: bytes, first_line: int, packet: str, word: str, time: Stamp
) -> bool:
    lines = text_lines(block)
    if lines is None:
        return False
    found = pc.extract_regex(lines, packet)
    matched = pc.is_valid(found)
    unmatched = pc.invert(matched)
    if pc.any(pc.and_(unmatched, pc.match_substring_regex(lines, word))).as_py():
        return False  # a damaged packet line: rejected by the line reader
    field = {name: pc.if_else(matched, found.field(name), pa.scalar(None, pa.string())) for name in _FIELDS}
    lookup = pc.and_(
        pc.and_(pc.equal(field["opcode"], "Q"), pc.not_equal(field["response"], "R")), pc.equal(field["dir"], "Rcv")
    )
    rows = pc.indices_nonzero(pc.fill_null(lookup, False))
    ts = _stamps(pc.take(field["date"], rows), pc.take(field["time"], rows), pc.take(field["ampm"], rows), time)
    if ts is None:
        return False  # a stamp that is no time: rejected by the line reader
    _count(ctx, len(lines), unmatched, field)
    qname = pc.utf8_trim(pc.replace_substring_regex(pc.take(field["qname"], rows), r"\(\d+\)", "."), characters=".")
    flags = pc.take(field["flags"], rows)
    aggregator.add(
        LookupColumns(
            ts=ts,
            client=pc.take(field["remote"], rows),
            qname=pc.if_else(pc.equal(qname, ""), pa.scalar(".", pa.large_string()), qname),
            qtype=pc.take(field["qtype"], rows),
            rd=pc.if_else(pc.match_substring(flags, "D"), "T", "F"),
            line_of=line_numbers(rows, first_line),
        )
    )
    return True


_FIELDS = ("date", "time", "ampm", "dir", "remote", "response", "opcode", "flags", "qtype", "qname")


def _stamps(day: pa.Array, clock: pa.Array, ampm: pa.Array, time: Stamp) -> pa.Array | None:
    """Epoch seconds of each stamp; None if one is no time. The line reader's function reads
    each distinct day and hour once (a zone's offset holds for the hour); minutes and seconds
    are added column-wise."""
    parts = pc.extract_regex(clock, r"^(?P<h>\d{1,2}):(?P<m>\d\d):(?P<s>\d\d)$")
    if parts.null_count:
        return None
    minute, second = (pc.cast(parts.field(name), pa.int64()) for name in ("m", "s"))
    if len(minute) and max(pc.max(minute).as_py(), pc.max(second).as_py()) >= 60:
        return None
    hours = pc.binary_join_element_wise(day, parts.field("h"), pc.fill_null(ampm, ""), pa.scalar(" ", day.type))
    encoded = pc.dictionary_encode(hours)
    starts = []
    for key in encoded.dictionary.to_pylist():
        date, hour, half = key.split(" ")
        value = time(date, f"{hour}:00:00", half or None)
        if value is None:
            return None
        starts.append(value)
    start = pc.take(pa.array(starts, pa.float64()), encoded.indices)
    return pc.add(start, pc.cast(pc.add(pc.multiply(minute, 60), second), pa.float64()))


def _count(ctx: ParseContext, lines: int, unmatched: pa.Array, field: dict[str, pa.Array]) -> None:
    """The line reader's skips, in its order: no packet, no standard query, a response, sent."""
    ctx.counts["lines read"] += lines
    reasons = [
        ("lines that are no packet (headers, notes, packet details)", unmatched),
        ("packets that are no standard query (notify, update)", pc.not_equal(field["opcode"], "Q")),
        ("responses (the debug log holds no answers)", pc.equal(field["response"], "R")),
        ("the server's own queries upstream: not lookups", pc.equal(field["dir"], "Snd")),
    ]
    left = pa.repeat(pa.scalar(True), lines)
    for reason, applies in reasons:
        hit = pc.and_(left, pc.fill_null(applies, False))
        count = pc.sum(hit).as_py() or 0
        if count:
            ctx.skip(reason, count)
        left = pc.and_(left, pc.invert(hit))
