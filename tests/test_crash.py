"""Crash consistency: every loader kind, killed with SIGKILL at five points while writing,
then run again, gives the same graph as one clean load (issue 9).

The kill comes from the process itself (tests/kill_after_writes.py: SIGKILL after the
Nth store write), so the points are exact and repeatable; one more kill per kind lands at a
random moment from outside, in the middle of whatever the store is doing.
"""

from __future__ import annotations

import gzip
import json
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from helpers import Store, realdata, run_cli_killed, run_cli_process, start_cli_process
from kill_after_writes import NOT_KILLED

from graphkit.backends.store import clear_neo4j

pytestmark = pytest.mark.slow

KILL_POINTS = (1, 2, 3, 5, 8)
BATCH = ("--batch-size", "7")


def _zone(tmp: Path) -> list[str]:
    lines = [
        "$ORIGIN crash.example.",
        "$TTL 300",
        "@ IN SOA ns1 hostmaster 1 2 3 4 5",
        "@ IN NS ns1",
        "@ IN MX 10 mail",
    ]
    lines += [f"host{i} IN A 10.1.{i // 250}.{i % 250 + 1}" for i in range(120)]
    lines += [f"alias{i} IN CNAME host{i}" for i in range(40)]
    (tmp / "crash.example.zone").write_text("\n".join(lines) + "\n")
    return ["zone", str(tmp / "crash.example.zone")]


def _pdns(tmp: Path) -> list[str]:
    rows = [
        {
            "rrname": f"n{i}.pdns.example",
            "rrtype": "A",
            "rdata": f"192.0.2.{i % 250 + 1}",
            "time_first": 1462320000 + i * 3600,
            "time_last": 1474588800 - i * 60,
            "count": i + 1,
        }
        for i in range(150)
    ]
    (tmp / "pdns.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return ["pdns", str(tmp / "pdns.jsonl")]


def _zeek(tmp: Path) -> list[str]:
    return ["zeek", str(realdata() / "zeek" / "rita-proxy-dns.log")]


def _bind(tmp: Path) -> list[str]:
    rng = random.Random(3)
    lines = []
    for i in range(400):
        day, sec = 4 + i % 20, rng.randrange(86400)
        client = f"198.51.100.{rng.randrange(1, 60)}"
        name = f"mail{rng.randrange(30)}.bind.example"
        lines.append(
            f"{day:02d}-May-2016 {sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}.000 queries: info: "
            f"client @0x7f00000{i:04x} {client}#{40000 + i} ({name}): query: {name} IN A -E(0)K (203.0.113.53)"
        )
    (tmp / "query.log").write_text("\n".join(lines) + "\n")
    return ["bind", str(tmp / "query.log")]


def _rdap(tmp: Path) -> list[str]:
    return ["rdap", *sorted(str(p) for p in (realdata() / "rdap").glob("whoisit-*.json"))]


def _whois(tmp: Path) -> list[str]:
    return ["whois", *sorted(str(p) for p in (realdata() / "whois").glob("*.txt"))]


def _prefixes(tmp: Path) -> list[str]:
    with gzip.open(realdata() / "asn" / "pyasn-ipasn_20140513.dat.gz", "rt") as f:
        lines = [line for line in f if not line.startswith(";")][:300]
    (tmp / "prefixes.dat").write_text("".join(lines))
    return ["prefixes", "--all", str(tmp / "prefixes.dat")]


KINDS = {
    "zone": _zone,
    "pdns": _pdns,
    "zeek": _zeek,
    "bind": _bind,
    "rdap": _rdap,
    "whois": _whois,
    "prefixes": _prefixes,
}


def _load(store: Store, args: list[str], kill_after: int = 0) -> subprocess.CompletedProcess[str]:
    env = {**store.env, "GRAPHKIT_STORE": store.location}
    if kill_after:
        return run_cli_killed(str(kill_after), "load", args[0], *BATCH, *args[1:], env=env)
    return run_cli_process("load", args[0], *BATCH, *args[1:], env=env, check=False)


def _graph(store: Store) -> dict[str, object]:
    stats = store.stats()
    return {"nodes": stats["nodes"], "relationships": stats["relationships"], "lookups": stats["lookups"]}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_killed_loads_converge_to_one_clean_load(kind: str, store: Store, tmp_path: Path) -> None:
    args = KINDS[kind](tmp_path)
    killed = 0
    for point in KILL_POINTS:
        proc = _load(store, args, kill_after=point)
        if proc.returncode == -signal.SIGKILL:
            killed += 1
            continue
        # A load writes each table new to the store whole, so a store that kept nothing of a
        # killed load (the embedded store keeps nothing written since its last checkpoint)
        # may take fewer writes than the point: then the load must end well, having made fewer.
        assert proc.returncode == 0 and NOT_KILLED in proc.stderr, proc.stderr
        made = int(proc.stderr.rsplit(NOT_KILLED, 1)[1].split()[0])
        assert made < point, f"not killed at write {point} though the load made {made}"
    assert killed >= 3
    # one more kill from outside, at a random moment
    env_proc = start_cli_process(
        "load",
        args[0],
        *BATCH,
        *args[1:],
        env={"GRAPHKIT_STORE": store.location},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(random.Random(kind).uniform(1.0, 2.5))
    env_proc.send_signal(signal.SIGKILL)
    env_proc.wait()
    assert _load(store, args).returncode == 0
    crashed = _graph(store)

    if store.kind == "neo4j":
        clear_neo4j(store.location)
        clean_store = store
    else:
        clean_store = Store("embedded", store.location + "-clean")
    assert _load(clean_store, args).returncode == 0
    assert _graph(clean_store) == crashed
