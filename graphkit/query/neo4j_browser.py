"""Neo4j Browser, ready for graphkit's graph: a GraSS stylesheet (a colour and a caption per
label, from the schema and graphkit.model.style), and a Browser guide with every canned query,
served on localhost so that `:play http://localhost:PORT/graphkit.html` brings them all
in without retyping. Browser fetches remote guides and styles only from hosts on its
allowlist (browser.remote_content_hostname_allowlist), which by default has `localhost`
(the name, not 127.0.0.1); the server answers with CORS allowed, as Browser needs.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from graphkit.backends.store import redacted_uri
from graphkit.model.schema import SCHEMA, PropType
from graphkit.model.style import caption_property, colour, text_colour
from graphkit.query.catalogue import Query, browser_params, cypher_literal
from graphkit.query.merging import cypher_merged_props, cypher_rollup_props
from graphkit.query.subgraph import EDGE_ROW, PATH_ROW

GUIDE_PATH = "/graphkit.html"
STYLE_PATH = "/graphkit.grass"
DEFAULT_PORT = 7480
# The guide's pictures need APOC core (virtual nodes and relationships: see _VIRTUAL_EDGES).
APOC_CHECK = "SHOW FUNCTIONS YIELD name WHERE name = 'apoc.create.vRelationship' RETURN count(*) > 0"


def _darker(hex_colour: str, factor: float = 0.8) -> str:
    return "#" + "".join(f"{int(int(hex_colour[i : i + 2], 16) * factor):02X}" for i in (1, 3, 5))


def grass() -> str:
    """The stylesheet, in the form Browser's own `:style` exports (drag it onto Browser, or `:style URL`)."""
    lines = [
        "node {",
        "  diameter: 50px;",
        "  color: #A5ABB6;",
        "  border-color: #9AA1AC;",
        "  border-width: 2px;",
        "  text-color-internal: #FFFFFF;",
        "  font-size: 10px;",
        "}",
        "relationship {",
        "  color: #A5ABB6;",
        "  shaft-width: 1px;",
        "  font-size: 8px;",
        "  padding: 3px;",
        "  text-color-external: #000000;",
        "  text-color-internal: #FFFFFF;",
        '  caption: "<type>";',
        "}",
    ]
    for node in SCHEMA.nodes:
        fill = colour(node.label)
        lines += [
            f"node.{node.label} {{",
            f"  color: {fill};",
            f"  border-color: {_darker(fill)};",
            f"  text-color-internal: {text_colour(fill)};",
            f'  caption: "{{{caption_property(node.label)}}}";',
            "}",
        ]
    return "\n".join(lines) + "\n"


def query_body(query: Query) -> str:
    """The query without its header comment: the slide already says what the header says."""
    lines = query.cypher.splitlines()
    start = 0
    while start < len(lines) and (not lines[start].strip() or lines[start].lstrip().startswith("//")):
        start += 1
    return "\n".join(lines[start:]).strip()


def params_command(query: Query, given: Mapping[str, Any] | None = None) -> str:
    """One `:param` line setting every parameter: given values, else defaults (a required one
    without a value is null: edit it before running the query). The values come back from a
    RETURN, so integers stay integers (`:params {...}` would make them floats)."""
    browser_params(query, given)  # checks the names given
    values = {p.name: p.coerce(given[p.name]) if given and p.name in given else p.default for p in query.params}
    names = ", ".join(values)
    columns = ", ".join(f"{cypher_literal(v)} AS `{k}`" for k, v in values.items())
    return f":param [{{{names}}}] => {{ RETURN {columns} }}"


def _find(label_var: str, key_var: str, out: str) -> str:
    """A subquery finding the node a (label, key) pair of columns names; labels only from the schema."""
    branches = []
    for node in SCHEMA.nodes:
        key = (
            f"toInteger(replace(toUpper(toString({key_var})), 'AS', ''))" if node.key.type is PropType.INT else key_var
        )
        branches.append(
            f"MATCH ({out}:{node.label}) WHERE {label_var} = '{node.label}' "
            f"AND {out}.{node.key.name} = {key} RETURN {out}"
        )
    return f"CALL ({label_var}, {key_var}) {{\n  " + "\n  UNION ".join(branches) + "\n}"


def graph_view(query: Query) -> str | None:
    """For a query whose rows name relationships (the edge rows of `neighborhood`, the paths
    of `path-between`), Cypher that runs it and returns those relationships with their
    nodes, drawn as pictures draw them (lookups from their rollups, other parallel ones merged),
    so Browser draws a picture that can be read (with APOC core: see _VIRTUAL_EDGES); None for
    other queries."""
    columns = {c.name for c in query.columns}
    body = "CALL () {\n" + query_body(query) + "\n}\n"
    if columns.issuperset(EDGE_ROW):
        ends = "WITH from_label, `from` AS from_key, type AS rel_type, to_label, `to` AS to_key\n"
    elif columns.issuperset(PATH_ROW):
        ends = (
            "UNWIND range(0, size(keys) - 2) AS i\n"
            "WITH steps[i] STARTS WITH '<' AS back, labels[i] AS l1, keys[i] AS k1,\n"
            "     labels[i + 1] AS l2, keys[i + 1] AS k2,\n"
            "     replace(replace(replace(replace(steps[i], '<', ''), '>', ''), '-[', ''), ']-', '') AS rel_type\n"
            "WITH CASE WHEN back THEN l2 ELSE l1 END AS from_label, CASE WHEN back THEN k2 ELSE k1 END AS from_key,\n"
            "     rel_type,\n"
            "     CASE WHEN back THEN l1 ELSE l2 END AS to_label, CASE WHEN back THEN k1 ELSE k2 END AS to_key\n"
        )
    else:
        return None
    tail = f"{_find('from_label', 'from_key', 'a')}\n{_find('to_label', 'to_key', 'b')}\n"
    return body + ends + tail + _VIRTUAL_EDGES


# One virtual relationship per type and pair of nodes, drawn as export pictures draw them (lookups
# from their rollup, other parallel relationships merged), between virtual copies of the nodes
# (without derived properties, as exports): Browser's "connect result nodes" adds every stored
# relationship among the real nodes it draws, which would bring the parallel ones back.
_DERIVED = cypher_literal(sorted({name.split(".", 1)[1] for name in SCHEMA.derived if "." in name}))
_ROLLUP_TYPES = "{" + ", ".join(f"{daily}: '{rollup.type}'" for daily, rollup in SCHEMA.rollups.items()) + "}"
_VIRTUAL_EDGES = f"""WITH DISTINCT a, b, rel_type, coalesce({_ROLLUP_TYPES}[rel_type], rel_type) AS read_type
MATCH (a)-[r]->(b) WHERE type(r) = read_type
WITH a, b, rel_type, read_type, collect(r) AS rels
{cypher_merged_props("rels", "folded")}
WITH a, b, rel_type, CASE WHEN read_type = rel_type THEN folded ELSE {cypher_rollup_props("head(rels)")} END AS props
WITH collect({{a: a, t: rel_type, b: b, p: props}}) AS edges
CALL (edges) {{
  UNWIND edges AS e
  UNWIND [e.a, e.b] AS n
  WITH DISTINCT n, apoc.map.removeKeys(properties(n), {_DERIVED}) AS props
  RETURN apoc.map.fromPairs(collect([elementId(n), apoc.create.vNode(labels(n), props)])) AS v
}}
UNWIND edges AS e
WITH v[elementId(e.a)] AS a, e, v[elementId(e.b)] AS b
RETURN a, apoc.create.vRelationship(a, e.t, e.p, b) AS r, b"""


def _slide(body: str) -> str:
    return f'<slide class="row-fluid">\n<div class="col-sm-12">\n{body}\n</div>\n</slide>'


def guide(
    queries: Mapping[str, Query], style_url: str | None = None, examples: Mapping[str, Mapping[str, Any]] | None = None
) -> str:
    """A Browser guide (the HTML `:play URL` shows): a slide per canned query, with runnable
    blocks for its parameters and for the query (click to edit, or the play icon to run)."""
    esc = html.escape
    intro = [
        "<h3>graphkit: the canned queries</h3>",
        "<p>One slide per query. On each, run the <code>:param</code> block first (edit the values),"
        " then the query.</p>",
    ]
    if style_url:
        intro += ["<p>graphkit's colours and captions:</p>", f'<pre class="runnable">:style {esc(style_url)}</pre>']
    intro.append("<ul>" + "".join(f"<li><b>{esc(q.name)}</b>: {esc(q.title)}</li>" for q in queries.values()) + "</ul>")
    slides = [_slide("\n".join(intro))]
    for query in queries.values():
        params = "".join(f"<li><code>{esc(p.describe())}</code> {esc(p.doc)}</li>" for p in query.params)
        columns = "".join(f"<li><code>{esc(c.name)}</code> {esc(c.doc)}</li>" for c in query.columns)
        body = [
            f'<h3 data-query="{esc(query.name)}">{esc(query.title)} <small>({esc(query.name)})</small></h3>',
            f"<p>{esc(query.description)}</p>",
            f"<p><i>Why:</i> {esc(query.why)}</p>" if query.why else "",
            f"<p>Parameters:</p><ul>{params}</ul>" if params else "",
            f'<pre class="runnable params">{esc(params_command(query, (examples or {}).get(query.name)))}</pre>'
            if query.params
            else "",
            f'<pre class="runnable query" data-query="{esc(query.name)}">{esc(query_body(query))}</pre>',
            "<p>The same, drawn as a graph (a client's lookups of a name as one relationship, their rollup, and"
            " other parallel relationships merged into one, as in exported pictures; needs APOC core):</p>"
            f'<pre class="runnable graph" data-query="{esc(query.name)}">{esc(view)}</pre>'
            if (view := graph_view(query))
            else "",
            f"<p>Columns:</p><ul>{columns}</ul>" if columns else "",
        ]
        slides.append(_slide("\n".join(part for part in body if part)))
    carousel = "\n".join(slides)
    return f'<article class="guide">\n<carousel class="deck container-fluid">\n{carousel}\n</carousel>\n</article>\n'


class GuideServer:
    """The guide and the stylesheet on http://127.0.0.1:PORT (0: any free port), in a thread.
    The port is bound first, so the pages can name their own address (`publish`)."""

    def __init__(self, port: int = DEFAULT_PORT, host: str = "127.0.0.1") -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # only `graphkit browser` serves

        self.pages: dict[str, tuple[str, str]] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                page = pages.get(self.path.split("?", 1)[0])
                body = (page[0] if page else "not found\n").encode("utf-8")
                self.send_response(200 if page else 404)
                self.send_header("Content-Type", f"{page[1] if page else 'text/plain'}; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Access-Control-Allow-Origin", "*")  # Browser fetches from its own origin
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                self.wfile.write(body)

            def do_OPTIONS(self) -> None:  # noqa: N802 (a CORS preflight for Browser's no-cache headers)
                self.send_response(204)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Access-Control-Allow-Headers", "*")
                self.send_header("Access-Control-Allow-Methods", "GET, OPTIONS")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # quiet: the terminal is for instructions
                pass

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.port = int(self.httpd.server_address[1])
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def publish(self, guide_html: str, grass_text: str) -> GuideServer:
        self.pages[GUIDE_PATH] = (guide_html, "text/html")
        self.pages[STYLE_PATH] = (grass_text, "text/plain")
        return self

    def url(self, path: str) -> str:
        return f"http://localhost:{self.port}{path}"

    def start(self) -> GuideServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def browser_address(bolt_uri: str, http_port: int = 7474, user: str = "neo4j") -> str:
    """Browser's address for a Neo4j at `bolt_uri`, with the connection form filled in."""
    scheme, _, rest = redacted_uri(bolt_uri).partition("://")
    host_port = rest.split("/", 1)[0].split("?", 1)[0]
    host = host_port.rsplit(":", 1)[0] if ":" in host_port else host_port
    dbms = f"{scheme}://{user}@{host_port}"
    return f"http://{host}:{http_port}/browser/?dbms={quote(dbms, safe=':/@')}&preselectAuthMethod=NATIVE"
