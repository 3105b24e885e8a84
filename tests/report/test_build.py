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
