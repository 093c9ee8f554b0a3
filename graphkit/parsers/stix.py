"""`graphkit load stix`: STIX 2.1 bundles (OpenCTI, MISP, graphkit's own export).

What maps onto the schema becomes nodes and relationships, the inverse of graphkit.export.stix:
domain-name, ipv4-addr / ipv6-addr (a CIDR value: a Netblock), autonomous-system, email-addr,
x509-certificate (with a hash), identity of class organization (a registrar by its role);
`resolves-to` and `x-graphkit-<type>` relationships between them, a domain-name's
resolves_to_refs, and graphkit's observed-data of lookups and TLS requests. Properties
graphkit wrote as `x_graphkit_<name>` come back as they were; the standard fields (an AS's
name, a certificate's subject, a relationship's start and stop time) fill what they stand for.
What does not map (indicators, malware, reports, observed-data of other tools: STIX does not
say a client looked a name up) is counted by type in the summary, never guessed at.

The file is the Source of all it holds: the sources lists a graphkit bundle carries name
another store's loads and do not come across. A lookup's `source` (which log counted it, part
of what tells one lookup relationship from another) does, as the bundle states it.

The bundle's objects are read one at a time, twice: the first pass finds the nodes (and their
ids), the second the relationships, which may come first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO, cast

from graphkit.ingest import bounded
from graphkit.ingest.context import FileRejected, ParseContext
from graphkit.model.records import EdgeRecord, NodeRecord, Record
from graphkit.model.schema import SCHEMA
from graphkit.model.stix import CUSTOM, FIELDS, HASHES, OBSERVED, graph_type
from graphkit.parsers import json_stream

NodeRef = tuple[str, Any]
ADDRESSES = ("ipv4-addr", "ipv6-addr")
SKIPPED = {"extension-definition", "marking-definition", "language-content"}  # about the bundle, not facts
NOT_CARRIED = {"sources"}  # the loads the bundle's store made: this file is the source here
BUNDLE_OBJECTS = re.compile(rb'"objects"\s*:\s*\[')


def _graph_props(obj: dict[str, Any], owner: str) -> dict[str, Any]:
    """The x_graphkit_ properties the schema declares for `owner` (a label or a type)."""
    declared = SCHEMA.by_label[owner].props_by_name if owner in SCHEMA.by_label else SCHEMA.by_type[owner].props_by_name
    out = {}
    for name, value in obj.items():
        prop = name.removeprefix(CUSTOM)
        if name.startswith(CUSTOM) and prop in declared and prop not in NOT_CARRIED:
            out[prop] = value
    return out


def _node(obj: dict[str, Any]) -> tuple[NodeRef, dict[str, Any]] | None:
    """The node a STIX object stands for, with its properties; None if none."""
    kind = obj.get("type")
    if kind == "domain-name":
        label, key = "Domain", obj.get("value")
    elif kind in ADDRESSES:
        value = str(obj.get("value") or "")
        label, key = ("Netblock" if "/" in value else "IPAddress"), value
    elif kind == "autonomous-system":
        label, key = "ASN", obj.get("number")
    elif kind == "email-addr":
        label, key = "Email", obj.get("value")
    elif kind == "x509-certificate":
        hashes = _hashes(obj)
        label, key = "Certificate", obj.get(CUSTOM + "fingerprint") or hashes.get("SHA-256") or hashes.get("SHA-1")
        if key and not obj.get(CUSTOM + "fingerprint"):
            key = str(key).lower()
    elif kind == "identity" and obj.get("identity_class") == "organization":
        roles = obj.get("roles")
        label = "Registrar" if isinstance(roles, list) and "registrar" in roles else "Organization"
        key = obj.get(CUSTOM + "key") or obj.get("name")
    else:
        return None
    if key in (None, ""):
        return None
    props = _graph_props(obj, label)
    for name, stix in FIELDS[label].items():
        if obj.get(stix) is not None and name != SCHEMA.by_label[label].key.name:
            props.setdefault(name, obj[stix])
    if label == "Certificate":
        hashes = _hashes(obj)
        for prop, name in HASHES.items():
            if hashes.get(name):
                props.setdefault(prop, str(hashes[name]).lower())
    return (label, key), props


def _hashes(obj: dict[str, Any]) -> dict[str, Any]:
    hashes = obj.get("hashes")
    return hashes if isinstance(hashes, dict) else {}


def _ref(value: Any) -> str:
    """An object reference as text (anything else matches no id)."""
    return value if isinstance(value, str) else ""


class StixParser:
    kind = "stix"

    def __call__(self, ctx: ParseContext) -> Iterator[Record]:
        ids: dict[str, NodeRef] = {}
        objects = 0
        for item in self._objects(ctx):
            objects += 1
            found = _node(item.value) if isinstance(item.value, dict) and _ref(item.value.get("id")) else None
            if found is None:
                continue
            (label, key), props = found
            ids[item.value["id"]] = (label, key)
            ctx.counts[label] += 1
            yield NodeRecord(label, key, props)
        if not objects:
            raise FileRejected(None, 'no STIX objects (expected a bundle: {"type": "bundle", "objects": [...]})')
        for item in self._objects(ctx):
            obj = item.value
            if not isinstance(obj, dict) or not isinstance(obj.get("type"), str) or not _ref(obj.get("id")):
                ctx.reject("not a STIX object (a JSON object with a type and an id)", item.text)
                continue
            if obj.get("id") in ids:
                yield from self._refs(ctx, obj, ids)
                continue
            records = self._edge(ctx, obj, ids)
            if records is None:
                provenance = obj["type"] == "file" and CUSTOM + "source_id" in obj  # graphkit's own
                if obj["type"] not in SKIPPED and obj.get("identity_class") != "system" and not provenance:
                    ctx.skipped[f"{obj['type']}: no graph form"] += 1
                continue
            yield from records

    @staticmethod
    def _objects(ctx: ParseContext) -> Iterator[json_stream.Item]:
        """The objects of the bundle (or of a plain array, or JSON lines, of STIX objects)."""
        with ctx.open(line_limit=None) as stream:
            objects, skipped = _after_bundle_head(stream)
            try:
                for item in json_stream.items(objects, bounded.DOCUMENT_LIMIT):
                    item.line += skipped
                    ctx.line = item.line
                    yield item
            except json_stream.NotJson as exc:
                raise FileRejected(exc.line + skipped, exc.reason) from None

    @staticmethod
    def _refs(ctx: ParseContext, obj: dict[str, Any], ids: dict[str, NodeRef]) -> Iterator[Record]:
        """A domain-name's resolves_to_refs: its addresses (A/AAAA) and the names it is an alias of."""
        start = ids[obj["id"]]
        refs = obj.get("resolves_to_refs")
        for target_id in refs if isinstance(refs, list) else []:
            target = ids.get(_ref(target_id))
            if target is None:
                ctx.skipped["resolves_to_refs to an object not in the bundle"] += 1
                continue
            rel_type = "RESOLVES_TO" if target[0] == "IPAddress" else "ALIAS_OF" if target[0] == "Domain" else None
            if rel_type and start[0] == "Domain":
                yield EdgeRecord(rel_type, *start, *target, {})

    def _edge(self, ctx: ParseContext, obj: dict[str, Any], ids: dict[str, NodeRef]) -> list[Record] | None:
        if obj["type"] == "relationship":
            rel_type = graph_type(str(obj.get("relationship_type") or ""))
            ends = ids.get(_ref(obj.get("source_ref"))), ids.get(_ref(obj.get("target_ref")))
        elif obj["type"] == "observed-data" and obj.get(CUSTOM + "relationship") in OBSERVED:
            rel_type = obj[CUSTOM + "relationship"]
            refs = obj.get("object_refs")
            pair = isinstance(refs, list) and len(refs) == 2
            ends = (ids.get(_ref(refs[0])), ids.get(_ref(refs[1]))) if pair else (None, None)  # type: ignore[index]
        else:
            return None
        if rel_type is None or rel_type not in SCHEMA.by_type:
            return None
        start, end = ends
        if start is None or end is None:
            ctx.reject(f"{obj['type']} {obj.get('id')}: an end is not in the bundle, or has no graph form", "")
            return []
        rel = SCHEMA.by_type[rel_type]
        if (start[0], end[0]) not in rel.endpoints:
            ctx.reject(f"{obj.get('id')}: {rel_type} does not go from {start[0]} to {end[0]}", "")
            return []
        props = _graph_props(obj, rel_type)
        names = rel.props_by_name
        if obj["type"] == "relationship":
            for name, value in (("first_seen", obj.get("start_time")), ("last_seen", obj.get("stop_time"))):
                if name in names and value is not None:
                    props.setdefault(name, value)
        else:  # graphkit's own: its first/last observed are the day's bounds where no time was known
            props.setdefault("count", obj.get("number_observed"))
            if "day" in names and obj.get("first_observed"):
                props.setdefault("day", str(obj["first_observed"])[:10])
        ctx.counts[rel_type] += 1
        return [EdgeRecord(rel_type, *start, *end, props)]


def _after_bundle_head(stream: BinaryIO) -> tuple[BinaryIO, int]:
    """The stream from the bundle's objects array on (a bundle's other members are its type,
    id and spec version), and the lines skipped to get there; a plain array or JSON lines as
    they are."""
    head = stream.read(1 << 16)
    found = BUNDLE_OBJECTS.search(head) if head.lstrip().startswith(b"{") else None
    skipped = head.count(b"\n", 0, found.end() - 1) if found else 0
    return cast(BinaryIO, _Joined(head[found.end() - 1 :] if found else head, stream)), skipped


class _Joined:
    """Bytes already read, then the rest of the stream."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self.head, self.rest = head, rest

    def read(self, size: int = -1) -> bytes:
        if not self.head:
            return self.rest.read(size)
        cut = len(self.head) if size < 0 else size
        out, self.head = self.head[:cut], self.head[cut:]
        return out
