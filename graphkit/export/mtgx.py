"""Maltego graphs (.mtgx): the zip Maltego opens, a GraphML graph under Graphs/ whose nodes
and links carry Maltego's own XML (namespace http://maltego.paterva.com/xml/mtgx).

Entities are Maltego's standard types, each with the property Maltego keys it by (its value):
a registered domain is maltego.Domain, a name server maltego.NSRecord, a mail server
maltego.MXRecord, any other name maltego.DNSName; addresses maltego.IPv4Address or
maltego.IPv6Address, netblocks maltego.Netblock, ASes maltego.AS, emails maltego.EmailAddress,
organizations and registrars maltego.Organization (a netblock's value is its range, first-last
address, as Maltego writes it; the CIDR comes along as graphkit.cidr). Host, Certificate, Fingerprint and Source
have no standard type: left out, and the export says how many. Every graph property comes
along as a `graphkit.<name>` property (lists as JSON text). A link's label is the relationship
type; parallel lookups are one link (the export merges them, as for every picture) with the
count. Positions come from a spring layout, so the graph opens laid out.
"""

from __future__ import annotations

import ipaddress
import json
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import networkx as nx

from graphkit.export.encoding import xml_text
from graphkit.query.subgraph import NodeRef, Subgraph

GRAPHML = "http://graphml.graphdrawing.org/xmlns"
MTG = "http://maltego.paterva.com/xml/mtgx"
GRAPH_PATH = "Graphs/Graph1.graphml"
LAYOUT_LIMIT = 2_000  # a spring layout above this many nodes takes too long: a circle then
# label -> (Maltego entity type, the property holding its value)
ENTITIES: dict[str, tuple[str, str]] = {
    "Domain": ("maltego.DNSName", "fqdn"),
    "IPAddress": ("maltego.IPv4Address", "ipv4-address"),
    "Netblock": ("maltego.Netblock", "ipv4-range"),
    "ASN": ("maltego.AS", "as.number"),
    "Email": ("maltego.EmailAddress", "email"),
    "Organization": ("maltego.Organization", "title"),
    "Registrar": ("maltego.Organization", "title"),
}
IPV6 = ("maltego.IPv6Address", "ipv6-address")
# a name's part in the graph, by the relationships that reach it (the first that applies)
NAME_ROLES = (("USES_NAMESERVER", "maltego.NSRecord"), ("USES_MAIL_SERVER", "maltego.MXRecord"))

ET.register_namespace("", GRAPHML)
ET.register_namespace("mtg", MTG)


def _q(namespace: str, tag: str) -> str:
    return f"{{{namespace}}}{tag}"


def entity_type(ref: NodeRef, props: dict[str, Any], roles: dict[NodeRef, str]) -> tuple[str, str] | None:
    label, key = ref
    if label not in ENTITIES:
        return None
    kind, prop = ENTITIES[label]
    if label in ("IPAddress", "Netblock") and ":" in str(key):
        kind, prop = IPV6 if label == "IPAddress" else ("maltego.Netblock", "ipv6-range")
    if label == "Domain":
        kind = roles.get(ref) or ("maltego.Domain" if props.get("registered_domain") == key else "maltego.DNSName")
    return kind, prop


def _value(ref: NodeRef, props: dict[str, Any]) -> str:
    if ref[0] in ("Organization", "Registrar"):
        return str(props.get("name") or ref[1])
    if ref[0] == "Netblock":  # Maltego writes a netblock as its first and last address
        network = ipaddress.ip_network(str(ref[1]), strict=False)
        return f"{network[0]}-{network[-1]}"
    return str(ref[1])


def _property(parent: ET.Element, name: str, value: Any, display: str | None = None) -> None:
    element = ET.SubElement(parent, _q(MTG, "Property"), {"name": name, "type": "string"})
    if display:
        element.set("displayName", display)
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else str(value)
    ET.SubElement(element, _q(MTG, "Value")).text = xml_text(text)


def _positions(graph: Subgraph) -> dict[NodeRef, tuple[float, float]]:
    shape = nx.Graph()
    shape.add_nodes_from(graph.nodes)
    shape.add_edges_from((r.start, r.end) for r in graph.relationships)
    scale = 60.0 * max(1, len(graph.nodes)) ** 0.5
    if len(graph.nodes) <= LAYOUT_LIMIT:
        found = nx.spring_layout(shape, seed=1, scale=scale)
    else:
        found = nx.circular_layout(shape, scale=scale)
    return {ref: (float(x), float(y)) for ref, (x, y) in found.items()}


def document(graph: Subgraph) -> tuple[ET.ElementTree, Counter[str]]:
    """The GraphML document, and what had no Maltego type (by label or relationship type)."""
    root = ET.Element(_q(GRAPHML, "graphml"))
    for key, scope, name in (
        ("d0", "node", "MaltegoEntity"),
        ("d1", "node", "EntityRenderer"),
        ("d2", "edge", "MaltegoLink"),
    ):
        attrs = {"id": key, "for": scope, "attr.name": name}
        attrs.update({"yfiles.type": "nodegraphics"} if name == "EntityRenderer" else {"attr.type": "string"})
        ET.SubElement(root, _q(GRAPHML, "key"), attrs)
    body = ET.SubElement(root, _q(GRAPHML, "graph"), {"id": "G", "edgedefault": "directed"})
    roles: dict[NodeRef, str] = {}
    for rel_type, kind in reversed(NAME_ROLES):  # the first role wins
        for rel in graph.relationships:
            if rel.type == rel_type:
                roles[rel.end] = kind
    left_out: Counter[str] = Counter()
    ids: dict[NodeRef, str] = {}
    positions = _positions(graph)
    for ref, props in sorted(graph.nodes.items(), key=lambda item: (item[0][0], str(item[0][1]))):
        found = entity_type(ref, props, roles)
        if found is None:
            left_out[ref[0]] += 1
            continue
        kind, value_prop = found
        ids[ref] = f"n{len(ids)}"
        node = ET.SubElement(body, _q(GRAPHML, "node"), {"id": ids[ref]})
        entity = ET.SubElement(ET.SubElement(node, _q(GRAPHML, "data"), {"key": "d0"}), _q(MTG, "MaltegoEntity"))
        entity.set("type", kind)
        properties = ET.SubElement(entity, _q(MTG, "Properties"))
        _property(properties, value_prop, _value(ref, props))
        for name, value in sorted(props.items()):
            _property(properties, f"graphkit.{name}", value, name)
        renderer = ET.SubElement(ET.SubElement(node, _q(GRAPHML, "data"), {"key": "d1"}), _q(MTG, "EntityRenderer"))
        x, y = positions[ref]
        ET.SubElement(renderer, _q(MTG, "Position"), {"x": f"{x:.1f}", "y": f"{y:.1f}"})
    for number, rel in enumerate(graph.relationships):
        if rel.start not in ids or rel.end not in ids:
            left_out[rel.type] += 1
            continue
        edge = ET.SubElement(
            body, _q(GRAPHML, "edge"), {"id": f"e{number}", "source": ids[rel.start], "target": ids[rel.end]}
        )
        link = ET.SubElement(ET.SubElement(edge, _q(GRAPHML, "data"), {"key": "d2"}), _q(MTG, "MaltegoLink"))
        link.set("type", "maltego.link.manual-link")
        properties = ET.SubElement(link, _q(MTG, "Properties"))
        _property(properties, "maltego.link.manual.type", rel.type, "Label")
        for name, value in sorted(rel.props.items()):
            _property(properties, f"graphkit.{name}", value, name)
    return ET.ElementTree(root), left_out


def write(graph: Subgraph, path: Path, title: str = "") -> list[Path]:
    tree, left_out = document(graph)
    if left_out:
        what = ", ".join(f"{name} {count}" for name, count in sorted(left_out.items()))
        graph.notes.append(f"no Maltego entity type, left out: {what}")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive, archive.open(GRAPH_PATH, "w") as out:
        tree.write(out, encoding="utf-8", xml_declaration=True)
    return [path]
