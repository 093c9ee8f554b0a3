"""Node-link JSON (d3, networkx.node_link_graph), lists kept as lists.

The structural fields are underscored so no property can clash with them: nodes have
`_id` ('Label:key'), `_label` and `label` (caption); edges `_from`, `_to`, `_key`, `_type`.
Read back with networkx.node_link_graph(data, source="_from", target="_to", name="_id",
key="_key", edges="edges").
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx

from graphkit.export.nxgraph import to_networkx
from graphkit.query.subgraph import Subgraph

FIELDS = {"source": "_from", "target": "_to", "name": "_id", "key": "_key", "edges": "edges"}


def write(graph: Subgraph, path: Path, title: str = "") -> list[Path]:
    data = nx.node_link_data(to_networkx(graph, title=title, xml=False), **FIELDS)
    with path.open("w", encoding="utf-8") as out:
        # indented while a person may read it; compact for large graphs (smaller, faster to write)
        json.dump(data, out, ensure_ascii=False, indent=1 if len(graph.relationships) <= 10_000 else None)
        out.write("\n")
    return [path]
