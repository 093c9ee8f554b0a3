"""Realistic RDAP domain answers (RFC 9083) for timing `graphkit load rdap`.

Shaped like the real answers in the test fixtures and /work/shared/realdata/rdap: a
registrar entity with its IANA id and nested abuse contact, a registrant organisation with
a vCard (some redacted, some behind a privacy service with a relay address), name servers
(some with glue), events, EPP status, notices and links. Registrars, name servers and
organisations repeat across answers as they do in real data.

    python bench/rdap_answers.py OUT.jsonl [--answers 100000]      one answer per line
    python bench/rdap_answers.py OUT_DIR --files [--answers 100000]  one answer per file
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

REGISTRARS = [(292 + i, f"Registrar {i} Inc.") for i in range(200)]
TLDS = ["com", "net", "org", "io", "co.uk", "de", "info", "com.au", "xyz", "app"]
PRIVACY = ["Domains By Proxy, LLC", "Withheld for Privacy ehf", "Contact Privacy Inc. Customer 0123456789"]
STATUS = ["client delete prohibited", "client transfer prohibited", "client update prohibited", "active"]


def _card(*props: list[Any]) -> list[Any]:
    return ["vcard", [["version", {}, "text", "4.0"], *props]]


def _registrar(rng: random.Random) -> dict[str, Any]:
    iana, name = rng.choice(REGISTRARS)
    abuse = {
        "objectClassName": "entity",
        "roles": ["abuse"],
        "vcardArray": _card(
            ["fn", {}, "text", ""],
            ["tel", {"type": "voice"}, "uri", "tel:+1.2083895740"],
            ["email", {}, "text", f"abuse@registrar{iana}.example"],
        ),
    }
    return {
        "objectClassName": "entity",
        "handle": str(iana),
        "roles": ["registrar"],
        "publicIds": [{"type": "IANA Registrar ID", "identifier": str(iana)}],
        "vcardArray": _card(["fn", {}, "text", name]),
        "port43": f"whois.registrar{iana}.example",
        "entities": [abuse],
    }


def _registrant(rng: random.Random, n: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The registrant entity and any RFC 9537 `redacted` members."""
    kind = rng.random()
    if kind < 0.2:  # redacted by the registry
        card = _card(["fn", {}, "text", "REDACTED FOR PRIVACY"], ["org", {}, "text", "REDACTED FOR PRIVACY"])
        redacted = [{"name": {"type": "Registrant Name"}, "method": "removal"}]
    elif kind < 0.35:  # a privacy service and its relay address
        card = _card(
            ["fn", {}, "text", "Registration Private"],
            ["org", {}, "text", rng.choice(PRIVACY)],
            ["email", {}, "text", f"{n}@domainsbyproxy.com"],
        )
        redacted = []
    else:
        org = f"Example Holdings {rng.randrange(20_000)} Ltd"
        card = _card(
            ["fn", {}, "text", f"Person {rng.randrange(50_000)}"],
            ["org", {}, "text", org],
            ["kind", {}, "text", "individual"],
            ["adr", {"cc": rng.choice(["US", "GB", "DE", "AU"])}, "text", ["", "", "1 Road", "Town", "", "", ""]],
            ["email", {}, "text", f"hostmaster{rng.randrange(20_000)}@holdings.example"],
        )
        redacted = []
    entity = {"objectClassName": "entity", "handle": f"R{n}", "roles": ["registrant"], "vcardArray": card}
    return entity, redacted


def answer(rng: random.Random, n: int) -> dict[str, Any]:
    tld = rng.choice(TLDS)
    name = f"site{n}-{rng.randrange(10**6)}.{tld}".upper() if rng.random() < 0.3 else f"site{n}.{tld}"
    registrant, redacted = _registrant(rng, n)
    host = f"ns{rng.randrange(5000)}.dnshost.example"
    servers: list[dict[str, Any]] = [
        {"objectClassName": "nameserver", "ldhName": f"NS{i}.{host}".upper()} for i in (1, 2)
    ]
    if rng.random() < 0.1:  # glue
        servers.append(
            {
                "objectClassName": "nameserver",
                "ldhName": f"ns1.{name}",
                "ipAddresses": {"v4": [f"192.0.2.{n % 250 + 1}"], "v6": [f"2001:db8::{n % 65535:x}"]},
            }
        )
    year = 1995 + rng.randrange(28)
    doc: dict[str, Any] = {
        "objectClassName": "domain",
        "handle": f"{n}_DOMAIN-EXAMPLE",
        "ldhName": name,
        "links": [{"value": f"https://rdap.example/domain/{name}", "rel": "self", "href": "", "type": ""}],
        "status": rng.sample(STATUS, rng.randrange(1, 4)),
        "entities": [_registrar(rng), registrant],
        "events": [
            {"eventAction": "registration", "eventDate": f"{year}-0{rng.randrange(1, 10)}-15T04:00:00Z"},
            {"eventAction": "expiration", "eventDate": f"{year + 30}-09-14T04:00:00Z"},
            {"eventAction": "last changed", "eventDate": "2024-01-02T03:04:05.123Z"},
            {"eventAction": "last update of RDAP database", "eventDate": "2025-06-09T09:34:01Z"},
        ],
        "secureDNS": {"delegationSigned": False},
        "nameservers": servers,
        "rdapConformance": ["rdap_level_0", "icann_rdap_response_profile_0"],
        "notices": [{"title": "Terms of Use", "description": ["Service subject to Terms of Use."]}],
    }
    if redacted:
        doc["redacted"] = redacted
    return doc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--files", action="store_true", help="one answer per file in the folder OUT")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    if args.files:
        args.out.mkdir(parents=True, exist_ok=True)
        for n in range(args.answers):
            (args.out / f"{n:06d}.json").write_text(json.dumps(answer(rng, n)))
        return
    with open(args.out, "w", encoding="utf-8") as out:
        for n in range(args.answers):
            out.write(json.dumps(answer(rng, n)) + "\n")


if __name__ == "__main__":
    main()
