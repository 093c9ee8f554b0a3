"""Organization identity (names.organization_key) and withheld registration data (privacy):
only trivial spellings merge, and no redaction or privacy-proxy value ever becomes an
Organization or links two domains, whichever format it arrives in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import Store

from graphkit.model.names import InvalidName, organization_key
from graphkit.parsers.privacy import Withheld, is_generic_contact, is_proxy_email, withheld

SAME = [
    ("Listrak, Inc.", "LISTRAK INC", "Listrak Inc", "listrak,  inc"),
    ("The Trump Organization", "Trump Organization", "TRUMP ORGANIZATION"),
    ("Alfa-Bank JSC", "JSC Alfa-Bank", "ALFA-BANK", "Alfa Bank"),
    ("Acme S.A.", "ACME SA", "Acme, S.A."),
    ("Go Daddy Operating Company, LLC", "Go Daddy Operating Company LLC", "Go Daddy Operating L.L.C."),
    ("Gandi SAS", "GANDI SAS", "Gandi"),
    ("ООО Ромашка", "Ромашка"),
]
DIFFERENT = [
    ("Cendyn", "Cendyn Group"),
    ("Alfa-Bank", "Alfa-Bank Moscow Russia"),
    ("Tucows.com Co", "Tucows ( Delaware ) Inc."),
    ("Spectrum Health", "Spectrum"),
    ("GoDaddy.com, LLC", "Go Daddy Operating Company, LLC"),
]


@pytest.mark.parametrize("spellings", SAME)
def test_trivial_variants_share_a_key(spellings: tuple[str, ...]) -> None:
    assert len({organization_key(s) for s in spellings}) == 1, [organization_key(s) for s in spellings]


@pytest.mark.parametrize("pair", DIFFERENT)
def test_names_with_a_word_of_their_own_stay_apart(pair: tuple[str, str]) -> None:
    assert organization_key(pair[0]) != organization_key(pair[1])


def test_a_name_made_only_of_legal_forms_keeps_them() -> None:
    assert organization_key("The Company") == "company"
    assert organization_key("Limited") == "limited"
    with pytest.raises(InvalidName):
        organization_key(" ... ")


@pytest.mark.parametrize(
    "value, why",
    [
        ("REDACTED FOR PRIVACY", Withheld.REDACTED),
        ("Not Available From Registry", Withheld.REDACTED),
        ("Data Protected", Withheld.REDACTED),
        ("Statutory Masking Enabled", Withheld.REDACTED),
        ("[Redacted]", Withheld.REDACTED),
        ("GDPR Masked", Withheld.REDACTED),
        ("Privacy service provided by Withheld for Privacy ehf", Withheld.PRIVACY_SERVICE),
        ("Domains By Proxy, LLC", Withheld.PRIVACY_SERVICE),
        ("WhoisGuard, Inc.", Withheld.PRIVACY_SERVICE),
        ("Contact Privacy Inc. Customer 0123456789", Withheld.PRIVACY_SERVICE),
        ("PrivacyProtect.org", Withheld.PRIVACY_SERVICE),
        ("Whois Privacy Protection Service, Inc.", Withheld.PRIVACY_SERVICE),
        ("Perfect Privacy, LLC", Withheld.PRIVACY_SERVICE),
        ("Listrak, Inc.", None),
        ("Privacy International", None),
        ("Cendyn", None),
    ],
)
def test_withheld_values(value: str, why: Withheld | None) -> None:
    assert withheld(value) is why


def test_role_words_and_proxy_addresses() -> None:
    assert all(is_generic_contact(v) for v in ("Abuse", "NOC", "Abuse-C Role", "Domain Administrator", "N/A", ""))
    assert not is_generic_contact("Domeneshop Hostmaster")
    assert is_proxy_email("godaddy.com@domainsbyproxy.com")
    assert is_proxy_email("5a8e0b1c@withheldforprivacy.com")
    assert is_proxy_email("abc123@privacy.example-registrar.com")
    assert is_proxy_email("redacted@example.com")
    assert not is_proxy_email("dns-admin@google.com")


def _rdap_domain(name: str, *contacts: tuple[str, dict[str, Any]], redacted: list[Any] | None = None) -> dict[str, Any]:
    entities = []
    for role, card in contacts:
        props: list[list[Any]] = [["version", {}, "text", "4.0"]]
        props += [[key, {}, "text", value] for key, value in card.items()]
        entities.append({"objectClassName": "entity", "roles": [role], "vcardArray": ["vcard", props]})
    doc: dict[str, Any] = {"objectClassName": "domain", "ldhName": name, "entities": entities}
    if redacted:
        doc["redacted"] = redacted
    return doc


RDAP_WITHHELD = [
    _rdap_domain(
        "rdap-a.example",
        (
            "registrant",
            {
                "fn": "REDACTED FOR PRIVACY",
                "org": "REDACTED FOR PRIVACY",
                "email": "https://whois.example/contact/rdap-a.example",
            },
        ),
        ("administrative", {"fn": "Redacted", "org": "Redacted"}),
        redacted=[{"name": {"type": "Tech Email"}, "method": "removal"}],
    ),
    _rdap_domain(
        "rdap-b.example",
        (
            "registrant",
            {"org": "Privacy service provided by Withheld for Privacy ehf", "email": "b0b0@withheldforprivacy.com"},
        ),
    ),
    _rdap_domain(
        "rdap-c.example",
        ("registrant", {"fn": "WhoisGuard Protected", "org": "WhoisGuard, Inc.", "email": "contact@whoisguard.com"}),
    ),
    _rdap_domain(
        "rdap-d.example",
        (
            "registrant",
            {"fn": "Contact Privacy Inc. Customer 0123456789", "kind": "org", "email": "contact@whoisguard.com"},
        ),
        ("technical", {"fn": "Abuse", "kind": "group"}),
    ),
    # the positive control: two domains that really share a registrant and its address
    _rdap_domain(
        "real-1.example",
        ("registrant", {"fn": "Jane Roe", "org": "Cendyn Group, LLC", "email": "domains@cendyn.example"}),
    ),
    _rdap_domain("real-2.example", ("registrant", {"org": "CENDYN GROUP LLC", "email": "domains@cendyn.example"})),
]
WHOIS_WITHHELD = {
    "whois-a.example": (
        "Domain Name: whois-a.example\nRegistrant Organization: PrivacyProtect.org\n"
        "Registrant Email: contact@privacyprotect.org\nAdmin Organization: Perfect Privacy, LLC\n"
    ),
    "whois-b.example": (
        "Domain Name: whois-b.example\nRegistrant Organization: Whois Privacy Protection Service, Inc.\n"
        "Registrant Email: contact@privacyprotect.org\nTech Organization: GDPR Masked\nTech Email: REDACTED\n"
    ),
    "whois-c.example": (
        "Domain Name: whois-c.example\nRegistrant Name: REDACTED FOR PRIVACY\n"
        "Registrant Organization: Not Available From Registry\nAdmin Organization: Data Protected\n"
    ),
}


def test_no_withheld_value_becomes_an_organization_or_links_domains(store: Store, tmp_path: Path) -> None:
    rdap = tmp_path / "withheld-rdap.json"
    rdap.write_text(json.dumps(RDAP_WITHHELD))
    whois = []
    for domain, text in WHOIS_WITHHELD.items():
        whois.append(tmp_path / f"{domain}.txt")
        whois[-1].write_text(text)
    store.cli("load", "rdap", str(rdap))
    store.cli("load", "whois", *map(str, whois))

    # the only Organization is the real, shared registrant (two spellings, one node)
    assert store.query("MATCH (o:Organization) RETURN o.key, o.name, o.aliases") == [
        ["cendyn group", "Cendyn Group, LLC", ["Cendyn Group, LLC", "CENDYN GROUP LLC"]]
    ]
    # domains linked through an organisation or an address: only the real pair (the relay
    # addresses shared by rdap-c/rdap-d and whois-a/whois-b are no Email nodes)
    linked = store.query(
        "MATCH (a:Domain)-[]->(o:Organization)<-[]-(b:Domain) WHERE a.name < b.name RETURN a.name, b.name"
    )
    assert linked == [["real-1.example", "real-2.example"]]
    by_email = store.query(
        "MATCH (a:Domain)-[:HAS_CONTACT_EMAIL]->(e:Email)<-[:HAS_CONTACT_EMAIL]-(b:Domain) WHERE a.name < b.name "
        "RETURN a.name, b.name, e.address ORDER BY a.name, b.name"
    )
    assert by_email == [["real-1.example", "real-2.example", "domains@cendyn.example"]]
    withheld_roles = {
        name: (sorted(roles), service)
        for name, roles, service in store.query("MATCH (d:Domain) RETURN d.name, d.redacted_roles, d.privacy_service")
        if roles  # an empty list or null: nothing withheld
    }
    assert withheld_roles == {
        "rdap-a.example": (["administrative", "registrant", "technical"], None),
        "rdap-b.example": (["registrant"], "Privacy service provided by Withheld for Privacy ehf"),
        "rdap-c.example": (["registrant"], "WhoisGuard, Inc."),
        "rdap-d.example": (["registrant"], "Contact Privacy Inc. Customer 0123456789"),
        "whois-a.example": (["administrative", "registrant"], "PrivacyProtect.org"),
        "whois-b.example": (["registrant", "technical"], "Whois Privacy Protection Service, Inc."),
        "whois-c.example": (["administrative", "registrant"], None),
    }


def test_the_display_name_is_the_first_form_seen(store: Store, tmp_path: Path) -> None:
    first = tmp_path / "first.csv"
    first.write_text('66.216.133.29,"Listrak, Inc.",mail server,\n')
    second = tmp_path / "second.csv"
    second.write_text("66.216.133.30,LISTRAK INC,mail server,\n66.216.133.31,The Listrak Inc.,mail server,\n")
    store.cli("load", "attributions", str(first))
    store.cli("load", "attributions", str(second))
    name, aliases = store.query("MATCH (o:Organization {key: 'listrak'}) RETURN o.name, o.aliases")[0]
    assert name == "Listrak, Inc."
    assert sorted(aliases) == ["LISTRAK INC", "Listrak, Inc.", "The Listrak Inc."]
