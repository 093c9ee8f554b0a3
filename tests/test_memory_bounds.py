"""Bounded memory on hostile input (issue 17, defect 2): a line longer than the limit is one
reject naming its file, line and length, and reading goes on; a gzip bomb is refused; a
document read whole has a size limit. Every loader stays under 600 MB of peak RSS on a
200 MB-of-zeros gzip and on a 10 MB line, measured from the child process that loads them."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from helpers import Store, load_kinds

from graphkit.ingest import bounded, inputs

KINDS = load_kinds()
DOCUMENT_KINDS = ("rdap", "asnames", "certs")  # read whole: a long line is a large document to them
STREAMED_JSON_KINDS = ("crtsh", "stix")  # one JSON array or bundle, read an item at a time: refused at its first byte
BINARY_KINDS = ("dnstap",)  # Frame Streams: no lines
WINDOWS_KINDS = ("sysmon", "windns")  # Windows events, told by their first bytes (or a debug log's lines)
PEAK_LIMIT_MB = 600
KILL_AT_MB = 1500  # a child past this is stopped: the test has failed, the machine need not suffer
LONG = 2 * bounded.LINE_LIMIT
T0 = 1462356000.0

# A line before and after the long one, and a node only the line after it makes.
AROUND: dict[str, tuple[str, str, str, str]] = {
    "records": (
        '{"node": "Domain", "key": "before.example"}',
        '{"node": "Domain", "key": "after.example"}',
        "Domain",
        "after.example",
    ),
    "zone": (  # the escape after the long line takes the zone to dnspython's reader: read twice
        "$ORIGIN example.com.\n$TTL 300\nbefore IN A 192.0.2.1",
        'after IN A 192.0.2.2\nafter IN TXT "a\\;b"',
        "Domain",
        "after.example.com",
    ),
    "pdns": (
        '{"rrname": "before.example", "rrtype": "A", "rdata": "192.0.2.1"}',
        '{"rrname": "after.example", "rrtype": "A", "rdata": "192.0.2.2"}',
        "Domain",
        "after.example",
    ),
    "zeek": (
        f"#separator \\x09\n#fields\tts\tid.orig_h\tquery\tqtype_name\n{T0}\t10.0.0.1\tbefore.example\tA",
        f"{T0}\t10.0.0.2\tafter.example\tA",
        "Domain",
        "after.example",
    ),
    "zeek json": (
        json.dumps({"ts": T0, "id.orig_h": "10.0.0.1", "query": "before.example", "qtype_name": "A"}),
        json.dumps({"ts": T0, "id.orig_h": "10.0.0.2", "query": "after.example", "qtype_name": "A"}),
        "Domain",
        "after.example",
    ),
    "bind": (
        "04-May-2016 10:00:00.500 queries: client 10.0.0.1#53211: query: before.example IN A -E (192.0.2.53)",
        "04-May-2016 10:00:01.500 queries: client 10.0.0.2#53211: query: after.example IN A -E (192.0.2.53)",
        "Domain",
        "after.example",
    ),
    "csv-log": (
        "ts,client,qname\n2016-05-04T10:00:00Z,10.0.0.1,before.example",
        "2016-05-04T10:00:01Z,10.0.0.2,after.example",
        "Domain",
        "after.example",
    ),
    "whois": (
        "Domain Name: before.example\nRegistrar: Example Registrar",
        "Domain Name: after.example",
        "Domain",
        "after.example",
    ),
    "attributions": (
        "address_or_cidr,organization,role,note\n192.0.2.1,Before Org,resolver",
        "192.0.2.2,After Org,resolver",
        "IPAddress",
        "192.0.2.2",
    ),
}
KEYS = {"Domain": "name", "IPAddress": "address"}


@pytest.mark.parametrize("kind", sorted(AROUND))
def test_a_too_long_line_is_one_reject_and_reading_goes_on(kind: str, store: Store, tmp_path: Path) -> None:
    before, after, label, key = AROUND[kind]
    path = tmp_path / f"{kind.replace(' ', '-')}.txt"
    path.write_bytes(before.encode() + b"\n" + b"x" * LONG + b"\n" + after.encode() + b"\n")
    number = before.count("\n") + 2
    proc = store.cli("load", kind.split()[0], str(path))
    assert f"{path}:{number}: line too long ({LONG:,} bytes, over the limit of {bounded.LINE_LIMIT:,})" in proc.stderr
    assert proc.stderr.count("line too long") == 1  # once, though a zone is read more than once
    found = store.query(f"MATCH (n:{label}) WHERE n.{KEYS[label]} = $key RETURN count(n)", key=key)
    assert found == [[1]]


def test_the_rejects_file_keeps_the_start_of_the_long_line(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    path.write_bytes(b"y" * LONG + b"\n")
    proc = store.cli("load", "records", str(path), check=False)
    assert proc.returncode == 1  # its one record rejected: the file loaded nothing
    rejects = Path(proc.stderr.split("rejected lines written to ")[1].split()[0]).read_text()
    assert f"{path}:1: line too long" in rejects
    assert "y" * 200 in rejects and "y" * 400 not in rejects


def _read(data: bytes, limit: int) -> tuple[bytes, list[tuple[int, str]]]:
    path = io.BytesIO(data)
    told: list[tuple[int, str]] = []
    stream = bounded.Bounded(path, limit, lambda n, reason, head: told.append((n, reason)), None, _never)  # type: ignore[arg-type]
    return io.BufferedReader(stream).read(), told


def _never(reason: str) -> None:
    raise AssertionError(reason)


def test_the_bounded_stream_blanks_long_lines_and_keeps_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bounded, "CHUNK", 3)  # lines across many reads
    data = b"ok\n" + b"a" * 11 + b"\nfine\n\n" + b"b" * 10 + b"\n" + b"c" * 25
    out, told = _read(data, 10)
    assert out == b"ok\n\nfine\n\n" + b"b" * 10 + b"\n"
    assert told == [
        (2, "line too long (11 bytes, over the limit of 10): skipped"),
        (6, "line too long (25 bytes, over the limit of 10): skipped"),
    ]


def test_a_gzip_bomb_is_refused_and_an_ordinary_gzip_reads(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.gz"
    bomb.write_bytes(gzip.compress(bytes(bounded.RATIO_AFTER + (1 << 20))))
    stream, _ = inputs.open_binary(bomb, on_too_large=_raise)
    with pytest.raises(_TooLarge, match=r"gzip expands more than 200 fold .* a decompression bomb"):
        while stream.read(1 << 20):
            pass
    text = b"".join(b"%d.example.com. 300 IN A 192.0.2.%d\n" % (i, i % 250) for i in range(100_000))
    plain = tmp_path / "zone.gz"
    plain.write_bytes(gzip.compress(text))
    with inputs.open_binary(plain, on_too_large=_raise)[0] as stream:
        assert stream.read() == text


class _TooLarge(Exception):
    pass


def _raise(reason: str) -> None:
    raise _TooLarge(reason)


def test_a_whois_answer_over_its_limit_is_rejected_and_the_next_one_loads(store: Store, tmp_path: Path) -> None:
    from graphkit.parsers.whois import ANSWER_LIMIT

    path = tmp_path / "answers.txt"
    endless = b"Name Server: ns1.example.net\n" * (ANSWER_LIMIT // 29 + 1)
    path.write_bytes(
        b"Domain Name: big.example\n" + endless + b"Domain Name: next.example\nName Server: ns.next.example\n"
    )
    proc = store.cli("load", "whois", str(path))
    assert f"{path}:1: the answer for big.example is larger than 4 MiB: not read" in proc.stderr
    assert store.query("MATCH (d:Domain)-[:USES_NAMESERVER]->(n:Domain) RETURN d.name, n.name") == [
        ["next.example", "ns.next.example"]
    ]


def test_rdap_json_lines_larger_than_a_document_are_read_one_at_a_time(store: Store, tmp_path: Path) -> None:
    from graphkit.parsers.rdap import MAX_DOCUMENT_BYTES

    path = tmp_path / "answers.jsonl"
    filler = {"objectClassName": "domain", "ldhName": "x.example", "remarks": [{"description": ["z" * 60_000]}]}
    lines = [json.dumps({**filler, "ldhName": f"d{i}.example"}) for i in range(MAX_DOCUMENT_BYTES // 60_000 + 2)]
    path.write_text("\n".join([*lines[:3], "not json", *lines[3:]]) + "\n")
    proc = store.cli("load", "rdap", str(path))
    assert f"{path}:4: not JSON" in proc.stderr
    assert store.query(
        "MATCH (d:Domain) WHERE d.name = 'd0.example' OR d.name = $last RETURN count(d)",
        last=f"d{len(lines) - 1}.example",
    ) == [[2]]


# -- every loader, in a child process, on a bomb and on a 10 MB line ----------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    bomb = folder / "zeros.gz"
    pack = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip header
    block = bytes(1 << 20)
    with bomb.open("wb") as out:
        for _ in range(200):
            out.write(pack.compress(block))
        out.write(pack.flush())
    long = folder / "long.txt"
    long.write_bytes(b"a" * (10 << 20) + b"\n")
    return {"bomb": bomb, "long line": long}


# Runs `graphkit ARGS` as its own child and reports that child's exit status and peak RSS.
# Measured from a small launcher, not from pytest: a child keeps, as its peak, the memory of
# the process it was forked from (Linux carries the high-water mark across exec), and pytest
# may have grown past the limit by the time this test runs. The launcher also kills the load
# beyond KILL_AT_MB, so a regression fails the test instead of exhausting the machine.
_LAUNCHER = """
import os, sys, threading, time
report, limit_kb, args = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, "-m", "graphkit", *args])
done = threading.Event()
def guard():
    while not done.is_set():
        try:
            status = open(f"/proc/{pid}/status").read()
        except OSError:
            return
        rss = next((int(l.split()[1]) for l in status.splitlines() if l.startswith("VmRSS:")), 0)
        if rss > limit_kb:
            os.kill(pid, 9)
            return
        time.sleep(0.05)
threading.Thread(target=guard, daemon=True).start()
_, status, usage = os.wait4(pid, 0)
done.set()
with open(report, "w") as out:
    out.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}")
"""


def _load_measured(kind: str, path: Path, tmp_path: Path) -> tuple[int, str, float]:
    """(exit status, stdout and stderr, peak RSS in MB) of `graphkit load KIND PATH`."""
    report = tmp_path / "peak.txt"
    args = ["load", kind, str(path), "--store", str(tmp_path / "store")]
    proc = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, str(report), str(KILL_AT_MB * 1024), *args],
        capture_output=True,
        text=True,
        timeout=600,
    )
    status, peak_kb = (int(v) for v in report.read_text().split())
    return status, proc.stdout + proc.stderr, peak_kb / 1024


@pytest.mark.slow
@pytest.mark.parametrize("case", ["bomb", "long line"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_loader_stays_within_its_memory_on_hostile_input(
    kind: str, case: str, hostile: dict[str, Path], tmp_path: Path
) -> None:
    path = hostile[case]
    status, output, peak_mb = _load_measured(kind, path, tmp_path)
    print(f"load {kind} {case}: peak RSS {peak_mb:.0f} MB")
    assert peak_mb <= PEAK_LIMIT_MB, f"peak RSS {peak_mb:.0f} MB\n{output}"
    assert status in (0, 1), output  # a message and an exit, not a crash or a kill
    assert "Traceback" not in output and "internal error" not in output
    if kind == "log":  # told apart by its first bytes, which fit no log: refused before reading on
        assert f"rejected whole: {path}: cannot tell which log this is" in output
    elif kind in WINDOWS_KINDS:  # refused at its first bytes, which are no Windows events
        assert f"rejected whole: {path}:1: not Windows events" in output
    elif kind in STREAMED_JSON_KINDS:
        assert f"rejected whole: {path}:1: not JSON" in output
    elif kind in BINARY_KINDS:  # frames, not lines: refused at the first, which is no dnstap frame
        assert f"rejected whole: {path}:1: " in output
        assert "not a dnstap file" in output
    elif case == "bomb":
        assert f"rejected whole: {path}: " in output
        assert "decompression bomb" in output or "larger than 8 MiB" in output
    elif kind in DOCUMENT_KINDS:
        assert f"{path}" in output and "larger than 8 MiB" in output
    else:
        assert f"{path}:1: line too long (10,485,760 bytes" in output


def test_a_load_allocates_arrow_memory_with_jemalloc_where_pyarrow_has_it(tmp_path: Path) -> None:
    """jemalloc hands freed memory back (graphkit.model.tables.use_returning_allocator); a child
    process, so that the pool this process chose stays as it was."""
    check = (
        "import pyarrow as pa, sys\n"
        "from graphkit.cli.app import main\n"
        "try:\n    pa.jemalloc_memory_pool(); want = 'jemalloc'\n"
        "except NotImplementedError:\n    want = pa.default_memory_pool().backend_name\n"
        "try:\n    main(['--store', sys.argv[1], 'load', 'records', sys.argv[2]])\n"
        "except SystemExit:\n    pass\n"
        "print(want, pa.default_memory_pool().backend_name)\n"
    )
    records = tmp_path / "one.jsonl"
    records.write_text('{"node": "Domain", "key": "example.com"}\n')
    child = subprocess.run(
        [sys.executable, "-c", check, str(tmp_path / "graph.lbdb"), str(records)], capture_output=True, text=True
    )
    want, used = child.stdout.split()[-2:]
    assert used == want, child.stderr
