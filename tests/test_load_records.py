"""`graphkit load records` and the writer's idempotent upserts, on both stores."""

from __future__ import annotations

from pathlib import Path

import ladybug
import pyarrow as pa
from helpers import Store, rejects

from graphkit.backends.ddl import ladybug_statements
from graphkit.ingest.sink import write_records
from graphkit.ingest.writer import GraphWriter
from graphkit.model.records import EdgeRecord, NodeRecord, to_json
from graphkit.model.schema import SCHEMA
from graphkit.model.tables import EdgeTable
from graphkit.query.fetch import fetch_edges_from

GOOD = [
    NodeRecord("Domain", "Mail1.Trump-Email.COM.", {"created": "2016-01-01"}),
    EdgeRecord(
        "RESOLVES_TO",
        "Domain",
        "mail1.trump-email.com",
        "IPAddress",
        "66.216.133.29",
        {"first_seen": "2016-05-04T00:00:00Z", "last_seen": "2016-09-23T00:00:00Z", "ttl": 300},
    ),
    EdgeRecord(
        "LOOKED_UP",
        "IPAddress",
        "217.12.96.15",
        "Domain",
        "mail1.trump-email.com",
        {"qtype": "A", "day": "2016-05-04", "count": 12},
    ),
    EdgeRecord(
        "LOOKED_UP",
        "IPAddress",
        "217.12.96.15",
        "Domain",
        "mail1.trump-email.com",
        {"qtype": "A", "day": "2016-05-05", "count": 30},
    ),
    EdgeRecord("ATTRIBUTED_TO", "IPAddress", "66.216.133.29", "Organization", "Listrak, Inc.", {"role": "mail server"}),
]
BAD = {
    '{"node": "Bogus", "key": "x"}': "unknown label 'Bogus'",
    '{"edge": "RESOLVES_TO", "from": ["Domain", "a.com"], "to": ["IPAddress", "1.2.3.4"], "props": {"ttl": "300"}}': "RESOLVES_TO.ttl must be int",
    '{"node": "Domain", "key": "bad..name"}': "invalid domain name",
}


def _records_file(path: Path) -> Path:
    lines = [to_json(r) for r in GOOD]
    for position, bad in zip((1, 3, 5), BAD):
        lines.insert(position, bad)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_good_lines_load_and_bad_lines_are_named(store: Store, tmp_path: Path) -> None:
    path = _records_file(tmp_path / "case.jsonl")
    proc = store.cli("load", "records", str(path))
    for line_no, reason in zip((2, 4, 6), BAD.values()):
        assert f"{path}:{line_no}: {reason}" in proc.stderr
    assert "rejected lines written to" in proc.stderr
    stats = store.stats()
    assert stats["nodes"]["Domain"] == 2  # the name and its registered domain
    assert stats["nodes"]["IPAddress"] == 2
    assert stats["nodes"]["Organization"] == 1
    assert stats["relationships"]["SUBDOMAIN_OF"] == 1
    assert stats["relationships"]["LOOKED_UP"] == 2
    assert stats["lookups"] == 42
    assert stats["sources"] == 1
    rows = store.query("MATCH (o:Organization) RETURN o.key, o.name")
    assert rows == [["listrak", "Listrak, Inc."]]
    assert len(rejects(proc.stderr)) == 3


def test_loading_twice_gives_identical_stats(store: Store, tmp_path: Path) -> None:
    path = _records_file(tmp_path / "case.jsonl")
    store.cli("load", "records", str(path))
    first = store.cli_stats()
    store.cli("load", "records", str(path))
    assert store.cli_stats() == first
    assert set(first) == {"nodes", "relationships", "lookups", "sources"}


def test_strict_writes_nothing_from_a_bad_file(store: Store, tmp_path: Path) -> None:
    bad = _records_file(tmp_path / "bad.jsonl")
    good = tmp_path / "good.jsonl"
    good.write_text(to_json(GOOD[0]) + "\n", encoding="utf-8")
    proc = store.cli("load", "records", "--strict", str(bad), str(good), check=False)
    assert proc.returncode == 1
    assert f"{bad}:2: unknown label 'Bogus'" in proc.stderr
    assert "Traceback" not in proc.stderr
    stats = store.stats()
    assert stats["nodes"]["IPAddress"] == 0  # nothing from bad.jsonl
    assert stats["nodes"]["Domain"] == 2  # good.jsonl still loaded


def _write(store: Store, records: list[NodeRecord | EdgeRecord], source: str) -> None:
    backend = store.open()
    try:
        backend.ensure_schema()
        write_records(records, backend, source, batch_size=2)
    finally:
        backend.close()


def test_merge_rules_make_rewrites_idempotent(store: Store) -> None:
    """first_seen keeps the minimum, last_seen the maximum, sources the union, lookup counts are SET."""

    def resolves(first: str, last: str) -> EdgeRecord:
        return EdgeRecord(
            "RESOLVES_TO",
            "Domain",
            "a.example",
            "IPAddress",
            "10.0.0.1",
            {"first_seen": first, "last_seen": last, "ttl": 60},
        )

    def lookup(count: int) -> EdgeRecord:
        return EdgeRecord(
            "LOOKED_UP",
            "IPAddress",
            "10.0.0.1",
            "Domain",
            "a.example",
            {"qtype": "A", "day": "2016-05-04", "source": "bind:1", "count": count},
        )

    nodes = [NodeRecord("IPAddress", "10.0.0.1", {"version": 4}), NodeRecord("Domain", "a.example", {})]
    org = [NodeRecord("Organization", "acme", {"name": "ACME Inc", "aliases": ["ACME"]})]
    _write(store, [*nodes, *org, resolves("2016-05-04T10:00:00Z", "2016-05-04T12:00:00Z"), lookup(5)], "s1")
    _write(store, [*nodes, *org, resolves("2016-05-04T09:00:00Z", "2016-05-04T11:00:00Z"), lookup(5)], "s2")
    _write(store, [NodeRecord("Organization", "acme", {"name": "Acme", "aliases": ["Acme"]}), lookup(7)], "s2")
    first, last, edge = store.query(
        "MATCH (:Domain)-[r:RESOLVES_TO]->(:IPAddress) RETURN r.first_seen, r.last_seen, r"
    )[0]
    assert (first, last) == ("2016-05-04T09:00:00Z", "2016-05-04T12:00:00Z")
    assert sorted(edge["sources"]) == ["s1", "s2"]
    assert store.query("MATCH ()-[r:LOOKED_UP]->() RETURN r.count, r.source") == [[7, "bind:1"]]
    name, aliases = store.query("MATCH (o:Organization) RETURN o.name, o.aliases")[0]
    assert name == "ACME Inc" and sorted(aliases) == ["ACME", "Acme"]
    assert sorted(store.query("MATCH (n:IPAddress) RETURN n.sources")[0][0]) == ["s1", "s2"]


def _lookup_table(counts: list[int]) -> EdgeTable:
    """Distinct lookups of one source, as the log aggregator yields them."""
    n = len(counts)
    table = pa.table(
        {
            "_f": ["10.0.0.1"] * n,
            "_t": ["a.example"] * n,
            "qtype": ["A"] * n,
            "day": [f"2016-05-{d + 1:02d}" for d in range(n)],
            "count": counts,
        }
    )
    return EdgeTable("LOOKED_UP", "IPAddress", "Domain", table, "zeek:abc", distinct=True)


def _write_lookups(store: Store, counts: list[int]) -> None:
    backend = store.open()
    try:
        backend.ensure_schema()
        write_records([NodeRecord("IPAddress", "10.0.0.1"), NodeRecord("Domain", "a.example")], backend)
        with GraphWriter(backend) as writer:
            writer.add(_lookup_table(counts))
    finally:
        backend.close()


def test_distinct_tables_of_a_begun_source_are_merged_not_duplicated(store: Store) -> None:
    """A store may create a new source's distinct lookups without looking for them; a second
    load (or one after a crash, which leaves the source begun) must find and update them."""
    _write_lookups(store, [1, 2, 3])
    _write_lookups(store, [1, 2, 3])
    _write_lookups(store, [4, 5, 6, 7])
    rows = store.query("MATCH ()-[r:LOOKED_UP]->() RETURN r.day, r.count ORDER BY r.day")
    assert rows == [["2016-05-01", 4], ["2016-05-02", 5], ["2016-05-03", 6], ["2016-05-04", 7]]


def test_only_the_first_claim_of_a_source_begins_it(store: Store) -> None:
    backend = store.open()
    try:
        backend.ensure_schema()
        first, again = backend.claim_source("zeek:abc"), backend.claim_source("zeek:abc")
    finally:
        backend.close()
    assert (first, again) == (True, False)
    assert store.query("MATCH (s:Source) RETURN s.id, s.loaded_at") == [["zeek:abc", None]]


def test_times_are_kept_in_one_form_and_unreadable_ones_rejected(store: Store, tmp_path: Path) -> None:
    def resolves(name: str, seen: dict[str, str]) -> str:
        return to_json(EdgeRecord("RESOLVES_TO", "Domain", name, "IPAddress", "66.216.133.29", seen))

    path = tmp_path / "times.jsonl"
    lines = [
        resolves("a.example.com", {"first_seen": "2016-05-04 09:12:03+02:00", "last_seen": "1474588800"}),
        resolves("b.example.com", {"first_seen": "yesterday"}),
        resolves("c.example.com", {"first_seen": "2016-05-04T09:12:03Z"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = store.cli("load", "records", str(path))
    assert f"{path}:2: RESOLVES_TO.first_seen: not a timestamp: 'yesterday'" in proc.stderr
    # an earlier time for the same edge lowers first_seen; a later one leaves it
    later = [resolves("c.example.com", {"first_seen": "2016-05-04T10:00:00Z", "last_seen": "2016-05-05T00:00:00Z"})]
    earlier = [resolves("c.example.com", {"first_seen": "2016-05-03T23:59:59Z"})]
    for i, batch in enumerate((later, earlier)):
        again = tmp_path / f"again{i}.jsonl"
        again.write_text("\n".join(batch) + "\n", encoding="utf-8")
        store.cli("load", "records", str(again))
    rows = store.query("MATCH (d:Domain)-[r:RESOLVES_TO]->() RETURN d.name, r.first_seen, r.last_seen ORDER BY d.name")
    assert rows == [
        ["a.example.com", "2016-05-04T07:12:03Z", "2016-09-23T00:00:00Z"],
        ["c.example.com", "2016-05-03T23:59:59Z", "2016-05-05T00:00:00Z"],
    ]
    if store.kind == "embedded":  # kept as TIMESTAMPs (8 bytes, not 20 of text), read back as text
        columns = {row[1]: row[2] for row in store.query("CALL table_info('RESOLVES_TO') RETURN *")}
        assert columns["first_seen"] == columns["last_seen"] == "TIMESTAMP"


def test_a_store_made_when_times_were_text_keeps_them_as_text(tmp_path: Path) -> None:
    location = tmp_path / "old.lbdb"
    db = ladybug.Database(str(location))
    conn = ladybug.Connection(db)
    for statement in ladybug_statements():
        conn.execute(statement.replace("TIMESTAMP", "STRING"))
    conn.close()
    db.close()
    store = Store("embedded", str(location))
    path = tmp_path / "case.jsonl"
    path.write_text("\n".join(to_json(r) for r in GOOD) + "\n", encoding="utf-8")
    store.cli("load", "records", str(path))
    store.cli("load", "records", str(path))
    assert store.query("MATCH ()-[r:RESOLVES_TO]->() RETURN r.first_seen, r.last_seen") == [
        ["2016-05-04T00:00:00Z", "2016-09-23T00:00:00Z"]
    ]
    assert {row[1]: row[2] for row in store.query("CALL table_info('RESOLVES_TO') RETURN *")}["first_seen"] == "STRING"


def _resolves() -> list[NodeRecord | EdgeRecord]:
    """New records each time: a load fills in their source."""
    return [
        NodeRecord("Domain", "a.example"),
        NodeRecord("IPAddress", "10.0.0.1"),
        EdgeRecord("RESOLVES_TO", "Domain", "a.example", "IPAddress", "10.0.0.1", {"ttl": 60}),
    ]


def _sources_read_back(store: Store) -> tuple[list[str], list[str]]:
    """A RESOLVES_TO's sources through `RETURN r` and through graphkit.query.fetch."""
    [[edge]] = store.query("MATCH ()-[r:RESOLVES_TO]->() RETURN r")
    backend = store.open(read_only=True)
    try:
        ends = SCHEMA.by_label["Domain"], SCHEMA.by_label["IPAddress"]
        [(_, _, props)] = fetch_edges_from(backend, SCHEMA.by_type["RESOLVES_TO"], *ends, ["a.example"])
    finally:
        backend.close()
    return edge["sources"], props["sources"]


def _column_type(store: Store, table: str, column: str) -> str:
    return {row[1]: row[2] for row in store.query(f"CALL table_info('{table}') RETURN *")}[column]


def test_relationship_sources_are_kept_as_text_and_read_back_as_lists(tmp_path: Path) -> None:
    """The embedded store keeps a relationship's sources joined in a STRING column (its
    checkpoints are slow with STRING[]); graphkit reads them back as lists."""
    store = Store("embedded", str(tmp_path / "g.lbdb"))
    _write(store, _resolves(), "s1")
    _write(store, _resolves(), "s2")
    _write(store, _resolves(), "s1")
    assert _sources_read_back(store) == (["s1", "s2"], ["s1", "s2"])
    assert _column_type(store, "RESOLVES_TO", "sources") == "STRING"
    assert _column_type(store, "Domain", "sources") == "STRING[]"  # nodes keep lists
    assert store.query("MATCH ()-[r:RESOLVES_TO]->() RETURN r.sources") == [["s1\x1fs2"]]  # ad hoc: the text


def test_a_store_with_relationship_sources_as_lists_keeps_them(tmp_path: Path) -> None:
    location = tmp_path / "old.lbdb"
    db = ladybug.Database(str(location))
    conn = ladybug.Connection(db)
    for statement in ladybug_statements():  # as graphkit made them before
        rel = statement.startswith("CREATE REL TABLE")
        conn.execute(statement.replace("sources STRING", "sources STRING[]") if rel else statement)
    conn.close()
    db.close()
    store = Store("embedded", str(location))
    assert _column_type(store, "RESOLVES_TO", "sources") == "STRING[]"
    _write(store, _resolves(), "s1")
    _write(store, _resolves(), "s2")
    _write(store, _resolves(), "s1")
    assert _sources_read_back(store) == (["s1", "s2"], ["s1", "s2"])
    assert _column_type(store, "RESOLVES_TO", "sources") == "STRING[]"
    assert store.query("MATCH ()-[r:RESOLVES_TO]->() RETURN r.sources") == [[["s1", "s2"]]]
