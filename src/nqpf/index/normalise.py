"""Normalisation of raw indicators to comparable, benefit-type scores.

Rows are observations (region-years), columns are indicators. ``directions`` says whether a larger
value is better (``+1``, benefit / positive indicator, 正向) or worse (``-1``, cost / negative
indicator, 负向). After normalisation every column is of benefit type: larger is better.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from nqpf.errors import DataValidationError
from nqpf.index._checks import (
    as_frame,
    check_method,
    check_not_constant,
    plain,
    resolve_directions,
    resolve_groups,
    rows_text,
)

__all__ = ["NORMALIZATION_METHODS", "normalize_indicators"]

NORMALIZATION_METHODS: tuple[str, ...] = ("minmax", "minmax_group", "zscore", "vector", "reference")
"""Methods accepted by :func:`normalize_indicators`."""


def _minmax_array(
    values: np.ndarray, signs: np.ndarray, stats: np.ndarray | None = None
) -> np.ndarray:
    """Min-max normalisation of a checked array, with the bounds of ``stats`` (default itself)."""
    stats = values if stats is None else stats
    low = stats.min(axis=0)
    high = stats.max(axis=0)
    span = high - low
    return np.where(signs > 0, (values - low) / span, (high - values) / span)


def normalize_indicators(
    X: pd.DataFrame | np.ndarray,
    directions: Mapping[Hashable, Any] | pd.Series | Sequence[Any] | None = None,
    method: str = "minmax",
    groups: Any = None,
    reference: Mapping[Hashable, float] | pd.Series | Sequence[float] | float | None = None,
) -> pd.DataFrame:
    r"""Normalise raw indicators so that every column is of benefit type.

    Parameters
    ----------
    X
        Raw values, rows = observations (e.g. region-years), columns = indicators. Every cell
        must be a finite number.
    directions
        ``+1`` (benefit, 正向) or ``-1`` (cost, 负向) per indicator, as a mapping / Series keyed
        by indicator or a sequence in column order. The words ``"positive"``/``"negative"``,
        ``"benefit"``/``"cost"``, ``"+"``/``"-"`` and ``"正向"``/``"负向"`` are accepted too.
        Default: all benefit.
    method
        ``"minmax"`` (pooled over all rows, the "global" panel mode), ``"minmax_group"``
        (min-max within each group, e.g. per year), ``"zscore"``, ``"vector"`` or
        ``"reference"``.
    groups
        Only for ``"minmax_group"``: one label per row, a Series aligned with the rows, or the
        name of a level of ``X.index`` (e.g. ``"year"``).
    reference
        Only for ``"reference"``: the reference value of each indicator (mapping, Series,
        sequence in column order, or one scalar for all), strictly positive.

    Returns
    -------
    pandas.DataFrame
        Same index and columns as ``X``; larger is better in every column.

    Raises
    ------
    DataValidationError
        NaN or infinite cells (naming indicator and rows), a constant indicator (naming it, and
        the group for ``"minmax_group"``), directions that are not ±1 or do not match the
        indicators, a non-positive reference, or a zero value of a cost indicator under
        ``"reference"``.
    ValueError
        Unknown ``method`` (the message lists the allowed ones), or ``groups`` / ``reference``
        given to a method that does not use them or missing for one that does.

    Notes
    -----
    With :math:`s_j = +1` for benefit and :math:`-1` for cost indicators:

    .. math::

        \text{minmax:}\quad y_{ij} = \frac{x_{ij} - \min_i x_{ij}}{\max_i x_{ij} - \min_i x_{ij}}
        \ (s_j=+1), \qquad
        y_{ij} = \frac{\max_i x_{ij} - x_{ij}}{\max_i x_{ij} - \min_i x_{ij}}\ (s_j=-1)

        \text{zscore:}\quad y_{ij} = s_j\,\frac{x_{ij} - \bar x_j}{\sigma_j}
        \quad(\sigma_j \text{ sample standard deviation, } n-1)

        \text{vector:}\quad y_{ij} = \frac{x_{ij}}{\lVert x_{\cdot j}\rVert_2}\ (s_j=+1),\qquad
        y_{ij} = 1 - \frac{x_{ij}}{\lVert x_{\cdot j}\rVert_2}\ (s_j=-1)

        \text{reference:}\quad y_{ij} = \frac{x_{ij}}{r_j}\ (s_j=+1),\qquad
        y_{ij} = \frac{r_j}{x_{ij}}\ (s_j=-1)

    ``"minmax_group"`` applies the min-max formula within each group. The vector convention for
    cost indicators (:math:`1 - x/\lVert x\rVert`) is the one of pymcdm's
    ``vector_normalization``. Any constant indicator is rejected, whatever the method, because it
    cannot discriminate between observations. Source: OECD/JRC (2008), *Handbook on Constructing
    Composite Indicators: Methodology and User Guide*, section 5.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"rd": [1.0, 2.0, 3.0], "pollution": [10.0, 30.0, 20.0]})
    >>> normalize_indicators(X, directions={"rd": 1, "pollution": -1})
        rd  pollution
    0  0.0        1.0
    1  0.5        0.0
    2  1.0        0.5

    """
    frame = as_frame(X)
    return normalize_resolved(
        frame, resolve_directions(directions, frame.columns), method, groups, reference
    )


def normalize_resolved(
    frame: pd.DataFrame,
    signs: np.ndarray,
    method: str = "minmax",
    groups: Any = None,
    reference: Any = None,
    basis: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """:func:`normalize_indicators` of a table checked by ``as_frame`` with resolved directions.

    The entry point of the index pipeline, whose directions are resolved once when the index
    system is read: ``signs`` is a float array of +1/-1 aligned with ``frame.columns``.

    ``basis`` (a checked table with the same columns) supplies the statistics of the formula —
    min and max, mean and standard deviation, column norm — in place of ``frame``'s own, so that
    changed values are scored on fixed bounds (a what-if scenario); normalised values may then
    leave [0, 1]. Not for ``"minmax_group"``; ``"reference"`` has no statistics to hold.
    """
    check_method(method, NORMALIZATION_METHODS)
    columns = frame.columns
    values = frame.to_numpy()
    if groups is not None and method != "minmax_group":
        raise ValueError(f"groups is only used by method='minmax_group', not {method!r}")
    if reference is not None and method != "reference":
        raise ValueError(f"reference is only used by method='reference', not {method!r}")
    if basis is not None and method == "minmax_group":
        raise ValueError("basis= cannot hold the bounds of method='minmax_group'")
    stats = values if basis is None else basis_frame(basis, columns).to_numpy()

    if method == "minmax_group":
        if groups is None:
            raise ValueError("method='minmax_group' needs groups= (e.g. the year of each row)")
        labels = resolve_groups(groups, frame.index)
        out = np.empty_like(values)
        for label in pd.unique(labels):
            rows = np.flatnonzero(labels == label)
            check_not_constant(values[rows], columns, where=f" within group {plain(label)}")
            out[rows] = _minmax_array(values[rows], signs)
    else:
        check_not_constant(stats, columns)
        if method == "minmax":
            out = _minmax_array(values, signs, stats)
        elif method == "zscore":
            out = signs * (values - stats.mean(axis=0)) / stats.std(axis=0, ddof=1)
        elif method == "vector":
            scaled = values / np.sqrt((stats**2).sum(axis=0))
            out = np.where(signs > 0, scaled, 1.0 - scaled)
        else:  # reference
            out = _reference(values, signs, columns, frame.index, reference)
    return pd.DataFrame(out, index=frame.index, columns=columns)


def basis_frame(basis: pd.DataFrame, columns: pd.Index) -> pd.DataFrame:
    """The checked basis table (see :func:`normalize_resolved`) with ``columns`` in order."""
    missing = [c for c in columns if c not in basis.columns]
    if missing:
        raise DataValidationError(f"the basis table has no column for indicator(s) {missing}")
    return as_frame(basis[columns], "basis")


def _reference(
    values: np.ndarray, signs: np.ndarray, columns: pd.Index, index: pd.Index, reference: Any
) -> np.ndarray:
    if reference is None:
        raise ValueError("method='reference' needs reference= (a reference value per indicator)")
    if np.isscalar(reference):
        ref = np.full(len(columns), float(reference))  # type: ignore[arg-type]
    elif isinstance(reference, Mapping | pd.Series):
        lookup = dict(reference.items())
        missing = [c for c in columns if c not in lookup]
        if missing:
            raise DataValidationError(f"no reference value given for indicator(s) {missing}")
        ref = np.array([float(lookup[c]) for c in columns])
    else:
        ref = np.asarray(reference, dtype=float).ravel()
        if len(ref) != len(columns):
            raise DataValidationError(
                f"reference has {len(ref)} values but there are {len(columns)} indicators"
            )
    bad = np.flatnonzero(~(np.isfinite(ref) & (ref > 0)))
    if bad.size:
        raise DataValidationError(
            f"reference value of indicator {plain(columns[bad[0]])} is {float(ref[bad[0]])}; "
            "it must be > 0"
        )
    for j in np.flatnonzero(signs < 0):
        zero = np.flatnonzero(values[:, j] == 0)
        if zero.size:
            raise DataValidationError(
                f"cost indicator {plain(columns[j])} is 0 at {rows_text(index, zero)}; "
                "the reference ratio r/x is undefined there"
            )
    return np.where(signs > 0, values / ref, ref / values)
