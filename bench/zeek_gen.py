"""A realistic Zeek dns.log (TSV) generator for the lookup-log benchmarks.

2,000 clients, 50,000 names of Zipf-like popularity, 30 days; each client re-queries the
names it uses through the day, about 10 lines per distinct (client, name, qtype, day).
Lines carry every field Zeek writes, with answers and TTLs, so the parser reads
realistic bytes. `distinct=True` makes every line its own key (the worst case).
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterator
from pathlib import Path

HEADER = (
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n"
    "#open\t2016-05-04-00-00-00\n"
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\tqclass\tqclass_name"
    "\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected\n"
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring\tcount\tstring"
    "\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\tvector[interval]\tbool\n"
)
START = 1462320000  # 2016-05-04T00:00:00Z
DAY = 86400
WORDS = ("mail", "www", "api", "cdn", "login", "static", "img", "m", "app", "ns1", "smtp", "vpn")
TLDS = ("com", "net", "org", "ru", "de", "co.uk", "io", "info")


def _names(n: int, rng: random.Random) -> list[str]:
    return [f"{rng.choice(WORDS)}{i % 7}.{rng.choice(WORDS)}-{i}.{rng.choice(TLDS)}" for i in range(n)]


def _answers(name: str, i: int) -> tuple[str, str]:
    """A stable answer set per name: one or two addresses, sometimes behind a CNAME."""
    a = f"{(i * 7) % 223 + 1}.{(i >> 8) % 256}.{i % 256}.{(i * 13) % 254 + 1}"
    if i % 5 == 0:
        return f"edge-{i}.cdn.example.net,{a}", "300.000000,60.000000"
    if i % 3 == 0:
        b = f"{(i * 11) % 223 + 1}.{(i >> 4) % 256}.{(i * 3) % 256}.{(i * 17) % 254 + 1}"
        return f"{a},{b}", "3600.000000,3600.000000"
    return a, "300.000000"


def lines(
    total: int,
    *,
    clients: int = 2000,
    names: int = 50_000,
    days: int = 30,
    per_key: int = 10,
    distinct: bool = False,
    seed: int = 4,
) -> Iterator[str]:
    rng = random.Random(seed)
    client_ips = [f"10.{(c >> 8) % 256}.{c % 256}.{c % 200 + 20}" for c in range(clients)]
    name_list = _names(names, rng)
    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(names)))
    answers = [_answers(n, i) for i, n in enumerate(name_list)]
    per_day = max(1, total // days)
    written = 0
    for day in range(days):
        todo = per_day if day < days - 1 else total - written
        base = START + day * DAY
        rows: list[tuple[float, str]] = []
        while len(rows) < todo:
            client = rng.randrange(clients)
            i = bisect.bisect(weights, rng.random() * weights[-1])
            qtype = "A" if rng.random() < 0.8 else "AAAA"
            repeats = 1 if distinct else min(todo - len(rows), rng.randint(1, 2 * per_key - 1))
            for _ in range(repeats):
                ts = base + rng.random() * DAY
                # worst case: every line its own key, a unique name per line
                name = f"u{written + len(rows)}.{name_list[i]}" if distinct else name_list[i]
                rows.append((ts, _line(ts, client_ips[client], name, qtype, answers[i], rng)))
        rows.sort()
        for _, text in rows:
            yield text
        written += len(rows)


def _line(ts: float, client: str, name: str, qtype: str, answer: tuple[str, str], rng: random.Random) -> str:
    uid = f"C{rng.getrandbits(60):015x}"
    nx = rng.random() < 0.05
    if nx:
        ans, ttls, rcode, rname = "-", "-", "3", "NXDOMAIN"
    elif qtype == "AAAA":
        ans, ttls, rcode, rname = "-", "-", "0", "NOERROR"
    else:
        ans, ttls, rcode, rname = answer[0], answer[1], "0", "NOERROR"
    qnum = "1" if qtype == "A" else "28"
    return (
        f"{ts:.6f}\t{uid}\t{client}\t{rng.randint(1024, 65535)}\t192.0.2.53\t53\tudp\t{rng.randint(0, 65535)}"
        f"\t0.0{rng.randint(10, 99)}123\t{name}\t1\tC_INTERNET\t{qnum}\t{qtype}\t{rcode}\t{rname}\tF\tF\tT\tT\t0"
        f"\t{ans}\t{ttls}\tF\n"
    )


def write(path: Path, total: int, **options: object) -> Path:
    with open(path, "w", encoding="ascii", buffering=1 << 20) as out:
        out.write(HEADER)
        chunk: list[str] = []
        for text in lines(total, **options):  # type: ignore[arg-type]
            chunk.append(text)
            if len(chunk) >= 100_000:
                out.write("".join(chunk))
                chunk.clear()
        out.write("".join(chunk))
        out.write("#close\t2016-06-03-00-00-00\n")
    return path


if __name__ == "__main__":
    import sys

    write(Path(sys.argv[1]), int(sys.argv[2]))
