"""`graphkit collect rdap` against real local servers: the recorded RDAP answers over HTTP
(tests/rdap_server.py), and a DNS server for ipwhois' Team Cymru ASN queries. The code under
test is the real client code: ipwhois for addresses (its RIR URL table pointed at the
mirror), urllib and the IANA bootstrap registry for domains and AS numbers."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import Store, json_output, realdata, run_cli
from rdap_server import CymruDns, RecordedRdap

ADDRESSES = ["1.1.1.1", "130.59.31.80", "13.72.183.192", "2001:4860:4860::8888"]
DOMAINS = ["google.com", "www.norway.no", "themarquetry.com"]


@pytest.fixture
def servers() -> Iterator[tuple[RecordedRdap, CymruDns]]:
    """Recorded RDAP over HTTP, and Team Cymru-format ASN answers over DNS. No recorded Cymru
    answers exist, so these TXT strings are written here; the AS names come from pyasn's file."""
    as_names = json.loads((realdata() / "asn" / "pyasn-asnames.json").read_text())
    origins = {
        "1.1.1.1": "13335 | 1.1.1.0/24 | AU | apnic | 2011-08-11",
        "130.59.31.80": "559 | 130.59.0.0/16 | CH | ripencc | 1993-09-01",
        "13.72.183.192": "8075 | 13.64.0.0/11 | US | arin | 2015-03-26",
        "2001:4860:4860::8888": "15169 | 2001:4860::/32 | US | arin | 2005-03-14",
    }
    asns = {n: f"{n} | US | arin | 2000-01-01 | {as_names[str(n)]}" for n in (13335, 559, 8075, 15169)}
    with RecordedRdap(realdata() / "rdap") as web, CymruDns(origins, asns) as dns:
        yield web, dns


def _options(web: RecordedRdap, dns: CymruDns, cache: Path, *extra: str) -> list[str]:
    return [
        "--cache",
        str(cache),
        "--mirror",
        web.url,
        "--asn-dns",
        dns.address,
        "--asn-methods",
        "dns",
        "--rate",
        "0",
        "--backoff",
        "0.01",
        "--timeout",
        "5",
        *extra,
    ]


def test_collects_addresses_domains_and_asns(
    store: Store, servers: tuple[RecordedRdap, CymruDns], tmp_path: Path
) -> None:
    web, dns = servers
    proc = store.cli(
        "collect", "rdap", *ADDRESSES, *DOMAINS, "AS13335", "--format", "json", *_options(web, dns, tmp_path / "cache")
    )
    report = {row["item"]: row for row in json_output(proc)}
    assert {item: row["status"] for item, row in report.items()} == dict.fromkeys(
        [*ADDRESSES, *DOMAINS, "AS13335"], "fetched"
    )
    assert report["www.norway.no"]["query"] == "norway.no"  # the registered domain is what is asked

    # the domains were found through the (recorded) IANA bootstrap registry
    assert "data.iana.org/rdap/dns.json" in web.requests
    assert "rdap.verisign.com/com/v1/domain/google.com" in web.requests
    assert "rdap.norid.no/domain/norway.no" in web.requests
    # ipwhois asked the Cymru zone, then the RIR that the answer named
    assert "1.1.1.1.origin.asn.cymru.com." in dns.queries and "as13335.asn.cymru.com." in dns.queries
    assert "rdap.apnic.net/ip/1.1.1.1" in web.requests
    assert "rdap.db.ripe.net/ip/130.59.31.80" in web.requests

    rows = store.query(
        "MATCH (i:IPAddress)-[:IN_NETBLOCK]->(n:Netblock) RETURN i.address, n.cidr, n.registry "
        "ORDER BY i.address, n.cidr"
    )
    assert rows == [
        ["1.1.1.1", "1.1.1.0/24", "APNIC"],
        ["13.72.183.192", "13.64.0.0/11", "ARIN"],
        ["130.59.31.80", "130.59.0.0/16", "RIPE"],
        ["2001:4860:4860::8888", "2001:4860::/32", "ARIN"],
    ]
    # ASN data from ipwhois: the origin AS and its name (pyasn's "SWITCH SWITCH, CH" has no " - ")
    rows = store.query(
        "MATCH (n:Netblock)-[:ANNOUNCED_BY]->(a:ASN)-[:OPERATED_BY]->(o:Organization) "
        "RETURN n.cidr, a.number, o.name ORDER BY n.cidr"
    )
    assert rows == [
        ["1.1.1.0/24", 13335, "CloudFlare, Inc."],
        ["13.64.0.0/11", 8075, "Microsoft Corporation"],
        ["130.59.0.0/16", 559, "SWITCH SWITCH"],
        ["2001:4860::/32", 15169, "Google LLC"],  # ARIN's "Google LLC" came first; Cymru's "Google Inc." folds in
    ]
    # Cymru's "CloudFlare, Inc." and RDAP's "Cloudflare, Inc." (AS13335's registrant) are one organisation
    assert store.query("MATCH (a:ASN {number: 13335})-[:OPERATED_BY]->(o:Organization) RETURN o.key, a.handle") == [
        ["cloudflare", "AS13335"]
    ]
    assert store.query("MATCH (:Domain {name: 'norway.no'})-[:TECHNICAL_CONTACT]->(o:Organization) RETURN o.name") == [
        ["Domeneshop Hostmaster"]
    ]
    assert store.query("MATCH (:Domain {name: 'google.com'})-[:REGISTERED_WITH]->(r:Registrar) RETURN r.key") == [
        ["iana:292"]
    ]
    source = store.query("MATCH (s:Source) RETURN s.kind, s.rejects")
    assert source == [["rdap-collect", 0]]

    # again, from the cache: nothing asked, nothing changed
    before = store.cli_stats()
    asked = len(web.requests)
    proc = store.cli(
        "collect", "rdap", *ADDRESSES, *DOMAINS, "AS13335", "--format", "json", *_options(web, dns, tmp_path / "cache")
    )
    assert {row["status"] for row in json_output(proc)} == {"cached"}
    assert len(web.requests) == asked
    assert store.cli_stats() == before


def test_cached_answers_load_with_load_rdap(
    store: Store, servers: tuple[RecordedRdap, CymruDns], tmp_path: Path
) -> None:
    web, dns = servers
    cache = tmp_path / "cache"
    run_cli(
        "collect", "rdap", "1.1.1.1", "norway.no", "--emit", str(tmp_path / "out.jsonl"), *_options(web, dns, cache)
    )
    ipwhois_output = cache / "address" / "1.1.1.1.json"
    assert {"asn", "asn_cidr", "asn_description", "network", "objects", "raw"} <= set(
        json.loads(ipwhois_output.read_text())
    )
    store.cli("load", "rdap", str(ipwhois_output), str(cache / "domain" / "norway.no.json"))
    assert store.query(
        "MATCH (:IPAddress {address: '1.1.1.1'})-[:IN_NETBLOCK]->(n:Netblock)-[:ANNOUNCED_BY]->"
        "(a:ASN) RETURN n.cidr, n.name, a.number"
    ) == [["1.1.1.0/24", "APNIC-LABS", 13335]]
    assert store.query("MATCH (:Domain {name: 'norway.no'})-[:REGISTERED_WITH]->(r:Registrar) RETURN r.name") == [
        ["Domeneshop AS"]
    ]


def test_retries_backoff_and_per_item_errors(servers: tuple[RecordedRdap, CymruDns], tmp_path: Path) -> None:
    web, dns = servers
    web.fail_next["rdap.norid.no/domain/norway.no"] = 2  # two 503s, then the answer
    web.fail_next["rdap.verisign.com/com/v1/domain/themarquetry.com"] = 5  # more than the retries
    out = tmp_path / "out.jsonl"
    proc = run_cli(
        "collect",
        "rdap",
        "norway.no",
        "themarquetry.com",
        "example.com",
        "10.0.0.1",
        "bad..name",
        "nic.nosuchtld",
        "--emit",
        str(out),
        "--retries",
        "2",
        "--format",
        "json",
        *_options(web, dns, tmp_path / "cache"),
    )
    report = {row["item"]: row for row in json_output(proc)}
    assert report["norway.no"]["status"] == "fetched"
    assert web.requests.count("rdap.norid.no/domain/norway.no") == 3
    assert web.requests.count("rdap.verisign.com/com/v1/domain/themarquetry.com") == 3
    assert (
        report["themarquetry.com"]["detail"].startswith("HTTP 503 from ")
        and "(after 3 attempts)" in report["themarquetry.com"]["detail"]
    )
    assert report["example.com"]["detail"].startswith("HTTP 404 from ")  # not retried
    assert web.requests.count("rdap.verisign.com/com/v1/domain/example.com") == 1
    assert report["10.0.0.1"]["detail"].startswith("not a public address")
    assert report["bad..name"]["detail"] == "invalid domain name 'bad..name'"
    assert report["nic.nosuchtld"]["detail"] == "no RDAP service for nic.nosuchtld in the IANA bootstrap registry"
    assert "6 targets, 5 failed" in proc.stderr
    # the emitted records load into a graph as they are
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert records[-1]["node"] == "Source" and json.loads(records[-1]["props"]["summary"])["errors"]["example.com"]
    assert any(r.get("edge") == "TECHNICAL_CONTACT" for r in records)


def test_everything_failing_exits_3_and_bootstrap_file_is_used(
    servers: tuple[RecordedRdap, CymruDns], tmp_path: Path
) -> None:
    web, dns = servers
    bootstrap = realdata() / "rdap" / "whoisit-iana-bootstrap.json"
    proc = run_cli(
        "collect",
        "rdap",
        "example.com",
        "--emit",
        str(tmp_path / "out.jsonl"),
        "--bootstrap",
        str(bootstrap),
        *_options(web, dns, tmp_path / "cache"),
        check=False,
    )
    assert proc.returncode == 3
    assert "data.iana.org/rdap/dns.json" not in web.requests  # the file was the registry
    assert "rdap.verisign.com/com/v1/domain/example.com" in web.requests


def test_rate_limit_spaces_the_lookups(servers: tuple[RecordedRdap, CymruDns], tmp_path: Path) -> None:
    web, dns = servers
    options = [o if o != "0" else "4" for o in _options(web, dns, tmp_path / "cache")]  # --rate 4
    started = time.monotonic()
    run_cli("collect", "rdap", *DOMAINS, "--emit", str(tmp_path / "out.jsonl"), *options)
    # bootstrap + 3 domains = 4 requests at 4/s: at least 3 intervals of 0.25 s
    assert time.monotonic() - started >= 0.75


def test_follow_related_and_settings_from_the_environment(
    servers: tuple[RecordedRdap, CymruDns], tmp_path: Path
) -> None:
    web, dns = servers
    env = {"GRAPHKIT_RDAP_MIRROR": web.url, "GRAPHKIT_RDAP_CACHE": str(tmp_path / "cache")}
    proc = run_cli(
        "collect",
        "rdap",
        "google.com",
        "--follow-related",
        "--rate",
        "0",
        "--emit",
        str(tmp_path / "out.jsonl"),
        "--format",
        "json",
        env=env,
    )
    assert [row["status"] for row in json_output(proc)] == ["fetched"]
    # Verisign's answer links MarkMonitor's; that one was not recorded (404), so the registry's answer stands
    assert web.requests[-2:] == [
        "rdap.verisign.com/com/v1/domain/google.com",
        "rdap.markmonitor.com/rdap/domain/google.com",
    ]
    assert (tmp_path / "cache" / "domain" / "google.com.json").is_file()
