"""`graphkit load prefixes` and `graphkit load asnames`: the 2014 RouteViews table and pyasn's AS
names in ../shared/realdata/asn/, longest-prefix matching, and the small formats."""

from __future__ import annotations

import gzip
import ipaddress
import json
import random
from pathlib import Path
from typing import Any

from helpers import Store, realdata

from graphkit.model.records import NodeRecord, to_json
from graphkit.parsers.prefixmatch import BadPrefix, PrefixTable

CASE = ["217.12.96.15", "217.12.97.15", "167.73.110.8", "66.216.133.29"]
UNROUTED = "10.1.2.3"


def _table() -> Path:
    return realdata() / "asn" / "pyasn-ipasn_20140513.dat.gz"


def _names() -> Path:
    return realdata() / "asn" / "pyasn-asnames.json"


def _longest_from_raw_file(address: str) -> tuple[str, int]:
    """The longest prefix holding an address, by reading the raw table with the standard library."""
    addr = ipaddress.ip_address(address)
    first_octet = address.split(".")[0] + "."
    best: tuple[ipaddress.IPv4Network, int] | None = None
    with gzip.open(_table(), "rt") as lines:
        for line in lines:
            if not line.startswith(first_octet):
                continue
            prefix, asn = line.split()
            network = ipaddress.ip_network(prefix)
            if addr in network and (best is None or network.prefixlen > best[0].prefixlen):
                best = (network, int(asn))
    assert best is not None
    return str(best[0]), best[1]


def _addresses(store: Store, tmp_path: Path, addresses: list[str]) -> None:
    records = tmp_path / "addresses.jsonl"
    records.write_text("".join(to_json(NodeRecord("IPAddress", a)) + "\n" for a in addresses))
    store.cli("load", "records", str(records))


def _matches(store: Store) -> list[list[Any]]:
    return store.query(
        "MATCH (i:IPAddress)-[:IN_NETBLOCK]->(n:Netblock)-[:ANNOUNCED_BY]->(a:ASN)-[:OPERATED_BY]->(o:Organization) "
        "RETURN i.address, n.cidr, a.number, o.name ORDER BY i.address"
    )


def test_the_case_addresses_find_their_networks_and_operators(store: Store, tmp_path: Path) -> None:
    _addresses(store, tmp_path, [*CASE, UNROUTED])
    store.cli("load", "asnames", str(_names()))  # before the table: names the ASNs it brings in
    proc = store.cli("load", "prefixes", str(_table()))
    assert "addresses matched 4" in proc.stdout and "addresses without a prefix 1" in proc.stdout
    assert "prefixes 512621" in proc.stdout

    # what the issue asserts, literally
    rows = {r[0]: r[1:] for r in _matches(store)}
    assert rows["217.12.96.15"] == ["217.12.96.0/23", 15632, "ALFA-BANK-AS Alfa-Bank Moscow Russia"]
    assert rows["217.12.97.15"] == ["217.12.96.0/23", 15632, "ALFA-BANK-AS Alfa-Bank Moscow Russia"]
    assert rows["167.73.110.8"][1:] == [30710, "Spectrum Health"]
    assert rows["66.216.133.29"] == ["66.216.133.0/24", 7029, "Windstream Communications Inc"]
    assert UNROUTED not in rows

    # and what the raw files say, read independently
    as_names = json.loads(_names().read_text())
    for address in CASE:
        cidr, asn = _longest_from_raw_file(address)
        description = as_names[str(asn)].rsplit(",", 1)[0]
        organization = description.split(" - ", 1)[1] if " - " in description else description
        assert rows[address] == [cidr, asn, organization]
    assert rows["167.73.110.8"][0] == "167.73.96.0/20"  # longer than the /16 the README mentions

    asn = store.query("MATCH (a:ASN {number: 15632}) RETURN a.name, a.country")
    assert asn == [["ALFA-BANK-AS", "RU"]]
    assert store.query("MATCH (a:ASN {number: 30710}) RETURN a.name, a.country") == [["SPECT-19-AS", "US"]]
    when = store.query("MATCH (:Netblock {cidr: '217.12.96.0/23'})-[r:ANNOUNCED_BY]->() RETURN r.first_seen")
    assert when == [["2014-05-13T06:00:00Z"]]  # the RIB dump time named in the table's header
    stats = store.stats()
    assert stats["nodes"]["Netblock"] == 3 and stats["nodes"]["ASN"] == 3  # only what the addresses need

    first = store.cli_stats()
    store.cli("load", "prefixes", str(_table()))
    store.cli("load", "asnames", str(_names()))
    assert store.cli_stats() == first


def test_asnames_after_the_table_name_the_asns_in_the_graph(store: Store, tmp_path: Path) -> None:
    _addresses(store, tmp_path, CASE)
    store.cli("load", "prefixes", str(_table()))
    assert store.query("MATCH (a:ASN)-[:OPERATED_BY]->() RETURN count(a)") == [[0]]
    proc = store.cli("load", "asnames", str(_names()))
    assert "AS names 3" in proc.stdout
    assert [r[2:] for r in _matches(store)] == [
        [30710, "Spectrum Health"],
        [15632, "ALFA-BANK-AS Alfa-Bank Moscow Russia"],
        [15632, "ALFA-BANK-AS Alfa-Bank Moscow Russia"],
        [7029, "Windstream Communications Inc"],
    ]


SMALL_TABLE = """; IP-ASN32-DAT file
; Original file : data/rib.20160504.1200.bz2
192.0.2.0/24\t64500
192.0.2.128/25\t64501
198.51.100.0\t24\t64502_64503
2001:db8::/32\t64504
203.0.113.0/24\t{64505,64506}
not-a-prefix\t64507
192.0.2.1/24\t64508
198.18.0.0/15\tAS64509
"""


def _small_table(tmp_path: Path) -> Path:
    path = tmp_path / "small.dat.gz"
    path.write_bytes(gzip.compress(SMALL_TABLE.encode()))
    return path


def test_small_table_formats_bad_lines_and_all(store: Store, tmp_path: Path) -> None:
    table = _small_table(tmp_path)
    proc = store.cli("load", "prefixes", "--all", str(table))
    assert f"{table}:8: expected 'prefix/len<TAB>asn'" in proc.stderr
    assert f"{table}:9: 192.0.2.1/24 has host bits set" in proc.stderr
    assert f"{table}:10: not an AS number: 'AS64509'" in proc.stderr
    rows = store.query(
        "MATCH (n:Netblock)-[:ANNOUNCED_BY]->(a:ASN) RETURN n.cidr, a.number, n.registry, n.version "
        "ORDER BY n.cidr, a.number"
    )
    assert rows == [
        ["192.0.2.0/24", 64500, "bgp", 4],
        ["192.0.2.128/25", 64501, "bgp", 4],
        ["198.51.100.0/24", 64502, "bgp", 4],
        ["198.51.100.0/24", 64503, "bgp", 4],
        ["2001:db8::/32", 64504, "bgp", 6],
        ["203.0.113.0/24", 64505, "bgp", 4],
        ["203.0.113.0/24", 64506, "bgp", 4],
    ]
    assert store.query("MATCH ()-[r:ANNOUNCED_BY]->() RETURN DISTINCT r.first_seen") == [["2016-05-04T12:00:00Z"]]


def test_addresses_loaded_later_are_matched_on_refresh(store: Store, tmp_path: Path) -> None:
    table = _small_table(tmp_path)
    store.cli("load", "prefixes", str(table), check=False)  # bad lines: exit 0, rejects named
    assert store.stats()["nodes"]["Netblock"] == 0  # no addresses yet, nothing to match
    _addresses(store, tmp_path, ["192.0.2.200", "192.0.2.7", "2001:db8::1", "8.8.8.8"])
    store.cli("load", "prefixes", "--refresh")
    rows = store.query("MATCH (i:IPAddress)-[:IN_NETBLOCK]->(n:Netblock) RETURN i.address, n.cidr ORDER BY i.address")
    assert rows == [["192.0.2.200", "192.0.2.128/25"], ["192.0.2.7", "192.0.2.0/24"], ["2001:db8::1", "2001:db8::/32"]]
    first = store.cli_stats()
    store.cli("load", "prefixes", "--refresh")
    assert store.cli_stats() == first


def test_refresh_without_a_table_is_one_clear_error(store: Store) -> None:
    proc = store.cli("load", "prefixes", "--refresh", check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "error: no prefix table loaded yet: graphkit load prefixes FILE"


def test_prefix_table_matches_a_brute_force_search() -> None:
    rng = random.Random(5)
    table: PrefixTable[int] = PrefixTable()
    networks: list[tuple[ipaddress.IPv4Network, int]] = []
    for value in range(400):
        length = rng.choice([8, 12, 16, 20, 22, 24, 28, 32])
        network = ipaddress.ip_network((rng.getrandbits(32) >> (32 - length) << (32 - length), length))
        table.add(str(network.network_address), length, value)
        networks = [(n, v) for n, v in networks if n != network] + [(network, value)]
    for _ in range(3000):
        address = ipaddress.ip_address(
            rng.getrandbits(32)
            if rng.random() < 0.5
            else int(rng.choice(networks)[0].network_address) + rng.getrandbits(4)
        )
        holding = [(n, v) for n, v in networks if address in n]
        found = table.lookup(str(address))
        if not holding:
            assert found is None
            continue
        best = max(holding, key=lambda nv: nv[0].prefixlen)
        assert found is not None and (found.cidr, found.value) == (str(best[0]), best[1])
    assert table.lookup("not an address") is None
    assert table.lookup("2001:db8::1") is None


def test_prefix_table_rejects_what_is_no_prefix() -> None:
    table: PrefixTable[int] = PrefixTable()
    for network, length, reason in [
        ("10.0.0.1", 8, "host bits set"),
        ("10.0.0", 8, "not an IPv4 address"),
        ("10.0.0.0", 33, "out of range"),
    ]:
        try:
            table.add(network, length, 1)
        except BadPrefix as exc:
            assert reason in str(exc)
        else:
            raise AssertionError(f"{network}/{length} was accepted")
    assert table.add("2001:DB8::", 32, 1) == "2001:db8::/32" and len(table) == 1
