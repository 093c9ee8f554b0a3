"""Write the 2016 case's data files into graphkit/demo/case2016/, the same bytes every time.

    python -m graphkit.demo.make_case [FOLDER]

Each file has the format its real counterpart would have: BIND query logs from the three
authoritative name servers, passive DNS in CIRCL's Common Output Format, raw WHOIS, a
pyasn prefix table and AS names, and an analyst's attribution CSV. The reported facts
(counts, addresses, names, parties) are constants below; everything else (every
timestamp, the split between the bank's two resolvers, the remainder, the background
traffic, the fictional neighbours, WHOIS details) is drawn from a fixed seed.
case2016/README.md says which is which.
"""

from __future__ import annotations

import bisect
import json
import math
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from graphkit.demo import CASE_DIR

SEED = 2016

# -- the reported facts ------------------------------------------------------------------------
NAME = "mail1.trump-email.com"
DOMAIN = "trump-email.com"
SUCCESSOR = "trump1.contact-client.com"
MAIL_ADDRESS = "66.216.133.29"
START, END = date(2016, 5, 4), date(2016, 9, 23)  # the logs' window, inclusive
BANK_TOTAL, HEALTH_TOTAL = 2820, 714

# -- chosen here (synthetic; documented in case2016/README.md) ---------------------------------
BANK = {"217.12.96.15": 1569, "217.12.97.15": 1251}  # the split is not reported
HEALTH = {"167.73.110.8": HEALTH_TOTAL}
# The remainder: 14 lookups from five resolvers in documentation ranges (RFC 5737), so that
# 2820 / 3548 = 79.48% and (2820 + 714) / 3548 = 99.61%.
OTHERS = {"198.51.100.23": 4, "198.51.100.87": 3, "203.0.113.9": 3, "203.0.113.140": 2, "203.0.113.201": 2}
SERVERS = {  # name server -> its address (documentation range: the real ones are not part of the case)
    "ns1.cdcservices.com": "192.0.2.11",
    "ns2.cdcservices.com": "192.0.2.12",
    "ns3.cdcservices.com": "192.0.2.13",
}
SERVER_WEIGHTS = (0.45, 0.35, 0.20)  # resolvers prefer the fastest server
NEIGHBOURS = {  # fictional Cendyn-style clients on the same /24: [client]-email.com
    "examplehotel": "66.216.133.21",
    "sampleresort": "66.216.133.24",
    "demoinn": "66.216.133.27",
    "fictionalspa": "66.216.133.31",
    "testlodge": "66.216.133.35",
}
FLAGS = {"217.12.96.15": "-E(0)K", "217.12.97.15": "-E(0)K", "167.73.110.8": "-E(0)D"}
OTHER_FLAGS = ("-E(0)K", "-E(0)D", "-E(0)DK", "-E(0)", "-")

# Weekly intensity (weeks from Monday 2 May 2016): bursts and quiet weeks, different for each.
BANK_WEEKS = (0.6, 0.8, 0.3, 0.2, 1.0, 1.2, 0.9, 1.6, 0.7, 0.25, 1.4, 2.2, 2.6, 1.1, 0.3, 0.15, 0.9, 1.3, 1.8, 1.2, 0.5)
HEALTH_WEEKS = (0.2, 0.4, 1.0, 1.3, 0.6, 0.3, 0.2, 0.8, 1.5, 1.2, 0.4, 0.2, 0.6, 1.8, 2.0, 0.9, 0.3, 0.2, 0.7, 1.1, 0.6)
FIRST_MONDAY = date(2016, 5, 2)
# Local working hours: weight per local hour, 0-23.
MOSCOW_HOURS = (
    0,
    0,
    0,
    0,
    0,
    0,
    0.05,
    0.15,
    0.4,
    0.9,
    1.2,
    1.3,
    1.0,
    0.7,
    1.1,
    1.2,
    1.2,
    1.0,
    0.6,
    0.3,
    0.15,
    0.08,
    0.05,
    0,
)
MICHIGAN_HOURS = (0, 0, 0, 0, 0, 0, 0, 0.2, 0.8, 1.2, 1.2, 1.0, 0.6, 1.0, 1.1, 1.0, 0.8, 0.4, 0.1, 0, 0, 0, 0, 0)
MOSCOW_UTC_OFFSET, MICHIGAN_UTC_OFFSET = 3, -4  # MSK all year since 2014; EDT in summer
RUSSIAN_HOLIDAYS = {date(2016, 6, 13)}  # Russia Day (12 June) moved to the Monday
US_HOLIDAYS = {date(2016, 5, 30), date(2016, 7, 4), date(2016, 9, 5)}

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LOG_FILES = tuple(f"{server}-queries.log" for server in SERVERS)
GENERATED = (*LOG_FILES, "passive-dns.jsonl", f"whois-{DOMAIN}.txt", "whois-cdcservices.com.txt",
             "prefixes.dat", "asnames.json", "attributions.csv")  # fmt: skip


class Draw:
    """Random choices from `random.random()` alone, whose sequence Python keeps stable for a seed."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def uniform(self, low: float = 0.0, high: float = 1.0) -> float:
        return low + (high - low) * self._random.random()

    def below(self, n: int) -> int:
        return min(int(self._random.random() * n), n - 1)

    def weighted(self, weights: Sequence[float]) -> int:
        total, cumulative = 0.0, []
        for weight in weights:
            total += weight
            cumulative.append(total)
        return min(bisect.bisect_right(cumulative, self._random.random() * total), len(weights) - 1)

    def exponential(self, mean: float) -> float:
        return -mean * math.log(1.0 - self._random.random())


@dataclass(frozen=True, order=True)
class Lookup:
    ms: int  # UTC, milliseconds since the epoch
    client: str
    qname: str
    qtype: str = "A"


def allocate(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainder): the parts add up exactly."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    parts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def epoch_ms(moment: datetime) -> int:
    return int(round(moment.timestamp() * 1000))


def days() -> list[date]:
    return [START + timedelta(days=i) for i in range((END - START).days + 1)]


def day_weights(draw: Draw, weeks: Sequence[float], holidays: set[date]) -> list[float]:
    weights = []
    for day in days():
        weight = weeks[(day - FIRST_MONDAY).days // 7] * draw.uniform(0.5, 1.5)
        if day.weekday() >= 5:
            weight *= 0.12 if day.weekday() == 5 else 0.08
        if day in holidays:
            weight *= 0.1
        weights.append(weight)
    return weights


def working_hours(
    draw: Draw, client: str, total: int, weights: list[float], hours: Sequence[float], offset: int
) -> list[Lookup]:
    """`total` lookups spread over the days by `weights`, in bursts within local working hours."""
    found = []
    for day, n in zip(days(), allocate(total, weights), strict=True):
        if not n:
            continue
        clusters = allocate(n, [draw.uniform(0.3, 1.7) for _ in range(max(1, min(n, round(n / 5))))])
        for size in clusters:
            local = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
                hours=draw.weighted(hours), seconds=draw.uniform(0, 3600)
            )
            ms = epoch_ms(local - timedelta(hours=offset))
            for _ in range(size):
                found.append(Lookup(ms, client, NAME))
                ms += 200 + int(draw.exponential(25_000))
    return found


def remainder(draw: Draw) -> list[Lookup]:
    found = []
    for client, n in OTHERS.items():
        for _ in range(n):
            day = days()[draw.below(len(days()))]
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=draw.uniform(0, 20 * 3600))
            found.append(Lookup(epoch_ms(moment), client, NAME))
    return found


def background(draw: Draw) -> tuple[list[Lookup], dict[str, str]]:
    """Marketing mail of the fictional neighbours: receiving mail servers' resolvers look up the
    sending host (A) and its domain's SPF policy (TXT), mostly on the days a campaign goes out."""
    pool = [f"198.51.100.{i}" for i in range(1, 255)] + [f"203.0.113.{i}" for i in range(1, 255)]
    weekdays = [d for d in days() if d.weekday() < 5]
    found: list[Lookup] = []
    flags: dict[str, str] = {}
    for client in NEIGHBOURS:
        domain, host = f"{client}-email.com", f"mail1.{client}-email.com"
        campaigns = sorted({weekdays[draw.below(len(weekdays))] for _ in range(10)})
        sends = [
            datetime(d.year, d.month, d.day, 13, tzinfo=UTC) + timedelta(seconds=draw.uniform(0, 3 * 3600))
            for d in campaigns
        ]
        resolvers: list[str] = []
        for _ in range(25 + draw.below(36)):
            address = pool[draw.below(len(pool))]
            if address not in resolvers:
                resolvers.append(address)
        for resolver in resolvers:
            flags.setdefault(resolver, OTHER_FLAGS[draw.below(len(OTHER_FLAGS))])
            for _ in range(1 + draw.below(10)):
                if draw.uniform() < 0.85:
                    moment = sends[draw.below(len(sends))] + timedelta(seconds=draw.exponential(2 * 3600))
                else:
                    day = days()[draw.below(len(days()))]
                    moment = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
                        seconds=draw.uniform(0, 86_000)
                    )
                if moment.date() > END:
                    continue
                found.append(Lookup(epoch_ms(moment), resolver, host))
                if draw.uniform() < 0.6:
                    found.append(Lookup(epoch_ms(moment) + 50 + draw.below(800), resolver, domain, "TXT"))
    return found, flags


def query_logs(draw: Draw) -> dict[str, str]:
    """The three servers' BIND query logs: each lookup goes to one of them."""
    bank_days = day_weights(draw, BANK_WEEKS, RUSSIAN_HOLIDAYS)
    health_days = day_weights(draw, HEALTH_WEEKS, US_HOLIDAYS)
    lookups: list[Lookup] = []
    for client, total in BANK.items():
        weights = [w * draw.uniform(0.7, 1.3) for w in bank_days]
        lookups += working_hours(draw, client, total, weights, MOSCOW_HOURS, MOSCOW_UTC_OFFSET)
    for client, total in HEALTH.items():
        lookups += working_hours(draw, client, total, health_days, MICHIGAN_HOURS, MICHIGAN_UTC_OFFSET)
    lookups += remainder(draw)
    more, flags = background(draw)
    lookups += more
    flags.update(FLAGS)
    for i, client in enumerate(OTHERS):
        flags.setdefault(client, OTHER_FLAGS[i % len(OTHER_FLAGS)])
    lines: dict[str, list[tuple[Lookup, str]]] = {server: [] for server in SERVERS}
    for lookup in sorted(lookups):
        server = list(SERVERS)[draw.weighted(SERVER_WEIGHTS)]
        client_object = 0x7F3A1C000000 + 0x10000 * (1 + list(SERVERS).index(server)) + 0x1A0 * draw.below(8)
        port = 1024 + draw.below(64_511)
        lines[server].append((lookup, _bind_line(lookup, client_object, port, flags[lookup.client], SERVERS[server])))
    return {f"{server}-queries.log": "".join(text for _, text in found) for server, found in lines.items()}


def _bind_line(lookup: Lookup, client_object: int, port: int, flags: str, server_address: str) -> str:
    moment = datetime.fromtimestamp(lookup.ms // 1000, UTC)
    stamp = f"{moment.day:02d}-{MONTHS[moment.month - 1]}-{moment.year} {moment:%H:%M:%S}.{lookup.ms % 1000:03d}"
    return (
        f"{stamp} queries: info: client @0x{client_object:012x} {lookup.client}#{port} ({lookup.qname}): "
        f"query: {lookup.qname} IN {lookup.qtype} {flags} ({server_address})\n"
    )


# -- passive DNS -------------------------------------------------------------------------------


def _epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def _reverse(address: str) -> str:
    return ".".join(reversed(address.split("."))) + ".in-addr.arpa"


def passive_dns() -> str:
    """CIRCL Common Output Format, one JSON object a line; the times are synthetic."""
    rows: list[tuple[str, str, str, str, str, int]] = [  # rrname, rrtype, rdata, first, last, count
        (NAME, "A", MAIL_ADDRESS, "2016-04-12 14:05:11", "2016-09-23 16:41:09", 1873),
        (_reverse(MAIL_ADDRESS), "PTR", NAME, "2016-04-12 14:05:11", "2016-11-14 09:30:52", 241),
        (SUCCESSOR, "A", MAIL_ADDRESS, "2016-09-27 13:22:40", "2016-11-14 09:30:52", 87),
        ("cdcservices.com", "NS", "", "2015-06-02 08:11:37", "2016-11-14 09:30:52", 9120),
        (DOMAIN, "NS", "", "2016-04-12 14:05:11", "2016-11-14 09:30:52", 655),
        ("contact-client.com", "NS", "", "2016-02-18 17:40:03", "2016-11-14 09:30:52", 1204),
    ]
    for server, address in SERVERS.items():
        rows.append((server, "A", address, "2015-06-02 08:11:37", "2016-11-14 09:30:52", 9120))
    draw = Draw(SEED + 1)
    for client, address in NEIGHBOURS.items():
        first = f"2015-{1 + draw.below(12):02d}-{1 + draw.below(28):02d} {draw.below(24):02d}:{draw.below(60):02d}:07"
        count = 300 + draw.below(2000)
        rows.append((f"mail1.{client}-email.com", "A", address, first, "2016-11-14 09:30:52", count))
        rows.append((_reverse(address), "PTR", f"mail1.{client}-email.com", first, "2016-11-14 09:30:52", count // 7))
        rows.append((f"{client}-email.com", "NS", "", first, "2016-11-14 09:30:52", count // 3))
    out = []
    for rrname, rrtype, rdata, first, last, count in rows:
        values = [f"{server}." for server in SERVERS] if rrtype == "NS" else [f"{rdata}." if rrtype == "PTR" else rdata]
        for value in values:
            record = {
                "count": count,
                "time_first": _epoch(first),
                "time_last": _epoch(last),
                "rrtype": rrtype,
                "rrname": rrname,
                "rdata": value,
                "bailiwick": _bailiwick(rrname),
            }
            out.append(json.dumps(record, separators=(", ", ": ")))
    return "".join(line + "\n" for line in out)


def _bailiwick(name: str) -> str:
    if name.endswith(".in-addr.arpa"):
        return ".".join(name.split(".")[1:])  # the /24's reverse zone
    return ".".join(name.split(".")[-2:])


# -- registration and routing ------------------------------------------------------------------

WHOIS = """\
Domain Name: {upper}
Registry Domain ID: {registry_id}_DOMAIN_COM-VRSN
Registrar WHOIS Server: whois.example-registrar.net
Registrar URL: http://www.example-registrar.net
Updated Date: {updated}T00:00:00Z
Creation Date: {created}T00:00:00Z
Registrar Registration Expiration Date: {expires}T00:00:00Z
Registrar: Example Registrar, Inc.
Registrar Abuse Contact Email: abuse@example-registrar.net
Registrar Abuse Contact Phone: +1.5555550100
Domain Status: clientTransferProhibited https://icann.org/epp#clientTransferProhibited
Registry Registrant ID:
Registrant Name: {registrant_name}
Registrant Organization: {registrant}
Registrant City: {registrant_city}
Registrant State/Province: {registrant_state}
Registrant Country: US
Registrant Phone: +1.5555550{registrant_phone}
Registrant Email: {registrant_email}
Registry Admin ID:
Admin Name: Domain Administrator
Admin Organization: Cendyn
Admin City: Boca Raton
Admin State/Province: FL
Admin Country: US
Admin Phone: +1.5555550150
Admin Email: domains@cendyn.example
Registry Tech ID:
Tech Name: Hostmaster
Tech Organization: Cendyn
Tech City: Boca Raton
Tech State/Province: FL
Tech Country: US
Tech Phone: +1.5555550151
Tech Email: hostmaster@cendyn.example
Name Server: NS1.CDCSERVICES.COM
Name Server: NS2.CDCSERVICES.COM
Name Server: NS3.CDCSERVICES.COM
DNSSEC: unsigned
URL of the ICANN WHOIS Data Problem Reporting System: http://wdprs.internic.net/
>>> Last update of WHOIS database: {queried}T00:00:00Z <<<

For more information on Whois status codes, please visit https://icann.org/epp

This answer was written for graphkit's demo (see README.md beside it): the registrant
and administrative contact are the reported ones; every other value is made up.
"""


def whois_answers() -> dict[str, str]:
    trump = WHOIS.format(
        upper=DOMAIN.upper(),
        registry_id="1000000001",
        updated="2016-04-12",
        created="2009-06-02",
        expires="2017-06-02",
        registrant_name="Domain Administrator",
        registrant="Trump Organization",
        registrant_city="New York",
        registrant_state="NY",
        registrant_phone="101",
        registrant_email="domains@trumporg.example",
        queried="2016-09-20",
    )
    cendyn = WHOIS.format(
        upper="CDCSERVICES.COM",
        registry_id="1000000002",
        updated="2015-06-02",
        created="2004-03-15",
        expires="2018-03-15",
        registrant_name="Domain Administrator",
        registrant="Cendyn",
        registrant_city="Boca Raton",
        registrant_state="FL",
        registrant_phone="150",
        registrant_email="domains@cendyn.example",
        queried="2016-09-20",
    )
    return {f"whois-{DOMAIN}.txt": trump, "whois-cdcservices.com.txt": cendyn}


def prefixes() -> str:
    """pyasn's IPASN format: the three announced prefixes of the case."""
    return (
        "; IP-ASN32-DAT file\n"
        "; Original file : excerpt for graphkit's demo (the prefixes of the 2016 case)\n"
        "; Prefixes      : 3\n"
        "; \n"
        "66.216.133.0/24\t7029\n"
        "167.73.0.0/16\t30710\n"
        "217.12.96.0/23\t15632\n"
    )


def as_names() -> str:
    names = {
        "7029": "WINDSTREAM - Windstream Communications Inc, US",
        "15632": "ALFA-BANK-AS Alfa-Bank Moscow Russia, RU",
        "30710": "SPECT-19-AS - Spectrum Health, US",
    }
    return json.dumps(names, indent=1) + "\n"


def attributions() -> str:
    lines = [
        "address_or_cidr,organization,role,note",
        f'{MAIL_ADDRESS},Listrak,mail server,"Cendyn\'s subcontractor ran the mail server (reported, 2016)"',
    ]
    for server, address in SERVERS.items():
        lines.append(f'{address},Cendyn,name server,"{server}; placeholder address, the real one is not in the case"')
    return "".join(line + "\n" for line in lines)


def case_files() -> dict[str, str]:
    """File name -> text of every generated file."""
    files = query_logs(Draw(SEED))
    files["passive-dns.jsonl"] = passive_dns()
    files.update(whois_answers())
    files["prefixes.dat"] = prefixes()
    files["asnames.json"] = as_names()
    files["attributions.csv"] = attributions()
    assert set(files) == set(GENERATED), sorted(files)
    return files


def write_case(folder: Path = CASE_DIR) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in case_files().items():
        path = folder / name
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    for path in write_case(Path(args[0]) if args else CASE_DIR):
        print(path)


if __name__ == "__main__":
    main()
