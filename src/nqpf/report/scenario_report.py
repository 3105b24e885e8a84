"""Report section of the scenario study.

:func:`add_scenario_sections` turns a :class:`~nqpf.studies.ScenarioStudyResult` into the section
"情景分析 Scenario analysis": the changes, Δscore beside both rank intervals, the map of Δscore,
the regions whose score or rank changed most in the latest year, the disparity series and table,
the coupling grades that change, and the notes (changes applied, hold policy).
"""

from __future__ import annotations

from nqpf.report.html import HtmlReport
from nqpf.report.plots import add_figure
from nqpf.studies.scenario import ScenarioStudyResult

__all__ = ["SCENARIO_SECTION_TITLE", "add_scenario_sections", "scenario_subtitle"]

#: (Chinese, English) title of the scenario section.
SCENARIO_SECTION_TITLE = ("情景分析", "Scenario analysis")

_SCORE_COLUMNS = {
    "score_baseline": "基准得分 Baseline score",
    "score_scenario": "情景得分 Scenario score",
    "delta_score": "得分变化 Δscore",
    "rank_baseline": "基准排名 Baseline rank",
    "rank_scenario": "情景排名 Scenario rank",
    "delta_rank": "排名变化 Δrank",
}


def add_scenario_sections(report: HtmlReport, study: ScenarioStudyResult) -> HtmlReport:
    """Add :data:`SCENARIO_SECTION_TITLE` (changes, figures, tables, notes) to ``report``."""
    years = study.years
    latest = years[-1]
    changes = "; ".join(c.describe() for c in study.changes)
    held = "保持基准的标准化边界与权重" if study.hold == "weights" else "重新计算边界与权重"
    report.section(
        *SCENARIO_SECTION_TITLE,
        intro=(
            f"情景：{changes}。基准与情景指数使用相同的蒙特卡洛运行与随机种子，{held}。\n"
            f"Scenario: {changes}. The baseline and the scenario index share the same Monte Carlo "
            f"runs and seed; hold policy '{study.hold}'. Δ = scenario − baseline; a negative "
            "Δrank moves a region up."
        ),
    )
    for spec in study.figures().values():
        add_figure(report, spec)
    scores = study.scores()
    current = scores[scores["year"] == latest]
    moved = current[(current["delta_score"] != 0) | (current["delta_rank"] != 0)]
    label = "region" if "region" in moved.columns else "region_code"
    table = moved.sort_values("delta_score", ascending=False, key=abs)
    report.table(
        table.set_index(label)[list(_SCORE_COLUMNS)].rename(columns=_SCORE_COLUMNS),
        caption=f"{latest} 年得分或排名变化的地区 Regions whose score or rank changes, {latest}",
        index=True,
    )
    disparity = study.disparity()
    wide = disparity[disparity["year"] == latest].set_index("label")
    report.table(
        wide[["baseline", "scenario", "delta"]].rename(
            columns={"baseline": "基准 Baseline", "scenario": "情景 Scenario", "delta": "变化 Δ"}
        ),
        caption=f"{latest} 年区域差异（四大区域）Regional differences by macro-region, {latest}",
        index=True,
    )
    coupling = study.coupling()
    if coupling is not None:
        shifted = coupling[coupling["grade_change"] != 0]
        report.text(
            f"耦合协调等级变化 Region-years whose coupling grade changes: {len(shifted)} of "
            f"{len(coupling)}; mean ΔD in {latest} "
            f"{coupling.loc[coupling['year'] == latest, 'delta_D'].mean():.4g}",
            kind="note",
        )
    for note in study.notes:
        report.text(note, kind="note")
    return report


def scenario_subtitle(study: ScenarioStudyResult) -> str:
    """Subtitle of the study's own page: the changes, years and hold policy."""
    years = study.years
    changes = "; ".join(c.describe() for c in study.changes)
    return f"{changes}，{years[0]}–{years[-1]}，hold={study.hold}"
