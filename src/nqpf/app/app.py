"""The workbench page: upload → map columns → index system → run → downloads, in zh or en.

The page computes nothing itself: tables are read by :mod:`nqpf.app.uploads` (the user-table
reader behind it), the index-system form is :mod:`nqpf.app.systems`, the studies run through
:func:`nqpf.report.build_report` (the studies of :data:`nqpf.studies.STUDIES` the user ticks,
which also writes the Excel workbook, CSV, Stata file and HTML report), and figures are drawn
by :func:`nqpf.report.plots.draw` and saved by :func:`nqpf.report.plots.save_figures` from the
studies' ``figures()``. Text reaches the page only through Shiny's tags and renderers, which
escape it.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import tempfile
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nqpf.app.systems import edited_spec, system_table, system_yaml
from nqpf.app.uploads import Upload, read_system_upload, read_upload, uploaded_bytes

__all__ = ["LABELS", "make_app"]

#: Every label of the page: key → (中文, English). The language switch picks one column.
LABELS: dict[str, tuple[str, str]] = {
    "title": ("新质生产力工作台", "New quality productive forces workbench"),
    "lang": ("语言", "Language"),
    "step1": ("① 数据", "① Data"),
    "source": ("数据来源", "Data source"),
    "upload": ("上传 CSV 或 XLSX 表格", "Upload a CSV or XLSX table"),
    "step2": ("② 列映射与数据校验", "② Column mapping and validation"),
    "region": ("地区列", "Region column"),
    "year": ("年份列", "Year column"),
    "regions": ("个地区", "regions"),
    "indicators": ("指标", "Indicators"),
    "validation": ("校验报告", "Validation report"),
    "dl_validation": ("下载校验报告", "Download the validation report"),
    "step3": ("③ 指标体系与方法", "③ Index system and methods"),
    "system": ("指标体系", "Index system"),
    "system_upload": ("或上传指标体系 YAML", "or upload an index system (YAML)"),
    "weighting": ("赋权方法", "Weighting"),
    "aggregation": ("集成方法", "Aggregation"),
    "runs": ("蒙特卡罗次数", "Monte Carlo runs"),
    "form": (
        "编辑指标：方向、维度、是否纳入",
        "Edit the indicators: direction, dimension, included",
    ),
    "include": ("纳入", "Included"),
    "indicator": ("指标", "Indicator"),
    "direction": ("方向", "Direction"),
    "dimension": ("维度（可输入新名称）", "Dimension (or type a new name)"),
    "dl_system": ("下载指标体系 YAML", "Download the index system (YAML)"),
    "step4": ("④ 运行", "④ Run"),
    "studies": ("研究（综合指数始终运行）", "Studies (the index always runs)"),
    "run": ("运行所选研究", "Run the chosen studies"),
    "cancel": ("取消", "Cancel"),
    "idle": ("尚未运行。", "Not run yet."),
    "running": ("运行中：", "Running: "),
    "done": ("完成。", "Done."),
    "cancelled": ("已取消。", "Cancelled."),
    "failed": ("运行失败：", "The run failed: "),
    "no_data": (
        "没有可用的数据：请先上传表格或选择数据来源。",
        "No data yet: upload a table or choose a source first.",
    ),
    "rankings": ("排名", "Rankings"),
    "map": ("得分地图", "Map of the scores"),
    "figure": ("图", "Figure"),
    "table": ("表", "Table"),
    "skipped": ("未运行的研究", "Studies not run"),
    "step5": ("⑤ 下载", "⑤ Downloads"),
    "dl_excel": ("Excel 工作簿", "Excel workbook"),
    "dl_csv": ("得分 CSV", "Scores CSV"),
    "dl_stata": ("得分 Stata", "Scores Stata"),
    "dl_html": ("HTML 报告", "HTML report"),
    "dl_figures": ("全部图（PNG + SVG，zip）", "Figures (PNG + SVG, zip)"),
}

SOURCES = {
    "upload": "上传表格 Upload a table",
    "bundled": "内置数据 Bundled data",
    "example": "示例表格 Example table",
}
LANGUAGES = {"zh": "中文", "en": "English"}
DIRECTIONS = {"1": "+ 正向 benefit", "-1": "− 逆向 cost"}
#: Files of a run (written by :func:`~nqpf.report.build_report`) offered for download.
DOWNLOADS = {
    "dl_excel": "tables.xlsx",
    "dl_csv": "scores.csv",
    "dl_stata": "scores.dta",
    "dl_html": "report.html",
}


class _Cancelled(Exception):
    """The user pressed Cancel: stops the run at its next progress step."""


@dataclass
class _RunState:
    """Progress of the running job, written by its thread and read by the page's timer.

    It stands in for the ``rich`` progress bar that :func:`~nqpf.report.build_report` drives
    (``add_task``, ``update``, ``advance``) and raises :class:`_Cancelled` once cancelled.
    ``job`` holds the results as soon as the studies are done, while the files are written.
    """

    step: str = ""
    done: int = 0
    total: int = 0
    cancel: threading.Event = field(default_factory=threading.Event)
    job: Any = None

    def results(self, job: Any) -> None:
        self.job = job

    def _check(self) -> None:
        if self.cancel.is_set():
            raise _Cancelled

    def add_task(self, description: str, total: int = 0) -> str:
        self._check()
        if not self.total:
            self.total = total
        return description

    def update(self, task: str, description: str | None = None, **_: Any) -> None:
        self._check()
        if description is not None:
            self.step = description

    def advance(self, task: str) -> None:
        self._check()
        self.done += 1


def _run_job(panel: Any, system: Any, choices: dict[str, Any], out: Path, state: _RunState) -> Any:
    """The chosen studies on ``panel`` via :func:`~nqpf.report.build_report` into ``out``."""
    from nqpf.report.build import build_report

    _, job = build_report(
        out, panel=panel, system=system, progress=state, on_results=state.results, **choices
    )
    return job


def make_app() -> Any:
    """The workbench as a :class:`shiny.App` (serve it with uvicorn, or ``nqpf serve``)."""
    from shiny import App, reactive, render, req, ui

    from nqpf.data import load_province_panel, write_example
    from nqpf.errors import NqpfError
    from nqpf.index import AGGREGATIONS, WEIGHTINGS, builtin_systems, load_system
    from nqpf.report.plots import draw, save_figures
    from nqpf.studies import STUDIES
    from nqpf.validation import ValidationReport

    def label(key: str) -> Any:
        return ui.output_text(f"t_{key}", inline=True)

    def card(step: str, *body: Any) -> Any:
        return ui.card(ui.card_header(label(step)), *body)

    page = ui.page_fluid(
        ui.h2(label("title")),
        ui.input_radio_buttons("lang", label("lang"), LANGUAGES, selected="zh", inline=True),
        card(
            "step1",
            ui.input_radio_buttons("source", label("source"), SOURCES, inline=True),
            ui.input_file("table_file", label("upload"), accept=[".csv", ".xlsx"]),
            ui.output_ui("source_message"),
        ),
        card(
            "step2",
            ui.output_ui("mapping"),
            ui.output_ui("panel_message"),
            ui.h5(label("validation")),
            ui.output_data_frame("validation"),
            ui.download_button("dl_validation_md", label("dl_validation")),
        ),
        card(
            "step3",
            ui.input_select("system", label("system"), {}),
            ui.input_file("system_file", label("system_upload"), accept=[".yaml", ".yml"]),
            ui.output_ui("system_message"),
            ui.h5(label("form")),
            ui.output_ui("system_form"),
            ui.download_button("dl_system", label("dl_system")),
            ui.layout_columns(
                ui.input_select("weighting", label("weighting"), list(WEIGHTINGS)),
                ui.input_select("aggregation", label("aggregation"), list(AGGREGATIONS)),
                ui.input_numeric("runs", label("runs"), 100, min=0, max=1000, step=10),
            ),
        ),
        card(
            "step4",
            ui.input_checkbox_group(
                "studies",
                label("studies"),
                {s.key: s.label for s in STUDIES},
                selected=[s.key for s in STUDIES],
                inline=True,
            ),
            ui.layout_columns(
                ui.input_task_button("run", label("run")),
                ui.input_action_button("cancel", label("cancel")),
            ),
            ui.output_ui("status"),
            ui.h5(label("rankings")),
            ui.output_data_frame("rankings"),
            ui.h5(label("map")),
            ui.output_plot("score_map", height="520px"),
            ui.output_ui("skipped"),
            ui.input_select("figure", label("figure"), {}),
            ui.output_plot("study_figure", height="520px"),
            ui.input_select("table", label("table"), {}),
            ui.output_data_frame("study_table"),
        ),
        card(
            "step5",
            ui.layout_columns(
                *(ui.download_button(key, label(key)) for key in DOWNLOADS),
                ui.download_button("dl_figures", label("dl_figures")),
            ),
        ),
        title="nqpf workbench 新质生产力工作台",
    )

    def server(input: Any, output: Any, session: Any) -> None:
        folder = tempfile.TemporaryDirectory(prefix="nqpf-workbench-")
        session.on_ended(folder.cleanup)
        out = Path(folder.name) / "run"
        running = [_RunState()]  # the state of the latest run
        forms = itertools.count()  # numbers the index-system forms
        no_data = reactive.value(False)
        upload: reactive.Value[Upload | None] = reactive.value(None)
        upload_error = reactive.value("")
        uploaded_system: reactive.Value[Any] = reactive.value(None)
        system_error = reactive.value("")

        def text(key: str) -> str:
            return LABELS[key][0 if input.lang() == "zh" else 1]

        for key in LABELS:

            def show(key: str = key) -> None:
                @output(id=f"t_{key}")
                @render.text
                def _() -> str:
                    return text(key)

            show()

        def alert(message: str, kind: str = "danger") -> Any:
            return ui.div(message, class_=f"alert alert-{kind}", role="alert") if message else None

        @reactive.effect
        @reactive.event(input.table_file)
        def _read_table() -> None:
            files = input.table_file()
            if not files:
                return
            try:
                content = uploaded_bytes(files[0]["datapath"], files[0]["name"])
                upload.set(read_upload(content, files[0]["name"]))
                upload_error.set("")
            except NqpfError as exc:
                upload.set(None)
                upload_error.set(f"{type(exc).__name__}: {exc}")

        @reactive.calc
        def example() -> tuple[Upload, Any]:
            with tempfile.TemporaryDirectory(prefix="nqpf-example-") as where:
                paths = {p.name: p for p in write_example(where)}
                table = read_upload(paths["example.xlsx"].read_bytes(), "example.xlsx")
                system_yaml = paths["example_system.yaml"]
                system = read_system_upload(system_yaml.read_bytes(), system_yaml.name)
            return table, system

        @reactive.calc
        def table() -> Upload | None:
            if input.source() == "example":
                return example()[0]
            return upload() if input.source() == "upload" else None

        @render.ui
        def source_message() -> Any:
            return alert(upload_error()) if input.source() == "upload" else None

        @render.ui
        def mapping() -> Any:
            current = table()
            if current is None:
                return None
            choices = {"": "自动识别 recognised automatically", **{h: h for h in current.headers}}
            return ui.layout_columns(
                ui.input_select("region_col", label("region"), choices),
                ui.input_select("year_col", label("year"), choices),
            )

        @reactive.calc
        def panel() -> tuple[Any, str]:
            if input.source() == "bundled":
                return load_province_panel(), ""
            current = table()
            if current is None:
                return None, ""
            region = input.region_col() if "region_col" in input else ""
            year = input.year_col() if "year_col" in input else ""
            try:
                return current.panel(region=region or None, year=year or None), ""
            except NqpfError as exc:
                return None, f"{type(exc).__name__}: {exc}"

        @render.ui
        def panel_message() -> Any:
            data, error = panel()
            if data is None:
                return alert(error)
            years = data.years
            return ui.TagList(
                ui.p(f"{len(data.regions)} {text('regions')} × {years[0]}–{years[-1]}"),
                ui.p(ui.strong(text("indicators")), ": ", ", ".join(data.indicators)),
            )

        def validation_report() -> ValidationReport:
            data, _ = panel()
            report = ValidationReport()
            if data is not None:
                report.extend(data.report)
                report.extend(data.validate())
            return report

        @render.data_frame
        def validation() -> Any:
            return render.DataGrid(validation_report().to_frame(), height="240px")

        @render.download(filename="validation.md")
        def dl_validation_md() -> Any:
            yield validation_report().to_markdown(10_000)

        @reactive.effect
        @reactive.event(input.system_file)
        def _read_system() -> None:
            files = input.system_file()
            if not files:
                return
            try:
                content = uploaded_bytes(files[0]["datapath"], files[0]["name"])
                uploaded_system.set(read_system_upload(content, files[0]["name"]))
                system_error.set("")
            except NqpfError as exc:
                uploaded_system.set(None)
                system_error.set(f"{type(exc).__name__}: {exc}")

        @reactive.effect
        def _system_choices() -> None:
            choices = {name: name for name in builtin_systems()}
            selected = "nqpf-province"
            if input.source() == "example":
                choices, selected = {"example": "example_system.yaml", **choices}, "example"
            if uploaded_system() is not None:
                choices, selected = {"uploaded": uploaded_system().name, **choices}, "uploaded"
            ui.update_select("system", choices=choices, selected=selected)

        @reactive.calc
        def base_system() -> tuple[str, Any]:
            """The chosen system, and a fresh prefix for its form's input ids.

            A new prefix per system: values left by an earlier system's form are never read.
            """
            name = input.system()
            req(name)
            if name == "uploaded":
                system = uploaded_system()
            else:
                system = example()[1] if name == "example" else load_system(name)
            return f"f{next(forms)}_", system

        @render.ui
        def system_form() -> Any:
            prefix, system = base_system()
            dimensions = list(system.dimension_labels)
            head = ui.tags.tr(
                *(ui.tags.th(label(k)) for k in ("include", "indicator", "direction", "dimension"))
            )
            rows = [
                ui.tags.tr(
                    ui.tags.td(ui.input_checkbox(f"{prefix}inc_{i}", None, value=True)),
                    ui.tags.td(ui.code(row.name), " ", f"{row.label_zh} {row.label_en}"),
                    ui.tags.td(
                        ui.input_select(
                            f"{prefix}dir_{i}", None, DIRECTIONS, selected=str(row.direction)
                        )
                    ),
                    ui.tags.td(
                        ui.input_selectize(
                            f"{prefix}dim_{i}",
                            None,
                            dimensions,
                            selected=row.dimension,
                            options={"create": True},
                        )
                    ),
                )
                for i, row in enumerate(system_table(system).itertuples())
            ]
            return ui.div(
                ui.tags.table(ui.tags.thead(head), ui.tags.tbody(*rows), class_="table table-sm"),
                style="max-height: 420px; overflow-y: auto",
            )

        @reactive.calc
        def edited() -> tuple[dict[str, Any] | None, str]:
            """The chosen system with the form's edits, as a checked mapping, or the error."""
            prefix, system = base_system()
            table = system_table(system)
            for i in table.index:
                values = {
                    "include": (f"{prefix}inc_{i}", bool),
                    "direction": (f"{prefix}dir_{i}", int),
                    "dimension": (f"{prefix}dim_{i}", str),
                }
                for column, (key, kind) in values.items():
                    if key in input and input[key]() not in (None, ""):
                        table.at[i, column] = kind(input[key]())
            try:
                spec = edited_spec(system, table)
                load_system(spec)
            except NqpfError as exc:
                return None, f"{type(exc).__name__}: {exc}"
            return spec, ""

        @render.ui
        def system_message() -> Any:
            return alert(system_error() or edited()[1])

        @render.download(filename="index_system.yaml")
        def dl_system() -> Any:
            spec, _ = edited()
            if spec is None:  # the message of the form says why
                req(False)
            else:
                yield system_yaml(spec)

        @reactive.extended_task
        async def job_task(
            data: Any, system: Any, choices: dict[str, Any], state: _RunState
        ) -> Any:
            return await asyncio.to_thread(_run_job, data, system, choices, out, state)

        @reactive.effect
        @reactive.event(input.run)
        def _run() -> None:
            data, _ = panel()
            spec, _ = edited()
            no_data.set(data is None)
            if data is None or spec is None:
                return
            running[0] = _RunState()
            choices = {
                "weighting": input.weighting(),
                "aggregation": input.aggregation(),
                "runs": int(input.runs() or 0),
                "studies": ["index", *input.studies()],
            }
            job_task.invoke(data, spec, choices, running[0])

        @reactive.effect
        def _index_always() -> None:
            if "index" not in input.studies():
                ui.update_checkbox_group("studies", selected=["index", *input.studies()])

        @reactive.effect
        @reactive.event(input.cancel)
        def _cancel() -> None:
            running[0].cancel.set()
            job_task.cancel()

        @render.ui
        def status() -> Any:
            if no_data():
                return alert(text("no_data"), "warning")
            current = job_task.status()
            if current == "running":
                reactive.invalidate_later(0.5)
                state = running[0]
                return ui.div(
                    ui.span(text("running") + state.step),
                    ui.tags.progress(value=state.done, max=max(state.total, 1)),
                )
            if current == "error":
                try:
                    job_task.result()
                except Exception as exc:  # shown in the page; the app keeps running
                    return alert(f"{text('failed')}{type(exc).__name__}: {exc}")
            messages = {"initial": "idle", "success": "done", "cancelled": "cancelled"}
            return ui.p(text(messages.get(current, "idle")))

        @reactive.poll(lambda: id(running[0].job), 0.25)
        def job() -> Any:
            """The latest run's results, as soon as its studies are done (None before).

            Shown while the files are still being written; a new run clears them.
            """
            return running[0].job

        def written() -> bool:
            return job_task.status() == "success"

        @render.data_frame
        def rankings() -> Any:
            if job() is None:
                return None
            return render.DataGrid(job().index.ranking("rank").reset_index(), height="300px")

        @render.plot(alt="map of the scores")
        def score_map() -> Any:
            if job() is None:
                return None
            return draw(job().results["index"].figures()["map"])

        @render.ui
        def skipped() -> Any:
            if job() is None or not job().skipped:
                return None
            return ui.TagList(
                ui.h5(text("skipped")),
                ui.tags.ul(*(ui.tags.li(f"{k}: {v}") for k, v in job().skipped.items())),
            )

        @reactive.calc
        def figures() -> dict[str, Any]:
            if job() is None:
                return {}
            return {
                f"{key}/{name}": spec
                for key, result in job().results.items()
                for name, spec in result.figures().items()
            }

        @reactive.calc
        def tables() -> dict[str, Any]:
            if job() is None:
                return {}
            return {
                f"{key}/{name}": table
                for key, result in job().results.items()
                for name, table in result.tables().items()
            }

        @reactive.effect
        def _result_choices() -> None:
            specs = figures()
            ui.update_select("figure", choices={k: s.caption for k, s in specs.items()})
            ui.update_select("table", choices=list(tables()))

        @render.plot(alt="figure of a study")
        def study_figure() -> Any:
            spec = figures().get(input.figure())
            return None if spec is None else draw(spec)

        @render.data_frame
        def study_table() -> Any:
            frame = tables().get(input.table())
            return None if frame is None else render.DataGrid(frame, height="300px")

        def download(key: str, name: str) -> None:
            @output(id=key)
            @render.download(filename=f"nqpf-{name}")
            def _() -> Any:
                req(written())
                return str(out / name)

        for key, name in DOWNLOADS.items():
            download(key, name)

        @render.download(filename="nqpf-figures.zip")
        def dl_figures() -> Any:
            req(job() is not None)
            buffer = io.BytesIO()
            with tempfile.TemporaryDirectory(prefix="nqpf-figures-") as where:
                with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                    for key, result in job().results.items():
                        for path in save_figures(result, Path(where) / key):
                            archive.write(path, f"{key}/{path.name}")
            yield buffer.getvalue()

    return App(page, server)
