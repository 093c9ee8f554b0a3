"""Choosing a store from --store / GRAPHKIT_STORE: a path means embedded, a Bolt URI means Neo4j."""

from __future__ import annotations

import getpass
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from graphkit.errors import GraphkitError

if TYPE_CHECKING:  # the backends load with the store they open
    from graphkit.backends.base import Backend

DEFAULT_STORE = "graphkit.lbdb"
NEO4J_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")
SECRET_WORDS = r"pass|pwd|secret|token|key|auth|credential"
SECRET_PARAM = re.compile(SECRET_WORDS, re.IGNORECASE)
HIDDEN = "***"


def _split(location: str) -> tuple[str, str, str, str]:
    """scheme://, user-info (without its @), host and path, ?query (each may be empty)."""
    scheme, sep, rest = location.partition("://")
    if not sep:
        return "", "", location, ""
    ends = [i for i in (rest.find("?"), rest.find("#")) if i >= 0]
    at = rest.rfind("@", 0, min(ends) if ends else len(rest))
    if at < 0 and "@" in rest and "=" not in rest[: rest.rfind("@")]:
        at = rest.rfind("@")  # a password holding '?' or '#'
    user_info, rest = (rest[:at], rest[at + 1 :]) if at >= 0 else ("", rest)
    host, q, query = rest.partition("?")
    return scheme + sep, user_info, host, q + query


def redacted_uri(location: str) -> str:
    """The store location, safe to print or log: a URI without its user-info, and the values of
    its secret-looking query parameters (password, token, key, ...) hidden. A path is unchanged."""
    scheme, _, host, query = _split(location)
    if query:
        query = "?" + "&".join(k + eq + (HIDDEN if eq and SECRET_PARAM.search(k) else v) for k, eq, v in _pairs(query))
    return scheme + host + query


def _pairs(query: str) -> list[tuple[str, str, str]]:
    """(key, "=" or "", value) of each parameter of a ?query."""
    return [pair.partition("=") for pair in query[1:].split("&")]


_USER_INFO = re.compile(r"\b([a-z][a-z0-9+.-]*://)[^\s/?#@'\"]*@", re.IGNORECASE)
_SECRET_VALUE = re.compile(rf"([?&][^=&\s]*(?:{SECRET_WORDS})[^=&\s]*=)([^&\s'\"]*)", re.IGNORECASE)


def _hide(match: re.Match[str]) -> str:
    value = match.group(2)
    if value.startswith(HIDDEN) and not value[len(HIDDEN) :].strip(".,:;)]}"):
        return match.group(0)  # hidden already, then punctuation of the message
    return match.group(1) + HIDDEN


def redacted_text(text: str) -> str:
    """Any text (an error message from anywhere) with what looks like credentials in a URI hidden."""
    return _SECRET_VALUE.sub(_hide, _USER_INFO.sub(r"\1", text))


def redacted(message: str, location: str) -> str:
    """`message` (a driver's, say) with the location redacted and no piece of its secrets left."""
    message = message.replace(location, redacted_uri(location))
    _, user_info, _, query = _split(location)
    secrets = [user_info.partition(":")[2]]
    secrets += [v for k, _, v in _pairs(query) if SECRET_PARAM.search(k)]
    for secret in sorted(filter(None, secrets), key=len, reverse=True):
        message = message.replace(secret, HIDDEN)
    return message


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

        shown = redacted_uri(location)
        if _split(location)[1]:
            raise GraphkitError(
                f"{shown}: give the user and password with NEO4J_USERNAME and NEO4J_PASSWORD "
                "(or --user and --password), not in the store URI"
            )
        user = options.login
        password = options.password or os.environ.get("NEO4J_PASSWORD")
        if password is None:
            if not sys.stdin.isatty():
                raise GraphkitError(f"no password for {shown}: set NEO4J_PASSWORD")
            password = getpass.getpass(f"Neo4j password for {user} at {shown}: ")
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
