"""How fast `graphkit` starts: whole processes, beside a bare `python -c pass`.

    .venv/bin/python bench/bench_startup.py [--runs 10]

Times `python -c pass`, `graphkit --version`, `graphkit --help` and a tiny load (a 20-line
Zeek dns.log into a new embedded store), each as a new process, and prints the best and the
median of the runs and the median as a multiple of `python -c pass`. The commands are the
venv's `graphkit` script next to this interpreter. What a command imports at start is what
this measures; tests/test_cli_app.py checks that starting loads no heavy library.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import zeek_gen  # noqa: E402


def graphkit_command() -> list[str]:
    script = Path(sys.executable).parent / "graphkit"
    return [str(script)] if script.exists() else [sys.executable, "-m", "graphkit"]


def timed_runs(argv: list[str], runs: int, before: Callable[[], None] = lambda: None) -> list[float]:
    """Seconds of each run of argv as a new process; `before` runs untimed before each."""
    seconds = []
    for _ in range(runs):
        before()
        start = time.perf_counter()
        proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        seconds.append(time.perf_counter() - start)
        if proc.returncode != 0:
            sys.exit(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr.strip()}")
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=10, help="runs of each command")
    args = ap.parse_args()
    graphkit = graphkit_command()
    with tempfile.TemporaryDirectory(prefix="graphkit-bench-startup-") as tmp:
        log = zeek_gen.write(Path(tmp) / "dns.log", 20, clients=5, names=10, days=1)
        store = Path(tmp) / "graph.lbdb"

        def fresh_store() -> None:
            for path in Path(tmp).glob("graph.lbdb*"):
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()

        cases = [
            ("python -c pass", [sys.executable, "-c", "pass"], lambda: None),
            ("graphkit --version", [*graphkit, "--version"], lambda: None),
            ("graphkit --help", [*graphkit, "--help"], lambda: None),
            (
                "graphkit load zeek (20 lines, new store)",
                [*graphkit, "load", "zeek", str(log), "--store", str(store)],
                fresh_store,
            ),
        ]
        results = [(label, timed_runs(argv, args.runs, before)) for label, argv, before in cases]
    baseline = statistics.median(results[0][1])
    print(f"{' '.join(graphkit)}: best and median of {args.runs} runs, load average {os.getloadavg()[0]:.2f}")
    print(f"{'':42} {'best':>8} {'median':>8} {'x pass':>7}")
    for label, seconds in results:
        median = statistics.median(seconds)
        print(f"{label:42} {min(seconds):7.3f}s {median:7.3f}s {median / baseline:6.1f}x")


if __name__ == "__main__":
    main()
