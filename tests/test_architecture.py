"""The layering in docs/architecture.md, checked: which package may import which.

Data flows one way (parsers -> ingest -> backends; query/export read the store; cli on top),
and the imports follow it. A test, so that a convenient import the wrong way fails here
rather than in review.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "graphkit"

# layer -> the graphkit layers it may import (besides itself). "graphkit" is the package root
# (errors, __version__). Modules named in FORBIDDEN are excluded even where their layer is allowed.
ALLOWED: dict[str, set[str]] = {
    "model": {"graphkit"},
    "parsers": {"graphkit", "model", "ingest"},
    "collectors": {"graphkit", "model", "parsers"},
    "backends": {"graphkit", "model"},
    "ingest": {"graphkit", "model", "backends"},
    "query": {"graphkit", "model", "backends"},
    "export": {"graphkit", "model", "backends", "query"},
    "analysis": {"graphkit", "model", "backends", "query"},
    "demo": {"graphkit", "model", "ingest", "parsers", "backends", "query", "export", "analysis"},
    "cli": {"graphkit", "model", "ingest", "parsers", "collectors", "backends", "query", "export", "analysis", "demo"},
    "graphkit": {"cli"},  # __main__ starts the command
}
# Parsers are handed a ParseContext and may use the lookup aggregation and input helpers,
# but never drive the pipeline that calls them, nor write.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "parsers": (
        "graphkit.ingest.pipeline",
        "graphkit.ingest.writer",
        "graphkit.ingest.sink",
        "graphkit.ingest.normalise",
    ),
}
ROOT_MODULES_AT_MOST = 8


def _imports(path: Path, package: Path = PACKAGE) -> list[tuple[int, str]]:
    """(line, module) of every graphkit import in one file, relative ones resolved."""
    module = ".".join(path.relative_to(package.parent).with_suffix("").parts)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(module.split(".")[: -node.level] + ([base] if base else []))
            # `from graphkit import x`: x may be a subpackage (export) or a root name (__version__)
            found += [(node.lineno, f"{base}.{alias.name}" if base == "graphkit" else base) for alias in node.names]
    return [(line, name) for line, name in found if name == "graphkit" or name.startswith("graphkit.")]


def _layer_of(module: str) -> str:
    """graphkit.ingest.lookups.groupby -> ingest; graphkit.errors, graphkit.__version__ -> graphkit."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and (PACKAGE / parts[1]).is_dir() else "graphkit"


def _wrong_imports(path: Path, package: Path = PACKAGE) -> list[str]:
    layer = _layer_of(".".join(path.relative_to(package.parent).with_suffix("").parts))
    wrong = []
    for line, name in _imports(path, package):
        target = _layer_of(name)
        if target != layer and target not in ALLOWED[layer]:
            wrong.append(f"{path.relative_to(package)}:{line} imports {name}: {layer} may not import {target}")
        elif name.startswith(FORBIDDEN.get(layer, ())):
            wrong.append(f"{path.relative_to(package)}:{line} imports {name}: {layer} may not import it")
    return wrong


def test_imports_follow_the_layers() -> None:
    wrong = [w for path in sorted(PACKAGE.rglob("*.py")) for w in _wrong_imports(path)]
    assert not wrong, "\n".join(wrong)


def test_the_package_root_stays_small() -> None:
    root = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(root) <= ROOT_MODULES_AT_MOST, f"{len(root)} modules at the package root: {root}"


@pytest.mark.parametrize(
    ("where", "source"),
    [
        ("backends/base.py", "from graphkit.ingest.writer import GraphWriter\n"),
        ("parsers/zeek.py", "from graphkit.ingest.pipeline import Loader\n"),
        ("query/stats.py", "import graphkit.cli.output\n"),
        ("model/schema.py", "from ..backends import base\n"),
    ],
)
def test_the_rule_catches_a_wrong_import(tmp_path: Path, where: str, source: str) -> None:
    path = tmp_path / "graphkit" / where
    path.parent.mkdir(parents=True)
    path.write_text(source, encoding="utf-8")
    assert len(_wrong_imports(path, tmp_path / "graphkit")) == 1
