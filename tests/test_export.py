"""`graphkit export`: choosing a subgraph, and every format read back as its readers read it.

Expected subgraphs come from the fixture's tables (tests/query_fixture.py); round trips
read the files with networkx, apply the Cypher script to an empty Neo4j, and import the
bulk CSVs with the real neo4j-admin into a fresh database.
"""

from __future__ import annotations

import csv
import json
import os
import re
import socket
import subprocess
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import query_fixture as fx
from helpers import ROOT, Store, run_cli

from graphkit.backends.neo4j import Neo4jBackend
from graphkit.backends.store import StoreOptions, clear_neo4j, open_store
from graphkit.ingest.sink import write_records
from graphkit.model import names
from graphkit.model.records import EdgeRecord, NodeRecord
from graphkit.model.schema import SCHEMA, PropType
from graphkit.query import subgraph
from graphkit.query.stats import graph_stats
from graphkit.query.subgraph import Subgraph

LIST_PROPS = {p.name for n in SCHEMA.nodes for p in n.props if p.type is PropType.STRING_LIST} | {
    p.name for r in SCHEMA.rels for p in r.props if p.type is PropType.STRING_LIST
}


def _load(store: Store, extra: list[Any] | None = None) -> Store:
    backend = store.open()
    try:
        fx.load(backend)
        if extra:
            write_records(extra, backend)
    finally:
        backend.close()
    return store


def _build(store: Store, how: str, *args: Any) -> Subgraph:
    backend = store.open(read_only=True)
    try:
        if how == "around":
            return subgraph.around(backend, *args)
        from graphkit.query.catalogue import get_query, run_query

        query = get_query(args[0])
        bound = query.bind(args[1])
        return subgraph.from_rows(backend, run_query(backend, query, bound), bound)
    finally:
        backend.close()


def _edges(graph: Subgraph) -> Counter[tuple[str, str, str]]:
    return Counter((r.type, subgraph.node_id(r.start), subgraph.node_id(r.end)) for r in graph.relationships)


# -- choosing the subgraph --------------------------------------------------------------


def test_around_an_asn_is_its_ego_network(store: Store) -> None:
    _load(store)
    graph = _build(store, "around", "AS15632", 1, 50)
    prefixes = sorted(c for c, asn in fx.ANNOUNCEMENTS.items() if asn == 15632)
    operator = names.organization_key(fx.ASN_OPERATORS[15632][1])
    expected_nodes = {("ASN", 15632), ("Organization", operator)} | {("Netblock", c) for c in prefixes}
    assert set(graph.nodes) == expected_nodes
    expected = Counter({("ANNOUNCED_BY", f"Netblock:{c}", "ASN:15632"): 1 for c in prefixes})
    expected[("OPERATED_BY", "ASN:15632", f"Organization:{operator}")] = 1
    for cidr, holder in fx.ALLOCATIONS.items():  # relationships among the chosen nodes count too
        if cidr in prefixes and names.organization_key(holder) == operator:
            expected[("ALLOCATED_TO", f"Netblock:{cidr}", f"Organization:{operator}")] = 1
    assert _edges(graph) == expected
    assert graph.nodes[("ASN", 15632)]["name"] == fx.ASN_OPERATORS[15632][0]


def test_around_keeps_to_the_node_limit(store: Store) -> None:
    _load(store)
    graph = _build(store, "around", fx.MAIL1, 3, 12)
    assert len(graph.nodes) == 12
    assert ("Domain", fx.MAIL1) in graph.nodes
    assert all(r.start in graph.nodes and r.end in graph.nodes for r in graph.relationships)


def test_neighborhood_rows_bring_every_parallel_relationship(store: Store) -> None:
    _load(store)
    graph = _build(store, "query", "neighborhood", {"key": fx.MAIL1, "hops": "1", "limit": "50"})
    mail = f"Domain:{fx.MAIL1}"
    expected: Counter[tuple[str, str, str]] = Counter()
    for lookup in fx.LOOKUPS:  # each day and qtype is its own relationship
        if lookup.name == fx.MAIL1:
            expected[("LOOKED_UP", f"IPAddress:{lookup.client}", mail)] += 1
    for address, *_ in fx.A_RECORDS[fx.MAIL1]:
        expected[("RESOLVES_TO", mail, f"IPAddress:{address}")] += 1
    for address, (name, *_) in fx.PTR_RECORDS.items():
        if name == fx.MAIL1:
            expected[("POINTER_TO", f"IPAddress:{address}", mail)] += 1
    for domain, hosts in fx.MAIL_SERVERS.items():
        if fx.MAIL1 in hosts:
            expected[("USES_MAIL_SERVER", f"Domain:{domain}", mail)] += 1
    registered = names.suffixes(fx.MAIL1)[0]
    expected[("SUBDOMAIN_OF", mail, f"Domain:{registered}")] += 1
    assert _edges(graph) == expected
    counts = sorted(r.props["count"] for r in graph.relationships if r.type == "LOOKED_UP")
    assert counts == sorted(lk.count for lk in fx.LOOKUPS if lk.name == fx.MAIL1)


def test_path_rows_bring_the_relationships_of_each_step(store: Store) -> None:
    _load(store)
    graph = _build(store, "query", "path-between", {"from": "217.12.96.15", "to": fx.LISTRAK, "max_hops": "6"})
    lookups = sum(1 for lk in fx.LOOKUPS if lk.client == "217.12.96.15" and lk.name == fx.MAIL1)
    edges = _edges(graph)
    assert edges[("LOOKED_UP", "IPAddress:217.12.96.15", f"Domain:{fx.MAIL1}")] == lookups
    assert (
        edges[("ATTRIBUTED_TO", "IPAddress:66.216.133.29", f"Organization:{names.organization_key(fx.LISTRAK)}")] == 1
    )
    assert ("Organization", "listrak") in graph.nodes and ("IPAddress", "217.12.96.15") in graph.nodes


def test_rows_of_plain_values_give_the_entities_and_their_relationships(store: Store) -> None:
    _load(store)
    graph = _build(store, "query", "cohosted", {"target": "66.216.133.29"})
    names_on_address = {n for n, rows in fx.A_RECORDS.items() if any(a == "66.216.133.29" for a, *_ in rows)}
    for name in names_on_address:
        assert ("RESOLVES_TO", f"Domain:{name}", "IPAddress:66.216.133.29") in _edges(graph)


def test_paths_and_nodes_returned_by_a_query_of_ones_own(store: Store, tmp_path: Path) -> None:
    _load(store)
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "served-names.cypher").write_text(
        "// name: served-names\n// title: Names on an address, as paths\n// params:\n//   address: string -- an IP\n"
        "// columns:\n//   p -- the path\n//   d -- the name\n"
        "MATCH p = (d:Domain)-[:RESOLVES_TO]->(a:IPAddress) WHERE a.address = $address RETURN p, d ORDER BY d.name\n",
        encoding="utf-8",
    )
    out = tmp_path / "paths.json"
    store.cli(
        "export",
        "--query",
        "served-names",
        "-p",
        "address=66.216.133.29",
        "--queries",
        str(folder),
        "-o",
        str(out),
    )
    data = json.loads(out.read_text(encoding="utf-8"))
    served = {n for n, rows in fx.A_RECORDS.items() if any(a == "66.216.133.29" for a, *_ in rows)}
    assert {(e["_type"], e["_from"], e["_to"]) for e in data["edges"]} == {
        ("RESOLVES_TO", f"Domain:{n}", "IPAddress:66.216.133.29") for n in served
    }
    first_seen = {e["_from"]: e.get("first_seen") for e in data["edges"]}
    assert first_seen == {f"Domain:{n}": fx.A_RECORDS[n][0][1] for n in served}
    assert {n["_id"] for n in data["nodes"]} == {f"Domain:{n}" for n in served} | {"IPAddress:66.216.133.29"}


# -- networkx round trips ------------------------------------------------------------------


def _tricky() -> Subgraph:
    """Values that break naive writers: markup, quotes, separators, line breaks, non-ASCII."""
    graph = Subgraph()
    nasty = "a'b\"c`d {e} // f;\ng\r\nh\t<i>&amp; MATCH (n) DETACH DELETE n \\ \\u0041 \\' é 😀 \x01"
    graph.add_node(
        "Domain", "xn--e1afmkfd.example", {"status": ["ok", nasty], "privacy_service": nasty, "sources": ["s;1", "s|2"]}
    )
    graph.add_node(
        "Organization", "o'brien & co", {"name": "O'Brien & Co <script>", "aliases": ["O'Brien", "OBRIEN, INC."]}
    )
    graph.add_node("ASN", 4_200_000_001, {"name": "BIG-AS", "country": "ZZ"})
    graph.add_node("Email", "x@y.example", {"is_proxy": True})
    domain, org = ("Domain", "xn--e1afmkfd.example"), ("Organization", "o'brien & co")
    graph.add_relationship("REGISTERED_BY", domain, org, {"contact_name": nasty, "sources": ["whois"]})
    graph.add_relationship("HAS_CONTACT_EMAIL", domain, ("Email", "x@y.example"), {"role": "registrant"})
    graph.add_relationship("HAS_CONTACT_EMAIL", domain, ("Email", "x@y.example"), {"role": "technical"})
    graph.add_relationship("OPERATED_BY", ("ASN", 4_200_000_001), org, {"first_seen": "2020-01-01T00:00:00Z"})
    return graph


def _as_xml(value: Any) -> Any:
    """What XML gives back (the documented convention): LF line breaks, U+FFFD for what it cannot hold."""
    if isinstance(value, str):
        return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "\ufffd", value.replace("\r\n", "\n").replace("\r", "\n"))
    return value


def _expected_nodes(graph: Subgraph, xml: bool = False) -> dict[str, dict[str, Any]]:
    return {
        f"{label}:{key}": {"_label": label, **{k: _as_xml(v) if xml else v for k, v in props.items()}}
        for (label, key), props in graph.nodes.items()
    }


def _expected_edges(graph: Subgraph, xml: bool = False) -> Counter[str]:
    return Counter(
        json.dumps(
            [
                f"{r.start[0]}:{r.start[1]}",
                f"{r.end[0]}:{r.end[1]}",
                r.type,
                {k: _as_xml(v) if xml else v for k, v in r.props.items()},
            ],
            sort_keys=True,
        )
        for r in graph.relationships
    )


def _decoded(data: dict[str, Any], renamed: dict[str, str] | None = None) -> dict[str, Any]:
    """Attributes as properties: the file's convention undone (lists as JSON text, reserved names)."""
    out = {}
    for name, value in data.items():
        name = (renamed or {}).get(name, name)
        out[name] = json.loads(value) if name in LIST_PROPS and isinstance(value, str) else value
    return out


def _read(path: Path, fmt: str) -> tuple[dict[str, dict[str, Any]], Counter[str]]:
    renamed: dict[str, str] = {}
    if fmt == "graphml":
        graph = nx.read_graphml(path)
    elif fmt == "gexf":
        graph = nx.read_gexf(path)
        renamed = {"key_": "key", "id_": "id", "weight_": "weight"}
    else:
        data = json.loads(path.read_text(encoding="utf-8"))
        graph = nx.node_link_graph(data, source="_from", target="_to", name="_id", key="_key", edges="edges")
    assert isinstance(graph, nx.MultiDiGraph)
    nodes = {}
    for node_id, data in graph.nodes(data=True):
        attrs = {k: v for k, v in data.items() if k != "label"}  # the caption
        nodes[node_id] = _decoded(attrs, renamed)
    edges: Counter[str] = Counter()
    for start, end, data in graph.edges(data=True):
        attrs = {k: v for k, v in data.items() if k not in ("label", "_type", "id")}
        edges[json.dumps([start, end, data["_type"], _decoded(attrs, renamed)], sort_keys=True)] += 1
    return nodes, edges


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
def test_networkx_reads_back_the_same_subgraph(fmt: str, tmp_path: Path) -> None:
    from graphkit import export

    graph = _tricky()
    path = tmp_path / f"out.{fmt}"
    export.write(graph, path, fmt, "tricky")
    nodes, edges = _read(path, fmt)
    assert nodes == _expected_nodes(graph, xml=fmt != "json")
    assert edges == _expected_edges(graph, xml=fmt != "json")


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
def test_cli_export_round_trips_the_case(store: Store, fmt: str, tmp_path: Path) -> None:
    _load(store)
    path = tmp_path / f"case.{fmt}"
    picture = fmt in ("graphml", "gexf")  # merged unless --expand: here every relationship is read back
    store.cli(
        "export", "--around", fx.MAIL1, "--hops", "2", "--limit", "40", "-o", str(path), *(["--expand"] * picture)
    )
    expected = _build(store, "around", fx.MAIL1, 2, 40)
    nodes, edges = _read(path, fmt)
    assert nodes == _expected_nodes(expected)
    assert edges == _expected_edges(expected)
    looked_up = [json.loads(e)[3] for e in edges if json.loads(e)[2] == "LOOKED_UP"]
    assert len(looked_up) > len(
        {(json.loads(e)[0], json.loads(e)[1]) for e in edges if json.loads(e)[2] == "LOOKED_UP"}
    )
    if picture:  # by default: one edge per type and pair, carrying the sum
        store.cli("export", "--around", fx.MAIL1, "--hops", "2", "--limit", "40", "-o", str(path))
        drawn = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)  # no parallels: a DiGraph
        pairs = [(a, b, data["_type"]) for a, b, data in drawn.edges(data=True)]
        assert len(pairs) == len(set(pairs)) == len({tuple(json.loads(e)[:3]) for e in edges})
        total = sum(data.get("count", 0) for _, _, data in drawn.edges(data=True) if data["_type"] == "LOOKED_UP")
        assert total == sum(props.get("count", 0) for props in looked_up)


def test_csv_export_lists_nodes_and_relationships(tmp_path: Path) -> None:
    from graphkit import export

    graph = _tricky()
    files = export.write(graph, tmp_path / "out", "csv")
    with files[0].open(encoding="utf-8", newline="") as handle:
        nodes = {row["_id"]: row for row in csv.DictReader(handle)}
    with files[1].open(encoding="utf-8", newline="") as handle:
        rels = list(csv.DictReader(handle))
    assert set(nodes) == set(_expected_nodes(graph))
    domain = nodes["Domain:xn--e1afmkfd.example"]
    assert json.loads(domain["status"]) == graph.nodes[("Domain", "xn--e1afmkfd.example")]["status"]
    assert domain["privacy_service"] == graph.nodes[("Domain", "xn--e1afmkfd.example")]["privacy_service"]
    assert nodes["Email:x@y.example"]["is_proxy"] == "true"
    assert Counter((r["_from"], r["_to"], r["_type"]) for r in rels) == Counter(
        (json.loads(e)[0], json.loads(e)[1], json.loads(e)[2]) for e in _expected_edges(graph).elements()
    )


def test_format_follows_the_extension_and_bad_input_is_one_line(tmp_path: Path) -> None:
    from graphkit.export import format_for

    assert [format_for(Path(n)) for n in ("a.graphml", "a.GEXF", "a.json", "a.cypher", "a.cql", "a.html", "out")] == [
        "graphml", "gexf", "json", "cypher", "cypher", "html", "csv",
    ]  # fmt: skip
    store = str(tmp_path / "none.lbdb")
    for args, message in (
        (["-o", "x.graphml"], "choose the subgraph"),
        (["--around", "a.example"], "give the output file"),
        (["--all", "-o", str(tmp_path / "x.pdf")], "cannot tell the format"),
        (["--query", "nope", "-o", str(tmp_path / "x.json")], "no query named"),
        (["--around", "a.example", "-o", str(tmp_path / "x.json")], "no graph at"),
    ):
        proc = run_cli("export", *args, env={"GRAPHKIT_STORE": store}, check=False)
        assert proc.returncode == 1, proc.stderr
        assert message in proc.stderr and "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1


# -- the Cypher script ------------------------------------------------------------------------


def _statements(script: str) -> list[str]:
    """The script as cypher-shell reads it: statements end with ';', // lines are comments."""
    return [line[:-1] for line in script.splitlines() if line.strip() and not line.startswith("//")]


def _apply(uri: str, script: str) -> None:
    backend = open_store(StoreOptions(uri))
    try:
        for statement in _statements(script):
            backend.query(statement, write=True)
    finally:
        backend.close()


def _whole(location: str) -> Subgraph:
    backend = open_store(StoreOptions(location), read_only=True)
    try:
        return subgraph.whole_graph(backend)
    finally:
        backend.close()


@pytest.mark.neo4j
def test_cypher_script_recreates_the_subgraph_in_an_empty_neo4j(neo4j_uri: str, tmp_path: Path) -> None:
    from graphkit import export

    graph = _tricky()
    path = tmp_path / "out.cypher"
    export.write(graph, path, "cypher", "tricky")
    script = path.read_text(encoding="utf-8")
    code = [line for line in script.splitlines() if line and not line.startswith("//")]
    assert code and all(line.endswith(";") and line.count(";") == 1 for line in code)  # one statement a line
    clear_neo4j(neo4j_uri)
    _apply(neo4j_uri, script)
    _apply(neo4j_uri, script)  # MERGE: a second run changes nothing
    back = _whole(neo4j_uri)
    assert _expected_nodes(back) == _expected_nodes(graph)
    assert _expected_edges(back) == _expected_edges(graph)


@pytest.mark.neo4j
def test_cypher_script_of_the_case_from_the_embedded_store(neo4j_uri: str, tmp_path: Path) -> None:
    source = _load(Store("embedded", str(tmp_path / "g.lbdb")))
    path = tmp_path / "case.cypher"
    source.cli("export", "--all", "-o", str(path))
    clear_neo4j(neo4j_uri)
    _apply(neo4j_uri, path.read_text(encoding="utf-8"))
    back, original = _whole(neo4j_uri), _whole(source.location)
    assert _expected_nodes(back) == _expected_nodes(original)
    assert _expected_edges(back) == _expected_edges(original)


def test_cypher_string_literals_escape_everything_a_splitter_could_trip_on() -> None:
    from graphkit.export.cypher_script import literal

    text = literal('it\'s; // `x` "y" \\ \n{z}')
    assert text.startswith("'") and text.endswith("'")
    inner = text[1:-1]
    assert not re.search(r"[;`\n]|//", inner)
    assert not re.search(r"(?<!\\)['\"]", inner)  # quotes only escaped
    assert "{z}" in inner


# -- bulk CSVs for neo4j-admin ------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _installed_lib() -> Path | None:
    """Jars of a Neo4j that docker/neo4j-local installed already (shared, not downloaded again)."""
    for home in (os.environ.get("NEO4J_HOME"), str(ROOT / ".neo4j-local")):
        if home and (Path(home) / "lib" / ".neo4j-local-stamp").is_file():
            return Path(home) / "lib"
    return None


def _bulk(store: Store, out: Path, *extra: str) -> list[str]:
    stdout = store.cli("export", "bulk", "-o", str(out), *extra).stdout
    line = next(ln.strip() for ln in stdout.splitlines() if ln.strip().startswith("neo4j-admin database import"))
    import shlex

    return shlex.split(line)


def _sorted_lines(folder: Path) -> dict[str, list[str]]:
    return {p.name: sorted(p.read_text(encoding="utf-8").splitlines()[1:]) for p in sorted(folder.glob("*.csv"))}


def test_bulk_csvs_hold_the_whole_graph(store: Store, tmp_path: Path) -> None:
    _load(store)
    command = _bulk(store, tmp_path / "bulk")
    files = _sorted_lines(tmp_path / "bulk")
    stats = store.stats()
    assert sum(len(rows) for name, rows in files.items() if name.startswith("nodes-")) == sum(stats["nodes"].values())
    assert sum(len(rows) for name, rows in files.items() if name.startswith("relationships-")) == sum(
        stats["relationships"].values()
    )
    header = (tmp_path / "bulk" / "nodes-Domain.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("name:ID(Domain),") and "status:string[]" in header and header.endswith(",:LABEL")
    looked_up = (tmp_path / "bulk" / "relationships-LOOKED_UP-IPAddress-Domain.csv").read_text().splitlines()[0]
    assert looked_up.startswith(":START_ID(IPAddress),:END_ID(Domain),") and "count:long" in looked_up
    assert command[:5] == ["neo4j-admin", "database", "import", "full", "neo4j"]
    assert "--array-delimiter=U+001F" in command
    assert sorted(c for c in command if c.startswith("--nodes=")) == sorted(
        f"--nodes={tmp_path / 'bulk' / name}" for name in files if name.startswith("nodes-")
    )
    if store.kind == "neo4j":  # the same files as from the embedded store
        embedded = _load(Store("embedded", str(tmp_path / "g.lbdb")))
        _bulk(embedded, tmp_path / "bulk-embedded")
        assert _sorted_lines(tmp_path / "bulk-embedded") == files


def test_bulk_csvs_import_with_neo4j_admin_into_a_fresh_database(tmp_path: Path) -> None:
    """The real neo4j-admin of the Maven-assembled Neo4j, into a home of its own that shares
    the installed jars; then that home's server, started on free ports, is counted."""
    lib = _installed_lib()
    if lib is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but docker/neo4j-local has installed no Neo4j jars")
        pytest.skip("no installed docker/neo4j-local jars to share (run docker/neo4j-local install)")
    source = _load(Store("embedded", str(tmp_path / "g.lbdb")), _personal_records())
    command = _bulk(source, tmp_path / "bulk")
    home = tmp_path / "home"
    home.mkdir()
    (home / "lib").symlink_to(lib)
    env = {
        **os.environ,
        "NEO4J_HOME": str(home),
        "NEO4J_BOLT_PORT": str(_free_port()),
        "NEO4J_HTTP_PORT": str(_free_port()),
        "NEO4J_PASSWORD": "import-test-pw",
        "NEO4J_HEAP": "256m",
        "NEO4J_PAGECACHE": "64m",
    }
    script = str(ROOT / "docker" / "neo4j-local")
    imported = subprocess.run([script, "admin", *command[1:]], env=env, capture_output=True, text=True, timeout=300)
    assert imported.returncode == 0, imported.stdout[-3000:] + imported.stderr[-3000:]
    assert "IMPORT DONE" in imported.stdout + imported.stderr
    started = subprocess.run([script, "start"], env=env, capture_output=True, text=True, timeout=300)
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        backend = Neo4jBackend(f"bolt://127.0.0.1:{env['NEO4J_BOLT_PORT']}", "neo4j", "import-test-pw")
        try:
            assert graph_stats(backend) == source.stats()
            row = backend.query(
                "MATCH (a:ASN {number: 15632}) MATCH (e:Email {address: 'admin@cendyn.com'}) "
                "MATCH (d:Domain {name: 'hotel-client1.com'}) "
                "MATCH (:IPAddress {address: '217.12.96.15'})-[l:LOOKED_UP {day: '2016-05-04'}]->() "
                "RETURN a.number, e.is_proxy, d.redacted_roles, l.count, size(d.sources)"
            ).rows
            sources = _whole(source.location).nodes[("Domain", "hotel-client1.com")]["sources"]
            assert row == [[15632, False, ["registrant"], 400, len(sources)]]
            org = backend.query("MATCH (o:Organization {key: 'roe consulting'}) RETURN o.aliases").rows
            assert org == [[["Roe Consulting", "jane.roe@example.org; and a second line\nhere"]]]
        finally:
            backend.close()
    finally:
        subprocess.run([script, "stop"], env=env, capture_output=True, text=True, timeout=300)


# -- redaction ----------------------------------------------------------------------------------

PERSON = "Jane Q. Roe"
EMAILS_ELSEWHERE = "jane.roe@example.org"


def _personal_records() -> list[Any]:
    """Personal data where the loaders put it, and an address where nobody expects one."""
    return [
        EdgeRecord(
            "REGISTERED_BY", "Domain", "trump-email.com", "Organization", fx.TRUMP, {"contact_name": PERSON}, fx.WHOIS
        ),
        EdgeRecord(
            "ADMINISTERED_BY",
            "Domain",
            "contact-client.com",
            "Organization",
            fx.CENDYN,
            {"contact_name": "John Smith"},
            fx.WHOIS,
        ),
        NodeRecord(
            "Organization",
            "Roe Consulting",
            {"name": "Roe Consulting", "aliases": ["Roe Consulting", f"{EMAILS_ELSEWHERE}; and a second line\nhere"]},
            fx.WHOIS,
        ),
        EdgeRecord("REGISTERED_BY", "Domain", "hotel-client1.com", "Organization", "Roe Consulting", {}, fx.WHOIS),
    ]


def _secrets() -> list[str]:
    emails = [email for _, email, _, _ in fx.EMAILS] + [EMAILS_ELSEWHERE]
    return sorted(set(emails + [PERSON, "John Smith"]))


def test_redacted_exports_hold_no_email_or_person_name(store: Store, tmp_path: Path) -> None:
    _load(store, _personal_records())
    out = tmp_path / "out"
    for name in (
        "all.graphml",
        "all.gexf",
        "all.json",
        "all.cypher",
        "all.html",
        "all.stix.json",
        "all.misp.json",
        "all.mtgx",
        "csv",
    ):
        store.cli("export", "--all", "--redact", "-o", str(out / name), "--redact-key", "k1")
    store.cli("export", "--around", "admin@cendyn.com", "--hops", "2", "--redact", "-o", str(out / "around.json"))
    _bulk(store, out / "bulk", "--redact", "--redact-key", "k1")
    files = sorted(p for p in out.rglob("*") if p.is_file())
    assert len(files) >= 11 + 10
    for path in files:
        if path.suffix == ".mtgx":  # a zip: its graph
            with zipfile.ZipFile(path) as archive:
                text = archive.read("Graphs/Graph1.graphml").decode("utf-8").casefold()
        else:
            text = path.read_text(encoding="utf-8").casefold()
        for secret in _secrets():
            assert secret.casefold() not in text, f"{secret!r} in {path}"
            assert json.dumps(secret).casefold()[1:-1] not in text
    with (out / "bulk" / "nodes-Email.csv").open(encoding="utf-8") as handle:
        emails = {row["address:ID(Email)"] for row in csv.DictReader(handle)}
    with (out / "bulk" / "relationships-HAS_CONTACT_EMAIL-Domain-Email.csv").open(encoding="utf-8") as handle:
        assert {row[":END_ID(Email)"] for row in csv.DictReader(handle)} <= emails  # hashed alike everywhere
    hashed = re.findall(r"email-[0-9a-f]{12}@redacted\.invalid", (out / "all.json").read_text())
    assert len(set(hashed)) == len({e for _, e, _, _ in fx.EMAILS}) + 1
    assert re.search(r"person-[0-9a-f]{12}", (out / "all.cypher").read_text())


def test_redaction_is_stable_for_a_key_and_differs_across_keys(store: Store, tmp_path: Path) -> None:
    _load(store, _personal_records())
    for name, key in (("a.json", "k1"), ("b.json", "k1"), ("c.json", "k2")):
        store.cli("export", "--all", "--redact", "--redact-key", key, "-o", str(tmp_path / name))
    ids = {
        n: sorted(x["_id"] for x in json.loads((tmp_path / n).read_text())["nodes"])
        for n in ("a.json", "b.json", "c.json")
    }
    assert ids["a.json"] == ids["b.json"]
    assert ids["a.json"] != ids["c.json"]
    plain = run_cli(
        "export",
        "--all",
        "--redact",
        "-o",
        str(tmp_path / "d.json"),
        env={**store.env, "GRAPHKIT_STORE": store.location},
    )
    assert "public key" in plain.stderr
