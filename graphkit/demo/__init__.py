"""The built-in demo: the publicly reported 2016 case, loaded through the real loaders.

`case2016/` holds the case data (written by `make_case.py`, described in its README.md),
`run.py` loads it and runs the canned queries, `report.py` turns the findings into text
and an HTML page.
"""

from __future__ import annotations

from pathlib import Path

CASE_DIR = Path(__file__).resolve().parent / "case2016"
