"""`graphkit load dnsmasq`: dnsmasq log-queries lines (and Pi-hole's) -> lookups and answers, on
both stores. The same traffic as Zeek's is in test_lookup_formats."""

from __future__ import annotations

import os
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from helpers import Store, json_lines, realdata, rejects
from parse_outputs import parse_outputs
from test_zeek import lookups_by_pair

from graphkit.parsers import dnsmasq, dnsmasq_blocks
from graphkit.parsers.dnsmasq import DnsmasqParser

REAL = "wilan_of_shame_dnsmasq_2.90.log"
QUERY = re.compile(r"dnsmasq\[\d+\]: query\[[^\]]+\] (\S+) from (\S+)$")


def load(store: Store, *args: str, check: bool = True) -> tuple[dict[str, Any], str]:
    proc = store.cli("load", "dnsmasq", "--format", "json", *args, check=check)
    return json_lines(proc)[0], proc.stderr


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_the_real_log_agrees_with_an_independent_count(store: Store) -> None:
    path = realdata() / "dnsmasq" / REAL
    lines = path.read_text(encoding="utf-8").splitlines()
    queries = Counter((m[2], m[1].lower()) for line in lines if (m := QUERY.search(line)))
    report, stderr = load(store, "--year", "2024", str(path))
    assert report["rejected"] == 0 and "rejected" not in stderr
    assert report["counts"]["lookups"] == sum(queries.values()) > 800
    assert lookups_by_pair(store) == queries
    dhcp = sum(1 for line in lines if " dnsmasq-dhcp[" in line)
    assert report["skipped"]["dnsmasq-dhcp lines (DHCP and others)"] == dhcp
    days = store.query("MATCH ()-[r:LOOKED_UP]->() RETURN DISTINCT r.day ORDER BY r.day")
    assert days == [["2024-06-19"]]


def test_answers_made_up_by_dnsmasq_never_link_names(store: Store) -> None:
    """The log's captive portal answers every name with 192.168.0.164 (`config`): linking them
    would join hundreds of unrelated names through one address."""
    path = realdata() / "dnsmasq" / REAL
    made_up = sum(1 for line in path.read_text(encoding="utf-8").splitlines() if ": config " in line)
    report, _ = load(store, "--year", "2024", str(path))
    assert made_up > 800 and report["skipped"][next(k for k in report["skipped"] if "made up" in k)] == made_up
    assert not store.query("MATCH (:Domain)-[r:RESOLVES_TO]->(:IPAddress {address: '192.168.0.164'}) RETURN r")
    # real answers do link: the CNAME chain of Firefox's portal check, then its address
    chain = store.query(
        "MATCH (:Domain {name: 'detectportal.firefox.com'})-[:ALIAS_OF]->(b:Domain)-[:ALIAS_OF]->(c:Domain)"
        "-[:RESOLVES_TO]->(i:IPAddress) RETURN DISTINCT b.name, c.name, i.address"
    )
    assert ["detectportal.prod.mozaws.net", "prod.detectportal.prod.cloudops.mozgcp.net", "2600:1901:0:38d7::"] in chain


def test_pihole_and_extra_lines(store: Store, tmp_path: Path) -> None:
    path = write(
        tmp_path / "pihole.log",
        [
            "Mar  3 10:00:00 dnsmasq[51]: 17 10.0.0.8/41000 query[A] ads.example.com from 10.0.0.8",
            "Mar  3 10:00:00 dnsmasq[51]: 17 10.0.0.8/41000 gravity blocked ads.example.com is 0.0.0.0",
            "Mar  3 10:00:01 pihole-FTL[51]: query[AAAA] nas.lan from 10.0.0.9",
            "Mar  3 10:00:01 pihole-FTL[51]: /etc/pihole/custom.list nas.lan is 10.0.0.2",
            "Mar  3 10:00:02 router dnsmasq[51]: query[type=65] www.example.org from 10.0.0.8",
            "Mar  3 10:00:02 router dnsmasq[51]: reply www.example.org is <HTTPS>",
            "Mar  3 10:00:03 dnsmasq[51]: query[A] www.example.org from 10.0.0.8",
            "Mar  3 10:00:03 dnsmasq[51]: cached www.example.org is 93.184.215.14",
        ],
    )
    load(store, "--year", "2025", str(path))
    rows = store.query(
        "MATCH (c:IPAddress)-[r:LOOKED_UP]->(d:Domain) RETURN c.address, d.name, r.qtype ORDER BY d.name, r.qtype"
    )
    assert rows == [
        ["10.0.0.8", "ads.example.com", "A"],
        ["10.0.0.9", "nas.lan", "AAAA"],
        ["10.0.0.8", "www.example.org", "A"],
        ["10.0.0.8", "www.example.org", "HTTPS"],
    ]
    assert store.query("MATCH (d:Domain)-[:RESOLVES_TO]->(i:IPAddress) RETURN d.name, i.address") == [
        ["www.example.org", "93.184.215.14"]
    ]


def test_the_year_turns_and_comes_from_the_files_time(store: Store, tmp_path: Path) -> None:
    path = write(
        tmp_path / "dnsmasq.log",
        [
            "Dec 31 23:59:59 dnsmasq[1]: query[A] a.example from 10.0.0.1",
            "Jan  1 00:00:01 dnsmasq[1]: query[A] b.example from 10.0.0.1",
        ],
    )
    written = datetime(2025, 1, 2, tzinfo=UTC).timestamp()
    os.utime(path, (written, written))
    report, _ = load(store, str(path))
    assert report["counts"]["year of the first line, from the file's modification time"] == 2024
    rows = store.query("MATCH ()-[r:LOOKED_UP]->(d:Domain) RETURN d.name, r.day, r.first_seen ORDER BY d.name")
    assert rows == [
        ["a.example", "2024-12-31", "2024-12-31T23:59:59Z"],
        ["b.example", "2025-01-01", "2025-01-01T00:00:01Z"],
    ]


def test_bad_lines_are_rejected_with_their_line_and_the_rest_loads(store: Store, tmp_path: Path) -> None:
    path = write(
        tmp_path / "bad.log",
        [
            "Jun  1 10:00:00 dnsmasq[1]: query[A] good.example from 10.0.0.1",
            "this is not a dnsmasq line",
            "Feb 30 10:00:00 dnsmasq[1]: query[A] feb.example from 10.0.0.1",
            "Jun  1 10:00:02 dnsmasq[1]: query[A] good.example from 300.0.0.1",
            "Jun  1 10:00:03 dnsmasq[1]: started, version 2.90 cachesize 150",
            "",
            "Jun  1 10:00:04 dnsmasq[1]: query[A] good.example from 10.0.0.1",
        ],
    )
    report, stderr = load(store, "--year", "2024", str(path))
    assert [r.split(": ", 1)[0] for r in rejects(stderr)] == [f"{path}:{n}" for n in (2, 3, 4)]
    reasons = [r.split(": ", 1)[1] for r in rejects(stderr)]
    assert reasons[0] == "not a dnsmasq log line" and reasons[1].startswith("bad timestamp")
    assert "300.0.0.1" in reasons[2]
    assert report["skipped"] == {"other messages": 1, "blank line": 1}
    assert store.query("MATCH ()-[r:LOOKED_UP]->() RETURN r.count") == [[2]]
    strict, _ = load(store, "--strict", "--year", "2024", str(path), check=False)
    assert strict["rejected_whole"].startswith(f"--strict: {path}:2: not a dnsmasq log line")


@pytest.mark.parametrize("tz", ["Europe/Berlin", "+02:00"])
def test_local_time_is_read_in_the_zone_given(store: Store, tmp_path: Path, tz: str) -> None:
    path = write(tmp_path / "tz.log", ["Jun  1 01:30:00 dnsmasq[1]: query[A] a.example from 10.0.0.1"])
    load(store, "--year", "2024", "--tz", tz, str(path))
    assert store.query("MATCH ()-[r:LOOKED_UP]->() RETURN r.day, r.first_seen") == [
        ["2024-05-31", "2024-05-31T23:30:00Z"]
    ]


@pytest.mark.parametrize("damaged", [False, True])
def test_the_block_reader_gives_what_the_line_reader_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damaged: bool
) -> None:
    """Arrow's matching of blocks (dnsmasq_blocks) against the line reader's, in blocks of a few
    lines, so that the year and a pending <CNAME> carry from block to block (and, with a damaged
    line, between the two readers): alias chains across a DHCP line, made-up answers, Pi-hole's
    and extra lines, numbered types, a bad client address (a reject), December then January."""
    lines = [
        "Dec 31 23:59:58 dnsmasq[1]: query[A] www.example.com from 10.0.0.5",
        "Dec 31 23:59:58 dnsmasq[1]: forwarded www.example.com to 192.0.2.53",
        "Dec 31 23:59:58 dnsmasq[1]: query[A] bücher.example from 10.0.0.5",  # not ASCII: read line by line
        "Dec 31 23:59:59 dnsmasq[1]: reply www.example.com is <CNAME>",
        "Dec 31 23:59:59 dnsmasq-dhcp[1]: DHCPACK(eth0) 10.0.0.9 aa:bb:cc:dd:ee:ff",
        "Dec 31 23:59:59 dnsmasq[1]: reply edge.example.net is <CNAME>",
        "Jan  1 00:00:00 dnsmasq[1]: reply origin.example.org is 192.0.2.7",
        "Jan  1 00:00:00 dnsmasq[1]: reply origin.example.org is 2001:db8::7",
        "Jan  1 00:00:01 dnsmasq[1]: 17 10.0.0.8/41000 query[type=65] www.example.org from 10.0.0.8",
        "Jan  1 00:00:01 dnsmasq[1]: reply www.example.org is <HTTPS>",
        "Jan  1 00:00:02 pihole-FTL[51]: query[AAAA] nas.lan from 10.0.0.9",
        "Jan  1 00:00:02 pihole-FTL[51]: /etc/pihole/custom.list nas.lan is 10.0.0.2",
        "Jan  1 00:00:03 dnsmasq[1]: query[A] bad.example from 10.0.0.999",
        "Jan  1 00:00:03 dnsmasq[1]: cached bad.example is <CNAME>",
        "Jan  1 00:00:04 dnsmasq[1]: config captive.example is 192.168.0.164",
        "Jan  1 00:00:05 dnsmasq[1]: cached www.example.com is <CNAME>",
        "Jan  1 00:00:05 dnsmasq[1]: cached edge.example.net is 192.0.2.8",
        "Feb  2 10:00:00 dnsmasq[1]: reply x.example is <NXDOMAIN>",
    ]
    if damaged:
        lines.insert(12, "Jan  1 00:00:01 this line is no dnsmasq line")
    path = write(tmp_path / "dnsmasq.log", lines)
    monkeypatch.setattr(dnsmasq, "BLOCK_BYTES", 200)  # two or three lines a block
    taken: list[bool] = []
    real_take = dnsmasq_blocks.take

    def counted(*args: Any) -> bool:
        taken.append(real_take(*args))
        return taken[-1]

    monkeypatch.setattr(dnsmasq_blocks, "take", counted)
    by_blocks = parse_outputs(DnsmasqParser(year=2024), path)
    assert taken.count(False) == 1 + damaged and any(taken)
    monkeypatch.setattr(dnsmasq_blocks, "take", lambda *args: False)
    by_lines = parse_outputs(DnsmasqParser(year=2024), path)
    assert by_blocks == by_lines
    assert [r.reason for r in by_lines[1]] == ["not a dnsmasq log line"] * damaged + ["bad client address '10.0.0.999'"]
    aliases = {row[:2] for row in by_lines[0]["ALIAS_OF"]}
    assert aliases == {("www.example.com", "edge.example.net"), ("edge.example.net", "origin.example.org")}
