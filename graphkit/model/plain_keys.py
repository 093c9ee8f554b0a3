"""graphkit.model.names' canonical form computed in Arrow for the keys where it is only a
lowercasing: plain ASCII domain names and dotted-quad IPv4 addresses. The rest still go
through names, a distinct value at a time (callers choose them with the returned mask)."""

from __future__ import annotations

from typing import Any

import pyarrow.compute as pc

_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"  # names._LABEL without '*'
# at most one final dot: names.domain drops any, but two make an empty label for dnspython
PLAIN_DOMAIN = rf"^(?:{_LABEL}\.)*{_LABEL}\.?$"
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
PLAIN_IPV4 = rf"^(?:{_OCTET}\.){{3}}{_OCTET}$"  # no leading zeros: str(ip_address(x)) == x


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


def plain(label: str, column: Any) -> tuple[Any, Any] | None:
    """The canonical keys Arrow can compute for a label's column, or None for none."""
    if label == "Domain":
        return domains(column)
    if label == "IPAddress":
        return ipv4(column)
    return None
