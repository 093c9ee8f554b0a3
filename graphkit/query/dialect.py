"""Where the embedded store's Cypher (LadybugDB) differs from Neo4j's only by function names.

A query is written once, in Neo4j Cypher. Before the embedded store runs a query that has
no variant file, the names in RENAMES are replaced where they are called: not inside string
literals, `quoted` names or comments, and not as part of a longer name (`xtoString(` stays).
Only renames whose results agree on the values graphkit's queries pass are listed (LadybugDB's
string() of a float or a boolean reads differently: 1.500000, True); a query whose plan or
semantics must differ has a variant file instead (see graphkit.query.catalogue).
"""

from __future__ import annotations

import re
from functools import cache

EMBEDDED_DIALECT = "embedded"  # the Backend.name of the embedded store

# dialect -> {Neo4j function name: that dialect's name}; Cypher function names ignore case
RENAMES: dict[str, dict[str, str]] = {
    EMBEDDED_DIALECT: {
        "toString": "string",
        "date.truncate": "date_trunc",
    },
}

# what is left as it stands: string literals, `quoted` names, // and /* */ comments
_VERBATIM = r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/"


@cache
def _calls(dialect: str) -> re.Pattern[str]:
    names = "|".join(re.escape(name) for name in sorted(RENAMES[dialect], key=len, reverse=True))
    # a call: the name, not preceded by a name character or a dot, and followed by "("
    call = rf"(?<![\w.$])(?P<name>{names})(?=\s*\()"
    return re.compile(rf"(?P<verbatim>{_VERBATIM})|{call}", re.IGNORECASE | re.DOTALL)


def translate(cypher: str, dialect: str) -> str:
    """The Neo4j query text with this dialect's function names (unchanged for Neo4j itself)."""
    renames = RENAMES.get(dialect)
    if not renames:
        return cypher
    by_folded_name = {name.casefold(): target for name, target in renames.items()}

    def rename(match: re.Match[str]) -> str:
        if match["verbatim"] is not None:
            return match["verbatim"]
        return by_folded_name[match["name"].casefold()]

    return _calls(dialect).sub(rename, cypher)
