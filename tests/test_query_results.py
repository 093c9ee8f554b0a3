"""Every canned query's rows on the fixture graph (tests/query_fixture.py), on both stores,
and one parity test that runs every query on both and demands the same rows.

Expected rows come from the fixture's tables: computed here in plain Python for the
lookup queries, written out by hand for the others.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import query_fixture as fx
from helpers import Store, neo4j_test_uri

from graphkit.backends.base import Backend
from graphkit.backends.store import clear_neo4j
from graphkit.model.names import organization_key
from graphkit.query.catalogue import load_dir, run_query

QUERIES = load_dir(Path(__file__).resolve().parents[1] / "cypher")
MAIL1 = fx.MAIL1


@pytest.fixture(scope="module")
def embedded_graph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    backend = Store("embedded", str(tmp_path_factory.mktemp("queries") / "graph.lbdb")).open()
    fx.load(backend)
    yield backend
    backend.close()


@pytest.fixture(scope="module")
def neo4j_graph() -> Iterator[Backend]:
    uri = neo4j_test_uri()
    clear_neo4j(uri)
    backend = Store("neo4j", uri).open()
    fx.load(backend)
    yield backend
    backend.close()


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def graph(request: pytest.FixtureRequest) -> Backend:
    backend: Backend = request.getfixturevalue(f"{request.param}_graph")
    return backend


def rows(graph: Backend, name: str, **params: Any) -> list[list[Any]]:
    result = run_query(graph, QUERIES[name], params)
    assert result.columns == [c.name for c in QUERIES[name].columns]
    return result.rows


# -- the lookups, by source, computed from the fixture table ----------------------------


def source_of(client: str, group_by: str) -> tuple[str, str]:
    """(source shown, kind) of a client address, by the fixture's organization table."""
    org = fx.CLIENT_ORGANIZATION[client] if group_by == "organization" else None
    return (org, "organization") if org else (client, "address")


def source_key(source: str, kind: str) -> str:
    return organization_key(source) if kind == "organization" else source


def lookups(name: str | None = None, since: str = "0000", until: str = "9999") -> list[fx.Lookup]:
    return [lk for lk in fx.LOOKUPS if (name is None or lk.name == name) and since <= lk.day <= until]


def concentration(group_by: str, min_total: int, min_share: float) -> list[list[Any]]:
    per_name: dict[str, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    for lk in lookups():
        per_name[lk.name][source_of(lk.client, group_by)] += lk.count
    out = []
    for name, counts in per_name.items():
        total = sum(counts.values())
        ranked = sorted(counts.values(), reverse=True)
        if total < min_total or ranked[0] / total < min_share:
            continue
        top2 = sum(ranked[:2])
        hhi = sum((n / total) ** 2 for n in counts.values())
        for (source, kind), n in counts.items():
            out.append(
                [name, total, len(counts), round(ranked[0] / total, 4), round(top2 / total, 4), round(hhi, 4),
                 source, kind, n, round(n / total, 4), source_key(source, kind)]
            )  # fmt: skip
    out.sort(key=lambda r: (-r[3], -r[1], r[0], -r[8], r[10]))
    return [r[:-1] for r in out]


def test_lookup_concentration_gives_the_case_shares(graph: Backend) -> None:
    got = rows(graph, "lookup-concentration", domain=MAIL1)
    # 2,820 of 3,548 from the bank's two resolvers, 714 from the health company, 14 from three others
    assert [(r[6], r[8], r[9]) for r in got] == [
        ("Alfa-Bank", 2820, 0.7948),
        ("Spectrum Health", 714, 0.2012),
        ("198.51.100.7", 6, 0.0017),
        ("Example Telecom", 5, 0.0014),
        ("192.0.2.33", 3, 0.0008),
    ]
    total, top, top2, hhi = got[0][1], got[0][3], got[0][4], got[0][5]
    assert (total, top, top2) == (3548, round(2820 / 3548, 4), round(3534 / 3548, 4)) == (3548, 0.7948, 0.9961)
    assert hhi == round((2820**2 + 714**2 + 6**2 + 5**2 + 3**2) / 3548**2, 4)


@pytest.mark.parametrize(
    ("group_by", "min_total", "min_share"),
    [("organization", 100, 0.5), ("organization", 1, 0.0), ("client", 1, 0.0), ("client", 100, 0.5)],
)
def test_lookup_concentration_over_all_names(graph: Backend, group_by: str, min_total: int, min_share: float) -> None:
    expected = concentration(group_by, min_total, min_share)
    got = rows(graph, "lookup-concentration", group_by=group_by, min_total=min_total, min_share=min_share)
    assert got == expected
    if (group_by, min_share) == ("client", 0.5):
        assert got == []  # no single resolver made half the lookups: the bank's two split them
    if min_total == 1 and group_by == "organization":
        google = [r for r in got if r[0] == "www.google.com"]
        assert google[0][4] == round(100 / 170, 4)  # two sources tied at the top: both count in the top two


def test_lookup_concentration_window(graph: Backend) -> None:
    got = rows(graph, "lookup-concentration", domain=MAIL1, since="2016-06-01", until="2016-07-31", min_share=0)
    assert [(r[1], r[6], r[8]) for r in got] == [
        (1455, "Alfa-Bank", 1130),
        (1455, "Spectrum Health", 314),
        (1455, "198.51.100.7", 6),
        (1455, "Example Telecom", 5),
    ]


def sources_table(name: str, group_by: str, since: str = "0000", until: str = "9999") -> list[list[Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for lk in lookups(name, since, until):
        times = lk.times()
        entry = found.setdefault(source_of(lk.client, group_by), {"n": 0, "clients": set(), "first": [], "last": []})
        entry["n"] += lk.count
        entry["clients"].add(lk.client)
        entry["first"].append(times.get("first_seen", lk.day))
        entry["last"].append(times.get("last_seen", lk.day))
    total = sum(e["n"] for e in found.values())
    out = [
        [source, kind, e["n"], round(e["n"] / total, 4), sorted(e["clients"]), min(e["first"]), max(e["last"])]
        for (source, kind), e in found.items()
    ]
    return sorted(out, key=lambda r: (-r[2], source_key(r[0], r[1])))


@pytest.mark.parametrize(
    ("group_by", "since", "until"),
    [("organization", None, None), ("client", None, None), ("client", "2016-06-01", "2016-08-31")],
)
def test_lookup_sources(graph: Backend, group_by: str, since: str | None, until: str | None) -> None:
    got = rows(graph, "lookup-sources", domain=MAIL1, group_by=group_by, since=since, until=until)
    assert got == sources_table(MAIL1, group_by, since or "0000", until or "9999")
    if group_by == "organization":
        assert got[0][:5] == ["Alfa-Bank", "organization", 2820, 0.7948, ["217.12.96.15", "217.12.97.15"]]
        assert got[0][5:] == ["2016-05-04T03:12:00Z", "2016-08-01T23:59:00Z"]
        assert got[-1][5:] == ["2016-09-23", "2016-09-23"]  # no times logged: the day stands in


def test_co_lookup_weights_rare_names(graph: Backend) -> None:
    source = "217.12.96.15"
    clients_of: dict[str, set[str]] = defaultdict(set)
    for lk in fx.LOOKUPS:
        clients_of[lk.name].add(lk.client)
    mine = {name for name, clients in clients_of.items() if source in clients}
    expected: dict[str, list[Any]] = {}
    for name in sorted(mine):
        for other in clients_of[name] - {source}:
            entry = expected.setdefault(other, [other, 0.0, 0, []])
            entry[1] += 1 / (len(clients_of[name]) - 1)
            entry[2] += 1
            entry[3].append(name)
    table = sorted(
        ([c, round(s, 4), n, names] for c, s, n, names in expected.values()), key=lambda r: (-r[1], -r[2], r[0])
    )
    assert rows(graph, "co-lookup", source=source) == table
    assert table[0] == ["217.12.97.15", 1.2, 2, [MAIL1, "trump1.contact-client.com"]]
    assert rows(graph, "co-lookup", source=source, min_overlap=2) == [r for r in table if r[2] >= 2]


def test_shared_infrastructure_lists_rare_elements_and_counts_common_ones(graph: Backend) -> None:
    # trump-email.com shares Cendyn's name servers, admin contact, email and SPF include, its
    # registrant with trumphotels.com; the registrar, netblock and ASN are shared by 4 > 3.
    # The privacy-proxy email it shares with hotel-client1.com is no pivot.
    assert rows(graph, "shared-infrastructure", domain="trump-email.com", max_degree=3) == [
        ["email", "admin@cendyn.com", 2, False, "contact-client.com"],
        ["name server", "ns3.cdcservices.com", 2, False, "contact-client.com"],
        ["registrant", "Trump Organization", 2, False, "trumphotels.com"],
        ["spf include", "spf.cdcservices.com", 2, False, "contact-client.com"],
        ["admin", "Cendyn", 3, False, "contact-client.com"],
        ["admin", "Cendyn", 3, False, "hotel-client1.com"],
        ["name server", "ns1.cdcservices.com", 3, False, "contact-client.com"],
        ["name server", "ns1.cdcservices.com", 3, False, "hotel-client1.com"],
        ["name server", "ns2.cdcservices.com", 3, False, "contact-client.com"],
        ["name server", "ns2.cdcservices.com", 3, False, "hotel-client1.com"],
        ["asn", "AS64501", 4, True, None],
        ["netblock", "64.71.168.0/24", 4, True, None],
        ["registrar", "GoDaddy.com, LLC", 4, True, None],
    ]


def test_shared_infrastructure_address_mail_server_and_netblock(graph: Backend) -> None:
    cendyn_block = [
        "hotel1.cendyn-mail.com",
        "mail.contact-client.com",
        MAIL1,
        "mx.cdcservices.com",
        "trump1.contact-client.com",
    ]
    assert rows(graph, "shared-infrastructure", domain="hotel-client1.com") == [
        ["address", "66.216.133.40", 2, False, "hotel1.cendyn-mail.com"],
        ["mail server", "mx.cdcservices.com", 2, False, "contact-client.com"],
        ["admin", "Cendyn", 3, False, "contact-client.com"],
        ["admin", "Cendyn", 3, False, "trump-email.com"],
        ["name server", "ns1.cdcservices.com", 3, False, "contact-client.com"],
        ["name server", "ns1.cdcservices.com", 3, False, "trump-email.com"],
        ["name server", "ns2.cdcservices.com", 3, False, "contact-client.com"],
        ["name server", "ns2.cdcservices.com", 3, False, "trump-email.com"],
        ["registrar", "GoDaddy.com, LLC", 4, False, "contact-client.com"],
        ["registrar", "GoDaddy.com, LLC", 4, False, "trump-email.com"],
        ["registrar", "GoDaddy.com, LLC", 4, False, "trumphotels.com"],
        *[["netblock", "66.216.128.0/19", 6, False, name] for name in cendyn_block],
    ]
    assert rows(graph, "shared-infrastructure", domain="no-such-domain.example") == []


def test_registrant_vs_operator_shows_the_three_way_split(graph: Backend) -> None:
    ns = ["ns1.cdcservices.com", "ns2.cdcservices.com", "ns3.cdcservices.com"]
    trump, cendyn, hotels = fx.TRUMP, fx.CENDYN, fx.HOTELS
    assert rows(graph, "registrant-vs-operator") == [
        ["contact-client.com", cendyn, cendyn, "mail server", cendyn, ["mx.cdcservices.com"], "registrant", False],
        ["contact-client.com", cendyn, cendyn, "name server", cendyn, ns, "registrant", False],
        ["hotel-client1.com", hotels, cendyn, "address", cendyn, ["66.216.133.40"], "admin contact", True],
        ["hotel-client1.com", hotels, cendyn, "mail server", cendyn, ["mx.cdcservices.com"], "admin contact", True],
        ["hotel-client1.com", hotels, cendyn, "name server", cendyn, ns[:2], "admin contact", True],
        ["trump-email.com", trump, cendyn, "address", cendyn, ["64.71.168.20"], "admin contact", True],
        # the mail server's address is attributed to Listrak, over its netblock's holder (Cendyn)
        ["trump-email.com", trump, cendyn, "mail server", fx.LISTRAK, [MAIL1], "other", True],
        # name servers: 64.71.168.0/24 has no holder, so its ASN's operator (Cendyn) stands
        ["trump-email.com", trump, cendyn, "name server", cendyn, ns, "admin contact", True],
        ["trumphotels.com", trump, None, "name server", None, ["ns-a.trumporg.example"], None, None],
    ]
    assert rows(graph, "registrant-vs-operator", domain=MAIL1) == [
        [MAIL1, None, None, "address", fx.LISTRAK, ["66.216.133.29"], "other", True]
    ]


def test_path_between_the_bank_and_the_mail_server(graph: Backend) -> None:
    # four parallel LOOKED_UP relationships (days, qtypes) make one path
    assert rows(graph, "path-between", **{"from": "Alfa-Bank", "to": MAIL1}) == [
        [
            3,
            ["alfa bank", "217.12.96.0/23", "217.12.96.15", MAIL1],
            ["Organization", "Netblock", "IPAddress", "Domain"],
            ["<-[ALLOCATED_TO]-", "<-[IN_NETBLOCK]-", "-[LOOKED_UP]->"],
        ]
    ]
    via = [("217.12.96.0/23", "217.12.96.15"), ("217.12.97.0/24", "217.12.97.15")]
    assert rows(graph, "path-between", **{"from": "as15632", "to": "trump-email.com", "max_hops": 6}) == [
        [4, ["AS15632", block, client, MAIL1, "trump-email.com"], ["ASN", "Netblock", "IPAddress", "Domain", "Domain"],
         ["<-[ANNOUNCED_BY]-", "<-[IN_NETBLOCK]-", "-[LOOKED_UP]->", last]]
        for block, client in via for last in ("-[SUBDOMAIN_OF]->", "<-[USES_MAIL_SERVER]-")
    ]  # fmt: skip
    assert rows(graph, "path-between", **{"from": "15632", "to": "trump-email.com", "max_hops": 3}) == []
    assert rows(graph, "path-between", **{"from": "admin@cendyn.com", "to": "Trump Organization"}) == [
        [
            2,
            ["admin@cendyn.com", "trump-email.com", "trump organization"],
            ["Email", "Domain", "Organization"],
            ["<-[HAS_CONTACT_EMAIL]-", "-[REGISTERED_BY]->"],
        ]
    ]


def week_of(day: str) -> str:
    date = dt.date.fromisoformat(day)
    return (date - dt.timedelta(days=date.weekday())).isoformat()


@pytest.mark.parametrize("bucket", ["day", "week", "month"])
def test_lookup_timeline(graph: Backend, bucket: str) -> None:
    cut = {"day": lambda d: d, "week": week_of, "month": lambda d: d[:7]}[bucket]
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    for lk in lookups(MAIL1):
        source, kind = source_of(lk.client, "organization")
        counts[(cut(lk.day), source, kind)] += lk.count
    expected = sorted(
        ([b, s, k, n] for (b, s, k), n in counts.items()), key=lambda r: (r[0], -r[3], source_key(r[1], r[2]))
    )
    assert rows(graph, "lookup-timeline", domain=MAIL1, bucket=bucket) == expected
    if bucket == "week":
        assert expected[0] == ["2016-05-02", "Alfa-Bank", "organization", 1100]


def test_lookup_timeline_of_one_source(graph: Backend) -> None:
    bank = [["2016-05-04", "217.12.96.15", "address", 400], ["2016-06-14", "217.12.96.15", "address", 600],
            ["2016-07-20", "217.12.96.15", "address", 530]]  # fmt: skip
    assert rows(graph, "lookup-timeline", domain=MAIL1, source="217.12.96.15", group_by="client") == bank
    by_org = rows(graph, "lookup-timeline", domain=MAIL1, source="alfa bank", bucket="month", until="2016-07-31")
    assert by_org == [["2016-05", "Alfa-Bank", "organization", 1100], ["2016-06", "Alfa-Bank", "organization", 600],
                      ["2016-07", "Alfa-Bank", "organization", 530]]  # fmt: skip


def test_cohosted_by_name_and_by_address(graph: Backend) -> None:
    block, seen = "66.216.128.0/19", ("2016-01-01T00:00:00Z", "2016-12-31T00:00:00Z")
    netblock = [
        ["netblock", block, "hotel-client1.com", "66.216.133.40", "2016-02-01T00:00:00Z", "2016-12-01T00:00:00Z"],
        ["netblock", block, "hotel1.cendyn-mail.com", "66.216.133.40", None, None],
        ["netblock", block, "mail.contact-client.com", "66.216.133.31", "2016-03-01T00:00:00Z", "2016-10-01T00:00:00Z"],
        ["netblock", block, "mx.cdcservices.com", "66.216.133.50", *seen],
    ]
    successor = ["address", "66.216.133.29", "trump1.contact-client.com", "66.216.133.29", "2016-09-27T09:00:00Z",
                 "2016-10-05T12:00:00Z"]  # fmt: skip
    assert rows(graph, "cohosted", target=MAIL1) == [successor, *netblock]
    itself = ["address", "66.216.133.29", MAIL1, "66.216.133.29", "2016-04-21T10:00:00Z", "2016-09-23T14:00:00Z"]
    assert rows(graph, "cohosted", target="66.216.133.29") == [itself, successor, *netblock]
    assert rows(graph, "cohosted", target="192.0.2.1") == []


def test_certificates_in_cohosted_and_shared_infrastructure(graph: Backend) -> None:
    shop, api = fx.TLS_NAMES[0], "api.other-tls.test"
    # .10 and .11 presented the same certificate: api's address is co-hosted by certificate
    assert rows(graph, "cohosted", target="203.0.113.10") == [
        ["address", "203.0.113.10", shop, "203.0.113.10", None, None],
        ["certificate", fx.CERT_A, api, "203.0.113.11", None, None],
    ]
    # ... but not when a certificate presented by two servers already counts as a CDN's
    assert rows(graph, "cohosted", target="203.0.113.10", max_servers=2) == [
        ["address", "203.0.113.10", shop, "203.0.113.10", None, None]
    ]
    found = rows(graph, "shared-infrastructure", domain=shop)
    assert ["served certificate", fx.CERT_A, 2, False, api] in found
    assert ["certificate", fx.CERT_A, 2, False, "*.example-tls.test"] in found
    assert ["certificate", fx.CERT_B, 2, False, "*.example-tls.test"] in found
    assert not [row for row in found if row[1] == fx.CRTSH_OF_A[0]]  # names only the shop itself
    assert ["certificate", fx.CERT_A, 2, True, None] in rows(graph, "shared-infrastructure", domain=shop, max_degree=1)


def test_certificate_queries(graph: Backend) -> None:
    shop = fx.TLS_NAMES[0]
    shop_subject = "CN=shop.example-tls.test"
    assert rows(graph, "shared-certificate", target="203.0.113.11") == [
        [fx.CERT_A, "certificate", shop_subject, "203.0.113.10", 2, 5, "2016-03-01T10:00:00Z", "2016-04-01T10:00:00Z"],
        [fx.CERT_A, "certificate", shop_subject, "203.0.113.11", 2, 2, "2016-03-05T10:00:00Z", "2016-03-06T10:00:00Z"],
        # the same certificate by its SHA-1 (as Suricata logs it) is the target's too
        [fx.CERT_A_SHA1, "certificate", shop_subject, fx.SHA1_SERVER, 2, 1, "2016-03-02T10:00:00Z", "2016-03-02T10:00:00Z"],
        [fx.CERT_A_SHA1, "certificate", shop_subject, fx.SHA1_SERVER_2, 2, 1, "2016-03-02T10:00:00Z", "2016-03-02T10:00:00Z"],
        [fx.CERT_B, "names", shop_subject, "203.0.113.10", 1, 7, "2016-06-02T10:00:00Z", "2016-07-01T10:00:00Z"],
        # the crt.sh entry names what the SHA-1 one names (the shop alone); no server presented it
        [fx.CRTSH_OF_A[0], "names", None, None, 0, None, None, None],
    ]  # fmt: skip
    # a certificate on more servers than max_servers: counted, not listed
    assert rows(graph, "shared-certificate", target=fx.CERT_A, max_servers=1)[0] == [
        fx.CERT_A,
        "certificate",
        "CN=shop.example-tls.test",
        None,
        2,
        None,
        None,
        None,
    ]
    assert rows(graph, "certificate-names", certificate=fx.CERT_A) == [
        ["*.example-tls.test", "name", None, None, None],
        [shop, "name", "203.0.113.10", None, None],
    ]
    timeline = rows(graph, "certificate-timeline", domain=shop)
    # the crt.sh entry of A (same issuer and serial) gives A its CT entry time
    assert [row[0] for row in timeline] == [fx.CERT_A_SHA1] * 2 + [fx.CRTSH_OF_A[0], fx.CERT_A, fx.CERT_A, fx.CERT_B]
    assert timeline[3][4] == fx.CRTSH_OF_A[1] and timeline[3][5:8] == ["203.0.113.10", 443, 5]
    assert timeline[5][4] is None


def test_reverse_mismatch(graph: Backend) -> None:
    # 66.216.133.29 -> mail1 and 64.71.168.10 -> ns1 point back; the other two do not
    assert rows(graph, "reverse-mismatch") == [
        ["66.216.133.30", "mail.contact-client.com", ["66.216.133.31"], "2016-03-01T00:00:00Z", None],
        ["66.216.133.32", "ghost.cdcservices.com", [], None, None],
    ]
    assert rows(graph, "reverse-mismatch", cidr="64.71.168.0/24") == []


@pytest.mark.parametrize(("max_sources", "min_lookups"), [(2, 10), (1, 1), (6, 1)])
def test_rare_names(graph: Backend, max_sources: int, min_lookups: int) -> None:
    per_name: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for lk in fx.LOOKUPS:
        per_name[lk.name][lk.client] += lk.count
    expected = []
    for name, clients in per_name.items():
        total = sum(clients.values())
        if len(clients) <= max_sources and total >= min_lookups:
            expected += [[name, len(clients), total, client, n] for client, n in clients.items()]
    expected.sort(key=lambda r: (r[1], -r[2], r[0], -r[4], r[3]))
    assert rows(graph, "rare-names", max_sources=max_sources, min_lookups=min_lookups) == expected
    if (max_sources, min_lookups) == (2, 10):
        assert [r[0] for r in expected] == ["trump1.contact-client.com"] * 2 + ["hotel-client1.com"] * 2


def test_neighborhood_one_and_two_hops(graph: Backend) -> None:
    hop1 = [
        [1, "Domain", MAIL1, "RESOLVES_TO", "IPAddress", "66.216.133.29", 1],
        [1, "Domain", MAIL1, "SUBDOMAIN_OF", "Domain", "trump-email.com", 1],
        [1, "Domain", "trump-email.com", "USES_MAIL_SERVER", "Domain", MAIL1, 1],
        *[[1, "IPAddress", c, "LOOKED_UP", "Domain", MAIL1, n] for c, n in
          (("167.73.110.8", 2), ("192.0.2.33", 1), ("198.51.100.7", 1), ("203.0.113.9", 1), ("217.12.96.15", 4),
           ("217.12.97.15", 2))],
        [1, "IPAddress", "66.216.133.29", "POINTER_TO", "Domain", MAIL1, 1],
    ]  # fmt: skip
    assert rows(graph, "neighborhood", key=MAIL1) == hop1
    # with 4 nodes per hop: trump-email.com and the first three clients, then four of their neighbours
    assert rows(graph, "neighborhood", key="Mail1.Trump-Email.com", hops=2, limit=4) == [
        [1, "Domain", MAIL1, "SUBDOMAIN_OF", "Domain", "trump-email.com", 1],
        [1, "Domain", "trump-email.com", "USES_MAIL_SERVER", "Domain", MAIL1, 1],
        [1, "IPAddress", "167.73.110.8", "LOOKED_UP", "Domain", MAIL1, 2],
        [1, "IPAddress", "192.0.2.33", "LOOKED_UP", "Domain", MAIL1, 1],
        [1, "IPAddress", "198.51.100.7", "LOOKED_UP", "Domain", MAIL1, 1],
        [2, "Domain", "trump-email.com", "USES_NAMESERVER", "Domain", "ns1.cdcservices.com", 1],
        [2, "Domain", "trump-email.com", "USES_NAMESERVER", "Domain", "ns2.cdcservices.com", 1],
        [2, "Domain", "trump-email.com", "USES_NAMESERVER", "Domain", "ns3.cdcservices.com", 1],
        [2, "IPAddress", "167.73.110.8", "LOOKED_UP", "Domain", "hotel-client1.com", 1],
        [2, "IPAddress", "198.51.100.7", "LOOKED_UP", "Domain", "hotel-client1.com", 1],
    ]
    assert rows(graph, "neighborhood", key="AS15632") == [
        [1, "ASN", "AS15632", "OPERATED_BY", "Organization", "alfa bank", 1],
        [1, "Netblock", "217.12.96.0/23", "ANNOUNCED_BY", "ASN", "AS15632", 1],
        [1, "Netblock", "217.12.97.0/24", "ANNOUNCED_BY", "ASN", "AS15632", 1],
    ]


def test_infrastructure_changes_in_september(graph: Backend) -> None:
    assert rows(graph, "infrastructure-changes", domain="trump-email.com", since="2016-09-01", until="2016-09-30") == [
        ["2016-09-23T14:00:00Z", "last seen", MAIL1, "A/AAAA", "66.216.133.29"],
        ["2016-09-26T00:00:00Z", "last seen", "trump-email.com", "A/AAAA", "64.71.168.20"],
        ["2016-09-30T00:00:00Z", "last seen", MAIL1, "PTR", "66.216.133.29"],
    ]
    assert rows(
        graph, "infrastructure-changes", domain="contact-client.com", since="2016-09-27", until="2016-09-27"
    ) == [
        ["2016-09-27T09:00:00Z", "first seen", "trump1.contact-client.com", "A/AAAA", "66.216.133.29"],
    ]


# -- parity: the same rows from both stores ----------------------------------------------

PARITY_CASES: dict[str, list[dict[str, Any]]] = {
    "lookup-concentration": [
        {},
        {"min_total": 1, "min_share": 0},
        {"group_by": "client", "min_total": 1, "min_share": 0},
    ],
    "lookup-sources": [{"domain": MAIL1}, {"domain": "www.google.com", "group_by": "client"}],
    "co-lookup": [{"source": "217.12.96.15"}, {"source": "167.73.110.8", "min_overlap": 2}],
    "shared-infrastructure": [
        {"domain": d} for d in ("trump-email.com", "hotel-client1.com", "contact-client.com", fx.TLS_NAMES[0])
    ],
    "registrant-vs-operator": [{}, {"domain": MAIL1}],
    "path-between": [
        {"from": "Alfa-Bank", "to": "Listrak", "max_hops": 6},
        {"from": "Spectrum Health", "to": "Cendyn"},
    ],
    "lookup-timeline": [{"domain": MAIL1, "bucket": b} for b in ("day", "week", "month")],
    "cohosted": [{"target": MAIL1}, {"target": "64.71.168.10"}, {"target": "203.0.113.10"}],
    "reverse-mismatch": [{}],
    "rare-names": [{}, {"max_sources": 5, "min_lookups": 1}],
    "neighborhood": [{"key": "Cendyn", "hops": 2, "limit": 5}, {"key": "66.216.128.0/19", "hops": 2}],
    "infrastructure-changes": [{"domain": "trump-email.com"}, {"domain": "cdcservices.com"}],
    "shared-certificate": [{"target": fx.CERT_A}, {"target": "203.0.113.11"}, {"target": fx.TLS_NAMES[0]}],
    "certificate-names": [{"certificate": fx.CERT_A}, {"certificate": fx.CRTSH_OF_A[0]}],
    "certificate-timeline": [{"domain": fx.TLS_NAMES[0]}],
}


def test_parity_cases_cover_every_query() -> None:
    # the queries over `graphkit analyze` results are compared in test_analyze.py
    assert set(PARITY_CASES) == {name for name, query in QUERIES.items() if not query.needs}


@pytest.mark.neo4j
@pytest.mark.parametrize("name", sorted(PARITY_CASES))
def test_both_stores_give_the_same_rows(name: str, embedded_graph: Backend, neo4j_graph: Backend) -> None:
    for params in PARITY_CASES[name]:
        embedded = run_query(embedded_graph, QUERIES[name], params)
        neo4j = run_query(neo4j_graph, QUERIES[name], params)
        assert embedded.columns == neo4j.columns == [c.name for c in QUERIES[name].columns]
        assert embedded.rows == neo4j.rows, params
        assert embedded.rows, f"{name} {params}: no rows, so nothing was compared"


# -- empty answers explain themselves -----------------------------------------------------------

# a query with filters -> parameters under which a filter hides every row, and what is said of it
HIDDEN_BY_FILTER: dict[str, tuple[dict[str, Any], str]] = {
    "co-lookup": ({"source": "217.12.96.15", "min_overlap": 1000}, "min_overlap=1000 (given): add -p min_overlap=1"),
    "cohosted": ({"target": fx.SHA1_SERVER, "max_servers": 2}, "max_servers=2 (given): add -p max_servers=1000000000"),
    "infrastructure-changes": ({"domain": "trump-email.com", "since": "2030-01-01"}, "since=2030-01-01 (given): leave out -p since"),
    "lookup-concentration": ({"domain": "trump1.contact-client.com"}, "min_total=100 (the default): add -p min_total=1"),
    "lookup-sources": ({"domain": MAIL1, "until": "2000-01-01"}, "until=2000-01-01 (given): leave out -p until"),
    "lookup-timeline": ({"domain": MAIL1, "source": "192.0.2.250"}, "source=192.0.2.250 (given): leave out -p source"),
    "path-between": ({"from": "Alfa-Bank", "to": "Listrak", "max_hops": 1}, "max_hops=1 (given): add -p max_hops=6"),
    "rare-names": ({"min_lookups": 10**9}, "min_lookups=1000000000 (given): add -p min_lookups=1"),
}  # fmt: skip


def test_every_query_with_filters_has_an_explained_case() -> None:
    assert set(HIDDEN_BY_FILTER) == {name for name, query in QUERIES.items() if query.filters}


@pytest.mark.parametrize("name", sorted(HIDDEN_BY_FILTER))
def test_an_empty_answer_names_the_filter_that_hid_the_rows(graph: Backend, name: str) -> None:
    from graphkit.query.explain import why_empty

    params, said = HIDDEN_BY_FILTER[name]
    query = QUERIES[name]
    given = {k: v for k, v in params.items() if not (name == "lookup-concentration" and k == "min_total")}
    bound = query.bind(params)
    assert run_query(graph, query, bound).rows == []
    lines = why_empty(graph, query, bound, given)
    assert len(lines) == 1 and lines[0].endswith(said), lines
    assert re.match(r"^\d+ rows? hidden by ", lines[0])


def test_a_default_filter_is_named_before_a_given_one_and_filters_hiding_rows_together_are_named_together(
    graph: Backend,
) -> None:
    from graphkit.query.explain import why_empty

    def why(name: str, **params: Any) -> list[str]:
        bound = QUERIES[name].bind(params)
        assert run_query(graph, QUERIES[name], bound).rows == []
        return why_empty(graph, QUERIES[name], bound, params)

    # one day of mail1's lookups (192.0.2.33's 3): min_total hides it, and so would the given
    # window's since (up to that day, Alfa-Bank's 2,230 of 2,958), but the default is named alone
    last_day = {"domain": MAIL1, "since": "2016-09-23", "until": "2016-09-23"}
    assert why("lookup-concentration", **last_day) == [
        "1 row hidden by min_total=100 (the default): add -p min_total=1"
    ]
    # a window that ends before it starts: neither end alone shows anything, both together do
    sources = len(run_query(graph, QUERIES["lookup-sources"], {"domain": MAIL1}).rows)
    assert why("lookup-sources", domain=MAIL1, since="2030-01-01", until="2000-01-01") == [
        f"{sources} rows hidden by since=2030-01-01 (given), until=2000-01-01 (given): leave out -p since; "
        "leave out -p until"
    ]


def test_an_empty_answer_says_what_is_not_there_or_what_is(graph: Backend) -> None:
    from graphkit.query.explain import why_empty

    def why(name: str, **params: Any) -> list[str]:
        bound = QUERIES[name].bind(params)
        assert run_query(graph, QUERIES[name], bound).rows == []
        return why_empty(graph, QUERIES[name], bound, params)

    assert why("lookup-sources", domain="mail2.trump-email.com") == [
        "mail2.trump-email.com is not in the graph by that name; nearest: mail1.trump-email.com, trump-email.com"
    ]
    assert why("path-between", **{"from": "Alfa", "to": "Listrak"})[0].startswith(
        "Alfa is not in the graph by that name"
    )
    # there, with nothing of the kind: what it has, by relationship type, most first
    (said,) = why("lookup-sources", domain="trump-email.com")
    assert said.startswith("trump-email.com is in the graph, with nothing this query asks for; it has ")
    servers = len(fx.NAME_SERVERS["trump-email.com"])
    assert f"{servers} USES_NAMESERVER" in said and "1 REGISTERED_BY" in said and "LOOKED_UP" not in said
