"""Write throughput of LOOKED_UP edges into each store (issue 2 benchmark).

Generates N distinct LOOKED_UP edges (clients x names x days, Zipf-like popularity)
with their IPAddress/Domain endpoints, writes them through GraphWriter (the path every
loader uses) and prints edges/s per store. With a Neo4j URI it also runs, in the same
process, the baseline: one MERGE per transaction for a 5,000-edge sample, and the ratio.

    python bench/bench_write.py [--edges 1000000] [--neo4j bolt://127.0.0.1:7687]
(Neo4j credentials from NEO4J_USERNAME / NEO4J_PASSWORD.)
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
import time
from datetime import date, timedelta

import pyarrow as pa

from graphkit.backends.base import Backend
from graphkit.backends.store import StoreOptions, clear_neo4j, open_store
from graphkit.ingest import DEFAULT_BATCH
from graphkit.ingest.writer import GraphWriter
from graphkit.model.records import NodeRecord, Record
from graphkit.model.tables import EdgeTable

SOURCE = "bench:lookups"


def synthetic(n_edges: int, clients: int, names: int, days: int, seed: int = 7) -> tuple[list[Record], EdgeTable]:
    """Endpoint node records and one bulk table of distinct LOOKED_UP edges, as the log loaders write them."""
    rng = random.Random(seed)
    client_ids = [f"10.{i // 65536}.{i // 256 % 256}.{i % 256}" for i in range(clients)]
    name_ids = [f"host{i}.example{i % 997}.com" for i in range(names)]
    start = date(2016, 5, 4)
    day_ids = [(start + timedelta(days=d)).isoformat() for d in range(days)]
    # Zipf-like popularity: weight 1/rank for names and clients.
    name_w = [1 / (r + 1) for r in range(names)]
    client_w = [1 / (r + 1) ** 0.5 for r in range(clients)]
    seen: set[tuple[int, int, int]] = set()
    while len(seen) < n_edges:
        batch = n_edges - len(seen)
        cs = rng.choices(range(clients), client_w, k=batch)
        ns = rng.choices(range(names), name_w, k=batch)
        ds = rng.choices(range(days), k=batch)
        seen.update(zip(cs, ns, ds))
    records: list[Record] = []
    used_clients = sorted({c for c, _, _ in seen})
    used_names = sorted({n for _, n, _ in seen})
    records += [NodeRecord("IPAddress", client_ids[c], {"version": 4}, SOURCE) for c in used_clients]
    records += [NodeRecord("Domain", name_ids[n], {"tld": "com"}, SOURCE) for n in used_names]
    keys = list(seen)
    table = pa.table(
        {
            "_f": [client_ids[c] for c, _, _ in keys],
            "_t": [name_ids[n] for _, n, _ in keys],
            "qtype": ["A"] * len(keys),
            "day": [day_ids[d] for _, _, d in keys],
            "count": [rng.randint(1, 50) for _ in keys],
            "first_seen": [day_ids[d] + "T08:00:00Z" for _, _, d in keys],
            "last_seen": [day_ids[d] + "T18:00:00Z" for _, _, d in keys],
        }
    )
    return records, EdgeTable("LOOKED_UP", "IPAddress", "Domain", table, SOURCE, distinct=True)


def write_all(location: str, nodes: list[Record], edges: EdgeTable, batch: int) -> float:
    """Seconds to write everything through GraphWriter, `batch` rows per write, until the store
    is closed (the embedded store's last checkpoint included)."""
    backend = open_store(StoreOptions(location))
    try:
        backend.ensure_schema()
        writer = GraphWriter(backend, batch)
        started = time.perf_counter()
        for record in nodes:
            writer.add(record)
        writer.add_table(edges)
        writer.flush()
    finally:
        backend.close()
    return time.perf_counter() - started


def baseline_row_at_a_time(backend: Backend, edges: list[dict[str, object]]) -> float:
    """One MERGE statement per transaction per edge, as a naive loader would do it."""
    cypher = (
        "MERGE (a:IPAddress {address: $client}) MERGE (b:Domain {name: $name}) "
        "MERGE (a)-[r:LOOKED_UP {qtype: $qtype, day: $day, source: $source}]->(b) SET r.count = $count"
    )
    started = time.perf_counter()
    for e in edges:
        backend.query(
            cypher,
            {
                "client": e["_f"],
                "name": e["_t"],
                "qtype": "A",
                "day": e["day"],
                "source": "baseline",
                "count": e["count"],
            },
            write=True,
        )
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--edges", type=int, default=1_000_000)
    ap.add_argument("--clients", type=int, default=10_000)
    ap.add_argument("--names", type=int, default=200_000)
    ap.add_argument("--days", type=int, default=120)
    ap.add_argument("--batch", type=int, default=DEFAULT_BATCH, help="rows per store write (load --batch-size)")
    ap.add_argument("--neo4j", default=os.environ.get("GRAPHKIT_BENCH_NEO4J_URI"))
    ap.add_argument("--baseline", type=int, default=5_000, help="edges in the row-at-a-time sample")
    args = ap.parse_args()

    t0 = time.perf_counter()
    nodes, edges = synthetic(args.edges, args.clients, args.names, args.days)
    n_edges = edges.table.num_rows
    print(f"generated {n_edges:,} edges, {len(nodes):,} nodes in {time.perf_counter() - t0:.1f} s")

    folder = tempfile.mkdtemp(prefix="graphkit-bench-")
    try:
        store = os.path.join(folder, "bench.lbdb")
        seconds = write_all(store, nodes, edges, args.batch)
        print(f"embedded: {n_edges:,} edges in {seconds:.1f} s = {n_edges / seconds:,.0f} edges/s")
        seconds = write_all(store, nodes, edges, args.batch)
        print(f"embedded, same edges again (nothing changes): {n_edges / seconds:,.0f} edges/s")
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    if not args.neo4j:
        print("neo4j: skipped (pass --neo4j URI or set GRAPHKIT_BENCH_NEO4J_URI)")
        return
    clear_neo4j(args.neo4j)
    seconds = write_all(args.neo4j, nodes, edges, args.batch)
    bulk_rate = n_edges / seconds
    print(f"neo4j: {n_edges:,} edges in {seconds:.1f} s = {bulk_rate:,.0f} edges/s")
    sample = random.Random(1).sample(edges.table.to_pylist(), args.baseline)
    backend = open_store(StoreOptions(args.neo4j))
    seconds = baseline_row_at_a_time(backend, sample)
    base_rate = len(sample) / seconds
    print(
        f"neo4j baseline, one MERGE per transaction: {len(sample):,} edges in {seconds:.1f} s"
        f" = {base_rate:,.0f} edges/s"
    )
    print(f"neo4j bulk / baseline: {bulk_rate / base_rate:.0f}x")
    backend.close()
    clear_neo4j(args.neo4j)


if __name__ == "__main__":
    main()
