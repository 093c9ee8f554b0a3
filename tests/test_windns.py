"""`graphkit load windns`: the Windows DNS Server's analytical event log and its text debug log,
on both stores. The only real sample is a damaged analytical EVTX (../shared/realdata/sysmon);
the exports and debug logs here are written from Microsoft's documented event fields and
"Message logging key" (no real export was available), with DNS messages made by dnspython."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import dns.message
import dns.rrset
import pytest
from helpers import Store, json_lines, realdata, rejects
from parse_outputs import parse_outputs

from graphkit.parsers import windns_blocks
from graphkit.parsers.detect import detect
from graphkit.parsers.windns import WindnsParser

DAMAGED = "python-evtx_dns_log_malformed_DNSServer-Analytical.evtx"


def load(store: Store, *args: str, check: bool = True) -> tuple[list[dict[str, Any]], str]:
    proc = store.cli("load", "windns", "--format", "json", *args, check=check)
    return json_lines(proc), proc.stderr


def lookups(store: Store) -> list[list[Any]]:
    return store.query(
        "MATCH (c:IPAddress)-[r:LOOKED_UP]->(d:Domain) RETURN c.address, d.name, r.qtype, r.day, r.count, r.first_seen "
        "ORDER BY c.address, d.name, r.qtype"
    )


def test_the_damaged_real_analytical_log_loads_what_it_can(store: Store) -> None:
    path = realdata() / "sysmon" / DAMAGED
    if not path.exists():
        pytest.skip(f"no {path}")
    reports, stderr = load(store, str(path))
    report = reports[0]
    assert report["counts"]["events read"] == 5 and report["counts"]["lookups"] == 0
    # three RECURSE_QUERY_OUT events; the two QUERY_RECEIVED ones carry names the damage garbled
    assert report["skipped"] == {
        "the server's own queries upstream (RECURSE_*): not lookups": 3,
        "query is not a DNS name": 2,
    }
    assert "Traceback" not in stderr


# -- the analytical log, as evtx_dump's JSON lines -------------------------------------------------


def response(name: str, *records: tuple[str, str, str]) -> str:
    query = dns.message.make_query(name, "A")
    answer = dns.message.make_response(query)
    for owner, rtype, data in records:
        answer.answer.append(dns.rrset.from_text(owner, 300, "IN", rtype, data))
    return answer.to_wire().hex().upper()


def event(event_id: int, when: str, **data: Any) -> dict[str, Any]:
    system = {
        "Provider": {"#attributes": {"Name": "Microsoft-Windows-DNSServer"}},
        "EventID": event_id,
        "TimeCreated": {"#attributes": {"SystemTime": when}},
        "Computer": "DC01.corp.example",
    }
    return {"Event": {"System": system, "EventData": data}}


def analytical_events() -> list[dict[str, Any]]:
    ask = {"TCP": 0, "InterfaceIP": "10.0.0.1", "RD": 1, "XID": 1, "Port": 50000, "Flags": 256}
    chain = response(
        "www.example.com.",
        ("www.example.com.", "CNAME", "edge.example.net."),
        ("edge.example.net.", "A", "192.0.2.7"),
    )
    return [
        event(256, "2024-03-01T10:00:00.1234567Z", Source="10.0.0.25", QNAME="www.example.com.", QTYPE=1, **ask),
        event(260, "2024-03-01T10:00:00.2Z", Destination="198.41.0.4", QNAME="www.example.com.", QTYPE=1),
        event(
            257,
            "2024-03-01T10:00:00.3Z",
            Destination="10.0.0.25",
            QNAME="www.example.com.",
            QTYPE=1,
            RCODE=0,
            PacketData=chain,
        ),
        event(256, "2024-03-01T11:00:00Z", Source="10.0.0.26", QNAME="WWW.example.com.", QTYPE=1, **ask),
        event(256, "2024-03-01T11:00:01Z", Source="10.0.0.26", QNAME="example.com.", QTYPE=15, **ask),
        event(258, "2024-03-01T11:00:02Z", Destination="10.0.0.26", QNAME="example.com.", QTYPE=15, RCODE=2),
        event(263, "2024-03-01T11:00:03Z", Source="10.0.0.30", QNAME="corp.example.", QTYPE=6),
        event(257, "2024-03-01T11:00:04Z", Destination="10.0.0.26", QNAME="bad.example.", PacketData="ZZ"),
    ]


def test_queries_received_are_lookups_and_responses_give_answers(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "analytical.json"
    path.write_text("".join(json.dumps(e) + "\n" for e in analytical_events()), encoding="utf-8")
    assert detect(path).kind == "windns"
    reports, stderr = load(store, str(path))
    report = reports[0]
    assert rejects(stderr) == [f"{path}:8: a response whose PacketData is not hex"]
    assert report["skipped"] == {
        "the server's own queries upstream (RECURSE_*): not lookups": 1,
        "RESPONSE_FAILURE: not a lookup": 1,
        "DYNAMIC_UPDATE_RECEIVED: not a lookup": 1,
    }
    assert lookups(store) == [
        ["10.0.0.25", "www.example.com", "A", "2024-03-01", 1, "2024-03-01T10:00:00Z"],
        ["10.0.0.26", "example.com", "MX", "2024-03-01", 1, "2024-03-01T11:00:01Z"],
        ["10.0.0.26", "www.example.com", "A", "2024-03-01", 1, "2024-03-01T11:00:00Z"],
    ]
    assert store.query("MATCH (a:Domain)-[r:ALIAS_OF]->(b:Domain) RETURN a.name, b.name, r.ttl") == [
        ["www.example.com", "edge.example.net", 300]
    ]
    assert store.query("MATCH (d:Domain)-[:RESOLVES_TO]->(i:IPAddress) RETURN d.name, i.address") == [
        ["edge.example.net", "192.0.2.7"]
    ]
    assert store.query("MATCH (s:Source) RETURN s.observer, s.client_side") == [["dc01.corp.example", "stub"]]


# -- the debug log ---------------------------------------------------------------------------------

HEADER = """DNS Server log file creation at 3/1/2024 9:59:58 AM UTC
Log file wrap at 3/1/2024 9:59:58 AM

Message logging key (for packets - other items use a subset of these fields):
\tField #  Information         Values
\t-------  -----------         ------
\t   1     Date
\t   2     Time

"""
PACKETS = [
    # a query received from a client: a lookup
    "3/1/2024 10:00:01 AM 0E5C PACKET  000000D2A1B4C0F0 UDP Rcv 10.0.0.25       c8a1   Q [0001   D   NOERROR] A      (3)www(7)example(3)com(0)",
    # the server's own query upstream, its answer, and its response to the client
    "3/1/2024 10:00:01 AM 0E5C PACKET  000000D2A1B4C0F1 UDP Snd 198.41.0.4      1a2b   Q [0000       NOERROR] A      (3)www(7)example(3)com(0)",
    "3/1/2024 10:00:01 AM 0E5C PACKET  000000D2A1B4C0F1 UDP Rcv 198.41.0.4      1a2b R Q [0080       NOERROR] A      (3)www(7)example(3)com(0)",
    "3/1/2024 10:00:01 AM 0E5C PACKET  000000D2A1B4C0F0 UDP Snd 10.0.0.25       c8a1 R Q [8081   DR  NOERROR] A      (3)www(7)example(3)com(0)",
    # a detailed packet dump follows a packet line when "details" is on
    "UDP question info at 000000D2A1B4C0F0",
    "  Socket = 508",
    # an IPv6 client in the afternoon, over TCP, and an update
    "3/1/2024 1:30:00 PM 0E5C PACKET  000000D2A1B4C0F2 TCP Rcv fd00::25        00ff   Q [0001   D   NOERROR] AAAA   (4)mail(7)example(3)com(0)",
    "3/1/2024 1:31:00 PM 0E5C PACKET  000000D2A1B4C0F3 UDP Rcv 10.0.0.30       00fe   U [0028       NOERROR] SOA    (4)corp(7)example(0)",
    # damaged: the flags are cut off
    "3/1/2024 1:32:00 PM 0E5C PACKET  000000D2A1B4C0F4 UDP Rcv 10.0.0.31       00fd   Q [0001",
    "13/1/2024 1:33:00 PM 0E5C PACKET  000000D2A1B4C0F5 UDP Rcv 10.0.0.31       00fc   Q [0001   D   NOERROR] A      (3)www(7)example(3)com(0)",
]


def test_the_debug_log_gives_lookups_by_client_in_the_servers_zone(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "dns.log"
    path.write_text(HEADER + "\n".join(PACKETS) + "\n", encoding="utf-8")
    assert detect(path).kind == "windns"
    reports, stderr = load(store, "--tz", "+02:00", str(path))
    assert rejects(stderr) == [
        f"{path}:18: a packet line that does not read as one",
        f"{path}:19: bad date or time 13/1/2024 1:33:00",
    ]
    assert reports[0]["skipped"]["the server's own queries upstream: not lookups"] == 1
    assert reports[0]["skipped"]["responses (the debug log holds no answers)"] == 2
    assert reports[0]["skipped"]["packets that are no standard query (notify, update)"] == 1
    assert lookups(store) == [
        ["10.0.0.25", "www.example.com", "A", "2024-03-01", 1, "2024-03-01T08:00:01Z"],
        ["fd00::25", "mail.example.com", "AAAA", "2024-03-01", 1, "2024-03-01T11:30:00Z"],
    ]
    assert store.query("MATCH (s:Source) RETURN s.client_side") == [["stub"]]


def test_day_first_dates_are_read_as_the_server_wrote_them(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "dns.log"
    path.write_text(
        "13/01/2024 23:30:00 0E5C PACKET  000000D2A1B4C0F0 UDP Rcv 10.0.0.25       c8a1   Q [0001   D   NOERROR] A      (3)www(7)example(3)com(0)\n"
        "14.01.2024 08:00:00 0E5C PACKET  000000D2A1B4C0F0 UDP Rcv 10.0.0.25       c8a2   Q [0001   D   NOERROR] A      (3)www(7)example(3)com(0)\n",
        encoding="utf-8",
    )
    load(store, "--day-first", str(path))
    days = store.query("MATCH ()-[r:LOOKED_UP]->() RETURN r.day, r.count ORDER BY r.day")
    assert days == [["2024-01-13", 1], ["2024-01-14", 1]]


@pytest.mark.parametrize("damaged", [False, True])
def test_the_block_reader_gives_what_the_line_reader_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damaged: bool
) -> None:
    """Arrow's matching of a block's packet lines (windns_blocks) against the line reader's, on
    every kind of line; a block with a damaged line is left to the line reader, which names it."""
    packets = [p for p in PACKETS if "[0001\n" not in p + "\n" and not p.startswith("13/")]
    packets.append(PACKETS[0].replace("10.0.0.25", "10.0.0.26") + "\r")  # a line ending in CR LF
    if damaged:
        packets.append(PACKETS[-2])
    path = tmp_path / "dns.log"
    path.write_text(HEADER + "\n".join(packets) + "\n", encoding="utf-8")
    taken = []
    real_take = windns_blocks.take

    def counted(*args: Any) -> bool:
        taken.append(real_take(*args))
        return taken[-1]

    monkeypatch.setattr(windns_blocks, "take", counted)
    berlin = ZoneInfo("Europe/Berlin")  # its offset read for each hour: one with summer time
    by_blocks = parse_outputs(WindnsParser(zone=berlin), path)
    assert taken == [not damaged]
    monkeypatch.setattr(windns_blocks, "take", lambda *args: False)
    by_lines = parse_outputs(WindnsParser(zone=berlin), path)
    assert by_blocks == by_lines
    assert len(by_lines[1]) == damaged and by_lines[0]["LOOKED_UP"]
