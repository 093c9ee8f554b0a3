"""Neo4j Browser with graphkit's guide and stylesheet: the files themselves, the guide server,
and the Browser of the Maven-assembled Neo4j driven in real headless Chromium."""

from __future__ import annotations

import subprocess
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import query_fixture as fx
from helpers import ROOT, run_cli, start_cli_process
from test_html_chromium import ARTIFACTS, CHROMIUM_FLAGS, chromium

from graphkit.backends.results import node_key
from graphkit.backends.store import StoreOptions, clear_neo4j, open_store
from graphkit.export import parallel
from graphkit.model.schema import SCHEMA
from graphkit.model.style import LABEL_COLOURS, caption_property
from graphkit.query.catalogue import catalogue, get_query, run_query
from graphkit.query.neo4j_browser import GUIDE_PATH, STYLE_PATH, GuideServer, graph_view, grass, guide, params_command
from graphkit.query.subgraph import from_rows


def test_the_shipped_stylesheet_is_the_generated_one() -> None:
    assert (ROOT / "docs" / "graphkit.grass").read_text(encoding="utf-8") == grass()
    style = grass()
    for node in SCHEMA.nodes:
        assert node.label in LABEL_COLOURS, f"{node.label} has no colour in graphkit.model.style"
        block = style.split(f"node.{node.label} {{", 1)[1].split("\n}", 1)[0]
        assert f"color: {LABEL_COLOURS[node.label]};" in block
        assert f'caption: "{{{caption_property(node.label)}}}";' in block


def test_cli_writes_the_stylesheet_and_the_guide(tmp_path: Path) -> None:
    run_cli("browser", "--write-style", str(tmp_path / "s.grass"), "--write-guide", str(tmp_path / "g.html"))
    assert (tmp_path / "s.grass").read_text(encoding="utf-8") == grass()
    page = (tmp_path / "g.html").read_text(encoding="utf-8")
    assert page.count("<slide") == len(catalogue()) + 1
    proc = run_cli("browser", env={"GRAPHKIT_STORE": str(tmp_path / "x.lbdb")}, check=False)
    assert proc.returncode == 1 and "needs a Neo4j store" in proc.stderr


@pytest.mark.neo4j
def test_graphkit_browser_prints_what_to_type_and_serves_the_guide(neo4j_uri: str) -> None:
    env = {"GRAPHKIT_STORE": neo4j_uri, "NEO4J_HTTP_PORT": "7474"}
    proc = start_cli_process("browser", "--port", "0", env=env, stdout=subprocess.PIPE)  # serves until stopped
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline()]
        while lines[-1] and not lines[-1].startswith("Serving"):  # "" if it ended
            lines.append(proc.stdout.readline())
        text = "".join(lines)
        bolt = neo4j_uri.split("://", 1)[1]
        assert f"http://127.0.0.1:7474/browser/?dbms=bolt://neo4j@{bolt}&preselectAuthMethod=NATIVE" in text
        assert "APOC" not in text, "the tests' Neo4j has APOC core (docker/neo4j-local installs it)"
        play = next(line.split(":play ", 1)[1].strip() for line in lines if ":play " in line)
        assert play.startswith("http://localhost:") and play.endswith(GUIDE_PATH)
        with urllib.request.urlopen(play.replace("localhost", "127.0.0.1"), timeout=10) as response:
            page = response.read().decode("utf-8")
        assert page.count("<slide") == len(catalogue()) + 1
        assert ":style http://localhost:" in page and ":style http://localhost:" in text
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_guide_has_every_query_and_serves_with_cors() -> None:
    queries = catalogue()
    server = GuideServer(0).publish(guide(queries, "http://localhost:1/graphkit.grass"), grass()).start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}{GUIDE_PATH}", timeout=10) as response:
            assert response.headers["Access-Control-Allow-Origin"] == "*"
            page = response.read().decode("utf-8")
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}{STYLE_PATH}", timeout=10) as response:
            assert response.read().decode("utf-8") == grass()
    finally:
        server.stop()
    assert server.url(GUIDE_PATH).startswith("http://localhost:")  # Browser's default allowlist has the name
    for query in queries.values():
        assert f'data-query="{query.name}"' in page
    assert ":param [{key, hops, limit}] =&gt; { RETURN null AS `key`, 1 AS `hops`, 25 AS `limit` }" in page
    assert params_command(get_query("path-between"), {"from": "a'b"}).startswith(
        ":param [{from, to, max_hops}] => { RETURN 'a\\'b'"
    )


@pytest.mark.neo4j
def test_graph_views_draw_the_relationships_of_the_rows_merged_as_export_pictures_are(neo4j_uri: str) -> None:
    """The guide's "drawn as a graph" Cypher gives the relationships that export finds in the
    rows, a client's lookups of a name as its rollup and other parallel ones merged, each one
    virtual relationship with the properties that the export's pictures give them, between
    virtual nodes that carry the stored properties."""
    clear_neo4j(neo4j_uri)
    backend = open_store(StoreOptions(neo4j_uri))
    try:
        fx.load(backend)
        for name, params in (
            ("neighborhood", {"key": fx.MAIL1, "hops": 2}),
            ("path-between", {"from": "217.12.96.15", "to": fx.LISTRAK, "max_hops": 6}),
        ):
            query = get_query(name)
            bound = query.bind(params)
            view = graph_view(query)
            assert view is not None
            rows = backend.query(view, bound).rows
            drawn = {(r[1]["_type"], r[1]["_from"], r[1]["_to"]): r[1] for r in rows}
            assert len(drawn) == len(rows), "one relationship per type and pair of nodes"
            result = run_query(backend, query, bound)
            exported = from_rows(backend, result, bound)
            pictured = parallel.merged(from_rows(backend, result, bound, rollups=True))
            assert len(pictured.relationships) < len(exported.relationships), "the case has parallel lookups"
            assert drawn == {
                (r.type, r.start[1], r.end[1]): {"_type": r.type, "_from": r.start[1], "_to": r.end[1], **r.props}
                for r in pictured.relationships
            }
            for start, _, end in rows:
                for node in (start, end):
                    ref = (node["_label"], node_key(node["_label"], node))
                    assert {k: v for k, v in node.items() if k != "_label"} == exported.nodes[ref]
        assert graph_view(get_query("cohosted")) is None
    finally:
        backend.close()


def _http_address(uri: str) -> str:
    backend = open_store(StoreOptions(uri))
    try:
        rows = backend.query(
            "SHOW SETTINGS YIELD name, value WHERE name = 'server.http.listen_address' RETURN value"
        ).rows
    finally:
        backend.close()
    host, _, port = str(rows[0][0]).rpartition(":")
    return f"{host if host and host != '0.0.0.0' else '127.0.0.1'}:{port}"


@contextmanager
def _browser_on_slide(neo4j_uri: str, query: str, examples: dict[str, dict[str, Any]]) -> Iterator[Any]:
    """Neo4j Browser in headless Chromium, connected, with the guide played, graphkit's style
    applied and the query's slide open, its parameters set (from `examples`) and its table run."""
    import os

    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package drives Browser")
    executable = chromium()
    queries = catalogue()
    server = GuideServer(0)
    server.publish(guide(queries, server.url(STYLE_PATH), examples), grass()).start()
    bolt = neo4j_uri.split("://", 1)[1]
    address = f"http://{_http_address(neo4j_uri)}/browser/?dbms=bolt://neo4j@{bolt}&preselectAuthMethod=NATIVE"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS[1:])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(address)
            page.fill("[data-testid=password]", os.environ.get("NEO4J_PASSWORD", ""))
            page.click("[data-testid=connect]")
            page.wait_for_selector("text=You are connected", timeout=30_000)

            page.click(".monaco-editor")
            page.keyboard.type(f":play {server.url(GUIDE_PATH)}")
            page.keyboard.press("Enter")
            page.wait_for_selector("pre.runnable", timeout=30_000)
            page.click("pre.runnable i.fa-play-circle-o")  # :style http://localhost:PORT/graphkit.grass
            page.wait_for_selector("text=node.Organization", timeout=30_000)

            slide = list(queries).index(query) + 2  # slide 1 is the contents
            page.click(f'li[aria-label="{slide}"]')
            page.wait_for_selector(f'pre.query[data-query="{query}"]', timeout=10_000)
            page.click("pre.params i.fa-play-circle-o")
            page.wait_for_selector("text=Successfully set your parameters", timeout=30_000)
            page.click("pre.query i.fa-play-circle-o")  # the canned query: a table
            yield page
        finally:
            browser.close()
            server.stop()


def _draw(page: Any) -> None:
    """Run the slide's "drawn as a graph" block and let Browser finish drawing."""
    page.click("pre.graph i.fa-play-circle-o")
    page.wait_for_selector("svg g.node", timeout=30_000)
    page.wait_for_timeout(1500)  # Browser adds the relationships among the drawn nodes


@pytest.mark.neo4j
@pytest.mark.slow
def test_neo4j_browser_plays_the_guide_and_draws_a_canned_query(neo4j_uri: str) -> None:
    """Connect, :play the guide, :style, set a query's parameters and run it from its slide,
    then the same drawn as a graph: the nodes Browser draws are the ASN's ego network."""
    clear_neo4j(neo4j_uri)
    backend = open_store(StoreOptions(neo4j_uri))
    try:
        fx.load(backend)
    finally:
        backend.close()
    prefixes = [c for c, asn in fx.ANNOUNCEMENTS.items() if asn == 15632]
    operator = fx.ASN_OPERATORS[15632][1]
    expected_nodes = 1 + len(prefixes) + 1  # the ASN, its prefixes, its operator
    with _browser_on_slide(neo4j_uri, "neighborhood", {"neighborhood": {"key": "AS15632"}}) as page:
        page.wait_for_selector("text=OPERATED_BY", timeout=30_000)
        _draw(page)
        assert page.locator("svg g.node").count() == expected_nodes
        captions = page.evaluate("[...document.querySelectorAll('svg g.node')].map(n => n.textContent || '')")
        assert any(operator[:4].lower() in c.lower() for c in captions), captions  # the GraSS caption: {name}
        fills = page.evaluate(
            "[...document.querySelectorAll('svg g.node circle.b-outline')].map(c => c.getAttribute('fill'))"
        )
        assert LABEL_COLOURS["ASN"].lower() in [str(f).lower() for f in fills]
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "neo4j-browser-neighborhood.png"))


@pytest.mark.neo4j
@pytest.mark.slow
def test_neo4j_browser_draws_the_demo_around_mail1_merged(neo4j_uri: str) -> None:
    """The demo's two-hop neighbourhood of mail1 holds hundreds of stored relationships (a
    lookup per client, name, type and day); Browser draws one per type and pair of nodes, and
    adds none back ("connect result nodes" finds no stored relationship among virtual nodes)."""
    clear_neo4j(neo4j_uri)
    run_cli("demo", "--store", neo4j_uri)
    params = {"key": fx.MAIL1, "hops": 2}
    backend = open_store(StoreOptions(neo4j_uri))
    try:
        query = get_query("neighborhood")
        rows = run_query(backend, query, query.bind(params))
    finally:
        backend.close()
    stored = sum(row[rows.columns.index("edges")] for row in rows.rows)
    assert stored > 200, stored
    with _browser_on_slide(neo4j_uri, "neighborhood", {"neighborhood": params}) as page:
        page.wait_for_selector("text=LOOKED_UP", timeout=30_000)
        _draw(page)
        drawn = page.locator("svg g.relationship").count()
        assert 0 < drawn < 50, drawn
        assert drawn == len(rows.rows), "one drawn relationship per row of the table"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "neo4j-browser-demo-around-mail1.png"))
