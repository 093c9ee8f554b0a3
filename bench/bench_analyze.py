"""`graphkit analyze` on a realistic lookup graph: time and peak RSS per analysis and projection.

A Zeek dns.log of N lines (zeek_gen: 10,000 clients, 50,000 names of Zipf-like popularity, 30
days) is loaded into a fresh embedded store (or Neo4j with --neo4j, cleared first); then each
analysis runs as a whole `graphkit analyze` process (interpreter start included), its wall time
and peak RSS printed, and the projection's size from its own report.

    .venv/bin/python bench/bench_analyze.py [--lines 1000000] [--workdir DIR]
        [--analyses communities,centrality,components,similarity] [--projections co-lookup,whole]
        [--neo4j bolt://127.0.0.1:7687]   (or GRAPHKIT_BENCH_NEO4J_URI; NEO4J_USERNAME / NEO4J_PASSWORD)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import zeek_gen  # noqa: E402
from bench_log_formats import GRAPHKIT, measured, remove_store  # noqa: E402

from graphkit.backends.store import clear_neo4j  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "graphkit-bench-analyze")
    ap.add_argument("--analyses", default="communities,centrality,components,similarity")
    ap.add_argument("--projections", default="co-lookup,whole")
    ap.add_argument("--neo4j", default=os.environ.get("GRAPHKIT_BENCH_NEO4J_URI"))
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    log = args.workdir / f"dns-{args.lines}.log"
    if not log.exists():
        zeek_gen.write(log, args.lines, clients=10_000)
    if args.neo4j:
        clear_neo4j(args.neo4j)
        store = args.neo4j
    else:
        remove_store(args.workdir / "store")
        store = str(args.workdir / "store")
    seconds, peak = measured([str(GRAPHKIT), "load", "zeek", "--store", store, str(log)])
    print(f"load zeek, {args.lines:,} lines: {seconds:.1f} s, peak {peak:.0f} MB")
    print(f"{'analysis':<12} {'projection':<15} {'nodes':>8} {'edges':>10} {'seconds':>8} {'peak MB':>8}")
    for projection in args.projections.split(","):
        for analysis in args.analyses.split(","):
            if analysis == "similarity" and projection != "co-lookup":
                continue
            command = [str(GRAPHKIT), "analyze", analysis, "--store", store]
            command += [] if analysis == "similarity" else ["--projection", projection]
            report = subprocess.run(command, capture_output=True, text=True, check=True).stderr.splitlines()[0]
            seconds, peak = measured(command)  # a second run: it replaces the first one's results
            size = report.split(": ", 1)[1].split(" (", 1)[0]  # "N nodes, M edges"
            nodes, edges = (part.split()[0] for part in size.split(", "))
            print(f"{analysis:<12} {projection:<15} {nodes:>8} {edges:>10} {seconds:>8.1f} {peak:>8.0f}", flush=True)


if __name__ == "__main__":
    main()
