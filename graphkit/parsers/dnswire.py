"""DNS messages in wire format, read directly for what lookup logs need: a query's question and
a response's A, AAAA and CNAME answers. Names of plain labels (letters, digits, '-', '_', '*')
and answers dnspython would give as they are only: anything else (an escape dnspython would
write, records it would gather differently, a broken message) returns None, and the caller
asks dnspython, which has the last word."""

from __future__ import annotations

import re
import socket
import struct

A, CNAME, AAAA = 1, 5, 28
IN = 1
POINTERS = 32  # compression pointers followed in one name: more is a loop
PLAIN_NAME = re.compile(rb"[A-Za-z0-9_*-]+(?:\.[A-Za-z0-9_*-]+)*")  # labels joined: checked at once

# Runs of labels read before, up to and with their final zero byte -> their text: the same
# bytes always read as the same name, and names repeat (a message's question is in its answer).
_RUNS: dict[bytes, str] = {}
RUNS_KEPT = 50_000

Answer = tuple[str, int, str, int]  # owner, type, data (a CNAME's target or an address), TTL


class _Unread(Exception):
    """Not a message this reader reads: dnspython's."""


def question(wire: bytes) -> tuple[str, int, bool] | None:
    """(name, type, recursion desired) of the first question; None: dnspython's to decide."""
    try:
        if len(wire) < 12 or struct.unpack_from("!H", wire, 4)[0] == 0:
            raise _Unread
        name, at = _name(wire, 12)
        if at + 4 > len(wire):
            raise _Unread
        return name, struct.unpack_from("!H", wire, at)[0], bool(wire[2] & 1)
    except _Unread:
        return None


def answers(wire: bytes) -> list[Answer] | None:
    """The A, AAAA and CNAME records of the answer section, in order; None: dnspython's to decide."""
    try:
        if len(wire) < 12:
            raise _Unread
        questions, records = struct.unpack_from("!HH", wire, 4)
        at = 12
        for _ in range(questions):
            at = _name(wire, at)[1] + 4
        out: list[Answer] = []
        for _ in range(records):
            owner, at = _name(wire, at)
            if at + 10 > len(wire):
                raise _Unread
            rtype, rclass, ttl, length = struct.unpack_from("!HHIH", wire, at)
            at += 10
            if at + length > len(wire):
                raise _Unread
            if rclass == IN and rtype in (A, AAAA, CNAME):
                out.append((owner, rtype, _data(wire, at, rtype, length), ttl))
            at += length
        return out if _as_rrsets(out) else None
    except _Unread:
        return None


def _as_rrsets(records: list[Answer]) -> bool:
    """Whether dnspython would give the same records in the same order: it gathers a
    message's records into sets per owner and type (names compared without case), so a set
    whose records are apart, repeat, or differ in TTL is left to it."""
    seen: set[tuple[str, int]] = set()
    data: set[tuple[str, int, str]] = set()
    previous: tuple[str, int, int] | None = None
    for owner, rtype, value, ttl in records:
        key = (owner.lower(), rtype)
        if previous is not None and key == previous[:2]:
            if ttl != previous[2]:
                return False
        elif key in seen:
            return False
        seen.add(key)
        if (*key, value.lower()) in data:
            return False
        data.add((*key, value.lower()))
        previous = (*key, ttl)
    return True


def _data(wire: bytes, at: int, rtype: int, length: int) -> str:
    if rtype == CNAME:
        return _name(wire, at)[0]
    if (rtype, length) not in ((A, 4), (AAAA, 16)):
        raise _Unread  # data of the wrong size: dnspython reads it as unknown data
    return socket.inet_ntop(socket.AF_INET if rtype == A else socket.AF_INET6, wire[at : at + length])


def _name(wire: bytes, at: int) -> tuple[str, int]:
    """The name at `at` (its text, without the final dot; '.' for the root) and where what
    follows it in the record starts."""
    parts: list[str] = []  # the text of each run of labels, runs joined by compression pointers
    after = None
    for _ in range(POINTERS):
        end = wire.find(b"\x00", at)
        known = _RUNS.get(wire[at : end + 1]) if end >= 0 else None
        if known is not None:
            parts.append(known)
            return _joined(parts), end + 1 if after is None else after
        start, labels = at, list[bytes]()
        while True:
            if at >= len(wire):
                raise _Unread
            size = wire[at]
            if size == 0:
                text = _plain(labels)
                if len(_RUNS) < RUNS_KEPT:
                    _RUNS[wire[start : at + 1]] = text
                parts.append(text)
                return _joined(parts), at + 1 if after is None else after
            if size >= 0xC0:
                if at + 1 >= len(wire):
                    raise _Unread
                parts.append(_plain(labels))
                after = at + 2 if after is None else after
                at = ((size & 0x3F) << 8) | wire[at + 1]
                break
            label = wire[at + 1 : at + 1 + size]
            if size > 63 or len(label) < size or b"." in label:
                raise _Unread
            labels.append(label)
            at += 1 + size
    raise _Unread


def _plain(labels: list[bytes]) -> str:
    name = b".".join(labels)
    if name and not PLAIN_NAME.fullmatch(name):
        raise _Unread
    return name.decode("ascii")


def _joined(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0] or "."
    return ".".join(part for part in parts if part) or "."
