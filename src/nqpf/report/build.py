"""The main job: the full study on the bundled real data, written as a self-contained report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["build_report"]


class _Steps:
    """Advance a rich ``Progress`` (or nothing) through named steps."""

    def __init__(self, progress: Any, total: int) -> None:
        self.progress = progress
        self.task = progress.add_task("nqpf report", total=total) if progress else None

    def start(self, description: str) -> None:
        if self.progress is not None:
            self.progress.update(self.task, description=description)

    def done(self) -> None:
        if self.progress is not None:
            self.progress.advance(self.task)

    def runs(self, description: str, total: int) -> Any:
        """A (done, total) callback driving a sub-task bar."""
        if self.progress is None:
            return None
        sub = self.progress.add_task(description, total=total)
        return lambda done, _total: self.progress.update(sub, completed=done)


def build_report(
    out: str | Path,
    *,
    system: str = "nqpf-province",
    weighting: str = "entropy",
    aggregation: str = "linear",
    runs: int = 1000,
    seed: int = 0,
    progress: Any = None,
) -> list[Path]:
    """Compute the index study on the bundled data and write the report files.

    Writes ``report.html`` (self-contained), ``tables.xlsx``, ``scores.csv``, ``scores.dta`` and
    ``validation.md`` into ``out`` and returns their paths. The report covers the index, the
    regional differences of its score (:func:`nqpf.disparity.study.disparity_study`), its spatial
    structure and drivers (:func:`nqpf.spatial.study.spatial_study`,
    :func:`nqpf.spatial.study.drivers_study`), all seeded with ``seed``, and ends with the data
    repairs.
    """
    from nqpf.data import load_province_panel
    from nqpf.disparity.study import disparity_study
    from nqpf.index import compute_index, index_uncertainty
    from nqpf.report.disparity_report import add_disparity_sections, disparity_tables
    from nqpf.report.excel import write_excel, write_stata
    from nqpf.report.html import HtmlReport
    from nqpf.report.index_report import add_index_sections, add_repair_section
    from nqpf.report.spatial_report import (
        add_drivers_sections,
        add_spatial_sections,
        drivers_tables,
        spatial_tables,
    )
    from nqpf.spatial.study import drivers_study, spatial_study

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    steps = _Steps(progress, total=6)

    steps.start("Loading bundled data 读取数据")
    panel = load_province_panel()
    steps.done()

    steps.start("Composite index 综合指数")
    result = compute_index(panel, system, weighting=weighting, aggregation=aggregation)
    steps.done()

    steps.start("Rank uncertainty 排名不确定性")
    uncertainty = index_uncertainty(
        result, n_runs=runs, seed=seed, progress=steps.runs("Monte Carlo runs", runs)
    )
    steps.done()

    steps.start("Regional differences 区域差异")
    disparity = disparity_study(result, "score", "macro_region", seed=seed)
    steps.done()

    steps.start("Spatial structure and drivers 空间格局与影响因素")
    spatial = spatial_study(result, "score", seed=seed)
    drivers = drivers_study(panel, result, seed=seed)
    steps.done()

    steps.start("Writing report 生成报告")
    rank_intervals = uncertainty.summary_frame()
    html = HtmlReport(f"{result.system.title_zh}报告", f"{result.system.title_en} report")
    add_index_sections(
        html,
        result,
        uncertainty=rank_intervals,
        sensitivity=uncertainty.sensitivity,
        repairs=False,
    )
    add_disparity_sections(html, disparity)
    add_spatial_sections(html, spatial)
    add_drivers_sections(html, drivers)
    add_repair_section(html, result.report)
    index_tables = result.tables()
    scores = index_tables["scores"]
    paths = [
        html.write(out / "report.html"),
        write_excel(
            {
                **index_tables,
                "rank_uncertainty": rank_intervals,
                **disparity_tables(disparity),
                **spatial_tables(spatial),
                **drivers_tables(drivers),
            },
            out / "tables.xlsx",
        ),
    ]
    scores.to_csv(out / "scores.csv", index=False, encoding="utf-8-sig")
    paths.append(out / "scores.csv")
    paths.append(write_stata(scores, out / "scores.dta"))
    (out / "validation.md").write_text(result.report.to_markdown(10_000), encoding="utf-8")
    paths.append(out / "validation.md")
    steps.done()
    return [Path(p) for p in paths]
