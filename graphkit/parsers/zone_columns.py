"""A fast zone file reader: master file lines straight into Observations' columns.

It reads the shapes zones are mostly written in: RFC 1035 files with $ORIGIN, $TTL, omitted
owners, '@', relative names, parentheses, comments and quoted strings, and the one record a
line form registries publish. A, AAAA, NS, CNAME, MX, SRV, TXT/SPF and PTR become rows with
dnsrecords' mapping, their names joined with the origin as dnspython joins them but left raw
for the normaliser (which makes each distinct one canonical and rejects bad ones with their
line). Other types (SOA, unmapped ones, data in an unusual form) are parsed by dnspython, one
record at a time, and mapped by dnsrecords itself.

Anything outside this subset, and any error in the file's structure, raises Unsupported: the
file is then read by dnspython's reader, which has the last word on what it means and on how
its errors are reported. That may happen after tables were handed on: what a table's records
counted, noted and rejected is handed on with it, never before, and `handed_line` says where
the handed tables end, so dnspython's reader takes over from the next line without repeating
or losing a record. (Nothing is written before the whole file is read: ingest.spill.)
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.ttl

from graphkit.ingest.observations import Observations, Observed
from graphkit.model import names
from graphkit.parsers import dnsrecords, spf
from graphkit.parsers.dnsrecords import Seen

PENDING_LIMIT = 100_000  # tokens of one parenthesised record: beyond, no real record

IN = dns.rdataclass.IN
MAX_TTL = 2**31 - 1
UINT16 = 65_535
NO_TARGET = "{} records with no target (.)"  # dnsrecords' notes, word for word
NOT_SPF = "TXT records that are not SPF"
PARTIAL_PTR = "PTR records at a name that is not a full reverse address"

Reject = Callable[[str, str, int], None]  # reason, text, line


class Unsupported(Exception):
    """This file is outside the fast reader's subset (or its structure is broken)."""


# A line that needs more than str.split(): quotes, parentheses, comments, escapes, odd controls.
_SPECIAL = re.compile(r'[";()\\\x00-\x08\x0b-\x1f\x7f]')
_ESCAPED = re.compile(r"[\\\x00-\x08\x0b-\x1f\x7f]")


@lru_cache(maxsize=1024)
def _rdtype(text: str) -> dns.rdatatype.RdataType | None:
    try:
        return dns.rdatatype.RdataType.make(dns.rdatatype.from_text(text))
    except dns.exception.DNSException:
        return None


@lru_cache(maxsize=4096)
def _ttl(text: str) -> int | None:
    try:
        return int(dns.ttl.from_text(text))
    except (dns.exception.DNSException, ValueError):
        return None


@lru_cache(maxsize=1024)
def _is_class(text: str) -> bool:
    try:
        dns.rdataclass.from_text(text)
    except (dns.exception.DNSException, ValueError):
        return False
    return True


def _uint16(text: str) -> int | None:
    return int(text) if text.isdigit() and int(text) <= UINT16 else None


@lru_cache(maxsize=65_536)
def _spf_rows(text: str) -> tuple[tuple[str, ...], tuple[tuple[str, str, str, dict[str, str]], ...]]:
    """An SPF policy's notes, and its rows (relationship, target label, target, properties) as
    dnsrecords makes them; cached, since zones repeat their policies."""
    policy = spf.parse(text)
    notes = list(policy.problems)
    rows: list[tuple[str, str, str, dict[str, str]]] = []
    for term in policy.terms:
        if term.kind in ("include", "redirect"):
            try:
                rows.append(("SPF_INCLUDES", "Domain", names.domain(term.value), {"mechanism": term.kind}))
            except names.InvalidName:
                notes.append(f"SPF {term.kind} of an invalid domain name")
        else:
            rows.append(("SPF_ALLOWS", "Netblock" if "/" in term.value else "IPAddress", term.value, {}))
    return tuple(notes), tuple(rows)


def _ignore(*args: object) -> None:
    pass


class ZoneColumns:
    """Reads a master file's lines into `gathered`, yielding its tables whenever it is full."""

    def __init__(
        self,
        origin: dns.name.Name,
        *,
        known_origin: bool,
        counts: Counter[str] | None = None,
        skip: Callable[[str], None] = _ignore,
        reject: Reject = _ignore,
        gathered: Observations | None = None,
    ) -> None:
        self._handed_counts = counts if counts is not None else Counter()
        self._handed_skip, self._handed_reject = skip, reject
        # what the records of the table being gathered counted, noted and rejected
        self.counts: Counter[str] = Counter()
        self._skipped: list[str] = []
        self._rejected: list[tuple[str, str, int]] = []
        self.handed_line = 0  # the last line whose records were handed on
        self.gathered = gathered or Observations()
        self._columns: dict[tuple[str, str], list[list[Any]]] = {}
        self._set_origin(origin, known_origin)
        self.owner = self.origin_text  # dnspython starts the inherited owner at the origin too
        self._owner_token = ""
        self.last_ttl: int | None = None
        self.default_ttl: int | None = None
        self.default_ttl_from_soa = False
        self._types: dict[str, Callable[[str, int, list[str], int], None]] = {
            "A": self._address,
            "AAAA": self._address,
            "NS": self._target,
            "CNAME": self._target,
            "MX": self._mx,
            "SRV": self._srv,
            "TXT": self._txt,
            "SPF": self._txt,
            "PTR": self._ptr,
        }

    # reading

    def read(self, lines: Iterable[str]) -> Iterator[Observed]:
        limit = self.gathered.limit
        pending: list[str] = []  # the tokens of a record whose parentheses are still open
        start = depth = 0
        owned = False
        number = 0
        for number, text in enumerate(lines, 1):
            if not text.isascii():
                raise Unsupported  # IDNA and escapes are dnspython's
            if depth or _SPECIAL.search(text):
                opened = depth
                words, depth = self._pieces(text, depth)
                if opened:  # the record goes on
                    pending += words
                    if len(pending) > PENDING_LIMIT:
                        raise Unsupported  # an unclosed parenthesis: dnspython's reader says where
                    if depth:
                        continue
                    words, number = pending, start
                else:
                    if text[0] in '()"':
                        raise Unsupported  # an owner that is a parenthesis or a string
                    owned = not text[0].isspace()
                    if depth:
                        pending, start = words, number
                        continue
                if not words:
                    continue
            else:
                words = text.split()
                if not words:
                    continue
                owned = not text[0].isspace()
            if owned and words[0][0] == "$":
                self._directive(words)
            else:
                self._record(words, owned, number)
            if self.gathered.rows >= limit:
                yield from self._take(number)
        if depth:
            raise Unsupported  # an unclosed parenthesis: dnspython says where
        yield from self._take(number)

    def _pieces(self, text: str, depth: int) -> tuple[list[str], int]:
        """The tokens of a line (quoted strings keep their quotes), and the parentheses open
        after it. Quotes split the line: every other part is a quoted string."""
        if _ESCAPED.search(text):
            raise Unsupported  # escapes and control characters are dnspython's
        words: list[str] = []
        parts = text.split('"')
        last = len(parts) - 1
        for index, part in enumerate(parts):
            if index % 2:
                if index == last:
                    raise Unsupported  # a stray quote, or a quoted string across lines
                words.append(f'"{part}"')
                continue
            comment = part.find(";")
            if comment >= 0:
                part = part[:comment]
            if "(" in part or ")" in part:
                for char in part:
                    depth += (char == "(") - (char == ")")
                    if depth < 0:
                        raise Unsupported
                part = part.replace("(", " ").replace(")", " ")
            words += part.split()
            if comment >= 0:
                break
        return words, depth

    def _take(self, line: int) -> Iterator[Observed]:
        """Hand on the rows gathered up to `line`, after what their records counted, noted and
        rejected (in the order a reader that never steps aside would have reported them)."""
        self._columns.clear()
        self._handed_counts.update(self.counts)
        for note in self._skipped:
            self._handed_skip(note)
        for reject in self._rejected:
            self._handed_reject(*reject)
        self.counts, self._skipped, self._rejected = Counter(), [], []
        self.handed_line = line
        yield from self.gathered.take()

    def skip(self, note: str) -> None:
        self._skipped.append(note)

    def reject(self, reason: str, text: str, line: int) -> None:
        self._rejected.append((reason, text, line))

    def _directive(self, words: list[str]) -> None:
        keyword = words[0].upper()
        if len(words) != 2 or words[1][0] == '"':
            raise Unsupported
        if keyword == "$ORIGIN":
            origin = self._name(words[1])
            self._set_origin(dns.name.from_text(origin + "." if origin else "."), True)
        elif keyword == "$TTL" and (ttl := _ttl(words[1])) is not None:
            self.default_ttl, self.default_ttl_from_soa = ttl, False
        else:
            raise Unsupported  # $INCLUDE, $GENERATE, $UNICODE, or a malformed directive

    def _set_origin(self, origin: dns.name.Name, known: bool) -> None:
        self.origin = origin
        self.origin_text = str(origin.to_text(omit_final_dot=True)) if origin != dns.name.root else ""
        self.known_origin = known

    def _name(self, token: str) -> str:
        """An owner or $ORIGIN as dnspython reads it, absolute and without the final dot;
        a name dnspython would refuse is left to dnspython."""
        if token[-1] == ".":
            name = token[:-1]
            if token == ".":
                return ""
        elif token == "@":
            name = self._relative_to_origin("")
        else:
            name = self._relative_to_origin(token)
        if not name and token != "." and token != "@" or ".." in name or name[:1] == ".":
            raise Unsupported  # an empty label
        if len(name) > 63 and (len(name) > 253 or any(len(label) > 63 for label in name.split("."))):
            raise Unsupported
        if token[0] == '"':
            raise Unsupported
        return name

    def _relative_to_origin(self, token: str) -> str:
        if not self.known_origin:
            raise Unsupported  # dnspython says which line needs an origin
        if not token:
            return self.origin_text
        return f"{token}.{self.origin_text}" if self.origin_text else token

    # records

    def _record(self, words: list[str], owned: bool, line: int) -> None:
        index = 0
        if owned:
            token = words[0]
            if token != self._owner_token:
                self.owner, self._owner_token = self._name(token), token
            index = 1
        try:
            word = words[index]
            ttl: int | None = None
            if word[0].isdigit() and (ttl := _ttl(word)) is not None:  # [ttl] [class] [ttl] type
                self.last_ttl = ttl
                index += 1
                word = words[index]
            if word.upper() == "IN":
                index += 1
                word = words[index]
            if ttl is None:
                if word[0].isdigit() and (ttl := _ttl(word)) is not None:
                    self.last_ttl = ttl
                    index += 1
                    word = words[index]
                else:
                    ttl = self._implicit_ttl()
        except IndexError:
            raise Unsupported from None
        rtype = word.upper()
        handler = self._types.get(rtype)
        data = words[index + 1 :]
        if handler is None:
            self._other(word, ttl, data, line)
            return
        if ttl is None or ttl > MAX_TTL:
            raise Unsupported  # dnspython: "Missing default TTL value"
        self.counts[rtype] += 1
        handler(rtype, ttl, data, line)

    def _implicit_ttl(self) -> int | None:
        """dnspython's rule (RFC 2308 mode): the last stated TTL unless a $TTL is in force."""
        if self.last_ttl is not None and (self.default_ttl is None or self.default_ttl_from_soa):
            return self.last_ttl
        return self.default_ttl

    def _data_name(self, token: str) -> str | None:
        """A name in record data, absolute, as the normaliser takes it; None for the root."""
        if token[-1] == ".":
            return token if token != "." else None
        if token == "@":
            return self._relative_to_origin("") or None
        return self._relative_to_origin(token)

    def _edges(self, rel: str, from_label: str, to_label: str, props: tuple[str, ...]) -> list[list[Any]]:
        key = (rel, to_label)
        columns = self._columns.get(key)
        if columns is None:
            columns = self._columns[key] = self.gathered.columns(rel, (from_label, to_label), props)
        return columns

    def _target(self, rtype: str, ttl: int, data: list[str], line: int) -> None:
        if len(data) != 1 or data[0][0] == '"':
            self._by_dnspython(rtype, ttl, data, line)
            return
        target = self._data_name(data[0])
        if target is None:
            self._nothing(NO_TARGET.format(rtype), line, rtype, data)
            return
        rel = "ALIAS_OF" if rtype == "CNAME" else "USES_NAMESERVER"
        f, t, lines, ttls = self._edges(rel, "Domain", "Domain", ("ttl",))
        f.append(self.owner)
        t.append(target)
        lines.append(line)
        ttls.append(ttl)
        self.gathered.rows += 1

    def _address(self, rtype: str, ttl: int, data: list[str], line: int) -> None:
        address = data[0] if len(data) == 1 else '"'
        # what dnspython and Python's ipaddress would read differently goes to dnspython
        if (
            "%" in address
            or address[0] == '"'
            or ((":" in address) != (rtype == "AAAA"))
            or "." in address
            and rtype == "AAAA"
        ):
            self._by_dnspython(rtype, ttl, data, line)
            return
        f, t, lines, ttls = self._edges("RESOLVES_TO", "Domain", "IPAddress", ("ttl",))
        f.append(self.owner)
        t.append(address)
        lines.append(line)
        ttls.append(ttl)
        self.gathered.rows += 1

    def _mx(self, rtype: str, ttl: int, data: list[str], line: int) -> None:
        preference = _uint16(data[0]) if len(data) == 2 and data[1][0] != '"' else None
        if preference is None:
            self._by_dnspython(rtype, ttl, data, line)
            return
        target = self._data_name(data[1])
        if target is None:
            self._nothing(NO_TARGET.format(rtype), line, rtype, data)
            return
        f, t, lines, preferences, ttls = self._edges("USES_MAIL_SERVER", "Domain", "Domain", ("preference", "ttl"))
        f.append(self.owner)
        t.append(target)
        lines.append(line)
        preferences.append(preference)
        ttls.append(ttl)
        self.gathered.rows += 1

    def _srv(self, rtype: str, ttl: int, data: list[str], line: int) -> None:
        numbers = [_uint16(word) for word in data[:3]] if len(data) == 4 and data[3][0] != '"' else [None]
        if None in numbers:
            self._by_dnspython(rtype, ttl, data, line)
            return
        target = self._data_name(data[3])
        if target is None:
            self._nothing(NO_TARGET.format(rtype), line, rtype, data)
            return
        columns = self._edges("USES_SERVICE_HOST", "Domain", "Domain", ("priority", "weight", "port", "ttl"))
        for column, value in zip(columns, [self.owner, target, line, *numbers, ttl], strict=True):
            column.append(value)
        self.gathered.rows += 1

    def _txt(self, rtype: str, ttl: int, data: list[str], line: int) -> None:
        strings = [word[1:-1] if word[0] == '"' else word for word in data]
        if not strings or any(len(s) > 255 for s in strings):
            self._by_dnspython(rtype, ttl, data, line)  # dnspython refuses it
            return
        text = spf.join_strings(strings)
        if not spf.is_spf(text):
            self._nothing(NOT_SPF, line, rtype, data)
            return
        if not self._owner_valid(line, rtype, data):
            return
        notes, rows = _spf_rows(text)
        for note in notes:
            self.skip(note)
        for rel, label, target, props in rows:
            columns = self._edges(rel, "Domain", label, tuple(props))
            for column, value in zip(columns, [self.owner, target, line, *props.values()], strict=True):
                column.append(value)
            self.gathered.rows += 1

    def _ptr(self, rtype: str, ttl: int, data: list[str], line: int) -> None:
        if len(data) != 1 or data[0][0] == '"':
            self._by_dnspython(rtype, ttl, data, line)
            return
        if not self._owner_valid(line, rtype, data):
            return
        address = dnsrecords.reverse_address(names.domain(self.owner))
        if address is None:
            self.skip(PARTIAL_PTR)
            return
        target = self._data_name(data[0])
        if target is None:
            self.skip(NO_TARGET.format(rtype))
            return
        f, t, lines, ttls = self._edges("POINTER_TO", "IPAddress", "Domain", ("ttl",))
        f.append(address)
        t.append(target)
        lines.append(line)
        ttls.append(ttl)
        self.gathered.rows += 1

    def _nothing(self, note: str, line: int, rtype: str, data: list[str]) -> None:
        """A record that maps to nothing: noted, unless its owner cannot be a Domain (rejected,
        as dnsrecords checks the owner first)."""
        if self._owner_valid(line, rtype, data):
            self.skip(note)

    def _owner_valid(self, line: int, rtype: str, data: list[str]) -> bool:
        """Whether the owner can be a Domain; if not the record is rejected. The reader checks
        owners itself only where a record makes no rows, or several: a single row's owner is
        checked by the normaliser."""
        try:
            names.domain(self.owner)
        except names.InvalidName as exc:
            self.reject(str(exc), f"{self.owner} {rtype} {' '.join(data)}", line)
            return False
        return True

    def _other(self, word: str, ttl: int | None, data: list[str], line: int) -> None:
        """A type the reader does not map itself: its data read by dnspython."""
        if _is_class(word) or word[0] == '"':
            raise Unsupported  # a second class, or another class than IN: dnspython says
        rdtype = _rdtype(word)
        if rdtype is None:
            raise Unsupported  # an unknown type: dnspython says
        rtype = dnsrecords.type_text(rdtype)
        if rtype != "SOA" and (ttl is None or ttl > MAX_TTL):
            raise Unsupported
        self.counts[rtype] += 1
        self._by_dnspython(rtype, ttl, data, line)

    def _by_dnspython(self, rtype: str, ttl: int | None, data: list[str], line: int) -> None:
        """One record's data parsed by dnspython and mapped by dnsrecords, as the dnspython reader
        does; data it refuses rejects the record with its line (a TTL error is the file's)."""
        text = " ".join(data)
        try:
            rdata = dns.rdata.from_text(IN, dns.rdatatype.from_text(rtype), text, self.origin, False)
        except (dns.exception.DNSException, ValueError, TypeError, IndexError, UnicodeError) as exc:
            if "TTL" in str(exc):
                raise Unsupported from None
            self.reject(f"bad {rtype} data: {exc or type(exc).__name__}", f"{self.owner} {rtype} {text}", line)
            return
        if rtype == "SOA" and self.default_ttl is None:  # pre-RFC 2308: the SOA minimum
            self.default_ttl, self.default_ttl_from_soa = int(rdata.minimum), True  # type: ignore[attr-defined]
            if ttl is None:
                ttl = self._implicit_ttl()
        if ttl is None or ttl > MAX_TTL:
            raise Unsupported
        if not self.known_origin and self.origin.to_text() in rdata.to_text():
            raise Unsupported  # a relative name and no origin: dnspython says where
        owner = self.owner
        try:
            records = dnsrecords.observations(owner, rdata, Seen(ttl=ttl), self.skip)
        except names.InvalidName as exc:
            self.reject(str(exc), f"{owner} {ttl} {rtype} {rdata.to_text()}", line)
            return
        for record in records:
            self.gathered.record(record, line)
        self._columns.clear()  # a new group may have been made: look the columns up again
