"""The values of lookup-log columns: what each distinct client, name, type or server is.

Each raw value is classified once: its canonical form, or why a line holding it is not
counted (a reject for a malformed value, a skip for local noise or a query that is not a
DNS name). The rules for local noise live here: mDNS (.local and the link-local reverse
zones, 224.0.0.251 / ff02::fb, port 5353), LLMNR (224.0.0.252 / ff02::1:3, port 5355),
NetBIOS (NB / NBSTAT queries, port 137) and any other multicast destination.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from enum import IntEnum
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from graphkit.model import names

UNKNOWN_QTYPE = "UNKNOWN"  # the type of a lookup whose log gives none
# Marks a client value that names a computer (a Host), not an address: Sysmon's computers, a
# resolver known by its dnstap identity. A control character: no log's address column holds it.
HOST_CLIENT = "\x00host:"
QTYPE_ALIASES = {"*": "ANY"}  # Zeek's qtype_name for type 255
ANSWER_TYPES = frozenset({"A", "AAAA", "CNAME"})  # queries whose answers are an alias chain + addresses


class Why(IntEnum):
    """Why a line is not counted. Lower values win when a line has several problems;
    values below MDNS are rejects (a malformed line), the rest are skips (well-formed
    lines that are not a lookup we count)."""

    BAD_TIME = 1
    BAD_CLIENT = 2
    BAD_QUERY = 3
    BAD_QTYPE = 4
    BAD_SERVER = 5
    MDNS = 10
    LLMNR = 11
    NETBIOS = 12
    MULTICAST = 13
    NO_QUERY = 14
    NOT_A_NAME = 15
    BEFORE_SINCE = 16
    AFTER_UNTIL = 17
    OK = 255


SKIP_REASONS = {
    Why.MDNS: "local: mDNS",
    Why.LLMNR: "local: LLMNR",
    Why.NETBIOS: "local: NetBIOS",
    Why.MULTICAST: "local: multicast",
    Why.NO_QUERY: "no query name",
    Why.NOT_A_NAME: "query is not a DNS name",
    Why.BEFORE_SINCE: "before --since",
    Why.AFTER_UNTIL: "after --until",
}
# Link-local names: mDNS's .local and the link-local reverse zones (RFC 6762 section 3, 4).
LOCAL_ZONES = ("local", "254.169.in-addr.arpa", "8.e.f.ip6.arpa", "9.e.f.ip6.arpa", "a.e.f.ip6.arpa", "b.e.f.ip6.arpa")
LOCAL_SERVERS = {"224.0.0.251": Why.MDNS, "ff02::fb": Why.MDNS, "224.0.0.252": Why.LLMNR, "ff02::1:3": Why.LLMNR}
LOCAL_PORTS = {"5353": Why.MDNS, "5355": Why.LLMNR, "137": Why.NETBIOS}
NETBIOS_QTYPES = frozenset({"NB", "NBSTAT"})


def unescape_zeek(text: str) -> str:
    r"""Zeek writes bytes it will not print as \xHH; the name is those bytes, read as UTF-8."""
    if "\\x" not in text:
        return text
    return unescape_hex(text.encode("utf-8")).decode("utf-8", "strict")


def unescape_hex(raw: bytes) -> bytes:
    r"""Each \xHH as the byte it names; anything else as it is."""
    out, i = bytearray(), 0
    while i < len(raw):
        if raw.startswith(b"\\x", i) and i + 4 <= len(raw):
            try:
                out.append(int(raw[i + 2 : i + 4], 16))
                i += 4
                continue
            except ValueError:
                pass
        out.append(raw[i])
        i += 1
    return bytes(out)


def _decode(raw: bytes | str, zeek_escapes: bool) -> str:
    """Raise UnicodeDecodeError for bytes that are not UTF-8."""
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    return unescape_zeek(text) if zeek_escapes else text


LOCAL_SUFFIXES = tuple("." + zone for zone in LOCAL_ZONES)
IPV4 = re.compile(r"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)")


# A name already in names.domain's canonical form: lowercase LDH (and _) labels, no trailing dot.
_LABEL = r"(?:[a-z0-9_]|[a-z0-9_][a-z0-9_-]{0,61}[a-z0-9_])"
CANONICAL_NAME = re.compile(rf"(?:{_LABEL}\.)*{_LABEL}")


# The same test vectorised (RE2), for plain, non-local names: their canonical form is themselves.
_LOCAL_RE2 = r"(?:^|\.)(?:local|254\.169\.in-addr\.arpa|[89ab]\.e\.f\.ip6\.arpa)$"


def canonical_names(values: pa.Array) -> pa.Array:
    """True for each value that is already a canonical, non-local DNS name."""
    plain = pc.match_substring_regex(values, f"^{CANONICAL_NAME.pattern}$")
    short = pc.less_equal(pc.binary_length(values), pa.scalar(253, pa.int32()))
    local = pc.match_substring_regex(values, _LOCAL_RE2)
    return pc.fill_null(pc.and_(pc.and_(plain, short), pc.invert(local)), pa.scalar(False))


def name_text(text: str) -> str:
    return text if len(text) <= 253 and CANONICAL_NAME.fullmatch(text) else names.domain(text)


def _is_local_name(name: str) -> bool:
    return name.endswith(LOCAL_SUFFIXES) or name in LOCAL_ZONES


def ip_text(text: str) -> str:
    """names.ip, without its cost for the common dotted quad (already canonical)."""
    return text if IPV4.fullmatch(text) else names.ip(text)


# -- classifying distinct values: each returns (canonical value, status, reject message) ----------
Classified = tuple[str, Why, str]


def classify_client(raw: bytes | str, zeek_escapes: bool) -> Classified:
    """A client address, or a computer known by its name (a value the parser marked as a host)."""
    try:
        text = _decode(raw, zeek_escapes)
    except UnicodeDecodeError:
        return "", Why.BAD_CLIENT, "undecodable bytes in the client"
    if text.startswith(HOST_CLIENT):
        try:
            return HOST_CLIENT + names.host(text[len(HOST_CLIENT) :]), Why.OK, ""
        except names.InvalidName:
            return "", Why.BAD_CLIENT, f"bad host name {_shown(text[len(HOST_CLIENT) :])}"
    try:
        return ip_text(text), Why.OK, ""
    except names.InvalidName:
        return "", Why.BAD_CLIENT, f"bad client address {_shown(raw)}"


def classify_qname(raw: bytes | str, zeek_escapes: bool, keep_local: bool) -> Classified:
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        return "", Why.BAD_QUERY, "undecodable bytes in the query name"
    try:
        text = unescape_zeek(text) if zeek_escapes else text
    except UnicodeDecodeError:
        return "", Why.NOT_A_NAME, ""
    if len(text) <= 253 and CANONICAL_NAME.fullmatch(text):  # the common case, without names.domain's cost
        name = text
    else:
        folded = text.strip().rstrip(".").lower()
        if not folded:
            return "", Why.NO_QUERY, ""
        try:
            name = names.domain(text)
        except names.InvalidName:
            return "", Why.MDNS if not keep_local and _is_local_name(folded) else Why.NOT_A_NAME, ""
    if not keep_local and _is_local_name(name):
        return "", Why.MDNS, ""
    return name, Why.OK, ""


def classify_qtype(raw: bytes | str, zeek_escapes: bool, keep_local: bool) -> Classified:
    try:
        text = _decode(raw, zeek_escapes).strip().upper()
    except UnicodeDecodeError:
        return "", Why.BAD_QTYPE, "undecodable bytes in the query type"
    if not text:
        return UNKNOWN_QTYPE, Why.OK, ""
    text = QTYPE_ALIASES.get(text, text)
    if len(text) > 32 or not all(c.isalnum() or c in "-_" for c in text) or not text.isascii():
        return "", Why.BAD_QTYPE, f"bad query type {_shown(raw)}"
    if not keep_local and text in NETBIOS_QTYPES:
        return "", Why.NETBIOS, ""
    return text, Why.OK, ""


def classify_server(raw: bytes | str, zeek_escapes: bool, keep_local: bool) -> Classified:
    try:
        address = ip_text(_decode(raw, zeek_escapes))
    except UnicodeDecodeError:
        return "", Why.BAD_SERVER, "undecodable bytes in the server address"
    except names.InvalidName:
        return "", Why.BAD_SERVER, f"bad server address {_shown(raw)}"
    if not keep_local:
        if address in LOCAL_SERVERS:
            return address, LOCAL_SERVERS[address], ""
        if ipaddress.ip_address(address).is_multicast:
            return address, Why.MULTICAST, ""
    return address, Why.OK, ""


def classify_port(raw: bytes | str, zeek_escapes: bool, keep_local: bool) -> Classified:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    text = text.strip()
    if not keep_local and text in LOCAL_PORTS:
        return text, LOCAL_PORTS[text], ""
    return text, Why.OK, ""


def _shown(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "backslashreplace") if isinstance(raw, bytes) else raw
    return repr(text[:80])


class ValueColumn:
    """The distinct values of one column: raw value -> id of its canonical form, and status.

    Two spellings of one name ('WPAD', 'wpad.') share one id, so they are one key. Each raw
    value is classified once; later batches only look it up.
    """

    def __init__(
        self,
        classify: Callable[[bytes | str, bool], Classified],
        null_status: Why,
        already_canonical: Callable[[pa.Array], pa.Array] | None = None,
    ) -> None:
        self._classify = classify
        self.null_status = null_status
        self._already_canonical = already_canonical  # vectorised test for values that need no classify()
        self.values: list[str] = []  # canonical value of each id
        self._ids: dict[str, int] = {}
        self._codes: dict[bytes | str, int] = {}  # raw -> id (>= 0), or -status when not OK
        self._messages: dict[bytes | str, str] = {}  # raw -> reject message

    def id_of(self, value: str) -> int:
        found = self._ids.get(value)
        if found is None:
            found = self._ids[value] = len(self.values)
            self.values.append(value)
        return found

    def _learn(self, raw: bytes | str, zeek_escapes: bool) -> int:
        value, status, message = self._classify(raw, zeek_escapes)
        if status is Why.OK:
            code = self.id_of(value)
        else:
            code = -int(status)
            if message:
                self._messages[raw] = message
        self._codes[raw] = code
        return code

    def _learn_canonical(self, dictionary: pa.Array, found: list[int | None]) -> None:
        """Learn, in place in `found`, the new values that are already canonical, found by a
        vectorised test: for a log of mostly distinct names, classify() per value dominates."""
        if self._already_canonical is None:
            return
        new = [i for i, code in enumerate(found) if code is None]
        if len(new) < 256:
            return
        candidates = pc.take(dictionary, pa.array(new, pa.int64()))
        canonical = self._already_canonical(candidates)
        positions = pc.filter(pa.array(new, pa.int64()), canonical).to_pylist()
        texts = pc.cast(pc.filter(candidates, canonical), pa.string()).to_pylist()
        raws = pc.filter(candidates, canonical).to_pylist()
        ids, values, codes = self._ids, self.values, []
        for text in texts:  # id_of, inlined: this loop runs once per new name
            code = ids.get(text)
            if code is None:
                code = ids[text] = len(values)
                values.append(text)
            codes.append(code)
        self._codes.update(zip(raws, codes, strict=True))
        for position, code in zip(positions, codes, strict=True):
            found[position] = code

    def message(self, raw: Any) -> str:
        return self._messages.get(raw, "") if raw is not None else ""

    def encode(self, column: pa.Array, zeek_escapes: bool) -> tuple[pa.Array, pa.Array | None]:
        """(id per row, null where unusable; status per row, or None when every row is OK)."""
        if not pa.types.is_dictionary(column.type):
            column = pc.dictionary_encode(column)
        raws = column.dictionary.to_pylist()
        get = self._codes.get
        found = [get(raw) for raw in raws]
        if None in found:
            self._learn_canonical(column.dictionary, found)
            found = [self._learn(r, zeek_escapes) if c is None else c for r, c in zip(raws, found, strict=True)]
        codes: list[int] = found  # type: ignore[assignment]  # every value is known now
        nulls_ok = column.null_count == 0 or self.null_status is Why.OK
        if nulls_ok and (not codes or min(codes) >= 0):
            return pc.take(pa.array(codes, pa.int32()), column.indices), None
        ids = pa.array([c if c >= 0 else None for c in codes], pa.int32())
        statuses = pa.array([int(Why.OK) if c >= 0 else -c for c in codes], pa.uint8())
        row_status = pc.fill_null(pc.take(statuses, column.indices), pa.scalar(int(self.null_status), pa.uint8()))
        return pc.take(ids, column.indices), row_status
