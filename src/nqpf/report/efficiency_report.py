"""Report section of the efficiency study.

:func:`add_efficiency_sections` turns an :class:`~nqpf.studies.EfficiencyStudyResult` into the
section "全要素生产率与绿色全要素生产率 TFP and green TFP": the cumulative TFP and green-TFP lines
with their parts, the map of mean green-TFP growth, the decomposition by macro-region and the
notes (inputs, deflators, δ, model, years).
"""

from __future__ import annotations

from nqpf.report.html import HtmlReport
from nqpf.report.plots import add_figure
from nqpf.studies.efficiency import EfficiencyStudyResult

__all__ = ["EFFICIENCY_SECTION_TITLE", "add_efficiency_sections", "efficiency_subtitle"]

#: (Chinese, English) title of the efficiency section.
EFFICIENCY_SECTION_TITLE = ("全要素生产率与绿色全要素生产率", "TFP and green TFP")
_DECOMPOSITION_COLUMNS = {
    "measure": "指数 Measure",
    "group": "地区 Group",
    "index": "年均指数 Mean index",
    "ec": "技术效率变化 EC",
    "change": "技术进步 TC / 最佳实践差距变化 BPC",
    "pec": "纯技术效率变化 PEC",
    "sec": "规模效率变化 SEC",
    "cumulative": "累计 Cumulative",
}
_MEASURES = {"tfp": "全要素生产率 TFP (Malmquist)", "green_tfp": "绿色全要素生产率 Green TFP (GML)"}


def add_efficiency_sections(report: HtmlReport, study: EfficiencyStudyResult) -> HtmlReport:
    """Add :data:`EFFICIENCY_SECTION_TITLE` (lines, map, decomposition, notes) to ``report``."""
    years = study.years
    span = f"{years[0]}–{years[-1]}"
    kind = study.tfp.kind
    report.section(
        *EFFICIENCY_SECTION_TITLE,
        intro=(
            f"{span} 年各地区全要素生产率（Malmquist 指数 = EC × TC）与绿色全要素生产率"
            "（全局 Malmquist–Luenberger 指数 = EC × BPC，CO2 为非期望产出）。\n"
            f"Total-factor productivity ({kind} Malmquist index, M = EC × TC) and green TFP "
            f"(global Malmquist–Luenberger index of Oh 2010, GML = EC × BPC, CO2 as the "
            f"undesirable output), {span}; yearly {study.model.upper()} scores. Values above 1 "
            "are improvements; means are geometric."
        ),
    )
    for spec in study.figures().values():
        add_figure(report, spec)
    table = study.decomposition().assign(measure=lambda f: f["measure"].map(_MEASURES))
    report.table(
        table.rename(columns=_DECOMPOSITION_COLUMNS).set_index(["指数 Measure", "地区 Group"]),
        caption=f"分解（年均几何平均）Decomposition by macro-region, mean yearly change, {span}",
        index=True,
    )
    for note in study.notes:
        report.text(note, kind="note")
    return report


def efficiency_subtitle(study: EfficiencyStudyResult) -> str:
    """Subtitle of the study's own page: regions, years and model."""
    years = study.years
    regions = study.scores["region_code"].nunique()
    return f"{regions} 个地区 regions，{years[0]}–{years[-1]}，{study.model.upper()}"
