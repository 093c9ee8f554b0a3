"""`graphkit query list|show|run|check` as a user runs them, on both stores."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import query_fixture as fx
from helpers import ROOT, Store, json_lines, json_output, neo4j_test_uri, run_cli

from graphkit.backends.store import clear_neo4j


def _loaded(store: Store) -> Store:
    backend = store.open()
    try:
        fx.load(backend)
    finally:
        backend.close()
    return store


@pytest.fixture(scope="module")
def embedded_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """Loaded the way a user would: the fixture as a records file, through `graphkit load records`."""
    folder = tmp_path_factory.mktemp("cli")
    store = Store("embedded", str(folder / "graph.lbdb"))
    store.cli("load", "records", str(fx.write_jsonl(folder / "case.jsonl")))
    return store


@pytest.fixture(scope="module")
def neo4j_store() -> Iterator[Store]:
    uri = neo4j_test_uri()
    clear_neo4j(uri)
    yield _loaded(Store("neo4j", uri))


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def loaded(request: pytest.FixtureRequest) -> Store:
    store: Store = request.getfixturevalue(f"{request.param}_store")
    return store


def test_list_names_every_query_with_its_title() -> None:
    proc = run_cli("query", "list", "--format", "json")
    listed = {row["name"]: row for row in json_output(proc)}
    assert set(listed) == {path.stem for path in (ROOT / "cypher").glob("*.cypher")}
    assert listed["lookup-concentration"]["title"] == "Names whose lookups come mostly from one source"
    assert listed["path-between"]["params"] == "from, to, max_hops?"
    assert "lookup-sources" in run_cli("query", "list").stdout


def test_show_prints_header_cypher_and_browser_params() -> None:
    out = run_cli(
        "query", "show", "lookup-sources", "-p", "domain=mail1.trump-email.com", "-p", "since=2016-05-04"
    ).stdout
    assert "// name: lookup-sources\n// title: Who looked a name up" in out
    assert "MATCH (c)-[r:LOOKED_UP]->(:Domain {name: $domain})" in out
    assert out.rstrip().endswith(
        ":param domain => 'mail1.trump-email.com'\n:param since => '2016-05-04'\n"
        ":param until => null\n:param group_by => 'organization'"
    )
    variant = run_cli("query", "show", "path-between", "--embedded").stdout
    assert "* ALL SHORTEST 1..6" in variant and "allShortestPaths" not in variant


def test_run_prints_rows_in_every_format(loaded: Store) -> None:
    as_json = json_output(loaded.cli("query", "run", "lookup-concentration", "--format", "json"))
    assert [(r["source"], r["lookups"], r["share"]) for r in as_json][:2] == [
        ("Alfa-Bank", 2820, 0.7948),
        ("Spectrum Health", 714, 0.2012),
    ]
    assert {r["top2_share"] for r in as_json} == {0.9961}
    proc = loaded.cli(
        "query", "run", "lookup-sources", "-p", "domain=mail1.trump-email.com", "-f", "csv", "--limit", "2"
    )
    table = list(csv.reader(io.StringIO(proc.stdout)))
    assert table[0] == ["source", "kind", "lookups", "share", "clients", "first_seen", "last_seen"]
    assert table[1][:5] == ["Alfa-Bank", "organization", "2820", "0.7948", '["217.12.96.15", "217.12.97.15"]']
    assert len(table) == 3 and "(2 of 5 rows shown)" in proc.stderr
    rows = json_lines(loaded.cli("query", "run", "reverse-mismatch", "--format", "jsonl"))
    assert [row["ptr_name"] for row in rows] == ["mail.contact-client.com", "ghost.cdcservices.com"]
    table_out = loaded.cli("query", "run", "cohosted", "-p", "target=66.216.133.29").stdout
    assert table_out.splitlines()[0].split() == ["via", "shared", "name", "address", "first_seen", "last_seen"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("lookup-sources",),
            "error: missing parameter domain for lookup-sources; parameters: domain (string, required)",
        ),
        (
            ("lookup-sources", "-p", "domain=a.com", "-p", "colour=red"),
            "error: unknown parameter colour for lookup-sources",
        ),
        (("lookup-sources", "-p", "domain=a.com", "-p", "since=May"), "error: parameter since must be date, got 'May'"),
        (("rare-names", "-p", "max_sources=two"), "error: parameter max_sources must be int, got 'two'"),
        (("no-such-query",), "error: no query named 'no-such-query'"),
        (("lookup-sources", "-p", "domain"), "error: a parameter is key=value, got 'domain'"),
        (("lookup-sources", "--cypher", "RETURN 1"), "error: give one of: a query name, --cypher TEXT or --file F"),
    ],
)
def test_mistakes_are_one_line_errors(embedded_store: Store, args: tuple[str, ...], message: str) -> None:
    proc = embedded_store.cli("query", "run", *args, check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith(message) and proc.stderr.count("\n") == 1, proc.stderr
    assert "Traceback" not in proc.stderr


def _domains(store: Store) -> int:
    return int(store.query("MATCH (d:Domain) RETURN count(d) AS n")[0][0])


def test_ad_hoc_cypher_is_read_only_unless_write(loaded: Store, tmp_path: Path) -> None:
    before = _domains(loaded)
    create = "CREATE (:Domain {name: $name})"
    refused = loaded.cli("query", "run", "--cypher", create, "-p", "name=written.example", check=False)
    assert refused.returncode == 1
    assert (
        refused.stderr
        == "error: refused: this query would change the graph, and queries are read-only; add --write to allow it\n"
    )
    assert _domains(loaded) == before
    loaded.cli("query", "run", "--cypher", create, "-p", "name=written.example", "--write")
    assert _domains(loaded) == before + 1
    script = tmp_path / "find.cypher"
    script.write_text("MATCH (d:Domain) WHERE d.name = $name RETURN d.name AS name, $n + 1 AS next")
    found = loaded.cli(
        "query", "run", "--file", str(script), "-p", "name=written.example", "-p", "n:int=41", "-f", "json"
    )
    assert json_output(found) == [{"name": "written.example", "next": 42}]
    loaded.cli(
        "query", "run", "--cypher", "MATCH (d:Domain {name: $name}) DELETE d", "-p", "name=written.example", "--write"
    )
    assert _domains(loaded) == before


def test_user_query_folders(embedded_store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "resolvers-of.cypher").write_text(
        "// name: resolvers-of\n// title: Clients of one name\n// params:\n//   name: string\n//   min: int = 1\n"
        "// columns:\n//   client\nMATCH (c:IPAddress)-[r:LOOKED_UP]->(:Domain {name: $name})\n"
        "WITH c, sum(r.count) AS n WHERE n >= $min RETURN c.address AS client ORDER BY client\n"
    )
    args = ("query", "run", "resolvers-of", "-p", "name=trump1.contact-client.com", "-p", "min=10", "-f", "json")
    expected = [{"client": "217.12.96.15"}]
    assert json_output(embedded_store.cli(*args, "--queries", str(folder))) == expected
    env_run = run_cli(*args, env={"GRAPHKIT_STORE": embedded_store.location, "GRAPHKIT_QUERIES": str(folder)})
    assert json_output(env_run) == expected
    assert "resolvers-of" in run_cli("query", "list", "--queries", str(folder)).stdout
    assert run_cli("query", "check", "--queries", str(folder)).returncode == 0


def test_check_reports_a_broken_user_query(tmp_path: Path) -> None:
    (tmp_path / "broken.cypher").write_text(
        "// name: broken\n// title: t\n// columns:\n//   n\nMATCH (x:Hostname) RETURN $k AS n\n"
    )
    proc = run_cli("query", "check", "--queries", str(tmp_path), check=False)
    assert proc.returncode == 1
    assert "labels not in the schema: Hostname" in proc.stderr and "used but not declared: k" in proc.stderr
    shipped = len(list((ROOT / "cypher").glob("*.cypher")))
    assert run_cli("query", "check").stdout == f"{shipped} queries: headers, parameters, labels and types check out\n"


def test_a_user_query_runs_on_the_embedded_store_with_its_function_names(embedded_store: Store, tmp_path: Path) -> None:
    (tmp_path / "name-length.cypher").write_text(
        "// name: name-length\n// title: t\n// params:\n//   name: string\n// columns:\n//   length\n//   text\n"
        "MATCH (d:Domain {name: $name}) RETURN toString(size(d.name)) AS length, 'toString(1)' AS text\n"
    )
    args = ("query", "run", "name-length", "-p", "name=trump1.contact-client.com", "-f", "json")
    found = embedded_store.cli(*args, "--queries", str(tmp_path))
    assert json_output(found) == [{"length": "25", "text": "toString(1)"}]
    shown = run_cli("query", "show", "name-length", "--embedded", "--queries", str(tmp_path)).stdout
    assert "RETURN string(size(d.name)) AS length, 'toString(1)' AS text" in shown


def test_check_rejects_a_headed_variant(tmp_path: Path) -> None:
    (tmp_path / "embedded").mkdir()
    (tmp_path / "names.cypher").write_text(
        "// name: names\n// title: t\n// columns:\n//   name\nMATCH (d:Domain) RETURN d.name AS name\n"
    )
    (tmp_path / "embedded" / "names.cypher").write_text(
        "// name: names\n// title: t\nMATCH (d:Domain) RETURN d.name AS name\n"
    )
    proc = run_cli("query", "check", "--queries", str(tmp_path), check=False)
    assert proc.returncode == 1
    assert "a variant's header is only '// name: names'" in proc.stderr


def test_an_empty_answer_says_why_on_stderr_and_the_output_stays_valid(loaded: Store) -> None:
    proc = loaded.cli(
        "query", "run", "lookup-concentration", "-p", "domain=trump1.contact-client.com", "--format", "json"
    )
    assert json_output(proc) == []  # stdout is the (empty) JSON array, nothing else
    assert proc.stderr == "no rows: 1 row hidden by min_total=100 (the default): add -p min_total=1\n"
    shown = loaded.cli(
        "query", "run", "lookup-concentration", "-p", "domain=trump1.contact-client.com", "-p", "min_total=1"
    )
    assert "trump1.contact-client.com" in shown.stdout and shown.stderr == ""
    missing = loaded.cli("query", "run", "lookup-sources", "-p", "domain=nowhere.example", "--format", "csv")
    assert missing.stdout.splitlines() == ["source,kind,lookups,share,clients,first_seen,last_seen"]
    assert missing.stderr == "no rows: nowhere.example is not in the graph by that name\n"
