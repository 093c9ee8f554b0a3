"""The embedded store: LadybugDB on disk, in this process.

Bulk writes go through COPY FROM Arrow, which only appends, and is fastest in large
batches. So each table is split first: rows whose node key (or edge endpoints and
identity) already exist are merged in Python with the schema's rules and written back
with LOAD FROM ... SET only where a value changes (a reload changes nothing and costs
one read); the rest are copied in one COPY. Row-by-row MERGE is slow here, and updates
of relationship properties are slow and memory-hungry, which is why they are kept to what
really changed and sent in slices.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import ladybug

from graphkit.backends import edge_reads
from graphkit.backends.base import QueryResult, ReadOnlyViolation
from graphkit.backends.ddl import LADYBUG_TYPES, ladybug_rel_type, ladybug_statements
from graphkit.backends.embedded_recovery import left_over, recover
from graphkit.backends.embedded_results import query_result
from graphkit.backends.guard import check_read_only
from graphkit.backends.lazy_modules import LazyModule
from graphkit.backends.merge import merge_column, merge_value, same_values
from graphkit.backends.results import split_list
from graphkit.errors import GraphkitError, StoreUnavailable
from graphkit.model.schema import LIST_SEPARATOR, SCHEMA, Merge, NodeType, Prop, RelType

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from graphkit.model import tables
else:  # writes and bulk reads only: a query does not wait for them
    pa, pc, tables = LazyModule("pyarrow"), LazyModule("pyarrow.compute"), LazyModule("graphkit.model.tables")
    np = LazyModule("numpy")

DEFAULT_BUFFER_POOL_MB = 1024
REOPEN_ROWS = 100_000  # rows written between reopenings (see _execute)
# A COPY, however few its rows, holds a whole new node group's columns in memory until the
# store is closed (about 18 MB for a one-row COPY into Domain): 118 small WHOIS files loaded in
# one process reached 2.3 GB. Each COPY counts as at least this many rows.
COPY_ROWS_AT_LEAST = 10_000
CREATED_KEPT = 4  # node writes per label whose new keys spare their edges a look-up (see _touching_created)
# Rows per LOAD FROM ... SET, and per read of edges by both ends. Each costs about 0.25 s and
# 150 MB (until the store is reopened) at 10M lines whatever its size, then 18 us a row: 100k
# rollups updated in 2.2 s in slices of 50k, 8.0 s in slices of 5k, in the same memory.
UPDATE_SLICE = 50_000
READ_ROWS = 200_000  # rows a read by node keys gives back at most (see edges_between)
BUFFER_POOL_FULL = "buffer pool is full"
RECOVERY_PENDING = "checkpoint recovery is pending"
LOCK_HOLDER = re.compile(r"\(Lock is held by PID (\d+)\)")


class _Recreate(NamedTuple):
    """Relationships written anew rather than updated (see EmbeddedBackend._merge_existing)."""

    statement: str  # after the MATCH of a relationship `r` between `a` and `b`
    keys: tuple[str, ...]  # the columns that identify one: its ends and identity

    def once_each(self, table: pa.Table) -> bool:
        """Whether no relationship is in two rows: a statement would create it twice."""
        distinct = table.group_by(list(self.keys), use_threads=False).aggregate([])
        return bool(distinct.num_rows == table.num_rows)


def _pool_mb() -> int:
    return int(os.environ.get("GRAPHKIT_BUFFER_POOL_MB", DEFAULT_BUFFER_POOL_MB))


@dataclass
class _Created:
    """The keys of nodes one write created, and the relationship types written since."""

    keys: pa.Array | pa.ChunkedArray
    since: set[str] = field(default_factory=set)


class EmbeddedBackend:
    name = "embedded"
    # Each COPY into a relationship table costs memory and time in proportion to its endpoint
    # tables, however few rows it copies (bench/README.md): few large ones are best.
    table_rows = 1_000_000

    def __init__(self, path: str | Path, *, read_only: bool = False, lock_wait: float = 10.0) -> None:
        self.path = Path(path)
        self.display = str(self.path)
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif not self.path.exists():
            raise StoreUnavailable(f"no graph at {self.path}: load something first (graphkit load ...)")
        self.read_only, self.lock_wait = read_only, lock_wait
        self._columns: dict[str, dict[str, str]] = {}  # per table, its column types (kept across reopenings)
        self._created: dict[str, list[_Created]] = {}  # per label, the nodes its last writes created
        self._open()

    def _open(self) -> None:
        pool_mb = _pool_mb()
        deadline = time.monotonic() + self.lock_wait
        while True:
            try:
                self._finish_interrupted(pool_mb)
                # Checkpoints happen at reopen (see _execute) and close, not after every COPY:
                # a large load is then faster, in the same peak memory (bench/README.md).
                self.db = ladybug.Database(
                    str(self.path), buffer_pool_size=pool_mb << 20, read_only=self.read_only, auto_checkpoint=False
                )
                break
            except RuntimeError as exc:
                message = str(exc)
                # A live process holds the store, or is checkpointing it: wait for it.
                if "lock" not in message.lower() and RECOVERY_PENDING not in message:
                    raise StoreUnavailable(f"cannot open store {self.path}: {message.splitlines()[0]}") from None
                if time.monotonic() >= deadline:
                    holder = LOCK_HOLDER.search(message)
                    who = f" (PID {holder.group(1)})" if holder else ""
                    raise StoreUnavailable(
                        f"store {self.path} is in use by another process{who}; "
                        f"waited {self.lock_wait:.0f} s (set GRAPHKIT_LOCK_WAIT to wait longer)"
                    ) from None
                time.sleep(0.2)
        self.conn = ladybug.Connection(self.db)
        self._rows_since_open = 0
        self._copied = False  # a COPY since the last checkpoint (see _merge_existing)

    def _finish_interrupted(self, pool_mb: int) -> None:
        """Let LadybugDB finish what a killed process left (its WAL, an interrupted checkpoint)."""
        files = left_over(self.path)
        if not files:
            return
        try:
            recover(self.path, pool_mb << 20, files)
        except RuntimeError as exc:
            # A live process holds the store and what is left over is its own: a reader may
            # read beside it (as without this step), a writer waits for it.
            if not (self.read_only and "lock" in str(exc).lower()):
                raise

    def _reopen(self) -> None:
        self.close()
        _trim_heap()
        self._open()

    # -- schema -------------------------------------------------------------
    def ensure_schema(self) -> None:
        self._columns.clear()  # columns may be added
        for stmt in ladybug_statements():
            self.conn.execute(stmt)
        self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        """Stores made by an older graphkit gain the properties added since."""
        tables = [(n.label, n.props, False) for n in SCHEMA.nodes] + [(r.type, r.props, True) for r in SCHEMA.rels]
        for table, props, is_rel in tables:
            have = {row[1] for row in self._run(f"CALL table_info('{table}') RETURN *").rows}
            for prop in props:
                if prop.name not in have:
                    kind = ladybug_rel_type(prop) if is_rel else LADYBUG_TYPES[prop.type]
                    self.conn.execute(f"ALTER TABLE {table} ADD {prop.name} {kind}")

    # -- writes -------------------------------------------------------------
    def write_nodes(self, node: NodeType, table: pa.Table, *, new: bool = False) -> None:
        match = f"MATCH (n:{node.label} {{{node.key.name}: _k}})"
        table = self._stored(node.label, table)
        given = set(tables.given(table))  # only they can change a stored node
        fresh = table if new else self._merge_existing(table, match, "n", [p for p in node.props if p.name in given])
        recent = self._created.setdefault(node.label, [])
        recent.append(_Created(pc.unique(fresh.column("_k"))))  # a copy: COPY takes the table's buffers
        del recent[:-CREATED_KEPT]
        if fresh.num_rows:
            self._execute(f"COPY {node.label} FROM batch", fresh)

    def claim_source(self, source: str) -> bool:
        # One process holds the store, so looking and then writing cannot race.
        if self._run("MATCH (s:Source {id: $id}) RETURN s.id", {"id": source}).rows:
            return False
        node = SCHEMA.by_label["Source"]
        self.write_nodes(node, tables.from_rows(tables.node_schema(node), [{"_k": source}]))
        return True

    def write_edges(self, rel: RelType, from_label: str, to_label: str, table: pa.Table, *, new: bool = False) -> None:
        a, b = SCHEMA.by_label[from_label], SCHEMA.by_label[to_label]
        where = " AND ".join(f"r.{name} = {name}" for name in rel.identity)
        match = f"MATCH (a:{a.label} {{{a.key.name}: _f}})-[r:{rel.type}]->(b:{b.label} {{{b.key.name}: _t}})" + (
            f" WHERE {where}" if where else ""
        )
        mutable = [p for p in rel.props if p.name not in rel.identity]
        table = self._stored(rel.type, table)
        unseen = self._touching_created(rel.type, [(from_label, "_f"), (to_label, "_t")], table)
        if new:
            fresh = table
        else:
            fresh = table.filter(unseen)
            known = table.filter(pc.invert(unseen))
            if known.num_rows:
                joined = self._joined(rel)
                fresh = pa.concat_tables(
                    [fresh, self._merge_existing(known, match, "r", mutable, joined, self._recreate(rel))]
                )
        if fresh.num_rows:
            pair = f" (from='{a.label}', to='{b.label}')" if len(rel.endpoints) > 1 else ""
            self._execute(f"COPY {rel.type} FROM batch{pair}", fresh)

    def _recreate(self, rel: RelType) -> _Recreate | None:
        """How to write `rel`'s relationships anew with every value: only where the store keeps
        no column graphkit does not declare (it would be lost)."""
        if not set(self._column_types(rel.type)) <= set(rel.props_by_name):
            return None
        values = ", ".join(f"{p.name}: {p.name}" for p in rel.props)
        return _Recreate(f"DELETE r CREATE (a)-[:{rel.type} {{{values}}}]->(b)", ("_f", "_t", *rel.identity))

    def is_empty(self, name: str) -> bool:
        # one process holds the store (see _open): what is empty stays so but for its writes
        pattern = f"()-[x:{name}]->()" if name in SCHEMA.by_type else f"(x:{SCHEMA.by_label[name].label})"
        return not self._run(f"MATCH {pattern} RETURN 1 LIMIT 1").rows

    def _touching_created(self, rel_type: str, ends: list[tuple[str, str]], table: pa.Table) -> pa.Array:
        """Which rows have an endpoint that one of the last node writes of its label created: a
        node created since no edge of this type was written has none, so those rows are new and
        need no look-up (which is most of a first load's time)."""
        new = pa.array([False] * table.num_rows, pa.bool_())
        for label, column in ends:
            for created in self._created.get(label, []):
                if rel_type not in created.since and len(created.keys):
                    new = pc.or_(new, pc.is_in(table.column(column), value_set=created.keys))
        for label, _ in ends:
            for created in self._created.get(label, []):
                created.since.add(rel_type)
        return new

    def _column_types(self, name: str) -> dict[str, str]:
        if name not in self._columns:
            info = self._run(f"CALL table_info('{name}') RETURN *").rows
            self._columns[name] = {row[1]: row[2] for row in info}
        return self._columns[name]

    def _joined(self, rel: RelType) -> set[str]:
        """The relationship's string[] properties this store keeps as one STRING (values joined with
        LIST_SEPARATOR; see ladybug_rel_type). A store made by an older graphkit has STRING[]
        columns there: they stay lists (slower checkpoints, no migration)."""
        types = self._column_types(rel.type)
        return {name for name in rel.list_props if types.get(name) == "STRING"}

    def _stored(self, name: str, table: pa.Table) -> pa.Table:
        """The table with its values as the store keeps them: times as TIMESTAMPs (UTC, without a
        zone), or text in a store made before graphkit stored times so; a relationship's lists
        joined where its column is STRING (see _joined)."""
        types = self._column_types(name)
        rel = SCHEMA.by_type.get(name)
        joined = self._joined(rel) if rel else set()
        for i, declared in enumerate(table.schema):
            column = table.column(i)
            if declared.type == tables.TIMESTAMP:
                stored_as_time = types.get(declared.name) == "TIMESTAMP"
                kept = column.cast(pa.timestamp("s")) if stored_as_time else tables.time_text(column)
                table = table.set_column(i, declared.name, kept)
            elif declared.name in joined and pa.types.is_list(declared.type):
                table = table.set_column(i, declared.name, pc.binary_join(column, LIST_SEPARATOR))  # null stays null
        return table

    def _merge_existing(
        self,
        table: pa.Table,
        match: str,
        var: str,
        props: list[Prop],
        joined: Collection[str] = (),
        recreate: _Recreate | None = None,
    ) -> pa.Table:
        """Update the rows of `table` that already exist; return the rows that do not. The
        stored values come back as Arrow columns and merge column by column; only UNION lists
        that differ merge in Python, row by row. `recreate`: how to delete each matched
        relationship and create it with the table's values, used where more than one of its
        properties changes: LadybugDB 0.22 sets each property of a relationship on its own, in
        15-18 us a row, and deletes and creates it in one statement in 24-42 us (60k lookup
        rollups with six changing properties: 6.4 s set, 2.5 s written anew)."""
        indexed = table.append_column("_i", pa.array(range(table.num_rows), pa.int64()))
        current = "".join(f", {var}.{p.name}" for p in props)
        stored = self._read(f"LOAD FROM batch {match} RETURN _i{current}", indexed)
        if not stored.num_rows:
            return table
        positions = stored.column(0).combine_chunks()
        updates = table.take(positions)
        changed = pa.array([False] * updates.num_rows, pa.bool_())
        moved = set()
        for index, prop in enumerate(props, 1):
            new = updates.column(prop.name).combine_chunks()
            old = stored.column(index).combine_chunks().cast(new.type, safe=False)
            if prop.merge is Merge.UNION:
                merged = self._merge_lists(prop, old, new, prop.name in joined)
            else:
                merged = merge_column(prop, old, new)
            differ = pc.invert(same_values(merged, old))
            if pc.any(differ).as_py():
                moved.add(prop.name)
                changed = pc.or_(changed, differ)
            updates = updates.set_column(updates.column_names.index(prop.name), prop.name, merged)
        if moved:
            updates = updates.filter(changed)
            # only what changes: assigning a list (sources) to a relationship is slow in LadybugDB
            assign = ", ".join(f"{var}.{p.name} = {p.name}" for p in props if p.name in moved)
            if self._copied:
                # LadybugDB 0.22 cannot replay a WAL that updates rows a COPY in it created: a
                # process killed then would leave a store that crashes on opening. A checkpoint
                # between the two keeps every WAL replayable.
                self._reopen()
            write = f"SET {assign}"
            if recreate is not None and len(moved) > 1 and recreate.once_each(updates):
                write = recreate.statement
            for part in tables.slices(updates, UPDATE_SLICE):
                self._execute(f"LOAD FROM batch {match} {write}", part)
        return tables.without_rows(table, positions)

    @staticmethod
    def _merge_lists(prop: Prop, old: pa.Array, new: pa.Array, joined: bool) -> pa.Array:
        """merge_value of a UNION list (kept joined, as text, where `joined`): the stored one
        where nothing new comes or the same comes again (a reload), else merged in Python."""
        kept = pc.coalesce(old, new)
        differ = pc.and_(pc.is_valid(old), pc.invert(same_values(old, new)))
        if not pc.any(pc.and_(differ, pc.is_valid(new))).as_py():
            return kept
        merged = []
        for a, b in zip(old.to_pylist(), new.to_pylist()):
            value = merge_value(prop, split_list(a), split_list(b)) if joined else merge_value(prop, a, b)
            merged.append(LIST_SEPARATOR.join(value) if joined and value is not None else value)
        return pa.array(merged, old.type)

    def _read(self, cypher: str, table: pa.Table) -> pa.Table:
        """What a LOAD FROM ... RETURN gives back. What it read is kept until the store is
        reopened, as a write's rows are: its rows count towards the next reopening."""
        found: pa.Table = self._execute(cypher, table).get_as_arrow()
        self._rows_since_open += found.num_rows
        return found

    def _execute(self, cypher: str, table: pa.Table) -> Any:
        # LadybugDB 0.22 keeps buffer-pool pages (and more) of bulk writes and LOAD FROM ...
        # MATCH traversals until the database is closed, in proportion to the rows written.
        # Reopening releases them (and checkpoints), after REOPEN_ROWS rows and before a COPY of
        # as many, which then starts from what the store itself needs. Each checkpoint of a
        # relationship table briefly takes memory in proportion to the whole table.
        copy = cypher.startswith("COPY")
        if self._rows_since_open >= REOPEN_ROWS or (copy and self._rows_since_open and table.num_rows >= REOPEN_ROWS):
            self._reopen()
        self._rows_since_open += max(table.num_rows, COPY_ROWS_AT_LEAST if copy else 0)
        self._copied = self._copied or copy
        # LadybugDB finds the table named in LOAD FROM / COPY FROM among the caller's locals.
        # An empty chunk ahead of the others makes LadybugDB 0.22's COPY of nodes lose their keys
        # (a later COPY of edges then cannot find them): chunks without rows are left out.
        batch = _without_empty_chunks(table)  # noqa: F841
        try:
            return self.conn.execute(cypher)
        except RuntimeError as exc:
            if BUFFER_POOL_FULL not in str(exc):
                raise
            committed = "committed successfully" in str(exc)
        # Every statement here is safe to repeat, and one that committed before failing (COPY's
        # post-commit checkpoint) is durable.
        self._reopen()
        if committed:
            return None
        try:
            return self.conn.execute(cypher)
        except RuntimeError as exc:
            if BUFFER_POOL_FULL not in str(exc):
                raise
            raise GraphkitError(
                f"store {self.path}: its buffer pool ({_pool_mb()} MB) is too small for this write;"
                " set GRAPHKIT_BUFFER_POOL_MB higher"
            ) from None

    # -- reads --------------------------------------------------------------
    def edges_between(
        self, rel: RelType, from_label: str, to_label: str, pairs: pa.Table, props: Sequence[str]
    ) -> pa.Table:
        """LadybugDB matches a LOAD FROM row's two ends slowly: every such read scans the
        relationship table (see UPDATE_SLICE; reloading a 10M-line log read its 653k pairs in 37 s).
        So the edges leaving the pairs' from-nodes are read whole, nodes packed into reads of about
        READ_ROWS edges, and the pairs asked for are kept; a node with more edges than that is read
        pair by pair."""
        schema = tables.read_schema(rel, from_label, to_label, props)
        if not pairs.num_rows:
            return schema.empty_table()
        starts = pc.unique(pairs.column("_f"))
        degrees = self._read_by_keys(edge_reads.degrees(rel, from_label, to_label, "_k"), starts)
        keys = degrees.column("_k").combine_chunks()
        edges = degrees.column("edges").to_numpy()
        light = edges <= READ_ROWS
        found = []
        if light.any():
            wanted = tables.pair_keys(pairs)
            leaving = "LOAD FROM batch " + edge_reads.leaving(rel, from_label, to_label, "_f", props)
            starts = keys.filter(pa.array(light))
            group = (np.cumsum(edges[light]) - edges[light]) // READ_ROWS  # reads of READ_ROWS edges, give or take
            for number in np.unique(group):
                read = self._read(leaving, pa.table({"_f": starts.filter(pa.array(group == number))}))
                found.append(read.filter(pc.is_in(tables.pair_keys(read), value_set=wanted)))
        if not light.all():
            heavy = pairs.filter(pc.is_in(pairs.column("_f"), value_set=keys.filter(pa.array(~light))))
            heavy = heavy.group_by(["_f", "_t"], use_threads=False).aggregate([])  # each pair once, as above
            between = "LOAD FROM batch " + edge_reads.between(rel, from_label, to_label, "_f", "_t", props)
            for part in tables.slices(heavy.select(["_f", "_t"]), UPDATE_SLICE):
                found.append(self._read(between, part))
        return self._as_read(schema, found, self._joined(rel))

    def edge_totals(self, rel: RelType, label: str, keys: pa.Array, prop: str, *, outgoing: bool) -> pa.Table:
        schema = tables.totals_schema(SCHEMA.by_label[label])
        if not len(keys):
            return schema.empty_table()
        found = self._read_by_keys(edge_reads.totals(rel, label, "_k", prop, outgoing=outgoing), keys)
        return self._as_read(schema, [found], set())

    def _read_by_keys(self, cypher: str, keys: pa.Array) -> pa.Table:
        """What `cypher` (one row per node, the node keyed `_k`) gives for every key, READ_ROWS
        keys a read (see edges_between: each read costs the same, whatever its size)."""
        parts = tables.slices(pa.table({"_k": keys}), READ_ROWS)
        return pa.concat_tables([self._read("LOAD FROM batch " + cypher, part) for part in parts])

    @staticmethod
    def _as_read(schema: pa.Schema, found: list[pa.Table], joined: Collection[str]) -> pa.Table:
        """Read results in the schema: times as text, joined lists split (see _joined)."""
        parts = []
        for table in found:
            columns = []
            for declared in schema:
                column = table.column(declared.name)
                if declared.name in joined:
                    column = pc.split_pattern(column, LIST_SEPARATOR)
                elif pa.types.is_timestamp(column.type):
                    column = tables.time_text(column)
                columns.append(column.cast(declared.type))
            parts.append(pa.Table.from_arrays(columns, schema=schema))
        return pa.concat_tables(parts) if parts else schema.empty_table()

    def _run(self, cypher: str, params: dict[str, Any] | None = None) -> QueryResult:
        result = self.conn.execute(cypher, params or {})
        if isinstance(result, list):
            result = result[-1]
        return query_result(result)

    def query(
        self,
        cypher: str,
        params: dict[str, Any] | None = None,
        *,
        write: bool = False,
        columns: Sequence[str] = (),  # a hint the embedded store does not need
    ) -> QueryResult:
        if not write:
            check_read_only(cypher)  # a read-only transaction still reads and writes files
        try:
            if write:
                return self._run(cypher, params)
            self.conn.execute("BEGIN TRANSACTION READ ONLY")
            try:
                return self._run(cypher, params)
            finally:
                self._rollback()
        except RuntimeError as exc:
            message = str(exc).splitlines()[0]
            if "read-only" in message:
                raise ReadOnlyViolation(message) from None
            raise GraphkitError(f"query failed on {self.display}: {message}") from None

    def _rollback(self) -> None:
        """End the read-only transaction; a failed query has already ended it."""
        with contextlib.suppress(RuntimeError):
            self.conn.execute("ROLLBACK")

    def close(self) -> None:
        self.conn.close()
        self.db.close()


def _trim_heap() -> None:
    """Hand back to the system the heap a closed database freed: glibc keeps it otherwise (a
    10M-line log's load: 705 -> 510 MB after the rollups' COPY, 52 MB off its peak)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _without_empty_chunks(table: pa.Table) -> pa.Table:
    batches = table.to_batches()
    if all(b.num_rows for b in batches):
        return table
    return pa.Table.from_batches([b for b in batches if b.num_rows], schema=table.schema)
