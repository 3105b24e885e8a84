r"""Total-factor productivity and green TFP of the provinces on real inputs.

:func:`efficiency_inputs` builds the inputs and outputs of the provinces from the bundled
datasets (capital stock by perpetual inventory, employment, R&D personnel and spending; real GDP,
patents, technology-market turnover, high-tech revenue; CO2 as the undesirable output).
:func:`efficiency_study` runs on them (or on a user's panel) the yearly DEA scores (SBM with CO2,
Tone 2004, or CCR/BCC), the Malmquist TFP index :math:`M = EC \times TC` (Färe et al. 1994) and
the global Malmquist–Luenberger green TFP index :math:`GML = EC \times BPC` (Oh 2010), with
geometric means by year for the nation and the four macro-regions (docs/methods-paths.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from nqpf import regions
from nqpf.data import (
    load_capital_stock_inputs,
    load_co2_emissions,
    load_province_components,
    load_province_gdp,
    load_province_sci_tech,
    load_technology_market,
)
from nqpf.efficiency import (
    Malmquist,
    MalmquistLuenberger,
    dea,
    malmquist,
    malmquist_luenberger,
    perpetual_inventory,
)
from nqpf.errors import DataValidationError, UnknownRegionError, show
from nqpf.panel import Panel
from nqpf.results import Result, Summary, make_meta
from nqpf.studies.base import FigureSpec, StudyResult
from nqpf.studies.inputs import (
    is_bundled,
    is_province,
    order_key,
    region_label,
    with_region_names,
)

__all__ = [
    "DEFAULT_INPUTS",
    "DEFAULT_OUTPUTS",
    "DEFAULT_UNDESIRABLE",
    "EfficiencyInputs",
    "EfficiencyStudyResult",
    "efficiency_inputs",
    "efficiency_study",
]

#: The bundled inputs, good outputs and undesirable output (variables of :func:`efficiency_inputs`).
DEFAULT_INPUTS = ("capital_stock", "employment", "rd_fte", "rd_exp")
DEFAULT_OUTPUTS = ("gdp_real", "patents", "techmarket", "hitech_revenue")
DEFAULT_UNDESIRABLE = ("co2",)
#: Variable → bilingual label.
LABELS = {
    "capital_stock": "资本存量 Capital stock",
    "employment": "就业人员 Employment",
    "rd_fte": "R&D 人员全时当量 R&D personnel (FTE)",
    "rd_exp": "R&D 经费内部支出 R&D spending",
    "gdp_real": "实际 GDP Real GDP",
    "patents": "专利授权量 Patents granted",
    "techmarket": "技术市场成交额 Technology-market turnover",
    "hitech_revenue": "高技术产业营业收入 High-tech revenue",
    "co2": "二氧化碳排放 CO2 emissions",
}
NATIONAL = "全国 National"
_MACRO = {key: f"{zh} {en}" for key, (zh, en) in regions.MACRO_REGIONS.items()}
Model = Literal["sbm", "ccr", "bcc"]


@dataclass(frozen=True)
class EfficiencyInputs(Result):
    """Inputs and outputs of the provinces by year, with units and construction notes.

    Attributes
    ----------
    table
        ``region_code, year, variable, value, unit``: every variable of a balanced panel.
    roles
        ``{"inputs": [...], "outputs": [...], "undesirable": [...]}``.
    notes
        One note per construction choice (source, unit, deflator, δ, years, repairs, drops).
    """

    table: pd.DataFrame
    roles: dict[str, list[str]]
    notes: tuple[str, ...] = ()

    @property
    def years(self) -> list[int]:
        """Years of the panel."""
        return sorted(int(y) for y in self.table["year"].unique())

    @property
    def units(self) -> dict[str, str]:
        """Variable → unit."""
        return dict(zip(self.table["variable"], self.table["unit"], strict=True))

    def wide(self) -> pd.DataFrame:
        """``(region_code, year)`` × variables."""
        return self.table.pivot(index=["region_code", "year"], columns="variable", values="value")[
            [v for group in self.roles.values() for v in group]
        ]

    def to_frame(self) -> pd.DataFrame:
        """The tidy table with short region names."""
        return with_region_names(self.table)

    def summary(self) -> Summary:
        """Means by variable and year."""
        means = self.table.pivot_table(index="variable", columns="year", values="value")
        return Summary("效率研究投入产出 Efficiency inputs and outputs", (("", means),), self.notes)


# ---------------------------------------------------------------------------------------------
# the bundled inputs
# ---------------------------------------------------------------------------------------------
def _indicator(frame: pd.DataFrame, name: str) -> pd.Series:
    rows = frame[frame["indicator"] == name]
    return rows.set_index(["region_code", "year"])["value"].astype(float)


def _raw_series(
    delta: float, base_year: int
) -> tuple[dict[str, pd.Series], dict[str, str], list[str]]:
    """Every variable by (region_code, year), its unit and the notes of its construction."""
    capital = load_capital_stock_inputs().data
    invest = _indicator(capital, "fixed_capital_formation")
    deflator = _indicator(capital, "investment_deflator")
    stock = perpetual_inventory(invest, deflator, delta=delta, base_year=base_year)
    price = (
        deflator
        / deflator.xs(base_year, level="year")
        .reindex(deflator.index.get_level_values("region_code"))
        .to_numpy()
    )
    sci = load_province_sci_tech().data
    market = load_technology_market().data.set_index(["region_code", "year"])["outflow_amount"]
    prices = f"亿元 ({base_year} prices)"
    series = {
        "capital_stock": stock.to_frame().set_index(["region_code", "year"])["capital_stock"],
        "employment": _indicator(load_province_components().data, "employment"),
        "rd_fte": _indicator(sci, "rd_fte"),
        "rd_exp": _indicator(sci, "rd_exp") / 1e4,
        "gdp_real": _indicator(load_province_gdp().data, "gdp"),
        "patents": _indicator(sci, "patent_grant_total"),
        "techmarket": market.astype(float) / 1e4,
        "hitech_revenue": _indicator(sci, "hitech_revenue"),
        "co2": _indicator(load_co2_emissions("province").data, "co2_emissions"),
    }
    for name in ("rd_exp", "gdp_real", "techmarket", "hitech_revenue"):
        values = series[name]
        series[name] = values / price.reindex(values.index)
    units = {
        "capital_stock": prices,
        "employment": "万人",
        "rd_fte": "人年",
        "rd_exp": prices,
        "gdp_real": prices,
        "patents": "件",
        "techmarket": prices,
        "hitech_revenue": prices,
        "co2": "Mt",
    }
    notes = [
        f"资本存量 Capital stock: perpetual inventory K_t = K_(t-1)(1 − δ) + I_t/P_t from gross "
        f"fixed capital formation and the investment price deflator (CHNCapitalStock), δ = "
        f"{delta:g}, initial stock I/P/10 % in each province's first year (Zhang, Wu & Zhang "
        f"2004), in {base_year} prices",
        f"平减 Deflation: no GDP deflator is bundled; nominal GDP, R&D spending, technology-market "
        f"turnover and high-tech revenue are divided by the province's investment price deflator "
        f"rebased to {base_year} = 1 (the same prices as the capital stock)",
        "投入 Inputs: capital stock; employment (万人, year-end, GPI components dataset); R&D "
        "personnel full-time equivalent (人年) and R&D spending (万元 → 亿元), science & "
        "technology yearbook",
        "产出 Outputs: real GDP (province GDP dataset); patents granted (件); technology-market "
        "turnover by seller province (outflow amount, 万元 → 亿元); high-tech industry revenue "
        "(亿元); undesirable output: CO2 emissions (Mt, CEADs apparent emissions)",
    ]
    return series, units, notes


def _fill_single_gaps(values: pd.Series, name: str, notes: list[str]) -> pd.Series:
    """Linear interpolation of years missing for every province between two years present."""
    years = sorted(values.dropna().index.get_level_values("year").unique())
    gaps = [y + 1 for y, y1 in zip(years[:-1], years[1:], strict=True) if y1 - y == 2]
    if not gaps:
        return values
    wide = values.unstack("region_code")
    for year in gaps:
        wide.loc[year] = (wide.loc[year - 1] + wide.loc[year + 1]) / 2
    notes.append(
        f"插补 Interpolated: {LABELS.get(name, name)} is missing in "
        f"{', '.join(map(str, gaps))} for every province; each such year is the mean of the "
        "years before and after (linear interpolation)"
    )
    return wide.sort_index().stack().rename(name).swaplevel().sort_index()


def _longest_run(years: Sequence[int]) -> list[int]:
    """The longest run of consecutive years (the latest of equally long runs)."""
    runs: list[list[int]] = []
    for year in sorted(years):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return max(reversed(runs), key=len) if runs else []


def efficiency_inputs(
    *, delta: float = 0.096, base_year: int = 2010, fill_gaps: bool = True
) -> EfficiencyInputs:
    """The provinces' inputs, outputs and CO2 by year, from the bundled datasets.

    Parameters
    ----------
    delta
        Depreciation rate δ of the perpetual inventory (9.6 %, Zhang, Wu & Zhang 2004).
    base_year
        Price year of the capital stock and of every deflated money value (default 2010).
    fill_gaps
        Fill a year missing for every province between two years present (the technology
        market in 2011, high-tech revenue in 2017) by linear interpolation, stated in ``notes``;
        ``False`` keeps only the longest run of years that every source has.

    Returns
    -------
    EfficiencyInputs
        A balanced panel over the years common to every source; a province missing a value or
        with a value ≤ 0 in those years is dropped and named in ``notes``.

    Examples
    --------
    >>> inputs = efficiency_inputs()
    >>> inputs.years[0], inputs.years[-1], inputs.table.region_code.nunique()
    (2010, 2018, 30)
    """
    series, units, notes = _raw_series(delta, base_year)
    if fill_gaps:
        series = {k: _fill_single_gaps(v, k, notes) for k, v in series.items()}
    spans = {k: set(v.dropna().index.get_level_values("year")) for k, v in series.items()}
    common = sorted(set.intersection(*spans.values()))
    years = _longest_run(common)
    limits = ", ".join(f"{k} {min(v)}–{max(v)}" for k, v in spans.items())
    notes.append(
        f"年份 Years: {years[0]}–{years[-1]}, the longest run of consecutive years that every "
        f"source covers (sources: {limits})"
        + (
            f"; years of the overlap outside this consecutive run dropped: "
            f"{', '.join(map(str, sorted(set(common) - set(years))))}"
            if len(common) > len(years)
            else ""
        )
    )
    frame = pd.concat(series, axis=1)
    frame = frame[frame.index.get_level_values("year").isin(years)]
    codes = sorted(
        {c for c in frame.index.get_level_values("region_code") if is_province(c)}, key=order_key
    )
    full = pd.MultiIndex.from_product([codes, years], names=["region_code", "year"])
    frame = frame.reindex(full)
    bad = frame.isna() | (frame <= 0)
    dropped = []
    for code, rows in bad.groupby(level="region_code"):
        if rows.to_numpy().any():
            cells = rows.stack()
            cells = cells[cells]
            what = sorted({v for _, _, v in cells.index})
            dropped.append(
                f"{regions.name_of(int(code), 'en')} ({code}: {', '.join(what)} missing or ≤ 0 "
                f"in {len({y for _, y, _ in cells.index})} year(s))"
            )
    keep = [c for c in codes if not bad.loc[c].to_numpy().any()]
    if dropped:
        notes.append("剔除 Provinces dropped (DEA needs positive values): " + "; ".join(dropped))
    table = frame.loc[keep].rename_axis(columns="variable").stack().rename("value").reset_index()
    table["unit"] = table["variable"].map(units)
    table["region_code"] = table["region_code"].astype(int)
    table["year"] = table["year"].astype(int)
    return EfficiencyInputs(
        table=table,
        roles={
            "inputs": list(DEFAULT_INPUTS),
            "outputs": list(DEFAULT_OUTPUTS),
            "undesirable": list(DEFAULT_UNDESIRABLE),
        },
        notes=tuple(notes),
        meta=make_meta(
            "efficiency_inputs",
            delta=delta,
            base_year=base_year,
            fill_gaps=fill_gaps,
            years=[years[0], years[-1]],
            regions=len(keep),
        ),
    )


# ---------------------------------------------------------------------------------------------
# the study
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EfficiencyStudyResult(StudyResult):
    """Yearly DEA scores, Malmquist TFP and global Malmquist–Luenberger green TFP.

    Attributes
    ----------
    inputs
        The panel analysed (:class:`EfficiencyInputs`).
    scores
        ``region_code, year, efficiency``: DEA score of each region in each year's frontier.
    tfp
        The Malmquist index (:func:`~nqpf.efficiency.malmquist`), EC × TC (and PEC × SEC).
    green
        The global Malmquist–Luenberger index (:func:`~nqpf.efficiency.malmquist_luenberger`).
    model
        ``"sbm"``, ``"ccr"`` or ``"bcc"`` of the yearly scores.
    notes
        Inputs, deflators, δ, model, years, drops and repairs.
    """

    key = "efficiency"
    title = ("全要素生产率与绿色全要素生产率", "TFP and green TFP")

    inputs: EfficiencyInputs
    scores: pd.DataFrame
    tfp: Malmquist
    green: MalmquistLuenberger
    model: str
    notes: tuple[str, ...] = field(default=())

    @property
    def years(self) -> list[int]:
        """Years of the panel."""
        return self.inputs.years

    def tfp_table(self) -> pd.DataFrame:
        """``region_code, year_from, year, tfp, ec, tc, pec, sec`` (Malmquist, year → next)."""
        table = self.tfp.table.rename(
            columns={
                "dmu": "region_code",
                "period_from": "year_from",
                "period_to": "year",
                "malmquist": "tfp",
            }
        )
        return with_region_names(table.astype({"region_code": int}))

    def green_table(self) -> pd.DataFrame:
        """``region_code, year_from, year, gml, ec, bpc, cumulative`` (global ML)."""
        table = self.green.table.rename(
            columns={
                "dmu": "region_code",
                "base_period": "year_from",
                "period": "year",
                "index": "gml",
            }
        )
        return with_region_names(table.astype({"region_code": int, "year_from": int, "year": int}))

    def means(self) -> pd.DataFrame:
        """Geometric means by group and year: ``measure, group, year, index, ec, change, …``.

        ``measure`` is ``tfp`` (change = TC; ``pec``, ``sec`` the split of EC) or ``green_tfp``
        (change = BPC; no ``pec``/``sec``); groups are the
        nation and the macro-regions present. The means are taken over the regions whose three
        values are defined, so index = EC × change holds for them too; ``cumulative_*`` are
        products over the years (1 in the first year).
        """
        tfp = self.tfp_table().rename(columns={"tfp": "index", "tc": "change"})
        green = self.green_table().rename(columns={"gml": "index", "bpc": "change"})
        green = green.assign(pec=np.nan, sec=np.nan)
        values = ["index", "ec", "change", "pec", "sec"]
        parts = []
        for measure, table in (("tfp", tfp), ("green_tfp", green)):
            table = table.dropna(subset=["index", "ec", "change"])
            groups = [(NATIONAL, table)]
            labels = _macro_labels(table["region_code"])
            if labels is not None:
                groups += [(k, table[labels == k]) for k in _MACRO.values() if (labels == k).any()]
            for label, rows in groups:
                logs = np.log(rows[values]).groupby(rows["year"]).mean()
                start = int(rows["year_from"].min())
                cum = np.exp(logs[["index", "ec", "change"]].cumsum())
                cum.loc[start] = 1.0
                frame = (
                    pd.concat([pd.DataFrame(np.nan, index=[start], columns=values), np.exp(logs)])
                    .join(cum.add_prefix("cumulative_"))
                    .rename_axis("year")
                    .reset_index()
                )
                frame.insert(0, "group", label)
                frame.insert(0, "measure", measure)
                frame["regions"] = [0, *rows.groupby("year").size().tolist()]
                parts.append(frame)
        return pd.concat(parts, ignore_index=True)

    def by_region(self) -> pd.DataFrame:
        """Geometric means over the years by region (``tfp, tfp_ec, tfp_tc, gml, gml_ec, …``)."""
        tfp = self.tfp_table().set_index("region_code")[["tfp", "ec", "tc"]]
        green = self.green_table().set_index("region_code")[["gml", "ec", "bpc"]]
        out = pd.concat(
            [
                np.exp(np.log(tfp).groupby(level=0).mean()).rename(
                    columns={"ec": "tfp_ec", "tc": "tfp_tc"}
                ),
                np.exp(np.log(green).groupby(level=0).mean()).rename(
                    columns={"ec": "gml_ec", "bpc": "gml_bpc"}
                ),
            ],
            axis=1,
        )
        return with_region_names(out.rename_axis("region_code").reset_index())

    def decomposition(self) -> pd.DataFrame:
        """Mean yearly change over the whole span by group: geometric means of the yearly means."""
        means = self.means().dropna(subset=["index"])
        logs = np.log(means[["index", "ec", "change", "pec", "sec"]])
        out = np.exp(logs.groupby([means["measure"], means["group"]], sort=False).mean())
        last = means.groupby(["measure", "group"], sort=False)["cumulative_index"].last()
        return out.assign(cumulative=last).reset_index()

    def tables(self) -> dict[str, pd.DataFrame]:
        """Inputs, yearly scores, both indices, their means, by-region means, decomposition."""
        return {
            "efficiency_inputs": self.inputs.to_frame(),
            "efficiency_scores": with_region_names(self.scores),
            "tfp": self.tfp_table(),
            "green_tfp": self.green_table(),
            "tfp_means": self.means(),
            "tfp_by_region": self.by_region(),
            "tfp_decomposition": self.decomposition(),
        }

    def figures(self) -> dict[str, FigureSpec]:
        """Cumulative TFP and green TFP with their parts by group; map of mean green-TFP growth."""
        means = self.means()
        span = f"{self.years[0]}–{self.years[-1]}"
        out = {
            "tfp_lines": FigureSpec(
                f"全要素生产率及其分解（累计）Cumulative TFP (Malmquist) and EC, TC, {span}",
                "productivity_lines",
                means[means["measure"] == "tfp"],
                {"parts": ("TFP (M)", "EC", "TC")},
            ),
            "green_tfp_lines": FigureSpec(
                f"绿色全要素生产率及其分解（累计）Cumulative green TFP (GML) and EC, BPC, {span}",
                "productivity_lines",
                means[means["measure"] == "green_tfp"],
                {"parts": ("GTFP (GML)", "EC", "BPC")},
            ),
        }
        region = self.by_region()
        if all(is_province(c) for c in region["region_code"]):
            growth = (region.set_index("region_code")["gml"] - 1) * 100
            top = float(growth.abs().max())  # colours centred on no change
            out["green_tfp_map"] = FigureSpec(
                f"绿色全要素生产率年均增长 Mean yearly green-TFP growth (GML − 1, %), {span}",
                "province_map",
                growth,
                {
                    "label": "GML − 1 (%)",
                    "cmap": "RdYlGn",
                    "title": span,
                    "vmin": -top,
                    "vmax": top,
                },
            )
        return out

    def to_frame(self) -> pd.DataFrame:
        """The Malmquist and green-TFP indices by region and year, side by side."""
        tfp = self.tfp_table().drop(columns=["year_from"])
        green = self.green_table()[["region_code", "year", "gml", "ec", "bpc", "cumulative"]]
        return tfp.merge(
            green.rename(columns={"ec": "gml_ec", "cumulative": "gml_cumulative"}),
            on=["region_code", "year"],
            how="outer",
        )

    def summary(self) -> Summary:
        """Decomposition by group and the means by year, with the notes."""
        return Summary(
            " ".join(self.title),
            (
                ("分解 Decomposition by group", self.decomposition()),
                ("逐年均值 Geometric means by year", self.means()),
            ),
            self.notes,
        )


def _macro_labels(codes: pd.Series) -> pd.Series | None:
    """Macro-region label of each region code; ``None`` when a code is not a Chinese region."""
    try:
        keys = regions.macro_region(codes.tolist())
    except UnknownRegionError:
        return None
    return pd.Series([_MACRO[k] for k in keys], index=codes.index)


def _column(data: Panel, name: str) -> str:
    """The indicator a user names by itself or by its file header ("研发经费（万元）")."""
    try:
        return data.indicator_for(name)
    except DataValidationError as exc:
        raise DataValidationError(f"the data have no column {name!r}: {exc}") from None


def _user_inputs(
    data: Any, inputs: Sequence[str], outputs: Sequence[str], undesirable: Sequence[str]
) -> EfficiencyInputs:
    """A user's panel as :class:`EfficiencyInputs`: named indicators, consecutive years."""
    if not isinstance(data, Panel):
        raise DataValidationError(
            f"the efficiency study reads a Panel (nqpf.panel.Panel), got {type(data).__name__}"
        )
    roles = {
        role: [_column(data, v) for v in given]
        for role, given in (("inputs", inputs), ("outputs", outputs), ("undesirable", undesirable))
    }
    names = [v for group in roles.values() for v in group]
    if len(set(names)) < len(names):
        raise DataValidationError(f"a column is named twice among {names}")
    wide = data.wide(names)
    years = sorted(int(y) for y in wide.index.get_level_values("year").unique())
    gap = [y + 1 for y, y1 in zip(years[:-1], years[1:], strict=True) if y1 != y + 1]
    if gap:
        raise DataValidationError(
            f"year {gap[0]} is missing between {years[0]} and {years[-1]}: the productivity "
            "indices compare consecutive years"
        )
    for name in names:
        values = wide[name]
        bad = values[~(values > 0)]
        if len(bad):
            code, year = bad.index[0]
            value = bad.iloc[0]
            found = (
                "no value (fill it with --interpolate linear, or leave the region out)"
                if pd.isna(value)
                else show(value)
            )
            raise DataValidationError(
                f"{name!r} must be positive (DEA): region {code} ({region_label(code)}) in "
                f"{year} has {found}"
            )
    table = wide.rename_axis(columns="variable").stack().rename("value").reset_index()
    table["unit"] = table["variable"].map(lambda v: data.units.get(v, ""))
    return EfficiencyInputs(
        table=table,
        roles=roles,
        notes=(
            f"数据 Data: the user's panel; inputs {', '.join(roles['inputs'])}; outputs "
            f"{', '.join(roles['outputs'])}; undesirable "
            f"{', '.join(roles['undesirable']) or 'none'}; "
            f"{years[0]}–{years[-1]}, values as given (no deflation)",
        ),
        meta=make_meta("efficiency_inputs", source="user", years=[years[0], years[-1]]),
    )


def efficiency_study(
    data: Any = None,
    *,
    inputs: Sequence[str] | None = None,
    outputs: Sequence[str] | None = None,
    undesirable: Sequence[str] | None = None,
    model: Model = "sbm",
    orientation: Literal["input", "output"] = "input",
    malmquist_kind: Literal["adjacent", "global"] = "adjacent",
    delta: float = 0.096,
    base_year: int = 2010,
) -> EfficiencyStudyResult:
    r"""DEA scores, Malmquist TFP and global Malmquist–Luenberger green TFP by region and year.

    Parameters
    ----------
    data
        ``None`` or the bundled province panel: the bundled inputs of :func:`efficiency_inputs`;
        an :class:`EfficiencyInputs`; or a user's :class:`~nqpf.panel.Panel` with the columns
        named by ``inputs``, ``outputs`` and ``undesirable``.
    inputs, outputs, undesirable
        Indicator names of a user's panel (the undesirable outputs are needed by green TFP).
    model
        Yearly scores: ``"sbm"`` (Tone 2001/2004, CRS, non-oriented, with the undesirable
        outputs), ``"ccr"`` (CRS) or ``"bcc"`` (VRS), radial in ``orientation`` (good outputs
        only).
    orientation
        Of the radial scores and of the Malmquist distance functions.
    malmquist_kind
        ``"adjacent"`` (Färe et al. 1994: M = EC × TC, with EC = PEC × SEC) or ``"global"``
        (Pastor & Lovell 2005: M = EC × BPC, in the ``tc`` column). The green index is always the
        global ML of Oh (2010), CRS: GML = EC × BPC.
    delta, base_year
        δ and the price year of the bundled inputs.

    Raises
    ------
    DataValidationError
        A user's panel without column names, a missing column, a value ≤ 0, a year gap.
    """
    if model not in ("sbm", "ccr", "bcc"):
        raise DataValidationError(f"unknown DEA model {model!r}; use 'sbm', 'ccr' or 'bcc'")
    if data is None or (is_bundled(data) and inputs is None and outputs is None):
        panel = efficiency_inputs(delta=delta, base_year=base_year)
    elif isinstance(data, EfficiencyInputs):
        panel = data
    else:
        if not inputs or not outputs or not undesirable:
            raise DataValidationError(
                "the efficiency study of your own table needs the names of its input, output and "
                "undesirable-output columns (e.g. --input K --input L --output Y --undesirable CO2)"
            )
        panel = _user_inputs(data, inputs, outputs, undesirable)
    wide = panel.wide()
    roles = panel.roles
    x, y, b = (wide[roles[k]] for k in ("inputs", "outputs", "undesirable"))
    notes = list(panel.notes)
    scores, dea_notes = [], []
    for year in panel.years:
        rows = wide.index.get_level_values("year") == year
        idx = wide.index[rows].get_level_values("region_code")
        result = dea(
            x[rows].set_axis(idx),
            y[rows].set_axis(idx),
            model=model,
            orientation=orientation,
            undesirable=b[rows].set_axis(idx) if model == "sbm" else None,
        )
        scores.append(
            pd.DataFrame(
                {"region_code": idx, "year": year, "efficiency": result.efficiency.to_numpy()}
            )
        )
        dea_notes += [n for n in result.notes if n not in dea_notes]
    notes.append(
        f"效率 Yearly scores: {model.upper()} against each year's frontier"
        + (
            " with CO2 as the undesirable output (Tone 2004), constant returns"
            if model == "sbm"
            else f", {orientation}-oriented, {'constant' if model == 'ccr' else 'variable'} "
            "returns; "
            "undesirable outputs are not used by the radial models"
        )
    )
    notes += [f"DEA: {n}" for n in dea_notes]
    tfp = malmquist(x, y, rts="crs", orientation=orientation, kind=malmquist_kind)
    notes += [f"TFP (Malmquist): {n}" for n in tfp.notes]
    green = malmquist_luenberger(
        wide.reset_index(),
        inputs=roles["inputs"],
        good=roles["outputs"],
        bad=roles["undesirable"],
        kind="global",
        rts="crs",
    )
    notes += [f"绿色 Green TFP (global ML, Oh 2010): {n}" for n in green.notes]
    notes.append(
        "均值 Means: geometric means over regions by year (nation, macro-regions); cumulative = "
        "product of the yearly means from the first year (= 1)"
    )
    return EfficiencyStudyResult(
        inputs=panel,
        scores=pd.concat(scores, ignore_index=True),
        tfp=tfp,
        green=green,
        model=model,
        notes=tuple(notes),
        meta=make_meta(
            "efficiency study",
            model=model,
            orientation=orientation,
            malmquist=malmquist_kind,
            years=[panel.years[0], panel.years[-1]],
            n=int(wide.index.get_level_values("region_code").nunique()),
            **{k: v for k, v in panel.meta.items() if k in ("delta", "base_year", "source")},
        ),
    )
