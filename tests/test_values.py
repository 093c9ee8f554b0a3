"""plain_rows: rows already in the plain form pass through; any other value is converted."""

from __future__ import annotations

from decimal import Decimal

from graphkit.values import plain, plain_ladybug, plain_rows


def test_rows_of_scalars_and_lists_of_scalars_pass_through_as_they_are() -> None:
    rows = [["a.example", 3, 0.5, True, None, ["ns1", "ns2"]], ["b.example", 1, 1.0, False, None, []]]
    assert plain_rows(rows, plain) is rows


def test_rows_with_any_other_value_are_converted() -> None:
    rows = [["a.example", Decimal(7)], ["b.example", [{"_LABEL": "Domain", "_ID": 1, "name": "b.example"}]]]
    assert plain_rows(rows, plain_ladybug) == [
        ["a.example", 7],
        ["b.example", [{"_label": "Domain", "name": "b.example"}]],
    ]
    nested = [[[["x"]]]]
    assert plain_rows(nested, plain) == [[[["x"]]]] and plain_rows(nested, plain) is not nested
