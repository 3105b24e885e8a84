"""FlowNetwork: constructors, checks and errors, views, thresholds, igraph/networkx export."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from nqpf.errors import DataValidationError, DuplicateError
from nqpf.network.graph import FlowNetwork

W = np.array([[0.0, 1.0, 4.0], [2.0, 0.0, 3.0], [0.0, 5.0, 0.0]])
LABELS = ("a", "b", "c")


def edge_set(net: FlowNetwork) -> set[tuple]:
    return set(net.edges().itertuples(index=False, name=None))


# --------------------------------------------------------------------------- constructors
def test_from_matrix_array_with_labels_and_default_labels():
    net = FlowNetwork.from_matrix(W, list(LABELS))
    assert net.labels == LABELS and net.n == 3 and net.directed
    np.testing.assert_array_equal(net.weights, W)
    assert net.notes == ()
    assert FlowNetwork.from_matrix(W).labels == (0, 1, 2)


def test_from_matrix_frame_uses_index_and_reorders_columns():
    frame = pd.DataFrame(W, index=list(LABELS), columns=list(LABELS))
    shuffled = frame.loc[:, ["c", "a", "b"]]
    net = FlowNetwork.from_matrix(shuffled)
    assert net.labels == LABELS
    np.testing.assert_array_equal(net.weights, W)
    pd.testing.assert_frame_equal(net.to_frame(), frame)


def test_from_matrix_frame_with_other_columns_is_an_error():
    frame = pd.DataFrame(W, index=list(LABELS), columns=["a", "b", "x"])
    with pytest.raises(DataValidationError, match="columns must be the same regions"):
        FlowNetwork.from_matrix(frame)


def test_non_numeric_cell_is_named():
    frame = pd.DataFrame(W, index=list(LABELS), columns=list(LABELS)).astype(object)
    frame.loc["b", "c"] = "n/a"
    with pytest.raises(DataValidationError, match=r"\('b', 'c'\).*'n/a'"):
        FlowNetwork.from_matrix(frame)


def test_self_flow_policy_is_explicit():
    m = W + np.diag([5.0, 0.0, 2.0])
    dropped = FlowNetwork.from_matrix(m, list(LABELS))
    assert np.diag(dropped.weights).tolist() == [0.0, 0.0, 0.0]
    assert dropped.notes == ("self-flows dropped: 2 region(s), total 7",)
    kept = FlowNetwork.from_matrix(m, list(LABELS), self_flows="keep")
    assert np.diag(kept.weights).tolist() == [5.0, 0.0, 2.0] and kept.notes == ()
    with pytest.raises(DataValidationError, match="self_flows"):
        FlowNetwork.from_matrix(m, self_flows="sum")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("matrix", "labels", "error", "match"),
    [
        (np.ones((2, 3)), None, DataValidationError, "square"),
        (np.ones(3), None, DataValidationError, "square"),
        (W, ["a", "b"], DataValidationError, "2 labels for a 3 × 3"),
        (W, ["a", "b", "a"], DuplicateError, "'a' appears more than once"),
        (np.where(W == 3, np.nan, W), LABELS, DataValidationError, "'b' → 'c' is nan"),
        (np.where(W == 3, np.inf, W), LABELS, DataValidationError, "'b' → 'c' is inf"),
        (np.where(W == 3, -1.0, W), LABELS, DataValidationError, "'b' → 'c' is negative"),
    ],
)
def test_bad_matrices(matrix, labels, error, match):
    with pytest.raises(error, match=match):
        FlowNetwork.from_matrix(matrix, labels)


def test_undirected_needs_a_symmetric_matrix():
    with pytest.raises(DataValidationError, match="symmetric"):
        FlowNetwork.from_matrix(W, directed=False)
    net = FlowNetwork.from_matrix(W + W.T, directed=False)
    assert not net.directed


def test_weights_are_read_only():
    net = FlowNetwork.from_matrix(W)
    with pytest.raises(ValueError, match="read-only"):
        net.weights[0, 1] = 9.0


def test_from_edges_matches_from_matrix():
    edges = pd.DataFrame(
        {"o": ["a", "a", "b", "b", "c"], "d": ["b", "c", "a", "c", "b"], "v": [1, 4, 2, 3, 5]}
    )
    net = FlowNetwork.from_edges(edges, "o", "d", "v")
    assert net.labels == LABELS
    np.testing.assert_array_equal(net.weights, W)


def test_from_edges_nodes_fix_order_and_add_isolated_nodes():
    edges = pd.DataFrame({"origin": ["a"], "destination": ["b"], "flow": [2.0]})
    net = FlowNetwork.from_edges(edges, nodes=["z", "b", "a"])
    assert net.labels == ("z", "b", "a")
    assert net.weights[2, 1] == 2.0 and net.weights.sum() == 2.0
    with pytest.raises(DataValidationError, match="'a' is not among the given nodes"):
        FlowNetwork.from_edges(edges, nodes=["b", "z"])


def test_from_edges_count_rows_when_no_weight():
    edges = pd.DataFrame({"origin": ["a", "a", "b"], "destination": ["b", "b", "a"]})
    net = FlowNetwork.from_edges(edges, weight=None, duplicates="sum")
    assert net.weights.tolist() == [[0.0, 2.0], [1.0, 0.0]]


def test_from_edges_duplicates_error_or_sum():
    edges = pd.DataFrame({"origin": ["a", "a"], "destination": ["b", "b"], "flow": [1.0, 2.5]})
    with pytest.raises(DuplicateError, match=r"'a' → 'b' appears more than once \(rows 1, 2 "):
        FlowNetwork.from_edges(edges)
    # region codes stay integers in the message, whatever the flow column's type
    codes = pd.DataFrame({"o": [110000, 310000, 110000], "d": [310000, 110000, 310000]})
    with pytest.raises(DuplicateError, match=r"edge 110000 → 310000 .* \(rows 1, 3 "):
        FlowNetwork.from_edges(codes.assign(flow=[1.5, 2.0, 3.0]), "o", "d")
    assert FlowNetwork.from_edges(edges, duplicates="sum").weights[0, 1] == 3.5


def test_from_edges_undirected_adds_both_directions_and_self_flows_once():
    edges = pd.DataFrame({"origin": ["a", "b"], "destination": ["b", "b"], "flow": [2.0, 3.0]})
    net = FlowNetwork.from_edges(edges, directed=False, self_flows="keep")
    assert net.weights.tolist() == [[0.0, 2.0], [2.0, 3.0]]


@pytest.mark.parametrize(
    ("table", "match"),
    [
        (pd.DataFrame({"origin": ["a"], "to": ["b"], "flow": [1.0]}), "no column 'destination'"),
        (pd.DataFrame({"origin": ["a", None], "destination": ["b", "a"], "flow": [1, 2]}), "row 2"),
        (pd.DataFrame({"origin": ["a"], "destination": ["b"], "flow": ["x"]}), "not a number"),
    ],
)
def test_from_edges_bad_tables(table, match):
    with pytest.raises(DataValidationError, match=match):
        FlowNetwork.from_edges(table)


@pytest.mark.parametrize("duplicates", ["error", "sum"])
def test_from_edges_missing_weight_is_an_error_even_when_summing(duplicates):
    # a missing flow must not vanish into a sum of repeated edges
    edges = pd.DataFrame(
        {"origin": ["a", "a", "b"], "destination": ["b", "b", "a"], "flow": [1.0, np.nan, 2.0]}
    )
    with pytest.raises(DataValidationError, match=r"edge row 2 \('a' → 'b'\) has no 'flow'"):
        FlowNetwork.from_edges(edges, duplicates=duplicates)


# --------------------------------------------------------------------------- views
def test_edges_adjacency_and_undirected_edges_once():
    net = FlowNetwork.from_matrix(W, list(LABELS))
    assert edge_set(net) == {
        ("a", "b", 1.0),
        ("a", "c", 4.0),
        ("b", "a", 2.0),
        ("b", "c", 3.0),
        ("c", "b", 5.0),
    }
    np.testing.assert_array_equal(net.adjacency, (W > 0).astype(float))
    sym = net.undirected()
    assert edge_set(sym) == {("a", "b", 3.0), ("a", "c", 4.0), ("b", "c", 8.0)}


def test_undirected_sums_both_directions_and_keeps_self_flows_once():
    m = W + np.diag([5.0, 0.0, 0.0])
    net = FlowNetwork.from_matrix(m, list(LABELS), self_flows="keep")
    sym = net.undirected()
    assert not sym.directed and sym.undirected() is sym
    expected = m + m.T
    np.fill_diagonal(expected, np.diag(m))
    np.testing.assert_array_equal(sym.weights, expected)
    assert sym.notes[-1] == "symmetrised: w_ij + w_ji"


def test_with_weights_subnetwork():
    net = FlowNetwork.from_matrix(W, list(LABELS))
    changed = net.with_weights(W * 2, "doubled")
    assert changed.notes == ("doubled",) and changed.weights[2, 1] == 10.0
    with pytest.raises(DataValidationError, match="negative"):
        net.with_weights(-W, "negated")
    sub = net.subnetwork(["c", "a"])
    assert sub.labels == ("c", "a") and sub.weights.tolist() == [[0.0, 0.0], [4.0, 0.0]]
    with pytest.raises(DataValidationError, match="'x' is not a node"):
        net.subnetwork(["a", "x"])


# --------------------------------------------------------------------------- thresholds
def test_threshold_value_quantile_top():
    net = FlowNetwork.from_matrix(W, list(LABELS))
    assert sorted(net.threshold(value=3).edges().weight) == [3.0, 4.0, 5.0]
    # positive weights 1..5: the 0.5 quantile is 3
    quantile = net.threshold(quantile=0.5)
    assert sorted(quantile.edges().weight) == [3.0, 4.0, 5.0]
    assert "0.5 quantile (3)" in quantile.notes[-1]
    assert sorted(net.threshold(top=2).edges().weight) == [4.0, 5.0]
    assert net.threshold(top=0).edges().empty
    assert len(net.threshold(top=99).edges()) == 5


def test_threshold_undirected_keeps_symmetry():
    sym = FlowNetwork.from_matrix(W, list(LABELS)).undirected()
    top = sym.threshold(top=1)
    assert not top.directed and edge_set(top) == {("b", "c", 8.0)}
    np.testing.assert_array_equal(top.weights, top.weights.T)
    assert edge_set(sym.threshold(quantile=0.5)) == {("a", "c", 4.0), ("b", "c", 8.0)}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "exactly one"),
        ({"value": 1, "top": 2}, "exactly one"),
        ({"quantile": 1.5}, "quantile must lie"),
        ({"top": -1}, "top must be non-negative"),
    ],
)
def test_threshold_bad_arguments(kwargs, match):
    with pytest.raises(DataValidationError, match=match):
        FlowNetwork.from_matrix(W).threshold(**kwargs)


# --------------------------------------------------------------------------- other libraries
@pytest.mark.parametrize("directed", [True, False])
def test_to_igraph(directed):
    net = FlowNetwork.from_matrix(W if directed else W + W.T, list(LABELS), directed=directed)
    graph = net.to_igraph()
    assert graph.is_directed() is directed
    assert graph.vs["name"] == list(LABELS)
    got = {(graph.vs[e.source]["name"], graph.vs[e.target]["name"], e["weight"]) for e in graph.es}
    assert got == edge_set(net)
    np.testing.assert_array_equal(
        np.array(graph.get_adjacency(attribute="weight").data), net.weights
    )


@pytest.mark.parametrize("directed", [True, False])
def test_to_networkx(directed):
    net = FlowNetwork.from_matrix(W if directed else W + W.T, list(LABELS), directed=directed)
    graph = net.to_networkx()
    assert graph.is_directed() is directed
    assert list(graph.nodes) == list(LABELS)
    np.testing.assert_array_equal(nx.to_numpy_array(graph, nodelist=LABELS), net.weights)


def test_isolated_nodes_survive_export():
    net = FlowNetwork.from_matrix(np.zeros((3, 3)), list(LABELS))
    assert net.to_igraph().vcount() == 3 and net.to_networkx().number_of_nodes() == 3
    assert net.edges().empty
