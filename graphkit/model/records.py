"""Observation records: the typed node and edge rows every parser yields, and their JSON-lines form.

A node is identified by (label, key); an edge by (type, from, to, identity props).
`source` names the Source node that asserted the record; loaders fill it in when a
parser leaves it empty.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Union

from graphkit.model.schema import LIST_SEPARATOR, SCHEMA, PropType, Schema

Key = Union[str, int]  # a node key: text, or an int for ASN numbers
Props = dict[str, Any]


@dataclass(slots=True)
class NodeRecord:
    label: str
    key: Key
    props: Props = field(default_factory=dict)
    source: str | None = None


@dataclass(slots=True)
class EdgeRecord:
    type: str
    from_label: str
    from_key: Key
    to_label: str
    to_key: Key
    props: Props = field(default_factory=dict)
    source: str | None = None


Record = Union[NodeRecord, EdgeRecord]


class RecordError(ValueError):
    """A record that does not fit the schema; the message says why."""


# The Python types of each property type; a time's text is checked by the normaliser.
_SCALARS: dict[PropType, type | tuple[type, ...]] = {
    PropType.STRING: str,
    PropType.TIME: str,
    PropType.INT: int,
    PropType.FLOAT: (int, float),
    PropType.BOOL: bool,
}


def _type_ok(value: Any, ptype: PropType) -> bool:
    if ptype is PropType.STRING_LIST:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if isinstance(value, bool):  # a bool is an int to Python, never to the schema
        return ptype is PropType.BOOL
    return isinstance(value, _SCALARS[ptype])


def _check_props(owner: str, props: Props, declared: dict[str, Any], derived: frozenset[str]) -> None:
    for name, value in props.items():
        prop = declared.get(name)
        if prop is None:
            raise RecordError(f"{owner} has no property {name!r}")
        if f"{owner}.{name}" in derived:
            raise RecordError(f"{owner}.{name} is derived: graphkit computes it from LOOKED_UP when it loads")
        if value is not None and not _type_ok(value, prop.type):
            raise RecordError(f"{owner}.{name} must be {prop.type.value}, got {json.dumps(value)[:60]}")


def _check_source(owner: str, source: str | None) -> None:
    # The embedded store joins a relationship's sources with LIST_SEPARATOR (graphkit.model.schema).
    if source is not None and LIST_SEPARATOR in source:
        raise RecordError(f"{owner}: a source id may not contain the control character U+001F, got {source!r}")


def _check_sources(owner: str, props: Props) -> None:
    for source in props.get("sources") or ():
        _check_source(owner, source)


def _check_key(label: str, key: Any, schema: Schema) -> None:
    node = schema.by_label.get(label)
    if node is None:
        raise RecordError(f"unknown label {label!r}")
    if key is None or key == "":
        raise RecordError(f"{label} is missing its key {node.key.name!r}")
    if not _type_ok(key, node.key.type):
        raise RecordError(f"{label}.{node.key.name} must be {node.key.type.value}, got {json.dumps(key)[:60]}")


def validate(record: Record, schema: Schema = SCHEMA) -> None:
    """Raise RecordError unless the record fits the schema."""
    if isinstance(record, NodeRecord):
        _check_key(record.label, record.key, schema)
        _check_props(record.label, record.props, schema.by_label[record.label].props_by_name, schema.derived)
        _check_source(record.label, record.source)
        _check_sources(record.label, record.props)
        return
    rel = schema.by_type.get(record.type)
    if rel is None:
        raise RecordError(f"unknown relationship type {record.type!r}")
    if rel.derived_from:
        raise RecordError(f"{record.type} is derived: graphkit computes it from {rel.derived_from} when it loads")
    _check_key(record.from_label, record.from_key, schema)
    _check_key(record.to_label, record.to_key, schema)
    if (record.from_label, record.to_label) not in rel.endpoints:
        raise RecordError(f"{record.type} cannot go from {record.from_label} to {record.to_label}")
    _check_props(record.type, record.props, rel.props_by_name, schema.derived)
    _check_source(record.type, record.source)
    _check_sources(record.type, record.props)
    for name in rel.identity:
        if record.props.get(name) is None and not (name == "source" and record.source):
            raise RecordError(f"{record.type} is missing identity property {name!r}")


def to_json(record: Record) -> str:
    """One JSON-lines line for a record."""
    doc: dict[str, Any]
    if isinstance(record, NodeRecord):
        doc = {"node": record.label, "key": record.key}
    else:
        doc = {
            "edge": record.type,
            "from": [record.from_label, record.from_key],
            "to": [record.to_label, record.to_key],
        }
    if record.props:
        doc["props"] = record.props
    if record.source:
        doc["source"] = record.source
    return json.dumps(doc, ensure_ascii=False, sort_keys=True)


def _endpoint(doc: dict[str, Any], name: str) -> tuple[str, Key]:
    value = doc.get(name)
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)):
        raise RecordError(f"{name!r} must be [label, key]")
    return value[0], value[1]


def from_json(line: str | bytes) -> Record:
    """Parse one JSON-lines record; RecordError says what is wrong. The loader validates it
    against the schema once the file's source has been filled in."""
    try:
        doc = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise RecordError(f"not valid JSON ({str(exc)[:80]})") from None
    if not isinstance(doc, dict):
        raise RecordError("a record must be a JSON object")
    props = doc.get("props") or {}
    source = doc.get("source")
    if not isinstance(props, dict):
        raise RecordError("'props' must be an object")
    if source is not None and not isinstance(source, str):
        raise RecordError("'source' must be a string")
    record: Record
    if "node" in doc:
        if not isinstance(doc["node"], str):
            raise RecordError("'node' must be a label")
        record = NodeRecord(doc["node"], doc.get("key"), props, source)  # type: ignore[arg-type]  # validated later
    elif "edge" in doc:
        if not isinstance(doc["edge"], str):
            raise RecordError("'edge' must be a relationship type")
        (fl, fk), (tl, tk) = _endpoint(doc, "from"), _endpoint(doc, "to")
        record = EdgeRecord(doc["edge"], fl, fk, tl, tk, props, source)
    else:
        raise RecordError("a record needs 'node' or 'edge'")
    return record
