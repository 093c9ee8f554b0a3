"""GraphML (Gephi, yEd, Cytoscape), written by networkx. Lists are JSON text (see encoding)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from graphkit.export.nxgraph import to_networkx
from graphkit.query.subgraph import Subgraph


def write(graph: Subgraph, path: Path, title: str = "") -> list[Path]:
    nx.write_graphml(to_networkx(graph, title=title), path)
    return [path]
