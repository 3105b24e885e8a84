"""Input checks shared by the disparity measures.

Every check names the row (index label or position), group and year at fault, and nothing is
dropped or repaired here.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from nqpf.errors import DataValidationError, DuplicateError
from nqpf.validation import GAP_FIXES

__all__: list[str] = []


def plain(value: Any) -> Any:
    """A numpy scalar as the matching Python scalar (for readable messages)."""
    return value.item() if isinstance(value, np.generic) else value


def show(value: Any) -> str:
    """``repr`` of a value as a user would write it (``620000``, not ``np.int64(620000)``)."""
    return repr(plain(value))


def _labels(index: pd.Index | None, positions: np.ndarray, limit: int = 5) -> str:
    shown = positions[:limit]
    if index is None:
        text = ", ".join(f"position {int(p)}" for p in shown)
    else:
        text = ", ".join(show(index[int(p)]) for p in shown)
    if len(positions) > limit:
        text += f" and {len(positions) - limit} more"
    return text


def as_values(
    values: Any, name: str = "values", where: str = ""
) -> tuple[np.ndarray, pd.Index | None]:
    """A 1-d float array of finite numbers and the labels to name rows in messages."""
    index = values.index if isinstance(values, pd.Series) else None
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataValidationError(f"{name}{where} must be numeric: {exc}") from None
    if arr.ndim != 1:
        raise DataValidationError(f"{name}{where} must be one-dimensional, got shape {arr.shape}")
    if arr.size == 0:
        raise DataValidationError(f"{name}{where} is empty")
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise DataValidationError(
            f"{name}{where} has {bad.size} missing or infinite value(s) at {_labels(index, bad)}; "
            + GAP_FIXES
        )
    return arr, index


def check_nonnegative(
    arr: np.ndarray, index: pd.Index | None, name: str = "values", where: str = ""
) -> None:
    """Raise if any value is negative."""
    bad = np.flatnonzero(arr < 0)
    if bad.size:
        raise DataValidationError(
            f"{name}{where} must be non-negative; {bad.size} negative value(s) at "
            f"{_labels(index, bad)} (e.g. {show(arr[bad[0]])})"
        )


def check_positive(
    arr: np.ndarray, index: pd.Index | None, name: str = "values", where: str = "", why: str = ""
) -> None:
    """Raise if any value is zero or negative."""
    bad = np.flatnonzero(arr <= 0)
    if bad.size:
        reason = f" ({why})" if why else ""
        raise DataValidationError(
            f"{name}{where} must be strictly positive{reason}; {bad.size} value(s) <= 0 at "
            f"{_labels(index, bad)} (e.g. {show(arr[bad[0]])})"
        )


def as_groups(
    groups: Any, n: int, index: pd.Index | None, where: str = ""
) -> tuple[np.ndarray, list[Hashable]]:
    """Integer codes 0..k-1 and the group labels (category order, else sorted)."""
    if isinstance(groups, pd.Series) and index is not None and not groups.index.equals(index):
        raise DataValidationError(
            f"groups{where} has a different index from values; align them first"
        )
    if len(groups) != n:
        raise DataValidationError(f"groups{where} has {len(groups)} entries but values has {n}")
    categorical = isinstance(getattr(groups, "dtype", None), pd.CategoricalDtype)
    arr = groups.to_numpy() if isinstance(groups, pd.Series | pd.Index) else np.asarray(groups)
    if arr.ndim != 1:
        raise DataValidationError(f"groups{where} must be one-dimensional, got shape {arr.shape}")
    if arr.dtype.kind in "fO" or categorical:
        missing = np.flatnonzero(pd.isna(arr))
        if missing.size:
            raise DataValidationError(
                f"groups{where} has {missing.size} missing label(s) at {_labels(index, missing)}"
            )
    if categorical:
        cats = groups.cat.categories if isinstance(groups, pd.Series) else groups.categories
        codes_all = pd.Categorical(arr, categories=cats).codes
        present = np.flatnonzero(np.bincount(codes_all, minlength=len(cats)))
        remap = np.full(len(cats), -1, dtype=np.intp)
        remap[present] = np.arange(present.size)
        return remap[codes_all], [plain(cats[i]) for i in present]
    try:
        uniq, codes = np.unique(arr, return_inverse=True)
    except TypeError:  # labels of mixed types: keep first-appearance order
        codes, uniq = pd.factorize(arr, sort=False)
    return codes.astype(np.intp).ravel(), [plain(v) for v in uniq]


def require_columns(frame: pd.DataFrame, columns: Sequence[str | None], what: str = "") -> None:
    """Raise naming the columns that are missing."""
    if not isinstance(frame, pd.DataFrame):
        raise DataValidationError(f"expected a pandas DataFrame{what}, got {type(frame).__name__}")
    missing = [c for c in columns if c is not None and c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"column(s) {missing} not found{what}; the table has {list(frame.columns)}"
        )


def year_codes(column: pd.Series, name: str) -> np.ndarray:
    """Whole years as int64, or a clear error."""
    years = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(years) | (np.mod(years, 1) != 0))
    if bad.size:
        raise DataValidationError(
            f"column {name!r} must hold whole years; bad entries at rows "
            f"{_labels(column.index, bad)}"
        )
    return years.astype(np.int64)


def row_name(frame: pd.DataFrame, pos: int, region: str | None) -> str:
    """How to name row ``pos`` of ``frame`` in a message."""
    label = frame.index[pos]
    if region is not None:
        return f"region {show(frame[region].iloc[pos])} (row {show(label)})"
    return f"row {show(label)}"


def column_values(
    frame: pd.DataFrame, value: str, years: np.ndarray, region: str | None, advice: str = ""
) -> np.ndarray:
    """Column ``value`` of a long frame as floats; a missing or non-numeric cell is an error.

    The message names up to five cells by row (and region) and year, then ``advice``.
    """
    raw = pd.to_numeric(frame[value], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(raw))
    if bad.size:
        cells = ", ".join(f"{row_name(frame, int(p), region)} in {years[p]}" for p in bad[:5])
        raise DataValidationError(
            f"column {value!r} has {bad.size} missing or non-numeric value(s): {cells}{advice}"
        )
    return raw


def check_wide(wide: Any, what: str, min_years: int = 2) -> pd.DataFrame:
    """A regions × years float DataFrame with years ascending, no NaN, unique regions."""
    if not isinstance(wide, pd.DataFrame):
        raise DataValidationError(
            f"{what} needs a regions × years DataFrame, got {type(wide).__name__}"
        )
    if wide.shape[1] < min_years:
        raise DataValidationError(
            f"{what} needs at least {min_years} years (columns); got {wide.shape[1]}: "
            f"{list(wide.columns)}"
        )
    if wide.shape[0] < 2:
        raise DataValidationError(f"{what} needs at least 2 regions (rows); got {wide.shape[0]}")
    dup = wide.index[wide.index.duplicated()].unique()
    if len(dup):
        raise DuplicateError(
            f"{what}: region(s) {[plain(d) for d in dup[:5]]} appear in more than one row"
        )
    if wide.columns.duplicated().any():
        raise DuplicateError(
            f"{what}: year(s) {list(wide.columns[wide.columns.duplicated()])} appear twice"
        )
    try:
        values = wide.to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataValidationError(f"{what}: values must be numeric: {exc}") from None
    bad = np.argwhere(~np.isfinite(values))
    if bad.size:
        cells = ", ".join(f"({show(wide.index[i])}, {show(wide.columns[j])})" for i, j in bad[:5])
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        raise DataValidationError(
            f"{what}: {len(bad)} missing or infinite value(s) at (region, year) {cells}{more}; "
            + GAP_FIXES
        )
    out = pd.DataFrame(values, index=wide.index, columns=wide.columns)
    try:
        order = np.argsort(np.asarray(wide.columns), kind="stable")
    except TypeError:
        raise DataValidationError(f"{what}: the columns must be years") from None
    return out.iloc[:, order]
