"""Input handling shared by the panel estimators: data → balanced arrays, weights → aligned matrix.

Arrays are in *time-major* order, as in Elhorst's spatial panel code and in ``spreg``: the
dependent variable is a ``(T, n)`` array (row ``t`` holds all regions in year ``t``) and the
regressors a ``(T, n, k)`` array; flattening gives region 1, region 2, ... of the first year, then
the second year, and so on.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import sparse

from nqpf.errors import DataValidationError, DuplicateError
from nqpf.geo.weights import as_weights
from nqpf.panel import Panel

Effects = Literal["region", "time", "twoway"]
EFFECTS: tuple[str, ...] = ("region", "time", "twoway")
#: Region columns looked for, in this order, when ``region=`` is not given.
REGION_COLUMNS: tuple[str, ...] = ("region_code", "region")

_SHOW = 8  # how many offending cells a message lists


@dataclass(frozen=True)
class PanelArrays:
    """A balanced panel as arrays.

    Attributes
    ----------
    y
        ``(T, n)`` dependent variable.
    X
        ``(T, n, k)`` regressors, columns named by ``names``.
    regions, years
        Labels of the ``n`` regions (sorted) and ``T`` years (sorted).
    """

    y: np.ndarray
    X: np.ndarray
    y_name: str
    names: tuple[str, ...]
    regions: tuple[Hashable, ...]
    years: tuple[int, ...]


def to_frame(
    data: Panel | pd.DataFrame,
    variables: Sequence[str],
    region: str | None,
    year: str,
) -> pd.DataFrame:
    """A frame indexed by ``(region, year)`` with one column per variable (nothing dropped).

    ``region=None`` takes the first of :data:`REGION_COLUMNS` that the table has (as a column
    or an index level).
    """
    if isinstance(data, Panel):
        missing = [v for v in variables if v not in data.indicators]
        if missing:
            raise DataValidationError(
                f"variable(s) {missing} not in the panel; it has {data.indicators}"
            )
        frame = data.wide(list(variables))
        frame.index = frame.index.set_names(["region", "year"])
        return frame
    if not isinstance(data, pd.DataFrame):
        raise TypeError(
            f"data must be a nqpf.panel.Panel or a pandas DataFrame, not {type(data).__name__}"
        )
    frame = data
    if region is None:
        region = _region_column(frame)
    if isinstance(frame.index, pd.MultiIndex) and {region, year} <= set(frame.index.names):
        frame = frame.reset_index()
    absent = [c for c in (region, year, *variables) if c not in frame.columns]
    if absent:
        raise DataValidationError(
            f"column(s) {absent} not found; the table has {list(frame.columns)} "
            f"(set region= and year= to the names of the region and year columns)"
        )
    frame = frame[[region, year, *variables]]
    years = pd.to_numeric(frame[year], errors="coerce")
    bad = years.isna() | (np.mod(years.fillna(0.5), 1) != 0)
    if bad.any():
        rows = ", ".join(repr(v) for v in frame.loc[bad, year].head(_SHOW))
        raise DataValidationError(f"column {year!r} must hold whole years; found {rows}")
    frame = frame.assign(**{year: years.astype(np.int64)})
    dup = frame.duplicated([region, year], keep=False)
    if dup.any():
        cells = frame.loc[dup, [region, year]].drop_duplicates().head(_SHOW)
        shown = ", ".join(f"{r} {y}" for r, y in cells.itertuples(index=False))
        raise DuplicateError(
            f"{int(dup.sum())} rows share a region and year: {shown}; "
            "a panel needs one row per region and year"
        )
    out = frame.set_index([region, year])
    out.index = out.index.set_names(["region", "year"])
    values = out.apply(pd.to_numeric, errors="coerce")
    text = values.isna() & out.notna()
    if text.to_numpy().any():
        where = [
            f"{r} {y} {c}={out.at[(r, y), c]!r}"
            for (r, y), row in text.iterrows()
            for c in text.columns
            if row[c]
        ]
        raise DataValidationError(f"{len(where)} non-numeric cell(s): " + "; ".join(where[:_SHOW]))
    return values.astype(float)


def _region_column(frame: pd.DataFrame) -> str:
    names = {*frame.columns, *frame.index.names}
    for name in REGION_COLUMNS:
        if name in names:
            return name
    raise DataValidationError(
        f"no region column: the table has neither {' nor '.join(map(repr, REGION_COLUMNS))} "
        f"(columns {list(frame.columns)}"
        + (f", index {list(frame.index.names)}" if any(frame.index.names) else "")
        + "); set region= to the name of the region column"
    )


def check_cells(frame: pd.DataFrame) -> None:
    """Raise if a variable has missing cells, naming an all-missing year first."""
    for name in frame.columns:
        column = frame[name]
        if not column.isna().any():
            continue
        by_year = column.isna().groupby(level="year").all()
        empty = [int(y) for y in by_year.index[by_year.to_numpy()]]
        if empty:
            raise DataValidationError(
                f"variable {name!r} has no value at all in year(s) {empty}; drop those years "
                "from the data or fill them explicitly (nothing is dropped automatically)"
            )
        cells = column.index[column.isna().to_numpy()]
        shown = ", ".join(f"{r} {y}" for r, y in cells[:_SHOW])
        more = f" and {len(cells) - _SHOW} more" if len(cells) > _SHOW else ""
        raise DataValidationError(
            f"variable {name!r} has {len(cells)} missing value(s): {shown}{more}; "
            "fill them (e.g. Panel.interpolate) or drop the regions or years explicitly"
        )


def balanced_arrays(
    data: Panel | pd.DataFrame,
    y: str,
    x: Sequence[str],
    region: str | None = None,
    year: str = "year",
) -> PanelArrays:
    """Validate a balanced panel and return it as time-major arrays.

    Raises
    ------
    DataValidationError
        Unknown columns, non-numeric or missing cells (an all-missing year is named as such),
        or missing region-years (the panel must be balanced; they are listed).
    DuplicateError
        The same region and year twice.
    """
    x = list(x)
    if isinstance(y, str) is False:
        raise TypeError(f"y must be one column name, got {y!r}")
    if not x:
        raise DataValidationError("x must name at least one explanatory variable")
    if y in x:
        raise DataValidationError(f"{y!r} is both the dependent and an explanatory variable")
    repeated = sorted({v for v in x if x.count(v) > 1})
    if repeated:
        raise DataValidationError(f"explanatory variable(s) {repeated} listed twice")
    frame = to_frame(data, [y, *x], region, year)
    check_cells(frame)
    regions = sorted(frame.index.get_level_values("region").unique(), key=_sort_key)
    years = sorted(int(v) for v in frame.index.get_level_values("year").unique())
    full = pd.MultiIndex.from_product([regions, years], names=["region", "year"])
    if len(frame) != len(full):
        absent = full.difference(frame.index)
        shown = ", ".join(f"{r} {t}" for r, t in list(absent)[:_SHOW])
        more = f" and {len(absent) - _SHOW} more" if len(absent) > _SHOW else ""
        raise DataValidationError(
            f"unbalanced panel: {len(absent)} region-year(s) missing ({shown}{more}); "
            "these estimators need every region in every year — fill the gaps or drop "
            "the regions or years explicitly"
        )
    if len(years) < 2:
        raise DataValidationError(f"a panel needs at least two years; found {years}")
    if len(regions) < 3:
        raise DataValidationError(f"a spatial panel needs at least three regions; found {regions}")
    # time-major: sort by year, then region
    ordered = frame.reindex(pd.MultiIndex.from_product([regions, years])).to_numpy()
    T, n = len(years), len(regions)
    cube = ordered.reshape(n, T, 1 + len(x)).transpose(1, 0, 2)
    return PanelArrays(
        y=np.ascontiguousarray(cube[:, :, 0]),
        X=np.ascontiguousarray(cube[:, :, 1:]),
        y_name=y,
        names=tuple(x),
        regions=tuple(regions),
        years=tuple(years),
    )


def _sort_key(value: Hashable) -> tuple[int, Any]:
    if isinstance(value, int | np.integer | float | np.floating):
        return (0, value)
    return (1, str(value))


# -------------------------------------------------------------------------------- weights
def weights_matrix(w: Any, regions: Sequence[Hashable]) -> np.ndarray:
    """The ``n × n`` dense weights matrix aligned to ``regions`` (sorted labels of the data).

    Accepted: anything :func:`nqpf.geo.as_weights` accepts — nqpf ``SpatialWeights``, a libpysal
    ``W`` or ``Graph`` or a DataFrame labelled by region (aligned by label), or a numpy array /
    scipy sparse matrix whose rows are already in the order of the sorted regions of the data.

    Raises
    ------
    WeightsError
        Shape or labels that do not match the regions (naming the missing and extra ones),
        non-finite or negative weights, self-neighbours, or regions without any neighbour.
    """
    return as_weights(w, regions, islands="raise").dense


def weights_sparse(w: Any, regions: Sequence[Hashable]) -> sparse.csr_array:
    """:func:`weights_matrix` as a scipy sparse CSR array (never densified)."""
    return sparse.csr_array(as_weights(w, regions, islands="raise").sparse, dtype=float)


def is_row_standardised(matrix: Any, tol: float = 1e-10) -> bool:
    """True when every row of ``matrix`` (dense or sparse) sums to one."""
    return bool(np.all(np.abs(np.asarray(matrix.sum(axis=1)).ravel() - 1.0) <= tol))


# -------------------------------------------------------------------------------- transforms
def demean(a: np.ndarray, effects: str) -> np.ndarray:
    """Within transformation of a ``(T, n, ...)`` array.

    ``region`` subtracts each region's time mean, ``time`` each year's cross-section mean and
    ``twoway`` both, adding back the grand mean.
    """
    if effects == "region":
        return a - a.mean(axis=0, keepdims=True)
    if effects == "time":
        return a - a.mean(axis=1, keepdims=True)
    if effects == "twoway":
        return (
            a
            - a.mean(axis=0, keepdims=True)
            - a.mean(axis=1, keepdims=True)
            + a.mean(axis=(0, 1), keepdims=True)
        )
    raise ValueError(f"effects must be one of {EFFECTS}, got {effects!r}")


def spatial_lag(matrix: Any, a: np.ndarray) -> np.ndarray:
    """``W a_t`` for every year of a ``(T, n)`` or ``(T, n, k)`` array (``W`` dense or sparse)."""
    if sparse.issparse(matrix):
        moved = np.moveaxis(a, 1, 0)  # (n, T, ...)
        out = matrix @ moved.reshape(moved.shape[0], -1)
        return np.moveaxis(np.asarray(out).reshape(moved.shape), 0, 1)
    return np.einsum("ij,tj...->ti...", matrix, a, optimize=True)


def collinear_columns(X: np.ndarray, names: Sequence[str], tol: float = 1e-10) -> list[str]:
    """Describe linear dependencies between the columns of ``X`` (empty when of full rank).

    Each entry names a column that is (numerically) a combination of others, and which.
    """
    names = list(names)
    scale = np.sqrt((X**2).sum(axis=0))
    out: list[str] = []
    zero = scale <= tol * max(1.0, float(scale.max(initial=0.0)))
    for j in np.flatnonzero(zero):
        out.append(f"{names[j]!r} has no variation left after the fixed effects")
    keep = np.flatnonzero(~zero)
    if keep.size == 0:
        return out
    Z = X[:, keep] / scale[keep]
    kept: list[int] = []
    for pos, j in enumerate(keep):
        if kept:
            base = Z[:, [keep.tolist().index(k) for k in kept]]
            coef, *_ = np.linalg.lstsq(base, Z[:, pos], rcond=None)
            resid = Z[:, pos] - base @ coef
            if float(resid @ resid) <= 1e-9:
                partners = [names[k] for k, c in zip(kept, coef, strict=True) if abs(c) > 1e-6]
                out.append(f"{names[j]!r} is a linear combination of {partners}")
                continue
        kept.append(int(j))
    return out
