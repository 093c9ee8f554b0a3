"""`graphkit analyze`: communities, centrality and components of a projection, written back,
on both stores; checked against planted communities and against networkx run directly."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from math import comb
from pathlib import Path

import networkx as nx
import pytest
import query_fixture as fx
from helpers import Store, neo4j_test_uri

from graphkit import export
from graphkit.analysis.algorithms import Settings
from graphkit.analysis.centrality import betweenness
from graphkit.analysis.compact import CompactGraph
from graphkit.analysis.louvain import louvain
from graphkit.analysis.run import analyze
from graphkit.backends.base import Backend
from graphkit.backends.store import StoreOptions, clear_neo4j, open_store
from graphkit.ingest.sink import write_records
from graphkit.model.records import EdgeRecord, NodeRecord, to_json
from graphkit.query import subgraph
from graphkit.query.catalogue import catalogue, run_query

GROUPS, CLIENTS, NAMES = 4, 20, 12  # planted: 4 groups of 20 clients, each group with its own 12 names


def planted_records(seed: int = 3) -> tuple[list[EdgeRecord], dict[str, int]]:
    """A lookup graph of planted groups: each client looks up 6 of its group's names and, one
    time in three, one name of another group. Returns the lookups and each client's group."""
    rng = random.Random(seed)
    truth, records = {}, []
    for group in range(GROUPS):
        names = [f"n{i}.group{group}.example" for i in range(NAMES)]
        for c in range(CLIENTS):
            client = f"10.{group}.0.{c + 1}"
            truth[client] = group
            asked = rng.sample(names, 6)
            if rng.random() < 1 / 3:
                asked.append(f"n{rng.randrange(NAMES)}.group{(group + 1 + rng.randrange(GROUPS - 1)) % GROUPS}.example")
            for name in asked:
                props = {"qtype": "A", "day": "2016-05-04", "count": rng.randint(1, 9)}
                records.append(EdgeRecord("LOOKED_UP", "IPAddress", client, "Domain", name, props))
    return records, truth


def planted(path: Path, seed: int = 3) -> dict[str, int]:
    """The planted groups as a records file; returns each client's group."""
    records, truth = planted_records(seed)
    path.write_text("".join(to_json(r) + "\n" for r in records), encoding="utf-8")
    return truth


def adjusted_rand_index(a: list[int], b: list[int]) -> float:
    pairs = Counter(zip(a, b))
    index = sum(comb(n, 2) for n in pairs.values())
    rows = sum(comb(n, 2) for n in Counter(a).values())
    cols = sum(comb(n, 2) for n in Counter(b).values())
    expected = rows * cols / comb(len(a), 2)
    return (index - expected) / ((rows + cols) / 2 - expected)


def _written(store: Store, prop: str) -> dict[str, object]:
    rows = store.query(f"MATCH (n:IPAddress) WHERE n.{prop} IS NOT NULL RETURN n.address, n.{prop}")
    return {address: value for address, value in rows}


def test_planted_communities_are_found_and_written_back(store: Store, tmp_path: Path) -> None:
    truth = planted(tmp_path / "planted.jsonl")
    store.cli("load", "records", str(tmp_path / "planted.jsonl"))
    proc = store.cli("analyze", "communities", "--seed", "7")
    assert "written: 80 nodes, as analysis:co-lookup:communities" in proc.stderr
    found = _written(store, "community")
    assert set(found) == set(truth)
    clients = sorted(truth)
    assert adjusted_rand_index([truth[c] for c in clients], [int(found[c]) for c in clients]) >= 0.9  # type: ignore[call-overload]
    sizes = _written(store, "community_size")
    assert all(sizes[c] == Counter(found.values())[found[c]] for c in clients)
    sources = store.query("MATCH (s:Source) WHERE s.kind = 'analysis' RETURN s.id, s.path, s.records")
    assert sources == [["analysis:co-lookup:communities", "co-lookup", 80]]
    assert set(_written(store, "community_source").values()) == {"analysis:co-lookup:communities"}


def test_a_rerun_replaces_the_values_and_leaves_none_stale(store: Store, tmp_path: Path) -> None:
    planted(tmp_path / "planted.jsonl")
    store.cli("load", "records", str(tmp_path / "planted.jsonl"))
    store.cli("analyze", "communities", "--seed", "7")
    first = _written(store, "community")
    store.cli("analyze", "communities", "--seed", "7")
    assert _written(store, "community") == first
    assert len(store.query("MATCH (s:Source) WHERE s.kind = 'analysis' RETURN s.id")) == 1
    # no name has at most one client: the projection is empty, and so is what the run leaves
    proc = store.cli("analyze", "communities", "--max-members", "1")
    assert "co-lookup: 0 nodes, 0 edges" in proc.stderr
    assert _written(store, "community") == {} and _written(store, "community_source") == {}
    store.cli("analyze", "communities", "--dry-run", "--seed", "7")
    assert _written(store, "community") == {}, "a dry run writes nothing"
    for bad in (["centrality", "--samples", "1"], ["communities", "--resolution", "0"], ["similarity", "--top", "0"]):
        proc = store.cli("analyze", *bad, check=False)
        assert proc.returncode == 2 and "Invalid value" in proc.stderr, bad


def test_sampled_betweenness_and_louvain_match_networkx_on_a_random_graph() -> None:
    rng = random.Random(5)
    graph = CompactGraph()
    for _ in range(600):
        a, b = rng.sample(range(150), 2)
        graph.add(
            graph.node("IPAddress", f"10.0.{a // 100}.{a % 100}"),
            graph.node("IPAddress", f"10.0.{b // 100}.{b % 100}"),
            rng.random(),
        )
    graph.node("IPAddress", "99.9.9.9")  # no edges, and last in key order
    graph.finished()
    indptr, neighbours, weights = graph.adjacency()
    assert indptr[-1] == indptr[-2], "the last node has no neighbours"
    reference = graph.networkx()  # nodes added in id order: networkx draws the same sample for a seed
    estimate = betweenness(indptr, neighbours, samples=30, seed=9)
    expected = nx.betweenness_centrality(reference, k=30, seed=9)
    assert max(abs(estimate[node] - value) for node, value in expected.items()) < 1e-12
    assert not all(estimate == betweenness(indptr, neighbours, samples=30, seed=10)), "the seed draws the sample"

    membership = louvain(indptr, neighbours, weights, seed=4).tolist()
    assert membership == louvain(indptr, neighbours, weights, seed=4).tolist()
    groups: dict[int, set[int]] = {}
    for node, community in enumerate(membership):
        groups.setdefault(community, set()).add(node)
    ours = nx.community.modularity(reference, groups.values())
    theirs = nx.community.modularity(reference, nx.community.louvain_communities(reference, weight="weight", seed=4))
    assert ours > 0.3 and ours >= theirs - 0.02, (ours, theirs)


def test_pagerank_and_components_agree_with_networkx_on_the_same_edges(store: Store, tmp_path: Path) -> None:
    planted(tmp_path / "planted.jsonl")
    store.cli("load", "records", str(tmp_path / "planted.jsonl"))
    backend = store.open()
    try:
        centrality = analyze(backend, "centrality", "co-lookup", Settings())
        parts = analyze(backend, "components", "whole", Settings())
    finally:
        backend.close()
    graph = nx.Graph()
    graph.add_weighted_edges_from(
        (centrality.graph.refs[a][1], centrality.graph.refs[b][1], w) for a, b, w in centrality.graph.edges()
    )
    expected = nx.pagerank(graph, weight="weight", tol=1e-12, max_iter=500)
    stored = _written(store, "pagerank")
    assert set(stored) == set(expected)
    assert all(abs(float(stored[k]) - expected[k]) < 1e-9 for k in expected)  # type: ignore[arg-type]
    between = nx.betweenness_centrality(graph)  # 80 clients, under --samples: exact
    stored = _written(store, "betweenness")
    assert max(between.values()) > 0
    assert all(abs(float(stored[k]) - between[k]) < 1e-12 for k in between)  # type: ignore[arg-type]

    whole = nx.Graph()
    whole.add_nodes_from(parts.graph.refs)
    whole.add_edges_from((parts.graph.refs[a], parts.graph.refs[b]) for a, b, _ in parts.graph.edges())
    components = {frozenset(c) for c in nx.connected_components(whole)}
    by_number: dict[int, set[tuple[str, str]]] = {}
    for node, values in parts.results.items():
        by_number.setdefault(values["component"], set()).add(parts.graph.refs[node])
    assert {frozenset(c) for c in by_number.values()} == components
    cores = nx.core_number(whole)
    assert all(parts.results[parts.graph.ids[ref]]["core"] == core for ref, core in cores.items())
    written = store.query("MATCH (n:IPAddress) WHERE n.component IS NOT NULL RETURN n.address, n.component, n.core")
    assert len(written) == sum(1 for label, _ in parts.graph.refs if label == "IPAddress") > 0
    assert store.query("MATCH (n:Domain) WHERE n.name = 'n0.group0.example' RETURN n.name") == [["n0.group0.example"]]
    for name, component, core in written:
        assert (component, core) == (
            parts.results[parts.graph.ids[("IPAddress", name)]]["component"],
            cores[("IPAddress", name)],
        )


@pytest.mark.neo4j
def test_the_same_seed_gives_the_same_communities_on_both_stores(neo4j_uri: str, tmp_path: Path) -> None:
    path = tmp_path / "planted.jsonl"
    planted(path, seed=11)
    clear_neo4j(neo4j_uri)
    found = []
    for location in (str(tmp_path / "graph.lbdb"), neo4j_uri):
        Store("", location).cli("load", "records", str(path))
        backend = open_store(StoreOptions(location))
        try:
            outcome = analyze(backend, "communities", "co-lookup", Settings(seed=5), write=False)
        finally:
            backend.close()
        found.append({outcome.graph.refs[n]: v["community"] for n, v in outcome.results.items()})
    assert found[0] == found[1] and len(found[0]) == GROUPS * CLIENTS


def test_infrastructure_links_domains_by_what_few_share(store: Store, tmp_path: Path) -> None:
    """Two operators' domains: each set shares a name server and an address among itself; all
    share a big hoster's name server (more members than --max-members) and a privacy relay's
    email, which link nobody."""
    records = [NodeRecord("Email", "relay@privacy.example", {"is_proxy": True})]
    sets = {"a": [f"a{i}.example" for i in range(4)], "b": [f"b{i}.example" for i in range(4)]}
    for tag, domains in sets.items():
        for domain in domains:
            records += [
                EdgeRecord("USES_NAMESERVER", "Domain", domain, "Domain", f"ns1.{tag}-dns.example", {}),
                EdgeRecord("RESOLVES_TO", "Domain", domain, "IPAddress", f"192.0.2.{ord(tag)}", {}),
                EdgeRecord("USES_NAMESERVER", "Domain", domain, "Domain", "ns1.bighost.example", {}),
                EdgeRecord(
                    "HAS_CONTACT_EMAIL", "Domain", domain, "Email", "relay@privacy.example", {"role": "registrant"}
                ),
            ]
    path = tmp_path / "infrastructure.jsonl"
    path.write_text("\n".join(to_json(r) for r in records) + "\n", encoding="utf-8")
    store.cli("load", "records", str(path))
    backend = store.open()
    try:
        outcome = analyze(backend, "components", "infrastructure", Settings(), {"max_members": 5})
    finally:
        backend.close()
    refs = outcome.graph.refs
    written = store.query("MATCH (d:Domain) WHERE d.component IS NOT NULL RETURN d.name, d.component, d.core")
    assert {name: (c, k) for name, c, k in written} == {
        refs[node][1]: (values["component"], values["core"]) for node, values in outcome.results.items()
    }, "results on domains are written back"
    pairs = {(refs[a][1], refs[b][1]): w for a, b, w in outcome.graph.edges()}
    linked = {pair for pair in pairs if pair[0][0] != pair[1][0]}
    assert not linked, f"joined across operators through the big hoster or the privacy relay: {linked}"
    assert len(pairs) == 2 * comb(4, 2)
    # a name server and an address, each shared by 4: 1/3 each
    assert all(abs(w - 2 / 3) < 1e-9 for w in pairs.values())
    by_component: dict[int, set[str]] = {}
    for node, values in outcome.results.items():
        by_component.setdefault(values["component"], set()).add(refs[node][1])
    assert sorted(map(sorted, by_component.values())) == sorted(map(sorted, sets.values()))


def test_similarity_keeps_each_clients_most_alike_by_jaccard_and_a_rerun_replaces_them(
    store: Store, tmp_path: Path
) -> None:
    rng = random.Random(5)
    names = [f"n{i}.example" for i in range(30)]
    asked = {f"10.9.0.{c}": set(rng.sample(names, rng.randint(2, 8))) for c in range(1, 26)}
    lines = [
        to_json(
            EdgeRecord(
                "LOOKED_UP", "IPAddress", client, "Domain", name, {"qtype": "A", "day": "2016-05-04", "count": 1}
            )
        )
        for client, looked_up in asked.items()
        for name in sorted(looked_up)
    ]
    (tmp_path / "lookups.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    store.cli("load", "records", str(tmp_path / "lookups.jsonl"))
    top, floor = 3, 0.2
    expected = set()
    for client, mine in asked.items():
        scores = [
            (len(mine & theirs) / len(mine | theirs), other) for other, theirs in asked.items() if other != client
        ]
        kept = sorted(((s, o) for s, o in scores if s >= floor), key=lambda x: (-x[0], x[1]))[:top]
        expected |= {(client, other, round(score, 6)) for score, other in kept}
    for _ in range(2):  # the second run replaces the first's relationships
        store.cli("analyze", "similarity", "--top", str(top), "--min-score", str(floor))
        found = store.query("MATCH (a:IPAddress)-[r:SIMILAR_TO]->(b:IPAddress) RETURN a.address, b.address, r.score")
        assert len(found) == len(expected), "one relationship per kept pair, none left from the first run"
        # ties are broken by the other client's key on both sides
        assert {(a, b, round(s, 6)) for a, b, s in found} == expected


# -- the canned queries over analysis results ----------------------------------------------------

ANALYSIS_QUERIES: dict[str, list[dict[str, object]]] = {
    "community-members": [{"key": "217.12.96.15"}, {"key": "167.73.110.8", "limit": 3}],
    "similar-clients": [{"client": "217.12.96.15"}, {"client": "167.73.110.8"}],
    "central-nodes": [{}, {"score": "betweenness", "limit": 5}, {"community": 0}],
    "bridges": [{}, {"limit": 3, "max_sharers": 15}],
}


def _analysed(backend: Backend) -> Backend:
    fx.load(backend)
    planted_source = NodeRecord("Source", "planted.jsonl", {"kind": "records", "path": "planted.jsonl"})
    write_records([planted_source, *planted_records()[0]], backend, "planted.jsonl")  # groups for bridges to join
    for name in ("communities", "centrality", "similarity"):
        analyze(backend, name, "co-lookup", Settings())
    return backend


@pytest.fixture(scope="module")
def analysed_embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    backend = Store("embedded", str(tmp_path_factory.mktemp("analysed") / "graph.lbdb")).open()
    yield _analysed(backend)
    backend.close()


@pytest.fixture(scope="module")
def analysed_neo4j() -> Iterator[Backend]:
    uri = neo4j_test_uri()
    clear_neo4j(uri)
    backend = Store("neo4j", uri).open()
    yield _analysed(backend)
    backend.close()


def test_the_analysis_queries_are_the_ones_that_need_an_analysis() -> None:
    assert set(ANALYSIS_QUERIES) == {name for name, query in catalogue().items() if query.needs}


@pytest.mark.neo4j
@pytest.mark.parametrize("name", sorted(ANALYSIS_QUERIES))
def test_analysis_queries_give_the_same_rows_on_both_stores(
    name: str, analysed_embedded: Backend, analysed_neo4j: Backend
) -> None:
    for params in ANALYSIS_QUERIES[name]:
        embedded = run_query(analysed_embedded, name, params)
        neo4j = run_query(analysed_neo4j, name, params)
        assert embedded.rows == neo4j.rows, params
        assert embedded.rows, f"{name} {params}: no rows, so nothing was compared"


def test_community_members_show_the_names_that_tie_them(analysed_embedded: Backend) -> None:
    result = run_query(analysed_embedded, "community-members", {"key": "217.12.96.15"})
    rows = [dict(zip(result.columns, row)) for row in result.rows]
    members = {row["member"] for row in rows}
    assert {"217.12.96.15", "217.12.97.15"} <= members, "the bank's two resolvers are in one co-lookup community"
    (bank,) = [row for row in rows if row["member"] == "217.12.96.15"]
    looked_up = {
        r[0]
        for r in analysed_embedded.query(
            "MATCH (:IPAddress {address: '217.12.96.15'})-[:LOOKED_UP]->(d:Domain) RETURN DISTINCT d.name"
        ).rows
    }
    assert bank["shared_names"] and set(bank["shared_names"]) <= looked_up
    assert bank["size"] == len(members) or len(members) == 100


def test_bridges_reach_other_communities_through_names_few_clients_share(analysed_embedded: Backend) -> None:
    def rows(params: dict[str, object]) -> list[dict[str, object]]:
        result = run_query(analysed_embedded, "bridges", params)
        return [dict(zip(result.columns, row)) for row in result.rows]

    def clients_of(name: str) -> dict[str, int | None]:
        found = analysed_embedded.query(
            "MATCH (c)-[:LOOKED_UP]->(d:Domain {name: $name}) RETURN DISTINCT c.address, c.community", {"name": name}
        )
        return dict(found.rows)

    bridges = rows({})
    assert bridges and [b["betweenness"] for b in bridges] == sorted((b["betweenness"] for b in bridges), reverse=True)
    for bridge in bridges:
        assert bridge["community"] not in bridge["communities"] and bridge["reaches"] == len(bridge["communities"])  # type: ignore[arg-type]
        reached = set()
        for name in bridge["names"]:  # type: ignore[attr-defined]
            sharers = clients_of(name)
            assert bridge["bridge"] in sharers and len(sharers) <= 50
            reached |= {c for c in sharers.values() if c is not None and c != bridge["community"]}
        assert reached == set(bridge["communities"])  # type: ignore[arg-type]
    strict = rows({"max_sharers": 3})
    assert all(len(clients_of(name)) <= 3 for b in strict for name in b["names"])  # type: ignore[attr-defined]
    assert len(strict) < len(bridges) or sum(len(b["names"]) for b in strict) < sum(len(b["names"]) for b in bridges)  # type: ignore[arg-type,misc]


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_exports_carry_the_community_as_gephis_modularity_class(
    fmt: str, analysed_embedded: Backend, tmp_path: Path
) -> None:
    graph = subgraph.whole_graph(analysed_embedded)
    path = tmp_path / f"graph.{fmt}"
    export.write(graph, path, fmt)
    read = nx.read_gexf(path) if fmt == "gexf" else nx.read_graphml(path)
    expected = {
        f"{label}:{key}": props["community"] for (label, key), props in graph.nodes.items() if "community" in props
    }
    assert len(set(expected.values())) > 1
    found = {node: attrs["modularity_class"] for node, attrs in read.nodes(data=True) if "modularity_class" in attrs}
    assert found == expected


def test_communities_of_two_runs_get_apart_modularity_classes(store: Store, tmp_path: Path) -> None:
    records, _ = planted_records()
    for tag in "ab":  # two operators' domains, each set sharing a name server
        records += [
            EdgeRecord("USES_NAMESERVER", "Domain", f"{tag}{i}.example", "Domain", f"ns1.{tag}-dns.example", {})
            for i in range(4)
        ]
    (tmp_path / "both.jsonl").write_text("".join(to_json(r) + "\n" for r in records), encoding="utf-8")
    store.cli("load", "records", str(tmp_path / "both.jsonl"))
    store.cli("analyze", "communities")
    store.cli("analyze", "communities", "--projection", "infrastructure")
    graph = store.whole_graph()
    export.write(graph, tmp_path / "both.gexf", "gexf")
    read = nx.read_gexf(tmp_path / "both.gexf")
    runs: dict[tuple[str, int], set[int]] = {}
    for _, attrs in read.nodes(data=True):
        if "community" in attrs:
            runs.setdefault((attrs["community_source"], attrs["community"]), set()).add(attrs["modularity_class"])
    assert {source for source, _ in runs} == {"analysis:co-lookup:communities", "analysis:infrastructure:communities"}
    assert all(len(classes) == 1 for classes in runs.values()), "one class per community"
    assert len({min(classes) for classes in runs.values()}) == len(runs), "no two communities share a class"


def test_an_analysis_query_on_a_store_without_the_analysis_says_what_to_run(store: Store, tmp_path: Path) -> None:
    planted(tmp_path / "planted.jsonl")
    store.cli("load", "records", str(tmp_path / "planted.jsonl"))
    proc = store.cli("query", "run", "similar-clients", "-p", "client=10.0.0.1")
    assert "no `graphkit analyze similarity` has been run on this store" in proc.stderr
    store.cli("analyze", "similarity")
    proc = store.cli("query", "run", "similar-clients", "-p", "client=10.0.0.1")
    assert "analyze" not in proc.stderr and "10.0.0." in proc.stdout
