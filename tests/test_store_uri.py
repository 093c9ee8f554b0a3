"""Credentials written into a store URI are never echoed: not in errors, not in any output."""

from __future__ import annotations

import pytest
from helpers import run_cli

from graphkit.backends.store import redacted, redacted_uri
from graphkit.query.neo4j_browser import browser_address

SECRET = "SuperSecret123"


@pytest.mark.parametrize(
    ("uri", "shown"),
    [
        (f"bolt://neo4j:{SECRET}@127.0.0.1:1", "bolt://127.0.0.1:1"),
        (f"neo4j+s://neo4j:{SECRET}@db.example:7687/", "neo4j+s://db.example:7687/"),
        (f"bolt://neo4j:Super/{SECRET}@127.0.0.1:1", "bolt://127.0.0.1:1"),  # a '/' in the password
        (f"bolt://neo4j:pa?{SECRET}@127.0.0.1:1", "bolt://127.0.0.1:1"),  # a '?' in the password
        (f"bolt://127.0.0.1:1?password={SECRET}", "bolt://127.0.0.1:1?password=***"),
        (
            f"neo4j://127.0.0.1:1/?policy=eu&api_key={SECRET}&Token={SECRET}",
            "neo4j://127.0.0.1:1/?policy=eu&api_key=***&Token=***",
        ),
        ("neo4j://127.0.0.1:1?policy=eu", "neo4j://127.0.0.1:1?policy=eu"),
        ("/data/graph@home.lbdb", "/data/graph@home.lbdb"),  # a path is a path
    ],
)
def test_redacted_uri(uri: str, shown: str) -> None:
    assert redacted_uri(uri) == shown
    assert redacted(f"cannot reach {uri}.", uri) == f"cannot reach {shown}."


@pytest.mark.parametrize(
    "uri",
    [
        f"bolt://neo4j:{SECRET}@127.0.0.1:1",
        f"neo4j://neo4j:{SECRET}@127.0.0.1:1",
        f"bolt://neo4j:Super/{SECRET}@127.0.0.1:1",
        f"bolt://127.0.0.1:1?password={SECRET}",
        f"neo4j://127.0.0.1:1?token={SECRET}",
        f"bolt://127.0.0.1:1/?x=1&api_key={SECRET}",
    ],
)
@pytest.mark.parametrize("args", [("stats",), ("query", "run", "--cypher", "RETURN 1"), ("load", "records", "-")])
def test_errors_never_contain_the_secret(uri: str, args: tuple[str, ...]) -> None:
    proc = run_cli(*args, "--store", uri, "--password", "x", check=False, input="")
    assert proc.returncode == 1
    assert SECRET not in proc.stdout + proc.stderr
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert redacted_uri(uri) in proc.stderr


def test_user_info_is_refused_with_where_credentials_go() -> None:
    proc = run_cli("stats", "--store", f"bolt://neo4j:{SECRET}@127.0.0.1:1", check=False)
    assert proc.stderr == (
        "error: bolt://127.0.0.1:1: give the user and password with NEO4J_USERNAME and NEO4J_PASSWORD "
        "(or --user and --password), not in the store URI\n"
    )


def test_no_password_message_and_browser_address_hide_it() -> None:
    proc = run_cli(
        "stats", "--store", f"bolt://127.0.0.1:1?password={SECRET}", env={"NEO4J_PASSWORD": None}, check=False
    )
    assert proc.stderr == "error: no password for bolt://127.0.0.1:1?password=***: set NEO4J_PASSWORD\n"
    assert SECRET not in browser_address(f"bolt://127.0.0.1:7687?password={SECRET}")
    assert SECRET not in browser_address(f"bolt://neo4j:{SECRET}@127.0.0.1:7687")


def test_any_error_message_is_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    """A library's own message (an internal error) can name the URI too."""

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"boom at bolt://neo4j:{SECRET}@db.example:7687?token={SECRET}&policy=eu")

    monkeypatch.setattr("graphkit.cli.stats.open_store", fail)
    proc = run_cli("stats", check=False)
    assert proc.returncode == 2
    assert proc.stderr.startswith("internal error: RuntimeError: boom at bolt://db.example:7687?token=***&policy=eu ")
