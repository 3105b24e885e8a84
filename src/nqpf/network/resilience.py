r"""Resilience of a network to the loss of nodes: attack curves, robustness R, Motter–Lai cascades.

Nodes are removed one at a time — at random, or the most central first by ``degree``,
``betweenness`` or ``strength`` — and after each removal the curve records

``largest_component``
    S(q): the size of the largest connected component divided by the *original* N;
``efficiency``
    the global efficiency of Latora & Marchiori (2001, *Phys. Rev. Lett.* 87:198701) of the
    remaining graph over the *original* N(N − 1) ordered pairs, E = Σ_{i≠j} 1/d_ij / (N(N − 1))
    (1/d = 0 between components). It is **not** normalised by the intact value, which is given
    as ``intact_efficiency`` (divide by it for a relative curve).

``fraction_removed`` q runs from 0 to 1 in steps of 1/N. The robustness index of Schneider et al.
(2011, *PNAS* 108:3838–3841) is R = (1/N) Σ_{Q=1..N} S(Q/N), between 0 and 1/2.

Conventions. Connectivity is that of the undirected graph (weak components of a directed
network): i and j are linked when w_ij + w_ji > 0. ``degree`` counts a node's neighbours in that
graph, ``strength`` sums w_ij + w_ji over them, ``betweenness`` is the shortest-path betweenness
of that graph. Distances are hop counts, or with ``weighted=True`` path lengths with edge length
1/(w_ij + w_ji) (the stronger the flow, the closer). Static attacks rank the nodes once on the
intact network; ``recalculate=True`` ranks the remaining nodes again after every removal
(Holme et al. 2002). Centralities equal to 9 significant digits (relative to the largest) count
as ties, broken by node order (the earlier node goes first). Random attack replicate r removes
nodes in the order ``RandomSource.from_seed(seed).child(r).generator().permutation(N)``; the
curve gives the mean and standard deviation over replicates.

The curves are computed backwards: nodes are added back in the reverse of the removal order and
the all-pairs distances updated in O(k²) per added node (a new shortest path passes the new
node once), so a whole curve costs O(N³) array operations and no graph search.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from nqpf._compat import require
from nqpf._random import RandomSource, Seed
from nqpf.errors import DataValidationError
from nqpf.network.graph import FlowNetwork
from nqpf.results import Result, Summary, make_meta

__all__ = [
    "CURVE_COLUMNS",
    "STRATEGIES",
    "Cascade",
    "Resilience",
    "ResilienceCurves",
    "Strategy",
    "cascade",
    "resilience",
    "resilience_curves",
]

Strategy = Literal["random", "degree", "betweenness", "strength"]
#: Attack strategies, in the order :func:`resilience_curves` runs them by default.
STRATEGIES: tuple[str, ...] = ("random", "degree", "betweenness", "strength")
_TARGETED = ("degree", "betweenness", "strength")
#: Centralities equal to this many significant digits (relative to the largest) are ties.
_TIE_DIGITS = 9

#: Columns of a resilience curve.
CURVE_COLUMNS = (
    "strategy",
    "recalculate",
    "fraction_removed",
    "removed",
    "largest_component",
    "largest_component_sd",
    "efficiency",
    "efficiency_sd",
)


# --------------------------------------------------------------------------------------------
# the graph seen by the attacks
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Graph:
    """Undirected view: adjacency, total flow per pair and edge lengths (hops or 1/flow)."""

    adjacency: np.ndarray
    flow: np.ndarray
    length: np.ndarray
    weighted: bool

    @classmethod
    def of(cls, net: FlowNetwork, weighted: bool) -> _Graph:
        if not isinstance(net, FlowNetwork):
            raise DataValidationError(
                f"resilience needs a FlowNetwork, not {type(net).__name__}; build one with "
                "FlowNetwork.from_matrix or FlowNetwork.from_edges"
            )
        if net.n < 2:
            raise DataValidationError(f"resilience needs at least 2 nodes; got {net.n}")
        flow = net.weights + net.weights.T if net.directed else np.array(net.weights)
        np.fill_diagonal(flow, 0.0)
        adjacency = flow > 0
        with np.errstate(divide="ignore"):
            length = np.where(adjacency, 1.0 / flow if weighted else 1.0, np.inf)
        return cls(adjacency, flow, length, weighted)

    def centrality(self, strategy: str, present: np.ndarray) -> np.ndarray:
        """``strategy``'s centrality of the nodes ``present`` (indices) in their subgraph."""
        sub = np.ix_(present, present)
        if strategy == "degree":
            return self.adjacency[sub].sum(axis=1).astype(float)
        if strategy == "strength":
            return self.flow[sub].sum(axis=1)
        ig = require("igraph", "betweenness attacks")
        rows, cols = np.nonzero(np.triu(self.adjacency[sub]))
        graph = ig.Graph(n=present.size, edges=list(zip(rows.tolist(), cols.tolist(), strict=True)))
        weights = self.length[sub][rows, cols].tolist() if self.weighted else None
        return np.asarray(graph.betweenness(directed=False, weights=weights), dtype=float)


def _ranked(values: np.ndarray) -> np.ndarray:
    """Positions sorted by decreasing value; near-equal values (see module notes) by position."""
    top = np.abs(values).max() if values.size else 0.0
    key = np.round(values / top, _TIE_DIGITS) if top > 0 else np.zeros_like(values)
    return np.lexsort((np.arange(values.size), -key))


def _attack_order(graph: _Graph, strategy: str, recalculate: bool) -> np.ndarray:
    n = graph.adjacency.shape[0]
    if not recalculate:
        return _ranked(graph.centrality(strategy, np.arange(n)))
    present = np.arange(n)
    order = []
    while present.size:
        pick = _ranked(graph.centrality(strategy, present))[0]
        order.append(present[pick])
        present = np.delete(present, pick)
    return np.asarray(order, dtype=int)


def _curve(graph: _Graph, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """S and E after removing 0, 1, …, N nodes of ``order`` (arrays of length N + 1).

    Nodes are added back in reverse order. ``dist`` holds the distances among the k nodes
    present (infinite on the diagonal, so that 1/dist sums the efficiency directly).
    """
    n = order.size
    added = order[::-1]
    length = graph.length[np.ix_(added, added)]
    dist = np.full((n, n), np.inf)
    largest = np.zeros(n + 1)
    efficiency = np.zeros(n + 1)
    for k in range(n):
        links = np.flatnonzero(np.isfinite(length[k, :k]))
        if links.size:
            via = length[k, links]
            row = (via[:, None] + dist[links, :k]).min(axis=0)
            row[links] = np.minimum(row[links], via)
            dist[k, :k] = row
            dist[:k, k] = row
            block = dist[:k, :k]
            np.minimum(block, row[:, None] + row[None, :], out=block)
            np.fill_diagonal(block, np.inf)
        present = dist[: k + 1, : k + 1]
        largest[n - k - 1] = np.isfinite(present).sum(axis=1).max() + 1
        efficiency[n - k - 1] = np.reciprocal(present).sum()
    return largest / n, efficiency / (n * (n - 1))


# --------------------------------------------------------------------------------------------
# one strategy
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Resilience(Result):
    """The attack curve of one strategy and the robustness index R (Schneider et al. 2011).

    ``curve`` has the columns of :data:`CURVE_COLUMNS`; the ``_sd`` columns are the standard
    deviation over random replicates (NaN for deterministic attacks). ``order`` lists the nodes
    in the order removed (empty for random attacks).
    """

    curve: pd.DataFrame
    strategy: str
    recalculate: bool
    weighted: bool
    replicates: int
    robustness: float
    robustness_sd: float
    intact_efficiency: float
    order: tuple[Hashable, ...]
    n: int
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The curve."""
        return self.curve.copy()

    def summary(self) -> Summary:
        """Robustness and the curve at every tenth of the nodes removed."""
        step = max(1, self.n // 10)
        table = self.curve.iloc[::step].set_index("fraction_removed")[
            ["removed", "largest_component", "efficiency"]
        ]
        how = "recalculated" if self.recalculate else "static"
        what = (
            f"{self.replicates} random replicates"
            if self.strategy == "random"
            else f"{self.strategy} attack, {how}"
        )
        notes = (
            f"{what}; robustness R = {self.robustness:.4f}"
            + (f" (sd {self.robustness_sd:.4f})" if self.strategy == "random" else "")
            + f"; intact efficiency {self.intact_efficiency:.4f}; N = {self.n}.",
        )
        return Summary("网络韧性 Network resilience", (("", table),), notes + self.notes)


def resilience(
    net: FlowNetwork,
    strategy: Strategy = "random",
    *,
    recalculate: bool = False,
    replicates: int = 100,
    weighted: bool = False,
    seed: Seed = 0,
) -> Resilience:
    """Node-removal attack on ``net``: largest-component and efficiency curves and robustness R.

    See the module notes for the definitions and conventions.

    >>> star = FlowNetwork.from_matrix(np.array([[0, 1, 1, 1, 1]] + [[0] * 5] * 4))
    >>> result = resilience(star, "degree")
    >>> result.curve.largest_component.tolist(), result.robustness
    ([1.0, 0.2, 0.2, 0.2, 0.2, 0.0], 0.16)
    """
    if strategy not in STRATEGIES:
        raise DataValidationError(f"strategy must be one of {list(STRATEGIES)}, not {strategy!r}")
    if isinstance(replicates, bool) or not isinstance(replicates, int | np.integer):
        raise DataValidationError(f"replicates must be an integer, got {replicates!r}")
    if replicates < 1:
        raise DataValidationError(f"replicates must be at least 1, got {replicates}")
    graph = _Graph.of(net, weighted)
    n = net.n
    source = RandomSource.from_seed(seed)
    if strategy == "random":
        runs = [
            _curve(graph, source.child(r).generator().permutation(n)) for r in range(replicates)
        ]
        largest = np.array([s for s, _ in runs])
        efficiency = np.array([e for _, e in runs])
        order: tuple[Hashable, ...] = ()
        ignored = ["recalculate=True does not apply to random attacks"] if recalculate else []
        recalculate = False
    else:
        removal = _attack_order(graph, strategy, recalculate)
        largest, efficiency = (c[None, :] for c in _curve(graph, removal))
        order = tuple(net.labels[i] for i in removal)
        replicates = 1
        ignored = []
    random = strategy == "random"
    per_run = largest[:, 1:].mean(axis=1)
    curve = pd.DataFrame(
        {
            "strategy": strategy,
            "recalculate": recalculate,
            "fraction_removed": np.arange(n + 1) / n,
            "removed": np.arange(n + 1),
            "largest_component": largest.mean(axis=0),
            "largest_component_sd": largest.std(axis=0, ddof=1)
            if random and replicates > 1
            else np.nan,
            "efficiency": efficiency.mean(axis=0),
            "efficiency_sd": efficiency.std(axis=0, ddof=1)
            if random and replicates > 1
            else np.nan,
        },
        columns=list(CURVE_COLUMNS),
    )
    notes = [
        "connectivity of the undirected graph (w_ij + w_ji > 0)",
        "efficiency over the original N(N−1) pairs, not normalised by the intact value; "
        + ("edge length 1/(w_ij + w_ji)" if weighted else "hop distances"),
    ]
    if not random:
        notes.append("ties in centrality broken by node order")
    notes += ignored
    return Resilience(
        curve=curve,
        strategy=strategy,
        recalculate=recalculate,
        weighted=weighted,
        replicates=replicates,
        robustness=float(per_run.mean()),
        robustness_sd=float(per_run.std(ddof=1)) if random and replicates > 1 else np.nan,
        intact_efficiency=float(efficiency[0, 0]),
        order=order,
        n=n,
        notes=(*net.notes, *notes),
        meta=make_meta(
            "resilience",
            strategy=strategy,
            recalculate=recalculate,
            weighted=weighted,
            replicates=replicates,
            seed=source.record if random else None,
        ),
    )


# --------------------------------------------------------------------------------------------
# several strategies
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ResilienceCurves(Result):
    """The curves of several attack strategies in one frame, and their robustness table."""

    curves: pd.DataFrame
    robustness: pd.DataFrame
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """All curves (column ``strategy``)."""
        return self.curves.copy()

    def summary(self) -> Summary:
        """Robustness R by strategy."""
        return Summary(
            "网络韧性 Network resilience",
            (("稳健性 Robustness R", self.robustness.set_index("strategy")),),
            self.notes,
        )


def resilience_curves(
    net: FlowNetwork,
    strategies: Sequence[str] = STRATEGIES,
    *,
    recalculate: bool = False,
    replicates: int = 100,
    weighted: bool = False,
    seed: Seed = 0,
) -> ResilienceCurves:
    """:func:`resilience` for each of ``strategies``: one frame of curves, one of robustness.

    The robustness table has ``strategy``, ``recalculate``, ``robustness``, ``robustness_sd``,
    ``replicates`` and ``intact_efficiency``.
    """
    if not strategies:
        raise DataValidationError("give at least one attack strategy")
    results = [
        resilience(
            net,
            strategy,  # type: ignore[arg-type]
            recalculate=recalculate,
            replicates=replicates,
            weighted=weighted,
            seed=seed,
        )
        for strategy in dict.fromkeys(strategies)
    ]
    table = pd.DataFrame(
        [
            {
                "strategy": r.strategy,
                "recalculate": r.recalculate,
                "robustness": r.robustness,
                "robustness_sd": r.robustness_sd,
                "replicates": r.replicates,
                "intact_efficiency": r.intact_efficiency,
            }
            for r in results
        ]
    )
    return ResilienceCurves(
        curves=pd.concat([r.curve for r in results], ignore_index=True),
        robustness=table,
        notes=tuple(dict.fromkeys(note for r in results for note in r.notes)),
        meta=make_meta(
            "resilience_curves",
            strategies=[r.strategy for r in results],
            recalculate=recalculate,
            weighted=weighted,
            replicates=replicates,
            seed=RandomSource.from_seed(seed).record,
        ),
    )


# --------------------------------------------------------------------------------------------
# Motter–Lai cascade
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cascade(Result):
    """A load–capacity cascade (Motter & Lai 2002) after the loss of one node.

    ``nodes``: node, load (initial betweenness), capacity, failed, step (0 = the attacked node,
    s = failed in overload round s, missing for survivors). ``surviving`` is the share of the
    N nodes that never failed; ``largest_component`` the largest connected component of the
    survivors over N (Motter & Lai's G); ``steps`` the number of rounds in which nodes failed.
    """

    nodes: pd.DataFrame
    attacked: Hashable
    tolerance: float
    surviving: float
    largest_component: float
    steps: int
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The node table."""
        return self.nodes.copy()

    def summary(self) -> Summary:
        """The failed nodes by step, and the damage."""
        failed = self.nodes[self.nodes.failed].set_index("node")[["step", "load", "capacity"]]
        notes = (
            f"attacked {self.attacked!r}, tolerance α = {self.tolerance:g}: {self.steps} "
            f"overload round(s); surviving {self.surviving:.4f}, largest component "
            f"{self.largest_component:.4f} of N = {len(self.nodes)}.",
        )
        return Summary(
            "级联失效 Cascading failure (Motter–Lai)", (("", failed),), notes + self.notes
        )


def cascade(
    net: FlowNetwork,
    tolerance: float = 0.2,
    attack: Hashable = "degree",
    *,
    weighted: bool = False,
) -> Cascade:
    """Motter & Lai (2002, *Phys. Rev. E* 66:065102) cascade of overload failures.

    A node's load is its betweenness in the undirected graph (hop distances, or edge length
    1/(w_ij + w_ji) with ``weighted=True``), its capacity (1 + ``tolerance``) × its intact load.
    ``attack`` removes the most central node by ``"degree"``, ``"betweenness"`` or
    ``"strength"`` (ties by node order), or the node with that label. Then, round by round,
    loads are recomputed on the surviving nodes and every node whose load exceeds its capacity
    fails, until no node is overloaded.

    >>> ring = np.roll(np.eye(5), 1, axis=1)
    >>> result = cascade(FlowNetwork.from_matrix(ring + ring.T, directed=False), 0.2, attack=0)
    >>> result.surviving, result.largest_component, result.steps
    (0.4, 0.2, 1)
    """
    if not np.isfinite(tolerance) or tolerance < 0:
        raise DataValidationError(f"tolerance must be a non-negative number, not {tolerance!r}")
    graph = _Graph.of(net, weighted)
    n = net.n
    everyone = np.arange(n)
    load = graph.centrality("betweenness", everyone)
    capacity = (1.0 + tolerance) * load
    if isinstance(attack, str) and attack in _TARGETED:
        target = int(_ranked(graph.centrality(attack, everyone))[0])
    elif attack in net.labels:
        target = net.labels.index(attack)
    else:
        raise DataValidationError(
            f"attack must be one of {list(_TARGETED)} or a node of the network, not {attack!r}"
        )
    step = np.full(n, -1)
    step[target] = 0
    rounds = 0
    while True:
        present = np.flatnonzero(step < 0)
        if not present.size:
            break
        now = graph.centrality("betweenness", present)
        limit = capacity[present]
        over = present[now > limit + 1e-9 * np.maximum(limit, 1.0)]
        if not over.size:
            break
        rounds += 1
        step[over] = rounds
    alive = np.flatnonzero(step < 0)
    largest = 0
    if alive.size:
        csgraph = require("scipy.sparse.csgraph", "cascade components")
        _, labels = csgraph.connected_components(
            graph.adjacency[np.ix_(alive, alive)], directed=False
        )
        largest = int(np.bincount(labels).max())
    nodes = pd.DataFrame(
        {
            "node": list(net.labels),
            "load": load,
            "capacity": capacity,
            "failed": step >= 0,
            "step": pd.array(np.where(step >= 0, step, 0), dtype="Int64"),
        }
    )
    nodes.loc[~nodes.failed, "step"] = pd.NA
    return Cascade(
        nodes=nodes,
        attacked=net.labels[target],
        tolerance=float(tolerance),
        surviving=alive.size / n,
        largest_component=largest / n,
        steps=rounds,
        notes=(
            *net.notes,
            "load = betweenness of the undirected graph ("
            + ("edge length 1/(w_ij + w_ji)" if weighted else "hop distances")
            + "); capacity = (1 + tolerance) × intact load",
        ),
        meta=make_meta(
            "cascade (Motter-Lai)",
            tolerance=float(tolerance),
            attack=str(attack),
            weighted=weighted,
        ),
    )
