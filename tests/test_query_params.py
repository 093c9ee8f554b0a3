"""Int and float parameters fit the store: 64-bit ints, finite floats, and the range a query
declares (`name: int in 1..6`), each refused as one line naming the parameter."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import Store, run_cli

from graphkit.query.catalogue import QueryFileError, get_query, parse_query

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (HUGE, f"max_hops must be an int from -9223372036854775808 to 9223372036854775807 (64 bits), got '{HUGE}'"),
        ("7", "max_hops must be in 1..6, got '7'"),
        ("0", "max_hops must be in 1..6, got '0'"),
    ],
)
def test_canned_int_out_of_range(value: str, message: str) -> None:
    args = ("query", "run", "path-between", "-p", "from=a", "-p", "to=b", "-p", f"max_hops={value}")
    proc = run_cli(*args, "--store", "/nonexistent/graph.lbdb", check=False)  # refused before the store opens
    assert (proc.returncode, proc.stderr) == (1, f"error: parameter {message}\n")


def test_ad_hoc_numbers_out_of_range(tmp_path: Path) -> None:
    store = Store("embedded", str(tmp_path / "graph.lbdb"))
    records = tmp_path / "r.jsonl"
    records.write_text('{"node": "Domain", "key": "a.example"}\n')
    store.cli("load", "records", str(records))
    for param, message in [
        (f"n:int={HUGE}", "parameter n must be an int from"),
        ("n:int=-9223372036854775809", "parameter n must be an int from"),
        ("n:float=1e999", "parameter n must be a finite float, got '1e999'"),
        ("n:float=nan", "parameter n must be a finite float, got 'nan'"),
    ]:
        proc = store.cli("query", "run", "--cypher", "RETURN $n AS n", "-p", param, check=False)
        assert proc.returncode == 1 and proc.stderr.startswith(f"error: {message}"), proc.stderr
        assert proc.stderr.count("\n") == 1 and "C++" not in proc.stderr
    edge = store.cli("query", "run", "--cypher", "RETURN $n AS n", "-p", "n:int=-9223372036854775808", "-f", "csv")
    assert edge.stdout == "n\n-9223372036854775808\n"


def test_declared_ranges(tmp_path: Path) -> None:
    query = get_query("path-between")
    assert "max_hops (int 1..6, default 4)" in query.describe_params()
    header = "// name: q\n// title: t\n// params:\n//   {param}\n// columns:\n//   n\nRETURN $x AS n\n"
    path = tmp_path / "q.cypher"
    path.write_text(header.format(param="x: float in 0.5.. = 1.5 -- at least a half"))
    (param,) = parse_query(path).params
    assert param.coerce("0.5") == 0.5 and param.describe() == "x (float 0.5.., default 1.5)"
    with pytest.raises(QueryFileError, match=r"q.cypher:4: default of parameter x must be in 0.5.., got '0.25'"):
        path.write_text(header.format(param="x: float in 0.5.. = 0.25"))
        parse_query(path)
    with pytest.raises(QueryFileError, match=r"q.cypher:4: a range \(in LOW..HIGH\) is for an int or float"):
        path.write_text(header.format(param="x: string in 1..2"))
        parse_query(path)
    with pytest.raises(QueryFileError, match=r"q.cypher:4: a range is 'in LOW..HIGH', got '1.5..2'"):
        path.write_text(header.format(param="x: int in 1.5..2"))
        parse_query(path)
