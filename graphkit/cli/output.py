"""Printing rows as a table, JSON, JSON lines or CSV: the one output option every command shares."""

from __future__ import annotations

import csv
import json
import math
import re
import sys
from collections.abc import Iterator
from enum import StrEnum
from itertools import islice, repeat
from json.encoder import encode_basestring
from operator import add, itemgetter
from typing import Any, TextIO


class Format(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


# Characters a terminal acts on rather than shows: C0 and C1 controls (escape sequences
# start with ESC or CSI), DEL, and the bidirectional overrides that reorder what is shown.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(text: str) -> str:
    """Text safe to print on a terminal: control characters written as escapes (\\x1b, \\n)."""
    if text.isprintable():  # what _CONTROL matches is not (categories Cc and Cf): the common case, fast
        return text
    return _CONTROL.sub(lambda m: _NAMED.get(m.group(), m.group().encode("unicode_escape").decode()), text)


def _cell(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, float):
        if not math.isfinite(value):  # int() of these raises
            return str(value)
        return f"{value:.4f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


# json.dump with an indent writes every token separately through the pure-Python encoder: 85k
# rows took 5 s. Scalars written here (a column at a time, see _json_rows), nested values
# through the encoder, give the same text in 0.31 s.
_FLAT = json.JSONEncoder(ensure_ascii=False, default=str)
_INDENTED = json.JSONEncoder(ensure_ascii=False, indent=2, default=str)


def _json_value(value: Any) -> str:
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None or isinstance(value, bool):
        return "null" if value is None else "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float) and math.isfinite(value):
        return float.__repr__(value)
    if isinstance(value, (list, dict)) and value:
        return _INDENTED.encode(value).replace("\n", "\n    ")
    return _FLAT.encode(value)


def _json_rows(columns: list[str], rows: list[list[Any]]) -> Iterator[str]:
    """The rows as `json.dump(rows, indent=2)` writes them in the list, one string each; made a
    column at a time, each step a map run in C (row by row, 85k rows of ten columns took 0.44 s)."""
    unique = list(dict.fromkeys(columns))  # a repeated column is one key, its last value (as in a dict)
    last = [len(columns) - 1 - columns[::-1].index(c) for c in unique]
    if not unique:
        return repeat("  {}", len(rows))
    fields = [
        map(add, repeat(f"    {encode_basestring(column)}: "), _json_column(_column(rows, i)))
        for column, i in zip(unique, last)
    ]
    return map("  {{\n{}\n  }}".format, map(",\n".join, zip(*fields)))


def _column(rows: list[list[Any]], i: int) -> list[Any]:
    return list(map(itemgetter(i), rows))


def _json_column(values: list[Any]) -> Iterator[str]:
    """One column's values as _json_value writes them, by the column's types at once."""
    kinds = set(map(type, values))
    if kinds <= {str}:
        return map(encode_basestring, values)
    if kinds <= {int}:  # not bool: its own type
        return map(int.__repr__, values)
    if kinds <= {float} and all(map(math.isfinite, values)):
        return map(float.__repr__, values)
    return map(_json_value, values)


def print_rows(columns: list[str], rows: list[list[Any]], fmt: Format, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    if fmt is Format.json:
        texts = _json_rows(columns, rows)
        out.write("[\n" if rows else "[")
        separator = ""
        while chunk := list(islice(texts, 10_000)):  # bounded: the text is not held whole
            out.write(separator + ",\n".join(chunk))
            separator = ",\n"
        out.write("\n]\n" if rows else "]\n")
    elif fmt is Format.jsonl:
        for r in rows:
            out.write(json.dumps(dict(zip(columns, r)), ensure_ascii=False, default=str) + "\n")
    elif fmt is Format.csv:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_cell(v) for v in r] for r in rows])
    else:
        _table(columns, rows, out)


def _table(columns: list[str], rows: list[list[Any]], out: TextIO) -> None:
    # Column by column, each step a map over a whole column or line run in C: 85k rows of ten
    # columns took 0.58 s cell by cell in Python, most of it in _cell's calls; now 0.39 s.
    cells = [_column_cells(_column(rows, i)) for i in range(len(columns))]
    heads = [_visible(c) for c in columns]
    widths = [max(len(head), max(map(len, column), default=0)) for head, column in zip(heads, cells)]
    out.write("  ".join(map(str.ljust, heads, widths)).rstrip() + "\n" + "  ".join("-" * w for w in widths) + "\n")
    padded = (map(str.ljust, column, repeat(width)) for column, width in zip(cells, widths))
    lines = map(str.rstrip, map("  ".join, zip(*padded)))
    while chunk := list(islice(lines, 10_000)):  # bounded: the text of a million rows is not held twice
        out.write("\n".join(chunk) + "\n")


_TRAILING_ZEROS = re.compile(r"\.?0+$", re.MULTILINE)


def _column_cells(values: list[Any]) -> list[str]:
    """One column's cells as `_cell` and `_visible` write them, by the column's types at once."""
    kinds = set(map(type, values))
    if kinds <= {str}:
        cells = list(values)
    elif kinds <= {int}:
        cells = list(map(str, values))
    elif kinds <= {float}:  # as _cell: 4 decimals, no trailing zeros (-0.0 + 0.0 is 0.0, written "0")
        text = "\n".join(map("{:.4f}".format, map(add, values, repeat(0.0))))
        cells = _TRAILING_ZEROS.sub("", text).split("\n")
    else:
        cells = list(map(_cell, values))
    return cells if all(map(str.isprintable, cells)) else list(map(_visible, cells))
