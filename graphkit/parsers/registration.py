"""What one domain registration says, whichever format it came in (RDAP or raw WHOIS),
and the records it becomes. One place decides how contacts turn into Organizations and
Emails, so redacted and privacy-proxy values are treated the same in every format.

- registrant / administrative / technical organisations -> REGISTERED_BY / ADMINISTERED_BY /
  TECHNICAL_CONTACT (contact_name and country on the edge);
- contact emails -> HAS_CONTACT_EMAIL with the role;
- a withheld contact (redaction phrase, privacy service, a registrar's stand-in name) ->
  Domain.redacted_roles and Domain.privacy_service, never an Organization; a privacy relay's
  address -> Domain.privacy_service (its mail domain) when nothing names the service, never
  an Email (one relay address serves many unrelated registrants);
- registrar -> REGISTERED_WITH (Registrar key 'iana:<id>' when the id is known);
- name servers -> USES_NAMESERVER; dates and EPP status -> Domain properties.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from graphkit.model import names
from graphkit.model.records import EdgeRecord, NodeRecord, Record
from graphkit.parsers.privacy import Withheld, is_generic_contact, is_proxy_email, relay_domain, withheld

ROLE_EDGES = {"registrant": "REGISTERED_BY", "administrative": "ADMINISTERED_BY", "technical": "TECHNICAL_CONTACT"}
EMAIL_ROLES = frozenset({"registrant", "administrative", "technical", "billing", "abuse", "noc"})


class Notes(Protocol):
    """Where a converter tallies what it did and skipped (a ParseContext, or a collector's)."""

    counts: Counter[str]

    def skip(self, reason: str, n: int = 1) -> None: ...


@dataclass
class Tally:
    counts: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped[reason] += n


@dataclass
class Contact:
    role: str  # registrant, administrative, technical, billing, abuse, proxy, ...
    name: str | None = None  # a person's or a role account's name
    organization: str | None = None
    emails: list[str] = field(default_factory=list)
    country: str | None = None
    name_is_organization: bool = False  # an RDAP entity of kind org/group: its name is the body


@dataclass
class Registration:
    domain: str
    created: str | None = None
    updated: str | None = None
    expires: str | None = None
    status: list[str] = field(default_factory=list)
    nameservers: list[str] = field(default_factory=list)
    registrar: str | None = None
    registrar_iana_id: int | None = None
    registrar_whois_server: str | None = None
    contacts: list[Contact] = field(default_factory=list)
    redacted_roles: set[str] = field(default_factory=set)
    privacy_service: str | None = None


@lru_cache(maxsize=4096)  # a few dozen codes, spelt a few ways each
def epp_status(text: str) -> str | None:
    """One spelling for a status: 'client delete prohibited' (RDAP) and
    'clientDeleteProhibited https://icann.org/epp#...' (WHOIS) both give 'clientDeleteProhibited'."""
    words = [w for w in re.split(r"\s+", text.strip()) if w]
    words = [w for w in words if not w.startswith(("http:", "https:", "(http"))]
    if not words:
        return None
    if len(words) == 1:
        return words[0]
    head, *rest = (w.strip("()") for w in words)
    return head.lower() + "".join(w[:1].upper() + w[1:] for w in rest)


def organization_node(name: str) -> NodeRecord:
    return NodeRecord("Organization", name, {"name": name, "aliases": [name]})


def registrar_key(name: str | None, iana_id: int | None) -> str | None:
    if iana_id is not None:
        return f"iana:{iana_id}"
    if not name:
        return None
    try:
        return names.organization_key(name)
    except names.InvalidName:
        return None


def usable_organization(value: str | None, notes: Notes, registrar: str | None = None) -> str | None:
    """The value when it can name an Organization: not withheld, not a role word."""
    return _organization(value, withheld(value, registrar), notes)


def _organization(value: str | None, why: Withheld | None, notes: Notes) -> str | None:
    """usable_organization, with withheld(value) known already."""
    if not value or not value.strip() or why:
        return None
    if is_generic_contact(value):
        notes.skip("role word or placeholder, not an organisation")
        return None
    return value.strip()


def registration_records(reg: Registration, notes: Notes) -> Iterator[Record]:
    domain = reg.domain
    redacted, privacy = set(reg.redacted_roles), reg.privacy_service
    contact_records: list[Record] = []
    relays: list[str] = []
    for contact in reg.contacts:
        org_why, name_why = withheld(contact.organization, reg.registrar), withheld(contact.name, reg.registrar)
        for why, value in ((org_why, contact.organization), (name_why, contact.name)):
            if why is Withheld.PRIVACY_SERVICE or (contact.role == "proxy" and value and not why):
                privacy = privacy or (value.strip() if value else None)
        org = _organization(contact.organization, org_why, notes)
        if not contact.organization and contact.name_is_organization:
            org = _organization(contact.name, name_why, notes)
        if contact.role in ROLE_EDGES and (org_why or (org is None and name_why)):
            redacted.add(contact.role)
        if org and contact.role in ROLE_EDGES:
            person = contact.name.strip() if contact.name and not name_why and contact.name.strip() != org else None
            edge = {"contact_name": person, "country": contact.country}
            contact_records.append(organization_node(org))
            contact_records.append(
                EdgeRecord(ROLE_EDGES[contact.role], "Domain", domain, "Organization", org, _present(edge))
            )
            notes.counts["organisations"] += 1
        if contact.role in EMAIL_ROLES:
            contact_records.extend(_email_records(domain, contact, notes, relays))
    privacy = privacy or (relays[0] if relays else None)
    props: dict[str, Any] = {
        "created": reg.created,
        "updated": reg.updated,
        "expires": reg.expires,
        "status": sorted(set(reg.status)) or None,
        "redacted_roles": sorted(redacted) or None,
        "privacy_service": privacy,
    }
    if redacted:
        notes.counts["withheld contacts"] += len(redacted)
    notes.counts["domains"] += 1
    yield NodeRecord("Domain", domain, _present(props))
    yield from contact_records
    key = registrar_key(reg.registrar, reg.registrar_iana_id)
    if key:
        registrar = {
            "name": reg.registrar,
            "iana_id": reg.registrar_iana_id,
            "whois_server": reg.registrar_whois_server,
        }
        yield NodeRecord("Registrar", key, _present(registrar))
        yield EdgeRecord("REGISTERED_WITH", "Domain", domain, "Registrar", key, {})
    for server in dict.fromkeys(ns.strip().rstrip(".").lower() for ns in reg.nameservers if ns.strip()):
        yield EdgeRecord("USES_NAMESERVER", "Domain", domain, "Domain", server, {})


def _email_records(domain: str, contact: Contact, notes: Notes, relays: list[str]) -> list[Record]:
    """The contact's addresses; the mail domains of privacy relays go to `relays` instead."""
    records: list[Record] = []
    for text in dict.fromkeys(contact.emails):
        try:
            address = names.email(text)
        except names.InvalidName:
            notes.skip("contact email that is no address (redacted or a web form)")
            continue
        if is_proxy_email(address):
            notes.skip("privacy relay or redacted address, not the registrant's")
            if relay := relay_domain(address):
                relays.append(relay)
            continue
        records.append(NodeRecord("Email", address, {"is_proxy": False}))
        records.append(EdgeRecord("HAS_CONTACT_EMAIL", "Domain", domain, "Email", address, {"role": contact.role}))
        notes.counts["emails"] += 1
    return records


def _present(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if v is not None and v != ""}
