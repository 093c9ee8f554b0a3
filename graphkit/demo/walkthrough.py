"""Refresh the outputs pasted in a walkthrough (graphkit/demo/WALKTHROUGH.md, or the README).

    python -m graphkit.demo.walkthrough [FILE.md ...]

Every ```sh block whose next block is ```text gets that block rewritten with the real output
of its `graphkit ...` lines, run in order in a fresh folder with GRAPHKIT_STORE=case.lbdb
(the store the walkthrough exports). Lines ending in `# not run in tests` are left alone,
as the README test leaves them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

WALKTHROUGH = Path(__file__).resolve().parent / "WALKTHROUGH.md"
STORE = "case.lbdb"
NOT_RUN = "# not run in tests"
MAX_LINES = 120
FENCE = re.compile(r"^```(\w*)\s*$")


def runnable(line: str) -> bool:
    text = line.strip()
    return text.startswith("graphkit ") and not text.endswith(NOT_RUN)


def _blocks(lines: list[str]) -> list[tuple[str, int, int]]:
    """(language, first content line, closing fence line) of each fenced block."""
    found, start, lang = [], None, ""
    for i, line in enumerate(lines):
        match = FENCE.match(line)
        if not match:
            continue
        if start is None:
            start, lang = i + 1, match.group(1)
        else:
            found.append((lang, start, i))
            start = None
    return found


def _shim(folder: Path) -> Path:
    """A `graphkit` on PATH that is this interpreter's graphkit."""
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "graphkit"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m graphkit "$@"\n')
    shim.chmod(0o755)
    return bin_dir


def run(command: str, cwd: Path, env: dict[str, str]) -> str:
    proc = subprocess.run(["bash", "-c", command + " 2>&1"], cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{command!r} failed ({proc.returncode}):\n{proc.stdout}")
    out = proc.stdout.rstrip("\n").splitlines()
    if len(out) > MAX_LINES:
        out = [*out[:MAX_LINES], f"... ({len(out) - MAX_LINES} more lines)"]
    return "\n".join(out)


def refresh(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks = _blocks(lines)
    with tempfile.TemporaryDirectory(prefix="graphkit-walkthrough-") as tmp:
        folder = Path(tmp)
        env = {**os.environ, "GRAPHKIT_STORE": STORE, "COLUMNS": "200"}
        env["PATH"] = f"{_shim(folder)}{os.pathsep}{env.get('PATH', '')}"
        work = folder / "work"
        work.mkdir()
        replacements: list[tuple[int, int, list[str]]] = []
        for (lang, start, end), following in zip(blocks, [*blocks[1:], None], strict=True):
            if lang != "sh":
                continue
            commands = [line.strip() for line in lines[start:end] if runnable(line)]
            outputs = [(command, run(command, work, env)) for command in commands]
            if following is None or following[0] != "text" or any(x.strip() for x in lines[end + 1 : following[1] - 1]):
                continue  # no output block right after this one
            text: list[str] = []
            for command, output in outputs:
                if len(outputs) > 1:
                    text.append(f"$ {command}")
                text += output.splitlines()
            replacements.append((following[1], following[2], text))
    for start, end, text in reversed(replacements):
        lines[start:end] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    for name in args or [str(WALKTHROUGH)]:
        refresh(Path(name))
        print(f"refreshed {name}")


if __name__ == "__main__":
    main()
