"""Exporting a subgraph: one small module per format, each with `write(graph, path, title)`
returning the files written, and SUFFIXES that choose it from the output's name."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from graphkit.errors import GraphkitError
from graphkit.query.subgraph import Subgraph

Writer = Callable[[Subgraph, Path, str], list[Path]]
# format -> its module here, imported when used (some load networkx)
FORMATS = {
    "graphml": "graphml",
    "gexf": "gexf",
    "json": "nodelink",
    "csv": "csv",
    "cypher": "cypher_script",
    "html": "html",
    "stix": "stix",
    "mtgx": "mtgx",
    "misp": "misp",
}


def _module(fmt: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{FORMATS[fmt]}")


def format_for(path: Path) -> str:
    """The format an output's name implies: its extension; a name without one is a CSV folder."""
    suffix = path.suffix.lower()
    modules = {name: _module(name) for name in FORMATS}
    # the longest ending first: case.stix.json is STIX, case.json node-link JSON
    endings = sorted(((s, name) for name, m in modules.items() for s in m.SUFFIXES), key=lambda e: -len(e[0]))
    for ending, name in endings:
        if suffix and ending and path.name.lower().endswith(ending):
            return name
    if not suffix or path.is_dir():
        return "csv"
    choices = ", ".join(s for m in modules.values() for s in m.SUFFIXES if s.startswith(".") and len(s) > 1)
    raise GraphkitError(f"cannot tell the format from {path.name!r}: give --format, or a name ending in {choices}")


def write(graph: Subgraph, path: Path, fmt: str, title: str = "") -> list[Path]:
    if fmt not in FORMATS:
        raise GraphkitError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True)
    files: list[Path] = _module(fmt).write(graph, path, title)
    return files
