"""A projection as a compact undirected graph: nodes as integer ids, edges as arrays.

Nodes are numbered in (label, key) order and edges sorted once the projection is read
(`finished`), so the same graph gives the same input to the algorithms, and so the same
results for a seed, whichever store it was read from and in whatever order.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator

import networkx as nx
import numpy as np
import numpy.typing as npt

NodeRef = tuple[str, str]  # (label, key)


class CompactGraph:
    def __init__(self) -> None:
        self.ids: dict[NodeRef, int] = {}
        self.refs: list[NodeRef] = []
        self._weights: dict[tuple[int, int], float] = {}
        self.memberships: list[int] = []  # per node: how many shared elements it is a member of
        self.sources = array("q")
        self.targets = array("q")
        self.weights = array("d")

    def node(self, label: str, key: object) -> int:
        ref = (label, str(key))
        found = self.ids.get(ref)
        if found is None:
            found = self.ids[ref] = len(self.refs)
            self.refs.append(ref)
            self.memberships.append(0)
        return found

    def add(self, a: int, b: int, weight: float, merge: Callable[[float, float], float] = float.__add__) -> None:
        """An undirected edge; a pair seen again has its weights merged (summed by default)."""
        if a == b:
            return
        pair = (a, b) if a < b else (b, a)
        old = self._weights.get(pair)
        self._weights[pair] = weight if old is None else merge(old, weight)

    def finished(self) -> CompactGraph:
        order = sorted(range(len(self.refs)), key=self.refs.__getitem__)
        new_id = array("q", bytes(8 * len(order)))
        for new, old in enumerate(order):
            new_id[old] = new
        self.refs = [self.refs[old] for old in order]
        self.memberships = [self.memberships[old] for old in order]
        self.ids = {ref: i for i, ref in enumerate(self.refs)}
        edges = sorted(
            ((new_id[a], new_id[b]) if new_id[a] < new_id[b] else (new_id[b], new_id[a]), w)
            for (a, b), w in self._weights.items()
        )
        self._weights = {}
        for (a, b), w in edges:
            self.sources.append(a)
            self.targets.append(b)
            self.weights.append(w)
        return self

    @property
    def node_count(self) -> int:
        return len(self.refs)

    @property
    def edge_count(self) -> int:
        return len(self.weights)

    def edges(self) -> Iterator[tuple[int, int, float]]:
        return zip(self.sources, self.targets, self.weights)

    def adjacency(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """The graph in CSR form, each edge stored both ways: (indptr, neighbours, weights);
        node u's neighbours are neighbours[indptr[u]:indptr[u + 1]], in id order."""
        a = np.frombuffer(self.sources, dtype=np.int64)
        b = np.frombuffer(self.targets, dtype=np.int64)
        w = np.frombuffer(self.weights, dtype=np.float64)
        rows, cols, both = np.concatenate([a, b]), np.concatenate([b, a]), np.concatenate([w, w])
        order = np.lexsort((cols, rows))
        indptr = np.zeros(self.node_count + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=self.node_count), out=indptr[1:])
        return indptr, cols[order], both[order]

    def networkx(self) -> nx.Graph:
        graph = nx.Graph()
        graph.add_nodes_from(range(self.node_count))
        graph.add_weighted_edges_from(self.edges())
        return graph
