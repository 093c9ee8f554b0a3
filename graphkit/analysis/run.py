"""An analysis run: read the projection, run the algorithm, write the results back.

Each run is a Source (`analysis:<projection>:<analysis>`, kind `analysis`, its settings and
the graph's size in `summary`), and each node it wrote names it (`<group>_source`). Before
writing, the run clears that group of properties on every node of the projection's labels, so
a rerun replaces the previous values and nothing stale is left; a run killed half way is made
whole by running it again.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from graphkit.analysis.algorithms import ANALYSES, Analysis, Edge, Results, Settings
from graphkit.analysis.compact import CompactGraph
from graphkit.analysis.projections import get_projection
from graphkit.backends.base import Backend
from graphkit.errors import GraphkitError
from graphkit.model import tables
from graphkit.model.schema import ANALYSED_LABELS, SCHEMA, PropType
from graphkit.model.times import from_datetime

WRITE_ROWS = 50_000


@dataclass
class Outcome:
    source: str
    graph: CompactGraph
    results: Results  # node analyses: node id -> its properties (written on ANALYSED_LABELS only)
    edges: list[Edge]  # relationship analyses (similarity): (from id, to id, properties)
    seconds: dict[str, float]

    @property
    def written_nodes(self) -> int:
        """The nodes whose results are written: those of ANALYSED_LABELS."""
        return sum(1 for node in self.results if self.graph.refs[node][0] in ANALYSED_LABELS)


def get_analysis(name: str) -> Analysis:
    if name not in ANALYSES:
        raise GraphkitError(f"no analysis {name!r}: there are {', '.join(ANALYSES)}")
    return ANALYSES[name]


def analyze(
    backend: Backend,
    analysis_name: str,
    projection_name: str,
    settings: Settings,
    options: dict[str, Any] | None = None,
    *,
    write: bool = True,
) -> Outcome:
    analysis, projection = get_analysis(analysis_name), get_projection(projection_name)
    if analysis.relationship and projection.name != "co-lookup":
        raise GraphkitError(f"{analysis.name} compares clients by the names they look up: use --projection co-lookup")
    seconds: dict[str, float] = {}
    started = time.monotonic()
    graph = projection.read(backend, {**(options or {}), "weighting": analysis.weighting})
    seconds["read"] = time.monotonic() - started
    started = time.monotonic()
    found = analysis.run(graph, settings)
    results, edges = (found, []) if isinstance(found, dict) else ({}, found)
    seconds["run"] = time.monotonic() - started
    source = f"analysis:{projection.name}:{analysis.name}"
    if write:
        started = time.monotonic()
        backend.ensure_schema()  # a store made before these properties were declared gains them
        if analysis.relationship:
            backend.query(
                f"MATCH ()-[r:{analysis.relationship}]->() WHERE r.source = $source DELETE r",
                {"source": source},
                write=True,
            )
            _write_edges(backend, analysis.relationship, graph, edges, source)
        else:
            _clear(backend, analysis, projection.labels)
            _write_nodes(backend, analysis, graph, results, source)
        summary: dict[str, Any] = {"projection": projection.name, "analysis": analysis.name}
        summary |= {"settings": asdict(settings), "options": options or {}}
        summary |= {"nodes": graph.node_count, "edges": graph.edge_count}
        outcome = Outcome(source, graph, results, edges, seconds)
        _write_source(backend, source, projection.name, outcome.written_nodes + len(edges), summary)
        seconds["write"] = time.monotonic() - started
        return outcome
    return Outcome(source, graph, results, edges, seconds)


def _clear(backend: Backend, analysis: Analysis, labels: tuple[str, ...]) -> None:
    cleared = ", ".join(f"n.{prop} = NULL" for prop in (*analysis.props, analysis.source_prop))
    for label in labels:
        if label not in ANALYSED_LABELS:
            continue
        backend.query(f"MATCH (n:{label}) WHERE n.{analysis.source_prop} IS NOT NULL SET {cleared}", write=True)


def _key(label: str, key: str) -> Any:
    return int(key) if SCHEMA.by_label[label].key.type is PropType.INT else key


def _write_nodes(backend: Backend, analysis: Analysis, graph: CompactGraph, results: Results, source: str) -> None:
    by_label: dict[str, list[dict[str, Any]]] = {}
    for node_id, values in sorted(results.items()):
        label, key = graph.refs[node_id]
        if label not in ANALYSED_LABELS:
            continue
        by_label.setdefault(label, []).append({"_k": _key(label, key), **values, analysis.source_prop: source})
    for label, rows in by_label.items():
        node = SCHEMA.by_label[label]
        for start in range(0, len(rows), WRITE_ROWS):
            backend.write_nodes(node, tables.from_rows(tables.node_schema(node), rows[start : start + WRITE_ROWS]))


def _write_edges(backend: Backend, rel_type: str, graph: CompactGraph, edges: list[Edge], source: str) -> None:
    rel = SCHEMA.by_type[rel_type]
    by_ends: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for a, b, props in edges:
        (from_label, from_key), (to_label, to_key) = graph.refs[a], graph.refs[b]
        row = {"_f": _key(from_label, from_key), "_t": _key(to_label, to_key), **props, "source": source}
        by_ends.setdefault((from_label, to_label), []).append(row)
    for (from_label, to_label), rows in sorted(by_ends.items()):
        schema = tables.edge_schema(rel, from_label, to_label)
        for start in range(0, len(rows), WRITE_ROWS):
            backend.write_edges(rel, from_label, to_label, tables.from_rows(schema, rows[start : start + WRITE_ROWS]))


def _write_source(backend: Backend, source: str, path: str, records: int, summary: dict[str, Any]) -> None:
    props = {
        "_k": source,
        "kind": "analysis",
        "path": path,
        "loaded_at": from_datetime(datetime.now(UTC)),
        "records": records,
        "summary": json.dumps(summary, sort_keys=True),
    }
    node = SCHEMA.by_label["Source"]
    backend.write_nodes(node, tables.from_rows(tables.node_schema(node), [props]))
