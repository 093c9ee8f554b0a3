"""Projections: the graph an analysis runs on, read from the store by Cypher that both stores
run alike, a page at a time, into a CompactGraph.

- `co-lookup`: clients (addresses, hosts) linked by the names they both looked up.
- `infrastructure`: domains linked by the name servers, mail servers, addresses, netblocks,
  certificates and registration details (registrant and administrative organizations,
  contact emails other than privacy proxies) they share.
- `whole`: the graph as it is, every relationship type, parallel relationships (lookups on
  different days) one edge of weight 1 per pair of nodes; Source nodes left out.

In the first two, each shared element (a name, a name server, ...) adds 1 / (its members - 1)
to every pair of its members, as the co-lookup and shared-infrastructure queries weigh them:
an element only two share counts 1. An element shared by more than `max_members` links
nobody: a name everybody looks up (a CDN, an update server), a big hoster's address or a
registrar's name server says nothing about who belongs together, and its pairs would grow
with its square. ASNs and registrars are left out for the same reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from graphkit.analysis.compact import CompactGraph
from graphkit.backends.base import Backend
from graphkit.errors import GraphkitError
from graphkit.model.schema import SCHEMA
from graphkit.query.dialect import translate

PAGE = 2_000  # elements whose members are read per query
PAIRS_PAGE = 50_000  # node pairs read per query (whole)


@dataclass(frozen=True)
class Shared:
    """Elements members share: `match` binds the element `e` and a member `m`."""

    match: str
    element: str  # the element's key, as an expression over `e`
    members: tuple[tuple[str, str], ...]  # (member label, its key as an expression over `m`)
    where: str = "true"  # which elements count

    def elements(self) -> str:
        count = " + ".join(f"count(DISTINCT {key})" for _, key in self.members)
        return (
            f"MATCH {self.match} WHERE {self.where} WITH {self.element} AS element, {count} AS members "
            "WHERE members >= $min_members AND members <= $max_members RETURN element ORDER BY element"
        )

    def groups(self) -> str:
        lists = ", ".join(f"collect(DISTINCT {key}) AS m{i}" for i, (_, key) in enumerate(self.members))
        chosen = f"{self.element} IN $elements AND {self.where}"
        return f"MATCH {self.match} WHERE {chosen} RETURN {self.element} AS element, {lists}"


CO_LOOKUP = (Shared("(m)-[:LOOKED_UP_TOTAL]->(e:Domain)", "e.name", (("IPAddress", "m.address"), ("Host", "m.name"))),)
DOMAINS = (("Domain", "m.name"),)
INFRASTRUCTURE = (
    Shared("(m:Domain)-[:USES_NAMESERVER]->(e:Domain)", "e.name", DOMAINS),
    Shared("(m:Domain)-[:USES_MAIL_SERVER]->(e:Domain)", "e.name", DOMAINS),
    Shared("(m:Domain)-[:RESOLVES_TO]->(e:IPAddress)", "e.address", DOMAINS),
    Shared("(m:Domain)-[:RESOLVES_TO]->(:IPAddress)-[:IN_NETBLOCK]->(e:Netblock)", "e.cidr", DOMAINS),
    Shared("(m:Domain)-[:REGISTERED_BY]->(e:Organization)", "e.key", DOMAINS),
    Shared("(m:Domain)-[:ADMINISTERED_BY]->(e:Organization)", "e.key", DOMAINS),
    Shared("(m:Domain)-[:HAS_CONTACT_EMAIL]->(e:Email)", "e.address", DOMAINS, "NOT coalesce(e.is_proxy, false)"),
    Shared("(e:Certificate)-[:NAMES]->(m:Domain)", "e.fingerprint", DOMAINS),
    Shared("(m:Domain)-[:RESOLVES_TO]->(:IPAddress)-[:SERVED_CERT]->(e:Certificate)", "e.fingerprint", DOMAINS),
)


@dataclass(frozen=True)
class Projection:
    name: str
    doc: str
    labels: tuple[str, ...]  # the labels of its nodes: what a run writes on, and clears first
    read: Callable[[Backend, dict[str, Any]], CompactGraph]


def _rows(backend: Backend, cypher: str, params: dict[str, Any]) -> list[list[Any]]:
    return backend.query(translate(cypher, backend.name), params).rows


def _sharing(kinds: tuple[Shared, ...]) -> Callable[[Backend, dict[str, Any]], CompactGraph]:
    def read(backend: Backend, options: dict[str, Any]) -> CompactGraph:
        graph = CompactGraph()
        # similarity counts shared elements, and every element of a member (its own too), not weighs them
        by_count = options.get("weighting") == "count"
        limit = {"max_members": int(options.get("max_members", 50)), "min_members": 1 if by_count else 2}
        for kind in kinds:
            elements = [row[0] for row in _rows(backend, kind.elements(), limit)]
            for start in range(0, len(elements), PAGE):
                page = {"elements": elements[start : start + PAGE]}
                for _, *lists in sorted(_rows(backend, kind.groups(), page), key=lambda row: str(row[0])):
                    members = [
                        graph.node(label, key)
                        for (label, _), keys in zip(kind.members, lists)
                        for key in sorted(k for k in keys if k is not None)
                    ]
                    weight = 1.0 if by_count else 1.0 / (len(members) - 1)
                    for i, a in enumerate(members):
                        graph.memberships[a] += 1
                        for b in members[i + 1 :]:
                            graph.add(a, b, weight)
        return graph.finished()

    return read


def _pairs(rel_type: str, from_label: str, to_label: str) -> str:
    a, b = SCHEMA.by_label[from_label].key.name, SCHEMA.by_label[to_label].key.name
    return (
        f"MATCH (a:{from_label})-[:{rel_type}]->(b:{to_label}) "
        f"WITH DISTINCT a.{a} AS a, b.{b} AS b RETURN a, b ORDER BY a, b SKIP $skip LIMIT $page"
    )


def _whole(backend: Backend, options: dict[str, Any]) -> CompactGraph:
    graph = CompactGraph()
    for rel in SCHEMA.rels:
        for from_label, to_label in rel.endpoints:
            if "Source" in (from_label, to_label) or rel.derived_from:  # a rollup repeats its daily pairs
                continue
            for a, b in _paged(backend, _pairs(rel.type, from_label, to_label)):
                graph.add(graph.node(from_label, a), graph.node(to_label, b), 1.0, merge=max)
    return graph.finished()


def _paged(backend: Backend, cypher: str) -> Iterator[list[Any]]:
    skip = 0
    while True:
        rows = _rows(backend, cypher, {"skip": skip, "page": PAIRS_PAGE})
        yield from rows
        if len(rows) < PAIRS_PAGE:
            return
        skip += len(rows)


PROJECTIONS = {
    p.name: p
    for p in (
        Projection(
            "co-lookup",
            "clients linked by the names they both looked up, rare names weighing more",
            ("IPAddress", "Host"),
            _sharing(CO_LOOKUP),
        ),
        Projection(
            "infrastructure",
            "domains linked by the infrastructure and registration details they share, rare ones weighing more",
            ("Domain",),
            _sharing(INFRASTRUCTURE),
        ),
        Projection(
            "whole",
            "the graph as it is, parallel relationships as one edge",
            tuple(n.label for n in SCHEMA.nodes if n.label != "Source"),
            _whole,
        ),
    )
}


def get_projection(name: str) -> Projection:
    if name not in PROJECTIONS:
        raise GraphkitError(f"no projection {name!r}: there are {', '.join(PROJECTIONS)}")
    return PROJECTIONS[name]
