"""Lines parsed one at a time, gathered into columns for the lookup aggregator."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from graphkit.ingest.lookups.aggregator import LookupAggregator, LookupColumns


class ColumnBuilder:
    """Collects lines parsed one at a time (BIND, CSV, Zeek JSON, unusual Zeek TSV) into
    LookupColumns, so that every log kind is counted by the same code."""

    def __init__(
        self,
        aggregator: LookupAggregator,
        *,
        binary: bool,
        zeek_escapes: bool,
        answer_sep: str = ",",
        answers_typed: bool = False,
        default_day: int | None = None,
        size: int = 65536,
    ) -> None:
        self.aggregator, self.size = aggregator, size
        self.type = pa.binary() if binary else pa.string()
        self.zeek_escapes, self.answer_sep, self.default_day = zeek_escapes, answer_sep, default_day
        self.answers_typed = answers_typed
        self.lines: list[int] = []
        self.texts: list[bytes] = []  # what each row was read from, where a line number cannot find it
        self.ts: list[float | None] = []
        self.rows: list[dict[str, Any]] = []  # each row's columns, as given

    def add_read_from(self, text: bytes, line: int, ts: float | None, **columns: Any) -> None:
        """A row read from `text` (shown if the row is rejected), where `line` cannot find it again.
        A builder's rows are all added so, or none (the texts are found by row)."""
        self.texts.append(text)
        self.add(line, ts, **columns)

    def add(self, line: int, ts: float | None, **columns: Any) -> None:
        self.lines.append(line)
        self.ts.append(ts)
        self.rows.append(columns)  # made columns at flush: a row costs three appends
        if len(self.lines) >= self.size:
            self.flush()
        elif not len(self.lines) & 0xFFF:
            self.aggregator.ctx.tick()  # a log's records come out at its end: progress comes from here

    def flush(self) -> None:
        if not self.lines:
            return
        lines, texts, given = self.lines, self.texts, set().union(*self.rows)
        rows = len(lines)

        def column(name: str, kind: pa.DataType | None = None) -> pa.Array | None:
            if name not in given:
                return None
            return pa.array([row.get(name) for row in self.rows], kind or self.type)

        client, qname = column("client"), column("qname")

        batch = LookupColumns(
            ts=pa.array(self.ts, pa.float64()),
            client=client if client is not None else pa.nulls(rows, self.type),
            qname=qname if qname is not None else pa.nulls(rows, self.type),
            line_of=lambda row: lines[row],
            text_of=(lambda row: texts[row]) if texts else None,
            qtype=column("qtype"),
            server=column("server"),
            server_port=column("server_port"),
            answers=column("answers"),
            ttls=column("ttls"),
            rd=column("rd"),
            lookup=column("lookup", pa.bool_()),
            answer_sep=self.answer_sep,
            answers_typed=self.answers_typed,
            zeek_escapes=self.zeek_escapes,
            default_day=self.default_day,
        )
        self.lines, self.texts, self.ts = [], [], []
        self.rows = []
        self.aggregator.add(batch)
