"""Canned query times on the benchmark graph (issue 6): prints a table, asserts nothing.

The graph: 1,000,000 distinct LOOKED_UP edges (10,000 clients x 200,000 names x 120 days,
Zipf-like popularity, as bench_write.py makes them: the equivalent of a 1,000,000-line
log after aggregation), 50,000 of those names as domains with name servers, mail servers,
addresses (netblocks, ASNs, holders), registrants, admin contacts, registrars, contact
emails (a third privacy proxies), SPF includes and PTR records, all drawn with a few big
shared elements; the clients in netblocks with holders, ASNs and some attributions; and
the motivating case (tests/query_fixture.py) on top, so its names mean something.
Written through GraphWriter (LOOKED_UP as bulk EdgeTables), then every query runs once
cold and --repeat times warm on each store. Target: at most 2 s per query.

    python bench/bench_queries.py [--edges 1000000] [--domains 50000] [--repeat 3]
        [--neo4j bolt://127.0.0.1:7687]   (or GRAPHKIT_BENCH_NEO4J_URI; NEO4J_USERNAME / NEO4J_PASSWORD)
        [--store DIR]                     (keep the embedded store there and reuse it)
        [--reuse-neo4j]                   (time the graph an earlier run left in Neo4j)
        [--only NAME,...]                 (time only these queries)
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))
import bench_write  # noqa: E402
import query_fixture  # noqa: E402

from graphkit.backends.base import Backend  # noqa: E402
from graphkit.backends.neo4j import Neo4jBackend  # noqa: E402
from graphkit.backends.store import StoreOptions, open_store  # noqa: E402
from graphkit.errors import GraphkitError  # noqa: E402
from graphkit.ingest.normalise import Normaliser  # noqa: E402
from graphkit.ingest.writer import GraphWriter  # noqa: E402
from graphkit.model.records import EdgeRecord, NodeRecord, Record  # noqa: E402
from graphkit.query.catalogue import load_dir, run_query  # noqa: E402

SOURCE = "bench:infrastructure"
TARGET_SECONDS = 2.0
# At the 1 GB default, LadybugDB 0.22 ran out of buffer pool in a post-commit checkpoint
# while this graph was written; queries themselves fit in far less.
BUFFER_POOL_MB = "4096"


def zipf_choice(rng: random.Random, n: int, k: int, exponent: float = 1.0) -> list[int]:
    return rng.choices(range(n), [1 / (r + 1) ** exponent for r in range(n)], k=k)


def name_of(i: int) -> str:
    """The names bench_write.synthetic gives its lookups: the first --domains become domains."""
    return f"host{i}.example{i % 997}.com"


def infrastructure(domains: int, clients: int, seed: int = 11) -> Iterator[Record]:
    rng = random.Random(seed)

    def day() -> str:
        return f"2016-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T00:00:00Z"

    # hosting: 256 /24 netblocks, held by 200 hosters, announced by 100 ASNs
    for block in range(256):
        cidr = f"198.18.{block}.0/24" if block < 128 else f"198.19.{block - 128}.0/24"
        yield EdgeRecord(
            "ALLOCATED_TO", "Netblock", cidr, "Organization", f"Hoster {block % 200}", {"role": "registrant"}
        )
        yield EdgeRecord("ANNOUNCED_BY", "Netblock", cidr, "ASN", 64600 + block % 100, {})
    for asn in range(100):
        yield EdgeRecord("OPERATED_BY", "ASN", 64600 + asn, "Organization", f"Hoster {asn}", {})

    def hosting_address(index: int) -> str:
        block, host = divmod(index % 65_000, 254)
        return f"198.{18 + block // 128}.{block % 128}.{host + 1}"

    def address_record(name: str, index: int) -> Iterator[Record]:
        address = hosting_address(index)
        block, _ = divmod(index % 65_000, 254)
        cidr = f"198.{18 + block // 128}.{block % 128}.0/24"
        yield EdgeRecord("RESOLVES_TO", "Domain", name, "IPAddress", address, {"first_seen": day(), "last_seen": day()})
        yield EdgeRecord("IN_NETBLOCK", "IPAddress", address, "Netblock", cidr, {})

    ns_hosts = [f"ns{j % 4 + 1}.dnshost{j // 4}.net" for j in range(2_000)]
    mx_hosts = [f"mx{j % 2 + 1}.mailhost{j // 2}.net" for j in range(1_000)]
    for j, host in enumerate(ns_hosts + mx_hosts):
        yield from address_record(host, 40_000 + j)
    ns_pick = zipf_choice(rng, len(ns_hosts) // 2, domains)
    mx_pick = zipf_choice(rng, len(mx_hosts), domains)
    ip_pick = zipf_choice(rng, 40_000, domains, 0.7)
    registrant_pick = zipf_choice(rng, 5_000, domains)
    admin_pick = zipf_choice(rng, 2_000, domains)
    registrar_pick = zipf_choice(rng, 40, domains)
    for i in range(domains):
        name = name_of(i)
        pair = ns_pick[i] * 2
        for host in ns_hosts[pair : pair + 2]:
            yield EdgeRecord("USES_NAMESERVER", "Domain", name, "Domain", host, {"first_seen": day()})
        yield EdgeRecord("USES_MAIL_SERVER", "Domain", name, "Domain", mx_hosts[mx_pick[i]], {"preference": 10})
        yield EdgeRecord("SPF_INCLUDES", "Domain", name, "Domain", f"_spf.mailhost{mx_pick[i] // 2}.net", {})
        yield from address_record(name, ip_pick[i])
        yield EdgeRecord("REGISTERED_BY", "Domain", name, "Organization", f"Registrant {registrant_pick[i]}", {})
        yield EdgeRecord("ADMINISTERED_BY", "Domain", name, "Organization", f"Agency {admin_pick[i]}", {})
        yield EdgeRecord("REGISTERED_WITH", "Domain", name, "Registrar", f"iana:{1000 + registrar_pick[i]}", {})
        if i % 3 == 0:
            yield NodeRecord("Email", "contact@privacy-proxy.example", {"is_proxy": True})
            email = "contact@privacy-proxy.example"
        else:
            email = f"hostmaster@registrant{registrant_pick[i]}.example"
        yield EdgeRecord("HAS_CONTACT_EMAIL", "Domain", name, "Email", email, {"role": "registrant"})
        if i % 5 == 0:  # PTR records, one in ten pointing elsewhere
            target = name if i % 10 else name_of(i + 1)
            yield EdgeRecord(
                "POINTER_TO", "IPAddress", hosting_address(ip_pick[i]), "Domain", target, {"first_seen": day()}
            )
    # clients: /24 netblocks, half held by ISPs, the rest known only by their ASN; some attributed
    for c in range(0, clients, 256):
        cidr = f"10.{c // 65536}.{c // 256 % 256}.0/24"
        if (c // 256) % 2 == 0:
            yield EdgeRecord(
                "ALLOCATED_TO", "Netblock", cidr, "Organization", f"ISP {c // 512}", {"role": "registrant"}
            )
        yield EdgeRecord("ANNOUNCED_BY", "Netblock", cidr, "ASN", 65000 + (c // 256) % 20, {})
    for asn in range(20):
        yield EdgeRecord("OPERATED_BY", "ASN", 65000 + asn, "Organization", f"Carrier {asn}", {})
    for c in range(clients):
        address = f"10.{c // 65536}.{c // 256 % 256}.{c % 256}"
        yield EdgeRecord("IN_NETBLOCK", "IPAddress", address, "Netblock", f"10.{c // 65536}.{c // 256 % 256}.0/24", {})
        if c % 100 == 0:
            yield EdgeRecord(
                "ATTRIBUTED_TO", "IPAddress", address, "Organization", f"Company {c // 100}", {"role": "resolver"}
            )


def build(backend: Backend, args: argparse.Namespace) -> None:
    started = time.perf_counter()
    backend.ensure_schema()
    nodes, edges = bench_write.synthetic(args.edges, args.clients, args.names, args.days)
    writer = GraphWriter(backend)
    for record in nodes:
        writer.add(record)
    writer.flush()
    for offset in range(0, edges.table.num_rows, 250_000):
        part = edges.table.slice(offset, 250_000)
        writer.add_table(dataclasses.replace(edges, table=part))
    print(f"  {edges.table.num_rows:,} LOOKED_UP edges in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    normalise = Normaliser()
    for record in infrastructure(args.domains, args.clients):
        record.source = SOURCE
        for out in normalise(record):
            writer.add(out)
    writer.flush()
    query_fixture.load(backend)
    print(f"  {args.domains:,} domains with their records, and the case, in {time.perf_counter() - started:.0f} s")


def cases(args: argparse.Namespace) -> list[tuple[str, dict[str, Any]]]:
    """Each query with parameters that make it work hard: the busiest name, client and host."""
    busiest_name, busy_domain, shared_domain = name_of(0), name_of(5), name_of(123)
    every = [
        ("lookup-concentration", {}),
        ("lookup-concentration", {"domain": query_fixture.MAIL1}),
        ("lookup-sources", {"domain": busiest_name}),
        ("co-lookup", {"source": "10.0.0.0"}),
        ("shared-infrastructure", {"domain": shared_domain}),
        ("registrant-vs-operator", {}),
        ("registrant-vs-operator", {"domain": busy_domain}),
        ("path-between", {"from": "Alfa-Bank", "to": "Listrak", "max_hops": 6}),
        ("path-between", {"from": busy_domain, "to": shared_domain}),
        ("lookup-timeline", {"domain": busiest_name, "bucket": "week"}),
        ("cohosted", {"target": shared_domain}),
        ("reverse-mismatch", {}),
        ("rare-names", {}),
        ("neighborhood", {"key": busiest_name, "hops": 2}),
        ("neighborhood", {"key": shared_domain, "hops": 2}),
        ("infrastructure-changes", {"domain": "example0.com"}),
    ]
    return [(name, params) for name, params in every if not args.only or name in args.only]


def timed(
    backend: Backend, name: str, params: dict[str, Any], repeat: int, rows_seen: list[Any]
) -> tuple[int, float, float] | str:
    """(rows, cold seconds, median warm seconds), or the error's first line; the rows go to rows_seen."""
    query = load_dir(ROOT / "cypher")[name]
    started = time.perf_counter()
    try:
        found = run_query(backend, query, params).rows
    except GraphkitError as exc:
        rows_seen.append(None)
        return str(exc).splitlines()[0][:80]
    cold = time.perf_counter() - started
    rows = len(found)
    rows_seen.append(found)
    warm = []
    for _ in range(repeat):
        started = time.perf_counter()
        run_query(backend, query, params)
        warm.append(time.perf_counter() - started)
    return rows, cold, statistics.median(warm) if warm else cold


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--edges", type=int, default=1_000_000)
    ap.add_argument("--clients", type=int, default=10_000)
    ap.add_argument("--names", type=int, default=200_000)
    ap.add_argument("--days", type=int, default=120)
    ap.add_argument("--domains", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--neo4j", default=os.environ.get("GRAPHKIT_BENCH_NEO4J_URI"))
    ap.add_argument("--store", help="embedded store folder to keep (built when absent)")
    ap.add_argument("--reuse-neo4j", action="store_true", help="time the graph an earlier run left in Neo4j")
    ap.add_argument("--only", type=lambda text: set(text.split(",")), help="time only these queries (NAME,...)")
    args = ap.parse_args()
    unknown = (args.only or set()) - set(load_dir(ROOT / "cypher"))
    if unknown:
        ap.error(f"--only: no query named {', '.join(sorted(unknown))}")
    os.environ.setdefault("GRAPHKIT_BUFFER_POOL_MB", BUFFER_POOL_MB)
    print(f"embedded buffer pool: {os.environ['GRAPHKIT_BUFFER_POOL_MB']} MB (GRAPHKIT_BUFFER_POOL_MB)")
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)

    results: dict[str, list[tuple[int, float, float] | str]] = {}
    seen: dict[str, list[Any]] = {"embedded": [], "neo4j": []}
    folder = Path(args.store) if args.store else Path(tempfile.mkdtemp(prefix="graphkit-bench-queries-"))
    path = folder / "bench.lbdb"
    try:
        fresh = not path.exists()
        backend = open_store(StoreOptions(str(path)))
        if fresh:
            print("building the embedded store")
            build(backend, args)
            # queries right after the build ran out of buffer pool (LadybugDB 0.22); a fresh open does not
            backend.close()
            backend = open_store(StoreOptions(str(path)))
        results["embedded"] = [timed(backend, n, p, args.repeat, seen["embedded"]) for n, p in cases(args)]
        backend.close()
    finally:
        if not args.store:
            shutil.rmtree(folder, ignore_errors=True)
    if args.neo4j:
        backend = open_store(StoreOptions(args.neo4j))
        assert isinstance(backend, Neo4jBackend)
        if args.reuse_neo4j:
            print("reusing the graph in Neo4j")
        else:
            print("building the Neo4j graph")
            backend.clear()
            build(backend, args)
        results["neo4j"] = [timed(backend, n, p, args.repeat, seen["neo4j"]) for n, p in cases(args)]
        backend.close()
    else:
        print("neo4j: skipped (pass --neo4j URI or set GRAPHKIT_BENCH_NEO4J_URI)")

    stores = list(results)
    header = f"{'query':<24} {'parameters':<44}" + "".join(
        f" {s + ' rows':>13} {'cold s':>7} {'warm s':>7}" for s in stores
    )
    print()
    print(header)
    print("-" * len(header))
    slow = []
    for i, (name, params) in enumerate(cases(args)):
        shown = ", ".join(f"{k}={v}" for k, v in params.items()) or "(defaults)"
        line = f"{name:<24} {shown[:44]:<44}"
        failed = []
        for store in stores:
            result = results[store][i]
            if isinstance(result, str):
                line += f" {'failed':>13} {'-':>7} {'-':>7}"
                failed.append(f"  {store}: {result}")
                slow.append(f"{name} ({store}, failed)")
                continue
            rows, cold, warm = result
            line += f" {rows:>13,} {cold:>7.2f} {warm:>7.2f}"
            if warm > TARGET_SECONDS:
                slow.append(f"{name} ({store}, {warm:.1f} s)")
        print(line)
        for reason in failed:
            print(reason)
    print(f"\ntarget: warm time <= {TARGET_SECONDS:.0f} s per query; over it: {', '.join(slow) or 'none'}")
    if len(stores) == 2:
        same = [a == b for a, b in zip(seen["embedded"], seen["neo4j"]) if a is not None and b is not None]
        print(f"same rows from both stores: {sum(same)} of {len(same)} cases that ran on both")
        for (name, params), a, b in zip(cases(args), seen["embedded"], seen["neo4j"]):
            if a is not None and b is not None and a != b:
                print(f"  differ: {name} {params}")


if __name__ == "__main__":
    main()
