"""Lookup rollups (issue 24): LOOKED_UP_TOTAL and the lookup totals on nodes, against the daily
LOOKED_UP relationships they are derived from, on both stores.

`differences` sums the daily relationships again here, in plain Python (not the Arrow code of
graphkit.ingest.rollups), and names every rollup or total that disagrees. Random graphs are
loaded the ways a store gets lookups (whole files through `graphkit load`, files that overlap
and repeat, records batch by batch), and every query with a day-level text answers alike from
the rollups and from the days, and pictures drawn from the rollups say what merging the days
says. Loads killed at every store write, then run again, converge.
"""

from __future__ import annotations

import random
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from graph_dump import dump
from helpers import Store, run_cli_killed
from kill_after_writes import NOT_KILLED

from graphkit.backends import embedded, neo4j
from graphkit.backends.base import Backend
from graphkit.backends.store import clear_neo4j
from graphkit.ingest.sink import write_records
from graphkit.model import tables
from graphkit.model.records import EdgeRecord, Record, to_json
from graphkit.model.schema import SCHEMA
from graphkit.query.catalogue import BY_DAY, catalogue
from graphkit.query.merging import merged_props
from graphkit.query.subgraph import whole_graph

CLIENT_TOTALS = ("lookups_made", "names_looked_up")
PAIR = pa.schema([("_f", pa.string()), ("_t", pa.string())])
NAME_TOTALS = ("lookups", "lookup_clients")


def expected(dumped: dict[str, list[Any]]) -> tuple[dict[tuple[str, str, str], dict[str, Any]], dict[str, Any]]:
    """The rollups and node totals the daily relationships of a dump add up to."""
    pairs: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for src, a, _, b, props in dumped.get("LOOKED_UP", []):
        pairs[(src, a, b)].append(props)
    rollups = {}
    for pair, days in pairs.items():
        timed = [d for d in days if d.get("first_seen")]
        untimed = [d["day"] for d in days if not d.get("first_seen")]
        rollups[pair] = {
            "count": sum(d["count"] for d in days),
            "days": len({d["day"] for d in days}),
            "daily": len(days),
            **(
                {"first_seen": min(d["first_seen"] for d in timed), "last_seen": max(d["last_seen"] for d in timed)}
                if timed
                else {}
            ),
            **({"first_day": min(untimed), "last_day": max(untimed)} if untimed else {}),
            "qtypes": sorted({d["qtype"] for d in days}),
            "sources": sorted({d["source"] for d in days}),
        }
    totals: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(CLIENT_TOTALS + NAME_TOTALS, 0))
    for (src, a, b), rollup in rollups.items():
        totals[(src, a)]["lookups_made"] += rollup["count"]
        totals[(src, a)]["names_looked_up"] += 1
        totals[("Domain", b)]["lookups"] += rollup["count"]
        totals[("Domain", b)]["lookup_clients"] += 1
    wanted = {
        key: {k: v for k, v in t.items() if k in (NAME_TOTALS if key[0] == "Domain" else CLIENT_TOTALS)}
        for key, t in totals.items()
    }
    return rollups, wanted


def differences(backend: Backend) -> list[str]:
    """Every stored rollup and node total that the daily relationships do not add up to."""
    dumped = dump(backend)
    rollups, totals = expected(dumped)
    stored = {(src, a, b): props for src, a, _, b, props in dumped.get("LOOKED_UP_TOTAL", [])}
    found = [
        f"rollup {pair}: stored {stored.get(pair)}, expected {want}"
        for pair, want in rollups.items()
        if stored.get(pair) != want
    ]
    found += [f"rollup {pair} has no daily relationships" for pair in stored.keys() - rollups.keys()]
    for label in ("IPAddress", "Host", "Domain"):
        names = NAME_TOTALS if label == "Domain" else CLIENT_TOTALS
        for key, props in dumped.get(label, []):
            have = {k: props[k] for k in names if k in props}
            want = totals.get((label, key), {})
            if have != want:
                found.append(f"{label} {key}: stored {have}, expected {want}")
    return found


def lookups(rng: random.Random, sources: list[str | None], n: int = 300) -> list[Record]:
    """Daily LOOKED_UP records over few clients and names, so that pairs repeat across days,
    qtypes and sources; some sources log times, others only days (daily counts)."""
    clients = [("IPAddress", f"10.0.0.{i}") for i in range(1, 9)] + [("Host", f"ws-{i}.corp.example") for i in range(3)]
    names = [f"n{i}.example.com" for i in range(12)]
    out: list[Record] = []
    seen = set()
    for _ in range(n):
        label, client = rng.choice(clients)
        # None: the file's own Source, the usual case (any other id is another log's)
        name, qtype, source = rng.choice(names), rng.choice(["A", "A", "AAAA", "MX"]), rng.choice(sources)
        day = f"2016-05-{rng.randint(1, 9):02d}"
        if (client, name, qtype, day, source) in seen:  # one row per identity: records SET, never add
            continue
        seen.add((client, name, qtype, day, source))
        props: dict[str, Any] = {"qtype": qtype, "day": day, "count": rng.randint(1, 40)}
        if source is not None:
            props["source"] = source
        if source is None or not source.endswith("daily"):
            first, last = sorted(rng.sample(range(86400), 2))
            props["first_seen"] = f"{day}T{first // 3600:02d}:{first // 60 % 60:02d}:{first % 60:02d}Z"
            props["last_seen"] = f"{day}T{last // 3600:02d}:{last // 60 % 60:02d}:{last % 60:02d}Z"
        out.append(EdgeRecord("LOOKED_UP", label, client, "Domain", name, props))
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.5"):  # so that organizations group clients
        org = "Bank A" if address != "10.0.0.5" else "Health B"
        out.append(EdgeRecord("ATTRIBUTED_TO", "IPAddress", address, "Organization", org, {"role": "resolver"}))
    return out


def records_file(path: Path, records: list[Record]) -> str:
    path.write_text("".join(to_json(r) + "\n" for r in records), encoding="utf-8")
    return str(path)


def same_answers(backend: Backend, rng: random.Random) -> list[str]:
    """Every query with a day-level text, with sampled parameters and no window: the rows from
    the rollups and from the days, where they differ."""
    names = [row[0] for row in backend.query("MATCH (d:Domain) RETURN d.name ORDER BY d.name").rows]
    found = []
    for query in catalogue().values():
        if BY_DAY not in query.variants:
            continue
        for _ in range(6):
            given: dict[str, Any] = {}
            for param in query.params:
                if param.name == "domain":
                    given["domain"] = rng.choice(names + ([None] if not param.required else []))
                elif param.choices:
                    given[param.name] = rng.choice(param.choices)
                elif param.name in ("min_total", "min_lookups"):
                    given[param.name] = rng.choice([1, 20, 60])
                elif param.name == "max_sources":
                    given[param.name] = rng.choice([1, 2, 4])
                elif param.name == "min_share":
                    given[param.name] = rng.choice([0.0, 0.3])
            bound = query.bind({k: v for k, v in given.items() if v is not None})
            columns = [c.name for c in query.columns]
            rolled = backend.query(query.text_for(backend.name), bound, columns=columns).rows
            daily = backend.query(query.text_for(backend.name, by_day=True), bound, columns=columns).rows
            if rolled != daily:
                found.append(f"{query.name} {given}: {len(rolled)} rows from the rollups, {len(daily)} by day")
    return found


def picture_differences(backend: Backend) -> list[str]:
    """Every lookup edge a picture draws from its rollup that says otherwise than the merging
    rule (graphkit.query.merging) says of the pair's daily relationships."""
    daily: dict[tuple[Any, Any], list[dict[str, Any]]] = defaultdict(list)
    for rel in whole_graph(backend).relationships:
        if rel.type == "LOOKED_UP":
            daily[(rel.start, rel.end)].append(rel.props)
    drawn = {
        (r.start, r.end): r.props for r in whole_graph(backend, rollups=True).relationships if r.type == "LOOKED_UP"
    }
    found = [f"{pair}: drawn {drawn.get(pair)}, no daily relationships" for pair in drawn.keys() - daily.keys()]
    for pair, days in daily.items():
        rule, edge = merged_props(days), drawn.get(pair, {})
        said = {k: str(v) for k, v in edge.items() if k in rule and k != "source"}
        if "source" in rule:
            said["source"] = str(edge.get("sources"))
            rule["source"] = str([rule["source"]])
        if said != {k: str(v) for k, v in rule.items()}:
            found.append(f"{pair}: drawn {edge}, merged {rule}")
    return found


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollups_add_up_whatever_the_order_of_loads(seed: int, store: Store, tmp_path: Path) -> None:
    rng = random.Random(seed)
    first = records_file(tmp_path / "first.jsonl", lookups(rng, [None]))  # the file's own: summed as loaded
    second = records_file(tmp_path / "second.jsonl", lookups(rng, [None, "zeek:aa", "dnsmasq:daily"]))
    store.cli("load", "records", first)
    backend = store.open()
    try:
        assert differences(backend) == []
        nonempty = backend.query("MATCH ()-[t:LOOKED_UP_TOTAL]->() RETURN count(t)").rows[0][0]
        assert nonempty > 20
        assert same_answers(backend, rng) == []
    finally:
        backend.close()
    store.cli("load", "records", second)
    store.cli("load", "records", first)  # again: nothing changes
    backend = store.open()
    try:
        assert differences(backend) == []
        before = dump(backend)
        # records batch by batch, not merged across a load: pairs straddle batches
        write_records(lookups(rng, ["bind:bb", "umbrella:daily"], 200), backend, batch_size=7)
        assert differences(backend) == []
        assert dump(backend) != before
        assert same_answers(backend, rng) == []
        assert picture_differences(backend) == []
    finally:
        backend.close()


def test_a_load_in_many_tables_adds_up_as_one(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A load handed on in many tables (ingest.spill) writes each table's rollups without looking
    for stored ones while the store holds only its own (GraphWriter._write_rollup), and a client's
    totals add up over the tables. A second file over the same pairs finds the first's rollups."""
    for backend_class in (embedded.EmbeddedBackend, neo4j.Neo4jBackend):
        monkeypatch.setattr(backend_class, "table_rows", 25)
    rng = random.Random(11)
    first, second = (records_file(tmp_path / f"{n}.jsonl", lookups(rng, [None])) for n in ("first", "second"))
    store.cli("load", "records", first)
    backend = store.open()
    try:
        assert differences(backend) == []
        assert backend.query("MATCH ()-[t:LOOKED_UP_TOTAL]->() RETURN count(t)").rows[0][0] > 25 * 2
    finally:
        backend.close()
    store.cli("load", "records", second)
    backend = store.open()
    try:
        assert differences(backend) == []
        shared = [pair for *pair, props in dump(backend)["LOOKED_UP_TOTAL"] if len(props["sources"]) == 2]
        assert len(shared) > 25
    finally:
        backend.close()


@pytest.mark.parametrize("read_rows", [1, 7, 1_000_000])
def test_the_embedded_store_reads_edges_by_their_from_node_as_by_both_ends(
    read_rows: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """edges_between reads every edge leaving the pairs' from-nodes, a few nodes a read, and
    keeps the pairs asked for; nodes with more than READ_ROWS edges are read pair by pair.
    Whatever READ_ROWS, it gives what a read of each pair by both ends gives."""
    here = Store("embedded", str(tmp_path / "graph.lbdb"))
    rng = random.Random(11)
    here.cli("load", "records", records_file(tmp_path / "x.jsonl", lookups(rng, [None, "zeek:aa", "dnsmasq:daily"])))
    monkeypatch.setattr(embedded, "READ_ROWS", read_rows)
    monkeypatch.setattr(embedded, "UPDATE_SLICE", 3)
    backend = here.open()
    try:
        rel, props = SCHEMA.by_type["LOOKED_UP"], ["day", "count", "source", "first_seen"]
        each = "MATCH (a:IPAddress {address: $f})-[r:LOOKED_UP]->(b:Domain {name: $t}) RETURN r.day, r.count, r.source"
        clients = [f"10.0.0.{i}" for i in range(1, 12)]  # 10.0.0.9-11 looked nothing up
        compared = 0
        for _ in range(5):
            pairs = [(rng.choice(clients), f"n{rng.randint(0, 13)}.example.com") for _ in range(rng.randint(0, 40))]
            asked = pa.table({"_f": [f for f, _ in pairs], "_t": [t for _, t in pairs]}, schema=PAIR)
            found = backend.edges_between(rel, "IPAddress", "Domain", asked, props)
            assert found.schema == tables.read_schema(rel, "IPAddress", "Domain", props)
            got = sorted((r["_f"], r["_t"], r["day"], r["count"], r["source"]) for r in found.to_pylist())
            want = sorted((f, t, *row) for f, t in set(pairs) for row in backend.query(each, {"f": f, "t": t}).rows)
            assert got == want
            compared += len(want)
        assert compared > 20  # most pairs asked for were looked up
    finally:
        backend.close()
    # a second log through those reads: its rollups and totals still add up
    monkeypatch.setattr(embedded, "UPDATE_SLICE", 2)
    here.cli("load", "records", records_file(tmp_path / "y.jsonl", lookups(rng, [None, "bind:bb"])))
    backend = here.open(read_only=True)
    try:
        assert differences(backend) == []
    finally:
        backend.close()


def test_a_rollup_that_disagrees_is_found(store: Store, tmp_path: Path) -> None:
    """`differences` and `picture_differences` can fail: a rollup changed behind graphkit's back is named."""
    store.cli("load", "records", records_file(tmp_path / "x.jsonl", lookups(random.Random(5), ["zeek:aa"])))
    backend = store.open()
    try:
        assert differences(backend) == []
        backend.query("MATCH ()-[t:LOOKED_UP_TOTAL]->() WITH t LIMIT 1 SET t.count = t.count + 1", write=True)
        backend.query("MATCH (d:Domain) WHERE d.lookups IS NOT NULL WITH d LIMIT 1 SET d.lookups = 0", write=True)
        found = differences(backend)
        pictured = picture_differences(backend)
    finally:
        backend.close()
    assert len(found) == 2 and found[0].startswith("rollup ") and found[1].startswith("Domain ")
    assert len(pictured) == 1 and "'count'" in pictured[0]


def test_derived_data_is_never_loaded(store: Store, tmp_path: Path) -> None:
    rows = [
        '{"edge": "LOOKED_UP_TOTAL", "from": ["IPAddress", "10.0.0.1"], "to": ["Domain", "a.example"], "props": {"count": 5}}',
        '{"node": "Domain", "key": "b.example", "props": {"lookups": 7}}',
        '{"node": "Domain", "key": "c.example"}',
    ]
    (tmp_path / "derived.jsonl").write_text("\n".join(rows) + "\n")
    result = store.cli("load", "records", str(tmp_path / "derived.jsonl"), check=False)
    assert "LOOKED_UP_TOTAL is derived" in result.stderr + result.stdout
    assert "Domain.lookups is derived" in result.stderr + result.stdout
    assert store.query("MATCH (d:Domain) RETURN d.name ORDER BY d.name") == [["c.example"]]


# every query with a by-day text, with a window: they answer from the daily relationships alone
WINDOWED = (
    ("rare-names", "-p", "since=2016-05-01", "-p", "min_lookups=1", "-p", "max_sources=20"),
    ("lookup-concentration", "-p", "since=2016-05-01", "-p", "min_total=1", "-p", "min_share=0"),
    ("lookup-sources", "-p", "since=2016-05-01", "-p", "domain=n1.example.com"),
)


def test_a_store_without_rollups_is_refused_until_upgraded(store: Store, tmp_path: Path) -> None:
    """A store an older graphkit loaded has daily lookups and no rollups: a query or picture that
    reads them says so (an empty answer would look like a finding), a window still answers from
    the days, and `graphkit schema upgrade` sums them (on Neo4j too)."""
    store.cli("load", "records", records_file(tmp_path / "x.jsonl", lookups(random.Random(7), [None, "zeek:aa"])))
    backend = store.open()
    try:
        rolled = dump(backend)
        backend.query("MATCH ()-[t:LOOKED_UP_TOTAL]->() DELETE t", write=True)
        for label, props in (("Domain", NAME_TOTALS), ("IPAddress", CLIENT_TOTALS), ("Host", CLIENT_TOTALS)):
            for prop in props:
                backend.query(f"MATCH (n:{label}) SET n.{prop} = NULL", write=True)
        assert len(differences(backend)) > 20
    finally:
        backend.close()
    refused = store.cli("query", "run", "rare-names", check=False)
    assert refused.returncode == 1 and "LOOKED_UP relationships but not their rollups" in refused.stderr
    assert "schema upgrade" in refused.stderr and "Traceback" not in refused.stderr
    picture = store.cli("export", "--around", "n1.example.com", "-o", str(tmp_path / "p.html"), check=False)
    assert picture.returncode == 1 and "schema upgrade" in picture.stderr
    by_day = {name: store.cli("query", "run", name, *params).stdout for name, *params in WINDOWED}  # no rollups needed
    upgraded = store.cli("schema", "upgrade")
    assert "summed its lookups into" in upgraded.stdout
    assert "up to date" in store.cli("schema", "upgrade").stdout
    backend = store.open()
    try:
        assert differences(backend) == []
        assert dump(backend) == rolled
    finally:
        backend.close()
    store.cli("query", "run", "rare-names")
    assert {name: store.cli("query", "run", name, *params).stdout for name, *params in WINDOWED} == by_day
    assert all(len(answer.splitlines()) > 2 for answer in by_day.values())  # a header, its rule, rows


@pytest.mark.slow
def test_killed_loads_leave_rollups_that_a_rerun_puts_right(store: Store, tmp_path: Path) -> None:
    """A second log (overlapping what a first one loaded) killed at each of its store writes,
    rollups and totals included, then loaded again: the graph of one clean load, rollups
    agreeing with the days."""
    rng = random.Random(9)
    first = records_file(tmp_path / "first.jsonl", lookups(rng, [None, "dnsmasq:daily"]))
    second = records_file(tmp_path / "second.jsonl", lookups(rng, [None]))
    runs = iter(range(1000))

    def fresh() -> Store:
        """An empty store (on Neo4j, the one server cleared) with the first log loaded."""
        if store.kind == "embedded":
            here = Store("embedded", str(tmp_path / f"graph-{next(runs)}.lbdb"))
        else:
            clear_neo4j(store.location)
            here = store
        here.cli("load", "records", first)
        return here

    def dumped(here: Store) -> dict[str, list[Any]]:
        backend = here.open(read_only=True)
        try:
            assert differences(backend) == []
            return dump(backend)
        finally:
            backend.close()

    here = fresh()
    here.cli("load", "records", second)
    clean = dumped(here)
    here = fresh()
    env = {**here.env, "GRAPHKIT_STORE": here.location}
    writes = run_cli_killed("1000000", "load", "records", second, env=env)
    total = int(writes.stderr.rsplit(NOT_KILLED, 1)[1].split()[0])
    assert total >= 5  # the daily rows, their rollups, both ends' totals, the Source
    for point in range(1, total):
        here = fresh()
        env = {**here.env, "GRAPHKIT_STORE": here.location}
        killed = run_cli_killed(str(point), "load", "records", second, env=env)
        assert killed.returncode < 0, (point, killed.stderr[-300:])
        here.cli("load", "records", second)
        assert dumped(here) == clean, f"killed after write {point}"
