"""Normalisation of raw indicators to comparable, benefit-type scores.

Rows are observations (region-years), columns are indicators. ``directions`` says whether a larger
value is better (``+1``, benefit / positive indicator, 正向) or worse (``-1``, cost / negative
indicator, 负向). After normalisation every column is of benefit type: larger is better.

The private helpers here (input checks, directions, groups) are shared by the rest of
:mod:`nqpf.index`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from nqpf.errors import DataValidationError

__all__ = ["NORMALIZATION_METHODS", "normalize_indicators"]

NORMALIZATION_METHODS: tuple[str, ...] = ("minmax", "minmax_group", "zscore", "vector", "reference")
"""Methods accepted by :func:`normalize_indicators`."""

_DIRECTION_WORDS: dict[str, float] = {
    "+": 1.0,
    "+1": 1.0,
    "1": 1.0,
    "positive": 1.0,
    "benefit": 1.0,
    "正": 1.0,
    "正向": 1.0,
    "-": -1.0,
    "-1": -1.0,
    "negative": -1.0,
    "cost": -1.0,
    "负": -1.0,
    "负向": -1.0,
}


# ---------------------------------------------------------------------------------------------
# shared input handling
# ---------------------------------------------------------------------------------------------
def _plain(value: Any) -> str:
    """Repr of a label without numpy decoration (``2021``, not ``np.int64(2021)``)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _row_label(index: pd.Index, position: int) -> str:
    """Readable label of one row, e.g. ``region_code=110000, year=2015``."""
    key = index[position]
    names = list(index.names)
    if isinstance(index, pd.MultiIndex) and all(n is not None for n in names):
        return ", ".join(f"{n}={_plain(v).strip(chr(39))}" for n, v in zip(names, key, strict=True))
    if not isinstance(index, pd.MultiIndex) and names[0] is not None:
        return f"{names[0]}={_plain(key).strip(chr(39))}"
    return f"row {_plain(key)}"


def _rows_text(index: pd.Index, positions: np.ndarray, limit: int = 3) -> str:
    shown = "; ".join(_row_label(index, int(p)) for p in positions[:limit])
    more = f" and {len(positions) - limit} more" if len(positions) > limit else ""
    return shown + more


def _as_frame(X: Any, name: str = "X") -> pd.DataFrame:
    """Return a float64 copy of ``X`` as a DataFrame, with every cell numeric and finite.

    Raises
    ------
    DataValidationError
        Empty input, a non-numeric column, or a NaN / infinite cell (naming indicator and rows).

    """
    frame = X.copy() if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
    if frame.ndim != 2 or frame.shape[0] == 0 or frame.shape[1] == 0:
        raise DataValidationError(f"{name} must be a non-empty 2-D table; got shape {frame.shape}")
    if frame.columns.has_duplicates:
        dup = frame.columns[frame.columns.duplicated()].unique().tolist()
        raise DataValidationError(f"{name} has duplicated indicator columns: {dup}")
    for column in frame.columns:
        if not (
            pd.api.types.is_numeric_dtype(frame[column])
            and not pd.api.types.is_bool_dtype(frame[column])
        ):
            raise DataValidationError(
                f"indicator {_plain(column)} is not numeric (dtype {frame[column].dtype}); "
                "convert it to numbers first"
            )
    frame = frame.astype("float64")
    values = frame.to_numpy()
    bad = ~np.isfinite(values)
    if bad.any():
        j = int(np.flatnonzero(bad.any(axis=0))[0])
        rows = np.flatnonzero(bad[:, j])
        kind = "NaN" if np.isnan(values[rows[0], j]) else "infinite"
        raise DataValidationError(
            f"indicator {_plain(frame.columns[j])} has {len(rows)} missing or infinite value(s) "
            f"(first is {kind}) at {_rows_text(frame.index, rows)}; fill or drop them explicitly "
            "(e.g. Panel interpolation, which records each repair) before normalising"
        )
    return frame


def _direction_value(value: Any, indicator: Hashable) -> float:
    if isinstance(value, str):
        key = value.strip().lower()
        if key in _DIRECTION_WORDS:
            return _DIRECTION_WORDS[key]
    elif isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        if float(value) in (1.0, -1.0):
            return float(value)
    raise DataValidationError(
        f"direction of indicator {_plain(indicator)} is {_plain(value)}; use +1 (benefit, larger "
        "is better) or -1 (cost, smaller is better)"
    )


def _by_indicator(
    given: Mapping[Any, Any] | pd.Series, columns: pd.Index, what: str, error: type[Exception]
) -> dict[Any, Any]:
    """``given`` as a dict that names every indicator of ``columns`` and no other.

    Otherwise raises ``error`` listing the indicators without a ``what`` and the unknown keys.
    """
    lookup = dict(given.items())
    missing = [c for c in columns if c not in lookup]
    extra = [k for k in lookup if k not in set(columns)]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"no {what} given for indicator(s) {missing}")
        if extra:
            parts.append(f"{what}s name unknown indicator(s) {extra}")
        raise error("; ".join(parts))
    return lookup


def _resolve_directions(directions: Any, columns: pd.Index) -> np.ndarray:
    """Directions as a float array of +1/-1 aligned with ``columns``.

    ``directions`` may be ``None`` (all benefit), a mapping or Series keyed by indicator (every
    indicator must appear; unknown keys are an error), or a sequence in column order.
    """
    m = len(columns)
    if directions is None:
        return np.ones(m)
    if isinstance(directions, Mapping | pd.Series):
        lookup = _by_indicator(directions, columns, "direction", DataValidationError)
        return np.array([_direction_value(lookup[c], c) for c in columns])
    if isinstance(directions, str):
        raise DataValidationError(
            f"directions must be a mapping or a sequence of +1/-1, not the string {directions!r}"
        )
    values = list(np.asarray(directions, dtype=object).ravel())
    if len(values) != m:
        raise DataValidationError(
            f"directions has {len(values)} entries but there are {m} indicators {list(columns)}"
        )
    return np.array([_direction_value(v, c) for v, c in zip(values, columns, strict=True)])


def _resolve_groups(groups: Any, index: pd.Index) -> np.ndarray:
    """Group labels aligned with the rows of a table with this ``index``.

    ``groups`` may name a level of ``index`` (e.g. ``"year"``), be a Series (aligned on the index
    when the index labels match, else by position) or any array of the right length.
    """
    n = len(index)
    if isinstance(groups, str) and groups in [nm for nm in index.names if nm is not None]:
        labels = np.asarray(index.get_level_values(groups))
    elif isinstance(groups, pd.Series):
        if groups.index.equals(index):
            labels = groups.to_numpy()
        elif len(groups) == n and not groups.index.isin(index).all():
            labels = groups.to_numpy()
        else:
            aligned = groups.reindex(index)
            if aligned.isna().any():
                rows = np.flatnonzero(aligned.isna().to_numpy())
                raise DataValidationError(f"groups has no label for {_rows_text(index, rows)}")
            labels = aligned.to_numpy()
    else:
        labels = np.asarray(groups)
        if labels.ndim != 1 or len(labels) != n:
            raise DataValidationError(
                f"groups must be a level name of the row index, or have one label per row "
                f"({n}); got {np.shape(groups)}"
            )
    if pd.isna(labels).any():
        rows = np.flatnonzero(pd.isna(labels))
        raise DataValidationError(f"groups has a missing label at {_rows_text(index, rows)}")
    return labels


def _check_not_constant(values: np.ndarray, columns: pd.Index, where: str = "") -> None:
    spread = values.max(axis=0) - values.min(axis=0)
    constant = np.flatnonzero(spread == 0)
    if constant.size:
        names = [columns[j] for j in constant]
        raise DataValidationError(
            f"indicator(s) {names} are constant{where} (max == min) and carry no information; "
            "drop them from the index system"
        )


def _minmax_array(values: np.ndarray, signs: np.ndarray) -> np.ndarray:
    """Global min-max normalisation of a checked array (no constant column)."""
    low = values.min(axis=0)
    high = values.max(axis=0)
    span = high - low
    return np.where(signs > 0, (values - low) / span, (high - values) / span)


def _check_method(method: str, allowed: Sequence[str], what: str = "method") -> str:
    if not isinstance(method, str) or method not in allowed:
        raise ValueError(f"unknown {what} {method!r}; choose one of {list(allowed)}")
    return method


# ---------------------------------------------------------------------------------------------
# public
# ---------------------------------------------------------------------------------------------
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
    _check_method(method, NORMALIZATION_METHODS)
    frame = _as_frame(X)
    columns = frame.columns
    signs = _resolve_directions(directions, columns)
    values = frame.to_numpy()
    if groups is not None and method != "minmax_group":
        raise ValueError(f"groups is only used by method='minmax_group', not {method!r}")
    if reference is not None and method != "reference":
        raise ValueError(f"reference is only used by method='reference', not {method!r}")

    if method == "minmax_group":
        if groups is None:
            raise ValueError("method='minmax_group' needs groups= (e.g. the year of each row)")
        labels = _resolve_groups(groups, frame.index)
        out = np.empty_like(values)
        for label in pd.unique(labels):
            rows = np.flatnonzero(labels == label)
            _check_not_constant(values[rows], columns, where=f" within group {_plain(label)}")
            out[rows] = _minmax_array(values[rows], signs)
    else:
        _check_not_constant(values, columns)
        if method == "minmax":
            out = _minmax_array(values, signs)
        elif method == "zscore":
            out = signs * (values - values.mean(axis=0)) / values.std(axis=0, ddof=1)
        elif method == "vector":
            scaled = values / np.sqrt((values**2).sum(axis=0))
            out = np.where(signs > 0, scaled, 1.0 - scaled)
        else:  # reference
            out = _reference(values, signs, columns, frame.index, reference)
    return pd.DataFrame(out, index=frame.index, columns=columns)


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
            f"reference value of indicator {_plain(columns[bad[0]])} is {float(ref[bad[0]])}; "
            "it must be > 0"
        )
    for j in np.flatnonzero(signs < 0):
        zero = np.flatnonzero(values[:, j] == 0)
        if zero.size:
            raise DataValidationError(
                f"cost indicator {_plain(columns[j])} is 0 at {_rows_text(index, zero)}; "
                "the reference ratio r/x is undefined there"
            )
    return np.where(signs > 0, values / ref, ref / values)
