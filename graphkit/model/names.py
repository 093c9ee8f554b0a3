"""Canonical keys: one spelling per entity, so that the same thing is one node.

Each function returns the canonical form or raises InvalidName with the reason.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from functools import cache, lru_cache

from publicsuffixlist import PublicSuffixList

# Distinct values remembered across a load's tables (each table already makes each distinct value
# canonical once); more costs memory that a 10M-row load cannot spare, for few hits.
CACHED = 50_000


@cache
def public_suffix_list() -> PublicSuffixList:
    """Parsed on first use: parsing the list takes longer than starting a command."""
    return PublicSuffixList()


_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


class InvalidName(ValueError):
    """A value that cannot be a key of its kind; the message says why."""


@lru_cache(maxsize=CACHED)
def domain(name: str) -> str:
    """Lowercase IDNA A-label form without the trailing dot."""
    text = name.strip().rstrip(".")
    if not text:
        raise InvalidName("empty domain name")
    if len(text) > 1000:
        raise InvalidName("domain name too long")
    if not text.isascii():
        try:
            text = ".".join(
                label.encode("idna").decode("ascii") if not label.isascii() else label
                for label in unicodedata.normalize("NFC", text).split(".")
            )
        except UnicodeError:
            raise InvalidName(f"not a valid internationalised name: {name[:80]!r}") from None
    text = text.lower()
    if len(text) > 253:
        raise InvalidName(f"domain name longer than 253 characters: {text[:60]}...")
    for label in text.split("."):
        if not _LABEL.match(label) and label != "*":
            raise InvalidName(f"invalid domain name {name[:80]!r}")
    return text


@lru_cache(maxsize=CACHED)
def suffixes(name: str) -> tuple[str, str]:
    """(registered domain, public suffix) of a canonical name, from the Public Suffix List.

    A name that is itself a public suffix, or under an unknown one, is its own registered domain.
    """
    tld = public_suffix_list().publicsuffix(name) or name.rsplit(".", 1)[-1]
    if tld == name:
        return name, tld
    # the label before the suffix, and the suffix: privatesuffix() would walk the list again
    return f"{name[: -len(tld) - 1].rsplit('.', 1)[-1]}.{tld}", tld


@lru_cache(maxsize=CACHED)
def ip(text: str) -> str:
    """Compressed text form of an IPv4 or IPv6 address (IPv4-mapped IPv6 unwrapped)."""
    try:
        addr = ipaddress.ip_address(text.strip().split("%", 1)[0])
    except ValueError:
        raise InvalidName(f"not an IP address: {text[:60]!r}") from None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        return str(addr.ipv4_mapped)
    return str(addr)


# A computer's name as Windows and its logs give it: a NetBIOS name or a DNS name.
HOST_NAME = re.compile(r"[\w-]+(?:\.[\w-]+)*")


def host(text: str) -> str:
    """A computer known by its name (Sysmon's `Computer`): lowercased, no trailing dot."""
    value = text.strip().rstrip(".").lower()
    if len(value) > 253 or not HOST_NAME.fullmatch(value):
        raise InvalidName(f"not a host name: {text[:60]!r}")
    return value


def ip_version(address: str) -> int:
    return 6 if ":" in address else 4


def cidr(text: str) -> str:
    """Strict network form: host bits must be zero."""
    try:
        return str(ipaddress.ip_network(text.strip(), strict=True))
    except ValueError as exc:
        raise InvalidName(f"not a CIDR network: {text[:60]!r} ({exc})") from None


def email(text: str) -> str:
    value = text.strip().strip("<>").lower()
    if value.startswith("mailto:"):
        value = value[7:]
    local, at, host = value.rpartition("@")
    if not at or not local or not host or " " in value:
        raise InvalidName(f"not an email address: {text[:60]!r}")
    return f"{local}@{domain(host)}"


def soa_rname_email(rname: str) -> str:
    """SOA RNAME 'hostmaster.example.com.' -> 'hostmaster@example.com' (escaped dots stay in the local part)."""
    text = rname.rstrip(".")
    match = re.match(r"^((?:[^.\\]|\\.)+)\.(.+)$", text)
    if not match:
        raise InvalidName(f"not an SOA mailbox: {rname[:60]!r}")
    return email(match.group(1).replace("\\.", ".") + "@" + match.group(2))


# A short, documented list of legal forms folded out of organisation keys. Dotted spellings
# (L.L.C., S.A., B.V.) are folded first, so they match too.
# fmt: off
LEGAL_SUFFIXES = (
    "llc", "inc", "incorporated", "ltd", "limited", "corp", "corporation", "co", "company", "plc",
    "gmbh", "ag", "sa", "sas", "sarl", "bv", "nv", "oy", "ab", "as", "jsc", "pjsc", "ojsc", "cjsc",
    "ooo", "zao", "oao", "pao", "lp", "llp", "pty", "srl", "spa", "ооо", "оао", "зао", "пао",
)
# fmt: on
# Forms written before the name in Russian and other CIS registrations ("JSC Alfa-Bank", "ООО Ромашка").
LEGAL_PREFIXES = ("jsc", "pjsc", "ojsc", "cjsc", "ooo", "zao", "oao", "pao", "ооо", "оао", "зао", "пао")
_DOTTED = re.compile(r"\b(?:\w\.){2,}")  # "s.a." -> "sa", "l.l.c." -> "llc"
_SUFFIX_RE = re.compile(r"(?:\s+(?:" + "|".join(re.escape(s) for s in LEGAL_SUFFIXES) + r"))+$")
_PREFIX_RE = re.compile(r"^(?:" + "|".join(re.escape(s) for s in LEGAL_PREFIXES) + r")\s+")


def organization_key(name: str) -> str:
    """Stable key for an organisation name: case, punctuation, white space, a leading 'The',
    and legal forms (LEGAL_SUFFIXES after the name, LEGAL_PREFIXES before it) folded.

    Conservative: only trivial variants merge ("Listrak, Inc." and "LISTRAK INC"), never
    names that differ in a word of their own ("Alfa-Bank" and "Alfa-Bank Moscow")."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = _DOTTED.sub(lambda m: m.group(0).replace(".", ""), text)
    text = re.sub(r"[^\w\s]|_", " ", text)
    text = " ".join(text.split())
    text = re.sub(r"^the\s+", "", text)
    folded = _PREFIX_RE.sub("", _SUFFIX_RE.sub("", text)).strip()
    key = folded or text
    if not key:
        raise InvalidName(f"empty organisation name: {name[:60]!r}")
    return key
