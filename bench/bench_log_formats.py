"""Every lookup log format beside Zeek on the same traffic: parse + aggregate, and a whole load.

zeek_gen's traffic (2,000 clients, 50,000 names of Zipf-like popularity, 30 days) written
as a Zeek dns.log of N lines, then in every other format graphkit reads: EVE v2 JSON lines (a
`query` and an `answer` event per lookup, as Suricata 5-7 write them), dnstap (a CLIENT_QUERY
and a CLIENT_RESPONSE message per lookup), dnsmasq (query, forwarded and reply lines),
Route 53 Resolver JSON lines, Umbrella CSV (no answers), Sysmon event 22 as evtx_dump JSON
lines (the client a host) and the Windows DNS Server debug log (no answers). Prints, for
each: parse + aggregate in this process (records/s and lookups/s, best of --repeat), then a
whole `graphkit load` process into a fresh embedded store (wall time, interpreter start
included, and peak RSS), and the ratios to Zeek.

    .venv/bin/python bench/bench_log_formats.py [--lookups 500000] [--repeat 3] [--workdir DIR]
        [--formats eve,dnstap,...]
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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import dns.message  # noqa: E402
import dns.rrset  # noqa: E402
import dnstap_pb  # noqa: E402
import zeek_gen  # noqa: E402

from graphkit.ingest.context import ParseContext  # noqa: E402
from graphkit.model.tables import EdgeTable  # noqa: E402
from graphkit.parsers.dnsmasq import DnsmasqParser  # noqa: E402
from graphkit.parsers.dnstap import DnstapParser  # noqa: E402
from graphkit.parsers.eve import EveParser  # noqa: E402
from graphkit.parsers.route53 import Route53Parser  # noqa: E402
from graphkit.parsers.sysmon import SysmonParser  # noqa: E402
from graphkit.parsers.umbrella import UmbrellaParser  # noqa: E402
from graphkit.parsers.windns import WindnsParser  # noqa: E402
from graphkit.parsers.zeek import ZeekParser  # noqa: E402

GRAPHKIT = Path(sys.executable).parent / "graphkit"


class Line:
    """One Zeek line's fields, as the other formats need them."""

    def __init__(self, text: str) -> None:
        f = text.rstrip("\n").split("\t")
        self.ts, self.client, self.port, self.name, self.qtype = float(f[0]), f[2], f[3], f[9], f[13]
        self.answers = [] if f[21] == "-" else f[21].split(",")
        self.ttls = [] if f[22] == "-" else [int(float(t)) for t in f[22].split(",")]
        self.stamp = datetime.fromtimestamp(self.ts, UTC)

    def records(self) -> list[tuple[str, str, str]]:
        """(owner, type, data) of each answer: the CNAME chain, then the addresses."""
        out, owner = [], self.name
        for value in self.answers:
            rtype = "CNAME" if value[0].isalpha() else self.qtype
            out.append((owner, rtype, value))
            owner = value if rtype == "CNAME" else owner
        return out


def dnsmasq_lines(line: Line) -> list[str]:
    head = f"{line.stamp:%b} {line.stamp.day:2d} {line.stamp:%H:%M:%S} dnsmasq[830]: "
    out = [f"{head}query[{line.qtype}] {line.name} from {line.client}", f"{head}forwarded {line.name} to 192.0.2.53"]
    out += [f"{head}reply {o} is {'<CNAME>' if t == 'CNAME' else d}" for o, t, d in line.records()]
    return out


def route53_lines(line: Line) -> list[str]:
    answers = [{"Rdata": d, "Type": t, "Class": "IN"} for _, t, d in line.records()]
    query = {"version": "1.100000", "account_id": "111122223333", "region": "us-east-1", "vpc_id": "vpc-7example"}
    query |= {"query_timestamp": f"{line.stamp:%Y-%m-%dT%H:%M:%SZ}", "query_name": line.name + "."}
    query |= {"query_type": line.qtype, "query_class": "IN", "rcode": "NOERROR", "answers": answers}
    query |= {"srcaddr": line.client, "srcport": line.port, "transport": "UDP", "srcids": {"instance": "i-0example"}}
    return [json.dumps(query)]


def umbrella_lines(line: Line) -> list[str]:
    fields = [f"{line.stamp:%Y-%m-%d %H:%M:%S}", "Jane (jane@example.com)", "Jane,HQ", line.client, "203.0.113.7"]
    fields += [
        "Allowed",
        f"1 ({line.qtype})",
        "NOERROR",
        line.name + ".",
        "Software/Technology",
        "AD Users",
        "AD Users",
    ]
    fields += ["", "", "", "2000000"]
    return [",".join(f'"{field}"' for field in fields)]


def sysmon_lines(line: Line) -> list[str]:
    results = "".join((f"type: 5 {d};" if t == "CNAME" else f"::ffff:{d};") for _, t, d in line.records())
    data = {"RuleName": "-", "UtcTime": f"{line.stamp:%Y-%m-%d %H:%M:%S.%f}"[:-3], "ProcessGuid": "{0}"}
    data |= {"ProcessId": 4242, "QueryName": line.name, "QueryStatus": "0", "QueryResults": results or "-"}
    data |= {"Image": "C:\\Program Files\\App\\app.exe", "User": "CORP\\jane"}
    system = {"Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}}, "EventID": 22, "Version": 5}
    system |= {"TimeCreated": {"#attributes": {"SystemTime": f"{line.stamp:%Y-%m-%dT%H:%M:%S.%fZ}"}}}
    system |= {"Channel": "Microsoft-Windows-Sysmon/Operational", "Computer": "ws-" + line.client.replace(".", "-")}
    return [json.dumps({"Event": {"System": system, "EventData": data}})]


def windns_lines(line: Line) -> list[str]:
    stamp = f"{line.stamp.month}/{line.stamp.day}/{line.stamp.year} {line.stamp:%I:%M:%S %p}".lstrip("0")
    labels = "".join(f"({len(label)}){label}" for label in line.name.split(".")) + "(0)"
    head = f"{stamp} 0E5C PACKET  000000D2A1B4C0F0 UDP"
    return [
        f"{head} Rcv {line.client:<15} c8a1   Q [0001   D   NOERROR] {line.qtype:<6} {labels}",
        f"{head} Snd {line.client:<15} c8a1 R Q [8081   DR  NOERROR] {line.qtype:<6} {labels}",
    ]


def eve_lines(line: Line) -> list[str]:
    ends = {"src_ip": line.client, "src_port": int(line.port), "dest_ip": "192.0.2.53", "dest_port": 53, "proto": "UDP"}
    stamp = line.stamp.strftime("%Y-%m-%dT%H:%M:%S.%f+0000")
    head = {"timestamp": stamp, "flow_id": 1, "in_iface": "eth0", "event_type": "dns", **ends}
    query = {**head, "dns": {"type": "query", "id": 1, "rrname": line.name, "rrtype": line.qtype, "tx_id": 0}}
    answer: dict[str, object] = {"version": 2, "type": "answer", "id": 1, "flags": "8180", "qr": True, "rd": True}
    answer |= {"ra": True, "opcode": 0, "rrname": line.name, "rrtype": line.qtype, "rcode": "NOERROR"}
    if line.answers:
        answer["answers"] = [
            {"rrname": o, "rrtype": t, "ttl": ttl, "rdata": d} for (o, t, d), ttl in zip(line.records(), line.ttls)
        ]
    return [json.dumps(query), json.dumps({**head, "dns": answer})]


def dnstap_frames(line: Line) -> list[bytes]:
    """The CLIENT_QUERY and CLIENT_RESPONSE messages a resolver writes for one Zeek line."""
    seconds, fraction = divmod(line.ts, 1)
    query = dns.message.make_query(line.name, line.qtype)
    response = dns.message.make_response(query)
    for (owner, rtype, data), ttl in zip(line.records(), line.ttls):
        value = data + "." if rtype == "CNAME" else data
        response.answer.append(dns.rrset.from_text(owner + ".", ttl, "IN", rtype, value))
    out = []
    for kind, field, wire in (
        (dnstap_pb.Message.CLIENT_QUERY, "query", query.to_wire()),
        (dnstap_pb.Message.CLIENT_RESPONSE, "response", response.to_wire()),
    ):
        address = ipaddress.ip_address(line.client).packed
        message = dnstap_pb.Message(type=kind, query_address=address, query_port=int(line.port))
        message.response_address, message.response_port = bytes([192, 0, 2, 53]), 53
        setattr(message, f"{field}_time_sec", int(seconds))
        setattr(message, f"{field}_time_nsec", int(fraction * 1e9))
        setattr(message, f"{field}_message", wire)
        frame = dnstap_pb.Dnstap(identity=b"bench", type=dnstap_pb.Dnstap.MESSAGE, message=message).SerializeToString()
        out.append(struct.pack("!I", len(frame)) + frame)
    return out


def fstrm_start() -> bytes:
    content = b"protobuf:dnstap.Dnstap"
    start = struct.pack("!III", 2, 1, len(content)) + content
    return struct.pack("!II", 0, len(start)) + start


@dataclass(frozen=True)
class Format:
    kind: str  # the `graphkit load` kind
    suffix: str
    render: Callable[[Line], list[Any]]  # text lines, or binary frames
    parser: Callable[[], Any]
    options: tuple[str, ...] = ()
    what: str = "lines"


FORMATS = {
    "eve": Format("eve", "json", eve_lines, lambda: EveParser(), what="events"),
    "dnstap": Format("dnstap", "fstrm", dnstap_frames, lambda: DnstapParser(), what="messages"),
    "dnsmasq": Format("dnsmasq", "log", dnsmasq_lines, lambda: DnsmasqParser(year=2016), ("--year", "2016")),
    "route53": Format("route53", "json", route53_lines, lambda: Route53Parser()),
    "umbrella": Format("umbrella", "csv", umbrella_lines, lambda: UmbrellaParser()),
    "sysmon": Format("sysmon", "json", sysmon_lines, lambda: SysmonParser(), what="events"),
    "windns": Format("windns", "log", windns_lines, lambda: WindnsParser()),
}


def generate(workdir: Path, lookups: int, names: list[str]) -> tuple[Path, dict[str, tuple[Path, int]]]:
    """The Zeek log, and each format's file with its count of records (lines, events, frames)."""
    zeek = workdir / f"dns-{lookups}.log"
    if not zeek.exists():
        zeek_gen.write(zeek, lookups)
    files = {}
    for name in names:
        fmt = FORMATS[name]
        path = workdir / f"{name}-{lookups}.{fmt.suffix}"
        counted = workdir / f"{path.name}.count"
        if not counted.exists():
            records = 0
            with zeek.open(encoding="ascii") as source, path.open("wb") as out:
                if fmt.kind == "dnstap":
                    out.write(fstrm_start())
                for text in source:
                    if text.startswith("#"):
                        continue
                    rendered = fmt.render(Line(text))
                    records += len(rendered)
                    out.write(b"".join(rendered) if fmt.kind == "dnstap" else ("\n".join(rendered) + "\n").encode())
                if fmt.kind == "dnstap":
                    out.write(struct.pack("!III", 0, 4, 3))
            counted.write_text(str(records))
        files[name] = (path, int(counted.read_text()))
    return zeek, files


def parse(parser: object, path: Path) -> int:
    """Lookup edges the parser makes, without a store."""
    ctx = ParseContext(path, "bench:logs", lambda reject: None)
    return sum(
        item.table.num_rows
        for item in parser(ctx)  # type: ignore[operator]
        if isinstance(item, EdgeTable) and item.type == "LOOKED_UP"
    )


# A fresh process per load, so that its children's peak RSS is the load's own (a process's
# RUSAGE_CHILDREN keeps the largest child it ever waited for).
_MEASURED = (
    "import resource, subprocess, sys\n"
    "status = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode\n"
    "print(status, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def remove_store(store: Path) -> None:
    """An embedded store is a file (and files beside it while open), not a folder."""
    for path in store.parent.glob(store.name + "*"):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def whole_load(kind: str, path: Path, workdir: Path, options: tuple[str, ...] = ()) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of a whole `graphkit load` process into a fresh embedded store."""
    store = workdir / f"store-{kind}"
    remove_store(store)
    seconds, peak_mb = measured([str(GRAPHKIT), "load", kind, *options, str(path), "--store", str(store)])
    remove_store(store)
    return seconds, peak_mb


def measured(command: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of a command run in a fresh wrapper process."""
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _MEASURED, *command], capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    status, peak_kb = (int(v) for v in out.stdout.split())
    if status:
        raise SystemExit(f"{' '.join(command)} failed ({status})")
    return seconds, peak_kb / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lookups", type=int, default=500_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "graphkit-bench-eve")
    ap.add_argument("--formats", default=",".join(FORMATS), help="which formats beside Zeek")
    args = ap.parse_args()
    names = [n for n in args.formats.split(",") if n]
    args.workdir.mkdir(parents=True, exist_ok=True)
    zeek, files = generate(args.workdir, args.lookups, names)
    print(f"{args.lookups:,} lookups; Zeek {zeek.stat().st_size >> 20} MB")
    best = {name: float("inf") for name in ["zeek", *names]}
    for _ in range(args.repeat):
        for name in best:
            parser = ZeekParser() if name == "zeek" else FORMATS[name].parser()
            started = time.perf_counter()
            parse(parser, zeek if name == "zeek" else files[name][0])
            best[name] = min(best[name], time.perf_counter() - started)
    print(f"1. parse + aggregate, in process (best of {args.repeat})")
    print(f"   {'zeek':9} {args.lookups / best['zeek']:>10,.0f} lookups/s  ({best['zeek']:.2f} s)")
    for name in names:
        path, records = files[name]
        what = FORMATS[name].what
        print(
            f"   {name:9} {args.lookups / best[name]:>10,.0f} lookups/s  {records / best[name]:>10,.0f} {what}/s"
            f"  ({best[name]:.2f} s, {path.stat().st_size >> 20} MB)  time/Zeek {best[name] / best['zeek']:.2f}x"
        )
    print("2. whole `graphkit load` process, fresh embedded store")
    zeek_seconds, zeek_rss = whole_load("zeek", zeek, args.workdir)
    print(f"   {'zeek':9} {args.lookups / zeek_seconds:>10,.0f} lookups/s  ({zeek_seconds:.2f} s, {zeek_rss:.0f} MB)")
    for name in names:
        fmt = FORMATS[name]
        seconds, rss = whole_load(fmt.kind, files[name][0], args.workdir, fmt.options)
        print(
            f"   {name:9} {args.lookups / seconds:>10,.0f} lookups/s  ({seconds:.2f} s, {rss:.0f} MB)"
            f"  time/Zeek {seconds / zeek_seconds:.2f}x"
        )


if __name__ == "__main__":
    main()
