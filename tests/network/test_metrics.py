"""Network measures against networkx, node by node, and the disparity filter against a direct loop.

Tolerances: 1e-8 (relative and absolute) for everything computed exactly (strengths, degrees,
betweenness, closeness, clustering, constraint, path measures); 1e-6 for eigenvector
centrality (iterative on both sides).
"""

from __future__ import annotations

import json
import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from nqpf.errors import DataValidationError
from nqpf.network.graph import FlowNetwork
from nqpf.network.metrics import NODE_COLUMNS, disparity_filter, network_metrics

EXACT = {"rtol": 1e-8, "atol": 1e-8}


# --------------------------------------------------------------------------- test networks
def karate(seed: int = 3) -> FlowNetwork:
    """Zachary's karate club (undirected) with random weights in [0.5, 5)."""
    graph = nx.karate_club_graph()
    rng = np.random.default_rng(seed)
    w = np.zeros((34, 34))
    for u, v in graph.edges():
        w[u, v] = w[v, u] = rng.uniform(0.5, 5.0)
    return FlowNetwork.from_matrix(w, [f"m{i}" for i in range(34)], directed=False)


def random_directed(n: int = 30, p: float = 0.2, seed: int = 5) -> FlowNetwork:
    """A random directed weighted graph (Erdős–Rényi edges, lognormal weights)."""
    rng = np.random.default_rng(seed)
    w = (rng.random((n, n)) < p) * rng.lognormal(0.0, 1.0, (n, n))
    np.fill_diagonal(w, 0.0)
    return FlowNetwork.from_matrix(w, [f"r{i:02d}" for i in range(n)])


def disconnected() -> FlowNetwork:
    """Directed: a 7-node component, a 3-node chain, two isolated nodes."""
    rng = np.random.default_rng(11)
    w = np.zeros((12, 12))
    big = (rng.random((7, 7)) < 0.5) * rng.uniform(1.0, 4.0, (7, 7))
    np.fill_diagonal(big, 0.0)
    w[:7, :7] = big
    w[7, 8], w[8, 9], w[9, 8] = 2.0, 1.0, 0.5
    return FlowNetwork.from_matrix(w, list("ABCDEFGHIJKL"))


NETWORKS = {"karate": karate, "random_directed": random_directed, "disconnected": disconnected}


# --------------------------------------------------------------------------- references
def reference(net: FlowNetwork) -> tuple[pd.DataFrame, dict[str, float]]:
    """Every measure computed with networkx on the same network (distance = 1 / weight)."""
    g = net.to_networkx()
    for _, _, data in g.edges(data=True):
        data["distance"] = 1.0 / data["weight"]
    u = net.undirected().to_networkx()
    n = net.n
    labels = list(net.labels)
    if net.directed:
        in_s, out_s = dict(g.in_degree(weight="weight")), dict(g.out_degree(weight="weight"))
        in_d, out_d = dict(g.in_degree()), dict(g.out_degree())
    else:
        in_s = out_s = dict(g.degree(weight="weight"))
        in_d = out_d = dict(g.degree())
    eigen = nx.eigenvector_centrality(u, weight="weight", max_iter=100_000, tol=1e-13)
    cols = {
        "node": labels,
        "in_strength": [in_s[x] for x in labels],
        "out_strength": [out_s[x] for x in labels],
        "strength": [dict(g.degree(weight="weight"))[x] for x in labels],
        "in_degree": [in_d[x] for x in labels],
        "out_degree": [out_d[x] for x in labels],
        "degree_centrality": [nx.degree_centrality(g)[x] for x in labels],
        "betweenness": [nx.betweenness_centrality(g, weight="distance")[x] for x in labels],
        "closeness": [nx.closeness_centrality(g, distance="distance")[x] for x in labels],
        "eigenvector": [eigen[x] for x in labels],
        "clustering": [nx.clustering(u, weight="weight")[x] for x in labels],
        "constraint": [nx.constraint(g, weight="weight")[x] for x in labels],
    }
    # path measures over ordered reachable pairs, straight from Dijkstra
    lengths = dict(nx.all_pairs_dijkstra_path_length(g, weight="distance"))
    pairs = [d for s, row in lengths.items() for t, d in row.items() if s != t]
    m = g.number_of_edges()
    mutual = sum(1 for a, b in g.edges() if g.has_edge(b, a)) if net.directed else m
    weighted_mutual = sum(
        min(d["weight"], g[b][a]["weight"] if g.has_edge(b, a) else 0.0)
        for a, b, d in g.edges(data=True)
    )
    graph = {
        "nodes": n,
        "edges": m,
        "density": nx.density(g),
        "reciprocity": nx.overall_reciprocity(g) if net.directed else mutual / m,
        "weighted_reciprocity": weighted_mutual / g.size(weight="weight"),
        "average_clustering": nx.average_clustering(u, weight="weight"),
        "average_path_length": float(np.mean(pairs)),
        "global_efficiency": sum(1.0 / d for d in pairs) / (n * (n - 1)),
    }
    return pd.DataFrame(cols), graph


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_every_node_measure_matches_networkx(name):
    net = NETWORKS[name]()
    result = network_metrics(net)
    expected, _ = reference(net)
    assert list(result.nodes.columns) == list(NODE_COLUMNS)
    assert result.nodes.node.tolist() == list(net.labels)
    for column in NODE_COLUMNS[1:]:
        tol = {"rtol": 0, "atol": 1e-6} if column == "eigenvector" else EXACT
        np.testing.assert_allclose(
            result.nodes[column].to_numpy(dtype=float),
            expected[column].to_numpy(dtype=float),
            **tol,
            equal_nan=True,
            err_msg=f"{name}: {column}",
        )


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_network_measures_match_networkx(name):
    net = NETWORKS[name]()
    got = network_metrics(net).graph
    _, expected = reference(net)
    assert set(got) == set(expected)
    for key, value in expected.items():
        assert math.isclose(got[key], value, rel_tol=1e-8, abs_tol=1e-12), key


def test_undirected_karate_betweenness_is_networkx_normalised():
    # unweighted karate: node 0 has the textbook normalised betweenness 0.4376...
    g = nx.karate_club_graph()
    net = FlowNetwork.from_edges(
        pd.DataFrame(list(g.edges()), columns=["origin", "destination"]),
        weight=None,
        nodes=list(g.nodes()),
        directed=False,
    )
    value = network_metrics(net).nodes.betweenness.iloc[0]
    assert value == pytest.approx(0.43763528138528146, abs=1e-12)


def test_closeness_is_inward_for_directed_networks():
    # a → b → c with unit weights: c is reached by both, a by nobody
    net = FlowNetwork.from_matrix([[0, 1, 0], [0, 0, 1], [0, 0, 0]], list("abc"))
    closeness = network_metrics(net).nodes.set_index("node").closeness
    # c: r = 3 nodes, Σ d = 1 + 2 = 3 → (2/3)·(2/2) ; b: r = 2, Σ d = 1 → 1·(1/2)
    assert closeness.to_dict() == pytest.approx({"a": 0.0, "b": 0.5, "c": 2 / 3})


def test_disconnected_network_is_noted_and_isolated_nodes_are_nan_constraint():
    result = network_metrics(disconnected())
    nodes = result.nodes.set_index("node")
    assert nodes.loc[["K", "L"], "constraint"].isna().all()
    assert (nodes.loc[["K", "L"], ["betweenness", "closeness", "eigenvector"]] == 0).all().all()
    assert any("disconnected" in note for note in result.notes)


def test_self_flows_are_ignored_with_a_note():
    w = np.array([[5.0, 1.0, 2.0], [1.0, 0.0, 3.0], [2.0, 3.0, 7.0]])
    kept = FlowNetwork.from_matrix(w, list("abc"), self_flows="keep")
    dropped = FlowNetwork.from_matrix(w, list("abc"), self_flows="drop")
    with_loops, without = network_metrics(kept), network_metrics(dropped)
    pd.testing.assert_frame_equal(with_loops.nodes, without.nodes)
    assert any("self-flows ignored" in note and "2 node" in note for note in with_loops.notes)


def test_clustering_is_onnela_not_barrat():
    # triangle with one heavy edge: Onnela gives (1·0.5·0.5)^(1/3) for every node
    w = np.array([[0, 2, 1], [2, 0, 1], [1, 1, 0]], dtype=float)
    net = FlowNetwork.from_matrix(w, list("abc"), directed=False)
    clustering = network_metrics(net).nodes.clustering.to_numpy()
    np.testing.assert_allclose(clustering, np.cbrt(0.25), rtol=1e-12)  # Barrat would give 1


def test_one_node_is_an_error():
    with pytest.raises(DataValidationError, match="at least 2 nodes"):
        network_metrics(FlowNetwork.from_matrix([[0.0]], ["a"]))


def test_meta_states_the_conventions():
    meta = network_metrics(karate()).meta
    assert meta["method"] == "network_metrics"
    assert "1 / weight" in meta["conventions"]["distance"]
    assert "inward" in meta["conventions"]["closeness"]


# --------------------------------------------------------------------------- disparity filter
def disparity_loop(net: FlowNetwork, alpha: float) -> set[tuple[str, str]]:
    """The edges kept by the disparity filter, one edge at a time."""
    w, labels = net.weights, net.labels
    kept = set()
    for i in range(net.n):
        for j in range(net.n):
            if w[i, j] <= 0 or (not net.directed and j < i):  # undirected: each edge once
                continue
            k_out = sum(1 for x in w[i] if x > 0)
            k_in = sum(1 for x in w[:, j] if x > 0)
            a_out = (1 - w[i, j] / sum(w[i])) ** (k_out - 1)
            a_in = (1 - w[i, j] / sum(w[:, j])) ** (k_in - 1)
            if a_out < alpha or a_in < alpha or k_out == 1 or k_in == 1:
                kept.add((labels[i], labels[j]))
    return kept


@pytest.mark.parametrize("name", sorted(NETWORKS))
@pytest.mark.parametrize("alpha", [0.05, 0.3])
def test_disparity_filter_matches_a_direct_loop(name, alpha):
    net = NETWORKS[name]()
    backbone = disparity_filter(net, alpha)
    edges = backbone.edges()
    got = set(zip(edges.origin, edges.destination, strict=True))
    assert got == disparity_loop(net, alpha)
    kept = backbone.weights > 0
    np.testing.assert_array_equal(backbone.weights[kept], net.weights[kept])
    assert backbone.labels == net.labels
    total = int((net.weights > 0).sum()) // (1 if net.directed else 2)
    assert f"{len(got)} of {total} edges kept" in backbone.notes[-1]


def test_disparity_filter_star_keeps_leaves_and_triangle_keeps_heavy_edge():
    # star: every leaf has degree 1, so each spoke is kept although α from the hub is large
    star = FlowNetwork.from_matrix(
        [[0, 1, 1, 1], [1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0]], list("hxyz"), directed=False
    )
    assert disparity_filter(star, 0.05).edges().shape[0] == 3
    # directed triangle a→b (9), a→c (1), b→c (1), c→a (1):
    # a→b: out α = (1 − 0.9)^1 = 0.1, in at b (only in-edge) → kept as b's only in-edge
    # a→c: out α = 0.9, in at c: s_in = 2, k_in = 2, α = (1 − 1/2)^1 = 0.5 → dropped at 0.2
    # b→c: b's only out-edge → kept; c→a: c's only out-edge → kept
    tri = FlowNetwork.from_matrix([[0, 9, 1], [0, 0, 1], [1, 0, 0]], list("abc"))
    edges = disparity_filter(tri, 0.2).edges()
    assert set(zip(edges.origin, edges.destination, strict=True)) == {
        ("a", "b"),
        ("b", "c"),
        ("c", "a"),
    }


def test_disparity_filter_drops_edges_significant_for_neither_endpoint():
    # a–b heavy in a complete graph of four: only a–b survives (hand-checked in the docstring)
    w = np.ones((4, 4)) - np.eye(4)
    w[0, 1] = w[1, 0] = 10.0
    net = FlowNetwork.from_matrix(w, list("abcd"), directed=False)
    assert disparity_filter(net, 0.05).edges().values.tolist() == [["a", "b", 10.0]]
    assert disparity_filter(net, 0.5).edges().shape[0] == 6  # (2/3)² ≈ 0.44 < 0.5


@pytest.mark.parametrize("alpha", [0, 1, -0.1, 1.5])
def test_disparity_filter_rejects_alpha_outside_0_1(alpha):
    with pytest.raises(DataValidationError, match="alpha"):
        disparity_filter(karate(), alpha)


def test_to_dict_carries_the_network_measures_as_strict_json():
    net = FlowNetwork.from_matrix([[0, 1], [0, 0]], list("ab"))
    payload = json.loads(json.dumps(network_metrics(net).to_dict(), allow_nan=False))
    assert payload["graph"]["reciprocity"] == 0.0
    assert payload["graph"]["edges"] == 1.0
    assert [row["node"] for row in payload["data"]] == ["a", "b"]


def test_notes_start_with_the_networks_own():
    backbone = disparity_filter(karate(), 0.3)
    notes = network_metrics(backbone).notes
    assert notes[: len(backbone.notes)] == backbone.notes
