"""Export times (issue 7): prints seconds per format, asserts nothing.

The subgraph: 100,000 relationships by default, shaped like an investigation's ego network:
LOOKED_UP from 2,000 clients to 20,000 names over many days (80%), RESOLVES_TO to 5,000
addresses, IN_NETBLOCK, SUBDOMAIN_OF and contact emails, with the usual provenance lists.
Each format is written from memory (the exporters' own cost); then, from an embedded store
holding the same graph, reading it back whole and the bulk neo4j-admin CSVs.

    python bench/bench_export.py [--relationships 100000] [--no-store] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graphkit import export  # noqa: E402
from graphkit.backends.store import StoreOptions, open_store  # noqa: E402
from graphkit.export.bulk import export_bulk  # noqa: E402
from graphkit.export.redact import Redactor  # noqa: E402
from graphkit.ingest.normalise import Normaliser  # noqa: E402
from graphkit.ingest.writer import GraphWriter  # noqa: E402
from graphkit.model.records import EdgeRecord, NodeRecord, Record  # noqa: E402
from graphkit.query import subgraph  # noqa: E402
from graphkit.query.subgraph import Subgraph  # noqa: E402

SOURCE = "bench:export"


def records(relationships: int, seed: int = 7) -> list[Record]:
    rng = random.Random(seed)
    clients = [f"10.{i // 250}.{i % 250}.1" for i in range(2_000)]
    names = [f"host{i}.zone{i % 997}.example" for i in range(20_000)]
    addresses = [f"172.16.{i // 250}.{i % 250}" for i in range(5_000)]
    out: list[Record] = []
    lookups = int(relationships * 0.8)
    seen: set[tuple[str, str, str]] = set()
    while len(seen) < lookups:
        day = f"2016-{rng.randint(5, 9):02d}-{rng.randint(1, 28):02d}"
        key = (rng.choice(clients), names[min(int(rng.paretovariate(1.1)) - 1, len(names) - 1)], day)
        if key in seen:
            continue
        seen.add(key)
        props = {"qtype": "A", "day": day, "count": rng.randint(1, 500), "first_seen": day + "T00:00:00Z"}
        out.append(EdgeRecord("LOOKED_UP", "IPAddress", key[0], "Domain", key[1], props, SOURCE))
    rest = relationships - lookups
    for i in range(rest // 2):
        out.append(
            EdgeRecord(
                "RESOLVES_TO",
                "Domain",
                names[i % len(names)],
                "IPAddress",
                addresses[i % len(addresses)],
                {"ttl": 300},
                SOURCE,
            )
        )
    for i in range(rest - rest // 2):
        if i % 3 == 0:
            out.append(
                EdgeRecord(
                    "IN_NETBLOCK",
                    "IPAddress",
                    addresses[i % len(addresses)],
                    "Netblock",
                    f"172.16.{i % 250}.0/24",
                    {},
                    SOURCE,
                )
            )
        elif i % 3 == 1:
            out.append(
                EdgeRecord(
                    "SUBDOMAIN_OF", "Domain", names[i % len(names)], "Domain", f"zone{i % 997}.example", {}, SOURCE
                )
            )
        else:
            email = f"owner{i}@zone{i % 997}.example"
            out.append(NodeRecord("Email", email, {"is_proxy": False}, SOURCE))
            out.append(
                EdgeRecord(
                    "HAS_CONTACT_EMAIL", "Domain", names[i % len(names)], "Email", email, {"role": "registrant"}, SOURCE
                )
            )
    return out


def in_memory(recs: list[Record]) -> Subgraph:
    """The records as a Subgraph directly (no store): what an exporter is handed."""
    graph = Subgraph()
    for rec in recs:
        if isinstance(rec, NodeRecord):
            graph.add_node(rec.label, rec.key, {**rec.props, "sources": [SOURCE]})
        else:
            start, end = (rec.from_label, rec.from_key), (rec.to_label, rec.to_key)
            graph.add_relationship(rec.type, start, end, {**rec.props, "sources": [SOURCE]})
    for ref in graph.nodes:
        graph.nodes[ref].setdefault("sources", [SOURCE])
    return graph


def timed(label: str, work: object) -> float:
    start = time.perf_counter()
    result = work() if callable(work) else None
    seconds = time.perf_counter() - start
    print(f"  {label:<34} {seconds:7.2f} s", flush=True)
    return result  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--relationships", type=int, default=100_000)
    parser.add_argument("--no-store", action="store_true", help="only the exporters, from memory")
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="graphkit-bench-export-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        recs = records(args.relationships)
        graph = in_memory(recs)
        print(f"subgraph: {graph.summary()}")
        print("writing each format (from memory):")
        for fmt, name in (
            ("graphml", "g.graphml"),
            ("gexf", "g.gexf"),
            ("json", "g.json"),
            ("csv", "csv"),
            ("cypher", "g.cypher"),
            ("html", "g.html"),
        ):
            timed(fmt, lambda fmt=fmt, name=name: export.write(graph, folder / name, fmt))
        timed("--redact (hashing, before any format)", lambda: Redactor().subgraph(graph))
        sizes = {p.name: p.stat().st_size for p in folder.rglob("*") if p.is_file()}
        print("  sizes: " + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sorted(sizes.items())))
        if args.no_store:
            return
        store = folder / "g.lbdb"
        backend = open_store(StoreOptions(str(store)))
        try:
            print("embedded store:")
            backend.ensure_schema()
            writer, normalise = GraphWriter(backend), Normaliser()

            def load() -> None:
                for rec in recs:
                    for out in normalise(rec):  # endpoint nodes first, as the load pipeline does
                        writer.add(out)
                writer.flush()

            timed("load (setup, not an export)", load)
            whole = timed("read the whole graph (--all)", lambda: subgraph.whole_graph(backend))
            print(f"    read back: {whole.summary()}")
            timed(
                "around a busy name, 2 hops, 500 nodes", lambda: subgraph.around(backend, "host0.zone0.example", 2, 500)
            )
            result = timed("bulk CSVs for neo4j-admin", lambda: export_bulk(backend, folder / "bulk"))
            print(f"    bulk: {result.count('nodes')} nodes, {result.count('relationships')} relationships")
        finally:
            backend.close()
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
