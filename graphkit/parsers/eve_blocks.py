"""Suricata EVE JSON lines, a block at a time, read by Arrow's JSON reader: the fast path of
graphkit.parsers.eve.

Arrow reads a block of whole lines into columns with the fields a lookup needs (others are
ignored), and the lookups and answers are made from the columns, as eve's line reader makes
them from each event. A block is only taken when its table means exactly what the lines
mean: one row per line, every field of one JSON type, every event a dns event of a known
type with a time Arrow reads, or another event type (counted). Otherwise `take` returns
False having done nothing, and eve reads the block line by line (which then says which
lines are bad and why); so does a block with an answer given only `grouped` (a chain, read
as eve reads it).
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from graphkit.ingest import bounded
from graphkit.ingest.context import ParseContext
from graphkit.ingest.lookups.aggregator import LookupAggregator, LookupColumns
from graphkit.parsers import eve_tls
from graphkit.parsers.block_lines import epoch_seconds
from graphkit.parsers.tls_sessions import TlsSessions

QUESTIONS = ["query", "request"]  # dns event types that ask (v3: request)
ANSWERS = ["answer", "response"]
RECORD_TYPES = ["A", "AAAA", "CNAME"]  # answers that map to the graph
DNS_PORTS = [53, 853]  # the side of an answer event on one of these is the server
_QUESTION = pa.struct([("rrname", pa.string()), ("rrtype", pa.string())])
_RECORD = pa.struct([("rrname", pa.string()), ("rrtype", pa.string()), ("ttl", pa.int64()), ("rdata", pa.string())])
SCHEMA = pa.schema(
    [
        ("timestamp", pa.string()),
        ("event_type", pa.string()),
        ("src_ip", pa.string()),
        ("src_port", pa.int64()),
        ("dest_ip", pa.string()),
        ("dest_port", pa.int64()),
        ("host", pa.string()),
        (
            "dns",
            pa.struct(
                [
                    ("version", pa.int64()),
                    ("type", pa.string()),
                    ("rrname", pa.string()),
                    ("rrtype", pa.string()),
                    ("rdata", pa.string()),
                    ("ttl", pa.int64()),
                    ("rd", pa.bool_()),
                    ("queries", pa.list_(_QUESTION)),
                    ("answers", pa.list_(_RECORD)),
                    ("grouped", pa.struct([])),
                ]
            ),
        ),
    ]
)
_OPTIONS = pj.ParseOptions(explicit_schema=SCHEMA, unexpected_field_behavior="ignore")
# tls events' fields are read only from blocks that hold one (they cost a dns-only block 6-9%)
_WITH_TLS = pj.ParseOptions(
    explicit_schema=SCHEMA.append(pa.field("tls", eve_tls.BLOCK_TYPE)), unexpected_field_behavior="ignore"
)
BLOCK_BYTES = 16 << 20  # read at once; Arrow parses it on every core, in pieces of PIECE_BYTES
PIECE_BYTES = 2 * bounded.LINE_LIMIT  # more than the longest line the stream lets through


def decoded(data: bytes, tls_likely: bool = False) -> pa.Table | None:
    """The block's lines as one row each, or None when Arrow cannot read them exactly. With tls
    events' fields when the block holds one: read so at once when `tls_likely` (the block before
    held one), else read again when one turns up."""
    lines = data.count(b"\n")
    if b"\n\n" in data or not data[:1].strip() or b"\n \n" in data:
        return None
    read = pj.ReadOptions(use_threads=True, block_size=PIECE_BYTES)
    try:
        table = pj.read_json(io.BytesIO(data), read, _WITH_TLS if tls_likely else _OPTIONS)
        if not tls_likely and pc.any(pc.equal(table.column("event_type"), pa.scalar("tls"))).as_py():
            table = pj.read_json(io.BytesIO(data), read, _WITH_TLS)
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    return table if table.num_rows == lines else None


def take(
    ctx: ParseContext,
    aggregator: LookupAggregator,
    table: pa.Table,
    first_line: int,
    hosts: Callable[[pa.Array], None],
    sessions: TlsSessions,
) -> bool:
    """Count the block's events and hand its lookups and answers to the aggregator, its TLS
    sessions to `sessions`; False (nothing done) when the block must be read line by line."""
    kinds = table.column("event_type").combine_chunks()
    if kinds.null_count:
        return False  # not an EVE event: eve's reader rejects it
    tls = eve_tls.Block.of(table, kinds, first_line)
    if tls is False:
        return False
    is_dns = pc.equal(kinds, pa.scalar("dns"))
    dns = pc.filter(table.column("dns"), is_dns).combine_chunks()
    if dns.null_count:
        return False
    kind = dns.field("type")
    if len(kind) and not pc.all(pc.is_in(kind, value_set=pa.array(QUESTIONS + ANSWERS))).as_py():
        return False  # (a block without dns events is Arrow's to read too)
    events = {name: table.column(name).filter(is_dns).combine_chunks() for name in table.column_names}
    try:
        ts = epoch_seconds(events["timestamp"])
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    answering = pc.is_in(kind, value_set=pa.array(ANSWERS))
    grouped_only = pc.and_(answering, pc.and_(pc.is_null(dns.field("answers")), pc.is_null(dns.field("rdata"))))
    if pc.any(pc.and_(grouped_only, pc.is_valid(dns.field("grouped")))).as_py():
        return False
    lines = pc.add(pc.indices_nonzero(is_dns), pa.scalar(first_line, pa.uint64())).cast(pa.int64())
    _count(ctx, kinds, is_dns, answering)
    hosts(pc.unique(events["host"]))
    _questions(aggregator, events, dns, ts, lines, pc.invert(answering))
    _answers(aggregator, events, dns, ts, lines, answering)
    if tls is not None:
        tls.add_to(sessions)
    return True


def _listed(lists: pa.ListArray, wanted: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(row, item) of the items of the wanted rows' lists (masking the lists themselves with
    if_else costs ten times more: it copies every list)."""
    parent = pc.list_parent_indices(lists).cast(pa.int64())
    keep = pc.take(wanted, parent)
    return pc.filter(parent, keep), pc.filter(pc.list_flatten(lists), keep)


def _count(ctx: ParseContext, kinds: pa.Array, is_dns: pa.Array, answering: pa.Array) -> None:
    ctx.counts["lines read"] += len(kinds)
    for item in pc.value_counts(kinds).to_pylist():
        ctx.counts[f"{item['values']} events"] += item["counts"]
    answers = pc.sum(answering).as_py() or 0
    if answers:  # as the line reader counts them: only when there are some
        ctx.counts["dns answer events"] += answers


def _questions(
    aggregator: LookupAggregator,
    events: dict[str, pa.Array],
    dns: pa.StructArray,
    ts: pa.Array,
    lines: pa.Array,
    asking: pa.Array,
) -> None:
    """Each question of a query or request event: v3's `queries[]`, else the event's rrname."""
    listed = dns.field("queries")
    own = pc.and_(asking, pc.is_null(listed))
    rows = pc.indices_nonzero(own)
    parts = [(rows, pc.take(dns.field("rrname"), rows), pc.take(dns.field("rrtype"), rows))]
    if pc.any(pc.and_(asking, pc.is_valid(listed))).as_py():
        parent, flat = _listed(listed, asking)
        parts.append((parent, flat.field("rrname"), flat.field("rrtype")))
    row = pa.concat_arrays([p[0].cast(pa.int64()) for p in parts])
    if not len(row):
        return
    aggregator.add(
        LookupColumns(
            ts=pc.take(ts, row),
            client=pc.take(events["src_ip"], row),
            qname=pa.concat_arrays([p[1] for p in parts]),
            qtype=pa.concat_arrays([p[2] for p in parts]),
            server=pc.take(events["dest_ip"], row),
            server_port=pc.cast(pc.take(events["dest_port"], row), pa.string()),
            rd=_flags(pc.take(dns.field("rd"), row)),
            line_of=_lines(pc.take(lines, row)),
        )
    )


def _answers(
    aggregator: LookupAggregator,
    events: pa.Table,
    dns: pa.StructArray,
    ts: pa.Array,
    lines: pa.Array,
    answering: pa.Array,
) -> None:
    """A, AAAA and CNAME records of answer events, each with its owner: v1's one per event,
    v2's and v3's `answers[]`."""
    single = pc.and_(answering, pc.and_(pc.is_null(dns.field("version")), pc.is_valid(dns.field("rdata"))))
    rows = pc.indices_nonzero(single).cast(pa.int64())
    one = pa.StructArray.from_arrays(
        [pc.take(dns.field(name), rows) for name in ("rrname", "rrtype", "ttl", "rdata")], fields=list(_RECORD)
    )
    parent, listed = _listed(dns.field("answers"), pc.and_(answering, pc.invert(single)))
    row = pa.concat_arrays([rows, parent])
    records = pa.concat_arrays([one, listed])
    wanted = pc.and_(
        pc.is_in(records.field("rrtype"), value_set=pa.array(RECORD_TYPES)),
        pc.and_(pc.is_valid(records.field("rdata")), pc.greater(pc.utf8_length(records.field("rdata")), 0)),
    )
    row, records = pc.filter(row, wanted), pc.filter(records, wanted)
    if not len(row):
        return
    ports = [pc.is_in(pc.take(events[f"{end}_port"], row), value_set=pa.array(DNS_PORTS)) for end in ("src", "dest")]
    version_says = pc.not_equal(pc.fill_null(pc.take(dns.field("version"), row), 0), pa.scalar(2, pa.int64()))
    from_server = pc.if_else(pc.not_equal(ports[0], ports[1]), ports[0], version_says)  # as eve._from_server

    def end(of_server: bool, field: str) -> pa.Array:
        src, dest = (pc.take(events[f"{side}_{field}"], row) for side in ("src", "dest"))
        return pc.if_else(from_server, src, dest) if of_server else pc.if_else(from_server, dest, src)

    aggregator.add(
        LookupColumns(
            ts=pc.take(ts, row),
            client=end(False, "ip"),
            qname=records.field("rrname"),
            qtype=records.field("rrtype"),
            server=end(True, "ip"),
            server_port=pc.cast(end(True, "port"), pa.string()),
            answers=records.field("rdata"),
            ttls=pc.cast(records.field("ttl"), pa.string()),
            rd=_flags(pc.take(dns.field("rd"), row)),
            lookup=pa.repeat(pa.scalar(False), len(row)),
            line_of=_lines(pc.take(lines, row)),
        )
    )


def _flags(rd: pa.Array) -> pa.Array:
    return pc.if_else(rd, pa.scalar("T"), pa.scalar("F"))


def _lines(lines: pa.Array) -> Callable[[int], int]:
    """Row -> line, asked only for rejected rows: nothing is converted until then."""
    return lambda row: int(lines[row].as_py())
