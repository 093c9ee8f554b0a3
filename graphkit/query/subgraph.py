"""A subgraph to hand on: nodes keyed by (label, key) with their properties, and relationships.

Built three ways, on either store:
- from the rows of a canned query (`from_rows`): the nodes, relationships and paths found
  anywhere in the rows; rows in the shape of `neighborhood` (from_label, from, type,
  to_label, to) and of `path-between` (keys, labels, steps) name relationships by their
  endpoints; rows of plain values (names, addresses) name entities, and the subgraph is
  then those entities, the query's parameters, and the relationships among them;
- around one entity (`around`): its ego network, K hops out, at most `limit` nodes;
- the whole graph (`whole_graph`), for small graphs and tests.
Relationship properties are always read from the store, so parallel relationships
(lookups on different days) are all there; or, for a picture (`rollups=True`), a client's
lookups of a name are its one rollup, drawn as graphkit.query.merging says.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from graphkit.backends.base import Backend, QueryResult
from graphkit.errors import GraphkitError
from graphkit.model import names
from graphkit.model.records import Key, Props
from graphkit.model.schema import SCHEMA, NodeType, PropType, RelType
from graphkit.query.fetch import (
    chunks,
    endpoint_pairs,
    fetch_edges_between,
    fetch_edges_from,
    fetch_nodes,
    neighbour_keys,
    scan_nodes,
)
from graphkit.query.merging import MERGED, rollup_props

NodeRef = tuple[str, Key]  # (label, key)

# The labels an entity given by the user (--around KEY, or a value in a row) may be, in the order tried.
ENTITY_LABELS = (
    "Domain",
    "IPAddress",
    "Netblock",
    "ASN",
    "Organization",
    "Email",
    "Registrar",
    "Host",
    "Certificate",
    "Fingerprint",
)
EDGE_ROW = ("from_label", "from", "type", "to_label", "to")
PATH_ROW = ("keys", "labels", "steps")
STEP = re.compile(r"^(<)?-\[(\w+)\]-(>)?$")


@dataclass
class Relationship:
    type: str
    start: NodeRef
    end: NodeRef
    props: Props = field(default_factory=dict)

    def signature(self) -> str:
        return json.dumps([self.type, self.start, self.end, self.props], sort_keys=True, default=str)


class Subgraph:
    def __init__(self) -> None:
        self.nodes: dict[NodeRef, Props] = {}
        self.relationships: list[Relationship] = []
        self._seen: set[str] = set()
        self.notes: list[str] = []  # what the user should know about how it was built
        # the Source nodes its elements name (id -> kind, path, sha256, ...), for formats that
        # carry where each fact came from (add_provenance)
        self.provenance: dict[str, Props] = {}

    def add_node(self, label: str, key: Key, props: Mapping[str, Any] | None = None) -> NodeRef:
        ref = (label, key)
        node = self.nodes.setdefault(ref, {SCHEMA.by_label[label].key.name: key})
        node.update({k: v for k, v in (props or {}).items() if v is not None})
        return ref

    def add_relationship(
        self, type_: str, start: NodeRef, end: NodeRef, props: Mapping[str, Any] | None = None
    ) -> None:
        rel = Relationship(type_, start, end, {k: v for k, v in (props or {}).items() if v is not None})
        signature = rel.signature()
        if signature in self._seen:
            return
        self._seen.add(signature)
        self.add_node(*start)
        self.add_node(*end)
        self.relationships.append(rel)

    def summary(self) -> str:
        return f"{len(self.nodes)} nodes, {len(self.relationships)} relationships"


def source_ids(graph: Subgraph) -> set[str]:
    """The Source ids the graph's nodes and relationships name (`sources` lists, `source`)."""
    found: set[str] = set()
    for props in [*graph.nodes.values(), *(rel.props for rel in graph.relationships)]:
        found.update(str(s) for s in props.get("sources") or [])
        if props.get("source"):
            found.add(str(props["source"]))
    return found


def add_provenance(backend: Backend, graph: Subgraph) -> Subgraph:
    """The graph with the Source nodes it names read into `provenance`."""
    graph.provenance = {
        str(k): v for k, v in fetch_nodes(backend, SCHEMA.by_label["Source"], source_ids(graph)).items()
    }
    return graph


def node_id(ref: NodeRef) -> str:
    """A stable, readable id: 'Domain:mail1.trump-email.com', 'ASN:15632'."""
    return f"{ref[0]}:{ref[1]}"


def typed_key(label: str, value: Any) -> Key:
    """A key as the schema types it: ASN numbers arrive as 15632 or 'AS15632'."""
    if SCHEMA.by_label[label].key.type is PropType.INT and not isinstance(value, int):
        return int(str(value).strip().upper().removeprefix("AS"))
    return cast(Key, value)


# -- completing references from the store ------------------------------------------


def _fill_nodes(backend: Backend, graph: Subgraph, refs: Iterable[NodeRef]) -> set[NodeRef]:
    """Read the properties of the referenced nodes into the graph; the refs that exist."""
    by_label: dict[str, set[Key]] = defaultdict(set)
    for label, key in refs:
        by_label[label].add(key)
    found: set[NodeRef] = set()
    for label, keys in by_label.items():
        for key, props in fetch_nodes(backend, SCHEMA.by_label[label], keys).items():
            graph.add_node(label, key, props)
            found.add((label, key))
    return found


def _read_type(rel: RelType, rollups: bool) -> RelType | None:
    """The type to read for relationships of `rel`: its rollup's, for a picture that draws them so."""
    return SCHEMA.rollups.get(rel.type) if rollups else None


def _note_rollups(graph: Subgraph) -> None:
    drawn = [r for r in graph.relationships if r.type in SCHEMA.rollups and MERGED in r.props]
    for type_ in sorted({r.type for r in drawn}):
        edges = [r for r in drawn if r.type == type_]
        graph.notes.append(
            f"{sum(r.props[MERGED] for r in edges)} {type_} relationships drawn as {len(edges)}: one edge per "
            f"client and name, their rollup ({SCHEMA.rollups[type_].type}; --expand keeps them apart)"
        )


def _edges_among(
    backend: Backend,
    graph: Subgraph,
    refs: set[NodeRef],
    wanted: set[tuple[str, NodeRef, NodeRef]] | None,
    rollups: bool,
) -> None:
    """Add the relationships between the given nodes: all of them, or only those of `wanted`
    (type, start, end) triples; rolled-up types as their rollups when `rollups`."""
    by_label: dict[str, set[Key]] = defaultdict(set)
    for label, key in refs:
        by_label[label].add(key)
    for rel, a, b in endpoint_pairs():
        if a.label not in by_label or b.label not in by_label:
            continue
        if wanted is not None and not any(t == rel.type and s[0] == a.label and e[0] == b.label for t, s, e in wanted):
            continue
        read = _read_type(rel, rollups)
        for start, end, props in fetch_edges_between(backend, read or rel, a, b, by_label[a.label], by_label[b.label]):
            triple = (rel.type, (a.label, start), (b.label, end))
            if wanted is None or triple in wanted:
                graph.add_relationship(*triple, rollup_props(props) if read else props)


# -- from query rows ---------------------------------------------------------------


@dataclass
class _Found:
    """What the rows of a query mention."""

    nodes: list[tuple[str, Props]] = field(default_factory=list)
    relationships: list[tuple[str, Key, Key, Props, dict[Key, str]]] = field(default_factory=list)
    edges: set[tuple[str, NodeRef, NodeRef]] = field(default_factory=set)
    texts: set[str] = field(default_factory=set)
    dropped: int = 0  # relationships without endpoint keys (a bare relationship from LadybugDB)

    @property
    def structural(self) -> bool:
        return bool(self.nodes or self.relationships or self.edges)


def _walk(value: Any, found: _Found) -> None:
    if isinstance(value, list):
        for item in value:
            _walk(item, found)
    elif isinstance(value, dict):
        if "nodes" in value and "relationships" in value:  # a path: its nodes tell the endpoints' labels
            labels_by_key = {_key_of(n): n["_label"] for n in value["nodes"] if isinstance(n, dict) and "_label" in n}
            for node in value["nodes"]:
                _walk(node, found)
            for rel in value["relationships"]:
                _add_relationship(rel, found, labels_by_key)
        elif "_label" in value and value["_label"] in SCHEMA.by_label:
            if _key_of(value) is not None:
                found.nodes.append((value["_label"], value))
        elif "_type" in value and value["_type"] in SCHEMA.by_type:
            _add_relationship(value, found, {})
        else:
            for item in value.values():
                _walk(item, found)
    elif isinstance(value, str):
        found.texts.add(value)


def _key_of(node: Mapping[str, Any]) -> Any:  # a key as the store returned it
    return node.get(SCHEMA.by_label[node["_label"]].key.name) if node.get("_label") in SCHEMA.by_label else None


def _add_relationship(rel: Mapping[str, Any], found: _Found, labels_by_key: dict[Key, str]) -> None:
    if rel.get("_from") is None or rel.get("_to") is None:
        found.dropped += 1
        return
    props = {k: v for k, v in rel.items() if not k.startswith("_")}
    found.relationships.append((rel["_type"], rel["_from"], rel["_to"], props, labels_by_key))


def _ref(label: Any, key: Any) -> NodeRef | None:
    """A node named by a row, if its label is the schema's and its key fits."""
    if label not in SCHEMA.by_label or key is None:
        return None
    try:
        return (label, typed_key(label, key))
    except ValueError:
        return None


def _edge(type_: Any, start: NodeRef | None, end: NodeRef | None, found: _Found) -> None:
    if type_ in SCHEMA.by_type and start is not None and end is not None:
        found.edges.add((type_, start, end))


def _edge_row(row: Mapping[str, Any], found: _Found) -> None:
    _edge(row["type"], _ref(row["from_label"], row["from"]), _ref(row["to_label"], row["to"]), found)


def _path_row(row: Mapping[str, Any], found: _Found) -> None:
    refs = [_ref(label, key) for label, key in zip(row["labels"], row["keys"], strict=False)]
    for i, step in enumerate(row["steps"]):
        match = STEP.match(str(step))
        if not match or i + 1 >= len(refs):
            continue
        backwards, type_ = bool(match.group(1)), match.group(2)
        start, end = (refs[i + 1], refs[i]) if backwards else (refs[i], refs[i + 1])
        _edge(type_, start, end, found)


def _scan(result: QueryResult) -> _Found:
    found = _Found()
    columns = set(result.columns)
    for values in result.rows:
        row = dict(zip(result.columns, values, strict=True))
        if columns.issuperset(EDGE_ROW) and row["from"] is not None and row["to"] is not None:
            _edge_row(row, found)
        elif columns.issuperset(PATH_ROW) and all(isinstance(row[c], list) for c in PATH_ROW):
            _path_row(row, found)
        else:
            _walk(values, found)
    return found


def _endpoint_labels(type_: str, end: int, key: Key, labels_by_key: Mapping[Key, str]) -> list[str]:
    candidates = list(dict.fromkeys(pair[end] for pair in SCHEMA.by_type[type_].endpoints))
    if labels_by_key.get(key) in candidates:
        return [labels_by_key[key]]
    return candidates


def from_rows(
    backend: Backend, result: QueryResult, params: Mapping[str, Any] | None = None, *, rollups: bool = False
) -> Subgraph:
    """The subgraph of a query's rows (see the module's docstring); `params` are the values
    the query was run with (entities it was asked about)."""
    found = _scan(result)
    graph = Subgraph()
    if found.dropped:
        graph.notes.append(f"{found.dropped} relationships left out: the rows do not say which nodes they join")
    if not found.structural:
        texts = found.texts | {v for v in (params or {}).values() if isinstance(v, str)}
        refs = resolve_entities(backend, texts)
        _fill_nodes(backend, graph, refs)
        _edges_among(backend, graph, refs, None, rollups)
        _note_rollups(graph)
        return graph
    for label, props in found.nodes:
        graph.add_node(label, _key_of({**props, "_label": label}), {k: v for k, v in props.items() if k != "_label"})
    pending: list[tuple[str, list[NodeRef], list[NodeRef], Props]] = []
    for type_, start, end, props, labels_by_key in found.relationships:
        starts = [(label, start) for label in _endpoint_labels(type_, 0, start, labels_by_key)]
        ends = [(label, end) for label in _endpoint_labels(type_, 1, end, labels_by_key)]
        pending.append((type_, starts, ends, props))
    edge_refs = {ref for _, s, e in found.edges for ref in (s, e)}
    candidates = {ref for _, starts, ends, _ in pending for ref in starts + ends}
    existing = _fill_nodes(backend, graph, (candidates | edge_refs) - set(graph.nodes)) | set(graph.nodes)
    for type_, starts, ends, props in pending:
        start_ref = next((r for r in starts if r in existing), starts[0])
        end_ref = next((r for r in ends if r in existing), ends[0])
        graph.add_relationship(type_, start_ref, end_ref, props)
    _edges_among(backend, graph, edge_refs & existing, found.edges, rollups)
    _note_rollups(graph)
    return graph


# -- entities named by text ----------------------------------------------------------


def _candidate_keys(node: NodeType, text: str, *, bare_numbers: bool = False) -> list[Key]:
    """The keys a text may stand for, for one label (none when it cannot be one). A bare
    number is an ASN only when asked (a user's KEY), not in query rows (counts, days)."""
    try:
        if node.label == "Domain":
            return [names.domain(text)]
        if node.label == "IPAddress":
            return [names.ip(text)]
        if node.label == "Netblock":
            return [names.cidr(text)]
        if node.label == "ASN":
            match = re.fullmatch(r"(?i)\s*AS\s*(\d+)\s*", text)
            if match is None and bare_numbers:
                match = re.fullmatch(r"\s*(\d+)\s*", text)
            return [int(match.group(1))] if match else []
        if node.label == "Email":
            return [names.email(text)]
        if node.label == "Host":
            return [names.host(text)]
        if node.label == "Certificate":  # a fingerprint as tools print it: any case, colons
            return [text.strip().lower().replace(":", "")]
        if node.label == "Fingerprint":
            return [text.strip()]
        if node.label in ("Organization", "Registrar"):
            return list(dict.fromkeys([text, names.organization_key(text)]))
    except names.InvalidName:
        return []
    return [text]


def resolve_entities(backend: Backend, texts: Iterable[str], labels: Iterable[str] = ENTITY_LABELS) -> set[NodeRef]:
    """The nodes that the texts name (a text may name nodes of several labels)."""
    text_list = [t for t in texts if t and len(t) <= 300]
    found: set[NodeRef] = set()
    for label in labels:
        node = SCHEMA.by_label[label]
        keys = {key for text in text_list for key in _candidate_keys(node, text)}
        found.update((label, key) for key in fetch_nodes(backend, node, keys))
    return found


def resolve_one(backend: Backend, text: str) -> NodeRef:
    """The node a user's KEY names: the first label, in ENTITY_LABELS order, with such a key."""
    for label in ENTITY_LABELS:
        node = SCHEMA.by_label[label]
        hits = fetch_nodes(backend, node, _candidate_keys(node, text, bare_numbers=True))
        if hits:
            return (label, sorted(hits, key=str)[0])
    raise GraphkitError(f"no {', '.join(ENTITY_LABELS)} node has the key {text!r}")


# -- around one entity -----------------------------------------------------------------


def around(backend: Backend, key: str, hops: int = 1, limit: int = 200, *, rollups: bool = False) -> Subgraph:
    """The ego network of the entity `key`: nodes up to `hops` relationships away (each hop
    adds the first new nodes in (label, key) order until `limit` nodes), and every
    relationship among them."""
    if hops < 0 or limit < 1:
        raise GraphkitError("--hops must be 0 or more and --limit at least 1")
    start = resolve_one(backend, key)
    included: set[NodeRef] = {start}
    frontier: set[NodeRef] = {start}
    for _ in range(hops):
        remaining = limit - len(included)
        if remaining <= 0 or not frontier:
            break
        new = sorted(_neighbours(backend, frontier, limit) - included, key=lambda r: (r[0], str(r[1])))[:remaining]
        included.update(new)
        frontier = set(new)
    graph = Subgraph()
    _fill_nodes(backend, graph, included)
    _edges_among(backend, graph, included, None, rollups)
    _note_rollups(graph)
    return graph


def _neighbours(backend: Backend, frontier: set[NodeRef], limit: int) -> set[NodeRef]:
    by_label: dict[str, list[Key]] = defaultdict(list)
    for label, key in frontier:
        by_label[label].append(key)
    out: set[NodeRef] = set()
    for rel, a, b in endpoint_pairs():
        if a.label in by_label:
            keys = neighbour_keys(backend, rel, a, b, by_label[a.label], outgoing=True, limit=limit)
            out.update((b.label, k) for k in keys)
        if b.label in by_label:
            keys = neighbour_keys(backend, rel, a, b, by_label[b.label], outgoing=False, limit=limit)
            out.update((a.label, k) for k in keys)
    return out


# -- everything ----------------------------------------------------------------------


def whole_graph(backend: Backend, batch: int = 10_000, *, rollups: bool = False) -> Subgraph:
    """Every node and relationship (for small graphs: it is all held in memory)."""
    graph = Subgraph()
    for node in SCHEMA.nodes:
        pairs = [(rel, a, b) for rel, a, b in endpoint_pairs() if a.label == node.label]
        for page in scan_nodes(backend, node, batch):
            for key, props in page:
                graph.add_node(node.label, key, props)
            for rel, a, b in pairs:
                read = _read_type(rel, rollups)
                for part in chunks([key for key, _ in page], 1_000):
                    for start, end, props in fetch_edges_from(backend, read or rel, a, b, part):
                        graph.add_relationship(
                            rel.type, (a.label, start), (b.label, end), rollup_props(props) if read else props
                        )
    _note_rollups(graph)
    return graph


def iter_nodes(graph: Subgraph) -> Iterator[tuple[NodeRef, Props]]:
    """Nodes in a stable order: by label, then key."""
    yield from sorted(graph.nodes.items(), key=lambda item: (item[0][0], str(item[0][1])))
