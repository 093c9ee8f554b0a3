"""`graphkit collect dns` against a real authoritative server (NSD) on 127.0.0.1."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from dns_server import AuthoritativeServer
from helpers import Store, json_output, run_cli

from graphkit.backends.store import clear_neo4j
from graphkit.model.schema import SCHEMA

SOA = "@ IN SOA ns1.example.test. hostmaster.example.test. 1 3600 600 86400 300\n@ NS ns1.example.test.\n"
ZONES = {
    "example.test": """$ORIGIN example.test.
$TTL 300
@ IN SOA ns1 hostmaster 2024010101 3600 600 86400 300
@ NS ns1
@ NS ns2
ns1 A 192.0.2.53
ns2 A 192.0.2.54
@ A 192.0.2.10
@ MX 10 mail
@ MX 20 mail2.mailhost.test.
@ TXT "v=spf1 include:_spf.mailhost.test ip4:192.0.2.0/24 ip6:2001:db8::/32 " "redirect=_spf.example.test"
mail A 192.0.2.25
www CNAME web
web CNAME host1
host1 A 192.0.2.10
host1 AAAA 2001:db8::10
sub NS ns1.sub
ns1.sub A 192.0.2.60
far NS ns.elsewhere.test.
""",
    "sub.example.test": "$ORIGIN sub.example.test.\n$TTL 300\n"
    + SOA.replace("ns1.example.test.", "ns1.sub.example.test.")
    + "ns1 A 192.0.2.60\n@ A 192.0.2.61\n",
    "mailhost.test": "$ORIGIN mailhost.test.\n$TTL 300\n"
    + SOA
    + "mail2 A 198.51.100.25\n"
    + '_spf TXT "v=spf1 ip4:198.51.100.0/24 -all"\n',
    "2.0.192.in-addr.arpa": "$ORIGIN 2.0.192.in-addr.arpa.\n$TTL 300\n"
    + SOA
    + "10 PTR host1.example.test.\n25 PTR mail.example.test.\n",
    "8.b.d.0.1.0.0.2.ip6.arpa": "$ORIGIN 8.b.d.0.1.0.0.2.ip6.arpa.\n$TTL 300\n"
    + SOA
    + "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 PTR host1.example.test.\n",
}
TARGETS = ["example.test", "www.example.test", "missing.example.test", "sub.example.test", "far.example.test"]

# What the zones above say, written out by hand; with --follow 1 the NS/MX/CNAME targets are asked too.
EXPECTED = {
    ("RESOLVES_TO", "example.test", "192.0.2.10"),
    ("RESOLVES_TO", "host1.example.test", "192.0.2.10"),
    ("RESOLVES_TO", "host1.example.test", "2001:db8::10"),
    ("RESOLVES_TO", "sub.example.test", "192.0.2.61"),
    ("RESOLVES_TO", "ns1.sub.example.test", "192.0.2.60"),
    ("RESOLVES_TO", "ns1.example.test", "192.0.2.53"),
    ("RESOLVES_TO", "ns2.example.test", "192.0.2.54"),
    ("RESOLVES_TO", "mail.example.test", "192.0.2.25"),
    ("RESOLVES_TO", "mail2.mailhost.test", "198.51.100.25"),
    ("ALIAS_OF", "www.example.test", "web.example.test"),
    ("ALIAS_OF", "web.example.test", "host1.example.test"),
    ("USES_NAMESERVER", "example.test", "ns1.example.test"),
    ("USES_NAMESERVER", "example.test", "ns2.example.test"),
    ("USES_NAMESERVER", "sub.example.test", "ns1.sub.example.test"),  # the child zone's own answer
    ("USES_NAMESERVER", "far.example.test", "ns.elsewhere.test"),  # a referral: the delegation itself
    ("USES_MAIL_SERVER", "example.test", "mail.example.test"),
    ("USES_MAIL_SERVER", "example.test", "mail2.mailhost.test"),
    ("SPF_INCLUDES", "example.test", "_spf.mailhost.test"),
    ("SPF_INCLUDES", "example.test", "_spf.example.test"),
    ("SPF_ALLOWS", "example.test", "192.0.2.0/24"),
    ("SPF_ALLOWS", "example.test", "2001:db8::/32"),
    ("POINTER_TO", "192.0.2.10", "host1.example.test"),
    ("POINTER_TO", "192.0.2.25", "mail.example.test"),
    ("POINTER_TO", "2001:db8::10", "host1.example.test"),
    ("HAS_CONTACT_EMAIL", "example.test", "hostmaster@example.test"),
    ("HAS_CONTACT_EMAIL", "sub.example.test", "hostmaster@example.test"),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthoritativeServer]:
    running = AuthoritativeServer(tmp_path_factory.mktemp("nsd"), ZONES).start()
    yield running
    running.stop()


def server_args(server: AuthoritativeServer) -> list[str]:
    return ["--nameserver", server.address, "--port", str(server.port), "--timeout", "2", "--format", "json"]


def graph_edges(store: Store) -> set[tuple[str, object, object]]:
    """Every relationship but SUBDOMAIN_OF, as (type, from key, to key), read per declared endpoint pair."""
    found = set()
    for rel in SCHEMA.rels:
        if rel.type == "SUBDOMAIN_OF":
            continue
        for source, target in rel.endpoints:
            source_key, target_key = SCHEMA.by_label[source].key.name, SCHEMA.by_label[target].key.name
            cypher = f"MATCH (a:{source})-[r:{rel.type}]->(b:{target}) RETURN a.{source_key}, b.{target_key}"
            found |= {(rel.type, a, b) for a, b in store.query(cypher)}
    return found


def test_collect_records_what_the_server_says(store: Store, server: AuthoritativeServer) -> None:
    proc = store.cli("collect", "dns", *TARGETS, "--follow", "1", *server_args(server))
    assert "Traceback" not in proc.stderr
    rows = {row["name"]: row for row in json_output(proc)}
    assert rows["missing.example.test"]["nxdomain"] == 7
    assert rows["missing.example.test"]["records"] == 0
    assert rows["example.test"]["answered"] == 5  # A, NS, MX, TXT, SOA; no AAAA, no CNAME
    assert rows["example.test"]["noanswer"] == 2
    assert rows["mail.example.test"]["level"] == 1  # found through the MX, asked because of --follow 1
    assert rows["10.2.0.192.in-addr.arpa"]["answered"] == 1
    assert graph_edges(store) == EXPECTED
    rows = store.query(
        "MATCH (:Domain {name: 'example.test'})-[r:USES_MAIL_SERVER]->(m:Domain) RETURN m.name, r.preference, r.ttl"
    )
    assert sorted(map(tuple, rows)) == [("mail.example.test", 10, 300), ("mail2.mailhost.test", 20, 300)]
    first, last, edge = store.query(
        "MATCH (:Domain {name: 'example.test'})-[r:RESOLVES_TO]->() RETURN r.first_seen, r.last_seen, r"
    )[0]
    sources = edge["sources"]
    assert first == last and first.endswith("Z")
    kind, observer, summary = store.query(
        "MATCH (s:Source {id: $id}) RETURN s.kind, s.observer, s.summary", id=sources[0]
    )[0]
    assert kind == "dns-collect" and observer == f"127.0.0.1:{server.port}"
    assert json.loads(summary)["targets"] == TARGETS


def test_without_follow_targets_are_not_asked(store: Store, server: AuthoritativeServer) -> None:
    proc = store.cli("collect", "dns", "example.test", *server_args(server))
    assert {row["name"] for row in json_output(proc)} == {"example.test", "10.2.0.192.in-addr.arpa"}
    assert ("RESOLVES_TO", "mail.example.test", "192.0.2.25") not in graph_edges(store)


def test_emit_then_load_records_gives_the_same_graph(store: Store, server: AuthoritativeServer, tmp_path: Path) -> None:
    store.cli("collect", "dns", *TARGETS, "--follow", "1", *server_args(server))
    direct = (store.cli_stats(), graph_edges(store))
    emitted = tmp_path / "collected.jsonl"
    names_file = tmp_path / "names.txt"
    names_file.write_text("# targets\n" + "\n".join(TARGETS) + "\n", encoding="utf-8")
    proc = run_cli(
        "collect", "dns", "--input", str(names_file), "--follow", "1", "--emit", str(emitted), *server_args(server)
    )
    assert "written to" in proc.stderr
    if store.kind == "neo4j":
        clear_neo4j(store.location)
        again = store
    else:
        again = Store("embedded", str(tmp_path / "again.lbdb"))
    again.cli("load", "records", str(emitted))
    assert (again.cli_stats(), graph_edges(again)) == direct


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A UDP port we hold and never read, so every query times out. (A stopped NSD will not
    do: its server child can answer for a moment after the parent exits, and a freed port
    can be taken by anyone.)"""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        yield int(silent.getsockname()[1])


def test_a_silent_server_is_reported_per_name(tmp_path: Path, silent_port: int) -> None:
    args = ["--nameserver", "127.0.0.1", "--port", str(silent_port), "--timeout", "0.3", "--retries", "1"]
    proc = run_cli(
        "collect",
        "dns",
        "example.test",
        "www.example.test",
        *args,
        "--format",
        "json",
        "--emit",
        str(tmp_path / "out.jsonl"),
        check=False,
    )
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "14 queries got no reply" in proc.stderr
    rows = json_output(proc)
    assert [r["name"] for r in rows] == ["example.test", "www.example.test"]
    assert all(r["timeout"] + r["unreachable"] == 7 and r["answered"] == 0 for r in rows)
    # the run is still recorded: a records file holding just its Source
    lines = (tmp_path / "out.jsonl").read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["node"] == "Source"
