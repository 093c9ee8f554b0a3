"""Louvain communities (Blondel et al. 2008) over adjacency arrays.

networkx's implementation moves nodes until a sweep moves none, and on a co-lookup projection
of a million lookups (10k clients, 220k edges) kept trading nodes between near-equal
communities for more than five minutes. Here a level ends when a sweep gains less modularity
than `threshold`, as in the original paper, and the graph of communities is built with numpy.
The result depends only on the graph and the seed: nodes are visited in an order shuffled
by the seed, and ties keep a node where it is.
"""

from __future__ import annotations

import random

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


def rows_of(indptr: Ints) -> Ints:
    """Each adjacency entry's own node (the row it sits in)."""
    return np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))


def strengths(indptr: Ints, weights: Floats) -> Floats:
    """Each node's summed edge weights (a self-loop, stored twice, counts twice)."""
    summed: Floats = np.bincount(rows_of(indptr), weights=weights, minlength=len(indptr) - 1).astype(np.float64)
    return summed


def louvain(
    indptr: Ints, indices: Ints, weights: Floats, *, resolution: float = 1.0, seed: int = 42, threshold: float = 1e-7
) -> Ints:
    """The community of each node, numbered 0..k-1, for a symmetric graph in CSR form (each
    edge stored both ways)."""
    n = len(indptr) - 1
    membership = np.arange(n, dtype=np.int64)
    total = float(weights.sum()) / 2
    if n == 0 or total <= 0:
        return membership
    rng = random.Random(seed)
    while True:
        local, gained = _one_level(indptr, indices, weights, total, resolution, rng, threshold)
        count = int(local.max()) + 1
        membership = local[membership]
        if count == len(indptr) - 1 or gained < threshold:
            return membership
        indptr, indices, weights = _aggregated(indptr, indices, weights, local, count)


def _one_level(
    indptr: Ints, indices: Ints, weights: Floats, total: float, resolution: float, rng: random.Random, threshold: float
) -> tuple[Ints, float]:
    """Local moving: each node goes to the neighbouring community that gains most modularity,
    sweep after sweep, until a sweep gains less than `threshold`. Returns the communities,
    renumbered 0..k-1 in order of their smallest node, and the modularity gained."""
    n = len(indptr) - 1
    neighbours = [indices[indptr[u] : indptr[u + 1]].tolist() for u in range(n)]
    links = [weights[indptr[u] : indptr[u + 1]].tolist() for u in range(n)]
    strength = strengths(indptr, weights).tolist()
    community = list(range(n))
    community_total = list(strength)
    scale = resolution / (2 * total)
    order = list(range(n))
    rng.shuffle(order)
    gained = 0.0
    while True:
        sweep_gain = 0.0
        for u in order:
            k = strength[u]
            own = community[u]
            towards: dict[int, float] = {}
            for v, w in zip(neighbours[u], links[u]):
                if v != u:
                    c = community[v]
                    towards[c] = towards.get(c, 0.0) + w
            community_total[own] -= k
            stay = towards.get(own, 0.0) - scale * community_total[own] * k
            best, best_score = own, stay
            for c, w in towards.items():
                score = w - scale * community_total[c] * k
                if score > best_score:
                    best, best_score = c, score
            community_total[best] += k
            if best != own:
                community[u] = best
                sweep_gain += (best_score - stay) / total
        gained += sweep_gain
        if sweep_gain < threshold:
            break
    labels = np.asarray(community, dtype=np.int64)
    _, first = np.unique(labels, return_index=True)
    renumber = np.empty(n, dtype=np.int64)
    renumber[labels[np.sort(first)]] = np.arange(len(first))
    return renumber[labels], gained


def _aggregated(indptr: Ints, indices: Ints, weights: Floats, local: Ints, count: int) -> tuple[Ints, Ints, Floats]:
    """The graph of communities: one node per community, the weights between two communities
    summed, those inside a community as its self-loop (stored twice, as every edge is)."""
    rows = local[rows_of(indptr)]
    cols = local[indices]
    pairs, where = np.unique(rows * count + cols, return_inverse=True)
    summed: Floats = np.bincount(where, weights=weights, minlength=len(pairs)).astype(np.float64)
    new_rows, new_cols = np.divmod(pairs.astype(np.int64), count)
    new_indptr = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(np.bincount(new_rows, minlength=count), out=new_indptr[1:])
    return new_indptr, np.asarray(new_cols, dtype=np.int64), summed
