r"""What-if scenarios: change indicators and compare the index, ranks, disparity and coupling.

A :class:`Change` raises, lowers or sets one indicator of the index system in chosen regions and
years; :func:`parse_change` reads its text form (``rd_intensity*1.1@中部``, grammar in
docs/scenarios.md). :func:`scenario_study` computes the baseline index and the scenario index
with the same Monte Carlo runs and seed (the rank uncertainty of
:func:`~nqpf.index.index_uncertainty`, OECD/JRC 2008), and sets them side by side: scores and
ranks with both rank intervals, Dagum's Gini (Dagum 1997) and Theil's T by macro-region, and the
coupling coordination degree :math:`D = \sqrt{CT}` of the index's elements.

By default (``hold="weights"``) the scenario is scored with the baseline's normalisation
statistics and data-driven weights (:func:`~nqpf.index.index_of_values` with ``basis=``), so
that only the changed values move; ``hold="none"`` recomputes bounds and weights on the changed
data.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from nqpf import regions
from nqpf.disparity import disparity_table
from nqpf.errors import DataValidationError, IndexSystemError, UnknownRegionError
from nqpf.index import IndexResult, UncertaintyResult, compute_index, index_of_values
from nqpf.index import index_uncertainty as rank_runs
from nqpf.paths import memberships
from nqpf.results import Summary, make_meta
from nqpf.studies.base import FigureSpec, StudyResult
from nqpf.studies.coupling import CouplingStudyResult, coupling_study
from nqpf.studies.inputs import region_level, with_region_names

__all__ = [
    "DEFAULT_CHANGES",
    "HOLD_POLICIES",
    "Change",
    "ScenarioStudyResult",
    "apply_changes",
    "parse_change",
    "scenario_study",
]

Hold = Literal["weights", "none"]
#: How the scenario index is scored: ``"weights"`` holds the baseline's normalisation bounds and
#: weights, ``"none"`` recomputes both on the changed data.
HOLD_POLICIES: tuple[str, ...] = ("weights", "none")
#: The main job's scenario: +10 % R&D intensity in the Central (中部) region.
DEFAULT_CHANGES: tuple[str, ...] = ("rd_intensity*1.1@中部",)

_OPERATIONS = {"*": "×", "+": "+", "=": "="}
_HEAD = re.compile(r"^\s*([^\s*+\-=@:]+)\s*([*+\-=])\s*(\S.*?)\s*$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_YEARS = re.compile(r"^(\d{4})(?:\s*-\s*(\d{4}))?$")
_DISPARITY_MEASURES = {
    "gini": "基尼系数 Gini (Dagum)",
    "gini_within_share": "组内贡献率 Within-group share",
    "gini_between_share": "组间贡献率 Net between-group share",
    "gini_transvariation_share": "超变密度贡献率 Transvariation share",
    "theil_t": "泰尔指数 Theil T",
    "theil_t_within": "泰尔组内 Theil T within",
    "theil_t_between": "泰尔组间 Theil T between",
}


@dataclass(frozen=True)
class Change:
    """One indicator change of a scenario.

    Attributes
    ----------
    indicator
        Name of an indicator of the index system (``rd_intensity``).
    operation
        ``"*"`` multiply by ``amount``, ``"+"`` add ``amount`` (negative: subtract), ``"="`` set
        to ``amount``.
    amount
        The factor, delta or value.
    regions
        Region terms (macro-region, urban agglomeration, province or city name or code); empty:
        every region.
    years
        Years changed; empty: every year of the index.
    """

    indicator: str
    operation: Literal["*", "+", "="]
    amount: float
    regions: tuple[str, ...] = ()
    years: tuple[int, ...] = ()

    def describe(self) -> str:
        """``rd_intensity ×1.1 @ 中部`` (years added when restricted)."""
        where = f" @ {', '.join(self.regions)}" if self.regions else " @ all regions"
        when = f" : {_years_text(self.years)}" if self.years else ""
        symbol, amount = _OPERATIONS[self.operation], self.amount
        if self.operation == "+" and amount < 0:
            symbol, amount = "-", -amount
        return f"{self.indicator} {symbol}{amount:g}{where}{when}"

    def apply(self, values: np.ndarray) -> np.ndarray:
        """The changed values."""
        if self.operation == "*":
            return values * self.amount
        if self.operation == "+":
            return values + self.amount
        return np.full_like(values, self.amount, dtype=float)


def parse_change(text: str) -> Change:
    """Read a change from its text form ``INDICATOR OP AMOUNT[@REGIONS][:YEARS]``.

    ``OP AMOUNT`` is ``*1.1`` (factor), ``+0.5`` / ``-0.5`` (delta), ``+10%`` / ``-10%``
    (relative: factor 1.1 / 0.9) or ``=3`` (set value); ``REGIONS`` is a list of terms separated
    by ``,`` or ``|``; ``YEARS`` a list of years or ranges ``2018-2020`` separated by ``,``.

    >>> parse_change("rd_intensity*1.1@中部|Central").regions
    ('中部', 'Central')
    >>> parse_change("rd_intensity+10%@北京,上海:2020-2021").describe()
    'rd_intensity ×1.1 @ 北京, 上海 : 2020–2021'
    >>> parse_change("rd_intensity^2")
    Traceback (most recent call last):
    ...
    nqpf.errors.DataValidationError: change 'rd_intensity^2': cannot read 'rd_intensity^2'; ...

    Raises
    ------
    DataValidationError
        Naming the token that cannot be read.
    """
    spec = str(text).strip()

    def fail(token: str, expected: str) -> DataValidationError:
        return DataValidationError(f"change {spec!r}: cannot read {token!r}; expected {expected}")

    head, years_text = spec, ""
    if ":" in spec:
        head, years_text = spec.rsplit(":", 1)
        if not years_text.strip():
            raise fail(":", "years after ':' (2023, 2018-2020 or 2019,2021)")
    region_text = ""
    if "@" in head:
        head, region_text = head.split("@", 1)
        if not region_text.strip():
            raise fail("@", "regions after '@' (中部, 北京,上海 or an agglomeration)")
    match = _HEAD.match(head)
    if match is None:
        raise fail(head.strip() or spec, "INDICATOR*FACTOR, INDICATOR+DELTA[%] or INDICATOR=VALUE")
    indicator, operation, number = match.groups()
    percent = number.endswith("%")
    digits = number[:-1].strip() if percent else number
    if not _NUMBER.match(digits):
        raise fail(number, "a number (1.1, 0.5, 10%)")
    amount = float(digits)
    if percent and operation not in "+-":
        raise fail(number, "a percentage only after '+' or '-' (+10%)")
    if operation == "-":
        operation, amount = "+", -amount
    if percent:
        operation, amount = "*", 1.0 + amount / 100.0
    terms = tuple(t.strip() for t in re.split(r"[,|]", region_text) if t.strip())
    if region_text and len(terms) != len(re.split(r"[,|]", region_text)):
        raise fail(region_text, "region names separated by ',' or '|' (no empty name)")
    years: list[int] = []
    for token in years_text.split(",") if years_text else []:
        found = _YEARS.match(token.strip())
        if found is None:
            raise fail(token.strip(), "a year (2023) or a range (2018-2020)")
        first, last = int(found.group(1)), int(found.group(2) or found.group(1))
        if last < first:
            raise fail(token.strip(), "a range from the earlier year (2018-2020)")
        years.extend(range(first, last + 1))
    return Change(indicator, operation, amount, terms, tuple(dict.fromkeys(years)))  # type: ignore[arg-type]


def _years_text(years: Sequence[int]) -> str:
    """``2020–2021`` for a run of consecutive years, else ``2019, 2021``."""
    ordered = sorted(years)
    if len(ordered) > 1 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{ordered[0]}–{ordered[-1]}"
    return ", ".join(str(y) for y in ordered)


def _resolve_terms(terms: Sequence[str], codes: Sequence[int], level: regions.Level) -> list[int]:
    """Codes of ``codes`` selected by the region terms (macro-region, agglomeration, region).

    An agglomeration selects its member cities, or at the province scale the provinces that
    hold at least one member (partial members count whole).
    """
    present = set(codes)
    macro = {
        name.lower(): key
        for key, (zh, en) in regions.MACRO_REGIONS.items()
        for name in (key, zh, en, zh + "地区")
    }
    groups = memberships().table.groupby("agglomeration", sort=False)["region_code"]
    members = {name: [int(c) for c in cities] for name, cities in groups}
    short = {name.removesuffix("城市群"): name for name in members}
    chosen: list[int] = []
    for term in terms:
        key = term.strip()
        if key.lower() in macro:
            wanted = macro[key.lower()]
            chosen += [c for c in codes if regions.macro_region([c])[0] == wanted]
        elif key in members or key in short:
            cities = members[short.get(key, key)]
            picked = cities if level == "city" else [c // 10000 * 10000 for c in cities]
            chosen += [c for c in dict.fromkeys(picked) if c in present]
        else:
            try:
                code = regions.normalize([key], level)[0]
            except UnknownRegionError as exc:
                pool = [*members, *short, *(zh for zh, _ in regions.MACRO_REGIONS.values())]
                near = difflib.get_close_matches(key, pool, n=3, cutoff=0.5)
                raise UnknownRegionError(
                    key, level, [*exc.candidates, *near], "change region"
                ) from None
            if code not in present:
                raise DataValidationError(
                    f"region {key!r} ({regions.name_of(code, 'short', level)}) has no row in the "
                    "index; it cannot be changed"
                )
            chosen.append(code)
    return list(dict.fromkeys(chosen))


def apply_changes(
    values: pd.DataFrame, changes: Sequence[Change]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply ``changes`` in order to an index's indicator ``values`` (index ``region_code, year``).

    Returns the changed table and the log of changed cells: ``change, indicator, region_code,
    year, before, after``.

    Raises
    ------
    IndexSystemError
        An indicator that is not a column of ``values`` (with the closest names).
    UnknownRegionError
        A region term that is neither a macro-region, an agglomeration nor a known region.
    DataValidationError
        A change selecting no region-year, a year without scores, or a change that makes a value
        negative where every baseline value of the indicator is non-negative.
    """
    out = values.copy()
    codes = list(pd.unique(values.index.get_level_values("region_code")))
    year_of = values.index.get_level_values("year")
    region_of = values.index.get_level_values("region_code")
    level = region_level(codes)
    logs = []
    for change in changes:
        if change.indicator not in out.columns:
            near = difflib.get_close_matches(change.indicator, list(out.columns), n=3, cutoff=0.5)
            hint = f"; did you mean {' or '.join(repr(n) for n in near)}?" if near else ""
            raise IndexSystemError(
                f"change {change.describe()!r}: indicator {change.indicator!r} is not in the "
                f"index ({', '.join(map(str, out.columns))}){hint}"
            )
        missing = sorted(set(change.years) - set(year_of))
        if missing:
            raise DataValidationError(
                f"change {change.describe()!r}: year {missing[0]} has no scores "
                f"(years {int(year_of.min())}–{int(year_of.max())})"
            )
        selected = _resolve_terms(change.regions, codes, level) if change.regions else codes
        rows = np.asarray(region_of.isin(selected))
        if change.years:
            rows &= np.asarray(year_of.isin(change.years))
        if not rows.any():
            raise DataValidationError(
                f"change {change.describe()!r} selects no region-year of the index"
            )
        column = out[change.indicator]
        before = column.to_numpy()[rows]
        after = change.apply(before)
        if (values[change.indicator] >= 0).all() and (after < 0).any():
            k = int(np.flatnonzero(after < 0)[0])
            code, year = out.index[rows][k]
            raise DataValidationError(
                f"change {change.describe()!r} makes {change.indicator} of "
                f"{regions.name_of(int(code), 'short', level)} {year} negative "
                f"({before[k]:g} → {after[k]:g}); the indicator is never negative"
            )
        out.loc[rows, change.indicator] = after
        keys = out.index[rows].to_frame(index=False)
        logs.append(
            keys.assign(
                change=change.describe(), indicator=change.indicator, before=before, after=after
            )
        )
    log = pd.concat(logs, ignore_index=True)
    return out, log[["change", "indicator", "region_code", "year", "before", "after"]]


@dataclass(frozen=True)
class ScenarioStudyResult(StudyResult):
    """The baseline and the scenario index side by side, with both rank intervals.

    Attributes
    ----------
    baseline, scenario
        The two :class:`~nqpf.index.IndexResult`.
    baseline_uncertainty, scenario_uncertainty
        Their Monte Carlo rank uncertainty (same runs and seed), or ``None`` without runs.
    changes
        The :class:`Change` list applied, in order.
    changed
        Every changed cell: ``change, indicator, region_code, year, before, after``.
    hold
        ``"weights"`` or ``"none"`` (:data:`HOLD_POLICIES`).
    baseline_coupling, scenario_coupling
        Coupling coordination of the elements, or ``None`` for a one-dimension index.
    notes
        The changes applied, the hold policy, what the coupling step did.
    """

    key = "scenario"
    title = ("情景分析", "Scenario analysis")

    baseline: IndexResult
    scenario: IndexResult
    baseline_uncertainty: UncertaintyResult | None
    scenario_uncertainty: UncertaintyResult | None
    changes: tuple[Change, ...]
    changed: pd.DataFrame
    hold: str
    baseline_coupling: CouplingStudyResult | None = None
    scenario_coupling: CouplingStudyResult | None = None
    notes: tuple[str, ...] = ()

    @property
    def years(self) -> list[int]:
        """Years of the index."""
        return self.baseline.years

    def scores(self) -> pd.DataFrame:
        """Per region-year: both scores and ranks, their changes and both rank intervals.

        ``delta_rank`` is scenario minus baseline rank (negative: the region moves up);
        ``changed`` marks region-years with a changed indicator.
        """
        keys = ["region_code", "year"]
        base = self.baseline.scores.set_index(keys)
        scen = self.scenario.scores.set_index(keys).reindex(base.index)
        out = pd.DataFrame(
            {
                "score_baseline": base["score"],
                "score_scenario": scen["score"],
                "delta_score": scen["score"] - base["score"],
                "rank_baseline": base["rank"],
                "rank_scenario": scen["rank"],
                "delta_rank": scen["rank"] - base["rank"],
            }
        )
        changed = pd.MultiIndex.from_frame(self.changed[keys])
        out["changed"] = out.index.isin(changed)
        for name, result in (
            ("baseline", self.baseline_uncertainty),
            ("scenario", self.scenario_uncertainty),
        ):
            if result is not None:
                stats = result.rank_summary[["p05_rank", "median_rank", "p95_rank"]]
                stats.columns = [f"rank_{c.removesuffix('_rank')}_{name}" for c in stats.columns]
                out = out.join(stats)
        return with_region_names(out.reset_index())

    def disparity(self) -> pd.DataFrame:
        """``year, measure, label, baseline, scenario, delta`` of every disparity measure.

        Dagum's Gini with the shares of its parts and Theil's T with its parts, the groups being
        the NBS macro-regions.
        """
        frames = {}
        for name, result in (("baseline", self.baseline), ("scenario", self.scenario)):
            scores = result.scores.assign(
                group=regions.macro_region(result.scores["region_code"], "en")
            )
            table = disparity_table(
                scores, "score", "group", measures=("gini", "dagum", "theil_t")
            ).table
            for part in ("within", "between", "transvariation"):
                table[f"gini_{part}_share"] = table[f"gini_{part}"] / table["gini"]
            frames[name] = table[list(_DISPARITY_MEASURES)].stack().rename(name)
        out = pd.concat(frames, axis=1)
        out.index.names = ["year", "measure"]
        out["delta"] = out["scenario"] - out["baseline"]
        out = out.reset_index()
        out.insert(2, "label", out["measure"].map(_DISPARITY_MEASURES))
        return out

    def coupling(self) -> pd.DataFrame | None:
        """Coupling coordination D and grade of both, by region-year (``None`` without coupling).

        Columns ``region_code, year, D_baseline, D_scenario, delta_D, grade_baseline,
        grade_scenario, grade_change``.
        """
        if self.baseline_coupling is None or self.scenario_coupling is None:
            return None
        keys = ["region", "year"]
        base = self.baseline_coupling.coupling.table.set_index(keys)
        scen = self.scenario_coupling.coupling.table.set_index(keys).reindex(base.index)
        out = pd.DataFrame(
            {
                "D_baseline": base["D"],
                "D_scenario": scen["D"],
                "delta_D": scen["D"] - base["D"],
                "grade_baseline": base["grade"],
                "grade_scenario": scen["grade"],
                "grade_change": scen["grade_level"] - base["grade_level"],
            }
        )
        out.index.names = ["region_code", "year"]
        return with_region_names(out.reset_index())

    def tables(self) -> dict[str, pd.DataFrame]:
        """The study's tables (CSV files, workbook sheets).

        ``scenario_scores``, ``scenario_disparity``, ``scenario_coupling`` (with two elements
        or more) and ``scenario_changes`` (every changed cell).
        """
        out = {"scenario_scores": self.scores(), "scenario_disparity": self.disparity()}
        coupling = self.coupling()
        if coupling is not None:
            out["scenario_coupling"] = coupling
        out["scenario_changes"] = with_region_names(
            self.changed[["region_code", "year", "change", "indicator", "before", "after"]]
        )
        return out

    def figures(self) -> dict[str, FigureSpec]:
        """Δscore with both rank intervals, its map (latest year), the disparity series."""
        latest = self.years[-1]
        scores = self.scores()
        current = scores[scores["year"] == latest]
        level = region_level(current["region_code"])
        delta = current.set_index("region_code")["delta_score"]
        span = max(float(delta.abs().max()), 1e-12)
        series = self.disparity()
        return {
            "delta_intervals": FigureSpec(
                f"{latest} 年得分变化与排名区间 Change in score and rank intervals, {latest}",
                "scenario_intervals",
                current,
            ),
            "delta_map": FigureSpec(
                f"{latest} 年得分变化 Change in score, {latest}",
                f"{level}_map",
                delta,
                {
                    "label": "得分变化 Δscore",
                    "title": f"{latest}",
                    "cmap": "RdBu_r",
                    "vmin": -span,
                    "vmax": span,
                },
            ),
            "disparity_series": FigureSpec(
                "区域差异：基准与情景 Regional differences, baseline and scenario",
                "scenario_series",
                series[series["measure"].isin(["gini", "theil_t"])],
            ),
        }

    def to_frame(self) -> pd.DataFrame:
        """The per region-year comparison (:meth:`scores`)."""
        return self.scores()

    def summary(self) -> Summary:
        """The latest year's comparison and the disparity by year, with the notes."""
        latest = self.years[-1]
        scores = self.scores()
        current = scores[scores["year"] == latest].sort_values("rank_scenario")
        disparity = self.disparity().pivot(index="year", columns="measure", values="delta")
        return Summary(
            "情景分析 Scenario analysis",
            (
                (f"基准与情景 Baseline and scenario, {latest}", current.set_index("region_code")),
                ("区域差异变化 Change in disparity", disparity),
            ),
            self.notes,
        )


def scenario_study(
    panel: Any,
    system: Any = "nqpf-province",
    changes: Sequence[Change | str] = DEFAULT_CHANGES,
    *,
    runs: int = 200,
    seed: Any = 0,
    hold: Hold = "weights",
    weighting: Any = "entropy",
    aggregation: str = "linear",
    normalization: str = "minmax",
    progress: Callable[[int, int], None] | None = None,
) -> ScenarioStudyResult:
    """Baseline and scenario index with the same Monte Carlo runs, disparity and coupling.

    Parameters
    ----------
    panel, system, weighting, aggregation, normalization
        As :func:`~nqpf.index.compute_index` (the baseline).
    changes
        :class:`Change` objects or their text form (:func:`parse_change`), applied in order to
        the baseline's indicator values.
    runs, seed
        Monte Carlo runs of :func:`~nqpf.index.index_uncertainty` for each index (0: none), both
        with ``seed`` so that they draw the same choices and weight perturbations.
    hold
        ``"weights"``: normalisation statistics and data-driven weights of the baseline, in the
        nominal index and in every run; ``"none"``: recomputed on the changed data.
    progress
        ``callable(done, total)`` over both sets of runs.

    Raises
    ------
    DataValidationError
        An unknown ``hold``, ``hold="weights"`` with per-year min–max bounds, or a bad change
        (see :func:`apply_changes`).
    """
    if hold not in HOLD_POLICIES:
        raise DataValidationError(f"hold must be one of {list(HOLD_POLICIES)}, got {hold!r}")
    if hold == "weights" and normalization == "minmax_group":
        raise DataValidationError(
            "hold='weights' cannot hold per-year bounds (normalization 'minmax_group'); "
            "use hold='none'"
        )
    parsed = tuple(c if isinstance(c, Change) else parse_change(c) for c in changes)
    if not parsed:
        raise DataValidationError("a scenario needs at least one change")
    options = {"weighting": weighting, "aggregation": aggregation, "normalization": normalization}
    baseline = compute_index(panel, system, **options)
    values, changed = apply_changes(baseline.values, parsed)
    basis = baseline.values if hold == "weights" else None
    scenario = index_of_values(
        values, baseline.system, basis=basis, report=baseline.report, **options
    )

    def uncertainty(result: IndexResult, offset: int) -> UncertaintyResult | None:
        if not runs:
            return None
        tick = None if progress is None else (lambda d, _t: progress(offset + d, 2 * runs))
        held = basis if result is scenario else None
        return rank_runs(result, n_runs=runs, seed=seed, progress=tick, basis=held)

    base_unc, scen_unc = uncertainty(baseline, 0), uncertainty(scenario, runs)
    notes = [_change_note(c, changed, baseline.scores["region_code"].nunique()) for c in parsed]
    notes.append(
        "保持基准的标准化边界与权重 hold='weights': the scenario is normalised with the "
        "baseline's bounds (min–max, and mean/sd or norms in the Monte Carlo runs) and weighted "
        "with the baseline's weights, so only the changed values move; normalised values may "
        "leave [0, 1]"
        if hold == "weights"
        else "重新计算边界与权重 hold='none': the scenario's normalisation bounds and "
        "data-driven weights are recomputed on the changed data, so unchanged regions move too"
    )
    outside = int(((scenario.normalized < 0) | (scenario.normalized > 1)).to_numpy().sum())
    if hold == "weights" and normalization == "minmax" and outside:
        notes.append(
            f"{outside} normalised value(s) of the scenario lie outside [0, 1]: the changed values "
            "pass the baseline's minimum or maximum and are scored as such; their obstacle "
            "degrees use the value clipped to [0, 1]"
        )
    if runs:
        notes.append(
            f"rank intervals: {runs} Monte Carlo runs for each index with seed {seed} "
            "(the same choices and weight perturbations in both)"
        )
    base_cpl, scen_cpl = _coupling(baseline), _coupling(scenario)
    if base_cpl is None:
        notes.append("no coupling comparison: the index has fewer than two dimensions")
    elif scen_cpl is not None:
        notes.append(
            "耦合协调 coupling: D = √(C·T) of the element scores of each index, as the "
            "coupling study computes it"
        )
        notes.extend(
            f"coupling, scenario: {n}" for n in scen_cpl.notes[:-1] if n not in base_cpl.notes
        )
    return ScenarioStudyResult(
        baseline=baseline,
        scenario=scenario,
        baseline_uncertainty=base_unc,
        scenario_uncertainty=scen_unc,
        changes=parsed,
        changed=changed,
        hold=hold,
        baseline_coupling=base_cpl,
        scenario_coupling=scen_cpl,
        notes=tuple(notes),
        meta=make_meta(
            "scenario study",
            system=baseline.system_name,
            changes=[c.describe() for c in parsed],
            hold=hold,
            runs=int(runs),
            seed=None if base_unc is None else base_unc.meta.get("seed"),
            changed_cells=len(changed),
        ),
    )


def _coupling(result: IndexResult) -> CouplingStudyResult | None:
    """Coupling of the elements, or ``None`` for an index with fewer than two dimensions."""
    if result.indicator_weights["dimension"].nunique() < 2:
        return None
    return coupling_study(result)


def _change_note(change: Change, changed: pd.DataFrame, n_regions: int) -> str:
    """'rd_intensity ×1.1 @ 中部: 6 of 31 regions, 72 region-years; mean 1.52 → 1.67 …'."""
    rows = changed[changed["change"] == change.describe()]
    years = sorted(int(y) for y in rows["year"].unique())
    return (
        f"情景变化 change {change.describe()}: {rows['region_code'].nunique()} of {n_regions} "
        f"regions, {len(rows)} region-years ({_years_text(years)}); mean value "
        f"{rows['before'].mean():.4g} → {rows['after'].mean():.4g} "
        f"(range {rows['before'].min():.4g}–{rows['before'].max():.4g} → "
        f"{rows['after'].min():.4g}–{rows['after'].max():.4g})"
    )
