"""The coupling study on the bundled index: D against the direct formula, tables, figures."""

import numpy as np
import pandas as pd
import pytest

from nqpf.errors import DataValidationError
from nqpf.paths import coupling_coordination
from nqpf.studies import coupling_study


def _elements(index_result) -> pd.DataFrame:
    """Each element's weighted mean of its normalised indicators, computed from scratch."""
    weights = index_result.indicator_weights.set_index("indicator")
    out = {}
    for dim, members in weights.groupby("dimension", sort=False):
        w = members["weight"]
        out[dim] = index_result.normalized[w.index].to_numpy() @ (w / w.sum()).to_numpy()
    return pd.DataFrame(out, index=index_result.normalized.index)


@pytest.fixture(scope="module")
def study(index_result):
    return coupling_study(index_result)


def test_d_equals_the_direct_formula_on_the_element_scores(index_result, study):
    u = _elements(index_result)
    assert ((u >= 0) & (u <= 1)).all().all()
    n = u.shape[1]
    c = n * np.prod(u, axis=1) ** (1 / n) / u.sum(axis=1)
    d = np.sqrt(c * u.mean(axis=1)).rename("D")
    got = study.to_frame().set_index(["region_code", "year"])["D"]
    pd.testing.assert_series_equal(got.sort_index(), d.sort_index(), check_names=False)
    direct = coupling_coordination(u.reset_index()).to_frame()
    np.testing.assert_allclose(study.coupling.to_frame()["D"], direct["D"])
    assert any("divided by its weight share" in note for note in study.notes)


def test_tables_figures_and_notes(index_result, study):
    tables = study.tables()
    assert list(tables) == ["coupling", "coupling_grades", "grade_transitions"]
    grades = tables["coupling_grades"]
    assert len(grades) == 10 * len(index_result.years)
    assert (grades.groupby("year")["regions"].sum() == 31).all()
    transitions = tables["grade_transitions"].set_index("from")
    assert transitions.to_numpy().sum() == 31 * (len(index_result.years) - 1)
    fig = study.figures()["map"]
    assert fig.plot == "province_map" and len(fig.data) == 31
    lagging = [note for note in study.notes if "the lagging element is" in note]
    latest = study.to_frame().query(f"year == {index_result.years[-1]}")
    assert str(int((latest["lagging"] == "labourers").sum())) in lagging[0]
    assert "劳动者 Labourers" in lagging[0]


def test_revised_variant_and_subsets(index_result):
    revised = coupling_study(
        index_result, subsystems=["labourers", "objects_of_labour"], variant="revised"
    )
    u = _elements(index_result)[["labourers", "objects_of_labour"]]
    a, b = u["labourers"], u["objects_of_labour"]
    c = np.sqrt((1 - (a - b).abs()) * np.minimum(a, b) / np.maximum(a, b))
    d = np.sqrt(c * (a + b) / 2)
    got = revised.to_frame().set_index(["region_code", "year"])["D"]
    np.testing.assert_allclose(got.sort_index(), d.sort_index())


def test_bad_subsystems(index_result):
    with pytest.raises(DataValidationError, match="'talent' is not a dimension"):
        coupling_study(index_result, subsystems=["labourers", "talent"])
    with pytest.raises(DataValidationError, match="at least two dimensions"):
        coupling_study(index_result, subsystems=["labourers"])


def test_elements_outside_the_unit_interval_are_rescaled_and_said(bundled_panel):
    from nqpf.index import compute_index

    zscored = compute_index(bundled_panel, normalization="zscore")
    study = coupling_study(zscored)
    u = _elements(zscored)
    assert (u < 0).any().any()
    u = (u - u.min()) / (u.max() - u.min())
    n = u.shape[1]
    c = n * np.prod(u, axis=1) ** (1 / n) / u.sum(axis=1)
    d = np.sqrt(c * u.mean(axis=1))
    got = study.to_frame().set_index(["region_code", "year"])["D"]
    np.testing.assert_allclose(got.sort_index(), d.sort_index())
    assert any("min–max rescaled over all region-years" in note for note in study.notes)


def test_an_index_with_one_dimension_cannot_be_coupled(bundled_panel):
    from nqpf.index import compute_index

    system = {
        "name": "one",
        "dimensions": [
            {
                "name": "only",
                "indicators": [
                    {"name": "g", "formula": "gdp", "direction": 1},
                    {"name": "p", "formula": "population", "direction": 1},
                ],
            }
        ],
    }
    with pytest.raises(DataValidationError, match="at least two dimensions"):
        coupling_study(compute_index(bundled_panel, system))


# --- the user's own subsystem scores (synthetic data) --------------------------------------------
def _synthetic_scores() -> pd.DataFrame:
    """Synthetic scores of two subsystems for three provinces and two years (not real data)."""
    return pd.DataFrame(
        {
            "region_code": [110000, 310000, 440000] * 2,
            "year": [2021] * 3 + [2022] * 3,
            "innovation_chain": [0.2, 0.9, 0.5, 0.3, 0.6, 0.05],
            "industry_chain": [0.8, 0.7, 0.5, 0.4, 0.1, 0.45],
            "services": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
        }
    )


def _by_hand(u: np.ndarray) -> pd.DataFrame:
    n = u.shape[1]
    c = n * np.prod(u, axis=1) ** (1 / n) / u.sum(axis=1)
    t = u.mean(axis=1)
    return pd.DataFrame({"C": c, "T": t, "D": np.sqrt(c * t)})


def test_user_scores_equal_the_direct_formula():
    frame = _synthetic_scores()
    names = ["innovation_chain", "industry_chain", "services"]
    study = coupling_study(frame, scores=names)
    got = study.tables()["coupling"].sort_values(["year", "region_code"]).reset_index(drop=True)
    expected = _by_hand(frame[names].to_numpy())
    pd.testing.assert_frame_equal(got[["C", "T", "D"]], expected)
    assert got[names].equals(frame[names])
    assert study.labels == tuple(names)
    assert list(study.tables()) == ["coupling", "coupling_grades", "grade_transitions"]
    assert study.figures()["map"].plot == "province_map"
    assert any("the lagging subsystem is" in note for note in study.notes)
    weighted = coupling_study(frame, scores=names[:2], weights=[0.7, 0.3]).tables()["coupling"]
    weighted = weighted.sort_values(["year", "region_code"])
    np.testing.assert_allclose(weighted["T"], 0.7 * frame[names[0]] + 0.3 * frame[names[1]])


def test_user_scores_from_a_panel_with_a_missing_cell():
    from nqpf.panel import Panel

    frame = _synthetic_scores().drop(columns="services")
    frame.loc[5, "industry_chain"] = np.nan
    panel = Panel.from_wide(frame.rename(columns={"region_code": "region"}))
    study = coupling_study(panel, scores=["innovation_chain", "industry_chain"])
    got = study.to_frame().set_index(["region_code", "year"])
    assert len(got) == 5 and (440000, 2022) not in got.index
    expected = _by_hand(frame[["innovation_chain", "industry_chain"]].to_numpy()[:5])
    np.testing.assert_allclose(got.sort_index(level="year")["D"], expected["D"])
    assert any("1 region-year(s) missing a score are left out" in note for note in study.notes)
    with pytest.raises(DataValidationError, match="did you mean 'industry_chain'"):
        coupling_study(panel, scores=["innovation_chain", "industry_chian"])


def test_a_score_above_one_names_the_cell_and_minmax_rescales():
    frame = _synthetic_scores()
    frame.loc[4, "industry_chain"] = 1.2
    pair = ["innovation_chain", "industry_chain"]
    with pytest.raises(
        DataValidationError, match=r"'industry_chain' of 上海 Shanghai in 2022 is 1.2"
    ):
        coupling_study(frame, scores=pair)
    study = coupling_study(frame, scores=pair, rescale="minmax")
    u = frame[pair].to_numpy()
    u = (u - u.min(axis=0)) / (u.max(axis=0) - u.min(axis=0))  # over all region-years
    got = study.tables()["coupling"].sort_values(["year", "region_code"])
    np.testing.assert_allclose(got["D"], _by_hand(u)["D"])
    assert any("min–max rescaled" in note and "[0.05, 0.9]" in note for note in study.notes)


def test_bad_score_requests():
    frame = _synthetic_scores()
    with pytest.raises(DataValidationError, match="at least two score columns"):
        coupling_study(frame, scores=["services"])
    with pytest.raises(DataValidationError, match="not both"):
        coupling_study(frame, scores=["services", "industry_chain"], subsystems=["labourers"])
    with pytest.raises(DataValidationError, match="applies to the user's scores"):
        coupling_study(frame, rescale="minmax")
    frame["services"] = 0.5
    with pytest.raises(DataValidationError, match="'services' is constant"):
        coupling_study(frame, scores=["services", "industry_chain"], rescale="minmax")
