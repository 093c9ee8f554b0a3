"""How long the demo takes: loading the 2016 case, the canned queries, the HTML report.

    .venv/bin/python bench/bench_demo.py [STORE]     (default: a fresh embedded store)

For Neo4j give a bolt:// URI (NEO4J_USERNAME / NEO4J_PASSWORD from the environment); the
database is loaded as it is (the case loads idempotently). Prints seconds per phase.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from graphkit.backends.store import StoreOptions, open_store
from graphkit.demo.report import render_html
from graphkit.demo.run import investigate, load_case


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        location = sys.argv[1] if len(sys.argv) > 1 else str(Path(tmp) / "demo.lbdb")
        options = StoreOptions(location)
        backend = open_store(options)
        try:
            start = time.perf_counter()
            load_case(backend, rejects_dir=Path(tmp) / "rejects")
            loaded = time.perf_counter()
            findings = investigate(backend)
            asked = time.perf_counter()
        finally:
            backend.close()
        render_html(findings)
        reported = time.perf_counter()
    print(f"store: {location}")
    print(f"load the case (9 files, 5,504 log lines): {loaded - start:.2f} s")
    print(f"canned queries ({len(findings.ran) + 1}): {asked - loaded:.2f} s")
    print(f"HTML report with chart: {reported - asked:.2f} s")


if __name__ == "__main__":
    main()
