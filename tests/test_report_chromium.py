"""`graphkit demo --report` writes a page that real headless Chromium renders, chart included.

The page is checked from inside the browser: a copy of it gets a small script that, once
the page has loaded, writes the chart image's decoded size and its laid-out box into the
DOM, which `--dump-dom` prints. A screenshot of the page goes to test-artifacts/.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from helpers import ROOT, run_cli
from test_html_chromium import CHROMIUM_FLAGS, chromium

pytestmark = pytest.mark.slow

ARTIFACTS = ROOT / "test-artifacts"
PROBE = """<script>
window.addEventListener("load", () => {
  const img = document.getElementById("timeline-chart");
  const box = img ? img.getBoundingClientRect() : {width: 0, height: 0};
  const found = img ? [img.complete, img.naturalWidth, img.naturalHeight, box.width, box.height] : ["missing"];
  document.body.setAttribute("data-chart", found.join(" "));
});
</script>"""


def headless(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    flags = [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]
    return subprocess.run([chromium(), *flags, *args], capture_output=True, text=True, timeout=120)


def test_report_renders_with_its_chart_in_headless_chromium(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    run_cli("demo", "--store", str(tmp_path / "case.lbdb"), "--report", str(report))
    page = report.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page), "the report must be self-contained"

    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = headless(tmp_path / "profile", "--virtual-time-budget=10000", "--dump-dom", probe.as_uri())
    found = re.search(r'data-chart="([^"]*)"', dom.stdout)
    assert found, f"the probe did not run:\n{dom.stdout[-2000:]}\n{dom.stderr[-2000:]}"
    complete, natural_w, natural_h, box_w, box_h = found.group(1).split()
    assert complete == "true"
    assert int(natural_w) > 0 and int(natural_h) > 0, "the chart image did not decode"
    assert float(box_w) > 100 and float(box_h) > 50, "the chart is not laid out visibly"
    assert "2,820 (79.48%)" in dom.stdout and "Benign reading." in dom.stdout
    assert dom.stdout.count('class="node"') >= 10 and 'id="paths-picture"' in dom.stdout  # the paths, drawn

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "demo-report.png"
    shot.unlink(missing_ok=True)
    headless(tmp_path / "profile", "--window-size=1280,4200", f"--screenshot={shot}", report.as_uri())
    assert shot.is_file() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
