"""`graphkit load whois`: raw port-43 WHOIS answers for domains.

Reads the `Key: Value` lines of thick registrar answers (Registrant/Admin/Tech Name,
Organization, Email, Country; Name Server; Registrar and its IANA id; dates; status) and of
thin registry answers (registrar, whois server, name servers, dates). Everything else (the
legal notices, `>>>` trailers) is ignored. A file may hold several answers one after the
other (a registry answer followed by the registrar's, as the `whois` tool prints them):
each `Domain Name:` line for a new name starts a new one.

Block formats (Com Laude's, older Network Solutions') put a contact under a role heading
(`Registrant:`, `Admin Contact:`) and name servers under `Nameservers:`, on the indented lines
that follow; a blank or unindented line ends the block. In a contact block the free lines are
the contact's name, then its organisation, then its address (Com Laude); when the second line
is an address (a street number, a PO box), or there is only one, the first is the organisation
(Network Solutions). `Email:` and the other `Key: value` lines say what they are.

An answer from which no registrant, name server or date was read is counted as "nothing
recognised" in the file's summary: a layout this reader does not know does not pass in silence.

Contacts become records through parsers.registration, which keeps redacted and
privacy-proxy values from ever becoming Organizations.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from graphkit.ingest.context import FileRejected, ParseContext
from graphkit.model import times
from graphkit.model.records import Record
from graphkit.parsers.registration import Contact, Registration, epp_status, registration_records

# Bytes of one answer, which is held whole while it is read: real answers take kilobytes; a
# larger one (endless name server lines) is refused before it costs memory.
ANSWER_LIMIT = 4 << 20
_LINE = re.compile(r"^\s*([A-Za-z][\w /&().'-]{0,80}?)\s*:(?!//)\s*(.*?)\s*$")
_CONTACT = re.compile(
    r"^(registrant|admin|administrative|tech|technical|billing)(?: contact)?"
    r" (name|organization|organisation|org|email|e-mail|email address|country|country code)$"
)
# A heading whose indented lines are one contact (`Registrant:`, `Technical Contact:`).
_CONTACT_HEADING = re.compile(r"^(registrant|admin|administrative|tech|technical|billing)(?: contact)?$")
_ADDRESS_LINE = re.compile(r"^(?:\d|p\.?\s?o\.?\s+box\b)", re.I)  # a street number or a PO box: no organisation
NAMESERVER_HEADINGS = frozenset({"domain servers in listed order", "domain nameservers"})
NOTHING_RECOGNISED = "nothing recognised"
CONTACT_ROLES = {
    "registrant": "registrant",
    "admin": "administrative",
    "administrative": "administrative",
    "tech": "technical",
    "technical": "technical",
    "billing": "billing",
}
CONTACT_FIELDS = {
    "name": "name",
    "organization": "organization",
    "organisation": "organization",
    "org": "organization",
    "email": "email",
    "e-mail": "email",
    "email address": "email",
    "country": "country",
    "country code": "country",
}
FIELDS = {
    "domain name": "domain",
    "domain": "domain",
    "registrar": "registrar",
    "sponsoring registrar": "registrar",
    "registrar name": "registrar",
    "registrar iana id": "iana_id",
    "sponsoring registrar iana id": "iana_id",
    "registrar whois server": "whois_server",
    "whois server": "whois_server",
    "creation date": "created",
    "created": "created",
    "created on": "created",
    "created date": "created",
    "registration date": "created",
    "registered": "created",
    "registered on": "created",
    "registration time": "created",
    "domain registration date": "created",
    "updated date": "updated",
    "update date": "updated",
    "last updated": "updated",
    "last updated on": "updated",
    "last modified": "updated",
    "last-modified": "updated",
    "changed": "updated",
    "registry expiry date": "expires",
    "registrar registration expiration date": "expires",
    "registry expiration date": "expires",
    "expiration date": "expires",
    "expiry date": "expires",
    "expires": "expires",
    "expires on": "expires",
    "expire date": "expires",
    "paid-till": "expires",
    "domain status": "status",
    "status": "status",
    "name server": "nameserver",
    "name servers": "nameserver",
    "nameserver": "nameserver",
    "nameservers": "nameserver",
    "nserver": "nameserver",
}
NOT_FOUND = re.compile(r"^\s*(no match for|not found|no data found|no entries found|domain not found)", re.I)
_DATE_FORMATS = (
    "%d %b %Y %H:%M:%S",  # 24 Oct 1997 00:00:00 (eNom)
    "%d-%b-%Y",  # 15-sep-1997 (old Verisign)
    "%d-%b-%Y %H:%M:%S %Z",
    "%Y.%m.%d",
    "%Y.%m.%d %H:%M:%S",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M:%S",
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M:%S",
    "%a %b %d %H:%M:%S %Z %Y",
    "%a, %d %b %Y %H:%M:%S %Z",
)


def whois_date(text: str) -> str:
    """ISO UTC from the date spellings registrars use; times.InvalidTime when none fits."""
    value = text.strip()
    try:
        return times.from_text(re.sub(r"\s*\(.*\)$", "", value))
    except times.InvalidTime:
        pass
    cleaned = re.sub(r"\s+(UTC|GMT)$", "", value)
    for pattern in _DATE_FORMATS:
        for candidate in (value, cleaned):
            try:
                return times.from_datetime(datetime.strptime(candidate, pattern))
            except ValueError:
                continue
    raise times.InvalidTime(f"unreadable date {text[:40]!r}")


class _Answer:
    """The fields of one answer, collected line by line."""

    def __init__(self, domain: str, line: int | None) -> None:
        self.reg = Registration(domain)
        self.contacts: dict[str, Contact] = {}
        self.line, self.size = line, 0  # where it begins, and its bytes so far

    def records(self, ctx: ParseContext) -> Iterator[Record]:
        if self.size > ANSWER_LIMIT:
            reason = f"the answer for {self.reg.domain[:80]} is larger than {ANSWER_LIMIT >> 20} MiB: not read"
            ctx.reject(reason, line=self.line)
            return iter(())
        if not self.recognised():
            ctx.counts[NOTHING_RECOGNISED] += 1
        return registration_records(self.finish(), ctx)

    def contact(self, role: str) -> Contact:
        return self.contacts.setdefault(role, Contact(role))

    def finish(self) -> Registration:
        self.reg.contacts = list(self.contacts.values())
        return self.reg

    def recognised(self) -> bool:
        """Whether a registrant (even a withheld one), a name server or a date was read."""
        reg, registrant = self.reg, self.contacts.get("registrant")
        found_registrant = registrant is not None and bool(
            registrant.name or registrant.organization or registrant.emails
        )
        return found_registrant or bool(reg.nameservers or reg.created or reg.updated or reg.expires)


@dataclass
class _Block:
    """The indented lines under a heading: one contact's, or name servers (role None)."""

    role: str | None
    indent: int
    free_lines: int = 0  # lines that are not `Key: value`, so far
    free_organization: bool = False  # the organisation is the first free line (not a stated one)

    def add(self, answer: _Answer, text: str) -> None:
        if self.role is None:
            answer.reg.nameservers.append(text.split()[0])
            return
        person = answer.contact(self.role)
        match = _LINE.match(text)
        if match and match.group(2):
            kind = CONTACT_FIELDS.get(" ".join(match.group(1).lower().split()))
            if kind == "email":
                person.emails.append(match.group(2))
            elif kind:
                setattr(person, kind, getattr(person, kind) or match.group(2))
            return  # phone, fax and the like
        self.free_lines += 1
        if self.free_lines == 1 and not person.organization:  # alone, it names the organisation
            person.organization, self.free_organization = text, True
        elif self.free_lines == 2 and self.free_organization and not _ADDRESS_LINE.match(text):
            person.name, person.organization = person.name or person.organization, text  # name, then organisation


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


def _decode(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("latin-1")


class WhoisParser:
    kind = "whois"

    def __call__(self, ctx: ParseContext) -> Iterator[Record]:
        answer: _Answer | None = None  # the one being read; each is passed on when the next begins
        not_found = False
        block: _Block | None = None
        with ctx.open() as stream:
            for raw in ctx.lines(stream):
                if answer is not None:
                    answer.size += len(raw) + 1
                text = _decode(raw)
                if block is not None and answer is not None:
                    if text.strip() and _indent(text) > block.indent:
                        if answer.size <= ANSWER_LIMIT:  # the rest of one too large is not kept
                            block.add(answer, text.strip())
                        continue
                    block = None
                if NOT_FOUND.match(text):
                    not_found = True
                match = _LINE.match(text)
                if not match:
                    continue
                key, value = " ".join(match.group(1).lower().split()), match.group(2)
                if not value:
                    if answer is not None:
                        block = _heading(key, _indent(text))
                    continue
                field = FIELDS.get(key)
                if field == "domain":
                    if answer is None or answer.reg.domain.lower().rstrip(".") != value.lower().rstrip("."):
                        if answer is not None:
                            yield from answer.records(ctx)
                        answer = _Answer(value, ctx.line)
                    continue
                if answer is None or answer.size > ANSWER_LIMIT:
                    continue  # notices before the first answer, or the rest of one too large
                self._field(ctx, answer, key, field, value, raw)
        if answer is None:
            if not_found:
                ctx.skip("no registration (the answer says not found)")
                return
            raise FileRejected(None, "no 'Domain Name:' line: not a WHOIS answer for a domain")
        yield from answer.records(ctx)

    @staticmethod
    def _field(ctx: ParseContext, answer: _Answer, key: str, field: str | None, value: str, raw: bytes) -> None:
        reg = answer.reg
        contact = _CONTACT.match(key)
        if contact:
            person = answer.contact(CONTACT_ROLES[contact.group(1)])
            kind = CONTACT_FIELDS[contact.group(2)]
            if kind == "email":
                person.emails.append(value)
            else:
                setattr(person, kind, getattr(person, kind) or value)
        elif field == "registrar":
            reg.registrar = reg.registrar or value
        elif field == "iana_id":
            if value.isdigit():
                reg.registrar_iana_id = int(value)
            else:
                ctx.skip("registrar IANA id that is not a number")
        elif field == "whois_server":
            reg.registrar_whois_server = reg.registrar_whois_server or value.lower()
        elif field in ("created", "updated", "expires"):
            try:
                stamp = whois_date(value)
            except times.InvalidTime as exc:
                ctx.reject(str(exc), raw)
                return
            old = getattr(reg, field)
            keep = min if field == "created" else max
            setattr(reg, field, keep(old, stamp) if old else stamp)
        elif field == "status":
            status = epp_status(value)
            if status:
                reg.status.append(status)
        elif field == "nameserver":
            reg.nameservers.append(value.split()[0])


def _heading(key: str, indent: int) -> _Block | None:
    """The block a `Key:` line without a value opens, if its key is a heading."""
    role = _CONTACT_HEADING.match(key)
    if role:
        return _Block(CONTACT_ROLES[role.group(1)], indent)
    if FIELDS.get(key) == "nameserver" or key in NAMESERVER_HEADINGS:
        return _Block(None, indent)
    return None
