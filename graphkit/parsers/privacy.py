"""Redacted and privacy-proxy registration data: values that must never become an identity.

A registrant shown as "REDACTED FOR PRIVACY" or "Domains By Proxy, LLC" is not a party to
the registration: turning it into an Organization would link thousands of unrelated
domains. Loaders ask this module first and record the fact on the domain instead
(Domain.redacted_roles, Domain.privacy_service). A privacy relay's email address is no
Email node either: one relay address stands for many unrelated registrants.

The lists are documented data (PLACEHOLDERS says where each entry comes from): extend them
when a new service or phrase turns up. Matching is on whole words of the folded text (case,
punctuation and spacing ignored).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from graphkit.model.names import LEGAL_SUFFIXES


class Withheld(StrEnum):
    REDACTED = "redacted"
    PRIVACY_SERVICE = "privacy service"


@dataclass(frozen=True)
class Placeholder:
    phrase: str  # folded words (see fold), matched as whole words anywhere in a value
    why: Withheld
    example: str  # a value as answers show it
    seen: str  # where it comes from


R, P = Withheld.REDACTED, Withheld.PRIVACY_SERVICE
OTHER_LISTS = "privacy-service lists kept by other WHOIS tools (registrar not checked)"
EARLIER = "kept from graphkit's earlier list (source not recorded)"
# Redaction texts say the value itself is withheld; privacy services stand in for the real
# registrant. Tests run every entry (tests/test_privacy.py).
PLACEHOLDERS = (
    Placeholder("redacted for privacy", R, "REDACTED FOR PRIVACY", "ICANN Temporary Specification (2018)"),
    Placeholder("redacted", R, "[Redacted]", "bare mask of single fields, registrars and RDAP vcards"),
    Placeholder("redacted for gdpr", R, "Redacted for GDPR privacy", OTHER_LISTS),
    Placeholder("data redacted", R, "DATA REDACTED", OTHER_LISTS),
    Placeholder("not available from registry", R, "Not Available From Registry", "GoDaddy's Registry ... ID lines"),
    Placeholder("data protected", R, "Data Protected", "GDPR masking (issue 17)"),
    Placeholder("statutory masking enabled", R, "Statutory Masking Enabled", "GDPR masking (issue 17)"),
    Placeholder("gdpr masked", R, "GDPR Masked", "GDPR masking"),
    Placeholder("gdpr redacted", R, "GDPR Redacted", EARLIER),
    Placeholder("non public data", R, "Non-Public Data", EARLIER),
    Placeholder("not disclosed", R, "Not Disclosed", "registrars' masking, also '<data not disclosed>'"),
    Placeholder("data not disclosed", R, "<data not disclosed>", OTHER_LISTS),
    Placeholder("withheld", R, "WITHHELD", "registrars' masking (issue 17)"),
    Placeholder("hidden upon user request", R, "Hidden upon user request", EARLIER),
    Placeholder("not shown", R, "Not shown, please visit www.dnsbelgium.be for webbased whois.", "DNS Belgium (.be)"),
    Placeholder("private registration", R, "Private Registration", "registrars' privacy option (issue 17)"),
    Placeholder("registration private", R, "Registration Private", "GoDaddy (Domains By Proxy) registrant name"),
    Placeholder("private registrant", R, "adequatehq.com Private Registrant", "DreamHost (weppos/whois fixture)"),
    Placeholder("identity protected", R, "Identity Protected", EARLIER),
    Placeholder(
        "please query the rdds service",
        R,
        "Please query the RDDS service of the Registrar of Record identified in this output",
        "registry answers since the 2018 Temporary Specification",
    ),
    Placeholder("contact domain holder", R, "Select Contact Domain Holder link at https://www.godaddy.com", "GoDaddy"),
    Placeholder(
        "privacy service provided by", P, "Privacy service provided by Withheld for Privacy ehf", "Namecheap (2021-)"
    ),
    Placeholder("withheld for privacy", P, "Withheld for Privacy ehf", "Namecheap (2021-)"),
    Placeholder("domains by proxy", P, "Domains By Proxy, LLC", "GoDaddy"),
    Placeholder("whoisguard", P, "WhoisGuard, Inc.", "Namecheap (before 2021)"),
    Placeholder("whois guard", P, "Whois Guard Protected", "Namecheap (before 2021)"),
    Placeholder("contact privacy", P, "Contact Privacy Inc. Customer 0123456789", "Tucows, OpenSRS, Hover"),
    Placeholder("privacyprotect", P, "PrivacyProtect.org", "PDR / Directi"),
    Placeholder("privacy protect", P, "Privacy Protect, LLC (PrivacyProtect.org)", "PDR / Directi"),
    Placeholder("whois privacy protection", P, "Whois Privacy Protection Service, Inc.", "eNom"),
    Placeholder("whois privacy", P, "Whois Privacy Service", "several registrars (issue 17)"),
    Placeholder("whois privacy com laude", P, "Whois Privacy - Com Laude", "Com Laude"),
    Placeholder("perfect privacy", P, "Perfect Privacy, LLC", "Network Solutions, Web.com"),
    Placeholder("privacyguardian", P, "PrivacyGuardian.org llc", "NameSilo"),
    Placeholder("privacy guardian", P, "See Privacy Guardian", "NameSilo"),
    Placeholder("domain privacy service", P, "Domain Privacy Service FBO Registrant", "Bluehost, HostGator (Newfold)"),
    Placeholder("domain protection services", P, "Domain Protection Services, Inc.", "Name.com"),
    Placeholder("super privacy service", P, "Super Privacy Service LTD c/o Dynadot", "Dynadot"),
    Placeholder("identity protection service", P, "Identity Protection Service", "123-reg (issue 17)"),
    Placeholder("private by design", P, "Private by Design, LLC", "Porkbun"),
    Placeholder("happy dreamhost customer", P, "A HAPPY DREAMHOST CUSTOMER", "DreamHost (issue 17)"),
    Placeholder("proxy protection", P, "Proxy Protection LLC", OTHER_LISTS),
    Placeholder("whoisproxy", P, "WhoisProxy.com Ltd", EARLIER),
    Placeholder("whois proxy", P, "Whois Proxy Service", EARLIER),
    Placeholder("domain proxies", P, "Domain Proxies, LLC", EARLIER),
    Placeholder("anonymize", P, "Anonymize, Inc.", "Epik"),
    Placeholder("1337 services", P, "1337 Services LLC", "Njalla"),
    Placeholder("njalla", P, "Njalla Okta LLC", "Njalla"),
    Placeholder("namebrightprivacy", P, "NameBrightPrivacy.com", "NameBright"),
    Placeholder("domain privacy group", P, "Domain Privacy Group", OTHER_LISTS),
    Placeholder("global domain privacy services", P, "GLOBAL DOMAIN PRIVACY SERVICES INC", OTHER_LISTS),
    Placeholder("domain privacy trustee", P, "Domain Privacy Trustee SA", OTHER_LISTS),
    Placeholder("digital privacy corporation", P, "Digital Privacy Corporation", OTHER_LISTS),
    Placeholder("privacy hero", P, "Privacy Hero Inc.", OTHER_LISTS),
    Placeholder("jewella privacy", P, "Jewella Privacy LLC Privacy ID# 12406208", OTHER_LISTS),
    Placeholder("myprivacy net", P, "MyPrivacy.net Ltd.", OTHER_LISTS),
    Placeholder("identity protect limited", P, "Identity Protect Limited", OTHER_LISTS),
    Placeholder("whoisprotection cc", P, "Whoisprotection.cc", OTHER_LISTS),
    Placeholder("data privacy protected", R, "Data Privacy Protected", OTHER_LISTS),
)
REDACTION_PHRASES = tuple(p.phrase for p in PLACEHOLDERS if p.why is R)
PRIVACY_SERVICES = tuple(p.phrase for p in PLACEHOLDERS if p.why is P)

# A name a registrar puts on every customer who hides ("A Happy DreamHost Customer"), the same on
# many unrelated domains: made only of stand-in words, filler, numbers and the registrar's own
# name. No single answer shows that the name repeats, so the words decide; a name with one word
# of its own ("Privacy International", "Proxy Networks") stays an Organization. It is recorded
# as the privacy service and links nothing: a false link is worse than a missing one.
STAND_IN_WORDS = frozenset(
    {"customer", "private", "privacy", "redacted", "protected", "proxy", "whois", "withheld", "disclosed", "anonymous"}
)
FILLER_WORDS = frozenset(
    {"a", "an", "the", "happy", "valued", "not", "domain", "owner", "holder", "registrant", "registration"}
    | {"service", "services", "contact", "of", "for", "by", "c", "o", "id", "no", "number"}
    | set(LEGAL_SUFFIXES)
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


# Contact values repeat across answers (registrars, services, redaction phrases): a bulk load
# folds and judges each distinct value once.
@lru_cache(maxsize=65_536)
def fold(text: str) -> str:
    """Lowercase words separated by single spaces: the form every list above is matched in."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w\s]|_", " ", text).split())


def _whole_words(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """Any of the phrases as whole words of a folded text (single spaces, none at the ends)."""
    alternatives = "|".join(map(re.escape, phrases))
    return re.compile(rf"(?:^| )(?:{alternatives})(?= |$)")


_PRIVACY_SERVICE_RE = _whole_words(PRIVACY_SERVICES)
_REDACTION_RE = _whole_words(REDACTION_PHRASES)


@lru_cache(maxsize=65_536)
def withheld(value: str | None, registrar: str | None = None) -> Withheld | None:
    """Why a contact value names no real party, or None when it may be an identity.
    `registrar`: the name of the domain's registrar, whose own name a stand-in may carry."""
    if not value:
        return None
    folded = fold(value)
    if _PRIVACY_SERVICE_RE.search(folded):
        return Withheld.PRIVACY_SERVICE
    if _REDACTION_RE.search(folded):
        return Withheld.REDACTED
    if _is_stand_in(folded, registrar):
        return Withheld.PRIVACY_SERVICE
    return None


_STAND_IN_ALLOWED = STAND_IN_WORDS | FILLER_WORDS  # beside the registrar's own words


def _is_stand_in(folded: str, registrar: str | None) -> bool:
    if folded in GENERIC_CONTACT_NAMES:
        return False  # a role word, left to is_generic_contact as before
    words = folded.split()
    allowed = _STAND_IN_ALLOWED | set(fold(registrar).split() if registrar else ())
    return any(w in STAND_IN_WORDS for w in words) and all(w in allowed or w.isdigit() for w in words)


def is_generic_contact(value: str) -> bool:
    """A role word or placeholder rather than a name."""
    folded = fold(value)
    return folded in GENERIC_CONTACT_NAMES or not folded


def is_proxy_email(address: str) -> bool:
    """A privacy-service relay address (or a redaction written as an address)."""
    return relay_domain(address) is not None or "redacted" in address.lower().rpartition("@")[0]


def relay_domain(address: str) -> str | None:
    """The mail domain of a privacy-service relay address; None for any other address."""
    host = address.lower().rpartition("@")[2]
    if any(host == d or host.endswith("." + d) for d in PROXY_EMAIL_DOMAINS):
        return host
    if any(word in host for word in PROXY_EMAIL_WORDS):  # no word holds a dot: it lies in one label
        return host
    return None
