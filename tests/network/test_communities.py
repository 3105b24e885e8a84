"""Communities against igraph and leidenalg called directly, modularity against networkx."""

from __future__ import annotations

import random

import igraph as ig
import leidenalg
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from networkx.algorithms.community import modularity as nx_modularity

from nqpf._random import RandomSource
from nqpf.errors import DataValidationError
from nqpf.network.communities import communities
from nqpf.network.graph import FlowNetwork


def karate(weighted: bool = False) -> FlowNetwork:
    """Zachary's karate club; unweighted (1 per edge) or with random weights in [0.5, 5)."""
    rng = np.random.default_rng(3)
    w = np.zeros((34, 34))
    for u, v in nx.karate_club_graph().edges():
        w[u, v] = w[v, u] = rng.uniform(0.5, 5.0) if weighted else 1.0
    return FlowNetwork.from_matrix(w, list(range(34)), directed=False)


def directed_blocks() -> FlowNetwork:
    """Directed: three blocks of 8 with dense internal and sparse external flows."""
    rng = np.random.default_rng(9)
    block = np.repeat(np.arange(3), 8)
    same = block[:, None] == block[None, :]
    p = np.where(same, 0.7, 0.05)
    w = (rng.random((24, 24)) < p) * rng.uniform(1.0, 3.0, (24, 24))
    np.fill_diagonal(w, 0.0)
    return FlowNetwork.from_matrix(w, [f"n{i}" for i in range(24)])


def groups(labels: list, membership: list[int]) -> set[frozenset]:
    """A partition as a set of node sets (independent of community numbering)."""
    out: dict[int, set] = {}
    for node, c in zip(labels, membership, strict=True):
        out.setdefault(c, set()).add(node)
    return {frozenset(s) for s in out.values()}


def nx_q(net: FlowNetwork, membership: pd.DataFrame, resolution: float = 1.0) -> float:
    parts = [set(g.node) for _, g in membership.groupby("community")]
    return nx_modularity(
        net.undirected().to_networkx(), parts, weight="weight", resolution=resolution
    )


def drawn(seed: int) -> int:
    return int(RandomSource.from_seed(seed).generator().integers(2**31 - 1))


# --------------------------------------------------------------------------- quality on Zachary
@pytest.mark.parametrize("method", ["leiden", "louvain"])
def test_karate_modularity_close_to_the_known_optimum(method):
    found = communities(karate(), method, seed=0)
    assert 0.37 <= found.modularity <= 0.4198 + 1e-4  # optimum 0.4198 (Brandes et al. 2008)
    assert found.modularity == pytest.approx(nx_q(karate(), found.membership), abs=1e-12)


@pytest.mark.parametrize("method", ["leiden", "louvain"])
@pytest.mark.parametrize("resolution", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("build", [karate, lambda: karate(True), directed_blocks])
def test_modularity_matches_networkx(method, resolution, build):
    net = build()
    found = communities(net, method, resolution=resolution, seed=4)
    assert found.modularity == pytest.approx(nx_q(net, found.membership, resolution), abs=1e-12)


# --------------------------------------------------------------------------- against the libraries
@pytest.mark.parametrize("seed", [0, 1, 17])
@pytest.mark.parametrize("build", [karate, lambda: karate(True), directed_blocks])
def test_leiden_is_leidenalg_with_the_drawn_seed(seed, build):
    net = build()
    graph = net.undirected().to_igraph()
    direct = leidenalg.find_partition(
        graph,
        leidenalg.RBConfigurationVertexPartition,
        weights="weight",
        resolution_parameter=1.0,
        n_iterations=-1,
        seed=drawn(seed),
    )
    found = communities(net, "leiden", seed=seed)
    labels = list(net.labels)
    assert groups(labels, found.membership.community.tolist()) == groups(labels, direct.membership)
    assert found.modularity == pytest.approx(graph.modularity(direct.membership, weights="weight"))


@pytest.mark.parametrize("seed", [0, 1, 17])
@pytest.mark.parametrize("build", [karate, lambda: karate(True), directed_blocks])
def test_louvain_is_igraph_multilevel_with_the_drawn_seed(seed, build):
    net = build()
    graph = net.undirected().to_igraph()
    ig.set_random_number_generator(random.Random(drawn(seed)))
    try:
        direct = graph.community_multilevel(weights="weight")
    finally:
        ig.set_random_number_generator(random)
    found = communities(net, "louvain", seed=seed)
    labels = list(net.labels)
    assert groups(labels, found.membership.community.tolist()) == groups(labels, direct.membership)


def test_directed_blocks_are_recovered():
    net = directed_blocks()
    for method in ("leiden", "louvain"):
        found = communities(net, method, seed=0)
        expected = {frozenset(f"n{i}" for i in range(k, k + 8)) for k in (0, 8, 16)}
        assert groups(list(net.labels), found.membership.community.tolist()) == expected


# --------------------------------------------------------------------------- seeds and numbering
@pytest.mark.parametrize("method", ["leiden", "louvain"])
def test_same_seed_same_partition(method):
    net = karate(True)
    a = communities(net, method, seed=123)
    b = communities(net, method, seed=123)
    pd.testing.assert_frame_equal(a.membership, b.membership)
    assert a.meta["seed"] == 123


def test_louvain_restores_igraphs_default_generator():
    communities(karate(), "louvain", seed=5)
    graph = karate().undirected().to_igraph()
    random.seed(99)
    first = graph.community_multilevel().membership
    random.seed(99)
    assert graph.community_multilevel().membership == first  # igraph draws from `random` again


def test_communities_numbered_by_size_in_label_order():
    found = communities(karate(), "leiden", seed=0)
    membership = found.membership
    assert membership.node.tolist() == list(range(34))
    sizes = found.sizes
    assert sizes.index.tolist() == list(range(len(sizes)))
    assert sizes.is_monotonic_decreasing


def test_isolated_nodes_are_singletons_and_empty_network_has_nan_modularity():
    w = np.zeros((4, 4))
    w[0, 1] = w[1, 0] = 1.0
    found = communities(FlowNetwork.from_matrix(w, list("abcd"), directed=False), seed=0)
    assert found.membership.community.tolist() == [0, 0, 1, 2]
    empty = communities(FlowNetwork.from_matrix(np.zeros((3, 3)), list("xyz")), "louvain")
    assert empty.membership.community.tolist() == [0, 1, 2]
    assert np.isnan(empty.modularity)
    assert any("no edges" in note for note in empty.notes)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "walktrap"}, "method"),
        ({"resolution": 0}, "resolution"),
        ({"resolution": float("nan")}, "resolution"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(DataValidationError, match=match):
        communities(karate(), **kwargs)


def test_notes_start_with_the_networks_own():
    net = directed_blocks().threshold(quantile=0.5)
    notes = communities(net, seed=0).notes
    assert notes[0] == net.notes[0] and "w_ij + w_ji" in notes[-1]
