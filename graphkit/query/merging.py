"""Parallel relationships as one edge: the rule every picture draws them by.

A lookup is stored per client, name, query type, day and log: one resolver asking for one name
over five months is some 140 LOOKED_UP relationships, which a drawing fans out into a band that
hides everything else. Merged, they are one edge that says what they were: how many (`merged`),
the folds below (the sum of their counts, on how many days, first and last seen, the query
types), and each other property all of them have with one value; the rest (a log, say) is
dropped. The rule is applied in Python to exported subgraphs (graphkit.export.parallel) and
written as Cypher for the Neo4j Browser guide's pictures (graphkit.query.neo4j_browser), so
both draw the same edges.

Lookups need no merging: a load already adds up a client's lookups of a name into one rollup
(LOOKED_UP_TOTAL, graphkit.ingest.rollups), which both pictures draw instead, as the type it
rolls up, with the rollup's properties (`daily`, the relationships it sums, as `merged`): a
single lookup too, so every lookup edge reads alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MERGED = "merged"  # how many relationships an edge stands for


@dataclass(frozen=True)
class Fold:
    prop: str  # the relationships' property
    into: str  # the merged edge's property
    how: str  # sum | distinct (how many values) | min | max | values (the distinct values, sorted)


FOLDS = (
    Fold("count", "count", "sum"),
    Fold("day", "days", "distinct"),
    Fold("first_seen", "first_seen", "min"),
    Fold("last_seen", "last_seen", "max"),
    Fold("qtype", "qtypes", "values"),
)
FOLDED = frozenset(f.prop for f in FOLDS)
_FOLD_TEXTS: dict[str, Callable[[set[str]], Any]] = {"distinct": len, "min": min, "max": max, "values": sorted}


ROLLUP_RENAMED = {"daily": MERGED}


def rollup_props(props: Mapping[str, Any]) -> dict[str, Any]:
    """The properties of the edge a rollup is drawn as."""
    return {ROLLUP_RENAMED.get(name, name): value for name, value in props.items()}


def cypher_rollup_props(rel: str) -> str:
    """rollup_props as a Cypher expression over the rollup relationship `rel` (APOC core)."""
    renames = " ".join(f"WHEN '{old}' THEN '{new}'" for old, new in ROLLUP_RENAMED.items())
    return f"apoc.map.fromPairs([k IN keys({rel}) | [CASE k {renames} ELSE k END, {rel}[k]]])"


def merged_props(props: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The properties of one edge standing for relationships with these properties."""
    out: dict[str, Any] = {MERGED: len(props)}
    shared = set.intersection(*(set(p) for p in props)) if props else set()
    for name in sorted(shared - FOLDED):
        if len({repr(p[name]) for p in props}) == 1:
            out[name] = props[0][name]
    for fold in FOLDS:
        if fold.how == "sum":
            numbers = [p[fold.prop] for p in props if isinstance(p.get(fold.prop), int)]
            if numbers:
                out[fold.into] = sum(numbers)
            continue
        texts = {str(p[fold.prop]) for p in props if p.get(fold.prop) not in (None, "")}
        if texts:
            out[fold.into] = _FOLD_TEXTS[fold.how](texts)
    return out


def cypher_merged_props(rels: str, out: str) -> str:
    """Cypher (a subquery over the list of relationships named `rels`) giving `out`, the map
    merged_props gives for two or more (a single relationship is drawn as it is, there and in
    graphkit.export.parallel). Uses APOC core (apoc.map.fromPairs, apoc.coll.sort); Browser's
    pictures need APOC anyway, for virtual relationships."""
    aggregates = [f"count(x) AS {MERGED}"]
    values = [f"['{MERGED}', {MERGED}]"]
    for i, fold in enumerate(FOLDS):
        value = f"f{i}"
        present = f"CASE WHEN x.{fold.prop} <> '' THEN x.{fold.prop} END"  # as in Python: no null, no ''
        if fold.how == "sum":
            aggregates += [f"sum(x.{fold.prop}) AS {value}", f"count(x.{fold.prop}) AS n{i}"]
            values.append(f"['{fold.into}', CASE WHEN n{i} > 0 THEN {value} END]")
        elif fold.how == "distinct":
            aggregates.append(f"count(DISTINCT {present}) AS {value}")
            values.append(f"['{fold.into}', CASE WHEN {value} > 0 THEN {value} END]")
        elif fold.how == "values":
            aggregates.append(f"collect(DISTINCT toString({present})) AS {value}")
            values.append(f"['{fold.into}', CASE WHEN size({value}) > 0 THEN apoc.coll.sort({value}) END]")
        else:
            aggregates.append(f"{fold.how}(toString({present})) AS {value}")
            values.append(f"['{fold.into}', {value}]")
    folded = ", ".join(repr(name) for name in sorted(FOLDED))
    return (
        f"CALL ({rels}) {{\n"
        f"  WITH {rels}, head({rels}) AS x0\n"
        f"  UNWIND {rels} AS x\n"
        f"  WITH {rels}, x0, {', '.join(aggregates)}\n"
        f"  RETURN CASE WHEN size({rels}) = 1 THEN properties(x0) ELSE apoc.map.merge(\n"
        f"    apoc.map.fromPairs([k IN keys(x0) WHERE NOT k IN [{folded}]\n"
        f"      AND all(y IN {rels} WHERE y[k] = x0[k]) | [k, x0[k]]]),\n"
        f"    apoc.map.fromPairs([p IN [{', '.join(values)}] WHERE p[1] IS NOT NULL])) END AS {out}\n"
        "}"
    )
