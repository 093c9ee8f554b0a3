"""Suricata EVE (v2) and dnstap beside Zeek on the same traffic: parse + aggregate, and a whole load.

zeek_gen's traffic (2,000 clients, 50,000 names of Zipf-like popularity, 30 days) written
three times: as a Zeek dns.log of N lines; as EVE v2 JSON lines, a `query` event and an
`answer` event (with its `answers` records, as Suricata 5-7 write them) per lookup; and as
dnstap, a CLIENT_QUERY and a CLIENT_RESPONSE message per lookup (wire-format DNS inside):
2N events or messages each. Prints, for each: parse + aggregate in this process (events or
messages/s and lookups/s, best of --repeat, alternating), then a whole `graphkit load`
process into a fresh embedded store (wall time, interpreter start included), and the ratios
to Zeek.

    .venv/bin/python bench/bench_log_formats.py [--lookups 500000] [--repeat 3] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import dns.message  # noqa: E402
import dns.rrset  # noqa: E402
import dnstap_pb  # noqa: E402
import zeek_gen  # noqa: E402

from graphkit.ingest.context import ParseContext  # noqa: E402
from graphkit.model.tables import EdgeTable  # noqa: E402
from graphkit.parsers.dnstap import DnstapParser  # noqa: E402
from graphkit.parsers.eve import EveParser  # noqa: E402
from graphkit.parsers.zeek import ZeekParser  # noqa: E402

GRAPHKIT = Path(sys.executable).parent / "graphkit"


def eve_events(zeek_line: str) -> list[str]:
    """The query and answer events Suricata 5-7 log for one Zeek line."""
    f = zeek_line.rstrip("\n").split("\t")
    ts, client, cport, server, name, qtype, rcode, answers, ttls = (
        f[0],
        f[2],
        f[3],
        f[4],
        f[9],
        f[13],
        f[15],
        f[21],
        f[22],
    )
    stamp = datetime.fromtimestamp(float(ts), UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+0000")
    ends = {"src_ip": client, "src_port": int(cport), "dest_ip": server, "dest_port": 53, "proto": "UDP"}
    head = {"timestamp": stamp, "flow_id": 1, "in_iface": "eth0", "event_type": "dns", **ends}
    query = {**head, "dns": {"type": "query", "id": 1, "rrname": name, "rrtype": qtype, "tx_id": 0, "opcode": 0}}
    answer: dict[str, object] = {"version": 2, "type": "answer", "id": 1, "flags": "8180", "qr": True, "rd": True}
    answer |= {"ra": True, "opcode": 0, "rrname": name, "rrtype": qtype, "rcode": rcode}
    if answers != "-":
        records, owner = [], name
        for value, ttl in zip(answers.split(","), ttls.split(","), strict=True):
            rtype = "CNAME" if value[0].isalpha() else qtype
            records.append({"rrname": owner, "rrtype": rtype, "ttl": int(float(ttl)), "rdata": value})
            owner = value if rtype == "CNAME" else owner
        answer["answers"] = records
    return [json.dumps(query), json.dumps({**head, "dns": answer})]


def dnstap_frames(zeek_line: str) -> list[bytes]:
    """The CLIENT_QUERY and CLIENT_RESPONSE messages a resolver writes for one Zeek line."""
    f = zeek_line.rstrip("\n").split("\t")
    seconds, fraction = divmod(float(f[0]), 1)
    query = dns.message.make_query(f[9], f[13])
    response = dns.message.make_response(query)
    if f[21] != "-":
        owner = f[9]
        for value, ttl in zip(f[21].split(","), f[22].split(","), strict=True):
            cname = value[0].isalpha()
            data = value + "." if cname else value
            rrset = dns.rrset.from_text(owner + ".", int(float(ttl)), "IN", "CNAME" if cname else f[13], data)
            response.answer.append(rrset)
            owner = value if cname else owner
    out = []
    for kind, field, wire in (
        (dnstap_pb.Message.CLIENT_QUERY, "query", query.to_wire()),
        (dnstap_pb.Message.CLIENT_RESPONSE, "response", response.to_wire()),
    ):
        message = dnstap_pb.Message(type=kind, query_address=ipaddress.ip_address(f[2]).packed, query_port=int(f[3]))
        message.response_address, message.response_port = bytes([192, 0, 2, 53]), 53
        setattr(message, f"{field}_time_sec", int(seconds))
        setattr(message, f"{field}_time_nsec", int(fraction * 1e9))
        setattr(message, f"{field}_message", wire)
        frame = dnstap_pb.Dnstap(identity=b"bench", type=dnstap_pb.Dnstap.MESSAGE, message=message).SerializeToString()
        out.append(struct.pack("!I", len(frame)) + frame)
    return out


def generate(workdir: Path, lookups: int) -> tuple[Path, Path, Path, int]:
    zeek, eve, tap = (
        workdir / f"dns-{lookups}.log",
        workdir / f"eve-{lookups}.json",
        workdir / f"dnstap-{lookups}.fstrm",
    )
    if not zeek.exists():
        zeek_gen.write(zeek, lookups)
    if not eve.exists():
        with zeek.open(encoding="ascii") as source, eve.open("w", encoding="ascii") as out:
            for line in source:
                if not line.startswith("#"):
                    out.write("\n".join(eve_events(line)) + "\n")
    if not tap.exists():
        content = b"protobuf:dnstap.Dnstap"
        start = struct.pack("!III", 2, 1, len(content)) + content
        with zeek.open(encoding="ascii") as source, tap.open("wb") as out:
            out.write(struct.pack("!II", 0, len(start)) + start)
            for line in source:
                if not line.startswith("#"):
                    out.write(b"".join(dnstap_frames(line)))
            out.write(struct.pack("!III", 0, 4, 3))
    with eve.open("rb") as counted:
        events = sum(1 for _ in counted)
    return zeek, eve, tap, events


def parse(parser: object, path: Path) -> int:
    """Lookup edges the parser makes, without a store."""
    ctx = ParseContext(path, "bench:logs", lambda reject: None)
    return sum(
        item.table.num_rows
        for item in parser(ctx)  # type: ignore[operator]
        if isinstance(item, EdgeTable) and item.type == "LOOKED_UP"
    )


def whole_load(kind: str, path: Path, workdir: Path) -> float:
    store = workdir / f"store-{kind}"
    shutil.rmtree(store, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([str(GRAPHKIT), "load", kind, str(path), "--store", str(store)], check=True, capture_output=True)
    seconds = time.perf_counter() - started
    shutil.rmtree(store, ignore_errors=True)
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lookups", type=int, default=500_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "graphkit-bench-eve")
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    zeek, eve, tap, events = generate(args.workdir, args.lookups)
    print(
        f"{args.lookups:,} lookups: Zeek {zeek.stat().st_size >> 20} MB,"
        f" EVE v2 {events:,} events {eve.stat().st_size >> 20} MB"
    )
    best = {"zeek": float("inf"), "eve": float("inf"), "dnstap": float("inf")}
    for _ in range(args.repeat):
        for kind, parser, path in (
            ("zeek", ZeekParser(), zeek),
            ("eve", EveParser(), eve),
            ("dnstap", DnstapParser(), tap),
        ):
            started = time.perf_counter()
            edges = parse(parser, path)
            best[kind] = min(best[kind], time.perf_counter() - started)
    print("1. parse + aggregate, in process (best of", args.repeat, ")")
    print(f"   Zeek   {args.lookups / best['zeek']:>10,.0f} lookups/s  ({best['zeek']:.2f} s, {edges:,} edges)")
    print(
        f"   EVE v2 {events / best['eve']:>10,.0f} events/s   {args.lookups / best['eve']:>10,.0f} lookups/s"
        f"  ({best['eve']:.2f} s)  EVE/Zeek time {best['eve'] / best['zeek']:.2f}x"
    )
    print(
        f"   dnstap {events / best['dnstap']:>10,.0f} messages/s {args.lookups / best['dnstap']:>10,.0f} lookups/s"
        f"  ({best['dnstap']:.2f} s)  dnstap/Zeek time {best['dnstap'] / best['zeek']:.2f}x"
    )
    zeek_load, eve_load = whole_load("zeek", zeek, args.workdir), whole_load("eve", eve, args.workdir)
    tap_load = whole_load("dnstap", tap, args.workdir)
    print("2. whole `graphkit load` process, fresh embedded store")
    print(f"   Zeek   {args.lookups / zeek_load:>10,.0f} lookups/s  ({zeek_load:.2f} s)")
    print(
        f"   EVE v2 {args.lookups / eve_load:>10,.0f} lookups/s  ({eve_load:.2f} s)"
        f"  EVE/Zeek time {eve_load / zeek_load:.2f}x"
    )
    print(
        f"   dnstap {args.lookups / tap_load:>10,.0f} lookups/s  ({tap_load:.2f} s)"
        f"  dnstap/Zeek time {tap_load / zeek_load:.2f}x"
    )


if __name__ == "__main__":
    main()
