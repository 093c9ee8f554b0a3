"""`graphkit load zeek`: Zeek dns.log (TSV and JSON) -> LOOKED_UP counts, on both stores."""

from __future__ import annotations

import gzip
import ipaddress
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from helpers import Store, json_lines, realdata, rejects, rejects_file
from parse_outputs import parse_outputs

import graphkit.parsers.zeek as zeek
from graphkit.backends.store import StoreOptions, clear_neo4j, open_store
from graphkit.ingest.context import ParseContext, RejectsFile
from graphkit.ingest.pipeline import Loader
from graphkit.parsers.zeek import ZeekParser

FIELDS = [
    "ts",
    "uid",
    "id.orig_h",
    "id.orig_p",
    "id.resp_h",
    "id.resp_p",
    "proto",
    "trans_id",
    "query",
    "qclass",
    "qtype_name",
    "rcode_name",
    "RD",
    "answers",
    "TTLs",
    "rejected",
]
TYPES = {
    "ts": "time",
    "id.orig_h": "addr",
    "id.resp_h": "addr",
    "id.orig_p": "port",
    "id.resp_p": "port",
    "answers": "vector[string]",
    "TTLs": "vector[interval]",
    "RD": "bool",
    "rejected": "bool",
}
MDNS_SERVERS, LLMNR_SERVERS = {"224.0.0.251", "ff02::fb"}, {"224.0.0.252", "ff02::1:3"}

# -- independent reading of Zeek logs (plain per-line parsing, written for the tests) ---------------


def local_reason(row: dict[str, Any]) -> str | None:
    """Which local-noise rule a lookup falls under (the rules the loader documents)."""
    server, port = str(row.get("id.resp_h") or ""), str(row.get("id.resp_p") or "")
    name = str(row.get("query") or "").lower().rstrip(".")
    if port == "5353" or server in MDNS_SERVERS or name == "local" or name.endswith(".local"):
        return "local: mDNS"
    if port == "5355" or server in LLMNR_SERVERS:
        return "local: LLMNR"
    if port == "137" or row.get("qtype_name") in ("NB", "NBSTAT"):
        return "local: NetBIOS"
    if server and ipaddress.ip_address(server).is_multicast:
        return "local: multicast"
    return None


def read_tsv(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, field -> value with unset fields left out) for each data line."""
    rows, fields, unset, empty = [], [], "-", "(empty)"
    for number, line in enumerate(path.read_text("utf-8").split("\n"), 1):
        if line.startswith("#fields\t"):
            fields = line.split("\t")[1:]
        elif line.startswith("#unset_field\t"):
            unset = line.split("\t")[1]
        elif line.startswith("#empty_field\t"):
            empty = line.split("\t")[1]
        elif line and not line.startswith("#"):
            values = line.split("\t")
            rows.append((number, {f: v for f, v in zip(fields, values, strict=False) if v not in (unset, empty)}))
    return rows


def read_json(path: Path) -> list[tuple[int, dict[str, Any]]]:
    return [(n, json.loads(line)) for n, line in enumerate(path.read_text("utf-8").split("\n"), 1) if line.strip()]


def expected(rows: list[tuple[int, dict[str, Any]]]) -> tuple[Counter[tuple[str, str]], dict[int, str]]:
    """Lookups per (client, name), and the skipped lines with their reason."""
    counts: Counter[tuple[str, str]] = Counter()
    skipped: dict[int, str] = {}
    for number, row in rows:
        reason = local_reason(row)
        if reason:
            skipped[number] = reason
            continue
        counts[(str(ipaddress.ip_address(row["id.orig_h"])), row["query"].lower().rstrip("."))] += 1
    return counts, skipped


def lookups_by_pair(store: Store) -> Counter[tuple[str, str]]:
    rows = store.query("MATCH (c:IPAddress)-[r:LOOKED_UP]->(d:Domain) RETURN c.address, d.name, sum(r.count)")
    return Counter({(c, d): n for c, d, n in rows})


def snapshot(store: Store) -> dict[str, list[list[Any]]]:
    """The graph without its provenance ids (which name the file), in a stable order."""
    queries = {
        "looked_up": "MATCH (c:IPAddress)-[r:LOOKED_UP]->(d:Domain) RETURN c.address, d.name, r.qtype, r.day, r.count, "
        "r.first_seen, r.last_seen ORDER BY c.address, d.name, r.qtype, r.day",
        "resolves": "MATCH (d:Domain)-[r:RESOLVES_TO]->(i:IPAddress) RETURN d.name, i.address, r.ttl, r.count, "
        "r.first_seen, r.last_seen ORDER BY d.name, i.address",
        "alias": "MATCH (a:Domain)-[r:ALIAS_OF]->(b:Domain) RETURN a.name, b.name, r.ttl, r.count, r.first_seen, "
        "r.last_seen ORDER BY a.name, b.name",
        "domains": "MATCH (d:Domain) RETURN d.name, d.registered_domain, d.tld ORDER BY d.name",
        "addresses": "MATCH (i:IPAddress) RETURN i.address, i.version ORDER BY i.address",
        "subdomains": "MATCH (a:Domain)-[:SUBDOMAIN_OF]->(b:Domain) RETURN a.name, b.name ORDER BY a.name, b.name",
    }
    return {name: store.query(cypher) for name, cypher in queries.items()}


def fresh(store: Store, tmp_path: Path, name: str) -> Store:
    """An empty store of the same kind."""
    if store.kind == "embedded":
        return Store("embedded", str(tmp_path / f"{name}.lbdb"))
    clear_neo4j(store.location)
    return store


def load_json_report(store: Store, *args: str, check: bool = True) -> tuple[list[dict[str, Any]], str]:
    proc = store.cli("load", "zeek", "--format", "json", *args, check=check)
    return json_lines(proc), proc.stderr


# -- writing Zeek logs for the tests ---------------------------------------------------------------


def tsv_value(field: str, value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "T" if value else "F"
    if isinstance(value, list):
        return ",".join(str(v) for v in value) if value else "(empty)"
    if field == "ts":
        return f"{value:.6f}"
    return str(value)


def write_tsv(path: Path, rows: list[dict[str, Any]], fields: list[str] = FIELDS) -> Path:
    path.write_text(tsv_text(rows, fields), encoding="utf-8")
    return path


def tsv_text(rows: list[dict[str, Any]], fields: list[str] = FIELDS) -> str:
    """One header block, the rows, and #close: 8 header lines before the first row."""
    head = [
        "#separator \\x09",
        "#set_separator\t,",
        "#empty_field\t(empty)",
        "#unset_field\t-",
        "#path\tdns",
        "#open\t2016-05-04-00-00-00",
        "#fields\t" + "\t".join(fields),
        "#types\t" + "\t".join(TYPES.get(f, "string") for f in fields),
    ]
    body = ["\t".join(tsv_value(f, row.get(f)) for f in fields) for row in rows]
    return "\n".join(head + body + ["#close\t2016-05-05-00-00-00"]) + "\n"


def write_json(path: Path, rows: list[dict[str, Any]]) -> Path:
    lines = [json.dumps({k: v for k, v in row.items() if v is not None}) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


T0 = 1462353123.25  # 2016-05-04T09:12:03Z


def traffic() -> list[dict[str, Any]]:
    """Lookups of the motivating case plus the awkward cases: CNAME chains, case and trailing
    dots, IPv6 clients, mDNS/LLMNR/NetBIOS noise, an unset query, two days."""
    base = {
        "uid": "Cx",
        "id.orig_p": 53211,
        "id.resp_p": 53,
        "proto": "udp",
        "trans_id": 1,
        "qclass": 1,
        "rcode_name": "NOERROR",
        "RD": False,
        "rejected": False,
        "id.resp_h": "66.216.133.1",
    }
    rows: list[dict[str, Any]] = []
    for i in range(12):
        rows.append(
            {
                **base,
                "ts": T0 + i * 3600,
                "id.orig_h": "217.12.96.15" if i % 3 else "217.12.97.15",
                "query": "mail1.trump-email.com" if i % 2 else "Mail1.Trump-Email.com.",
                "qtype_name": "A",
                "answers": ["66.216.133.29"],
                "TTLs": [300.0],
            }
        )
    rows.append(
        {
            **base,
            "ts": T0 + 50,
            "id.orig_h": "167.73.110.8",
            "query": "mail1.trump-email.com",
            "qtype_name": "AAAA",
            "answers": None,
            "TTLs": None,
        }
    )
    rows.append(
        {
            **base,
            "ts": T0 + 60,
            "id.orig_h": "2001:db8:0:0::1",
            "query": "www.example.com",
            "qtype_name": "A",
            "RD": True,
            "answers": ["edge.example.net", "cdn.example.org", "192.0.2.7", "192.0.2.8"],
            "TTLs": [60.0, 30.0, 20.0, 20.0],
        }
    )
    rows.append(
        {
            **base,
            "ts": T0 + 61,
            "id.orig_h": "10.0.0.5",
            "query": "txt.example.com",
            "qtype_name": "TXT",
            "answers": ["TXT 18 v=spf1 -all"],
            "TTLs": [60.0],
        }
    )
    rows.append(
        {
            **base,
            "ts": T0 + 62,
            "id.orig_h": "10.0.0.5",
            "query": "_printer._tcp.local",
            "qtype_name": "PTR",
            "id.resp_h": "224.0.0.251",
            "id.resp_p": 5353,
        }
    )
    rows.append(
        {
            **base,
            "ts": T0 + 63,
            "id.orig_h": "fe80::1",
            "query": "wpad",
            "qtype_name": "A",
            "id.resp_h": "ff02::1:3",
            "id.resp_p": 5355,
        }
    )
    rows.append(
        {
            **base,
            "ts": T0 + 64,
            "id.orig_h": "10.0.0.5",
            "query": "WORKGROUP",
            "qtype_name": "NB",
            "id.resp_h": "10.0.0.255",
            "id.resp_p": 137,
        }
    )
    rows.append({**base, "ts": T0 + 65, "id.orig_h": "10.0.0.5", "query": None, "qtype_name": None})
    rows.append(
        {
            **base,
            "ts": T0 + 86400 * 3,
            "id.orig_h": "10.0.0.5",
            "query": "late.example.com",
            "qtype_name": "A",
            "answers": ["198.51.100.1"],
            "TTLs": [3600.0],
        }
    )
    return rows


# -- acceptance: real files ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["rita-proxy-dns.log", "rita-open-conns-dns.log", "rita-all-fields-dns.json.log"])
def test_real_file_agrees_with_an_independent_count(store: Store, name: str) -> None:
    path = realdata() / "zeek" / name
    rows = read_json(path) if name.endswith(".json.log") else read_tsv(path)
    counts, skipped = expected(rows)
    reports, stderr = load_json_report(store, str(path))
    report = reports[0]
    assert report["rejected"] == 0 and "rejected" not in stderr  # no line of these files is malformed
    assert report["skipped"] == dict(Counter(skipped.values()))
    assert report["counts"]["lines read"] == len(rows)
    assert report["counts"]["lookups"] == sum(counts.values())
    assert lookups_by_pair(store) == counts
    assert store.stats()["lookups"] == sum(counts.values())


def test_local_noise_is_kept_with_keep_local(store: Store) -> None:
    path = realdata() / "zeek" / "rita-proxy-dns.log"
    rows = read_tsv(path)
    load_json_report(store, "--keep-local", str(path))
    got = lookups_by_pair(store)
    homekit = sum(1 for _, r in rows if r.get("query") == "_homekit._tcp.local")
    assert homekit > 400
    assert sum(n for (_, d), n in got.items() if d == "_homekit._tcp.local") == homekit
    # NetBIOS wildcard queries ('*' and NULs, escaped by Zeek) are still no DNS names
    assert not any("\\" in d or "\x00" in d for _, d in got)


def test_real_answers_become_alias_chains_and_addresses(store: Store) -> None:
    path = realdata() / "zeek" / "rita-proxy-dns.log"
    store.cli("load", "zeek", str(path))
    # from the raw lines: every answer for edgeapi.slack.com is its CNAME target, then addresses
    answered = sorted(
        (float(r["ts"]), r["answers"].split(","), r["TTLs"].split(","))
        for _, r in read_tsv(path)
        if r.get("query") == "edgeapi.slack.com" and r.get("qtype_name") == "A" and "answers" in r
    )
    target = answered[0][1][0]
    addresses = {a for _, answers, _ in answered for a in answers[1:]}
    alias = store.query(
        "MATCH (a:Domain {name: 'edgeapi.slack.com'})-[r:ALIAS_OF]->(b:Domain) RETURN b.name, r.ttl, r.count"
    )
    assert alias == [[target, int(float(answered[-1][2][0])), len(answered)]]  # the TTL of the latest answer
    resolves = store.query(
        f"MATCH (d:Domain {{name: '{target}'}})-[r:RESOLVES_TO]->(i:IPAddress) RETURN i.address, r.count"
    )
    assert {address for address, _ in resolves} == addresses
    assert {count for _, count in resolves} == {len(answered)}


def test_source_records_the_client_side_and_observer(store: Store, tmp_path: Path) -> None:
    path = realdata() / "zeek" / "rita-open-conns-dns.log"
    store.cli("load", "zeek", str(path))
    assert store.query("MATCH (s:Source) RETURN s.kind, s.client_side, s.observer") == [["zeek", "stub", None]]
    other = fresh(store, tmp_path, "second")
    other.cli("load", "zeek", "--observer", "sensor-7", "--client-side", "resolver", str(path))
    assert other.query("MATCH (s:Source) RETURN s.client_side, s.observer") == [["resolver", "sensor-7"]]


# -- acceptance: TSV and JSON, twice, killed ------------------------------------------------------


def test_same_traffic_as_tsv_and_json_gives_identical_graphs(store: Store, tmp_path: Path) -> None:
    rows = traffic()
    tsv = write_tsv(tmp_path / "dns.log", rows)
    as_json = write_json(tmp_path / "dns.json.log", rows)
    first = fresh(store, tmp_path, "tsv")
    tsv_report, _ = load_json_report(first, str(tsv))
    from_tsv = snapshot(first)
    second = fresh(store, tmp_path, "json")
    json_report, _ = load_json_report(second, str(as_json))
    assert snapshot(second) == from_tsv
    assert tsv_report[0]["counts"] == json_report[0]["counts"]
    assert (
        tsv_report[0]["skipped"]
        == json_report[0]["skipped"]
        == {"local: mDNS": 1, "local: LLMNR": 1, "local: NetBIOS": 1, "no query name": 1}
    )
    # what the graph holds, worked out by hand from traffic()
    looked_up = from_tsv["looked_up"]
    assert [
        "217.12.96.15",
        "mail1.trump-email.com",
        "A",
        "2016-05-04",
        8,
        "2016-05-04T10:12:03Z",
        "2016-05-04T20:12:03Z",
    ] in looked_up
    assert [
        "217.12.97.15",
        "mail1.trump-email.com",
        "A",
        "2016-05-04",
        4,
        "2016-05-04T09:12:03Z",
        "2016-05-04T18:12:03Z",
    ] in looked_up
    assert [
        "10.0.0.5",
        "late.example.com",
        "A",
        "2016-05-07",
        1,
        "2016-05-07T09:12:03Z",
        "2016-05-07T09:12:03Z",
    ] in looked_up
    assert [
        "2001:db8::1",
        "www.example.com",
        "A",
        "2016-05-04",
        1,
        "2016-05-04T09:13:03Z",
        "2016-05-04T09:13:03Z",
    ] in looked_up
    assert [r[:3] for r in from_tsv["alias"]] == [
        ["edge.example.net", "cdn.example.org", 30],
        ["www.example.com", "edge.example.net", 60],
    ]
    assert [r[:4] for r in from_tsv["resolves"]] == [
        ["cdn.example.org", "192.0.2.7", 20, 1],
        ["cdn.example.org", "192.0.2.8", 20, 1],
        ["late.example.com", "198.51.100.1", 3600, 1],
        ["mail1.trump-email.com", "66.216.133.29", 300, 12],
    ]


def test_loading_twice_gives_the_same_graph(store: Store, tmp_path: Path) -> None:
    path = write_tsv(tmp_path / "dns.log", traffic())
    store.cli("load", "zeek", str(path))
    first, stats = snapshot(store), store.cli("stats", "--format", "json").stdout
    store.cli("load", "zeek", str(path))
    assert snapshot(store) == first
    assert store.cli("stats", "--format", "json").stdout == stats


class _Killed(Exception):
    pass


def test_a_load_killed_midway_then_loaded_again_gives_the_clean_graph(store: Store, tmp_path: Path) -> None:
    path = write_tsv(tmp_path / "dns.log", traffic())
    clean = fresh(store, tmp_path, "clean")
    clean.cli("load", "zeek", str(path))
    want, want_stats = snapshot(clean), clean.stats()
    killed = fresh(store, tmp_path, "killed")
    backend = killed.open()
    backend.ensure_schema()
    original = backend.write_edges
    calls = []

    def dies_on_second_table(*args: Any, **kwargs: Any) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise _Killed
        original(*args, **kwargs)

    backend.write_edges = dies_on_second_table  # type: ignore[method-assign]
    try:
        with pytest.raises(_Killed):
            Loader(backend, ZeekParser(), rejects=RejectsFile(tmp_path / "rejects", "zeek")).load(path)
    finally:
        backend.close()
    # the Source is filled in last: begun (to mark its lookups as possibly present), not loaded
    assert killed.query("MATCH (s:Source) RETURN s.loaded_at") == [[None]]
    killed.cli("load", "zeek", str(path))
    assert snapshot(killed) == want
    assert killed.stats() == want_stats


# -- headers, formats, rejects ---------------------------------------------------------------------


def test_several_header_blocks_any_field_order_and_markers(store: Store, tmp_path: Path) -> None:
    block1 = (
        "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
        "#fields\tts\tid.orig_h\tquery\tqtype_name\tanswers\n#types\ttime\taddr\tstring\tstring\tvector[string]\n"
        f"{T0}\t10.0.0.1\ta.example.com\tA\t192.0.2.1\n"
        f"{T0 + 1}\t10.0.0.1\ta.example.com\tA\t(empty)\n#close\tx\n"
    )
    block2 = (
        "#separator \\x7c\n#set_separator|;\n#empty_field|EMPTY\n#unset_field|NIL\n"
        "#fields|answers|qtype_name|query|id.orig_h|ts\n#types|vector[string]|string|string|addr|time\n"
        f"192.0.2.1;192.0.2.2|A|a.example.com|10.0.0.1|{T0 + 2}\n"
        f"NIL|NIL|b.example.com|10.0.0.2|{T0 + 3}\n"
        f"EMPTY|AAAA|NIL|10.0.0.2|{T0 + 4}\n#close|y\n"
    )
    path = tmp_path / "two-blocks.log"
    path.write_text(block1 + block2, encoding="utf-8")
    reports, _ = load_json_report(store, str(path))
    assert reports[0]["counts"]["lines read"] == 5
    assert reports[0]["skipped"] == {"no query name": 1}
    assert store.query(
        "MATCH (c:IPAddress)-[r:LOOKED_UP]->(d:Domain) RETURN c.address, d.name, r.qtype, r.count ORDER BY d.name"
    ) == [["10.0.0.1", "a.example.com", "A", 3], ["10.0.0.2", "b.example.com", "UNKNOWN", 1]]
    assert store.query(
        "MATCH (d:Domain)-[r:RESOLVES_TO]->(i:IPAddress) RETURN i.address, r.count ORDER BY i.address"
    ) == [["192.0.2.1", 2], ["192.0.2.2", 1]]


def test_gzip_is_read_like_the_plain_file(store: Store, tmp_path: Path) -> None:
    plain = write_tsv(tmp_path / "dns.log", traffic())
    packed = tmp_path / "dns.log.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    first = fresh(store, tmp_path, "plain")
    first.cli("load", "zeek", str(plain))
    want = snapshot(first)
    second = fresh(store, tmp_path, "gz")
    second.cli("load", "zeek", str(packed))
    assert snapshot(second) == want


def test_a_cut_off_gzip_file_loads_its_lines_and_names_where_it_breaks_off(store: Store, tmp_path: Path) -> None:
    rows = random_traffic(2000, seed=3)
    text = tsv_text(rows)
    packed = gzip.compress(text.encode())
    cut = tmp_path / "dns.log.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    with gzip.open(cut, "rb") as f:  # what survives: the complete lines before the break, read independently
        survived = b""
        try:
            while chunk := f.read1(1024):
                survived += chunk
        except EOFError:
            pass
    whole_lines = survived.decode().split("\n")[:-1]  # the part after the last newline is cut
    data_lines = [line for line in whole_lines if not line.startswith("#")]
    reports, stderr = load_json_report(store, str(cut))
    assert "Traceback" not in stderr
    rejected = [line.split(" (")[0] for line in rejects(stderr)]  # the reasons without their details
    last = len(whole_lines) + 1  # the cut line
    assert rejected[-1].startswith(f"{cut}:{last + 1}: compressed data is corrupt or truncated here")
    assert rejected[:-1] == [f"{cut}:{last}: truncated last line"] or rejected[:-1] == []
    counted = reports[0]["counts"]["lookups"] + sum(reports[0]["skipped"].values())
    assert counted == len(data_lines)


def bad_lines_file(tmp_path: Path) -> tuple[Path, dict[int, str]]:
    good = [f"{T0 + i}\t10.0.0.{i % 5 + 1}\tgood{i % 3}.example.com\tA" for i in range(20)]
    lines = ["#separator \\x09", "#fields\tts\tid.orig_h\tquery\tqtype_name"] + good
    bad = {
        5: f"{T0}\t10.0.0.1\tshort.example.com",
        9: "not-a-time\t10.0.0.1\tx.example.com\tA",
        12: f"{T0}\t10.0.0.300\tx.example.com\tA",
        15: f"{T0}\t10.0.0.1\tbad\udcff.example.com\tA",
        17: f"{T0}\t10.0.0.1\tx.example.com\tA\textra",
        19: f"{T0}\t-\tx.example.com\tA",
    }
    for number in sorted(bad):
        lines.insert(number - 1, bad[number])
    lines.append(f"{T0}\t10.0.0.9\ttrunc")  # the last line, cut short without a newline
    path = tmp_path / "bad.log"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogateescape"))  # line 15 holds the byte 0xff
    reasons = {
        5: "wrong field count (3 fields, expected 4)",
        9: "bad timestamp 'not-a-time'",
        12: "bad client address '10.0.0.300'",
        15: "undecodable bytes in the query name",
        17: "wrong field count (5 fields, expected 4)",
        19: "no client address",
        len(lines): "truncated last line (3 of 4 fields, no newline)",
    }
    return path, reasons


def test_bad_lines_are_rejected_with_line_and_reason_and_the_rest_loads(store: Store, tmp_path: Path) -> None:
    path, reasons = bad_lines_file(tmp_path)
    reports, stderr = load_json_report(store, str(path))
    assert reports[0]["rejected"] == len(reasons)
    assert set(rejects(stderr)) == {f"{path}:{n}: {why}" for n, why in reasons.items()}
    assert store.stats()["lookups"] == 20


def test_strict_stops_at_the_first_bad_line_and_writes_nothing_from_that_file(store: Store, tmp_path: Path) -> None:
    bad, _ = bad_lines_file(tmp_path)
    good = write_tsv(tmp_path / "good.log", traffic())
    proc = store.cli("load", "zeek", "--strict", str(bad), str(good), check=False)
    assert proc.returncode == 1
    assert f"{bad}:5: wrong field count" in proc.stderr
    assert "Traceback" not in proc.stderr
    names = {r[0] for r in store.query("MATCH (d:Domain) RETURN d.name")}
    assert "mail1.trump-email.com" in names  # good.log loaded
    assert not any(n.startswith("good") for n in names)  # nothing from bad.log


def test_since_and_until_filter_by_time(store: Store, tmp_path: Path) -> None:
    path = write_tsv(tmp_path / "dns.log", traffic())
    reports, _ = load_json_report(store, "--since", "2016-05-04T12:00:00Z", "--until", "2016-05-04", str(path))
    # traffic(): mail1 lookups hourly from 09:12:03; 12:12 ... 20:12 (9 lines) are inside
    assert lookups_by_pair(store) == Counter(
        {("217.12.96.15", "mail1.trump-email.com"): 6, ("217.12.97.15", "mail1.trump-email.com"): 3}
    )
    assert reports[0]["skipped"]["before --since"] == 3 + 3  # 09:12-11:12 plus 167.73.., 2001:db8::1, 10.0.0.5 TXT
    assert reports[0]["skipped"]["after --until"] == 1


def test_not_a_dns_log_is_rejected_whole(store: Store, tmp_path: Path) -> None:
    conn = tmp_path / "conn.log"
    conn.write_text("#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.resp_h\n1.0\tC\t1.2.3.4\t5.6.7.8\n")
    proc = store.cli("load", "zeek", str(conn), check=False)
    assert proc.returncode == 1
    assert f"{conn}:2: #fields has no query: not a Zeek dns.log" in proc.stderr


# -- the fast path and the reference path agree -------------------------------------------------------


def random_traffic(n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        name = rng.choice(["a", "B", "c.", "mail1", "x-y"]) + "." + rng.choice(["example.com", "Example.ORG", "local"])
        rows.append(
            {
                "ts": T0 + rng.random() * 86400 * 3,
                "uid": f"C{i}",
                "id.orig_h": f"10.0.{rng.randrange(4)}.{rng.randrange(9)}",
                "id.orig_p": 1000 + i,
                "id.resp_h": rng.choice(["192.0.2.53", "224.0.0.251"]),
                "id.resp_p": rng.choice([53, 53, 5353]),
                "proto": "udp",
                "trans_id": i,
                "query": name,
                "qclass": 1,
                "qtype_name": rng.choice(["A", "AAAA", "MX"]),
                "rcode_name": "NOERROR",
                "RD": rng.random() < 0.5,
                "answers": rng.choice([None, ["192.0.2.1"], ["z.example.net", "192.0.2.9"]]),
                "TTLs": None,
                "rejected": False,
            }
        )
    return rows


def test_arrow_path_and_line_by_line_path_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = random_traffic(3000, seed=11)
    rows[1234]["id.orig_h"] = "10.0.0.999"  # a value-level reject, found on the Arrow path
    path = tmp_path / "dns.log"
    reordered = FIELDS[::-1]
    path.write_text(tsv_text(rows[:1500]) + tsv_text(rows[1500:], reordered), encoding="utf-8")
    monkeypatch.setattr(zeek, "PIECE_BYTES", 4096)  # many pieces: lines and header blocks cut across them
    fast = parse_outputs(ZeekParser(fast=True), path)
    slow = parse_outputs(ZeekParser(fast=False), path)
    assert fast[0] == slow[0]
    assert (
        [(r.line, r.reason) for r in fast[1]]
        == [(r.line, r.reason) for r in slow[1]]
        == [(8 + 1234 + 1, "bad client address '10.0.0.999'")]
    )
    assert fast[2] == slow[2]
    assert fast[2]["lines read"] == 3000


@pytest.mark.parametrize("form", ["tsv", "json"])
def test_progress_is_told_while_the_file_is_read_not_only_when_it_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, form: str
) -> None:
    """A log's records come out only at its end, so progress must tick from the reading."""
    import graphkit.ingest.context as loading

    monkeypatch.setattr(loading, "PROGRESS_SECONDS", 0.0)
    monkeypatch.setattr(zeek, "PIECE_BYTES", 4096)  # many pieces: many ticks
    rows = [row for _ in range(700) for row in traffic()]  # 14,000 lines
    path = (write_tsv if form == "tsv" else write_json)(tmp_path / f"dns.{form}", rows)
    events: list[tuple[str, int]] = []
    backend = open_store(StoreOptions(str(tmp_path / "graph.lbdb")))
    backend.ensure_schema()
    write_nodes = backend.write_nodes

    def recorded(*args: Any, **kwargs: Any) -> None:
        events.append(("write", 0))
        write_nodes(*args, **kwargs)

    backend.write_nodes = recorded  # type: ignore[method-assign]

    def progress(ctx: ParseContext) -> None:
        events.append(("progress", ctx.counts["lines read"]))

    try:
        Loader(backend, ZeekParser(), rejects=RejectsFile(tmp_path, "zeek"), progress=progress).load(path)
    finally:
        backend.close()
    before_writes = [n for kind, n in events[: events.index(("write", 0))] if kind == "progress"]
    assert len(set(before_writes)) >= 3, events[:10]
    assert before_writes == sorted(before_writes) and before_writes[-1] <= len(rows)


# -- ANY lookups and the text of rejected lines (issue 17) ----------------------------------------------


def test_any_lookups_are_counted_and_the_numeric_type_fills_in_an_unset_name(store: Store, tmp_path: Path) -> None:
    """Zeek writes qtype_name '*' for type 255 (ANY); where qtype_name is unset, qtype (the number) tells."""
    tsv = tmp_path / "dns.log"
    tsv.write_text(
        "#separator \\x09\n#fields\tts\tid.orig_h\tquery\tqtype\tqtype_name\n"
        f"{T0}\t10.0.0.1\tany.example.com\t255\t*\n"
        f"{T0 + 1}\t10.0.0.1\tany.example.com\t255\t*\n"
        f"{T0 + 2}\t10.0.0.2\tv6.example.com\t28\t-\n"
        f"{T0 + 3}\t10.0.0.2\tnumberless.example.com\t-\tMX\n"
    )
    jsonl = tmp_path / "dns.json.log"  # the same lookups as JSON, one without the number
    jsonl.write_text(
        json.dumps({"ts": T0 + 4, "id.orig_h": "10.0.0.3", "query": "any.example.com", "qtype": 255, "qtype_name": "*"})
        + "\n"
        + json.dumps({"ts": T0 + 5, "id.orig_h": "10.0.0.3", "query": "any.example.com", "qtype_name": "*"})
        + "\n"
        + json.dumps({"ts": T0 + 6, "id.orig_h": "10.0.0.3", "query": "v6.example.com", "qtype": 28})
        + "\n"
    )
    reports, stderr = load_json_report(store, str(tsv), str(jsonl))
    assert [r["rejected"] for r in reports] == [0, 0], stderr
    rows = store.query(
        "MATCH (c:IPAddress)-[r:LOOKED_UP]->(d:Domain) RETURN c.address, d.name, r.qtype, r.count "
        "ORDER BY c.address, d.name"
    )
    assert rows == [
        ["10.0.0.1", "any.example.com", "ANY", 2],
        ["10.0.0.2", "numberless.example.com", "MX", 1],
        ["10.0.0.2", "v6.example.com", "AAAA", 1],
        ["10.0.0.3", "any.example.com", "ANY", 2],
        ["10.0.0.3", "v6.example.com", "AAAA", 1],
    ]


def _rejected_texts(stderr: str) -> dict[int, str]:
    """line number -> the text the rejects file holds for it (tabs and newlines escaped there)."""
    found = {}
    for entry in rejects_file(stderr).read_text("utf-8").splitlines():
        where, _, text = entry.partition("\t")
        found[int(where.split(": ")[0].rsplit(":", 1)[1])] = text
    return found


@pytest.mark.parametrize("path_kind", ["arrow", "line by line", "json", "gzip"])
def test_the_rejects_file_holds_the_original_text_of_a_rejected_line(
    store: Store, tmp_path: Path, path_kind: str
) -> None:
    """Value-level rejects (found by the aggregator, not by the line splitter) keep their line's text."""
    rows = random_traffic(400, seed=5)
    bad = {37: ("id.orig_h", "10.0.0.999"), 211: ("qtype_name", "A!B"), 390: ("id.resp_h", "no.such.address")}
    for i, (field_, value) in bad.items():
        rows[i][field_] = value
    if path_kind == "json":
        path = write_json(tmp_path / "dns.json.log", rows)
        first = 1
    else:
        text = tsv_text(rows)
        if path_kind == "line by line":  # a short line sends its piece down the line-by-line path
            text = text.replace("#close", "1.0\tshort\n#close")
        path = tmp_path / "dns.log"
        path.write_text(text)
        first = 9
        if path_kind == "gzip":
            path = tmp_path / "dns.log.gz"
            path.write_bytes(gzip.compress(text.encode()))
    lines = (gzip.decompress(path.read_bytes()) if path_kind == "gzip" else path.read_bytes()).decode().split("\n")
    _, stderr = load_json_report(store, str(path))
    texts = _rejected_texts(stderr)
    for i in bad:
        number = first + i
        assert texts[number] == lines[number - 1][:300].replace("\t", "\\t"), number  # a reject shows 300 characters
    assert len(texts) == len(bad) + (path_kind == "line by line")


def test_both_paths_read_any_and_the_numeric_type_alike(tmp_path: Path) -> None:
    rows = random_traffic(300, seed=3)
    for i, row in enumerate(rows):
        row["qtype"], row["qtype_name"] = [(255, "*"), (28, None), (None, "MX"), (99999, None), (1, "A")][i % 5]
    path = tmp_path / "dns.log"
    path.write_text(tsv_text(rows, [*FIELDS, "qtype"]))
    fast = parse_outputs(ZeekParser(fast=True), path)
    slow = parse_outputs(ZeekParser(fast=False), path)
    assert fast[0] == slow[0] and fast[1] == slow[1] == []
    assert {row[2] for row in fast[0]["LOOKED_UP"]} == {"ANY", "AAAA", "MX", "UNKNOWN", "A"}


def test_placeholder_answers_are_counted_never_linked(store: Store, tmp_path: Path) -> None:
    """A block list or sinkhole answers every name it blocks with 0.0.0.0 (or loopback): linking
    them would join every blocked name through that address. The lookups stay; those answers
    are counted, and a name's real answers still link."""
    base = traffic()[0]
    answered = [
        ("ads.example.com", ["0.0.0.0"]),
        ("tracker.example.net", ["0.0.0.0"]),
        ("blocked.example.org", ["edge.example.net", "127.0.0.1"]),
        ("localhost.example", ["::1"]),
        ("www.example.com", ["192.0.2.10"]),
    ]
    rows = [
        {
            **base,
            "ts": T0 + i,
            "query": name,
            "qtype_name": "AAAA" if answers == ["::1"] else "A",
            "answers": answers,
            "TTLs": [60.0] * len(answers),
        }
        for i, (name, answers) in enumerate(answered)
    ]
    reports, _ = load_json_report(store, str(write_tsv(tmp_path / "dns.log", rows)))
    assert (
        reports[0]["skipped"]["answers of 0.0.0.0 or loopback (block lists, sinkholes, hosts files): not linked"] == 4
    )
    assert store.query("MATCH (d:Domain)-[:RESOLVES_TO]->(i:IPAddress) RETURN d.name, i.address") == [
        ["www.example.com", "192.0.2.10"]
    ]
    assert store.query("MATCH (a:Domain)-[:ALIAS_OF]->(b:Domain) RETURN a.name, b.name") == [
        ["blocked.example.org", "edge.example.net"]
    ]
    assert store.query("MATCH ()-[r:LOOKED_UP]->() RETURN sum(r.count)") == [[5]]
