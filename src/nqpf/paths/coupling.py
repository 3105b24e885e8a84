r"""Coupling coordination of n subsystems, its ten grades and the grade transitions.

For subsystem scores :math:`U_1, \dots, U_n \in [0, 1]` of one region and year (DESIGN.md,
"Coupling coordination"; docs/methods-paths.md):

.. math::

    C = \frac{n \left(\prod_i U_i\right)^{1/n}}{\sum_i U_i}, \qquad
    T = \sum_i \alpha_i U_i, \qquad D = \sqrt{C \cdot T},

the classic coupling degree (the n-system form of Liao Chongbin 1999, written with the geometric
and arithmetic means: :math:`C = [\prod_i U_i / (\sum_i U_i / n)^n]^{1/n}`), the comprehensive
coordination index :math:`T` with weights :math:`\alpha_i \ge 0`, :math:`\sum \alpha_i = 1`, and
the coupling coordination degree :math:`D`. The revised coupling degree of Wang Shujia, Kong
Wei, Ren Liang, Zhi Dandan & Dai Binting (2021), "国内耦合协调度模型的误区及修正" (Research on
misuses and modification of coupling coordination degree model in China), 自然资源学报
(Journal of Natural Resources) 36(3): 793–810, spreads C over [0, 1]:

.. math::

    C = \sqrt{\left(1 - \frac{\sum_{i>j} \sqrt{(U_i - U_j)^2}}{\sum_{m=1}^{n-1} m}\right)
    \left(\prod_i \frac{U_i}{\max_k U_k}\right)^{1/(n-1)}}.

D is classed in ten equal grades of width 0.1 (Liao Chongbin 1999), from 极度失调 extreme
imbalance to 优质协调 high-quality coordination.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from nqpf.errors import DataValidationError, DuplicateError, show
from nqpf.results import Result, Summary, make_meta

__all__ = [
    "GRADES",
    "CouplingCoordination",
    "CouplingVariant",
    "coupling_coordination",
    "grade_transitions",
]

#: ``"classic"``: n·(ΠU)^(1/n)/ΣU; ``"revised"``: Wang Shujia et al. (2021).
CouplingVariant = Literal["classic", "revised"]

#: The ten grades of D, level 1 to 10: (Chinese, English); level k covers [0.1(k−1), 0.1k).
GRADES: tuple[tuple[str, str], ...] = (
    ("极度失调", "extreme imbalance"),
    ("严重失调", "serious imbalance"),
    ("中度失调", "moderate imbalance"),
    ("轻度失调", "mild imbalance"),
    ("濒临失调", "on the verge of imbalance"),
    ("勉强协调", "barely coordinated"),
    ("初级协调", "primary coordination"),
    ("中级协调", "intermediate coordination"),
    ("良好协调", "good coordination"),
    ("优质协调", "high-quality coordination"),
)

_FORMULAS = {
    "classic": "classic coupling degree C = n·(ΠU_i)^(1/n) / ΣU_i",
    "revised": "revised coupling degree C = √[(1 − Σ_{i>j}|U_i − U_j| / Σ_{m=1}^{n−1} m) · "
    "Π(U_i / max U)^(1/(n−1))] (Wang Shujia et al. 2021, 自然资源学报 36(3))",
}

#: Output columns a subsystem may not be named after.
_RESERVED = ("region", "year", "C", "T", "D", "grade", "grade_en", "grade_level", "lagging")


@dataclass(frozen=True)
class CouplingCoordination(Result):
    """Coupling degree C, coordination index T and coupling coordination degree D by region-year.

    Attributes
    ----------
    table
        ``region, [year], <subsystems…>, C, T, D, grade, grade_en, grade_level, lagging``: one
        row per region (and year); ``grade`` in Chinese, ``grade_en`` in English,
        ``grade_level`` 1–10 (missing where D is undefined); ``lagging`` the subsystem(s) with
        the lowest score (ties joined by ", "; missing when all scores are equal).
    subsystems
        Names of the subsystem columns, in input order.
    weights
        The weights α_i of T, in the order of ``subsystems``.
    variant
        ``"classic"`` or ``"revised"``.
    notes
        Formula, weights, the tie rule and any undefined C.
    """

    table: pd.DataFrame
    subsystems: tuple[str, ...]
    weights: tuple[float, ...]
    variant: str
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The table (one row per region-year)."""
        return self.table

    def summary(self) -> Summary:
        """Grade counts (by year when there are years) and the table with bilingual headers."""
        frame = self.table
        labels = [f"{zh} {en}" for zh, en in GRADES]
        level = frame.grade_level
        if "year" in frame.columns:
            counts = pd.crosstab(level, frame.year).reindex(range(1, 11), fill_value=0)
        else:
            counts = (
                level.value_counts().reindex(range(1, 11), fill_value=0).to_frame("地区数 Regions")
            )
        counts.index = pd.Index(labels, name="等级 Grade")
        headers = {
            "region": "地区 Region",
            "year": "年份 Year",
            "C": "耦合度 C",
            "T": "综合协调指数 T",
            "D": "耦合协调度 D",
            "grade": "等级 Grade",
            "grade_en": "Grade",
            "grade_level": "级 Level",
            "lagging": "滞后子系统 Lagging",
        }
        return Summary(
            f"耦合协调度 Coupling coordination ({self.variant})",
            (
                ("耦合协调等级分布 Grades", counts),
                ("耦合协调度 Coupling coordination", frame.rename(columns=headers)),
            ),
            self.notes,
        )


def coupling_coordination(
    subsystems: pd.DataFrame | Mapping[str, pd.Series],
    weights: Sequence[float] | Mapping[str, float] | None = None,
    variant: CouplingVariant = "classic",
    *,
    region: str = "region_code",
    year: str | None = "year",
) -> CouplingCoordination:
    r"""Coupling coordination of n ≥ 2 subsystems, by region (and year).

    :math:`C` classic :math:`n (\prod U_i)^{1/n} / \sum U_i` or revised (Wang Shujia et al.
    2021, 自然资源学报 36(3): 793–810), :math:`T = \sum \alpha_i U_i`, :math:`D = \sqrt{CT}`,
    the ten grades of :data:`GRADES` and the lagging subsystem (module docstring).

    Parameters
    ----------
    subsystems
        A DataFrame with one row per region-year: the ``region`` column, the ``year`` column
        if present, and every other column a subsystem score in [0, 1]. Without a ``region``
        column the index holds the regions (a two-level index: region and year). Or a mapping
        subsystem name → Series of scores, aligned on their index (region, or region and year).
    weights
        α_i of T: ``None`` (equal), a sequence in column order or a mapping name → weight; each
        ≥ 0, summing to 1.
    variant
        ``"classic"`` or ``"revised"``.
    region, year
        Column names of the region and the year (``year=None``: no year).

    Raises
    ------
    DataValidationError
        Fewer than two subsystems; a score missing, not a number or outside [0, 1] (naming the
        region, year and subsystem); weights of the wrong length, negative or not summing to 1.
    DuplicateError
        A region (and year) that appears more than once.

    Notes
    -----
    When every score of a row is 0, C is undefined (0/0): C and D are NaN, the grade missing,
    and a note says where. Ties for the lowest score list every tied subsystem.

    Examples
    --------
    >>> u = pd.DataFrame({"region_code": ["a", "b"], "x": [0.25, 0.8], "y": [0.25, 0.2]})
    >>> result = coupling_coordination(u).to_frame()
    >>> result[["region", "C", "T", "D", "grade_level", "lagging"]].round(4)
      region    C     T       D  grade_level lagging
    0      a  1.0  0.25  0.5000            6    None
    1      b  0.8  0.50  0.6325            7       y
    """
    if variant not in _FORMULAS:
        raise DataValidationError(f"variant must be 'classic' or 'revised', got {variant!r}")
    keys, names, u = _scores(subsystems, region, year)
    alpha = _weights(weights, names)
    c = _coupling(u, variant)
    t = u @ alpha
    d = np.sqrt(c * t)
    level = _levels(d)
    table = keys.copy()
    for k, name in enumerate(names):
        table[name] = u[:, k]
    known = ~np.isnan(level)
    table["C"] = c
    table["T"] = t
    table["D"] = d
    for column, k in (("grade", 0), ("grade_en", 1)):
        table[column] = pd.Series(
            [GRADES[int(v) - 1][k] if ok else None for v, ok in zip(level, known, strict=True)],
            dtype=object,
        )
    table["grade_level"] = pd.array(
        [int(v) if ok else pd.NA for v, ok in zip(level, known, strict=True)], dtype="Int64"
    )
    table["lagging"] = pd.Series(_lagging(u, names), dtype=object)

    notes = [_FORMULAS[variant], "T = Σ α_i U_i, D = √(C·T)"]
    notes.append(
        "equal weights α_i = 1/n"
        if weights is None
        else "weights " + ", ".join(f"{n} {w:g}" for n, w in zip(names, alpha, strict=True))
    )
    notes.append(
        "grades: ten classes of D of width 0.1 (level k covers [0.1(k−1), 0.1k), D = 1 in "
        "level 10; D is rounded to 12 decimals first)"
    )
    notes.append(
        "lagging subsystem: the lowest score; ties list every tied subsystem, none "
        "when all scores are equal"
    )
    undefined = np.flatnonzero(np.isnan(c))
    if undefined.size:
        shown = ", ".join(_where(keys, k) for k in undefined[:5])
        notes.append(
            f"C undefined (every score 0) for {undefined.size} row(s) ({shown}"
            f"{' …' if undefined.size > 5 else ''}): C, D and the grade are missing"
        )
    return CouplingCoordination(
        table=table,
        subsystems=tuple(names),
        weights=tuple(float(a) for a in alpha),
        variant=variant,
        notes=tuple(notes),
        meta=make_meta(
            "coupling_coordination",
            n=len(table),
            subsystems=list(names),
            weights=[float(a) for a in alpha],
            variant=variant,
        ),
    )


def grade_transitions(result: CouplingCoordination) -> pd.DataFrame:
    """Counts of regions moving from one grade to another between consecutive years.

    Consecutive means adjacent in the sorted years of the result; a region counts for a pair
    of years when it has a grade in both. Rows are the grade in the earlier year (``from``),
    columns the grade in the later year (``to``), both labelled "<中文> <English>" in
    :data:`GRADES` order; the diagonal counts regions that kept their grade.

    Raises
    ------
    DataValidationError
        When the result has no year column or fewer than two years.
    """
    frame = result.table
    if "year" not in frame.columns or frame.year.nunique() < 2:
        raise DataValidationError(
            "grade transitions need a result with a year column and at least two years"
        )
    wide = frame.pivot(index="region", columns="year", values="grade_level")
    years = sorted(wide.columns)
    counts = np.zeros((10, 10), dtype=int)
    for before, after in zip(years[:-1], years[1:], strict=True):
        pair = wide[[before, after]].dropna()
        np.add.at(
            counts,
            (pair[before].to_numpy(int) - 1, pair[after].to_numpy(int) - 1),
            1,
        )
    labels = [f"{zh} {en}" for zh, en in GRADES]
    return pd.DataFrame(
        counts, index=pd.Index(labels, name="from"), columns=pd.Index(labels, name="to")
    )


def _scores(
    subsystems: pd.DataFrame | Mapping[str, pd.Series], region: str, year: str | None
) -> tuple[pd.DataFrame, list[str], np.ndarray]:
    """Keys (``region``, [``year``]), subsystem names and the validated scores."""
    if isinstance(subsystems, Mapping):
        frame = pd.concat({str(k): pd.Series(v) for k, v in subsystems.items()}, axis=1, sort=False)
    elif isinstance(subsystems, pd.DataFrame):
        frame = subsystems
    else:
        raise DataValidationError(
            "subsystems must be a DataFrame or a mapping of subsystem name → Series, got "
            f"{type(subsystems).__name__}"
        )
    if region not in frame.columns:
        index_names = [region, year] if frame.index.nlevels == 2 and year else [region]
        if frame.index.nlevels != len(index_names):
            raise DataValidationError(
                f"subsystems have no {region!r} column and an index of {frame.index.nlevels} "
                "levels; give the region (and year) as columns or as the index"
            )
        frame = frame.rename_axis(index_names).reset_index()
    key_columns = [region] + ([year] if year is not None and year in frame.columns else [])
    names = [str(c) for c in frame.columns if c not in key_columns]
    if len(names) < 2:
        raise DataValidationError(
            f"coupling coordination needs at least two subsystem columns, got {names}"
        )
    clash = sorted(set(names) & set(_RESERVED))
    if clash:
        raise DataValidationError(
            f"subsystem column {clash[0]!r} has the name of an output column; rename it "
            f"(reserved: {', '.join(_RESERVED)})"
        )
    keys = pd.DataFrame({"region": frame[region].to_numpy()})
    if len(key_columns) == 2:
        keys["year"] = frame[key_columns[1]].to_numpy()
    duplicated = keys.duplicated()
    if duplicated.any():
        raise DuplicateError(
            f"{_where(keys, int(np.flatnonzero(duplicated)[0]))} appears more than once"
        )
    columns = [c for c in frame.columns if c not in key_columns]
    u = np.empty((len(frame), len(names)))
    for k, (column, name) in enumerate(zip(columns, names, strict=True)):
        raw = frame[column]
        x = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(x) | (x < 0) | (x > 1))
        if bad.size:
            row = int(bad[0])
            value = raw.iloc[row]
            problem = (
                "is missing" if pd.isna(value) else f"is not a number in [0, 1]: {show(value)}"
            )
            raise DataValidationError(
                f"score of subsystem {name!r} for {_where(keys, row)} {problem}"
            )
        u[:, k] = x
    return keys.reset_index(drop=True), names, u


def _where(keys: pd.DataFrame, row: int) -> str:
    """'region '北京' year 2019' for a row of the keys."""
    text = f"region {show(keys.region.iloc[row])}"
    return text + (f" year {show(keys.year.iloc[row])}" if "year" in keys.columns else "")


def _weights(weights: Sequence[float] | Mapping[str, float] | None, names: list[str]) -> np.ndarray:
    """α_i: equal, or given (≥ 0, summing to 1), in the order of ``names``."""
    n = len(names)
    if weights is None:
        return np.full(n, 1.0 / n)
    if isinstance(weights, Mapping):
        unknown = sorted(set(map(str, weights)) - set(names))
        missing = [name for name in names if name not in weights]
        if unknown or missing:
            raise DataValidationError(
                f"weights must name exactly the subsystems {names}; unknown {unknown}, "
                f"missing {missing}"
            )
        values = [weights[name] for name in names]
    else:
        values = list(weights)
        if len(values) != n:
            raise DataValidationError(f"{len(values)} weight(s) given for {n} subsystems {names}")
    alpha = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(float)
    for name, a, raw in zip(names, alpha, values, strict=True):
        if not math.isfinite(a) or a < 0:
            raise DataValidationError(
                f"the weight of subsystem {name!r} must be a number ≥ 0, got {show(raw)}"
            )
    if abs(alpha.sum() - 1.0) > 1e-9:
        raise DataValidationError(f"the weights must sum to 1, they sum to {alpha.sum():.12g}")
    return alpha


def _coupling(u: np.ndarray, variant: str) -> np.ndarray:
    """C by row (NaN where every score is 0)."""
    n = u.shape[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        if variant == "classic":
            total = u.sum(axis=1)
            return np.where(total > 0, n * np.prod(u, axis=1) ** (1.0 / n) / total, np.nan)
        i, j = np.triu_indices(n, k=1)
        spread = np.abs(u[:, i] - u[:, j]).sum(axis=1) / (n * (n - 1) / 2)  # Σ_{m=1}^{n-1} m
        top = u.max(axis=1)
        balance = np.prod(u / top[:, None], axis=1) ** (1.0 / (n - 1))
        return np.where(top > 0, np.sqrt((1.0 - spread) * balance), np.nan)


def _levels(d: np.ndarray) -> np.ndarray:
    """Grade level 1–10 of D (NaN stays NaN); level k covers [0.1(k−1), 0.1k), 1 in level 10."""
    with np.errstate(invalid="ignore"):
        return np.minimum(np.floor(np.round(d, 12) * 10) + 1, 10)


def _lagging(u: np.ndarray, names: list[str]) -> list[str | None]:
    """The lowest-scoring subsystem(s) of each row; None when all scores are equal."""
    low = u.min(axis=1, keepdims=True)
    tied = u == low
    return [
        None if row.all() else ", ".join(n for n, t in zip(names, row, strict=True) if t)
        for row in tied
    ]
