"""graphkit.model.names' canonical form computed in Arrow for the keys where it is only a
lowercasing: plain ASCII domain names, dotted-quad IPv4 addresses and IPv4 networks. The rest
still go through names, a distinct value at a time (callers choose them with the returned mask)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"  # names._LABEL without '*'
# at most one final dot: names.domain drops any, but two make an empty label for dnspython
PLAIN_DOMAIN = rf"^(?:{_LABEL}\.)*{_LABEL}\.?$"
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
PLAIN_IPV4 = rf"^(?:{_OCTET}\.){{3}}{_OCTET}$"  # no leading zeros: str(ip_address(x)) == x
PLAIN_IPV4_NETWORK = rf"^(?:{_OCTET}\.){{3}}{_OCTET}/(?:3[0-2]|[12]?[0-9])$"


def domains(column: Any) -> tuple[Any, Any]:
    """(names.domain of each value where the mask is true, mask of those values)."""
    lowered = pc.ascii_lower(column)  # not utf8_lower: it makes ASCII of some other letters
    canonical = pc.utf8_rtrim(lowered, characters=".")
    plain = pc.and_(
        pc.fill_null(pc.match_substring_regex(lowered, PLAIN_DOMAIN), False),
        pc.fill_null(pc.less_equal(pc.utf8_length(canonical), 253), False),
    )
    return canonical, plain


def ipv4(column: Any) -> tuple[Any, Any]:
    """(names.ip of each value where the mask is true, mask of those values)."""
    return column, pc.fill_null(pc.match_substring_regex(column, PLAIN_IPV4), False)


def ipv4_networks(column: Any) -> tuple[Any, Any]:
    """(names.cidr of each value where the mask is true, mask of those values): the text
    itself, when it has no host bits set (names.cidr rejects those, with its reason)."""
    written = pc.fill_null(pc.match_substring_regex(column, PLAIN_IPV4_NETWORK), False)
    parts = pc.split_pattern_regex(pc.if_else(written, column, "0.0.0.0/0"), r"[./]")
    a, b, c, d, length = (pc.cast(pc.list_element(parts, i), pa.uint64()) for i in range(5))
    number = pc.add(pc.add(pc.shift_left(a, 24), pc.shift_left(b, 16)), pc.add(pc.shift_left(c, 8), d))
    host_bits = pc.subtract(pa.scalar(32, pa.uint64()), length)
    whole = pc.equal(pc.shift_left(pc.shift_right(number, host_bits), host_bits), number)
    return column, pc.and_(written, whole)


def plain(label: str, column: Any) -> tuple[Any, Any] | None:
    """The canonical keys Arrow can compute for a label's column, or None for none."""
    if label == "Domain":
        return domains(column)
    if label == "IPAddress":
        return ipv4(column)
    if label == "Netblock":
        return ipv4_networks(column)
    return None
