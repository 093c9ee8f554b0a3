"""What a read-only query may not do on either store: touch files, the network or settings.

A store's own read-only mode refuses writes to the graph, but not everything else:
LadybugDB opened read-only still runs `COPY ... TO` (writes a file), `LOAD FROM` (reads
one), `INSTALL` (downloads) and `EXPORT DATABASE`; Neo4j's READ access mode still runs
`LOAD CSV` and procedures such as `apoc.load.*`. So the query text is checked first,
token by token: words inside string literals, comments and `quoted` names do not count.

Procedures (`CALL name`) are allowed by name, not refused by name: a plugin's procedure
that is not known to be local and read-only is refused.
"""

from __future__ import annotations

import re
from functools import lru_cache

from graphkit.backends.base import ReadOnlyViolation

# Statements that read or write files, reach the network or change the database set.
# LOAD covers LOAD FROM, LOAD CSV, LOAD EXTENSION and LOAD <extension>.
FILE_STATEMENTS = frozenset({"COPY", "LOAD", "INSTALL", "UNINSTALL", "ATTACH", "DETACH", "EXPORT", "IMPORT"})

# Procedures and table functions that only read the graph or its catalogue (lowercase).
READ_PROCEDURES = frozenset(
    {
        # LadybugDB table functions
        "show_tables",
        "show_functions",
        "show_connection",
        "show_indexes",
        "show_macros",
        "show_sequences",
        "show_graphs",
        "show_projected_graphs",
        "show_warnings",
        "show_attached_databases",
        "show_loaded_extensions",
        "show_official_extensions",
        "table_info",
        "current_setting",
        "db_version",
        "storage_version",
        "catalog_version",
        "stats_info",
        "storage_info",
        "projected_graph_info",
        # Neo4j
        "db.labels",
        "db.relationshiptypes",
        "db.propertykeys",
        "db.info",
        "db.schema.visualization",
        "db.schema.nodetypeproperties",
        "db.schema.reltypeproperties",
    }
)
READ_PROCEDURE_FAMILIES = ("apoc.meta.", "apoc.path.", "apoc.algo.")

# Functions (not procedures) that load, export, run Cypher given as text, or read settings.
UNSAFE_FUNCTION = re.compile(
    r"^(dbms\.|apoc\.(load|export|import|cypher|periodic|systemdb|trigger|custom|static|config|bolt|jdbc|"
    r"mongo|mongodb|couchbase|redis|es|log)\.)",
    re.IGNORECASE,
)

# Strings, comments and `quoted names` (skipped), words and single characters (kept).
# An unterminated string or comment does not match a skipped form, so the rest is read as code.
# The text is read twice, as Cypher reads it (backslash escapes; a comment ends at \n or \r)
# and without escapes with comments ending at \n only: a store that lexes differently cannot
# hide a statement inside what one reading takes for a string or a comment.
_WORDS = r"""|(?P<word>[A-Za-z_][A-Za-z_0-9]*)|(?P<other>\S)"""
_READINGS = (
    re.compile(r"""(?P<skip>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`[^`]*`|//[^\n\r]*|/\*.*?\*/)""" + _WORDS, re.DOTALL),
    re.compile(r"""(?P<skip>'[^']*'|"[^"]*"|`[^`]*`|//[^\n]*|/\*.*?\*/)""" + _WORDS, re.DOTALL),
)
Token = tuple[str, str, int, int]  # kind, text, start, end


@lru_cache(maxsize=256)  # the same text is sent again and again (a fetch per chunk of keys)
def refusal(cypher: str) -> str | None:
    """Why this query may not run read-only (a short phrase naming what it uses), or None."""
    for reading in _READINGS:
        tokens = [(m.lastgroup or "", m.group(), m.start(), m.end()) for m in reading.finditer(cypher)]
        reason = _refusal(cypher, tokens)
        if reason is not None:
            return reason
    return None


def _refusal(cypher: str, tokens: list[Token]) -> str | None:
    previous = ""  # the code token before this one
    for i, (kind, text, start, end) in enumerate(tokens):
        if kind == "skip":
            continue
        last, previous = previous, text
        if kind != "word":
            continue
        before = cypher[start - 1] if start else ""
        after = cypher[end] if end < len(cypher) else ""
        if (before and before in ".$:") or after == ":":  # a property, a parameter, a label or a map key
            continue
        if last.upper() == "AS":  # a name given to a value
            continue
        word = text.upper()
        following = [t for t in tokens[i + 1 : i + 4] if t[0] != "skip"]
        if word in FILE_STATEMENTS:
            then = following[0][1].upper() if following and following[0][0] == "word" else ""
            if word == "DETACH" and then == "DELETE":
                continue  # DETACH DELETE changes the graph: the store's read-only mode refuses it
            statement = f"{word} {then}" if then in ("FROM", "CSV", "EXTENSION", "DATABASE") else word
            return f"{statement}, which reads or writes files or reaches the network"
        if word == "CALL":
            name = _dotted_name(tokens, i + 1)
            if name is not None and not _is_read_procedure(name):
                return f"CALL {name}, which is not known to be read-only (it may touch files, the network or settings)"
        elif after == "(" or (following and following[0][1] in (".", "(")):
            name = _dotted_name(tokens, i)
            if name is not None and UNSAFE_FUNCTION.match(name):
                return f"{name}(), which can touch files, the network or settings"
    return None


def _dotted_name(tokens: list[Token], at: int) -> str | None:
    """The name `a.b.c` starting at token `at`, skipping comments before it; None when there is none
    (`CALL {` and `CALL (x) {` are subqueries)."""
    while at < len(tokens) and tokens[at][0] == "skip" and not tokens[at][1].startswith(("'", '"', "`")):
        at += 1
    parts: list[str] = []
    while at < len(tokens):
        kind, text, _, _ = tokens[at]
        if kind == "word" or (kind == "skip" and text.startswith("`")):
            parts.append(text.strip("`"))
        else:
            break
        if at + 1 < len(tokens) and tokens[at + 1][1] == ".":
            at += 2
            continue
        break
    return ".".join(parts) if parts else None


def _is_read_procedure(name: str) -> bool:
    lowered = name.lower()
    return lowered in READ_PROCEDURES or lowered.startswith(READ_PROCEDURE_FAMILIES)


def check_read_only(cypher: str) -> None:
    """ReadOnlyViolation when the query would touch files, the network or settings."""
    reason = refusal(cypher)
    if reason is not None:
        raise ReadOnlyViolation(f"this query uses {reason}", reason=reason)
