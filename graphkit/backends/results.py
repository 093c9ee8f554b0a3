"""Graph values (nodes, relationships, paths) from either store, in one plain form.

node -> {"_label": L, <properties>}; relationship -> {"_type": T, "_from": <from key>,
"_to": <to key>, <properties>}; path -> {"nodes": [...], "relationships": [...]}.
Null properties are left out, so both stores give identical rows. Each backend converts
its own values (neo4j_results, embedded_results); what they share is here.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import chain
from typing import Any

from graphkit.model.schema import LIST_SEPARATOR, SCHEMA

# Most values in a result are scalars: checked first, by exact type (a large result has millions).
SCALARS = frozenset({str, int, float, bool, type(None)})


def properties(items: dict[str, Any], convert: Callable[[Any], Any]) -> dict[str, Any]:
    """A node's or relationship's properties, converted, without nulls and internal fields."""
    return {k: convert(v) for k, v in sorted(items.items()) if v is not None and not k.startswith("_")}


def node_key(label: str, props: dict[str, Any]) -> Any:
    node = SCHEMA.by_label.get(label)
    return props.get(node.key.name) if node else None


def split_list(value: Any) -> Any:
    """A relationship's string[] value as a list: the embedded store keeps it joined with
    LIST_SEPARATOR (see graphkit.backends.ddl); lists (Neo4j, older stores) and nulls pass."""
    if type(value) is not str:
        return value
    return value.split(LIST_SEPARATOR) if value else []


def rel_props_plain(rel_type: str | None, props: dict[str, Any]) -> dict[str, Any]:
    """A relationship's properties with its string[] values as lists (see split_list)."""
    rel = SCHEMA.by_type.get(rel_type or "")
    if rel is None:
        return props
    for name in rel.list_props & props.keys():
        props[name] = split_list(props[name])
    return props


def plain_rows(rows: list[Any], convert: Callable[[Any], Any]) -> list[Any]:
    """Rows (lists of values) in the plain form: `convert` (plain or plain_ladybug) on each value,
    unless every value is a scalar or a list of scalars, as in most results; those rows are plain
    already. Checking that by type runs in C, several times faster than converting them value
    by value."""
    values = list(chain.from_iterable(rows))
    kinds = set(map(type, values))
    if list in kinds:
        kinds.discard(list)
        kinds.update(map(type, chain.from_iterable(v for v in values if type(v) is list)))
    if kinds <= SCALARS:
        return rows
    # In place, value by value: the rows are the result's own lists, and converted copies would
    # hold a large result twice while they are made.
    for row in rows:
        for i, value in enumerate(row):
            if type(value) not in SCALARS:
                row[i] = convert(value)
    return rows


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while a store's result is unpacked. The rows are lists of
    plain values, with no cycles to find, yet every 700 new lists start a collection that walks
    the older ones: a noticeable share of a large result's time. Only the backends' result
    converters use it, as that is where the lists are made: a pause at the CLI entry would also
    cover loads and the Browser server, whose cyclic garbage must still be collected."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
