"""Directed weighted networks of regions, built from an origin–destination matrix or edge table.

:class:`FlowNetwork` is the one input of every network analysis (metrics, communities,
core–periphery, QAP, resilience): ``weights[i, j]`` is the flow from ``labels[i]`` to
``labels[j]``, zero where there is no edge. It checks its input once (square, finite,
non-negative, unique labels) and states every policy it applied in ``notes`` — self-flows in
particular are dropped or kept explicitly, never silently.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from nqpf._compat import require
from nqpf.errors import DataValidationError, DuplicateError, show

__all__ = ["FlowNetwork", "SelfFlows"]

#: What to do with flows from a region to itself (the matrix diagonal).
SelfFlows = Literal["drop", "keep"]


@dataclass(frozen=True, eq=False)
class FlowNetwork:
    """A weighted network of regions: ``weights[i, j]`` is the flow from node i to node j.

    Build one with :meth:`from_matrix` or :meth:`from_edges`. ``directed=False`` networks have a
    symmetric matrix. ``notes`` lists the policies applied while building it (self-flows
    dropped, edges thresholded, backbone extracted, …).
    """

    labels: tuple[Hashable, ...]
    weights: np.ndarray
    directed: bool = True
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        w = np.asarray(self.weights, dtype=float)
        if w.ndim != 2 or w.shape[0] != w.shape[1]:
            raise DataValidationError(f"a flow matrix must be square; got shape {w.shape}")
        if len(self.labels) != w.shape[0]:
            raise DataValidationError(
                f"{len(self.labels)} labels for a {w.shape[0]} × {w.shape[0]} flow matrix"
            )
        if len(set(self.labels)) != len(self.labels):
            seen: set[Hashable] = set()
            dup = next(x for x in self.labels if x in seen or seen.add(x))  # type: ignore[func-returns-value]
            raise DuplicateError(f"node {dup!r} appears more than once in the flow matrix")
        bad = ~np.isfinite(w)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise DataValidationError(
                f"flow {self.labels[i]!r} → {self.labels[j]!r} is {w[i, j]}; flows must be "
                f"finite numbers ({int(bad.sum())} such cells)"
            )
        if (w < 0).any():
            i, j = np.argwhere(w < 0)[0]
            raise DataValidationError(
                f"flow {self.labels[i]!r} → {self.labels[j]!r} is negative ({w[i, j]:g}); "
                "flows must be non-negative"
            )
        if not self.directed and not np.allclose(w, w.T, rtol=1e-12, atol=0.0):
            raise DataValidationError("an undirected network needs a symmetric matrix")
        w.setflags(write=False)
        object.__setattr__(self, "weights", w)
        object.__setattr__(self, "labels", tuple(self.labels))

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_matrix(
        cls,
        matrix: pd.DataFrame | np.ndarray,
        labels: Sequence[Hashable] | None = None,
        *,
        directed: bool = True,
        self_flows: SelfFlows = "drop",
    ) -> FlowNetwork:
        """From a square matrix; a DataFrame's index gives the labels (columns must match).

        >>> net = FlowNetwork.from_matrix([[5, 1], [2, 0]], ["a", "b"])
        >>> net.weights.tolist(), net.notes
        ([[0.0, 1.0], [2.0, 0.0]], ('self-flows dropped: 1 region(s), total 5',))
        """
        if isinstance(matrix, pd.DataFrame):
            if labels is None:
                labels = list(matrix.index)
            if list(matrix.columns) != list(matrix.index):
                if set(matrix.columns) != set(matrix.index):
                    raise DataValidationError(
                        "the flow matrix's columns must be the same regions as its rows"
                    )
                matrix = matrix.loc[:, list(matrix.index)]
            values = _numeric(matrix)
        else:
            values = np.array(matrix, dtype=float)
            if labels is None:
                labels = list(range(values.shape[0])) if values.ndim == 2 else []
        return cls._with_self_flows(tuple(labels), values, directed, self_flows, ())

    @classmethod
    def from_edges(
        cls,
        table: pd.DataFrame,
        origin: str = "origin",
        destination: str = "destination",
        weight: str | None = "flow",
        *,
        nodes: Sequence[Hashable] | None = None,
        directed: bool = True,
        self_flows: SelfFlows = "drop",
        duplicates: Literal["error", "sum"] = "error",
    ) -> FlowNetwork:
        """From an edge table (one row per origin–destination pair, e.g. an O–D table).

        ``weight=None`` counts each row as 1. ``nodes`` adds isolated nodes (and fixes the
        order); an edge naming a node outside ``nodes`` is an error. Repeated pairs are an
        error unless ``duplicates="sum"``. An undirected network adds both directions.

        >>> edges = pd.DataFrame({"origin": ["a", "b"], "destination": ["b", "c"],
        ...                       "flow": [2.0, 1.0]})
        >>> FlowNetwork.from_edges(edges).labels
        ('a', 'b', 'c')
        """
        missing = [c for c in (origin, destination, weight) if c is not None and c not in table]
        if missing:
            raise DataValidationError(
                f"the edge table has no column {missing[0]!r}; its columns are "
                f"{list(map(str, table.columns))}"
            )
        o, d = table[origin], table[destination]
        if o.isna().any() or d.isna().any():
            row = int(np.flatnonzero((o.isna() | d.isna()).to_numpy())[0])
            raise DataValidationError(f"edge row {row + 1} has no origin or destination")
        flow = np.ones(len(table)) if weight is None else _numeric(table[[weight]]).ravel()
        if np.isnan(flow).any():
            row = int(np.flatnonzero(np.isnan(flow))[0])
            raise DataValidationError(
                f"edge row {row + 1} ({o.iloc[row]!r} → {d.iloc[row]!r}) has no {weight!r} value"
            )
        pairs = pd.DataFrame({"o": o.to_numpy(), "d": d.to_numpy(), "w": flow})
        if not directed:
            swap = pairs.rename(columns={"o": "d", "d": "o"})
            pairs = pd.concat([pairs, swap[pairs.o != pairs.d]], ignore_index=True)
        repeated = pairs.duplicated(["o", "d"], keep=False).to_numpy()
        if repeated.any():
            if duplicates == "error":
                first = pairs[repeated]
                o0, d0 = first.o.iloc[0], first.d.iloc[0]
                rows = np.flatnonzero((pairs.o == o0).to_numpy() & (pairs.d == d0).to_numpy())
                where = f"rows {', '.join(str(r + 1) for r in rows[rows < len(table)])}"
                raise DuplicateError(
                    f"edge {show(o0)} → {show(d0)} appears more than once ({where} of the edge "
                    "table); add repeated edges up first, or pass duplicates='sum'"
                )
            pairs = pairs.groupby(["o", "d"], sort=False, as_index=False)["w"].sum()
        if nodes is None:
            nodes = list(dict.fromkeys([*pairs.o, *pairs.d]))
        position = {label: k for k, label in enumerate(nodes)}
        unknown = [x for x in dict.fromkeys([*pairs.o, *pairs.d]) if x not in position]
        if unknown:
            raise DataValidationError(
                f"edge endpoint {unknown[0]!r} is not among the given nodes "
                f"({len(unknown)} such endpoint(s))"
            )
        values = np.zeros((len(nodes), len(nodes)))
        values[pairs.o.map(position).to_numpy(), pairs.d.map(position).to_numpy()] = pairs.w
        return cls._with_self_flows(tuple(nodes), values, directed, self_flows, ())

    @classmethod
    def _with_self_flows(
        cls,
        labels: tuple[Hashable, ...],
        values: np.ndarray,
        directed: bool,
        self_flows: SelfFlows,
        notes: tuple[str, ...],
    ) -> FlowNetwork:
        if self_flows not in ("drop", "keep"):
            raise DataValidationError(f"self_flows must be 'drop' or 'keep', not {self_flows!r}")
        if values.ndim == 2 and values.shape[0] == values.shape[1] and self_flows == "drop":
            diagonal = np.diag(values).copy()
            if np.isfinite(diagonal).all() and (diagonal != 0).any():
                values = values.copy()
                np.fill_diagonal(values, 0.0)
                notes += (
                    f"self-flows dropped: {int((diagonal != 0).sum())} region(s), "
                    f"total {diagonal.sum():g}",
                )
        return cls(labels, values, directed, notes)

    # ------------------------------------------------------------------ views
    @property
    def n(self) -> int:
        """Number of nodes."""
        return len(self.labels)

    @property
    def adjacency(self) -> np.ndarray:
        """0/1 matrix of the edges (weight > 0)."""
        return (self.weights > 0).astype(float)

    def edges(self) -> pd.DataFrame:
        """The edges as a table: ``origin``, ``destination``, ``weight`` (weight > 0 only).

        An undirected network lists each edge once (origin before destination in node order).
        """
        w = self.weights if self.directed else np.triu(self.weights)
        i, j = np.nonzero(w)
        labels = np.asarray(self.labels, dtype=object)
        return pd.DataFrame({"origin": labels[i], "destination": labels[j], "weight": w[i, j]})

    def to_frame(self) -> pd.DataFrame:
        """The weight matrix as a labelled DataFrame (rows: origins, columns: destinations)."""
        return pd.DataFrame(self.weights, index=list(self.labels), columns=list(self.labels))

    def undirected(self) -> FlowNetwork:
        """The undirected network of total flows between each pair: W + Wᵀ (self-flows once)."""
        if not self.directed:
            return self
        return FlowNetwork(
            self.labels,
            self.weights + self.weights.T - np.diag(np.diag(self.weights)),
            directed=False,
            notes=(*self.notes, "symmetrised: w_ij + w_ji"),
        )

    def with_weights(self, weights: np.ndarray, note: str) -> FlowNetwork:
        """The same nodes with new weights, and a note saying what changed."""
        return replace(self, weights=np.asarray(weights, dtype=float), notes=(*self.notes, note))

    def subnetwork(self, keep: Sequence[Hashable]) -> FlowNetwork:
        """The network among the nodes ``keep`` (in that order)."""
        position = {label: k for k, label in enumerate(self.labels)}
        unknown = [x for x in keep if x not in position]
        if unknown:
            raise DataValidationError(f"{unknown[0]!r} is not a node of this network")
        idx = np.array([position[x] for x in keep], dtype=int)
        return FlowNetwork(tuple(keep), self.weights[np.ix_(idx, idx)], self.directed, self.notes)

    def threshold(
        self,
        *,
        value: float | None = None,
        quantile: float | None = None,
        top: int | None = None,
    ) -> FlowNetwork:
        """Keep the heaviest edges: by a ``value``, a ``quantile`` or a ``top`` count.

        Exactly one is given: weight ≥ ``value``, weight ≥ the ``quantile`` of positive
        weights, or the ``top`` heaviest edges.

        >>> net = FlowNetwork.from_matrix([[0, 1, 4], [2, 0, 3], [0, 5, 0]])
        >>> net.threshold(top=2).edges().weight.tolist()
        [4.0, 5.0]
        """
        given = [x is not None for x in (value, quantile, top)]
        if sum(given) != 1:
            raise DataValidationError("give exactly one of value=, quantile= or top=")
        w = self.weights if self.directed else np.triu(self.weights)
        positive = w[w > 0]
        if top is not None:
            if top < 0:
                raise DataValidationError(f"top must be non-negative, not {top}")
            # the `top` heaviest; ties at the cut go to the earlier edge in row-major order
            order = np.argsort(-w, axis=None, kind="stable")[: min(top, positive.size)]
            mask = np.zeros(w.shape, dtype=bool)
            mask.flat[order] = True
            if not self.directed:
                mask |= mask.T
            what = f"the {top} heaviest edges kept"
        else:
            if quantile is not None:
                if not 0 <= quantile <= 1:
                    raise DataValidationError(f"quantile must lie in [0, 1], not {quantile}")
                cut = float(np.quantile(positive, quantile)) if positive.size else 0.0
                what = f"edges with weight ≥ the {quantile:g} quantile ({cut:g}) kept"
            else:
                cut = float(value)  # type: ignore[arg-type]
                what = f"edges with weight ≥ {cut:g} kept"
            mask = self.weights >= cut
        kept = np.where(mask, self.weights, 0.0)
        return self.with_weights(kept, what)

    # ------------------------------------------------------------------ other libraries
    def to_igraph(self) -> Any:
        """An ``igraph.Graph`` with vertex attribute ``name`` and edge attribute ``weight``."""
        ig = require("igraph", "network analysis")
        edges = self.edges()
        position = {label: k for k, label in enumerate(self.labels)}
        graph = ig.Graph(
            n=self.n,
            edges=list(
                zip(edges.origin.map(position), edges.destination.map(position), strict=True)
            ),
            directed=self.directed,
        )
        graph.vs["name"] = list(self.labels)
        graph.es["weight"] = edges.weight.tolist()
        return graph

    def to_networkx(self) -> Any:
        """A ``networkx.DiGraph`` (``Graph`` if undirected) with edge attribute ``weight``."""
        nx = require("networkx", "network analysis")
        graph = nx.DiGraph() if self.directed else nx.Graph()
        graph.add_nodes_from(self.labels)
        graph.add_weighted_edges_from(self.edges().itertuples(index=False, name=None))
        return graph


def _numeric(frame: pd.DataFrame) -> np.ndarray:
    """The frame's values as floats, or an error naming the first non-numeric cell."""
    values = frame.apply(pd.to_numeric, errors="coerce")
    bad = values.isna() & frame.notna()
    if bad.to_numpy().any():
        row, col = np.argwhere(bad.to_numpy())[0]
        raise DataValidationError(
            f"flow cell ({frame.index[row]!r}, {frame.columns[col]!r}) is not a number: "
            f"{frame.iat[row, col]!r}"
        )
    return values.to_numpy(dtype=float)
