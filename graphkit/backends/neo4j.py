"""The Neo4j store, over Bolt with the official driver.

Writes are `UNWIND $rows` batches in managed write transactions (the driver retries
transient errors); reads are routed read transactions, which is also how ad-hoc
queries stay read-only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import neo4j
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConfigurationError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from graphkit.backends import edge_reads
from graphkit.backends.base import QueryResult, ReadOnlyViolation
from graphkit.backends.ddl import neo4j_statements
from graphkit.backends.guard import check_read_only
from graphkit.backends.lazy_modules import LazyModule
from graphkit.backends.neo4j_results import query_result
from graphkit.backends.neo4j_statements import neo4j_edge_create, neo4j_edge_upsert, neo4j_node_upsert
from graphkit.backends.store import redacted, redacted_uri
from graphkit.errors import GraphkitError, StoreUnavailable
from graphkit.model.schema import SCHEMA, NodeType, RelType

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.compute as pc

    from graphkit.model import tables
else:  # writes and bulk reads only: a query does not wait for them
    pa, pc, tables = LazyModule("pyarrow"), LazyModule("pyarrow.compute"), LazyModule("graphkit.model.tables")

# The driver logs connection trouble itself; graphkit reports it once, as one line.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

WRITE_ACCESS_CODES = ("Neo.ClientError.Statement.AccessMode", "Neo.ClientError.Statement.NotAllowed")


class Neo4jBackend:
    name = "neo4j"
    table_rows = 250_000  # written in batches anyway: a smaller table only bounds the load's memory

    def __init__(
        self,
        uri: str,
        user: str,
        password: str,
        database: str | None = None,
        *,
        retry_seconds: float = 30.0,
        connect_timeout: float = 5.0,
        batch_rows: int = 2_500,  # measured: smaller transactions write faster (less state, less GC)
        writers: int = 2,  # parallel write transactions for large edge tables (faster even on 2 cores)
    ) -> None:
        self.uri, self.database = uri, database
        self.batch_rows = batch_rows
        self.writers = writers
        self.display = redacted_uri(uri) + (f" (database {database})" if database else "")
        try:
            self.driver = neo4j.GraphDatabase.driver(
                uri,
                auth=(user, password),
                connection_timeout=connect_timeout,
                max_transaction_retry_time=retry_seconds,
                connection_acquisition_timeout=connect_timeout * 2,
                notifications_min_severity="OFF",  # deprecation chatter is not for investigators
            )
            self.driver.verify_connectivity()
        except Exception as exc:  # the driver raises many kinds; all mean "cannot use this store"
            raise StoreUnavailable(f"cannot connect to {self.display}: {self._cause(exc)}") from None

    def _cause(self, exc: BaseException) -> str:
        """One line naming the cause. A driver's message can name the address, secrets in the URI
        included: they are hidden before the line is cut, so no piece of one is left."""
        if isinstance(exc, AuthError):
            return "authentication failed (check NEO4J_USERNAME / NEO4J_PASSWORD)"
        # A configuration error's `message` is a generic status; its text says what is wrong.
        generic = isinstance(exc, ConfigurationError)
        message = (None if generic else getattr(exc, "message", None)) or str(exc) or type(exc).__name__
        return " ".join(redacted(str(message), self.uri).split())[:300]

    def _session(self) -> neo4j.Session:
        return self.driver.session(database=self.database)

    def _write(self, cypher: str, params: dict[str, Any]) -> neo4j.ResultSummary:
        def work(tx: neo4j.ManagedTransaction) -> neo4j.ResultSummary:
            return tx.run(cypher, params).consume()

        try:
            with self._session() as session:
                return session.execute_write(work)
        except (ServiceUnavailable, SessionExpired) as exc:
            raise StoreUnavailable(f"lost {self.display} and it did not come back: {self._cause(exc)}") from None
        except Neo4jError as exc:
            raise GraphkitError(f"write failed on {self.display}: {self._cause(exc)}") from None

    def ensure_schema(self) -> None:
        for stmt in neo4j_statements():
            self._write(stmt, {})

    def write_nodes(self, node: NodeType, table: pa.Table, *, new: bool = False) -> None:
        """Parallel writers, one per share of the keys: no two touch the same node. (`new` never
        comes: see is_empty.)"""
        table = table.select(["_k", *tables.given(table)])  # a shorter statement, fewer values sent
        cypher = neo4j_node_upsert(node, table.column_names)
        self._in_shares(table, "_k", lambda share: self._write_all(cypher, share))

    def claim_source(self, source: str) -> bool:
        # Only the transaction that creates the node counts it, so two loads cannot both
        # begin a source; a retried one finds it and says no, which is the safe answer.
        return self._write("MERGE (:Source {id: $id})", {"id": source}).counters.nodes_created == 1

    def write_edges(self, rel: RelType, from_label: str, to_label: str, table: pa.Table, *, new: bool = False) -> None:
        """Parallel writers, one per share of the start nodes, so no two writers touch the same
        start node; rows are sorted by end node, so locks on shared end nodes are always taken
        in one order and the writers do not deadlock each other (sorted before slicing, each
        transaction also touches a narrow range of end nodes). New edges are CREATEd: MERGE
        would scan the start node's relationships for each row."""
        a, b = SCHEMA.by_label[from_label], SCHEMA.by_label[to_label]
        make = neo4j_edge_create if new else neo4j_edge_upsert
        given = set(tables.given(table)) | set(rel.identity)  # a MERGE names its identity, null or not
        table = table.select([name for name in table.column_names if name in given or name[0] == "_"])
        cypher = make(rel, a, b, table.column_names)
        self._in_shares(table, "_f", lambda share: self._write_all(cypher, share.sort_by("_t")))

    def edges_between(
        self, rel: RelType, from_label: str, to_label: str, pairs: pa.Table, props: Sequence[str]
    ) -> pa.Table:
        cypher = "UNWIND $rows AS row " + edge_reads.between(rel, from_label, to_label, "row[0]", "row[1]", props)
        distinct = pairs.group_by(["_f", "_t"], use_threads=False).aggregate([])
        return self._read_all(cypher, distinct, tables.read_schema(rel, from_label, to_label, props))

    def edge_totals(self, rel: RelType, label: str, keys: pa.Array, prop: str, *, outgoing: bool) -> pa.Table:
        cypher = "UNWIND $rows AS row " + edge_reads.totals(rel, label, "row[0]", prop, outgoing=outgoing)
        return self._read_all(cypher, pa.table({"_k": keys}), tables.totals_schema(SCHEMA.by_label[label]))

    def _read_all(self, cypher: str, table: pa.Table, schema: pa.Schema) -> pa.Table:
        """The rows `cypher` returns for the rows of `table`, a batch at a time, in `schema`."""
        found = [schema.empty_table()]  # each batch's rows in Arrow as it comes: Python's lists take more
        for part in tables.slices(table, self.batch_rows * 4):
            rows = self.query(cypher, {"rows": _rows(part)}, columns=schema.names).rows
            named = [dict(zip(schema.names, row, strict=True)) for row in rows]
            found.append(pa.Table.from_pylist(named, schema=schema))
        return pa.concat_tables(found)

    def is_empty(self, name: str) -> bool:
        # Another client may be loading into the same graph at this moment: only MERGE keeps one
        # copy of what both write, so no table is taken to be empty.
        return False

    def _write_all(self, cypher: str, table: pa.Table) -> None:
        for part in tables.slices(table, self.batch_rows):
            self._write(cypher, {"rows": _rows(part)})

    def _in_shares(self, table: pa.Table, column: str, write: Callable[[pa.Table], None]) -> None:
        """write(share) for shares of the table split by `column`, in parallel when large."""
        if self.writers < 2 or table.num_rows <= self.batch_rows:
            write(table)
            return
        share_of = pa.array([hash(key) % self.writers for key in table.column(column).to_pylist()], pa.int64())
        shares = [table.filter(pc.equal(share_of, pa.scalar(i, pa.int64()))) for i in range(self.writers)]
        with ThreadPoolExecutor(self.writers) as pool:
            list(pool.map(write, shares))

    def query(
        self,
        cypher: str,
        params: dict[str, Any] | None = None,
        *,
        write: bool = False,
        columns: Sequence[str] = (),
    ) -> QueryResult:
        """Run a query. Given its result `columns` (a canned query declares them), a read comes back
        as one list of rows: the driver handles each record separately, which costs many times
        the client time of one list (even with its Rust extension)."""
        if not write:
            check_read_only(cypher)  # READ access mode still runs LOAD CSV and file procedures
        as_list = bool(columns) and not write
        text = _rows_as_one_list(cypher, columns) if as_list else cypher

        def work(tx: neo4j.ManagedTransaction) -> QueryResult:
            return query_result(tx.run(text, params or {}), columns if as_list else ())

        try:
            with self._session() as session:
                return session.execute_write(work) if write else session.execute_read(work)
        except ClientError as exc:
            if exc.code in WRITE_ACCESS_CODES or "in read access mode" in (exc.message or ""):
                raise ReadOnlyViolation(exc.message or exc.code or "write refused") from None
            raise GraphkitError(f"query failed on {self.display}: {self._cause(exc)}") from None
        except (ServiceUnavailable, SessionExpired) as exc:
            raise StoreUnavailable(f"lost {self.display}: {self._cause(exc)}") from None
        except Neo4jError as exc:
            raise GraphkitError(f"query failed on {self.display}: {self._cause(exc)}") from None

    def clear(self) -> None:
        """Delete every relationship, then every node, in small transactions (bounded server memory)."""
        with self._session() as session:
            session.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS").consume()
            session.run("MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 20000 ROWS").consume()

    def close(self) -> None:
        self.driver.close()


def _rows_as_one_list(cypher: str, columns: Sequence[str]) -> str:
    """The query as a subquery whose rows, in their order, are collected into one list."""
    row = ", ".join(f"`{name}`" for name in columns)
    return f"CALL () {{\n{cypher}\n}}\nRETURN collect([{row}]) AS rows"


def _rows(table: pa.Table) -> list[tuple[Any, ...]]:
    """The table's rows as lists (tuples pack as lists), in column order: see
    graphkit.backends.neo4j_statements. Times go as graphkit.model.times' text, the form Neo4j
    keeps them in."""
    return list(zip(*(column.to_pylist() for column in tables.with_time_text(table).columns), strict=True))
