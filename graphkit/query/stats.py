"""Counts that summarise a graph: nodes per label, relationships per type, lookups, sources."""

from __future__ import annotations

from typing import Any

from graphkit.backends.base import Backend
from graphkit.model.schema import SCHEMA


def graph_stats(backend: Backend) -> dict[str, Any]:
    nodes = {n.label: _count(backend, f"MATCH (n:{n.label}) RETURN count(n)") for n in SCHEMA.nodes}
    rels = {r.type: _count(backend, f"MATCH ()-[r:{r.type}]->() RETURN count(r)") for r in SCHEMA.rels}
    lookups = _count(backend, "MATCH ()-[r:LOOKED_UP]->() RETURN coalesce(sum(r.count), 0)")
    return {"nodes": nodes, "relationships": rels, "lookups": lookups, "sources": nodes["Source"]}


def _count(backend: Backend, cypher: str) -> int:
    return int(backend.query(cypher).rows[0][0] or 0)
