"""Cisco Umbrella DNS logs, a block at a time, read by Arrow's CSV reader: the fast path of
graphkit.parsers.umbrella.

A block is only taken when Arrow's table means exactly what umbrella's line reader makes of
the lines: one row per line, every line of the same number of fields (at least ten), every
timestamp of the form 'YYYY-MM-DD HH:MM:SS'. Otherwise `take` returns False having done
nothing, and the block is read line by line (which then says which lines are bad and why);
so is a block holding a header line or a byte-order mark.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from graphkit.ingest.context import ParseContext
from graphkit.ingest.lookups.aggregator import LookupAggregator, LookupColumns
from graphkit.parsers.block_lines import line_numbers

COLUMNS = 10  # every version's first ten; later versions add more after them, not read
TIME, INTERNAL, ACTION, QTYPE, DOMAIN = (f"f{i}" for i in (0, 3, 5, 6, 8))
STAMP = r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$"


def take(
    ctx: ParseContext, aggregator: LookupAggregator, block: bytes, first_line: int, qtype: Callable[[str], str | None]
) -> bool:
    """Count the block's lines and hand its lookups to the aggregator; False (nothing done) when
    the block must be read line by line."""
    table = _table(block)
    if table is None:
        return False

    def column(name: str) -> pa.Array:
        return table.column(name).combine_chunks()

    stamps = column(TIME)
    if not pc.all(pc.match_substring_regex(stamps, STAMP)).as_py():
        return False  # a header, or a time the line reader rejects
    ts = pc.divide(pc.cast(pc.strptime(stamps, "%Y-%m-%d %H:%M:%S", "s"), pa.int64()), 1.0)
    ctx.counts["lines read"] += table.num_rows
    for item in pc.value_counts(column(ACTION)).to_pylist():
        ctx.counts[f"Umbrella {item['values'] or 'no action'}"] += item["counts"]
    internal = column(INTERNAL)
    inside = pc.not_equal(pc.utf8_trim_whitespace(internal), "")
    roaming = table.num_rows - (pc.sum(inside).as_py() or 0)
    if roaming:
        ctx.skip("queries with no internal address (only the shared egress address): not lookups", roaming)
    rows = pc.indices_nonzero(inside)
    domain = pc.take(column(DOMAIN), rows)
    aggregator.add(
        LookupColumns(
            ts=pc.take(ts, rows),
            client=pc.take(internal, rows),
            qname=pc.if_else(pc.equal(domain, ""), pa.scalar(None, pa.string()), domain),
            qtype=_mapped(pc.take(column(QTYPE), rows), qtype),
            line_of=line_numbers(rows, first_line),
        )
    )
    return True


def _table(block: bytes) -> pa.Table | None:
    """The block as one string column per field, one row per line; None when Arrow cannot read
    it so (quoted newlines, lines of differing width, a byte-order mark, blank lines)."""
    lines = block.count(b"\n")
    if block.startswith(b"\xef\xbb\xbf") or b"\n\n" in block or block.startswith(b"\n"):
        return None
    try:
        width = pv.read_csv(io.BytesIO(block[: block.find(b"\n") + 1]), _read(None), _PARSE).num_columns
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    if width < COLUMNS:
        return None
    try:
        table = pv.read_csv(io.BytesIO(block), _read(width), _PARSE, _convert())
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    return table if table.num_rows == lines else None


def _read(width: int | None) -> pv.ReadOptions:
    names = None if width is None else [f"f{i}" for i in range(width)]
    return pv.ReadOptions(column_names=names, autogenerate_column_names=names is None, use_threads=True)


_PARSE = pv.ParseOptions(newlines_in_values=False)


def _convert() -> pv.ConvertOptions:
    wanted = [TIME, INTERNAL, ACTION, QTYPE, DOMAIN]
    return pv.ConvertOptions(
        column_types={name: pa.string() for name in wanted},
        include_columns=wanted,
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )


def _mapped(values: pa.Array, qtype: Callable[[str], str | None]) -> pa.Array:
    """The line reader's query type of each value, worked out once per distinct value."""
    encoded = pc.dictionary_encode(values)
    names = pa.array([qtype(v) for v in encoded.dictionary.to_pylist()], pa.string())
    return pc.take(names, encoded.indices)
