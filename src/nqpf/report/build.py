"""The main job: the registered studies on the bundled data or a user's panel, as one report."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["build_report", "run_main_job", "score_labels"]


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


class _Clock:
    """Wall-clock seconds spent in ``with clock(name):`` blocks, added up by name."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            spent = self.seconds.get(name, 0.0) + time.perf_counter() - start
            self.seconds[name] = round(spent, 3)


def _chosen(studies: Iterable[str] | None) -> list[Any]:
    """The entries of :data:`nqpf.studies.STUDIES` named in ``studies`` (all for ``None``).

    The index always runs: every other study reads its score.
    """
    from nqpf.errors import DataValidationError
    from nqpf.studies import STUDIES

    if studies is None:
        return list(STUDIES)
    wanted = set(studies) | {"index"}
    unknown = sorted(wanted - {s.key for s in STUDIES})
    if unknown:
        raise DataValidationError(
            f"unknown studies {unknown}; choose from {[s.key for s in STUDIES]}"
        )
    return [s for s in STUDIES if s.key in wanted]


def _run_studies(steps: _Steps, panel: Any, chosen: list[Any], **options: Any) -> Any:
    """The :class:`~nqpf.studies.MainJob` with the ``chosen`` studies run, in report order."""
    from nqpf.data import load_province_panel
    from nqpf.errors import NqpfError
    from nqpf.studies import MainJob

    steps.start("Loading data 读取数据")
    job = MainJob(
        load_province_panel() if panel is None else panel,
        progress=steps.runs if steps.progress is not None else None,
        **options,
    )
    steps.done()
    for study in chosen:
        steps.start(study.label)
        start = time.perf_counter()
        try:
            job.results[study.key] = study.run(job)
        except NqpfError as exc:
            if study.key == "index":  # every other study reads the index
                raise
            reason = f"{study.label}: {type(exc).__name__}: {exc}"
            job.skipped[study.key] = f"{reason} {study.hint}".strip()
        finally:
            job.seconds[study.key] = round(time.perf_counter() - start, 3)
        steps.done()
    return job


def run_main_job(
    *,
    panel: Any = None,
    system: Any = "nqpf-province",
    weighting: str = "entropy",
    aggregation: str = "linear",
    runs: int = 1000,
    seed: int = 0,
    progress: Any = None,
    studies: Iterable[str] | None = None,
) -> Any:
    """Run the studies of :data:`nqpf.studies.STUDIES` as :func:`build_report` does, write nothing.

    ``studies`` names the keys to run (default: all; the index always runs). Returns the
    :class:`~nqpf.studies.MainJob`: ``results`` (key → study result), ``skipped`` (key → why
    the study could not run on these data) and ``seconds`` (key → wall-clock seconds).
    """
    chosen = _chosen(studies)
    steps = _Steps(progress, total=len(chosen) + 1)
    return _run_studies(
        steps,
        panel,
        chosen,
        system=system,
        weighting=weighting,
        aggregation=aggregation,
        runs=runs,
        seed=seed,
    )


def score_labels(system: Any) -> dict[object, str | tuple[str, str]]:
    """(Chinese, English) variable labels of the ``scores`` table, for Stata and other exports."""
    labels: dict[object, str | tuple[str, str]] = {
        "region_code": ("地区代码", "Region code"),
        "region": ("地区", "Region"),
        "year": ("年份", "Year"),
        "score": ("综合得分", "Composite score"),
        "rank": ("排名", "Rank"),
    }
    for dimension, (zh, en) in system.dimension_labels.items():
        labels[f"score_{dimension}"] = (f"{zh}得分", f"{en} score")
    return labels


def build_report(
    out: str | Path,
    *,
    panel: Any = None,
    system: Any = "nqpf-province",
    weighting: str = "entropy",
    aggregation: str = "linear",
    runs: int = 1000,
    seed: int = 0,
    progress: Any = None,
    command: str | None = None,
    inputs: Iterable[str | Path] = (),
    studies: Iterable[str] | None = None,
    on_results: Callable[[Any], None] | None = None,
) -> tuple[list[Path], Any]:
    """Run the studies of :data:`nqpf.studies.STUDIES` on a panel and write the report.

    ``panel`` is the user's :class:`~nqpf.panel.Panel` (default: the bundled data),
    ``system`` the index system over its indicators and ``studies`` the keys of the studies to
    run (default: all; the index always runs). Writes ``report.html`` (self-contained:
    each study's sections in order, the studies that could not run on these data with the
    reason, the data repairs last), ``tables.xlsx`` (every study's ``tables()``, one sheet
    each, as three-line tables), ``scores.csv``, ``scores.dta``, ``tables.tex`` (the tables as
    LaTeX ``booktabs`` tables), ``validation.md`` and ``manifest.json`` into
    ``out``, all at once when the report is complete
    (:func:`~nqpf.data.export.output_folder`: ``command``, ``seed``, the SHA-256 of the
    ``inputs`` files and the wall-clock seconds of the steps are recorded in the manifest:
    ``timings`` has ``analysis`` (reading the data and running the studies), ``studies`` (key →
    seconds), ``writing`` (drawing and writing the files) and ``files`` (file → seconds, the
    figures and sections counted with ``report.html``)); a failed or interrupted run leaves ``out``
    as it was. Every study is seeded with ``seed``. ``on_results``, if given, is called with the
    :class:`~nqpf.studies.MainJob` as soon as the studies are done, before the files are
    written (the workbench shows the results meanwhile). Returns the paths written and the
    :class:`~nqpf.studies.MainJob` (results and skipped studies).
    """
    from nqpf.data.export import (
        MANIFEST,
        output_folder,
        write_csv,
        write_excel,
        write_latex,
        write_stata,
    )
    from nqpf.report.html import HtmlReport
    from nqpf.report.index_report import add_repair_section
    from nqpf.report.pages import add_skipped_section, add_study_sections

    out = Path(out)
    chosen = _chosen(studies)
    steps = _Steps(progress, total=len(chosen) + 2)
    timings: dict[str, Any] = {}
    # entered first: a bad ``out`` fails before any work, an interrupted run leaves it as it was
    with output_folder(out, command=command, inputs=inputs, seed=seed, timings=timings) as folder:
        start = time.perf_counter()
        job = _run_studies(
            steps,
            panel,
            chosen,
            system=system,
            weighting=weighting,
            aggregation=aggregation,
            runs=runs,
            seed=seed,
        )
        timings["analysis"] = round(time.perf_counter() - start, 3)
        timings["studies"] = job.seconds
        if on_results is not None:
            on_results(job)

        steps.start("Writing report 生成报告")
        start = time.perf_counter()
        files = _Clock()
        index = job.index
        html = HtmlReport(f"{index.system.title_zh}报告", f"{index.system.title_en} report")
        tables: dict[str, Any] = {}
        for key, result in job.results.items():
            with files("report.html"):  # the figures are drawn here
                add_study_sections(html, result)
            for name, table in result.tables().items():
                if name in tables:
                    raise ValueError(f"study {key!r} repeats the table name {name!r}")
                tables[name] = table
        with files("report.html"):
            add_skipped_section(html, job.skipped)
            add_repair_section(html, index.report)
        scores = tables["scores"]
        with files("report.html"):
            html.write(folder / "report.html")
        with files("tables.xlsx"):
            write_excel(tables, folder / "tables.xlsx", style="three-line")
        with files("scores.csv"):
            write_csv(scores, folder / "scores.csv")
        with files("scores.dta"):
            write_stata(scores, folder / "scores.dta", labels=score_labels(index.system))
        with files("tables.tex"):
            write_latex(tables, folder / "tables.tex")
        with files("validation.md"):
            (folder / "validation.md").write_text(
                index.report.to_markdown(10_000), encoding="utf-8"
            )
        timings["writing"] = round(time.perf_counter() - start, 3)
        timings["files"] = files.seconds
        steps.done()
    names = [
        "report.html",
        "tables.xlsx",
        "scores.csv",
        "scores.dta",
        "tables.tex",
        "validation.md",
        MANIFEST,
    ]
    return [out / name for name in names], job
