"""One exit rule for every loader: non-zero when a named file loaded nothing because it was
rejected whole (not of this kind, or every record of it rejected); an empty file is a
warning with the same wording for every kind, and the other files still load."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from helpers import Store, json_lines, load_kinds

from graphkit.errors import GraphkitError
from graphkit.ingest import inputs

KINDS = load_kinds()


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return Store("embedded", str(tmp_path_factory.mktemp("exit") / "graph.lbdb"))


@pytest.mark.parametrize("kind", KINDS)
def test_an_empty_file_is_a_warning(embedded: Store, kind: str, tmp_path: Path) -> None:
    empty, blank, zipped = tmp_path / "empty.txt", tmp_path / "blank.txt", tmp_path / "empty.gz"
    empty.write_bytes(b"")
    blank.write_bytes(b"\n \n")
    zipped.write_bytes(gzip.compress(b""))
    proc = embedded.cli("load", kind, str(empty), str(blank), str(zipped), check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "".join(f"warning: {p}: empty file, nothing to load\n" for p in (empty, blank, zipped))


@pytest.mark.parametrize("kind", KINDS)
def test_a_file_of_another_kind_exits_non_zero(embedded: Store, kind: str, tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.json"
    foreign.write_text('{"foo": 1}\n')
    proc = embedded.cli("load", kind, str(foreign), check=False)
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert f"rejected whole: {foreign}" in proc.stderr and "Traceback" not in proc.stderr
    as_json = embedded.cli("load", kind, str(foreign), "--format", "json", check=False)
    assert as_json.returncode == 1 and json_lines(as_json)[0]["rejected_whole"].startswith(str(foreign))


def test_the_other_files_still_load(store: Store, tmp_path: Path) -> None:
    good, bad, empty = tmp_path / "good.jsonl", tmp_path / "bad.jsonl", tmp_path / "empty.jsonl"
    good.write_text('{"node": "Domain", "key": "a.example"}\n')
    bad.write_text('{"node": "Nothing", "key": "x"}\nnot json\n')
    empty.write_text("")
    proc = store.cli("load", "records", str(bad), str(empty), str(good), check=False)
    assert proc.returncode == 1
    assert f"rejected whole: {bad}: nothing loaded, every record rejected (2)\n" in proc.stderr
    assert f"warning: {empty}: empty file, nothing to load\n" in proc.stderr
    assert store.stats()["nodes"]["Domain"] == 1
    assert store.cli("load", "records", str(good), str(empty)).returncode == 0


@pytest.mark.parametrize("kind", ["zeek", "records"])
def test_a_file_whose_digest_cannot_be_read_is_rejected_whole(
    embedded: Store, kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The digest is read on a thread beside the parse (inputs.sha256_beside). A read error
    that only the digest meets cannot be made as root with real files: sha256_of stands in
    for it, failing for one file. That file is rejected whole with the reason, nothing of it is
    written, and the next file loads."""
    sha256_of = inputs.sha256_of

    def failing(path: Path) -> str:
        if path.name.startswith("bad"):
            raise GraphkitError(f"{path}: cannot read (Input/output error)")
        return sha256_of(path)

    monkeypatch.setattr(inputs, "sha256_of", failing)
    store = Store("embedded", str(tmp_path / "graph.lbdb"))
    lines = {
        "zeek": "#separator \\x09\n#fields\tts\tid.orig_h\tquery\tqtype_name\n1462060800.0\t10.0.0.1\t{}\tA\n",
        "records": '{{"node": "Domain", "key": "{}"}}\n',
    }[kind]
    bad, good = tmp_path / "bad.log", tmp_path / "good.log"
    bad.write_text(lines.format("bad.example"))
    good.write_text(lines.format("good.example"))
    proc = store.cli("load", kind, str(bad), str(good), check=False)
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert f"rejected whole: {bad}: cannot read (Input/output error)" in proc.stderr
    assert "Traceback" not in proc.stderr
    names = [row[0] for row in store.query("MATCH (d:Domain) RETURN d.name ORDER BY d.name")]
    assert "good.example" in names and "bad.example" not in names


def test_the_readme_has_a_line_for_every_kind() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert [kind for kind in KINDS if f"| `{kind}` |" not in readme] == []
