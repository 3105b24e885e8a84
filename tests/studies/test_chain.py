"""The innovation-chain study on the bundled data, and its refusal of data it cannot use."""

import numpy as np
import pandas as pd
import pytest

from nqpf.data import load_province_sci_tech
from nqpf.efficiency import two_stage
from nqpf.errors import DataValidationError, NqpfError
from nqpf.studies import DEFAULT_CHAIN, STUDIES, MainJob, chain_study

VARIABLES = [v for names in DEFAULT_CHAIN.values() for v in names]


@pytest.fixture(scope="module")
def study():
    return chain_study()


@pytest.fixture(scope="module")
def wide():
    """The chain's variables straight from the loader: (region_code, year) × indicator."""
    data = load_province_sci_tech().data
    data = data[data["indicator"].isin(VARIABLES)]
    return data.pivot_table(index=["region_code", "year"], columns="indicator", values="value")


def test_years_are_the_overlap_of_the_sources(study, wide):
    spans = [set(wide.index.get_level_values("year")[wide[v].notna()]) for v in VARIABLES]
    expected = sorted(set.intersection(*spans))
    assert study.years == expected == list(range(2016, 2023))
    assert any("years 2016–2022" in note for note in study.notes)


def test_tibet_is_left_out_and_listed(study):
    frame = study.to_frame()
    assert 540000 not in set(frame["region_code"])
    assert (frame.groupby("year").size() == 30).all()
    assert any(note.startswith("left out") and "西藏 2016–2022" in note for note in study.notes)


def test_one_year_equals_two_stage_on_the_loader_data(study, wide):
    year = wide.xs(2020, level="year").dropna()
    year = year[(year > 0).all(axis=1)]
    ref = two_stage(
        year[list(DEFAULT_CHAIN["inputs"])],
        year[list(DEFAULT_CHAIN["intermediates"])],
        year[list(DEFAULT_CHAIN["outputs"])],
    ).table.set_index("dmu")
    got = study.to_frame().query("year == 2020").set_index("region_code")
    for column in ("overall", "stage1", "stage2"):
        np.testing.assert_allclose(got[column], ref.loc[got.index, column], rtol=1e-9)
    np.testing.assert_allclose(got["overall"], got["stage1"] * got["stage2"], rtol=1e-7)


def test_means_by_nation_and_macro_region(study):
    means = study.means()
    frame = study.to_frame()
    national = means[means["group"] == "全国 National"].set_index("year")
    np.testing.assert_allclose(national["overall"], frame.groupby("year")["overall"].mean())
    east = means[means["group"] == "东部 East"]
    assert (east["regions"] == 10).all()  # Beijing … Hainan: the ten eastern provinces
    counts = means[means["group"] != "全国 National"].groupby("year")["regions"].sum()
    assert (counts == 30).all()


def test_tables_and_figures(study):
    assert set(study.tables()) == {"chain_efficiency", "chain_means"}
    figures = study.figures()
    assert figures["scatter"].plot == "quadrant_scatter"
    assert len(figures["scatter"].data) == 30
    assert figures["map"].plot == "province_map"


def test_a_user_table_without_the_variables_is_skipped_by_the_main_job():
    from nqpf.panel import Panel

    frame = pd.DataFrame(
        {"region": ["北京", "天津"], "year": 2020, "indicator": "gdp", "value": [1.0, 2.0]}
    )
    (run,) = [s for s in STUDIES if s.key == "chain"]
    job = MainJob(Panel.from_long(frame))
    with pytest.raises(NqpfError, match="rd_fte"):
        run.run(job)
    assert "nqpf chain --data FILE" in run.hint


def test_variable_in_two_roles():
    with pytest.raises(DataValidationError, match="two roles"):
        chain_study(inputs=["rd_fte"], intermediates=["rd_fte"], outputs=["rd_exp"])
