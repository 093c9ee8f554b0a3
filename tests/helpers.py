"""What the tests share: the real-data folder, a store under test, the command line (in this
process by default, in a child process where the process itself is the point), and readers
for what a command writes (JSON on stdout, the rejects file it names on stderr).

Tests import these as `from helpers import ...` (pytest puts tests/ on sys.path, the folder of
the rootdir conftest); conftest.py holds only the fixtures, built from them.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from graphkit.backends.base import Backend
from graphkit.backends.store import StoreOptions, open_store
from graphkit.cli.app import main
from graphkit.query import subgraph
from graphkit.query.stats import graph_stats
from graphkit.query.subgraph import Subgraph

ROOT = Path(__file__).resolve().parents[1]
NEO4J_URI = os.environ.get("GRAPHKIT_TEST_NEO4J_URI")
REJECTS_NAMED = "rejected lines written to "

# Environment overrides for one command: a value replaces the variable, None unsets it.
Env = Mapping[str, str | None]
CliResult = subprocess.CompletedProcess[str]  # the same fields whether the command ran in process or not


def realdata() -> Path:
    """The shared folder of third-party files; tests that need it skip when it is absent."""
    folder = Path(os.environ.get("GRAPHKIT_REALDATA") or ROOT.parent / "shared" / "realdata")
    if not folder.is_dir():
        pytest.skip(f"real data folder {folder} is absent (set GRAPHKIT_REALDATA)")
    return folder


def neo4j_test_uri() -> str:
    """The Neo4j the tests may use; without one, a skip locally and a failure under CI."""
    if NEO4J_URI:
        return NEO4J_URI
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but GRAPHKIT_TEST_NEO4J_URI is not set: Neo4j tests must run in CI")
    pytest.skip("no Neo4j configured (set GRAPHKIT_TEST_NEO4J_URI, or run `make test`)")


# -- the command line ---------------------------------------------------------------------------


def run_cli(
    *args: str, env: Env | None = None, check: bool = True, input: str | None = None, cwd: Path | None = None
) -> CliResult:
    """`graphkit ARGS` in this process, through the executable's own entry point (main(argv):
    the same parsing, commands and one-line errors), with stdout and stderr captured apart and
    `env`, `input` (stdin) and `cwd` in force for this call only. A child process would pay for
    the interpreter's start and every import on each call."""
    folder = contextlib.chdir(cwd) if cwd else contextlib.nullcontext()
    with folder, CliRunner().isolation(input=input, env=env) as (out, err, _):
        returncode = _exit_status(list(args))
        sys.stdout.flush()
        sys.stderr.flush()
        stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    return _checked(subprocess.CompletedProcess(["graphkit", *args], returncode, stdout, stderr), check)


def _exit_status(argv: list[str]) -> int:
    """What the process would exit with; main always ends in SystemExit."""
    try:
        main(argv)
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        print(exc.code, file=sys.stderr)  # a message: the interpreter prints it and exits 1
        return 1
    return 0


def _cli_command(*args: str) -> list[str]:
    """The real `graphkit` executable's command line, for a child process."""
    return [sys.executable, "-m", "graphkit", *args]


def _child_env(env: Env | None) -> dict[str, str]:
    """This process's environment with the overrides applied (None unsets)."""
    merged = {**os.environ, **(env or {})}
    return {name: value for name, value in merged.items() if value is not None}


def run_cli_process(
    *args: str,
    env: Env | None = None,
    check: bool = True,
    input: str | None = None,
    cwd: Path | None = None,
    timeout: float = 600,
) -> CliResult:
    """`graphkit ARGS` in a child process: for what only a real process shows (signals, locks
    held by another process, import-time behaviour, the terminal it runs on)."""
    proc = subprocess.run(
        _cli_command(*args), env=_child_env(env), cwd=cwd, capture_output=True, text=True, input=input, timeout=timeout
    )
    return _checked(proc, check)


def start_cli_process(*args: str, env: Env | None = None, **popen: Any) -> subprocess.Popen[str]:
    """`graphkit ARGS` started in a child process that the test waits for, reads or kills."""
    return subprocess.Popen(_cli_command(*args), env=_child_env(env), text=True, **popen)


KILL_HARNESS = Path(__file__).with_name("kill_after_writes.py")


def run_cli_killed(point: str, *args: str, env: Env | None = None) -> CliResult:
    """`graphkit ARGS` in a child process that tests/kill_after_writes.py SIGKILLs at `point`."""
    command = [sys.executable, str(KILL_HARNESS), point, *args]
    return subprocess.run(command, env=_child_env(env), capture_output=True, text=True, timeout=600)


def load_kinds() -> tuple[str, ...]:
    """Every `graphkit load` kind, as the command line declares them (a new loader is in)."""
    from graphkit.cli.app import load_app

    return tuple(str(command.name) for command in load_app.registered_commands)


def _checked(proc: CliResult, check: bool) -> CliResult:
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(proc.args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


# -- what a command wrote -----------------------------------------------------------------------


def json_output(proc: CliResult) -> Any:
    """The one JSON document a command printed (`--format json` of stats, query, collect)."""
    return json.loads(proc.stdout)


def json_lines(proc: CliResult) -> list[Any]:
    """One JSON value per line: `load --format json` (a report per file), `--format jsonl`."""
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def rejects_file(stderr: str) -> Path:
    """The rejects file a load named on stderr (it names one only when it rejected something)."""
    assert REJECTS_NAMED in stderr, f"no rejects file named in:\n{stderr}"
    return Path(stderr.split(REJECTS_NAMED)[1].split()[0])


def rejects(stderr: str) -> list[str]:
    """'path:line: reason' of each line of the rejects file named on stderr, in order; [] when
    none was named (nothing rejected)."""
    if REJECTS_NAMED not in stderr:
        return []
    return [line.split("\t")[0] for line in rejects_file(stderr).read_text("utf-8").splitlines()]


# -- stores -------------------------------------------------------------------------------------


@dataclass
class Store:
    """A store under test: where it is, how to open it, and how to run the CLI against it."""

    kind: str
    location: str
    env: dict[str, str] = field(default_factory=dict)

    def open(self, read_only: bool = False) -> Backend:
        return open_store(StoreOptions(self.location), read_only=read_only)

    def stats(self) -> dict[str, Any]:
        backend = self.open()
        try:
            backend.ensure_schema()
            return graph_stats(backend)
        finally:
            backend.close()

    def whole_graph(self) -> Subgraph:
        backend = self.open(read_only=True)
        try:
            return subgraph.whole_graph(backend)
        finally:
            backend.close()

    def query(self, cypher: str, **params: Any) -> list[list[Any]]:
        backend = self.open()
        try:
            return backend.query(cypher, params).rows
        finally:
            backend.close()

    def cli(self, *args: str, check: bool = True, input: str | None = None) -> CliResult:
        return run_cli(*args, env={**self.env, "GRAPHKIT_STORE": self.location}, check=check, input=input)

    def cli_stats(self) -> dict[str, Any]:
        """The counts as `graphkit stats --format json` prints them."""
        return json_output(self.cli("stats", "--format", "json"))
