"""Stored text is data: `query run` prints control characters and terminal escapes in table
form as visible escapes, never as instructions to the terminal; JSON keeps the exact value."""

from __future__ import annotations

import io
import json
import random
from datetime import date
from pathlib import Path

from helpers import Store, json_output

from graphkit.cli.output import Format, _cell, _visible, print_rows
from graphkit.model.records import NodeRecord, to_json

HOSTILE = "Evil\x1b]0;owned\x07\x1b[2J\x1b[31mCorp\rFake\u202etxt.exe\x9b1m\x7f"


def test_table_output_escapes_control_characters(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "org.jsonl"
    path.write_text(to_json(NodeRecord("Organization", "evil corp", {"name": HOSTILE, "aliases": [HOSTILE]})) + "\n")
    store.cli("load", "records", str(path))
    cypher = "MATCH (o:Organization) RETURN o.name AS name, o.aliases AS aliases, 'a\tb' AS `col\x1b[1m`"
    table = store.cli("query", "run", "--cypher", cypher).stdout
    shown = r"Evil\x1b]0;owned\x07\x1b[2J\x1b[31mCorp\rFake\u202etxt.exe\x9b1m\x7f"
    assert shown in table and r"a\tb" in table and r"col\x1b[1m" in table
    assert not any(ch in table for ch in "\x1b\x07\r\x7f\x9b\u202e\t")
    exact = json_output(store.cli("query", "run", "--cypher", cypher, "--format", "json"))
    assert exact[0]["name"] == HOSTILE and exact[0]["aliases"] == [HOSTILE]


def test_json_output_is_the_text_json_dump_writes() -> None:
    """The JSON format writes scalars itself (json.dump with an indent took 5 s for 85k rows):
    its text stays what json.dump(rows, indent=2) writes, whatever the values and columns."""
    values = [None, True, False, 0, -3, 2**70, 1.5, 1e-7, -0.0, float("inf"), float("nan"), "", HOSTILE, "\ud800",
              "é \"q\" \\", [], {}, [1, [2, {"a": None}]], {"b": [1.25, "x"], "a": {}}, date(2016, 5, 4)]  # fmt: skip
    pick = random.Random(7)
    for _ in range(500):
        columns = [pick.choice(["name", "ü", "a b", "", "name"]) for _ in range(pick.randint(0, 4))]
        rows = [[pick.choice(values) for _ in columns] for _ in range(pick.randint(0, 3))]
        written = io.StringIO()
        print_rows(columns, rows, Format.json, written)
        expected = json.dumps([dict(zip(columns, r)) for r in rows], ensure_ascii=False, indent=2, default=str)
        assert written.getvalue() == expected + "\n", (columns, rows)


def test_a_table_prints_any_float() -> None:
    """A float that is not finite (an ad-hoc query's 1.0/0.0) is printed, not a crash."""
    written = io.StringIO()
    print_rows(["x", "y", "z"], [[float("inf"), float("nan"), 2.50001]], Format.table, written)
    assert written.getvalue().splitlines()[2].split() == ["inf", "nan", "2.5"]


def _table_cell_by_cell(columns: list[str], rows: list[list[object]]) -> str:
    """The table as it was first written, one cell at a time: the text the column-wise printer
    must keep."""
    heads = [_visible(c) for c in columns]
    cells = [[_visible(_cell(v)) for v in r] for r in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(heads)]
    text = "  ".join(c.ljust(w) for c, w in zip(heads, widths)).rstrip() + "\n"
    text += "  ".join("-" * w for w in widths) + "\n"
    return text + "".join("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() + "\n" for r in cells)


def test_a_table_is_the_text_cell_by_cell_printing_writes() -> None:
    """The table is made a column at a time (85k rows took 0.58 s cell by cell): the same text,
    whatever the values, with columns of one type (the fast paths) and of several."""
    floats = [0.0, -0.0, -0.00001, 0.00004, 0.00005, 1.0, 2.5, 1 / 3, -7.25, 1e20, 1e300, 123456.78901, 0.1 + 0.2,
              float("inf"), float("-inf"), float("nan")]  # fmt: skip
    others = [None, True, 0, -3, 2**70, "", "x", " pad ", HOSTILE, "a\nb", "é", [1, "x"], {"k": 1.5}]
    pick = random.Random(11)
    for _ in range(500):
        kinds = [pick.choice([floats, others, floats + others, ["aa", "b", ""], [1, 22, 333]]) for _ in range(4)]
        columns = [pick.choice(["name", "ü", "a b", "", "x\ty", "share"]) for _ in kinds]
        rows = [[pick.choice(kind) for kind in kinds] for _ in range(pick.randint(0, 6))]
        written = io.StringIO()
        print_rows(columns, rows, Format.table, written)
        assert written.getvalue() == _table_cell_by_cell(columns, rows), (columns, rows)
