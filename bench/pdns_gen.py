"""Passive DNS lines for benchmarks: COF (CIRCL) or DNSDB v2 SAF-framed, a mix of A, AAAA, NS,
MX and CNAME with many repeated rdata values, rdata a string or a list, epoch times.

    python bench/pdns_gen.py LINES OUT [--saf] [--seed N]
"""

from __future__ import annotations

import argparse
import json
import random


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("lines", type=int)
    parser.add_argument("out")
    parser.add_argument("--saf", action="store_true", help="DNSDB v2 framing: begin, obj lines, succeeded")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    zones = [f"zone{i}.{rng.choice(['com', 'net', 'org', 'co.uk', 'ru'])}" for i in range(20_000)]
    addresses = [
        f"{rng.randrange(1, 223)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        for _ in range(30_000)
    ]
    addresses6 = [f"2001:db8:{rng.randrange(65536):x}::{rng.randrange(65536):x}" for _ in range(5_000)]
    servers = [f"ns{i % 4 + 1}.dnshost{i // 4}.net." for i in range(2_000)]
    mail = [f"mx{i % 3}.mailhost{i // 3}.com." for i in range(3_000)]
    kinds = ["A"] * 50 + ["AAAA"] * 12 + ["NS"] * 15 + ["MX"] * 10 + ["CNAME"] * 13
    with open(args.out, "w", encoding="utf-8") as out:
        if args.saf:
            out.write('{"cond":"begin"}\n')
        for _ in range(args.lines):
            zone = rng.choice(zones)
            rrtype = rng.choice(kinds)
            owner = (
                zone
                if rrtype in ("NS", "MX")
                else f"{rng.choice(['www', 'mail', 'api', 'cdn', 'x' + str(rng.randrange(50))])}.{zone}"
            )
            if rrtype == "A":
                values = [rng.choice(addresses) for _ in range(rng.choice([1, 1, 1, 2]))]
            elif rrtype == "AAAA":
                values = [rng.choice(addresses6)]
            elif rrtype == "NS":
                values = rng.sample(servers, 2)
            elif rrtype == "MX":
                values = [f"{rng.choice([0, 5, 10, 20])} {rng.choice(mail)}"]
            else:
                values = [rng.choice(zones) + "."]
            first = rng.randrange(1_300_000_000, 1_700_000_000)
            doc = {
                "rrname": owner + ".",
                "rrtype": rrtype,
                "rdata": values[0] if len(values) == 1 and rng.random() < 0.5 else values,
                "time_first": first,
                "time_last": first + rng.randrange(0, 90_000_000),
                "count": rng.randrange(1, 100_000),
                "bailiwick": zone + ".",
            }
            out.write(json.dumps({"obj": doc} if args.saf else doc, separators=(",", ":")) + "\n")
        if args.saf:
            out.write('{"cond":"succeeded"}\n')


if __name__ == "__main__":
    main()
