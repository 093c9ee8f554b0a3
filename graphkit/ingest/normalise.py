"""Canonical keys and derived facts, a table at a time.

Every key is put in canonical form (graphkit.model.names) once per distinct value, not per
row; a row whose key or time cannot be read is rejected with its line. Every edge endpoint
gets a node row, so stores never see a dangling edge; every Domain its registered domain,
public suffix and SUBDOMAIN_OF edge; every IPAddress its version. Rows of the same identity
are then merged by the schema's rules (graphkit.ingest.combine), so a store sees each node or
edge once per table. Canonical bulk node tables (the lookup aggregator's) get the derived
facts only (derived_tables).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from graphkit.ingest.combine import combined
from graphkit.ingest.observations import Observed
from graphkit.model import names, plain_keys, tables, times
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

Reject = Callable[[str, str, int | None], None]  # reason, what was rejected, line


class Normaliser:
    """Observed tables -> canonical node and edge tables, endpoints and derived facts first."""

    def __init__(self, reject: Reject) -> None:
        self.reject = reject
        self._seen: set[tuple[str, Any, str | None]] = set()  # endpoint nodes already yielded

    def __call__(self, observed: Observed) -> Iterator[Bulk]:
        if observed.ends is None:
            yield from self._nodes(observed)
        else:
            yield from self._edges(observed)

    def _nodes(self, observed: Observed) -> Iterator[Bulk]:
        label, table, source = observed.name, observed.table, observed.source
        node = SCHEMA.by_label[label]
        raw = table.column("_k")
        keys, bad = canonical_keys(label, raw)
        table, times_bad = _canonical_times(label, _set(table, "_k", keys))
        if label == "Organization":  # the display name, when none is given: the key as written
            table = _set(table, "name", pc.coalesce(_given(table, "name"), pc.utf8_trim_whitespace(raw)))
        table = self._kept(table, [*bad, *times_bad], lambda row: f"{label} {row['_k']!r}")
        table = tables.with_provenance(table.drop_columns(["_line"]), source, node.props_by_name)
        nodes = combined(table, ["_k"], node.props)
        yield from derived_tables(NodeTable(label, nodes, source), self._seen)

    def _edges(self, observed: Observed) -> Iterator[Bulk]:
        assert observed.ends is not None
        rel = SCHEMA.by_type[observed.name]
        (from_label, to_label), table, source = observed.ends, observed.table, observed.source
        raw_from, raw_to = table.column("_f"), table.column("_t")
        from_keys, bad_from = canonical_keys(from_label, raw_from)
        to_keys, bad_to = canonical_keys(to_label, raw_to)
        table, times_bad = _canonical_times(rel.type, _set(_set(table, "_f", from_keys), "_t", to_keys))
        table = _set(_set(table, "_rf", raw_from), "_rt", raw_to)
        table = self._kept(
            table, [*bad_from, *bad_to, *times_bad], lambda r: f"{rel.type} {r['_rf']!r} -> {r['_rt']!r}"
        )
        for end, label in (("_f", from_label), ("_t", to_label)):
            yield from self._endpoints(label, table.column(end), table.column("_r" + end[1]), source)
        table = tables.with_provenance(table.drop_columns(["_line", "_rf", "_rt"]), source, rel.props_by_name)
        edges = combined(table, ["_f", "_t", *rel.identity], rel.props)
        yield EdgeTable(rel.type, from_label, to_label, edges, source)

    def _endpoints(self, label: str, keys: pa.ChunkedArray, raw: pa.ChunkedArray, source: str | None) -> Iterator[Bulk]:
        """Node rows for the endpoints not yielded before in this load."""
        firsts = pa.table({"_k": keys, "_raw": raw}).group_by("_k", use_threads=False).aggregate([("_raw", "first")])
        new = [i for i, key in enumerate(firsts.column("_k").to_pylist()) if (label, key, source) not in self._seen]
        if not new:
            return
        firsts = firsts.take(pa.array(new, pa.int64()))
        if len(self._seen) + len(new) > SEEN_LIMIT:
            self._seen.clear()
        self._seen.update((label, key, source) for key in firsts.column("_k").to_pylist())
        nodes = pa.table({"_k": firsts.column("_k")})
        if label == "Organization":
            nodes = nodes.append_column("name", pc.utf8_trim_whitespace(firsts.column("_raw_first")))
        nodes = tables.with_provenance(nodes, source, SCHEMA.by_label[label].props_by_name)
        yield from derived_tables(NodeTable(label, nodes, source), self._seen)

    def _kept(self, table: pa.Table, bad: list[tuple[int, str]], describe: Callable[[dict[str, Any]], str]) -> pa.Table:
        """The table without the rows in `bad` (row, reason), each rejected once with its line."""
        if not bad:
            return table
        reasons: dict[int, str] = {}
        for row, reason in bad:
            reasons.setdefault(row, reason)
        rows = sorted(reasons)
        for row, values in zip(rows, table.take(pa.array(rows, pa.int64())).to_pylist(), strict=True):
            self.reject(reasons[row], describe(values), values["_line"])
        keep = pc.invert(pc.is_in(pa.array(range(len(table)), pa.int64()), pa.array(rows, pa.int64())))
        return table.filter(keep)


def canonical_keys(label: str, column: pa.ChunkedArray) -> tuple[pa.ChunkedArray | pa.Array, list[tuple[int, str]]]:
    """The column's keys in canonical form, computed once per distinct value, and the rows
    (index, reason) whose key cannot be one."""
    canon = CANONICAL.get(label)
    if canon is None or not (pa.types.is_string(column.type) or pa.types.is_null(column.type)):
        return column, []
    if pa.types.is_string(column.type) and (fast := plain_keys.plain(label, column)) is not None:
        keys, plain = fast  # plain keys in Arrow; only the others through names, once per distinct value
        if pc.all(plain).as_py():
            return keys, []
        others = pc.indices_nonzero(pc.invert(plain))
        rest, bad = _canonical_per_value(label, canon, pc.take(column, others))
        rows = others.to_pylist()
        rest = rest.combine_chunks() if isinstance(rest, pa.ChunkedArray) else rest
        mask = pa.chunked_array([pc.invert(plain)]).combine_chunks()
        keys = pc.replace_with_mask(pa.chunked_array([keys]).combine_chunks(), mask, rest)
        return keys, [(rows[row], reason) for row, reason in bad]
    return _canonical_per_value(label, canon, column)


def _canonical_per_value(
    label: str, canon: Callable[[str], str], column: pa.ChunkedArray | pa.Array
) -> tuple[pa.ChunkedArray | pa.Array, list[tuple[int, str]]]:
    encoded = pc.dictionary_encode(pa.chunked_array([column.cast(pa.string())])).combine_chunks()
    canonical: list[str | None] = []
    reasons: dict[int, str] = {}
    for i, value in enumerate(encoded.dictionary.to_pylist()):
        try:
            canonical.append(canon(value))
        except names.InvalidName as exc:
            canonical.append(None)
            reasons[i] = str(exc)
    keys = pc.take(pa.array(canonical, pa.string()), encoded.indices)
    bad: list[tuple[int, str]] = []
    if reasons or encoded.null_count:
        node = SCHEMA.by_label[label]
        for row, index in enumerate(encoded.indices.to_pylist()):
            if index is None:
                bad.append((row, f"{label} is missing its key {node.key.name!r}"))
            elif index in reasons:
                bad.append((row, reasons[index]))
    return keys, bad


def _canonical_times(owner: str, table: pa.Table) -> tuple[pa.Table, list[tuple[int, str]]]:
    """The table with its text times in graphkit.model.times' one form (once per distinct
    value), and the rows whose time cannot be read."""
    bad: list[tuple[int, str]] = []
    for name in TIME_PROPS.get(owner, ()):
        if name not in table.column_names or not pa.types.is_string(table.column(name).type):
            continue
        encoded = pc.dictionary_encode(table.column(name)).combine_chunks()
        values, reasons = [], {}
        for i, value in enumerate(encoded.dictionary.to_pylist()):
            try:
                values.append(value if times.IN_FORM.fullmatch(value) else times.from_text(value))
            except times.InvalidTime as exc:
                values.append(None)
                reasons[i] = f"{owner}.{name}: {exc}"
        if reasons:
            bad += [(row, reasons[i]) for row, i in enumerate(encoded.indices.to_pylist()) if i in reasons]
        table = _set(table, name, pc.take(pa.array(values, pa.string()), encoded.indices))
    return table, bad


def _given(table: pa.Table, name: str) -> pa.ChunkedArray | pa.Array:
    """A text column with empty values as nulls (a null column when the table has none)."""
    if name not in table.column_names:
        return pa.nulls(len(table), pa.string())
    column = table.column(name)
    return pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)


def _set(table: pa.Table, name: str, column: Any) -> pa.Table:
    if name in table.column_names:
        return table.set_column(table.column_names.index(name), name, column)
    return table.append_column(name, column)


def derived_tables(nodes: NodeTable, seen: set[tuple[str, Any, str | None]] | None = None) -> Iterator[Bulk]:
    """What follows from a table of canonical node keys: their derived properties (where not
    given), then the registered domains the table lacks (unless in `seen`), then SUBDOMAIN_OF."""
    keys = nodes.table.column("_k").to_pylist()
    derived = _derived_columns(nodes.label, keys)
    yield NodeTable(nodes.label, _filled(nodes.table, derived), nodes.source)
    if nodes.label != "Domain":
        return
    registered = pa.array(derived["registered_domain"], pa.string())
    have = set(keys)
    extra = [
        name
        for name in dict.fromkeys(derived["registered_domain"])
        if name not in have and (seen is None or ("Domain", name, nodes.source) not in seen)
    ]
    if seen is not None:
        seen.update(("Domain", name, nodes.source) for name in extra)
    del keys, have, derived
    if extra:
        table = pa.table({"_k": pa.array(extra, pa.string())})
        table = tables.with_provenance(table, nodes.source, SCHEMA.by_label["Domain"].props_by_name)
        yield NodeTable("Domain", _filled(table, _derived_columns("Domain", extra)), nodes.source)
    edges = pa.table({"_f": nodes.table.column("_k"), "_t": registered})
    edges = edges.filter(pc.not_equal(edges.column("_f"), edges.column("_t")))
    if edges.num_rows:
        edges = tables.with_provenance(edges, nodes.source, SCHEMA.by_type["SUBDOMAIN_OF"].props_by_name)
        yield EdgeTable("SUBDOMAIN_OF", "Domain", "Domain", edges, nodes.source)


def _filled(table: pa.Table, columns: dict[str, list[Any]]) -> pa.Table:
    """The table with derived columns: added, or filling the nulls of a column it has."""
    for name, values in columns.items():
        derived = pa.array(values)
        if name in table.column_names:
            table = _set(table, name, pc.coalesce(table.column(name), derived.cast(table.column(name).type)))
        else:
            table = table.append_column(name, derived)
    return table


def _derived_columns(label: str, keys: Sequence[str]) -> dict[str, list[Any]]:
    """The properties that follow from canonical keys, a column each."""
    if label == "Domain":
        split = [names.suffixes(key) for key in keys]
        return {"registered_domain": [r for r, _ in split], "tld": [t for _, t in split]}
    if label == "IPAddress":
        return {"version": [names.ip_version(key) for key in keys]}
    return {}
