"""Canned queries on a realistic lookup graph, as the user meets them (issue 24): prints figures,
asserts nothing.

A Zeek dns.log of --lines lines (bench/zeek_gen.py: 2,000 clients, 50,000 names of Zipf-like
popularity, 30 days, about ten lines per client, name, qtype and day) and the motivating case
(tests/query_fixture.py, as a records file) are loaded with `graphkit load`, each load timed
as a whole process with its peak RSS. With --baseline DIR (a checkout of graphkit from before
the lookup rollups, e.g. `git worktree add DIR 1a4bd50`) the same log is loaded again with that
code, alternately, --load-runs times each: the load-time cost of keeping the rollups, as a ratio.
Then every canned query runs as a whole `graphkit query run` process (start-up and printing
included: wall time and peak RSS), and in this process (the median of --repeat warm runs). On
Neo4j the server's own time for the query (result available + consumed, as the driver reports
it) is printed too. The analyses some queries read are run first (`graphkit analyze`).

    .venv/bin/python bench/bench_queries.py [--lines 1000000] [--workdir DIR] [--repeat 3]
        [--neo4j bolt://127.0.0.1:7687]   (or GRAPHKIT_BENCH_NEO4J_URI; NEO4J_USERNAME / NEO4J_PASSWORD)
        [--baseline DIR] [--load-runs 2] [--only NAME,...] [--queries-only]

--queries-only times the queries on the stores an earlier run left in --workdir (loaded and
analysed there), for measuring a change to the queries or their printing alone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))
import query_fixture  # noqa: E402
import zeek_gen  # noqa: E402
from bench_log_formats import remove_store  # noqa: E402

from graphkit.backends.store import StoreOptions, clear_neo4j, open_store  # noqa: E402
from graphkit.errors import GraphkitError  # noqa: E402
from graphkit.query.catalogue import catalogue, run_query  # noqa: E402

TARGET_SECONDS, TARGET_MB = 1.0, 400


def whole_process(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB, exit status) of `python -m graphkit ARGV`, its output discarded."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-P", "-m", "graphkit", *argv],  # -P: the code on PYTHONPATH, not the one in the cwd
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    assert proc.stderr is not None
    proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - started, usage.ru_maxrss / 1024, proc.returncode


def load(store: str, log: Path, case: Path | None, env: dict[str, str] | None = None) -> tuple[float, float]:
    """A fresh store with the log and the case (when given) loaded: the log's load's (seconds, peak MB)."""
    if "://" in store:
        clear_neo4j(store)
    else:
        remove_store(Path(store))
    seconds, peak, status = whole_process(["--store", store, "load", "zeek", str(log)], env)
    assert status == 0, f"load zeek exited {status}"
    if case is not None:
        assert whole_process(["--store", store, "load", "records", str(case)], env)[2] == 0
    return seconds, peak


def cases(store: str) -> list[tuple[str, dict[str, Any]]]:
    """Each query, with the graph's busiest name and client (by the rollups' totals), the case's names."""
    backend = open_store(StoreOptions(store))
    try:  # from the daily relationships: a store without rollups has them too
        name = backend.query(
            "MATCH (:IPAddress)-[r:LOOKED_UP]->(d:Domain) WITH d, sum(r.count) AS n "
            "RETURN d.name ORDER BY n DESC LIMIT 1"
        )
        clients = backend.query(
            "MATCH (c:IPAddress)-[r:LOOKED_UP]->(:Domain) WITH c, sum(r.count) AS n "
            "RETURN c.address ORDER BY n DESC LIMIT 2"
        )
    finally:
        backend.close()
    busiest, (client, other) = name.rows[0][0], [row[0] for row in clients.rows]
    return [
        ("lookup-concentration", {}),
        ("lookup-concentration", {"min_total": 1, "min_share": 0.3}),
        ("lookup-concentration", {"domain": query_fixture.MAIL1}),
        ("lookup-concentration", {"since": "2016-05-10", "until": "2016-05-20"}),
        ("rare-names", {}),
        ("rare-names", {"since": "2016-05-10"}),
        ("co-lookup", {"source": client}),
        ("lookup-sources", {"domain": busiest}),
        ("lookup-sources", {"domain": busiest, "since": "2016-05-10"}),
        ("lookup-timeline", {"domain": busiest, "bucket": "week"}),
        ("shared-infrastructure", {"domain": busiest}),
        ("neighborhood", {"key": busiest, "hops": 2}),
        ("neighborhood", {"key": client, "hops": 2}),
        ("path-between", {"from": client, "to": other}),
        ("path-between", {"from": "Alfa-Bank", "to": "Listrak", "max_hops": 6}),
        ("registrant-vs-operator", {}),
        ("cohosted", {"target": query_fixture.MAIL1}),
        ("reverse-mismatch", {}),
        ("infrastructure-changes", {"domain": query_fixture.MAIL1}),
        ("certificate-timeline", {"domain": query_fixture.MAIL1}),
        ("shared-certificate", {"target": query_fixture.MAIL1}),
        ("similar-clients", {"client": client}),
        ("community-members", {"key": client}),
        ("central-nodes", {}),
        ("bridges", {}),
    ]


def in_process(store: str, name: str, params: dict[str, Any], repeat: int) -> tuple[int, float]:
    """(rows, median warm seconds) in this process; (-1, 0) when the query fails."""
    backend = open_store(StoreOptions(store))
    try:
        try:
            rows = len(run_query(backend, name, params).rows)
        except GraphkitError as exc:
            print(f"  {name} {params}: {str(exc)[:150]}")
            return -1, 0.0
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            run_query(backend, name, params)
            times.append(time.perf_counter() - started)
        return rows, statistics.median(times)
    finally:
        backend.close()


def server_seconds(uri: str, name: str, params: dict[str, Any]) -> float:
    """The Neo4j server's time for the query, its plan cached (the second of two runs): result
    available plus consumed."""
    import neo4j

    query = catalogue()[name]
    bound = query.bind(params)
    try:
        return server_times(uri, query.text_for("neo4j", by_day=query.by_day(bound)), bound, 2)[-1]
    except neo4j.exceptions.Neo4jError as exc:
        print(f"  {name} {params} on the server: {str(exc)[:150]}")
        return float("nan")


def server_times(uri: str, text: str, params: dict[str, Any], runs: int) -> list[float]:
    """The Neo4j server's time for each of `runs` runs of the Cypher (the first plans it)."""
    import neo4j

    auth = (os.environ.get("NEO4J_USERNAME", "neo4j"), os.environ.get("NEO4J_PASSWORD", ""))
    times = []
    with neo4j.GraphDatabase.driver(uri, auth=auth) as driver, driver.session() as session:
        for _ in range(runs):
            summary = session.run(text, params).consume()
            times.append(((summary.result_available_after or 0) + (summary.result_consumed_after or 0)) / 1000)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "graphkit-bench-queries")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--neo4j", default=os.environ.get("GRAPHKIT_BENCH_NEO4J_URI"))
    ap.add_argument("--baseline", type=Path, help="a checkout of graphkit from before the rollups")
    ap.add_argument("--load-runs", type=int, default=2)
    ap.add_argument("--only", type=lambda text: set(text.split(",")), help="time only these queries (NAME,...)")
    ap.add_argument("--queries-only", action="store_true", help="no load or analysis: the stores in --workdir")
    args = ap.parse_args()
    if args.queries_only and args.neo4j and args.baseline:
        ap.error("--queries-only on Neo4j: the server holds one graph, so one code (leave out --baseline)")
    args.workdir.mkdir(parents=True, exist_ok=True)
    log = args.workdir / f"realistic-{args.lines}.log"
    if not log.exists():
        zeek_gen.write(log.with_suffix(".tmp"), args.lines)
        log.with_suffix(".tmp").rename(log)
    case = query_fixture.write_jsonl(args.workdir / "case.jsonl")
    neo4j = args.neo4j
    print(f"{args.lines:,}-line Zeek log on {'Neo4j' if neo4j else 'the embedded store'}")
    codes = {"now": {}, **({"baseline": {"PYTHONPATH": str(args.baseline)}} if args.baseline else {})}
    stores = {code: neo4j or str(args.workdir / f"store-{code}.lbdb") for code in codes}

    loads: dict[str, list[tuple[float, float]]] = {code: [] for code in codes}
    held = "now" if args.queries_only else ""  # the code whose graph Neo4j holds
    runs = 0 if args.queries_only else args.load_runs if args.baseline else 1
    for _ in range(runs):
        for code, env in codes.items():  # today's first: on a fresh server the first load is the slower
            loads[code].append(load(stores[code], log, case, env))
            held = code
    for code, measured in loads.items():
        print(f"load zeek ({code}): " + ", ".join(f"{s:.1f} s / {mb:.0f} MB" for s, mb in measured))
    if args.baseline and not args.queries_only:
        ratio = statistics.mean(s for s, _ in loads["now"]) / statistics.mean(s for s, _ in loads["baseline"])
        print(f"load time now / baseline: {ratio:.3f} (target <= 1.15)")
    started = whole_process(["query", "list"])
    print(f"start-up (graphkit query list): {started[0]:.2f} s, {started[1]:.0f} MB")
    asked = [(n, p) for n, p in cases(stores["now"]) if not args.only or n in args.only]
    timed: dict[str, list[tuple[float, float, int]]] = {}
    for code, env in sorted(codes.items(), key=lambda item: item[0] != held):  # today's last: the table reads it
        if neo4j and code != held:  # never with --queries-only: one code, the graph held
            load(neo4j, log, case, env)  # each code's queries run on the graph it loaded
            held = code
        for analysis in () if args.queries_only else ("communities", "centrality", "similarity"):
            seconds, _, status = whole_process(["--store", stores[code], "analyze", analysis], env)
            print(f"analyze {analysis} ({code}): {seconds:.1f} s" + (f" (exit {status})" if status else ""))
        timed[code] = [whole_process(_run_argv(stores[code], n, p), env) for n, p in asked]

    shown_codes = list(reversed(codes))
    columns = "".join(f" {code + ' s':>11} {'MB':>5}" for code in shown_codes)
    header = f"{'query':<24} {'parameters':<40} {'rows':>8}{columns} {'warm s':>7}" + (" server s" if neo4j else "")
    print("\n" + header + "\n" + "-" * len(header))
    over = []
    for i, (name, params) in enumerate(asked):
        rows, warm = in_process(stores["now"], name, params, args.repeat)
        shown = ", ".join(f"{k}={v}" for k, v in params.items()) or "(defaults)"
        line = f"{name:<24} {shown[:40]:<40} {rows:>8,}"
        for code in shown_codes:
            seconds, peak, status = timed[code][i]
            line += f" {seconds:>11.2f} {peak:>5.0f}" if not status else f" {'exit ' + str(status):>11} {'':>5}"
        line += f" {warm:>7.2f}"
        seconds, peak, _ = timed["now"][i]
        if neo4j:
            server = server_seconds(neo4j, name, params)
            line += f" {server:>8.2f}"
        print(line, flush=True)
        if (server if neo4j else seconds) > TARGET_SECONDS or peak > TARGET_MB:
            over.append(f"{name} {shown}")
    kind = "server time" if neo4j else "process time"
    print(f"\ntargets: {kind} <= {TARGET_SECONDS} s, peak <= {TARGET_MB} MB; over: {'; '.join(over) or 'none'}")


def _run_argv(store: str, name: str, params: dict[str, Any]) -> list[str]:
    argv = ["--store", store, "query", "run", name, "-f", "json"]
    for key, value in params.items():
        argv += ["-p", f"{key}={value}"]
    return argv


if __name__ == "__main__":
    main()
