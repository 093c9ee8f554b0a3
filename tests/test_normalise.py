"""Derived facts: the Public Suffix split, and the bulk-table path agreeing with the per-record one."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st
from publicsuffixlist import PublicSuffixList

from graphkit.ingest.normalise import Normaliser, derived_tables
from graphkit.model import names
from graphkit.model.records import EdgeRecord, NodeRecord
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


def test_a_node_table_gets_what_single_records_get() -> None:
    keys = ["mail1.trump-email.com", "trump-email.com", "a.b.example.co.uk", "co.uk", "www.city.kobe.jp", "x.nosuchtld"]
    per_record: dict[tuple[str, object], dict[str, object]] = {}
    edges: set[tuple[object, object]] = set()
    normalise = Normaliser()
    for key in keys:
        for record in normalise(NodeRecord("Domain", key, {}, "s")):
            if isinstance(record, NodeRecord):
                per_record[(record.label, record.key)] = record.props
            else:
                assert isinstance(record, EdgeRecord)
                edges.add((record.from_key, record.to_key))

    bulk_nodes: dict[tuple[str, object], dict[str, object]] = {}
    bulk_edges: set[tuple[object, object]] = set()
    for bulk in derived_tables(NodeTable("Domain", pa.table({"_k": keys}), "s")):
        assert bulk.source == "s"
        if isinstance(bulk, NodeTable):
            for row in bulk.table.to_pylist():
                bulk_nodes[(bulk.label, row.pop("_k"))] = row
        else:
            assert isinstance(bulk, EdgeTable) and bulk.type == "SUBDOMAIN_OF"
            bulk_edges |= set(
                zip(bulk.table.column("_f").to_pylist(), bulk.table.column("_t").to_pylist(), strict=True)
            )

    assert bulk_nodes == per_record
    assert bulk_edges == edges
    assert ("Domain", "example.co.uk") in bulk_nodes  # a registered domain the table lacked
    assert ("mail1.trump-email.com", "trump-email.com") in bulk_edges


def test_an_address_table_gets_its_version() -> None:
    (table,) = derived_tables(NodeTable("IPAddress", pa.table({"_k": ["10.0.0.1", "2001:db8::1"]})))
    assert isinstance(table, NodeTable)
    assert table.table.column("version").to_pylist() == [4, 6]
