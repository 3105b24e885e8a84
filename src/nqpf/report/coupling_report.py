"""Report section of the coupling study.

:func:`add_coupling_sections` turns a :class:`~nqpf.studies.CouplingStudyResult` into the section
"耦合协调 Coupling coordination of the elements": the map of D in the latest year, the number of
regions per grade by year, the grade transitions and the notes (variant, source, lagging element).
For the user's own subsystem scores the section is titled after the subsystems.
"""

from __future__ import annotations

import pandas as pd

from nqpf.paths import GRADES
from nqpf.report.html import HtmlReport
from nqpf.report.plots import add_figure
from nqpf.studies.coupling import CouplingStudyResult

__all__ = ["COUPLING_SECTION_TITLE", "add_coupling_sections", "coupling_subtitle"]

#: (Chinese, English) title of the coupling section.
COUPLING_SECTION_TITLE = ("三要素耦合协调", "Coupling coordination of the elements")
#: (Chinese, English) title of the section for the user's own subsystem scores.
SCORES_SECTION_TITLE = ("子系统耦合协调", "Coupling coordination of the subsystems")


def add_coupling_sections(report: HtmlReport, study: CouplingStudyResult) -> HtmlReport:
    """Add :data:`COUPLING_SECTION_TITLE` (map, grade counts, transitions, notes) to ``report``."""
    years = study.years
    span = f"{years[0]}–{years[-1]}"
    elements = "、".join(study.labels)
    variant = study.coupling.variant
    report.section(
        *(SCORES_SECTION_TITLE if "scores" in study.meta else COUPLING_SECTION_TITLE),
        intro=(
            f"{elements}的耦合度 C、综合协调指数 T 与耦合协调度 D = √(C·T)，{span}。\n"
            f"Coupling degree C, coordination index T and coupling coordination degree "
            f"D = √(C·T) of {', '.join(study.labels)}, {span}; {variant} coupling degree, "
            "ten grades of D of width 0.1."
        ),
    )
    for spec in study.figures().values():
        add_figure(report, spec)
    wide = study.grade_counts().pivot(index="grade_level", columns="year", values="regions")
    wide.index = pd.Index([f"{zh} {en}" for zh, en in GRADES], name="等级 Grade")
    report.table(wide, caption=f"各等级地区数 Regions per grade, {span}", index=True)
    tables = study.tables()
    if "grade_transitions" in tables:
        report.table(
            tables["grade_transitions"].set_index("from"),
            caption=f"等级转移（相邻年份）Grade transitions between consecutive years, {span}",
            index=True,
        )
    for note in study.notes:
        report.text(note, kind="note")
    return report


def coupling_subtitle(study: CouplingStudyResult) -> str:
    """Subtitle of the study's own page: elements, years and variant."""
    years = study.years
    return f"{'、'.join(study.labels)}，{years[0]}–{years[-1]}，{study.coupling.variant}"
