"""The normaliser: canonical keys once per value, derived facts, merged identities, rejects with lines."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from publicsuffixlist import PublicSuffixList

from graphkit.backends.merge import merge_value
from graphkit.ingest.canonical import canonical_keys, suffix_columns
from graphkit.ingest.combine import combined
from graphkit.ingest.normalise import Normaliser, derived_tables
from graphkit.ingest.observations import Observations
from graphkit.ingest.pipeline import tables_of
from graphkit.model import names
from graphkit.model.records import EdgeRecord, NodeRecord
from graphkit.model.schema import Merge, Prop, PropType
from graphkit.model.tables import EdgeTable, NodeTable, with_time_text

PSL = PublicSuffixList()
# Tails that exercise the list's rule kinds: plain, multi-label, wildcard (*.ck, *.kobe.jp),
# exception (!www.ck, !city.kobe.jp), private section, and an unknown TLD.
TAILS = ["com", "co.uk", "ck", "www.ck", "kobe.jp", "city.kobe.jp", "blogspot.com", "s3.amazonaws.com", "nosuchtld"]
LABELS = st.sampled_from(["a", "www", "mail1", "city", "s3", "x-y", "ck", "co"])


@settings(max_examples=500, deadline=None)
@given(st.lists(LABELS, max_size=4), st.sampled_from(TAILS))
def test_suffixes_agree_with_the_public_suffix_list(head: list[str], tail: str) -> None:
    name = ".".join([*head, tail])
    expected = (PSL.privatesuffix(name) or name, PSL.publicsuffix(name) or name.rsplit(".", 1)[-1])
    assert names.suffixes(name) == expected


def _normalised(observations: Observations) -> tuple[dict[tuple[str, object], dict[str, object]], set[tuple]]:
    nodes: dict[tuple[str, object], dict[str, object]] = {}
    edges: set[tuple] = set()
    normalise = Normaliser(lambda reason, text, line: pytest.fail(f"{text}: {reason}"))
    for observed in observations.take():
        for bulk in normalise(observed):
            if isinstance(bulk, NodeTable):
                for row in bulk.table.to_pylist():
                    row.pop("_seq", None)  # the order rows came in: the batch's, not a property
                    nodes.setdefault((bulk.label, row.pop("_k")), {}).update(row)
            else:
                assert isinstance(bulk, EdgeTable)
                edges |= {(bulk.type, row["_f"], row["_t"]) for row in bulk.table.to_pylist()}
    return nodes, edges


def test_a_canonical_node_table_gets_what_observed_keys_get() -> None:
    keys = ["mail1.trump-email.com", "trump-email.com", "a.b.example.co.uk", "co.uk", "www.city.kobe.jp", "x.nosuchtld"]
    observations = Observations()
    for key in keys:
        observations.node("Domain", key.upper() + ".", source="s")  # canonical once normalised
    observed_nodes, observed_edges = _normalised(observations)

    bulk_nodes: dict[tuple[str, object], dict[str, object]] = {}
    bulk_edges: set[tuple] = set()
    for bulk in derived_tables(NodeTable("Domain", pa.table({"_k": keys}), "s")):
        assert bulk.source == "s"
        if isinstance(bulk, NodeTable):
            for row in bulk.table.to_pylist():
                key = row.pop("_k")
                bulk_nodes[(bulk.label, key)] = {n: v for n, v in row.items() if n != "sources"}
        else:
            assert isinstance(bulk, EdgeTable) and bulk.type == "SUBDOMAIN_OF"
            bulk_edges |= {(bulk.type, row["_f"], row["_t"]) for row in bulk.table.to_pylist()}

    assert {k: {n: v for n, v in p.items() if n != "sources"} for k, p in observed_nodes.items()} == bulk_nodes
    assert observed_edges == bulk_edges
    assert ("Domain", "example.co.uk") in bulk_nodes  # a registered domain the table lacked
    assert ("SUBDOMAIN_OF", "mail1.trump-email.com", "trump-email.com") in bulk_edges


def test_rows_of_one_identity_merge_by_the_schema_rules() -> None:
    """In file order: SET keeps the last value given, MIN/MAX the extremes, UNION the lists in
    order of first appearance; endpoints get their nodes, Organization its display name."""
    observations = Observations()
    rows = [
        ({"ttl": 60, "first_seen": "2016-05-04T00:00:00Z", "last_seen": "1462406400"}, ["x"]),
        ({"ttl": None, "first_seen": "2016-05-01T12:00:00+00:00", "count": 3}, None),
        ({"ttl": 300, "last_seen": "2016-06-01T00:00:00Z", "count": 2}, ["y", "x"]),
    ]
    for props, sources in rows:
        observations.edge(
            "RESOLVES_TO",
            "Domain",
            "Mail1.Trump-Email.com.",
            "IPAddress",
            "66.216.133.29",
            {**props, "sources": sources},
            source="s",
        )
    observations.edge(
        "ALLOCATED_TO",
        "Netblock",
        "66.216.128.0/19",
        "Organization",
        "  Listrak, Inc. ",
        {"role": "registrant"},
        source="s",
    )
    nodes, edges = _normalised(observations)
    (edge,) = [b for b in edges if b[0] == "RESOLVES_TO"]
    assert edge == ("RESOLVES_TO", "mail1.trump-email.com", "66.216.133.29")
    records = [
        EdgeRecord(
            "RESOLVES_TO",
            "Domain",
            "mail1.trump-email.com",
            "IPAddress",
            "66.216.133.29",
            {k: v for k, v in {**props, "sources": sources}.items() if v is not None},
            "s",
        )
        for props, sources in rows
    ]
    (merged,) = [
        with_time_text(t.table).to_pylist()
        for t in tables_of(records, lambda *a: pytest.fail(str(a)))
        if isinstance(t, EdgeTable) and t.type == "RESOLVES_TO"
    ]
    assert merged == [
        {
            "_f": "mail1.trump-email.com",
            "_t": "66.216.133.29",
            "ttl": 300,
            "first_seen": "2016-05-01T12:00:00Z",
            "last_seen": "2016-06-01T00:00:00Z",
            "count": 3,
            "sources": ["x", "s", "y"],
        }
    ]
    assert nodes[("Organization", "listrak")]["name"] == "Listrak, Inc."
    assert nodes[("IPAddress", "66.216.133.29")]["version"] == 4


def test_bad_keys_and_times_are_rejected_with_their_lines_and_the_rest_kept() -> None:
    observations = Observations()
    observations.edge("RESOLVES_TO", "Domain", "ok.example", "IPAddress", "10.0.0.1", line=1)
    observations.edge("RESOLVES_TO", "Domain", "bad..name", "IPAddress", "10.0.0.2", line=2)
    observations.edge("RESOLVES_TO", "Domain", "ok.example", "IPAddress", "10.0.0.300", line=3)
    observations.edge("RESOLVES_TO", "Domain", "ok.example", "IPAddress", "10.0.0.4", {"first_seen": "soon"}, line=4)
    rejected: list[tuple[int | None, str]] = []
    (observed,) = observations.take()
    out = list(Normaliser(lambda reason, text, line: rejected.append((line, reason)))(observed))
    (edges,) = [t.table for t in out if isinstance(t, EdgeTable)]
    assert edges.column("_t").to_pylist() == ["10.0.0.1"]
    assert [line for line, _ in rejected] == [2, 3, 4]
    assert "not an IP address" in rejected[1][1] and "first_seen" in rejected[2][1]


def test_an_address_table_gets_its_version() -> None:
    (table,) = derived_tables(NodeTable("IPAddress", pa.table({"_k": ["10.0.0.1", "2001:db8::1"]})))
    assert isinstance(table, NodeTable)
    assert table.table.column("version").to_pylist() == [4, 6]


NAME_PARTS = st.sampled_from(
    ["a", "WWW", "mail1", "city", "s3", "x-y", "-x", "y-", "ck", "co", "", "*", "é", "xn--bcher-kva", "a b", "_dmarc"]
)


def _column_keys_as_one_at_a_time(label: str, values: list[str], canon: Callable[[str], str]) -> pa.Array:
    """canonical_keys of the column, checked value by value against `canon`: the same key,
    or the same reason for none."""
    keys, bad = canonical_keys(label, pa.chunked_array([values], pa.string()))
    rejected = dict(bad)
    for row, value in enumerate(values):
        try:
            expected = canon(value)
        except names.InvalidName as exc:
            assert rejected[row] == str(exc) and keys[row].as_py() is None
            continue
        assert keys[row].as_py() == expected and row not in rejected
    return keys


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.lists(NAME_PARTS, max_size=4), st.sampled_from([*TAILS, "COM.", "uk."])), max_size=20))
def test_column_keys_and_suffixes_agree_with_one_name_at_a_time(parts: list[tuple[list[str], str]]) -> None:
    """The column fast paths (Arrow's test for plain names, the split per parent) say what
    graphkit.model.names says for each value."""
    values = [".".join([*head, tail]) for head, tail in parts]
    keys = _column_keys_as_one_at_a_time("Domain", values, names.domain)
    good = pc.drop_null(keys)
    derived = suffix_columns(good)
    assert list(zip(derived["registered_domain"].to_pylist(), derived["tld"].to_pylist(), strict=True)) == [
        names.suffixes(name) for name in good.to_pylist()
    ]


OCTETS = st.sampled_from(["0", "1", "10", "127", "128", "192", "255", "256", "00", "010", "٣", ""])
LENGTHS = st.sampled_from(["0", "1", "7", "8", "16", "24", "25", "31", "32", "33", "024", "", "x"])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.tuples(st.lists(OCTETS, min_size=3, max_size=5), LENGTHS).map(lambda p: ".".join(p[0]) + "/" + p[1]),
            st.sampled_from(["2001:db8::/32", "2001:DB8:0::/48", " 10.0.0.0/8", "10.0.0.0", "10.0.0.0/255.0.0.0"]),
        ),
        max_size=20,
    )
)
def test_column_networks_agree_with_one_network_at_a_time(values: list[str]) -> None:
    """Arrow's test for plain IPv4 networks says what graphkit.model.names.cidr says, host
    bits and all."""
    _column_keys_as_one_at_a_time("Netblock", values, names.cidr)


MERGED_PROPS = [
    Prop("s", merge=Merge.SET),
    Prop("f", merge=Merge.FIRST),
    Prop("lo", PropType.INT, Merge.MIN),
    Prop("hi", PropType.TIME, Merge.MAX),
    Prop("u", PropType.STRING_LIST, Merge.UNION),
]
SMALL = st.sampled_from(["a", "b", None])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            SMALL,
            SMALL,
            SMALL,
            SMALL,
            st.one_of(st.none(), st.integers(0, 3)),
            st.sampled_from([None, "2016-05-04T00:00:00Z", "2016-06-01T00:00:00Z"]),
            st.one_of(st.none(), st.lists(st.sampled_from(["x", "y", "z"]), max_size=3)),
        ),
        max_size=12,
    )
)
def test_combined_rows_merge_as_the_store_would_one_by_one(rows: list[tuple]) -> None:
    names_ = ["k1", "k2", "s", "f", "lo", "hi", "u"]
    table = pa.Table.from_pylist(
        [dict(zip(names_, row, strict=True)) for row in rows],
        schema=pa.schema(
            [
                ("k1", pa.string()),
                ("k2", pa.string()),
                ("s", pa.string()),
                ("f", pa.string()),
                ("lo", pa.int64()),
                ("hi", pa.string()),
                ("u", pa.list_(pa.string())),
            ]
        ),
    )
    expected: dict[tuple, dict] = {}
    for row in table.to_pylist():
        ident = (row["k1"], row["k2"])
        if ident not in expected:
            expected[ident] = row
            continue
        kept = expected[ident]
        for prop in MERGED_PROPS:
            kept[prop.name] = merge_value(prop, kept[prop.name], row[prop.name])
    assert combined(table, ["k1", "k2"], MERGED_PROPS).to_pylist() == list(expected.values())


def test_a_bad_node_key_is_rejected_as_written() -> None:
    observations = Observations()
    observations.node("Domain", "Bad..Name", line=7)
    rejected: list[tuple[str, int | None]] = []
    (observed,) = observations.take()
    list(Normaliser(lambda reason, text, line: rejected.append((text, line)))(observed))
    assert rejected == [("Domain 'Bad..Name'", 7)]


def test_a_node_given_is_written_once_though_edges_name_it_too() -> None:
    """One row per node and batch: the batch merges a node given with the endpoint row of an
    edge before it; a later batch adds no endpoint row for a node written already."""
    records: list[EdgeRecord | NodeRecord] = []
    for batch in range(2):
        records += [
            EdgeRecord("REGISTERED_BY", "Domain", "www.example.com", "Organization", "Acme Inc", {}, "s"),
            NodeRecord("Organization", "ACME, Inc.", {"name": "Acme Inc"}, "s"),
            NodeRecord("Domain", "WWW.Example.com", {"status": [f"s{batch}"]}, "s"),
        ]
    rows: Counter[tuple[str, object]] = Counter()
    for bulk in tables_of(records, lambda *a: pytest.fail(str(a)), batch_size=3):
        if isinstance(bulk, NodeTable):
            rows.update((bulk.label, key) for key in bulk.table.column("_k").to_pylist())
    assert rows[("Organization", "acme")] == 2  # once per batch
    assert rows[("Domain", "www.example.com")] == 2
    assert rows[("Domain", "example.com")] == 1  # a derived registered domain, once per load


def _tables_of(records: list[EdgeRecord | NodeRecord]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for bulk in tables_of(records, lambda *rejected: pytest.fail(str(rejected))):
        name = bulk.label if isinstance(bulk, NodeTable) else bulk.type
        out.setdefault(name, []).extend(bulk.table.to_pylist())
    return out


def test_rows_merge_in_the_order_they_came_across_tables_and_sources() -> None:
    """A FIRST display name comes from whichever row came first, an edge's endpoint or the node
    itself, and SET keeps the last value given whatever source gave it, as one-by-one merging
    in input order would have it."""
    records = [
        NodeRecord("Organization", "Alpha Org", {"name": "Alpha Org"}, "s1"),
        EdgeRecord(
            "ALLOCATED_TO", "Netblock", "10.0.0.0/24", "Organization", "ACME, Inc", {"role": "registrant"}, "s1"
        ),
        NodeRecord("Organization", "Acme Inc.", {"name": "Acme Inc."}, "s1"),
        NodeRecord("Domain", "example.com", {"privacy_service": "one"}, "s1"),
        NodeRecord("Domain", "example.com", {"privacy_service": "two"}, "s2"),
        NodeRecord("Domain", "example.com", {"privacy_service": "three"}, "s1"),
    ]
    written = _tables_of(records)
    orgs = {row["_k"]: row for row in written["Organization"]}
    assert orgs["acme"]["name"] == "ACME, Inc"
    assert orgs["alpha org"]["name"] == "Alpha Org"
    (domain,) = [row for row in written["Domain"] if row["_k"] == "example.com"]
    assert domain["privacy_service"] == "three"
    assert domain["sources"] == ["s1", "s2"]
