"""A Cypher script that recreates the subgraph in another Neo4j with MERGE (run it twice:
nothing changes). Labels, types and property names come from the schema; values are
literals, so no :param is needed. Inside string literals, quotes and backslashes are
backslash escapes, line breaks and tabs \\n \\r \\t, and ';', '/', backticks and other control
characters \\uXXXX escapes: each statement is one line ending in ';', and no statement
splitter or comment stripper (cypher-shell, Browser) can misread it. (Neo4j reads \\uXXXX
before it reads the string, so a quote or backslash must never be written that way.)
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from graphkit.backends.ddl import neo4j_statements
from graphkit.export.encoding import declared, typed
from graphkit.model.schema import SCHEMA
from graphkit.query.subgraph import Relationship, Subgraph, iter_nodes

ROWS_PER_STATEMENT = 500
_SHORT = {"\\": "\\\\", "'": "\\'", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_UNICODE = set("`;/") | {"\u2028", "\u2029", "\x7f"}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _escape(ch: str) -> str:
    if ch in _SHORT:
        return _SHORT[ch]
    if ch in _UNICODE or ord(ch) < 0x20:
        return f"\\u{ord(ch):04x}"
    return ch


def string_literal(text: str) -> str:
    return "'" + "".join(_escape(ch) for ch in text) + "'"


def name(text: str) -> str:
    """A map key or property name: bare when it is an identifier, else in backticks."""
    return text if _NAME.match(text) else "`" + text.replace("`", "``") + "`"


def literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"no Cypher literal for {value}")
        return repr(value)
    if isinstance(value, str):
        return string_literal(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{name(str(k))}: {literal(v)}" for k, v in value.items()) + "}"
    raise ValueError(f"no Cypher literal for a {type(value).__name__}")


def _typed(owner: str, props: Mapping[str, Any]) -> dict[str, Any]:
    types = declared(owner)
    return {k: typed(types.get(k), v) for k, v in sorted(props.items())}


def _batches(rows: list[str]) -> Iterator[str]:
    for offset in range(0, len(rows), ROWS_PER_STATEMENT):
        yield "[" + ", ".join(rows[offset : offset + ROWS_PER_STATEMENT]) + "]"


def node_statements(graph: Subgraph) -> Iterator[str]:
    by_label: dict[str, list[str]] = defaultdict(list)
    for (label, key), props in iter_nodes(graph):
        key_name = SCHEMA.by_label[label].key.name
        rest = _typed(label, {k: v for k, v in props.items() if k != key_name})
        by_label[label].append(literal({"k": key, "p": rest}))
    for label, rows in by_label.items():
        key_name = SCHEMA.by_label[label].key.name
        for batch in _batches(rows):
            yield f"UNWIND {batch} AS row MERGE (n:{label} {{{key_name}: row.k}}) SET n += row.p;"


def relationship_statements(relationships: Iterable[Relationship]) -> Iterator[str]:
    """One MERGE per relationship, on its endpoints and its identity properties (the
    properties that tell parallel relationships apart, e.g. a lookup's day and qtype)."""
    groups: dict[tuple[str, str, str, tuple[str, ...]], list[str]] = defaultdict(list)
    for rel in relationships:
        identity = tuple(n for n in SCHEMA.by_type[rel.type].identity if rel.props.get(n) is not None)
        props = _typed(rel.type, rel.props)
        row = {"f": rel.start[1], "t": rel.end[1], "i": {n: props[n] for n in identity}, "p": props}
        groups[(rel.type, rel.start[0], rel.end[0], identity)].append(literal(row))
    for (type_, from_label, to_label, identity), rows in groups.items():
        a, b = SCHEMA.by_label[from_label], SCHEMA.by_label[to_label]
        merge_on = ", ".join(f"{n}: row.i.{n}" for n in identity)
        pattern = f"[r:{type_}" + (f" {{{merge_on}}}" if merge_on else "") + "]"
        for batch in _batches(rows):
            yield (
                f"UNWIND {batch} AS row MATCH (a:{a.label} {{{a.key.name}: row.f}}) "
                f"MATCH (b:{b.label} {{{b.key.name}: row.t}}) MERGE (a)-{pattern}->(b) SET r += row.p;"
            )


def script(graph: Subgraph, title: str = "") -> Iterator[str]:
    yield f"// graphkit export{': ' + title if title else ''} ({graph.summary()})"
    yield "// Recreates the subgraph with MERGE; running it again changes nothing. Run it with"
    yield "//   cypher-shell -a bolt://HOST:7687 -u neo4j -f THIS_FILE"
    yield "// or paste it into Neo4j Browser (one statement per line)."
    yield "// Constraints first: they make MERGE fast and keep keys unique."
    for stmt in neo4j_statements():
        yield stmt + ";"
    yield from node_statements(graph)
    yield from relationship_statements(graph.relationships)


def write(graph: Subgraph, path: Path, title: str = "") -> list[Path]:
    with path.open("w", encoding="utf-8") as out:
        for line in script(graph, title):
            out.write(line + "\n")
    return [path]
