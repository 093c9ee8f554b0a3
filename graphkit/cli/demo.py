"""`graphkit demo`: load the built-in 2016 case into a fresh store and print what it shows."""

from __future__ import annotations

import dataclasses
import json
import os
import shlex
import shutil
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from graphkit.backends.store import open_store, redacted_uri
from graphkit.cli.options import store_options
from graphkit.demo import CASE_DIR

if TYPE_CHECKING:
    from graphkit.ingest.pipeline import LoadReport

DemoStoreArg = Annotated[
    Optional[str],
    typer.Option(
        "--store",
        "-s",
        help="Where to load the case: an embedded store path or a Neo4j URI. Default: a new "
        "./graphkit-demo-<time>.lbdb (GRAPHKIT_STORE is not used, so your own graph is never touched).",
        show_default=False,
    ),
]
ReportArg = Annotated[
    Optional[Path],
    typer.Option(
        "--report",
        metavar="FILE.html",
        help="Also write a self-contained HTML report (tables and a timeline chart).",
        show_default=False,
    ),
]


def fresh_location() -> str:
    """A new embedded store in the working folder (or a temporary one when that is read-only)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = Path.cwd()
    if not os.access(folder, os.W_OK):
        folder = Path(tempfile.mkdtemp(prefix="graphkit-demo-"))
    path, n = folder / f"graphkit-demo-{stamp}.lbdb", 1
    while path.exists():
        n += 1
        path = folder / f"graphkit-demo-{stamp}-{n}.lbdb"
    return os.path.relpath(path) if folder == Path.cwd() else str(path)


def copy_case_files(folder: Path) -> list[Path]:
    from graphkit.demo.make_case import GENERATED  # the generator's module, needed only here

    folder.mkdir(parents=True, exist_ok=True)
    copied = []
    for name in (*GENERATED, "README.md"):
        copied.append(Path(shutil.copyfile(CASE_DIR / name, folder / name)))
    return copied


def demo(
    ctx: typer.Context,
    store: DemoStoreArg = None,
    report: ReportArg = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
    copy_case: Annotated[
        Optional[Path],
        typer.Option(
            "--copy-case",
            metavar="DIR",
            help="Only copy the case's files (and their README) into DIR, to load them yourself.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Load the publicly reported 2016 case (mail1.trump-email.com) and print its findings:
    lookup concentration, registrant against operators, the co-hosted successor name, the
    rare-name pattern, the timeline and the paths between the parties, each with the benign
    reading beside the suspicious one. The case data and what in it is synthetic:
    graphkit/demo/case2016/README.md."""
    if copy_case is not None:
        for path in copy_case_files(copy_case):
            typer.echo(path)
        return
    from graphkit.demo.report import summary, write_html
    from graphkit.demo.run import investigate, load_case

    options = dataclasses.replace(store_options(ctx), store=store or fresh_location())
    backend = open_store(options)
    try:
        where = backend.display
        typer.echo(f"Loading the 2016 case into {where} ...", err=True)

        def loaded(kind: str, result: LoadReport) -> None:
            counts = f"{result.nodes} nodes, {result.edges} relationships"
            typer.echo(f"  graphkit load {kind} {Path(result.path).name}: {counts}", err=True)

        load_case(backend, rejects_dir=options.rejects_dir(), on_file=loaded)
        findings = investigate(backend)
    finally:
        backend.close()
    if as_json:
        payload = {"store": where, "case": str(CASE_DIR), **findings.as_dict()}
        typer.echo(json.dumps(payload, indent=2, default=str))
    else:
        typer.echo(summary(findings, store=where))
    if report is not None:
        write_html(findings, report, store=where)
        typer.echo(f"report: {report}", err=as_json)
    if not as_json:
        typer.echo(f"The case is in {where}. Explore it:")
        graphkit = runnable_name()
        typer.echo(f"  {graphkit} query list")
        store_arg = redacted_uri(options.location)  # the user adds credentials the way they gave them
        typer.echo(f"  {graphkit} query run lookup-sources -p domain={findings.name} --store {store_arg}")


def runnable_name() -> str:
    """`graphkit` as this shell can run it: the bare name when it is on the PATH, else the path
    it was started by (`make demo` runs .venv/bin/graphkit, which is not on the PATH)."""
    started = Path(sys.argv[0])
    found = shutil.which("graphkit")
    if started.name != "graphkit" or (found is not None and Path(found).resolve() == started.resolve()):
        return "graphkit"
    try:
        return str(started.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return shlex.quote(str(started.resolve()))
