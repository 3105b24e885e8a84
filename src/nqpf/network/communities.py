"""Communities of a :class:`~nqpf.network.graph.FlowNetwork`: Leiden or Louvain, seeded.

Both run on the undirected network of total flows W + Wᵀ and maximise modularity with a
resolution γ (Reichardt & Bornholdt 2006; γ = 1 is Newman's modularity):
Q = (1 / 2m) Σ_ij (A_ij − γ k_i k_j / 2m) δ(c_i, c_j).
Leiden (Traag, Waltman & van Eck 2019) comes from ``leidenalg`` with
``RBConfigurationVertexPartition``; Louvain (Blondel et al. 2008) from igraph's
``community_multilevel``. The modularity reported is igraph's, for the partition found.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from nqpf._compat import require
from nqpf._random import RandomSource, Seed
from nqpf.errors import DataValidationError
from nqpf.network.graph import FlowNetwork
from nqpf.results import Result, Summary, make_meta

__all__ = ["METHODS", "Communities", "CommunityMethod", "communities"]

CommunityMethod = Literal["leiden", "louvain"]
METHODS = ("leiden", "louvain")


@dataclass(frozen=True)
class Communities(Result):
    """A partition of the nodes into communities.

    Attributes
    ----------
    membership
        ``node``, ``community`` in the network's label order; communities are numbered by size,
        0 the largest (ties: the one whose first node comes first).
    modularity
        Modularity of the partition at the given resolution (NaN for a network without edges).
    method, resolution
        The algorithm and the resolution γ.
    notes
        The network's notes, then the policies applied here (symmetrisation, …).
    """

    membership: pd.DataFrame
    modularity: float
    method: str
    resolution: float
    notes: tuple[str, ...] = field(default=())

    @property
    def sizes(self) -> pd.Series:
        """Number of nodes in each community, indexed by community."""
        return self.membership.community.value_counts().sort_index().rename("size")

    def to_frame(self) -> pd.DataFrame:
        """The membership table."""
        return self.membership

    def summary(self) -> Summary:
        """Community sizes and members, with the modularity."""
        members = self.membership.groupby("community").node.agg(
            lambda nodes: ", ".join(map(str, nodes))
        )
        table = pd.DataFrame({"size": self.sizes, "nodes": members})
        note = (
            f"{self.method}, resolution {self.resolution:g}: modularity Q = {self.modularity:.4f}"
        )
        return Summary("社区 Communities", (("", table),), (note, *self.notes))


def communities(
    net: FlowNetwork,
    method: CommunityMethod = "leiden",
    *,
    resolution: float = 1.0,
    seed: Seed = 0,
) -> Communities:
    """Communities of ``net`` by Leiden or Louvain on its symmetrised weights W + Wᵀ.

    ``seed`` is resolved by :class:`~nqpf._random.RandomSource`; the integer drawn from it
    seeds ``leidenalg`` (which iterates until no node moves), or igraph's random number
    generator for Louvain: a seeded ``random.Random`` during the call, igraph's default
    (Python's ``random`` module) again afterwards. The same seed gives the same partition.

    Two triangles joined by a weak edge (0.1): 2m = 12.2 and
    Q = 2 (6 / 12.2 − (6.1 / 12.2)²) ≈ 0.4836.

    >>> w = np.kron(np.eye(2), np.ones((3, 3))) - np.eye(6)
    >>> w[2, 3] = w[3, 2] = 0.1
    >>> found = communities(FlowNetwork.from_matrix(w, list("abcdef"), directed=False))
    >>> found.membership.community.tolist(), round(found.modularity, 4)
    ([0, 0, 0, 1, 1, 1], 0.4836)
    """
    if method not in METHODS:
        raise DataValidationError(f"method must be one of {list(METHODS)}, got {method!r}")
    if not (isinstance(resolution, int | float) and np.isfinite(resolution) and resolution > 0):
        raise DataValidationError(f"resolution must be a positive number, got {resolution!r}")
    source = RandomSource.from_seed(seed)
    draw = int(source.generator().integers(2**31 - 1))
    symmetric = net.undirected()
    graph = symmetric.to_igraph()
    notes = [*net.notes, "communities of the undirected network of total flows w_ij + w_ji"]
    if graph.ecount() == 0:
        raw = np.arange(net.n)
        modularity = np.nan
        notes.append("the network has no edges: every node is its own community")
    else:
        raw = _partition(graph, method, float(resolution), draw)
        modularity = float(graph.modularity(list(raw), weights="weight", resolution=resolution))
    membership = pd.DataFrame({"node": list(net.labels), "community": _by_size(raw)})
    return Communities(
        membership,
        modularity,
        method,
        float(resolution),
        tuple(notes),
        meta=make_meta(
            "communities",
            algorithm=method,
            resolution=float(resolution),
            seed=source.record,
            n=net.n,
            communities=int(membership.community.nunique()),
        ),
    )


def _partition(graph: object, method: str, resolution: float, seed: int) -> np.ndarray:
    """Raw community ids from leidenalg or igraph, seeded by ``seed``."""
    if method == "leiden":
        leidenalg = require("leidenalg", "Leiden communities")
        partition = leidenalg.find_partition(
            graph,
            leidenalg.RBConfigurationVertexPartition,
            weights="weight",
            resolution_parameter=resolution,
            n_iterations=-1,
            seed=seed,
        )
        return np.asarray(partition.membership)
    ig = require("igraph", "Louvain communities")
    ig.set_random_number_generator(random.Random(seed))
    try:
        clusters = graph.community_multilevel(  # type: ignore[attr-defined]
            weights="weight", resolution=resolution
        )
    finally:
        ig.set_random_number_generator(random)
    return np.asarray(clusters.membership)


def _by_size(raw: np.ndarray) -> np.ndarray:
    """Renumber communities by size, 0 the largest; ties by the position of the first node.

    >>> _by_size(np.array([5, 2, 2, 5, 7, 7])).tolist()
    [0, 1, 1, 0, 2, 2]
    """
    ids, first, inverse, size = np.unique(
        raw, return_index=True, return_inverse=True, return_counts=True
    )
    order = np.lexsort((first, -size))
    rank = np.empty(ids.size, dtype=int)
    rank[order] = np.arange(ids.size)
    return rank[inverse]
