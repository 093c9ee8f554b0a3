"""Observations gathered column by column: the one form in which parsers hand rows to the load.

A parser appends rows as it reads them (keys as the input spells them, the line each came
from) and hands over `take()` whenever `full`; graphkit.ingest.normalise then makes the keys
canonical, derives what follows from them and merges rows of the same identity, a table at a
time. A parser that reads a handful of records per document may yield Records instead; the
pipeline gathers them here, so they take the same path in small tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from graphkit.ingest import DEFAULT_BATCH
from graphkit.model.records import EdgeRecord, Key, NodeRecord, Props, Record
from graphkit.model.schema import SCHEMA, PropType
from graphkit.model.tables import ARROW_TYPES, TIMESTAMP


@dataclass
class Observed:
    """Rows of one node label, or of one relationship type between two labels, as read: keys
    not yet canonical (`_k`, or `_f` and `_t`), `_line` the line each row came from (null when
    unknown), `_seq` (rows gathered one at a time) the order they came in, then any declared
    properties (times as text, or as timestamps)."""

    name: str  # the label, or the relationship type
    ends: tuple[str, str] | None  # (from label, to label) of a relationship; None for nodes
    table: pa.Table
    source: str | None = None

    @property
    def is_edge(self) -> bool:
        return self.ends is not None


_Group = tuple[str, tuple[str, str] | None, str | None]  # name, ends, source


class Observations:
    """Column lists per node label and per relationship, until `limit` rows are gathered."""

    def __init__(self, limit: int = DEFAULT_BATCH) -> None:
        self.limit = limit
        self.rows = 0
        self._seq = 0
        self._columns: dict[_Group, dict[str, list[Any]]] = {}

    @property
    def full(self) -> bool:
        return self.rows >= self.limit

    def node(
        self, label: str, key: Key, props: Props | None = None, line: int | None = None, source: str | None = None
    ) -> None:
        columns = self._group((label, None, source), ("_k", "_line"))
        columns["_k"].append(key)
        self._row(columns, line, props)

    def edge(
        self,
        rel_type: str,
        from_label: str,
        from_key: Key,
        to_label: str,
        to_key: Key,
        props: Props | None = None,
        line: int | None = None,
        source: str | None = None,
    ) -> None:
        columns = self._group((rel_type, (from_label, to_label), source), ("_f", "_t", "_line"))
        columns["_f"].append(from_key)
        columns["_t"].append(to_key)
        self._row(columns, line, props)

    def columns(
        self, name: str, ends: tuple[str, str] | None, props: tuple[str, ...] = (), source: str | None = None
    ) -> list[list[Any]]:
        """The column lists of a node label or relationship: keys (`_k`, or `_f` and `_t`), `_line`,
        then `props`. For a reader that appends each row itself, a value to every list, and adds
        the rows to `rows` (a call per row costs more than the row); valid until `take()`."""
        keys = ("_k",) if ends is None else ("_f", "_t")
        columns = self._group((name, ends, source), (*keys, "_line"))
        rows = len(columns["_line"])
        for prop in props:
            column = columns.setdefault(prop, [])
            column.extend([None] * (rows - len(column)))  # the rows before did not have it
        return [columns[column] for column in (*keys, "_line", *props)]

    def record(self, record: Record, line: int | None = None) -> None:
        """A validated record."""
        if isinstance(record, NodeRecord):
            self.node(record.label, record.key, record.props, line, record.source)
        else:
            assert isinstance(record, EdgeRecord)
            self.edge(
                record.type,
                record.from_label,
                record.from_key,
                record.to_label,
                record.to_key,
                record.props,
                line,
                record.source,
            )

    def _group(self, group: _Group, keys: tuple[str, ...]) -> dict[str, list[Any]]:
        columns = self._columns.get(group)
        if columns is None:
            columns = self._columns[group] = {name: [] for name in keys}
        return columns

    def _row(self, columns: dict[str, list[Any]], line: int | None, props: Props | None) -> None:
        lines = columns["_line"]
        row = len(lines)
        lines.append(line)
        columns.setdefault("_seq", []).append(self._seq)  # the order rows came in, across tables
        self._seq += 1
        if props:
            for name, value in props.items():
                column = columns.get(name)
                if column is None:
                    column = columns[name] = []
                if len(column) < row:  # a property the rows before did not have
                    column.extend([None] * (row - len(column)))
                column.append(value)
        self.rows += 1

    def take(self) -> Iterator[Observed]:
        """The rows gathered so far, a table per node label and relationship; then empty."""
        groups, self._columns, self.rows = self._columns, {}, 0
        for (name, ends, source), columns in groups.items():
            yield Observed(name, ends, _table(name, ends, columns), source)


def _table(name: str, ends: tuple[str, str] | None, columns: dict[str, list[Any]]) -> pa.Table:
    rows = len(columns["_line"])
    declared = SCHEMA.by_type[name].props_by_name if ends else SCHEMA.by_label[name].props_by_name
    arrays: dict[str, pa.Array] = {}
    for column, values in columns.items():
        if len(values) < rows:
            values.extend([None] * (rows - len(values)))
        prop = declared.get(column)
        if prop is None:  # a key or the line: keys are text, or numbers (ASNs)
            arrays[column] = pa.array(values, pa.int64() if column in ("_line", "_seq") else None)
        elif prop.type is PropType.TIME:
            arrays[column] = _times(values)
        else:
            arrays[column] = pa.array(values, ARROW_TYPES[prop.type])
    return pa.table(arrays)


def _times(values: list[Any]) -> pa.Array:
    """Times as given: text (made canonical later) or, when a parser has them so, timestamps."""
    array = pa.array(values)
    if pa.types.is_null(array.type):
        return array.cast(pa.string())
    return array if array.type in (pa.string(), TIMESTAMP) else array.cast(pa.string())
