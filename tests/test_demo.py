"""The built-in 2016 case: its data says what the reporting says, the generator is
deterministic, and the demo's findings hold on both stores.

Expected values are counted here from the raw case files (log lines, passive DNS JSON),
not taken from the code under test.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from helpers import CliResult, Store, json_output, run_cli

from graphkit.demo import CASE_DIR
from graphkit.demo.make_case import GENERATED, write_case
from graphkit.demo.report import summary
from graphkit.demo.run import investigate, load_case

NAME = "mail1.trump-email.com"
BANK = ("217.12.96.15", "217.12.97.15")
HEALTH = "167.73.110.8"
LOG_LINE = re.compile(
    r"^(\d{2}-[A-Z][a-z]{2}-\d{4} \d{2}:\d{2}:\d{2}\.\d{3}) queries: info: client @0x[0-9a-f]+ "
    r"([\d.]+)#\d+ \(([^)]+)\): query: (\S+) IN (\S+) \S+ \(([\d.]+)\)$"
)


def raw_lookups() -> list[tuple[datetime, str, str, str]]:
    """(time, client, name, type) of every query-log line of the three servers."""
    found = []
    for path in sorted(CASE_DIR.glob("ns*.cdcservices.com-queries.log")):
        for line in path.read_text().splitlines():
            match = LOG_LINE.match(line)
            assert match, f"{path.name}: not a BIND query line: {line}"
            assert match[3] == match[4]
            moment = datetime.strptime(match[1], "%d-%b-%Y %H:%M:%S.%f").replace(tzinfo=UTC)
            found.append((moment, match[2], match[4], match[5]))
    return found


def name_counts() -> Counter[str]:
    return Counter(client for _, client, name, qtype in raw_lookups() if name == NAME and qtype == "A")


def pdns(rrname: str, rrtype: str) -> dict[str, object]:
    for line in (CASE_DIR / "passive-dns.jsonl").read_text().splitlines():
        record = json.loads(line)
        if record["rrname"] == rrname and record["rrtype"] == rrtype:
            return dict(record)
    raise AssertionError(f"no {rrtype} record for {rrname}")


def iso(epoch: object) -> str:
    assert isinstance(epoch, int)
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- the data ----------------------------------------------------------------------------------


def test_regenerating_the_case_gives_the_committed_files_byte_for_byte(tmp_path: Path) -> None:
    write_case(tmp_path)
    for name in GENERATED:
        assert (tmp_path / name).read_bytes() == (CASE_DIR / name).read_bytes(), f"{name} differs from the generator"
    assert sorted(p.name for p in CASE_DIR.iterdir()) == sorted([*GENERATED, "README.md"])


def test_the_logs_hold_the_reported_numbers() -> None:
    counts = name_counts()
    total = sum(counts.values())
    bank = sum(counts[c] for c in BANK)
    assert bank == 2820 and counts[HEALTH] == 714
    assert 0.79 <= bank / total <= 0.80  # "about 80%"
    assert (bank + counts[HEALTH]) / total >= 0.99  # "99%"
    lookups = raw_lookups()
    days = {moment.date().isoformat() for moment, *_ in lookups}
    assert min(days) == "2016-05-04" and max(days) == "2016-09-23"


def test_the_case_readme_documents_the_synthetic_split_and_remainder() -> None:
    counts = name_counts()
    readme = (CASE_DIR / "README.md").read_text()
    total = sum(counts.values())
    assert f"**{total:,}**" in readme
    for client, n in counts.items():
        assert re.search(rf"\| {re.escape(client)}\b[^|]*\| {n:,} \|", readme), f"{client} {n} not in the README"
    assert "synthetic" in readme.lower()


def test_bank_lookups_fall_in_moscow_working_hours_and_health_in_michigan() -> None:
    hours_msk = [(m.hour + 3) % 24 for m, client, name, _ in raw_lookups() if client in BANK and name == NAME]
    hours_mi = [(m.hour - 4) % 24 for m, client, name, _ in raw_lookups() if client == HEALTH and name == NAME]
    assert sum(9 <= h < 19 for h in hours_msk) / len(hours_msk) > 0.85
    assert sum(8 <= h < 18 for h in hours_mi) / len(hours_mi) > 0.85


# -- the findings, on both stores ----------------------------------------------------------------


def test_demo_findings(store: Store, tmp_path: Path) -> None:
    backend = store.open()
    try:
        load_case(backend, rejects_dir=tmp_path / "rejects")
        findings = investigate(backend)
    finally:
        backend.close()
    counts = name_counts()
    total = sum(counts.values())
    bank = sum(counts[c] for c in BANK)

    assert findings.total == total
    top, second = findings.sources[:2]
    assert (top.name, top.kind, top.lookups) == ("ALFA-BANK-AS Alfa-Bank Moscow Russia", "organization", 2820)
    assert 0.79 <= top.share <= 0.80 and top.share == round(bank / total, 4)
    assert sorted(top.clients) == list(BANK)
    assert (second.name, second.lookups, second.clients) == ("Spectrum Health", 714, [HEALTH])
    assert findings.top2_share >= 0.99 and findings.top2_share == round((bank + 714) / total, 4)
    assert {s.name: s.lookups for s in findings.sources[2:]} == {
        c: n for c, n in counts.items() if c not in (*BANK, HEALTH)
    }
    assert {s.name: s.lookups for s in findings.clients} == dict(counts)

    assert (findings.registrant, findings.admin, findings.nameserver_operator) == (
        "Trump Organization",
        "Cendyn",
        "Cendyn",
    )
    assert findings.nameservers == ["ns1.cdcservices.com", "ns2.cdcservices.com", "ns3.cdcservices.com"]
    assert (findings.mail_address, findings.mail_operator) == ("66.216.133.29", "Listrak")

    successor = pdns("trump1.contact-client.com", "A")
    assert findings.successor is not None and findings.successor["name"] == "trump1.contact-client.com"
    assert (
        findings.successor["first_seen"] == iso(successor["time_first"])
        and iso(successor["time_first"]) >= "2016-09-27"
    )
    assert findings.record_last_seen == iso(pdns(NAME, "A")["time_last"])
    assert findings.ptr_last_seen == iso(pdns("29.133.216.66.in-addr.arpa", "PTR")["time_last"])
    assert findings.ptr_last_seen > findings.record_last_seen
    assert len(findings.neighbours) == 5 and all(n["name"].endswith("-email.com") for n in findings.neighbours)

    assert findings.rare == [{"name": NAME, "clients": len(counts), "total": total}]
    background = Counter(c for _, c, name, _t in raw_lookups() if name.startswith("mail1.") and name != NAME)
    assert len(findings.other_names) == 5 and all(n["clients"] > 10 for n in findings.other_names)
    assert sum(n["total"] for n in findings.other_names) == sum(background.values())

    assert sum(int(r["lookups"]) for r in findings.weekly) == total
    weekly_bank = sum(int(r["lookups"]) for r in findings.weekly if r["source"] == top.name)
    assert weekly_bank == 2820

    to_trump = findings.paths["ALFA-BANK-AS Alfa-Bank Moscow Russia -> Trump Organization"]
    assert len(to_trump) == 2 and {p.keys[3] for p in to_trump} == set(BANK)
    for path in to_trump:
        assert path.keys[0] == top.name and path.keys[-1] == "Trump Organization" and path.hops == 6
        assert "-[LOOKED_UP]->" in path.steps
    assert findings.paths["Trump Organization -> Listrak"][0].keys[3] == "66.216.133.29"

    _check_paths_picture(findings)

    # co-lookup communities: the name's own clients, the bank's two resolvers among them, tied by it alone
    assert findings.community is not None
    assert set(findings.community.members) == set(counts) and set(BANK) | {HEALTH} <= set(counts)
    assert findings.community.shared_names == [NAME] and findings.community.communities > 1

    text = summary(findings)
    for needle in ("2,820 (79.48%)", "714 (20.12%)", "top two together 99.61%", "trump1.contact-client.com",
                   "Listrak", "Cendyn"):  # fmt: skip
        assert needle in text, needle
    assert text.count("Suspicious reading:") == text.count("Benign reading:") == 7
    assert f"tied together by {NAME} alone" in text

    before = store.stats()  # loading the case again changes nothing
    assert before["lookups"] == len(raw_lookups())
    backend = store.open()
    try:
        load_case(backend, rejects_dir=tmp_path / "rejects")
    finally:
        backend.close()
    assert store.stats() == before


# -- the command -------------------------------------------------------------------------------


def _graphkit(*args: str, cwd: Path) -> CliResult:
    """`graphkit ARGS` run in `cwd`, where the demo makes its store when GRAPHKIT_STORE is unset."""
    return run_cli(*args, cwd=cwd, env={"GRAPHKIT_STORE": None})


def test_graphkit_demo_loads_into_a_fresh_store_it_prints(tmp_path: Path) -> None:
    proc = _graphkit("demo", "--report", "report.html", cwd=tmp_path)
    stores = list(tmp_path.glob("graphkit-demo-*.lbdb"))
    assert len(stores) == 1
    assert f"The case is in {stores[0].name}" in proc.stdout
    assert "ALFA-BANK-AS Alfa-Bank Moscow Russia: 2,820 (79.48%)" in proc.stdout
    assert "top two together 99.61%" in proc.stdout
    page = (tmp_path / "report.html").read_text()
    assert 'id="timeline-chart"' in page and "data:image/png;base64," in page

    again = _graphkit("demo", "--store", stores[0].name, "--json", cwd=tmp_path)
    found = json_output(again)
    assert found["sources"][0]["lookups"] == 2820 and found["top2_share"] >= 0.99
    assert list(tmp_path.glob("graphkit-demo-*.lbdb")) == stores  # --store: no new store


def test_copy_case_copies_the_files(tmp_path: Path) -> None:
    _graphkit("demo", "--copy-case", "case", cwd=tmp_path)
    for name in (*GENERATED, "README.md"):
        assert (tmp_path / "case" / name).read_bytes() == (CASE_DIR / name).read_bytes()


def _check_paths_picture(findings: Any) -> None:
    """The report's picture of the paths: each node and relationship once, all in its box."""
    import xml.etree.ElementTree as ET

    from graphkit.demo.paths_svg import paths_svg

    paths = [path for found in findings.paths.values() for path in found]
    svg = ET.fromstring(paths_svg(paths))
    ns = "{http://www.w3.org/2000/svg}"
    width, height = (float(v) for v in svg.get("viewBox", "").split()[2:])
    nodes = {(p.labels[i], p.keys[i]) for p in paths for i in range(len(p.keys))}
    circles = svg.findall(f"{ns}g/{ns}circle")
    assert len(circles) == len(nodes)
    steps = {
        (p.keys[i + 1], s.strip("<>-[]"), p.keys[i])
        if s.startswith("<")
        else (p.keys[i], s.strip("<>-[]"), p.keys[i + 1])
        for p in paths
        for i, s in enumerate(p.steps)
    }
    lines = svg.findall(f"{ns}line")
    assert len(lines) == len(steps) and {line.find(f"{ns}title").text for line in lines} == {s[1] for s in steps}  # type: ignore[union-attr]
    for c in circles:
        assert 0 < float(c.get("cx", -1)) < width and 0 < float(c.get("cy", -1)) < height
    for line in lines:
        for x, y in (("x1", "y1"), ("x2", "y2")):
            assert 0 <= float(line.get(x, -1)) <= width and 0 <= float(line.get(y, -1)) <= height


def test_the_printed_next_steps_run_as_printed_in_a_fresh_shell(tmp_path: Path) -> None:
    """As `make demo` runs it: the virtualenv's graphkit by its path, not on the PATH; each
    step it prints then runs as printed in a new shell with that PATH."""
    import subprocess
    import sys

    from helpers import ROOT

    executable = Path(sys.executable).parent / "graphkit"
    started = executable.relative_to(ROOT) if executable.is_relative_to(ROOT) else executable
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    store = tmp_path / "demo.lbdb"
    demo = subprocess.run(
        [str(started), "demo", "--store", str(store)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert demo.returncode == 0, demo.stderr
    steps = demo.stdout.split("Explore it:\n", 1)[1].rstrip().splitlines()
    assert len(steps) == 2 and all(step.startswith(f"  {started} ") for step in steps)
    for step in steps:
        ran = subprocess.run(
            ["bash", "-c", step.strip()], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert ran.returncode == 0, (step, ran.stderr)
        assert ran.stdout.strip(), step
