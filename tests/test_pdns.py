"""`graphkit load pdns`: CIRCL COF, DNSDB v1 lines and DNSDB v2 SAF streams, on both stores."""

from __future__ import annotations

import calendar
import json
from pathlib import Path

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
    for line, reason in ((4, "not valid JSON"), (5, "invalid domain name"), (8, "bad A data"), (10, "not a timestamp")):
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
    rows = store.query(
        "MATCH (:Domain)-[r:RESOLVES_TO]->(:IPAddress) RETURN r.first_seen, r.last_seen, r.count, r.sources"
    )
    assert len(rows) == 1
    first, last, count, sources = rows[0]
    assert (first, last, count) == ("2016-05-04T00:00:00Z", "2016-09-23T00:00:00Z", 900)
    assert len(sources) == 2
    before = store.cli_stats()
    store.cli("load", "pdns", str(two), str(one))
    assert store.cli_stats() == before
    assert store.query("MATCH (:Domain)-[r:RESOLVES_TO]->(:IPAddress) RETURN r.first_seen, r.last_seen")[0] == [
        "2016-05-04T00:00:00Z",
        "2016-09-23T00:00:00Z",
    ]
