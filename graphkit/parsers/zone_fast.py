"""A fast reader for plain zone files, with dnspython's meaning but not its character-by-character
tokenizer (which costs most of a zone load).

It reads the common subset: $ORIGIN, $TTL, owner/TTL/class inheritance, '@', relative names,
comments, parenthesised records without quotes, quoted strings on one line. Record data is
built by dnspython (directly for A, AAAA, CNAME, NS, PTR and MX; through dns.rdata.from_text
for the rest), so the records are the ones dnspython's reader makes. Anything else, and any
error at all, raises Unsupported: the caller then reads the file with dnspython's reader,
which has the last word on what a file means and on how its errors are reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.CNAME
import dns.rdtypes.ANY.MX
import dns.rdtypes.ANY.NS
import dns.rdtypes.ANY.PTR
import dns.rdtypes.IN.A
import dns.rdtypes.IN.AAAA
import dns.ttl

IN = dns.rdataclass.IN
MAX_TTL = 2**31 - 1

AddRecord = Callable[[dns.name.Name, int, dns.rdata.Rdata, int], None]  # owner, ttl, data, line


class Unsupported(Exception):
    """This file (or this line of it) is outside the fast reader's subset."""


_BEFORE_COMMENT = re.compile(r'^((?:[^";]|"[^"]*")*)')  # the text before a ';' outside quotes
_TOKEN = re.compile(r'"[^"]*"|[^\s"]+')


@lru_cache(maxsize=65_536)
def _name(text: str, origin: dns.name.Name) -> dns.name.Name:
    return dns.name.from_text(text, origin)


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


def _is_class(text: str) -> bool:
    try:
        dns.rdataclass.from_text(text)
    except dns.exception.DNSException:
        return False
    return True


# dnspython's own classes, built the way their from_text builds them (they validate their values)
_ADDRESS: dict[int, Any] = {dns.rdatatype.A: dns.rdtypes.IN.A.A, dns.rdatatype.AAAA: dns.rdtypes.IN.AAAA.AAAA}
_TARGET: dict[int, Any] = {
    dns.rdatatype.CNAME: dns.rdtypes.ANY.CNAME.CNAME,
    dns.rdatatype.NS: dns.rdtypes.ANY.NS.NS,
    dns.rdatatype.PTR: dns.rdtypes.ANY.PTR.PTR,
}
_MX: Any = dns.rdtypes.ANY.MX.MX


def _simple_rdata(rdtype: int, words: list[str], origin: dns.name.Name) -> dns.rdata.Rdata:
    rdata: dns.rdata.Rdata
    if rdtype in _ADDRESS and len(words) == 1:
        rdata = _ADDRESS[rdtype](IN, rdtype, words[0])
    elif rdtype in _TARGET and len(words) == 1:
        rdata = _TARGET[rdtype](IN, rdtype, _name(words[0], origin))
    elif rdtype == dns.rdatatype.MX and len(words) == 2 and words[0].isdigit():
        rdata = _MX(IN, rdtype, int(words[0]), _name(words[1], origin))
    else:
        raise Unsupported
    return rdata


SIMPLE_TYPES = frozenset({*_ADDRESS, *_TARGET, dns.rdatatype.MX})


class FastReader:
    """Reads lines of a master file, handing each record to `add`; raises Unsupported."""

    def __init__(self, origin: dns.name.Name, add: AddRecord) -> None:
        self.origin = origin
        self.add = add
        self.last_name = origin  # dnspython starts the inherited owner at the origin too
        self.last_ttl: int | None = None
        self.default_ttl: int | None = None
        self.default_ttl_from_soa = False

    def read(self, lines: Iterable[str]) -> None:
        pending, start = "", 0
        for number, text in enumerate(lines, 1):
            raw = text.rstrip("\r\n")
            if "\\" in raw:
                raise Unsupported
            match = _BEFORE_COMMENT.match(raw)
            line = match.group(1) if match else raw
            if line.count('"') % 2:
                raise Unsupported  # a quoted string across lines, or a stray quote
            if pending:
                pending += " " + line
                if pending.count("(") > pending.count(")"):
                    continue
                self._logical(pending, start)
                pending = ""
                continue
            if "(" in line or ")" in line:
                if '"' in line or line.count(")") > line.count("("):
                    raise Unsupported
                if line.count("(") > line.count(")"):
                    pending, start = line, number
                    continue
            self._logical(line, number)
        if pending:
            raise Unsupported  # unclosed parenthesis: dnspython says where

    def _logical(self, line: str, number: int) -> None:
        if not line.strip():
            return
        if "(" in line:
            if '"' in line:
                raise Unsupported
            line = line.replace("(", " ").replace(")", " ")
        if line[0] == "$":
            self._directive(line.split())
            return
        try:
            self._record(line, number)
        except (dns.exception.DNSException, ValueError, TypeError, IndexError, UnicodeError):
            raise Unsupported from None

    def _directive(self, words: list[str]) -> None:
        keyword = words[0].upper()
        if keyword == "$ORIGIN" and len(words) == 2:
            origin = _name(words[1], self.origin)
            if not origin.is_absolute():
                raise Unsupported
            self.origin = origin
        elif keyword == "$TTL" and len(words) == 2 and _ttl(words[1]) is not None:
            self.default_ttl = _ttl(words[1])
            self.default_ttl_from_soa = False
        else:
            raise Unsupported  # $INCLUDE, $GENERATE, $UNICODE, or a malformed directive

    def _record(self, line: str, number: int) -> None:
        spans = list(_TOKEN.finditer(line))
        if not spans:
            return
        for span in spans:  # a quoted string must stand alone, as dnspython's tokenizer sees it
            if span.group().startswith('"') and not (
                (span.start() == 0 or line[span.start() - 1].isspace())
                and (span.end() == len(line) or line[span.end()].isspace())
            ):
                raise Unsupported
        index = 0
        if not line[0].isspace():
            owner = spans[0].group()
            if owner.startswith('"'):
                raise Unsupported
            self.last_name = self.origin if owner == "@" else _name(owner, self.origin)
            index = 1
        ttl: int | None = None
        rdtype: dns.rdatatype.RdataType | None = None
        seen_class = False
        while index < len(spans):  # [ttl] [class] [ttl] type, as dnspython reads them
            word = spans[index].group()
            index += 1
            if ttl is None and word[0].isdigit() and (value := _ttl(word)) is not None:
                ttl = value
                continue
            if not seen_class and word.upper() == "IN":
                seen_class = True
                continue
            if _is_class(word) or word.startswith('"'):
                raise Unsupported
            rdtype = _rdtype(word)
            break
        if rdtype is None:
            raise Unsupported
        rest = spans[index:]
        if rdtype in SIMPLE_TYPES and not any(s.group().startswith('"') for s in rest):
            rdata = _simple_rdata(rdtype, [s.group() for s in rest], self.origin)
        else:
            text = line[rest[0].start() :] if rest else ""
            rdata = dns.rdata.from_text(IN, rdtype, text, self.origin, False)
        if ttl is not None:
            self.last_ttl = ttl
        else:
            ttl = self._implicit_ttl()
        if self.default_ttl is None and rdtype == dns.rdatatype.SOA:  # pre-RFC 2308: the SOA minimum
            self.default_ttl = int(rdata.minimum)  # type: ignore[attr-defined]
            self.default_ttl_from_soa = True
            if ttl is None:
                ttl = self._implicit_ttl()
        if ttl is None or ttl > MAX_TTL:
            raise Unsupported
        self.add(self.last_name, ttl, rdata, number)

    def _implicit_ttl(self) -> int | None:
        """dnspython's rule (RFC 2308 mode): the last stated TTL unless a $TTL is in force."""
        if self.last_ttl is not None and (self.default_ttl is None or self.default_ttl_from_soa):
            return self.last_ttl
        return self.default_ttl
