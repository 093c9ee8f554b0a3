"""Relationships the embedded store merges by writing them anew (a delete and a create in one
statement, where more than one property changes; see EmbeddedBackend._merge_existing) keep
every value, stay one per identity, and survive a kill right after. A real store and, for the
kill, a real SIGKILL in a child process."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pyarrow as pa
from helpers import Store

from graphkit.backends.embedded import EmbeddedBackend
from graphkit.backends.results import split_list
from graphkit.model import tables
from graphkit.model.schema import SCHEMA

RESOLVES = SCHEMA.by_type["RESOLVES_TO"]
DOMAIN, ADDRESS = SCHEMA.by_label["Domain"], SCHEMA.by_label["IPAddress"]
EDGES = "MATCH (d:Domain)-[r:RESOLVES_TO]->(i:IPAddress) RETURN d.name, i.address, r.ttl, r.count, r.first_seen, r.last_seen, r.sources ORDER BY d.name, r.count"


def _write(backend: EmbeddedBackend, rows: list[dict[str, object]], *, new: bool = False) -> None:
    schema = tables.edge_schema(RESOLVES, "Domain", "IPAddress")
    backend.write_edges(RESOLVES, "Domain", "IPAddress", tables.conform(schema, pa.Table.from_pylist(rows)), new=new)


def _ends(backend: EmbeddedBackend) -> None:
    backend.ensure_schema()
    for node, keys in ((DOMAIN, ["a.example", "b.example"]), (ADDRESS, ["192.0.2.1"])):
        backend.write_nodes(node, tables.conform(tables.node_schema(node), pa.table({"_k": keys})))


def _edge(name: str, count: int, day: int, source: str) -> dict[str, object]:
    seen = datetime(2016, 5, day)
    return {
        "_f": name,
        "_t": "192.0.2.1",
        "ttl": 300,
        "count": count,
        "first_seen": seen,
        "last_seen": seen,
        "sources": [source],
    }


def test_relationships_whose_properties_change_keep_every_value_once(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path / "graph.lbdb")
    try:
        _ends(backend)
        _write(backend, [_edge("a.example", 1, 1, "s1"), _edge("b.example", 5, 1, "s1")], new=True)
        # both written anew: a.example's count (MAX), last_seen (MAX) and sources (UNION)
        # change; b.example's last_seen and sources change, and its count stays 5 (not the 2
        # given); neither's first_seen (MIN) changes, though a later one is given
        _write(backend, [_edge("a.example", 3, 9, "s2"), _edge("b.example", 2, 9, "s2")])
        rows = backend.query(EDGES).rows
    finally:
        backend.close()
    assert [row[:6] for row in rows] == [
        ["a.example", "192.0.2.1", 300, 3, "2016-05-01T00:00:00Z", "2016-05-09T00:00:00Z"],
        ["b.example", "192.0.2.1", 300, 5, "2016-05-01T00:00:00Z", "2016-05-09T00:00:00Z"],
    ]
    assert [sorted(split_list(row[6])) for row in rows] == [["s1", "s2"], ["s1", "s2"]]


def test_a_relationship_twice_in_one_table_is_not_created_twice(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path / "graph.lbdb")
    try:
        _ends(backend)
        _write(backend, [_edge("a.example", 1, 1, "s1")], new=True)
        _write(backend, [_edge("a.example", 3, 9, "s2"), _edge("a.example", 4, 9, "s2")])
        rows = backend.query(EDGES).rows
    finally:
        backend.close()
    assert len(rows) == 1
    assert rows[0][3] in (3, 4)  # each row merged on its own: the last one set wins


CHILD = """
import os, signal, sys
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from test_edge_rewrites import _edge, _ends, _write
from graphkit.backends.embedded import EmbeddedBackend
backend = EmbeddedBackend(Path(sys.argv[1]))
_ends(backend)
_write(backend, [_edge("a.example", 1, 1, "s1"), _edge("b.example", 1, 1, "s1")], new=True)
_write(backend, [_edge("a.example", 3, 9, "s2")])  # written anew, right after the COPY
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_kill_after_writing_relationships_anew_leaves_them_written(tmp_path: Path) -> None:
    store = Store("embedded", str(tmp_path / "graph.lbdb"))
    child = subprocess.run(
        [sys.executable, "-c", CHILD, store.location, str(Path(__file__).parent)], capture_output=True, text=True
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    rows = store.query(EDGES)
    assert [row[:4] for row in rows] == [["a.example", "192.0.2.1", 300, 3], ["b.example", "192.0.2.1", 300, 1]]
    assert rows[0][4:6] == ["2016-05-01T00:00:00Z", "2016-05-09T00:00:00Z"]
    assert sorted(split_list(rows[0][6])) == ["s1", "s2"]
