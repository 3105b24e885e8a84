r"""Continuous core–periphery structure (Borgatti & Everett 1999, *Social Networks* 21:375–395).

Each node gets a coreness :math:`c_i \ge 0` such that the pattern :math:`c_i c_j` correlates as
strongly as possible (Pearson) with the observed ties :math:`a_{ij}` over the pairs
:math:`i < j` — strong ties among core nodes, weaker ones between core and periphery, weakest
among peripheral nodes. A directed network is symmetrised first (:math:`a_{ij} = w_{ij} + w_{ji}`);
the diagonal is ignored. The correlation (``fit``) does not depend on the scale of c; coreness is
reported with the largest equal to 1, and also as UCINET does (``coreness_unit``:
:math:`\sum c_i^2 = 1`), for comparison with UCINET's output.

Optimiser. Maximising r is the same as the least-squares fit of the centred, unit-norm ties
:math:`\tilde a_{ij}` by the centred products :math:`p_{ij} - \bar p` (:math:`p_{ij} = c_i c_j`;
the optimal scale of c is absorbed), whose minimum is :math:`1 - r^2`. With
:math:`N = \sum_{i<j} \tilde a_{ij} p_{ij}`, :math:`S_1 = \sum_{i<j} p_{ij}`,
:math:`S_2 = \sum_{i<j} p_{ij}^2` and m pairs the loss is :math:`1 - 2N + S_2 - S_1^2/m`, with
gradient :math:`-2\tilde A c + 2(\sum c^2)c - 2c^3 - (2S_1/m)(\sum c - c)`. It is minimised by
L-BFGS-B with c ≥ 0 from the strength-based start (:math:`c_i \propto \sum_j a_{ij}`) and
``starts − 1`` random uniform starts drawn from ``RandomSource.from_seed(seed).generator()``;
the lowest loss wins (the earliest start on a tie), so the result is deterministic for a seed.
Two kinds of ties have a best fit that is a limit rather than a point, and the result says so
in ``notes``: ties with no multiplicative pattern are fitted best by nearly equal coreness
(c_i ≈ 1 + ε_i mimics an additive pattern), and ties dominated by one node by a star around it
(its coreness grows without bound relative to the others, whose coreness then tends to 0 and
whose order is not identified).

Tiers (a convention of this package, configurable with ``thresholds=(core, semi)``): ``core``
for coreness ≥ 0.5 (at least half the top node's), ``semi-periphery`` for 0.2 ≤ coreness < 0.5,
``periphery`` below 0.2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from nqpf._compat import require
from nqpf._random import RandomSource, Seed
from nqpf.errors import ConvergenceError, DataValidationError
from nqpf.network.graph import FlowNetwork
from nqpf.results import Result, Summary, make_meta

__all__ = ["TIERS", "CorePeriphery", "core_periphery"]

#: Tier names, from the centre out.
TIERS = ("core", "semi-periphery", "periphery")


@dataclass(frozen=True)
class CorePeriphery(Result):
    """Coreness of every node, ranked, with its tier and the fit of the core–periphery pattern.

    ``nodes`` (sorted by rank): node, coreness (max 1), coreness_unit (Σ c² = 1, as UCINET),
    rank (1 = most central; ties share the best rank), tier.
    """

    nodes: pd.DataFrame
    fit: float
    thresholds: tuple[float, float]
    starts: int
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The node table."""
        return self.nodes.copy()

    def summary(self) -> Summary:
        """The ranking and the fit."""
        counts = self.nodes.tier.value_counts().reindex(TIERS, fill_value=0)
        notes = (
            f"fit (correlation of c_i·c_j with the ties) = {self.fit:.4f}; "
            + ", ".join(f"{tier}: {count}" for tier, count in counts.items())
            + f" (core ≥ {self.thresholds[0]:g}, semi-periphery ≥ {self.thresholds[1]:g}).",
        )
        return Summary(
            "核心—边缘结构 Core–periphery structure",
            (("", self.nodes.set_index("node")),),
            notes + self.notes,
        )


def core_periphery(
    net: FlowNetwork,
    *,
    seed: Seed = 0,
    starts: int = 10,
    thresholds: tuple[float, float] = (0.5, 0.2),
) -> CorePeriphery:
    """Continuous core–periphery model of Borgatti & Everett (1999); see the module notes.

    >>> c = np.array([1.0, 0.8, 0.4, 0.25, 0.1])
    >>> result = core_periphery(FlowNetwork.from_matrix(np.outer(c, c), directed=False))
    >>> result.nodes.coreness.round(6).tolist(), round(result.fit, 8)
    ([1.0, 0.8, 0.4, 0.25, 0.1], 1.0)
    >>> result.nodes.tier.tolist()
    ['core', 'core', 'semi-periphery', 'semi-periphery', 'periphery']
    """
    if not isinstance(net, FlowNetwork):
        raise DataValidationError(
            f"core_periphery needs a FlowNetwork, not {type(net).__name__}; build one with "
            "FlowNetwork.from_matrix or FlowNetwork.from_edges"
        )
    core, semi = thresholds
    if not 0 <= semi <= core <= 1:
        raise DataValidationError(
            f"thresholds must be (core, semi) with 0 ≤ semi ≤ core ≤ 1, not {thresholds!r}"
        )
    if isinstance(starts, bool) or not isinstance(starts, int | np.integer) or starts < 1:
        raise DataValidationError(f"starts must be a positive integer, not {starts!r}")
    if net.n < 3:
        raise DataValidationError(f"core–periphery needs at least 3 nodes; got {net.n}")
    ties = net.weights + net.weights.T if net.directed else np.array(net.weights)
    np.fill_diagonal(ties, 0.0)
    pairs = ties[np.triu_indices(net.n, 1)]
    if np.ptp(pairs) == 0:
        raise DataValidationError(
            f"every pair of nodes has the same tie ({pairs[0]:g}); a core–periphery pattern "
            "needs ties that vary"
        )
    m = pairs.size
    centred = (ties - pairs.mean()) / np.linalg.norm(pairs - pairs.mean())
    np.fill_diagonal(centred, 0.0)

    def loss(c: np.ndarray) -> tuple[float, np.ndarray]:
        c2 = c * c
        total, total2 = c.sum(), c2.sum()
        s1 = (total * total - total2) / 2
        s2 = (total2 * total2 - (c2 * c2).sum()) / 2
        ac = centred @ c
        value = 1 - c @ ac + s2 - s1 * s1 / m
        grad = -2 * ac + 2 * total2 * c - 2 * c2 * c - 2 * s1 / m * (total - c)
        return value, grad

    optimize = require("scipy.optimize", "core–periphery")
    source = RandomSource.from_seed(seed)
    rng = source.generator()
    strength = ties.sum(axis=1)
    first = strength / strength.max()
    candidates = [first, *(rng.uniform(size=net.n) for _ in range(starts - 1))]
    best: Any = None
    for start in candidates:
        found = optimize.minimize(
            loss,
            start,
            jac=True,
            method="L-BFGS-B",
            bounds=[(0.0, None)] * net.n,
            options={"maxiter": 10_000, "ftol": 1e-15, "gtol": 1e-10},
        )
        if best is None or found.fun < best.fun - 1e-12:
            best = found
    c = np.asarray(best.x, dtype=float)
    if not np.isfinite(c).all() or c.max() <= 0:
        raise ConvergenceError(
            f"core–periphery optimisation found no pattern from {starts} starts "
            f"(last message: {best.message})"
        )
    c = c / c.max()
    fit = float(np.corrcoef(pairs, np.outer(c, c)[np.triu_indices(net.n, 1)])[0, 1])
    tier = np.where(c >= core, TIERS[0], np.where(c >= semi, TIERS[1], TIERS[2]))
    nodes = pd.DataFrame(
        {
            "node": list(net.labels),
            "coreness": c,
            "coreness_unit": c / np.linalg.norm(c),
            "rank": pd.Series(c).rank(ascending=False, method="min").astype(int).to_numpy(),
            "tier": tier,
        }
    )
    nodes = nodes.sort_values(["rank"], kind="stable", ignore_index=True)
    notes = ["ties symmetrised: a_ij = w_ij + w_ji"] if net.directed else []
    second = np.sort(c)[-2]
    if second < 0.01:
        notes.append(
            f"one node dominates: the best fit is a star around {net.labels[int(c.argmax())]!r} "
            f"(every other coreness ≤ {second:.2g}); the order of the others is not identified"
        )
    if c.min() > 0.9:
        notes.append(
            f"no core–periphery structure: every coreness lies in [{c.min():.3f}, 1], the "
            "pattern c_i·c_j fits no better than nearly equal coreness"
        )
    return CorePeriphery(
        nodes=nodes,
        fit=fit,
        thresholds=(float(core), float(semi)),
        starts=int(starts),
        notes=(*net.notes, *notes),
        meta=make_meta(
            "core_periphery (Borgatti-Everett continuous)",
            seed=source.record,
            starts=int(starts),
            thresholds=[float(core), float(semi)],
        ),
    )
