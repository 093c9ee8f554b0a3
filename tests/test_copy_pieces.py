"""The embedded store copies a large relationship table in pieces (`COPY_PIECE_ROWS`, each its own
transaction, so that the COPY's memory follows the piece, not the table): the graph is the one
a single COPY gives, and a load killed between two pieces is put right by a rerun (the crash
tests kill loads at their writes and checkpoints, tests/test_crash*.py; this is a point inside a write).

Pieces are never smaller than the endpoint tables have nodes, so the log here has many daily
rows between few clients and names; the tests set COPY_PIECE_ROWS to 1 to get pieces of it.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import pytest
from graph_dump import dump
from helpers import Store, run_cli_killed

from graphkit.backends import embedded

CLIENTS, NAMES, DAYS, QTYPES = 5, 9, 20, ("A", "AAAA")
TABLE = "LOOKED_UP"


def _log(path: Path) -> Path:
    """A Zeek JSON log with one lookup per client, name, day and qtype: 1,800 daily rows
    between 5 clients and 9 names."""
    lines = []
    for day in range(DAYS):
        for client in range(CLIENTS):
            for name in range(NAMES):
                for at, qtype in enumerate(QTYPES):
                    query = {"ts": 1462320000 + day * 86400 + client * 600 + name * 20 + at, "uid": "C1"}
                    query |= {"id.orig_h": f"10.1.0.{client + 1}", "id.orig_p": 5353, "id.resp_h": "10.0.0.53"}
                    query |= {"id.resp_p": 53, "proto": "udp", "query": f"www.n{name}.example", "qtype_name": qtype}
                    lines.append(json.dumps(query | {"rcode_name": "NOERROR"}))
    path.write_text("\n".join(lines) + "\n")
    return path


def _dumped(store: Store) -> dict[str, list[Any]]:
    backend = store.open(read_only=True)
    try:
        return dump(backend)
    finally:
        backend.close()


def _copied_rows(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The rows of each COPY into TABLE from now on (the store's own statements, counted)."""
    rows: list[int] = []
    statement = embedded.EmbeddedBackend._statement

    def counted(backend: embedded.EmbeddedBackend, cypher: str, table: Any) -> Any:
        if cypher.startswith(f"COPY {TABLE} "):
            rows.append(table.num_rows)
        return statement(backend, cypher, table)

    monkeypatch.setattr(embedded.EmbeddedBackend, "_statement", counted)
    return rows


def test_a_table_copied_in_pieces_is_the_graph_one_copy_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = _log(tmp_path / "dns.log")
    copied = _copied_rows(monkeypatch)
    whole = Store("embedded", str(tmp_path / "whole.lbdb"))
    whole.cli("load", "zeek", str(log))
    assert copied == [CLIENTS * NAMES * DAYS * len(QTYPES)]

    copied.clear()
    monkeypatch.setattr(embedded, "COPY_PIECE_ROWS", 1)
    pieces = Store("embedded", str(tmp_path / "pieces.lbdb"))
    pieces.cli("load", "zeek", str(log))
    assert sum(copied) == CLIENTS * NAMES * DAYS * len(QTYPES)
    assert len(copied) > 10  # pieces of as many rows as the endpoint tables have nodes
    assert max(copied) >= CLIENTS + NAMES
    assert _dumped(pieces) == _dumped(whole)


@pytest.mark.slow
def test_a_load_killed_between_pieces_is_put_right_by_a_rerun(tmp_path: Path) -> None:
    log = _log(tmp_path / "dns.log")
    clean = Store("embedded", str(tmp_path / "clean.lbdb"))
    clean.cli("load", "zeek", str(log))
    expected = _dumped(clean)
    for nth in (1, 5):
        store = Store("embedded", str(tmp_path / f"killed-{nth}.lbdb"))
        env = {"GRAPHKIT_STORE": store.location, "GRAPHKIT_TEST_COPY_PIECE_ROWS": "1"}
        env["GRAPHKIT_TEST_REOPEN_ROWS"] = "1"  # a checkpoint before each table: the nodes stay
        killed = run_cli_killed(f"copy:{TABLE}:{nth}", "load", "zeek", str(log), env=env)
        assert killed.returncode == -signal.SIGKILL, killed.stderr[-300:]
        # LadybugDB makes a COPY durable at the next checkpoint, and the pieces run back to back
        # without one: the kill loses every piece, as a kill inside one COPY would.
        partial = _dumped(store)
        assert [key for key, _ in partial["Domain"]] == [key for key, _ in expected["Domain"]]
        assert TABLE not in partial
        store.cli("load", "zeek", str(log))
        assert _dumped(store) == expected, f"killed after piece {nth}"
