"""Formats investigators share findings in: STIX 2.1 (the export passes the official validator,
with ids that repeat, and `graphkit load stix` reads a bundle back into the graph it came from,
on both stores) and Maltego graphs."""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import networkx as nx
import pytest
import query_fixture as fx
import stix2
from helpers import Store

from graphkit import export
from graphkit.backends.store import StoreOptions, open_store
from graphkit.demo.run import load_case
from graphkit.export import stix
from graphkit.model.stix import FIELDS
from graphkit.query import subgraph
from graphkit.query.subgraph import Subgraph

validator = pytest.importorskip("stix2validator", reason="the official STIX validator (test extra)")


@pytest.fixture(scope="module")
def fixture_graph(tmp_path_factory: pytest.TempPathFactory) -> Subgraph:
    """The query fixture (registration, hosting, lookups, certificates), whole."""
    backend = open_store(StoreOptions(str(tmp_path_factory.mktemp("stix") / "fx.lbdb")))
    try:
        fx.load(backend)
        return subgraph.whole_graph(backend)
    finally:
        backend.close()


@pytest.fixture(scope="module")
def demo_bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The demo's subgraph two hops around mail1.trump-email.com, as a bundle."""
    folder = tmp_path_factory.mktemp("demo")
    backend = open_store(StoreOptions(str(folder / "case.lbdb")))
    try:
        load_case(backend, rejects_dir=folder / "rejects")
        graph = subgraph.add_provenance(backend, subgraph.around(backend, "mail1.trump-email.com", hops=2))
    finally:
        backend.close()
    export.write(graph, folder / "around.stix.json", "stix")
    yield folder / "around.stix.json"


def _validated(path: Path) -> Any:
    results = validator.validate_file(str(path))
    errors = [f"{o.object_id}: {e}" for o in results.object_results for e in o.errors]
    assert results.is_valid and not errors, errors[:10]
    return results


def test_the_demo_bundle_passes_the_stix_validator(demo_bundle: Path) -> None:
    results = _validated(demo_bundle)
    warned = {(str(w).split("--")[0], str(w).split("{")[1][:3]) for o in results.object_results for w in o.warnings}
    # 103: ids of identities, relationships and observed-data are UUIDv5 (they repeat), not v4;
    # 401 on files: the validator takes a file's extensions for file extensions (archive-ext, ...)
    # and warns on the top-level property extension that declares x_graphkit_ properties
    assert {code for kind, code in warned if kind != "file"} <= {"103", "202", "305"}, warned
    assert {code for kind, code in warned if kind == "file"} <= {"401"}, warned
    objects = json.loads(demo_bundle.read_text())["objects"]
    types = {o["type"] for o in objects}
    assert {"domain-name", "ipv4-addr", "identity", "relationship", "observed-data", "email-addr"} <= types
    files = {o["id"]: o for o in objects if o["type"] == "file"}
    assert files and all(len(f["hashes"]["SHA-256"]) == 64 for f in files.values())
    named = [o for o in objects if o.get("x_graphkit_sources")]
    assert named and all(o["x_graphkit_source_refs"] and set(o["x_graphkit_source_refs"]) <= set(files) for o in named)
    assert {"ns1.cdcservices.com-queries.log", "whois-trump-email.com.txt"} <= {f["name"] for f in files.values()}
    mail1 = stix2.DomainName(value="mail1.trump-email.com").id
    lookups = [o for o in objects if o["type"] == "observed-data" and mail1 in o["object_refs"]]
    assert {o["x_graphkit_relationship"] for o in lookups} == {"LOOKED_UP"}
    assert sum(o["number_observed"] for o in lookups) == 3548  # the case's lookups of the name


def test_the_fixture_bundle_with_certificates_passes_too(fixture_graph: Subgraph, tmp_path: Path) -> None:
    path = tmp_path / "fx.stix.json"
    export.write(fixture_graph, path, "stix")
    _validated(path)
    objects = json.loads(path.read_text())["objects"]
    certificates = [o for o in objects if o["type"] == "x509-certificate"]
    assert certificates and all(o.get("hashes") or o.get("x_graphkit_fingerprint") for o in certificates)


def test_two_exports_have_the_same_ids(fixture_graph: Subgraph) -> None:
    first, _ = stix.bundle(fixture_graph)
    second, _ = stix.bundle(fixture_graph)
    ids = [o.id for o in first.objects]
    assert ids == [o.id for o in second.objects] and len(ids) == len(set(ids))
    # SCOs by STIX's own rule: a name's id is the one any STIX tool gives it
    assert stix2.DomainName(value=fx.MAIL1).id in ids


def test_the_name_of_the_file_picks_stix() -> None:
    assert export.format_for(Path("case.stix.json")) == "stix" and export.format_for(Path("case.json")) == "json"


def _comparable(graph: Subgraph) -> tuple[dict[Any, Any], set[Any]]:
    """Nodes and relationships with a STIX form, without provenance (the file is the source
    of a loaded bundle). Left out: wildcard names (no STIX domain-name), certificates STIX
    cannot tell by anything (crt.sh's, known by id alone), and certificates known by their
    SHA-1 alone where another node has it too (STIX makes them one object, the fuller one)."""
    both = {
        p["sha1"]: ref for ref, p in graph.nodes.items() if ref[0] == "Certificate" and "sha256" in p and "sha1" in p
    }
    one: dict[Any, Any] = {  # a certificate known by SHA-1 alone -> the node with both hashes
        ref: both[props["sha1"]]
        for ref, props in graph.nodes.items()
        if ref[0] == "Certificate" and "sha256" not in props and props.get("sha1") in both
    }
    identified = {"sha256", "sha1", *FIELDS["Certificate"]}  # a certificate STIX can tell by something
    nodes = {
        ref: {k: v for k, v in props.items() if k != "sources"}
        for ref, props in graph.nodes.items()
        if ref[0] in FIELDS
        and not str(ref[1]).startswith("*.")
        and ref not in one
        and (ref[0] != "Certificate" or identified & set(props))
    }
    own = {(r.type, r.start, r.end) for r in graph.relationships}
    rels = {
        (r.type, start, end, json.dumps({k: v for k, v in r.props.items() if k != "sources"}, sort_keys=True))
        for r in graph.relationships
        if (start := one.get(r.start, r.start)) in nodes
        and (end := one.get(r.end, r.end)) in nodes
        and ((start, end) == (r.start, r.end) or (r.type, start, end) not in own)  # STIX keeps the one's own
    }
    return nodes, rels


def test_a_bundle_loads_back_into_the_graph_it_came_from(store: Store, fixture_graph: Subgraph, tmp_path: Path) -> None:
    path = tmp_path / "fx.stix.json"
    export.write(fixture_graph, path, "stix")
    proc = store.cli("load", "stix", str(path))
    assert "0 rejected" in proc.stdout + proc.stderr
    loaded = store.whole_graph()
    nodes, rels = _comparable(fixture_graph)
    back_nodes, back_rels = _comparable(loaded)
    assert back_nodes == nodes
    assert back_rels == rels
    assert any(r[0] == "LOOKED_UP" for r in rels) and any(r[0] == "REGISTERED_BY" for r in rels)


def test_what_has_no_graph_form_is_counted_and_a_bad_object_is_told(store: Store, tmp_path: Path) -> None:
    objects = [
        {"type": "domain-name", "spec_version": "2.1", "id": "domain-name--1", "value": "a.example"},
        {"type": "ipv4-addr", "spec_version": "2.1", "id": "ipv4-addr--2", "value": "192.0.2.7"},
        {"type": "relationship", "id": "relationship--3", "relationship_type": "resolves-to",
         "source_ref": "domain-name--1", "target_ref": "ipv4-addr--2"},
        {"type": "indicator", "id": "indicator--4", "pattern": "[domain-name:value = 'a.example']"},
        {"type": "malware", "id": "malware--5", "name": "x"},
        {"type": "relationship", "id": "relationship--6", "relationship_type": "resolves-to",
         "source_ref": "domain-name--1", "target_ref": "ipv4-addr--404"},
        "not an object",
        {"type": "domain-name", "value": "no-id.example"},
        {"type": "relationship", "id": "relationship--7", "relationship_type": "resolves-to",
         "source_ref": ["domain-name--1"], "target_ref": {"x": 1}},
        {"type": "x509-certificate", "id": "x509-certificate--8", "hashes": ["ab"]},
        {"type": "identity", "id": "identity--9", "identity_class": "organization", "roles": 3, "name": "Acme"},
        {"type": "autonomous-system", "id": "autonomous-system--10", "number": "not a number"},
        {"type": "domain-name", "id": "domain-name--11", "value": "bad..name", "resolves_to_refs": [{"x": 1}]},
    ]  # fmt: skip
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"type": "bundle", "id": "bundle--0", "objects": objects}, indent=1))
    proc = store.cli("load", "stix", str(path))
    out = proc.stdout + proc.stderr
    assert "skipped 1 (indicator: no graph form)" in out and "skipped 1 (malware: no graph form)" in out
    assert "6 rejected" in out and "relationship--6" in out and "relationship--7" in out
    assert out.count("not a STIX object") == 2 and "invalid domain name 'bad..name'" in out
    assert "ASN.number must be int" in out and "Traceback" not in out
    assert store.query("MATCH (:Domain {name: 'a.example'})-[:RESOLVES_TO]->(i:IPAddress) RETURN i.address") == [
        ["192.0.2.7"]
    ]
    (tmp_path / "broken.json").write_text('{"type": "bundle", "objects": [{"type": "domain-name", ')
    proc = store.cli("load", "stix", str(tmp_path / "broken.json"), check=False)
    assert "broken.json" in proc.stdout + proc.stderr and "Traceback" not in proc.stderr


# -- Maltego -------------------------------------------------------------------------------------

MTG = "{http://maltego.paterva.com/xml/mtgx}"


def test_a_maltego_graph_opens_and_every_entity_has_a_type_and_value(store: Store, tmp_path: Path) -> None:
    backend = store.open()
    try:
        fx.load(backend)
    finally:
        backend.close()
    path = tmp_path / "around.mtgx"
    proc = store.cli("export", "--around", fx.MAIL1, "--hops", "2", "-o", str(path))
    assert "drawn as" in proc.stdout + proc.stderr  # parallel lookups merged into one link
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["Graphs/Graph1.graphml"]
        text = archive.read("Graphs/Graph1.graphml")
    (tmp_path / "graph.graphml").write_bytes(text)
    read = nx.read_graphml(tmp_path / "graph.graphml")
    root = ElementTree.fromstring(text)
    entities = {}
    for node in root.iter("{http://graphml.graphdrawing.org/xmlns}node"):
        entity = node.find(f".//{MTG}MaltegoEntity")
        assert entity is not None and entity.get("type", "").startswith("maltego.")
        first = entity.find(f"{MTG}Properties/{MTG}Property")
        assert first is not None and first.findtext(f"{MTG}Value"), node.get("id")
        entities[first.findtext(f"{MTG}Value")] = entity.get("type")
        assert node.find(f".//{MTG}Position") is not None
    assert set(read.nodes) == {n.get("id") for n in root.iter("{http://graphml.graphdrawing.org/xmlns}node")}
    assert entities[fx.MAIL1] == "maltego.MXRecord" and entities["trump-email.com"] == "maltego.Domain"
    assert entities["ns1.cdcservices.com"] == "maltego.NSRecord" and entities["www.google.com"] == "maltego.DNSName"
    assert entities["217.12.96.0-217.12.97.255"] == "maltego.Netblock"  # 217.12.96.0/23, as Maltego writes it
    assert (
        entities["217.12.96.15"] == "maltego.IPv4Address" and entities["Trump Organization"] == "maltego.Organization"
    )
    links = list(root.iter(f"{MTG}MaltegoLink"))
    assert read.number_of_edges() == len(links) > 0
    labels = Counter(link.findtext(f".//{MTG}Property[@name='maltego.link.manual.type']/{MTG}Value") for link in links)
    assert labels["LOOKED_UP"] > 0 and labels["RESOLVES_TO"] > 0
    counts = [
        int(link.findtext(f".//{MTG}Property[@name='graphkit.count']/{MTG}Value") or 0)
        for link in links
        if link.findtext(f".//{MTG}Property[@name='maltego.link.manual.type']/{MTG}Value") == "LOOKED_UP"
    ]
    bank = store.query(
        "MATCH (:IPAddress {address: '217.12.96.15'})-[r:LOOKED_UP]->(:Domain {name: $name}) RETURN sum(r.count)",
        name=fx.MAIL1,
    )[0][0]
    assert bank in counts, "one link per client and name, with the lookups' sum"


# -- MISP ----------------------------------------------------------------------------------------


def test_the_misp_event_loads_back_and_every_object_fits_its_template(fixture_graph: Subgraph, tmp_path: Path) -> None:
    pymisp = pytest.importorskip("pymisp")
    path = tmp_path / "fx.misp.json"
    export.write(fixture_graph, path, "misp", "the query fixture")
    loaded = pymisp.MISPEvent()
    loaded.load_file(str(path))
    assert loaded.info == "graphkit: the query fixture" and loaded.uuid
    kinds = Counter(o.name for o in loaded.objects)
    assert {"domain-ip", "ip-port", "asn", "whois", "passive-dns", "x509"} <= set(kinds), kinds
    uuids = {o.uuid for o in loaded.objects}
    for obj in loaded.objects:
        strict = pymisp.MISPObject(obj.name, strict=True)  # MISP's own template for the name
        for attribute in obj.attributes:
            template = strict._definition["attributes"][attribute.object_relation]
            assert attribute.type == template["misp-attribute"], (obj.name, attribute.object_relation)
            strict.add_attribute(attribute.object_relation, value=attribute.value, type=attribute.type)
        assert strict._validate(), obj.name
        assert all(ref.referenced_uuid in uuids for ref in obj.references), obj.name
    relations = {(o.name, a.object_relation, str(a.value)) for o in loaded.objects for a in o.attributes}
    assert ("whois", "registrant-org", "Trump Organization") in relations
    assert not any("whoisprivacy" in value for _, _, value in relations), "a privacy relay is never an attribute"
    (hotel,) = [
        o
        for o in loaded.objects
        if o.name == "whois" and ("domain", "hotel-client1.com") in {(a.object_relation, a.value) for a in o.attributes}
    ]
    assert "proxy@whoisprivacy.example is a privacy relay" in hotel.comment
    lookups = [o for o in loaded.objects if o.name == "ip-port" and "looked" in getattr(o, "comment", "")]
    bank = [
        o
        for o in lookups
        if {(a.object_relation, a.value) for a in o.attributes} >= {("ip-src", "217.12.96.15"), ("domain", fx.MAIL1)}
    ]
    assert len(bank) == 1 and bank[0].references[0].relationship_type == "looked-up"
    first = next(a for a in bank[0].attributes if a.object_relation == "ip-src")
    assert first.first_seen is not None and first.last_seen is not None and first.first_seen <= first.last_seen
    again = tmp_path / "again.misp.json"
    export.write(fixture_graph, again, "misp", "the query fixture")
    second = pymisp.MISPEvent()
    second.load_file(str(again))
    assert second.uuid == loaded.uuid and [o.uuid for o in second.objects] == [o.uuid for o in loaded.objects]
