"""Freeze what each loader produces today: per case, the graph's digests and counts per label
and relationship type (tests/graph_dump.py), the exit status of each `graphkit load` and the
lines it rejected. tests/test_frozen_graphs.py loads every case again and compares, so a new
load path must reproduce today's graphs exactly.

    .venv/bin/python tests/freeze_graphs.py     # rewrites tests/frozen_graphs.json

Each case is loaded into a fresh embedded store through the real command line. The JSON holds
no dump: the real-data cases would copy third-party data into the project.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from graph_dump import BATCH_VARYING, VARYING, counts, digests, dump
from helpers import REJECTS_NAMED, realdata, rejects_file, run_cli

from graphkit.backends.store import StoreOptions, open_store
from graphkit.demo import CASE_DIR
from graphkit.demo.run import load_steps

FROZEN = Path(__file__).with_name("frozen_graphs.json")


@dataclass(frozen=True)
class Step:
    """One `graphkit load KIND [OPTIONS] FILES...`; files are relative to the case's folder."""

    kind: str
    files: tuple[str, ...]
    options: tuple[str, ...] = ()

    def argv(self, folder: Path) -> list[str]:
        return ["load", self.kind, *self.options, *(str(folder / f) for f in self.files)]

    def __str__(self) -> str:
        return " ".join(["load", self.kind, *self.options, *self.files])


@dataclass(frozen=True)
class Case:
    name: str
    folder: str  # "realdata" (the shared third-party files) or "demo" (graphkit/demo/case2016)
    steps: tuple[Step, ...]
    slow: bool = False  # over ~10 s on one store: left out by `-m 'not slow'`
    # More rows than one load batch: Source.records counts the rows each batch wrote, which
    # depends on where a load path cuts its batches, not on the graph; left out of the dump.
    batched: bool = False

    def root(self) -> Path:
        return realdata() if self.folder == "realdata" else CASE_DIR


def _demo_steps() -> tuple[Step, ...]:
    # The demo's own loading order and files (graphkit.demo.run), through the command line.
    return tuple(Step(kind, tuple(p.name for p in files)) for kind, _, files in load_steps())


ZEEK = ("zeek/rita-all-fields-dns.json.log", "zeek/rita-open-conns-dns.log", "zeek/rita-proxy-dns.log")
RDAP = tuple(
    f"rdap/whoisit-{n}.json"
    for n in (
        "asn",
        "cidr_v4",
        "cidr_v6",
        "domain1",
        "domain2",
        "domain3",
        "entity",
        "iana-bootstrap",  # not an answer: skipped, counted in the Source's summary
        "ip_v4",
        "ip_v4_2",
        "ip_v4_3",
        "ip_v6",
    )
)
WHOIS = tuple(
    f"whois/whois.{n}-registered.txt"
    for n in (
        "enom.com",
        "gandi.net",
        "godaddy.com",
        "markmonitor.com-com",
        "networksolutions.com",
        "tucows.com",
        "verisign-grs.com-com",
        "verisign-grs.com-net",
    )
)
PREFIXES, ASNAMES = "asn/pyasn-ipasn_20140513.dat.gz", "asn/pyasn-asnames.json"

# Every real file a `graphkit load` kind reads (the realdata README says what each is); the
# rest (dnstap, Suricata, Route 53, Sysmon, dnsmasq, TLS logs) have no loader today.
CASES = (
    Case("realdata-zeek", "realdata", (Step("zeek", ZEEK),)),
    Case("realdata-zone", "realdata", (Step("zone", ("zone/dnspython-example.zone",)),)),
    Case("realdata-rdap", "realdata", (Step("rdap", RDAP),)),
    Case("realdata-whois", "realdata", (Step("whois", WHOIS),)),
    # The routing loaders keep only what matches the graph: after a log, as a person would.
    Case(
        "realdata-zeek-prefixes-asnames",
        "realdata",
        (Step("zeek", ("zeek/rita-proxy-dns.log",)), Step("prefixes", (PREFIXES,)), Step("asnames", (ASNAMES,))),
    ),
    # --all: every entry of the table, with nothing in the graph to match.
    Case("realdata-asnames-all", "realdata", (Step("asnames", (ASNAMES,), ("--all",)),), slow=True, batched=True),
    Case("realdata-prefixes-all", "realdata", (Step("prefixes", (PREFIXES,), ("--all",)),), slow=True, batched=True),
    Case("demo-case2016", "demo", _demo_steps()),
)


def _rejects(stderr: str, folder: Path, cwd: Path) -> list[list[Any]]:
    """[file, line, reason] of each line the load rejected, the file relative to the case's folder."""
    if REJECTS_NAMED not in stderr:
        return []
    out = []
    for line in (cwd / rejects_file(stderr)).read_text("utf-8").splitlines():  # Neo4j's is relative
        where_reason = line.split("\t")[0]  # 'PATH[:LINE]: REASON', then a tab and the line's text
        path = str(folder) + "/"
        assert where_reason.startswith(path), where_reason
        where, reason = where_reason[len(path) :].split(": ", 1)
        name, _, number = where.rpartition(":")
        out.append([name, int(number), reason] if number.isdigit() else [where, None, reason])
    return out


def run_case(case: Case, location: str, cwd: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Load the case into the (empty) store at `location`, then dump it: what is frozen."""
    folder = case.root()
    exits, rejected = [], []
    for step in case.steps:
        # cwd: Neo4j loads write their rejects file in the working folder
        proc = run_cli(*step.argv(folder), env={**(env or {}), "GRAPHKIT_STORE": location}, check=False, cwd=cwd)
        exits.append(proc.returncode)
        rejected += _rejects(proc.stderr, folder, cwd)
    backend = open_store(StoreOptions(location), read_only=True)
    try:
        dumped = dump(backend, BATCH_VARYING if case.batched else VARYING, derived=False)
    finally:
        backend.close()
    return {
        "steps": [str(step) for step in case.steps],
        "exit_codes": exits,
        "rejected": len(rejected),
        "rejects": sorted(rejected, key=lambda r: (r[0], r[1] or 0, r[2])),
        "counts": counts(dumped),
        "digests": digests(dumped),
    }


def main(names: list[str]) -> None:
    """Freeze every case, or those named (the others are kept as they were frozen)."""
    frozen: dict[str, Any] = json.loads(FROZEN.read_text("utf-8")) if names else {}
    for case in CASES:
        if names and case.name not in names:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            start = time.monotonic()
            frozen[case.name] = run_case(case, str(Path(tmp) / "graph.lbdb"), Path(tmp))
            took = time.monotonic() - start
        entry = frozen[case.name]
        print(f"{case.name}: {sum(entry['counts'].values())} rows, {entry['rejected']} rejected, {took:.1f} s")
    FROZEN.write_text(json.dumps(frozen, indent=1, sort_keys=True, ensure_ascii=False) + "\n", "utf-8")
    print(f"wrote {FROZEN}")


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except pytest.skip.Exception as exc:  # realdata(): the shared folder is absent
        sys.exit(f"freeze_graphs: {exc}")
