"""The canned query catalogue: one `cypher/<name>.cypher` file per query, run with typed parameters.

Each file is Neo4j Cypher, runnable as it stands in Neo4j Browser, and opens with a
comment header:

    // name: lookup-sources
    // title: Who looked a name up
    // description:
    //   What it finds (continuation lines are indented).
    // why:
    //   Why an investigator cares.
    // params:
    //   domain: string -- the name looked up            (no default: required)
    //   since: date = null -- first day counted          (optional)
    //   group_by: string in client|organization = organization -- what a source is
    //   max_hops: int in 1..6 = 4 -- an int (or float) range, both ends included
    // needs: communities                                 (optional: the `graphkit analyze` runs it reads)
    // columns:
    //   source -- the organization's name, or the client address

Parameter types: string, int (64-bit), float (finite), bool, date (YYYY-MM-DD, passed as a
string), list (of strings). The header ends at the first blank or code line.

The embedded store runs the same file, with the function names its dialect spells
differently renamed (graphkit.query.dialect). Where the plan must differ,
`cypher/embedded/<name>.cypher` holds the query in that dialect. A variant's header is the
one line `// name: <name>`: the main file's title, parameters and columns apply, and
`graphkit query check` rejects anything more, so the two cannot drift. Why the plan
differs goes in a comment after a blank line, where it is part of the query. Users add
folders of their own in the same format, variants included (`--queries DIR` or
GRAPHKIT_QUERIES, several separated by the path separator).

A query about lookups reads the rollups (LOOKED_UP_TOTAL, and the lookup totals on nodes),
which know no day. Its `by-day/<name>.cypher` (and `embedded/by-day/<name>.cypher`) variant
reads the daily LOOKED_UP relationships and runs when any of its date parameters (a time
window) is given; the two must answer alike without a window (tests/test_rollups.py).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from graphkit.backends import edge_reads
from graphkit.backends.base import Backend, QueryResult
from graphkit.backends.guard import refusal
from graphkit.errors import GraphkitError
from graphkit.model.schema import SCHEMA, Schema
from graphkit.query.dialect import EMBEDDED_DIALECT as EMBEDDED_DIALECT  # re-exported: variants live in <dir>/embedded/
from graphkit.query.dialect import translate

QUERIES_ENV = "GRAPHKIT_QUERIES"
BY_DAY = "by-day"  # the variant run when a time window is given
VARIANT_DIRS = (EMBEDDED_DIALECT, BY_DAY, f"{EMBEDDED_DIALECT}/{BY_DAY}")
HEADER_KEYS = ("name", "title", "description", "why", "params", "filters", "needs", "columns")
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
PARAM_RE = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s*:\s*(?P<type>\w+)"
    r"(?:\s+in\s+(?P<choices>[^\s=]+))?"
    r"(?:\s*=\s*(?P<default>.*?))?"
    r"(?:\s+--\s+(?P<doc>.*))?$"
)
COLUMN_RE = re.compile(r"^(?P<name>[A-Za-z_]\w*)(?:\s+--\s+(?P<doc>.*))?$")


class QueryError(GraphkitError):
    """A query that cannot be found or run as asked; the message is one line."""


class QueryFileError(QueryError):
    """A query file that does not follow the format; the message names file and line."""


class ParamType(StrEnum):
    STRING = "string"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    DATE = "date"
    LIST = "list"


_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0")
INT_MIN, INT_MAX = -(2**63), 2**63 - 1  # what both stores hold in an integer
RANGE_RE = re.compile(r"^(?P<low>-?[\d.]+)?\.\.(?P<high>-?[\d.]+)?$")


@dataclass(frozen=True)
class Param:
    name: str
    type: ParamType
    required: bool
    default: Any = None
    choices: tuple[str, ...] = ()
    doc: str = ""
    low: float | None = None  # `in LOW..HIGH` of an int or float parameter
    high: float | None = None

    def describe(self) -> str:
        """`name (type, required)` or `name (type, default X)`: for error messages and listings."""
        kind = self.type.value + (f" {'|'.join(self.choices)}" if self.choices else "")
        if self.low is not None or self.high is not None:
            kind += f" {self.range_text()}"
        return f"{self.name} ({kind}, {'required' if self.required else 'default ' + _show(self.default)})"

    def coerce(self, value: Any) -> Any:
        """The value as this parameter's type; QueryError (one line) when it does not fit."""
        if value is None:
            return None
        try:
            typed = _coerce(self.type, value)
        except (ValueError, TypeError):
            raise QueryError(f"parameter {self.name} must be {self.type.value}, got {_show(value)}") from None
        if self.choices and str(typed) not in self.choices:
            raise QueryError(f"parameter {self.name} must be one of {', '.join(self.choices)}, got {_show(value)}")
        if self.type is ParamType.INT and not INT_MIN <= typed <= INT_MAX:
            raise QueryError(
                f"parameter {self.name} must be an int from {INT_MIN} to {INT_MAX} (64 bits), got {_show(value)}"
            )
        if self.type is ParamType.FLOAT and not math.isfinite(typed):
            raise QueryError(f"parameter {self.name} must be a finite float, got {_show(value)}")
        if (self.low is not None and typed < self.low) or (self.high is not None and typed > self.high):
            raise QueryError(f"parameter {self.name} must be in {self.range_text()}, got {_show(value)}")
        return typed

    def range_text(self) -> str:
        return "..".join(_show(v) if v is not None else "" for v in (self.low, self.high))


def _coerce(ptype: ParamType, value: Any) -> Any:
    text = value.strip() if isinstance(value, str) else None
    if ptype is ParamType.STRING:
        if not isinstance(value, str):
            raise TypeError
        return value
    if ptype is ParamType.INT:
        if isinstance(value, bool):
            raise TypeError
        return int(text, 10) if text is not None else _exact_int(value)
    if ptype is ParamType.FLOAT:
        if isinstance(value, bool):
            raise TypeError
        return float(text) if text is not None else float(value)
    if ptype is ParamType.BOOL:
        if isinstance(value, bool):
            return value
        if text is not None and text.lower() in _TRUE + _FALSE:
            return text.lower() in _TRUE
        raise ValueError
    if ptype is ParamType.DATE:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value.isoformat()
        if text is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return dt.date.fromisoformat(text).isoformat()
    if text is not None:  # a list: JSON, or comma-separated
        items = json.loads(text) if text.startswith("[") else [v.strip() for v in text.split(",") if v.strip()]
    else:
        items = value
    if not isinstance(items, (list, tuple)) or not all(isinstance(v, str) for v in items):
        raise TypeError
    return list(items)


def _exact_int(value: Any) -> int:
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return int(value)
    raise TypeError


def _show(value: Any) -> str:
    return "null" if value is None else json.dumps(value) if not isinstance(value, str) else repr(value)


@dataclass(frozen=True)
class Column:
    name: str
    doc: str = ""


@dataclass
class Query:
    name: str
    title: str
    description: str
    why: str
    params: tuple[Param, ...]
    columns: tuple[Column, ...]
    cypher: str  # the whole file: header and Neo4j-dialect query
    path: Path
    variants: dict[str, str] = field(default_factory=dict)  # VARIANT_DIRS entry -> its variant file's text
    variant_paths: dict[str, Path] = field(default_factory=dict)
    # parameters that leave rows out, and the value that leaves none out (header `filters:`),
    # so that an empty answer can say which of them hid what
    filters: dict[str, Any] = field(default_factory=dict)
    # the `graphkit analyze` runs whose results it reads (header `needs:`, e.g. `communities`),
    # so that an empty answer can say that none has been run
    needs: tuple[str, ...] = ()

    @property
    def params_by_name(self) -> dict[str, Param]:
        return {p.name: p for p in self.params}

    def text_for(self, dialect: str, *, by_day: bool = False) -> str:
        """The query text to send to a store of this kind: its variant file if there is one,
        else this file with the dialect's function names. `by_day`: the day-level text, where
        the query has one."""
        mode = f"/{BY_DAY}" if by_day and BY_DAY in self.variants else ""
        if f"{dialect}{mode}" in self.variants:
            return self.variants[f"{dialect}{mode}"]
        return translate(self.variants[BY_DAY] if mode else self.cypher, dialect)

    @property
    def window(self) -> tuple[str, ...]:
        """Its date parameters: given any, it reads the daily relationships (its by-day text)."""
        return tuple(p.name for p in self.params if p.type is ParamType.DATE)

    def by_day(self, bound: Mapping[str, Any]) -> bool:
        return BY_DAY in self.variants and any(bound.get(name) is not None for name in self.window)

    def describe_params(self) -> str:
        return ", ".join(p.describe() for p in self.params) or "none"

    def check_names(self, given: Mapping[str, Any]) -> None:
        unknown = sorted(set(given) - set(self.params_by_name))
        if unknown:
            plural = "s" if len(unknown) > 1 else ""
            raise QueryError(
                f"unknown parameter{plural} {', '.join(unknown)} for {self.name}; parameters: {self.describe_params()}"
            )

    def bind(self, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Every declared parameter, typed: given values, else defaults. Unknown or missing
        parameters are one QueryError line that lists the parameters."""
        given = dict(given or {})
        self.check_names(given)
        bound: dict[str, Any] = {}
        for param in self.params:
            value = param.coerce(given[param.name]) if param.name in given else param.default
            if value is None and param.required:
                raise QueryError(
                    f"missing parameter {param.name} for {self.name}; parameters: {self.describe_params()}"
                )
            bound[param.name] = value
        return bound


# -- reading query files -------------------------------------------------------


def _header(lines: list[str], path: Path) -> tuple[dict[str, list[tuple[int, str]]], int]:
    """The header's sections (key -> numbered lines of text) and the line where the query starts.
    The header is the leading comment block; after its first free comment line (one that
    is neither `key:` nor an indented continuation) the rest of the block is free text."""
    sections: dict[str, list[tuple[int, str]]] = {}
    current: str | None = None
    ended = False
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped.startswith("//"):
            if stripped or sections:
                return sections, number
            continue
        body = stripped[2:]
        match = re.match(r"^ ?([a-z_]+):\s*(.*)$", body)
        if ended:
            continue
        if match and not body.startswith("  "):
            key, rest = match.groups()
            if key not in HEADER_KEYS:
                raise QueryFileError(f"{path}:{number}: unknown header key {key!r} (expected {', '.join(HEADER_KEYS)})")
            if key in sections:
                raise QueryFileError(f"{path}:{number}: header key {key!r} given twice")
            current = key
            sections[key] = [(number, rest.strip())] if rest.strip() else []
        elif current is not None and body.startswith("  "):
            sections[current].append((number, body.strip()))
        elif not sections:
            raise QueryFileError(f"{path}:{number}: the header must start with '// name: ...'")
        else:
            ended = True
    return sections, len(lines) + 1


def header_of(text: str) -> str:
    """The header's lines (`// key: ...` and their indented continuations)."""
    lines = []
    for line in text.splitlines():
        if not re.match(r"^// ?([a-z_]+:|  )", line):
            break
        lines.append(line)
    return "\n".join(lines)


def _text(section: list[tuple[int, str]] | None) -> str:
    return " ".join(text for _, text in section or [])


def _param(number: int, text: str, path: Path) -> Param:
    match = PARAM_RE.match(text)
    if not match:
        raise QueryFileError(f"{path}:{number}: a parameter is 'name: type [in a|b] [= default] [-- what it is]'")
    try:
        ptype = ParamType(match["type"])
    except ValueError:
        types = ", ".join(t.value for t in ParamType)
        raise QueryFileError(f"{path}:{number}: unknown parameter type {match['type']!r} (one of {types})") from None
    choices = tuple(match["choices"].split("|")) if match["choices"] else ()
    bounds = RANGE_RE.match(choices[0]) if len(choices) == 1 else None
    low = high = None
    if bounds:
        if ptype not in (ParamType.INT, ParamType.FLOAT):
            raise QueryFileError(f"{path}:{number}: a range (in LOW..HIGH) is for an int or float parameter")
        try:
            low, high = (_coerce(ptype, b) if b is not None else None for b in (bounds["low"], bounds["high"]))
        except ValueError:
            raise QueryFileError(f"{path}:{number}: a range is 'in LOW..HIGH', got {choices[0]!r}") from None
        choices = ()
    raw_default = match["default"]
    param = Param(match["name"], ptype, raw_default is None, None, choices, (match["doc"] or "").strip(), low, high)
    if raw_default is None or raw_default.strip() == "null":
        return param
    raw = raw_default.strip()
    if ptype is ParamType.STRING and len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        raw = raw[1:-1]
    try:
        default = param.coerce(raw)
    except QueryError as exc:
        raise QueryFileError(f"{path}:{number}: default of {exc}") from None
    return Param(param.name, ptype, False, default, choices, param.doc, low, high)


def parse_query(path: Path) -> Query:
    """Read one query file; QueryFileError (file:line: reason) when its header is malformed."""
    text = path.read_text(encoding="utf-8")
    sections, body_line = _header(text.splitlines(), path)
    for key in ("name", "title"):
        if not _text(sections.get(key)):
            raise QueryFileError(f"{path}:1: the header has no '{key}:'")
    name = _text(sections["name"])
    if name != path.stem:
        raise QueryFileError(f"{path}:{sections['name'][0][0]}: name {name!r} differs from the file name {path.stem!r}")
    if not NAME_RE.match(name):
        raise QueryFileError(f"{path}:1: a query name is lowercase letters, digits and dashes, got {name!r}")
    params = tuple(_param(n, t, path) for n, t in sections.get("params", []))
    filters = _filters(sections.get("filters", []), {p.name: p for p in params}, path)
    columns = []
    for number, line in sections.get("columns", []):
        match = COLUMN_RE.match(line)
        if not match:
            raise QueryFileError(f"{path}:{number}: a column is 'name -- what it is'")
        columns.append(Column(match["name"], (match["doc"] or "").strip()))
    if not strip_comments(text).strip():
        raise QueryFileError(f"{path}:{body_line}: no query after the header")
    return Query(
        name=name,
        title=_text(sections["title"]),
        description=_text(sections.get("description")),
        why=_text(sections.get("why")),
        params=params,
        columns=tuple(columns),
        cypher=text,
        path=path,
        filters=filters,
        needs=tuple(word.strip() for word in _text(sections.get("needs")).split(",") if word.strip()),
    )


def _filters(lines: list[tuple[int, str]], params: dict[str, Param], path: Path) -> dict[str, Any]:
    """`name = value` lines: a parameter that filters rows, and its value that keeps them all."""
    found: dict[str, Any] = {}
    for number, line in lines:
        name, sep, raw = (part.strip() for part in line.partition("="))
        if not sep or name not in params:
            raise QueryFileError(f"{path}:{number}: a filter is 'parameter = the value that keeps every row'")
        if raw == "null":
            found[name] = None
            continue
        try:
            found[name] = params[name].coerce(raw)
        except QueryError as exc:
            raise QueryFileError(f"{path}:{number}: filter {exc}") from None
    return found


def _variant_name(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    sections, _ = _header(text.splitlines(), path)
    return _text(sections.get("name"))


def builtin_dir() -> Path:
    """The catalogue shipped with graphkit: inside the installed package (a wheel), or the
    repository's top-level cypher/ folder (a source checkout or editable install)."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "_cypher"
    if packaged.is_dir():
        return packaged
    return package.parent / "cypher"


def query_dirs(extra: Iterable[str | Path] = ()) -> list[Path]:
    """The built-in folder, then GRAPHKIT_QUERIES folders, then those given (--queries)."""
    dirs = [builtin_dir()]
    env = os.environ.get(QUERIES_ENV, "")
    dirs += [Path(p) for p in env.split(os.pathsep) if p.strip()]
    dirs += [Path(p) for p in extra]
    return dirs


def load_dir(folder: Path) -> dict[str, Query]:
    if not folder.is_dir():
        raise QueryError(f"query folder {folder} does not exist")
    found = {path.stem: parse_query(path) for path in sorted(folder.glob("*.cypher"))}
    for kind in VARIANT_DIRS:
        variants_dir = folder / kind
        for path in sorted(variants_dir.glob("*.cypher")) if variants_dir.is_dir() else []:
            query = found.get(path.stem)
            if query is None:
                raise QueryFileError(f"{path}:1: a {kind} variant without {folder / (path.stem + '.cypher')}")
            if _variant_name(path) != path.stem:
                raise QueryFileError(f"{path}:1: the header must start with '// name: {path.stem}'")
            query.variants[kind] = path.read_text(encoding="utf-8")
            query.variant_paths[kind] = path
    return found


def catalogue(extra_dirs: Iterable[str | Path] = ()) -> dict[str, Query]:
    """Every query by name: the built-in ones and those of the user's folders. A name given
    twice is an error, since names are how people and scripts call queries."""
    queries: dict[str, Query] = {}
    for folder in query_dirs(extra_dirs):
        for name, query in load_dir(folder).items():
            if name in queries:
                raise QueryError(f"query {name} is defined twice: {queries[name].path} and {query.path}")
            queries[name] = query
    return dict(sorted(queries.items()))


def get_query(name: str, extra_dirs: Iterable[str | Path] = ()) -> Query:
    queries = catalogue(extra_dirs)
    if name not in queries:
        raise QueryError(f"no query named {name!r}; `graphkit query list` shows them ({', '.join(queries)})")
    return queries[name]


# -- running -------------------------------------------------------------------


# derived data in a query text: a derived type by name, or a derived property read as `.name`
_DERIVED_TYPES = "|".join(sorted(name for name in SCHEMA.derived if "." not in name))
_DERIVED_PROPS = "|".join(sorted({name.split(".", 1)[1] for name in SCHEMA.derived if "." in name}))
_READS_DERIVED = re.compile(rf"\b(?:{_DERIVED_TYPES})\b|\.(?:{_DERIVED_PROPS})\b")


def reads_derived(cypher: str) -> bool:
    """Whether the query text reads derived data (rollups, lookup totals) rather than only loaded data."""
    return _READS_DERIVED.search(strip_comments(cypher)) is not None


def require_rollups(backend: Backend) -> None:
    """Refuse to answer from rollups a store does not have: its answers would be empty, not wrong
    by a little (a store an older graphkit loaded, until `graphkit schema upgrade` or a load)."""
    missing = edge_reads.unrolled(backend)
    if missing:
        raise GraphkitError(
            f"{backend.display} holds {', '.join(missing)} relationships but not their rollups (an older graphkit "
            "loaded them), which this reads: `graphkit schema upgrade` on this store sums them (so does any "
            "`graphkit load`); a window of days (-p since=...) reads the daily relationships meanwhile"
        )


def run_query(
    backend: Backend,
    query: str | Query,
    params: Mapping[str, Any] | None = None,
    *,
    extra_dirs: Iterable[str | Path] = (),
    limit: int | None = None,
) -> QueryResult:
    """Run a canned query by name (or a Query) with its defaults applied and values typed
    from its header, in the store's dialect, read-only; `limit`: at most that many rows."""
    if isinstance(query, str):
        query = get_query(query, extra_dirs)
    bound = query.bind(params)
    columns = [column.name for column in query.columns]
    text = query.text_for(backend.name, by_day=query.by_day(bound))
    if reads_derived(text):
        require_rollups(backend)
    if limit is not None:
        text = limited(text, limit)
    return backend.query(text, bound, write=False, columns=columns)


def limited(cypher: str, rows: int) -> str:
    """The query giving at most `rows` of its rows (its own LIMIT, if it ends with one, stays)."""
    code = strip_comments(cypher).rstrip()
    if re.search(r"\bLIMIT\s+(\$\w+|\d+)$", code, re.IGNORECASE):
        return cypher
    return f"{code}\nLIMIT {rows}"


def parse_assignments(pairs: Iterable[str]) -> dict[str, str | tuple[str, str]]:
    """`key=value` strings (as given with -p) -> {key: value}; `key:type=value` gives (type, value)."""
    out: dict[str, str | tuple[str, str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise QueryError(f"a parameter is key=value, got {pair!r}")
        name, _, ptype = key.strip().partition(":")
        out[name] = (ptype, value) if ptype else value
    return out


def typed_adhoc(assignments: Mapping[str, str | tuple[str, str]]) -> dict[str, Any]:
    """Parameters of an ad-hoc query: strings, unless written key:type=value."""
    out: dict[str, Any] = {}
    for name, value in assignments.items():
        if isinstance(value, tuple):
            ptype_text, text = value
            try:
                ptype = ParamType(ptype_text)
            except ValueError:
                types = ", ".join(t.value for t in ParamType)
                raise QueryError(f"unknown type {ptype_text!r} for parameter {name} (one of {types})") from None
            out[name] = Param(name, ptype, True).coerce(text)
        else:
            out[name] = value
    return out


def untyped(assignments: Mapping[str, str | tuple[str, str]]) -> dict[str, str]:
    """For a canned query the header gives the types: a `:type` written anyway is ignored."""
    return {k: v[1] if isinstance(v, tuple) else v for k, v in assignments.items()}


# -- Neo4j Browser ---------------------------------------------------------------


def cypher_literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(cypher_literal(v) for v in value) + "]"
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def browser_params(query: Query, given: Mapping[str, Any] | None = None) -> list[str]:
    """`:param` lines to paste into Neo4j Browser before the query: given values, else defaults."""
    given = dict(given or {})
    query.check_names(given)
    lines = []
    for param in query.params:
        value = param.coerce(given[param.name]) if param.name in given else param.default
        if value is None and param.required:
            lines.append(f"// {param.name} is required ({param.type.value}): {param.doc}")
        lines.append(f":param {param.name} => {cypher_literal(value)}")
    return lines


# -- checks (tests and `graphkit query check`) ------------------------------------

_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_LINE_COMMENT = re.compile(r"//[^\n]*")
_NODE_LABELS = re.compile(r"\(\s*\w*\s*:\s*([A-Za-z_]\w*(?:\s*[|:&]\s*[A-Za-z_]\w*)*)")
_REL_TYPES = re.compile(r"\[\s*\w*\s*:\s*([A-Za-z_]\w*(?:\s*\|\s*:?\s*[A-Za-z_]\w*)*)")
_LABEL_PREDICATE = re.compile(r"\b[a-z_]\w*\s*:\s*([A-Z]\w*)\b")
_LABEL_FUNCTION = re.compile(r"\blabel\s*\(\s*\w+\s*\)\s*(?:=\s*|WHEN\s+)'(\w+)'", re.IGNORECASE)
_PARAM = re.compile(r"\$([A-Za-z_]\w*)")
# words that can follow `key:` in a map literal without being a label
_KEYWORDS = {"CASE", "WHEN", "THEN", "ELSE", "END", "NULL", "TRUE", "FALSE", "NOT", "DISTINCT", "EXISTS", "COUNT"}


def strip_comments(cypher: str) -> str:
    """The text without // comments (string literals kept)."""
    out, pos = [], 0
    for match in re.finditer(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|//[^\n]*", cypher):
        out.append(cypher[pos : match.start()])
        out.append("" if match.group().startswith("//") else match.group())
        pos = match.end()
    out.append(cypher[pos:])
    return "".join(out)


def _code(cypher: str) -> str:
    """The text without comments and string literals."""
    return _STRING.sub("''", strip_comments(cypher))


def parameters_used(cypher: str) -> set[str]:
    return set(_PARAM.findall(_code(cypher)))


def labels_and_types(cypher: str, schema: Schema = SCHEMA) -> tuple[set[str], set[str]]:
    """Node labels and relationship types the query names: in patterns, in `n:Label`
    predicates, and in the embedded dialect's `label(x) = 'Name'` comparisons (a type
    when the schema has that type, else a label)."""
    code = _code(cypher)
    labels: set[str] = set()
    # `r:TYPE` inside a relationship pattern is not a label predicate
    for group in _NODE_LABELS.findall(code) + _LABEL_PREDICATE.findall(_REL_TYPES.sub("[", code)):
        labels.update(re.split(r"\s*[|:&]\s*", group.strip()))
    types: set[str] = set()
    for group in _REL_TYPES.findall(code):
        types.update(t for t in re.split(r"\s*\|\s*:?\s*", group.strip()) if t)
    named = strip_comments(cypher)
    for value in _LABEL_FUNCTION.findall(named):
        (types if value in schema.by_type else labels).add(value)
    return labels - {""} - _KEYWORDS, types


def problems(query: Query, schema: Schema = SCHEMA) -> list[str]:
    """What is wrong with a query file beyond its header format: parameters declared but
    unused (or used but undeclared), labels and types the schema does not have, a variant
    file with more header than its name."""
    found = []
    declared = set(query.params_by_name)
    texts = {
        str(query.path): (query.cypher, ""),
        **{str(query.variant_paths[k]): (t, k) for k, t in query.variants.items()},
    }
    for where, (text, kind) in texts.items():
        used = parameters_used(text)
        # without a window the rollups answer: a text that is not by-day need not read one
        optional = set(query.window) if BY_DAY in query.variants and not kind.endswith(BY_DAY) else set()
        if used - declared:
            found.append(f"{where}: parameters used but not declared: {', '.join(sorted(used - declared))}")
        if declared - used - optional:
            found.append(f"{where}: parameters declared but not used: {', '.join(sorted(declared - used - optional))}")
        refused = refusal(text)
        if refused:
            found.append(f"{where}: refused when run (queries only read): it uses {refused}")
        labels, types = labels_and_types(text, schema)
        if labels - set(schema.by_label):
            found.append(f"{where}: labels not in the schema: {', '.join(sorted(labels - set(schema.by_label)))}")
        if types - set(schema.by_type):
            found.append(
                f"{where}: relationship types not in the schema: {', '.join(sorted(types - set(schema.by_type)))}"
            )
    for kind, path in query.variant_paths.items():
        extra = _header_after_name(query.variants[kind])
        if extra:
            found.append(
                f"{path}:{extra}: a variant's header is only '// name: {query.name}' (the main file's applies); "
                "a comment after a blank line is part of the query"
            )
    if not query.columns:
        found.append(f"{query.path}: the header lists no columns")
    return found


def _header_after_name(text: str) -> int | None:
    """The number of the header's second line, if it has one (the header is the leading
    block of comment lines, up to the first blank or code line)."""
    in_header = False
    for number, line in enumerate(text.splitlines(), 1):
        is_comment = line.strip().startswith("//")
        if in_header:
            return number if is_comment else None
        if is_comment:
            in_header = True
        elif line.strip():
            return None
    return None
