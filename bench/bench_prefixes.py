"""Longest-prefix matching: the 2014 RouteViews table (512,621 prefixes) against 100,000 addresses.

Prints the table load time, the matching rate (addresses/s) and the total (target: under
10 s in all), then the same work done by the `load prefixes` parser itself (line numbering,
rejects, the records it yields; no store). Usage:
.venv/bin/python bench/bench_prefixes.py [TABLE.dat.gz] [N]
"""

from __future__ import annotations

import gzip
import os
import random
import socket
import sys
import time
from pathlib import Path

from graphkit.ingest.context import ParseContext
from graphkit.parsers.prefixes import PrefixesParser, _prefix_fields, parse_origins
from graphkit.parsers.prefixmatch import PrefixTable

ROOT = Path(__file__).resolve().parents[1]
REALDATA = Path(os.environ.get("GRAPHKIT_REALDATA") or ROOT.parent / "shared" / "realdata")
DEFAULT_TABLE = REALDATA / "asn" / "pyasn-ipasn_20140513.dat.gz"


def load(path: Path) -> PrefixTable[tuple[int, ...]]:
    """The same line handling as the prefixes parser, without the load pipeline around it."""
    table: PrefixTable[tuple[int, ...]] = PrefixTable()
    with gzip.open(path, "rb") as stream:
        for line in stream:
            if line.startswith(b";") or not line.strip():
                continue
            network, length, origin = _prefix_fields(line)
            table.add(network, length, parse_origins(origin))
    return table


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_TABLE
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    if not path.exists():
        sys.exit(f"no prefix table at {path} (set GRAPHKIT_REALDATA)")
    rng = random.Random(2016)
    addresses = [socket.inet_ntoa(rng.getrandbits(32).to_bytes(4, "big")) for _ in range(count)]

    started = time.perf_counter()
    table = load(path)
    loaded = time.perf_counter()
    matched = sum(1 for a in addresses if table.lookup(a) is not None)
    done = time.perf_counter()

    match_s = done - loaded
    print(f"table: {len(table):,} prefixes loaded in {loaded - started:.2f} s")
    print(f"match: {count:,} addresses in {match_s:.2f} s = {count / match_s:,.0f} addresses/s ({matched:,} matched)")
    print(f"total: {done - started:.2f} s (target < 10 s)")

    started = time.perf_counter()
    rejects: list[object] = []
    ctx = ParseContext(path, "prefixes:bench", rejects.append)
    records = sum(1 for _ in PrefixesParser(addresses)(ctx))
    elapsed = time.perf_counter() - started
    print(f"parser: {records:,} records for {count:,} addresses in {elapsed:.2f} s ({len(rejects)} rejects)")


if __name__ == "__main__":
    main()
