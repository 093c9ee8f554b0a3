"""`graphkit load bind`: BIND 9.9-9.18 query-log lines -> LOOKED_UP counts, on both stores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import Store, json_lines, rejects

from graphkit.ingest.context import ParseContext, Reject
from graphkit.parsers.bind import BindParser, parse_zone

SERVER = "66.216.133.1"
MAIL1_QUERY = f"query: mail1.trump-email.com IN A -E(0)K ({SERVER})"
UNDECODABLE = f"05-May-2016 00:00:05.000 client 10.0.0.1#53 (bad\udcff.com): query: bad\udcff.com IN A + ({SERVER})"
# (line text, what the loader should make of it)
LINES: list[tuple[str, str]] = [
    (
        "04-May-2016 09:12:03.123 queries: info: client @0x7f1c2c0a8e10 217.12.96.15#53211 (mail1.trump-email.com): "
        f"query: mail1.trump-email.com IN A -E(0)K ({SERVER})",
        "9.11+ with category and severity",
    ),
    (
        "04-May-2016 09:12:04.000 client 217.12.97.15#1234 (mail1.trump-email.com): "
        f"query: mail1.trump-email.com IN A -EDC ({SERVER})",
        "no category, no client object",
    ),
    (
        f"04-May-2016 10:00:00.500 queries: client 217.12.96.15#53211: query: mail1.trump-email.com IN A -E ({SERVER})",
        "9.9: no name echo",
    ),
    (
        "04-May-2016 10:00:01.000 info: client @0x7f1c2c0a8e10 2001:db8:0::1#5353 (mail1.trump-email.com): "
        f"view internal: query: MAIL1.trump-email.com. IN AAAA +E(0)K ({SERVER})",
        "IPv6 client, a view, severity only",
    ),
    (
        "05-May-2016 00:00:00.000 client 167.73.110.8#33333 (mail1.trump-email.com): "
        f"query: mail1.trump-email.com IN MX -E(0)DC ({SERVER})",
        "the next day",
    ),
    (
        f"client 167.73.110.8#33333 (mail1.trump-email.com): query: mail1.trump-email.com IN A -E(0)K ({SERVER})",
        "reject: no timestamp (give --date for a log written without print-time)",
    ),
    (
        "05-May-2016 00:00:01.000 security: info: client @0x7f1c2c0a8e10 10.0.0.1#5353 (x.com): "
        "query (cache) 'x.com/A/IN' denied",
        "skip: other client message",
    ),
    (
        f"05-May-2016 00:00:02.000 client 10.0.0.9#5353 (printer.local): query: printer.local IN A +E(0)K ({SERVER})",
        "skip: local: mDNS",
    ),
    ("05-May-2016 00:00:03.000 client 10.0.0.1#53: query: broken", "reject: not a BIND query-log line"),
    (
        f"05-May-2016 00:00:04.000 client 300.1.1.1#53 (a.com): query: a.com IN A + ({SERVER})",
        "reject: bad client address '300.1.1.1'",
    ),
    (
        f"2016-05-04T09:30:00.000Z client 217.12.96.15#53211 (mail1.trump-email.com): {MAIL1_QUERY}",
        "ISO 8601 stamp",
    ),
    (
        f"May  4 09:45:00 ns1 named[1234]: client 217.12.96.15#53211 (mail1.trump-email.com): {MAIL1_QUERY}",
        "reject: syslog timestamp without a year (give --year)",
    ),
    (UNDECODABLE, f"reject: undecodable bytes at column {UNDECODABLE.index(chr(0xDCFF)) + 1}"),
    (
        f"31-Apr-2016 00:00:05.000 client 10.0.0.1#53 (a.com): query: a.com IN A + ({SERVER})",
        "reject: bad timestamp '31-Apr-2016 00:00:05.000'",
    ),
]


def write_log(path: Path, lines: list[str]) -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8", "surrogateescape"))
    return path


def load(store: Store, *args: str, check: bool = True) -> tuple[dict[str, Any], str]:
    proc = store.cli("load", "bind", "--format", "json", *args, check=check)
    reports = json_lines(proc)
    return (reports[0] if reports else {}), proc.stderr


def lookups(store: Store) -> list[list[Any]]:
    return store.query(
        "MATCH (c:IPAddress)-[r:LOOKED_UP]->(d:Domain) RETURN c.address, d.name, r.qtype, r.day, "
        "r.count, r.first_seen, r.last_seen ORDER BY c.address, r.qtype, r.day"
    )


def test_every_bind_line_form_is_read(store: Store, tmp_path: Path) -> None:
    path = write_log(tmp_path / "query.log", [text for text, _ in LINES])
    report, stderr = load(store, str(path))
    assert set(rejects(stderr)) == {
        f"{path}:{n}: {what[8:]}" for n, (_, what) in enumerate(LINES, 1) if what.startswith("reject: ")
    }
    assert report["rejected"] == sum(what.startswith("reject") for _, what in LINES)
    assert report["skipped"] == {"other client message": 1, "local: mDNS": 1}
    assert report["counts"]["lines read"] == len(LINES)
    assert lookups(store) == [
        [
            "167.73.110.8",
            "mail1.trump-email.com",
            "MX",
            "2016-05-05",
            1,
            "2016-05-05T00:00:00Z",
            "2016-05-05T00:00:00Z",
        ],
        [
            "2001:db8::1",
            "mail1.trump-email.com",
            "AAAA",
            "2016-05-04",
            1,
            "2016-05-04T10:00:01Z",
            "2016-05-04T10:00:01Z",
        ],
        ["217.12.96.15", "mail1.trump-email.com", "A", "2016-05-04", 3, "2016-05-04T09:12:03Z", "2016-05-04T10:00:00Z"],
        ["217.12.97.15", "mail1.trump-email.com", "A", "2016-05-04", 1, "2016-05-04T09:12:04Z", "2016-05-04T09:12:04Z"],
    ]
    # the server's address is the observer; clients that do not ask for recursion are resolvers
    assert store.query("MATCH (s:Source) RETURN s.kind, s.observer, s.client_side") == [["bind", SERVER, "resolver"]]


def test_date_and_year_supply_what_the_line_lacks(store: Store, tmp_path: Path) -> None:
    path = write_log(tmp_path / "query.log", [LINES[5][0], LINES[11][0]])
    report, _ = load(store, "--date", "2016-05-06", "--year", "2016", str(path))
    assert report["rejected"] == 0
    assert lookups(store) == [
        ["167.73.110.8", "mail1.trump-email.com", "A", "2016-05-06", 1, None, None],
        ["217.12.96.15", "mail1.trump-email.com", "A", "2016-05-04", 1, "2016-05-04T09:45:00Z", "2016-05-04T09:45:00Z"],
    ]


def test_local_time_zone_moves_the_day(store: Store, tmp_path: Path) -> None:
    path = write_log(
        tmp_path / "query.log",
        [f"05-May-2016 01:30:00.000 client 217.12.96.15#1 (a.example.com): query: a.example.com IN A -E ({SERVER})"],
    )
    load(store, "--tz", "Europe/Moscow", str(path))  # UTC+3 in 2016
    assert [r[3:6] for r in lookups(store)] == [["2016-05-04", 1, "2016-05-04T22:30:00Z"]]


def test_the_motivating_concentration_is_visible(store: Store, tmp_path: Path) -> None:
    """Two bank resolvers and a health company's resolver looking one name up, over several days."""
    lines = []
    for day, clients in (
        (4, {"217.12.96.15": 30, "217.12.97.15": 20, "167.73.110.8": 7}),
        (5, {"217.12.96.15": 10, "167.73.110.8": 3}),
    ):
        for client, n in clients.items():
            for i in range(n):
                lines.append(
                    f"{day:02d}-May-2016 {i % 24:02d}:{i % 60:02d}:07.001 queries: info: client @0x7f1c2c0a8e10 "
                    f"{client}#{40000 + i} (mail1.trump-email.com): query: mail1.trump-email.com IN A -E(0)K ({SERVER})"
                )
    load(store, str(write_log(tmp_path / "query.log", lines)))
    rows = store.query(
        "MATCH (c:IPAddress)-[r:LOOKED_UP]->(d:Domain {name: 'mail1.trump-email.com'}) "
        "RETURN c.address, sum(r.count) AS n ORDER BY n DESC"
    )
    assert rows == [["217.12.96.15", 40], ["217.12.97.15", 20], ["167.73.110.8", 10]]


def test_strict_writes_nothing_from_a_bad_bind_log(store: Store, tmp_path: Path) -> None:
    path = write_log(tmp_path / "query.log", [text for text, _ in LINES])
    proc = store.cli("load", "bind", "--strict", str(path), check=False)
    assert proc.returncode == 1
    assert f"{path}:6: no timestamp" in proc.stderr
    assert store.stats()["relationships"]["LOOKED_UP"] == 0


def test_parse_zone() -> None:
    assert parse_zone(None) is parse_zone("UTC")
    assert str(parse_zone("+03:00")) == "UTC+03:00"
    with pytest.raises(ValueError, match="unknown time zone"):
        parse_zone("Mars/Olympus")


def test_lines_are_counted_without_a_store(tmp_path: Path) -> None:
    path = write_log(tmp_path / "query.log", [text for text, _ in LINES])
    rejects: list[Reject] = []
    ctx = ParseContext(path, "bind:test", rejects.append)
    list(BindParser()(ctx))
    assert ctx.counts["lines read"] == ctx.counts["lookups"] + sum(ctx.skipped.values()) + len(rejects)
