"""Record-level flows: the O–D table equals a pandas groupby written here, on DuckDB and Spark."""

import gc
import json
import shutil

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from nqpf.cli import app
from nqpf.data.records import RecordFlows, flows_from_records
from nqpf.errors import DataValidationError

# Spellings as they appear in records → the province code they mean (written by hand, not by the
# registry). "江两" is a transcription typo known only through the alias below.
SPELLINGS = {
    "北京": 110000,
    " 北 京 ": 110000,
    "110000": 110000,
    "上海市": 310000,
    "Shanghai": 310000,
    "江西": 360000,
    "江两": 360000,
    "360000": 360000,
    "广东省": 440000,
    "guangdong": 440000,
}
ALIASES = {"江两": "江西"}
NAMES = {110000: "北京市", 310000: "上海市", 360000: "江西省", 440000: "广东省"}
UNKNOWN = ["Atlantis", "火星省"]
KEYS = ["origin", "destination", "year", "field"]

java = pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java (not found)")


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    """600 synthetic records: known and unknown spellings, self-flows, 3 years, 2 fields."""
    rng = np.random.default_rng(7)
    values = np.array(list(SPELLINGS) + UNKNOWN, dtype=object)
    p = np.r_[np.full(len(SPELLINGS), 0.9 / len(SPELLINGS)), np.full(len(UNKNOWN), 0.05)]
    n = 600
    return pd.DataFrame(
        {
            "seller": rng.choice(values, n, p=p),
            "buyer": rng.choice(values, n, p=p),
            "amount": rng.integers(0, 500, n).astype(float),  # integers: sums are exact
            "yr": rng.choice([2019, 2020, 2021], n),
            "field": rng.choice(["ict", "bio"], n),
        }
    )


def expected(records: pd.DataFrame, *, weight: str | None = "amount", drop_self=False):
    """The O–D table by a plain pandas groupby over the hand-written spellings."""
    frame = records.assign(
        origin=records.seller.map(SPELLINGS), destination=records.buyer.map(SPELLINGS)
    ).dropna(subset=["origin", "destination"])
    frame = frame.astype({"origin": "int64", "destination": "int64"})
    if drop_self:
        frame = frame[frame.origin != frame.destination]
    grouped = frame.rename(columns={"yr": "year"}).groupby(KEYS)
    table = grouped.agg(flow=(weight, "sum")) if weight else grouped.agg(flow=("seller", "size"))
    table["records"] = grouped.size()
    return table.sort_index().reset_index()


def compare(result: RecordFlows, reference: pd.DataFrame) -> None:
    got = result.flows
    assert got.columns.tolist() == [
        "origin",
        "destination",
        "origin_name",
        "destination_name",
        "year",
        "field",
        "flow",
        "records",
    ]
    assert got.origin_name.tolist() == [NAMES[c] for c in got.origin]
    assert got.destination_name.tolist() == [NAMES[c] for c in got.destination]
    pd.testing.assert_frame_equal(
        got.drop(columns=["origin_name", "destination_name"]), reference, check_dtype=False
    )


@pytest.fixture(scope="module")
def files(records, tmp_path_factory):
    folder = tmp_path_factory.mktemp("records")
    records.to_csv(folder / "records.csv", index=False)
    records.to_parquet(folder / "records.parquet")
    for year, part in records.groupby("yr"):
        part.to_parquet(folder / f"part-{year}.parquet")
    return folder


def run(source, **options):
    options = {
        "origin": "seller",
        "destination": "buyer",
        "weight": "amount",
        "year": "yr",
        "by": "field",
        "aliases": ALIASES,
    } | options
    return flows_from_records(source, **options)


@pytest.mark.parametrize("name", ["records.csv", "records.parquet", "part-*.parquet"])
def test_flows_equal_a_pandas_groupby(records, files, name):
    result = run(files / name)
    compare(result, expected(records))
    assert result.records == len(records)
    pd.testing.assert_frame_equal(result.to_frame(), result.flows)


def test_count_without_weight_and_dropped_self_flows(records, files):
    result = run(files / "records.parquet", weight=None, self_flows="drop")
    compare(result, expected(records, weight=None, drop_self=True))
    own = records.seller.map(SPELLINGS) == records.buyer.map(SPELLINGS)
    assert f"{own.sum()} self-flow records (origin = destination) dropped" in result.notes
    kept = run(files / "records.parquet", weight=None)
    assert f"{own.sum()} self-flow records (origin = destination) kept" in " ".join(kept.notes)
    assert (kept.flows.origin == kept.flows.destination).any()


def test_unknown_regions_are_counted_and_listed(records, files):
    result = run(files / "records.csv")
    want = pd.concat(
        [
            records.seller[~records.seller.isin(SPELLINGS)].value_counts().rename("o"),
            records.buyer[~records.buyer.isin(SPELLINGS)].value_counts().rename("d"),
        ],
        axis=1,
    ).fillna(0)
    unknown = result.unknown.pivot(index="value", columns="side", values="records").fillna(0)
    assert sorted(unknown.index) == sorted(UNKNOWN)
    assert unknown.origin.to_dict() == want.o.to_dict()
    assert unknown.destination.to_dict() == want.d.to_dict()
    excluded = (~records.seller.isin(SPELLINGS) | ~records.buyer.isin(SPELLINGS)).sum()
    assert excluded > 0
    assert any(n.startswith(f"{excluded} records excluded") for n in result.notes)
    assert excluded + result.flows.records.sum() == result.records
    # the typo comes in through the alias and the note says so
    assert "'江两' → 江西省 (user alias)" in " ".join(result.notes)


def test_without_the_alias_the_typo_is_unknown_with_a_suggestion(files):
    result = run(files / "records.csv", aliases=None)
    typo = result.unknown[result.unknown.value == "江两"]
    assert (
        set(typo.side) == {"origin", "destination"} and typo.candidates.str.contains("江西").all()
    )


def test_memory_limit_is_accepted(records, files):
    result = run(files / "records.parquet", memory_limit="256MB")
    compare(result, expected(records))
    assert "DuckDB memory limit 256 MiB, spilling to a temporary folder" in result.notes
    assert result.meta["memory_limit"] == "256MB"
    with pytest.raises(DataValidationError, match="'lots' is not a size"):
        run(files / "records.parquet", memory_limit="lots")


def test_an_ibis_table_is_a_source(records, files):
    import ibis

    result = run(ibis.memtable(records))
    compare(result, expected(records))
    con = ibis.duckdb.connect()
    bound = con.read_parquet(files / "records.parquet")
    compare(run(bound, memory_limit="1GB"), expected(records))
    assert any("memory_limit not applied" in n for n in run(bound, memory_limit="1GB").notes)


def test_city_records_with_a_former_name(tmp_path):
    path = tmp_path / "cities.csv"
    pd.DataFrame({"o": ["襄樊", "深圳市", "440300"], "d": ["武汉", "襄阳市", "武汉市"]}).to_csv(
        path, index=False
    )
    result = flows_from_records(path, origin="o", destination="d", level="city")
    got = result.flows.set_index(["origin", "destination"]).records.to_dict()
    assert got == {(420600, 420100): 1, (440300, 420100): 1, (440300, 420600): 1}
    assert "襄阳市" in " ".join(result.notes)


@pytest.mark.parametrize(
    ("rows", "options", "message"),
    [
        ({"o": ["北京"], "d": ["上海"]}, {"origin": "from"}, r"\['from'\] not in .*\['o', 'd'\]"),
        ({"o": ["北京"] * 3, "d": ["上海"] * 3, "w": [1, -2, -3]}, {}, "2 negative value"),
        ({"o": ["北京"] * 2, "d": ["上海"] * 2, "w": ["1", "n/a"]}, {}, "1 non-numeric"),
        ({"o": ["北京"] * 2, "d": ["上海"] * 2, "w": [1.0, None]}, {}, "1 missing"),
        ({"o": [], "d": [], "w": []}, {}, "holds no records"),
        ({"o": ["北京"], "d": ["上海"], "origin": [1]}, {"by": "origin"}, "clash"),
        ({"o": ["北京"], "d": ["上海"]}, {"backend": "polars"}, "backend 'polars'"),
        ({"o": ["北京"], "d": ["上海"]}, {"self_flows": "zero"}, "self_flows"),
        ({"o": ["北京"], "d": ["上海"]}, {"spark": object()}, "backend is 'duckdb'"),
        ({"o": ["北京"], "d": ["上海"], "yr": [2020]}, {"by": "year", "year": "yr"}, "clash"),
    ],
    ids=[
        "column",
        "negative",
        "non-numeric",
        "missing",
        "empty",
        "clash",
        "backend",
        "policy",
        "session",
        "year-clash",
    ],
)
def test_bad_records_are_clear_errors(tmp_path, rows, options, message):
    path = tmp_path / "records.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    weight = {"weight": "w"} if "w" in rows else {}
    with pytest.raises(DataValidationError, match=message):
        flows_from_records(path, **({"origin": "o", "destination": "d"} | weight | options))


def test_unreadable_and_missing_files(tmp_path):
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet at all")
    with pytest.raises(DataValidationError, match="cannot read .*broken.parquet"):
        flows_from_records(broken, origin="o", destination="d")
    with pytest.raises(DataValidationError, match="no file matches"):
        flows_from_records(tmp_path / "none-*.csv", origin="o", destination="d")
    (tmp_path / "a.csv").write_text("o,d\n北京,上海\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("o,d\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="all be CSV"):
        flows_from_records([tmp_path / "a.csv", tmp_path / "b.txt"], origin="o", destination="d")


def test_summary_counts(records, files):
    summary = run(files / "records.parquet").summary()
    counts = summary.tables[0][1]["value"]
    assert counts.iloc[0] == len(records)
    assert [caption for caption, _ in summary.tables][1:] == [
        "Unknown regions 未识别地区",
        "Largest flows 最大流量",
    ]


# --------------------------------------------------------------------------- Spark
@java
@pytest.mark.slow
@pytest.mark.parametrize("name", ["records.csv", "records.parquet", "part-*.parquet"])
# py4j leaves its client sockets to the garbage collector: collected (and ignored) in the test
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_spark_and_duckdb_give_identical_tables(records, files, name):
    duck = run(files / name)
    spark = run(files / name, backend="spark", memory_limit="1GB")
    gc.collect()
    pd.testing.assert_frame_equal(spark.flows, duck.flows)
    pd.testing.assert_frame_equal(spark.unknown, duck.unknown)
    assert spark.records == duck.records == len(records)
    compare(spark, expected(records))


# --------------------------------------------------------------------------- CLI
runner = CliRunner()


def test_cli_writes_the_tables(records, files, tmp_path):
    out = tmp_path / "out"
    args = ["network", "records", str(files / "records.parquet"), "--origin", "seller"]
    args += ["--destination", "buyer", "--weight", "amount", "--year", "yr", "--by", "field"]
    args += ["--alias", "江两=江西", "--memory-limit", "512MB", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "od_flows.csv", encoding="utf-8-sig")
    reference = expected(records)
    pd.testing.assert_frame_equal(
        table.drop(columns=["origin_name", "destination_name"]), reference, check_dtype=False
    )
    unknown = pd.read_csv(out / "unknown_regions.csv", encoding="utf-8-sig")
    assert set(unknown.value) == set(UNKNOWN)
    assert (out / "od_flows.xlsx").exists()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    source = files / "records.parquet"
    assert manifest["command"].startswith(f"nqpf network records {source} --origin seller")
    assert [entry["path"] for entry in manifest["inputs"]] == [str(source)]
    assert "Atlantis" in result.output and "records excluded" in result.output


def test_cli_bad_column_is_one_line_with_exit_2(files, tmp_path):
    args = ["network", "records", str(files / "records.csv"), "--origin", "sellr"]
    result = runner.invoke(app, [*args, "--destination", "buyer", "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "['sellr'] not in" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "od_flows.csv").exists()
