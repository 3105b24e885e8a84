"""The rank-uncertainty section names the regions whose nominal rank lies outside their interval."""

import re

import pandas as pd

from nqpf.index import rank_uncertainty
from nqpf.report.html import HtmlReport
from nqpf.report.index_report import add_index_sections


def _notes(page: str) -> list[str]:
    return re.findall(r'<p class="note">(.*?)</p>', page, re.S)


def _outside_note(page: str) -> str:
    found = [n for n in _notes(page) if "outside their" in n]
    assert len(found) == 1, _notes(page)
    return found[0]


def test_rank_table_without_reasons_gets_the_side(fake_result, fake_uncertainty):
    ranks = fake_uncertainty.astype({"p05": float, "p95": float})
    hainan = ranks["region_code"] == 460000
    ranks.loc[hainan, ["nominal", "median", "p05", "p95"]] = [19, 26.0, 21.5, 30.0]
    page = add_index_sections(HtmlReport("t", "t"), fake_result, ranks).render()
    note = _outside_note(page)
    assert "海南 Hainan（名义 nominal 19，区间 interval 21.5–30）" in note
    assert "rank it lower" in note
    assert "Beijing" not in note  # inside its interval


def test_no_note_when_every_nominal_rank_is_inside(fake_result, fake_uncertainty):
    page = add_index_sections(HtmlReport("t", "t"), fake_result, fake_uncertainty).render()
    assert not [n for n in _notes(page) if "outside their" in n]


def test_uncertainty_result_gives_the_driver(fake_result):
    # 北京 … 黑龙江 2022 with two indicators; the nominal weights (all on ``a``) are never drawn
    # (worked example in tests/index/test_index_uncertainty_nominal.py): 黑龙江 has nominal
    # rank 2, runs rank it 4 (equal weights) or 5 ("b-lean"): the weighting drives it
    index = pd.MultiIndex.from_product(
        [[110000, 120000, 130000, 230000, 310000], [2022]], names=["region_code", "year"]
    )
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0, 5.0], "b": [4.0, 3.5, 1.0, 0.0, 5.0]}, index)
    unc = rank_uncertainty(
        X,
        groups="year",
        normalizations=["minmax"],
        weightings=["equal", pd.Series({"a": 0.4, "b": 0.6}, name="b-lean")],
        aggregations=["linear"],
        weight_perturbation=0.0,
        n_runs=200,
        seed=0,
        nominal={"weighting": pd.Series({"a": 1.0, "b": 0.0}, name="a-only")},
    )
    page = add_index_sections(HtmlReport("t", "t"), fake_result, unc).render()
    lines = _outside_note(page).split("<br>")
    heilongjiang = [line for line in lines if "Heilongjiang" in line]
    assert len(heilongjiang) == 1
    assert "nominal 2" in heilongjiang[0]
    assert "weighting" in heilongjiang[0] and "equal 4, b-lean 5" in heilongjiang[0]
    assert not [line for line in lines if "Shanghai" in line]  # ranks 1 everywhere
