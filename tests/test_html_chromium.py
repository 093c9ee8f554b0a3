"""The HTML export in real headless Chromium: offline, every node drawn, properties on
hover and click, drag and zoom. Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import query_fixture as fx
from helpers import ROOT, Store

from graphkit import export
from graphkit.model.schema import SCHEMA
from graphkit.query import subgraph
from graphkit.query.stats import graph_stats
from graphkit.query.subgraph import Subgraph

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but chromium is not installed (tests/run.sh installs it)")
    pytest.skip("chromium is not installed (apt-get install chromium)")


@contextmanager
def drawn(path: Path, requests: list[str] | None = None) -> Iterator[Any]:
    """The page in headless Chromium (driven by playwright) once its first layout is drawn;
    `requests` gathers the URLs it asks for."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package drives the page")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_FLAGS[1:])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            if requests is not None:
                page.on("request", lambda r: requests.append(r.url))
            page.goto(path.as_uri())
            page.wait_for_selector("body[data-layout=done]", timeout=60_000)
            yield page
        finally:
            browser.close()


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Subgraph, dict[str, int], Path]]:
    """The fixture graph, whole, as a page; and the store's own counts to check it against."""
    folder = tmp_path_factory.mktemp("html")
    store = Store("embedded", str(folder / "g.lbdb"))
    backend = store.open()
    try:
        fx.load(backend)
        stats = graph_stats(backend)
        graph = subgraph.whole_graph(backend)
    finally:
        backend.close()
    path = folder / "case.html"
    export.write(graph, path, "html", "the 2016 case <i>whole</i>")
    # an export draws no derived relationship (the lookup rollups repeat the daily ones)
    drawn_types = [r.type for r in SCHEMA.rels if not r.derived_from]
    counts = {
        "nodes": sum(stats["nodes"].values()),
        "relationships": sum(stats["relationships"][t] for t in drawn_types),
    }
    yield graph, counts, path


def test_the_page_needs_nothing_from_the_network(case: tuple[Subgraph, dict[str, int], Path]) -> None:
    text = case[2].read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    assert "<script src" not in text and "@import" not in text
    assert "<i>whole</i>" not in text  # the title is text, not markup


@pytest.mark.slow
def test_chromium_draws_every_node(case: tuple[Subgraph, dict[str, int], Path], tmp_path: Path) -> None:
    """Headless Chromium's --dump-dom after layout: the page says how many nodes it drew."""
    _, counts, path = case
    ARTIFACTS.mkdir(exist_ok=True)
    common = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=20000"]
    dom = subprocess.run([*common, "--dump-dom", path.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    body = re.search(r"<body[^>]*>", dom.stdout)
    assert body, dom.stdout[:500]
    assert 'data-layout="done"' in body.group(0)
    assert f'data-rendered-nodes="{counts["nodes"]}"' in body.group(0)
    assert f'data-rendered-edges="{counts["relationships"]}"' in body.group(0)
    shot = ARTIFACTS / "html-export-whole-case.png"
    shot.unlink(missing_ok=True)
    taken = subprocess.run(
        [*common, "--window-size=1400,900", f"--screenshot={shot}", path.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert taken.returncode == 0 and shot.stat().st_size > 10_000, taken.stderr[-2000:]


@pytest.mark.slow
def test_hover_click_drag_and_zoom(case: tuple[Subgraph, dict[str, int], Path]) -> None:
    graph, counts, path = case
    requests: list[str] = []
    with drawn(path, requests) as page:
        assert int(page.get_attribute("body", "data-rendered-nodes") or 0) == counts["nodes"]
        assert [u for u in requests if not u.startswith("file:")] == []

        node = f"Domain:{fx.MAIL1}"
        at = page.evaluate("id => graphkit.position(id)", node)
        page.mouse.move(at["x"], at["y"])
        assert fx.MAIL1 in page.inner_text("#tooltip")
        page.mouse.click(at["x"], at["y"])
        info = page.inner_text("#info table")
        for name, value in graph.nodes[("Domain", fx.MAIL1)].items():
            shown = ", ".join(value) if isinstance(value, list) else str(value)
            assert f"{name}\t{shown}" in info

        page.mouse.move(at["x"], at["y"])
        page.mouse.down()
        page.mouse.move(at["x"] + 120, at["y"] + 80, steps=8)
        page.mouse.up()
        moved = page.evaluate("id => graphkit.position(id)", node)
        assert abs(moved["x"] - at["x"]) > 40 and abs(moved["y"] - at["y"]) > 20

        before = page.evaluate("graphkit.view.k")
        page.mouse.move(700, 450)
        page.mouse.wheel(0, -400)
        assert page.evaluate("graphkit.view.k") > before

        legend = page.inner_text("#legend")
        for label in {label for label, _ in graph.nodes}:
            assert label in legend
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "html-export-clicked.png"))


@pytest.mark.slow
def test_nodes_are_coloured_by_community_where_communities_were_found(tmp_path: Path) -> None:
    from test_analyze import planted

    store = Store("embedded", str(tmp_path / "g.lbdb"))
    truth = planted(tmp_path / "planted.jsonl")
    store.cli("load", "records", str(tmp_path / "planted.jsonl"))
    store.cli("analyze", "communities", "--seed", "7")
    graph = store.whole_graph()
    community = {key: props["community"] for (label, key), props in graph.nodes.items() if label == "IPAddress"}
    assert set(community) == set(truth)
    path = tmp_path / "communities.html"
    export.write(graph, path, "html")
    with drawn(path) as page:
        colour = {key: page.evaluate("id => graphkit.colourOf(id)", f"IPAddress:{key}") for key in community}
        for a in community:
            for b in community:
                assert (colour[a] == colour[b]) == (community[a] == community[b]), (a, b)
        domain = page.evaluate("id => graphkit.colourOf(id)", "Domain:n0.group0.example")
        assert domain not in colour.values(), "what has no community is drawn apart"
        legend = page.inner_text("#legend")
        assert "communities" in legend.lower() and f"community 0 ({Counter(community.values())[0]})" in legend
        assert f"no community ({len(graph.nodes) - len(community)})" in legend
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "html-export-communities.png"))

        page.select_option("#colour-by select", "label")
        assert len({page.evaluate("id => graphkit.colourOf(id)", f"IPAddress:{key}") for key in community}) == 1
        assert "labels" in page.inner_text("#legend").lower() and "IPAddress (80)" in page.inner_text("#legend")


@pytest.mark.slow
def test_the_page_has_no_colour_choice_without_communities(case: tuple[Subgraph, dict[str, int], Path]) -> None:
    with drawn(case[2]) as page:
        assert not page.is_visible("#colour-by")


@pytest.mark.slow
def test_values_are_shown_as_text_never_run(tmp_path: Path) -> None:
    graph = Subgraph()
    hostile = '</script><img src=x onerror="document.body.dataset.pwned=1">'
    graph.add_node("Organization", "evil", {"name": hostile, "aliases": [hostile]})
    graph.add_node("Domain", "a.example")
    graph.add_relationship(
        "REGISTERED_BY", ("Domain", "a.example"), ("Organization", "evil"), {"contact_name": hostile}
    )
    path = tmp_path / "hostile.html"
    export.write(graph, path, "html", hostile)
    with drawn(path) as page:
        at = page.evaluate("id => graphkit.position(id)", "Organization:evil")
        page.mouse.click(at["x"], at["y"])
        assert hostile in page.inner_text("#info table")
        assert page.evaluate("document.body.dataset.pwned") is None
        assert page.evaluate("document.querySelectorAll('img').length") == 0


@pytest.mark.slow
def test_the_demo_around_mail1_is_readable(tmp_path: Path) -> None:
    """Parallel lookups (one relationship per client, name, type and day) are one edge in the
    picture (their rollup), as wide as their sum, and every edge lies inside the canvas once laid out."""
    import json

    from helpers import run_cli

    store, page_path, expanded = tmp_path / "demo.lbdb", tmp_path / "around.html", tmp_path / "expanded.json"
    run_cli("demo", "--store", str(store))
    around = ("export", "--around", fx.MAIL1, "--hops", "2", "--store", str(store))
    proc = run_cli(*around, "-o", str(page_path))
    assert "one edge per client and name, their rollup" in proc.stderr
    run_cli(*around, "-o", str(expanded))  # a data format keeps every relationship
    data = json.loads(
        re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', page_path.read_text(), re.S).group(
            1
        )
    )
    pairs = [(e["y"], e["s"], e["t"]) for e in data["edges"]]
    assert len(pairs) == len(set(pairs))  # at most one edge per type and pair of nodes
    every = json.loads(expanded.read_text())
    lookups = [link for link in every["edges"] if link["_type"] == "LOOKED_UP"]
    merged = [e["p"] for e in data["edges"] if e["y"] == "LOOKED_UP"]
    assert len(lookups) > 10 * len(merged)  # the daily relationships, many per drawn edge
    assert sum(p["count"] for p in merged) == sum(link["count"] for link in lookups)
    assert sum(p["merged"] for p in merged) == len(lookups)  # each edge a client's rollup of a name
    assert all(p["days"] >= 1 and p["first_seen"] <= p["last_seen"] for p in merged)
    with drawn(page_path) as page:
        assert int(page.get_attribute("body", "data-rendered-edges") or 0) == len(data["edges"])
        assert page.evaluate("graphkit.edgesOutside()") == 0
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "html-export-around-mail1.png"))

        # the time window: after 2016-09-25 the old name is gone from the address, the new one there
        old = f"Domain:{fx.MAIL1} RESOLVES_TO IPAddress:66.216.133.29"
        new = "Domain:trump1.contact-client.com RESOLVES_TO IPAddress:66.216.133.29"
        assert {old, new} <= set(page.evaluate("graphkit.shown().edges"))
        page.evaluate("graphkit.setWindow('2016-09-25T00:00:00Z', null)")
        shown = page.evaluate("graphkit.shown()")
        assert new in shown["edges"] and old not in shown["edges"]
        assert not [e for e in shown["edges"] if " LOOKED_UP " in e]  # the lookups ended on 2016-09-23
        assert f"Domain:{fx.MAIL1}" in shown["nodes"]  # its timeless relationships keep it
        assert "of 26 nodes" in page.inner_text("#counts")
        page.screenshot(path=str(ARTIFACTS / "html-export-around-mail1-after-2016-09-25.png"))
        # the slider does the same: dragged to the end, only the last day's facts stay
        page.fill("#time-from", page.get_attribute("#time-from", "max") or "0")
        page.dispatch_event("#time-from", "input")
        assert page.inner_text("#time-from-text") == page.inner_text("#time-to-text")
