"""Two CSV files in a folder: nodes.csv (`_id`, `_label`, properties) and
relationships.csv (`_from`, `_to`, `_type`, properties). Ids are 'Label:key'; lists are
JSON text (see encoding); an empty cell is a property the element does not have."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from graphkit.export.encoding import flat
from graphkit.model.schema import SCHEMA
from graphkit.query.subgraph import Subgraph, iter_nodes, node_id


def _columns(owners: set[str], declared: dict[str, list[str]]) -> list[str]:
    """Property columns in schema order, each once."""
    names: dict[str, None] = {}
    for owner, props in declared.items():
        if owner in owners:
            names.update(dict.fromkeys(props))
    return list(names)


def write(graph: Subgraph, path: Path, title: str = "") -> list[Path]:
    path.mkdir(parents=True, exist_ok=True)
    node_props = {n.label: [n.key.name] + [p.name for p in n.props] for n in SCHEMA.nodes}
    rel_props = {r.type: [p.name for p in r.props] for r in SCHEMA.rels}
    nodes_path, rels_path = path / "nodes.csv", path / "relationships.csv"
    node_columns = _columns({label for label, _ in graph.nodes}, node_props)
    with nodes_path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["_id", "_label", *node_columns])
        for ref, props in iter_nodes(graph):
            writer.writerow([node_id(ref), ref[0], *(_cell(props.get(c)) for c in node_columns)])
    rel_columns = _columns({r.type for r in graph.relationships}, rel_props)
    with rels_path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["_from", "_to", "_type", *rel_columns])
        for rel in graph.relationships:
            cells = (_cell(rel.props.get(c)) for c in rel_columns)
            writer.writerow([node_id(rel.start), node_id(rel.end), rel.type, *cells])
    return [nodes_path, rels_path]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return flat(value)
