"""dnsmasq's log-queries lines, a block at a time, matched by Arrow (RE2): the fast path of
graphkit.parsers.dnsmasq.

A block is taken unless it holds a line the line reader would reject or skip as blank (a line
that is no dnsmasq line, a stamp that is no time), or bytes that are not UTF-8; then `take`
returns False having changed nothing, and the block is read a line at a time, which names the
bad lines. What runs from line to line is carried in the same state the line reader keeps:
the year (which turns when the months go back) and the name whose `<CNAME>` answer is the
next answer line's name (lines of other programs, such as dnsmasq-dhcp, leave it as it is).
Each distinct minute is read once, by the line reader's clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

import pyarrow as pa
import pyarrow.compute as pc

from graphkit.ingest.context import ParseContext
from graphkit.ingest.lookups.aggregator import LookupAggregator, LookupColumns
from graphkit.parsers.bind import MONTHS
from graphkit.parsers.block_lines import line_numbers, text_lines

PROGRAMS = ("dnsmasq", "pihole-FTL")  # the others (dnsmasq-dhcp, ...) are skipped
FROM_DNS = ("reply", "cached", "cached-stale")


class Clock:
    """Seconds since the epoch of syslog stamps, the year carried from line to line; and the name
    whose `<CNAME>` answer is the next answer line's name. Shared by both readers."""

    def __init__(self, zone: tzinfo, year: int) -> None:
        self.zone, self.year = zone, year
        self.month = 0  # of the last line with a good stamp
        self.alias_of: str | None = None
        self._minutes: dict[tuple[int, int, int, str], float] = {}

    def seconds(self, month_name: str, day: int, clock: str) -> float | None:
        """None for a stamp that is no time (it changes nothing: a bad line does not turn the year)."""
        month = MONTHS.get(month_name.lower())
        if month is None:
            return None
        year = self.year + 1 if month < self.month else self.year  # December, then January
        base = self.minute(year, month, day, clock[:5])
        second = int(clock[6:])
        if base is None or second > 60:
            return None
        self.year, self.month = year, month
        return base + second

    def minute(self, year: int, month: int, day: int, minute: str) -> float | None:
        """The start of a minute ('HH:MM') in the zone; None for none such."""
        key = (year, month, day, minute)
        base = self._minutes.get(key)
        if base is None:
            try:
                moment = datetime(year, month, day, int(minute[:2]), int(minute[3:]), tzinfo=self.zone)
            except ValueError:
                return None
            if len(self._minutes) > 100_000:
                self._minutes.clear()
            base = self._minutes[key] = moment.timestamp()
        return base


def take(
    ctx: ParseContext,
    aggregator: LookupAggregator,
    block: bytes,
    first_line: int,
    clock: Clock,
    patterns: dict[str, str],
    qtype: Callable[[str], str],
) -> bool:
    lines = text_lines(block)
    if lines is None:
        return False
    line = pc.extract_regex(lines, f"^{patterns['line']}$")
    if line.null_count:
        return False  # a blank line, or one the line reader rejects
    stamps = _stamps(line, clock)
    if stamps is None:
        return False
    ts, year, month = stamps
    ctx.counts["lines read"] += len(lines)
    number = pa.array(range(first_line, first_line + len(lines)), pa.int64())  # each row's line
    ours = pc.is_in(line.field("program"), value_set=pa.array(PROGRAMS, pa.large_string()))
    for item in pc.value_counts(pc.filter(line.field("program"), pc.invert(ours))).to_pylist():
        ctx.skip(f"{item['values']} lines (DHCP and others)", item["counts"])
    message = pc.filter(line.field("message"), ours)
    ts, number = pc.filter(ts, ours), pc.filter(number, ours)
    _queries(aggregator, message, ts, number, patterns["query"], qtype)
    _answers(ctx, aggregator, message, ts, number, patterns, clock)
    clock.year, clock.month = year, month
    return True


def _stamps(line: pa.StructArray, clock: Clock) -> tuple[pa.Array, int, int] | None:
    """Each line's epoch seconds, and the year and month after the block; None where a stamp is
    no time. Each distinct minute is read once, by the line reader's clock."""
    names = pc.dictionary_encode(pc.utf8_lower(line.field("month")))
    numbers = [MONTHS.get(name) for name in names.dictionary.to_pylist()]
    if None in numbers:
        return None
    month = pc.take(pa.array(numbers, pa.int64()), names.indices)
    previous = pa.concat_arrays([pa.array([clock.month], pa.int64()), month.slice(0, len(month) - 1)])
    year = pc.add(
        pc.cumulative_sum(pc.cast(pc.less(month, previous), pa.int64())), clock.year
    )  # December, then January
    stamp = line.field("clock")
    second = pc.cast(pc.utf8_slice_codeunits(stamp, 6), pa.int64())
    if pc.max(second).as_py() > 60:
        return None
    parts = (pc.cast(year, pa.large_string()), pc.cast(month, pa.large_string()), line.field("day"))
    hm = pc.utf8_slice_codeunits(stamp, 0, 5)
    minutes = pc.dictionary_encode(pc.binary_join_element_wise(*parts, hm, pa.scalar(" ", pa.large_string())))
    bases = []
    for key in minutes.dictionary.to_pylist():
        y, m, d, hm = key.split(" ")
        base = clock.minute(int(y), int(m), int(d), hm)
        if base is None:
            return None
        bases.append(base)
    ts = pc.add(pc.take(pa.array(bases, pa.float64()), minutes.indices), pc.cast(second, pa.float64()))
    return ts, year[-1].as_py(), month[-1].as_py()


def _queries(
    aggregator: LookupAggregator,
    message: pa.Array,
    ts: pa.Array,
    number: pa.Array,
    pattern: str,
    qtype: Callable[[str], str],
) -> None:
    query = pc.extract_regex(message, f"^{pattern}$")
    rows = pc.indices_nonzero(pc.is_valid(query))
    if not len(rows):
        return
    types = pc.dictionary_encode(pc.take(query.field("qtype"), rows))
    aggregator.add(
        LookupColumns(
            ts=pc.take(ts, rows),
            client=pc.take(query.field("client"), rows),
            qname=pc.take(query.field("name"), rows),
            qtype=pc.take(pa.array([qtype(t) for t in types.dictionary.to_pylist()], pa.string()), types.indices),
            line_of=line_numbers(pc.take(number, rows), 0),
        )
    )


def _answers(
    ctx: ParseContext,
    aggregator: LookupAggregator,
    message: pa.Array,
    ts: pa.Array,
    number: pa.Array,
    patterns: dict[str, str],
    clock: Clock,
) -> None:
    """Answer lines as the line reader reads them: an address on its name's line, a `<CNAME>`
    answer an alias of the next line's name when that line is an answer from DNS too."""
    is_query = pc.match_substring_regex(message, f"^{patterns['query']}$")
    # only a message with " is " can be an answer: the costly pattern is matched against those alone
    maybe = pc.and_(pc.invert(is_query), pc.match_substring(message, " is "))
    answer = pc.extract_regex(pc.if_else(maybe, message, pa.scalar(None, message.type)), f"^{patterns['answer']}$")
    is_answer = pc.and_(maybe, pc.is_valid(answer))
    other = pc.and_(pc.invert(is_query), pc.invert(is_answer))
    forwarded = pc.sum(pc.and_(other, pc.starts_with(message, "forwarded "))).as_py() or 0
    others = (pc.sum(other).as_py() or 0) - forwarded
    from_dns = pc.and_(is_answer, pc.is_in(answer.field("how"), value_set=pa.array(FROM_DNS, pa.large_string())))
    made_up = (pc.sum(is_answer).as_py() or 0) - (pc.sum(from_dns).as_py() or 0)
    for reason, count in (
        ("forwarded to an upstream server", forwarded),
        ("other messages", others),
        ("answers made up by dnsmasq itself (config, hosts files, block lists): not linked", made_up),
    ):
        if count:
            ctx.skip(reason, count)
    if not len(message):
        return
    name, value = answer.field("name"), answer.field("value")
    # the name each line leaves for the next: its own after a <CNAME> answer from DNS, else none
    leaves = pc.if_else(
        pc.and_(from_dns, pc.fill_null(pc.equal(value, "<CNAME>"), False)), name, pa.scalar(None, name.type)
    )
    carried = pa.array([clock.alias_of], name.type)
    alias_of = pa.concat_arrays([carried, leaves.slice(0, len(leaves) - 1)])
    clock.alias_of = leaves[-1].as_py()
    alias = pc.indices_nonzero(pc.and_(from_dns, pc.is_valid(alias_of)))
    first = pc.utf8_slice_codeunits(value, 0, 1)
    address = pc.and_(
        from_dns,
        pc.and_(pc.not_equal(first, "<"), pc.or_(pc.match_substring(value, ":"), pc.utf8_is_digit(first))),
    )
    address = pc.indices_nonzero(pc.fill_null(address, False))
    for rows, qname, rtype, data in (
        (alias, pc.take(alias_of, alias), pa.repeat(pa.scalar("CNAME"), len(alias)), pc.take(name, alias)),
        (
            address,
            pc.take(name, address),
            pc.if_else(pc.match_substring(pc.take(value, address), ":"), "AAAA", "A"),
            pc.take(value, address),
        ),
    ):
        if len(rows):
            aggregator.add(
                LookupColumns(
                    ts=pc.take(ts, rows),
                    client=pa.nulls(len(rows), pa.string()),
                    qname=qname,
                    qtype=rtype,
                    answers=data,
                    lookup=pa.repeat(pa.scalar(False), len(rows)),
                    line_of=line_numbers(pc.take(number, rows), 0),
                )
            )
