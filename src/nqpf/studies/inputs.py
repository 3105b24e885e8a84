"""What every study reads: one value table and one spatial-weights specification.

:func:`value_table` is the single input adaptor of the studies: a composite-index result, a
:class:`~nqpf.panel.Panel` or a long DataFrame becomes a long table ``region_code, year, value``
(plus any grouping columns asked for), with whole years, numeric values and the same error
messages whatever the source. :func:`study_weights` is the single parser of spatial-weights
specifications (``"queen"``, ``"knn:4"``, ``"distance:2"``, a weights file, a libpysal or nqpf
weights object).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nqpf import regions
from nqpf._compat import require
from nqpf.errors import DataValidationError, UnknownRegionError, WeightsError, plain, show
from nqpf.geo import (
    SpatialWeights,
    as_weights,
    contiguity_with_notes,
    distance_weights,
    knn_weights,
)
from nqpf.panel import describe_missing, parse_numbers

__all__ = [
    "WEIGHTS_SPECS",
    "is_bundled",
    "is_province",
    "order_key",
    "region_label",
    "region_level",
    "require_bundled",
    "short_name",
    "study_weights",
    "value_label",
    "value_table",
    "weights_description",
    "with_region_names",
]

#: Spatial-weights specifications accepted by :func:`study_weights` (``K`` and ``P`` are numbers).
WEIGHTS_SPECS = ("queen", "rook", "knn:K", "distance", "distance:P", "a .gal/.gwt/.csv file")

_WEIGHT_LABELS = {
    "queen": "Queen 邻接（共边或共点）queen contiguity",
    "rook": "Rook 邻接（共边）rook contiguity",
    "knn": "k 近邻 k nearest neighbours",
    "distance": "反距离 inverse distance",
}


# ---------------------------------------------------------------------------------------------
# the value table
# ---------------------------------------------------------------------------------------------
def value_table(
    source: Any,
    value: str,
    *,
    region: str = "region_code",
    year: str = "year",
    keep: Sequence[str] = (),
    optional: Sequence[str] = (),
    what: str = "study",
    hint: str = "",
) -> tuple[pd.DataFrame, list[str]]:
    """A long table ``region_code, year, value`` (+ ``keep``/``optional`` columns) and notes.

    Parameters
    ----------
    source
        A composite-index result (``value`` is ``"score"`` or a dimension such as
        ``"labourers"``), a :class:`~nqpf.panel.Panel` (``value`` is an indicator or an
        expression, see :meth:`~nqpf.panel.Panel.evaluate`; years without any value are left
        out and listed in the notes) or a long DataFrame with ``region``, ``year`` and ``value``
        columns.
    value
        The value to read.
    region, year
        Column names of a DataFrame ``source``.
    keep
        Further columns of a DataFrame ``source`` that the study needs (e.g. a grouping
        column); missing ones are an error, together with missing ``region``/``year``/``value``.
    optional
        Columns carried along when the source has them.
    what
        The study's name, for messages.
    hint
        Appended to the message when a ``keep`` column is missing.

    Returns
    -------
    table, notes
        Years as ``int64``, values as floats (missing values stay missing: each study decides),
        region codes as plain Python scalars; rows ordered by year and region as given.

    Raises
    ------
    DataValidationError
        Missing columns, a value not in the index result, years that are not whole numbers,
        non-numeric values (naming the region and year; text cells are read by
        :func:`nqpf.panel.parse_numbers`, and those read as missing are listed in the notes), an
        unsupported source, no rows.

    Examples
    --------
    >>> df = pd.DataFrame({"region": [110000, 120000], "year": [2022.0, 2022.0],
    ...                    "y": ["1.5", 2]})
    >>> table, notes = value_table(df, "y", region="region")
    >>> table.dtypes.astype(str).tolist(), table["value"].tolist()
    (['int64', 'int64', 'float64'], [1.5, 2.0])
    """
    notes: list[str] = []
    if isinstance(source, pd.DataFrame):
        frame, year_name = source, year
        _require(frame, [region, year, value], keep, what, hint)
        out = pd.DataFrame(
            {
                "region_code": frame[region].to_numpy(),
                "year": frame[year].to_numpy(),
                "value": frame[value].to_numpy(),
            },
            index=frame.index,
        )
    elif callable(getattr(source, "table", None)) and hasattr(source, "scores"):  # index result
        frame, year_name = source.table(), "year"
        column = value if value in frame.columns else f"score_{value}"
        if column not in frame.columns or column in ("region", "region_code", "year", "rank"):
            choices = [c.removeprefix("score_") for c in frame.columns if c.startswith("score")]
            raise DataValidationError(
                f"{what}: value {value!r} is not in the index result; choose one of {choices}"
            )
        _require(frame, [], keep, what, hint)
        out = frame[["region_code", "year", column]].rename(columns={column: "value"})
    elif callable(getattr(source, "evaluate", None)) and hasattr(source, "indicators"):  # Panel
        frame, year_name = pd.DataFrame(), "year"
        _require(frame, [], keep, what, hint)
        out = source.evaluate(value).rename("value").reset_index()
        present = out.groupby("year")["value"].transform("count") > 0
        empty = sorted(set(out.loc[~present, "year"]))
        if empty:
            notes.append(
                f"{value}: years without any value are not analysed: {empty[0]}–{empty[-1]} "
                f"({len(empty)} years)"
            )
        out = out[present]
    else:
        raise DataValidationError(
            f"{what} takes a composite-index result, a Panel or a long DataFrame; got "
            f"{type(source).__name__}"
        )
    for column in [*keep, *(c for c in optional if c in frame.columns and c not in keep)]:
        out[column] = frame.loc[out.index, column].to_numpy()
    if out.empty:
        raise DataValidationError(f"{what}: no values of {value!r}")
    out = out.reset_index(drop=True) if not out.index.is_unique else out
    try:
        years = parse_numbers(out["year"], what="year")
    except DataValidationError as err:
        raise DataValidationError(f"{what}: column {year_name!r}: {err}") from None
    bad = years.isna() | (years % 1 != 0)
    if bad.any():
        rows = [show(i) for i in out.index[bad][:5]]
        raise DataValidationError(
            f"{what}: column {year_name!r} must hold whole years; bad rows {rows} (e.g. "
            f"{show(out.loc[bad, 'year'].iloc[0])})"
        )
    out["year"] = years.astype(np.int64)
    try:
        numbers = parse_numbers(
            out["value"],
            where=lambda i: f"region {show(out.at[i, 'region_code'])} in {out.at[i, 'year']}",
        )
    except DataValidationError as err:
        raise DataValidationError(f"{what}: column {value!r} must be numeric; {err}") from None
    read_as_missing = numbers.isna() & out["value"].notna()
    if read_as_missing.any():
        notes.append(f"{value}: {describe_missing(out.loc[read_as_missing, 'value'])}")
    out["value"] = numbers
    out["region_code"] = [plain(c) for c in out["region_code"]]
    return out, notes


def _require(
    frame: pd.DataFrame, needed: list[str], keep: Sequence[str], what: str, hint: str
) -> None:
    """Raise naming the columns of ``needed`` and ``keep`` that ``frame`` lacks."""
    missing = [c for c in dict.fromkeys([*needed, *keep]) if c not in frame.columns]
    if missing:
        extra = hint if any(c in missing for c in keep) else ""
        raise DataValidationError(
            f"{what}: column(s) {missing} not found in the data{extra}; the table has "
            f"{list(frame.columns)}"
        )


#: Bilingual names of measured values that are not plain column names.
VALUE_LABELS = {"score": "综合得分 Composite score"}


def value_label(value: str) -> str:
    """Caption name of a measured value: the index score by its bilingual name, else as given."""
    return VALUE_LABELS.get(value, value)


# ---------------------------------------------------------------------------------------------
# regions
# ---------------------------------------------------------------------------------------------
def is_province(code: Hashable) -> bool:
    """Whether ``code`` is the GB/T 2260 code of one of the 31 provinces."""
    return isinstance(code, int | np.integer) and int(code) in set(regions.provinces().index)


def region_level(codes: Any) -> regions.Level:
    """``"province"`` when every code is a province, ``"city"`` when every code is a city.

    Raises
    ------
    UnknownRegionError
        For the first code that is neither.
    """
    unique = pd.unique(pd.Series(codes).astype(int))
    if all(c in set(regions.provinces().index) for c in unique):
        return "province"
    city_codes = set(regions.cities().index)
    unknown = [c for c in unique if c not in city_codes]
    if unknown:
        raise UnknownRegionError(unknown[0], "province", [], "index result scores")
    return "city"


@lru_cache(maxsize=4096)
def short_name(code: Hashable) -> str:
    """``"北京"`` for a province or city code, else the code as text (remembered per code)."""
    try:
        return regions.name_of(int(code), "short")  # type: ignore[call-overload]
    except (TypeError, ValueError, KeyError):
        return str(code)


def region_label(code: Hashable) -> str:
    """``"北京 Beijing"`` for a province or city code, else the code as text."""
    try:
        return f"{regions.name_of(int(code), 'short')} {regions.name_of(int(code), 'en')}"  # type: ignore[call-overload]
    except (TypeError, ValueError, KeyError):
        return str(code)


def with_region_names(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` with a ``region`` column of short names after ``region_code``.

    Added only when every code is a province (city tables keep their codes).
    """
    out = table.copy()
    if all(is_province(c) for c in out["region_code"].unique()):
        out.insert(2, "region", [regions.name_of(int(c), "short") for c in out["region_code"]])
    return out


def order_key(code: Any) -> tuple[int, Any]:
    """Sort key putting numeric codes first, then names."""
    return (0, code) if isinstance(code, int | float) else (1, str(code))


# ---------------------------------------------------------------------------------------------
# spatial weights
# ---------------------------------------------------------------------------------------------
def study_weights(spec: Any, codes: Sequence[Hashable]) -> tuple[SpatialWeights, list[str]]:
    """Spatial weights for the regions ``codes`` from a specification, and notes.

    Parameters
    ----------
    spec
        ``None`` or ``"queen"`` (queen contiguity of the provinces' boundaries, the default),
        ``"rook"``, ``"knn:K"`` (``K`` nearest capitals or city seats, great-circle; ``"knn"``
        is ``K`` = 4), ``"distance"`` or ``"distance:P"`` (inverse great-circle distance to the
        power ``P``, default 1) — built *without* row-standardisation (binary or raw weights);
        callers row-standardise where the statistic needs it. A path to a weights file
        (``.gal``/``.gwt`` in GeoDa's formats, or a ``.csv`` square matrix whose first column
        and header hold the region codes) or anything :func:`nqpf.geo.as_weights` accepts (a
        :class:`~nqpf.geo.SpatialWeights`, a libpysal ``W`` or ``Graph``, a labelled DataFrame,
        a scipy sparse matrix or a square array in the order of ``codes``): aligned to ``codes``
        and used as given.
    codes
        Region codes of the data (GB/T 2260 province codes for the built-in contiguity).

    Returns
    -------
    weights, notes
        The weights in the order of ``codes`` and what the reader must know (island repairs,
        regions without neighbours).

    Raises
    ------
    WeightsError
        An unknown specification, regions the built-in weights cannot place, or weights that do
        not match ``codes`` (naming the regions).

    Examples
    --------
    >>> w, notes = study_weights("knn:3", [110000, 120000, 130000, 140000, 150000])
    >>> w.kind, w.row_standardized, w.neighbors(110000), notes
    ('knn', False, (120000, 130000, 140000), [])
    """
    codes = [plain(c) for c in codes]
    if isinstance(spec, Path) or (isinstance(spec, str) and Path(spec).suffix.lower() in _FILES):
        spec = _read_weights_file(Path(spec))
    if not (spec is None or isinstance(spec, str)):
        given = as_weights(spec, codes)
        remarks = [_island_note(given)] if given.added_links else []
        if given.isolated:
            remarks.append(
                "空间权重 Spatial weights: regions without any neighbour (spatial lag 0): "
                + ", ".join(region_label(c) for c in given.isolated)
            )
        return given, remarks
    text = "queen" if spec is None else str(spec).strip().lower()
    kind, _, arg = text.partition(":")
    if kind not in _WEIGHT_LABELS:
        raise WeightsError(
            f"unknown spatial weights {spec!r}; use one of {', '.join(WEIGHTS_SPECS)} or pass "
            "nqpf SpatialWeights"
        )
    outside = [c for c in codes if not is_province(c)]
    if outside and kind in ("queen", "rook"):
        raise WeightsError(
            f"built-in {kind} contiguity covers the 31 provinces; regions {outside[:5]} are not "
            "provinces — pass weights built from your own boundaries (contiguity_weights("
            "geometries=...)), a weights file, or use knn:K / distance"
        )
    parameter: float | None = None
    try:
        if kind in ("queen", "rook"):
            if arg:
                raise WeightsError(f"{kind} contiguity takes no parameter, got {spec!r}")
        elif kind == "knn":
            parameter = int(arg) if arg else 4
        else:
            parameter = float(arg) if arg else 1.0
        w, notes = _built_in_weights(kind, parameter, tuple(codes))
    except ValueError as exc:
        if isinstance(exc, WeightsError | DataValidationError):
            raise
        raise WeightsError(
            f"cannot read the parameter of spatial weights {spec!r} ({exc}); use "
            f"{', '.join(WEIGHTS_SPECS)}"
        ) from None
    return w, list(notes)


@lru_cache(maxsize=16)
def _built_in_weights(
    kind: str, parameter: float | None, codes: tuple[Hashable, ...]
) -> tuple[SpatialWeights, tuple[str, ...]]:
    """Built-in weights of :func:`study_weights`, built once per process for the same regions.

    The studies of the main job ask for the same weights (queen contiguity of the provinces is
    computed from their boundaries, about a second each time); the weights are immutable.
    """
    places = list(codes)
    notes: tuple[str, ...] = ()
    if parameter is None:
        w, _ = contiguity_with_notes(places, kind, row_standardize=False)  # type: ignore[arg-type]
        if w.added_links:
            notes = (_island_note(w),)
    elif kind == "knn":
        w = knn_weights(places, k=int(parameter), row_standardize=False)
    else:
        w = distance_weights(places, power=parameter, row_standardize=False)
    return w.align(places), notes


_FILES = (".gal", ".gwt", ".csv")


def _read_weights_file(path: Path) -> SpatialWeights:
    """Weights from a GeoDa ``.gal``/``.gwt`` file or a labelled ``.csv`` matrix."""
    if not path.is_file():
        raise WeightsError(f"spatial weights file {str(path)!r} not found")
    if path.suffix.lower() == ".csv":
        frame = pd.read_csv(path, index_col=0)
        frame.columns = [_code_like(c) for c in frame.columns]
        frame.index = [_code_like(c) for c in frame.index]
        return as_weights(frame)
    lio = require("libpysal.io", "reading a GeoDa weights file")
    try:
        handle = lio.open(str(path))
        try:
            w = handle.read()
        finally:
            handle.close()
    except Exception as exc:  # libpysal raises bare exceptions for malformed files
        raise WeightsError(f"cannot read spatial weights file {str(path)!r}: {exc}") from None
    w.transform = "O"  # the weights as written in the file
    return as_weights(w)


def _code_like(label: Any) -> Any:
    """A region label from a file: an int when it is one (``"110000"`` → 110000)."""
    text = str(label).strip()
    return int(text) if text.isdigit() else text


def _island_note(w: SpatialWeights) -> str:
    links = "; ".join(
        f"{region_label(a)} → {region_label(b)} ({a} → {b})" for a, b in w.added_links
    )
    return (
        f"空间权重 Spatial weights ({_WEIGHT_LABELS.get(w.kind, w.kind)}): regions without a "
        f"contiguous neighbour were linked to their nearest region by great-circle distance "
        f"between capitals (both directions): {links}."
    )


def weights_description(w: SpatialWeights, spec: Any) -> str:
    """Bilingual description of weights built by :func:`study_weights` from ``spec``."""
    base = _WEIGHT_LABELS.get(w.kind, w.kind)
    if isinstance(spec, str | Path) and Path(str(spec)).suffix.lower() in _FILES:
        return f"{base} ({Path(str(spec)).name})"
    if isinstance(spec, str) and ":" in spec:
        return f"{base} ({spec.strip()})"
    if w.kind == "knn" and isinstance(spec, str):
        return f"{base} (k = 4)"
    return base


def is_bundled(panel: Any) -> bool:
    """Whether ``panel`` is the bundled province panel (the main job without ``--data``)."""
    from nqpf.data import load_province_panel

    data = getattr(panel, "data", None)
    return isinstance(data, pd.DataFrame) and data.equals(load_province_panel().data)


def require_bundled(panel: Any, study: str, reads: str) -> None:
    """Raise unless :func:`is_bundled` (``panel`` is the main job's own data).

    Studies that read bundled data of their own (``reads``: the city data, the census, the
    efficiency inputs) have nothing of a user's table to work on; on one, the main job lists
    them as skipped with their hint.

    Raises
    ------
    DataValidationError
        When ``panel`` holds other data than :func:`nqpf.data.load_province_panel`.
    """
    if not is_bundled(panel):
        raise DataValidationError(
            f"the {study} study runs on {reads}; the data of this job are a user's table"
        )
