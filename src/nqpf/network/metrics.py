"""Node and network measures of a :class:`~nqpf.network.graph.FlowNetwork`, and its backbone.

:func:`network_metrics` gives each node's strengths, degrees, centralities, clustering and Burt
constraint, and the network's density, reciprocity, path length and efficiency, with the
conventions of networkx (the reference the tests compare every number with). Shortest paths,
betweenness, eigenvector centrality and constraint come from igraph; the rest is vectorised
numpy. :func:`disparity_filter` extracts the backbone of Serrano, Boguñá & Vespignani (2009).

Flows are affinities, so a weighted shortest path uses the distance ``1 / weight`` of each edge.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from nqpf.errors import DataValidationError
from nqpf.network.graph import FlowNetwork
from nqpf.results import Result, Summary, make_meta

__all__ = ["NODE_COLUMNS", "NetworkMetrics", "disparity_filter", "network_metrics"]

#: Columns of :attr:`NetworkMetrics.nodes`.
NODE_COLUMNS = (
    "node",
    "in_strength",
    "out_strength",
    "strength",
    "in_degree",
    "out_degree",
    "degree_centrality",
    "betweenness",
    "closeness",
    "eigenvector",
    "clustering",
    "constraint",
)

#: The conventions, stated once: docstring of :func:`network_metrics` and ``meta["conventions"]``.
CONVENTIONS = {
    "distance": "weighted shortest paths use distance = 1 / weight (flows are affinities)",
    "strength": "in/out strength = column/row sums of the weights; strength = in + out "
    "(undirected: strength = in = out = row sum)",
    "degree_centrality": "(in_degree + out_degree) / (n - 1) for directed networks, "
    "degree / (n - 1) for undirected ones (networkx degree_centrality)",
    "betweenness": "shortest-path betweenness on the distances, normalised as networkx: "
    "divided by (n - 1)(n - 2), times 2 for undirected networks",
    "closeness": "networkx closeness_centrality with wf_improved: (r - 1)² / ((n - 1) Σ d(v, u)) "
    "over the r nodes that reach u (r counts u); directed networks use inward distances "
    "d(v → u), as networkx does",
    "eigenvector": "leading eigenvector of the symmetrised weights W + Wᵀ, unit Euclidean norm "
    "(networkx scaling)",
    "clustering": "weighted clustering of Onnela et al. (2005) on W + Wᵀ, as networkx "
    "clustering(G, weight=...): geometric mean of weights scaled by the largest weight",
    "constraint": "Burt (1992) constraint with p_ij = (w_ij + w_ji) / Σ_k (w_ik + w_ki); "
    "NaN for isolated nodes (igraph/networkx constraint)",
    "reciprocity": "share of edges whose reverse edge exists",
    "weighted_reciprocity": "Σ min(w_ij, w_ji) / Σ w_ij (Squartini et al. 2013)",
    "density": "edges / (n (n - 1)); undirected: 2 edges / (n (n - 1))",
    "average_path_length": "mean distance over ordered pairs i ≠ j where j is reachable from i",
    "global_efficiency": "Σ_{i≠j} 1 / d_ij / (n (n - 1)), unreachable pairs count 0 "
    "(Latora & Marchiori 2001)",
}


@dataclass(frozen=True)
class NetworkMetrics(Result):
    """Node and network measures (conventions in :data:`CONVENTIONS` and ``meta``).

    Attributes
    ----------
    nodes
        One row per node in the network's label order, columns :data:`NODE_COLUMNS`.
    graph
        ``nodes``, ``edges``, ``density``, ``reciprocity``, ``weighted_reciprocity``,
        ``average_clustering``, ``average_path_length``, ``global_efficiency``.
    directed
        Whether the network was directed.
    notes
        The network's notes, then the policies applied here (self-flows ignored, disconnected
        network, …).
    """

    nodes: pd.DataFrame
    graph: dict[str, float]
    directed: bool
    notes: tuple[str, ...] = field(default=())

    def to_frame(self) -> pd.DataFrame:
        """The node table."""
        return self.nodes

    def to_dict(self) -> dict[str, Any]:
        """``meta``, the node records (``data``) and the network-level measures (``graph``)."""
        return {**super().to_dict(), "graph": _plain_floats(self.graph)}

    def summary(self) -> Summary:
        """Network-level measures, then the node table."""
        graph = pd.DataFrame({"value": pd.Series(self.graph, dtype=float)})
        return Summary(
            "网络结构 Network structure",
            (("网络 Network", graph), ("节点 Nodes", self.nodes.set_index("node"))),
            self.notes,
        )


def _plain_floats(values: dict[str, float]) -> dict[str, float | None]:
    """JSON-safe floats (NaN → ``None``)."""
    return {k: float(v) if np.isfinite(v) else None for k, v in values.items()}


def network_metrics(net: FlowNetwork) -> NetworkMetrics:
    """Centralities, clustering, structural holes and path measures of ``net``.

    Conventions (networkx's, checked against it in the tests):

    - weighted shortest paths use distance ``1 / weight``;
    - betweenness is normalised as networkx does (÷ (n−1)(n−2), ×2 if undirected);
    - closeness is networkx's ``closeness_centrality(G, distance=...)`` with the
      Wasserman–Faust correction for unreachable nodes; for directed networks it uses
      *inward* distances (how close the others are to the node), like networkx;
    - eigenvector centrality is computed on the symmetrised weights W + Wᵀ (unit norm);
    - clustering is the weighted clustering of Onnela et al. (2005) on W + Wᵀ (networkx's
      definition, not igraph's Barrat transitivity);
    - constraint is Burt's (1992), with weights, NaN for isolated nodes;
    - reciprocity is the share of reciprocated edges, weighted reciprocity
      Σ min(w_ij, w_ji) / Σ w_ij (Squartini et al. 2013);
    - global efficiency follows Latora & Marchiori (2001) on the distances.

    Self-flows (the diagonal) are ignored, with a note. The result's ``notes`` start with the
    network's own (how it was built, thresholded or filtered).

    >>> net = FlowNetwork.from_matrix([[0, 2, 0], [1, 0, 1], [0, 1, 0]], ["a", "b", "c"])
    >>> m = network_metrics(net)
    >>> m.nodes[["out_strength", "in_degree", "betweenness"]].to_numpy().tolist()
    [[2.0, 1.0, 0.0], [2.0, 2.0, 1.0], [1.0, 1.0, 0.0]]
    >>> m.graph["reciprocity"], m.graph["weighted_reciprocity"]
    (1.0, 0.8)
    """
    if net.n < 2:
        raise DataValidationError(f"network measures need at least 2 nodes; this one has {net.n}")
    notes = list(net.notes)
    diagonal = np.diag(net.weights)
    if (diagonal > 0).any():
        w = net.weights.copy()
        np.fill_diagonal(w, 0.0)
        net = net.with_weights(w, "self-flows ignored")
        notes.append(
            f"self-flows ignored by the network measures: {int((diagonal > 0).sum())} node(s)"
        )
    w = net.weights
    n = net.n
    a = w > 0
    out_strength, in_strength = w.sum(axis=1), w.sum(axis=0)
    out_degree, in_degree = a.sum(axis=1), a.sum(axis=0)
    if net.directed:
        strength = out_strength + in_strength
        degree = out_degree + in_degree
        edges = int(a.sum())
    else:
        strength, degree, edges = out_strength, out_degree, int(a.sum()) // 2

    graph = net.to_igraph()
    graph.es["distance"] = (1.0 / np.asarray(graph.es["weight"], dtype=float)).tolist()
    dist = np.array(graph.distances(weights="distance", mode="out"), dtype=float)
    raw_betweenness = np.array(graph.betweenness(directed=net.directed, weights="distance"))
    scale = 1.0 if n <= 2 else (2.0 if not net.directed else 1.0) / ((n - 1) * (n - 2))
    constraint = np.array(graph.constraint(weights="weight"), dtype=float)

    symmetric = net.undirected()
    eigenvector, eigen_note = _eigenvector(symmetric)
    notes += eigen_note
    clustering = _onnela_clustering(symmetric.weights)

    off = ~np.eye(n, dtype=bool)
    reachable = np.isfinite(dist) & off
    nodes = pd.DataFrame(
        {
            "node": list(net.labels),
            "in_strength": in_strength,
            "out_strength": out_strength,
            "strength": strength,
            "in_degree": in_degree,
            "out_degree": out_degree,
            "degree_centrality": degree / (n - 1),
            "betweenness": raw_betweenness * scale,
            "closeness": _closeness(dist),
            "eigenvector": eigenvector,
            "clustering": clustering,
            "constraint": constraint,
        },
        columns=list(NODE_COLUMNS),
    )
    mutual = a & a.T
    summary = {
        "nodes": float(n),
        "edges": float(edges),
        "density": float(a.sum() / (n * (n - 1))),
        "reciprocity": float(mutual.sum() / a.sum()) if a.any() else np.nan,
        "weighted_reciprocity": float(np.minimum(w, w.T).sum() / w.sum()) if a.any() else np.nan,
        "average_clustering": float(clustering.mean()),
        "average_path_length": float(dist[reachable].mean()) if reachable.any() else np.nan,
        "global_efficiency": float((1.0 / dist[reachable]).sum() / (n * (n - 1))),
    }
    return NetworkMetrics(
        nodes,
        summary,
        net.directed,
        tuple(notes),
        meta=make_meta(
            "network_metrics", n=n, edges=edges, directed=net.directed, conventions=CONVENTIONS
        ),
    )


def _closeness(dist: np.ndarray) -> np.ndarray:
    """Closeness as networkx (wf_improved), inward: ``dist[i, j]`` is the distance i → j."""
    n = dist.shape[0]
    finite = np.isfinite(dist)
    reach = finite.sum(axis=0) - 1  # nodes v ≠ u with a path v → u
    total = np.where(finite, dist, 0.0).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = reach / total * reach / (n - 1)
    return np.where(total > 0, value, 0.0)


def _eigenvector(symmetric: FlowNetwork) -> tuple[np.ndarray, list[str]]:
    """Unit-norm leading eigenvector of symmetric weights (igraph), and a note if disconnected."""
    if not symmetric.weights.any():
        return np.zeros(symmetric.n), ["eigenvector centrality is 0: the network has no edges"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        values = np.abs(
            np.array(symmetric.to_igraph().eigenvector_centrality(weights="weight"), dtype=float)
        )
    notes = []
    if caught:
        notes.append(
            "eigenvector centrality on a disconnected network: only the component with the "
            "largest leading eigenvalue gets non-zero values"
        )
    return values / np.linalg.norm(values), notes


def _onnela_clustering(w: np.ndarray) -> np.ndarray:
    """Weighted clustering (Onnela et al. 2005) of a symmetric matrix, as networkx computes it.

    c_i = Σ_jk (ŵ_ij ŵ_jk ŵ_ki)^{1/3} / (k_i (k_i − 1)), ŵ = w / max(w).
    """
    top = w.max()
    if top == 0:
        return np.zeros(w.shape[0])
    c = sparse.csr_array(np.cbrt(w / top))
    triangles = ((c @ c) * c).sum(axis=1)  # diag(C³) for symmetric C, sparse products
    k = (w > 0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(k > 1, triangles / (k * (k - 1)), 0.0)


def disparity_filter(net: FlowNetwork, alpha: float = 0.05) -> FlowNetwork:
    """The backbone of ``net``: edges significant under the disparity filter.

    Serrano, Boguñá & Vespignani (2009): from node i's side, edge ij has
    α_ij = (1 − p_ij)^{k_i − 1}, p_ij = w_ij / s_i, with s_i and k_i the node's strength and
    degree. In a directed network an edge is tested as an out-edge of its origin (out-strength,
    out-degree) and as an in-edge of its destination (in-strength, in-degree). An edge is kept
    when α_ij < ``alpha`` for either endpoint; an edge whose endpoint has degree 1 on that side
    (a node's only out- or in-edge) is always kept. Nodes stay, dropped edges become 0.

    Of four nodes all linked with weight 1 except a–b (10), only a–b is significant: from a,
    α = (1 − 10/12)² ≈ 0.028; from c, every edge has α = (1 − 1/3)² ≈ 0.44.

    >>> w = [[0, 10, 1, 1], [10, 0, 1, 1], [1, 1, 0, 1], [1, 1, 1, 0]]
    >>> net = FlowNetwork.from_matrix(w, list("abcd"), directed=False)
    >>> disparity_filter(net).edges().values.tolist()
    [['a', 'b', 10.0]]
    """
    if not 0 < alpha < 1:
        raise DataValidationError(f"alpha must lie strictly between 0 and 1, got {alpha!r}")
    w = net.weights
    edge = w > 0
    k_out, k_in = edge.sum(axis=1), edge.sum(axis=0)
    s_out, s_in = w.sum(axis=1), w.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha_out = (1 - w / s_out[:, None]) ** (k_out[:, None] - 1)
        alpha_in = (1 - w / s_in[None, :]) ** (k_in[None, :] - 1)
    single = (k_out[:, None] == 1) | (k_in[None, :] == 1)
    keep = edge & ((alpha_out < alpha) | (alpha_in < alpha) | single)
    total, kept = int(edge.sum()), int(keep.sum())
    if not net.directed:
        total, kept = total // 2, kept // 2
    return net.with_weights(
        np.where(keep, w, 0.0),
        f"disparity filter (Serrano et al. 2009) at alpha = {alpha:g}: {kept} of {total} edges "
        "kept (significant for either endpoint; an endpoint's only edge is kept)",
    )
