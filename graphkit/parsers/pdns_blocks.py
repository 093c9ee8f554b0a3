"""Passive DNS JSON lines, a block at a time, decoded by Arrow's JSON reader.

A block is whole lines (a few MB). Arrow reads one block in C++ into columns; it cannot say
what json.loads would say about every line, so a block is only taken from it when its table
means exactly what the lines mean:
- one row per line: no blank line, no line with two objects;
- every field read has one JSON type in the block (rdata a string or a list, times numbers or
  text); a block mixing string and list rdata is rewritten first (a string in a list);
- a field that matters when present but null (cond, obj; time_first beside zone_time_first)
  is present exactly where Arrow saw a value.
Otherwise `decoded` returns None and the caller reads the block line by line with json.loads,
which then says which lines are bad and why.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

BLOCK_BYTES = 4 << 20
_RECORD = [("rrname", pa.string()), ("rrtype", pa.string()), ("count", pa.int64())]
_TIMES = ("time_first", "time_last", "zone_time_first", "zone_time_last")
_STRING_RDATA = re.compile(rb'"rdata"[ \t]*:[ \t]*"')
_LIST_RDATA = re.compile(rb'"rdata"[ \t]*:[ \t]*\[')
_RDATA_STRING_VALUE = re.compile(rb'("rdata"[ \t]*:[ \t]*)("[^"\\]*(?:\\.[^"\\]*)*")')
# a literal start lets the search skip ahead (a pattern starting with '"' tries every quote)
_TEXT_TIMES = (re.compile(rb'time_first"[ \t]*:[ \t]*"'), re.compile(rb'time_last"[ \t]*:[ \t]*"'))
_BLANK_LINE = re.compile(rb"\n[ \t\r\f\v]*\n")  # after the first line (which _blank_first checks)
_PRESENCE = {"cond": b'"cond"', "obj": b'"obj"'}


def blocks(stream: BinaryIO, size: int | None = None) -> Iterator[tuple[int, bytes]]:
    """(number of its first line, whole lines ending in a newline) through the stream."""
    size = size or BLOCK_BYTES
    line, carry = 1, b""
    while chunk := stream.read(size):
        data = carry + chunk
        end = data.rfind(b"\n") + 1
        if end == 0:
            carry = data  # one line longer than a block: the stream's line limit bounds it
            continue
        carry = data[end:]
        yield line, data[:end]
        line += data.count(b"\n", 0, end)
    if carry:
        yield line, carry + b"\n"


def schema(text_times: bool, rdata_list: bool) -> pa.Schema:
    """The fields read (others are ignored), at top level and inside DNSDB's obj."""
    time_type = pa.string() if text_times else pa.float64()
    record = [
        *_RECORD,
        ("rdata", pa.list_(pa.string()) if rdata_list else pa.string()),
        *[(name, time_type) for name in _TIMES],
    ]
    return pa.schema([*record, ("cond", pa.string()), ("msg", pa.string()), ("obj", pa.struct(record))])


def decoded(data: bytes) -> pa.Table | None:
    """The block's lines as one table row each, or None when Arrow cannot read them exactly."""
    lines = data.count(b"\n")
    if not data[: data.find(b"\n")].strip() or _BLANK_LINE.search(data):
        return None
    strings, lists = _STRING_RDATA.search(data) is not None, _LIST_RDATA.search(data) is not None
    if strings and lists:
        data = _RDATA_STRING_VALUE.sub(_in_list, data)
    options = pj.ParseOptions(
        explicit_schema=schema(any(p.search(data) for p in _TEXT_TIMES), lists), unexpected_field_behavior="ignore"
    )
    try:
        table = pj.read_json(io.BytesIO(data), pj.ReadOptions(use_threads=False, block_size=len(data) + 1), options)
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    if table.num_rows != lines or not _presence_seen(data, table):
        return None
    if lists and not strings:
        return table
    if not lists:  # one value each: as a list of one, the shape the mapping takes
        return _set(table, "rdata", _as_lists(table.column("rdata")), ("obj", "rdata"))
    return table


def _in_list(match: re.Match[bytes]) -> bytes:
    return b"%s[%s]" % (match[1], match[2])  # cheaper than a template, which is expanded per match


def _presence_seen(data: bytes, table: pa.Table) -> bool:
    """Whether Arrow saw a value wherever cond, obj and (where zone times stand in) the times
    are present: json.loads tells a null from a missing field, Arrow does not."""
    obj = table.column("obj")
    for name, token in _PRESENCE.items():
        column = table.column(name)
        if token in data and data.count(token) != len(column) - column.null_count:
            return False
    for field in ("time_first", "time_last"):
        top, zone = table.column(field), table.column("zone_" + field)
        inner, inner_zone = pc.struct_field(obj, field), pc.struct_field(obj, "zone_" + field)
        if zone.null_count == len(zone) and inner_zone.null_count == len(inner_zone):
            continue
        token = f'"{field}"'.encode()
        if data.count(token) != len(top) - top.null_count + len(inner) - inner.null_count:
            return False
    return True


def _as_lists(column: pa.ChunkedArray) -> pa.Array:
    """Each string as a list of one (null stays null)."""
    values = column.combine_chunks()
    offsets = pa.array(range(len(values) + 1), pa.int32())
    lists = pa.ListArray.from_arrays(offsets, values.fill_null(""))
    return pc.if_else(values.is_valid(), lists, pa.scalar(None, lists.type))


def _set(table: pa.Table, name: str, column: pa.Array, inner: tuple[str, str]) -> pa.Table:
    table = table.set_column(table.column_names.index(name), name, column)
    obj = table.column(inner[0]).combine_chunks()
    fields = [obj.field(i) for i in range(obj.type.num_fields)]
    names = [obj.type.field(i).name for i in range(obj.type.num_fields)]
    fields[names.index(inner[1])] = _as_lists(pa.chunked_array([fields[names.index(inner[1])]]))
    rebuilt = pa.StructArray.from_arrays(fields, names=names, mask=obj.is_null())
    return table.set_column(table.column_names.index(inner[0]), inner[0], rebuilt)
