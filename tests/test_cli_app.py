"""The command tree: where the store options may be given, what --help shows, and what
starting `graphkit` loads.

A command's own --store wins over one given to `graphkit`, and either over GRAPHKIT_STORE;
the password, from wherever it comes, is never shown. Heavy libraries load with the command
that needs them, not when `graphkit` starts (bench/bench_startup.py measures the start).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
import typer.main
from typer.testing import CliRunner

from graphkit.cli.app import app
from graphkit.cli.options import RootGroup, StoreCommand, store_options

HEAVY = ("pyarrow", "numpy", "ladybug", "neo4j", "networkx", "dns", "matplotlib", "ipwhois", "pydantic")
# graphkit's own modules that only a running command needs: each took 5-10 ms of every start-up
COMMAND_ONLY = ("graphkit.export.bulk", "graphkit.export.redact", "graphkit.demo.make_case", "graphkit.ingest.context")
UNSET = {"GRAPHKIT_STORE": None, "NEO4J_USERNAME": None, "NEO4J_PASSWORD": None, "NEO4J_DATABASE": None}


@pytest.mark.parametrize(
    ("args", "env", "chosen"),
    [
        (["stats", "--store", "cmd.lbdb"], {}, "cmd.lbdb"),
        (["--store", "root.lbdb", "stats"], {}, "root.lbdb"),
        (["-s", "root.lbdb", "stats", "-s", "cmd.lbdb"], {}, "cmd.lbdb"),
        (["stats"], {"GRAPHKIT_STORE": "env.lbdb"}, "env.lbdb"),
        (["-s", "root.lbdb", "stats"], {"GRAPHKIT_STORE": "env.lbdb"}, "root.lbdb"),
        (["stats", "-s", "cmd.lbdb"], {"GRAPHKIT_STORE": "env.lbdb"}, "cmd.lbdb"),
        (["-s", "root.lbdb", "query", "run", "--cypher", "RETURN 1"], {}, "root.lbdb"),
        (["export", "-s", "group.lbdb", "bulk", "-o", "out"], {}, "group.lbdb"),
    ],
)
def test_the_store_is_chosen_where_it_is_given(
    args: list[str], env: dict[str, str], chosen: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, args, env={**UNSET, **env})
    assert f"no graph at {chosen}" in str(result.exception), result.output  # read-only: nothing is created
    assert not list(tmp_path.glob("*.lbdb"))


def _probe() -> typer.Typer:
    """A root and one store command that prints the options it gets."""
    probe = typer.Typer(cls=RootGroup, add_completion=False)
    probe.callback()(lambda: None)

    @probe.command(cls=StoreCommand)
    def show(ctx: typer.Context) -> None:
        options = store_options(ctx)
        typer.echo(f"{options.store} {options.user} {options.database} {options.password == 'pw'}")

    return probe


@pytest.mark.parametrize(
    ("args", "env", "shown"),
    [
        ([], {}, "None None None False"),
        ([], {"NEO4J_USERNAME": "u", "NEO4J_DATABASE": "d", "NEO4J_PASSWORD": "pw"}, "None u d True"),
        (["--user", "root"], {"NEO4J_USERNAME": "u"}, "None root None False"),
        (["--user", "root", "show", "--user", "cmd"], {"NEO4J_USERNAME": "u"}, "None cmd None False"),
        (["show", "--password", "pw", "--database", "x"], {"NEO4J_PASSWORD": "other"}, "None None x True"),
    ],
)
def test_options_reach_the_command(args: list[str], env: dict[str, str], shown: str) -> None:
    command = args if "show" in args else [*args, "show"]
    result = CliRunner().invoke(_probe(), command, env={**UNSET, **env}, catch_exceptions=False)
    assert result.output.strip() == shown


def _command_paths(command: object, path: list[str]) -> list[list[str]]:
    found = [path]
    for name, sub in getattr(command, "commands", {}).items():
        found += _command_paths(sub, [*path, name])
    return found


def test_no_help_shows_the_password() -> None:
    secret = "pw-from-the-environment"
    runner = CliRunner()
    for path in _command_paths(typer.main.get_command(app), []):
        result = runner.invoke(app, [*path, "--help"], env={**UNSET, "NEO4J_PASSWORD": secret})
        assert result.exit_code == 0, (path, result.output)
        assert secret not in result.output


# In a child process, as this one has imported everything already.
HELP_IN_A_NEW_PROCESS = """
import contextlib, io, json, sys
from graphkit.cli.app import main
for path in json.loads(sys.argv[1]):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        main([*path, "--help"])
print(json.dumps(sorted(sys.modules)))
"""


def test_starting_and_every_help_load_no_heavy_library() -> None:
    paths = json.dumps(_command_paths(typer.main.get_command(app), []))
    proc = subprocess.run(
        [sys.executable, "-c", HELP_IN_A_NEW_PROCESS, paths], capture_output=True, text=True, timeout=120, check=True
    )
    loaded = set(json.loads(proc.stdout))
    assert "graphkit.cli.load_logs" in loaded  # the commands were built
    assert [name for name in (*HEAVY, *COMMAND_ONLY) if name in loaded] == []
