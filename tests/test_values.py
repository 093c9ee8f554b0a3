"""plain_rows: rows already in the plain form pass through; any other value is converted. Query
results are unpacked with the cycle collector paused, and it is left as it was found."""

from __future__ import annotations

import gc
from decimal import Decimal

import pytest
from helpers import Store

from graphkit.backends import embedded_results, neo4j_results
from graphkit.backends.embedded_results import plain_ladybug
from graphkit.backends.neo4j_results import plain
from graphkit.backends.results import plain_rows
from graphkit.errors import GraphkitError


def test_rows_of_scalars_and_lists_of_scalars_pass_through_as_they_are() -> None:
    rows = [["a.example", 3, 0.5, True, None, ["ns1", "ns2"]], ["b.example", 1, 1.0, False, None, []]]
    assert plain_rows(rows, plain) is rows


def test_rows_with_any_other_value_are_converted() -> None:
    rows = [["a.example", Decimal(7)], ["b.example", [{"_LABEL": "Domain", "_ID": 1, "name": "b.example"}]]]
    first = rows[0]
    # converted in place (no second copy of a large result): the same lists, plain values
    assert plain_rows(rows, plain_ladybug) is rows and rows[0] is first
    assert rows == [["a.example", 7], ["b.example", [{"_label": "Domain", "name": "b.example"}]]]
    assert type(rows[0][1]) is int
    nested = [[[["x"]]]]
    assert plain_rows(nested, plain) == [[[["x"]]]]


class _Unpacked:
    """A store's result as each converter unpacks it, noting whether the collector ran meanwhile."""

    def __init__(self) -> None:
        self.collector_on: list[bool] = []

    def _rows(self) -> list[list[object]]:
        self.collector_on.append(gc.isenabled())
        return [[1]]

    def get_column_names(self) -> list[str]:  # LadybugDB
        return ["one"]

    def get_all(self) -> list[list[object]]:
        return self._rows()

    def single(self, strict: bool) -> list[object]:  # Neo4j, rows as one list
        return [self._rows()]


def test_each_backend_unpacks_its_results_with_the_collector_paused() -> None:
    ladybug_result, neo4j_result = _Unpacked(), _Unpacked()
    assert embedded_results.query_result(ladybug_result).rows == [[1]]  # type: ignore[arg-type]
    assert neo4j_results.query_result(neo4j_result, ["one"]).rows == [[1]]  # type: ignore[arg-type]
    assert ladybug_result.collector_on == neo4j_result.collector_on == [False]
    assert gc.isenabled()


def test_queries_leave_the_cycle_collector_as_they_found_it(store: Store) -> None:
    """Results are unpacked with the collector paused; it runs again afterwards, also after a
    failed query, and stays off for a caller that had turned it off."""
    backend = store.open()
    try:
        many = backend.query("UNWIND range(1, 2000) AS i RETURN i, [i] AS l", columns=["i", "l"])
        assert many.rows[-1] == [2000, [2000]] and gc.isenabled()
        with pytest.raises(GraphkitError):
            backend.query("RETURN nonsense(")
        assert gc.isenabled()
        gc.disable()
        try:
            backend.query("RETURN 1 AS one")
            assert not gc.isenabled()
        finally:
            gc.enable()
    finally:
        backend.close()
