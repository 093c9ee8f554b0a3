"""Stored text is data: `query run` prints control characters and terminal escapes in table
form as visible escapes, never as instructions to the terminal; JSON keeps the exact value."""

from __future__ import annotations

import io
import json
import random
from datetime import date
from pathlib import Path

from helpers import Store, json_output

from graphkit.cli.output import Format, print_rows
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
