"""Every case of tests/freeze_graphs.py, loaded again on each store, gives the frozen graph:
the same rows per label and relationship type (by digest), the same exit statuses and the
same rejected lines. Reasons of rejects may be reworded, so only their places are compared.

After an intended change of what a loader writes: `.venv/bin/python tests/freeze_graphs.py`
and review the diff of tests/frozen_graphs.json.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from freeze_graphs import CASES, FROZEN, Case, run_case
from helpers import Store

FROZEN_GRAPHS: dict[str, Any] = json.loads(FROZEN.read_text("utf-8"))


def _places(rejects: list[list[Any]]) -> list[tuple[str, int | None]]:
    return [(name, line) for name, line, _ in rejects]


def _differences(frozen: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """Each label/type whose rows differ, with its row counts (frozen, now)."""
    names = sorted(set(frozen["digests"]) | set(now["digests"]))
    return [
        f"{name}: {frozen['counts'].get(name, 0)} rows frozen, {now['counts'].get(name, 0)} now"
        for name in names
        if frozen["digests"].get(name) != now["digests"].get(name)
    ]


def test_every_case_is_frozen() -> None:
    assert sorted(FROZEN_GRAPHS) == sorted(case.name for case in CASES), "run tests/freeze_graphs.py"


@pytest.mark.parametrize(
    "case", [pytest.param(c, id=c.name, marks=[pytest.mark.slow] if c.slow else []) for c in CASES]
)
def test_frozen_graph(case: Case, store: Store, tmp_path: Path) -> None:
    frozen = FROZEN_GRAPHS[case.name]
    now = run_case(case, store.location, tmp_path, store.env)
    assert now["exit_codes"] == frozen["exit_codes"], now["steps"]
    assert _places(now["rejects"]) == _places(frozen["rejects"])
    differences = _differences(frozen, now)
    assert not differences, f"{case.name} on {store.kind}: rows differ in\n" + "\n".join(differences)
