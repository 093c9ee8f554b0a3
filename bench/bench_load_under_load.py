"""Load under load (issue 9): 8 concurrent `graphkit query run` clients against Neo4j while a
1,000,000-line Zeek log is loading. Prints query latency p50/p99 with and without the load,
and the load's throughput alone and under the queries. Asserts nothing.

    python bench/bench_load_under_load.py --neo4j bolt://127.0.0.1:7687 [--lines 1000000] [--clients 8]
(credentials from NEO4J_USERNAME / NEO4J_PASSWORD)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import zeek_gen  # noqa: E402

from graphkit.backends.store import clear_neo4j  # noqa: E402

QUERIES: tuple[tuple[str, tuple[str, ...]], ...] = (("lookup-concentration", ()), ("rare-names", ()))


def graphkit(*args: str, store: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GRAPHKIT_STORE": store}
    return subprocess.run([sys.executable, "-m", "graphkit", *args], env=env, capture_output=True, text=True)


def timed_load(uri: str, path: Path) -> float:
    started = time.perf_counter()
    proc = graphkit("load", "zeek", str(path), store=uri)
    if proc.returncode != 0:
        raise SystemExit(f"load failed: {proc.stderr.strip()}")
    return time.perf_counter() - started


def query_clients(
    uri: str, clients: int, stop: threading.Event, latencies: list[float], errors: list[str]
) -> list[threading.Thread]:
    def client(index: int) -> None:
        turn = index
        while not stop.is_set():
            name, params = QUERIES[turn % len(QUERIES)]
            turn += 1
            started = time.perf_counter()
            proc = graphkit("query", "run", name, *params, "--limit", "20", "--format", "json", store=uri)
            if proc.returncode == 0:
                latencies.append(time.perf_counter() - started)
            else:
                errors.append(proc.stderr.strip()[:200])

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    return threads


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(label: str, latencies: list[float], errors: list[str]) -> None:
    if not latencies:
        print(f"{label}: no successful queries ({len(errors)} errors: {errors[:1]})")
        return
    print(
        f"{label}: {len(latencies)} queries, p50 {statistics.median(latencies):.2f} s, "
        f"p99 {percentile(latencies, 0.99):.2f} s, errors {len(errors)}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--neo4j", default=os.environ.get("GRAPHKIT_BENCH_NEO4J_URI"), required=False)
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--quiet-seconds", type=float, default=30.0, help="how long to sample queries without a load")
    args = ap.parse_args()
    if not args.neo4j:
        raise SystemExit("pass --neo4j URI (or GRAPHKIT_BENCH_NEO4J_URI)")
    workdir = Path(tempfile.mkdtemp(prefix="graphkit-lul-"))
    path = zeek_gen.write(workdir / "dns.log", args.lines)

    clear_neo4j(args.neo4j)
    alone = timed_load(args.neo4j, path)
    print(f"load alone: {args.lines:,} lines in {alone:.1f} s = {args.lines / alone:,.0f} lines/s")

    # queries on the loaded graph, nothing else running
    stop = threading.Event()
    quiet: list[float] = []
    quiet_errors: list[str] = []
    threads = query_clients(args.neo4j, args.clients, stop, quiet, quiet_errors)
    time.sleep(args.quiet_seconds)
    stop.set()
    for t in threads:
        t.join()
    report(f"{args.clients} clients, no load", quiet, quiet_errors)

    # the same load again from empty, with the clients querying throughout
    clear_neo4j(args.neo4j)
    stop = threading.Event()
    busy: list[float] = []
    busy_errors: list[str] = []
    threads = query_clients(args.neo4j, args.clients, stop, busy, busy_errors)
    under = timed_load(args.neo4j, path)
    stop.set()
    for t in threads:
        t.join()
    report(f"{args.clients} clients, during the load", busy, busy_errors)
    print(f"load under queries: {args.lines / under:,.0f} lines/s ({alone / under:.0%} of the load alone)")


if __name__ == "__main__":
    main()
