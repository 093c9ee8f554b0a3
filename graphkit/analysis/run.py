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

from graphkit.analysis.algorithms import ANALYSES, Analysis, Results, Settings
from graphkit.analysis.compact import CompactGraph
from graphkit.analysis.projections import get_projection
from graphkit.backends.base import Backend
from graphkit.errors import GraphkitError
from graphkit.model import tables
from graphkit.model.schema import SCHEMA, PropType
from graphkit.model.times import from_datetime

WRITE_ROWS = 50_000


@dataclass
class Outcome:
    source: str
    graph: CompactGraph
    results: Results
    seconds: dict[str, float]


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
    seconds: dict[str, float] = {}
    started = time.monotonic()
    graph = projection.read(backend, dict(options or {}))
    seconds["read"] = time.monotonic() - started
    started = time.monotonic()
    results = analysis.run(graph, settings)
    seconds["run"] = time.monotonic() - started
    source = f"analysis:{projection.name}:{analysis.name}"
    if write:
        started = time.monotonic()
        backend.ensure_schema()  # a store made before these properties were declared gains them
        _clear(backend, analysis, projection.labels)
        _write(backend, analysis, graph, results, source)
        summary: dict[str, Any] = {"projection": projection.name, "analysis": analysis.name}
        summary |= {"settings": asdict(settings), "options": options or {}}
        summary |= {"nodes": graph.node_count, "edges": graph.edge_count}
        _write_source(backend, source, projection.name, len(results), summary)
        seconds["write"] = time.monotonic() - started
    return Outcome(source, graph, results, seconds)


def _clear(backend: Backend, analysis: Analysis, labels: tuple[str, ...]) -> None:
    cleared = ", ".join(f"n.{prop} = NULL" for prop in (*analysis.props, analysis.source_prop))
    for label in labels:
        backend.query(f"MATCH (n:{label}) WHERE n.{analysis.source_prop} IS NOT NULL SET {cleared}", write=True)


def _write(backend: Backend, analysis: Analysis, graph: CompactGraph, results: Results, source: str) -> None:
    by_label: dict[str, list[dict[str, Any]]] = {}
    for node_id, values in sorted(results.items()):
        label, key = graph.refs[node_id]
        by_label.setdefault(label, []).append({"_k": key, **values, analysis.source_prop: source})
    for label, rows in by_label.items():
        node = SCHEMA.by_label[label]
        for start in range(0, len(rows), WRITE_ROWS):
            batch = rows[start : start + WRITE_ROWS]
            if node.key.type is PropType.INT:
                batch = [{**row, "_k": int(row["_k"])} for row in batch]
            backend.write_nodes(node, tables.from_rows(tables.node_schema(node), batch))


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
