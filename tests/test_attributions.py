"""`graphkit load attributions`: an analyst's CSV of who is behind an address or network."""

from __future__ import annotations

from pathlib import Path

from helpers import Store

ATTRIBUTIONS = """address_or_cidr,organization,role,note
# the resolvers that asked for mail1.trump-email.com
217.12.96.15,Alfa-Bank,resolver,Moscow resolver
217.12.97.15,"Alfa-Bank",resolver,
167.73.110.8,Spectrum Health,resolver,"Grand Rapids, MI"
66.216.133.29,"Listrak, Inc.",mail server,operated for Cendyn
66.216.133.0/24,LISTRAK INC,mail server
not-an-address,Acme,scanner,
192.0.2.1/24,Acme,scanner,
198.51.100.7,Acme,,
198.51.100.8,Acme
"""


def _write(tmp_path: Path, text: str, name: str = "analyst.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_attributions_load_with_the_file_as_source(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, ATTRIBUTIONS)
    proc = store.cli("load", "attributions", str(path))
    assert "attributions 5" in proc.stdout
    assert f"{path}:8: not an IP address: 'not-an-address'" in proc.stderr
    assert f"{path}:9: not a CIDR network: '192.0.2.1/24'" in proc.stderr
    assert f"{path}:10: role is empty" in proc.stderr
    assert f"{path}:11: expected address_or_cidr,organization,role,note (3 or 4 columns), got 2" in proc.stderr
    rows = store.query(
        "MATCH (i:IPAddress)-[a:ATTRIBUTED_TO]->(o:Organization) RETURN i.address, o.name, a.role, a.note "
        "ORDER BY i.address"
    )
    assert rows == [
        ["167.73.110.8", "Spectrum Health", "resolver", "Grand Rapids, MI"],
        ["217.12.96.15", "Alfa-Bank", "resolver", "Moscow resolver"],
        ["217.12.97.15", "Alfa-Bank", "resolver", None],
        ["66.216.133.29", "Listrak, Inc.", "mail server", "operated for Cendyn"],
    ]
    # a network, and the second spelling of Listrak folded into the same organisation
    assert store.query(
        "MATCH (n:Netblock)-[a:ATTRIBUTED_TO]->(o:Organization) RETURN n.cidr, o.key, o.name, o.aliases, a.role"
    ) == [["66.216.133.0/24", "listrak", "Listrak, Inc.", ["Listrak, Inc.", "LISTRAK INC"], "mail server"]]
    source, kind, source_path = store.query("MATCH (s:Source) RETURN s.id, s.kind, s.path")[0]
    assert kind == "attributions" and source_path == str(path.resolve())
    edges = store.query("MATCH (:IPAddress {address: '217.12.96.15'})-[a:ATTRIBUTED_TO]->() RETURN a")
    assert [edge["sources"] for [edge] in edges] == [[source]]


def test_header_is_optional_and_loading_twice_changes_nothing(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path, "217.12.96.15, Alfa-Bank, resolver, seen in the DNS logs\n\n")
    store.cli("load", "attributions", str(path))
    first = store.cli_stats()
    assert first["relationships"]["ATTRIBUTED_TO"] == 1
    store.cli("load", "attributions", str(path))
    assert store.cli_stats() == first


def test_a_file_without_attributions_is_rejected_whole(store: Store, tmp_path: Path) -> None:
    empty = _write(tmp_path, "# nothing yet\n\n", "empty.csv")
    proc = store.cli("load", "attributions", str(empty), check=False)
    assert proc.returncode == 1
    assert f"rejected whole: {empty}: no attribution lines (address_or_cidr,organization,role,note)" in proc.stderr
    assert "Traceback" not in proc.stderr
