"""The test harness itself: a command run in this process answers as the real executable does,
and leaves the process (environment, working folder, streams, collector) as it found it."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import run_cli, run_cli_process


def _process_state() -> tuple[Any, ...]:
    return dict(os.environ), os.getcwd(), sys.stdin, sys.stdout, sys.stderr, gc.isenabled()


def test_in_process_and_child_process_give_the_same_answer(tmp_path: Path) -> None:
    for args in (["--version"], ["stats", "--store", str(tmp_path / "none.lbdb")], ["query", "no-such-command"]):
        inside, child = run_cli(*args, check=False), run_cli_process(*args, check=False)
        assert (inside.returncode, inside.stdout, inside.stderr) == (child.returncode, child.stdout, child.stderr)


def test_a_command_in_process_leaves_the_process_as_it_found_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRAPHKIT_STORE", str(tmp_path / "from-the-environment.lbdb"))
    before = _process_state()
    proc = run_cli("stats", env={"GRAPHKIT_STORE": None}, cwd=tmp_path, check=False)
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr.startswith("error: no graph at graphkit.lbdb")  # unset for the call, run in tmp_path
    assert _process_state() == before
