"""Canonical keys and derived facts, a table at a time.

Every key is put in canonical form (graphkit.model.names) once per distinct value, not per
row; a row whose key or time cannot be read is rejected with its line. Every edge endpoint
gets a node row, so stores never see a dangling edge; every Domain its registered domain,
public suffix and SUBDOMAIN_OF edge; every IPAddress its version. Rows of the same identity
are merged afterwards, a batch at a time (graphkit.ingest.consolidate). Canonical bulk node
tables (the lookup aggregator's) get the derived facts only (derived_tables).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from graphkit.ingest.canonical import canonical_keys, derived_columns
from graphkit.ingest.observations import Observed
from graphkit.model import tables, times
from graphkit.model.schema import SCHEMA, PropType
from graphkit.model.tables import Bulk, EdgeTable, NodeTable

SEEN_LIMIT = 100_000  # endpoint nodes remembered per load; forgetting costs a row the spill merges away
TIME_PROPS = {
    owner: tuple(p.name for p in props if p.type is PropType.TIME)
    for owner, props in [(n.label, n.props) for n in SCHEMA.nodes] + [(r.type, r.props) for r in SCHEMA.rels]
}

Rejecter = Callable[[str, str, int | None], None]  # reason, what was rejected, its line (None: unknown)


class Normaliser:
    """Observed tables -> canonical node and edge tables, endpoints and derived facts first."""

    def __init__(self, reject: Rejecter) -> None:
        self.reject = reject
        self._seen: set[tuple[str, Any, str | None]] = set()  # nodes already yielded

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
        table = self._kept(_set(table, "_rk", raw), [*bad, *times_bad], lambda row: f"{label} {row['_rk']!r}")
        table = tables.with_provenance(table.drop_columns(["_line", "_rk"]), source, node.props_by_name)
        # Rows of one identity (a node given may also be an endpoint of the batch's edges) are
        # merged by the batch, in the order they came (graphkit.ingest.consolidate).
        yield from derived_tables(NodeTable(label, table, source), self._seen)

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
            yield from self._endpoints(label, table, end, source)
        table = tables.with_provenance(table.drop_columns(["_line", "_rf", "_rt"]), source, rel.props_by_name)
        yield EdgeTable(rel.type, from_label, to_label, table, source)

    def _endpoints(self, label: str, table: pa.Table, end: str, source: str | None) -> Iterator[Bulk]:
        """Node rows for the endpoints `end` (`_f` or `_t`) not yielded before in this load: an
        Organization's display name is its first spelling; `_seq`, where rows have it, the first."""
        raw = "_r" + end[1]
        wanted = [(raw, "first")] if label == "Organization" else []
        wanted += [("_seq", "min")] if "_seq" in table.column_names else []
        carried = list(dict.fromkeys(name for name, _ in wanted))
        ends = table.select([end, *carried]).rename_columns(["_k", *carried])
        if wanted:
            firsts = ends.group_by("_k", use_threads=False).aggregate(wanted)
        else:
            firsts = pa.table({"_k": pc.unique(ends.column("_k"))})
        values = firsts.column("_k").to_pylist()
        new = [i for i, key in enumerate(values) if (label, key, source) not in self._seen]
        if not new:
            return
        self._remember(label, [values[i] for i in new], source)
        if len(new) < len(values):
            firsts = firsts.take(pa.array(new, pa.int64()))
        nodes = pa.table({"_k": firsts.column("_k")})
        if label == "Organization":
            nodes = nodes.append_column("name", pc.utf8_trim_whitespace(firsts.column(raw + "_first")))
        if "_seq_min" in firsts.column_names:
            nodes = nodes.append_column("_seq", firsts.column("_seq_min"))
        nodes = tables.with_provenance(nodes, source, SCHEMA.by_label[label].props_by_name)
        yield from derived_tables(NodeTable(label, nodes, source), self._seen)

    def _remember(self, label: str, keys: list[Any], source: str | None) -> None:
        if len(self._seen) + len(keys) > SEEN_LIMIT:
            self._seen.clear()
        self._seen.update((label, key, source) for key in keys)

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
        return tables.without_rows(table, rows)


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
    keys = nodes.table.column("_k")
    derived = derived_columns(nodes.label, keys)
    yield NodeTable(nodes.label, _filled(nodes.table, derived), nodes.source)
    if nodes.label != "Domain":
        return
    registered = derived["registered_domain"]
    have = set(keys.to_pylist())
    extra = [
        name
        for name in pc.unique(registered).to_pylist()
        if name not in have and (seen is None or ("Domain", name, nodes.source) not in seen)
    ]
    if seen is not None:
        seen.update(("Domain", name, nodes.source) for name in extra)
    sequenced = "_seq" in nodes.table.column_names
    if extra:
        table = pa.table({"_k": pa.array(extra, pa.string())})
        if sequenced:  # a registered domain comes where the first of its names came
            firsts = (
                pa.table({"_k": registered, "_seq": nodes.table.column("_seq")})
                .group_by("_k")
                .aggregate([("_seq", "min")])
            )
            table = table.append_column(
                "_seq", pc.take(firsts.column("_seq_min"), pc.index_in(table.column("_k"), firsts.column("_k")))
            )
        table = tables.with_provenance(table, nodes.source, SCHEMA.by_label["Domain"].props_by_name)
        yield NodeTable("Domain", _filled(table, derived_columns("Domain", table.column("_k"))), nodes.source)
    edges = pa.table({"_f": keys, "_t": registered, **({"_seq": nodes.table.column("_seq")} if sequenced else {})})
    edges = edges.filter(pc.not_equal(edges.column("_f"), edges.column("_t")))
    if edges.num_rows:
        edges = tables.with_provenance(edges, nodes.source, SCHEMA.by_type["SUBDOMAIN_OF"].props_by_name)
        yield EdgeTable("SUBDOMAIN_OF", "Domain", "Domain", edges, nodes.source)


def _filled(table: pa.Table, columns: dict[str, pa.Array]) -> pa.Table:
    """The table with derived columns: added, or filling the nulls of a column it has."""
    for name, derived in columns.items():
        if name in table.column_names:
            table = _set(table, name, pc.coalesce(table.column(name), derived.cast(table.column(name).type)))
        else:
            table = table.append_column(name, derived)
    return table
