"""`graphkit load umbrella`: Cisco Umbrella DNS logs -> lookups, on both stores. No real export
was available: the lines are written from Cisco's documented log format (version 13 and the
ten columns every version starts with). The same traffic as Zeek's is in test_lookup_formats."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import Store, json_lines, rejects
from parse_outputs import parse_outputs

from graphkit.parsers import umbrella_blocks
from graphkit.parsers.umbrella import UmbrellaParser

HEADER = (
    '"Timestamp","Most Granular Identity","Identities","Internal IP","External IP","Action","Query Type",'
    '"Response Code","Domain","Categories","Most Granular Identity Type","Identity Types","Blocked Categories",'
    '"Rule ID","Destination Countries","Organization ID"'
)
ROAMING = '"2024-03-14 18:59:25","LAPTOP-7","LAPTOP-7","","198.51.100.9","Allowed","1 (A)","NOERROR","x.example.","",""'


def line(
    stamp: str, internal: str, action: str, qtype: str, domain: str, more: str = ',"AD Users","AD Users",""'
) -> str:
    return f'"{stamp}","Jane (jane@example.com)","Jane (jane@example.com),HQ","{internal}","203.0.113.7",' + (
        f'"{action}","{qtype}","NOERROR","{domain}","Software/Technology"{more}'
    )


def load(store: Store, *args: str, check: bool = True) -> tuple[dict[str, Any], str]:
    proc = store.cli("load", "umbrella", "--format", "json", *args, check=check)
    return json_lines(proc)[0], proc.stderr


def test_umbrella_lines_of_several_versions(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "dnslogs.csv"
    lines = [
        HEADER,
        line("2024-03-14 18:59:23", "10.1.2.3", "Allowed", "1 (A)", "www.example.com."),
        line(
            "2024-03-14 18:59:24", "10.1.2.3", "Blocked", "28 (AAAA)", "malware.example.net.", more=""
        ),  # v2: 10 fields
        ROAMING,
        "",
        '"2024-03-14 18:59:26","only","three"',
        line("2024-13-14 18:59:27", "10.1.2.3", "Allowed", "1 (A)", "www.example.com."),
        line("2024-03-15 08:00:00", "10.1.2.4", "Allowed", "A", "www.example.com."),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report, stderr = load(store, str(path))
    assert [r.split(": ", 1)[0] for r in rejects(stderr)] == [f"{path}:6", f"{path}:7"]
    assert report["counts"]["Umbrella Blocked"] == 1 and report["counts"]["Umbrella Allowed"] == 3
    assert report["skipped"]["header line"] == 1
    assert report["skipped"]["queries with no internal address (only the shared egress address): not lookups"] == 1
    rows = store.query(
        "MATCH (c:IPAddress)-[r:LOOKED_UP]->(d:Domain) RETURN c.address, d.name, r.qtype, r.day ORDER BY r.day, d.name"
    )
    assert rows == [
        ["10.1.2.3", "malware.example.net", "AAAA", "2024-03-14"],
        ["10.1.2.3", "www.example.com", "A", "2024-03-14"],
        ["10.1.2.4", "www.example.com", "A", "2024-03-15"],
    ]
    # the egress address is nobody's client
    assert not store.query("MATCH (c:IPAddress {address: '198.51.100.9'}) RETURN c")


def test_the_block_reader_gives_what_the_line_reader_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Arrow's reading of a block (umbrella_blocks) against the line reader's, on lines of every
    kind it takes: roaming queries, blocked ones, types spelt three ways, an empty domain, a bad
    client address (a reject, by its line), one width throughout."""
    lines = [
        line("2024-03-14 18:59:23", "10.1.2.3", "Allowed", "1 (A)", "www.example.com."),
        line("2024-03-14 18:59:24", "10.1.2.3", "Blocked", "28 (AAAA)", "WWW.Example.com"),
        line("2024-03-14 18:59:25", "", "Allowed", "1 (A)", "x.example."),
        line("2024-03-15 00:00:01", "10.1.2.4", "Allowed", "MX", "example.org."),
        line("2024-03-15 00:00:02", "10.1.2.999", "Allowed", "1 (A)", "bad-client.example."),
        line("2024-03-15 00:00:03", "10.1.2.4", "Allowed", "65280 (TYPE65280)", ""),
        line("2024-03-15 00:00:04", "fd00::5", "Proxied", "16 (TXT)", "txt.example.net."),
    ]
    path = tmp_path / "umbrella.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    taken = []
    real_take = umbrella_blocks.take

    def counted(*args: Any) -> bool:
        taken.append(real_take(*args))
        return taken[-1]

    monkeypatch.setattr(umbrella_blocks, "take", counted)
    by_blocks = parse_outputs(UmbrellaParser(), path)
    assert taken == [True]
    monkeypatch.setattr(umbrella_blocks, "take", lambda *args: False)
    by_lines = parse_outputs(UmbrellaParser(), path)
    assert by_blocks == by_lines
    assert [(r.line, r.reason) for r in by_lines[1]] == [(5, "bad client address '10.1.2.999'")]
    assert by_lines[0]["LOOKED_UP"]
