"""Every `graphkit ...` command in the README's ```sh blocks runs, so the README cannot go stale.

The commands of a file run in order, in a fresh folder, against a store the demo prepared
(GRAPHKIT_STORE=case.lbdb, as the walkthrough exports it). A line that ends with
`# not run in tests` is left out (Neo4j and Docker commands). They run in this process
through the real command-line app (the same argument parsing and commands as the
`graphkit` executable, without a new interpreter per command, which keeps the test fast).

graphkit/demo/WALKTHROUGH.md, the walkthrough proposed for the README, is checked the same
way until the README holds it.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from helpers import ROOT, run_cli

from graphkit.backends.store import StoreOptions, open_store
from graphkit.demo.run import load_case

README = ROOT / "README.md"
WALKTHROUGH = ROOT / "graphkit" / "demo" / "WALKTHROUGH.md"
NOT_RUN = "# not run in tests"
STORE = "case.lbdb"
SH_BLOCK = re.compile(r"^```sh[ \t]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def commands(markdown: str) -> list[str]:
    """The `graphkit ...` lines of the ```sh blocks (backslash continuations joined), in order."""
    found = []
    for block in SH_BLOCK.findall(markdown):
        for line in block.replace("\\\n", " ").splitlines():
            text = line.strip()
            if text.startswith("graphkit ") and not text.endswith(NOT_RUN):
                found.append(text)
    return found


def test_commands_are_found() -> None:
    sample = (
        "text\n```sh\ngraphkit stats\nexport X=1\ngraphkit query \\\n  list\ngraphkit demo  # not run in tests\n```\n"
    )
    assert commands(sample) == ["graphkit stats", "graphkit query    list"]


@pytest.mark.parametrize("document", [README, WALKTHROUGH], ids=["README", "WALKTHROUGH"])
def test_every_command_runs(document: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = commands(document.read_text(encoding="utf-8"))
    if document == WALKTHROUGH and set(found) <= set(commands(README.read_text(encoding="utf-8"))):
        pytest.skip("the README holds the walkthrough's commands; they run with the README")
    if not found:
        pytest.skip(f"{document.name} has no graphkit commands")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GRAPHKIT_STORE", STORE)
    backend = open_store(StoreOptions(STORE))
    try:
        load_case(backend, rejects_dir=tmp_path / "rejects")
    finally:
        backend.close()
    for command in found:
        proc = run_cli(*shlex.split(command, comments=True)[1:], check=False)
        output = (proc.stdout + proc.stderr)[-3000:]
        assert proc.returncode == 0, f"{document.name}: `{command}` exited {proc.returncode}\n{output}"
