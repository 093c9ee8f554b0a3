"""`graphkit load zone`: zone files through dnspython into the graph, on both stores."""

from __future__ import annotations

import gzip
import json
import random
import threading
from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple

import dns.name
import pytest
from helpers import Store, json_lines, realdata, rejects_file

from graphkit.ingest.context import FileRejected, ParseContext, Reject
from graphkit.ingest.observations import Observations, Observed
from graphkit.ingest.pipeline import canonical_tables
from graphkit.model.records import EdgeRecord
from graphkit.model.tables import EdgeTable
from graphkit.parsers.zone import ZoneParser
from graphkit.parsers.zone_columns import ZoneColumns


def count_types_in_text(text: str) -> Counter[str]:
    """Record types in a master file, read plainly: comments dropped (outside quotes),
    parenthesised records joined, then the first word after [owner] [ttl] [class] is the type."""
    counts: Counter[str] = Counter()
    record, depth = "", 0
    for raw in text.splitlines():
        line, quoted, escaped = "", False, False
        for char in raw:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                quoted = not quoted
            elif char == ";" and not quoted:
                break
            line += char
        record = record + " " + line if depth else line
        depth += line.count("(") - line.count(")")
        if depth or not record.strip() or record.lstrip().startswith("$"):
            record = "" if not depth else record
            continue
        words = record.split()
        if not record[0].isspace():
            words = words[1:]  # the owner
        while words[0].isdigit() or words[0] == "IN":
            words = words[1:]
        counts[words[0]] += 1
        record = ""
    return counts


def load_json(store: Store, *args: str, check: bool = True) -> tuple[list[dict[str, object]], str, int]:
    proc = store.cli("load", "zone", "--format", "json", *args, check=check)
    return json_lines(proc), proc.stderr, proc.returncode


def test_example_zone_counts_every_type(store: Store) -> None:
    path = realdata() / "zone" / "dnspython-example.zone"
    expected = count_types_in_text(path.read_text(encoding="utf-8"))
    assert expected["A"] == 16 and expected["TXT"] == 20 and expected["TYPE999"] == 1  # the counter itself works
    (report,), stderr, code = load_json(store, str(path))
    assert code == 0, stderr
    assert report["rejected_whole"] is None
    assert report["counts"] == dict(expected)
    # the two records whose SVCB/HTTPS data dnspython refuses are named with their lines, not fatal
    written = rejects_file(stderr).read_text()
    assert f"{path}:258: bad SVCB data" in written and f"{path}:267: bad HTTPS data" in written
    assert report["rejected"] == 2
    rows = store.query(
        "MATCH (d:Domain {name: $name})-[r:USES_MAIL_SERVER]->(m:Domain) RETURN m.name, r.preference, r.ttl",
        name="e.example",
    )
    assert rows == [["mail.example", 10, 300]]
    rows = store.query("MATCH (d:Domain)-[r:HAS_CONTACT_EMAIL]->(e:Email) RETURN d.name, e.address, r.role")
    assert rows == [["example", "hostmaster@example", "soa"]]
    rows = store.query("MATCH (d:Domain {name: 'ns1.example'})-[r:RESOLVES_TO]->(i:IPAddress) RETURN i.address")
    assert rows == [["10.53.0.1"]]
    rows = store.query("MATCH (d:Domain)-[r:RESOLVES_TO]->(i:IPAddress) RETURN r.first_seen, r.last_seen")
    assert {tuple(r) for r in rows} == {(None, None)}  # zone files carry no time


GOOD_ZONE = """$ORIGIN good.test.
$TTL 3600
@ IN SOA ns1 hostmaster 1 2 3 4 5
@ NS ns1
www A 192.0.2.1
"""
BAD_ZONE = """$ORIGIN bad.test.
$TTL 3600
@ IN SOA ns1 hostmaster 1 2 3 4 5
www A 192.0.2.2
mail IN AX 192.0.2.3
ftp A 192.0.2.4
"""


def test_a_syntax_error_rejects_the_whole_file_only(store: Store, tmp_path: Path) -> None:
    bad, good = tmp_path / "bad.test.zone", tmp_path / "good.test.zone"
    bad.write_text(BAD_ZONE, encoding="utf-8")
    good.write_text(GOOD_ZONE, encoding="utf-8")
    proc = store.cli("load", "zone", str(bad), str(good), check=False)
    assert proc.returncode == 1
    assert f"rejected whole: {bad}:5: unknown rdatatype 'AX'" in proc.stderr
    assert "Traceback" not in proc.stderr
    rows = store.query("MATCH (d:Domain) RETURN d.name ORDER BY d.name")
    assert [r[0] for r in rows] == ["good.test", "ns1.good.test", "www.good.test"]
    assert store.stats()["sources"] == 1


def test_loading_a_zone_twice_changes_nothing(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "db.twice.test"
    path.write_text(GOOD_ZONE.replace("good.test.", "twice.test.") + 'www TXT "v=spf1 ip4:192.0.2.0/25 -all"\n')
    store.cli("load", "zone", str(path))
    first = store.cli_stats()
    store.cli("load", "zone", str(path))
    assert store.cli_stats() == first
    assert first["relationships"]["SPF_ALLOWS"] == 1 and first["nodes"]["Netblock"] == 1


# Parser-level checks: no store involved.


class Edge(NamedTuple):
    type: str
    from_key: Any
    to_label: str
    to_key: Any
    props: dict[str, Any]


def parse(
    path: Path, origin: str | None = None, buffer_limit: int = 1_000_000, columns: bool = True
) -> tuple[list[Edge], ParseContext]:
    """The edges a load would write (canonical, SUBDOMAIN_OF left out), and the parse context."""
    rejects: list[Reject] = []
    ctx = ParseContext(path, "zone:test", rejects.append)
    found = []
    for bulk in canonical_tables(ZoneParser(origin, buffer_limit=buffer_limit, columns=columns), ctx):
        if isinstance(bulk, EdgeTable) and bulk.type != "SUBDOMAIN_OF":
            for row in bulk.table.to_pylist():
                props = {k: v for k, v in row.items() if k[0] != "_" and k != "sources" and v is not None}
                found.append(Edge(bulk.type, row["_f"], bulk.to_label, row["_t"], props))
    ctx.source_props["rejects"] = rejects
    return found, ctx


def edges(records: list[Edge]) -> set[tuple[str, object, object]]:
    return {(r.type, r.from_key, r.to_key) for r in records}


RELATIVE = """$TTL 300
@ IN SOA ns1 hostmaster 1 2 3 4 5
www A 192.0.2.1
mail MX 10 mx1
"""


@pytest.mark.parametrize(
    ("filename", "text", "origin", "owner"),
    [
        ("db.example.org", RELATIVE, None, "www.example.org"),
        ("example.net.zone", RELATIVE, None, "www.example.net"),
        ("example.net.zone", RELATIVE, "given.test", "www.given.test"),
        ("whatever.txt", "$ORIGIN in-file.test.\n" + RELATIVE, None, "www.in-file.test"),
        ("whatever.txt", RELATIVE.replace("@ IN SOA", "soa-owner.test. IN SOA"), None, "www.soa-owner.test"),
    ],
)
def test_origin_comes_from_option_file_or_name(
    tmp_path: Path, filename: str, text: str, origin: str | None, owner: str
) -> None:
    path = tmp_path / filename
    path.write_text(text, encoding="utf-8")
    records, _ = parse(path, origin)
    assert ("RESOLVES_TO", owner, "192.0.2.1") in edges(records)


def test_relative_names_without_any_origin_reject_the_file(tmp_path: Path) -> None:
    path = tmp_path / "zone file (copy).txt"  # a name that is no domain name
    path.write_text("$TTL 300\nwww A 192.0.2.1\n", encoding="utf-8")
    with pytest.raises(FileRejected) as caught:
        parse(path)
    assert caught.value.line == 2 and "--origin" in caught.value.reason


REVERSE = """$ORIGIN 133.216.66.in-addr.arpa.
$TTL 3600
@ IN SOA ns1.example.com. hostmaster.example.com. ( 1 2 3
    4 5 )
@ NS ns1.example.com.
29 PTR mail1.trump-email.com.
$ORIGIN 0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.
1.0.0.0 PTR v6host.example.com.
$ORIGIN 8.b.d.0.1.0.0.2.ip6.arpa.
1 PTR partial.example.com.
"""


def test_reverse_zone_gives_pointers_from_addresses(tmp_path: Path) -> None:
    path = tmp_path / "db.66.216.133"
    path.write_text(REVERSE, encoding="utf-8")
    records, ctx = parse(path)
    assert edges(records) == {
        ("POINTER_TO", "66.216.133.29", "mail1.trump-email.com"),
        ("POINTER_TO", "2001:db8::1", "v6host.example.com"),
        ("USES_NAMESERVER", "133.216.66.in-addr.arpa", "ns1.example.com"),
        ("HAS_CONTACT_EMAIL", "133.216.66.in-addr.arpa", "hostmaster@example.com"),
    }
    assert ctx.skipped["PTR records at a name that is not a full reverse address"] == 1
    assert ctx.counts == Counter({"PTR": 3, "SOA": 1, "NS": 1})


SPF_AND_SRV = """$ORIGIN mail.test.
$TTL 300
@ TXT "v=spf1 include:_spf.google.com ip4:192.0.2.0/24 " "ip6:2001:db8::1 -ip4:198.51.100.1 redirect=_spf.mail.test"
_sip._tcp SRV 10 60 5060 sip.mail.test.
@ MX 0 .
"""


def test_spf_terms_and_srv_targets(tmp_path: Path) -> None:
    path = tmp_path / "mail.test.zone"
    path.write_text(SPF_AND_SRV, encoding="utf-8")
    records, ctx = parse(path)
    assert edges(records) == {
        ("SPF_INCLUDES", "mail.test", "_spf.google.com"),
        ("SPF_INCLUDES", "mail.test", "_spf.mail.test"),
        ("SPF_ALLOWS", "mail.test", "192.0.2.0/24"),
        ("SPF_ALLOWS", "mail.test", "2001:db8::1"),
        ("USES_SERVICE_HOST", "_sip._tcp.mail.test", "sip.mail.test"),
    }
    srv = next(r for r in records if r.type == "USES_SERVICE_HOST")
    assert srv.props == {"priority": 10, "weight": 60, "port": 5060, "ttl": 300}
    allows = {r.to_label for r in records if r.type == "SPF_ALLOWS"}
    assert allows == {"Netblock", "IPAddress"}
    assert ctx.skipped["MX records with no target (.)"] == 1


@pytest.mark.parametrize("extra", ["", "x TYPE999 \\# 1 00"], ids=["columnar-reader", "dnspython-reader"])
def test_large_files_stream_the_same_records(tmp_path: Path, extra: str) -> None:
    lines = ["$ORIGIN big.test.", "$TTL 60", extra] + [f"h{i} A 10.0.{i // 256}.{i % 256}" for i in range(3000)]
    path = tmp_path / "big.test.zone"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    buffered, _ = parse(path)
    parser = ZoneParser(buffer_limit=100)
    ctx = ParseContext(path, "zone:test", lambda reject: None)
    tables = list(parser(ctx))
    assert parser.fast is (not extra)  # which reader read it
    assert len(buffered) == 3000
    streamed, _ = parse(path, buffer_limit=100)
    assert sorted(streamed) == sorted(buffered)
    assert ctx.counts["A"] == 3000 and tables


def test_the_columnar_reader_hands_on_a_table_whenever_it_is_full() -> None:
    """Memory stays bounded: rows are handed on as they are read, never held for the whole zone."""
    lines = ["$ORIGIN big.test.\n", "$TTL 60\n"] + [f"h{i} A 10.0.{i // 256}.{i % 256}\n" for i in range(1000)]
    reader = ZoneColumns(dns.name.from_text("big.test."), known_origin=True, gathered=Observations(100))
    read = 0

    def counted() -> Any:
        nonlocal read
        for line in lines:
            read += 1
            yield line

    tables = reader.read(counted())
    first = next(tables)
    assert isinstance(first, Observed) and first.table.num_rows == 100 and read < 110
    assert sum(t.table.num_rows for t in tables) == 900


def test_a_late_syntax_error_in_a_large_file_still_rejects_it_whole(tmp_path: Path) -> None:
    lines = ["$ORIGIN big.test.", "$TTL 60"] + [f"h{i} A 10.0.0.{i % 256}" for i in range(500)] + ["oops A ("]
    path = tmp_path / "big.test.zone"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(FileRejected):
        parse(path, buffer_limit=100)


# The fast reader must read exactly what dnspython's reader reads, or step aside.


@pytest.mark.parametrize("table_rows", [7, 1000])
def test_dnspython_takes_over_after_the_tables_already_handed_on(tmp_path: Path, table_rows: int) -> None:
    """A construct the columnar reader leaves to dnspython, late in the file: every record is
    read once, by one reader or the other, with its counts, notes and rejects once too."""
    hosts = [f"h{i} A 10.0.0.{i}" for i in range(40)]
    odd = [
        "bad-mx MX 10 .",  # noted: no target
        "a!b A 10.0.9.9",  # a name the normaliser rejects
        "v6 AAAA 2001:db8::zz",  # data dnspython refuses: rejected by the reader
        'txt TXT "not spf"',  # noted: not SPF
    ]
    late = ["odd TYPE999 \\# 1 00", "after A 10.0.1.1"]
    lines = ["$ORIGIN late.test.", "$TTL 60", *hosts[:20], *odd, *hosts[20:], *odd, *late, *odd]
    path = tmp_path / "late.test.zone"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_same_graph(path, fast=False, table_rows=table_rows)
    _, rows, counts, skipped, rejected = graph(path, columns=True, table_rows=table_rows)
    assert counts["A"] == 40 + 3 + 1 and counts["MX"] == 3 and counts["TYPE999"] == 1
    assert skipped["MX records with no target (.)"] == skipped["TXT records that are not SPF"] == 3
    assert len(rejected) == 6


FAST_SAMPLES = [
    GOOD_ZONE,
    RELATIVE.replace("@ IN SOA", "x.test. IN SOA"),
    REVERSE,
    SPF_AND_SRV,
    # no $TTL: the SOA minimum, then explicit TTLs inherited (RFC 2308 mode); class and TTL in either order
    "$ORIGIN t.test.\n@ IN SOA ns hm ( 1 2 3 4\n  3600 ) ; minimum\nwww IN 300 A 192.0.2.1\n  A 192.0.2.2\n"
    "ftp 1h IN AAAA 2001:db8::1\nmail MX 10 mx.other.test.\n",
    # leading whitespace on the first record: the owner is the origin; comments with ';' inside quotes
    '$ORIGIN u.test.\n$TTL 60\n  NS ns1\n\t TXT "a;b" "c d" ; note\n*.w cname  target.\nOut.Of.Zone. a 10.0.0.1\n',
    # $ORIGIN relative to the current one, then $TTL changes
    "$ORIGIN v.test.\n$TTL 10\na A 10.0.0.1\n$ORIGIN sub\nb A 10.0.0.2\n$TTL 20\nc A 10.0.0.3\n@ NS ns\n",
    '$ORIGIN x.test.\n$TTL 5\n@ SOA ns hm 1 2 3 4 5\n_sip._tcp SRV 1 2 5060 sip\nh CAA 0 issue "ca.example"\n',
]


def graph(
    path: Path, columns: bool, table_rows: int = 50_000
) -> tuple[bool, set[tuple[str, str]], dict[str, int], dict[str, int], list[int]]:
    """(whether the columnar reader read it, every row a load would write, counts, skipped,
    the lines rejected, each as often as it was), by the columnar reader or by dnspython's only."""
    rejects: list[Reject] = []
    ctx = ParseContext(path, "zone:test", rejects.append)
    parser = ZoneParser(columns=columns, table_rows=table_rows)
    rows = set()
    for bulk in canonical_tables(parser, ctx):
        kind = bulk.type if isinstance(bulk, EdgeTable) else bulk.label
        rows |= {(kind, json.dumps(row, sort_keys=True)) for row in bulk.table.to_pylist()}
    return parser.fast, rows, dict(ctx.counts), dict(ctx.skipped), sorted(r.line for r in rejects if r.line)


def assert_same_graph(path: Path, fast: bool = True, table_rows: int = 50_000) -> None:
    columnar = graph(path, columns=True, table_rows=table_rows)
    by_dnspython = graph(path, columns=False)
    assert columnar[0] is fast, "which reader was meant to read it"
    assert columnar[1:] == by_dnspython[1:]


@pytest.mark.parametrize("text", FAST_SAMPLES)
def test_the_columnar_reader_makes_the_graph_dnspython_makes(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fallback.test.zone"
    path.write_text(text, encoding="utf-8")
    assert_same_graph(path)


TRICKY = {
    "omitted owners and parentheses over lines": """$ORIGIN p.test.
$TTL 1h
@  IN  SOA  ( ns1.p.test.   ; primary
              hostmaster    ; "quoted" in a comment
              2024 7200 900 1209600 300 )
   IN  NS   ns1
   NS  ns2.other.test.
ns1 A 192.0.2.1
    AAAA 2001:DB8::1
sel._domainkey TXT ( "v=DKIM1; k=rsa; "
     "p=MIIB" ) ; a DKIM key across lines
spf TXT ( "v=spf1 include:_spf.p.test "
     "ip4:192.0.2.0/24 -all" )
""",
    "$TTL changes, class before TTL, relative and absolute names": """$ORIGIN q.test.
$TTL 10
a A 10.0.0.1
$TTL 20
b IN 30 A 10.0.0.2
c 40 IN CNAME a
d CNAME a.q.test.
$ORIGIN sub
e MX 10 @
f SRV 0 5 443 @
g MX 0 .
h PTR x.
""",
    "CZDS lines": """com.\t900\tin\tsoa\ta.gtld-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400
example.com.\t172800\tin\tns\tns1.example.net.
example.com.\t172800\tin\tns\tns2.example.net.
ns1.example.com.\t172800\tin\ta\t192.0.2.53
ns1.example.com.\t172800\tin\taaaa\t2001:db8::53
example.com.\t86400\tin\tds\t12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE5C5B8B3B0D4DC2D5F2B3A5B1
""",
    "bad data and invalid names, a record each": """$ORIGIN r.test.
$TTL 60
a A 192.0.2.999
b AAAA 2001:db8::zz
c A ::1
d MX 99999 mx
bad+name A 192.0.2.1
bad+name TXT "not spf"
bad+name MX 0 .
e CAA 0 issue "ca.example"
f CAA x
g TXT "v=spf1 include:bad..name ip4:300.0.0.0 ip6:2001:db8::/32 -all"
h NS bad..target
""",
}


@pytest.mark.parametrize("text", TRICKY.values(), ids=TRICKY.keys())
@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
def test_the_columnar_reader_on_tricky_inputs(tmp_path: Path, text: str, gzipped: bool) -> None:
    path = tmp_path / "com.zone"
    data = text.encode()
    path.write_bytes(gzip.compress(data) if gzipped else data)
    assert_same_graph(path)


def test_bad_data_rejects_its_own_line_only(tmp_path: Path) -> None:
    path = tmp_path / "com.zone"
    path.write_text(TRICKY["bad data and invalid names, a record each"], encoding="utf-8")
    fast, rows, counts, skipped, lines = graph(path, columns=True)
    assert fast and lines == [3, 4, 5, 6, 7, 8, 9, 11, 13]
    assert {kind for kind, _ in rows if kind not in ("Domain", "IPAddress", "Netblock", "SUBDOMAIN_OF")} == {
        "SPF_ALLOWS"
    }
    assert counts == {"A": 3, "AAAA": 1, "MX": 2, "TXT": 2, "CAA": 2, "NS": 1}
    assert skipped["SPF 'ip4:300.0.0.0' is not an address or network"] == 1


@pytest.mark.parametrize(
    ("line", "at"),
    [
        ("www IN AX 192.0.2.3", 203),
        ("www 300 CH A 192.0.2.3", 203),
        ("$INCLUDE other.zone", 203),
        ("a..b A 192.0.2.3", 203),
        ("www A ( 192.0.2.3", 204),  # the open parenthesis takes the next line in
    ],
)
def test_a_structural_error_rejects_the_file_before_any_row(tmp_path: Path, line: str, at: int) -> None:
    rows = [f"h{i} A 10.0.0.{i}" for i in range(200)]
    path = tmp_path / "s.test.zone"
    path.write_text("\n".join(["$ORIGIN s.test.", "$TTL 60", *rows, line, "ok A 192.0.2.4"]) + "\n")
    tables = ZoneParser()(ParseContext(path, "zone:test", lambda reject: None))
    with pytest.raises(FileRejected) as caught:
        next(tables)  # nothing is handed on before the error is found
    assert caught.value.line == at


def test_the_columnar_reader_on_random_zones(tmp_path: Path) -> None:
    rng = random.Random(3)
    owners = ["@", "www", "a.b", "*.w", "x.test.", "", "\t", "Mixed.Case", "a+b"]
    ttls = ["", "300", "1h", "0"]
    classes = ["", "IN", "in"]
    data = [
        "A 192.0.2.7",
        "AAAA 2001:db8::7",
        "CNAME t",
        "NS ns.other.",
        "MX 5 mx",
        'TXT "v=spf1 -all" x',
        "PTR p.",
        "SOA ns hm 1 2 3 4 5",
        "TXT a;b",
        "A 192.0.2.999",
        'HINFO "pc" "os"',
        "SRV 1 2 3 t",
        'TXT ( "v=spf1 ip4:10.0.0.0/8" ; c\n "include:x.test" )',
        "MX 0 .",
        "CAA 0 issue x",
    ]
    read_fast = 0
    for n in range(150):
        lines = ["$ORIGIN r.test."] + (["$TTL 99"] if rng.random() < 0.5 else [])
        for _ in range(rng.randint(1, 8)):
            ttl, cls = rng.choice(ttls), rng.choice(classes)
            middle = f"{cls} {ttl}" if rng.random() < 0.2 else f"{ttl} {cls}"
            lines.append(f"{rng.choice(owners)} {middle} {rng.choice(data)}")
        path = tmp_path / f"r{n}.zone"
        path.write_text("\n".join(lines) + "\n")
        try:
            by_dnspython = graph(path, columns=False)
        except FileRejected:
            with pytest.raises(FileRejected):
                graph(path, columns=True)
            continue
        columnar = graph(path, columns=True)
        assert columnar[1:] == by_dnspython[1:], path.read_text()
        read_fast += columnar[0]
    assert read_fast > 50


def test_stopping_early_ends_the_streaming_reader(tmp_path: Path) -> None:
    lines = ["$ORIGIN big.test.", "$TTL 60"] + [f"h{i} A 10.0.{i // 256}.{i % 256}" for i in range(20_000)]
    path = tmp_path / "big.test.zone"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    records = ZoneParser(buffer_limit=100, columns=False)(ParseContext(path, "zone:test", lambda reject: None))
    assert isinstance(next(records), EdgeRecord)
    records.close()  # type: ignore[attr-defined]  # a generator
    assert not [t for t in threading.enumerate() if t.name.startswith("zone-reader:")]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("x\x00", "Text input is malformed"),  # a NUL byte in the owner, nothing after it
        ("\x00", "Text input is malformed"),
        (" \x00", "unknown rdatatype"),
        ("www", "Text input is malformed"),
        ("$TTL", "bad $TTL"),
    ],
)
def test_a_structural_error_is_reported_at_its_own_line_not_the_next(tmp_path: Path, line: str, reason: str) -> None:
    """dnspython's position is on the next line once it has read the line's end."""
    path = tmp_path / "nul.test.zone"
    path.write_bytes(
        f"$ORIGIN nul.test.\n$TTL 300\n@ SOA ns1 host 1 2 3 4 5\nwww A 192.0.2.1\nmail A 192.0.2.2\n{line}\nok A 192.0.2.4\n".encode()
    )
    with pytest.raises(FileRejected) as caught:
        parse(path)
    assert caught.value.line == 6 and reason in caught.value.reason, (caught.value.line, caught.value.reason)


PIPED_ZONE = "$ORIGIN piped.test.\n$TTL 300\n@ SOA ns1 host 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.53\nwww A 192.0.2.1\n"


@pytest.mark.parametrize("name", ["-", "/dev/stdin"])
def test_a_zone_from_a_pipe_loads_like_the_file(store: Store, tmp_path: Path, name: str) -> None:
    """Standard input is read once and kept in a temporary copy (a zone is read more than once)."""
    from helpers import run_cli_process

    proc = run_cli_process("load", "zone", name, env={"GRAPHKIT_STORE": store.location}, input=PIPED_ZONE)
    assert f"{name}: " in proc.stdout and "0 rejected" in proc.stdout, proc.stderr
    assert store.query("MATCH (d:Domain {name: 'www.piped.test'})-[:RESOLVES_TO]->(a) RETURN a.address") == [
        ["192.0.2.1"]
    ]
    file = tmp_path / "piped.zone"
    file.write_text(PIPED_ZONE)
    before = store.cli_stats()
    store.cli("load", "zone", str(file))
    after = store.cli_stats()
    assert after["relationships"] == before["relationships"] and after["nodes"]["Domain"] == before["nodes"]["Domain"]


def test_a_piped_zone_without_an_origin_is_not_named_after_the_pipe(store: Store) -> None:
    proc = store.cli("load", "zone", "-", input="www 300 A 192.0.2.1\n", check=False)
    assert proc.returncode == 1
    assert "rejected whole: -:1: relative name and no origin" in proc.stderr
    assert "Traceback" not in proc.stderr
