"""A load's tables merged across the whole load (graphkit.ingest.spill): the same result held in
memory or spilled to disk, rows merged in the order they came, nothing left on disk."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow as pa
import pytest

from graphkit.errors import GraphkitError
from graphkit.ingest import spill
from graphkit.ingest.spill import Spill
from graphkit.model.tables import Bulk, EdgeTable, NodeTable


def _bulks() -> list[Bulk]:
    """Three batches of one load: the same names and edges again and again, from two sources."""
    out: list[Bulk] = []
    for batch in range(3):
        names = [f"n{i}.example.com" for i in range(batch * 50, batch * 50 + 200)]
        out.append(
            NodeTable(
                "Domain",
                pa.table({"_k": names, "privacy_service": [f"set-in-{batch}"] * len(names)}),
                source=f"test:{batch % 2}",
            )
        )
        out.append(
            EdgeTable(
                "RESOLVES_TO",
                "Domain",
                "IPAddress",
                pa.table(
                    {
                        "_f": names,
                        "_t": ["192.0.2.1"] * len(names),
                        "ttl": [batch] * len(names),
                        "count": [batch * 10] * len(names),
                    }
                ),
                source=f"test:{batch % 2}",
            )
        )
    return out


def _merged(held_rows: int, table_rows: int = 1_000_000) -> dict[str, list[dict[str, object]]]:
    found: dict[str, list[dict[str, object]]] = {}
    with Spill(table_rows, held_rows) as gathered:
        for bulk in _bulks():
            gathered.add(bulk)
        for table in gathered.tables():
            assert table.merged
            name = table.label if isinstance(table, NodeTable) else table.type
            found.setdefault(name, []).extend(table.table.to_pylist())
    for rows in found.values():
        rows.sort(key=lambda row: (str(row.get("_k")), str(row.get("_f"))))
    return found


def test_each_identity_once_merged_in_the_order_it_came() -> None:
    found = _merged(spill.HELD_ROWS)
    domains = {row["_k"]: row for row in found["Domain"]}
    assert len(found["Domain"]) == len(domains) == 300
    # n60 came in batches 0 and 1: SET keeps the last, `sources` names both
    assert domains["n60.example.com"]["privacy_service"] == "set-in-1"
    assert domains["n60.example.com"]["sources"] == ["test:0", "test:1"]
    assert domains["n120.example.com"]["privacy_service"] == "set-in-2"  # batches 0, 1 and 2
    edges = {row["_f"]: row for row in found["RESOLVES_TO"]}
    assert len(found["RESOLVES_TO"]) == len(edges) == 300
    assert (edges["n120.example.com"]["ttl"], edges["n120.example.com"]["count"]) == (2, 20)
    assert (edges["n10.example.com"]["ttl"], edges["n10.example.com"]["count"]) == (0, 0)


@pytest.mark.parametrize("held_rows", [0, 250])
def test_spilled_to_disk_gives_what_memory_gives(held_rows: int) -> None:
    # several tables handed on per relationship
    assert _merged(held_rows, table_rows=64) == _merged(spill.HELD_ROWS)


def test_nothing_is_left_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with Spill(1000, 0) as gathered:
        for bulk in _bulks():
            gathered.add(bulk)
        assert list(tmp_path.iterdir())  # it did spill
        next(gathered.tables())  # a load that stops half-way through its writes
    assert not list(tmp_path.iterdir())


def test_no_room_to_spill_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    monkeypatch.setattr(tempfile, "tempdir", str(not_a_folder))
    with Spill(1000, 0) as gathered, pytest.raises(GraphkitError, match="set TMPDIR to a folder with room"):
        gathered.add(_bulks()[0])
