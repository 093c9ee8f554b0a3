"""How each label looks, wherever graphkit draws a graph: the HTML export and the Neo4j
Browser stylesheet (GraSS). One colour and one caption property per label."""

from __future__ import annotations

from graphkit.model.schema import SCHEMA

# Colours readable on white, distinct from one another; labels added to the schema later
# take the fallback until they are given one here (a test checks every label has one).
LABEL_COLOURS = {
    "Domain": "#4C8EDA",
    "IPAddress": "#F79767",
    "Netblock": "#FFC454",
    "ASN": "#DA7194",
    "Organization": "#8DCC93",
    "Email": "#C990C0",
    "Registrar": "#57C7E3",
    "Host": "#D9C8AE",
    "Certificate": "#3FAE9C",
    "Fingerprint": "#9E7B5C",
    "Source": "#A5ABB6",
}
FALLBACK_COLOUR = "#A5ABB6"

# The property shown on a node: its key, except where a display name reads better.
CAPTION_PROPERTIES = {"Organization": "name", "Registrar": "name"}


def colour(label: str) -> str:
    return LABEL_COLOURS.get(label, FALLBACK_COLOUR)


def caption_property(label: str) -> str:
    return CAPTION_PROPERTIES.get(label) or SCHEMA.by_label[label].key.name


def text_colour(background: str) -> str:
    """Black or white, whichever reads better on the background colour."""
    red, green, blue = (int(background[i : i + 2], 16) for i in (1, 3, 5))
    return "#000000" if 0.299 * red + 0.587 * green + 0.114 * blue > 150 else "#FFFFFF"
