"""The one input adaptor and the one weights-spec parser of the studies."""

import numpy as np
import pandas as pd
import pytest
from libpysal import weights as lweights

from nqpf.errors import DataValidationError, IslandWarning, WeightsError
from nqpf.geo import SpatialWeights, knn_weights
from nqpf.studies.inputs import study_weights, value_table, weights_description

CODES = [110000, 120000, 130000, 140000, 150000]


def test_value_table_from_a_long_frame():
    df = pd.DataFrame(
        {"地区": CODES, "年份": [2022.0] * 5, "y": ["1.5", 2, 3, None, 5], "zone": list("aabbc")}
    )
    table, notes = value_table(df, "y", region="地区", year="年份", keep=["zone"])
    assert list(table.columns) == ["region_code", "year", "value", "zone"]
    assert table["year"].dtype == np.int64 and notes == []
    assert table["value"].tolist()[:3] == [1.5, 2.0, 3.0] and np.isnan(table["value"].iloc[3])
    assert [type(c) for c in table["region_code"]] == [int] * 5


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"region_code": [1], "year": [2020]}), r"column\(s\) \['y'\] not found"),
        (
            pd.DataFrame({"region_code": [110000], "year": [2020.5], "y": [1.0]}),
            "must hold whole years",
        ),
        (
            pd.DataFrame({"region_code": [110000], "year": [2020], "y": ["n/a"]}),
            r"region 110000 in 2020 \('n/a'\)",
        ),
    ],
)
def test_value_table_names_what_is_wrong(frame, message):
    with pytest.raises(DataValidationError, match=message):
        value_table(frame, "y", what="test")


def test_value_table_missing_keep_column_gets_the_hint():
    df = pd.DataFrame({"region_code": CODES, "year": 2022, "y": 1.0})
    with pytest.raises(DataValidationError, match=r"\['zone'\] not found in the data; try"):
        value_table(df, "y", keep=["zone"], hint="; try")


def test_value_table_from_an_index_result_and_a_panel(index_result, bundled_panel):
    table, _ = value_table(index_result, "labourers")
    expected = index_result.table()
    assert np.allclose(table["value"], expected["score_labourers"])
    with pytest.raises(DataValidationError, match="choose one of"):
        value_table(index_result, "nope")
    table, notes = value_table(bundled_panel, "log(gdp)")
    gdp = bundled_panel.evaluate("gdp").dropna()
    merged = table.set_index(["region_code", "year"])["value"].dropna()
    assert np.allclose(merged, np.log(gdp.reindex(merged.index)))
    years = set(table["year"])
    assert all(f"{min(years)}" not in n for n in notes)  # notes name only years left out
    with pytest.raises(DataValidationError, match="takes a composite-index result"):
        value_table([1, 2], "y")


def test_study_weights_specs_match_the_builders():
    w, notes = study_weights("knn:2", CODES)
    expected = knn_weights(CODES, k=2, row_standardize=False)
    assert np.array_equal(w.dense, expected.dense) and notes == []
    assert weights_description(w, "knn:2").endswith("(knn:2)")
    with pytest.raises(WeightsError, match="unknown spatial weights 'hexagon'"):
        study_weights("hexagon", CODES)
    with pytest.raises(WeightsError, match="cannot read the parameter"):
        study_weights("knn:two", CODES)


def test_study_weights_queen_reports_the_island():
    codes = [440000, 450000, 460000, 430000, 350000]
    w, notes = study_weights("queen", codes)
    assert w.added_links and "海南 Hainan" in notes[0] and "(460000 → 450000)" in notes[0]


def test_study_weights_from_files_and_libpysal_objects(tmp_path):
    codes = [110000, 120000, 130000, 140000]
    dense = np.array([[0, 1, 1, 0], [1, 0, 1, 0], [1, 1, 0, 1], [0, 0, 1, 0]], dtype=float)
    # a labelled CSV matrix, rows and columns in another order than the data
    order = [3, 1, 0, 2]
    frame = pd.DataFrame(dense[np.ix_(order, order)], index=[codes[i] for i in order])
    frame.columns = [str(codes[i]) for i in order]
    frame.to_csv(tmp_path / "w.csv")
    from_csv, _ = study_weights(tmp_path / "w.csv", codes)
    assert np.array_equal(from_csv.dense, dense)
    # a GeoDa GAL file: the count, then "id k" and the k neighbours of each region
    links = {c: [codes[j] for j in np.flatnonzero(dense[i])] for i, c in enumerate(codes)}
    lines = [str(len(codes))]
    for code, neighbours in links.items():
        lines += [f"{code} {len(neighbours)}", " ".join(map(str, neighbours))]
    (tmp_path / "w.gal").write_text("\n".join(lines) + "\n", encoding="utf-8")
    from_gal, _ = study_weights(str(tmp_path / "w.gal"), codes)
    assert np.array_equal(from_gal.dense, dense)
    assert weights_description(from_gal, str(tmp_path / "w.gal")).endswith("(w.gal)")
    # a libpysal W object keyed by the codes themselves
    w_obj = lweights.W(links)
    from_w, _ = study_weights(w_obj, codes)
    assert np.array_equal(from_w.dense, dense)
    with pytest.raises(WeightsError, match="not found"):
        study_weights(tmp_path / "missing.gal", codes)


def test_study_weights_nqpf_weights_report_regions_without_neighbours():
    dense = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=float)
    with pytest.warns(IslandWarning):
        w = SpatialWeights.from_array(dense, [110000, 120000, 650000])
    given, notes = study_weights(w, [650000, 110000, 120000])
    assert given.codes == (650000, 110000, 120000) and given.isolated == (650000,)
    assert notes == [
        "空间权重 Spatial weights: regions without any neighbour (spatial lag 0): 新疆 Xinjiang"
    ]


def test_built_in_weights_are_built_once_for_the_same_regions():
    from nqpf.studies.inputs import study_weights

    codes = [110000, 120000, 130000, 140000, 150000]
    first, _ = study_weights("knn:2", codes)
    again, _ = study_weights(" KNN:2 ", list(codes))  # the same spec written otherwise
    other, _ = study_weights("knn:3", codes)
    assert again is first  # shared, not rebuilt
    assert other is not first and other.neighbors(110000) != first.neighbors(110000)
    assert study_weights("knn:2", codes[::-1])[0].codes == tuple(codes[::-1])  # order kept
