"""`graphkit load whois`: the raw WHOIS answers in ../shared/realdata/whois/ (thick registrar and
thin registry formats), redaction and bad input. Expected values were read by hand from the files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers import Store, json_lines, realdata

WHOIS_FILES = [
    "whois.enom.com-registered.txt",
    "whois.gandi.net-registered.txt",
    "whois.godaddy.com-registered.txt",
    "whois.markmonitor.com-com-registered.txt",
    "whois.networksolutions.com-registered.txt",
    "whois.tucows.com-registered.txt",
    "whois.verisign-grs.com-com-registered.txt",
    "whois.verisign-grs.com-net-registered.txt",
]
ROLES = "MATCH (d:Domain {name: $d})-[r:%s]->(o:Organization) RETURN o.name, r.contact_name, r.country"


def _load_all(store: Store) -> None:
    folder = realdata() / "whois"
    assert sorted(p.name for p in folder.glob("*.txt")) == WHOIS_FILES, "new files: add assertions for them"
    proc = store.cli("load", "whois", *(str(folder / name) for name in WHOIS_FILES))
    assert "rejected" not in proc.stderr
    for name in WHOIS_FILES:
        assert f"{folder / name}: " in proc.stdout and "domains 1" in proc.stdout


def _rows(store: Store, cypher: str, **params: Any) -> list[list[Any]]:
    return store.query(cypher, **params)


def _contacts(store: Store, domain: str) -> dict[str, list[list[Any]]]:
    return {
        rel: _rows(store, ROLES % rel, d=domain) for rel in ("REGISTERED_BY", "ADMINISTERED_BY", "TECHNICAL_CONTACT")
    }


def _emails(store: Store, domain: str) -> list[list[Any]]:
    return _rows(
        store,
        "MATCH (:Domain {name: $d})-[h:HAS_CONTACT_EMAIL]->(e:Email) RETURN h.role, e.address, "
        "e.is_proxy ORDER BY h.role",
        d=domain,
    )


def _nameservers(store: Store, domain: str) -> list[str]:
    return [
        r[0]
        for r in _rows(
            store, "MATCH (:Domain {name: $d})-[:USES_NAMESERVER]->(n:Domain) RETURN n.name ORDER BY n.name", d=domain
        )
    ]


def _registrar(store: Store, domain: str) -> list[Any]:
    rows = _rows(
        store,
        "MATCH (:Domain {name: $d})-[:REGISTERED_WITH]->(r:Registrar) RETURN r.key, r.name, r.iana_id, r.whois_server",
        d=domain,
    )
    assert len(rows) == 1, rows
    return rows[0]


def _dates(store: Store, domain: str) -> list[Any]:
    return _rows(store, "MATCH (d:Domain {name: $d}) RETURN d.created, d.updated, d.expires", d=domain)[0]


def test_thick_registrar_answers(store: Store) -> None:
    _load_all(store)

    # eNom: every contact is ENOM, INC.; the registrant has no email, admin and tech share one
    assert _contacts(store, "enom.com") == {
        rel: [["ENOM, INC.", "DNS MANAGER", "US"]] for rel in ("REGISTERED_BY", "ADMINISTERED_BY", "TECHNICAL_CONTACT")
    }
    assert _emails(store, "enom.com") == [
        ["administrative", "domains@demandmedia.com", False],
        ["technical", "domains@demandmedia.com", False],
    ]
    assert _registrar(store, "enom.com") == ["enom", "eNom, Inc.", None, None]  # no IANA id in this answer
    assert _nameservers(store, "enom.com") == ["dns11.enom.com", "dns12.enom.com", "dns13.enom.com"]
    assert _dates(store, "enom.com")[0] == "1997-10-24T00:00:00Z"  # "24 Oct 1997 00:00:00"

    # Gandi: "Gandi SAS" (registrant) and "GANDI SAS" (admin, tech) are one organisation
    contacts = _contacts(store, "gandi.net")
    assert contacts["REGISTERED_BY"] == [["Gandi SAS", "Stephan RAMOIN", "FR"]]
    assert contacts["ADMINISTERED_BY"] == contacts["TECHNICAL_CONTACT"] == [["Gandi SAS", "Noc GANDI", "FR"]]
    assert _emails(store, "gandi.net") == [
        ["administrative", "12e7da77f638acdf8d9f4d0b828ca80c-248842@contact.gandi.net", False],
        ["registrant", "61ebd5b3df9f45f2b3f67f6dd01e1049-523678@contact.gandi.net", False],
        ["technical", "12e7da77f638acdf8d9f4d0b828ca80c-248842@contact.gandi.net", False],
    ]
    assert _registrar(store, "gandi.net") == ["iana:81", "GANDI SAS", 81, "whois.gandi.net"]
    assert _nameservers(store, "gandi.net") == ["dns0.gandi.net", "dns1.gandi.net", "dns2.gandi.net", "dns3.gandi.net"]
    assert _dates(store, "gandi.net") == ["2000-02-23T12:12:59Z", "2013-10-23T18:42:52Z", "2023-05-21T14:09:56Z"]

    # GoDaddy: "Registry Registrant ID: Not Available From Registry" is an id, and no one
    assert _contacts(store, "godaddy.com")["REGISTERED_BY"] == [
        ["Go Daddy Operating Company, LLC", "Domain Administrator", "US"]
    ]
    assert [e[1] for e in _emails(store, "godaddy.com")] == ["companynames@godaddy.com"] * 3
    assert _registrar(store, "godaddy.com") == ["iana:146", "GoDaddy.com, LLC", 146, "whois.godaddy.com"]
    assert _nameservers(store, "godaddy.com") == [
        "a1-245.akam.net",
        "a11-64.akam.net",
        "a20-65.akam.net",
        "a6-66.akam.net",
        "a8-67.akam.net",
        "a9-67.akam.net",
        "cns1.godaddy.com",
        "cns2.godaddy.com",
        "cns3.godaddy.com",
    ]
    status = _rows(store, "MATCH (d:Domain {name: 'godaddy.com'}) RETURN d.status")[0][0]
    assert sorted(status) == [
        "clientDeleteProhibited",
        "clientRenewProhibited",
        "clientTransferProhibited",
        "clientUpdateProhibited",
    ]

    # MarkMonitor's thick answer for google.com (times with -0700 offsets)
    contacts = _contacts(store, "google.com")
    assert contacts["REGISTERED_BY"] == [["Google Inc.", "Dns Admin", "US"]]
    assert contacts["TECHNICAL_CONTACT"] == [["Google Inc.", "DNS Admin", "US"]]
    assert {e[1] for e in _emails(store, "google.com")} == {"dns-admin@google.com"}

    # Network Solutions: registrant name equals the organisation, so no separate contact name
    contacts = _contacts(store, "xif.com")
    assert contacts["REGISTERED_BY"] == [["XIF Communications", None, "US"]]
    assert contacts["ADMINISTERED_BY"] == [["XIF Communications", "Communications, XIF ContactMiddleName", "US"]]
    assert _registrar(store, "xif.com") == ["iana:2", "NETWORK SOLUTIONS, LLC.", 2, "whois.networksolutions.com"]
    assert _nameservers(store, "xif.com") == ["ns-east.cerf.net", "ns-west.cerf.net", "ns01.xif.com"]
    assert _dates(store, "xif.com") == ["1997-06-10T00:00:00Z", "2012-02-13T00:00:00Z", "2014-06-09T00:00:00Z"]

    # Tucows: the registrant and the admin are different organisations
    contacts = _contacts(store, "tucows.com")
    assert contacts["REGISTERED_BY"] == [["Tucows.com Co", "DNS Administrator", "CA"]]
    assert contacts["ADMINISTERED_BY"] == [["Tucows ( Delaware ) Inc.", "DNS Administrator", "CA"]]
    assert _registrar(store, "tucows.com") == ["iana:69", "TUCOWS, INC.", 69, "whois.tucows.com"]


def test_thin_registry_answers(store: Store) -> None:
    _load_all(store)
    # Verisign names the registrar and its WHOIS server, never a registrant
    assert _contacts(store, "google.net") == {"REGISTERED_BY": [], "ADMINISTERED_BY": [], "TECHNICAL_CONTACT": []}
    key, name, iana_id, server = _registrar(store, "google.net")
    assert (key, iana_id, server) == ("iana:292", 292, "whois.markmonitor.com")
    assert name in ("MarkMonitor Inc.", "MarkMonitor, Inc.")  # the first spelling loaded is kept
    assert _nameservers(store, "google.net") == [f"ns{i}.google.com" for i in range(1, 5)]
    assert _dates(store, "google.net") == ["1999-03-15T05:00:00Z", "2017-02-11T10:56:37Z", "2018-03-15T04:00:00Z"]
    # google.com from the registry and from the registrar: one domain, one registrar node
    assert _registrar(store, "google.com")[0] == "iana:292"
    created, _, expires = _dates(store, "google.com")
    assert (created, expires) == ("1997-09-15T04:00:00Z", "2020-09-14T04:00:00Z")


def test_loading_twice_leaves_stats_unchanged(store: Store) -> None:
    _load_all(store)
    first = store.cli_stats()
    _load_all(store)
    assert store.cli_stats() == first


WITHHELD = {
    "redacted.example": """Domain Name: REDACTED.EXAMPLE
Registrar: Example Registrar, Inc.
Registrar IANA ID: 9999
Registrant Name: REDACTED FOR PRIVACY
Registrant Organization: REDACTED FOR PRIVACY
Registrant Country: IS
Registrant Email: Please query the RDDS service of the Registrar of Record identified in this output
Admin Organization: Data Protected
Admin Email: REDACTED FOR PRIVACY
Tech Organization: Statutory Masking Enabled
Name Server: NS1.SHARED-HOST.EXAMPLE
""",
    "proxied.example": """Domain Name: proxied.example
Registrar: Example Registrar, Inc.
Registrar IANA ID: 9999
Registrant Name: Registration Private
Registrant Organization: Domains By Proxy, LLC
Registrant Email: proxied.example@domainsbyproxy.com
Admin Organization: Domains By Proxy, LLC
Admin Email: proxied.example@domainsbyproxy.com
Tech Organization: Not Available From Registry
Name Server: NS1.SHARED-HOST.EXAMPLE
""",
    "withheld.example": """Domain Name: withheld.example
Registrant Organization: Privacy service provided by Withheld for Privacy ehf
Registrant Country: IS
Registrant Email: 5a8e0b1c2d3e4f5a@withheldforprivacy.com
Admin Name: REDACTED FOR PRIVACY
Tech Organization: GDPR Masked
""",
}


def test_withheld_contacts_are_recorded_on_the_domain_not_as_organizations(store: Store, tmp_path: Path) -> None:
    files = []
    for domain, text in WITHHELD.items():
        files.append(tmp_path / f"{domain}.txt")
        files[-1].write_text(text)
    store.cli("load", "whois", *map(str, files))
    assert store.stats()["nodes"]["Organization"] == 0
    rows = _rows(
        store,
        "MATCH (d:Domain) WHERE d.name IN $names RETURN d.name, d.redacted_roles, d.privacy_service ORDER BY d.name",
        names=list(WITHHELD),
    )
    assert [[n, sorted(r), p] for n, r, p in rows] == [
        ["proxied.example", ["administrative", "registrant", "technical"], "Domains By Proxy, LLC"],
        ["redacted.example", ["administrative", "registrant", "technical"], None],
        [
            "withheld.example",
            ["administrative", "registrant", "technical"],
            "Privacy service provided by Withheld for Privacy ehf",
        ],
    ]
    # relay addresses stand for many registrants and redaction texts are no addresses: no Email
    assert _rows(store, "MATCH (e:Email) RETURN e.address") == []


def test_bad_lines_are_named_and_other_files_still_load(store: Store, tmp_path: Path) -> None:
    answer = tmp_path / "answer.txt"
    answer.write_text(
        "Domain Name: example.org\nCreation Date: sometime in 1998\nRegistrant Organization: "
        "Example Org\nName Server: ns1.example.org\n"
    )
    notice = tmp_path / "notice.txt"
    notice.write_text("Terms of use: you agree to the terms.\nNo domain here.\n")
    not_found = tmp_path / "not-found.txt"
    not_found.write_text('No match for "NOPE.COM".\n>>> Last update of whois database: 2017-08-01T01:39:40Z <<<\n')
    proc = store.cli("load", "whois", str(answer), str(notice), str(not_found), check=False)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert f"{answer}:2: unreadable date 'sometime in 1998'" in proc.stderr
    assert f"rejected whole: {notice}: no 'Domain Name:' line" in proc.stderr
    assert "no registration (the answer says not found)" in proc.stdout
    assert _contacts(store, "example.org")["REGISTERED_BY"] == [["Example Org", None, None]]
    assert _nameservers(store, "example.org") == ["ns1.example.org"]


# Com Laude's block format, as whois.comlaude.com answered before the 2016 ICANN layout (the
# contacts, dates and servers of comlaude.com as public parsers of that format record them):
# a role heading, then the contact's name, organisation and address on indented lines.
COM_LAUDE = """\
Domain Name: comlaude.com

Registered: 30-Jan-2005
Expires: 30-Jan-2020

Registrant Contact:
    Domain Manager
    Nom-IQ Ltd dba Com Laude
    28-30 Little Russell Street
    London WC1A 2HN
    United Kingdom
    Phone: +44.2078360070
    Email: admin@comlaude.com

Admin Contact:
    Domain Manager
    Nom-IQ Ltd dba Com Laude
    28-30 Little Russell Street
    London WC1A 2HN
    United Kingdom
    Phone: +44.2078360070
    Email: admin@comlaude.com

Technical Contact:
    Technical Manager
    Com Laude
    28-30 Little Russell Street
    London WC1A 2HN
    United Kingdom
    Phone: +44.2074218250
    Fax: +44.8700118187
    Email: hostmaster@comlaude.com

Nameservers:
    dns1.comlaude-dns.com
    dns2.comlaude-dns.net
    dns3.comlaude-dns.co.uk
    dns4.comlaude-dns.eu

The data in Com Laude's WHOIS database is provided for information purposes only.
"""


def test_block_format_contacts_dates_and_name_servers(store: Store, tmp_path: Path) -> None:
    answer = tmp_path / "comlaude.com.txt"
    answer.write_text(COM_LAUDE)
    block_registrant = tmp_path / "block.example.txt"  # a bare role heading naming one organisation
    block_registrant.write_text(
        "Domain Name: block.example\nRegistered: 2001-02-03\n\nRegistrant:\n   Example Holdings Ltd\n\n"
        "Name Servers:\n   ns1.block.example 192.0.2.1\n   ns2.block.example\n"
    )
    street = tmp_path / "street.example.txt"  # the organisation, then its address (Network Solutions)
    street.write_text(
        "Domain Name: street.example\n\nRegistrant:\n   Street Example Inc.\n   1600 Example Parkway\n"
        "   Mountain View, CA 94043\n   US\n\nDomain servers in listed order:\n   NS1.STREET.EXAMPLE\n"
    )
    proc = store.cli("load", "whois", str(answer), str(block_registrant), str(street))
    assert "nothing recognised" not in proc.stdout
    assert _contacts(store, "comlaude.com") == {
        "REGISTERED_BY": [["Nom-IQ Ltd dba Com Laude", "Domain Manager", None]],
        "ADMINISTERED_BY": [["Nom-IQ Ltd dba Com Laude", "Domain Manager", None]],
        "TECHNICAL_CONTACT": [["Com Laude", "Technical Manager", None]],
    }
    assert _emails(store, "comlaude.com") == [
        ["administrative", "admin@comlaude.com", False],
        ["registrant", "admin@comlaude.com", False],
        ["technical", "hostmaster@comlaude.com", False],
    ]
    assert _nameservers(store, "comlaude.com") == [
        "dns1.comlaude-dns.com",
        "dns2.comlaude-dns.net",
        "dns3.comlaude-dns.co.uk",
        "dns4.comlaude-dns.eu",
    ]
    assert _dates(store, "comlaude.com") == ["2005-01-30T00:00:00Z", None, "2020-01-30T00:00:00Z"]
    assert _contacts(store, "block.example")["REGISTERED_BY"] == [["Example Holdings Ltd", None, None]]
    assert _nameservers(store, "block.example") == ["ns1.block.example", "ns2.block.example"]
    assert _dates(store, "block.example")[0] == "2001-02-03T00:00:00Z"
    assert _contacts(store, "street.example")["REGISTERED_BY"] == [["Street Example Inc.", None, None]]
    assert _nameservers(store, "street.example") == ["ns1.street.example"]


def test_an_answer_with_nothing_recognised_says_so(store: Store, tmp_path: Path) -> None:
    """A format the reader does not know must not load as an empty answer in silence."""
    unknown = tmp_path / "unknown.txt"
    unknown.write_text("Domain Name: unknown.example\n\nOwner -> Somebody Else\nDNS -> ns1.unknown.example\n")
    known = tmp_path / "known.txt"
    known.write_text("Domain Name: known.example\nCreation Date: 2001-02-03T00:00:00Z\n")
    proc = store.cli("load", "whois", "--format", "json", str(unknown), str(known))
    reports = {Path(r["path"]).name: r for r in json_lines(proc)}
    assert reports["unknown.txt"]["counts"]["nothing recognised"] == 1
    assert "nothing recognised" not in reports["known.txt"]["counts"]
    table = store.cli("load", "whois", str(unknown))
    assert f"{unknown}: " in table.stdout and "nothing recognised 1" in table.stdout


def test_an_answer_from_standard_input_loads(store: Store) -> None:
    proc = store.cli("load", "whois", "-", input=COM_LAUDE)
    assert "-: " in proc.stdout and "internal error" not in proc.stderr
    assert _nameservers(store, "comlaude.com")[0] == "dns1.comlaude-dns.com"
    assert store.query("MATCH (s:Source) RETURN s.path") == [["-"]]
