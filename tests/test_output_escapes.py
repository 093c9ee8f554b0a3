"""Stored text is data: `query run` prints control characters and terminal escapes in table
form as visible escapes, never as instructions to the terminal; JSON keeps the exact value."""

from __future__ import annotations

from pathlib import Path

from helpers import Store, json_output

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
