"""`graphkit load route53`: AWS Route 53 Resolver query logs -> lookups and answers, on both
stores. AWS's documented examples are the only real samples (no captured log was available);
the same traffic as Zeek's is in test_lookup_formats."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import Store, json_lines, realdata, rejects
from parse_outputs import parse_outputs

from graphkit.parsers import route53_blocks
from graphkit.parsers.route53 import Route53Parser

EXAMPLE = "awsdocs_resolver-query-log-example_v1.100000.json"
INVALID = "awsdocs_resolver-query-log-example_v1.000000_INVALID-JSON.txt"


def load(store: Store, *args: str, check: bool = True) -> tuple[dict[str, Any], str]:
    proc = store.cli("load", "route53", "--format", "json", *args, check=check)
    return json_lines(proc)[0], proc.stderr


def query(name: str, srcaddr: str, **more: Any) -> dict[str, Any]:
    return {
        "version": "1.100000",
        "account_id": "111122223333",
        "region": "eu-west-1",
        "vpc_id": "vpc-1",
        "query_timestamp": "2024-03-01T10:00:00Z",
        "query_name": name,
        "query_type": "A",
        "query_class": "IN",
        "rcode": "NOERROR",
        "srcaddr": srcaddr,
        "srcport": "40000",
        "transport": "UDP",
        "srcids": {"instance": "i-1"},
        **more,
    }


def test_the_documented_example_a_blocked_query(store: Store) -> None:
    """One pretty-printed record: a PTR query the DNS Firewall blocked. It is a lookup; its
    answer is the firewall's, so it links nothing."""
    report, _ = load(store, str(realdata() / "route53" / EXAMPLE))
    assert report["rejected"] == 0 and report["counts"]["DNS Firewall BLOCK"] == 1
    rows = store.query("MATCH (c:IPAddress)-[r:LOOKED_UP]->(d:Domain) RETURN c.address, d.name, r.qtype, r.day")
    assert rows == [["4.5.64.102", "15.3.4.32.in-addr.arpa", "PTR", "2021-02-04"]]
    assert not store.query("MATCH ()-[r:RESOLVES_TO|POINTER_TO]->() RETURN r")
    assert store.query("MATCH (s:Source) RETURN s.observer, s.client_side") == [
        ["route53-resolver:111122223333/us-east-1/vpc-7example", "stub"]
    ]


def test_the_invalid_documented_example_is_refused_whole_with_its_line(store: Store) -> None:
    path = realdata() / "route53" / INVALID
    report, stderr = load(store, str(path), check=False)
    assert (
        report["rejected_whole"] == f"{path}:16: not JSON: Expecting property name enclosed in double quotes (column 5)"
    )
    assert store.stats()["lookups"] == 0


def test_json_lines_and_cloudwatch_exports(store: Store, tmp_path: Path) -> None:
    allowed = query(
        "www.example.com.",
        "10.0.0.5",
        answers=[
            {"Rdata": "edge.example.net.", "Type": "CNAME", "Class": "IN"},
            {"Rdata": "192.0.2.7", "Type": "A", "Class": "IN"},
        ],
        firewall_rule_action="ALERT",
    )
    blocked = query(
        "bad.example.org.",
        "10.0.0.6",
        answers=[{"Rdata": "192.0.2.250", "Type": "A", "Class": "IN"}],  # the firewall's override
        firewall_rule_action="BLOCK",
    )
    lines = [
        json.dumps(allowed),
        "2024-03-01T10:00:01.000Z " + json.dumps({**allowed, "query_timestamp": "2024-03-01T10:00:01Z"}),
        json.dumps(blocked),
        "",
        "{not json",
        json.dumps({**allowed, "query_timestamp": "yesterday"}),
        json.dumps({"message": "no query here"}),
        json.dumps({**allowed, "srcaddr": "10.0.0.999"}),
    ]
    path = tmp_path / "resolver.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report, stderr = load(store, str(path))
    assert [r.split(": ", 1)[0] for r in rejects(stderr)] == [f"{path}:{n}" for n in (5, 6, 7, 8)]
    # actions are counted as read (line 8's bad client is found later)
    assert report["counts"]["DNS Firewall ALERT"] == 3 and report["counts"]["DNS Firewall BLOCK"] == 1
    assert report["skipped"] == {"blank line": 1, "answers of queries the DNS Firewall blocked: not linked": 1}
    looked = store.query(
        "MATCH (c:IPAddress)-[r:LOOKED_UP]->(d:Domain) RETURN c.address, d.name, r.count ORDER BY d.name"
    )
    assert looked == [["10.0.0.6", "bad.example.org", 1], ["10.0.0.5", "www.example.com", 2]]
    assert store.query("MATCH (a:Domain)-[r:ALIAS_OF]->(b:Domain) RETURN a.name, b.name, r.count") == [
        ["www.example.com", "edge.example.net", 2]
    ]
    assert store.query("MATCH (d:Domain)-[:RESOLVES_TO]->(i:IPAddress) RETURN d.name, i.address") == [
        ["edge.example.net", "192.0.2.7"]
    ]


def test_the_block_reader_gives_what_the_line_reader_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Arrow's reading of a block (route53_blocks) against the line reader's: alias chains in
    order, data the chain leaves out (an MX, an empty value, a comma), a blocked query's answer,
    records without answers or action, two resolvers, a bad client address (a reject)."""

    def answer(data: str, rtype: str) -> dict[str, str]:
        return {"Rdata": data, "Type": rtype, "Class": "IN"}

    records = [
        query(
            "www.example.com.",
            "10.0.0.5",
            answers=[
                answer("a.example.net.", "CNAME"),
                answer("b.example.net.", "CNAME"),
                answer("192.0.2.7", "A"),
                answer("192.0.2.8", "A"),
            ],
            firewall_rule_action="ALERT",
        ),
        query("mail.example.com.", "10.0.0.6", query_type="MX", answers=[answer("10 mx.example.com.", "MX")]),
        query(
            "odd.example.com.", "fd00::6", answers=[answer("", "A"), answer("x,y", "CNAME"), answer("192.0.2.9", "A")]
        ),
        query("bad.example.org.", "10.0.0.7", answers=[answer("192.0.2.250", "A")], firewall_rule_action="BLOCK"),
        query("none.example.org.", "10.0.0.7", srcids={}, region="eu-central-1"),
        query("www.example.com.", "10.0.0.999", query_timestamp="2024-03-01T10:00:01.250Z"),
    ]
    path = tmp_path / "resolver.log"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    taken = []
    real_take = route53_blocks.take

    def counted(*args: Any) -> bool:
        taken.append(real_take(*args))
        return taken[-1]

    monkeypatch.setattr(route53_blocks, "take", counted)
    by_blocks = parse_outputs(Route53Parser(), path)
    assert taken == [True]
    monkeypatch.setattr(route53_blocks, "take", lambda *args: False)
    by_lines = parse_outputs(Route53Parser(), path)
    assert by_blocks == by_lines
    assert [(r.line, r.reason) for r in by_lines[1]] == [(6, "bad client address '10.0.0.999'")]
    assert ("a.example.net", "b.example.net") in {row[:2] for row in by_lines[0]["ALIAS_OF"]}
