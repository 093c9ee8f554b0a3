"""`graphkit load rdap`: the recorded RDAP answers in ../shared/realdata/rdap/, ipwhois output,
and bad input. Expected values were read by hand from the raw files."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Any

from helpers import Store, realdata

RDAP_FILES = [
    "whoisit-asn.json",
    "whoisit-cidr_v4.json",
    "whoisit-cidr_v6.json",
    "whoisit-domain1.json",
    "whoisit-domain2.json",
    "whoisit-domain3.json",
    "whoisit-entity.json",
    "whoisit-iana-bootstrap.json",
    "whoisit-ip_v4.json",
    "whoisit-ip_v4_2.json",
    "whoisit-ip_v4_3.json",
    "whoisit-ip_v6.json",
]


def _load_all(store: Store) -> str:
    folder = realdata() / "rdap"
    assert sorted(p.name for p in folder.glob("*.json")) == RDAP_FILES, "new files: add assertions for them"
    proc = store.cli("load", "rdap", *(str(folder / name) for name in RDAP_FILES))
    for name in RDAP_FILES:
        assert f"{folder / name}: " in proc.stdout
    assert "rejected" not in proc.stderr
    return proc.stdout


def _one(store: Store, cypher: str, **params: Any) -> list[Any]:
    rows = store.query(cypher, **params)
    assert len(rows) == 1, rows
    return rows[0]


def _column(store: Store, cypher: str, **params: Any) -> list[Any]:
    return [row[0] for row in store.query(cypher, **params)]


def test_every_recorded_answer_loads_with_its_facts(store: Store) -> None:
    out = _load_all(store)
    assert "IANA RDAP bootstrap registry (no registration data)" in out

    # whoisit-domain1.json: Verisign's thin answer for GOOGLE.COM
    assert _one(
        store,
        "MATCH (d:Domain {name: 'google.com'})-[:REGISTERED_WITH]->(r:Registrar) "
        "RETURN r.key, r.name, r.iana_id, d.created, d.expires",
    ) == ["iana:292", "MarkMonitor Inc.", 292, "1997-09-15T04:00:00Z", "2028-09-14T04:00:00Z"]
    assert _column(
        store, "MATCH (:Domain {name: 'google.com'})-[:USES_NAMESERVER]->(n:Domain) RETURN n.name ORDER BY n.name"
    ) == [f"ns{i}.google.com" for i in range(1, 5)]
    status = _one(store, "MATCH (d:Domain {name: 'google.com'}) RETURN d.status")[0]
    assert sorted(status) == [
        "clientDeleteProhibited",
        "clientTransferProhibited",
        "clientUpdateProhibited",
        "serverDeleteProhibited",
        "serverTransferProhibited",
        "serverUpdateProhibited",
    ]
    # no registrant in a thin answer; the registrar's abuse address is not the domain's contact
    assert store.query("MATCH (:Domain {name: 'google.com'})-[r]->(:Organization) RETURN count(r)") == [[0]]
    assert store.query("MATCH (e:Email {address: 'abusecomplaints@markmonitor.com'}) RETURN e.address") == []

    # whoisit-domain2.json: norway.no at Norid: technical contact, registrar without an IANA id
    assert _one(
        store, "MATCH (:Domain {name: 'norway.no'})-[t:TECHNICAL_CONTACT]->(o:Organization) RETURN o.name, t.country"
    ) == ["Domeneshop Hostmaster", "NORWAY"]
    assert _one(
        store,
        "MATCH (:Domain {name: 'norway.no'})-[h:HAS_CONTACT_EMAIL]->(e:Email) RETURN e.address, h.role, e.is_proxy",
    ) == ["hostmaster@domeneshop.no", "technical", False]
    assert _one(
        store,
        "MATCH (d:Domain {name: 'norway.no'})-[:REGISTERED_WITH]->(r:Registrar) "
        "RETURN r.key, r.name, r.iana_id, d.created, d.updated",
    ) == ["domeneshop", "Domeneshop AS", None, "2017-01-24T12:09:23Z", "2021-01-14T05:16:59Z"]
    assert _column(
        store, "MATCH (:Domain {name: 'norway.no'})-[:USES_NAMESERVER]->(n:Domain) RETURN n.name ORDER BY n.name"
    ) == ["ns1-09.azure-dns.com", "ns2-09.azure-dns.net", "ns3-09.azure-dns.org", "ns4-09.azure-dns.info"]

    # whoisit-domain3.json
    assert _one(
        store, "MATCH (:Domain {name: 'themarquetry.com'})-[:REGISTERED_WITH]->(r:Registrar) RETURN r.key, r.name"
    ) == ["iana:1647", "Hosting Concepts B.V. d/b/a Registrar.eu"]
    assert _column(
        store, "MATCH (:Domain {name: 'themarquetry.com'})-[:USES_NAMESERVER]->(n:Domain) RETURN n.name ORDER BY n.name"
    ) == ["ns1.dns-parking.com", "ns2.dns-parking.com"]

    # whoisit-asn.json: AS13335 registered to Cloudflare; its "Abuse"/"Admin"/"NOC" role accounts are no one
    assert _one(
        store, "MATCH (a:ASN {number: 13335})-[:OPERATED_BY]->(o:Organization) RETURN a.name, a.handle, o.name"
    ) == ["CLOUDFLARENET", "AS13335", "Cloudflare, Inc."]
    keys = _column(store, "MATCH (o:Organization) RETURN o.key")
    assert not {"abuse", "admin", "noc", "abuse c role"} & set(keys)

    # whoisit-cidr_v4.json and whoisit-ip_v4.json (the answer for 1.1.1.1): APNIC's research prefix
    assert _one(
        store,
        "MATCH (i:IPAddress {address: '1.1.1.1'})-[:IN_NETBLOCK]->(n:Netblock) "
        "RETURN n.cidr, n.name, n.country, n.registry",
    ) == ["1.1.1.0/24", "APNIC-LABS", "AU", "APNIC"]

    # whoisit-ip_v4_2.json: RIPE legacy block answered for 130.59.31.80; registrants are handles only
    assert _one(
        store,
        "MATCH (:IPAddress {address: '130.59.31.80'})-[:IN_NETBLOCK]->(n:Netblock) "
        "RETURN n.cidr, n.name, n.country, n.parent_handle, n.registry",
    ) == ["130.59.0.0/16", "SWITCH-LAN", "CH", "0.0.0.0 - 255.255.255.255", "RIPE"]

    # whoisit-ip_v4_3.json: 13.64.0.0 - 13.107.255.255 is three CIDRs, all Microsoft's
    expected = [
        str(n)
        for n in ipaddress.summarize_address_range(
            ipaddress.IPv4Address("13.64.0.0"), ipaddress.IPv4Address("13.107.255.255")
        )
    ]
    assert expected == ["13.64.0.0/11", "13.96.0.0/13", "13.104.0.0/14"]
    assert sorted(
        _column(
            store,
            "MATCH (n:Netblock {handle: 'NET-13-64-0-0-1'})-[a:ALLOCATED_TO]->"
            "(o:Organization {name: 'Microsoft Corporation'}) WHERE a.role = 'registrant' "
            "RETURN n.cidr",
        )
    ) == sorted(expected)
    assert _column(
        store, "MATCH (:IPAddress {address: '13.72.183.192'})-[:IN_NETBLOCK]->(n:Netblock) RETURN n.cidr"
    ) == ["13.64.0.0/11"]

    # whoisit-cidr_v6.json and whoisit-ip_v6.json: Google's IPv6 allocation, originated by AS15169
    assert _one(
        store,
        "MATCH (:IPAddress {address: '2001:4860:4860::8888'})-[:IN_NETBLOCK]->(n:Netblock)"
        "-[:ALLOCATED_TO]->(o:Organization) RETURN n.cidr, n.name, n.version, o.name",
    ) == ["2001:4860::/32", "GOOGLE-IPV6", 6, "Google LLC"]
    assert _column(store, "MATCH (:Netblock {cidr: '2001:4860::/32'})-[:ANNOUNCED_BY]->(a:ASN) RETURN a.number") == [
        15169
    ]

    # whoisit-entity.json: Govital Internet Inc. with its two networks and its AS
    assert sorted(
        _column(
            store, "MATCH (n:Netblock)-[:ALLOCATED_TO]->(:Organization {name: 'Govital Internet Inc.'}) RETURN n.cidr"
        )
    ) == ["208.90.68.0/22", "2602:fe74::/36"]
    assert _one(
        store, "MATCH (a:ASN)-[:OPERATED_BY]->(:Organization {name: 'Govital Internet Inc.'}) RETURN a.number, a.name"
    ) == [393996, "GOVI-WNDS"]

    # the bootstrap file adds nothing but its Source
    assert store.stats()["sources"] == len(RDAP_FILES)


def test_loading_twice_leaves_stats_unchanged(store: Store) -> None:
    _load_all(store)
    first = store.cli_stats()
    _load_all(store)
    assert store.cli_stats() == first


def _ipwhois_result(recorded: dict[str, Any], address: str, inc_raw: bool) -> dict[str, Any]:
    """What ipwhois' lookup_rdap returns for a recorded answer: ipwhois' own parser, no network."""
    from ipwhois.net import Net
    from ipwhois.rdap import RDAP

    asn = {
        "asn": "15169",
        "asn_cidr": "2001:4860::/32",
        "asn_country_code": "US",
        "asn_registry": "arin",
        "asn_date": "2005-03-14",
        "asn_description": "GOOGLE - Google LLC, US",
        "query": address,
    }
    result = RDAP(Net(address)).lookup(inc_raw=inc_raw, response=recorded, asn_data=asn, root_ent_check=False)
    return {**asn, **result, "nir": None}


def test_ipwhois_lookup_rdap_output_loads(store: Store, tmp_path: Path) -> None:
    recorded = json.loads((realdata() / "rdap" / "whoisit-ip_v6.json").read_text())
    with_raw = tmp_path / "with-raw.json"
    with_raw.write_text(json.dumps(_ipwhois_result(recorded, "2001:4860:4860::8888", True)))
    parsed_only = tmp_path / "parsed-only.json"
    parsed_only.write_text(json.dumps([_ipwhois_result(recorded, "2001:4860:4860::8844", False)]))
    store.cli("load", "rdap", str(with_raw), str(parsed_only))
    for address in ("2001:4860:4860::8888", "2001:4860:4860::8844"):
        assert _column(
            store, "MATCH (:IPAddress {address: $a})-[:IN_NETBLOCK]->(n:Netblock) RETURN n.cidr", a=address
        ) == ["2001:4860::/32"]
    # the RIR's registrant, and the AS named by ipwhois' ASN lookup
    assert _column(
        store, "MATCH (:Netblock {cidr: '2001:4860::/32'})-[:ALLOCATED_TO]->(o:Organization) RETURN DISTINCT o.name"
    ) == ["Google LLC"]
    assert _one(
        store,
        "MATCH (n:Netblock {cidr: '2001:4860::/32'})-[:ANNOUNCED_BY]->(a:ASN)-[:OPERATED_BY]->"
        "(o:Organization) RETURN n.registry, a.number, a.name, a.country, o.key",
    ) == ["ARIN", 15169, "GOOGLE", "US", "google"]


def test_bad_objects_are_named_and_the_rest_loads(store: Store, tmp_path: Path) -> None:
    good = json.loads((realdata() / "rdap" / "whoisit-domain3.json").read_text())
    mixed = tmp_path / "mixed.json"
    mixed.write_text(
        json.dumps(
            [
                {"objectClassName": "ip network", "handle": "NO-RANGE"},
                good,
                {"objectClassName": "spaceship", "handle": "X"},
                {"errorCode": 404, "title": "Not Found"},
            ]
        )
    )
    lines = tmp_path / "lines.jsonl"
    lines.write_text(json.dumps(good) + "\n{not json\n" + json.dumps({"objectClassName": "autnum"}) + "\n")
    not_json = tmp_path / "not.json"
    not_json.write_text("this is a WHOIS answer, not RDAP\nDomain Name: example.com\n")
    proc = store.cli("load", "rdap", str(mixed), str(lines), str(not_json), check=False)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert f"{mixed}: ip network without cidr0_cidrs or startAddress/endAddress" in proc.stderr
    assert f"{mixed}: unknown objectClassName 'spaceship'" in proc.stderr
    assert f"{lines}:2: not JSON" in proc.stderr
    assert f"{lines}:3: autnum object without startAutnum" in proc.stderr
    assert f"rejected whole: {not_json}: not JSON" in proc.stderr
    assert "RDAP error answer 404" in proc.stdout
    assert _column(
        store, "MATCH (d:Domain {name: 'themarquetry.com'})-[:REGISTERED_WITH]->(r:Registrar) RETURN r.key"
    ) == ["iana:1647"]


ARIN_NETWORK = {  # ARIN writes some ranges zero-padded
    "objectClassName": "ip network",
    "handle": "NET-74-125-0-0-1",
    "name": "GOOGLE",
    "startAddress": "074.125.000.000",
    "endAddress": "074.125.255.255",
    "port43": "whois.arin.net",
}


def _ipwhois_answer(start: str, end: str, query: str) -> dict[str, Any]:
    return {
        "query": query,
        "asn": "15169",
        "asn_cidr": "74.125.0.0/16",
        "asn_country_code": "US",
        "asn_registry": "arin",
        "asn_description": "GOOGLE - Google LLC, US",
        "network": {"handle": "NET-74-125-0-0-1", "name": "GOOGLE", "start_address": start, "end_address": end},
        "objects": {},
    }


def test_zero_padded_arin_ranges_are_read(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "arin.json"
    path.write_text(json.dumps([ARIN_NETWORK, _ipwhois_answer("074.125.000.000", "074.125.255.255", "74.125.1.1")]))
    proc = store.cli("load", "rdap", str(path))
    assert "rejected" not in proc.stderr
    assert _one(store, "MATCH (n:Netblock {cidr: '74.125.0.0/16'}) RETURN n.name, n.registry") == ["GOOGLE", "ARIN"]
    assert _column(store, "MATCH (:IPAddress {address: '74.125.1.1'})-[:IN_NETBLOCK]->(n) RETURN n.cidr") == [
        "74.125.0.0/16"
    ]


def test_a_bad_network_part_keeps_the_asn_and_prefix_of_the_same_answer(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "ipwhois.json"
    path.write_text(json.dumps(_ipwhois_answer("74.125.300.0", "74.125.255.255", "74.125.1.1")))
    proc = store.cli("load", "rdap", str(path))
    assert f"{path}: bad address range 74.125.300.0 - 74.125.255.255" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert _one(
        store, "MATCH (n:Netblock {cidr: '74.125.0.0/16'})-[:ANNOUNCED_BY]->(a:ASN) RETURN a.number, a.name"
    ) == [15169, "GOOGLE"]
    assert _column(store, "MATCH (:IPAddress {address: '74.125.1.1'})-[:IN_NETBLOCK]->(n) RETURN n.cidr") == [
        "74.125.0.0/16"
    ]
