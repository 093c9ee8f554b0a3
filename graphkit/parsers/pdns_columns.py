"""Passive DNS records as columns -> RESOLVES_TO, ALIAS_OF, USES_NAMESERVER and USES_MAIL_SERVER
tables, with graphkit.parsers.dnsrecords' meaning but without a dnspython object per value.

The rows come in as `Rows`: one per usable line, its owner already canonical, its rdata a list.
Values in the plain presentation form of A, AAAA, CNAME, NS and MX (an address; a name of
letters, digits, '_' and '-' labels; "preference name") become edge rows here, their keys as
written (the normaliser makes them canonical and rejects what is not an address or a domain
name, as dnspython would have). Every other value of a mapped type (SRV, TXT, SPF, PTR, SOA, and
unusual spellings such as '@', escapes, comments or a null MX) is handed back as `Slow` for
dnsrecords to read, so the rare cases keep exactly its meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from graphkit.model.tables import TIMESTAMP
from graphkit.parsers import dnsrecords

ROWS = pa.schema(
    [
        ("_line", pa.int64()),
        ("owner", pa.string()),
        ("rtype", pa.string()),
        ("rdata", pa.list_(pa.string())),
        ("first_seen", TIMESTAMP),
        ("last_seen", TIMESTAMP),
        ("count", pa.int64()),
    ]
)
_NAME = r"(?:[A-Za-z0-9_-]+\.)*[A-Za-z0-9_-]+\.?"  # no empty label, no root, no escapes
PLAIN = {
    "A": r"^[0-9.]+$",  # dotted quad or not an address: names.ip and dnspython agree on these
    "AAAA": r"^[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*$",  # a colon: an IPv4 address is not AAAA data
    "CNAME": f"^{_NAME}$",
    "NS": f"^{_NAME}$",
    "MX": rf"^[0-9]{{1,5}}[ \t]+{_NAME}$",
}
_MX_PARTS = rf"^(?P<preference>[0-9]{{1,5}})[ \t]+(?P<name>{_NAME})$"
EDGES = {  # type -> relationship, endpoint labels
    "A": ("RESOLVES_TO", ("Domain", "IPAddress")),
    "AAAA": ("RESOLVES_TO", ("Domain", "IPAddress")),
    "CNAME": ("ALIAS_OF", ("Domain", "Domain")),
    "NS": ("USES_NAMESERVER", ("Domain", "Domain")),
    "MX": ("USES_MAIL_SERVER", ("Domain", "Domain")),
}
_MAPPED = pa.array(sorted(dnsrecords.MAPPED_TYPES), pa.string())


@dataclass
class Slow:
    """Values for dnsrecords to read, one row each: _line, owner, rtype, value, times, count."""

    table: pa.Table


@dataclass
class Mapped:
    edges: dict[str, tuple[tuple[str, str], pa.Table]]  # relationship -> (ends, rows with _f, _t, _line, props)
    slow: Slow
    counts: dict[str, int]  # values per record type
    unmapped: int  # values of types with no mapping


def mapped(rows: pa.Table) -> Mapped:
    """The edge rows of plain values, the other mapped values, and what to count."""
    parents = pc.list_parent_indices(rows.column("rdata"))
    values = pc.list_flatten(rows.column("rdata"))
    flat = rows.drop_columns(["rdata"]).take(parents).append_column("value", values)
    rtype = flat.column("rtype")
    counts = {str(row["values"]): int(row["counts"]) for row in pc.value_counts(rtype).to_pylist()}
    is_mapped = pc.is_in(rtype, _MAPPED)
    unmapped = len(flat) - pc.sum(is_mapped).as_py() if len(flat) else 0
    fast = pa.array([False] * len(flat), pa.bool_())
    by_rel: dict[str, list[pa.Table]] = {}
    for name, pattern in PLAIN.items():
        if name not in counts:
            continue
        plain = pc.and_(pc.equal(rtype, name), pc.match_substring_regex(values, pattern))
        if name == "MX":  # a preference over 65535 is not MX data: dnsrecords says why
            preference = pc.cast(pc.struct_field(pc.extract_regex(values, _MX_PARTS), "preference"), pa.int64())
            plain = pc.and_(plain, pc.fill_null(pc.less_equal(preference, 65535), False))
        fast = pc.or_(fast, plain)
        chosen = flat.filter(plain)
        if not len(chosen):
            continue
        rel, _ = EDGES[name]
        by_rel.setdefault(rel, []).append(_edge_rows(name, chosen))
    slow = flat.filter(pc.and_(is_mapped, pc.invert(fast)))
    edges = {rel: (EDGES[_first_type(rel)][1], _in_line_order(parts)) for rel, parts in by_rel.items()}
    return Mapped(edges, Slow(slow), counts, unmapped)


def _edge_rows(rtype: str, rows: pa.Table) -> pa.Table:
    columns = {
        "_f": rows.column("owner"),
        "_t": rows.column("value"),
        "_line": rows.column("_line"),
        "first_seen": rows.column("first_seen"),
        "last_seen": rows.column("last_seen"),
        "count": rows.column("count"),
    }
    if rtype == "MX":
        parts = pc.extract_regex(rows.column("value"), _MX_PARTS)
        columns["_t"] = pc.struct_field(parts, "name")
        columns["preference"] = pc.cast(pc.struct_field(parts, "preference"), pa.int64())
    return pa.table(columns)


def _in_line_order(parts: list[pa.Table]) -> pa.Table:
    """A and AAAA rows together, as the lines gave them (the merge keeps the last SET value)."""
    if len(parts) == 1:
        return parts[0]
    table = pa.concat_tables(parts)
    return table.take(pc.sort_indices(table.column("_line")))


def _first_type(rel: str) -> str:
    return next(name for name, (r, _) in EDGES.items() if r == rel)
