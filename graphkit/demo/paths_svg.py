"""The paths between the organisations as a small static SVG for the findings report (it prints).

Every shortest path found is drawn into one picture, each node once and each relationship
once (as the export's merged pictures draw them): nodes in columns by how many hops they are
from where their path starts, in the order they first appear; coloured by label as everywhere.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from graphkit.demo.run import GraphPath
from graphkit.model.style import colour

COLUMN, ROW, MARGIN, SIDE, RADIUS = 190, 54, 30, 95, 9  # SIDE: room for the outer columns' captions
CAPTION = 28  # characters of a caption shown (the whole key is in the node's title)


def paths_svg(paths: Iterable[GraphPath]) -> str:
    """An <svg> element, or '' when there is no path."""
    columns: dict[tuple[str, str], int] = {}  # (label, key) -> column
    labels: dict[tuple[str, str], str] = {}
    edges: dict[tuple[tuple[str, str], str, tuple[str, str]], None] = {}  # ordered set
    for path in paths:
        nodes = list(zip(path.labels, path.keys, strict=True))
        for hop, node in enumerate(nodes):
            columns[node] = min(columns.get(node, hop), hop)
            labels[node] = node[0]
        for i, step in enumerate(path.steps):
            rel = step.strip("<>-[]")
            start, end = (nodes[i + 1], nodes[i]) if step.startswith("<") else (nodes[i], nodes[i + 1])
            edges[(start, rel, end)] = None
    if not columns:
        return ""
    rows: dict[int, int] = {}
    at: dict[tuple[str, str], tuple[int, int]] = {}
    for node, column in columns.items():
        row = rows.get(column, 0)
        rows[column] = row + 1
        at[node] = (SIDE + column * COLUMN, MARGIN + row * ROW)
    width = SIDE * 2 + max(columns.values()) * COLUMN
    height = MARGIN * 2 + (max(rows.values()) - 1) * ROW + 20
    parts = [
        f'<svg id="paths-picture" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="The shortest paths between the organizations">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#8a939c"/></marker></defs>',
    ]
    for start, rel, end in edges:
        (x1, y1), (x2, y2) = at[start], at[end]
        dx, dy = x2 - x1, y2 - y1
        length = max((dx * dx + dy * dy) ** 0.5, 1)
        ex, ey = x2 - dx / length * (RADIUS + 2), y2 - dy / length * (RADIUS + 2)
        parts.append(
            f'<line class="edge" x1="{x1}" y1="{y1}" x2="{ex:.1f}" y2="{ey:.1f}" stroke="#8a939c" '
            f'stroke-width="1.5" marker-end="url(#arrow)"><title>{html.escape(rel)}</title></line>'
        )
        along = 0.5 if y1 == y2 else 0.3  # a slanted edge's type nearer its start, off the crossings
        parts.append(
            f'<text x="{x1 + dx * along:.1f}" y="{y1 + dy * along - 4:.1f}" font-size="9" fill="#666" '
            f'text-anchor="middle">{html.escape(rel)}</text>'
        )
    for node, (x, y) in at.items():
        label, key = node
        fill = colour(label)
        caption = key if len(key) <= CAPTION else key[: CAPTION - 1] + "\u2026"
        parts.append(
            f'<g class="node"><title>{html.escape(label)}: {html.escape(key)}</title>'
            f'<circle cx="{x}" cy="{y}" r="{RADIUS}" fill="{fill}" stroke="#fff"/>'
            f'<text x="{x}" y="{y + RADIUS + 11}" font-size="10" text-anchor="middle" '
            f'fill="#222">{html.escape(caption)}</text></g>'
        )
    parts.append("</svg>")
    return "\n".join(parts)
