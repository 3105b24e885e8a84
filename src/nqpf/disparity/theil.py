"""Theil indices (T and L) with their exact within/between decomposition.

Also the coefficient of variation and a one-call table of every disparity measure by year.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from nqpf.disparity._common import (
    as_groups,
    as_values,
    check_nonnegative,
    check_positive,
    column_values,
    require_columns,
    year_codes,
)
from nqpf.disparity.dagum import dagum_gini
from nqpf.errors import DataValidationError
from nqpf.results import Result, Summary, make_meta

__all__ = [
    "DisparityTable",
    "TheilResult",
    "coefficient_of_variation",
    "disparity_table",
    "theil",
]

TheilKind = Literal["T", "L"]


@dataclass(frozen=True)
class TheilResult(Result):
    r"""Theil index and its decomposition by groups.

    Attributes
    ----------
    kind
        ``"T"`` (Theil's T, GE(1)) or ``"L"`` (mean log deviation, GE(0)).
    total, within, between
        The index and its two parts (``total = within + between``).
    group_index
        :math:`T_k` (or :math:`L_k`) of each group.
    group_weight
        The weight of each group in the within part: income share :math:`s_k` for T,
        population share :math:`p_k` for L.
    group_contribution
        ``group_weight × group_index``: each group's part of ``within``.
    contributions
        Shares of ``within`` and ``between`` in ``total``.
    group_size, group_mean
        :math:`n_k` and :math:`\mu_k`.
    """

    kind: str
    total: float
    within: float
    between: float
    group_index: pd.Series
    group_weight: pd.Series
    group_contribution: pd.Series
    contributions: pd.Series
    group_size: pd.Series
    group_mean: pd.Series

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame ``component, group, value``.

        Components: total, within, between, share_within, share_between, group_index,
        group_weight, group_contribution.
        """
        rows: list[tuple[str, Any, float]] = [
            ("total", None, self.total),
            ("within", None, self.within),
            ("between", None, self.between),
            ("share_within", None, float(self.contributions["within"])),
            ("share_between", None, float(self.contributions["between"])),
        ]
        for name in ("group_index", "group_weight", "group_contribution"):
            series = getattr(self, name)
            rows += [(name, g, float(v)) for g, v in series.items()]
        return pd.DataFrame(rows, columns=["component", "group", "value"])

    def summary(self) -> Summary:
        """Decomposition and group table with bilingual labels."""
        name = "泰尔指数 Theil T" if self.kind == "T" else "平均对数偏差 Theil L (MLD)"
        parts = pd.DataFrame(
            {
                "值 Value": [self.total, self.within, self.between],
                "贡献率 Share (%)": [100.0, *(100.0 * self.contributions.to_numpy())],
            },
            index=pd.Index(
                [f"总体 Total {name}", "组内 Within", "组间 Between"], name="指标 Measure"
            ),
        )
        groups = pd.DataFrame(
            {
                "n": self.group_size,
                "均值 Mean": self.group_mean,
                "组内指数 Index": self.group_index,
                "权重 Weight": self.group_weight,
                "组内贡献 Contribution": self.group_contribution,
            }
        )
        return Summary(f"{name} 分解 decomposition", (("", parts), ("分组 Groups", groups)))


def _theil_parts(y: np.ndarray, codes: np.ndarray, k: int, kind: str) -> dict[str, np.ndarray]:
    n = len(y)
    size = np.bincount(codes, minlength=k).astype(float)
    gsum = np.bincount(codes, weights=y, minlength=k)
    mean = gsum / size
    mu = y.sum() / n
    if kind == "T":
        # (1/n) Σ (y/μ) ln(y/μ) with 0·ln 0 = 0
        ratio = y / mean[codes]
        term = np.where(y > 0, ratio * np.log(np.where(y > 0, ratio, 1.0)), 0.0)
        index = np.bincount(codes, weights=term, minlength=k) / size
        weight = gsum / (n * mu)
        between = float(np.sum(weight * np.log(mean / mu)))
    else:
        term = np.log(mean[codes] / y)
        index = np.bincount(codes, weights=term, minlength=k) / size
        weight = size / n
        between = float(np.sum(weight * np.log(mu / mean)))
    contribution = weight * index
    return {
        "index": index,
        "weight": weight,
        "contribution": contribution,
        "within": np.array(contribution.sum()),
        "between": np.array(between),
        "size": size,
        "mean": mean,
    }


def _theil_total(y: np.ndarray, kind: str) -> float:
    mu = y.mean()
    if kind == "T":
        r = y / mu
        return float(np.mean(np.where(y > 0, r * np.log(np.where(y > 0, r, 1.0)), 0.0)))
    return float(np.mean(np.log(mu / y)))


def theil(values: Any, groups: Any = None, kind: TheilKind = "T") -> TheilResult:
    r"""Theil's T or L index, decomposed into within- and between-group parts.

    Parameters
    ----------
    values
        Numbers (array-like or Series; a Series' index names rows in errors). Theil T needs
        non-negative values and uses :math:`0 \ln 0 = 0`; Theil L needs strictly positive values.
        Nothing is shifted or clipped.
    groups
        Optional group label of each value; ``None`` puts all values in one group.
    kind
        ``"T"`` or ``"L"``.

    Returns
    -------
    TheilResult

    Raises
    ------
    DataValidationError
        Missing values; negative values (T); zero or negative values (L); a group whose values are
        all zero (T; its index would be 0/0).

    Notes
    -----
    Theil (1967), *Economics and Information Theory*; decomposition as in Shorrocks (1980),
    Econometrica 48:613-625. With overall mean :math:`\mu`, group means :math:`\mu_k`,
    income shares :math:`s_k = n_k\mu_k/(n\mu)` and population shares :math:`p_k = n_k/n`:

    .. math::

        T = \frac{1}{n}\sum_i \frac{y_i}{\mu}\ln\frac{y_i}{\mu}
          = \sum_k s_k T_k + \sum_k s_k \ln\frac{\mu_k}{\mu}

    .. math::

        L = \frac{1}{n}\sum_i \ln\frac{\mu}{y_i}
          = \sum_k p_k L_k + \sum_k p_k \ln\frac{\mu}{\mu_k}

    ``total`` is computed from the pooled values, independently of the parts.

    Examples
    --------
    >>> r = theil([1.0, 2.0, 3.0, 6.0], ["a", "a", "b", "b"])
    >>> round(r.total, 6), round(r.within + r.between, 6)
    (0.187445, 0.187445)
    >>> round(theil([1.0, 2.0, 3.0, 6.0], kind="L").total, 6)
    0.202733
    """
    if kind not in ("T", "L"):
        raise DataValidationError(f"kind must be 'T' or 'L', got {kind!r}")
    y, index = as_values(values)
    if kind == "T":
        check_nonnegative(y, index)
    else:
        check_positive(y, index, why="Theil L takes ln(y)")
    labels: list[Hashable]
    if groups is None:
        codes, labels = np.zeros(len(y), dtype=np.intp), ["all"]
    else:
        codes, labels = as_groups(groups, len(y), index)
    k = len(labels)
    if y.sum() <= 0:
        raise DataValidationError("values are all zero; the Theil index is undefined (0/0)")
    gsum = np.bincount(codes, weights=y, minlength=k)
    zero = [labels[j] for j in range(k) if gsum[j] <= 0]
    if zero:
        raise DataValidationError(
            f"group(s) {zero} have mean 0 (all values zero); their Theil index is undefined"
        )
    parts = _theil_parts(y, codes, k, kind)
    total = _theil_total(y, kind)
    idx = pd.Index(labels, name="group")
    shares = (
        pd.Series(
            [parts["within"] / total, parts["between"] / total],
            index=["within", "between"],
            dtype=float,
            name="share",
        )
        if total > 0
        else pd.Series([np.nan, np.nan], index=["within", "between"], name="share")
    )
    return TheilResult(
        kind=kind,
        total=total,
        within=float(parts["within"]),
        between=float(parts["between"]),
        group_index=pd.Series(parts["index"], index=idx, name=f"theil_{kind}"),
        group_weight=pd.Series(parts["weight"], index=idx, name="weight"),
        group_contribution=pd.Series(parts["contribution"], index=idx, name="contribution"),
        contributions=shares,
        group_size=pd.Series(parts["size"], index=idx, name="size"),
        group_mean=pd.Series(parts["mean"], index=idx, name="mean"),
        meta=make_meta("theil", kind=kind, n=len(y), groups=k),
    )


def coefficient_of_variation(values: Any, ddof: int = 0) -> float:
    r"""Coefficient of variation :math:`CV = \sigma / \mu`.

    Parameters
    ----------
    values
        Numbers with a positive mean.
    ddof
        Delta degrees of freedom of :math:`\sigma`: 0 (default) treats the regions as the whole
        population, :math:`\sigma^2 = \frac{1}{n}\sum (y_i - \mu)^2`; 1 gives the sample
        standard deviation.

    Returns
    -------
    float

    Notes
    -----
    .. math:: CV = \frac{1}{\mu}\sqrt{\frac{1}{n - \mathrm{ddof}}\sum_i (y_i - \mu)^2}

    Used for σ-convergence (Barro and Sala-i-Martin 1992, Journal of Political Economy
    100:223-251).

    Examples
    --------
    >>> round(coefficient_of_variation([1.0, 2.0, 3.0]), 6)
    0.408248
    """
    y, _ = as_values(values)
    if len(y) <= ddof:
        raise DataValidationError(f"need more than ddof={ddof} values, got {len(y)}")
    mu = y.mean()
    if mu <= 0:
        raise DataValidationError(f"the mean must be positive for a CV, got {mu!r}")
    return float(y.std(ddof=ddof) / mu)


MEASURES = ("cv", "gini", "dagum", "theil_t", "theil_l")

_COLUMN_LABELS = {
    "n": "样本数 n",
    "mean": "均值 Mean",
    "cv": "变异系数 CV",
    "gini": "基尼系数 Gini",
    "gini_within": "Dagum 组内 G_w",
    "gini_between": "Dagum 组间净 G_nb",
    "gini_transvariation": "Dagum 超变 G_t",
    "theil_t": "泰尔T Theil T",
    "theil_t_within": "泰尔T组内 T within",
    "theil_t_between": "泰尔T组间 T between",
    "theil_l": "泰尔L Theil L",
    "theil_l_within": "泰尔L组内 L within",
    "theil_l_between": "泰尔L组间 L between",
}


@dataclass(frozen=True)
class DisparityTable(Result):
    """Disparity measures by year.

    Attributes
    ----------
    table
        One row per year; columns among ``n, mean, cv, gini, gini_within, gini_between,
        gini_transvariation, theil_t, theil_t_within, theil_t_between, theil_l, theil_l_within,
        theil_l_between``.
    """

    table: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame ``year, measure, value``."""
        long = self.table.reset_index().melt(id_vars="year", var_name="measure", value_name="value")
        return long.sort_values(["year", "measure"], kind="stable", ignore_index=True)

    def summary(self) -> Summary:
        """The table with bilingual column labels."""
        return Summary(
            "区域差异指标 Disparity measures by year",
            (("", self.table.rename(columns=_COLUMN_LABELS)),),
            notes=("Gini parts: Dagum (1997); Theil: Shorrocks (1980).",),
        )


def disparity_table(
    frame: pd.DataFrame,
    value: str,
    group: str,
    year: str = "year",
    *,
    measures: Sequence[str] = MEASURES,
    region: str | None = None,
    ddof: int = 0,
) -> DisparityTable:
    """Coefficient of variation, Gini with Dagum's parts, and Theil T/L parts, for every year.

    Parameters
    ----------
    frame
        Long table, one row per region and year.
    value, group, year
        Column names.
    measures
        Any of ``"cv", "gini", "dagum", "theil_t", "theil_l"``. Theil L needs strictly positive
        values; leave it out for data with zeros.
    region
        Optional column used to name rows in error messages.
    ddof
        Delta degrees of freedom of the standard deviation in the CV.

    Returns
    -------
    DisparityTable

    Notes
    -----
    See :func:`dagum_gini`, :func:`theil` and :func:`coefficient_of_variation` for the formulas.

    Examples
    --------
    >>> df = pd.DataFrame({"year": [2020] * 4, "g": list("aabb"), "y": [1.0, 2.0, 3.0, 6.0]})
    >>> disparity_table(df, "y", "g").table[["gini", "theil_t"]].round(4)
            gini  theil_t
    year
    2020  0.3333   0.1874
    """
    require_columns(frame, [value, group, year, region], " in the disparity frame")
    unknown = [m for m in measures if m not in MEASURES]
    if unknown:
        raise DataValidationError(f"unknown measure(s) {unknown}; choose from {list(MEASURES)}")
    years = year_codes(frame[year], year)
    raw = column_values(frame, value, years, region)
    records: list[dict[str, Hashable]] = []
    for yr in np.unique(years):
        rows = np.flatnonzero(years == yr)
        sub = frame.iloc[rows]
        vals = pd.Series(raw[rows], index=sub[region] if region else sub.index)
        grp = pd.Series(sub[group].to_numpy(), index=vals.index)
        rec: dict[str, Hashable] = {"year": int(yr), "n": len(rows), "mean": float(vals.mean())}
        try:
            if "cv" in measures:
                rec["cv"] = coefficient_of_variation(vals, ddof=ddof)
            if "gini" in measures or "dagum" in measures:
                d = dagum_gini(vals, grp)
                if "gini" in measures:
                    rec["gini"] = d.total
                if "dagum" in measures:
                    rec |= {
                        "gini_within": d.within,
                        "gini_between": d.between,
                        "gini_transvariation": d.transvariation,
                    }
            for kind in ("T", "L"):
                if f"theil_{kind.lower()}" in measures:
                    t = theil(vals, grp, kind=kind)
                    key = f"theil_{kind.lower()}"
                    rec |= {key: t.total, f"{key}_within": t.within, f"{key}_between": t.between}
        except DataValidationError as exc:
            raise DataValidationError(f"year {yr}: {exc}") from None
        records.append(rec)
    table = pd.DataFrame.from_records(records).set_index("year")
    return DisparityTable(
        table=table,
        meta=make_meta(
            "disparity_table", value=value, group=group, measures=list(measures), ddof=ddof
        ),
    )
