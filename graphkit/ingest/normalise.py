"""Canonical keys and derived facts for a stream of records.

Every node key is put in canonical form (graphkit.model.names); every edge endpoint gets a
node record, so stores never see a dangling edge; every Domain gets its registered domain,
public suffix and SUBDOMAIN_OF edge; every IPAddress its version. Bulk node tables, whose
keys are canonical already, get the same derived facts a table at a time (derived_tables).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from graphkit.model import names, times
from graphkit.model.records import EdgeRecord, Key, NodeRecord, Props, Record, RecordError
from graphkit.model.schema import SCHEMA, PropType
from graphkit.model.tables import Bulk, EdgeTable, NodeTable

CANONICAL: dict[str, Callable[[str], str]] = {
    "Domain": names.domain,
    "IPAddress": names.ip,
    "Netblock": names.cidr,
    "Email": names.email,
    "Organization": names.organization_key,
}
SEEN_LIMIT = 500_000  # endpoint nodes remembered per load; forgetting only costs a re-write
TIME_PROPS = {
    owner: tuple(p.name for p in props if p.type is PropType.TIME)
    for owner, props in [(n.label, n.props) for n in SCHEMA.nodes] + [(r.type, r.props) for r in SCHEMA.rels]
}


def canonical_key(label: str, key: Key) -> Key:
    canon = CANONICAL.get(label)
    return canon(key) if canon and isinstance(key, str) else key


class Normaliser:
    def __init__(self) -> None:
        self._seen: set[tuple[str, Key, str | None]] = set()

    def __call__(self, record: Record) -> Iterator[Record]:
        """Canonical record(s) for one record; raises names.InvalidName for a bad key and
        RecordError for a time that cannot be read."""
        canonical_times(record)
        if isinstance(record, NodeRecord):
            raw = record.key
            record.key = canonical_key(record.label, raw)
            if record.label == "Organization" and not record.props.get("name") and isinstance(raw, str):
                record.props["name"] = raw.strip()
            # the node before its SUBDOMAIN_OF edge: a writer flush may fall between the two
            yield with_derived(record)
            yield from self._derived(record.label, record.key, record.source)
            return
        raw_ends = ((record.from_label, record.from_key), (record.to_label, record.to_key))
        record.from_key = canonical_key(record.from_label, record.from_key)
        record.to_key = canonical_key(record.to_label, record.to_key)
        for (label, raw), key in zip(raw_ends, (record.from_key, record.to_key)):
            marker = (label, key, record.source)
            if marker in self._seen:
                continue
            if len(self._seen) >= SEEN_LIMIT:
                self._seen.clear()
            self._seen.add(marker)
            props = _derived_props(label, key)
            if label == "Organization" and isinstance(raw, str):
                props["name"] = raw.strip()
            yield NodeRecord(label, key, props, record.source)
            yield from self._derived(label, key, record.source)
        yield record

    def _derived(self, label: str, key: Key, source: str | None) -> Iterator[Record]:
        if label != "Domain" or not isinstance(key, str):
            return
        registered, _ = names.suffixes(key)
        if registered != key:
            marker = ("Domain", registered, source)
            if marker not in self._seen:
                self._seen.add(marker)
                yield NodeRecord("Domain", registered, _derived_props("Domain", registered), source)
            yield EdgeRecord("SUBDOMAIN_OF", "Domain", key, "Domain", registered, {}, source)


def canonical_times(record: Record) -> None:
    """Its times in graphkit.model.times' one form, which both stores can hold and compare."""
    owner = record.label if isinstance(record, NodeRecord) else record.type
    for name in TIME_PROPS.get(owner, ()):
        value = record.props.get(name)
        if value is not None and not times.IN_FORM.fullmatch(value):
            try:
                record.props[name] = times.from_text(value)
            except times.InvalidTime as exc:
                raise RecordError(f"{owner}.{name}: {exc}") from None


def derived_tables(nodes: NodeTable) -> Iterator[Bulk]:
    """What the Normaliser does per record, for a table of nodes: their derived properties,
    then the registered domains the table lacks, then the SUBDOMAIN_OF edges."""
    keys = nodes.table.column("_k").to_pylist()
    derived = _derived_columns(nodes.label, keys)
    yield NodeTable(nodes.label, _appended(nodes.table, derived), nodes.source)
    if nodes.label != "Domain":
        return
    registered = pa.array(derived["registered_domain"], pa.string())
    have = set(keys)
    extra = [name for name in dict.fromkeys(derived["registered_domain"]) if name not in have]
    del keys, have, derived
    if extra:
        table = pa.table({"_k": pa.array(extra, pa.string())})
        yield NodeTable("Domain", _appended(table, _derived_columns("Domain", extra)), nodes.source)
    edges = pa.table({"_f": nodes.table.column("_k"), "_t": registered})
    edges = edges.filter(pc.not_equal(edges.column("_f"), edges.column("_t")))
    if edges.num_rows:
        yield EdgeTable("SUBDOMAIN_OF", "Domain", "Domain", edges, nodes.source)


def _appended(table: pa.Table, columns: dict[str, list[Any]]) -> pa.Table:
    for name, values in columns.items():
        if name not in table.column_names:
            table = table.append_column(name, pa.array(values))
    return table


def _derived_columns(label: str, keys: Sequence[str]) -> dict[str, list[Any]]:
    """The properties that follow from canonical keys, a column each."""
    if label == "Domain":
        split = [names.suffixes(key) for key in keys]
        return {"registered_domain": [r for r, _ in split], "tld": [t for _, t in split]}
    if label == "IPAddress":
        return {"version": [names.ip_version(key) for key in keys]}
    return {}


def _derived_props(label: str, key: Key) -> Props:
    if not isinstance(key, str):
        return {}
    return {name: column[0] for name, column in _derived_columns(label, [key]).items()}


def with_derived(record: NodeRecord) -> NodeRecord:
    """A node record with the properties derived from its key filled in."""
    for name, value in _derived_props(record.label, record.key).items():
        record.props.setdefault(name, value)
    return record
