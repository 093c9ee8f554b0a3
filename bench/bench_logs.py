"""Lookup-log loading benchmarks (issue 4): prints the figures, asserts nothing.

1. parse + aggregate: a realistic 1,000,000-line Zeek dns.log (2,000 clients, 50,000 names of
   Zipf-like popularity, 30 days, about 10 lines per (client, name, qtype, day)) through
   ZeekParser, lines/s; and, in the same process, a plain `csv`-module loop building the
   same aggregate, and the ratio. Best of --repeat runs each, alternating.
2. end-to-end load into the embedded store (and Neo4j with --neo4j or
   GRAPHKIT_BENCH_NEO4J_URI; credentials from NEO4J_USERNAME / NEO4J_PASSWORD), lines/s.
3. peak RSS of a 10,000,000-line file, measured in a child process (VmHWM): parse and
   aggregate alone, a whole load into an embedded store (whose buffer pool, 1 GB unless
   GRAPHKIT_BUFFER_POOL_MB says otherwise, lives in the same process), and with --neo4j a
   whole load into Neo4j (graphkit's own memory: the server is another process).
4. the worst case, every line a distinct key: parse + aggregate and embedded load (child
   processes; Neo4j only with --neo4j-worst).
5. the next log onto the last: the --big log's first and second halves by line (days 1-15 and
   16-30, the same clients and names), the second loaded onto the first, then the first again;
   time and peak RSS of each in a child process (embedded; Neo4j too with --neo4j). This is the
   rollups' costly case: most pairs the second log counts were counted by the first.

    python bench/bench_logs.py [--lines 1000000] [--big 10000000] [--repeat 3] [--sections 1,2,3,4,5]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import zeek_gen  # noqa: E402

from graphkit.backends.store import StoreOptions, clear_neo4j, open_store  # noqa: E402
from graphkit.ingest.context import ParseContext, RejectsFile  # noqa: E402
from graphkit.ingest.pipeline import Loader  # noqa: E402
from graphkit.model.tables import EdgeTable  # noqa: E402
from graphkit.parsers.zeek import ZeekParser  # noqa: E402


def generated(workdir: Path, name: str, lines: int, **options: Any) -> Path:
    path = workdir / f"{name}-{lines}.log"
    if not path.exists():
        started = time.perf_counter()
        zeek_gen.write(path.with_suffix(".tmp"), lines, **options)
        path.with_suffix(".tmp").rename(path)
        print(f"  generated {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.0f} s")
    return path


def csv_baseline(path: Path) -> int:
    """A plain csv-module loop building the same aggregate: lookups per (client, name, qtype,
    day) with first and last time; names lowercased without the trailing dot."""
    aggregate: dict[tuple[str, str, str, int], list[float]] = {}
    fields: list[str] = []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row[0].startswith("#"):
                if row[0] == "#fields":
                    fields = row[1:]
                    ts_i, c_i, q_i, t_i = (fields.index(n) for n in ("ts", "id.orig_h", "query", "qtype_name"))
                continue
            ts = float(row[ts_i])
            key = (row[c_i], row[q_i].lower().rstrip("."), row[t_i], int(ts // 86400))
            seen = aggregate.get(key)
            if seen is None:
                aggregate[key] = [1, ts, ts]
            else:
                seen[0] += 1
                if ts < seen[1]:
                    seen[1] = ts
                if ts > seen[2]:
                    seen[2] = ts
    return len(aggregate)


def parse_and_aggregate(path: Path) -> int:
    """ZeekParser without a store: every aggregated table and endpoint record, produced."""
    ctx = ParseContext(path, "bench:zeek", lambda reject: None)
    edges = 0
    for item in ZeekParser()(ctx):
        if isinstance(item, EdgeTable) and item.type == "LOOKED_UP":
            edges += item.table.num_rows
    return edges


def timed(fn: Any, *args: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - started, result


def timed_cpu(fn: Any, *args: Any) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds of every thread of this process, result)."""
    started, cpu = time.perf_counter(), time.process_time()
    result = fn(*args)
    return time.perf_counter() - started, time.process_time() - cpu, result


def try_load(label: str, location: str, path: Path, lines: int) -> None:
    """Print one end-to-end figure, or why the load failed (a store's limit, say)."""
    try:
        seconds = load_into(location, path)
    except Exception as exc:  # a benchmark reports what happened and goes on
        print(f"   {label} failed: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
        return
    print(f"   {label} {lines / seconds:>10,.0f} lines/s  ({seconds:.2f} s)")


def load_into(location: str, path: Path) -> float:
    """Seconds from the first line read until the store is closed (its last checkpoint included)."""
    backend = open_store(StoreOptions(location))
    with tempfile.TemporaryDirectory(prefix="graphkit-bench-rejects-") as rejects_dir:
        try:
            backend.ensure_schema()
            started = time.perf_counter()
            Loader(backend, ZeekParser(), rejects=RejectsFile(Path(rejects_dir), "zeek")).load(path)
        finally:
            backend.close()
        return time.perf_counter() - started


def child_peak_rss(mode: str, path: Path, store: str | None = None) -> dict[str, Any]:
    """Run one parse (or load) in a fresh interpreter; its peak RSS comes back as JSON."""
    args = [sys.executable, __file__, "--child", mode, str(path)] + ([store] if store else [])
    out = subprocess.run(args, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def child(mode: str, path: str, store: str | None) -> None:
    started = time.perf_counter()
    if mode == "parse":
        parse_and_aggregate(Path(path))
    else:
        assert store
        load_into(store, Path(path))
    seconds = time.perf_counter() - started
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec
    status = Path("/proc/self/status").read_text()
    peak_kb = int(status.split("VmHWM:")[1].split()[0]) if "VmHWM:" in status else None
    peak_kb = peak_kb or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_kb / 1024}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--big", type=int, default=10_000_000, help="lines of the peak-RSS file (0 skips it)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "graphkit-bench-logs")
    ap.add_argument("--neo4j", default=os.environ.get("GRAPHKIT_BENCH_NEO4J_URI"))
    ap.add_argument("--skip-worst", action="store_true")
    ap.add_argument("--neo4j-worst", action="store_true", help="also load the worst case into Neo4j (slow)")
    ap.add_argument("--sections", default="1,2,3,4,5", help="which figures to measure, e.g. 3 or 1,2")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.child[2] if len(args.child) > 2 else None)
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    sections = set(args.sections.split(","))
    if "1" in sections:
        parse_figures(args)
    if "2" in sections:
        load_figures(args)
    if "3" in sections and args.big:
        memory_figures(args)
    if "4" in sections and not args.skip_worst:
        worst_figures(args)
    if "5" in sections and args.big:
        next_log_figures(args)


def parse_figures(args: argparse.Namespace) -> None:
    n = args.lines
    realistic = generated(args.workdir, "realistic", n)
    print("1. parse + aggregate (realistic log)")
    ours, base, ours_cpu, base_cpu = [], [], [], []
    for _ in range(args.repeat):
        seconds, cpu, edges = timed_cpu(parse_and_aggregate, realistic)
        ours.append(seconds)
        ours_cpu.append(cpu)
        seconds, cpu, keys = timed_cpu(csv_baseline, realistic)
        base.append(seconds)
        base_cpu.append(cpu)
        assert edges == keys, (edges, keys)
    print(
        f"   graphkit: {n / min(ours):>12,.0f} lines/s  ({min(ours):.2f} s wall, {min(ours_cpu):.2f} s CPU in all "
        f"threads; {edges:,} distinct keys)"
    )
    print(f"   csv loop: {n / min(base):>12,.0f} lines/s  ({min(base):.2f} s wall, {min(base_cpu):.2f} s CPU)")
    print(
        f"   ratio:    {min(base) / min(ours):>12.1f} x wall, {min(base_cpu) / min(ours_cpu):.1f} x CPU "
        f"(best of {args.repeat} each, alternating)"
    )


def load_figures(args: argparse.Namespace) -> None:
    n = args.lines
    realistic = generated(args.workdir, "realistic", n)
    print("2. end-to-end load (realistic log)")
    folder = Path(tempfile.mkdtemp(prefix="graphkit-bench-store-"))
    try:
        try_load("embedded:            ", str(folder / "bench.lbdb"), realistic, n)
        try_load("embedded, same again:", str(folder / "bench.lbdb"), realistic, n)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if args.neo4j:
        clear_neo4j(args.neo4j)
        try_load("neo4j:               ", args.neo4j, realistic, n)
    else:
        print("   neo4j:    skipped (give --neo4j URI or GRAPHKIT_BENCH_NEO4J_URI)")


def memory_figures(args: argparse.Namespace) -> None:
    print(f"3. peak RSS, {args.big:,}-line realistic log (child processes)")
    big = generated(args.workdir, "realistic", args.big)
    parsed = child_peak_rss("parse", big)
    print(f"   parse + aggregate: {parsed['peak_rss_mb']:.0f} MB peak RSS, {args.big / parsed['seconds']:,.0f} lines/s")
    folder = Path(tempfile.mkdtemp(prefix="graphkit-bench-store-"))
    try:
        loaded = child_peak_rss("load", big, str(folder / "bench.lbdb"))
        rate = args.big / loaded["seconds"]
        print(f"   embedded load:     {loaded['peak_rss_mb']:.0f} MB peak RSS, {rate:,.0f} lines/s")
    except subprocess.CalledProcessError as exc:
        print(f"   embedded load failed: {(exc.stderr or '').strip().splitlines()[-1:]}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if args.neo4j:  # the store is another process: this is graphkit's own memory
        clear_neo4j(args.neo4j)
        loaded = child_peak_rss("load", big, args.neo4j)
        rate = args.big / loaded["seconds"]
        print(f"   Neo4j load:        {loaded['peak_rss_mb']:.0f} MB peak RSS, {rate:,.0f} lines/s")
        clear_neo4j(args.neo4j)


def worst_figures(args: argparse.Namespace) -> None:
    n = args.lines
    print("4. worst case: every line a distinct key (child processes)")
    worst = generated(args.workdir, "distinct", n, distinct=True)
    parsed = child_peak_rss("parse", worst)
    print(f"   parse + aggregate: {n / parsed['seconds']:>10,.0f} lines/s, {parsed['peak_rss_mb']:.0f} MB peak RSS")
    folder = Path(tempfile.mkdtemp(prefix="graphkit-bench-store-"))
    try:
        loaded = child_peak_rss("load", worst, str(folder / "bench.lbdb"))
        print(f"   embedded load:     {n / loaded['seconds']:>10,.0f} lines/s, {loaded['peak_rss_mb']:.0f} MB peak RSS")
    except subprocess.CalledProcessError as exc:
        print(f"   embedded load failed: {(exc.stderr or '').strip().splitlines()[-1:]}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if args.neo4j and args.neo4j_worst:
        clear_neo4j(args.neo4j)
        try_load("neo4j load:       ", args.neo4j, worst, n)


def halves(workdir: Path, path: Path) -> tuple[Path, Path]:
    """The log's first and second halves by line, each with the header (read twice, streaming)."""
    first, second = workdir / f"{path.stem}-first.log", workdir / f"{path.stem}-second.log"
    if second.exists():
        return first, second
    with open(path, encoding="utf-8") as f:
        header = list(itertools.takewhile(lambda line: line.startswith("#"), f))
        rows = 1 + sum(1 for line in f if not line.startswith("#"))  # takewhile ate the first row
    with open(path, encoding="utf-8") as f, open(first, "w") as a, open(second, "w") as b:
        a.writelines(header)
        b.writelines(header)
        data = (line for line in f if not line.startswith("#"))
        a.writelines(itertools.islice(data, rows // 2))
        b.writelines(data)
    return first, second


def next_log_figures(args: argparse.Namespace) -> None:
    print(f"5. the next log onto the last: halves of the {args.big:,}-line log (child processes)")
    first, second = halves(args.workdir, generated(args.workdir, "realistic", args.big))
    folder = Path(tempfile.mkdtemp(prefix="graphkit-bench-store-"))
    stores = [str(folder / "bench.lbdb")] + ([args.neo4j] if args.neo4j else [])
    try:
        for store in stores:
            if store == args.neo4j:
                clear_neo4j(store)
            child_peak_rss("load", first, store)
            name = "Neo4j" if store == args.neo4j else "embedded"
            for label, path in (("second half onto the first", second), ("first half again", first)):
                loaded = child_peak_rss("load", path, store)
                print(f"   {name}, {label}: {loaded['seconds']:.1f} s, {loaded['peak_rss_mb']:.0f} MB peak RSS")
            if store == args.neo4j:
                clear_neo4j(store)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
