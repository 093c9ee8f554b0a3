"""What earlier loads left in the store, for the loaders that match against it.

The prefixes and asnames loaders read the store before they parse (the addresses to match,
the ASNs to name, the files loaded before); the parsers themselves stay pure. Each loaded
file is remembered by its Source node (path and sha256), which is how a later
`load prefixes` finds the AS names, and `load prefixes --refresh` finds the tables.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from graphkit.backends.store import StoreOptions, open_store
from graphkit.errors import StoreUnavailable
from graphkit.ingest import bounded, inputs

Note = Callable[[str], None]  # told of a file loaded before that is no longer there as it was
T = TypeVar("T")


def _rows(options: StoreOptions, cypher: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
    """Rows of a read query on the store (an embedded store that does not exist yet is empty)."""
    try:
        backend = open_store(options)
    except StoreUnavailable:
        if options.is_neo4j:
            raise
        return []
    try:
        backend.ensure_schema()
        return backend.query(cypher, params or {}).rows
    finally:
        backend.close()


def addresses(options: StoreOptions) -> list[str]:
    """Every IP address in the graph."""
    return [row[0] for row in _rows(options, "MATCH (i:IPAddress) RETURN i.address")]


def asns(options: StoreOptions) -> set[int]:
    """Every AS number in the graph."""
    return {int(row[0]) for row in _rows(options, "MATCH (a:ASN) RETURN a.number")}


def files(options: StoreOptions, kind: str, note: Note) -> list[tuple[str, Path]]:
    """(Source id, path) of the files of one kind loaded before that are still where they were."""
    rows = _rows(
        options,
        "MATCH (s:Source) WHERE s.kind = $kind RETURN s.id, s.path, s.sha256, s.loaded_at ORDER BY s.loaded_at, s.id",
        {"kind": kind},
    )
    found = []
    for source, path, sha256, _ in rows:
        file = Path(path) if path else None
        if file and file.is_file() and inputs.sha256_of(file) == sha256:
            found.append((source, file))
        else:
            note(f"{kind} file {path} (source {source}) is gone or changed; load it again")
    return found


def newest(options: StoreOptions, kind: str, read: Callable[[bytes], T], note: Note) -> tuple[T, str] | None:
    """What `read` makes of the newest file of one kind loaded before that it can read (it raises
    ValueError for one it cannot), and that file's Source id."""
    for source, path in reversed(files(options, kind, note)):
        try:
            stream, _ = inputs.open_binary(
                path, on_too_large=_refuse, line_limit=None, size_limit=bounded.DOCUMENT_LIMIT
            )
            with stream:
                return read(stream.read()), source
        except ValueError:
            continue
    return None


def _refuse(reason: str) -> None:
    raise ValueError(reason)
