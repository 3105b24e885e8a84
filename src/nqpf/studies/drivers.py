r"""What drives a value and whether it spills over, in one call.

:func:`drivers_study` fits a fixed-effects spatial panel model (the spatial Durbin model with
two-way effects and the Lee–Yu correction by default) with LeSage–Pace direct, indirect and total
effects, its LM/LR/Wald/Hausman tests and the non-spatial panel fixed-effects regression alongside;
the geographical detector with an optimal discretisation of every continuous driver; and a GWR of
the map year's cross-section. Drivers are expressions over a :class:`~nqpf.panel.Panel`; the
dependent value comes from the composite-index result or a long table.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from nqpf._random import RandomSource, Seed
from nqpf.econometrics import (
    EFFECTS,
    MODELS,
    PanelFEResults,
    SpatialPanel,
    SpatialPanelResults,
    outcomes_frame,
    panel_fe,
)
from nqpf.errors import DataValidationError
from nqpf.geo import SpatialWeights
from nqpf.results import Summary, make_meta
from nqpf.spatial.geodetector import (
    DISCRETIZATION_METHODS,
    GeoDetectorResult,
    geodetector,
    optimal_discretization,
)
from nqpf.spatial.gwr import GWRResult, gwr
from nqpf.studies.base import FigureSpec, StudyResult
from nqpf.studies.inputs import (
    order_key,
    study_weights,
    value_table,
    weights_description,
    with_region_names,
)
from nqpf.validation import ValidationReport

__all__ = [
    "DEFAULT_DRIVERS",
    "DEFAULT_DRIVERS_NOTE",
    "Driver",
    "DriversStudyResult",
    "drivers_study",
]


@dataclass(frozen=True)
class Driver:
    """One explanatory variable of :func:`drivers_study`: a formula over panel variables."""

    expression: str
    label_zh: str
    label_en: str
    definition: str = ""

    @property
    def label(self) -> str:
        """Bilingual label ``"中文 English"``."""
        return f"{self.label_zh} {self.label_en}".strip()


#: Default drivers for the bundled provincial data (all 31 provinces, 2011–2022), none of them
#: an indicator of the built-in index system. Not standardised: coefficients are per unit of each
#: expression (ln GDP, percentage points).
DEFAULT_DRIVERS: dict[str, Driver] = {
    "ln_gdp": Driver(
        "log(gdp)",
        "经济发展水平",
        "Economic development (ln GDP)",
        "Natural log of GDP (亿元, current prices): the size of the provincial economy.",
    ),
    "gov_intervention": Driver(
        "100 * budget_total / gdp",
        "政府干预程度",
        "Government intervention (budget expenditure / GDP, %)",
        "General public budget expenditure divided by GDP, in %: the weight of local "
        "government in the economy.",
    ),
    "agri_support": Driver(
        "100 * budget_agriculture / budget_total",
        "财政支农力度",
        "Fiscal support for agriculture (share of budget, %)",
        "Expenditure on agriculture, forestry and water affairs divided by total general public "
        "budget expenditure, in %: how far the budget is oriented to the rural economy.",
    ),
}

#: Why the defaults are what they are (shown in the report and the notes when they are used).
DEFAULT_DRIVERS_NOTE = (
    "默认影响因素 Default drivers: ln GDP, budget expenditure / GDP and the agriculture share of "
    "the budget — the variables of the bundled data that cover all 31 provinces in 2011–2022 and "
    "are not indicators of the index. The secondary-industry share is left out on purpose: it "
    "equals 100 − primary − tertiary share, and both of those are index indicators, so its "
    "coefficient would be partly an accounting identity (add it with x=[..., "
    "'share_secondary'] if wanted). GDP is the denominator of four index indicators, so the "
    "coefficient of ln GDP mixes the effect of economic size with that mechanical link. "
    "Variables are not standardised."
)


@dataclass(frozen=True)
class DriversStudyResult(StudyResult):
    """Drivers of a value: spatial panel model, geographical detector and GWR.

    Attributes
    ----------
    y
        The dependent value (``"score"`` or a dimension of the index).
    drivers
        One row per explanatory variable: ``name, expression, label_zh, label_en``.
    data
        The panel analysed: ``region_code, year, y`` and one column per driver (named).
    weights, weights_label
        The row-standardised spatial weights of the panel model and their description.
    spatial
        The fitted spatial panel model (:class:`~nqpf.econometrics.SpatialPanelResults`).
    panel
        The non-spatial fixed-effects regression with the same effects, standard errors
        clustered by region (:class:`~nqpf.econometrics.PanelFEResults`).
    collinearity
        Variance inflation factor of every driver on the pooled data.
    geodetector
        The geographical detector (:class:`~nqpf.spatial.GeoDetectorResult`).
    discretization
        The optimal discretisation of every driver: ``factor, method, classes, n_strata, q,
        breaks`` (the method × classes that maximised *q*).
    geodetector_scope, geodetector_n
        ``"pooled"`` (all region-years) or ``"map_year"`` and the number of observations.
    gwr
        GWR of the cross-section of ``gwr_year`` (:class:`~nqpf.spatial.GWRResult`).
    gwr_year
        Year of the GWR cross-section.
    notes
        What the reader must know: small samples, conventions, weight repairs, default drivers.
    """

    key = "drivers"
    title = ("影响因素与空间溢出", "Drivers and spatial spillovers")

    y: str
    drivers: pd.DataFrame
    data: pd.DataFrame
    weights: SpatialWeights
    weights_label: str
    spatial: SpatialPanelResults
    panel: PanelFEResults
    collinearity: pd.DataFrame
    geodetector: GeoDetectorResult
    discretization: pd.DataFrame
    geodetector_scope: str
    geodetector_n: int
    gwr: GWRResult
    gwr_year: int
    notes: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        """Names of the drivers, in order."""
        return self.drivers["name"].tolist()

    @property
    def labels(self) -> dict[str, str]:
        """Bilingual label of every driver name (the expression for user drivers)."""
        return {
            r.name: (f"{r.label_zh} {r.label_en}".strip() or r.expression)
            for r in self.drivers.itertuples(index=False)
        }

    @property
    def years(self) -> list[int]:
        """Years of the panel."""
        return sorted(int(y) for y in self.data["year"].unique())

    # -- tidy tables ------------------------------------------------------------------------
    def tables(self) -> dict[str, pd.DataFrame]:
        """The study's tables (CSV files of ``nqpf drivers``, workbook sheets of the report).

        ``sdm`` (spatial-model and panel-FE coefficients), ``effects``, ``sdm_tests``,
        ``geodetector`` (every detector, discretisation on the factor rows), ``interaction``
        (factor × factor q), ``gwr`` (local coefficients).
        """
        return {
            "sdm": self.coefficients_frame(),
            "effects": self.effects_frame(),
            "sdm_tests": self.tests_frame(),
            "geodetector": self.geodetector_frame(),
            "interaction": self.geodetector.interaction_q.rename_axis("factor").reset_index(),
            "gwr": self.gwr_frame(),
        }

    def figure_labels(self) -> dict[str, str]:
        """Driver labels for figures: Chinese and English on separate, wrapped lines."""
        out = {}
        for row in self.drivers.itertuples(index=False):
            if row.label_zh or row.label_en:
                english = textwrap.fill(row.label_en, 30) if row.label_en else ""
                out[row.name] = "\n".join(part for part in (row.label_zh, english) if part)
            else:
                out[row.name] = textwrap.fill(row.expression, 30)
        return out

    def figures(self) -> dict[str, FigureSpec]:
        """Effects with intervals, geodetector q and interactions, GWR coefficient maps."""
        labels = self.figure_labels()
        gd = self.geodetector
        factors = gd.factor_table.merge(
            self.discretization[["factor", "method", "classes"]], on="factor"
        )
        return {
            "effects": FigureSpec(
                "效应分解及 95% 置信区间 Effects with 95% intervals",
                "effects_plot",
                self.effects_frame(),
                {"labels": labels},
            ),
            "geodetector": FigureSpec(
                "各因子的解释力 q Explanatory power q of each driver (method, classes)",
                "geodetector_bars",
                factors,
                {"labels": labels},
            ),
            "interaction": FigureSpec(
                "交互探测 q 值（对角线为单因子 q）Interaction q (single-factor q on the diagonal)",
                "interaction_heatmap",
                gd.interaction_q,
                {"interaction_type": gd.interaction_type, "labels": labels},
            ),
            "gwr": FigureSpec(
                f"{self.gwr_year} 年 GWR 局部系数与局部 R² GWR local coefficients and local "
                f"R², {self.gwr_year}",
                "gwr_coefficient_maps",
                self.gwr.coefficients,
                {
                    "terms": self.names,
                    "labels": labels,
                    "local_r2": self.gwr.local.set_index("region_code")["local_r2"],
                },
            ),
        }

    def coefficients_frame(self) -> pd.DataFrame:
        """Spatial-model coefficients (``W*x`` lags, ρ/λ, σ²) and the panel FE alongside.

        Columns ``model, term, estimate, std_error, statistic, p_value``; ``model`` is the
        spatial model (``sdm`` …) or ``panel_fe``.
        """
        spatial = self.spatial.to_frame()
        spatial = spatial[spatial["component"] == "coefficient"].drop(columns="component")
        spatial.insert(0, "model", self.spatial.model)
        fe = self.panel.to_frame()
        fe.insert(0, "model", "panel_fe")
        return pd.concat([spatial, fe], ignore_index=True)

    def effects_frame(self) -> pd.DataFrame:
        """Direct, indirect and total effects: ``term, effect, estimate, std_error, p_value``."""
        rows = []
        for term, row in self.spatial.effects.iterrows():
            for part in ("direct", "indirect", "total"):
                rows.append(
                    {
                        "term": term,
                        "effect": part,
                        "estimate": float(row[part]),
                        "std_error": float(row[f"{part}_se"]),
                        "p_value": float(row[f"{part}_p_value"]),
                    }
                )
        return pd.DataFrame(rows)

    def tests_frame(self) -> pd.DataFrame:
        """LM, LR, Wald and Hausman tests: ``test, statistic, df, p_value, distribution, ...``."""
        return outcomes_frame(self.spatial.tests)

    def geodetector_frame(self) -> pd.DataFrame:
        """Every detector's tests (tidy) with the chosen discretisation on the factor rows."""
        tidy = self.geodetector.to_frame()
        disc = self.discretization[["factor", "method", "classes", "n_strata"]]
        disc = disc.assign(detector="factor")
        return tidy.merge(disc, on=["detector", "factor"], how="left")

    def gwr_frame(self) -> pd.DataFrame:
        """Local GWR coefficients by region and term, with local R², fitted values, residuals."""
        out = self.gwr.coefficients.merge(self.gwr.local, on="region_code", how="left")
        return with_region_names(out)

    # -- results contract ------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """Headline numbers: ``part, term, estimate, std_error, statistic, p_value``.

        Parts: the spatial model's ``coefficient`` rows and its ``direct``/``indirect``/``total``
        effects, ``panel_fe`` coefficients, ``geodetector_q`` (factor q and p-value) and
        ``gwr_local_mean`` (mean local coefficient; ``std_error`` holds their SD across regions).
        """
        spatial = self.spatial.to_frame().rename(columns={"component": "part"})
        fe = self.panel.to_frame().assign(part="panel_fe")
        q = pd.DataFrame(
            {
                "part": "geodetector_q",
                "term": self.geodetector.q.index.astype(str),
                "estimate": self.geodetector.q.to_numpy(dtype=float),
                "std_error": np.nan,
                "statistic": self.geodetector.factor_table.set_index("factor")
                .reindex(self.geodetector.q.index)["f_statistic"]
                .to_numpy(dtype=float),
                "p_value": self.geodetector.p_value.to_numpy(dtype=float),
            }
        )
        local = self.gwr.coefficient_table()
        gw = pd.DataFrame(
            {
                "part": "gwr_local_mean",
                "term": local.index.astype(str),
                "estimate": local["mean"].to_numpy(dtype=float),
                "std_error": local["std"].to_numpy(dtype=float),
                "statistic": np.nan,
                "p_value": np.nan,
            }
        )
        cols = ["part", "term", "estimate", "std_error", "statistic", "p_value"]
        return pd.concat([spatial[cols], fe[cols], q, gw], ignore_index=True)

    def summary(self) -> Summary:
        """The spatial model's journal table, the panel FE, geodetector q and GWR diagnostics."""
        spatial = self.spatial.summary()
        tables = list(spatial.tables)
        tables.append(
            ("面板固定效应 Panel fixed effects (non-spatial)", self.panel.summary().tables[0][1])
        )
        gd = self.geodetector.summary()
        tables += list(gd.tables[:2])
        tables += list(self.gwr.summary().tables)
        return Summary(
            f"影响因素 Drivers of {self.y}",
            tuple(tables),
            tuple([*spatial.notes, *self.notes]),
        )


def _parse_drivers(x: Any) -> dict[str, Driver]:
    """Named drivers from a mapping, a list of expressions / ``name=expression`` or ``None``."""
    if x is None:
        return dict(DEFAULT_DRIVERS)
    if isinstance(x, str):
        x = [x]
    out: dict[str, Driver] = {}
    items: list[tuple[str, Any]]
    if isinstance(x, Mapping):
        items = [(str(k), v) for k, v in x.items()]
    else:
        items = []
        for entry in x:
            if isinstance(entry, Driver):
                items.append((entry.expression, entry))
                continue
            text = str(entry).strip()
            name, sep, expression = text.partition("=")
            if sep and re.fullmatch(r"[A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff]*", name.strip()):
                items.append((name.strip(), expression.strip()))
            else:
                items.append((text, text))
    if not items:
        raise DataValidationError("x must name at least one explanatory variable")
    seen: dict[str, str] = {}
    for name, spec in items:
        driver = spec if isinstance(spec, Driver) else Driver(str(spec).strip(), "", "")
        if not driver.expression:
            raise DataValidationError(f"explanatory variable {name!r} has an empty expression")
        key = re.sub(r"\s+", "", driver.expression)
        if key in seen:
            raise DataValidationError(
                f"explanatory variable {driver.expression!r} is listed twice (as {seen[key]!r} "
                f"and {name!r}): identical columns make X singular — list each once"
            )
        if name in out:
            raise DataValidationError(f"two explanatory variables are named {name!r}")
        seen[key] = name
        out[name] = driver
    return out


def _vif(data: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    r"""Variance inflation factors :math:`1/(1-R_j^2)` of the pooled drivers (with a constant)."""
    X = data[names].to_numpy(dtype=float)
    rows = []
    for j, name in enumerate(names):
        others = np.delete(X, j, axis=1)
        design = np.column_stack([np.ones(len(X)), others])
        target = X[:, j]
        coef, *_ = np.linalg.lstsq(design, target, rcond=None)
        resid = target - design @ coef
        tss = float(((target - target.mean()) ** 2).sum())
        r2 = 1.0 - float(resid @ resid) / tss if tss > 0 else np.nan
        rows.append({"term": name, "r2": r2, "vif": 1.0 / (1.0 - r2) if r2 < 1 else np.inf})
    return pd.DataFrame(rows)


def drivers_study(
    panel: Any,
    index_result: Any,
    x: Sequence[str] | Mapping[str, str | Driver] | None = None,
    model: Literal["sar", "sem", "sdm", "sdem"] = "sdm",
    effects: Literal["region", "time", "twoway"] = "twoway",
    w: str | SpatialWeights | None = None,
    geodetector_classes: Sequence[int] = range(3, 7),
    gwr_year: int | None = None,
    seed: Seed = 0,
    *,
    y: str = "score",
    draws: int = 1000,
    geodetector_scope: Literal["pooled", "map_year"] = "pooled",
    gwr_standardize: bool = True,
) -> DriversStudyResult:
    r"""What drives a value and whether it spills over: spatial panel, geodetector, GWR.

    Parameters
    ----------
    panel
        The :class:`~nqpf.panel.Panel` the drivers are evaluated on.
    index_result
        The composite-index result (``y`` is ``"score"`` or a dimension) or a long DataFrame
        with ``region_code``, ``year`` and ``y`` columns. Its region-years are the sample.
    x
        Drivers: expressions over panel variables (``"log(gdp)"``, ``"name=expression"``) or a
        mapping name → expression or :class:`Driver`; default :data:`DEFAULT_DRIVERS`.
    model, effects
        Spatial panel model (``"sdm"``, ``"sar"``, ``"sem"``, ``"sdem"``) and fixed effects
        (``"twoway"``, ``"region"``, ``"time"``).
    w
        Spatial weights (see :func:`study_weights`); row-standardised for the panel model.
    geodetector_classes
        Numbers of classes tried by the optimal discretisation of every driver (with every
        method of :data:`~nqpf.spatial.DISCRETIZATION_METHODS`).
    gwr_year
        Year of the GWR cross-section (default the latest year); also the year of a
        ``geodetector_scope="map_year"`` detector.
    seed
        Seed of the effects' parameter draws and of the discretisation.
    y
        The dependent value of ``index_result``.
    draws
        Parameter draws for the simulated standard errors of the effects.
    geodetector_scope
        ``"pooled"`` (every region-year, default) or ``"map_year"`` (the regions of ``gwr_year``).
    gwr_standardize
        Fit the GWR on z-scores (default), so that local coefficients of different drivers are
        comparable; the panel models use the variables as given.

    Returns
    -------
    DriversStudyResult

    Raises
    ------
    DataValidationError
        Unknown panel variables (with the closest names), a driver listed twice, collinear
        drivers (named), missing cells (naming the region and year), a year not in the data.
    WeightsError
        Spatial weights that do not match the regions (naming them).
    ConvergenceError
        A spatial model that does not converge or whose Hessian is not negative definite.

    Notes
    -----
    - Spatial panel: :class:`~nqpf.econometrics.SpatialPanel` (ML, Elhorst 2014; Lee & Yu 2010
      transformation approach) with effects from
      :math:`S_k(W) = (I-\rho W)^{-1}(I\beta_k + W\theta_k)` (LeSage & Pace 2009) and ``draws``
      simulated parameter vectors; LM (classic and robust), LR and Wald tests of SDM against
      SAR/SEM and the Hausman test; :func:`~nqpf.econometrics.panel_fe` alongside.
    - Geographical detector (Wang et al. 2010) in the R ``geodetector`` 1.0-5 convention, every
      driver cut by :func:`~nqpf.spatial.optimal_discretization` (Song et al. 2020).
    - GWR with an adaptive bisquare kernel, bandwidth by AICc (``mgwr``; Fotheringham et al.
      2002) on the capitals' coordinates.

    Examples
    --------
    >>> from nqpf.panel import Panel
    >>> rng = np.random.default_rng(0)
    >>> codes = [110000, 120000, 130000, 140000, 150000, 210000, 220000, 230000, 310000, 320000,
    ...          330000, 340000]
    >>> wide = pd.DataFrame({"region": np.repeat(codes, 4), "year": np.tile(range(2019, 2023), 12),
    ...                      "gdp": rng.uniform(1e3, 1e4, 48), "budget": rng.uniform(1e2, 1e3, 48)})
    >>> panel = Panel.from_wide(wide)
    >>> scores = panel.wide(["gdp", "budget"]).reset_index()
    >>> scores["score"] = 0.1 * np.log(scores.gdp) + rng.normal(0, 0.05, 48)
    >>> r = drivers_study(panel, scores[["region_code", "year", "score"]],
    ...                   x=["ln_gdp=log(gdp)", "budget / gdp"], w="knn:3", draws=50,
    ...                   geodetector_classes=[3])
    >>> r.names, list(r.spatial.effects.columns[:3]), r.gwr_year
    (['ln_gdp', 'budget / gdp'], ['direct', 'indirect', 'total'], 2022)
    """
    if model not in MODELS:
        raise DataValidationError(f"model must be one of {list(MODELS)}, got {model!r}")
    if effects not in EFFECTS:
        raise DataValidationError(f"effects must be one of {list(EFFECTS)}, got {effects!r}")
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 2:
        raise DataValidationError(f"draws must be an integer >= 2, got {draws!r}")
    drivers = _parse_drivers(x)
    names = list(drivers)
    if y in names:
        raise DataValidationError(f"{y!r} is both the dependent value and a driver name")
    if geodetector_scope not in ("pooled", "map_year"):
        raise DataValidationError(
            f"geodetector_scope must be 'pooled' or 'map_year', got {geodetector_scope!r}"
        )
    classes = [int(c) for c in geodetector_classes]
    if not classes or min(classes) < 2:
        raise DataValidationError(
            f"geodetector_classes must be integers >= 2, got {list(geodetector_classes)}"
        )
    target, notes = value_table(index_result, y, what="drivers_study")
    target = target.sort_values(["year", "region_code"], ignore_index=True)
    if not (callable(getattr(panel, "evaluate", None)) and hasattr(panel, "indicators")):
        raise DataValidationError(
            f"drivers_study evaluates the drivers on a nqpf Panel; got {type(panel).__name__}"
        )
    repairs = ValidationReport()
    data = target.rename(columns={"value": y})
    for name, driver in drivers.items():
        series = panel.evaluate(driver.expression, report=repairs).rename(name)
        data = data.merge(series.reset_index(), on=["region_code", "year"], how="left")
    if len(repairs):
        first = repairs.to_frame().iloc[0]
        notes.append(
            f"{len(repairs)} driver cell(s) undefined (division by zero); first: {first['message']}"
        )
    codes = sorted(data["region_code"].unique(), key=order_key)
    years = sorted(set(data["year"]))
    if gwr_year is None:
        gwr_year = years[-1]
    elif int(gwr_year) not in years:
        raise DataValidationError(f"gwr_year {gwr_year} is not in the data; it has {years}")
    gwr_year = int(gwr_year)
    raw, w_notes = study_weights(w, codes)
    notes += w_notes
    standardized = raw if raw.row_standardized else raw.standardize()
    label = weights_description(raw, w)

    # 1. spatial panel model and the non-spatial FE alongside ---------------------------------
    source = RandomSource.from_seed(seed)
    fitted = SpatialPanel(model, effects, draws=draws, seed=source.seed).fit(
        data, y=y, x=names, w=standardized
    )
    fe = panel_fe(data, y, names, effects=effects)
    vif = _vif(data, names)

    # 2. geographical detector ----------------------------------------------------------------
    sample = data if geodetector_scope == "pooled" else data[data["year"] == gwr_year]
    disc_rows = []
    breaks: dict[str, list[float]] = {}
    for name in names:
        best = optimal_discretization(
            sample[name].to_numpy(dtype=float),
            sample[y].to_numpy(dtype=float),
            methods=DISCRETIZATION_METHODS,
            classes=classes,
            seed=source.seed,
        )
        breaks[name] = [float(b) for b in best.breaks]
        disc_rows.append(
            {
                "factor": name,
                "method": best.method,
                "classes": best.classes,
                "n_strata": int(best.table.loc[best.table["best"], "n_strata"].iloc[0]),
                "q": best.q,
                "breaks": breaks[name],
            }
        )
    detector = geodetector(sample, y, names, discretize=breaks, seed=source.seed)
    discretization = pd.DataFrame(disc_rows)

    # 3. GWR of one cross-section ---------------------------------------------------------------
    cross = data[data["year"] == gwr_year].reset_index(drop=True)
    local = gwr(cross, y, names, standardize=gwr_standardize)

    # notes ---------------------------------------------------------------------------------
    if x is None:
        notes.append(DEFAULT_DRIVERS_NOTE)
    n_regions = len(codes)
    n_gd = len(sample)
    notes.append(
        f"小样本 Small samples: {n_regions} regions × {len(years)} years. The panel model uses "
        f"all {len(data)} region-years; the GWR uses the {len(cross)} regions of {gwr_year} "
        f"alone (bandwidth {local.bandwidth.iloc[0]:g} "
        f"{'neighbours' if not local.fixed else 'km'}), so its local coefficients rest on a "
        "few dozen points and are descriptive rather than inferential."
    )
    at_top = discretization.loc[discretization["classes"] == max(classes), "factor"].tolist()
    if geodetector_scope == "pooled":
        scope_note = (
            f"地理探测器 Geographical detector on all {n_gd} region-years pooled: the "
            "observations are not independent (the same province recurs every year) and q mixes "
            "differences between provinces with change over time, so the p-values are too "
            "optimistic."
        )
    else:
        scope_note = (
            f"地理探测器 Geographical detector on the {n_gd} regions of {gwr_year}: each stratum "
            "holds only a handful of regions, so q and its p-value are fragile."
        )
    if at_top:
        scope_note += (
            f" q grows with the number of strata; the optimum hit the largest number of classes "
            f"allowed ({max(classes)}) for {', '.join(at_top)}."
        )
    notes.append(scope_note)
    high_vif = vif.loc[vif["vif"] > 5, "term"].tolist()
    if high_vif:
        notes.append(
            f"共线性 Collinearity: VIF > 5 for {', '.join(high_vif)}; their separate "
            "coefficients are imprecise."
        )

    drivers_table = pd.DataFrame(
        [
            {
                "name": name,
                "expression": d.expression,
                "label_zh": d.label_zh,
                "label_en": d.label_en,
                "definition": d.definition,
            }
            for name, d in drivers.items()
        ]
    )
    return DriversStudyResult(
        y=y,
        drivers=drivers_table,
        data=data,
        weights=standardized,
        weights_label=label,
        spatial=fitted,
        panel=fe,
        collinearity=vif,
        geodetector=detector,
        discretization=discretization,
        geodetector_scope=geodetector_scope,
        geodetector_n=n_gd,
        gwr=local,
        gwr_year=gwr_year,
        notes=tuple(notes),
        meta=make_meta(
            "drivers_study",
            y=y,
            x={name: d.expression for name, d in drivers.items()},
            model=model,
            effects=effects,
            weights=label,
            draws=int(draws),
            seed=source.record,
            geodetector_classes=classes,
            geodetector_scope=geodetector_scope,
            gwr_year=gwr_year,
            gwr_standardize=gwr_standardize,
            regions=n_regions,
            years=len(years),
        ),
    )
