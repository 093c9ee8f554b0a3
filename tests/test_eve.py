"""`graphkit load eve`: Suricata EVE JSON dns events (v1, v2, v3) -> lookups and answers, on both
stores. The same traffic in every shape is in test_lookup_formats."""

from __future__ import annotations

import ipaddress
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from helpers import Store, json_lines, realdata, rejects
from test_zeek import lookups_by_pair

REAL = [
    "surevego_testdata_eve_v1dns.json",
    "suricata-verify_dns-tcp-www-google-com_eve.json",
    "tenzir_rrdata-eve_v2dns.json",
    "suricata-verify_tls-fingerprint-alert_eve.json",
]


def events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load(store: Store, *args: str, check: bool = True) -> tuple[dict[str, Any], str]:
    proc = store.cli("load", "eve", "--format", "json", *args, check=check)
    return json_lines(proc)[0], proc.stderr


# -- acceptance: real files ----------------------------------------------------------------------


@pytest.mark.parametrize("name", REAL)
def test_real_files_agree_with_an_independent_count(store: Store, name: str) -> None:
    """Lookups are the questions of query events only (never their answers); other event types
    are counted by type, not rejected."""
    path = realdata() / "suricata" / name
    read = events(path)
    questions = Counter(
        (e["src_ip"], e["dns"]["rrname"].lower())
        for e in read
        if e["event_type"] == "dns" and e["dns"]["type"] == "query"
    )
    report, stderr = load(store, str(path))
    assert report["rejected"] == 0 and "rejected" not in stderr
    assert report["counts"]["lookups"] == sum(questions.values())
    assert lookups_by_pair(store) == questions
    others = Counter(f"{e['event_type']} events" for e in read if e["event_type"] != "dns")
    assert {k: v for k, v in report["counts"].items() if k in others} == others
    assert report["counts"].get("dns events", 0) == sum(1 for e in read if e["event_type"] == "dns")


def test_real_answers_keep_each_record_with_its_owner(store: Store) -> None:
    path = realdata() / "suricata" / "surevego_testdata_eve_v1dns.json"
    load(store, str(path))
    answers = [e["dns"] for e in events(path) if e["event_type"] == "dns" and e["dns"]["type"] == "answer"]
    addresses = Counter(
        (a["rrname"], str(ipaddress.ip_address(a["rdata"]))) for a in answers if a.get("rrtype") in ("A", "AAAA")
    )
    assert len(addresses) > 10
    stored = store.query("MATCH (d:Domain)-[r:RESOLVES_TO]->(i:IPAddress) RETURN d.name, i.address, r.count")
    assert Counter({(d, i): n for d, i, n in stored}) == addresses
    # the name server records of the same answers are not read as addresses or aliases
    assert not store.query("MATCH (:Domain {name: 'fastly.net'})-[r]->() RETURN r")


def test_a_v2_answer_of_mail_servers_gives_no_address(store: Store) -> None:
    path = realdata() / "suricata" / "tenzir_rrdata-eve_v2dns.json"
    report, _ = load(store, str(path))
    rows = store.query("MATCH (c:IPAddress)-[r:LOOKED_UP]->(d:Domain) RETURN c.address, d.name, r.qtype, r.count")
    assert rows == [["10.16.1.11", "google.com", "MX", 1]]
    assert report["counts"]["answer edges"] == 0


# -- Suricata 8 (v3): no real sample was available; written from Suricata's 8.0 upgrade notes ------

V3 = [
    {
        "timestamp": "2025-03-01T10:00:00.000000+0000",
        "event_type": "dns",
        "src_ip": "10.1.1.5",
        "src_port": 40000,
        "dest_ip": "10.1.1.1",
        "dest_port": 53,
        "dns": {
            "version": 3,
            "type": "request",
            "tx_id": 0,
            "id": 7,
            "flags": "100",
            "rd": True,
            "opcode": 0,
            "rcode": "NOERROR",
            "queries": [{"rrname": "www.suricata.io", "rrtype": "A"}],
        },
    },
    {
        "timestamp": "2025-03-01T10:00:00.020000+0000",
        "event_type": "dns",
        "src_ip": "10.1.1.1",
        "src_port": 53,
        "dest_ip": "10.1.1.5",
        "dest_port": 40000,
        "dns": {
            "version": 3,
            "type": "response",
            "tx_id": 1,
            "id": 7,
            "flags": "8180",
            "qr": True,
            "rd": True,
            "ra": True,
            "opcode": 0,
            "rcode": "NOERROR",
            "queries": [{"rrname": "www.suricata.io", "rrtype": "A"}],
            "answers": [
                {"rrname": "www.suricata.io", "rrtype": "CNAME", "ttl": 3597, "rdata": "suricata.io"},
                {"rrname": "suricata.io", "rrtype": "A", "ttl": 597, "rdata": "35.212.0.44"},
            ],
            "authorities": [{"rrname": "suricata.io", "rrtype": "NS", "ttl": 600, "rdata": "ns1.example.net"}],
        },
    },
]


def test_suricata_8_requests_and_responses(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "eve.json"
    path.write_text("".join(json.dumps(e) + "\n" for e in V3), encoding="utf-8")
    report, _ = load(store, str(path))
    assert report["counts"]["lookups"] == 1 and report["counts"]["dns answer events"] == 1
    assert store.query("MATCH (c:IPAddress)-[r:LOOKED_UP]->(d:Domain) RETURN c.address, d.name, r.qtype") == [
        ["10.1.1.5", "www.suricata.io", "A"]
    ]
    assert store.query("MATCH (a:Domain)-[r:ALIAS_OF]->(b:Domain) RETURN a.name, b.name, r.ttl") == [
        ["www.suricata.io", "suricata.io", 3597]
    ]
    assert store.query("MATCH (d:Domain)-[r:RESOLVES_TO]->(i:IPAddress) RETURN d.name, i.address, r.ttl") == [
        ["suricata.io", "35.212.0.44", 597]
    ]
    assert store.query("MATCH (s:Source) RETURN s.kind, s.client_side") == [["eve", "stub"]]


# -- bad input -------------------------------------------------------------------------------------

GOOD = V3[0]


def bad_file(tmp_path: Path) -> Path:
    dns = {**GOOD, "event_type": "dns"}
    lines = [
        json.dumps(GOOD),  # 1 good
        "{not json",  # 2
        json.dumps({"timestamp": GOOD["timestamp"], "event_type": "dns"}),  # 3: no dns object
        json.dumps({**dns, "dns": {"type": "notify"}}),  # 4: unknown type
        json.dumps({**dns, "timestamp": "yesterday"}),  # 5: bad time
        "[1, 2]",  # 6: not an object
        "",  # 7: blank: skipped
        json.dumps({"timestamp": GOOD["timestamp"], "event_type": "flow", "flow": {"pkts": 2}}),  # 8: counted
        "{broken but an alert: " + '"event_type":"alert"',  # 9: not read, so not judged
        json.dumps({**dns, "src_ip": "300.1.1.1"}),  # 10: bad client
        json.dumps({**GOOD, "timestamp": "2025-03-02T10:00:00Z"}),  # 11 good, the next day
    ]
    path = tmp_path / "bad.eve.json"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_bad_events_are_rejected_with_their_line_and_the_rest_loads(store: Store, tmp_path: Path) -> None:
    path = bad_file(tmp_path)
    report, stderr = load(store, str(path))
    assert [r.split(": ", 1)[0] for r in rejects(stderr)] == [f"{path}:{n}" for n in (2, 3, 4, 5, 6, 10)]
    reasons = [r.split(": ", 1)[1] for r in rejects(stderr)]
    assert reasons[0] == "not a JSON object" and "unknown type 'notify'" in reasons[2]
    assert "bad timestamp 'yesterday'" in reasons[3] and "300.1.1.1" in reasons[5]
    assert report["rejected"] == 6 and report["skipped"] == {"blank line": 1}
    assert report["counts"]["flow events"] == 1 and report["counts"]["alert events"] == 1
    assert store.query("MATCH (:IPAddress)-[r:LOOKED_UP]->(:Domain) RETURN r.day, r.count ORDER BY r.day") == [
        ["2025-03-01", 1],
        ["2025-03-02", 1],
    ]


def test_strict_refuses_the_file_at_its_first_bad_event(store: Store, tmp_path: Path) -> None:
    path = bad_file(tmp_path)
    report, stderr = load(store, "--strict", str(path), check=False)
    assert report["rejected_whole"].startswith(f"--strict: {path}:2: not a JSON object")
    assert store.stats()["lookups"] == 0


def test_loading_twice_gives_the_same_graph(store: Store) -> None:
    path = realdata() / "suricata" / "surevego_testdata_eve_v1dns.json"
    load(store, str(path))
    first = store.stats()
    load(store, str(path))
    assert store.stats() == first
