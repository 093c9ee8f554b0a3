"""`graphkit load pdns`: CIRCL COF, DNSDB v1 lines and DNSDB v2 SAF streams, on both stores."""

from __future__ import annotations

import calendar
import json
from pathlib import Path

import pytest
from helpers import Store, json_lines, rejects_file


def epoch(iso: str) -> int:
    return calendar.timegm(
        tuple(int(p) for p in iso.replace("T", "-").replace(":", "-").rstrip("Z").split("-")) + (0, 0, 0)
    )


def write_lines(path: Path, docs: list[object]) -> Path:
    path.write_text("".join((d if isinstance(d, str) else json.dumps(d)) + "\n" for d in docs), encoding="utf-8")
    return path


COF = [
    {
        "rrname": "mail1.trump-email.com",
        "rrtype": "A",
        "rdata": "66.216.133.29",
        "count": 2820,
        "time_first": epoch("2016-05-04T00:00:00Z"),
        "time_last": epoch("2016-09-23T00:00:00Z"),
        "bailiwick": "trump-email.com",
    },
    {
        "rrname": "trump-email.com.",
        "rrtype": "MX",
        "rdata": ["10 mail1.trump-email.com."],
        "count": 12,
        "time_first": "2016-05-04T09:00:00Z",
        "time_last": "2016-09-23 10:00:00",
    },
    {
        "rrname": "trump-email.com",
        "rrtype": "NS",
        "rdata": ["ns1.cdcservices.com.", "ns2.cdcservices.com"],
        "time_first": 1462352400,
        "time_last": 1462352400,
    },
    "this is not json",
    {"rrname": "bad..name.com", "rrtype": "A", "rdata": "192.0.2.1"},
    {
        "rrname": "trump-email.com",
        "rrtype": "TXT",
        "rdata": ['"v=spf1 include:spf.listrak.com " "ip4:66.216.133.0/24 -all"'],
    },
    {"rrname": "29.133.216.66.in-addr.arpa", "rrtype": "PTR", "rdata": "mail1.trump-email.com."},
    {"rrname": "x.trump-email.com", "rrtype": "A", "rdata": "192.0.2.999"},
    {"rrname": "trump-email.com", "rrtype": "RRSIG", "rdata": "A 5 3 300 20160901000000 20160801000000 1 x. AAAA"},
    {"rrname": "y.trump-email.com", "rrtype": "A", "rdata": "192.0.2.1", "time_first": "yesterday"},
]
DNSDB_V1 = [
    {
        "count": 5,
        "zone_time_first": epoch("2016-08-01T00:00:00Z"),
        "zone_time_last": epoch("2016-09-01T00:00:00Z"),
        "rrname": "cdcservices.com.",
        "rrtype": "NS",
        "bailiwick": "com.",
        "rdata": ["ns1.cdcservices.com."],
    },
]
SAF = [
    {"cond": "begin"},
    {
        "obj": {
            "count": 7,
            "time_first": epoch("2016-09-24T00:00:00Z"),
            "time_last": epoch("2016-10-01T00:00:00Z"),
            "rrname": "trump1.contact-client.com.",
            "rrtype": "A",
            "bailiwick": "contact-client.com.",
            "rdata": ["66.216.133.29"],
        }
    },
    {"cond": "ongoing"},
    {
        "obj": {
            "count": 3,
            "time_first": epoch("2016-09-24T00:00:00Z"),
            "time_last": epoch("2016-10-01T00:00:00Z"),
            "rrname": "www.contact-client.com.",
            "rrtype": "CNAME",
            "rdata": ["trump1.contact-client.com."],
        }
    },
    {"cond": "succeeded"},
]


def test_the_three_formats_load_with_times_and_counts(store: Store, tmp_path: Path) -> None:
    cof = write_lines(tmp_path / "circl.jsonl", COF)
    v1 = write_lines(tmp_path / "dnsdb-v1.jsonl", DNSDB_V1)
    saf = write_lines(tmp_path / "dnsdb-v2.jsonl", SAF)
    proc = store.cli("load", "pdns", str(cof), str(v1), str(saf))
    for line, reason in (
        (4, "not valid JSON"),
        (5, "invalid domain name"),
        (8, "not an IP address"),
        (10, "not a timestamp"),
    ):
        assert f"{cof}:{line}: {reason}" in proc.stderr, proc.stderr
    rows = store.query(
        "MATCH (d:Domain)-[r:RESOLVES_TO]->(i:IPAddress) RETURN d.name, i.address, r.first_seen, r.last_seen, r.count"
    )
    assert sorted(map(tuple, rows)) == [
        ("mail1.trump-email.com", "66.216.133.29", "2016-05-04T00:00:00Z", "2016-09-23T00:00:00Z", 2820),
        ("trump1.contact-client.com", "66.216.133.29", "2016-09-24T00:00:00Z", "2016-10-01T00:00:00Z", 7),
    ]
    rows = store.query(
        "MATCH (d:Domain)-[r:USES_MAIL_SERVER]->(m:Domain) RETURN d.name, m.name, r.preference, "
        "r.first_seen, r.last_seen, r.count"
    )
    assert rows == [
        ["trump-email.com", "mail1.trump-email.com", 10, "2016-05-04T09:00:00Z", "2016-09-23T10:00:00Z", 12]
    ]
    rows = store.query("MATCH (d:Domain)-[r:USES_NAMESERVER]->(n:Domain) RETURN d.name, n.name, r.first_seen, r.count")
    assert sorted(map(tuple, rows)) == [
        ("cdcservices.com", "ns1.cdcservices.com", "2016-08-01T00:00:00Z", 5),
        ("trump-email.com", "ns1.cdcservices.com", "2016-05-04T09:00:00Z", None),
        ("trump-email.com", "ns2.cdcservices.com", "2016-05-04T09:00:00Z", None),
    ]
    rows = store.query("MATCH (i:IPAddress)-[r:POINTER_TO]->(d:Domain) RETURN i.address, d.name")
    assert rows == [["66.216.133.29", "mail1.trump-email.com"]]
    rows = store.query("MATCH (d:Domain)-[r:ALIAS_OF]->(t:Domain) RETURN d.name, t.name, r.count")
    assert rows == [["www.contact-client.com", "trump1.contact-client.com", 3]]
    rows = store.query("MATCH (d:Domain)-[:SPF_INCLUDES]->(t:Domain) RETURN d.name, t.name")
    assert rows == [["trump-email.com", "spf.listrak.com"]]
    rows = store.query("MATCH (d:Domain)-[:SPF_ALLOWS]->(n:Netblock) RETURN n.cidr")
    assert rows == [["66.216.133.0/24"]]
    assert store.stats()["sources"] == 3


def test_a_cut_short_saf_stream_rejects_its_last_line(store: Store, tmp_path: Path) -> None:
    path = write_lines(tmp_path / "cut.jsonl", SAF[:4])
    proc = store.cli("load", "pdns", str(path))
    assert f"{path}:4: DNSDB stream cut short" in proc.stderr
    assert store.stats()["relationships"]["RESOLVES_TO"] == 1  # what came before still loads


def test_failed_and_limited_streams_are_reported(store: Store, tmp_path: Path) -> None:
    failed = write_lines(tmp_path / "failed.jsonl", [*SAF[:2], {"cond": "failed", "msg": "quota exceeded"}])
    limited = write_lines(tmp_path / "limited.jsonl", [*SAF[3:4], {"cond": "limited", "msg": "result limit reached"}])
    proc = store.cli("load", "pdns", "--format", "json", str(failed), str(limited))
    assert f"{failed}:3: DNSDB query failed (quota exceeded)" in rejects_file(proc.stderr).read_text()
    reports = json_lines(proc)
    assert reports[1]["skipped"] == {"DNSDB results were limited (result limit reached)": 1}
    assert [r["counts"] for r in reports] == [{"A": 1}, {"CNAME": 1}]


def test_a_record_in_two_files_keeps_the_widest_time_span(store: Store, tmp_path: Path) -> None:
    def line(first: str, last: str, count: int) -> dict[str, object]:
        return {
            "rrname": "mail1.trump-email.com",
            "rrtype": "A",
            "rdata": "66.216.133.29",
            "time_first": first,
            "time_last": last,
            "count": count,
        }

    one = write_lines(tmp_path / "one.jsonl", [line("2016-06-01T00:00:00Z", "2016-08-01T00:00:00Z", 900)])
    two = write_lines(tmp_path / "two.jsonl", [line("2016-05-04T00:00:00Z", "2016-09-23T00:00:00Z", 300)])
    store.cli("load", "pdns", str(one))
    store.cli("load", "pdns", str(two))
    rows = store.query("MATCH (:Domain)-[r:RESOLVES_TO]->(:IPAddress) RETURN r.first_seen, r.last_seen, r.count, r")
    assert len(rows) == 1
    first, last, count, edge = rows[0]
    assert (first, last, count) == ("2016-05-04T00:00:00Z", "2016-09-23T00:00:00Z", 900)
    assert len(edge["sources"]) == 2
    before = store.cli_stats()
    store.cli("load", "pdns", str(two), str(one))
    assert store.cli_stats() == before
    assert store.query("MATCH (:Domain)-[r:RESOLVES_TO]->(:IPAddress) RETURN r.first_seen, r.last_seen")[0] == [
        "2016-05-04T00:00:00Z",
        "2016-09-23T00:00:00Z",
    ]


# The columnar reader against the record mapping: the same file loaded as Arrow reads it
# (block by block, plain values in columns) and as the line-by-line reader with every value
# through dnsrecords must give the same graph and reject the same lines.

MIXED = [
    {
        "rrname": "WWW.Example.COM.",
        "rrtype": "A",
        "rdata": "192.0.2.1",
        "time_first": 1462352400,
        "time_last": 1462352500,
        "count": 3,
    },
    {
        "rrname": "www.example.com",
        "rrtype": "A",
        "rdata": ["192.0.2.1", "192.0.2.2"],
        "time_first": 1462352300,
        "count": 9,
    },
    {"rrname": "example.com", "rrtype": "AAAA", "rdata": ["2001:DB8::1", "::ffff:192.0.2.7", "192.0.2.9"]},
    {
        "rrname": "example.com",
        "rrtype": "MX",
        "rdata": ["10 Mail.Example.com.", "0 .", "70000 big.example.com", "5  two.example.com"],
    },
    {"rrname": "example.com", "rrtype": "NS", "rdata": ["ns1.example.net.", "ns1.example.net", "@", "bad..name"]},
    {"rrname": "alias.example.com", "rrtype": "CNAME", "rdata": "target-.example.com"},
    {"rrname": "example.com", "rrtype": "TXT", "rdata": "v=spf1 ip4:198.51.100.0/24 include:_spf.example.net -all"},
    {"rrname": "_sip._tcp.example.com", "rrtype": "SRV", "rdata": "10 60 5060 sip.example.com."},
    {"rrname": "example.com", "rrtype": "SOA", "rdata": "ns1.example.net. hostmaster.example.com. 1 2 3 4 5"},
    {"rrname": "7.2.0.192.in-addr.arpa", "rrtype": "PTR", "rdata": "host.example.com."},
    {"rrname": "example.com", "rrtype": "HINFO", "rdata": '"PC" "Linux"'},
    {"rrname": "example.com", "rrtype": "TYPE65280", "rdata": "\\# 0"},
    {"rrname": "a.example.com", "rrtype": "A", "rdata": "1.2.3.4", "time_first": 1e15, "time_last": 1462352400123},
    {"rrname": "b.example.com", "rrtype": "A", "rdata": "1.2.3.5", "time_first": -5},
    {"rrname": "c.example.com", "rrtype": "A", "rdata": "1.2.3.6", "count": -1},
    {"rrname": "d.example.com", "rrtype": "A", "rdata": ["1.2.3.7", None]},
    {"rrname": "", "rrtype": "A", "rdata": "1.2.3.8"},
    {"rrname": "e.example.com", "rrtype": "", "rdata": "1.2.3.8"},
    {"rrname": "f.example.com", "rrtype": "A", "rdata": []},
    {"rrname": "ünicode.example.com", "rrtype": "A", "rdata": "1.2.3.9"},
    {"rrname": "x" * 64 + ".example.com", "rrtype": "A", "rdata": "1.2.3.10"},
    {"rrname": "g.example.com", "rrtype": "A", "rdata": "01.2.3.4"},
    {"rrname": "h.example.com", "rrtype": "A", "rdata": "1.2.3.4 ; comment"},
]
ISO = [dict(d, time_first="2016-05-04 09:00:00", time_last="2016-05-05T09:00:00+02:00") for d in MIXED[:12]] + [
    {"rrname": "i.example.com", "rrtype": "A", "rdata": "1.2.3.11", "time_first": "soon"}
]
SAF_MIXED = [{"cond": "begin"}, *({"obj": d} for d in MIXED[:12]), {"cond": "ongoing"}, {"cond": "succeeded"}]
BAD_LINES = [
    "not json",
    '{"rrname": "x.example.com", "rrtype": 1, "rdata": "1.2.3.4"}',
    "[1, 2]",
    '{"rrname": "y.example.com"} {"a": 1}',
    "",
]


def _graph_and_rejects(files: list[Path], tmp_path: Path, name: str) -> tuple[list[str], list[str]]:
    from graphkit.backends.store import StoreOptions, open_store
    from graphkit.ingest.context import RejectsFile
    from graphkit.ingest.pipeline import Loader
    from graphkit.model.schema import SCHEMA
    from graphkit.parsers.pdns import PdnsParser

    backend = open_store(StoreOptions(str(tmp_path / f"{name}.lbdb")))
    backend.ensure_schema()
    rejects = RejectsFile(tmp_path / f"{name}-rejects", "pdns")
    try:
        loader = Loader(backend, PdnsParser(), rejects=rejects)
        for path in files:
            loader.load(path)
        rows = []
        for node in SCHEMA.nodes:
            for (value,) in backend.query(f"MATCH (n:{node.label}) RETURN n").rows:
                # Source.records counts rows written, which depends on how rows fall into tables
                props = {
                    k: v
                    for k, v in dict(value).items()
                    if not k.startswith("_") and k not in ("loaded_at", "path", "records")
                }
                rows.append(json.dumps([node.label, props], sort_keys=True, default=str))
        for rel in SCHEMA.rels:
            query = f"MATCH (a)-[e:{rel.type}]->(b) RETURN a, e, b"
            for a, e, b in backend.query(query).rows:
                ends = [{k: v for k, v in dict(x).items() if k in ("name", "address", "cidr", "email")} for x in (a, b)]
                props = {k: v for k, v in dict(e).items() if not k.startswith("_")}
                rows.append(json.dumps([rel.type, ends, props], sort_keys=True, default=str))
    finally:
        backend.close()
        rejects.close()
    lines = rejects.path.read_text().splitlines() if rejects.used else []
    return sorted(rows), sorted(line.split(": ")[0] for line in lines)


def test_the_columnar_reader_gives_the_record_mappings_graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from graphkit.parsers import pdns_blocks, pdns_columns

    files = [
        write_lines(tmp_path / "mixed.jsonl", [*MIXED, *BAD_LINES, *MIXED[:3]]),
        write_lines(tmp_path / "iso.jsonl", ISO),
        write_lines(tmp_path / "saf.jsonl", SAF_MIXED),
        write_lines(
            tmp_path / "zone-times.jsonl", [*DNSDB_V1, {**DNSDB_V1[0], "time_first": None, "rrname": "z.example.com"}]
        ),
    ]
    for path in files:  # one file of each kind that Arrow reads whole, without the lines it cannot
        good = [
            line
            for line in path.read_text().splitlines()
            if line.startswith('{"') and '"rrtype": 1' not in line and "} {" not in line
        ]
        (tmp_path / f"arrow-{path.name}").write_text("\n".join(good) + "\n")
    files += [tmp_path / f"arrow-{path.name}" for path in files]
    fast = _graph_and_rejects(files, tmp_path, "fast")
    monkeypatch.setattr(pdns_blocks, "decoded", lambda data: None)
    monkeypatch.setattr(pdns_columns, "PLAIN", {})
    assert _graph_and_rejects(files, tmp_path, "records") == fast
    assert len(fast[0]) > 40 and len(fast[1]) > 20


def test_bad_lines_inside_a_block_are_rejected_one_by_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from graphkit.ingest.pipeline import dry_run
    from graphkit.parsers import pdns_blocks
    from graphkit.parsers.pdns import PdnsParser

    read: list[bool] = []
    decoded = pdns_blocks.decoded
    monkeypatch.setattr(pdns_blocks, "BLOCK_BYTES", 4096)
    monkeypatch.setattr(pdns_blocks, "decoded", lambda data: read.append((table := decoded(data)) is not None) or table)
    good = [
        {"rrname": f"h{i}.example.com", "rrtype": "A", "rdata": f"192.0.2.{i % 250 + 1}", "time_first": 1462352400 + i}
        for i in range(300)
    ]
    lines: list[object] = list(good)
    for number, bad in (
        (120, "{not json"),
        (121, '{"rrname": "x.example.com", "rrtype": "A", "rdata": [1]}'),
        (250, "[]"),
    ):
        lines.insert(number - 1, bad)
    path = write_lines(tmp_path / "blocks.jsonl", lines)
    result = dry_run(PdnsParser(), path)
    assert [r.line for r in result.rejects] == [120, 121, 250]
    assert True in read and False in read  # Arrow read the clean blocks, json.loads the others
    assert result.records > 300  # the good lines around the bad ones load
