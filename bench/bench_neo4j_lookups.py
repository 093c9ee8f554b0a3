"""What a lookup log's relationships cost a Neo4j server to write, and the floor under the rollups'
share of it (issue 24): prints figures, asserts nothing.

A Zeek dns.log of --lines lines (bench/zeek_gen.py, as bench_queries.py makes it) is loaded with
`graphkit load zeek` into a cleared server (left out with --loaded: the graph the server holds).
Its daily LOOKED_UP relationships and their LOOKED_UP_TOTAL rollups are read back, then written
again through `Neo4jBackend.write_edges` (graphkit's own statements, writers and batches) under
scratch types that no query reads, each deleted after it is timed:
- the daily rows CREATEd: what every load of a new log writes, with or without rollups;
- the rollups MERGEd: what a load writes for them today (`rollups.Rollup.write`);
- the rollups CREATEd: the least a server can take to store them, with no look-up at all.
The rollups' figures over the daily rows' say what keeping them costs a load, and whether a
budget (issue 24: 15% of the load) can hold them.

Then the least the lookup queries must read, as server time (the median of --runs runs after
one that plans it): every rollup with its name's `lookups` and its count (what
lookup-concentration reads without a window, before it sums anything), and every daily
relationship's day (what a query with a window reads).

    .venv/bin/python bench/bench_neo4j_lookups.py --neo4j bolt://127.0.0.1:7687
        [--lines 1000000] [--workdir DIR] [--loaded] [--runs 1]
(or GRAPHKIT_BENCH_NEO4J_URI; credentials from NEO4J_USERNAME / NEO4J_PASSWORD. The server's graph
is replaced, unless --loaded.)
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import zeek_gen  # noqa: E402
from bench_queries import load, server_times  # noqa: E402

from graphkit.backends.neo4j import Neo4jBackend  # noqa: E402
from graphkit.backends.store import StoreOptions, open_store  # noqa: E402
from graphkit.ingest import rollups  # noqa: E402
from graphkit.model import tables  # noqa: E402
from graphkit.model.schema import RelType  # noqa: E402

CLIENT = "IPAddress"
READS = {
    "every rollup, its name's lookups and its count": (
        f"MATCH (:{CLIENT})-[r:{rollups.TOTAL.type}]->(d:{rollups.NAME}) WHERE d.lookups >= $least RETURN sum(r.count)",
        {"least": 100},  # lookup-concentration's default min_total
    ),
    "every daily relationship's day": (
        f"MATCH (:{CLIENT})-[r:{rollups.DAILY.type}]->(:{rollups.NAME}) WHERE r.day >= $since RETURN count(r)",
        {"since": "2016-05-10"},
    ),
}


def stored(backend: Neo4jBackend, rel: RelType) -> pa.Table:
    """Every relationship of the type from a client to a name, as write_edges takes them."""
    props = [p.name for p in rel.props]
    wanted = "".join(f", r.{name} AS {name}" for name in props)
    cypher = f"MATCH (a:{CLIENT})-[r:{rel.type}]->(b:{rollups.NAME}) RETURN a.address AS _f, b.name AS _t{wanted}"
    schema = tables.read_schema(rel, CLIENT, rollups.NAME, props)
    rows = backend.query(cypher, columns=schema.names).rows
    read = pa.Table.from_pylist([dict(zip(schema.names, row, strict=True)) for row in rows], schema=schema)
    return tables.conform(tables.edge_schema(rel, CLIENT, rollups.NAME), read)


def timed_write(backend: Neo4jBackend, rel: RelType, table: pa.Table, *, new: bool) -> float:
    """Seconds to write the table under a scratch copy of the type; the copies are deleted after."""
    scratch = dataclasses.replace(rel, type=f"BENCH_{rel.type}")
    started = time.perf_counter()
    backend.write_edges(scratch, CLIENT, rollups.NAME, table, new=new)
    seconds = time.perf_counter() - started
    delete = f"MATCH ()-[r:{scratch.type}]->() WITH r LIMIT 20000 DELETE r RETURN count(*)"
    while backend.query(delete, write=True).rows[0][0]:
        pass
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--neo4j", default=os.environ.get("GRAPHKIT_BENCH_NEO4J_URI"))
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "graphkit-bench-queries")
    ap.add_argument("--loaded", action="store_true", help="the server holds the log's graph already")
    ap.add_argument("--runs", type=int, default=1, help="writes of each kind, and reads (the median is printed)")
    args = ap.parse_args()
    if not args.neo4j:
        ap.error("a Neo4j server: --neo4j URI or GRAPHKIT_BENCH_NEO4J_URI")
    if not args.loaded:
        args.workdir.mkdir(parents=True, exist_ok=True)
        log = args.workdir / f"realistic-{args.lines}.log"
        if not log.exists():
            zeek_gen.write(log.with_suffix(".tmp"), args.lines)
            log.with_suffix(".tmp").rename(log)
        seconds, peak = load(args.neo4j, log, None)
        print(f"load zeek {log.name}: {seconds:.1f} s, {peak:.0f} MB")
    backend = open_store(StoreOptions(args.neo4j))
    assert isinstance(backend, Neo4jBackend), "a Neo4j URI"
    try:
        daily, totals = stored(backend, rollups.DAILY), stored(backend, rollups.TOTAL)
        print(f"{daily.num_rows:,} daily rows, {totals.num_rows:,} rollups")
        kinds = {
            "daily rows CREATEd (every load)": (rollups.DAILY, daily, True),
            "rollups MERGEd (today)": (rollups.TOTAL, totals, False),
            "rollups CREATEd (the floor)": (rollups.TOTAL, totals, True),
        }
        seconds = {
            kind: statistics.median(timed_write(backend, rel, table, new=new) for _ in range(args.runs))
            for kind, (rel, table, new) in kinds.items()
        }
    finally:
        backend.close()
    base = next(iter(seconds.values()))
    print()
    for kind, (_, table, _) in kinds.items():
        rate = table.num_rows / seconds[kind]
        print(f"{kind:<34} {seconds[kind]:6.1f} s {rate:9,.0f}/s {seconds[kind] / base:6.2f}x the daily rows")
    print("\nserver time of the least the lookup queries read:")
    for what, (cypher, params) in READS.items():
        times = server_times(args.neo4j, cypher, params, args.runs + 1)[1:]
        print(f"  {what:<48} {statistics.median(times):.2f} s (" + ", ".join(f"{t:.2f}" for t in times) + ")")


if __name__ == "__main__":
    main()
