"""STIX 2.1 bundles (OpenCTI, MISP and other threat-intelligence platforms), built with `stix2`.

What maps to what (docs/export.md has the table):
- nodes: Domain -> domain-name, IPAddress and Netblock -> ipv4-addr / ipv6-addr (a netblock's
  value is its CIDR), ASN -> autonomous-system, Email -> email-addr, Certificate ->
  x509-certificate, Organization and Registrar -> identity (class organization; a registrar
  with the role "registrar"). Host, Fingerprint and Source have no STIX object: left out, and
  the export says how many;
- lookups and TLS requests (relationships counted per day) -> observed-data, one per client,
  name and day: first/last observed, number_observed (the count), the client and the name;
- every other relationship -> a relationship object: `resolves-to` for A/AAAA records, a
  custom `x-graphkit-<type>` for the rest (the spec's style for types it has no word for),
  first/last seen as start_time/stop_time; A/AAAA and CNAME records also as the domain-name's
  resolves_to_refs, and an address's AS (through its netblock) as belongs_to_refs.
Every property STIX has no field for travels as a custom `x_graphkit_<name>` property (the
sources an object came from among them), so `graphkit load stix` reads the bundle back whole.
Each loaded file the graph names is a `file` object (its name and SHA-256); every object's
`x_graphkit_source_refs` points at the files its facts came from.

Ids repeat from export to export: SCOs by STIX's own rule (UUIDv5 over the properties that
identify them), identities, relationships and observed-data by UUIDv5 of graphkit's key for
them. created/modified are the time of the export, the moment graphkit states them.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import stix2

from graphkit.model.schema import SCHEMA
from graphkit.model.stix import CUSTOM, FIELDS, HASHES, OBSERVED, RESOLVES_TO_REFS, relationship_type
from graphkit.query.subgraph import NodeRef, Relationship, Subgraph

NAMESPACE = uuid.UUID("4b1ea0de-5d7c-4c3e-9a53-6772617068b1")  # graphkit's, for the ids it makes
# graphkit's own identity: every SDO and SRO is created by it
CREATOR_ID = f"identity--{uuid.uuid5(NAMESPACE, 'graphkit')}"
# the x_graphkit_ properties, declared as STIX 2.1 asks: a top-level property extension
EXTENSION_ID = f"extension-definition--{uuid.uuid5(NAMESPACE, 'graphkit properties')}"


def object_id(kind: str, *parts: Any) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, json.dumps([kind, *parts], default=str))}"


def _address_type(value: str) -> Any:
    return stix2.IPv6Address if ":" in value else stix2.IPv4Address


def _timestamp(value: Any) -> str | None:
    """A graphkit time or day as STIX's timestamp (UTC, Z)."""
    if value is None:
        return None
    text = str(value).replace(" ", "T")
    if len(text) == 10:  # a day
        text += "T00:00:00"
    return text if text.endswith("Z") else text.split("+")[0] + "Z"


class _Bundle:
    def __init__(self, graph: Subgraph) -> None:
        self.graph = graph
        self.now = datetime.now(UTC)
        self.ids: dict[NodeRef, str] = {}
        self.left_out: Counter[str] = Counter()
        self.objects: list[Any] = []
        self.files: dict[str, str] = {}

    def build(self) -> stix2.Bundle:
        creator = stix2.Identity(
            id=CREATOR_ID, name="graphkit", identity_class="system", created=self.now, modified=self.now
        )
        self.objects.append(creator)
        refs = self._refs()
        self.files = self._provenance()
        made_ids: set[str] = set(self.files.values())
        # Nodes STIX takes as one object (a certificate known by its SHA-1 alone, and by both
        # hashes elsewhere: STIX's id rests on one hash) are one: the one saying most is kept.
        ordered = sorted(self.graph.nodes.items(), key=lambda item: (item[0][0], -len(item[1]), str(item[0][1])))
        for ref, props in ordered:
            made = self._node(ref, props, refs.get(ref, {}))
            if made is None:
                self.left_out[ref[0]] += 1
                continue
            self.ids[ref] = made.id
            if made.id not in made_ids:
                made_ids.add(made.id)
                self.objects.append(made)
        for rel in self.graph.relationships:
            if rel.start not in self.ids or rel.end not in self.ids:
                self.left_out[rel.type] += 1
                continue
            fact = self._observed(rel) if rel.type in OBSERVED else self._relationship(rel)
            if fact.id not in made_ids:
                made_ids.add(fact.id)
                self.objects.append(fact)
        used = sorted({name for made in self.objects for name in made if name.startswith(CUSTOM)})
        extension = stix2.ExtensionDefinition(
            id=EXTENSION_ID,
            created_by_ref=CREATOR_ID,
            created=self.now,
            modified=self.now,
            name="graphkit properties",
            description="graphkit's graph properties that STIX has no field for (docs/export.md)",
            schema="plain text: each x_graphkit_<name> property holds the graphkit graph property <name> as it is "
            "stored (docs/export.md, STIX 2.1 section, in graphkit-investigations)",
            version="1.0",
            extension_types=["toplevel-property-extension"],
            extension_properties=used,
        )
        return stix2.Bundle(objects=[self.objects[0], extension, *self.objects[1:]], allow_custom=True)

    def _provenance(self) -> dict[str, str]:
        """Each loaded file the graph names (its Source) as a STIX `file`: its name and SHA-256,
        so every fact says which file it came from; Source id -> the file's id."""
        files = {}
        for source_id, props in sorted(self.graph.provenance.items()):
            path = str(props.get("path") or "")
            made = stix2.File(
                name=path.replace("\\", "/").rsplit("/", 1)[-1] or source_id,
                **({"hashes": {"SHA-256": props["sha256"]}} if props.get("sha256") else {}),
                **self._custom(
                    {"source_id": source_id, **{k: v for k, v in props.items() if k not in ("id", "sha256")}},
                    provenance=False,
                ),
                allow_custom=True,
            )
            files[source_id] = made.id
            self.objects.append(made)
        return files

    def _custom(
        self, props: dict[str, Any], mapped: dict[str, str] | None = None, *, provenance: bool = True
    ) -> dict[str, Any]:
        """graphkit's properties that STIX has no field for, as x_graphkit_ properties, with
        x_graphkit_source_refs (the file objects of the sources they name) and the extension
        that declares them."""
        mapped = mapped or {}
        out = {
            CUSTOM + name: value for name, value in sorted(props.items()) if name not in mapped and value is not None
        }
        named = [*(props.get("sources") or []), *([props["source"]] if props.get("source") else [])]
        refs = sorted({self.files[s] for s in named if s in self.files}) if provenance else []
        if refs:
            out[CUSTOM + "source_refs"] = refs
        return {"extensions": {EXTENSION_ID: {"extension_type": "toplevel-property-extension"}}, **out} if out else {}

    def _refs(self) -> dict[NodeRef, dict[str, list[str]]]:
        """resolves_to_refs and belongs_to_refs: the ids of SCOs other SCOs point to (made
        first, as STIX ids depend only on the object itself)."""
        refs: dict[NodeRef, dict[str, list[str]]] = {}
        announced: dict[NodeRef, NodeRef] = {}
        for rel in self.graph.relationships:
            if rel.type == "ANNOUNCED_BY":
                announced[rel.start] = rel.end
        for rel in self.graph.relationships:
            target: NodeRef | None = rel.end
            prop = "resolves_to_refs" if rel.type in RESOLVES_TO_REFS else None
            if rel.type == "IN_NETBLOCK" and rel.end in announced:
                prop, target = "belongs_to_refs", announced[rel.end]
            if prop is None or target is None:
                continue
            made = self._sco_id(target)
            if made:
                refs.setdefault(rel.start, {}).setdefault(prop, [])
                if made not in refs[rel.start][prop]:
                    refs[rel.start][prop].append(made)
        return refs

    def _sco_id(self, ref: NodeRef) -> str | None:
        made = self._node(ref, self.graph.nodes.get(ref, {}), {})
        return str(made.id) if made is not None else None

    def _node(self, ref: NodeRef, props: dict[str, Any], refs: dict[str, list[str]]) -> Any:
        label, key = ref
        fields = FIELDS.get(label)
        if fields is None:
            return None
        values = {
            stix: props.get(name, key if name == SCHEMA.by_label[label].key.name else None)
            for name, stix in fields.items()
        }
        values = {k: v for k, v in values.items() if v is not None}
        custom = {**props, "fingerprint": key} if label == "Certificate" else props
        extra = {**self._custom(custom, fields), **{k: sorted(v) for k, v in refs.items()}}
        if label == "Domain":
            if "*" in str(key):  # a certificate's wildcard: STIX wants a host name
                return None
            return stix2.DomainName(**values, **extra, allow_custom=True)
        if label in ("IPAddress", "Netblock"):
            return _address_type(str(key))(**values, **extra, allow_custom=True)
        if label == "ASN":
            return stix2.AutonomousSystem(**values, **extra, allow_custom=True)
        if label == "Email":
            return stix2.EmailAddress(**values, **extra, allow_custom=True)
        if label == "Certificate":
            hashes = {name: props[prop] for prop, name in HASHES.items() if props.get(prop)}
            if not hashes and re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", str(key)):  # a node known by its key alone
                hashes = {"SHA-256" if len(str(key)) == 64 else "SHA-1": key}
            if not hashes and not values:
                return None  # nothing STIX can tell it by
            for stamp in ("validity_not_before", "validity_not_after"):
                if stamp in values:
                    values[stamp] = _timestamp(values[stamp])
            return stix2.X509Certificate(**({"hashes": hashes} if hashes else {}), **values, **extra, allow_custom=True)
        # Organization, Registrar: an identity, its id from graphkit's key for it
        roles = {"roles": ["registrar"]} if label == "Registrar" else {}
        return stix2.Identity(
            id=object_id("identity", label, key),
            name=values.get("name") or str(key),
            identity_class="organization",
            created=self.now,
            modified=self.now,
            created_by_ref=CREATOR_ID,
            **roles,
            **self._custom({**props, "key": key}, fields),
            allow_custom=True,
        )

    def _relationship(self, rel: Relationship) -> stix2.Relationship:
        identity = [rel.props.get(name) for name in SCHEMA.by_type[rel.type].identity]
        times: dict[str, Any] = {}
        start, stop = _timestamp(rel.props.get("first_seen")), _timestamp(rel.props.get("last_seen"))
        if start:
            times["start_time"] = start
        if stop and (start is None or stop > start):  # STIX: stop_time later than start_time
            times["stop_time"] = stop
        return stix2.Relationship(
            id=object_id("relationship", rel.type, self.ids[rel.start], self.ids[rel.end], identity),
            relationship_type=relationship_type(rel.type),
            source_ref=self.ids[rel.start],
            target_ref=self.ids[rel.end],
            created=self.now,
            modified=self.now,
            created_by_ref=CREATOR_ID,
            **times,
            **self._custom(rel.props),
            allow_custom=True,
        )

    def _observed(self, rel: Relationship) -> stix2.ObservedData:
        """A day's lookups (or TLS requests) of a name by a client."""
        day = rel.props.get("day")
        first = _timestamp(rel.props.get("first_seen")) or _timestamp(day)
        last = _timestamp(rel.props.get("last_seen")) or (
            _timestamp(day)[:-9] + "23:59:59Z" if day else first  # type: ignore[index]
        )
        identity = [rel.props.get(name) for name in SCHEMA.by_type[rel.type].identity]
        return stix2.ObservedData(
            id=object_id("observed-data", rel.type, self.ids[rel.start], self.ids[rel.end], identity),
            first_observed=first or self.now,
            last_observed=last or self.now,
            number_observed=max(1, int(rel.props.get("count") or 1)),
            object_refs=[self.ids[rel.start], self.ids[rel.end]],
            created=self.now,
            modified=self.now,
            created_by_ref=CREATOR_ID,
            **self._custom({**rel.props, "relationship": rel.type}),
            allow_custom=True,
        )


def bundle(graph: Subgraph) -> tuple[stix2.Bundle, Counter[str]]:
    """The bundle, and what had no STIX form (by label or relationship type)."""
    made = _Bundle(graph)
    return made.build(), made.left_out


def write(graph: Subgraph, path: Path, title: str = "") -> list[Path]:
    made, left_out = bundle(graph)
    if left_out:
        what = ", ".join(f"{name} {count}" for name, count in sorted(left_out.items()))
        graph.notes.append(f"no STIX form, left out: {what} (Host, Fingerprint, Source, wildcard names)")
    # stix2's own pretty printing took 36 s for 921 objects; its plain text, indented by json, 0.05 s
    text = made.serialize()
    if len(made.objects) <= 10_000:
        text = json.dumps(json.loads(text), indent=1, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")
    return [path]
