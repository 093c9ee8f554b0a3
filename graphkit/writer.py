"""Batches records into per-label and per-type row sets and hands them to a store.

Records for the same node (or the same edge) inside a batch are combined with the
schema's merge rules first, so a store only ever sees one row per key. Nodes are
written before edges at every flush, so edge endpoints always exist.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from graphkit.backends.base import Backend
from graphkit.records import EdgeRecord, Key, NodeRecord, Props, Record
from graphkit.schema import SCHEMA, Merge, Prop

DEFAULT_BATCH = 50_000


def merge_value(prop: Prop, old: Any, new: Any) -> Any:
    """The Python twin of upsert.merge_expr, for rows combined before they reach the store."""
    if new is None:
        return old
    if old is None:
        return new
    if prop.merge is Merge.SET:
        return new
    if prop.merge is Merge.FIRST:
        return old
    if prop.merge is Merge.MIN:
        return min(old, new)
    if prop.merge is Merge.MAX:
        return max(old, new)
    return old + [v for v in new if v not in old]


def _merge_into(target: Props, incoming: Props, declared: dict[str, Prop]) -> None:
    for name, value in incoming.items():
        target[name] = merge_value(declared[name], target.get(name), value)


def _with_source(props: Props, source: str | None) -> Props:
    if source:
        sources = props.get("sources") or []
        if source not in sources:
            props = {**props, "sources": [*sources, source]}
    return props


class GraphWriter:
    def __init__(self, backend: Backend, batch_size: int = DEFAULT_BATCH) -> None:
        self.backend = backend
        self.batch_size = batch_size
        self._nodes: dict[str, dict[Key, Props]] = {}
        self._edges: dict[tuple[str, str, str], dict[tuple[Any, ...], Props]] = {}
        self._buffered = 0
        self.written: Counter[str] = Counter()  # label or type -> rows written

    def add(self, record: Record) -> None:
        if isinstance(record, NodeRecord):
            node = SCHEMA.by_label[record.label]
            props = _with_source(record.props, record.source) if "sources" in node.props_by_name else record.props
            rows = self._nodes.setdefault(record.label, {})
            if record.key in rows:
                _merge_into(rows[record.key], props, node.props_by_name)
            else:
                rows[record.key] = dict(props)
                self._buffered += 1
        else:
            self._add_edge(record)
        if self._buffered >= self.batch_size:
            self.flush()

    def _add_edge(self, record: EdgeRecord) -> None:
        rel = SCHEMA.by_type[record.type]
        props = _with_source(record.props, record.source)
        if "source" in rel.props_by_name and props.get("source") is None:
            props = {**props, "source": record.source}
        ident = (record.from_key, record.to_key, *(props.get(name) for name in rel.identity))
        rows = self._edges.setdefault((record.type, record.from_label, record.to_label), {})
        if ident in rows:
            _merge_into(rows[ident], props, rel.props_by_name)
        else:
            rows[ident] = dict(props)
            self._buffered += 1

    def flush(self) -> None:
        for label, keyed in self._nodes.items():
            node = SCHEMA.by_label[label]
            names = [p.name for p in node.props]
            rows = [{"_k": key, **{n: props.get(n) for n in names}} for key, props in keyed.items()]
            if rows:
                self.backend.write_nodes(node, rows)
                self.written[label] += len(rows)
        for (rel_type, from_label, to_label), keyed_edges in self._edges.items():
            rel = SCHEMA.by_type[rel_type]
            names = [p.name for p in rel.props]
            edge_rows = [{"_f": k[0], "_t": k[1], **{n: p.get(n) for n in names}} for k, p in keyed_edges.items()]
            if edge_rows:
                self.backend.write_edges(rel, from_label, to_label, edge_rows)
                self.written[rel_type] += len(edge_rows)
        self._nodes.clear()
        self._edges.clear()
        self._buffered = 0
