"""Lookup rollups: LOOKED_UP_TOTAL per (client, name), and the lookup totals of both ends,
recomputed from the daily LOOKED_UP relationships as a load writes them (issue 24).

A table of LOOKED_UP rows is summed per pair (`Rollup.of`, beside the writes before it), and
once the rows are in the store its pairs' rollups are written (`Rollup.write`). A pair's
rollup is what the table says of it when the table is a file's own rows, all of them (`whole`:
merged across the load, every row naming the file's Source, whose id is the file's digest)
and the pair's stored rollup counts no other source: the file's rows are the same on every
load, so loading it again, or again after a kill, rewrites the same rollups. Any other pair
with a stored rollup (another log counted it; rows that name sources of their own, as records
and STIX bundles may; a caller writing batch by batch) is summed again from its stored daily
relationships. Node totals are summed from the stored rollups each time, never adjusted, so a
kill between the steps leaves nothing a rerun does not put right.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graphkit.backends import edge_reads
from graphkit.backends.base import Backend
from graphkit.model import tables
from graphkit.model.schema import SCHEMA
from graphkit.model.tables import EdgeTable

DAILY = SCHEMA.by_type["LOOKED_UP"]
TOTAL = SCHEMA.by_type["LOOKED_UP_TOTAL"]
assert TOTAL.derived_from == DAILY.type
DAILY_PROPS = ("qtype", "day", "source", "count", "first_seen", "last_seen")
NAME = "Domain"
# what each end's node totals are called: the sum of its rollups' counts, and their number
NODE_TOTALS = {"_f": ("lookups_made", "names_looked_up"), "_t": ("lookups", "lookup_clients")}


@dataclass
class Rollup:
    from_label: str
    totals: pa.Table  # per pair: `_f`, `_t` and TOTAL's properties
    merged: bool  # no pair here is in another table of the load (ingest.spill)
    whole: str | None  # when merged and every row names the Source loaded (the file's own): its id

    @classmethod
    def of(cls, bulk: EdgeTable) -> Rollup:
        daily = tables.with_provenance(bulk.table, bulk.source, DAILY.props_by_name, rows=False)
        daily = tables.conform(tables.edge_schema(DAILY, bulk.from_label, NAME), daily)
        own = bulk.merged and pc.unique(daily.column("source")).to_pylist() == [bulk.source]
        return cls(bulk.from_label, summed(daily), bulk.merged, bulk.source if own else None)

    def write(self, backend: Backend, *, fresh: bool) -> None:
        """Write the rollups, once the daily rows are in the store. `fresh`: the store held no
        rollup before these (and they are `merged`): none is looked up."""
        totals = self.totals if fresh else self._with_stored(backend)
        schema = tables.edge_schema(TOTAL, self.from_label, NAME)
        backend.write_edges(TOTAL, self.from_label, NAME, tables.conform(schema, totals), new=fresh)
        for end, label in (("_f", self.from_label), ("_t", NAME)):
            if fresh:  # every rollup of these nodes is in `totals`
                grouped = totals.group_by(end, use_threads=False).aggregate([("count", "sum"), ("count", "count")])
                sums = pa.table({"_k": grouped[end], "total": grouped["count_sum"], "edges": grouped["count_count"]})
            else:
                keys = pc.unique(totals.column(end))
                sums = backend.edge_totals(TOTAL, label, keys, "count", outgoing=end == "_f")
            node = SCHEMA.by_label[label]
            total, number = NODE_TOTALS[end]
            table = pa.table({"_k": sums["_k"], total: sums["total"], number: sums["edges"]})
            backend.write_nodes(node, tables.conform(tables.node_schema(node), table))

    def _with_stored(self, backend: Backend) -> pa.Table:
        """The totals, with pairs the store knows more of summed again from their stored daily rows."""
        stored = backend.edges_between(TOTAL, self.from_label, NAME, self.totals.select(["_f", "_t"]), ["sources"])
        if self.whole is not None and stored.num_rows:  # only pairs whose rollup counts another source
            sources = stored.column("sources").combine_chunks()
            others = pc.not_equal(pc.list_flatten(sources), pa.scalar(self.whole))
            stored = stored.take(pc.unique(pc.list_parent_indices(sources).filter(others)))
        if not stored.num_rows:
            return self.totals
        daily = backend.edges_between(DAILY, self.from_label, NAME, stored.select(["_f", "_t"]), DAILY_PROPS)
        again = summed(daily)
        keep = pc.invert(pc.is_in(tables.pair_keys(self.totals), value_set=tables.pair_keys(again)))
        return pa.concat_tables([self.totals.filter(keep), again.cast(self.totals.schema)])


def summed(daily: pa.Table) -> pa.Table:
    """Daily rows (`_f`, `_t` and DAILY_PROPS) added up per pair. Grouped on integer codes
    (dictionary indices), which Arrow hashes several times faster than text."""
    if not daily.num_rows:
        return tables.edge_schema(TOTAL, "IPAddress", NAME).empty_table()
    daily = daily.combine_chunks()
    ends = [pc.dictionary_encode(daily.column(end)).chunk(0) for end in ("_f", "_t")]
    pair = pc.add(pc.multiply(ends[0].indices.cast(pa.int64()), len(ends[1].dictionary)), ends[1].indices)
    days = pc.dictionary_encode(daily.column("day")).chunk(0).indices
    first = _times(daily.column("first_seen"))
    untimed = pc.if_else(pc.is_null(first), daily.column("day"), pa.scalar(None, pa.string()))
    rows = pa.table(
        {
            "pair": pair,
            "count": daily.column("count"),
            "day": days,
            "first_seen": first,
            "last_seen": _times(daily.column("last_seen")),
            "untimed": untimed,
        }
    )
    grouped = rows.group_by("pair", use_threads=False).aggregate(
        [
            ("count", "sum"),
            ("day", "count_distinct"),
            ("count", "count", pc.CountOptions(mode="all")),
            ("first_seen", "min"),
            ("last_seen", "max"),
            ("untimed", "min"),
            ("untimed", "max"),
        ]
    )
    pairs = grouped.column("pair").combine_chunks()
    width = len(ends[1].dictionary)
    return pa.table(
        {
            "_f": pc.take(ends[0].dictionary, pc.divide(pairs, width)),
            "_t": pc.take(ends[1].dictionary, pc.subtract(pairs, pc.multiply(pc.divide(pairs, width), width))),
            "count": grouped.column("count_sum"),
            "days": grouped.column("day_count_distinct"),
            "daily": grouped.column("count_count"),
            "first_seen": grouped.column("first_seen_min"),
            "last_seen": grouped.column("last_seen_max"),
            "first_day": grouped.column("untimed_min"),
            "last_day": grouped.column("untimed_max"),
            "qtypes": _distinct_sorted(pair, daily.column("qtype"), pairs),
            "sources": _distinct_sorted(pair, daily.column("source"), pairs),
        }
    )


def _distinct_sorted(pair: pa.Array, values: pa.ChunkedArray, pairs: pa.Array) -> pa.Array:
    """For each of `pairs`, the sorted distinct `values` of its rows. A few distinct values
    (qtypes; a load's sources) are bits of a mask per pair, and each mask's list is made once."""
    encoded = pc.dictionary_encode(values).chunk(0)
    dictionary = encoded.dictionary
    if len(dictionary) > 62:
        return _distinct_sorted_slowly(pair, values, pairs)
    order = np.argsort(np.asarray(dictionary.to_pylist(), dtype=object), kind="stable")
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    bits = pa.array(np.left_shift(1, rank[encoded.indices.to_numpy(zero_copy_only=False)]))
    seen = pa.table({"pair": pair, "bit": bits}).group_by(["pair", "bit"], use_threads=False).aggregate([])
    masks = seen.group_by("pair", use_threads=False).aggregate([("bit", "sum")])
    mask_of = pc.take(masks.column("bit_sum"), pc.index_in(pairs, value_set=masks.column("pair")))
    kinds = pc.unique(mask_of)
    lists = pa.array(
        [[dictionary[int(i)].as_py() for i in order if (mask >> int(rank[i])) & 1] for mask in kinds.to_pylist()],
        pa.list_(pa.string()),
    )
    return pc.take(lists, pc.index_in(mask_of, value_set=kinds))


def _distinct_sorted_slowly(pair: pa.Array, values: pa.ChunkedArray, pairs: pa.Array) -> pa.Array:
    grouped = (
        pa.table({"pair": pair, "value": values}).group_by("pair", use_threads=False).aggregate([("value", "distinct")])
    )
    lists = pc.take(grouped.column("value_distinct"), pc.index_in(pairs, value_set=grouped.column("pair")))
    return pa.array([sorted(v) for v in lists.to_pylist()], pa.list_(pa.string()))


def _times(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Times as timestamps (a store may give them back as text)."""
    if column.type == tables.TIMESTAMP:
        return column
    if pa.types.is_timestamp(column.type):
        return column.cast(tables.TIMESTAMP)
    return pc.strptime(column, "%Y-%m-%dT%H:%M:%SZ", "s").cast(tables.TIMESTAMP)


def catch_up(backend: Backend, clients_per_read: int = 2_000) -> int:
    """Roll up a store's lookups where it has none yet (a store an older graphkit loaded, before
    rollups were kept): every client's, a few thousand clients at a time. Returns the pairs."""
    if DAILY.type not in edge_reads.unrolled(backend):
        return 0
    rolled = 0
    for label in sorted({a for a, _ in DAILY.endpoints}):
        key = SCHEMA.by_label[label].key.name
        clients = [
            row[0] for row in backend.query(f"MATCH (c:{label})-[:{DAILY.type}]->() RETURN DISTINCT c.{key}").rows
        ]
        wanted = "".join(f", r.{name} AS {name}" for name in DAILY_PROPS)
        cypher = (
            f"MATCH (c:{label})-[r:{DAILY.type}]->(d:{NAME}) WHERE c.{key} IN $keys"
            f" RETURN c.{key} AS _f, d.name AS _t{wanted}"
        )
        schema = tables.read_schema(DAILY, label, NAME, DAILY_PROPS)
        for offset in range(0, len(clients), clients_per_read):
            rows = backend.query(cypher, {"keys": clients[offset : offset + clients_per_read]}).rows
            daily = pa.Table.from_pylist([dict(zip(schema.names, row, strict=True)) for row in rows], schema=schema)
            rollup = Rollup(label, summed(daily), merged=True, whole=None)
            rollup.write(backend, fresh=False)
            rolled += rollup.totals.num_rows
    return rolled
