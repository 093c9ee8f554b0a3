"""The HTML page's drawing: graphkit's own canvas code beside Cytoscape.js and sigma.js (with
graphology and ForceAtlas2), on the same graphs, in headless Chromium. Prints figures, asserts
nothing; what was decided from them is in docs/export.md ("The page's drawing code").

The graphs (seeded): clusters of ~20 nodes (a resolver's clients and the names they share),
two edges per node, one in ten across clusters; labels and captions as graphkit exports them.
Each library gets the same data and a page as small as it allows: Cytoscape.js with its
built-in `cose` force layout, and with the `fcose` extension (cytoscape-fcose); sigma.js with
ForceAtlas2 (`inferSettings`, Barnes-Hut from 2,000 nodes, 100 iterations); graphkit's page as
`graphkit export` writes it. The libraries are
installed with npm at the pinned versions into --cache (sigma bundled with esbuild).
Per page and size:
- bytes: the self-contained page;
- first picture: ms from navigation until the layout has settled and the picture is drawn
  (script parsing included; graphkit's page draws the layout as it goes, every 200 ms, the
  others only once it is done);
- redraw: ms to zoom a step and draw the picture again, rasterising included (a one-pixel
  read-back forces it; the mean of 20). There is no GPU here: canvas pictures are rasterised by
  Skia on the CPU and sigma.js's WebGL by SwiftShader, slower than a GPU would;
- heap: the JS heap after the first picture (MB).

    .venv/bin/python bench/bench_html_page.py [--sizes 30,300,3000,10000] [--timeout 180] [--repeat 3]
        [--pages graphkit,cytoscape,fcose,sigma] [--screenshots DIR] [--cache ~/.cache/graphkit-bench-js]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graphkit.export.html import _script_safe_json, page_data, render  # noqa: E402
from graphkit.query.subgraph import Subgraph  # noqa: E402

PACKAGES = {
    "cytoscape": "3.35.0",
    "cytoscape-fcose": "2.2.0",
    "sigma": "4.0.4",
    "graphology": "0.26.0",
    "graphology-layout-forceatlas2": "0.10.1",
    "esbuild": "0.24.2",
}
CHROMIUM_ARGS = ["--no-sandbox", "--enable-precise-memory-info"]

FCOSE_ENTRY = """
import cytoscape from "cytoscape";
import fcose from "cytoscape-fcose";
cytoscape.use(fcose);
window.cytoscape = cytoscape;
"""
SIGMA_ENTRY = """
import Graph from "graphology";
import Sigma from "sigma";
import forceAtlas2 from "graphology-layout-forceatlas2";
window.GK = { Graph, Sigma, forceAtlas2 };
"""

# Each page calls done() once its first picture is complete, and defines zoomStep().
PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>
html, body, #graph {{ margin: 0; width: 100%; height: 100%; }}</style></head>
<body><div id="graph"></div>
<script>{library}</script>
<script>
var data = {data};
function done() {{ window.firstPicture = performance.now(); }}
{setup}
</script></body></html>"""

CYTOSCAPE_SETUP = """
var LAYOUT = "%s", offscreen = document.createElement("canvas").getContext("2d");
offscreen.canvas.width = 1000; offscreen.canvas.height = 800;
var elements = data.nodes
  .map(function (n, i) { return { data: { id: "n" + i, label: n.c, colour: data.colours[n.l] } }; })
  .concat(data.edges.map(function (e, i) { return { data: { id: "e" + i, source: "n" + e.s, target: "n" + e.t } }; }));
var cy = cytoscape({ container: document.getElementById("graph"), elements: elements, layout: { name: "preset" },
  pixelRatio: 1, textureOnViewport: false, motionBlur: false,
  style: [{ selector: "node", style: { "background-color": "data(colour)", label: "data(label)", "font-size": 8 } },
          { selector: "edge", style: { width: 1, "curve-style": "bezier", "target-arrow-shape": "triangle" } }] });
var layout = cy.layout({ name: LAYOUT, animate: false, randomize: true });
layout.one("layoutstop", function () { cy.renderer().render(); done(); });
layout.run();
function zoomStep() {
  cy.zoom({ level: cy.zoom() * 1.01, renderedPosition: { x: 500, y: 400 } });
  // its renderer draws on its own animation frame; the same drawing, synchronously, into a canvas:
  cy.renderer().render({ forcedContext: offscreen, drawAllLayers: true, forcedPxRatio: 1 });
  offscreen.getImageData(0, 0, 1, 1);  // rasterised now, not later
}
"""

SIGMA_SETUP = """
var g = new GK.Graph({ multi: true }), seed = 7;
function rand() { seed = (seed * 16807) % 2147483647; return seed / 2147483647; }
data.nodes.forEach(function (n, i) {
  g.addNode(i, { x: rand(), y: rand(), size: 4, label: n.c, color: data.colours[n.l] });
});
data.edges.forEach(function (e) { g.addEdge(e.s, e.t, { size: 1, type: "arrow" }); });
GK.forceAtlas2.assign(g, { iterations: 100, settings: GK.forceAtlas2.inferSettings(g) });
var sigma = new GK.Sigma(g, document.getElementById("graph"));
done();
function zoomStep() {
  var c = sigma.getCamera(); c.setState({ ratio: c.getState().ratio / 1.01 }); sigma.refresh({ skipIndexation: true });
  var gl = sigma.getWebGLContext();  // rasterised now, not later
  gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
}
"""

OWN_SETUP = """
function layoutDone() { if (document.body.dataset.layout === "done" && !window.firstPicture) done(); }
new MutationObserver(layoutDone).observe(document.body, { attributes: true });
layoutDone();  // a small graph is laid out before this script runs
function zoomStep() {
  var canvas = document.getElementById("graph");
  canvas.dispatchEvent(new WheelEvent("wheel", { deltaY: -10, clientX: 500, clientY: 400 }));
  canvas.getContext("2d").getImageData(0, 0, 1, 1);  // rasterised now, not later
}
"""

REDRAW = """() => {
  zoomStep();  // warm
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) zoomStep();
  return (performance.now() - t0) / 20;
}"""


def graph(nodes: int, seed: int = 7) -> Subgraph:
    rng = random.Random(seed)
    out = Subgraph()
    keys = []
    for i in range(nodes):
        address = f"10.{i // 65536}.{i // 256 % 256}.{i % 256}"
        label, key = ("IPAddress", address) if i % 3 == 0 else ("Domain", f"n{i}.example")
        out.add_node(label, key, {"sources": ["bench"], "first_seen": "2016-05-04T00:00:00Z"})
        keys.append((label, key))
    for i in range(nodes):
        cluster = i // 20 * 20
        for _ in range(2):
            j = rng.randrange(nodes) if rng.random() < 0.1 else min(nodes - 1, cluster + rng.randrange(20))
            if j != i:
                out.add_relationship("LOOKED_UP", keys[i], keys[j], {"count": rng.randint(1, 500)})
    return out


def libraries(cache: Path) -> dict[str, str]:
    """Each library's script, as a page would inline it (installed once into the cache)."""
    bundle, fcose = cache / "sigma.bundle.js", cache / "fcose.bundle.js"
    if not bundle.exists() or not fcose.exists():
        cache.mkdir(parents=True, exist_ok=True)
        (cache / "package.json").write_text('{"private": true}\n')
        specs = [f"{name}@{version}" for name, version in PACKAGES.items()]
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", *specs], cwd=cache, check=True)
        esbuild = cache / "node_modules" / ".bin" / "esbuild"
        for out, entry in ((bundle, SIGMA_ENTRY), (fcose, FCOSE_ENTRY)):
            (cache / "entry.mjs").write_text(entry)
            args = ["entry.mjs", "--bundle", "--minify", "--format=iife", f"--outfile={out.name}"]
            subprocess.run([str(esbuild), *args], cwd=cache, check=True)
    return {
        "cytoscape": (cache / "node_modules" / "cytoscape" / "dist" / "cytoscape.min.js").read_text(),
        "cytoscape-fcose": fcose.read_text(),
        "sigma": bundle.read_text(),
    }


def pages(sub: Subgraph, libs: dict[str, str]) -> dict[str, str]:
    data = _script_safe_json(page_data(sub))
    own = render(sub, "bench").replace(
        "</body>",
        f"<script>function done() {{ window.firstPicture = performance.now(); }}{OWN_SETUP}</script></body>",
    )
    return {
        "graphkit": own,
        "cytoscape": PAGE.format(library=libs["cytoscape"], data=data, setup=CYTOSCAPE_SETUP % "cose"),
        "fcose": PAGE.format(library=libs["cytoscape-fcose"], data=data, setup=CYTOSCAPE_SETUP % "fcose"),
        "sigma": PAGE.format(library=libs["sigma"], data=data, setup=SIGMA_SETUP),
    }


def measure(browser: Any, path: Path, timeout: float, screenshot: Path | None = None) -> dict[str, Any]:
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(path.as_uri(), wait_until="commit")  # (a blank page first warmed the browser)
        started = time.monotonic()
        while not page.evaluate("window.firstPicture || 0"):
            if errors:
                return {"error": errors[0][:80]}
            if time.monotonic() - started > timeout:
                return {"error": f"no picture after {timeout:.0f} s"}
            time.sleep(0.05)
        first = page.evaluate("window.firstPicture")
        if screenshot:
            page.screenshot(path=str(screenshot))
        heap = page.evaluate("performance.memory.usedJSHeapSize") / 1e6
        redraw = page.evaluate(REDRAW)
        return {"first_ms": first, "redraw_ms": redraw, "heap_mb": heap}
    finally:
        page.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="30,300,3000,10000", help="node counts (edges: about twice as many)")
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds a page may take to its first picture")
    ap.add_argument("--pages", default="graphkit,cytoscape,fcose,sigma", help="which pages to measure")
    ap.add_argument(
        "--cytoscape-up-to", type=int, default=3000, help="nodes; beyond, its layouts block the page for many minutes"
    )
    ap.add_argument("--repeat", type=int, default=3, help="pages drawn within 10 s: the best of this many runs")
    ap.add_argument("--screenshots", type=Path, help="a folder for each first picture, to compare the layouts")
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "graphkit-bench-js")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/graphkit-bench-html"))
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    libs = libraries(args.cache)
    shutil.rmtree(args.workdir, ignore_errors=True)
    args.workdir.mkdir(parents=True)
    if args.screenshots:
        args.screenshots.mkdir(parents=True, exist_ok=True)
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    heading = ("nodes", "edges", "page", "bytes", "first picture", "redraw ms", "heap MB")
    print("{:>6} {:>6}  {:<10} {:>9} {:>14} {:>10} {:>8}".format(*heading))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            warm = browser.new_page()
            warm.goto("about:blank")
            warm.close()
            for size in (int(s) for s in args.sizes.split(",")):
                sub = graph(size)
                own_first = None
                for name, text in pages(sub, libs).items():
                    too_big = name in ("cytoscape", "fcose") and size > args.cytoscape_up_to
                    if name not in args.pages.split(",") or too_big:
                        continue
                    path = args.workdir / f"{name}-{size}.html"
                    path.write_text(text, encoding="utf-8")
                    shot = args.screenshots / f"{name}-{size}.png" if args.screenshots else None
                    got = measure(browser, path, args.timeout, shot)
                    if "error" not in got and got["first_ms"] < 10_000:  # quick pages: the best of --repeat
                        runs = [got] + [measure(browser, path, args.timeout) for _ in range(args.repeat - 1)]
                        got = min(runs, key=lambda run: run.get("first_ms", float("inf")))
                    head = f"{size:>6} {len(sub.relationships):>6}  {name:<10} {len(text.encode()):>9}"
                    if "error" in got:  # (the timeout is checked between polls: a blocked page is waited for)
                        print(f"{head} {got['error']}")
                        continue
                    own_first = own_first or got["first_ms"]
                    ratio = f" ({got['first_ms'] / own_first:.1f}x)" if name != "graphkit" else ""
                    print(
                        f"{head} {got['first_ms']:>9.0f} ms{ratio:<8} {got['redraw_ms']:>7.1f} {got['heap_mb']:>8.1f}",
                        flush=True,
                    )
        finally:
            browser.close()
    print(json.dumps({"packages": PACKAGES}))


if __name__ == "__main__":
    main()
