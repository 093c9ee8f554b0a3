"""`graphkit load csv-log`: other lookup logs as delimited text, on both stores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import Store, json_lines, rejects

from graphkit.parsers.csvlog import epoch_seconds, parse_columns


def load(store: Store, *args: str, check: bool = True) -> tuple[dict[str, Any], str]:
    proc = store.cli("load", "csv-log", "--format", "json", *args, check=check)
    reports = json_lines(proc)
    return (reports[0] if reports else {}), proc.stderr


def lookups(store: Store) -> list[list[Any]]:
    return store.query(
        "MATCH (c:IPAddress)-[r:LOOKED_UP]->(d:Domain) RETURN c.address, d.name, r.qtype, r.day, "
        "r.count, r.first_seen, r.last_seen ORDER BY c.address, d.name, r.qtype, r.day"
    )


def test_columns_are_mapped_and_timestamps_read_in_every_form(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "resolver.csv"
    path.write_text(
        "when,who,asked,kind,extra\n"
        "1462353123,217.12.96.15,mail1.trump-email.com,A,x\n"  # epoch seconds
        "1462353124500,217.12.96.15,MAIL1.trump-email.com.,A,x\n"  # epoch milliseconds
        "2016-05-04T09:15:00Z,217.12.96.15,mail1.trump-email.com,A,x\n"  # ISO 8601, UTC
        "2016-05-04 12:15:00+03:00,217.12.97.15,mail1.trump-email.com,a,x\n"  # ISO with an offset
        "2016-05-05T00:00:00,167.73.110.8,mail1.trump-email.com,,x\n"  # no zone: UTC; no type
        "yesterday,10.0.0.1,a.example.com,A,x\n"
        "2016-05-05T00:00:00,10.0.0.1,a.example.com,A\n"
        "2016-05-05T00:00:00,10.0.0.256,a.example.com,A,x\n"
        "\n"
        "2016-05-05T00:00:00,10.0.0.1,printer.local,A,x\n",
        encoding="utf-8",
    )
    report, stderr = load(store, "--columns", "ts=when,client=who,qname=asked,qtype=kind", str(path))
    assert set(rejects(stderr)) == {
        f"{path}:7: bad timestamp 'yesterday'",
        f"{path}:8: wrong field count (4 fields, expected 5)",
        f"{path}:9: bad client address '10.0.0.256'",
    }
    assert report["skipped"] == {"blank line": 1, "local: mDNS": 1}
    assert report["counts"]["lines read"] == 10
    assert lookups(store) == [
        [
            "167.73.110.8",
            "mail1.trump-email.com",
            "UNKNOWN",
            "2016-05-05",
            1,
            "2016-05-05T00:00:00Z",
            "2016-05-05T00:00:00Z",
        ],
        ["217.12.96.15", "mail1.trump-email.com", "A", "2016-05-04", 3, "2016-05-04T09:12:03Z", "2016-05-04T09:15:00Z"],
        ["217.12.97.15", "mail1.trump-email.com", "A", "2016-05-04", 1, "2016-05-04T09:15:00Z", "2016-05-04T09:15:00Z"],
    ]


def test_common_headers_are_found_without_columns_and_tabs_are_detected(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "log.tsv"
    path.write_text("Timestamp\tclient_ip\tquery\tqtype\n1462353123\t10.1.1.1\tx.example.com\tAAAA\n", encoding="utf-8")
    load(store, "--observer", "resolver-1.corp", "--client-side", "stub", str(path))
    assert [r[:4] for r in lookups(store)] == [["10.1.1.1", "x.example.com", "AAAA", "2016-05-04"]]
    assert store.query("MATCH (s:Source) RETURN s.kind, s.observer, s.client_side") == [
        ["csv-log", "resolver-1.corp", "stub"]
    ]


def test_a_file_without_the_needed_columns_is_rejected_whole(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    proc = store.cli("load", "csv-log", str(path), check=False)
    assert proc.returncode == 1
    assert (
        f"{path}:1: no ts and no client and no qname column: give --columns ts=HEADER,client=HEADER,qname=HEADER"
        in proc.stderr
    )
    proc = store.cli("load", "csv-log", "--columns", "ts=when", str(path), check=False)
    assert "--columns ts=when: no such column" in proc.stderr


def test_since_until_and_strict(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(
        "ts,client,qname\n" + "".join(f"2016-05-{d:02d}T12:00:00Z,10.0.0.1,a.example.com\n" for d in range(1, 11)),
        encoding="utf-8",
    )
    report, _ = load(store, "--since", "2016-05-03", "--until", "2016-05-05", str(path))
    assert report["skipped"] == {"before --since": 2, "after --until": 5}
    assert [r[3] for r in lookups(store)] == ["2016-05-03", "2016-05-04", "2016-05-05"]
    bad = tmp_path / "bad.csv"
    bad.write_text("ts,client,qname\n2016-05-01T00:00:00Z,10.0.0.2,b.example.com\nnope,10.0.0.2,b.example.com\n")
    proc = store.cli("load", "csv-log", "--strict", str(bad), check=False)
    assert proc.returncode == 1 and f"{bad}:3: bad timestamp 'nope'" in proc.stderr
    assert not store.query("MATCH (d:Domain {name: 'b.example.com'}) RETURN d.name")


def test_parse_columns_and_epoch_seconds() -> None:
    assert parse_columns("ts=time, client=src,qname=q") == {"ts": "time", "client": "src", "qname": "q"}
    with pytest.raises(ValueError, match="unknown role 'who'"):
        parse_columns("who=x")
    with pytest.raises(ValueError, match="ROLE=HEADER"):
        parse_columns("ts")
    assert epoch_seconds("1462353123") == epoch_seconds("1462353123000") == epoch_seconds("1462353123000000")
    assert epoch_seconds("2016-05-04T09:12:03Z") == 1462353123
    with pytest.raises(ValueError):
        epoch_seconds("May 4")
