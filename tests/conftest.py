"""Shared fixtures: a graph store of each kind, and the real command line.

Every graph test takes `store` and so runs on the embedded store and on Neo4j. Neo4j
comes from GRAPHKIT_TEST_NEO4J_URI (with NEO4J_USERNAME / NEO4J_PASSWORD); without it
those tests skip locally, and fail under CI=true, where `make test` starts the server.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from graphkit.backends.base import Backend
from graphkit.backends.store import StoreOptions, clear_neo4j, open_store
from graphkit.query.stats import graph_stats

ROOT = Path(__file__).resolve().parents[1]
NEO4J_URI = os.environ.get("GRAPHKIT_TEST_NEO4J_URI")


def realdata() -> Path:
    """The shared folder of third-party files; tests that need it skip when it is absent."""
    folder = Path(os.environ.get("GRAPHKIT_REALDATA") or ROOT.parent / "shared" / "realdata")
    if not folder.is_dir():
        pytest.skip(f"real data folder {folder} is absent (set GRAPHKIT_REALDATA)")
    return folder


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

    def query(self, cypher: str, **params: Any) -> list[list[Any]]:
        backend = self.open()
        try:
            return backend.query(cypher, params).rows
        finally:
            backend.close()

    def cli(self, *args: str, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess[str]:
        return run_cli(*args, env={**self.env, "GRAPHKIT_STORE": self.location}, check=check, input=input)


def run_cli(
    *args: str, env: dict[str, str] | None = None, check: bool = True, input: str | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """The real `graphkit` command in a child process."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "graphkit", *args],
        env=full_env,
        capture_output=True,
        text=True,
        input=input,
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"graphkit {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def _neo4j_uri() -> str:
    if NEO4J_URI:
        return NEO4J_URI
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but GRAPHKIT_TEST_NEO4J_URI is not set: Neo4j tests must run in CI")
    pytest.skip("no Neo4j configured (set GRAPHKIT_TEST_NEO4J_URI, or run `make test`)")


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "embedded":
        yield Store("embedded", str(tmp_path / "graph.lbdb"))
        return
    uri = _neo4j_uri()
    try:
        clear_neo4j(uri)
    except Exception as exc:  # unreachable server: a failure under CI, not a skip
        pytest.fail(f"Neo4j at {uri} is not usable: {exc}")
    yield Store("neo4j", uri)


@pytest.fixture
def neo4j_uri() -> str:
    return _neo4j_uri()
