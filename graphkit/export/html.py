"""A self-contained interactive HTML page: one file, no network. Its script (page/graph.js,
a small force layout on a canvas) and style ship inside graphkit and are inlined; nodes are
coloured by label (graphkit.model.style), properties show on hover and click, nodes drag, the
view pans and zooms."""

from __future__ import annotations

import html
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

from graphkit.export.encoding import declared, typed
from graphkit.model.style import LABEL_COLOURS, caption_property
from graphkit.query.subgraph import NodeRef, Subgraph, iter_nodes, node_id


def _asset(name: str) -> str:
    return resources.files("graphkit.export").joinpath("page", name).read_text(encoding="utf-8")


def page_data(graph: Subgraph) -> dict[str, Any]:
    nodes: list[dict[str, Any]] = []
    index: dict[NodeRef, int] = {}
    for ref, props in iter_nodes(graph):
        index[ref] = len(nodes)
        types = declared(ref[0])
        caption = props.get(caption_property(ref[0]), ref[1])
        nodes.append(
            {
                "id": node_id(ref),
                "l": ref[0],
                "c": str(caption),
                "p": {k: typed(types.get(k), v) for k, v in props.items()},
            }
        )
    edges = [{"s": index[rel.start], "t": index[rel.end], "y": rel.type, "p": rel.props} for rel in graph.relationships]
    return {"nodes": nodes, "edges": edges, "colours": LABEL_COLOURS}


def _script_safe_json(data: Any) -> str:
    """JSON that cannot end its <script> element or open a comment inside it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(graph: Subgraph, title: str = "") -> str:
    heading = html.escape(title or f"graphkit export ({graph.summary()})")
    values = {
        "STYLE": _asset("graph.css"),
        "SCRIPT": _asset("graph.js"),
        "TITLE": heading,
        "DATA": _script_safe_json(page_data(graph)),
    }
    # one pass, so a title or a value that happens to read {{DATA}} stays as it is
    return re.sub(r"\{\{(STYLE|SCRIPT|TITLE|DATA)\}\}", lambda m: values[m.group(1)], _asset("graph.html"))


def write(graph: Subgraph, path: Path, title: str = "") -> list[Path]:
    path.write_text(render(graph, title), encoding="utf-8")
    return [path]
