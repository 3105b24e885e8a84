"""The ``studies=`` choice of the main job."""

import pytest

from nqpf.errors import DataValidationError
from nqpf.report.build import run_main_job


def test_only_the_chosen_studies_run_and_the_index_always():
    job = run_main_job(runs=0, studies=["coupling"])
    assert list(job.results) == ["index", "coupling"]
    assert job.skipped == {}


def test_an_unknown_study_is_named():
    with pytest.raises(DataValidationError, match="'maps'"):
        run_main_job(runs=0, studies=["index", "maps"])


def test_the_results_are_handed_over_before_the_files_are_written(tmp_path):
    from nqpf.report.build import build_report

    class Stop(Exception):
        pass

    seen = []

    def on_results(job):  # stops the run: whatever is written comes after this call
        seen.append(list(job.results))
        raise Stop

    with pytest.raises(Stop):
        build_report(tmp_path / "out", runs=0, studies=[], on_results=on_results)
    assert seen == [["index"]]
    assert not (tmp_path / "out").exists()


def test_score_labels_name_every_scores_column_in_both_languages():
    from nqpf.data import load_province_panel
    from nqpf.index import compute_index
    from nqpf.report.build import score_labels

    result = compute_index(load_province_panel())
    labels = score_labels(result.system)
    columns = ["region_code", "region", "year", "score", "rank"]
    columns += [f"score_{d}" for d in result.system.dimension_labels]
    assert set(columns) <= set(labels)
    assert labels["score_labourers"] == ("劳动者得分", "Labourers score")


def test_the_manifest_records_the_seconds_of_each_study_and_file(tmp_path, monkeypatch):
    import json
    import time

    import nqpf.studies
    from nqpf.report import pages
    from nqpf.report.build import build_report
    from nqpf.studies import Study

    def slow(job):  # synthetic study: 0.2 s, then it cannot run on these data
        time.sleep(0.2)
        raise DataValidationError("not on these data")

    studies = (nqpf.studies.STUDIES[0], Study("slow", "Slow study 慢", slow))
    monkeypatch.setattr(nqpf.studies, "STUDIES", studies)
    text_only = (lambda report, study: report.text("index 指数"), pages.SECTIONS["index"][1])
    monkeypatch.setitem(pages.SECTIONS, "index", text_only)  # no maps: fast
    _, job = build_report(tmp_path / "out", runs=0)
    timings = json.loads((tmp_path / "out" / "manifest.json").read_text())["timings"]
    assert list(job.skipped) == ["slow"]
    assert timings["studies"] == job.seconds and list(job.seconds) == ["index", "slow"]
    assert timings["studies"]["slow"] >= 0.2  # a skipped study is timed too
    assert timings["analysis"] >= sum(job.seconds.values())
    assert set(timings["files"]) == {
        "report.html",
        "tables.xlsx",
        "scores.csv",
        "scores.dta",
        "tables.tex",
        "validation.md",
    }
    assert timings["writing"] >= sum(timings["files"].values()) > 0
