"""SPF policies (RFC 7208) in TXT records: the terms that point at other domains or networks.

Only what the graph records is extracted: `include:` and `redirect=` (another domain's policy)
and `ip4:`/`ip6:` with a pass qualifier (addresses or networks allowed to send). Other
mechanisms (a, mx, ptr, exists, all) name nothing new and are left alone.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Literal

SPF_VERSION = "v=spf1"

TermKind = Literal["include", "redirect", "ip4", "ip6"]


@dataclass(frozen=True, slots=True)
class SpfTerm:
    kind: TermKind
    value: str  # a domain name for include/redirect; an address or CIDR network for ip4/ip6


@dataclass
class SpfPolicy:
    terms: list[SpfTerm]
    problems: list[str]  # terms that could not be read, each with the reason


def join_strings(strings: list[bytes] | list[str]) -> str:
    """A TXT record's character-strings as one text: concatenated with nothing between (RFC 7208 3.3)."""
    return "".join(s.decode("utf-8", "replace") if isinstance(s, bytes) else s for s in strings)


def is_spf(text: str) -> bool:
    head = text.lstrip()[: len(SPF_VERSION) + 1].lower()
    return head == SPF_VERSION or (head.startswith(SPF_VERSION) and head[-1].isspace())


def parse(text: str) -> SpfPolicy:
    """The include/redirect/ip4/ip6 terms of an SPF policy text ('v=spf1 ...')."""
    policy = SpfPolicy([], [])
    for word in text.split()[1:]:
        qualifier = word[0] if word[0] in "+-~?" else "+"
        term = word[1:] if word[0] in "+-~?" else word
        name, sep, value = _split(term)
        if name == "redirect" and sep == "=":
            _add_domain(policy, "redirect", value, word)
        elif name == "include" and sep == ":":
            _add_domain(policy, "include", value, word)
        elif name in ("ip4", "ip6") and sep == ":" and qualifier == "+":  # -ip4:, ~ip4: do not allow
            _add_network(policy, "ip4" if name == "ip4" else "ip6", value, word)
    return policy


def _split(term: str) -> tuple[str, str, str]:
    for index, char in enumerate(term):
        if char in ":=/":
            return term[:index].lower(), char, term[index + 1 :]
    return term.lower(), "", ""


def _add_domain(policy: SpfPolicy, kind: TermKind, value: str, word: str) -> None:
    if not value or "%" in value:  # macros expand at check time: there is no fixed name
        policy.problems.append(f"SPF {word!r} names no fixed domain")
        return
    policy.terms.append(SpfTerm(kind, value))


def _add_network(policy: SpfPolicy, kind: Literal["ip4", "ip6"], value: str, word: str) -> None:
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        policy.problems.append(f"SPF {word!r} is not an address or network")
        return
    if (kind == "ip4") != (network.version == 4):
        policy.problems.append(f"SPF {word!r} has the wrong address family")
        return
    if network.num_addresses == 1:
        policy.terms.append(SpfTerm(kind, str(network.network_address)))
    else:
        policy.terms.append(SpfTerm(kind, str(network)))
