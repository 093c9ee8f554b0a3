"""The running totals of lookup logs: folding many small grouped batches must give exactly
what grouping all the lines at once gives (the sort-and-pair merge of
graphkit.ingest.lookups.groupby)."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from graphkit.ingest.lookups.groupby import Window, group

KEYS = ["q", "c", "d"]
AGGREGATES = [("n", "sum"), ("first", "min"), ("last", "max"), ("ttl", "last")]


def lines(rng: random.Random, n: int, names: int) -> pa.Table:
    ttls = [rng.choice([None, 60, 300]) for _ in range(n)]
    ts = [rng.uniform(0, 1000) for _ in range(n)]
    return pa.table(
        {
            "q": pa.array([rng.randrange(names) for _ in range(n)], pa.int32()),
            "c": pa.array([rng.randrange(5) for _ in range(n)], pa.int32()),
            "d": pa.array([rng.randrange(3) for _ in range(n)], pa.int32()),
            "n": pa.array([1] * n, pa.int64()),
            "first": pa.array(ts, pa.float64()),
            "last": pa.array(ts, pa.float64()),
            "ttl": pa.array(ttls, pa.int64()),
        }
    )


def as_rows(table: pa.Table) -> list[tuple[object, ...]]:
    return sorted(zip(*(table.column(name).to_pylist() for name in table.column_names), strict=True))


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("limit", [1, 7, 100])
def test_folded_batches_equal_one_grouping_of_all_lines(seed: int, limit: int) -> None:
    rng = random.Random(seed)
    batches = [lines(rng, rng.randrange(0, 40), names=rng.choice([3, 30])) for _ in range(25)]
    names = 30

    def bounds() -> dict[str, int | None]:
        return {"q": names, "c": 5, "d": 3}

    window = Window(KEYS, AGGREGATES, limit)
    for batch in batches:
        window.add(group(batch, [(k, bounds()[k]) for k in KEYS], AGGREGATES), bounds)
    window.fold(bounds)
    everything = pa.concat_tables(batches)
    want = group(everything, [(k, bounds()[k]) for k in KEYS], [a for a in AGGREGATES if a[1] != "last"])
    assert window.total is not None
    got = window.total.drop_columns(["ttl"])
    assert as_rows(got) == as_rows(want)
    assert sum(got.column("n").to_pylist()) == everything.num_rows
    # `last` keeps the last non-null value in line order
    last_ttl: dict[tuple[int, int, int], object] = {}
    for q, c, d, ttl in zip(*(everything.column(k).to_pylist() for k in [*KEYS, "ttl"]), strict=True):
        if ttl is not None or (q, c, d) not in last_ttl:
            last_ttl[(q, c, d)] = ttl if ttl is not None else last_ttl.get((q, c, d))
    got_ttl = dict(
        zip(zip(*(window.total.column(k).to_pylist() for k in KEYS)), window.total.column("ttl").to_pylist())
    )
    assert got_ttl == last_ttl
