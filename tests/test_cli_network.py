"""``nqpf network study | od | gravity`` driven as a user would."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from nqpf.cli import app

runner = CliRunner()


def test_network_study_on_the_bundled_data(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["network", "study", "--replicates", "3", "--permutations", "99", "--seed", "1"]
        + ["--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    for name in (
        "estimated_flows.csv",
        "estimated_flow_margins.csv",
        "estimated_network_centrality.csv",
        "estimated_resilience_robustness.csv",
        "gravity_totals.csv",
        "city_gravity_fit.csv",
        "network.html",
        "manifest.json",
    ):
        assert (out / name).stat().st_size > 0, name
    flows = pd.read_csv(out / "estimated_flows.csv", encoding="utf-8-sig")
    assert "estimated_flow" in flows.columns and flows.year.max() == 2023
    totals = pd.read_csv(out / "gravity_totals.csv", encoding="utf-8-sig")
    assert len(totals) == 31 and totals.share.sum() == pytest.approx(1.0)
    assert "robustness R" in result.output
    assert "MRQAP R² = " in result.output and "(99 permutations)" in result.output
    assert "significant at 5 % (two-sided): " in result.output
    assert (out / "estimated_mrqap.csv").stat().st_size > 0


def _margins(tmp_path):
    path = tmp_path / "margins.csv"
    pd.DataFrame(
        {"地区": ["北京", "上海", "广东"], "out": [5.0, 3.0, 2.0], "in": [2.0, 3.0, 5.0]}
    ).to_csv(path, index=False)
    return path


def test_network_od_writes_estimated_flows_holding_both_margins(tmp_path):
    out = tmp_path / "od"
    result = runner.invoke(
        app,
        [
            "network",
            "od",
            "--data",
            str(_margins(tmp_path)),
            "--region",
            "地区",
            "--origin-col",
            "out",
            "--destination-col",
            "in",
            "--beta",
            "0.001",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    flows = pd.read_csv(out / "estimated_flows.csv", encoding="utf-8-sig")
    by_origin = flows.groupby("origin").estimated_flow.sum()
    by_destination = flows.groupby("destination").estimated_flow.sum()
    assert by_origin.loc[[110000, 310000, 440000]].tolist() == pytest.approx([5, 3, 2])
    assert by_destination.loc[[110000, 310000, 440000]].tolist() == pytest.approx([2, 3, 5])


def test_network_od_errors_are_one_line_with_status_2(tmp_path):
    margins = _margins(tmp_path)
    common = ["network", "od", "--data", str(margins), "--region", "地区"]
    result = runner.invoke(
        app, [*common, "--origin-col", "nope", "--destination-col", "in", "--beta", "0.01"]
    )
    assert result.exit_code == 2 and "nope" in result.output
    pd.DataFrame({"地区": ["北京", "上海"], "out": [5.0, 3.0], "in": [2.0, 3.0]}).to_csv(
        margins, index=False
    )
    result = runner.invoke(
        app, [*common, "--origin-col", "out", "--destination-col", "in", "--beta", "0.01"]
    )
    assert result.exit_code == 2 and "differ" in result.output and "rescale" in result.output


def test_network_gravity_writes_totals_and_shares(tmp_path):
    path = tmp_path / "masses.csv"
    pd.DataFrame(
        {"region": ["北京", "上海", "广东"], "pop": [2189, 2487, 12601], "gdp": [4.0, 4.3, 12.4]}
    ).to_csv(path, index=False)
    out = tmp_path / "g"
    result = runner.invoke(
        app,
        ["network", "gravity", "--data", str(path), "--mass", "pop", "--size", "gdp"]
        + ["--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    totals = pd.read_csv(out / "gravity_totals.csv", encoding="utf-8-sig")
    assert totals.share.sum() == pytest.approx(1.0)
    assert (out / "gravity_linkage.csv").exists()


def test_network_study_analyses_the_users_own_flows(tmp_path):
    od = tmp_path / "od.csv"
    pd.DataFrame(
        {
            "origin": ["北京", "上海", "广东", "北京"],
            "destination": ["上海", "广东", "北京", "广东"],
            "flow": [5, 3, 2, 1],
        }
    ).to_csv(od, index=False)
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["network", "study", "--flows", str(od), "--replicates", "2", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    centrality = pd.read_csv(out / "network_centrality.csv", encoding="utf-8-sig")
    assert sorted(centrality.node) == [110000, 310000, 440000]
    strength = centrality.set_index("node").out_strength
    assert strength.loc[110000] == pytest.approx(6.0)
    page = (out / "network.html").read_text(encoding="utf-8")
    assert "flows given by the user" in page
    manifest = (out / "manifest.json").read_text(encoding="utf-8")
    assert "od.csv" in manifest and "nqpf network study" in manifest


def test_manifest_records_the_network_command_as_typed(tmp_path):
    import json

    path = tmp_path / "masses.csv"
    pd.DataFrame({"region": ["北京", "上海"], "pop": [2189, 2487], "gdp": [4.0, 4.3]}).to_csv(
        path, index=False
    )
    out = tmp_path / "g"
    args = ["network", "gravity", "--data", str(path), "--mass", "pop", "--size", "gdp"]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"].startswith("nqpf network gravity ")


def test_user_flows_with_an_unknown_region_or_a_repeated_pair_are_one_line(tmp_path):
    messy = tmp_path / "flows.csv"
    messy.write_text(
        "origin,destination,flow\n北京,上海,100\n上海,北京,80\n江两,广东,30\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["network", "study", "--flows", str(messy), "--out", str(tmp_path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "'江两' (flows.csv row 3, column 'origin')" in result.output
    assert "did you mean '江西'" in result.output
    repeated = tmp_path / "repeated.csv"
    repeated.write_text(
        "origin,destination,flow\n北京,上海,100\n上海,北京,80\n北京,上海,5\n", encoding="utf-8"
    )
    args = ["network", "study", "--flows", str(repeated), "--out", str(tmp_path / "o")]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "edge 110000 → 310000 appears more than once (rows 1, 3" in result.output
    assert not (tmp_path / "o").exists()
