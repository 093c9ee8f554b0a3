"""GEXF (Gephi), written by networkx. Lists are JSON text (see encoding); networkx gives
these attribute names a meaning of its own, so properties so named get a trailing '_'."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from graphkit.export.nxgraph import to_networkx
from graphkit.query.subgraph import Subgraph

RESERVED = frozenset(
    {"id", "key", "label", "type", "weight", "start", "end", "pid", "viz", "parents", "slices", "spells"}
)


def write(graph: Subgraph, path: Path, title: str = "") -> list[Path]:
    nx.write_gexf(to_networkx(graph, title=title, reserved=RESERVED), path)
    return [path]
