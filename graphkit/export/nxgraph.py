"""A Subgraph as a networkx MultiDiGraph, the form GraphML, GEXF and node-link JSON are written from.

Node ids are 'Label:key'. Each node carries `_label` (its Neo4j label) and `label` (the
caption: what Gephi, yEd and Cytoscape show), then its properties; each edge carries
`_type` and `label` (the type, as caption), then its properties; in GraphML and GEXF a node
with a `community` (graphkit analyze) also carries it as `modularity_class`, as Gephi names it. Property names a format
reserves for itself are written with a trailing underscore (the format's RESERVED set).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import networkx as nx

from graphkit.export.encoding import declared, flat, list_properties, typed, xml_text
from graphkit.model.style import caption_property
from graphkit.query.subgraph import Subgraph, iter_nodes, node_id


def _attributes(owner: str, props: dict[str, Any], reserved: Collection[str], xml: bool) -> dict[str, Any]:
    types = declared(owner)
    out = {}
    for name, value in sorted(props.items()):
        value = typed(types.get(name), value)
        out[name + "_" if name in reserved else name] = xml_text(flat(value)) if xml else value
    return out


def _modularity_classes(graph: Subgraph) -> dict[tuple[Any, int], int]:
    """Each community its `modularity_class`, the column Gephi's own modularity statistic fills
    (Gephi then colours by it as by its own): the community's number, offset past the numbers
    of other runs' communities when the graph holds more than one run's (clients and domains
    analysed apart each have a community 0)."""
    found: dict[Any, set[int]] = {}
    for _, props in iter_nodes(graph):
        if props.get("community") is not None:
            found.setdefault(props.get("community_source"), set()).add(int(props["community"]))
    classes, offset = {}, 0
    for run in sorted(found, key=str):
        for community in found[run]:
            classes[(run, community)] = offset + community
        offset += max(found[run]) + 1
    return classes


def to_networkx(
    graph: Subgraph, *, title: str = "", reserved: Collection[str] = (), xml: bool = True
) -> nx.MultiDiGraph:
    """`xml`: for GraphML and GEXF, lists as JSON text and text as XML carries it (encoding)."""
    out = nx.MultiDiGraph()
    if title:
        out.graph["title"] = xml_text(title) if xml else title
    if xml:
        out.graph["graphkit_list_properties"] = ",".join(list_properties())
    classes = _modularity_classes(graph) if xml else {}
    for ref, props in iter_nodes(graph):
        label = ref[0]
        caption = props.get(caption_property(label), ref[1])
        attrs = {"_label": label, "label": xml_text(str(caption)) if xml else str(caption)}
        if xml and props.get("community") is not None:
            attrs["modularity_class"] = classes[(props.get("community_source"), int(props["community"]))]
        out.add_node(node_id(ref), **attrs, **_attributes(label, props, reserved, xml))
    for number, rel in enumerate(graph.relationships):
        attrs = {"_type": rel.type, "label": rel.type, **_attributes(rel.type, rel.props, reserved, xml)}
        # keys e0, e1, ...: GraphML edge ids must be unique, and parallel edges stay apart
        out.add_edge(node_id(rel.start), node_id(rel.end), key=f"e{number}", **attrs)
    return out
