"""Hands canonical node and edge tables to a store, in order, on a thread of its own.

Tables are written in the order they are added, so an edge table's endpoints (added
before it) always exist when it is written. The writing runs beside the caller: both
stores' writes spend most of their time outside Python (LadybugDB's COPY, Neo4j's
server), so the next table is merged (ingest.spill) while this one is written. At most
`QUEUED` tables wait, which bounds the memory that working ahead takes.
"""

from __future__ import annotations

import queue
import threading
from collections import Counter
from collections.abc import Callable

from graphkit.backends.base import Backend
from graphkit.ingest import DEFAULT_BATCH, rollups
from graphkit.model import tables
from graphkit.model.schema import SCHEMA
from graphkit.model.tables import Bulk, EdgeTable, NodeTable

QUEUED = 4


class GraphWriter:
    def __init__(self, backend: Backend, batch_size: int = DEFAULT_BATCH) -> None:
        self.backend = backend
        self.batch_size = batch_size
        self.written: Counter[str] = Counter()  # label -> nodes written, type -> edges written
        self._empty: dict[str, bool] = {}  # label or type -> whether the store held none before this load (_fresh)
        self._own_rollups: int | None = 0  # how many the store holds, all this load's (None: not known)
        self._claims: dict[str, bool] = {}  # source -> whether this load began it (Backend.claim_source)
        self._queue: queue.Queue[Callable[[], None] | None] = queue.Queue(QUEUED)
        self._failure: BaseException | None = None  # what a write raised: nothing after it is written
        self._stopping = False
        self._thread: threading.Thread | None = None

    def add(self, bulk: Bulk) -> None:
        """Queue a table for writing; raises what an earlier write raised."""
        if self._failure is not None:
            raise self._failure
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="graph-writer", daemon=True)
            self._thread.start()
        if isinstance(bulk, EdgeTable) and bulk.type == rollups.DAILY.type and bulk.table.num_rows:
            rollup = rollups.Rollup.of(bulk)  # summed here, beside the writes queued before
            tables.release_unused_memory()  # what summing used, before the daily rows' COPY
            self._queue.put(lambda: self._write(bulk, rollup))
        else:
            self._queue.put(lambda: self._write(bulk))

    def flush(self) -> None:
        """Wait until everything added is written; raises what a write raised."""
        self._stop()
        failure, self._failure = self._failure, None
        if failure is not None:
            raise failure

    def abandon(self) -> BaseException | None:
        """Stop after the write under way, dropping what waits (the load has failed); returns
        what a write raised, if one did."""
        self._stopping = True
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._stop()
        failure, self._failure, self._stopping = self._failure, None, False
        return failure

    def _stop(self) -> None:
        """End the thread once it has done what is queued; the store is the caller's again after."""
        if self._thread is None:
            return
        self._queue.put(None)
        while self._thread.is_alive():
            try:
                self._thread.join()
            except KeyboardInterrupt:  # the write under way finishes first: the store is not left mid-write
                self._stopping = True
        self._thread = None

    def __enter__(self) -> GraphWriter:
        return self

    def __exit__(self, kind: object, *rest: object) -> None:
        if kind is not None:
            self.abandon()
        else:
            self.flush()

    def _run(self) -> None:
        while (work := self._queue.get()) is not None:
            if self._failure is None and not self._stopping:  # after a failure, what is queued is dropped
                try:
                    work()
                except BaseException as exc:  # handed to the thread that adds and flushes
                    self._failure = exc

    def _write(self, bulk: Bulk, rollup: rollups.Rollup | None = None) -> None:
        """A table merged across the load (Bulk.merged) into a store table that held nothing
        before the load is created in one write, without looking for its rows; any other is
        merged with what the store holds, batch_size rows at a time. (LadybugDB's COPY into a
        relationship table costs in proportion to what the table holds already: 1M edges
        went in at 117k/s in writes of 100k, 298k/s in one.)"""
        if isinstance(bulk, NodeTable):
            node = SCHEMA.by_label[bulk.label]
            table = tables.with_provenance(bulk.table, bulk.source, node.props_by_name, rows=False)
            table = tables.conform(tables.node_schema(node), table)
            new = bulk.merged and self._fresh(bulk.label)
            for part in [table] if new else tables.slices(table, self.batch_size):
                self.backend.write_nodes(node, part, new=new)
            self.written[bulk.label] += table.num_rows
            return
        rel = SCHEMA.by_type[bulk.type]
        schema = tables.edge_schema(rel, bulk.from_label, bulk.to_label)
        table = tables.conform(schema, tables.with_provenance(bulk.table, bulk.source, rel.props_by_name, rows=False))
        # a source's lookups claim it first, fresh table or not: a load killed midway leaves the
        # claim, and the next attempt merges rather than creating them twice
        claimed = bulk.distinct and bulk.source is not None and "source" in rel.identity and self._began(bulk.source)
        new = claimed or (bulk.merged and self._fresh(bulk.type))
        for part in [table] if new else tables.slices(table, self.batch_size):
            self.backend.write_edges(rel, bulk.from_label, bulk.to_label, part, new=new)
        self.written[bulk.type] += table.num_rows
        if rollup is not None:  # once its daily rows are in
            self._write_rollup(rollup)

    def _write_rollup(self, rollup: rollups.Rollup) -> None:
        """A merged table's pairs are in no other table of the load, so where the store holds no
        rollup but this load's, none of them has one stored, and none is looked up. Neo4j's
        is_empty never says so (others may write at the same time): there the store's count of
        rollups tells, and they are still merged, not created, in case another load writes one."""
        new = rollup.merged and self._fresh(rollups.TOTAL.type)
        unstored = new or (rollup.merged and self._only_own_rollups())
        rollup.write(self.backend, unstored=unstored, new=new, first=unstored and self._own_rollups == 0)
        if self._own_rollups is not None:
            self._own_rollups = self._own_rollups + rollup.totals.num_rows if unstored else None

    def _only_own_rollups(self) -> bool:
        if self._own_rollups is not None:
            stored = self.backend.query(f"MATCH ()-[r:{rollups.TOTAL.type}]->() RETURN count(r)").rows[0][0]
            if stored != self._own_rollups:
                self._own_rollups = None  # another load's, or an earlier one's: looked up from now on
        return self._own_rollups is not None

    def _fresh(self, name: str) -> bool:
        """Whether the store held no node of this label (relationship of this type) when the
        load first wrote one."""
        if name not in self._empty:
            self._empty[name] = self.backend.is_empty(name)
        return self._empty[name]

    def _began(self, source: str) -> bool:
        if source not in self._claims:
            self._claims[source] = self.backend.claim_source(source)
        return self._claims[source]
