"""Exporting a subgraph: one small module per format, each with `write(graph, path, title)`
returning the files written, named in FORMATS with the endings of output names that choose it
(declared here, so choosing a format imports nothing)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from graphkit.errors import GraphkitError

if TYPE_CHECKING:  # the format list is read at every command's start-up; subgraphs only by an export
    from graphkit.query.subgraph import Subgraph

Writer = Callable[["Subgraph", Path, str], list[Path]]


@dataclass(frozen=True)
class Format:
    module: str  # its module here, imported when used (some load networkx, stix2, PyMISP)
    endings: tuple[str, ...]  # the output names that choose it ("" and "/": a folder)


FORMATS = {
    "graphml": Format("graphml", (".graphml",)),
    "gexf": Format("gexf", (".gexf",)),
    "json": Format("nodelink", (".json",)),
    "csv": Format("csv", ("", "/")),
    "cypher": Format("cypher_script", (".cypher", ".cql")),
    "html": Format("html", (".html", ".htm")),
    "stix": Format("stix", (".stix.json", ".stix")),
    "mtgx": Format("mtgx", (".mtgx",)),
    "misp": Format("misp", (".misp.json", ".misp")),
}


def _module(fmt: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{FORMATS[fmt].module}")


def format_for(path: Path) -> str:
    """The format an output's name implies: its extension; a name without one is a CSV folder."""
    suffix = path.suffix.lower()
    # the longest ending first: case.stix.json is STIX, case.json node-link JSON
    endings = sorted(((s, name) for name, f in FORMATS.items() for s in f.endings), key=lambda e: -len(e[0]))
    for ending, name in endings:
        if suffix and ending and path.name.lower().endswith(ending):
            return name
    if not suffix or path.is_dir():
        return "csv"
    choices = ", ".join(s for f in FORMATS.values() for s in f.endings if s.startswith(".") and len(s) > 1)
    raise GraphkitError(f"cannot tell the format from {path.name!r}: give --format, or a name ending in {choices}")


def write(graph: Subgraph, path: Path, fmt: str, title: str = "") -> list[Path]:
    if fmt not in FORMATS:
        raise GraphkitError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True)
    files: list[Path] = _module(fmt).write(graph, path, title)
    return files
