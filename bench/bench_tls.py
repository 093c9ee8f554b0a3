"""TLS sessions: Zeek ssl.log parse + aggregate, a whole load, and the certificate queries.

A generated week of TLS traffic (seeded): 10,000 clients, 3,000 servers of Zipf-like
popularity, each with one to three names under its own registered domain and one or two
certificates (a leaf under one of 20 intermediates under 5 roots); a client runs one or two of
50 TLS stacks (JA3), a server one of 30 (JA3S); written as a Zeek 4 ssl.log (TSV,
`cert_chain_fps`) of N sessions and its x509.log.
Prints:
1. ssl.log parse + aggregate in this process (sessions/s, best of --repeat), beside Zeek
   dns.log's parse + aggregate of as many lines (zeek_gen's traffic) as a baseline run here;
2. whole `graphkit load zeek` processes (x509.log and ssl.log) into a fresh embedded store:
   wall time (interpreter start included) and peak RSS;
3. each certificate query as a whole `graphkit query run` process on that store, and in
   process (best of --repeat).

    .venv/bin/python bench/bench_tls.py [--sessions 1000000] [--repeat 3] [--workdir DIR]
        [--neo4j bolt://127.0.0.1:7687]   (or GRAPHKIT_BENCH_NEO4J_URI; NEO4J_USERNAME / NEO4J_PASSWORD;
                                           the database is cleared first)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import zeek_gen  # noqa: E402
from bench_log_formats import GRAPHKIT, measured, parse, remove_store  # noqa: E402

from graphkit.backends.store import StoreOptions, open_store  # noqa: E402
from graphkit.ingest.context import ParseContext  # noqa: E402
from graphkit.parsers.eve import EveParser  # noqa: E402
from graphkit.parsers.zeek import ZeekParser  # noqa: E402
from graphkit.parsers.zeek_tls import ZeekSslParser  # noqa: E402
from graphkit.query.catalogue import load_dir, run_query  # noqa: E402

HEADER = (
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t{path}\n#fields\t{fields}\n"
)
SSL_FIELDS = "ts uid id.orig_h id.orig_p id.resp_h id.resp_p version server_name established cert_chain_fps ja3 ja3s"
X509_FIELDS = (
    "ts fingerprint certificate.serial certificate.subject certificate.issuer certificate.not_valid_before "
    "certificate.not_valid_after certificate.key_type certificate.key_length san.dns basic_constraints.ca"
)
START = 1_462_000_000.0  # 2016-04-30
WEEK = 7 * 86400


def _fp(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def generate(workdir: Path, sessions: int) -> tuple[Path, Path, dict[str, str]]:
    """(ssl.log, x509.log, a sample of query parameters)."""
    ssl, x509 = workdir / f"ssl-{sessions}.log", workdir / f"x509-{sessions}.log"
    rng = random.Random(20)
    roots = [_fp(f"root{i}") for i in range(5)]
    intermediates = [(_fp(f"int{i}"), roots[i % 5]) for i in range(20)]
    servers = []
    x509_rows = []
    for i, fp in enumerate(roots):
        x509_rows.append((fp, f"{i + 1:x}", f"CN=Root {i},O=Bench", f"CN=Root {i},O=Bench", "-", "T"))
    for i, (fp, root) in enumerate(intermediates):
        x509_rows.append((fp, f"{i + 100:x}", f"CN=Int {i},O=Bench", f"CN=Root {roots.index(root)},O=Bench", "-", "T"))
    for s in range(3000):
        domain = f"site{s}.example{s % 97}.test"
        names = [domain] + [f"{p}.{domain}" for p in ("www", "api")[: rng.randint(0, 2)]]
        inter = rng.randrange(20)
        certs = []
        for c in range(rng.randint(1, 2)):
            fp = _fp(f"leaf{s}-{c}")
            x509_rows.append(
                (fp, f"{s * 4 + c + 1000:x}", f"CN={names[0]}", f"CN=Int {inter},O=Bench", ",".join(names), "F")
            )
            certs.append(f"{fp},{intermediates[inter][0]},{intermediates[inter][1]}")
        servers.append((f"198.{51 + s // 60000}.{(s // 250) % 256}.{s % 250 + 1}", names, certs))
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(servers))]
    if not ssl.exists():
        ja3 = [_fp(f"ja3-{i}")[:32] for i in range(50)]
        ja3s = [_fp(f"ja3s-{i}")[:32] for i in range(30)]
        picks = rng.choices(range(len(servers)), weights, k=sessions)
        # a client runs one or two TLS stacks (its JA3s), a server one (its JA3S)
        client_ja3 = {c: [ja3[(c * 7) % 50], ja3[(c * 13) % 50]][: 1 + c % 2] for c in range(10_000)}
        with ssl.open("w", encoding="ascii") as out:
            out.write(HEADER.format(path="ssl", fields="\t".join(SSL_FIELDS.split())))
            for n, s in enumerate(picks):
                address, names, certs = servers[s]
                ts = START + WEEK * n / sessions
                c = rng.randrange(10_000)
                client = f"10.{c // 250}.{c % 250}.1"
                out.write(
                    f"{ts:.6f}\tC{n}\t{client}\t{rng.randrange(1024, 65535)}\t{address}\t443\tTLSv12\t"
                    f"{rng.choice(names)}\tT\t{rng.choice(certs)}\t{rng.choice(client_ja3[c])}\t{ja3s[s % 30]}\n"
                )
        with x509.open("w", encoding="ascii") as out:
            out.write(HEADER.format(path="x509", fields="\t".join(X509_FIELDS.split())))
            for fp, serial, subject, issuer, san, ca in x509_rows:
                out.write(
                    f"{START:.6f}\t{fp}\t{serial}\t{subject}\t{issuer}\t1451606400.0\t1483228800.0\trsa\t2048\t{san}\t{ca}\n"
                )
    address, names, certs = servers[0]
    return ssl, x509, {"fingerprint": certs[0].split(",")[0], "address": address, "name": names[0]}


def sessions_parsed(path: Path, parser: object = None) -> None:
    ctx = ParseContext(path, "bench:tls", lambda reject: None)
    for _ in (parser or ZeekSslParser())(ctx):  # type: ignore[operator]
        pass


def eve_of(ssl: Path) -> Path:
    """The same sessions as Suricata EVE tls events (SHA-1 fingerprints, JA3/JA3S)."""
    eve = ssl.with_name(ssl.name.replace("ssl-", "eve-tls-").replace(".log", ".json"))
    if eve.exists():
        return eve
    with ssl.open(encoding="ascii") as source, eve.open("w", encoding="ascii") as out:
        for text in source:
            if text.startswith("#"):
                continue
            f = text.rstrip("\n").split("\t")
            ts = datetime.fromtimestamp(float(f[0]), UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+0000")
            leaf = f[9].split(",")[0]
            event = {
                "timestamp": ts, "flow_id": int(f[1][1:]), "event_type": "tls", "src_ip": f[2], "src_port": int(f[3]),
                "dest_ip": f[4], "dest_port": int(f[5]), "proto": "TCP",
                "tls": {"subject": f"CN={f[7]}", "issuerdn": "CN=Int,O=Bench", "serial": leaf[:8].upper(),
                        "fingerprint": ":".join(leaf[i:i + 2] for i in range(0, 40, 2)), "sni": f[7],
                        "version": "TLS 1.2", "notbefore": "2016-01-01T00:00:00", "notafter": "2017-01-01T00:00:00",
                        "ja3": {"hash": f[10], "string": "771,4865"}, "ja3s": {"hash": f[11], "string": "771,4865"}},
            }  # fmt: skip
            out.write(json.dumps(event, separators=(",", ":")) + "\n")
    return eve


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "graphkit-bench-tls")
    ap.add_argument("--neo4j", default=os.environ.get("GRAPHKIT_BENCH_NEO4J_URI"), help="also this Neo4j (cleared)")
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    ssl, x509, sample = generate(args.workdir, args.sessions)
    dns = args.workdir / f"dns-{args.sessions}.log"
    if not dns.exists():
        zeek_gen.write(dns, args.sessions)
    print(f"{args.sessions:,} TLS sessions: ssl.log {ssl.stat().st_size >> 20} MB; dns.log baseline as many lines")
    best_ssl = best_dns = float("inf")
    for _ in range(args.repeat):
        started = time.perf_counter()
        sessions_parsed(ssl)
        best_ssl = min(best_ssl, time.perf_counter() - started)
        started = time.perf_counter()
        parse(ZeekParser(), dns)
        best_dns = min(best_dns, time.perf_counter() - started)
    eve = eve_of(ssl)
    best_eve = float("inf")
    for _ in range(args.repeat):
        started = time.perf_counter()
        sessions_parsed(eve, EveParser())
        best_eve = min(best_eve, time.perf_counter() - started)
    print(f"1. parse + aggregate, in process (best of {args.repeat})")
    print(f"   EVE tls {args.sessions / best_eve:>10,.0f} sessions/s ({best_eve:.2f} s, {eve.stat().st_size >> 20} MB)")
    print(f"   ssl.log {args.sessions / best_ssl:>10,.0f} sessions/s ({best_ssl:.2f} s)")
    ratio = best_ssl / best_dns
    print(f"   dns.log {args.sessions / best_dns:>10,.0f} lines/s    ({best_dns:.2f} s)  ssl/dns time {ratio:.2f}x")
    store = args.workdir / "store"
    remove_store(store)
    seconds, rss = measured([str(GRAPHKIT), "load", "zeek", str(x509), str(ssl), "--store", str(store)])
    print("2. whole `graphkit load zeek x509.log ssl.log` process, fresh embedded store")
    print(f"   {args.sessions / seconds:>10,.0f} sessions/s ({seconds:.2f} s, peak {rss:.0f} MB)")
    cases = {
        "shared-certificate": {"target": sample["address"]},
        "certificate-names": {"certificate": sample["fingerprint"]},
        "certificate-timeline": {"domain": sample["name"]},
    }
    print("3. certificate queries on that store: whole process; in process (best of --repeat)")
    rows_of = {"embedded": _queries(str(store), cases, args.repeat)}
    if args.neo4j:
        from graphkit.backends.store import clear_neo4j

        clear_neo4j(args.neo4j)
        seconds, rss = measured([str(GRAPHKIT), "load", "zeek", str(x509), str(ssl), "--store", args.neo4j])
        print("4. the same into Neo4j (cleared first): whole load process, then the queries")
        print(f"   {args.sessions / seconds:>10,.0f} sessions/s ({seconds:.2f} s, graphkit's peak {rss:.0f} MB)")
        rows_of["neo4j"] = _queries(args.neo4j, cases, args.repeat)
        same = all(rows_of["embedded"][name] == rows_of["neo4j"][name] for name in cases)
        print(f"   same rows on both stores: {same}")


def _queries(location: str, cases: dict[str, dict[str, str]], repeat: int) -> dict[str, list[Any]]:
    """Each query as a whole process and in process; the rows each gave."""
    queries = load_dir(Path(__file__).resolve().parents[1] / "cypher")
    backend = open_store(StoreOptions(store=location), read_only=True)
    found, inproc = {}, {}
    try:
        for name, params in cases.items():
            best = float("inf")
            for _ in range(repeat):
                started = time.perf_counter()
                found[name] = run_query(backend, queries[name], params).rows
                best = min(best, time.perf_counter() - started)
            inproc[name] = best
    finally:
        backend.close()
    for name, params in cases.items():
        flags = [f for k, v in params.items() for f in ("-p", f"{k}={v}")]
        seconds, rss = measured([str(GRAPHKIT), "--store", location, "query", "run", name, *flags])
        print(
            f"   {name:22} {seconds:.2f} s whole ({rss:.0f} MB); {inproc[name]:.3f} s in process;"
            f" {len(found[name])} rows"
        )
    return found


if __name__ == "__main__":
    main()
