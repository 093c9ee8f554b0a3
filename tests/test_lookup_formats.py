"""One lookup graph whatever the log format: the same traffic, written in every format that can
express it, gives the same lookups, answers and nodes on both stores."""

from __future__ import annotations

import ipaddress
import json
import struct
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dns.flags
import dns.message
import dns.rrset
import dnstap_pb
import pytest
from helpers import Store
from test_zeek import fresh, snapshot, traffic, write_json, write_tsv

from graphkit.ingest.lookups.classify import ANSWER_TYPES, IPV4
from graphkit.parsers.detect import detect

Row = dict[str, Any]


def eve_time(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+0000")


def records(row: Row) -> list[Row]:
    """A Zeek row's answers as the DNS records they stand for, each with its owner: the CNAME
    chain from the query, then the addresses of its last name (TXT and others left out)."""
    owner, out = row["query"], []
    for answer, ttl in zip(row.get("answers") or [], row.get("TTLs") or [], strict=True):
        if IPV4.fullmatch(answer) or ":" in answer:
            rtype = "AAAA" if ":" in answer else "A"
        elif " " in answer:
            continue
        else:
            rtype = "CNAME"
        out.append({"rrname": owner, "rrtype": rtype, "ttl": int(ttl), "rdata": answer})
        owner = answer if rtype == "CNAME" else owner
    return out


def eve_events(row: Row, version: int, grouped: bool = False) -> list[Row]:
    """The events Suricata logs for one Zeek row: a query and its answers, in `version`'s shape."""
    ends = {"src_ip": row["id.orig_h"], "src_port": row["id.orig_p"], "proto": "UDP"}
    ends |= {"dest_ip": row["id.resp_h"], "dest_port": row["id.resp_p"]}
    event = {"timestamp": eve_time(row["ts"]), "flow_id": 1, "event_type": "dns", **ends}
    question = {k: v for k, v in {"rrname": row["query"], "rrtype": row["qtype_name"]}.items() if v is not None}
    answers = records(row)
    if version == 3:
        request = {"version": 3, "type": "request", "id": 1, "rd": row["RD"], "queries": [question]}
        response = {"version": 3, "type": "response", "id": 1, "rcode": "NOERROR", "queries": [question]}
        # Suricata 8 logs a response from the responder
        back = {"src_ip": row["id.resp_h"], "src_port": row["id.resp_p"]}
        back |= {"dest_ip": row["id.orig_h"], "dest_port": row["id.orig_p"]}
        out = [{**event, "dns": request}]
        if answers:
            out.append({**event, **back, "dns": {**response, "answers": answers}})
        return out
    out = [{**event, "dns": {"type": "query", "id": 1, **question, "tx_id": 0}}]
    if not answers:
        return out
    if version == 1:
        return out + [{**event, "dns": {"type": "answer", "id": 1, "rcode": "NOERROR", **r}} for r in answers]
    answer = {"version": 2, "type": "answer", "id": 1, "rd": row["RD"], **question, "rcode": "NOERROR"}
    if grouped:  # Suricata's `formats: [grouped]`: values by type, no owners
        by_type: dict[str, list[str]] = {}
        for record in answers:
            by_type.setdefault(record["rrtype"], []).append(record["rdata"])
        return out + [{**event, "dns": {**answer, "grouped": by_type}}]
    return out + [{**event, "dns": {**answer, "answers": answers}}]


def write_eve(version: int, grouped: bool = False) -> Callable[[Path, list[Row]], Path]:
    def write(path: Path, rows: list[Row]) -> Path:
        events = [e for row in rows for e in eve_events(row, version, grouped)]
        path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
        return path

    return write


def dnsmasq_time(ts: float) -> str:
    moment = datetime.fromtimestamp(ts, UTC)
    return f"{moment:%b} {moment.day:2d} {moment:%H:%M:%S}"


def write_dnsmasq(path: Path, rows: list[Row]) -> Path:
    """dnsmasq's log-queries lines; what it never sees (mDNS, LLMNR, NetBIOS: not port 53) left
    out, as Zeek skips it too. Loaded with --year 2016."""
    lines = []
    for row in rows:
        if row["id.resp_p"] != 53:
            continue
        head = f"{dnsmasq_time(row['ts'])} dnsmasq[830]: "
        lines.append(f"{head}query[{row['qtype_name']}] {row['query']} from {row['id.orig_h']}")
        lines.append(f"{head}forwarded {row['query']} to 192.0.2.53")
        for record in records(row):
            value = "<CNAME>" if record["rrtype"] == "CNAME" else record["rdata"]
            lines.append(f"{head}reply {record['rrname']} is {value}")
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def write_route53(path: Path, rows: list[Row]) -> Path:
    """Route 53 Resolver query log lines (S3 delivery: JSON lines); only port 53 reaches it."""
    lines = []
    for row in rows:
        if row["id.resp_p"] != 53:
            continue
        answers = [{"Rdata": r["rdata"], "Type": r["rrtype"], "Class": "IN"} for r in records(row)]
        query = {
            "version": "1.100000",
            "account_id": "111122223333",
            "region": "us-east-1",
            "vpc_id": "vpc-7example",
            "query_timestamp": datetime.fromtimestamp(row["ts"], UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "query_name": row["query"],
            "query_type": row["qtype_name"],
            "query_class": "IN",
            "rcode": "NOERROR",
            "answers": answers,
            "srcaddr": row["id.orig_h"],
            "srcport": str(row["id.orig_p"]),
            "transport": "UDP",
            "srcids": {"instance": "i-0d15cd0d3example"},
        }
        lines.append(json.dumps(query))
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def write_umbrella(path: Path, rows: list[Row]) -> Path:
    """Umbrella's DNS log lines (version 13, S3 export without header); it logs no answers."""
    types = {"A": 1, "AAAA": 28, "TXT": 16, "PTR": 12}
    lines = []
    for row in rows:
        if row["id.resp_p"] != 53:
            continue
        stamp = datetime.fromtimestamp(row["ts"], UTC).strftime("%Y-%m-%d %H:%M:%S")
        qtype = f"{types[row['qtype_name']]} ({row['qtype_name']})"
        fields = [stamp, "Jane (jane@example.com)", "Jane (jane@example.com),HQ", row["id.orig_h"], "203.0.113.7"]
        fields += ["Allowed", qtype, "NOERROR", row["query"], "Software/Technology", "AD Users", "AD Users,Networks"]
        fields += ["", "", "", "2000000"]
        lines.append(",".join(f'"{field}"' for field in fields))
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def fstrm(frames: list[bytes]) -> bytes:
    """A Frame Streams file of dnstap frames: start, data frames, stop."""
    content = b"protobuf:dnstap.Dnstap"
    start = struct.pack("!III", 2, 1, len(content)) + content
    out = [struct.pack("!II", 0, len(start)) + start]
    out += [struct.pack("!I", len(frame)) + frame for frame in frames]
    out.append(struct.pack("!III", 0, 4, 3))
    return b"".join(out)


def write_dnstap(path: Path, rows: list[Row]) -> Path:
    """What a resolver writes with `dnstap { client; }`: a CLIENT_QUERY and a CLIENT_RESPONSE
    per lookup, the DNS messages in wire format. Only port 53 reaches a resolver."""
    frames = []
    for row in rows:
        if row["id.resp_p"] != 53:
            continue
        query = dns.message.make_query(row["query"], row["qtype_name"])
        query.flags = dns.flags.RD if row["RD"] else dns.flags.Flag(0)
        response = dns.message.make_response(query)
        for record in records(row):
            response.answer.append(
                dns.rrset.from_text(
                    record["rrname"].rstrip(".") + ".",
                    record["ttl"],
                    "IN",
                    record["rrtype"],
                    record["rdata"] + ("." if record["rrtype"] == "CNAME" else ""),
                )
            )
        seconds, fraction = divmod(row["ts"], 1)
        client = ipaddress.ip_address(row["id.orig_h"]).packed
        for kind, field in ((dnstap_pb.Message.CLIENT_QUERY, "query"), (dnstap_pb.Message.CLIENT_RESPONSE, "response")):
            message = dnstap_pb.Message(type=kind, query_address=client, response_address=bytes([66, 216, 133, 1]))
            message.query_port, message.response_port = row["id.orig_p"], 53
            setattr(message, f"{field}_time_sec", int(seconds))
            setattr(message, f"{field}_time_nsec", round(fraction * 1e9))
            setattr(message, f"{field}_message", (query if field == "query" else response).to_wire())
            frames.append(
                dnstap_pb.Dnstap(
                    identity=b"resolver-1", type=dnstap_pb.Dnstap.MESSAGE, message=message
                ).SerializeToString()
            )
    path.write_bytes(fstrm(frames))
    return path


# format -> (load kind, writer); Zeek TSV is the reference
FORMATS: dict[str, tuple[str, Callable[[Path, list[Row]], Path]]] = {
    "zeek-json": ("zeek", write_json),
    "eve-v1": ("eve", write_eve(1)),
    "eve-v2": ("eve", write_eve(2)),
    "eve-v2-grouped": ("eve", write_eve(2, grouped=True)),
    "eve-v3": ("eve", write_eve(3)),
    "dnsmasq": ("dnsmasq", write_dnsmasq),
    "route53": ("route53", write_route53),
    "umbrella": ("umbrella", write_umbrella),
    "dnstap": ("dnstap", write_dnstap),
}
NO_ANSWERS = {"umbrella"}  # logs lookups only: its graph is the lookups
OPTIONS = {"dnsmasq": ["--year", "2016"]}
NO_TTLS = {"eve-v2-grouped", "dnsmasq", "route53"}  # what a format cannot say: TTLs


def without_ttls(graph: dict[str, list[list[Any]]]) -> dict[str, list[list[Any]]]:
    """The answers' TTL (the third column of `resolves` and `alias`) left out."""
    return {
        name: [row[:2] + row[3:] if name in ("resolves", "alias") else row for row in rows]
        for name, rows in graph.items()
    }


@pytest.mark.parametrize("name", FORMATS)
def test_the_same_traffic_gives_the_same_graph_in_every_format(store: Store, tmp_path: Path, name: str) -> None:
    rows = [row for row in traffic() if row.get("query")]  # a query with no name has no form in most logs
    store.cli("load", "zeek", str(write_tsv(tmp_path / "dns.log", rows)))
    reference = snapshot(store)
    assert reference["looked_up"] and reference["resolves"] and reference["alias"]
    kind, write = FORMATS[name]
    other = fresh(store, tmp_path, name)
    other.cli("load", kind, *OPTIONS.get(name, []), str(write(tmp_path / f"{name}.log", rows)))
    graph = snapshot(other)
    if name in NO_ANSWERS:
        assert not graph["resolves"] and not graph["alias"]
        graph, reference = {"looked_up": graph["looked_up"]}, {"looked_up": reference["looked_up"]}
    elif name in NO_TTLS:
        assert {row[2] for row in graph["resolves"] + graph["alias"]} == {None}
        graph, reference = without_ttls(graph), without_ttls(reference)
    assert graph == reference


@pytest.mark.parametrize("name", FORMATS)
def test_load_log_tells_each_format_apart(tmp_path: Path, name: str) -> None:
    kind, write = FORMATS[name]
    path = write(tmp_path / f"{name}.log", [row for row in traffic() if row.get("query")])
    assert detect(path).kind == kind
    assert detect(write_tsv(tmp_path / "dns.log", traffic())).kind == "zeek"


def host_of(address: str) -> str:
    return "host-" + str(ipaddress.ip_address(address)).replace(".", "-").replace(":", "-")


def write_sysmon(path: Path, rows: list[Row]) -> Path:
    """Sysmon event 22 as evtx_dump writes it, one a line: each lookup logged on the asking
    computer (named after its address here), with no query type and the answers of address
    and alias queries as Sysmon's QueryResults (other types' data as `type: N ...`, read as none)."""
    type_numbers = {"A": 1, "AAAA": 28, "CNAME": 5, "TXT": 16, "PTR": 12}
    lines = []
    for row in rows:
        if row["id.resp_p"] != 53:
            continue
        if row["qtype_name"] in ANSWER_TYPES:
            results = [("type: 5 " + r["rdata"]) if r["rrtype"] == "CNAME" else r["rdata"] for r in records(row)]
        else:
            results = [f"type: {type_numbers[row['qtype_name']]} {a}" for a in row.get("answers") or []]
        utc = datetime.fromtimestamp(row["ts"], UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        data = {
            "UtcTime": utc,
            "QueryName": row["query"],
            "QueryStatus": "0",
            "QueryResults": "".join(r + ";" for r in results) or "-",
            "Image": "C:\\app.exe",
        }
        system = {
            "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}},
            "EventID": 22,
            "Computer": host_of(row["id.orig_h"]),
        }
        lines.append(json.dumps({"Event": {"System": system, "EventData": data}}))
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_sysmon_gives_the_same_lookups_by_host_and_the_same_answers(store: Store, tmp_path: Path) -> None:
    """Sysmon names the asking computer, not its address, and no query type: its lookups are the
    reference's per (client, name, day), whatever the type, under the client's host name."""
    rows = [row for row in traffic() if row.get("query")]
    store.cli("load", "zeek", str(write_tsv(tmp_path / "dns.log", rows)))
    reference = without_ttls(snapshot(store))
    other = fresh(store, tmp_path, "sysmon")
    path = write_sysmon(tmp_path / "sysmon.json", rows)
    assert detect(path).kind == "sysmon"
    other.cli("load", "sysmon", str(path))
    expected: dict[tuple[str, str, str], list[Any]] = {}
    for client, name, _qtype, day, count, first, last in reference["looked_up"]:
        key = (host_of(client), name, day)
        if key in expected:
            _, n, low, high = expected[key]
            expected[key] = ["UNKNOWN", n + count, min(low, first), max(high, last)]
        else:
            expected[key] = ["UNKNOWN", count, first, last]
    looked_up = other.query(
        "MATCH (h:Host)-[r:LOOKED_UP]->(d:Domain) RETURN h.name, d.name, r.day, r.qtype, r.count, r.first_seen, "
        "r.last_seen ORDER BY h.name, d.name, r.day"
    )
    assert looked_up == [[*key, *value] for key, value in sorted(expected.items())]
    graph = without_ttls(snapshot(other))
    for name in ("resolves", "alias", "domains", "subdomains"):
        assert graph[name] == reference[name], name
    answered = sorted({row[1] for row in reference["resolves"]})
    assert graph["addresses"] == [[address, 6 if ":" in address else 4] for address in answered]
