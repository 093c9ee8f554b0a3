"""Redacted and privacy-proxy registration data: values that must never become an identity.

A registrant shown as "REDACTED FOR PRIVACY" or "Domains By Proxy, LLC" is not a party to
the registration: turning it into an Organization would link thousands of unrelated
domains. Loaders ask this module first and record the fact on the domain instead
(Domain.redacted_roles, Domain.privacy_service); privacy-proxy email addresses are kept
but flagged (Email.is_proxy) so pivot queries can leave them out.

The lists are documented data: extend them when a new service or phrase turns up.
Matching is on whole words of the folded text (case, punctuation and spacing ignored).
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

# Phrases that say the value itself is withheld (registries, registrars, GDPR masking).
REDACTION_PHRASES = (
    "redacted",
    "redacted for privacy",
    "not available from registry",
    "data protected",
    "statutory masking enabled",
    "gdpr masked",
    "gdpr redacted",
    "non public data",
    "not disclosed",
    "data not disclosed",
    "withheld",
    "hidden upon user request",
    "private registration",
    "registration private",
    "identity protected",
    "please query the rdds service",
    "select contact domain holder link",
    "contact domain holder",
)

# Privacy and proxy services that stand in for the real registrant.
PRIVACY_SERVICES = (
    "withheld for privacy",
    "privacy service provided by",
    "domains by proxy",
    "whoisguard",
    "whois guard",
    "contact privacy",
    "privacyprotect",
    "privacy protect",
    "whois privacy protection",
    "whois privacy",
    "perfect privacy",
    "privacyguardian",
    "privacy guardian",
    "domain privacy service",
    "domain protection services",
    "super privacy service",
    "identity protection service",
    "private by design",
    "whoisproxy",
    "whois proxy",
    "domain proxies",
    "proxy protection",
    "anonymize inc",
    "1337 services",
    "njalla",
)

# Mail domains of privacy services (the address is a relay, not the registrant's).
PROXY_EMAIL_DOMAINS = (
    "domainsbyproxy.com",
    "withheldforprivacy.com",
    "whoisguard.com",
    "contactprivacy.com",
    "privacyprotect.org",
    "whoisprivacyprotect.com",
    "perfectprivacy.com",
    "privacyguardian.org",
    "anonymize.com",
    "identity-protect.org",
    "whoisproxy.com",
    "proxy.dreamhost.com",
    "domainprivacygroup.com",
    "njal.la",
)
# Words that mark a privacy relay wherever they appear in a mail domain's labels.
PROXY_EMAIL_WORDS = ("privacy", "whoisguard", "whoisproxy", "byproxy", "withheld", "redacted")

# Role words and placeholders that name no one in particular ("Abuse", "NOC", "Domain
# Administrator"): as an Organization they would join every network or domain using them.
GENERIC_CONTACT_NAMES = frozenset(
    {
        "abuse",
        "abuse c role",
        "abuse contact",
        "abuse department",
        "abuse team",
        "admin",
        "administrator",
        "administrative contact",
        "technical contact",
        "tech",
        "technical",
        "technical support",
        "tech support",
        "support",
        "noc",
        "network operations center",
        "hostmaster",
        "webmaster",
        "postmaster",
        "domain administrator",
        "domain admin",
        "domain manager",
        "dns administrator",
        "dns admin",
        "dns manager",
        "registrant",
        "owner",
        "domain owner",
        "billing",
        "customer service",
        "private",
        "private person",
        "individual",
        "personal",
        "person",
        "none",
        "null",
        "unknown",
        "n a",
        "na",
        "not applicable",
    }
)


class Withheld(StrEnum):
    REDACTED = "redacted"
    PRIVACY_SERVICE = "privacy service"


def fold(text: str) -> str:
    """Lowercase words separated by single spaces: the form every list above is matched in."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w\s]|_", " ", text).split())


def _has_phrase(folded: str, phrases: tuple[str, ...]) -> bool:
    padded = f" {folded} "
    return any(f" {phrase} " in padded for phrase in phrases)


def withheld(value: str | None) -> Withheld | None:
    """Why a contact value names no real party, or None when it may be an identity."""
    if not value:
        return None
    folded = fold(value)
    if _has_phrase(folded, PRIVACY_SERVICES):
        return Withheld.PRIVACY_SERVICE
    if _has_phrase(folded, REDACTION_PHRASES):
        return Withheld.REDACTED
    return None


def is_generic_contact(value: str) -> bool:
    """A role word or placeholder rather than a name."""
    return fold(value) in GENERIC_CONTACT_NAMES or not fold(value)


def is_proxy_email(address: str) -> bool:
    """A privacy-service relay address (or a redaction written as an address)."""
    local, _, host = address.lower().rpartition("@")
    if any(host == d or host.endswith("." + d) for d in PROXY_EMAIL_DOMAINS):
        return True
    if any(word in label for label in host.split(".") for word in PROXY_EMAIL_WORDS):
        return True
    return "redacted" in local
