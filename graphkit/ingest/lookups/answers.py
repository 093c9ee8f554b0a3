"""Answers carried by a lookup log -> RESOLVES_TO / ALIAS_OF observations, vectorised.

Zeek writes the answers of one response as a vector: the CNAME targets in order, then the
addresses (other data, e.g. TXT, as text). Read as a chain, the query is an alias of the
first name, each name an alias of the next, and the addresses belong to the last name.
Observations are summed per (relationship, name, target): responses, first and last seen,
and the TTL of the latest response.
"""

from __future__ import annotations

from functools import lru_cache

import pyarrow as pa
import pyarrow.compute as pc

from graphkit.ingest.lookups.classify import IPV4, canonical_names, ip_text, name_text
from graphkit.model import names

NONE, ALIAS, ADDRESS, PLACEHOLDER = 0, 1, 2, 3  # what an answer is
# Addresses no one serves a name from: what block lists, sinkholes and hosts files answer with
# (0.0.0.0, loopback). Linking every name so answered through them would join strangers; such
# answers are counted, never linked.
PLACEHOLDER_ADDRESS = r"^(?:0\.\d+\.\d+\.\d+|127\.\d+\.\d+\.\d+|::|::1)$"
RELATIONSHIP = {ALIAS: "ALIAS_OF", ADDRESS: "RESOLVES_TO"}
OBSERVATIONS = pa.schema(
    [
        ("kind", pa.int8()),
        ("_f", pa.string()),
        ("_t", pa.string()),
        ("n", pa.int64()),
        ("first", pa.float64()),
        ("last", pa.float64()),
        ("ttl", pa.int64()),
    ]
)


def observations(groups: pa.Table, query_names: list[str], sep: str) -> pa.Table:
    """One row per (answer set, answer) that is a name or an address: (kind, name, target, n,
    first, last, ttl). `groups` holds q (id into query_names), a (answer set, text joined with
    sep), n, first, last, ttl (TTLs joined with sep, aligned with the answers)."""
    if not groups.num_rows:
        return OBSERVATIONS.empty_table()
    groups = groups.combine_chunks()
    sets = groups.column("a").chunk(0)
    answers = pc.split_pattern(sets, sep)
    parent = pc.list_parent_indices(answers)
    flat = pc.list_flatten(answers)
    if not len(flat):
        return OBSERVATIONS.empty_table()
    starts = pc.take(answers.offsets, parent)
    one = pa.scalar(1, pa.int32())
    position = pc.subtract(pc.subtract(pc.cumulative_sum(pa.repeat(one, len(flat))), one), starts)
    kind, target = _targets(flat)
    ttl = _ttls(groups.column("ttl").chunk(0), answers, parent, position, sep)
    # the chain: each answer's name is the last name before it in its set, or the query
    query = pc.take(pa.array(query_names, pa.string()), pc.take(groups.column("q").chunk(0), parent))
    names_only = pc.if_else(pc.equal(kind, pa.scalar(ALIAS, pa.int8())), target, pa.scalar(None, pa.string()))
    previous = pa.concat_arrays([pa.nulls(1, pa.string()), names_only.slice(0, len(names_only) - 1)])
    first_in_set = pc.equal(position, pa.scalar(0, pa.int32()))
    chain = pc.fill_null_forward(pc.if_else(first_in_set, query, previous))
    keep = pc.and_(pc.not_equal(kind, pa.scalar(NONE, pa.int8())), pc.not_equal(target, chain))
    rows = pa.table(
        {
            "kind": kind,
            "_f": chain,
            "_t": target,
            "n": pc.take(groups.column("n").chunk(0), parent),
            "first": pc.take(groups.column("first").chunk(0), parent),
            "last": pc.take(groups.column("last").chunk(0), parent),
            "ttl": ttl,
        }
    )
    return rows.filter(keep)


def summed(parts: list[pa.Table]) -> dict[str, pa.Table]:
    """Observations summed per (relationship, name, target), one table per relationship type,
    with the columns of an EdgeTable (first/last still epoch seconds)."""
    if not parts:
        return {}
    rows = pa.concat_tables(parts)
    if not rows.num_rows:
        return {}
    # ordered by time, so that the last TTL of each group is the latest response's
    rows = rows.sort_by([("last", "ascending")])
    grouped = rows.group_by(["kind", "_f", "_t"], use_threads=False).aggregate(
        [("n", "sum"), ("first", "min"), ("last", "max"), ("ttl", "last")]
    )
    out = {}
    for kind, rel in RELATIONSHIP.items():
        part = grouped.filter(pc.equal(grouped.column("kind"), pa.scalar(kind, pa.int8())))
        if part.num_rows:
            out[rel] = pa.table(
                {
                    "_f": part.column("_f"),
                    "_t": part.column("_t"),
                    "ttl": part.column("ttl_last"),
                    "count": part.column("n_sum"),
                    "first": part.column("first_min"),
                    "last": part.column("last_max"),
                }
            )
    return out


def _targets(flat: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(kind, canonical target) of each answer; Python runs only for distinct answers that are
    not already a plain address or name."""
    encoded = pc.dictionary_encode(flat)
    values = encoded.dictionary
    address = pc.fill_null(pc.match_substring_regex(values, f"^{IPV4.pattern}$"), pa.scalar(False))
    name = canonical_names(values)
    plain = pc.or_(address, name)
    kinds = pc.if_else(
        address,
        pa.scalar(ADDRESS, pa.int8()),
        pc.if_else(name, pa.scalar(ALIAS, pa.int8()), pa.scalar(NONE, pa.int8())),
    )
    texts = pc.cast(pc.if_else(plain, values, pa.scalar(None, values.type)), pa.string())
    others = pc.indices_nonzero(pc.invert(plain)).to_pylist()
    if others:
        found = [_answer_target(raw) for raw in pc.take(values, pa.array(others, pa.int64())).to_pylist()]
        kind_list, text_list = kinds.to_pylist(), texts.to_pylist()
        for index, (kind, text) in zip(others, found, strict=True):
            kind_list[index], text_list[index] = kind, text
        kinds, texts = pa.array(kind_list, pa.int8()), pa.array(text_list, pa.string())
    placeholder = pc.fill_null(pc.match_substring_regex(texts, PLACEHOLDER_ADDRESS), False)
    kinds = pc.if_else(placeholder, pa.scalar(PLACEHOLDER, pa.int8()), kinds)
    return pc.take(kinds, encoded.indices), pc.take(texts, encoded.indices)


def placeholders(observed: pa.Table) -> int:
    """How many answers were placeholder addresses (summed() leaves them out)."""
    rows = observed.filter(pc.equal(observed.column("kind"), pa.scalar(PLACEHOLDER, pa.int8())))
    return pc.sum(rows.column("n")).as_py() or 0


def _ttls(sets: pa.Array, answers: pa.Array, parent: pa.Array, position: pa.Array, sep: str) -> pa.Array:
    """The TTL of each answer, where the TTL vector has as many items as the answer vector."""
    if sets.null_count == len(sets):
        return pa.nulls(len(parent), pa.int64())
    ttls = pc.split_pattern(sets, sep)
    aligned = pc.fill_null(pc.equal(pc.list_value_length(ttls), pc.list_value_length(answers)), pa.scalar(False))
    index = pc.add(pc.take(ttls.offsets, parent), position)
    index = pc.if_else(pc.take(aligned, parent), index, pa.scalar(None, pa.int32()))
    texts = pc.take(ttls.values, index)
    encoded = pc.dictionary_encode(texts)
    seconds = pa.array([_ttl(v) for v in encoded.dictionary.to_pylist()], pa.int64())
    return pc.take(seconds, encoded.indices)


def _ttl(raw: bytes | str) -> int | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    return int(value) if 0 <= value < 2**31 else None


@lru_cache(maxsize=100_000)
def _answer_target(raw: bytes | str) -> tuple[int, str | None]:
    """(kind, canonical text) of one answer that is not plainly an address or a name."""
    text = (raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw).strip()
    if ":" in text or text.replace(".", "").isdigit():  # names have neither
        try:
            return ADDRESS, ip_text(text)
        except names.InvalidName:
            return NONE, None
    try:
        return ALIAS, name_text(text)
    except names.InvalidName:
        return NONE, None  # TXT, SRV and other answers Zeek writes as text


def joined_per_row(rows: pa.Array, values: pa.Array, count: int) -> pa.Array:
    """For each of `count` rows, its values (in the order given) joined with ',' as the
    aggregator reads a chain; null for a row with none. `rows` says whose each value is."""
    table = pa.table({"row": rows.cast(pa.int64()), "value": values})
    grouped = table.group_by("row", use_threads=False).aggregate([("value", "list")])  # keeps the order within a row
    joined = pc.binary_join(grouped.column("value_list").combine_chunks(), ",")
    where = pc.index_in(pa.array(range(count), pa.int64()), value_set=grouped.column("row").combine_chunks())
    return pc.take(joined, where)
