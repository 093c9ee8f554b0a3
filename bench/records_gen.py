"""Seeded generators of record-shaped inputs for bench_records.py (standard library only).

- delegation zone: a TLD zone (`com.`) as an RFC 1035 master file (relative owners, omitted
  owners on continuation lines, parenthesised SOA) and, with the same records, as CZDS
  publishes it (fully qualified, tab-separated, lowercase, gzip);
- host zone: one organisation's zone (one SOA, parenthesised over lines: a zone has one)
  with a $ORIGIN per site, A/AAAA/MX/TXT (SPF and verification strings)/CNAME/SRV, no PTR;
- passive DNS: CIRCL COF JSON lines with a DNSDB v2 SAF stream now and then;
- RDAP: RFC 9083 domain answers, one a line, or one a file.

The same seed and size give the same bytes. Each writer returns the number of records
(zones), lines (passive DNS) or answers (RDAP) it wrote.

    python bench/records_gen.py KIND FILE N [--seed 1]   (KIND: delegation, host, pdns, rdap)
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import time
from collections.abc import Iterator
from itertools import accumulate
from pathlib import Path
from typing import Any

SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"]  # 90
WORDS = ["blue", "cloud", "shop", "data", "north", "green", "fast", "smart", "city", "home", "net", "web", "art"]


def label(i: int) -> str:
    """A pronounceable label unique to i: its digits in base 90, a syllable each."""
    parts = []
    while True:
        i, digit = divmod(i, len(SYLLABLES))
        parts.append(SYLLABLES[digit])
        if not i:
            return "".join(parts)


def domain_label(i: int, rng: random.Random) -> str:
    """Unique per i: a hyphen only ever follows one of WORDS, and label() has none."""
    return f"{rng.choice(WORDS)}-{label(i)}" if rng.random() < 0.3 else label(i)


class Skewed:
    """Draws indexes 0..n-1 with Zipf-like weights (1/(rank+1)), a few very popular."""

    def __init__(self, n: int, rng: random.Random) -> None:
        self.items = range(n)
        self.cum = list(accumulate(1 / (rank + 1) for rank in range(n)))
        self.rng = rng

    def draw(self) -> int:
        return self.rng.choices(self.items, cum_weights=self.cum)[0]


# --- zones ------------------------------------------------------------------------------

# Name-server operators as TLD zones show them: a few huge ones, then a long tail.
BIG_OPERATORS = [
    ("ns{}.domaincontrol.com.", 80),
    ("{}.ns.cloudflare.com.", 400),
    ("dns{}.registrar-servers.com.", 5),
    ("ns-{}.awsdns-{}.net.", 2000),
    ("ns{}.bluehost.com.", 2),
    ("ns{}.dnsowl.com.", 3),
]
TLD_SOA = "a.gtld-servers.net. nstld.verisign-grs.com. 1700000000 1800 900 604800 86400"
TLD_SERVERS = [f"{c}.gtld-servers.net." for c in "abcdefghijklm"]


def operator_servers(rng: random.Random, operators: Skewed) -> tuple[str, str]:
    """Two name servers of one operator, drawn with skewed popularity."""
    index = operators.draw()
    if index < len(BIG_OPERATORS):
        pattern, size = BIG_OPERATORS[index]
        first = rng.randrange(size)
        if "cloudflare" in pattern:
            pair = [pattern.format(label(first)), pattern.format(label(first + 1))]
        else:
            pair = [pattern.format(first * 2 + k, first % 100) for k in (1, 2)]
        return pair[0], pair[1]
    host = f"{label(index)}hosting.{('net', 'com', 'org')[index % 3]}."
    return f"ns1.{host}", f"ns2.{host}"


def delegations(n_records: int, rng: random.Random) -> Iterator[tuple[str, int, str, str, bool]]:
    """(owner relative to com., ttl, type, data, owner omitted) of a TLD zone, apex first."""
    yield "@", 900, "SOA", TLD_SOA, False
    for k, server in enumerate(TLD_SERVERS):
        yield "@", 172800, "NS", server, k > 0
    operators = Skewed(50_000, rng)
    written, i = 1 + len(TLD_SERVERS), 0
    while written < n_records:
        name = domain_label(i, rng)
        if i % 10 == 0:  # its own servers inside it: glue addresses follow
            rows = [
                (name, 172800, "NS", f"ns1.{name}", False),
                (name, 172800, "NS", f"ns2.{name}", True),
                (f"ns1.{name}", 172800, "A", f"198.{i >> 16 & 255}.{i >> 8 & 255}.{i % 254 + 1}", False),
                (f"ns1.{name}", 172800, "AAAA", f"2001:db8:{i >> 16:x}:{i & 0xFFFF:x}::1", True),
                (f"ns2.{name}", 172800, "A", f"199.{i >> 16 & 255}.{i >> 8 & 255}.{i % 254 + 1}", False),
            ]
        else:
            first, second = operator_servers(rng, operators)
            rows = [(name, 172800, "NS", first, False), (name, 172800, "NS", second, True)]
        yield from rows[: n_records - written]
        written += len(rows)
        i += 1


def write_delegation_zones(master: Path, czds: Path, n_records: int, seed: int) -> int:
    """The same TLD zone twice: an RFC 1035 master file, and CZDS's gzip form."""
    rng = random.Random(seed)
    written = 0
    with open(master, "w", encoding="ascii") as out, gzip.open(czds, "wt", encoding="ascii", compresslevel=6) as cz:
        out.write("$ORIGIN com.\n$TTL 172800\n")
        for owner, ttl, rtype, data, omitted in delegations(n_records, rng):
            out.write(master_line(owner, ttl, rtype, data, omitted, written))
            fqdn = "com." if owner == "@" else f"{owner}.com."
            full = data if data.endswith(".") or rtype in ("A", "AAAA", "SOA") else f"{data}.com."
            cz.write(f"{fqdn}\t{ttl}\tin\t{rtype.lower()}\t{full}\n")
            written += 1
    return written


def master_line(owner: str, ttl: int, rtype: str, data: str, omitted: bool, index: int) -> str:
    if rtype == "SOA":  # parenthesised over lines, with comments, as registries print it
        mname, rname, serial, *timers = data.split()
        return f"@ {ttl} IN SOA {mname} {rname} (\n\t{serial} ; serial\n\t{' '.join(timers)} )\n"
    where = "\t" if omitted else owner + " "
    # the default TTL is written out on some lines and left to $TTL on others
    shown = f"{ttl} " if index % 3 else ""
    return f"{where}{shown}IN {rtype} {data}\n"


HOST_ORIGIN = "megacorp.com."
SITE_HOSTS = 2000  # hosts under each $ORIGIN siteN.megacorp.com.
SPF_INCLUDES = ["_spf.google.com", "spf.protection.outlook.com", "servers.mcsv.net", "sendgrid.net"]


def host_records(h: int, rng: random.Random) -> list[str]:
    """One host's lines: continuation lines leave the owner out; names are relative."""
    name = label(h)
    a, b, c = h >> 16 & 255, h >> 8 & 255, h & 255
    lines = [f"{name} 300 IN A 10.{a}.{b}.{c}"]
    if rng.random() < 0.5:
        lines.append(f"\tIN AAAA 2001:db8:{a:x}{b:02x}::{c:x}")
    if rng.random() < 0.4:
        lines.append(f"www.{name} IN CNAME {name}")
    roll = rng.random()
    if roll < 0.2:
        lines += [f"{name} IN MX 10 mail.{name}", f"mail.{name} IN A 10.{a}.{b}.{(c + 1) & 255}"]
    elif roll < 0.3:
        lines.append(f"{name} 3600 IN MX 1 aspmx.l.google.com.")
    if rng.random() < 0.25:
        include = SPF_INCLUDES[h % len(SPF_INCLUDES)]
        lines.append(f'{name} IN TXT "v=spf1 ip4:10.{a}.{b}.0/24 include:{include} ~all"')
    if rng.random() < 0.15:
        token = "".join(rng.choices("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", k=43))
        lines.append(f'{name} IN TXT "google-site-verification={token}"')
    if rng.random() < 0.05:
        lines.append(f"_sip._tcp.{name} IN SRV 10 60 5060 sip.{name}")
    return lines


def write_host_zone(path: Path, n_records: int, seed: int) -> int:
    rng = random.Random(seed)
    with open(path, "w", encoding="ascii") as out:
        out.write(f"$ORIGIN {HOST_ORIGIN}\n$TTL 3600\n")
        out.write("@ IN SOA ns1 hostmaster (\n\t2024010100 ; serial\n\t7200 900 1209600 300 )\n")
        out.write("@ IN NS ns1\n\tIN NS ns2\n@ IN MX 10 mx1\nns1 IN A 10.255.255.1\nns2 IN A 10.255.255.2\n")
        written, h = 6, 0
        while written < n_records:
            lines = [f"$ORIGIN site{h // SITE_HOSTS}.{HOST_ORIGIN}"] if h % SITE_HOSTS == 0 else []
            lines += host_records(h, rng)
            for line in lines:
                if written >= n_records:
                    break
                out.write(line + "\n")
                written += not line.startswith("$")
            h += 1
    return written


# --- passive DNS ------------------------------------------------------------------------

PDNS_TYPES = ["A", "AAAA", "NS", "MX", "CNAME"]
PDNS_WEIGHTS = list(accumulate([45, 15, 12, 8, 20]))
SAF_EVERY, SAF_OBJECTS = 20_000, 100  # a DNSDB stream of 100 answers every 20,000 lines
EPOCH_2015, TEN_YEARS = 1_420_070_400, 315_360_000


def pdns_answer(rng: random.Random, names: Skewed) -> tuple[str, str, str, str, int, int, int]:
    """(rrname, bailiwick, rrtype, rdata, time_first, time_last, count) for a popular-skewed name."""
    n = names.draw()
    base = f"{domain_label(n, rng) if n % 7 else label(n)}.{('com', 'net', 'org', 'de', 'ru')[n % 5]}"
    rtype = rng.choices(PDNS_TYPES, cum_weights=PDNS_WEIGHTS)[0]
    owner = base if rtype in ("NS", "MX") else rng.choice(("www.", "", "mail.", "api.", "cdn.")) + base
    if rtype == "A":
        data = f"{45 + n % 150}.{n >> 8 & 255}.{n & 255}.{rng.randrange(1, 255)}"
    elif rtype == "AAAA":
        data = f"2a02:{n >> 16 & 0xFFFF:x}:{n & 0xFFFF:x}::{rng.randrange(1, 0xFFFF):x}"
    elif rtype == "NS":
        data = f"ns{rng.randrange(1, 3)}.{label(n % 5000)}dns.net."
    elif rtype == "MX":
        data = f"10 mx{rng.randrange(1, 3)}.{label(n % 3000)}mail.com."
    else:
        data = f"{label(n % 20000)}.edgecdn.net."
    first = EPOCH_2015 + rng.randrange(TEN_YEARS)
    last = first + rng.randrange(1, 86400 * 400)
    return owner, base, rtype, data, first, last, rng.randrange(1, 5000)


def cof_line(answer: tuple[str, str, str, str, int, int, int]) -> str:
    owner, zone, rtype, data, first, last, count = answer
    return (
        f'{{"count": {count}, "time_first": {first}, "rrtype": "{rtype}", "rrname": "{owner}", '
        f'"rdata": "{data}", "time_last": {last}, "bailiwick": "{zone}"}}\n'
    )


def saf_line(answer: tuple[str, str, str, str, int, int, int]) -> str:
    owner, zone, rtype, data, first, last, count = answer
    return (
        f'{{"obj":{{"count":{count},"time_first":{first},"time_last":{last},"rrname":"{owner}.",'
        f'"rrtype":"{rtype}","bailiwick":"{zone}.","rdata":["{data}"]}}}}\n'
    )


def write_pdns(path: Path, n_lines: int, seed: int) -> int:
    rng = random.Random(seed)
    names = Skewed(max(1000, n_lines // 4), rng)
    with open(path, "w", encoding="ascii") as out:
        written = 0
        while written < n_lines:
            room = n_lines - written
            if written % SAF_EVERY == SAF_EVERY - 1 and room >= SAF_OBJECTS + 2:
                out.write('{"cond":"begin"}\n')
                out.writelines(saf_line(pdns_answer(rng, names)) for _ in range(SAF_OBJECTS))
                out.write('{"cond":"succeeded"}\n')
                written += SAF_OBJECTS + 2
            else:
                out.write(cof_line(pdns_answer(rng, names)))
                written += 1
    return n_lines


# --- RDAP -------------------------------------------------------------------------------

REGISTRARS = [  # (name, IANA id, abuse address, weight)
    ("GoDaddy.com, LLC", 146, "abuse@godaddy.com", 30),
    ("NameCheap, Inc.", 1068, "abuse@namecheap.com", 15),
    ("Tucows Domains Inc.", 69, "domainabuse@tucows.com", 8),
    ("MarkMonitor Inc.", 292, "abusecomplaints@markmonitor.com", 3),
    ("Squarespace Domains II LLC", 895, "abuse-complaints@squarespace.com", 6),
    ("Network Solutions, LLC", 2, "abuse@web.com", 4),
    ("PDR Ltd. d/b/a PublicDomainRegistry.com", 303, "abuse-contact@publicdomainregistry.com", 5),
    ("Hosting Concepts B.V. d/b/a Registrar.eu", 1647, "abuse@registrar.eu", 2),
    ("Gandi SAS", 81, "abuse@support.gandi.net", 2),
    ("OVH sas", 433, "abuse@ovh.net", 3),
    ("IONOS SE", 83, "abuse@ionos.com", 4),
    ("Key-Systems GmbH", 269, "abuse@key-systems.net", 2),
    ("Dynadot Inc", 472, "abuse@dynadot.com", 3),
    ("Porkbun LLC", 1861, "abuse@porkbun.com", 3),
    ("Cloudflare, Inc.", 1910, "registrar-abuse@cloudflare.com", 4),
    ("Amazon Registrar, Inc.", 468, "abuse@amazonaws.com", 2),
]
REGISTRAR_WEIGHTS = list(accumulate(r[3] for r in REGISTRARS))
PRIVACY = [  # (organisation, relay domain) as privacy services fill the registrant in
    ("Domains By Proxy, LLC", "domainsbyproxy.com"),
    ("Withheld for Privacy ehf", "withheldforprivacy.com"),
    ("Privacy service provided by Withheld for Privacy ehf", "withheldforprivacy.com"),
    ("Contact Privacy Inc. Customer 7151571251", "contactprivacy.com"),
    ("Whois Privacy Protection Service, Inc.", "whoisprivacyprotect.com"),
]
ORG_SUFFIXES = ["LLC", "Inc.", "GmbH", "Ltd", "S.A.", "B.V.", "AB", "Pty Ltd"]
COUNTRIES = ["US", "DE", "GB", "FR", "NL", "CA", "AU", "SE", "ES", "JP", "BR", "IN"]
STATUSES = [["client transfer prohibited"], ["active"], ["client delete prohibited", "client transfer prohibited"]]
NOTICES = [
    {"title": "Terms of Use", "description": ["Service subject to Terms of Use."]},
    {
        "title": "Status Codes",
        "description": ["For more information on domain status codes, see https://icann.org/epp"],
    },
]


def jcard(*props: list[Any]) -> list[Any]:
    return ["vcard", [["version", {}, "text", "4.0"], *props]]


def entity(roles: list[str], card: list[Any], **extra: Any) -> dict[str, Any]:
    return {"objectClassName": "entity", "roles": roles, "vcardArray": card, **extra}


def registrar_entity(rng: random.Random) -> dict[str, Any]:
    name, iana, abuse, _ = rng.choices(REGISTRARS, cum_weights=REGISTRAR_WEIGHTS)[0]
    abuse_card = jcard(["fn", {}, "text", ""], ["tel", {"type": "voice"}, "uri", "tel:+1.4805058800"])
    abuse_card[1].append(["email", {}, "text", abuse])
    return entity(
        ["registrar"],
        jcard(["fn", {}, "text", name]),
        handle=str(iana),
        publicIds=[{"type": "IANA Registrar ID", "identifier": str(iana)}],
        entities=[entity(["abuse"], abuse_card)],
    )


def registrant_entity(i: int, rng: random.Random, orgs: Skewed) -> tuple[dict[str, Any], bool]:
    """(registrant entity, whether it is redacted): redacted, a privacy service, or a real organisation."""
    roll = rng.random()
    if roll < 0.5:
        card = jcard(
            ["fn", {}, "text", "REDACTED FOR PRIVACY"],
            ["org", {}, "text", "REDACTED FOR PRIVACY"],
            ["adr", {"cc": rng.choice(COUNTRIES)}, "text", ["", "", "", "", "", "", ""]],
        )
        return entity(["registrant"], card, handle=""), True
    if roll < 0.65:
        org, relay = PRIVACY[i % len(PRIVACY)]
        card = jcard(
            ["fn", {}, "text", "Registration Private"],
            ["org", {}, "text", org],
            ["email", {}, "text", f"{label(i)}@{relay}"],
            ["adr", {"cc": "US"}, "text", ["", "", "", "Tempe", "AZ", "85284", "US"]],
        )
        return entity(["registrant"], card), False
    k = orgs.draw()
    org = f"{label(k).title()} {rng.choice(WORDS).title()} {ORG_SUFFIXES[k % len(ORG_SUFFIXES)]}"
    card = jcard(
        ["fn", {}, "text", "Domain Administrator"],
        ["kind", {}, "text", "org"],
        ["org", {}, "text", org],
        ["email", {}, "text", f"domains@{label(k)}.com"],
        ["adr", {"cc": COUNTRIES[k % len(COUNTRIES)]}, "text", ["", "", "1 Main St", "City", "", "", ""]],
    )
    return entity(["registrant", "administrative", "technical"], card, handle=f"C{k}-REG"), False


def rdap_answer(i: int, rng: random.Random, orgs: Skewed, operators: Skewed) -> dict[str, Any]:
    name = f"{domain_label(i, rng)}.com".upper()
    registrant, redacted = registrant_entity(i, rng, orgs)
    first, second = operator_servers(rng, operators)
    servers = [{"objectClassName": "nameserver", "ldhName": s.rstrip(".").upper()} for s in (first, second)]
    created = EPOCH_2015 - 600_000_000 + rng.randrange(TEN_YEARS + 600_000_000)
    answer: dict[str, Any] = {
        "objectClassName": "domain",
        "handle": f"{2_000_000_000 + i}_DOMAIN_COM-VRSN",
        "ldhName": name,
        "links": [
            {
                "value": f"https://rdap.example-registry.com/domain/{name}",
                "rel": "self",
                "type": "application/rdap+json",
            }
        ],
        "status": STATUSES[i % len(STATUSES)],
        "entities": [registrar_entity(rng), registrant],
        "events": [
            {"eventAction": "registration", "eventDate": iso(created)},
            {"eventAction": "expiration", "eventDate": iso(created + 86400 * 365 * rng.randrange(1, 12))},
            {"eventAction": "last changed", "eventDate": iso(created + rng.randrange(TEN_YEARS // 4))},
            {"eventAction": "last update of RDAP database", "eventDate": "2026-11-27T00:00:00Z"},
        ],
        "secureDNS": {"delegationSigned": i % 9 == 0},
        "nameservers": servers,
        "rdapConformance": ["rdap_level_0", "icann_rdap_response_profile_0", "redacted"],
        "notices": NOTICES,
    }
    if redacted:  # RFC 9537: which registrant fields were withheld, and how
        answer["redacted"] = [
            {"name": {"type": "Registrant Name"}, "method": "removal", "reason": {"description": "Server policy"}},
            {"name": {"type": "Registrant Email"}, "method": "replacementValue"},
        ]
    return answer


def iso(epoch: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def rdap_answers(n: int, seed: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    orgs, operators = Skewed(max(100, n // 5), rng), Skewed(50_000, rng)
    for i in range(n):
        yield rdap_answer(i, rng, orgs, operators)


def write_rdap(path: Path, n: int, seed: int) -> int:
    with open(path, "w", encoding="utf-8") as out:
        for answer in rdap_answers(n, seed):
            out.write(json.dumps(answer, separators=(",", ":")) + "\n")
    return n


def write_rdap_folder(folder: Path, n: int, seed: int) -> int:
    """The same answers, one pretty-printed file each (as a collector saving answers writes them)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, answer in enumerate(rdap_answers(n, seed)):
        (folder / f"{i:07d}.json").write_text(json.dumps(answer, indent=1), encoding="utf-8")
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("kind", choices=["delegation", "host", "pdns", "rdap"])
    ap.add_argument("file", type=Path, help="for delegation: the master file; the CZDS form goes to FILE.czds.gz")
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.kind == "delegation":
        write_delegation_zones(args.file, args.file.with_suffix(".czds.gz"), args.n, args.seed)
    else:
        {"host": write_host_zone, "pdns": write_pdns, "rdap": write_rdap}[args.kind](args.file, args.n, args.seed)


if __name__ == "__main__":
    main()
