"""Input checks shared by the modules of :mod:`nqpf.index`.

Tables of indicators (rows = observations, columns = indicators), directions, row groups and row
labels are checked and resolved here, once, with errors that name the indicator and rows at fault.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from nqpf.errors import DataValidationError
from nqpf.validation import GAP_FIXES

DIRECTION_WORDS: dict[str, int] = {
    "+": 1,
    "+1": 1,
    "1": 1,
    "positive": 1,
    "benefit": 1,
    "正": 1,
    "正向": 1,
    "-": -1,
    "-1": -1,
    "negative": -1,
    "cost": -1,
    "负": -1,
    "负向": -1,
}
"""Spellings of a direction (case-insensitive) besides the numbers ``1`` and ``-1``."""


def plain(value: Any) -> str:
    """Repr of a label without numpy decoration (``2021``, not ``np.int64(2021)``)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def row_label(index: pd.Index, position: int) -> str:
    """Readable label of one row, e.g. ``region_code=110000, year=2015``."""
    key = index[position]
    names = list(index.names)
    if isinstance(index, pd.MultiIndex) and all(n is not None for n in names):
        return ", ".join(f"{n}={plain(v).strip(chr(39))}" for n, v in zip(names, key, strict=True))
    if not isinstance(index, pd.MultiIndex) and names[0] is not None:
        return f"{names[0]}={plain(key).strip(chr(39))}"
    return f"row {plain(key)}"


def rows_text(index: pd.Index, positions: np.ndarray, limit: int = 3) -> str:
    """Labels of the rows at ``positions`` (the first ``limit``, then a count)."""
    shown = "; ".join(row_label(index, int(p)) for p in positions[:limit])
    more = f" and {len(positions) - limit} more" if len(positions) > limit else ""
    return shown + more


def row_keys(index: pd.Index) -> pd.DataFrame:
    """Return the row index as key columns (``row`` when unnamed)."""
    names = [
        n if n is not None else ("row" if index.nlevels == 1 else f"level_{k}")
        for k, n in enumerate(index.names)
    ]
    keys = index.to_frame(index=False)
    keys.columns = names
    return keys


def as_frame(X: Any, name: str = "X") -> pd.DataFrame:
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
                f"indicator {plain(column)} is not numeric (dtype {frame[column].dtype}); "
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
            f"indicator {plain(frame.columns[j])} has {len(rows)} missing or infinite value(s) "
            f"(first is {kind}) at {rows_text(frame.index, rows)}; {GAP_FIXES}"
        )
    return frame


def direction_sign(value: Any) -> int | None:
    """``+1`` or ``-1`` for one spelling of a direction, None if ``value`` is not one.

    Accepted: the numbers ``1`` and ``-1`` (not booleans) and the words of
    :data:`DIRECTION_WORDS`.

    >>> [direction_sign(v) for v in (1, -1.0, "+", "Negative", "正向", 2, True)]
    [1, -1, 1, -1, 1, None, None]
    """
    if isinstance(value, str):
        return DIRECTION_WORDS.get(value.strip().lower())
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        if float(value) in (1.0, -1.0):
            return int(value)
    return None


def by_indicator(
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


def resolve_directions(directions: Any, columns: pd.Index) -> np.ndarray:
    """Directions as a float array of +1/-1 aligned with ``columns``.

    ``directions`` may be ``None`` (all benefit), a mapping or Series keyed by indicator (every
    indicator must appear; unknown keys are an error), or a sequence in column order; each entry
    is read by :func:`direction_sign`.
    """
    m = len(columns)
    if directions is None:
        return np.ones(m)
    if isinstance(directions, Mapping | pd.Series):
        lookup = by_indicator(directions, columns, "direction", DataValidationError)
        pairs = [(lookup[c], c) for c in columns]
    elif isinstance(directions, str):
        raise DataValidationError(
            f"directions must be a mapping or a sequence of +1/-1, not the string {directions!r}"
        )
    else:
        values = list(np.asarray(directions, dtype=object).ravel())
        if len(values) != m:
            raise DataValidationError(
                f"directions has {len(values)} entries but there are {m} indicators {list(columns)}"
            )
        pairs = list(zip(values, columns, strict=True))
    signs = []
    for value, column in pairs:
        sign = direction_sign(value)
        if sign is None:
            raise DataValidationError(
                f"direction of indicator {plain(column)} is {plain(value)}; use +1 (benefit, "
                "larger is better) or -1 (cost, smaller is better)"
            )
        signs.append(float(sign))
    return np.array(signs)


def resolve_groups(groups: Any, index: pd.Index) -> np.ndarray:
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
                raise DataValidationError(f"groups has no label for {rows_text(index, rows)}")
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
        raise DataValidationError(f"groups has a missing label at {rows_text(index, rows)}")
    return labels


def check_not_constant(values: np.ndarray, columns: pd.Index, where: str = "") -> None:
    """Reject indicators with max == min (they carry no information)."""
    spread = values.max(axis=0) - values.min(axis=0)
    constant = np.flatnonzero(spread == 0)
    if constant.size:
        names = [columns[j] for j in constant]
        raise DataValidationError(
            f"indicator(s) {names} are constant{where} (max == min) and carry no information; "
            "drop them from the index system"
        )


def check_method(method: str, allowed: Sequence[str], what: str = "method") -> str:
    """Return ``method`` if it is one of ``allowed``, else raise a ValueError listing them."""
    if not isinstance(method, str) or method not in allowed:
        raise ValueError(f"unknown {what} {method!r}; choose one of {list(allowed)}")
    return method
