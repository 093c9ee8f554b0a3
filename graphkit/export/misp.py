"""MISP events (.misp.json): one event per export, its objects built on MISP's own object
templates with PyMISP, with references between them.

- every name: `domain-ip` (the name, the addresses it resolves to, first and last seen);
- every client: `ip-port` per name it looked up (ip-src, the name, first/last seen, the count
  in the comment), referring to the name's domain-ip (`looked-up`); any other address alone
  in the graph: `ip-port` with the address;
- every AS: `asn` (number, name, operator, the prefixes it announces); a name's domain-ip
  refers to the AS announcing its addresses (`hosted-in`);
- registration: `whois` per domain with any (registrant and administrative organization,
  registrar, contact emails, dates, name servers), referring to its domain-ip (`describes`);
  a privacy relay's email is left out of the attributes, said in the comment: MISP correlates
  equal attributes across events, and a relay would tie strangers together;
- DNS records with their times: `passive-dns` (rrname, rrtype, rdata, first and last seen,
  count), referring to the name's domain-ip;
- certificates: `x509` (fingerprints, subject, issuer, serial, validity, names), referring to
  the domain-ip of each name it covers (`identifies`).
First and last seen are set on the attributes (MISP's first_seen/last_seen) as well. Ids
repeat: the event's and objects' UUIDs are UUIDv5 of what they describe.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pymisp import MISPEvent, MISPObject

from graphkit.query.subgraph import NodeRef, Relationship, Subgraph

NAMESPACE = uuid.UUID("4b1ea0de-5d7c-4c3e-9a53-6772617068b2")  # graphkit's, for MISP uuids
DATES = (("created", "creation-date"), ("expires", "expiration-date"), ("updated", "modification-date"))
RECORD_TYPES = {"ALIAS_OF": "CNAME", "USES_NAMESERVER": "NS", "USES_MAIL_SERVER": "MX", "POINTER_TO": "PTR"}


def _uuid(*parts: Any) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join(str(p) for p in parts)))


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    text = str(value).replace(" ", "T").replace("Z", "+00:00")
    if len(text) == 10:
        text += "T00:00:00+00:00"
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def _span(rels: Iterable[Relationship]) -> tuple[datetime | None, datetime | None]:
    firsts = [t for r in rels if (t := _time(r.props.get("first_seen") or r.props.get("day")))]
    lasts = [t for r in rels if (t := _time(r.props.get("last_seen") or r.props.get("day")))]
    return (min(firsts) if firsts else None, max(lasts) if lasts else None)


class _Event:
    def __init__(self, graph: Subgraph, title: str) -> None:
        self.graph = graph
        self.event = MISPEvent()
        self.event.info = f"graphkit: {title}" if title else f"graphkit export ({graph.summary()})"
        self.event.uuid = _uuid("event", *sorted(f"{label}:{key}" for label, key in graph.nodes))
        self.event.distribution = 0  # this organisation only, until someone decides otherwise
        self.event.analysis = 2  # completed: an export of facts already gathered
        self.event.threat_level_id = 4  # undefined: graphkit states facts, not threats
        self.by_type: dict[str, list[Relationship]] = defaultdict(list)
        for rel in graph.relationships:
            self.by_type[rel.type].append(rel)
        self.names: dict[NodeRef, MISPObject] = {}

    def _object(self, template: str, *key: Any, comment: str = "") -> MISPObject:
        made = MISPObject(template, strict=True)
        made.uuid = _uuid(template, *key)
        if comment:
            made.comment = comment
        self.event.add_object(made)
        return made

    @staticmethod
    def _add(made: MISPObject, relation: str, value: Any, rels: Iterable[Relationship] = ()) -> None:
        """An attribute; a second value where the template allows one (a domain registered by
        two organizations over time) goes to the comment."""
        template = made._definition or {}
        if relation in made._fast_attribute_access and not template["attributes"][relation].get("multiple"):
            made.comment = "; ".join(filter(None, [getattr(made, "comment", ""), f"also {relation}: {value}"]))
            return
        first, last = _span(rels)
        extra: dict[str, Any] = {k: v for k, v in (("first_seen", first), ("last_seen", last)) if v is not None}
        made.add_attribute(relation, value=str(value), **extra)

    def build(self) -> MISPEvent:
        self._domains()
        self._asns()
        self._lookups()
        self._registration()
        self._records()
        self._certificates()
        return self.event

    def _domains(self) -> None:
        resolves: dict[NodeRef, list[Relationship]] = defaultdict(list)
        for rel in self.by_type["RESOLVES_TO"]:
            resolves[rel.start].append(rel)
        for ref in sorted(r for r in self.graph.nodes if r[0] == "Domain"):
            if "*" in str(ref[1]):
                continue  # a certificate's wildcard: no name MISP can take (the x509 object keeps it)
            made = self._object("domain-ip", ref[1])
            self._add(made, "domain", ref[1])
            for rel in resolves[ref]:
                self._add(made, "ip", rel.end[1], [rel])
            first, last = _span(resolves[ref])
            if first and last:
                made.add_attribute("first-seen", value=first)
                made.add_attribute("last-seen", value=last)
            self.names[ref] = made
        resolved = {rel.end for rels in resolves.values() for rel in rels}
        clients = {rel.start for rel in self.by_type["LOOKED_UP"]}
        for ref in sorted(r for r in self.graph.nodes if r[0] == "IPAddress" and r not in resolved | clients):
            self._add(self._object("ip-port", ref[1]), "ip", ref[1])

    def _asns(self) -> None:
        announced: dict[NodeRef, list[NodeRef]] = defaultdict(list)
        for rel in self.by_type["ANNOUNCED_BY"]:
            announced[rel.end].append(rel.start)
        operators = {rel.start: rel.end for rel in self.by_type["OPERATED_BY"]}
        netblock_as = {block: asn for asn, blocks in announced.items() for block in blocks}
        address_as = {rel.start: netblock_as[rel.end] for rel in self.by_type["IN_NETBLOCK"] if rel.end in netblock_as}
        objects: dict[NodeRef, MISPObject] = {}
        for ref in sorted(r for r in self.graph.nodes if r[0] == "ASN"):
            made = objects[ref] = self._object("asn", ref[1])
            self._add(made, "asn", ref[1])
            props = self.graph.nodes[ref]
            if props.get("name"):
                self._add(made, "description", props["name"])
            if ref in operators:
                self._add(made, "organization", self._name(operators[ref]))
            for block in sorted(announced[ref], key=str):
                self._add(made, "subnet-announced", block[1])
        for rel in self.by_type["RESOLVES_TO"]:
            asn = address_as.get(rel.end)
            if asn in objects and rel.start in self.names:
                self._refer(self.names[rel.start], objects[asn], "hosted-in")

    def _name(self, ref: NodeRef) -> Any:
        """An organization's or registrar's name (its key where it has none)."""
        return self.graph.nodes.get(ref, {}).get("name") or ref[1]

    @staticmethod
    def _refer(source: MISPObject, target: MISPObject, relationship: str) -> None:
        if not any(r.referenced_uuid == target.uuid and r.relationship_type == relationship for r in source.references):
            source.add_reference(target.uuid, relationship)

    def _lookups(self) -> None:
        pairs: dict[tuple[NodeRef, NodeRef], list[Relationship]] = defaultdict(list)
        for rel in self.by_type["LOOKED_UP"]:
            pairs[(rel.start, rel.end)].append(rel)
        for (client, name), rels in sorted(pairs.items(), key=lambda item: str(item[0])):
            count = sum(int(r.props.get("count") or 0) for r in rels)
            days = len({r.props.get("day") for r in rels})
            comment = f"{client[1]} looked {name[1]} up {count} times on {days} days (DNS lookups, not connections)"
            made = self._object("ip-port", client[1], name[1], comment=comment)
            self._add(made, "ip-src", client[1], rels)
            self._add(made, "domain", name[1], rels)
            if name in self.names:
                self._refer(made, self.names[name], "looked-up")

    def _registration(self) -> None:
        facts: dict[NodeRef, list[Relationship]] = defaultdict(list)
        for rel_type in ("REGISTERED_BY", "ADMINISTERED_BY", "REGISTERED_WITH", "HAS_CONTACT_EMAIL", "USES_NAMESERVER"):
            for rel in self.by_type[rel_type]:
                facts[rel.start].append(rel)
        for ref in sorted(r for r in self.graph.nodes if r[0] == "Domain"):
            props = self.graph.nodes[ref]
            rels = [r for r in facts[ref] if r.type != "USES_NAMESERVER"]
            if not rels and not props.get("created"):
                continue  # no registration data: the name servers alone are DNS, in passive-dns
            relays = []
            made = self._object("whois", ref[1])
            self._add(made, "domain", ref[1])
            for rel in facts[ref]:
                name = self._name(rel.end)
                if rel.type == "REGISTERED_BY":
                    self._add(made, "registrant-org", name, [rel])
                elif rel.type == "REGISTERED_WITH":
                    self._add(made, "registrar", name, [rel])
                elif rel.type == "USES_NAMESERVER":
                    self._add(made, "nameserver", rel.end[1], [rel])
                elif rel.type == "HAS_CONTACT_EMAIL" and rel.props.get("role") == "registrant":
                    if self.graph.nodes.get(rel.end, {}).get("is_proxy"):
                        relays.append(str(rel.end[1]))
                    else:
                        self._add(made, "registrant-email", rel.end[1], [rel])
            for prop, relation in DATES:
                if _time(props.get(prop)):
                    made.add_attribute(relation, value=_time(props[prop]))
            admins = [self._name(r.end) for r in facts[ref] if r.type == "ADMINISTERED_BY"]
            notes = [f"administrative contact: {', '.join(map(str, admins))}"] if admins else []
            if relays:
                notes.append(f"registrant email {', '.join(relays)} is a privacy relay, left out: it ties nobody")
            made.comment = "; ".join(filter(None, [getattr(made, "comment", ""), *notes]))
            if ref in self.names:
                self._refer(made, self.names[ref], "describes")

    def _records(self) -> None:
        for rel_type in ("RESOLVES_TO", *RECORD_TYPES):
            for rel in self.by_type[rel_type]:
                rrtype = RECORD_TYPES.get(rel_type) or ("AAAA" if ":" in str(rel.end[1]) else "A")
                made = self._object("passive-dns", rel_type, rel.start[1], rel.end[1])
                self._add(made, "rrname", rel.start[1])
                self._add(made, "rrtype", rrtype)
                self._add(made, "rdata", rel.end[1])
                for prop, relation in (("first_seen", "time_first"), ("last_seen", "time_last")):
                    if _time(rel.props.get(prop)):
                        made.add_attribute(relation, value=_time(rel.props[prop]))
                if rel.props.get("count"):
                    self._add(made, "count", rel.props["count"])
                named = rel.start if rel.start[0] == "Domain" else rel.end
                if named in self.names:
                    self._refer(made, self.names[named], "describes")

    def _certificates(self) -> None:
        names: dict[NodeRef, list[NodeRef]] = defaultdict(list)
        for rel in self.by_type["NAMES"]:
            names[rel.start].append(rel.end)
        fields = {
            "sha256": "x509-fingerprint-sha256",
            "sha1": "x509-fingerprint-sha1",
            "subject": "subject",
            "issuer": "issuer",
            "serial": "serial-number",
            "sig_alg": "signature_algorithm",
            "key_alg": "pubkey-info-algorithm",
        }
        for ref in sorted((r for r in self.graph.nodes if r[0] == "Certificate"), key=str):
            props = self.graph.nodes[ref]
            if not any(props.get(p) for p in ("sha256", "sha1", "serial", "issuer")):
                continue  # nothing the x509 template can tell it by
            made = self._object("x509", ref[1])
            for prop, relation in fields.items():
                if props.get(prop):
                    self._add(made, relation, props[prop])
            for prop, relation in (("not_before", "validity-not-before"), ("not_after", "validity-not-after")):
                if _time(props.get(prop)):
                    made.add_attribute(relation, value=_time(props[prop]))
            if props.get("self_signed") is not None:
                made.add_attribute("self_signed", value=bool(props["self_signed"]))
            for name in sorted(names[ref], key=str):
                if "*" in str(name[1]):
                    made.comment = (getattr(made, "comment", "") + f" covers {name[1]}").strip()
                    continue
                self._add(made, "dns_names", name[1])
                if name in self.names:
                    self._refer(made, self.names[name], "identifies")


def event(graph: Subgraph, title: str = "") -> MISPEvent:
    return _Event(graph, title).build()


def write(graph: Subgraph, path: Path, title: str = "") -> list[Path]:
    path.write_text(event(graph, title).to_json(indent=1) + "\n", encoding="utf-8")
    return [path]
