"""Privacy and proxy placeholders (graphkit.parsers.privacy): every entry of the table is
recognised in the spelling answers show, none becomes an Organization or a shared Email,
and two domains behind one placeholder share nothing in the canned queries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import Store
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit.model.records import EdgeRecord, NodeRecord, Record
from graphkit.parsers.privacy import (
    PLACEHOLDERS,
    PRIVACY_SERVICES,
    PROXY_EMAIL_DOMAINS,
    REDACTION_PHRASES,
    Placeholder,
    Withheld,
    fold,
    withheld,
)
from graphkit.parsers.registration import Contact, Registration, Tally, registration_records
from graphkit.query.catalogue import load_dir, run_query

QUERIES = load_dir(Path(__file__).resolve().parents[1] / "cypher")


def _domain_props(records: list[Record]) -> dict[str, Any]:
    (domain,) = [r for r in records if isinstance(r, NodeRecord) and r.label == "Domain"]
    return domain.props


def _linking(records: list[Record]) -> list[Record]:
    """Records that could join this domain to another: organisations and contact emails."""
    return [
        r
        for r in records
        if (isinstance(r, NodeRecord) and r.label in ("Organization", "Email"))
        or (isinstance(r, EdgeRecord) and r.to_label in ("Organization", "Email"))
    ]


@pytest.mark.parametrize("entry", PLACEHOLDERS, ids=lambda e: e.phrase)
def test_each_placeholder_is_recorded_on_the_domain(entry: Placeholder) -> None:
    assert entry.phrase == fold(entry.phrase), "the table holds folded words"
    assert entry.seen.strip(), "every entry says where it comes from"
    assert withheld(entry.example) is entry.why
    # as the organisation of one role and the (organisation-kind) name of another
    reg = Registration(
        "behind.example",
        contacts=[
            Contact("registrant", name=entry.example, organization=entry.example),
            Contact("administrative", name=entry.example, name_is_organization=True),
        ],
    )
    records = list(registration_records(reg, Tally()))
    assert _linking(records) == []
    props = _domain_props(records)
    assert props["redacted_roles"] == ["administrative", "registrant"]
    assert props.get("privacy_service") == (entry.example if entry.why is Withheld.PRIVACY_SERVICE else None)


def test_a_placeholder_naming_the_registrar_is_no_organization() -> None:
    # DreamHost's answer, as weppos/whois-parser's fixture of whois.dreamhost.com reads it
    reg = Registration(
        "adequatehq.example",
        registrar="DreamHost, LLC",
        contacts=[
            Contact(
                "registrant",
                name="PRIVATE REGISTRANT",
                organization="A HAPPY DREAMHOST CUSTOMER",
                emails=["ADEQUATEHQ.EXAMPLE@PROXY.DREAMHOST.COM"],
            )
        ],
    )
    records = list(registration_records(reg, Tally()))
    assert _linking(records) == []
    assert _domain_props(records)["privacy_service"] == "A HAPPY DREAMHOST CUSTOMER"
    # the same words at another registrar, unknown to the table: only stand-in words and the
    # registrar's own name, so a name the registrar gives every customer
    for registrar, name in (
        ("Example Names, Inc.", "A Valued Example Names Customer"),
        ("Example Names, Inc.", "Private Customer"),
        (None, "Whois Private Customer 123456"),
    ):
        reg = Registration("x.example", registrar=registrar, contacts=[Contact("registrant", organization=name)])
        records = list(registration_records(reg, Tally()))
        assert _linking(records) == [], name
        assert _domain_props(records)["privacy_service"] == name
    # real names with one of those words keep their Organization: a word of their own
    for registrar, name in (
        ("DreamHost, LLC", "DreamHost, LLC"),  # the registrar's own domains
        ("Example Names, Inc.", "Privacy International"),
        ("Example Names, Inc.", "Customer Dynamics Ltd"),
        ("Example Names, Inc.", "Proxy Networks, Inc."),
        (None, "A Happy Customer Bakery"),
    ):
        reg = Registration("x.example", registrar=registrar, contacts=[Contact("registrant", organization=name)])
        records = list(registration_records(reg, Tally()))
        assert [r.key for r in records if isinstance(r, NodeRecord) and r.label == "Organization"] == [name]


def test_relay_and_redacted_addresses_are_no_email_nodes() -> None:
    emails = ["redacted@nominet.example", "relay.example@domainsbyproxy.com", "domains@real-owner.example"]
    reg = Registration("relay.example", contacts=[Contact("registrant", emails=emails)])
    records = list(registration_records(reg, Tally()))
    emailed = [r.key for r in records if isinstance(r, NodeRecord) and r.label == "Email"]
    assert emailed == ["domains@real-owner.example"]
    # the relay's mail domain names the service; a redacted address names none
    assert _domain_props(records)["privacy_service"] == "domainsbyproxy.com"
    reg = Registration("masked.example", contacts=[Contact("registrant", emails=["redacted@nominet.example"])])
    records = list(registration_records(reg, Tally()))
    assert _linking(records) == []
    assert "privacy_service" not in _domain_props(records)


def _whois(domain: str, placeholder: str, relay: str) -> str:
    return (
        f"Domain Name: {domain}\n"
        f"Registrant Name: {placeholder}\nRegistrant Organization: {placeholder}\nRegistrant Email: {relay}\n"
        f"Admin Organization: {placeholder}\nAdmin Email: {relay}\nTech Name: {placeholder}\n"
    )


def test_two_domains_behind_one_placeholder_share_nothing(store: Store, tmp_path: Path) -> None:
    # each placeholder on two domains, with one relay address for both (as PrivacyProtect.org's
    # contact@privacyprotect.org was); no registrar or name servers, which would be true links
    pairs, files = [], []
    for n, entry in enumerate(PLACEHOLDERS):
        relay = f"contact@{PROXY_EMAIL_DOMAINS[n % len(PROXY_EMAIL_DOMAINS)]}"
        pair = (f"p{n}-a.example", f"p{n}-b.example")
        for domain in pair:
            files.append(tmp_path / f"{domain}.txt")
            files[-1].write_text(_whois(domain, entry.example, relay))
        pairs.append(pair)
    store.cli("load", "whois", *map(str, files))

    assert store.query("MATCH (o:Organization) RETURN count(o)") == [[0]]
    assert store.query("MATCH (e:Email) RETURN count(e)") == [[0]]
    backend = store.open(read_only=True)
    try:
        for a, b in pairs:
            shared = run_query(backend, QUERIES["shared-infrastructure"], {"domain": a}).rows
            assert shared == [], (a, shared)
            paths = run_query(backend, QUERIES["path-between"], {"from": a, "to": b, "max_hops": 6}).rows
            assert paths == [], (a, b, paths)
    finally:
        backend.close()


DREAMHOST = """Domain Name: {domain}
Registrar WHOIS Server: whois.dreamhost.com
Registrar: DreamHost, LLC
Registrar IANA ID: 431
Registrant Name: PRIVATE REGISTRANT
Registrant Organization: A HAPPY DREAMHOST CUSTOMER
Registrant Street: 417 ASSOCIATED RD #324, C/O {upper}
Registrant City: BREA
Registrant Country: US
Registrant Email: {upper}@PROXY.DREAMHOST.COM
Admin Name: PRIVATE REGISTRANT
Admin Organization: A HAPPY DREAMHOST CUSTOMER
Admin Email: {upper}@PROXY.DREAMHOST.COM
Name Server: NS1.DREAMHOST.COM
"""


def test_two_dreamhost_customers_share_only_the_registrar_and_name_server(store: Store, tmp_path: Path) -> None:
    files = []
    for domain in ("bakery.example", "lawfirm.example"):
        files.append(tmp_path / f"{domain}.txt")
        files[-1].write_text(DREAMHOST.format(domain=domain, upper=domain.upper()))
    store.cli("load", "whois", *map(str, files))
    backend = store.open(read_only=True)
    try:
        shared = run_query(backend, QUERIES["shared-infrastructure"], {"domain": "bakery.example"}).rows
        paths = run_query(
            backend, QUERIES["path-between"], {"from": "bakery.example", "to": "lawfirm.example", "max_hops": 6}
        ).rows
    finally:
        backend.close()
    # what they do share is true: the registrar and its name server; never a registrant
    assert [(kind, domain) for kind, _, _, _, domain in shared] == [
        ("name server", "lawfirm.example"),
        ("registrar", "lawfirm.example"),
    ]
    assert sorted(labels[1] for _, _, labels, _ in paths) == ["Domain", "Registrar"]
    assert store.query(
        "MATCH (d:Domain) WHERE d.name IN ['bakery.example', 'lawfirm.example'] "
        "RETURN d.name, d.privacy_service, d.redacted_roles ORDER BY d.name"
    ) == [
        ["bakery.example", "A HAPPY DREAMHOST CUSTOMER", ["administrative", "registrant"]],
        ["lawfirm.example", "A HAPPY DREAMHOST CUSTOMER", ["administrative", "registrant"]],
    ]


PHRASE_WORDS = sorted({word for p in PLACEHOLDERS for word in p.phrase.split()} | {"acme", "inc", "x"})


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(PHRASE_WORDS), min_size=1, max_size=6))
def test_phrases_match_as_whole_words(words: list[str]) -> None:
    """The compiled phrase lists match exactly where a phrase is a run of whole words."""
    folded = " ".join(words)
    padded = f" {folded} "
    expected = Withheld.PRIVACY_SERVICE if any(f" {p} " in padded for p in PRIVACY_SERVICES) else None
    if expected is None and any(f" {p} " in padded for p in REDACTION_PHRASES):
        expected = Withheld.REDACTED
    if expected is not None:
        assert withheld(folded) is expected
    else:
        assert withheld(folded) in (None, Withheld.PRIVACY_SERVICE)  # None, or a stand-in name
