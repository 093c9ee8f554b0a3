"""A load of the embedded store killed at any point, inside a checkpoint too, leaves a store
every command can use, with the data loaded before intact, and a rerun gives the clean graph
(issue 17). A kill inside a checkpoint leaves `.shadow` / `.wal.checkpoint` beside the store;
LadybugDB then refused every read-only open ("checkpoint recovery is pending").

The kills come from tests/kill_after_writes.py: after the Nth store write, or inside the Kth
checkpoint (a small REOPEN_ROWS gives one small load several), at a delay or as soon as the
checkpoint makes a given file.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from helpers import Store, json_output, run_cli_killed

pytestmark = pytest.mark.slow

# a checkpoint before every statement: nine in one load of the log below into an empty store
# (which writes each table whole, in one statement)
REOPEN_ROWS = "1"
LINES = 1500
# Kill points across one load: after writes, and inside checkpoints (at their start, after a
# delay, or as soon as the checkpoint freezes the WAL or starts its shadow file).
POINTS = (
    "1",
    "2",
    "3",
    "4",
    "checkpoint:1:0",
    "checkpoint:1:.wal.checkpoint",
    "checkpoint:1:.shadow",
    "checkpoint:2:0",
    "checkpoint:2:.shadow",
    "checkpoint:2:10",
    "checkpoint:2:.wal.checkpoint",
    "checkpoint:3:2",
    "checkpoint:3:.shadow",
    "checkpoint:4:5",
    "checkpoint:4:.shadow",
    "checkpoint:5:3",
    "checkpoint:5:.shadow",
    "checkpoint:6:.shadow",
    "checkpoint:7:.shadow",
    "checkpoint:9:.wal.checkpoint",
)  # 20 points: the issue asks for at least 20 over one load, the checkpoint included
# A checkpoint makes `.wal.checkpoint` only when its WAL holds writes other than COPYs (which are
# not logged): the 1st and 9th into an empty store, the 2nd into one with data. Where the file
# does not come, the kill follows the checkpoint.
PENDING = (".shadow", ".wal.checkpoint")  # what makes a read-only open refuse


def _zeek(path: Path, zone: str, net: str) -> Path:
    rng = random.Random(zone)
    fields = [
        "ts",
        "uid",
        "id.orig_h",
        "id.orig_p",
        "id.resp_h",
        "id.resp_p",
        "proto",
        "trans_id",
        "rtt",
        "query",
        "qclass",
        "qclass_name",
        "qtype",
        "qtype_name",
        "rcode",
        "rcode_name",
        "AA",
        "TC",
        "RD",
        "RA",
        "Z",
        "answers",
        "TTLs",
        "rejected",
    ]
    lines = ["#separator \\x09", "#path\tdns", "#fields\t" + "\t".join(fields)]
    for i in range(LINES):
        client = f"{net}.{rng.randrange(8)}.{rng.randrange(1, 250)}"
        name = f"h{rng.randrange(400)}.d{rng.randrange(60)}.{zone}"
        row = [f"{1462320000 + i * 97}.000000", f"C{i}", client, "5353", "10.0.0.1", "53", "udp", "0", "0.01"]
        row += [name, "1", "C_INTERNET", "1", "A", "0", "NOERROR", "F", "F", "T", "T", "0"]
        row += [f"192.0.2.{rng.randrange(1, 250)}", "300.0", "F"]
        lines.append("\t".join(row))
    path.write_text("\n".join(lines) + "\n")
    return path


def _load(store: Store, log: Path, point: str = "") -> subprocess.CompletedProcess[str]:
    if not point:
        return store.cli("load", "zeek", str(log), check=False)
    env = {**store.env, "GRAPHKIT_STORE": store.location, "GRAPHKIT_TEST_REOPEN_ROWS": REOPEN_ROWS}
    return run_cli_killed(point, "load", "zeek", str(log), env=env)


def _graph(store: Store) -> dict[str, object]:
    stats = store.cli_stats()
    return {"nodes": stats["nodes"], "relationships": stats["relationships"], "lookups": stats["lookups"]}


def _earlier(store: Store) -> list[int]:
    """What the load before left: its names, and their lookups."""
    names = "MATCH (d:Domain) WHERE d.name ENDS WITH 'before.example' RETURN count(d) AS n"
    lookups = (
        "MATCH (:IPAddress)-[l:LOOKED_UP]->(d:Domain) WHERE d.name ENDS WITH 'before.example' RETURN count(l) AS n"
    )
    return [json_output(store.cli("query", "run", "--cypher", q, "--format", "json"))[0]["n"] for q in (names, lookups)]


@pytest.mark.parametrize("start", ["empty", "with data"])
def test_kill_anywhere_in_a_load_leaves_a_usable_store(start: str, tmp_path: Path) -> None:
    log = _zeek(tmp_path / "during.log", "during.example", "10.9")
    base = Store("embedded", str(tmp_path / "base" / "graph.lbdb"))
    Path(base.location).parent.mkdir()
    earlier = None
    if start == "with data":
        assert _load(base, _zeek(tmp_path / "before.log", "before.example", "10.8")).returncode == 0
        earlier = _earlier(base)
        assert earlier[0] > 0 and earlier[1] > 0

    def fresh(name: str) -> Store:
        store = Store("embedded", str(tmp_path / name / "graph.lbdb"))
        Path(store.location).parent.mkdir()
        if Path(base.location).exists():  # closed cleanly: one file
            shutil.copy(base.location, store.location)
        return store

    clean = fresh("clean")
    assert _load(clean, log).returncode == 0
    expected = _graph(clean)

    pending = 0
    for point in POINTS:
        store = fresh(point.replace(":", "-"))
        killed = _load(store, log, point)
        assert killed.returncode == -signal.SIGKILL, f"{point}: not killed: {killed.returncode} {killed.stderr}"
        pending += any(Path(store.location + suffix).exists() for suffix in PENDING)

        stats = store.cli("stats", check=False)
        assert stats.returncode == 0, f"{point}: stats after the kill: {stats.stderr}"
        assert "Traceback" not in stats.stderr
        if earlier is not None:
            assert _earlier(store) == earlier, f"{point}: the earlier load's data changed"
        rerun = _load(store, log)
        assert rerun.returncode == 0, f"{point}: rerun: {rerun.stderr}"
        assert _graph(store) == expected, f"{point}: the rerun differs from a clean load"
    # the kills did land inside checkpoints, where they leave a recovery to finish (the points
    # a file triggers, nine here into an empty store and eight into one with data, did in every
    # run seen; a slow checkpoint may outlast a delay)
    assert pending >= 6, f"only {pending} of the kills left a checkpoint to finish"
