"""Choosing a store from --store / GRAPHKIT_STORE: a path means embedded, a Bolt URI means Neo4j."""

from __future__ import annotations

import getpass
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from graphkit.errors import GraphkitError

if TYPE_CHECKING:  # the backends load with the store they open
    from graphkit.backends.base import Backend

DEFAULT_STORE = "graphkit.lbdb"
NEO4J_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")


@dataclass
class StoreOptions:
    """Where the graph is and how to log in; a field left None is read from the environment."""

    store: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)  # never printed; only handed to the driver
    database: str | None = None

    @property
    def location(self) -> str:
        return self.store or os.environ.get("GRAPHKIT_STORE") or DEFAULT_STORE

    @property
    def login(self) -> str:
        """The Neo4j user name."""
        return self.user or os.environ.get("NEO4J_USERNAME") or "neo4j"

    @property
    def is_neo4j(self) -> bool:
        return self.location.startswith(NEO4J_SCHEMES)

    def rejects_dir(self) -> Path:
        """Rejected lines go next to the embedded store, or in the working folder for Neo4j."""
        if self.is_neo4j:
            return Path("graphkit-rejects")
        return Path(self.location + ".rejects")


def open_store(options: StoreOptions, *, read_only: bool = False) -> Backend:
    location = options.location
    if options.is_neo4j:
        from graphkit.backends.neo4j import Neo4jBackend

        user = options.login
        password = options.password or os.environ.get("NEO4J_PASSWORD")
        if password is None:
            if not sys.stdin.isatty():
                raise GraphkitError(f"no password for {location}: set NEO4J_PASSWORD")
            password = getpass.getpass(f"Neo4j password for {user} at {location}: ")
        database = options.database or os.environ.get("NEO4J_DATABASE") or None
        retry = float(os.environ.get("GRAPHKIT_NEO4J_RETRY_SECONDS", "30"))
        writers = int(os.environ.get("GRAPHKIT_NEO4J_WRITERS", "2"))
        return Neo4jBackend(location, user, password, database, retry_seconds=retry, writers=writers)
    if "://" in location:
        raise GraphkitError(f"unsupported store URI {location.split('://')[0]}:// (use a path, bolt:// or neo4j://)")
    from graphkit.backends.embedded import EmbeddedBackend

    wait = float(os.environ.get("GRAPHKIT_LOCK_WAIT", "10"))
    return EmbeddedBackend(location, read_only=read_only, lock_wait=wait)


def clear_neo4j(uri: str) -> None:
    """Empty a Neo4j database (tests and benchmarks start from nothing)."""
    from graphkit.backends.neo4j import Neo4jBackend

    backend = open_store(StoreOptions(uri))
    try:
        assert isinstance(backend, Neo4jBackend)
        backend.clear()
    finally:
        backend.close()
