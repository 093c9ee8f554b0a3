"""The whole graph as header-typed CSVs for `neo4j-admin database import full`, which builds
a Neo4j database offline far faster than writing through Bolt.

One file per label (`nodes-<Label>.csv`) and per relationship type and endpoint labels
(`relationships-<TYPE>-<From>-<To>.csv`), each with its header on the first line, generated
from the schema: `name:ID(Domain)` (each label its own ID space), typed properties
(`count:long`, `sources:string[]`, `is_proxy:boolean`), `:LABEL`; `:START_ID(Domain)`,
`:END_ID(IPAddress)`, properties, `:TYPE`. Lists are joined with U+001F (passed to the
import as --array-delimiter), which no value contains.

Reading is streamed: nodes of one label `batch` at a time in key order, and with each
batch the relationships leaving those nodes, so memory stays bounded (by the batch size
times the largest number of relationships leaving one node).
"""

from __future__ import annotations

import csv
import shlex
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from graphkit.backends.base import Backend
from graphkit.export.encoding import FORMAT_TYPES
from graphkit.export.redact import Redactor
from graphkit.model.schema import SCHEMA, NodeType, Prop, PropType, RelType
from graphkit.query.fetch import chunks, endpoint_pairs, fetch_edges_from, scan_nodes

TYPES = FORMAT_TYPES["neo4j-admin"]
ARRAY_DELIMITER = "\x1f"
ARRAY_DELIMITER_ARG = "U+001F"
EDGE_KEYS_PER_QUERY = 1_000  # start nodes per relationship query: bounds rows held at once


def _typed_name(prop: Prop) -> str:
    kind = TYPES[prop.type]
    return prop.name if kind == "string" else f"{prop.name}:{kind}"


def node_header(node: NodeType) -> list[str]:
    """`name:ID(Domain)` when the key is a string (it is stored as the property too); an int
    key gets its own typed column, since import ids are strings."""
    if node.key.type is PropType.STRING:
        key_columns = [f"{node.key.name}:ID({node.label})"]
    else:
        key_columns = [f":ID({node.label})", _typed_name(node.key)]
    return key_columns + [_typed_name(p) for p in node.props] + [":LABEL"]


def relationship_header(rel: RelType, a: NodeType, b: NodeType) -> list[str]:
    return [f":START_ID({a.label})", f":END_ID({b.label})"] + [_typed_name(p) for p in rel.props] + [":TYPE"]


@dataclass
class BulkFile:
    path: Path
    kind: str  # "nodes" or "relationships"
    name: str  # label or type
    rows: int = 0


@dataclass
class BulkExport:
    folder: Path
    files: list[BulkFile] = field(default_factory=list)
    multiline: bool = False  # some value holds a line break: the import must be told

    def count(self, kind: str) -> int:
        return sum(f.rows for f in self.files if f.kind == kind)

    def command(self, database: str = "neo4j", admin: str = "neo4j-admin") -> list[str]:
        args = [admin, "database", "import", "full", database, f"--array-delimiter={ARRAY_DELIMITER_ARG}"]
        if self.multiline:
            args.append("--multiline-fields=true")
        for kind in ("nodes", "relationships"):
            args += [f"--{kind}={f.path.resolve()}" for f in self.files if f.kind == kind and f.rows]
        return args

    def command_line(self, database: str = "neo4j", admin: str = "neo4j-admin") -> str:
        return shlex.join(self.command(database, admin))


class _Writer:
    """Typed CSV cells; notes line breaks (the import needs --multiline-fields for them)."""

    def __init__(self) -> None:
        self.multiline = False

    def cell(self, prop: Prop, value: Any) -> Any:
        if value is None:
            return ""
        if prop.type is PropType.STRING_LIST:
            value = ARRAY_DELIMITER.join(str(v).replace(ARRAY_DELIMITER, " ") for v in value)
        elif prop.type is PropType.BOOL:
            return "true" if value else "false"
        elif prop.type is not PropType.STRING:
            return value
        if "\n" in value or "\r" in value:
            self.multiline = True
        return value


def export_bulk(
    backend: Backend,
    folder: Path,
    *,
    redactor: Redactor | None = None,
    batch: int = 10_000,
    progress: Callable[[str, int], None] | None = None,
) -> BulkExport:
    folder.mkdir(parents=True, exist_ok=True)
    result = BulkExport(folder)
    cells = _Writer()
    for node in SCHEMA.nodes:
        # a copy of the store for neo4j-admin, rollups included (no load follows to derive them)
        pairs = [(rel, a, b) for rel, a, b in endpoint_pairs(derived=True) if a.label == node.label]
        with ExitStack() as stack:
            node_file = BulkFile(folder / f"nodes-{node.label}.csv", "nodes", node.label)
            node_csv = _open(stack, node_file.path, node_header(node))
            rel_files = [
                BulkFile(folder / f"relationships-{r.type}-{a.label}-{b.label}.csv", "relationships", r.type)
                for r, a, b in pairs
            ]
            rel_csvs = [
                _open(stack, f.path, relationship_header(*pair)) for f, pair in zip(rel_files, pairs, strict=True)
            ]
            for page in scan_nodes(backend, node, batch, derived=True):
                for key, props in page:
                    node_csv.writerow(_node_row(node, key, props, cells, redactor))
                node_file.rows += len(page)
                keys = [key for key, _ in page]
                for (rel, a, b), rel_file, rel_csv in zip(pairs, rel_files, rel_csvs, strict=True):
                    for row in _edge_rows(backend, rel, a, b, keys, cells, redactor):
                        rel_csv.writerow(row)
                        rel_file.rows += 1
                if progress:
                    progress(node.label, node_file.rows)
        for bulk_file in [node_file, *rel_files]:
            if bulk_file.rows:
                result.files.append(bulk_file)
            else:
                bulk_file.path.unlink()
    result.multiline = cells.multiline
    return result


def _open(stack: ExitStack, path: Path, header: list[str]) -> Any:
    handle: IO[str] = stack.enter_context(path.open("w", encoding="utf-8", newline=""))
    writer = csv.writer(handle)
    writer.writerow(header)
    return writer


def _node_row(node: NodeType, key: Any, props: dict[str, Any], cells: _Writer, redactor: Redactor | None) -> list[Any]:
    if redactor:
        key, props = redactor.key(node.label, key), redactor.props(node.label, props)
    row: list[Any] = [key] if node.key.type is PropType.STRING else [str(key), key]
    return row + [cells.cell(p, props.get(p.name)) for p in node.props] + [node.label]


def _edge_rows(
    backend: Backend, rel: RelType, a: NodeType, b: NodeType, keys: list[Any], cells: _Writer, redactor: Redactor | None
) -> Iterator[list[Any]]:
    for part in chunks(keys, EDGE_KEYS_PER_QUERY):
        for start, end, props in fetch_edges_from(backend, rel, a, b, part):
            if redactor:
                start, end = redactor.key(a.label, start), redactor.key(b.label, end)
                props = redactor.props(rel.type, props)
            yield [start, end] + [cells.cell(p, props.get(p.name)) for p in rel.props] + [rel.type]
