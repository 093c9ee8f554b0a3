"""`graphkit collect tls` against real TLS servers (OpenSSL's s_server on 127.0.0.1, started
here) with certificates made here: self-signed, a CA chain, SAN names and addresses, expired."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from graph_dump import dump
from helpers import Store, json_output
from tls_servers import NOW, Issued, free_port, issue, s_server

SNI = "shop.example-tls.test"


@dataclass
class Servers:
    self_signed: Issued
    leaf: Issued
    intermediate: Issued
    expired: Issued
    ports: dict[str, int]


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    folder = tmp_path_factory.mktemp("tls")
    root = issue("Fixture Root", ca=True)
    intermediate = issue("Fixture Intermediate", root, ca=True)
    leaf = issue(SNI, intermediate, dns=(SNI, "*.example-tls.test"))
    self_signed = issue("self.example-tls.test", dns=("self.example-tls.test",), ips=("127.0.0.1",))
    expired = issue(
        "old.example-tls.test",
        dns=("old.example-tls.test",),
        valid=(NOW - dt.timedelta(days=400), NOW - dt.timedelta(days=35)),
    )
    with ExitStack() as stack:
        ports = {
            "self": stack.enter_context(s_server(folder, self_signed)),
            "chain": stack.enter_context(s_server(folder, leaf, (intermediate,))),
            "expired": stack.enter_context(s_server(folder, expired)),
            "closed": free_port(),
        }
        yield Servers(self_signed, leaf, intermediate, expired, ports)


def _targets(servers: Servers) -> list[str]:
    return [f"127.0.0.1:{servers.ports[k]}" for k in ("self", "chain", "expired", "closed")]


def test_collect_tls_records_the_presented_chains(store: Store, servers: Servers) -> None:
    proc = store.cli(
        "collect", "tls", *_targets(servers), "--sni", SNI, "--timeout", "5", "--format", "json", check=False
    )
    assert proc.returncode == 3, proc.stderr  # the closed port did not complete
    report = {row["port"]: row for row in json_output(proc)}
    ports = servers.ports
    assert report[ports["self"]]["outcome"] == "ok"
    assert report[ports["self"]]["certificate"] == servers.self_signed.sha256
    assert report[ports["chain"]]["chain"] == 2
    assert report[ports["expired"]]["outcome"] == "expired"
    assert report[ports["closed"]]["outcome"] == "refused"
    assert f"127.0.0.1:{ports['closed']} (127.0.0.1): refused" in proc.stderr
    served = store.query(
        "MATCH (a:IPAddress)-[r:SERVED_CERT]->(c:Certificate) RETURN a.address, r.port, c.fingerprint, r.count ORDER BY r.port"
    )
    expected = sorted(
        [
            ["127.0.0.1", ports[k], cert.sha256, 1]
            for k, cert in (("self", servers.self_signed), ("chain", servers.leaf), ("expired", servers.expired))
        ],
        key=lambda row: row[1],
    )
    assert served == expected
    # the chain the server sent, the intermediate's signature verified; the root was not sent
    assert store.query(
        "MATCH (c:Certificate)-[:ISSUED_BY]->(p:Certificate) RETURN c.fingerprint, p.fingerprint, p.ca"
    ) == [[servers.leaf.sha256, servers.intermediate.sha256, True]]
    assert store.query("MATCH (c:Certificate) RETURN count(c)") == [[4]]
    assert store.query(
        "MATCH (c:Certificate {fingerprint: $k})-[:NAMES]->(d:Domain) RETURN d.name ORDER BY d.name",
        k=servers.leaf.sha256,
    ) == [["*.example-tls.test"], [SNI]]
    assert store.query(
        "MATCH (c:Certificate {fingerprint: $k})-[:NAMES_ADDRESS]->(a:IPAddress) RETURN a.address",
        k=servers.self_signed.sha256,
    ) == [["127.0.0.1"]]
    assert store.query(
        "MATCH (c:Certificate {fingerprint: $k}) RETURN c.self_signed, c.not_after < $now",
        k=servers.expired.sha256,
        now=NOW.strftime("%Y-%m-%dT%H:%M:%SZ"),
    ) == [[True, True]]


def _structure(store: Store) -> dict[str, list[object]]:
    """The graph without what differs between two runs: times and the run's own Source."""
    out: dict[str, list[object]] = {}
    backend = store.open()
    try:
        dumped = dump(backend)
    finally:
        backend.close()
    for kind, rows in dumped.items():
        if kind == "Source":
            continue
        kept = []
        for row in rows:
            props = {k: v for k, v in row[-1].items() if k not in ("first_seen", "last_seen", "sources", "source")}
            kept.append([*row[:-1], props])
        out[kind] = sorted(kept, key=repr)
    return out


def test_emit_then_load_records_gives_the_same_graph(store: Store, servers: Servers, tmp_path: Path) -> None:
    targets = _targets(servers)[:3]
    store.cli("collect", "tls", *targets, "--sni", SNI)
    direct = _structure(store)
    emitted = tmp_path / "tls.jsonl"
    # a second run, written to a file and loaded into an embedded store (the one Neo4j is taken)
    other = Store("embedded", str(tmp_path / "other.lbdb"))
    other.cli("collect", "tls", *targets, "--sni", SNI, "--emit", str(emitted))
    assert not (tmp_path / "other.lbdb").exists()  # --emit writes no store
    other.cli("load", "records", str(emitted))
    assert _structure(other) == direct
