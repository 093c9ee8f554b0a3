"""Canonical keys and what follows from them, for whole columns.

graphkit.model.names says what a canonical key is, one value at a time. Here the same
answers come a column at a time: each distinct value is looked at once, and the common
case of a domain name (ASCII letters, digits, hyphens) is recognised by Arrow without
Python; only the rest goes through graphkit.model.names. The Public Suffix split is made
per distinct parent name (see `suffix_columns`), not per name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from graphkit.model import names, plain_keys
from graphkit.model.schema import SCHEMA

CANONICAL: dict[str, Callable[[str], str]] = {
    "Domain": names.domain,
    "IPAddress": names.ip,
    "Host": names.host,
    "Netblock": names.cidr,
    "Email": names.email,
    "Organization": names.organization_key,
}

Rejected = list[tuple[int, str]]  # (row, reason)


def canonical_keys(label: str, column: pa.ChunkedArray | pa.Array) -> tuple[pa.Array, Rejected]:
    """The column's keys in canonical form, and the rows whose key cannot be one."""
    canon = CANONICAL.get(label)
    if canon is None or not (pa.types.is_string(column.type) or pa.types.is_null(column.type)):
        return column, []
    encoded = pc.dictionary_encode(column.cast(pa.string()))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks() if encoded.num_chunks else pa.array([], pa.string()).dictionary_encode()
    values, reasons = _canonical_values(label, encoded.dictionary, canon)
    keys = pc.take(values, encoded.indices)
    bad: Rejected = []
    if reasons or encoded.null_count:
        key_name = SCHEMA.by_label[label].key.name
        for row, index in enumerate(encoded.indices.to_pylist()):
            if index is None:
                bad.append((row, f"{label} is missing its key {key_name!r}"))
            elif index in reasons:
                bad.append((row, reasons[index]))
    return keys, bad


def _canonical_values(label: str, values: pa.Array, canon: Callable[[str], str]) -> tuple[pa.Array, dict[int, str]]:
    """Canonical forms of distinct values (null where there is none), and why not, by index:
    Arrow's where the form is plain (graphkit.model.plain_keys), names' for the rest."""
    fast = plain_keys.plain(label, values) if len(values) else None
    flags: list[bool] | None = None
    if fast is not None:
        keys, plain = fast
        if pc.all(plain).as_py():
            return keys, {}
        flags, plain_forms = plain.to_pylist(), keys.to_pylist()
    out: list[str | None] = []
    reasons: dict[int, str] = {}
    for i, value in enumerate(values.to_pylist()):
        if flags is not None and flags[i]:
            out.append(plain_forms[i])
            continue
        try:
            out.append(canon(value))
        except names.InvalidName as exc:
            out.append(None)
            reasons[i] = str(exc)
    return pa.array(out, pa.string()), reasons


def derived_columns(label: str, keys: pa.Array | pa.ChunkedArray) -> dict[str, pa.Array]:
    """The properties that follow from canonical keys, a column each."""
    if label == "Domain":
        return suffix_columns(keys)
    if label == "IPAddress":
        version = pc.if_else(pc.match_substring(keys, ":"), pa.scalar(6, pa.int64()), pa.scalar(4, pa.int64()))
        return {"version": version}
    return {}


def suffix_columns(keys: pa.Array | pa.ChunkedArray) -> dict[str, pa.Array]:
    """registered_domain and tld of canonical names, as names.suffixes gives them.

    A name's public suffix is its parent's unless a rule of the Public Suffix List matches the
    whole name: the name is a rule (or an exception), or its parent has a wildcard rule. Few
    names are (`_rules`), and parents are few: the split is made once per parent, then for
    every other name from its parent's: the tld is the parent's, and the registered domain the
    parent's, or the name itself where the parent is a public suffix."""
    keys = keys.combine_chunks() if isinstance(keys, pa.ChunkedArray) else keys
    if not len(keys):
        return {"registered_domain": pa.array([], pa.string()), "tld": pa.array([], pa.string())}
    has_parent = pc.match_substring(keys, ".")
    parents = pc.replace_substring_regex(keys, r"^[^.]*\.", "", max_replacements=1)
    encoded = pc.dictionary_encode(pc.if_else(has_parent, parents, pa.scalar(None, pa.string())))
    distinct = encoded.dictionary.to_pylist()
    rules = _rules()
    split = [names.suffixes(parent) for parent in distinct]
    parent_registered = pc.take(pa.array([r for r, _ in split], pa.string()), encoded.indices)
    parent_tld = pc.take(pa.array([t for _, t in split], pa.string()), encoded.indices)
    parent_is_suffix = pc.take(
        pa.array([t == p for p, (_, t) in zip(distinct, split, strict=True)], pa.bool_()), encoded.indices
    )
    registered = pc.if_else(pc.fill_null(parent_is_suffix, False), keys, parent_registered)
    tld = parent_tld
    # names with no parent, or that a rule matches whole: one at a time
    if rules is None:
        irregular = pa.array([True] * len(keys), pa.bool_())
    else:
        wildcard = pc.take(pa.array([p in rules.wildcard_parents for p in distinct], pa.bool_()), encoded.indices)
        irregular = pc.or_(pc.fill_null(wildcard, True), pc.is_in(keys, value_set=rules.names))
    if pc.any(irregular).as_py():
        rows = pc.indices_nonzero(irregular)
        exact = [names.suffixes(name) for name in pc.take(keys, rows).to_pylist()]
        registered = _put(registered, rows, [r for r, _ in exact])
        tld = _put(tld, rows, [t for _, t in exact])
    return {"registered_domain": registered, "tld": tld}


def _put(column: pa.Array, rows: pa.Array, values: list[Any]) -> pa.Array:
    """The column with the values at `rows` replaced."""
    out = column.to_pylist()
    for row, value in zip(rows.to_pylist(), values, strict=True):
        out[row] = value
    return pa.array(out, column.type)


@dataclass(frozen=True)
class _Rules:
    """The Public Suffix List's rules as the split per parent needs them: names that are a
    rule themselves (exceptions and wildcards' parents included), and wildcards' parents."""

    names: pa.Array
    wildcard_parents: frozenset[str]


@cache
def _rules() -> _Rules | None:
    """None when the library's private rule set is not there: then every name is split alone."""
    rules = getattr(names.public_suffix_list(), "_publicsuffix", None)
    if not isinstance(rules, frozenset | set):
        return None
    wildcard_parents = frozenset(rule[2:] for rule in rules if rule.startswith("*."))
    exact = {rule.lstrip("!") for rule in rules if not rule.startswith("*.")} | wildcard_parents
    return _Rules(pa.array(sorted(exact), pa.string()), wildcard_parents)
