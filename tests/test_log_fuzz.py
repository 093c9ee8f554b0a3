"""Property-based tests of the lookup-log parsers (parser + aggregator, no store).

For generated files mixing well-formed and malformed lines: no exception escapes (a
whole-file rejection with its reason is allowed), and every data line is accounted for
exactly once: counted as a lookup, skipped with a reason, or rejected with its own line
number and a reason. For Zeek TSV the Arrow path and the line-by-line path agree.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from parse_outputs import parse_outputs

from graphkit.ingest.context import Reject
from graphkit.ingest.lookups.aggregator import LookupOptions
from graphkit.parsers.bind import BindParser
from graphkit.parsers.csvlog import CsvLogParser
from graphkit.parsers.zeek import ZeekParser

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for all examples (a folder per example costs more than the parse)."""
    return tmp_path_factory.mktemp("fuzz")


FUZZ = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])

noise = st.binary(max_size=40).filter(lambda b: b"\n" not in b and b"\r" not in b)
text_noise = st.text(max_size=30).filter(lambda t: "\n" not in t and "\r" not in t)
ipv4 = st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t)))
ipv6 = st.sampled_from(["2001:db8::1", "fe80::1", "::1", "ff02::fb", "2001:DB8:0:0::7", "::ffff:10.0.0.1"])
label = st.text("abcxyz019-_", min_size=1, max_size=8)
name = st.lists(label, min_size=1, max_size=4).map(".".join) | st.sampled_from(
    ["Mail1.Trump-Email.COM.", "printer.local", "x.254.169.in-addr.arpa", "*\\x00\\x00", "a..b", "-", "(empty)", ""]
)
timestamp = st.floats(0, 4.2e9).map(lambda f: f"{f:.6f}") | st.sampled_from(
    ["-", "", "nan", "1e300", "-1", "abc", "1462353123"]
)
qtype = st.sampled_from(["A", "AAAA", "MX", "NB", "NBSTAT", "-", "TYPE65534", "bad type", "", "Ä"])
port = st.sampled_from(["53", "5353", "5355", "137", "-", "x"])
answers = st.sampled_from(
    ["-", "(empty)", "192.0.2.1", "a.example.net,192.0.2.1", "TXT 18 abc,def", ",,", "2001:db8::5"]
)
address = ipv4 | ipv6 | st.sampled_from(["-", "", "300.1.1.1", "1.2.3", "x"])


def as_bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


def assert_accounted(rejects: list[Reject], counts: dict[str, int], data_lines: set[int]) -> None:
    skipped = sum(v for k, v in counts.items() if k.startswith("skipped "))
    assert counts.get("lines read", 0) == counts.get("lookups", 0) + skipped + len(rejects)
    numbers = [r.line for r in rejects]
    assert len(numbers) == len(set(numbers)), "a line rejected twice"
    assert all(n in data_lines for n in numbers), (numbers, data_lines)
    assert all(r.reason for r in rejects)


# -- Zeek TSV ---------------------------------------------------------------------------------------

ZEEK_FIELDS = ["ts", "id.orig_h", "id.resp_h", "id.resp_p", "query", "qtype_name", "answers", "TTLs", "RD", "uid"]
zeek_values = {
    "ts": timestamp,
    "id.orig_h": address,
    "id.resp_h": address,
    "id.resp_p": port,
    "query": name,
    "qtype_name": qtype,
    "answers": answers,
    "TTLs": st.sampled_from(["-", "60.0", "60.0,30.0", "x"]),
    "RD": st.sampled_from(["T", "F", "-"]),
    "uid": st.just("C1"),
}


@st.composite
def zeek_line(draw: st.DrawFn, fields: list[str]) -> bytes:
    kind = draw(st.sampled_from(["good", "good", "good", "short", "long", "noise", "blank", "bytes"]))
    values = [as_bytes(draw(zeek_values[f])) for f in fields]
    if kind == "short":
        values = values[: draw(st.integers(0, len(values) - 1))]
    elif kind == "long":
        values.append(b"extra")
    elif kind == "noise":
        return draw(noise).lstrip(b"#")
    elif kind == "blank":
        return b""
    elif kind == "bytes":
        values[draw(st.integers(0, len(values) - 1))] = b"\xff\xfe"
    return b"\t".join(values)


@st.composite
def zeek_file(draw: st.DrawFn) -> tuple[bytes, set[int]]:
    fields = draw(st.permutations(ZEEK_FIELDS))
    head = [
        b"#separator \\x09",
        b"#set_separator\t,",
        b"#unset_field\t-",
        b"#empty_field\t(empty)",
        b"#fields\t" + "\t".join(fields).encode(),
    ]
    body = draw(st.lists(zeek_line(fields), max_size=30))
    lines = head + body + draw(st.sampled_from([[], [b"#close\tx"]]))
    data_lines = {len(head) + i + 1 for i in range(len(body))}
    ending = draw(st.sampled_from([b"\n", b""]))
    return b"\n".join(lines) + ending, data_lines


@FUZZ
@given(zeek_file(), st.booleans())
def test_zeek_tsv_lines_are_all_accounted_for_on_both_paths(
    workdir: Path, case: tuple[bytes, set[int]], keep_local: bool
) -> None:
    content, data_lines = case
    path = workdir / "dns.log"
    path.write_bytes(content)
    options = LookupOptions(keep_local=keep_local)
    fast = parse_outputs(ZeekParser(options, fast=True), path)
    slow = parse_outputs(ZeekParser(options, fast=False), path)
    assert not fast[3]  # a valid header: never rejected whole
    assert_accounted(fast[1], fast[2], data_lines)
    assert fast[0] == slow[0]
    assert sorted((r.line, r.reason) for r in fast[1]) == sorted((r.line, r.reason) for r in slow[1])
    assert fast[2] == slow[2]


json_doc = st.fixed_dictionaries(
    {
        "ts": st.floats(0, 4.2e9) | st.sampled_from(["2016-05-04T09:12:03Z", "yesterday", None, True, [1]]),
        "id.orig_h": address,
        "query": name,
        "qtype_name": qtype,
        "id.resp_h": address,
        "id.resp_p": st.sampled_from([53, 5353, 137, "x"]),
        "answers": st.sampled_from([[], ["192.0.2.1"], ["a.example.net", "192.0.2.9"], ["TXT 1 a,b"], "1.2.3.4"]),
        "TTLs": st.sampled_from([[], [60.0], [60.0, 30.0]]),
        "RD": st.booleans(),
    }
)
json_line = st.one_of(
    json_doc.map(lambda d: json.dumps(d).encode()),
    st.tuples(json_doc, st.sampled_from(["ts", "id.orig_h", "query", "answers"])).map(
        lambda pair: json.dumps({k: v for k, v in pair[0].items() if k != pair[1]}).encode()
    ),
    noise.map(lambda b: b"{" + b),
    st.sampled_from([b"", b"[1, 2]", b"null", b'"text"']),
)


@FUZZ
@given(st.lists(json_line, max_size=25))
def test_zeek_json_lines_are_all_accounted_for(workdir: Path, lines: list[bytes]) -> None:
    path = workdir / "dns.json.log"
    path.write_bytes(b"{}\n" + b"\n".join(lines) + b"\n")  # '{' first: read as JSON
    out, rejects, counts, whole = parse_outputs(ZeekParser(), path)
    assert not whole
    assert_accounted(rejects, counts, set(range(1, len(lines) + 2)))


# -- BIND ---------------------------------------------------------------------------------------------

bind_time = st.sampled_from(
    [
        "04-May-2016 09:12:03.123 ",
        "31-Feb-2016 00:00:00.000 ",
        "2016-05-04T09:12:03.5Z ",
        "May  4 09:12:03 ns1 named[12]: ",
        "",
        "99-Xyz-2016 25:61:61.000 ",
    ]
)
bind_prefix = st.sampled_from(["", "queries: info: ", "queries: ", "info: ", "security: info: "])


@st.composite
def bind_line(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["good", "good", "good", "noise", "blank", "bytes", "other"]))
    if kind == "noise":
        return draw(noise)
    if kind == "blank":
        return b""
    if kind == "other":
        return b"05-May-2016 00:00:01.000 client 10.0.0.1#53 (x.com): query (cache) 'x.com/A/IN' denied"
    client = draw(address)
    text = (
        draw(bind_time)
        + draw(bind_prefix)
        + "client "
        + draw(st.sampled_from(["", "@0x7f1c2c0a8e10 "]))
        + f"{client}#{draw(st.integers(0, 70000))}"
        + draw(st.sampled_from(["", " (echo.example.com)", " ()"]))
        + ": "
        + draw(st.sampled_from(["", "view internal: ", "view : "]))
        + "query: "
        + (draw(name) or "x")
        + " IN "
        + (draw(qtype) or "A").replace(" ", "")
        + " "
        + draw(st.sampled_from(["+", "-E(0)K", "+ET", "-EDC"]))
        + draw(st.sampled_from(["", " (66.216.133.1)", " (2001:db8::53)", " (bogus)"]))
    )
    raw = text.encode("utf-8")
    if kind == "bytes":
        raw = raw.replace(b"query:", b"query:\xff", 1)
    return raw


@FUZZ
@given(st.lists(bind_line(), max_size=30), st.booleans())
@example([b"\x1f\x8b", b"04-May-2016 09:12:03.123 client 0.0.0.0#0: query: 0 IN A +"], False)
def test_bind_lines_are_all_accounted_for(workdir: Path, lines: list[bytes], with_date: bool) -> None:
    path = workdir / "query.log"
    path.write_bytes(b"\n".join(lines) + b"\n")
    parser = BindParser(day=date(2016, 5, 4) if with_date else None, year=2016 if with_date else None)
    out, rejects, counts, whole = parse_outputs(parser, path)
    assert not whole
    broken = [r for r in rejects if r.reason.startswith("compressed data is corrupt")]
    if broken:  # a file that starts like gzip and is not: one reject for the stream, no lines
        assert path.read_bytes().startswith(b"\x1f\x8b") and len(rejects) == 1
        return
    assert_accounted(rejects, counts, set(range(1, len(lines) + 1)))


# -- CSV ------------------------------------------------------------------------------------------------


@st.composite
def csv_line(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["good", "good", "good", "noise", "blank", "quote", "short"]))
    if kind == "noise":
        return draw(noise)
    if kind == "blank":
        return b""
    if kind == "quote":
        return b'"unclosed,1.2.3.4,a.com,A'
    ts = draw(timestamp | st.sampled_from(["2016-05-04T09:12:03Z", "2016-05-04 09:12:03+03:00", "1462353123000"]))
    fields = [ts, draw(address), draw(name), draw(qtype)]
    if kind == "short":
        fields = fields[:2]
    return ",".join(f'"{f}"' if "," in f else f for f in fields).encode("utf-8")


@FUZZ
@given(st.lists(csv_line(), max_size=30))
def test_csv_lines_are_all_accounted_for(workdir: Path, lines: list[bytes]) -> None:
    path = workdir / "log.csv"
    path.write_bytes(b"ts,client,qname,qtype\n" + b"\n".join(lines) + b"\n")
    out, rejects, counts, whole = parse_outputs(CsvLogParser(), path)
    assert not whole
    assert_accounted(rejects, counts, set(range(2, len(lines) + 2)))


# -- the vectorised shortcut for canonical names agrees with classify() ------------------------------


@settings(max_examples=200, deadline=None)
@given(st.lists(name, min_size=256, max_size=600))
def test_names_learned_in_bulk_get_the_ids_classify_gives(raw_names: list[str]) -> None:
    from graphkit.ingest.lookups.classify import ValueColumn, Why, canonical_names, classify_qname

    def classify(raw: bytes | str, zeek_escapes: bool) -> Any:
        return classify_qname(raw, zeek_escapes, False)

    column = pa.array([n.encode("utf-8", "surrogatepass") for n in raw_names], pa.binary())
    bulk, single = ValueColumn(classify, Why.NO_QUERY, canonical_names), ValueColumn(classify, Why.NO_QUERY)
    bulk_ids, bulk_status = bulk.encode(column, True)
    single_ids, single_status = single.encode(column, True)
    as_values = [None if i is None else bulk.values[i] for i in bulk_ids.to_pylist()]
    assert as_values == [None if i is None else single.values[i] for i in single_ids.to_pylist()]
    assert (bulk_status is None) == (single_status is None)
    if bulk_status is not None and single_status is not None:
        assert bulk_status.to_pylist() == single_status.to_pylist()
