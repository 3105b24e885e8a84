"""Obstacle degree (障碍度): which indicators and dimensions hold each region back."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from nqpf.errors import DataValidationError
from nqpf.index._checks import as_frame, plain, row_keys, rows_text
from nqpf.index.weights import WeightsLike, align_weights
from nqpf.results import Result, Summary, make_meta

__all__ = ["ObstacleResult", "obstacle_degree"]

_TOLERANCE = 1e-9


@dataclass(frozen=True)
class ObstacleResult(Result):
    """Obstacle degrees (percent) of each indicator and dimension for each row.

    Attributes
    ----------
    indicator
        Rows × indicators, percent; each defined row sums to 100.
    dimension
        Rows × dimensions (sum over each dimension's indicators), or None without dimensions.
    undefined
        Rows with no obstacle at all (every normalised value equals 1, or every weighted gap is
        0): their obstacle degrees are NaN because the shares :math:`0/0` are undefined.

    """

    indicator: pd.DataFrame
    dimension: pd.DataFrame | None
    undefined: pd.Index

    def top(self, k: int = 3, level: str = "indicator") -> pd.DataFrame:
        """Return the ``k`` main obstacles of each row, largest first.

        Parameters
        ----------
        k
            Number of obstacles per row.
        level
            ``"indicator"`` or ``"dimension"``.

        Returns
        -------
        pandas.DataFrame
            Long table: row keys, ``rank`` (1 = main obstacle), ``factor``, ``obstacle_pct``.
            Undefined rows (no obstacle) are left out.

        """
        table = self._level(level)
        if not (isinstance(k, int | np.integer) and k >= 1):
            raise ValueError(f"k must be a positive integer; got {k!r}")
        k = min(int(k), table.shape[1])
        values = table.to_numpy()
        defined = ~np.isnan(values).any(axis=1)
        order = np.argsort(-values[defined], axis=1, kind="stable")[:, :k]
        keys = row_keys(table.index)[defined].reset_index(drop=True)
        n = len(keys)
        out = keys.loc[np.repeat(np.arange(n), k)].reset_index(drop=True)
        out["rank"] = np.tile(np.arange(1, k + 1), n)
        out["factor"] = np.asarray(table.columns)[order].ravel()
        out["obstacle_pct"] = np.take_along_axis(values[defined], order, axis=1).ravel()
        return out

    def _level(self, level: str) -> pd.DataFrame:
        if level == "indicator":
            return self.indicator
        if level == "dimension":
            if self.dimension is None:
                raise ValueError(
                    "no dimension level: obstacle_degree was called without dimensions"
                )
            return self.dimension
        raise ValueError(f"unknown level {level!r}; choose one of ['indicator', 'dimension']")

    def to_frame(self) -> pd.DataFrame:
        """Tidy long table: row keys, ``level``, ``factor``, ``obstacle_pct``."""
        parts = []
        levels = ["indicator"] + ([] if self.dimension is None else ["dimension"])
        for level in levels:
            table = self._level(level)
            keys = row_keys(table.index)
            m = table.shape[1]
            part = keys.loc[np.repeat(np.arange(len(keys)), m)].reset_index(drop=True)
            part["level"] = level
            part["factor"] = np.tile(np.asarray(table.columns, dtype=object), len(keys))
            part["obstacle_pct"] = table.to_numpy().ravel()
            parts.append(part)
        return pd.concat(parts, ignore_index=True)

    def summary(self) -> Summary:
        """Mean obstacle degree of each indicator (and dimension) over the defined rows."""
        tables = []
        for level, caption in (
            ("indicator", "Indicators 指标层"),
            ("dimension", "Dimensions 维度层"),
        ):
            if level == "dimension" and self.dimension is None:
                continue
            table = self._level(level).dropna(how="any")
            mean = table.mean(axis=0)
            main = table.idxmax(axis=1).value_counts() / max(len(table), 1)
            frame = pd.DataFrame(
                {
                    "平均障碍度 mean obstacle (%)": mean,
                    "首要障碍占比 share as main obstacle": main.reindex(mean.index).fillna(0.0),
                }
            ).sort_values("平均障碍度 mean obstacle (%)", ascending=False)
            frame.index.name = "因素 factor"
            tables.append((caption, frame))
        notes = []
        if len(self.undefined):
            notes.append(
                f"{len(self.undefined)} row(s) have no obstacle at all (every score at its best); "
                "their obstacle degrees are undefined (NaN) and excluded."
            )
        return Summary("Obstacle degree 障碍度", tuple(tables), tuple(notes))

    def to_dict(self) -> dict[str, Any]:
        """JSON form: ``meta``, the tidy records and the undefined rows."""
        out = super().to_dict()
        out["undefined_rows"] = [str(k) for k in self.undefined]
        return out

    def __post_init__(self) -> None:
        if self.dimension is not None and not self.dimension.index.equals(self.indicator.index):
            raise ValueError("dimension table must share the indicator table's rows")


def obstacle_degree(
    Z: pd.DataFrame | np.ndarray,
    weights: WeightsLike,
    dimensions: Mapping[Hashable, Hashable] | None = None,
) -> ObstacleResult:
    r"""Obstacle degree of each indicator (and dimension) for each row.

    Parameters
    ----------
    Z
        Normalised benefit-type scores in [0, 1] (e.g. global min-max output of
        :func:`~nqpf.index.normalize_indicators`), rows = region-years.
    weights
        Indicator weights (non-negative, summing to 1), the same ones used for the index: an
        :class:`~nqpf.index.IndexWeights` result, a Series or mapping keyed by indicator, or a
        sequence in column order.
    dimensions
        Optional mapping indicator → dimension name (e.g. 劳动者 / 劳动资料 / 劳动对象); every
        indicator must be mapped.

    Returns
    -------
    ObstacleResult
        ``.indicator`` and ``.dimension`` in percent (each defined row sums to 100),
        ``.undefined`` (rows without any obstacle), ``.top(k)`` and ``.to_frame()``.

    Raises
    ------
    DataValidationError
        NaN / infinite cells, scores outside [0, 1] (naming indicator and rows), or an indicator
        without a dimension.
    WeightsError
        Invalid weights.

    Notes
    -----
    With factor contribution :math:`w_j` and indicator deviation :math:`I_{ij} = 1 - y_{ij}`:

    .. math::

        O_{ij} = \frac{w_j (1 - y_{ij})}{\sum_k w_k (1 - y_{ik})} \times 100\,\%, \qquad
        U_{id} = \sum_{j \in d} O_{ij}.

    A row with :math:`\sum_k w_k (1 - y_{ik}) = 0` (every weighted score already at its best)
    has no obstacle to share out: its degrees are NaN and the row is listed in
    ``.undefined``. This is the obstacle-degree model (障碍度模型) as used throughout the
    Chinese regional-development evaluation literature.

    Examples
    --------
    >>> import pandas as pd
    >>> Z = pd.DataFrame({"a": [0.0, 1.0], "b": [0.5, 1.0]}, index=["Anhui", "Beijing"])
    >>> result = obstacle_degree(Z, {"a": 0.5, "b": 0.5})
    >>> result.indicator.round(2)
                 a      b
    Anhui    66.67  33.33
    Beijing    NaN    NaN
    >>> list(result.undefined)
    ['Beijing']

    """
    frame = as_frame(Z, "Z")
    w = align_weights(weights, frame.columns)
    y = frame.to_numpy()
    outside = (y < -_TOLERANCE) | (y > 1 + _TOLERANCE)
    if outside.any():
        j = int(np.flatnonzero(outside.any(axis=0))[0])
        rows = np.flatnonzero(outside[:, j])
        raise DataValidationError(
            f"obstacle degree needs scores in [0, 1], but indicator {plain(frame.columns[j])} is "
            f"outside at {rows_text(frame.index, rows)}; use min-max normalised scores"
        )
    gap = w * (1.0 - np.clip(y, 0.0, 1.0))
    total = gap.sum(axis=1)
    defined = total > 0
    share = np.full_like(gap, np.nan)
    share[defined] = gap[defined] / total[defined, None] * 100.0
    indicator = pd.DataFrame(share, index=frame.index, columns=frame.columns)
    dimension = None
    if dimensions is not None:
        missing = [c for c in frame.columns if c not in dimensions]
        if missing:
            raise DataValidationError(f"dimensions gives no dimension for indicator(s) {missing}")
        labels = [dimensions[c] for c in frame.columns]
        order = list(dict.fromkeys(labels))
        dimension = (
            indicator.T.groupby(np.asarray(labels, dtype=object), sort=False)
            .sum(min_count=1)
            .T.reindex(columns=order)
        )
        dimension.columns.name = None
    return ObstacleResult(
        indicator=indicator,
        dimension=dimension,
        undefined=frame.index[~defined],
        meta=make_meta(
            "obstacle_degree",
            n_rows=len(frame),
            n_indicators=frame.shape[1],
            n_undefined=int((~defined).sum()),
            undefined_reason="no obstacle: every weighted score at its best (0/0)",
        ),
    )
