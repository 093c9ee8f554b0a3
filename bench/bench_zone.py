"""Zone file loading throughput (issue 3 benchmark).

Generates a zone file of N records (A, AAAA, CNAME, MX, NS, SPF TXT, plus a few types the
graph does not map), then prints records/s for:
- parse only: dnspython's zone reader plus the record mapping (what `load zone` does
  before the normaliser and the writer);
- a full `load zone` (the same Loader the command uses) into each store asked for.

    python bench/bench_zone.py [--records 1000000] [--store embedded] [--store bolt://127.0.0.1:7687]
(--store embedded is a fresh temporary store; Neo4j credentials from NEO4J_USERNAME /
NEO4J_PASSWORD; the Neo4j database should be empty or disposable.)
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from graphkit.backends.store import StoreOptions, open_store
from graphkit.ingest.context import ParseContext, RejectsFile
from graphkit.ingest.pipeline import Loader
from graphkit.parsers.zone import ZoneParser

ORIGIN = "bench.test"


def generate(path: Path, n_records: int) -> None:
    """A zone of n_records: each host gets A, AAAA, MX, SPF TXT and a www CNAME; every tenth an NS and a CAA."""
    with open(path, "w", encoding="ascii") as out:
        out.write(f"$ORIGIN {ORIGIN}.\n$TTL 3600\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n")
        written, host = 1, 0
        while written < n_records:
            name = f"h{host}"
            a, b, c = host >> 16 & 255, host >> 8 & 255, host & 255
            lines = [
                f"{name} 300 IN A 10.{a}.{b}.{c}",
                f"{name} AAAA 2001:db8::{host >> 16:x}:{host & 0xFFFF:x}",
                f"{name} MX 10 mx{host % 97}.mail.test.",
                f'{name} TXT "v=spf1 include:_spf.h{host % 50}.{ORIGIN} ip4:192.0.{host % 256}.0/24 -all"',
                f"www.{name} CNAME {name}",
            ]
            if host % 10 == 0:
                lines += [f"{name} NS ns{host % 7}.dns.test.", f'{name} CAA 0 issue "ca.example.net"']
            for line in lines[: n_records - written]:
                out.write(line + "\n")
            written += len(lines)
            host += 1


def parse_only(path: Path) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds, records read, observations made)."""
    rejects: list[object] = []
    ctx = ParseContext(path, "zone:bench", rejects.append)
    started, cpu = time.perf_counter(), time.process_time()
    parser = ZoneParser()
    observations = sum(1 for _ in parser(ctx))
    if rejects or not parser.fast:  # the generated zone is meant to be clean and plain
        raise SystemExit(f"{len(rejects)} records rejected, e.g. {rejects[:1]}; fast reader used: {parser.fast}")
    return time.perf_counter() - started, time.process_time() - cpu, sum(ctx.counts.values()), observations


def load(path: Path, store: str, batch_size: int) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds of this process, nodes, relationships written) for one `load zone`."""
    folder = None
    if store == "embedded":
        folder = Path(tempfile.mkdtemp(prefix="bench-zone-"))
        store = str(folder / "graph.lbdb")
    backend = open_store(StoreOptions(store))
    try:
        backend.ensure_schema()
        rejects = RejectsFile(Path(tempfile.gettempdir()), "bench-zone")
        started, cpu = time.perf_counter(), time.process_time()
        report = Loader(backend, ZoneParser(), rejects=rejects, batch_size=batch_size).load(path)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        rejects.close()
    finally:
        backend.close()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    if report.rejected_whole:
        raise SystemExit(f"zone rejected: {report.rejected_whole}")
    return seconds, cpu, report.nodes, report.edges


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--store", action="append", help="'embedded' (default) or a Neo4j URI; repeatable")
    parser.add_argument("--batch-size", type=int, default=50_000)
    parser.add_argument("--zone", type=Path, help="keep the generated zone here (default: a temporary file)")
    args = parser.parse_args()
    stores = args.store or ["embedded"]
    folder = Path(tempfile.mkdtemp(prefix="bench-zone-file-"))
    path = args.zone or folder / f"{ORIGIN}.zone"
    try:
        started = time.perf_counter()
        generate(path, args.records)
        size = path.stat().st_size / 1e6
        print(f"generated {args.records:,} records ({size:.0f} MB) in {time.perf_counter() - started:.1f} s")
        seconds, cpu, records, observations = parse_only(path)
        print(
            f"parse only          {records:,} records {seconds:7.1f} s {records / seconds:>9,.0f} records/s"
            f"  (CPU {cpu:.1f} s: {records / cpu:,.0f}/s; {observations:,} observations)"
        )
        for store in stores:
            seconds, cpu, nodes, edges = load(path, store, args.batch_size)
            where = store if "://" not in store else store.split("@")[-1]
            print(
                f"load {where:<14} {records:,} records {seconds:7.1f} s {records / seconds:>9,.0f} records/s"
                f"  (CPU here {cpu:.1f} s; {nodes:,} nodes, {edges:,} relationships written)"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
