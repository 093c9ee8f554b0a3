"""The normaliser: canonical keys once per value, derived facts, merged identities, rejects with lines."""

from __future__ import annotations

from collections import Counter

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from publicsuffixlist import PublicSuffixList

from graphkit.ingest.normalise import Normaliser, derived_tables
from graphkit.ingest.observations import Observations
from graphkit.model import names
from graphkit.model.tables import EdgeTable, NodeTable

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
    gathered = Observations()
    for props, sources in rows:
        gathered.edge(
            "RESOLVES_TO",
            "Domain",
            "mail1.trump-email.com",
            "IPAddress",
            "66.216.133.29",
            {**props, "sources": sources},
            source="s",
        )
    (observed,) = gathered.take()
    tables = list(Normaliser(lambda *a: pytest.fail(str(a)))(observed))
    (merged,) = [t.table.to_pylist() for t in tables if isinstance(t, EdgeTable) and t.type == "RESOLVES_TO"]
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


def test_a_bad_node_key_is_rejected_as_written() -> None:
    observations = Observations()
    observations.node("Domain", "Bad..Name", line=7)
    rejected: list[tuple[str, int | None]] = []
    (observed,) = observations.take()
    list(Normaliser(lambda reason, text, line: rejected.append((text, line)))(observed))
    assert rejected == [("Domain 'Bad..Name'", 7)]


def test_a_node_given_is_written_once_though_edges_name_it_too() -> None:
    """Endpoint rows only for nodes not given: the edge before the node in the batch, or a
    later batch, adds no second row (the row-wise writer merged them into one)."""
    normalise = Normaliser(lambda *a: pytest.fail(str(a)))
    rows: Counter[tuple[str, object]] = Counter()
    for batch in range(2):
        observations = Observations()
        observations.edge("REGISTERED_BY", "Domain", "www.example.com", "Organization", "Acme Inc", source="s")
        observations.node("Organization", "ACME, Inc.", {"name": "Acme Inc"}, source="s")
        observations.node("Domain", "WWW.Example.com", {"status": [f"s{batch}"]}, source="s")
        for observed in observations.take():
            for bulk in normalise(observed):
                if isinstance(bulk, NodeTable):
                    rows.update((bulk.label, key) for key in bulk.table.column("_k").to_pylist())
    assert rows[("Organization", "acme")] == 2  # once per batch: given, so no endpoint row
    assert rows[("Domain", "www.example.com")] == 2
    assert rows[("Domain", "example.com")] == 1  # a derived registered domain, once per load
