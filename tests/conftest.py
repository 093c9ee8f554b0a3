"""Shared fixtures: a graph store of each kind (the helpers they use are in helpers.py).

Every graph test takes `store` and so runs on the embedded store and on Neo4j. Neo4j
comes from GRAPHKIT_TEST_NEO4J_URI (with NEO4J_USERNAME / NEO4J_PASSWORD); without it
those tests skip locally, and fail under CI=true, where `make test` starts the server.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import Store, neo4j_test_uri

from graphkit.backends.store import clear_neo4j


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "embedded":
        yield Store("embedded", str(tmp_path / "graph.lbdb"))
        return
    uri = neo4j_test_uri()
    try:
        clear_neo4j(uri)
    except Exception as exc:  # unreachable server: a failure under CI, not a skip
        pytest.fail(f"Neo4j at {uri} is not usable: {exc}")
    yield Store("neo4j", uri)


@pytest.fixture
def neo4j_uri() -> str:
    return neo4j_test_uri()
