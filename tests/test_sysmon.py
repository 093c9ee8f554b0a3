"""`graphkit load sysmon`: Windows Sysmon event 22 -> lookups by the computer (a Host), on both
stores: the real EVTX files and their evtx_dump JSON (../shared/realdata/sysmon), and the
other exports (Winlogbeat, Get-WinEvent, wevtutil XML), written here from their documented
shapes (no real export of those was available)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import Store, json_lines, json_output, realdata, rejects
from parse_outputs import parse_outputs

from graphkit.parsers import sysmon_blocks
from graphkit.parsers.sysmon import SysmonParser

ANYDESK = "sigma_remote_access_sysmon22"
ANYDESK_ADDRESSES = sorted(
    [
        "57.129.19.230",
        "92.223.88.41",
        "57.129.37.28",
        "185.229.191.44",
        "185.229.190.236",
        "92.223.88.7",
        "57.129.37.75",
        "92.223.88.232",
        "185.229.191.39",
        "195.181.174.167",
    ]
)


def sysmon_dir() -> Path:
    path = realdata() / "sysmon"
    if not path.is_dir():
        pytest.skip(f"no Sysmon samples in {path}")
    return path


def load(store: Store, *args: str, check: bool = True) -> tuple[list[dict[str, Any]], str]:
    proc = store.cli("load", "sysmon", "--format", "json", *args, check=check)
    return json_lines(proc), proc.stderr


def lookups(store: Store) -> list[list[Any]]:
    return store.query(
        "MATCH (h:Host)-[r:LOOKED_UP]->(d:Domain) RETURN h.name, d.name, r.qtype, r.day, r.count, r.first_seen "
        "ORDER BY h.name, d.name"
    )


def answers(store: Store) -> dict[str, list[list[Any]]]:
    return {
        "alias": store.query("MATCH (a:Domain)-[r:ALIAS_OF]->(b:Domain) RETURN a.name, b.name ORDER BY a.name"),
        "resolves": store.query(
            "MATCH (d:Domain)-[r:RESOLVES_TO]->(i:IPAddress) RETURN d.name, i.address ORDER BY d.name, i.address"
        ),
    }


def test_a_real_evtx_event_is_a_lookup_by_the_host_with_its_alias_chain(store: Store) -> None:
    """AnyDesk's lookup on SigmaCatchVm: `type: 5 NAME` is the alias, `::ffff:a.b.c.d` addresses."""
    reports, _ = load(store, str(sysmon_dir() / f"{ANYDESK}.evtx"))
    assert reports[0]["rejected"] == 0 and reports[0]["counts"]["QueryStatus 0 (success)"] == 1
    assert reports[0]["counts"]["lookups by C:\\Users\\frack113\\Desktop\\AnyDesk.exe"] == 1
    assert lookups(store) == [
        ["sigmacatchvm", "boot.net.anydesk.com", "UNKNOWN", "2026-08-08", 1, "2026-08-08T08:33:15Z"]
    ]
    assert answers(store) == {
        "alias": [["boot.net.anydesk.com", "boot-relays.net.anydesk.com"]],
        "resolves": [["boot-relays.net.anydesk.com", a] for a in ANYDESK_ADDRESSES],
    }
    # the host is the client and nothing else: no address stands for it
    assert store.query("MATCH (i:IPAddress)-[:LOOKED_UP]->() RETURN i") == []
    assert store.query("MATCH (s:Source) RETURN s.kind, s.client_side") == [["sysmon", "host"]]


@pytest.mark.parametrize("sample", [ANYDESK, "sigma_ligolo_ng_sysmon22"])
def test_the_evtx_file_and_its_json_export_give_the_same_graph(store: Store, tmp_path: Path, sample: str) -> None:
    load(store, str(sysmon_dir() / f"{sample}.evtx"))
    from_evtx = (lookups(store), answers(store))
    other = fresh(store, tmp_path)
    load(other, str(sysmon_dir() / f"{sample}.json"))
    assert (lookups(other), answers(other)) == from_evtx


def test_a_failed_query_is_a_lookup_without_answers(store: Store) -> None:
    reports, _ = load(store, str(sysmon_dir() / "sigma_ligolo_ng_sysmon22.json"))
    assert reports[0]["counts"]["QueryStatus 9003 (name does not exist)"] == 1
    assert [row[:3] for row in lookups(store)] == [["swachchhanda", "webui.ligolo.ng", "UNKNOWN"]]
    assert answers(store) == {"alias": [], "resolves": []}


def test_other_events_are_counted_not_rejected(store: Store) -> None:
    """15 Sysmon records (process creation, registry, pipes, files), one of them a DNS query."""
    reports, _ = load(store, str(sysmon_dir() / "mdecrevoisier_psexec_sysmon_mixed_incl_22.evtx"))
    report = reports[0]
    assert report["rejected"] == 0 and report["counts"]["events read"] == 15
    skipped = {k: v for k, v in report["skipped"].items() if "not a Sysmon DNS query" in k}
    assert sum(skipped.values()) == 14 and "Microsoft-Windows-Sysmon 1: not a Sysmon DNS query" in skipped
    assert [row[:3] for row in lookups(store)] == [["fs03vuln.offsec.lan", "fs03vuln", "UNKNOWN"]]
    assert answers(store)["resolves"] == [["fs03vuln", "10.23.42.38"]]


def test_a_dns_server_log_is_not_read_as_sysmon(store: Store) -> None:
    reports, _ = load(store, str(sysmon_dir() / "python-evtx_dns_log_malformed_DNSServer-Analytical.evtx"))
    assert reports[0]["counts"]["lookups"] == 0
    assert all("Microsoft-Windows-DNSServer" in k for k in reports[0]["skipped"])


# -- exports written from their documented shapes ------------------------------------------------

EVENTS = [  # (computer, utc, image, name, status, results)
    (
        "WS-17.corp.example",
        "2024-03-01 10:00:00.250",
        "C:\\Windows\\System32\\svchost.exe",
        "www.example.com",
        0,
        "type: 5 edge.example.net;::ffff:192.0.2.7;2001:db8::7;",
    ),
    (
        "WS-17.corp.example",
        "2024-03-01 11:00:00.500",
        "C:\\Program Files\\App\\app.exe",
        "WWW.Example.com.",
        0,
        "type: 5 edge.example.net;::ffff:192.0.2.7;",
    ),
    (
        "ws-18",
        "2024-03-02 09:30:00.000",
        "C:\\Program Files\\App\\app.exe",
        "mail.example.org",
        0,
        "type: 15 mx1.example.org;",
    ),  # an MX answer: no alias, no address
    ("ws-18", "2024-03-02 09:31:00.000", "C:\\Program Files\\App\\app.exe", "nosuch.example.org", 9003, "-"),
]


def data_of(event: tuple[Any, ...]) -> dict[str, Any]:
    _, utc, image, name, status, results = event
    return {
        "RuleName": "-",
        "UtcTime": utc,
        "ProcessGuid": "{0}",
        "ProcessId": 4242,
        "QueryName": name,
        "QueryStatus": str(status),
        "QueryResults": results,
        "Image": image,
        "User": "CORP\\jane",
    }


def evtx_dump(event: tuple[Any, ...]) -> dict[str, Any]:
    system = {
        "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}},
        "EventID": 22,
        "TimeCreated": {"#attributes": {"SystemTime": "2024-03-05T00:00:00.0000000Z"}},
        "Computer": event[0],
    }
    return {"Event": {"System": system, "EventData": data_of(event)}}


def winlogbeat(event: tuple[Any, ...]) -> dict[str, Any]:
    return {
        "@timestamp": "2024-03-05T00:00:00.000Z",
        "event": {"code": "22", "provider": "Microsoft-Windows-Sysmon"},
        "host": {"name": event[0].lower()},
        "winlog": {
            "channel": "Microsoft-Windows-Sysmon/Operational",
            "event_id": "22",
            "provider_name": "Microsoft-Windows-Sysmon",
            "computer_name": event[0],
            "event_data": data_of(event),
        },
    }


def get_winevent(event: tuple[Any, ...]) -> dict[str, Any]:
    message = "Dns query:\r\n" + "".join(f"{k}: {v}\r\n" for k, v in data_of(event).items())
    return {
        "Id": 22,
        "ProviderName": "Microsoft-Windows-Sysmon",
        "MachineName": event[0],
        "TimeCreated": "/Date(1709596800000)/",
        "Message": message,
    }


def wevtutil_xml(event: tuple[Any, ...]) -> str:
    fields = "".join(f"<Data Name='{k}'>{v}</Data>" for k, v in data_of(event).items())
    return (
        "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
        "<Provider Name='Microsoft-Windows-Sysmon' Guid='{5770385f-c22a-43e0-bf4c-06f5698ffbd9}'/>"
        "<EventID>22</EventID><TimeCreated SystemTime='2024-03-05T00:00:00.0000000Z'/>"
        f"<Computer>{event[0]}</Computer></System><EventData>{fields}</EventData></Event>"
    )


EXPORTS = {
    "evtx_dump-lines": lambda: "".join(json.dumps(evtx_dump(e)) + "\n" for e in EVENTS),
    "evtx_dump-records": lambda: "".join(
        f"Record {i}\n{json.dumps(evtx_dump(e), indent=2)}\n" for i, e in enumerate(EVENTS, 1)
    ),
    "winlogbeat": lambda: "".join(json.dumps(winlogbeat(e)) + "\n" for e in EVENTS),
    "get-winevent": lambda: json.dumps([get_winevent(e) for e in EVENTS], indent=2),
    "wevtutil-xml": lambda: "".join(wevtutil_xml(e) + "\n" for e in EVENTS),
    "event-viewer-xml": lambda: (
        "<?xml version='1.0'?><Events>" + "".join(wevtutil_xml(e) for e in EVENTS) + "</Events>"
    ),
}


@pytest.mark.parametrize("export", EXPORTS)
def test_every_export_gives_the_same_lookups_and_answers(store: Store, tmp_path: Path, export: str) -> None:
    path = tmp_path / f"{export}.txt"
    path.write_text(EXPORTS[export](), encoding="utf-8")
    reports, _ = load(store, str(path))
    assert reports[0]["rejected"] == 0 and reports[0]["counts"]["lookups"] == 4
    assert reports[0]["counts"]["processes that asked"] == 2
    assert [row[:5] for row in lookups(store)] == [
        ["ws-17.corp.example", "www.example.com", "UNKNOWN", "2024-03-01", 2],
        ["ws-18", "mail.example.org", "UNKNOWN", "2024-03-02", 1],
        ["ws-18", "nosuch.example.org", "UNKNOWN", "2024-03-02", 1],
    ]
    assert answers(store) == {
        "alias": [["www.example.com", "edge.example.net"]],
        "resolves": [["edge.example.net", "192.0.2.7"], ["edge.example.net", "2001:db8::7"]],
    }
    assert store.query("MATCH (d:Domain)-[r:ALIAS_OF]->() RETURN r.count") == [[2]]


def test_malformed_events_are_rejected_with_their_line_and_the_rest_loads(store: Store, tmp_path: Path) -> None:
    good = evtx_dump(EVENTS[0])
    no_name = evtx_dump(EVENTS[1])
    del no_name["Event"]["EventData"]["QueryName"]
    bad_host = evtx_dump(EVENTS[2])
    bad_host["Event"]["System"]["Computer"] = "not a host"
    bad_time = evtx_dump(EVENTS[3])
    bad_time["Event"]["EventData"]["UtcTime"] = "yesterday"
    bad_time["Event"]["System"]["TimeCreated"] = {"#attributes": {"SystemTime": "1601-01-01T00:00:00Z"}}
    lines = [json.dumps(good), "{cut off", json.dumps(no_name), json.dumps(bad_host), json.dumps(bad_time), ""]
    path = tmp_path / "sysmon.json"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reports, stderr = load(store, str(path))
    assert rejects(stderr) == [
        f"{path}:2: not JSON",
        f"{path}:3: a DNS query event without QueryName",
        f"{path}:4: bad host name 'not a host'",
        f"{path}:5: no timestamp",
    ]
    assert [row[:2] for row in lookups(store)] == [["ws-17.corp.example", "www.example.com"]]


def test_a_damaged_evtx_chunk_is_rejected_by_record_and_a_foreign_file_whole(store: Store, tmp_path: Path) -> None:
    data = bytearray((sysmon_dir() / f"{ANYDESK}.evtx").read_bytes())
    for offset in range(4096 + 512, 4096 + 8192, 37):  # the first chunk's records, past its header
        data[offset] ^= 0xFF
    damaged = tmp_path / "damaged.evtx"
    damaged.write_bytes(bytes(data))
    foreign = tmp_path / "notes.txt"
    foreign.write_text("these are notes, not events\n", encoding="utf-8")
    reports, stderr = load(store, str(damaged), str(foreign), check=False)
    found = rejects(stderr)
    assert found and all(r.startswith(f"{damaged}:") for r in found[:-1]), found
    assert any("damaged EVTX" in r or "does not read as an event" in r for r in found), found
    assert reports[1]["rejected_whole"] == f"{foreign}:1: not Windows events: neither EVTX, JSON nor XML"


def test_a_gzipped_evtx_file_reads_as_the_file(store: Store, tmp_path: Path) -> None:
    import gzip

    packed = tmp_path / f"{ANYDESK}.evtx.gz"
    packed.write_bytes(gzip.compress((sysmon_dir() / f"{ANYDESK}.evtx").read_bytes()))
    load(store, str(packed))
    assert [row[:2] for row in lookups(store)] == [["sigmacatchvm", "boot.net.anydesk.com"]]


def test_lookup_queries_name_a_host_client_as_a_host(store: Store, tmp_path: Path) -> None:
    """The canned lookup queries take a Host client beside address clients."""
    path = tmp_path / "sysmon.json"
    path.write_text(EXPORTS["winlogbeat"](), encoding="utf-8")
    load(store, str(path))
    zeek = tmp_path / "dns.log"
    zeek.write_text(
        "#separator \\x09\n#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tquery\tqtype_name\n"
        "1709290000.0\t10.0.0.5\t5000\t10.0.0.1\t53\twww.example.com\tA\n",
        encoding="utf-8",
    )
    store.cli("load", "zeek", str(zeek))

    def run(name: str, *params: str) -> list[dict[str, Any]]:
        args = [arg for param in params for arg in ("-p", param)]
        return json_output(store.cli("query", "run", name, *args, "--format", "json"))

    sources = run("lookup-sources", "domain=www.example.com")
    assert [(r["source"], r["kind"], r["lookups"]) for r in sources] == [
        ("ws-17.corp.example", "host", 2),
        ("10.0.0.5", "address", 1),
    ]
    concentration = run("lookup-concentration", "domain=www.example.com", "min_total=1")
    assert [(r["source"], r["kind"], r["lookups"]) for r in concentration] == [
        ("ws-17.corp.example", "host", 2),
        ("10.0.0.5", "address", 1),
    ]
    assert [(r["client"], r["shared_names"]) for r in run("co-lookup", "source=WS-17.corp.example")] == [
        ("10.0.0.5", ["www.example.com"])
    ]
    assert [(r["client"], r["shared_names"]) for r in run("co-lookup", "source=10.0.0.5")] == [
        ("ws-17.corp.example", ["www.example.com"])
    ]
    timeline = run("lookup-timeline", "domain=www.example.com", "source=ws-17.corp.example")
    assert [(r["bucket"], r["kind"], r["lookups"]) for r in timeline] == [("2024-03-01", "host", 2)]
    rare = run("rare-names", "min_lookups=1")
    assert ("ws-18", "nosuch.example.org") in {(r["client"], r["name"]) for r in rare}
    around = run("neighborhood", "key=WS-18")
    assert {(r["from_label"], r["from"], r["to"]) for r in around} == {
        ("Host", "ws-18", "mail.example.org"),
        ("Host", "ws-18", "nosuch.example.org"),
    }


def fresh(store: Store, tmp_path: Path) -> Store:
    from test_zeek import fresh as fresh_store

    return fresh_store(store, tmp_path, "other")


def test_the_block_reader_gives_what_the_event_reader_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Arrow's reading of evtx_dump's JSON lines (sysmon_blocks) against the event reader's, on
    events of every kind it takes: other Sysmon events and other providers (counted), statuses
    and none, results of every form, a computer with no name and one with a bad name (rejects)."""

    def event(computer: str, event_id: int, provider: str | None, **data: Any) -> str:
        system: dict[str, Any] = {"EventID": event_id, "Computer": computer}
        if provider is not None:
            system["Provider"] = {"#attributes": {"Name": provider}}
        return json.dumps({"Event": {"System": system, "EventData": data}})

    sysmon = "Microsoft-Windows-Sysmon"
    query = {"UtcTime": "2024-03-01 10:00:00.250", "QueryName": "www.example.com", "Image": "C:\\a.exe"}
    lines = [
        event("WS-1", 22, sysmon, **query, QueryStatus="0", QueryResults="type: 5 Edge.Example.net.;::ffff:192.0.2.7;"),
        event("WS-1", 22, sysmon, **query, QueryStatus="9003", QueryResults="type: 5 never.example.;"),
        event("ws-2", 22, "", **{**query, "UtcTime": "2024-03-02 00:00:01"}, QueryResults="2001:db8::1;type: 15 mx;"),
        event("ws-2", 22, sysmon, **query, QueryStatus="0", QueryResults="type: 5 x,y;192.0.2.8;-;"),
        event("ws-3", 22, sysmon, **{**query, "Image": " "}, QueryStatus="1460", QueryResults="-"),
        event("ws-3", 1, sysmon, Image="C:\\b.exe"),
        event("dc-1", 256, "Microsoft-Windows-DNSServer", QNAME="x."),
        event("dc-1", 22, "Microsoft-Windows-DNSServer", **query).replace(
            '{"#attributes": {"Name": "Microsoft-Windows-DNSServer"}}', '{"Name": "Microsoft-Windows-DNSServer"}'
        ),  # a provider named beside its other fields, not under #attributes
        event("", 22, sysmon, **query, QueryStatus="0", QueryResults="192.0.2.9;"),
        event("not a host", 22, None, **query, QueryStatus="0", QueryResults="192.0.2.10;"),
    ]
    path = tmp_path / "sysmon.json"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    taken = []
    real_take = sysmon_blocks.take

    def counted(*args: Any) -> bool:
        taken.append(real_take(*args))
        return taken[-1]

    monkeypatch.setattr(sysmon_blocks, "take", counted)
    by_blocks = parse_outputs(SysmonParser(), path)
    assert taken == [True]
    monkeypatch.setattr(sysmon_blocks, "take", lambda *args: False)
    by_lines = parse_outputs(SysmonParser(), path)
    assert by_blocks == by_lines
    assert [(r.line, r.reason) for r in by_lines[1]] == [(9, "no client address"), (10, "bad host name 'not a host'")]
    assert {row[:2] for row in by_lines[0]["ALIAS_OF"]} == {("www.example.com", "edge.example.net")}
