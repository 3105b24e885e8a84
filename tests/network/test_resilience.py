"""Resilience curves against a direct networkx removal loop; R and cascades checked by hand.

The loop below removes nodes from a networkx graph one at a time and measures the largest
component (``nx.connected_components``) and the global efficiency (``nx.global_efficiency``, or
Dijkstra distances with length 1/w when weighted), rescaled to the original N(N − 1) pairs. Its
attack orders come from networkx centralities with the documented tie rule (equal to 9
significant digits relative to the largest → node order).
"""

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from nqpf._random import RandomSource
from nqpf.errors import DataValidationError
from nqpf.network.graph import FlowNetwork
from nqpf.network.resilience import cascade, resilience, resilience_curves

N = 41


@pytest.fixture(scope="module")
def net():
    """40 nodes of a clustered scale-free graph with one-way and two-way flows, plus an isolate."""
    rng = np.random.default_rng(8)
    base = nx.powerlaw_cluster_graph(40, 2, 0.3, seed=3)
    w = np.zeros((N, N))
    for i, j in base.edges():
        kind = rng.integers(3)
        if kind in (0, 2):
            w[i, j] = rng.integers(1, 6)  # integer flows: strength ties happen
        if kind in (1, 2):
            w[j, i] = rng.integers(1, 6)
    return FlowNetwork.from_matrix(w, [f"n{i:02d}" for i in range(N)])


def _graph(net, weighted=False):
    total = net.weights + net.weights.T
    g = nx.Graph()
    g.add_nodes_from(range(N))
    for i, j in zip(*np.nonzero(np.triu(total)), strict=True):
        g.add_edge(int(i), int(j), weight=total[i, j], length=1 / total[i, j])
    return g


def _centrality(g, strategy, weighted):
    if strategy == "degree":
        values = dict(g.degree())
    elif strategy == "strength":
        values = dict(g.degree(weight="weight"))
    else:
        values = nx.betweenness_centrality(
            g, normalized=False, weight="length" if weighted else None
        )
    return values


def _first(values):
    top = max(abs(v) for v in values.values()) or 1.0
    return sorted(values, key=lambda node: (-round(values[node] / top, 9), node))


def _order(net, strategy, recalculate, weighted=False):
    g = _graph(net, weighted)
    if not recalculate:
        return _first(_centrality(g, strategy, weighted))
    order = []
    while g.number_of_nodes():
        pick = _first(_centrality(g, strategy, weighted))[0]
        order.append(pick)
        g.remove_node(pick)
    return order


def _efficiency(g, weighted):
    if not weighted:
        n = g.number_of_nodes()
        return nx.global_efficiency(g) * n * (n - 1)
    return sum(
        1 / d
        for _, lengths in nx.all_pairs_dijkstra_path_length(g, weight="length")
        for d in lengths.values()
        if d > 0
    )


def _loop(net, order, weighted=False):
    g = _graph(net, weighted)
    largest, efficiency = [], []
    for node in [None, *order]:
        if node is not None:
            g.remove_node(node)
        sizes = [len(c) for c in nx.connected_components(g)]
        largest.append(max(sizes, default=0) / N)
        efficiency.append(_efficiency(g, weighted) / (N * (N - 1)))
    return np.array(largest), np.array(efficiency)


@pytest.mark.parametrize("recalculate", [False, True])
@pytest.mark.parametrize("strategy", ["degree", "betweenness", "strength"])
def test_targeted_curves_equal_a_networkx_loop(net, strategy, recalculate):
    result = resilience(net, strategy, recalculate=recalculate)
    order = _order(net, strategy, recalculate)
    assert result.order == tuple(net.labels[i] for i in order)
    largest, efficiency = _loop(net, order)
    curve = result.curve
    assert len(curve) == N + 1 and curve.removed.tolist() == list(range(N + 1))
    np.testing.assert_allclose(curve.fraction_removed, np.arange(N + 1) / N, atol=1e-15)
    np.testing.assert_allclose(curve.largest_component, largest, atol=1e-12)
    np.testing.assert_allclose(curve.efficiency, efficiency, atol=1e-12)
    assert result.robustness == pytest.approx(largest[1:].mean(), abs=1e-12)
    assert curve.largest_component_sd.isna().all()


@pytest.mark.parametrize("strategy", ["degree", "betweenness"])
def test_weighted_distances_equal_a_dijkstra_loop(net, strategy):
    result = resilience(net, strategy, recalculate=True, weighted=True)
    order = _order(net, strategy, True, weighted=True)
    assert result.order == tuple(net.labels[i] for i in order)
    largest, efficiency = _loop(net, order, weighted=True)
    np.testing.assert_allclose(result.curve.largest_component, largest, atol=1e-12)
    np.testing.assert_allclose(result.curve.efficiency, efficiency, rtol=1e-10, atol=1e-14)


def test_random_mean_equals_the_loop_over_the_same_seeded_orders(net):
    result = resilience(net, "random", replicates=12, seed=5)
    source = RandomSource.from_seed(5)
    runs = [_loop(net, source.child(r).generator().permutation(N).tolist()) for r in range(12)]
    largest = np.array([s for s, _ in runs])
    efficiency = np.array([e for _, e in runs])
    curve = result.curve
    np.testing.assert_allclose(curve.largest_component, largest.mean(0), atol=1e-12)
    np.testing.assert_allclose(curve.largest_component_sd, largest.std(0, ddof=1), atol=1e-12)
    np.testing.assert_allclose(curve.efficiency, efficiency.mean(0), atol=1e-12)
    np.testing.assert_allclose(curve.efficiency_sd, efficiency.std(0, ddof=1), atol=1e-12)
    per_run = largest[:, 1:].mean(1)
    assert result.robustness == pytest.approx(per_run.mean(), abs=1e-12)
    assert result.robustness_sd == pytest.approx(per_run.std(ddof=1), abs=1e-12)
    # replicate r's stream does not depend on how many replicates run
    fewer = resilience(net, "random", replicates=3, seed=5)
    np.testing.assert_allclose(fewer.curve.largest_component, largest[:3].mean(0), atol=1e-12)
    assert result.meta["seed"] == 5 and result.order == ()


def _path(n):
    w = np.zeros((n, n))
    w[np.arange(n - 1), np.arange(1, n)] = 1.0
    return FlowNetwork.from_matrix(w)


def test_robustness_by_hand_on_a_path_and_a_star():
    # path 0-1-2-3-4; degree order 1, 2, 3, 0, 4 → S = 3, 2, 1, 1, 0 (/5) → R = 7/25
    assert resilience(_path(5), "degree").robustness == pytest.approx(7 / 25)
    # recalculated: 1, then 3 (degree 2), then 0, 2, 4 → S = 3, 1, 1, 1, 0 → R = 6/25
    recalculated = resilience(_path(5), "degree", recalculate=True)
    assert recalculated.robustness == pytest.approx(6 / 25)
    assert recalculated.order == (1, 3, 0, 2, 4)
    # intact efficiency of P5: (4·1 + 3/2 + 2/3 + 1/4)·2 / 20
    assert recalculated.intact_efficiency == pytest.approx((4 + 1.5 + 2 / 3 + 0.25) * 2 / 20)
    # star with hub 0 and N - 1 leaves: the hub goes first, then S = 1/N until the end
    for n in (5, 12):
        star = np.zeros((n, n))
        star[0, 1:] = 1.0
        result = resilience(FlowNetwork.from_matrix(star), "strength")
        assert result.order[0] == 0
        assert result.robustness == pytest.approx((n - 1) / n**2)
        assert result.curve.efficiency.iloc[1:].eq(0).all()


def test_curves_frame_and_robustness_table(net):
    curves = resilience_curves(net, replicates=5, seed=1)
    assert curves.curves.strategy.unique().tolist() == [
        "random",
        "degree",
        "betweenness",
        "strength",
    ]
    assert len(curves.curves) == 4 * (N + 1)
    table = curves.robustness.set_index("strategy")
    assert table.loc["degree", "robustness"] == pytest.approx(resilience(net, "degree").robustness)
    assert table.loc["random", "replicates"] == 5
    # targeted attacks hurt more than random ones on a scale-free graph
    assert table.loc["degree", "robustness"] < table.loc["random", "robustness"]
    assert isinstance(curves.to_frame(), pd.DataFrame)


def test_cascade_by_hand_on_a_ring():
    # ring of 5: every load is 1 (one pair at distance 2 through each node). Removing node 0
    # leaves the path 1-2-3-4 with loads 0, 2, 2, 0: with α = 0.2 (capacity 1.2) nodes 2 and 3
    # fail in round 1, then 1 and 4 are isolated with load 0 and the cascade stops.
    ring = np.roll(np.eye(5), 1, axis=1)
    net = FlowNetwork.from_matrix(ring + ring.T, list("abcde"), directed=False)
    result = cascade(net, 0.2, attack="a")
    assert result.attacked == "a" and result.steps == 1
    failed = result.nodes.set_index("node")
    assert failed.failed.tolist() == [True, False, True, True, False]
    assert failed.step["a"] == 0 and failed.step["c"] == 1 and failed.step["d"] == 1
    assert pd.isna(failed.step["b"])
    np.testing.assert_allclose(failed.load, 1.0)
    assert (result.surviving, result.largest_component) == (0.4, 0.2)
    # α = 1: capacity 2 is not exceeded by load 2: no cascade
    calm = cascade(net, 1.0, attack="a")
    assert (calm.steps, calm.surviving, calm.largest_component) == (0, 0.8, 0.8)
    # attack by degree: all tie, the first node goes
    assert cascade(net, 0.2).attacked == "a"


def test_bad_input_is_named(net):
    with pytest.raises(DataValidationError, match="strategy"):
        resilience(net, "closeness")  # type: ignore[arg-type]
    with pytest.raises(DataValidationError, match="replicates"):
        resilience(net, replicates=0)
    with pytest.raises(DataValidationError, match="FlowNetwork"):
        resilience(np.eye(3))  # type: ignore[arg-type]
    with pytest.raises(DataValidationError, match="'zz'"):
        cascade(net, attack="zz")
    with pytest.raises(DataValidationError, match="tolerance"):
        cascade(net, tolerance=-1)


def test_random_attacks_say_that_recalculation_does_not_apply(net):
    result = resilience(net, "random", recalculate=True, replicates=2)
    assert not result.recalculate
    assert any("does not apply" in note for note in result.notes)
