"""Report section of the city study.

:func:`add_city_sections` turns a :class:`~nqpf.studies.CityStudyResult` into the section
"城市新质生产力指数 City NQPF index": the city map, the rank intervals of the top cities, the top
and bottom cities, the indicator weights, global Moran's I, the city panel's merge decisions and
the number of repairs by source and kind, and the notes.
"""

from __future__ import annotations

from nqpf.report.html import HtmlReport
from nqpf.report.plots import add_figure
from nqpf.studies.city import CITY_TOP, CityStudyResult

__all__ = ["CITY_SECTION_TITLE", "add_city_sections", "city_subtitle"]

#: (Chinese, English) title of the city section.
CITY_SECTION_TITLE = ("城市新质生产力指数", "City NQPF index")

#: Kinds of report entries that are decisions of the merge (shown line by line).
_DECISIONS = ("coverage", "years", "year_aligned", "imputed", "unit", "unbalanced")


def add_city_sections(report: HtmlReport, study: CityStudyResult) -> HtmlReport:
    """Add :data:`CITY_SECTION_TITLE` (map, ranks, tables, repairs, notes) to ``report``."""
    n = int((study.index.scores["year"] == study.year).sum())
    report.section(
        *CITY_SECTION_TITLE,
        intro=(
            f"{study.year} 年 {n} 个地级城市的新质生产力指数（熵权法），"
            "劳动者、劳动资料、劳动对象三要素。\n"
            f"NQPF index of {n} prefecture-level cities in {study.year} (entropy weights) over "
            "labourers, means of labour and objects of labour, from the bundled city data."
        ),
    )
    for spec in study.figures().values():
        add_figure(report, spec)
    columns = ["group", "rank", "city", "province", "macro_region", "score"]
    columns += [c for c in ("p05_rank", "p95_rank") if c in study.top_bottom()]
    report.table(
        study.top_bottom()[columns],
        caption=f"{study.year} 年前后 {CITY_TOP} 位城市 Top and bottom {CITY_TOP} cities, "
        f"{study.year}",
    )
    weights = study.index.indicator_weights
    report.table(
        weights[["dimension_zh", "label_zh", "label_en", "unit", "direction", "weight"]],
        caption="指标权重 Indicator weights (entropy)",
    )
    report.table(
        study.moran.summary().tables[0][1],
        caption=f"全局莫兰指数 Global Moran's I, {study.year}",
        index=True,
    )
    repairs = study.repairs.to_frame()
    decisions = repairs[repairs["kind"].isin(_DECISIONS)]
    report.table(
        decisions[["source", "kind", "action", "message"]],
        caption="城市面板的合并决定 Merge decisions of the city panel",
    )
    report.table(
        study.repairs.counts(),
        caption="修复与校验（按来源和类型）Repairs and checks by source and kind",
    )
    for note in study.notes:
        report.text(note, kind="note")
    return report


def city_subtitle(study: CityStudyResult) -> str:
    """Subtitle of the study's own page: system, year and cities."""
    n = int((study.index.scores["year"] == study.year).sum())
    return f"{study.index.system_name}，{study.year}，{n} cities"
