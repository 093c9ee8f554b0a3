"""Security properties (issue 9): values are data, labels come from the schema, secrets stay
secret, local servers listen on 127.0.0.1 only with authentication on."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from helpers import Store, run_cli, start_cli_process

from graphkit.model.records import EdgeRecord, NodeRecord, to_json
from graphkit.model.schema import SCHEMA

NASTY = [
    "Robert'); MATCH (n) DETACH DELETE n; //",
    'quote " and backtick ` and brace } {',
    "line\nbreak // comment /* block */",
    "CREATE (x:Evil) RETURN x",
    "$param `Evil` :Label {key: 1}",
]


def test_hostile_values_are_stored_as_data(store: Store, tmp_path: Path) -> None:
    records = []
    for i, text in enumerate(NASTY):
        org = f"{text} Holding {i}"
        records.append(NodeRecord("Organization", org, {"name": org, "aliases": [text]}))
        records.append(
            EdgeRecord(
                "ATTRIBUTED_TO",
                "IPAddress",
                f"192.0.2.{i + 1}",
                "Organization",
                org,
                {"role": "resolver", "note": text},
            )
        )
    path = tmp_path / "nasty.jsonl"
    path.write_text("".join(to_json(r) + "\n" for r in records))
    store.cli("load", "records", str(path))
    rows = store.query(
        "MATCH (i:IPAddress)-[r:ATTRIBUTED_TO]->(o:Organization) RETURN i.address, r.note, o.name ORDER BY i.address"
    )
    assert rows == [[f"192.0.2.{i + 1}", text, f"{text} Holding {i}"] for i, text in enumerate(NASTY)]
    stats = store.stats()
    assert stats["nodes"]["Organization"] == len(NASTY) and stats["nodes"]["IPAddress"] == len(NASTY)
    if store.kind == "neo4j":
        labels = {r[0] for r in store.query("CALL db.labels() YIELD label RETURN label")}
        types = {
            r[0] for r in store.query("CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType")
        }
    else:
        tables = store.query("CALL show_tables() RETURN name, type")
        labels = {name for name, kind in tables if kind == "NODE"}
        types = {name for name, kind in tables if kind == "REL"}
    assert labels <= set(SCHEMA.by_label) and types <= set(SCHEMA.by_type)


def test_unknown_labels_in_records_never_reach_the_store(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text(
        '{"node": "Evil`) DETACH DELETE (n", "key": "x"}\n{"edge": "OWNS]->(x) //", "from": ["Domain", "a.example"], "to": ["Domain", "b.example"]}\n'
    )
    proc = store.cli("load", "records", str(path), check=False)
    assert proc.returncode == 1  # every record rejected: the file is rejected whole
    assert "unknown label" in proc.stderr and "unknown relationship type" in proc.stderr
    assert store.stats()["nodes"]["Domain"] == 0


@pytest.mark.neo4j
def test_no_password_in_output_logs_or_process_list(neo4j_uri: str, tmp_path: Path) -> None:
    password = os.environ["NEO4J_PASSWORD"]
    path = tmp_path / "r.jsonl"
    path.write_text(to_json(NodeRecord("Domain", "secret-test.example")) + "\nnot json\n")
    seen = []
    # succeeding runs (password from the environment, and as an option)
    seen.append(run_cli("load", "records", str(path), env={"GRAPHKIT_STORE": neo4j_uri}))
    seen.append(run_cli("stats", "--password", password, env={"GRAPHKIT_STORE": neo4j_uri, "NEO4J_PASSWORD": ""}))
    # failing runs: wrong password, a server that is not there, an internal failure path
    seen.append(run_cli("stats", env={"GRAPHKIT_STORE": neo4j_uri, "NEO4J_PASSWORD": password + "x"}, check=False))
    seen.append(run_cli("stats", "--store", "bolt://127.0.0.1:1", check=False))
    for proc in seen:
        assert password not in proc.stdout + proc.stderr
    for rejects in Path("graphkit-rejects").glob("*.txt") if Path("graphkit-rejects").is_dir() else []:
        assert password not in rejects.read_text()
    # the process list while a load runs: the password is only in the environment
    child = start_cli_process(
        "load",
        "records",
        str(path),
        env={"GRAPHKIT_STORE": neo4j_uri},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.5)
        listing = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    finally:
        child.wait(timeout=120)
    assert password not in listing


@pytest.mark.neo4j
def test_local_neo4j_listens_on_loopback_with_auth(neo4j_uri: str) -> None:
    port = urlparse(neo4j_uri).port
    listening = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True).stdout
    addresses = {m.group(1) for m in re.finditer(r"\s(\S+):(\d+)\s", listening) if int(m.group(2)) == port}
    assert addresses, listening
    assert addresses <= {"127.0.0.1", "[::ffff:127.0.0.1]", "[::1]"}, addresses
    proc = run_cli("stats", "--store", neo4j_uri, env={"NEO4J_PASSWORD": "not-the-password"}, check=False)
    assert proc.returncode == 1 and "authentication failed" in proc.stderr
