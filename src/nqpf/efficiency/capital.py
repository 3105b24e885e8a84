r"""Physical capital stock by the perpetual-inventory method.

Zhang, Wu & Zhang (2004), 中国省际物质资本存量估算：1952—2000, 经济研究 (10):

.. math::

    K_{it} = K_{i,t-1}(1 - \delta) + I_{it} / P_{it}, \qquad
    K_{i,t_0} = \frac{I_{i,t_0} / P_{i,t_0}}{r},

with investment :math:`I` (gross fixed capital formation, current prices), investment deflator
:math:`P`, depreciation rate :math:`\delta = 9.6\,\%` and initial rate :math:`r = 10\,\%`. The
stock is in the prices of the deflator's base (``P = 1``), or of ``base_year`` when given
(:math:`P` divided by its ``base_year`` value). Each region starts in its own first year
:math:`t_0` (Chongqing in 1996 in the provincial data).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from nqpf.errors import DataValidationError
from nqpf.results import Result, Summary, make_meta

__all__ = ["CapitalStock", "perpetual_inventory"]


@dataclass(frozen=True)
class CapitalStock(Result):
    """A perpetual-inventory capital stock by region and year.

    Attributes
    ----------
    stock
        ``region_code, year, investment_real, capital_stock``: real investment :math:`I/P` and
        the stock :math:`K`, both in the prices named by ``price_base``.
    delta
        Depreciation rate δ.
    base_year
        Year whose prices the stock is in; ``None`` for the deflator's own base (``P = 1``).
    initial
        ``"rate"`` (:math:`K_{t_0} = (I_{t_0}/P_{t_0}) / r`) or ``"given"`` (initial stocks
        supplied by the user).
    initial_rate
        :math:`r` of the ``"rate"`` rule (``None`` for given initial stocks).
    notes
        The method, prices and every region that starts later than the others.
    """

    stock: pd.DataFrame
    delta: float
    base_year: int | None
    initial: Literal["rate", "given"]
    initial_rate: float | None
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """``region_code, year, investment_real, capital_stock`` (a copy)."""
        return self.stock.copy()

    def wide(self) -> pd.DataFrame:
        """The stock as years × regions."""
        return self.stock.pivot(index="year", columns="region_code", values="capital_stock")

    def summary(self) -> Summary:
        """First and last year, initial and final stock of each region."""
        by = self.stock.groupby("region_code", sort=True)
        table = pd.DataFrame(
            {
                "起始年 First year": by.year.min(),
                "终止年 Last year": by.year.max(),
                "初始存量 Initial stock": by.capital_stock.first(),
                "期末存量 Final stock": by.capital_stock.last(),
            }
        )
        return Summary(
            "资本存量 Capital stock (perpetual inventory)", (("", table),), notes=self.notes
        )


def _wide(values: pd.Series | pd.DataFrame, name: str) -> pd.DataFrame:
    """Years × regions from a (region, year) Series or a years × regions frame."""
    if isinstance(values, pd.Series):
        if values.index.nlevels != 2:
            raise DataValidationError(
                f"{name}: a Series needs a (region, year) index, got {values.index.nlevels} "
                "level(s)"
            )
        if values.index.duplicated().any():
            first = values.index[values.index.duplicated()][0]
            raise DataValidationError(f"{name}: region-year {first} appears more than once")
        frame = values.unstack(level=0)
    else:
        frame = values.copy()
    try:
        frame.index = frame.index.astype(np.int64)
    except (TypeError, ValueError):
        raise DataValidationError(
            f"{name}: the years must be integers, got {list(frame.index[:3])}"
        ) from None
    return frame.sort_index().astype(float)


def perpetual_inventory(
    investment: pd.Series | pd.DataFrame,
    deflator: pd.Series | pd.DataFrame,
    *,
    delta: float = 0.096,
    base_year: int | None = None,
    initial: Literal["rate"] | pd.Series = "rate",
    initial_rate: float = 0.10,
) -> CapitalStock:
    r"""Capital stock :math:`K_t = K_{t-1}(1 - \delta) + I_t / P_t` (Zhang, Wu & Zhang 2004).

    Parameters
    ----------
    investment, deflator
        Investment at current prices and the investment price deflator, each a Series indexed
        by (region, year) or a frame of years × regions. Each region runs from its first to
        its last year with investment; inside that span every year must be present in both.
    delta
        Depreciation rate δ in [0, 1); 9.6 % by default.
    base_year
        Express the stock in this year's prices (the deflator divided by its value in
        ``base_year``); by default the prices of the deflator's base (``P = 1``).
    initial
        ``"rate"``: :math:`K_{t_0} = (I_{t_0} / P_{t_0}) / r` in each region's first year
        :math:`t_0`; or a Series of initial stocks :math:`K_{t_0}` by region, in the prices of
        the result.
    initial_rate
        :math:`r` of the ``"rate"`` rule; 10 % by default.

    Raises
    ------
    DataValidationError
        For δ outside [0, 1), a rate ≤ 0, a deflator ≤ 0 or missing inside a region's span, a
        missing year, or an initial stock that is missing, not finite or negative, naming the
        region and year.

    Examples
    --------
    >>> from nqpf.data import load_capital_stock_inputs
    >>> wide = load_capital_stock_inputs().data.pivot_table(
    ...     index=["region_code", "year"], columns="indicator", values="value")
    >>> stock = perpetual_inventory(wide.fixed_capital_formation, wide.investment_deflator)
    >>> round(float(stock.wide().loc[2022, 110000]), 2)
    40271.14
    >>> int(stock.wide()[500000].first_valid_index())
    1996

    """
    if not 0 <= delta < 1:
        raise DataValidationError(f"delta must be in [0, 1), got {delta!r}")
    given = None if isinstance(initial, str) else initial
    rule: Literal["rate", "given"] = "rate" if given is None else "given"
    if isinstance(initial, str) and initial != "rate":
        raise DataValidationError(f"initial must be 'rate' or a Series by region, got {initial!r}")
    if rule == "rate" and not initial_rate > 0:
        raise DataValidationError(f"initial_rate must be positive, got {initial_rate!r}")
    invest = _wide(investment, "investment")
    price = _wide(deflator, "deflator")
    missing = invest.columns.difference(price.columns)
    if len(missing):
        raise DataValidationError(f"deflator: no series for region {missing[0]!r}")
    price = price.reindex(index=invest.index.union(price.index), columns=invest.columns)
    invest = invest.reindex(index=price.index)
    if base_year is not None:
        if base_year not in price.index:
            raise DataValidationError(f"base_year {base_year} is not a year of the deflator")
        base = price.loc[base_year]
        bad = base[~(base > 0)]
        if len(bad):
            raise DataValidationError(
                f"deflator of region {bad.index[0]!r} in base_year {base_year} is {bad.iloc[0]!r}"
            )
        price = price / base
    years = invest.index.to_numpy()
    rows = []
    notes = [
        f"perpetual inventory K_t = K_(t-1)(1 − δ) + I_t/P_t, δ = {delta:g} "
        "(Zhang, Wu & Zhang 2004)",
        f"prices of {base_year}" if base_year is not None else "prices of the deflator's base",
        f"initial stock I/P/{initial_rate:g} in each region's first year"
        if rule == "rate"
        else "initial stocks given by the user",
    ]
    first_years: dict[object, int] = {}
    for region in invest.columns:
        column = invest[region]
        present = column.notna().to_numpy()
        if not present.any():
            raise DataValidationError(f"investment of region {region!r} is empty")
        lo, hi = np.flatnonzero(present)[[0, -1]]
        span = years[lo : hi + 1]
        if np.any(np.diff(span) != 1):
            gap = span[np.flatnonzero(np.diff(span) != 1)[0]] + 1
            raise DataValidationError(f"region {region!r}: year {gap} is absent")
        i = column.to_numpy()[lo : hi + 1]
        p = price[region].to_numpy()[lo : hi + 1]
        for values, label in ((i, "investment"), (p, "deflator")):
            bad = ~np.isfinite(values) | ((values <= 0) if label == "deflator" else False)
            if bad.any():
                at = int(np.flatnonzero(bad)[0])
                raise DataValidationError(
                    f"{label} of region {region!r} in {span[at]} is {values[at]!r}"
                )
        real = i / p
        if given is None:
            k0 = real[0] / initial_rate
        else:
            if region not in given.index:
                raise DataValidationError(f"initial: no stock for region {region!r}")
            k0 = float(given[region])
            if not (np.isfinite(k0) and k0 >= 0):
                raise DataValidationError(f"initial stock of region {region!r} is {k0!r}")
        stock = np.empty_like(real)
        stock[0] = k0
        for t in range(1, len(real)):
            stock[t] = stock[t - 1] * (1 - delta) + real[t]
        first_years[region] = int(span[0])
        rows.append(
            pd.DataFrame(
                {
                    "region_code": region,
                    "year": span,
                    "investment_real": real,
                    "capital_stock": stock,
                }
            )
        )
    earliest = min(first_years.values())
    for region, start in first_years.items():
        if start > earliest:
            notes.append(f"region {region} starts in {start} from its own initial stock")
    frame = pd.concat(rows, ignore_index=True)
    meta = make_meta(
        "perpetual_inventory",
        delta=delta,
        base_year=base_year,
        price_base=base_year if base_year is not None else "deflator base (P = 1)",
        initial=rule,
        initial_rate=initial_rate if rule == "rate" else None,
        regions=len(first_years),
        source="Zhang, Wu & Zhang (2004), 经济研究 (10)",
    )
    return CapitalStock(
        frame,
        delta,
        base_year,
        rule,
        initial_rate if rule == "rate" else None,
        tuple(notes),
        meta=meta,
    )
