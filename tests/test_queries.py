"""The query catalogue itself: headers, parameters, labels and types against the schema,
EXPLAIN on a real Neo4j, parameter typing, user query folders, packaging."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT

from graphkit.backends.store import StoreOptions, open_store
from graphkit.model.schema import SCHEMA
from graphkit.query import catalogue, dialect
from graphkit.query.catalogue import Param, ParamType, Query, QueryError, QueryFileError, parse_query

ISSUE_NAMES = {
    "bridges",
    "lookup-concentration",
    "lookup-sources",
    "co-lookup",
    "shared-infrastructure",
    "registrant-vs-operator",
    "path-between",
    "lookup-timeline",
    "cohosted",
    "reverse-mismatch",
    "rare-names",
    "neighborhood",
    "infrastructure-changes",
    # the certificates issue
    "shared-certificate",
    "certificate-names",
    "certificate-timeline",
    # the analytics issue
    "community-members",
    "similar-clients",
    "central-nodes",
}
CYPHER_DIR = ROOT / "cypher"
SAMPLE_VALUES = {
    ParamType.STRING: "example.com",
    ParamType.INT: 1,
    ParamType.FLOAT: 0.5,
    ParamType.BOOL: True,
    ParamType.DATE: "2016-05-04",
    ParamType.LIST: ["a"],
}


def _all() -> dict[str, Query]:
    return catalogue.load_dir(CYPHER_DIR)


def _sample_params(query: Query) -> dict[str, Any]:
    """Every parameter with a value of its type (the first choice where there are choices)."""
    out: dict[str, Any] = {}
    for p in query.params:
        out[p.name] = p.coerce(p.choices[0]) if p.choices else SAMPLE_VALUES[p.type]
    return out


def test_the_catalogue_is_the_issues_queries() -> None:
    assert set(_all()) == ISSUE_NAMES
    assert catalogue.builtin_dir().resolve() == CYPHER_DIR.resolve()


@pytest.mark.parametrize("path", sorted(CYPHER_DIR.glob("*.cypher")), ids=lambda p: p.stem)
def test_header_names_the_file_and_declares_what_the_query_uses(path: Path) -> None:
    assert parse_query(path).name == path.stem
    query = _all()[path.stem]  # with its variants
    assert query.title and query.description and query.why and query.columns
    declared = {p.name for p in query.params}
    for text in (query.cypher, *query.variants.values()):
        # a text that reads the rollups has no use for a time window (catalogue.BY_DAY)
        assert declared - set(query.window) <= catalogue.parameters_used(text) <= declared
    assert catalogue.problems(query) == []


def test_a_window_runs_the_day_level_text() -> None:
    query = _all()["rare-names"]
    assert catalogue.BY_DAY in query.variants
    assert query.by_day(query.bind({"since": "2016-05-01"}))
    assert not query.by_day(query.bind({}))
    assert "LOOKED_UP_TOTAL" in query.text_for("neo4j") and "LOOKED_UP_TOTAL" in query.text_for("embedded")
    for store_kind in ("neo4j", "embedded"):
        assert "LOOKED_UP_TOTAL" not in catalogue.strip_comments(query.text_for(store_kind, by_day=True))


def test_names_are_unique_and_every_variant_has_its_query() -> None:
    names = [p.stem for p in CYPHER_DIR.glob("*.cypher")]
    assert len(names) == len(set(names))
    for kind in catalogue.VARIANT_DIRS:
        variants = {p.stem for p in (CYPHER_DIR / kind).glob("*.cypher")}
        assert variants <= set(names)
        assert variants == {name for name, q in _all().items() if kind in q.variants}


def test_every_label_and_type_named_is_in_the_schema() -> None:
    """Generated from graphkit.model.schema: the union of what the queries name is a subset of it."""
    labels: set[str] = set()
    types: set[str] = set()
    for query in _all().values():
        for text in (query.cypher, *query.variants.values()):
            found_labels, found_types = catalogue.labels_and_types(text)
            labels |= found_labels
            types |= found_types
    assert labels and types
    assert labels <= set(SCHEMA.by_label)
    assert types <= set(SCHEMA.by_type)


def test_the_label_check_catches_what_the_schema_lacks(tmp_path: Path) -> None:
    path = tmp_path / "bad-labels.cypher"
    path.write_text(
        "// name: bad-labels\n// title: t\n// params:\n//   x: string\n// columns:\n//   n\n"
        "MATCH (d:Domian {name: $x})-[:RESOLVES_TOO]->(i:IPAddress) WHERE d:Hostname RETURN d AS n\n"
    )
    found = " ".join(catalogue.problems(parse_query(path)))
    assert "labels not in the schema: Domian, Hostname" in found
    assert "relationship types not in the schema: RESOLVES_TOO" in found


def test_the_parameter_check_catches_declared_but_unused_and_the_reverse(tmp_path: Path) -> None:
    path = tmp_path / "bad-params.cypher"
    path.write_text(
        "// name: bad-params\n// title: t\n// params:\n//   x: string\n//   unused: int = 1\n// columns:\n//   n\n"
        "// a comment mentioning $ignored is not a use\n"
        "MATCH (d:Domain) WHERE d.name = $x AND d.tld = $other RETURN d.name AS n, '$literal' AS s\n"
    )
    found = catalogue.problems(parse_query(path))
    assert any("used but not declared: other" in f for f in found)
    assert any("declared but not used: unused" in f for f in found)
    assert not any("ignored" in f or "literal" in f for f in found)


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("// name: other\n// title: t\n", "name 'other' differs from the file name 'q'"),
        ("// title: t\n", "the header has no 'name:'"),
        ("// just a comment\n", "the header must start with '// name: ...'"),
        ("// name: q\n// title: t\n// flavour: x\n", "unknown header key 'flavour'"),
        ("// name: q\n// title: t\n// params:\n//   x: strng\n", "unknown parameter type 'strng'"),
        ("// name: q\n// title: t\n// params:\n//   x: int = many\n", "default of parameter x must be int"),
        ("// name: q\n// title: t\n// params:\n//   x int\n", "a parameter is 'name: type"),
    ],
)
def test_a_malformed_header_is_one_line_naming_file_and_line(tmp_path: Path, header: str, reason: str) -> None:
    path = tmp_path / "q.cypher"
    path.write_text(header + "RETURN 1 AS n\n")
    with pytest.raises(QueryFileError) as err:
        parse_query(path)
    message = str(err.value)
    assert message.startswith(f"{path}:") and reason in message and "\n" not in message


def test_parameters_are_typed_from_the_header() -> None:
    query = _all()["lookup-concentration"]
    bound = query.bind({"min_total": "7", "min_share": "0.25", "since": "2016-05-04", "group_by": "client"})
    assert bound == {
        "domain": None,
        "since": "2016-05-04",
        "until": None,
        "group_by": "client",
        "min_total": 7,
        "min_share": 0.25,
    }
    assert query.bind({})["group_by"] == "organization"  # defaults applied
    assert Param("x", ParamType.BOOL, True).coerce("yes") is True
    assert Param("x", ParamType.LIST, True).coerce("a, b") == ["a", "b"]
    assert Param("x", ParamType.LIST, True).coerce('["a,b", "c"]') == ["a,b", "c"]
    assert Param("x", ParamType.INT, True).coerce(3.0) == 3


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({}, "missing parameter domain for lookup-sources; parameters: domain (string, required), since (date"),
        ({"domain": "a.com", "bogus": "1"}, "unknown parameter bogus for lookup-sources; parameters: domain"),
        ({"domain": "a.com", "since": "2016-02-30"}, "parameter since must be date, got '2016-02-30'"),
        ({"domain": "a.com", "group_by": "asn"}, "parameter group_by must be one of client, organization"),
    ],
)
def test_a_missing_unknown_or_bad_parameter_is_one_line(given: dict[str, str], message: str) -> None:
    with pytest.raises(QueryError) as err:
        _all()["lookup-sources"].bind(given)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_browser_param_lines_are_cypher_literals() -> None:
    lines = catalogue.browser_params(_all()["lookup-sources"], {"domain": "o'brien.example", "since": "2016-05-04"})
    assert lines == [
        ":param domain => 'o\\'brien.example'",
        ":param since => '2016-05-04'",
        ":param until => null",
        ":param group_by => 'organization'",
    ]
    assert catalogue.browser_params(_all()["lookup-sources"])[0].startswith("// domain is required")


def test_user_folders_add_queries_from_the_option_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    for folder, name in ((mine, "my-names"), (theirs, "their-names")):
        folder.mkdir()
        header = f"// name: {name}\n// title: t\n// columns:\n//   name\n"
        (folder / f"{name}.cypher").write_text(header + "MATCH (d:Domain) RETURN d.name AS name ORDER BY name\n")
    monkeypatch.setenv(catalogue.QUERIES_ENV, str(theirs))
    found = catalogue.catalogue([mine])
    assert {"my-names", "their-names"} <= set(found) and set(found) >= ISSUE_NAMES
    (mine / "cohosted.cypher").write_text("// name: cohosted\n// title: t\nRETURN 1 AS n\n")
    with pytest.raises(QueryError, match="query cohosted is defined twice"):
        catalogue.catalogue([mine])
    with pytest.raises(QueryError, match="does not exist"):
        catalogue.catalogue([tmp_path / "nowhere"])


def test_pyproject_lists_every_package_so_the_wheel_has_them_all() -> None:
    """The package list is explicit (cypher/ ships as graphkit/_cypher): nothing may be missing."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "graphkit").rglob("__init__.py")}
    assert on_disk | {"graphkit._cypher"} == set(config["packages"])
    assert config["package-dir"]["graphkit._cypher"] == "cypher"
    assert set(config["package-data"]["graphkit._cypher"]) == {
        f"{kind}/*.cypher" for kind in catalogue.VARIANT_DIRS
    } | {"*.cypher"}


@pytest.mark.neo4j
def test_every_query_passes_explain_on_neo4j(neo4j_uri: str) -> None:
    backend = open_store(StoreOptions(neo4j_uri))
    try:
        for query in _all().values():
            backend.query("EXPLAIN " + query.cypher, _sample_params(query))
    finally:
        backend.close()


def test_every_embedded_variant_is_accepted_by_the_embedded_store(tmp_path: Path) -> None:
    """The embedded dialect's own plan check (the result tests run every query as well)."""
    backend = open_store(StoreOptions(str(tmp_path / "empty.lbdb")))
    try:
        backend.ensure_schema()
        for query in _all().values():
            text = query.text_for("embedded")
            body = catalogue.strip_comments(text)
            assert not re.search(r"\bshortestPath\b|\btoFloat\b", body), query.name
            backend.query("EXPLAIN " + body, _sample_params(query))
    finally:
        backend.close()


@pytest.mark.parametrize(
    ("neo4j", "embedded"),
    [
        ("RETURN toString(1) AS s", "RETURN string(1) AS s"),
        ("RETURN TOSTRING (1) AS s", "RETURN string (1) AS s"),
        ("RETURN date.truncate('week', d) AS w", "RETURN date_trunc('week', d) AS w"),
        ("RETURN 'toString(1)' AS s, \"toString(x)\" AS t", "RETURN 'toString(1)' AS s, \"toString(x)\" AS t"),
        ("RETURN 'it\\'s toString(' + toString(1) AS s", "RETURN 'it\\'s toString(' + string(1) AS s"),
        (
            "RETURN 1 AS n // toString(1)\n/* date.truncate(x) */",
            "RETURN 1 AS n // toString(1)\n/* date.truncate(x) */",
        ),
        ("RETURN xtoString(1), n.toString(1), `toString`(1), mydate.truncate(1), toString AS n", None),
    ],
)
def test_the_embedded_dialect_renames_calls_only_outside_literals_and_comments(
    neo4j: str, embedded: str | None
) -> None:
    assert dialect.translate(neo4j, "embedded") == (neo4j if embedded is None else embedded)
    assert dialect.translate(neo4j, "neo4j") == neo4j


def test_every_query_resolves_on_both_dialects() -> None:
    """Neo4j runs the file as it stands; the embedded store its variant, else the file renamed."""
    renamed = re.compile(r"(?<![\w.])(toString|date\.truncate)\s*\(", re.IGNORECASE)
    for name, query in _all().items():
        assert query.text_for("neo4j") == query.cypher
        embedded = query.text_for("embedded")
        assert embedded == query.variants.get("embedded", dialect.translate(query.cypher, "embedded"))
        assert not renamed.search(catalogue.strip_comments(embedded)), name
    assert "string(date_trunc('week', date(r.day)))" in _all()["lookup-timeline"].text_for("embedded")


def test_check_rejects_a_variant_with_more_header_than_its_name(tmp_path: Path) -> None:
    (tmp_path / "embedded").mkdir()
    (tmp_path / "names.cypher").write_text(
        "// name: names\n// title: t\n// columns:\n//   name\nMATCH (d:Domain) RETURN d.name AS name\n"
    )
    variant = tmp_path / "embedded" / "names.cypher"
    variant.write_text("// name: names\n\n// why the plan differs\nMATCH (d:Domain) RETURN d.name AS name\n")
    assert catalogue.problems(catalogue.load_dir(tmp_path)["names"]) == []
    for extra in ("// title: t\n", "// why the plan differs\n"):
        variant.write_text("// name: names\n" + extra + "MATCH (d:Domain) RETURN d.name AS name\n")
        assert catalogue.problems(catalogue.load_dir(tmp_path)["names"]) == [
            f"{variant}:2: a variant's header is only '// name: names' (the main file's applies); "
            "a comment after a blank line is part of the query"
        ]


def test_a_limited_run_adds_a_limit_unless_the_query_ends_with_one() -> None:
    """What `why_empty` counts hidden rows with: never more than it needs, however many there are."""
    for name, query in _all().items():
        for store_kind in ("neo4j", "embedded"):
            text = query.text_for(store_kind)
            capped = catalogue.limited(text, 1001)
            code = catalogue.strip_comments(text).rstrip()
            if re.search(r"\bLIMIT\s+\$\w+$", code):
                assert capped == text, name
            else:
                assert capped == code + "\nLIMIT 1001", name
