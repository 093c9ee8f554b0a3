"""`graphkit load dnstap`: dnstap files -> lookups and answers, on both stores: a real BIND on
127.0.0.1 writing dnstap while the test queries it from several loopback addresses, the
dnsdist sample in realdata, and damaged files."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dnstap_server import DnstapServer
from helpers import Store, json_lines, realdata, rejects
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parse_outputs import parse_outputs

from graphkit.parsers.dnstap import DnstapParser

ZONE = """$ORIGIN dnstap.test.
$TTL 300
@ IN SOA ns1 hostmaster 1 3600 600 86400 300
@ IN NS ns1
ns1 IN A 127.0.0.1
www IN CNAME web
web IN A 192.0.2.10
web IN A 192.0.2.11
mail IN A 192.0.2.25
"""
# (source address, name, type): what the test asks, some of it more than once
ASKED = [
    ("127.0.0.2", "www.dnstap.test", "A"),
    ("127.0.0.2", "www.dnstap.test", "A"),
    ("127.0.0.3", "www.dnstap.test", "A"),
    ("127.0.0.3", "mail.dnstap.test", "A"),
    ("127.0.0.4", "mail.dnstap.test", "AAAA"),
    ("127.0.0.4", "nope.dnstap.test", "A"),
    ("127.0.0.5", "web.dnstap.test", "A"),
]
LDNS_QUERY = re.compile(r' (AQ|CQ) (\S+) UDP \d+b "([^"]+)\." IN (\S+)$')
LDNS_UPSTREAM = re.compile(r' (?:RQ|FQ) (\S+) UDP \d+b "([^"]*?)\.?" IN (\S+)$')  # resolver, forwarder queries


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A dnstap file BIND wrote while answering ASKED (and the server's start-up probes)."""
    server = DnstapServer(tmp_path_factory.mktemp("bind"), {"dnstap.test": ZONE}).start()
    try:
        for source, name, rdtype in ASKED:
            server.ask(name, rdtype, source)
    finally:
        server.stop()
    yield server.output


def load(store: Store, *args: str, check: bool = True) -> tuple[dict[str, Any], str]:
    proc = store.cli("load", "dnstap", "--format", "json", *args, check=check)
    return json_lines(proc)[0], proc.stderr


def lookups(store: Store) -> Counter[tuple[str, str, str]]:
    rows = store.query("MATCH (c:IPAddress)-[r:LOOKED_UP]->(d:Domain) RETURN c.address, d.name, r.qtype, r.count")
    return Counter({(c, d, t): n for c, d, t, n in rows})


def test_bind_writing_dnstap_the_lookups_are_the_queries_sent(store: Store, written: Path) -> None:
    report, _ = load(store, str(written))
    assert report["rejected"] == 0
    got = lookups(store)
    asked = Counter(ASKED)
    assert {k: v for k, v in got.items() if k[0] != "127.0.0.1"} == asked  # 127.0.0.1: the start-up probes
    # BIND's answers, each record with its owner
    assert store.query("MATCH (a:Domain)-[r:ALIAS_OF]->(b:Domain) RETURN a.name, b.name, r.ttl, r.count") == [
        ["www.dnstap.test", "web.dnstap.test", 300, 3]
    ]
    resolves = store.query("MATCH (d:Domain)-[r:RESOLVES_TO]->(i:IPAddress) RETURN d.name, i.address, r.count")
    assert sorted(resolves) == [
        ["mail.dnstap.test", "192.0.2.25", 1],
        ["web.dnstap.test", "192.0.2.10", 4],
        ["web.dnstap.test", "192.0.2.11", 4],
    ]
    assert store.query("MATCH (s:Source) RETURN s.kind, s.observer") == [["dnstap", DnstapServer.identity]]


def test_the_counts_agree_with_dnstap_ldns(store: Store, written: Path) -> None:
    """An independent decoder (Debian's dnstap-ldns, from the dnstap project) reads the same file."""
    ldns = shutil.which("dnstap-ldns")
    if ldns is None:
        pytest.skip("dnstap-ldns is not installed (apt-get install dnstap-ldns); CI installs it")
    text = subprocess.run([ldns, "-q", "-r", str(written)], capture_output=True, text=True, check=True).stdout
    seen = Counter(
        (m[2], m[3].lower(), m[4]) for line in text.splitlines() if (m := LDNS_QUERY.search(line)) and m[1] == "AQ"
    )
    load(store, str(written))
    assert lookups(store) == seen


def test_the_dnsdist_sample(store: Store) -> None:
    report, _ = load(store, str(realdata() / "dnstap" / "go-dnscollector-dnstap.fstrm"))
    assert report["counts"]["CLIENT_QUERY messages"] == 1 and report["counts"]["CLIENT_RESPONSE messages"] == 1
    assert lookups(store) == Counter({("172.19.0.1", "www.google.com", "A"): 1})
    assert store.query("MATCH (d:Domain)-[:RESOLVES_TO]->(i:IPAddress) RETURN d.name, i.address") == [
        ["www.google.com", "216.58.213.68"]
    ]
    assert store.query("MATCH (s:Source) RETURN s.observer") == [["dnsdist"]]


def frames(path: Path) -> list[bytes]:
    """The file's frames, each with its length prefix(es), in order."""
    data, out, at = path.read_bytes(), [], 0
    while at < len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        head = 8 if length == 0 else 4
        length = int.from_bytes(data[at + 4 : at + 8], "big") if length == 0 else length
        out.append(data[at : at + head + length])
        at += head + length
    return out


def test_a_damaged_frame_is_one_reject_and_a_cut_file_stops_at_its_frame(
    store: Store, written: Path, tmp_path: Path
) -> None:
    parts = frames(written)
    third = parts[3]
    garbage = third[:4] + b"\xff" * (len(third) - 4)  # same length, undecodable protobuf
    damaged = tmp_path / "damaged.fstrm"
    damaged.write_bytes(b"".join([*parts[:3], garbage, *parts[4:]]))
    report, stderr = load(store, str(damaged))
    assert [r.split(": ", 1)[0] for r in rejects(stderr)] == [f"{damaged}:4"]
    assert report["counts"]["frames read"] == sum(1 for p in parts if p[:4] != b"\x00\x00\x00\x00")
    cut = tmp_path / "cut.fstrm"
    cut.write_bytes(b"".join(parts[:6]) + parts[6][:10])
    report, stderr = load(store, str(cut), check=False)
    assert report["rejected_whole"] == f"{cut}:7: the file breaks off inside a frame (6 of {len(parts[6]) - 4:,} bytes)"


def test_a_file_that_is_no_dnstap_is_refused_whole(store: Store, tmp_path: Path) -> None:
    other = tmp_path / "other.fstrm"
    other.write_bytes(b"\x00\x00\x00\x00\x00\x00\x00\x1a\x00\x00\x00\x02\x00\x00\x00\x01\x00\x00\x00\x0eprotobuf:other")
    report, _ = load(store, str(other), check=False)
    assert (
        report["rejected_whole"]
        == f"{other}:1: not a dnstap file (its first frame names no protobuf:dnstap.Dnstap content)"
    )
    text = tmp_path / "text.fstrm"
    text.write_text("hello, this is text\n")
    report, _ = load(store, str(text), check=False)
    assert "not a dnstap file" in report["rejected_whole"] or "frame of" in report["rejected_whole"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8))
def test_damaged_bytes_never_crash_and_every_reject_says_where(written: Path, tmp_path: Path, flips: list[Any]) -> None:
    data = bytearray(written.read_bytes())
    for at, value in flips:
        data[at % len(data)] = value
    damaged = tmp_path / "flipped.fstrm"
    damaged.write_bytes(bytes(data))
    _, found, _, whole = parse_outputs(DnstapParser(), damaged)
    assert all(r.line and r.reason for r in found)  # and no exception escaped parse_outputs


@pytest.fixture(scope="module")
def forwarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A dnstap file a forwarding BIND wrote: ASKED from its clients, each forwarded (once, then
    from its cache) to an authoritative BIND."""
    folder = tmp_path_factory.mktemp("forwarding")
    authoritative = DnstapServer(folder / "authoritative", {"dnstap.test": ZONE}).start()
    try:
        resolver = DnstapServer(folder / "resolver", {}, forward_to=authoritative.port).start()
        try:
            for source, name, rdtype in ASKED:
                resolver.ask(name, rdtype, source)
        finally:
            resolver.stop()
    finally:
        authoritative.stop()
    yield resolver.output


def test_a_resolvers_own_queries_are_its_lookups_only_when_asked_for(
    store: Store, forwarded: Path, tmp_path: Path
) -> None:
    """By default a resolver's clients are the lookups and its queries upstream are counted; with
    --client-side resolver, the queries it sent upstream are the lookups, by its own address,
    each as often as an independent decoder (dnstap-ldns) saw it sent."""
    from test_zeek import fresh

    report, _ = load(store, str(forwarded))
    counts = report["counts"]
    upstream_messages = counts.get("RESOLVER_QUERY messages", 0) + counts.get("FORWARDER_QUERY messages", 0)
    assert upstream_messages >= 4
    assert {k: v for k, v in lookups(store).items() if k[1].endswith("dnstap.test")} == Counter(ASKED)
    upstream = fresh(store, tmp_path, "upstream")
    report, _ = load(upstream, "--client-side", "resolver", str(forwarded))
    # BIND sends from 0.0.0.0 (a wildcard socket): the resolver is the client, by its identity
    assert lookups(upstream) == Counter()
    rows = upstream.query("MATCH (h:Host)-[r:LOOKED_UP]->(d:Domain) RETURN h.name, d.name, r.qtype, r.count")
    sent = Counter({(h, d, t): n for h, d, t, n in rows})
    root_probes = report["skipped"].get("no query name", 0)  # the start-up probes asked for the root
    assert sum(sent.values()) == upstream_messages - root_probes and {k[0] for k in sent} == {DnstapServer.identity}
    # each name and type once (the rest came from its cache); www's alias target chased by BIND itself
    asked_once = {(name, rdtype) for _, name, rdtype in ASKED} | {("web.dnstap.test", "A")}
    assert {(name, rdtype) for _, name, rdtype in sent if name.endswith("dnstap.test")} == asked_once
    assert upstream.query("MATCH (s:Source) RETURN s.client_side") == [["resolver"]]
    ldns = shutil.which("dnstap-ldns")
    if ldns is None:
        pytest.skip("dnstap-ldns is not installed (apt-get install dnstap-ldns); CI installs it")
    text = subprocess.run([ldns, "-q", "-r", str(forwarded)], capture_output=True, text=True, check=True).stdout
    found = (m for line in text.splitlines() if (m := LDNS_UPSTREAM.search(line)))
    seen = Counter((DnstapServer.identity, m[2].lower(), m[3]) for m in found if m[2])  # m[1]: the server asked
    assert sent == seen
