"""``nqpf disparity`` driven as a user would: bundled data, a user table, and bad input."""

import re

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from nqpf.cli import app
from nqpf.regions import provinces

runner = CliRunner()

FILES = ("dagum.csv", "theil.csv", "convergence.csv", "markov.csv", "density.csv")


def _user_table(years=(2019, 2020, 2021, 2022)) -> pd.DataFrame:
    """31 provinces by Chinese short name, a made-up positive value and a north/south column."""
    table = provinces()
    rng = np.random.default_rng(5)
    rows = []
    for _, row in table.iterrows():
        base = rng.uniform(1, 5)
        for i, year in enumerate(years):
            rows.append(
                {
                    "省份": row["short"],
                    "年份": year,
                    "指数": base * (1 + 0.05 * i) + rng.uniform(0, 0.2),
                    "南北": "北方 North" if row["lat"] > 33 else "南方 South",
                }
            )
    return pd.DataFrame(rows)


@pytest.mark.slow
def test_bundled_data_end_to_end(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["disparity", "--by", "macro_region", "--bootstrap", "9", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    for name in (*FILES, "disparity.html"):
        assert (out / name).stat().st_size > 0, name
    assert "460000" in result.output  # Hainan's contiguity repair is shown
    dagum = pd.read_csv(out / "dagum.csv")
    totals = dagum.query("component == 'total'")
    assert totals.year.tolist() == list(range(2011, 2023))
    assert (totals.lower <= totals.value).all() and (totals.value <= totals.upper).all()
    markov = pd.read_csv(out / "markov.csv")
    assert set(markov.chain) == {"classical", "spatial"}
    probs = markov.query("chain == 'classical' and table == 'probability'")
    assert np.allclose(probs.groupby("from_class").value.sum(), 1.0)
    assert set(pd.read_csv(out / "density.csv").group) == {
        "全国 National",
        "东部 East",
        "中部 Central",
        "西部 West",
        "东北 Northeast",
    }
    page = (out / "disparity.html").read_text(encoding="utf-8")
    assert not re.search(r'(src|href)="https?:', page)
    assert "Regional differences" in page and "Rankings" not in page


def test_user_table_with_its_own_groups(tmp_path):
    path = tmp_path / "mine.csv"
    _user_table().to_csv(path, index=False, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "disparity",
            "--data",
            str(path),
            "--by",
            "南北",
            "--value",
            "指数",
            "--region-col",
            "省份",
            "--year-col",
            "年份",
            "--k",
            "3",
            "--bootstrap",
            "0",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    theil = pd.read_csv(out / "theil.csv")
    assert set(theil.group.dropna()) == {"北方 North", "南方 South"}
    markov = pd.read_csv(out / "markov.csv")
    assert markov.from_class.max() == 3
    conv = pd.read_csv(out / "convergence.csv")
    assert set(conv.query("analysis == 'club'").scope) == {"北方 North", "南方 South"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--by", "province_group"], r"\['province_group'\] not found.*macro_region"),
        (["--value", "nope"], "value 'nope' is not in the index result"),
    ],
    ids=["unknown-group", "unknown-value"],
)
def test_bad_options_on_bundled_data(tmp_path, args, message):
    result = runner.invoke(app, ["disparity", *args, "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert re.search(message, result.output.replace("\n", "")), result.output
    assert "Traceback" not in result.output


def test_too_few_years_for_markov(tmp_path):
    path = tmp_path / "one_year.csv"
    _user_table(years=(2022,)).to_csv(path, index=False)
    result = runner.invoke(
        app,
        [
            "disparity",
            "--data",
            str(path),
            "--value",
            "指数",
            "--region-col",
            "省份",
            "--year-col",
            "年份",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 2
    text = result.output.replace("\n", "")
    assert "at least 2 years" in text and "[2022]" in text and "Markov" in text


def test_unknown_group_in_a_user_table(tmp_path):
    path = tmp_path / "mine.csv"
    _user_table().to_csv(path, index=False)
    result = runner.invoke(
        app,
        [
            "disparity",
            "--data",
            str(path),
            "--by",
            "区域",
            "--value",
            "指数",
            "--region-col",
            "省份",
            "--year-col",
            "年份",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 2
    assert "'区域' not found" in result.output.replace("\n", "")


def test_misspelled_region_and_missing_column(tmp_path):
    table = _user_table()
    table.loc[0, "省份"] = "江两"
    path = tmp_path / "typo.csv"
    table.to_csv(path, index=False)
    common = ["--value", "指数", "--year-col", "年份", "--out", str(tmp_path)]
    result = runner.invoke(app, ["disparity", "--data", str(path), "--region-col", "省份", *common])
    assert result.exit_code == 2 and "江西" in result.output
    result = runner.invoke(app, ["disparity", "--data", str(path), *common])  # 省份 recognised
    assert result.exit_code == 2 and "column '省份'" in result.output and "江西" in result.output


def test_missing_file(tmp_path):
    result = runner.invoke(app, ["disparity", "--data", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2 and "nope.csv" in result.output


def _city_table() -> pd.DataFrame:
    """SYNTHETIC values (seeded) for 11 real cities by Chinese name, 2019-2022."""
    names = ["北京", "石家庄", "唐山", "邯郸市", "邢台", "太原", "大同市", "运城", "广州", "深圳市"]
    names.append("汕头")
    rng = np.random.default_rng(11)
    return pd.DataFrame(
        {
            "城市": np.repeat(names, 4),
            "年份": np.tile([2019, 2020, 2021, 2022], len(names)),
            "值": rng.uniform(1.0, 3.0, 4 * len(names)),
        }
    )


def _city_args(path, out, *extra):
    return [
        "disparity",
        "--data",
        str(path),
        "--region-col",
        "城市",
        "--year-col",
        "年份",
        "--value",
        "值",
        "--bootstrap",
        "0",
        "--out",
        str(out),
        *extra,
    ]


def test_cities_by_province_from_a_user_table(tmp_path):
    path = tmp_path / "cities.csv"
    _city_table().to_csv(path, index=False, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, _city_args(path, out, "--by", "province"))  # --level city implied
    assert result.exit_code == 0, result.output
    text = result.output.replace("\n", "")
    assert "北京 Beijing, 河北 Hebei, 山西 Shanxi, 广东 Guangdong" in text
    assert "fewer than 2 regions in some year (北京 Beijing)" in text
    theil = pd.read_csv(out / "theil.csv")
    assert set(theil.group.dropna()) == {
        "北京 Beijing",
        "河北 Hebei",
        "山西 Shanxi",
        "广东 Guangdong",
    }
    conv = pd.read_csv(out / "convergence.csv")
    assert set(conv.query("analysis == 'club'").scope) == {
        "河北 Hebei",
        "山西 Shanxi",
        "广东 Guangdong",
    }


def test_cities_by_agglomeration_need_explicit_choices(tmp_path):
    path = tmp_path / "cities.csv"
    _city_table().to_csv(path, index=False, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, _city_args(path, out, "--by", "agglomeration"))
    assert result.exit_code == 2 and "Traceback" not in result.output
    text = result.output.replace("\n", "")
    assert "DataValidationError: 5 city/cities belong to more than one urban agglomeration" in text
    assert "邯郸市 130400: 京津冀城市群 (2015) / 中原城市群 (2016)" in text
    assert "--overlap first-plan" in text
    result = runner.invoke(
        app, _city_args(path, out, "--by", "agglomeration", "--overlap", "first-plan")
    )
    assert result.exit_code == 2
    assert "2 of 11 cities are in no urban agglomeration" in result.output.replace("\n", "")
    args = ["--by", "agglomeration", "--overlap", "first-plan", "--unassigned", "other"]
    result = runner.invoke(app, _city_args(path, out, *args))
    assert result.exit_code == 0, result.output
    text = result.output.replace("\n", "")
    assert "广州市 440100 → 珠江三角洲城市群" in text and "其他 Other" in text
    theil = pd.read_csv(out / "theil.csv")
    assert "其他 Other" in set(theil.group.dropna())
    result = runner.invoke(app, _city_args(path, out, "--by", "province", "--unassigned", "drop"))
    assert result.exit_code == 2
    assert "apply to group='agglomeration' only" in result.output.replace("\n", "")


@pytest.mark.slow
def test_cities_with_knn_weights_get_the_spatial_markov_chain(tmp_path):
    path = tmp_path / "cities.csv"
    _city_table().to_csv(path, index=False, encoding="utf-8")
    args = _city_args(path, tmp_path / "knn", "--by", "province", "--weights", "knn:3", "--k", "2")
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(tmp_path / "knn" / "markov.csv")["chain"]) == {"classical", "spatial"}
    plain = _city_args(path, tmp_path / "plain", "--by", "province", "--k", "2")
    result = runner.invoke(app, plain)
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(tmp_path / "plain" / "markov.csv")["chain"]) == {"classical"}


def test_unknown_weights_spec_is_one_clear_line(tmp_path):
    args = ["disparity", "--weights", "knight:3", "--bootstrap", "0", "--out", str(tmp_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "knight" in result.output
