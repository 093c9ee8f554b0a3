"""The merge rules over Arrow columns (the embedded store's merge with what it holds) give, row by
row, what merge_value gives, nulls and ties included."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest

from graphkit.backends.merge import merge_column, merge_value, same_values
from graphkit.model.schema import Merge, Prop, PropType

START = datetime(2016, 5, 4, tzinfo=UTC)
VALUES = {
    pa.int64(): lambda rng: rng.randrange(-3, 4),
    pa.string(): lambda rng: rng.choice(["", "a", "ab", "b", "é", "Z"]),
    pa.timestamp("s"): lambda rng: (START + timedelta(seconds=rng.randrange(3))).replace(tzinfo=None),
}


def _column(rng: random.Random, kind: pa.DataType, n: int) -> list[object]:
    return [None if rng.random() < 0.3 else VALUES[kind](rng) for _ in range(n)]


@pytest.mark.parametrize("merge", [Merge.SET, Merge.FIRST, Merge.MIN, Merge.MAX])
@pytest.mark.parametrize("kind", list(VALUES))
def test_a_column_merges_as_each_row_would(merge: Merge, kind: pa.DataType) -> None:
    rng = random.Random(f"{merge}{kind}")
    prop = Prop("p", PropType.STRING, merge=merge)
    old, new = _column(rng, kind, 400), _column(rng, kind, 400)
    merged = merge_column(prop, pa.array(old, kind), pa.array(new, kind)).to_pylist()
    assert merged == [merge_value(prop, a, b) for a, b in zip(old, new)]


def test_same_values_treats_two_nulls_as_the_same_and_lists_by_content() -> None:
    a = pa.array([1, None, None, 2])
    b = pa.array([1, None, 3, 5])
    assert same_values(a, b).to_pylist() == [True, True, False, False]
    lists = pa.array([["x", "y"], [], None, ["x"]])
    others = pa.array([["x", "y"], None, None, ["x", "y"]])
    assert same_values(lists, others).to_pylist() == [True, False, True, False]


def test_union_is_left_to_merge_value() -> None:
    with pytest.raises(ValueError):
        merge_column(Prop("p", PropType.STRING_LIST, merge=Merge.UNION), pa.array([["a"]]), pa.array([["b"]]))
