"""Why a canned query gave no rows, where graphkit can tell.

Four answers, tried in this order:
- the query reads the results of an analysis (its header's `needs:`) that has not been run on
  this store: said so, with the command that runs it;
- a value naming an entity (a domain, an address, an organization, ...) names nothing in the
  graph: said so, with the nearest names that are there (same registered domain, or same start);
- the query's filters (its header's `filters:`) hid the rows: the query is run again with one
  filter at a time at the value that keeps every row (those left at their defaults first), else
  with all of them, and the first that shows rows is named, with its value, whether it was given
  or the default, and the `-p` that shows the rows;
- the entity is there, with nothing of the asked kind: what it has is counted by relationship type.

Only explains: the rows the user asked for are never changed, and a parameter given is never
overridden in what is printed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphkit.backends.base import Backend
from graphkit.errors import GraphkitError
from graphkit.model import names
from graphkit.model.schema import SCHEMA
from graphkit.query.catalogue import ParamType, Query, run_query
from graphkit.query.dialect import EMBEDDED_DIALECT
from graphkit.query.subgraph import NodeRef, resolve_entities

NEAREST = 5  # names offered for one that is not there
COUNTED = 1_000  # hidden rows counted at most: all of them could be millions, held in memory


def why_empty(backend: Backend, query: Query, bound: Mapping[str, Any], given: Mapping[str, Any]) -> list[str]:
    """Lines saying why `query` with `bound` parameters (`given`: those the user gave) has no rows."""
    not_run = [
        f"no `graphkit analyze {name}` has been run on this store: run it first (see `graphkit analyze {name} --help`)"
        for name in query.needs
        if not _analysed(backend, name)
    ]
    if not_run:
        return not_run
    try:
        hidden = _hidden_by_filters(backend, query, bound, given)
    except GraphkitError as exc:  # the query itself ran: its empty answer stands, unexplained
        relaxing = ", ".join(
            f"{name}={_shown(bound.get(name))}" for name in query.filters if bound.get(name) is not None
        )
        return [f"the filters ({relaxing}) may hide rows; running the query without them failed: {exc}"]
    if hidden:
        return hidden
    entities: dict[str, set[NodeRef]] = {}
    missing = []
    for value in _entity_values(query, bound).values():
        found = resolve_entities(backend, [value])
        if found:
            entities[value] = found
        else:
            nearest = _nearest(backend, value) + _organizations_naming(backend, value)
            missing.append(
                f"{value} is not in the graph by that name" + (f"; nearest: {', '.join(nearest)}" if nearest else "")
            )
    if missing:
        return missing
    return [_what_it_has(backend, value, refs) for value, refs in entities.items()] or [
        f"{query.name} finds nothing of its kind in this graph with these parameters"
    ]


def _analysed(backend: Backend, name: str) -> bool:
    """Whether an analysis run of this name has written its Source (`analysis:<projection>:<name>`)."""
    cypher = "MATCH (s:Source) WHERE s.kind = 'analysis' AND s.id ENDS WITH $suffix RETURN count(s)"
    return bool(backend.query(cypher, {"suffix": f":{name}"}).rows[0][0])


def _organizations_naming(backend: Backend, text: str) -> list[str]:
    """Organizations whose name holds the text (queries take an organization's whole name)."""
    cypher = "MATCH (o:Organization) WHERE toLower(o.name) CONTAINS $t RETURN o.name ORDER BY o.name LIMIT $n"
    return [row[0] for row in backend.query(cypher, {"t": text.strip().lower(), "n": NEAREST}).rows]


def _entity_values(query: Query, bound: Mapping[str, Any]) -> dict[str, str]:
    """The text parameters that name something (not a choice among fixed words)."""
    return {
        p.name: str(bound[p.name])
        for p in query.params
        if p.type is ParamType.STRING and not p.choices and isinstance(bound.get(p.name), str) and bound[p.name].strip()
    }


def _hidden_by_filters(backend: Backend, query: Query, bound: Mapping[str, Any], given: Mapping[str, Any]) -> list[str]:
    relaxing = {name: keep for name, keep in query.filters.items() if bound.get(name) != keep}
    # One filter at a time before all together: every run is a whole query, and the one with
    # every filter relaxed is the broadest (at 10M lookups, lookup-concentration over every name
    # and source). Defaults first: what the user chose is the last thing to suggest changing.
    tries = [[name] for name in sorted(relaxing, key=lambda name: name in given)]
    if len(relaxing) > 1:
        tries.append(list(relaxing))  # none alone: perhaps they hide the rows together
    for hiding in tries:
        rows = len(
            run_query(backend, query, {**bound, **{name: relaxing[name] for name in hiding}}, limit=COUNTED + 1).rows
        )
        if rows:
            return [_hidden(rows, hiding, relaxing, bound, given)]
    return []


def _hidden(
    rows: int, hiding: list[str], relaxing: Mapping[str, Any], bound: Mapping[str, Any], given: Mapping[str, Any]
) -> str:
    said = ", ".join(
        f"{name}={_shown(bound.get(name))} ({'given' if name in given else 'the default'})" for name in hiding
    )
    # a filter whose keep-all value is null is left out (its default); the others are set
    show = "; ".join(
        f"leave out -p {name}" if relaxing[name] is None else f"add -p {name}={_shown(relaxing[name])}"
        for name in hiding
    )
    plural = "s" if rows != 1 else ""
    counted = f"more than {COUNTED:,}" if rows > COUNTED else str(rows)
    return f"{counted} row{plural} hidden by {said}: {show}"


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _nearest(backend: Backend, text: str) -> list[str]:
    """Names or addresses that are there, near the text: the same registered domain or first
    label, the same address prefix."""
    value = text.strip().lower()
    try:
        address = names.ip(value)
    except names.InvalidName:
        address = None
    if address is not None:
        prefix = address.rsplit(":" if ":" in address else ".", 1)[0]
        cypher = "MATCH (a:IPAddress) WHERE a.address STARTS WITH $p RETURN a.address ORDER BY a.address LIMIT $n"
        found = [row[0] for row in backend.query(cypher, {"p": prefix, "n": NEAREST}).rows]
    else:
        try:
            canonical = names.domain(value)
        except names.InvalidName:
            return []
        if "." not in canonical:
            return []  # a single label is near everything
        registered = names.suffixes(canonical)[0]
        cypher = (
            "MATCH (d:Domain) WHERE d.registered_domain = $r OR d.name STARTS WITH $p "
            "RETURN d.name ORDER BY d.name LIMIT $n"
        )
        first = canonical.split(".", 1)[0] + "."  # the same first label under another domain
        found = [row[0] for row in backend.query(cypher, {"r": registered, "p": first, "n": NEAREST}).rows]
    return found


def _what_it_has(backend: Backend, value: str, refs: set[NodeRef]) -> str:
    counts: dict[str, int] = {}
    type_of = "label(r)" if backend.name == EMBEDDED_DIALECT else "type(r)"
    for label, key in sorted(refs, key=repr):
        prop = SCHEMA.by_label[label].key.name
        cypher = f"MATCH (n:{label} {{{prop}: $k}})-[r]-() RETURN {type_of} AS t, count(*) AS n"
        for rel_type, n in backend.query(cypher, {"k": key}).rows:
            counts[rel_type] = counts.get(rel_type, 0) + n
    if not counts:
        return f"{value} is in the graph with no relationships"
    has = ", ".join(f"{n} {rel_type}" for rel_type, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    return f"{value} is in the graph, with nothing this query asks for; it has {has}"
