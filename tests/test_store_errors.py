"""Store selection and its failures: one clear line, non-zero exit, no traceback, no secret."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import Store, run_cli

SECRET = "s3cret-Pa55word-that-must-not-leak"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _assert_one_clean_line(proc: object, uri: str) -> None:
    stderr = proc.stderr  # type: ignore[attr-defined]
    assert proc.returncode != 0  # type: ignore[attr-defined]
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert uri in lines[0]
    assert "Traceback" not in stderr
    assert SECRET not in stderr + proc.stdout  # type: ignore[attr-defined]


@pytest.mark.parametrize("scheme", ["bolt", "neo4j"])
def test_nothing_listening(scheme: str) -> None:
    uri = f"{scheme}://127.0.0.1:{_free_port()}"
    started = time.monotonic()
    proc = run_cli("stats", "--store", uri, "--password", SECRET, check=False)
    assert time.monotonic() - started < 10
    _assert_one_clean_line(proc, uri)
    assert "cannot connect" in proc.stderr


@pytest.mark.neo4j
def test_wrong_password(neo4j_uri: str) -> None:
    started = time.monotonic()
    proc = run_cli("stats", "--store", neo4j_uri, env={"NEO4J_PASSWORD": SECRET}, check=False)
    assert time.monotonic() - started < 10
    _assert_one_clean_line(proc, neo4j_uri)
    assert "authentication failed" in proc.stderr


def test_unknown_scheme_is_refused() -> None:
    proc = run_cli("stats", "--store", "http://127.0.0.1:7474", check=False)
    assert proc.returncode != 0 and "unsupported store URI http://" in proc.stderr


def test_store_from_environment(store: Store) -> None:
    """GRAPHKIT_STORE chooses the store when --store is absent (the fixture passes it that way)."""
    store.stats()  # creates the (empty) store
    proc = store.cli("stats", "--format", "json")
    assert '"sources": 0' in proc.stdout


def test_a_buffer_pool_too_small_is_one_line_naming_the_setting(tmp_path: Path) -> None:
    """LadybugDB cannot write into a tiny buffer pool even after the store reopens itself."""
    log = tmp_path / "dns.log"
    rows = [f"1462320006.9\t10.0.{i // 256}.{i % 256}\thost{i}.example.com\tA" for i in range(3000)]
    log.write_text("#separator \\x09\n#fields\tts\tid.orig_h\tquery\tqtype_name\n" + "\n".join(rows) + "\n")
    proc = run_cli(
        "load",
        "zeek",
        str(log),
        "--store",
        str(tmp_path / "g.lbdb"),
        env={"GRAPHKIT_BUFFER_POOL_MB": "16"},
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert (
        proc.stderr.strip().splitlines()[-1].endswith("is too small for this write; set GRAPHKIT_BUFFER_POOL_MB higher")
    )
    assert "Traceback" not in proc.stderr


def test_missing_embedded_store_is_one_line(tmp_path: object) -> None:
    proc = run_cli("stats", "--store", f"{tmp_path}/nothing-here.lbdb", check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith("error: no graph at")


def test_help_tells_a_new_user_what_to_do_first() -> None:
    out = run_cli("--help").stdout
    assert "Start here:  graphkit demo" in out
    assert run_cli("--version").stdout.startswith("graphkit ")


_UNCLOSED = """
import os, sys, ladybug
conn = ladybug.Connection(ladybug.Database(sys.argv[1], buffer_pool_size=64 << 20, auto_checkpoint=False))
conn.execute("CREATE NODE TABLE T(k STRING, PRIMARY KEY(k))")
conn.execute("CREATE (:T {k: 'x'})")
os._exit(0)  # as if killed: the WAL stays beside the store
"""


def test_a_crash_while_recovering_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where LadybugDB itself crashes finishing what a killed process left, graphkit says what
    happened and what to do, and leaves the files as they were (the crash is simulated: the
    first open after a kill runs in a child process, here one that dies of SIGSEGV)."""
    from graphkit.backends import embedded_recovery

    path = tmp_path / "graph.lbdb"
    subprocess.run([sys.executable, "-c", _UNCLOSED, str(path)], check=True)
    wal = path.with_name(path.name + ".wal")
    assert wal.exists()
    before = wal.read_bytes()
    monkeypatch.setattr(embedded_recovery, "_RECOVER", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)")
    for command in (["stats"], ["load", "zeek", str(tmp_path / "missing.log")]):
        proc = run_cli(*command, "--store", str(path), check=False)
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert proc.returncode == 1 and len(lines) == 1, proc.stderr
        assert f"store {path}: LadybugDB crashed (SIGSEGV)" in lines[0] and "graph.lbdb.wal" in lines[0]
        assert "Traceback" not in proc.stderr
    assert wal.read_bytes() == before
