"""Sysmon events as JSON lines in evtx_dump's shape, a block at a time, read by Arrow's JSON
reader: the fast path of graphkit.parsers.sysmon.

A block is only taken when Arrow's table means exactly what sysmon's event reader makes of the
lines: one event a line, every field read of one JSON type (other shapes, Winlogbeat's, are
read a line at a time), every event with an event id, every DNS query event with a QueryName,
a QueryStatus of digits (or none) and a UtcTime of the form 'YYYY-MM-DD HH:MM:SS[.fff]'.
Otherwise `take` returns False having done nothing.
"""

from __future__ import annotations

from collections import Counter

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from graphkit.ingest.context import ParseContext
from graphkit.ingest.lookups.aggregator import LookupAggregator, LookupColumns
from graphkit.ingest.lookups.answers import joined_per_row
from graphkit.ingest.lookups.classify import HOST_CLIENT
from graphkit.parsers.block_lines import json_rows, line_numbers

DNS_EVENT = 22
CNAME = 5
UTC_TIME = r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?$"
TYPED_RESULT = r"^type:\s*(?P<type>\d+)\s+(?P<value>\S+)$"
MAPPED_V4 = "::ffff:"
NO_TIME_BEFORE = -11612937600.0  # 1602-01-01: a time in 1601 (Windows' zero) the event reader takes for none
# an element's attributes: under "#attributes" (evtx_dump) or beside its other fields
_ATTRIBUTE = pa.struct([("#attributes", pa.struct([("Name", pa.string())])), ("Name", pa.string())])
SCHEMA = pa.schema(
    [
        (
            "Event",
            pa.struct(
                [
                    (
                        "System",
                        pa.struct(
                            [("Provider", _ATTRIBUTE), ("EventID", pa.int64()), ("Computer", pa.string())],
                        ),
                    ),
                    (
                        "EventData",
                        pa.struct(
                            [
                                ("UtcTime", pa.string()),
                                ("QueryName", pa.string()),
                                ("QueryStatus", pa.string()),
                                ("QueryResults", pa.string()),
                                ("Image", pa.string()),
                            ]
                        ),
                    ),
                ]
            ),
        )
    ]
)
_OPTIONS = pj.ParseOptions(explicit_schema=SCHEMA, unexpected_field_behavior="ignore")
PROCESSES_KEPT = 10_000
OTHER_PROCESSES = "(other processes)"


def take(
    ctx: ParseContext,
    aggregator: LookupAggregator,
    block: bytes,
    first_line: int,
    processes: Counter[str],
    statuses: dict[int, str],
) -> bool:
    """Count the block's events and hand its lookups to the aggregator; False (nothing done) when
    the block must be read a line at a time."""
    table = json_rows(block, _OPTIONS)
    if table is None:
        return False
    event = table.column("Event").combine_chunks()
    if event.null_count:
        return False
    system, data = event.field("System"), event.field("EventData")
    event_id = system.field("EventID")
    element = system.field("Provider")
    attributes = element.field("#attributes")
    named = pc.if_else(pc.is_valid(attributes), attributes.field("Name"), element.field("Name"))
    provider = pc.if_else(pc.equal(named, ""), pa.scalar(None, pa.string()), named)
    if event_id.null_count:
        return False  # the event reader rejects an event without an id, naming the line
    is_sysmon = pc.fill_null(pc.match_substring(pc.utf8_lower(provider), "sysmon"), True)
    is_query = pc.and_(pc.equal(event_id, DNS_EVENT), is_sysmon)
    rows = pc.indices_nonzero(is_query)
    query = {name: pc.take(data.field(name), rows) for name in ("UtcTime", "QueryName", "QueryStatus", "Image")}
    names = query["QueryName"]
    if names.null_count or not pc.all(pc.not_equal(pc.utf8_trim_whitespace(names), "")).as_py():
        return False  # rejected by the event reader: no QueryName
    results = pc.take(data.field("QueryResults"), rows)
    if not pc.all(pc.and_(pc.string_is_ascii(names), pc.string_is_ascii(results))).as_py():
        return False  # Arrow's patterns read \s and \d as ASCII, Python's as Unicode
    stamps, status = query["UtcTime"], query["QueryStatus"]
    if stamps.null_count or not pc.all(pc.match_substring_regex(stamps, UTC_TIME)).as_py():
        return False
    if not pc.all(pc.match_substring_regex(status, r"^\d+$")).as_py():  # nulls pass: no status
        return False
    ts = pc.divide(pc.cast(pc.cast(stamps, pa.timestamp("us")), pa.int64()), 1e6)  # UTC, as the name says
    if len(ts) and pc.min(ts).as_py() < NO_TIME_BEFORE:
        return False
    _count(ctx, table.num_rows, provider, event_id, is_query)
    code = pc.cast(status, pa.int64())
    for item in pc.value_counts(code).to_pylist():
        if item["values"] is not None:
            name = statuses.get(item["values"], "error")
            ctx.counts[f"QueryStatus {item['values']} ({name})"] += item["counts"]
    for item in pc.value_counts(query["Image"]).to_pylist():
        if item["values"] and item["values"].strip():
            count_process(processes, item["values"], item["counts"])
    computer = pc.take(system.field("Computer"), rows)
    answered = pc.fill_null(pc.equal(code, 0), True)
    aggregator.add(
        LookupColumns(
            ts=ts,
            client=pc.if_else(
                pc.fill_null(pc.equal(computer, ""), True),
                pa.scalar(None, pa.string()),
                pc.binary_join_element_wise(HOST_CLIENT, computer, ""),
            ),
            qname=names,
            answers=pc.if_else(answered, _chains(results), pa.scalar(None, pa.string())),
            answers_typed=True,
            line_of=line_numbers(rows, first_line),
        )
    )
    return True


def count_process(processes: Counter[str], image: str, lookups: int) -> None:
    """Lookups by each querying process; at most PROCESSES_KEPT distinct ones (memory stays
    bounded whatever the file names), the later ones counted as one."""
    if image in processes or len(processes) < PROCESSES_KEPT:
        processes[image] += lookups
    else:
        processes[OTHER_PROCESSES] += lookups


def _count(ctx: ParseContext, events: int, provider: pa.Array, event_id: pa.Array, is_query: pa.Array) -> None:
    ctx.counts["lines read"] += events
    ctx.counts["events read"] += events
    others = pa.table({"provider": provider, "id": event_id}).filter(pc.invert(is_query))
    for row in others.group_by(["provider", "id"], use_threads=False).aggregate([("id", "count")]).to_pylist():
        ctx.skip(f"{row['provider'] or 'events'} {row['id']}: not a Sysmon DNS query", row["id_count"])


def _chains(results: pa.Array) -> pa.Array:
    """QueryResults as sysmon._chain reads them: `type: 5 NAME` an alias, `::ffff:a.b.c.d` an
    IPv4 address, other typed results left out; joined as the aggregator reads a chain."""
    listed = pc.split_pattern(pc.if_else(pc.equal(results, "-"), pa.scalar(None, pa.string()), results), ";")
    parent = pc.list_parent_indices(listed)
    item = pc.utf8_trim_whitespace(pc.list_flatten(listed))
    typed = pc.extract_regex(item, TYPED_RESULT)
    is_typed = pc.is_valid(typed)
    number = pc.if_else(is_typed, typed.field("type"), pa.scalar(None, pa.string()))  # "" where none matched
    alias = pc.fill_null(pc.equal(pc.cast(number, pa.int64()), CNAME), False)
    mapped = pc.and_(pc.starts_with(item, MAPPED_V4), pc.match_substring(item, "."))
    value = pc.if_else(
        alias,
        pc.utf8_rtrim(typed.field("value"), characters="."),
        pc.if_else(mapped, pc.utf8_slice_codeunits(item, len(MAPPED_V4)), item),
    )
    usable = pc.and_(pc.not_equal(value, ""), pc.invert(pc.match_substring(value, ",")))
    keep = pc.fill_null(pc.and_(pc.or_(alias, pc.invert(is_typed)), usable), False)
    return joined_per_row(pc.filter(parent, keep), pc.filter(value, keep), len(results))
