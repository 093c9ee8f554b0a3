"""Read-only means read-only: without --write, no query reads or writes files, reaches the
network or changes settings, on either store, ad-hoc or canned."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import Store, run_cli

from graphkit.backends.guard import refusal

SECRET = "contents-of-a-private-file"


@pytest.fixture
def loaded(store: Store, tmp_path: Path) -> Store:
    records = tmp_path / "r.jsonl"
    records.write_text('{"node": "Domain", "key": "a.example"}\n')
    store.cli("load", "records", str(records))
    return store


def _hostile(tmp_path: Path) -> list[tuple[str, str]]:
    """(query, the statement the refusal names) for each way out of the graph."""
    secret = tmp_path / "secret.csv"
    secret.write_text(SECRET + "\n")
    out = tmp_path / "written.csv"
    return [
        (f"COPY (MATCH (d:Domain) RETURN d.name) TO '{out}'", "COPY"),
        (f"LOAD FROM '{secret}' RETURN *", "LOAD FROM"),
        (f'load from "{secret}" RETURN *', "LOAD FROM"),
        (f"MATCH (d:Domain) /* a comment */ LOAD FROM '{secret}' RETURN *", "LOAD FROM"),
        (f"RETURN 1 AS x; COPY Domain TO '{out}'", "COPY"),
        (f"LOAD CSV FROM 'file://{secret}' AS line RETURN line", "LOAD CSV"),
        ("INSTALL httpfs", "INSTALL"),
        ("LOAD EXTENSION httpfs", "LOAD EXTENSION"),
        ("LOAD httpfs", "LOAD"),
        (f"ATTACH '{tmp_path / 'other'}' AS other (dbtype lbug)", "ATTACH"),
        ("DETACH other", "DETACH"),
        (f"EXPORT DATABASE '{tmp_path / 'dump'}'", "EXPORT DATABASE"),
        (f"IMPORT DATABASE '{tmp_path / 'dump'}'", "IMPORT DATABASE"),
        ("CALL threads=1", "CALL threads"),
        (f"CALL read_csv_serial('{secret}') RETURN *", "CALL read_csv_serial"),
        ("CALL file_info('x') RETURN *", "CALL file_info"),
        ("CALL apoc.load.json('http://127.0.0.1:1/x') YIELD value RETURN value", "CALL apoc.load.json"),
        ("CALL apoc.export.csv.all('out.csv', {})", "CALL apoc.export.csv.all"),
        ("CALL apoc.import.graphml('x', {})", "CALL apoc.import.graphml"),
        ("CALL dbms.listConfig() YIELD name RETURN name", "CALL dbms.listConfig"),
        ("CALL db.createLabel('X')", "CALL db.createLabel"),
        ("RETURN apoc.cypher.runFirstColumnSingle('LOAD CSV FROM \"x\" AS l RETURN l', {}) AS x", "apoc.cypher"),
    ]


def test_queries_that_leave_the_graph_are_refused_without_write(loaded: Store, tmp_path: Path) -> None:
    files = tmp_path / "files"
    files.mkdir()
    for cypher, statement in _hostile(files):
        proc = loaded.cli("query", "run", "--cypher", cypher, check=False)
        assert proc.returncode == 1, (cypher, proc.stdout, proc.stderr)
        assert proc.stderr.startswith(f"error: refused: this query uses {statement}"), (cypher, proc.stderr)
        assert proc.stderr.rstrip().endswith("queries are read-only; add --write to allow it"), proc.stderr
        assert proc.stderr.count("\n") == 1 and SECRET not in proc.stdout + proc.stderr
    assert [p.name for p in files.iterdir()] == ["secret.csv"]  # nothing written


def test_a_query_file_gets_the_same_check(loaded: Store, tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text(SECRET + "\n")
    script = tmp_path / "peek.cypher"
    script.write_text(f"// name: peek\n// title: t\n// columns:\n//   line\nLOAD FROM '{secret}' RETURN * \n")
    proc = loaded.cli("query", "run", "--file", str(script), check=False)
    assert proc.returncode == 1 and proc.stderr.startswith("error: refused: this query uses LOAD FROM")


def test_canned_queries_from_user_folders_get_the_same_check(loaded: Store, tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text(SECRET + "\n")
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "peek.cypher").write_text(
        f"// name: peek\n// title: t\n// columns:\n//   line\nLOAD FROM '{secret}' RETURN * AS line\n"
    )
    proc = loaded.cli("query", "run", "peek", "--queries", str(folder), check=False)
    assert proc.returncode == 1 and SECRET not in proc.stdout + proc.stderr
    assert proc.stderr == (
        f"error: refused: {folder / 'peek.cypher'}: this query uses LOAD FROM, which reads or writes files "
        "or reaches the network, and canned queries only read\n"
    )
    checked = run_cli("query", "check", "--queries", str(folder), check=False)
    assert checked.returncode == 1 and "peek.cypher: refused when run (queries only read)" in checked.stderr


def test_ordinary_reads_still_run(loaded: Store) -> None:
    for cypher in (
        "MATCH (d:Domain {name: 'copy.load.install.example'}) RETURN d.name AS copy",
        "MATCH (d:Domain) RETURN d.name AS name // COPY TO '/tmp/x'",
    ):
        assert loaded.cli("query", "run", "--cypher", cypher).returncode == 0, cypher


def test_write_allows_them_on_the_embedded_store(tmp_path: Path) -> None:
    store = Store("embedded", str(tmp_path / "graph.lbdb"))
    records = tmp_path / "r.jsonl"
    records.write_text('{"node": "Domain", "key": "a.example"}\n')
    store.cli("load", "records", str(records))
    out = tmp_path / "names.csv"
    store.cli("query", "run", "--write", "--cypher", f"COPY (MATCH (d:Domain) RETURN d.name) TO '{out}'")
    assert out.read_text().split() == ["a.example"]


@pytest.mark.parametrize(
    ("cypher", "refused"),
    [
        ("RETURN 'LOAD FROM x' AS `COPY`", False),
        # read without escapes too (a store might), an escaped quote ends the string: the safe side
        ("RETURN 'a\\' COPY x' AS y", True),
        ("RETURN 1 //c\r' \nCOPY Domain TO 'x' //'", True),  # whether \r ends a comment or not
        ("RETURN 'a\\\\' AS y, 1 AS z; COPY Domain TO 'x'", True),  # an escaped backslash ends it
        ("MATCH (n:Load)-[:COPY]->(m) RETURN n.install, $attach", False),
        ("CALL db.labels() YIELD label RETURN label", False),
        ("CALL () { MATCH (n) RETURN n } RETURN n", False),  # a subquery
        ("CALL table_info('Domain') RETURN *", False),
        ("CALL /* x */ apoc.load.json('x')", True),
        ("CALL `apoc.load.json`('x')", True),
        ("MATCH (n) DETACH DELETE n", False),  # a write: the store's read-only mode refuses it
        ("RETURN 1 // comment\r COPY Domain TO 'x'", True),  # a comment ends at a carriage return too
        ("RETURN 'never closed COPY", True),  # the rest is read as code
        ("RETURN 1 /* never closed COPY", True),
    ],
)
def test_the_check_reads_tokens_not_text(cypher: str, refused: bool) -> None:
    assert (refusal(cypher) is not None) is refused
