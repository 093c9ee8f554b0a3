"""How property values are written in each export format, declared once.

GraphML, GEXF and CSV have no list type: there a string[] property (sources, status,
aliases, redacted_roles) is written as a JSON array in text, e.g. `["pdns:case","whois:case"]`,
and the file names those properties (GraphML and GEXF: the graph attribute
`graphkit_list_properties`); a reader decodes them with a JSON parser. Node-link JSON and
the Cypher script keep lists as lists; the neo4j-admin CSVs use typed `string[]` columns.

GraphML and GEXF are XML, which carries text its own way: a CR LF or CR line break is read
back as LF, so they are written as LF, and the few characters XML 1.0 cannot hold (control
characters other than tab and line breaks, U+FFFE, U+FFFF, lone surrogates) are written as
U+FFFD. The other formats keep every character.
"""

from __future__ import annotations

import json
import re
from typing import Any

from graphkit.model.schema import SCHEMA, Prop, PropType

# Format -> schema type -> the type name the format declares (for the text-only formats, the
# Python type that networkx/csv writes, which they map to long, double, boolean, string).
FORMAT_TYPES: dict[str, dict[PropType, str]] = {
    "graphml": {
        PropType.STRING: "string",
        PropType.INT: "long",
        PropType.FLOAT: "double",
        PropType.BOOL: "boolean",
        PropType.STRING_LIST: "string",  # JSON array text
        PropType.TIME: "string",
    },
    "gexf": {
        PropType.STRING: "string",
        PropType.INT: "long",
        PropType.FLOAT: "double",
        PropType.BOOL: "boolean",
        PropType.STRING_LIST: "string",  # JSON array text
        PropType.TIME: "string",
    },
    "neo4j-admin": {
        PropType.STRING: "string",
        PropType.INT: "long",
        PropType.FLOAT: "double",
        PropType.BOOL: "boolean",
        PropType.STRING_LIST: "string[]",
        PropType.TIME: "string",
    },
}
_PYTHON = {PropType.STRING: str, PropType.TIME: str, PropType.INT: int, PropType.FLOAT: float, PropType.BOOL: bool}


def declared(owner: str) -> dict[str, Prop]:
    """The declared properties of a label (key included) or a relationship type."""
    if owner in SCHEMA.by_label:
        node = SCHEMA.by_label[owner]
        return {node.key.name: node.key, **node.props_by_name}
    return dict(SCHEMA.by_type[owner].props_by_name) if owner in SCHEMA.by_type else {}


def list_properties() -> list[str]:
    """Names of the string[] properties anywhere in the schema."""
    names = {p.name for n in SCHEMA.nodes for p in n.props if p.type is PropType.STRING_LIST}
    names |= {p.name for r in SCHEMA.rels for p in r.props if p.type is PropType.STRING_LIST}
    return sorted(names)


def typed(prop: Prop | None, value: Any) -> Any:
    """The value as its declared type (a float property holding 1 is written as 1.0)."""
    if prop is None or prop.type is PropType.STRING_LIST or isinstance(value, (list, dict)):
        return value
    return _PYTHON[prop.type](value)


def flat(value: Any) -> Any:
    """A value for a format without lists: lists (and maps) become JSON text."""
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: Any) -> Any:
    """A value as XML carries it (see above); non-strings unchanged."""
    if isinstance(value, str):
        return _NOT_XML.sub("\ufffd", value.replace("\r\n", "\n").replace("\r", "\n"))
    return value
