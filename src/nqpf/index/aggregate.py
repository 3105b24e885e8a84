"""Aggregation of normalised indicators into one composite score: linear, geometric, TOPSIS.

``Z`` is a normalised table (rows = observations, columns = indicators, larger is better, e.g.
the output of :func:`~nqpf.index.normalize_indicators`); ``weights`` a weight per indicator
(Series keyed by indicator or a sequence in column order), non-negative and summing to 1.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from nqpf.errors import DataValidationError
from nqpf.index._checks import (
    as_frame,
    check_method,
    plain,
    resolve_directions,
    row_keys,
    rows_text,
)
from nqpf.index.normalise import normalize_resolved
from nqpf.index.weights import WeightsLike, align_weights
from nqpf.results import Result, Summary, make_meta

__all__ = [
    "AGGREGATION_METHODS",
    "CompositeScores",
    "aggregate_indicators",
    "geometric_aggregate",
    "linear_aggregate",
    "topsis",
]

AGGREGATION_METHODS: tuple[str, ...] = ("linear", "geometric", "topsis")
"""Aggregation rules offered by :mod:`nqpf.index`."""

_TITLES = {
    "linear_aggregate": "Linear aggregation 线性加权",
    "geometric_aggregate": "Geometric aggregation 几何加权",
    "topsis": "TOPSIS closeness TOPSIS 贴近度",
}


@dataclass(frozen=True)
class CompositeScores(Result):
    """Composite scores of one aggregation rule.

    Attributes
    ----------
    scores
        One score per row (named ``score``), indexed like the indicator table; larger is better.

    """

    scores: pd.Series

    def to_frame(self) -> pd.DataFrame:
        """One line per row: the row keys (``row`` when unnamed) and ``score``."""
        frame = row_keys(self.scores.index)
        frame["score"] = self.scores.to_numpy()
        return frame

    def summary(self) -> Summary:
        """Scores from highest to lowest, with the rule's parameters as a note."""
        table = self.scores.rename("得分 score").sort_values(ascending=False).to_frame()
        method = str(self.meta.get("method", ""))
        parameters = ", ".join(
            f"{k}={v}" for k, v in self.meta.items() if k not in ("method", "nqpf_version")
        )
        return Summary(
            _TITLES.get(method, method), (("", table),), (parameters,) if parameters else ()
        )


def _score(values: np.ndarray, index: pd.Index, method: str, **parameters: Any) -> CompositeScores:
    return CompositeScores(
        scores=pd.Series(values, index=index, name="score"), meta=make_meta(method, **parameters)
    )


def linear_aggregate(Z: pd.DataFrame | np.ndarray, weights: WeightsLike) -> CompositeScores:
    r"""Weighted arithmetic mean of normalised indicators.

    Parameters
    ----------
    Z
        Normalised indicators (larger is better).
    weights
        Weight per indicator, non-negative, summing to 1.

    Returns
    -------
    CompositeScores
        ``.scores`` :math:`S_i = \sum_j w_j z_{ij}`, indexed like ``Z``.

    Raises
    ------
    DataValidationError
        NaN / infinite cells (naming indicator and rows).
    WeightsError
        Weights that do not match the indicators, are negative, or do not sum to 1.

    Notes
    -----
    .. math:: S_i = \sum_j w_j z_{ij}

    Fully compensatory: a deficit on one indicator is offset by a surplus on another. Source:
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 6.2.

    Examples
    --------
    >>> import pandas as pd
    >>> Z = pd.DataFrame({"a": [0.0, 1.0], "b": [1.0, 0.5]})
    >>> linear_aggregate(Z, {"a": 0.25, "b": 0.75}).scores.tolist()
    [0.75, 0.625]

    """
    frame = as_frame(Z, "Z")
    w = align_weights(weights, frame.columns)
    return _score(frame.to_numpy() @ w, frame.index, "linear_aggregate")


def geometric_aggregate(
    Z: pd.DataFrame | np.ndarray, weights: WeightsLike, floor: float | None = None
) -> CompositeScores:
    r"""Weighted geometric mean of normalised indicators.

    Parameters
    ----------
    Z
        Normalised indicators (larger is better). Must be strictly positive unless ``floor`` is
        given.
    weights
        Weight per indicator, non-negative, summing to 1.
    floor
        How zeros and negative values are handled; there is no silent default. ``None``
        (default): any value :math:`\le 0` is an error. A positive number: every indicator whose
        minimum is below ``floor`` is translated, :math:`z \to z - \min_i z + floor`, so that its
        minimum equals ``floor`` (for min-max scores in [0, 1] with ``floor=0.01`` this is the
        common rescaling to [1, 100] up to a constant factor, which does not change geometric
        ranks). The translated indicators are listed in ``meta["translated"]``.

    Returns
    -------
    CompositeScores
        ``.scores`` :math:`S_i = \prod_j z_{ij}^{w_j}`, indexed like ``Z``.

    Raises
    ------
    DataValidationError
        NaN / infinite cells, or a value :math:`\le 0` with ``floor=None`` (naming the indicator
        and rows), or a non-positive ``floor``.
    WeightsError
        Invalid weights.

    Notes
    -----
    .. math:: S_i = \prod_j z_{ij}^{w_j} = \exp\Big(\sum_j w_j \ln z_{ij}\Big)

    Only partly compensatory: a low value on one indicator cannot be fully offset by others.
    Source: OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 6.2.

    Examples
    --------
    >>> import pandas as pd
    >>> Z = pd.DataFrame({"a": [1.0, 4.0], "b": [4.0, 1.0]})
    >>> geometric_aggregate(Z, [0.5, 0.5]).scores.tolist()
    [2.0, 2.0]
    >>> Z0 = pd.DataFrame({"a": [0.0, 1.0], "b": [1.0, 0.0]})
    >>> geometric_aggregate(Z0, [0.5, 0.5], floor=0.01).scores.round(4).tolist()
    [0.1005, 0.1005]

    """
    frame = as_frame(Z, "Z")
    w = align_weights(weights, frame.columns)
    values = frame.to_numpy()
    translated: list[Hashable] = []
    if floor is None:
        bad = values <= 0
        if bad.any():
            j = int(np.flatnonzero(bad.any(axis=0))[0])
            rows = np.flatnonzero(bad[:, j])
            raise DataValidationError(
                f"geometric aggregation needs strictly positive scores, but indicator "
                f"{plain(frame.columns[j])} is <= 0 at {rows_text(frame.index, rows)} "
                "(min-max scores "
                "are 0 at the minimum); pass floor= (e.g. 0.01) to translate such indicators, or "
                "use linear aggregation"
            )
    else:
        floor = float(floor)
        if not (np.isfinite(floor) and floor > 0):
            raise DataValidationError(f"floor must be a positive number; got {floor!r}")
        values, moved = translate_to_floor(values, floor)
        translated = [frame.columns[j] for j in moved]
    scores = np.exp(np.log(values) @ w)
    return _score(scores, frame.index, "geometric_aggregate", floor=floor, translated=translated)


def translate_to_floor(values: np.ndarray, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """Translate each column whose minimum is below ``floor`` so that its minimum is ``floor``.

    Returns the translated array and the positions of the translated columns (shared with the
    Monte Carlo scoring of :mod:`nqpf.index.uncertainty`).
    """
    low = values.min(axis=0)
    moved = np.flatnonzero(low < floor)
    shift = np.where(low < floor, floor - low, 0.0)
    return values + shift, moved


def topsis(
    X: pd.DataFrame | np.ndarray,
    weights: WeightsLike,
    directions: Mapping[Hashable, Any] | pd.Series | Sequence[Any] | None = None,
    normalization: str | None = "minmax",
) -> CompositeScores:
    r"""TOPSIS closeness to the ideal solution, in [0, 1] (larger is better).

    Parameters
    ----------
    X
        Raw indicators (with ``normalization="minmax"`` or ``"vector"``) or already normalised,
        benefit-type scores (``normalization=None``).
    weights
        Weight per indicator, non-negative, summing to 1.
    directions
        ``+1`` benefit / ``-1`` cost per indicator, used by the normalisation. With
        ``normalization=None`` the data must already be benefit-type, so only all-benefit
        directions are accepted.
    normalization
        ``"minmax"`` (global min-max), ``"vector"`` (see
        :func:`~nqpf.index.normalize_indicators`) or ``None``.

    Returns
    -------
    CompositeScores
        ``.scores``: closeness :math:`C_i \in [0, 1]`, indexed like ``X``.

    Raises
    ------
    DataValidationError
        As :func:`~nqpf.index.normalize_indicators`; cost directions with
        ``normalization=None``; every row identical (no distance to either ideal).
    WeightsError
        Invalid weights.
    ValueError
        Unknown ``normalization``.

    Notes
    -----
    With :math:`z_{ij}` the normalised benefit-type values, :math:`v_{ij} = w_j z_{ij}`, the
    positive ideal :math:`v^+_j = \max_i v_{ij}` and the negative ideal
    :math:`v^-_j = \min_i v_{ij}` (taken over all rows passed, i.e. pooled over years for a
    panel):

    .. math::

        D^+_i = \sqrt{\sum_j (v_{ij} - v^+_j)^2}, \qquad
        D^-_i = \sqrt{\sum_j (v_{ij} - v^-_j)^2}, \qquad
        C_i = \frac{D^-_i}{D^+_i + D^-_i}.

    Source: Hwang & Yoon (1981), *Multiple Attribute Decision Making: Methods and
    Applications*, Springer.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"gdp": [1.0, 2.0, 3.0], "emissions": [3.0, 2.0, 1.0]})
    >>> topsis(X, [0.5, 0.5], directions=[1, -1]).scores.tolist()
    [0.0, 0.5, 1.0]

    """
    frame = as_frame(X)
    signs = resolve_directions(directions, frame.columns)
    if normalization is None:
        Z = frame
        if np.any(signs < 0):
            cost = [c for c, s in zip(Z.columns, signs, strict=True) if s < 0]
            raise DataValidationError(
                f"normalization=None expects benefit-type scores, but indicator(s) {cost} are "
                "marked as cost; normalise them first or pass normalization='minmax'"
            )
    else:
        check_method(normalization, ("minmax", "vector"), "normalization")
        Z = normalize_resolved(frame, signs, method=normalization)
    w = align_weights(weights, Z.columns)
    values = Z.to_numpy()
    weighted = values * w
    d_plus = np.sqrt(((weighted - weighted.max(axis=0)) ** 2).sum(axis=1))
    d_minus = np.sqrt(((weighted - weighted.min(axis=0)) ** 2).sum(axis=1))
    total = d_plus + d_minus
    if np.any(total == 0):
        raise DataValidationError(
            "TOPSIS closeness is undefined: the weighted positive and negative ideals coincide "
            "(every row is identical on the weighted indicators)"
        )
    return _score(d_minus / total, Z.index, "topsis", normalization=normalization)


def aggregate_indicators(
    Z: pd.DataFrame, weights: WeightsLike, method: str, *, floor: float = 0.01
) -> CompositeScores:
    """Aggregate normalised indicators by ``method`` (one of :data:`AGGREGATION_METHODS`).

    ``"linear"`` is :func:`linear_aggregate`, ``"geometric"`` :func:`geometric_aggregate` with
    ``floor``, ``"topsis"`` :func:`topsis` on the given (already normalised) table. The one
    dispatch used by the index pipeline and by the nominal configuration of rank uncertainty.
    """
    if method == "linear":
        return linear_aggregate(Z, weights)
    if method == "geometric":
        return geometric_aggregate(Z, weights, floor=floor)
    if method == "topsis":
        return topsis(Z, weights, normalization=None)
    raise DataValidationError(
        f"aggregation must be one of {list(AGGREGATION_METHODS)}, got {method!r}"
    )
