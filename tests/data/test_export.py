import csv
import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from nqpf.data import export
from nqpf.data.export import (
    MANIFEST,
    neutralise,
    output_folder,
    sheet_names,
    stata_names,
    write_csv,
    write_excel,
    write_stata,
)
from nqpf.errors import DataValidationError
from nqpf.validation import ValidationReport

STATA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,31}")


@pytest.fixture()
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region_code": [110000, 310000, 650000],
            "地区 Region": ["北京", "上海", "新疆"],
            "year": [2022, 2022, 2022],
            "得分 Score": [0.812345678901, 0.5, np.nan],
            "rank": [1, 2, 3],
        }
    )


def test_excel_round_trip_keeps_values_and_types(tmp_path, table):
    path = tmp_path / "out.xlsx"
    assert write_excel({"scores 得分": table, "wide": table.set_index("地区 Region")}, path) == path
    with pd.ExcelFile(path) as book:
        assert book.sheet_names == ["scores 得分", "wide"]
    back = pd.read_excel(path, sheet_name="scores 得分")
    pd.testing.assert_frame_equal(back, table, check_dtype=False, check_exact=True)
    assert back["得分 Score"].dtype == np.float64 and back["rank"].dtype == np.int64
    wide = pd.read_excel(path, sheet_name="wide")
    assert list(wide.columns) == ["地区 Region", "region_code", "year", "得分 Score", "rank"]


def test_excel_formatting(tmp_path, table):
    path = tmp_path / "out.xlsx"
    write_excel({"t": table}, path)
    ws = load_workbook(path)["t"]
    assert ws.freeze_panes == "A2"
    assert all(cell.font.bold for cell in ws[1])
    assert ws["D2"].data_type == "n" and ws["A2"].data_type == "n" and ws["B2"].data_type == "s"
    # a Chinese header counts double: "地区 Region" = 2*2 + 7 = 11 display columns (+2 padding)
    assert ws.column_dimensions["B"].width == pytest.approx(13)


def test_sheet_names_are_sanitised_and_unique(tmp_path):
    keys = ["a/b:c", "x" * 40, "X" * 40, "[history]", "History", "'quoted'", "   "]
    names = sheet_names(keys)
    assert names["a/b:c"] == "a_b_c"
    assert names["x" * 40] == "x" * 31 and names["X" * 40] == "X" * 29 + "~2"
    assert names["History"] == "History_" and names["[history]"] == "_history_"
    assert names["'quoted'"] == "quoted" and names["   "] == "Sheet"
    tables = {k: pd.DataFrame({"v": [i]}) for i, k in enumerate(keys)}
    write_excel(tables, tmp_path / "names.xlsx")
    assert load_workbook(tmp_path / "names.xlsx").sheetnames == list(names.values())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=45), min_size=1, max_size=8, unique=True))
def test_sheet_names_property(keys):
    names = list(sheet_names(keys).values())
    assert len({n.lower() for n in names}) == len(names)
    for name in names:
        assert 1 <= len(name) <= 31
        assert not re.search(r"[\[\]:*?/\\\x00-\x1f]", name)
        assert not name.startswith("'") and not name.endswith("'")


def test_excel_bad_input(tmp_path, table):
    with pytest.raises(DataValidationError, match="at least one"):
        write_excel({}, tmp_path / "x.xlsx")
    with pytest.raises(TypeError, match="'t'"):
        write_excel({"t": [1, 2]}, tmp_path / "x.xlsx")  # type: ignore[dict-item]
    bad = table.assign(note=["ok", "bell\x07", "ok"])
    with pytest.raises(DataValidationError, match="'t', column 'note', row 1"):
        write_excel({"t": bad}, tmp_path / "x.xlsx")


def test_stata_round_trip_with_labels(tmp_path, table):
    path = tmp_path / "scores.dta"
    report = ValidationReport()
    frame = table.assign(flag=[True, False, True])
    written = write_stata(
        frame,
        path,
        labels={"rank": ("排名", "Rank"), "year": "年份 Year"},
        data_label="新质生产力 NQPF",
        report=report,
    )
    assert written == path
    names = stata_names(list(frame.columns))
    assert names == {
        "region_code": "region_code",
        "地区 Region": "Region",
        "year": "year",
        "得分 Score": "Score",
        "rank": "rank",
        "flag": "flag",
    }
    back = pd.read_stata(path)
    assert list(back.columns) == list(names.values())
    np.testing.assert_array_equal(back["region_code"], table["region_code"])
    np.testing.assert_allclose(back["Score"], table["得分 Score"], rtol=0, atol=0)
    assert back["Region"].tolist() == ["北京", "上海", "新疆"]
    assert back["flag"].tolist() == [1, 0, 1]
    with pd.io.stata.StataReader(path) as reader:
        labels = reader.variable_labels()
        assert reader.data_label == "新质生产力 NQPF"
    assert labels["rank"] == "排名 / Rank" and labels["year"] == "年份 Year"
    assert labels["Region"] == "地区 Region" and labels["Score"] == "得分 Score"
    assert sorted(i.original for i in report) == ["地区 Region", "得分 Score"]


def test_stata_names_rules():
    columns = ["得分", "2020", "for", "_n", "a b-c", "x" * 40, "x" * 40 + "y", "ok", "OK"]
    names = stata_names(columns)
    assert names["得分"] == "var1" and names["2020"] == "_2020" and names["for"] == "for_"
    assert names["_n"] == "_n_" and names["a b-c"] == "a_b_c"
    assert names["x" * 40] == "x" * 32 and names["x" * 40 + "y"] == "x" * 30 + "_2"
    assert names["ok"] == "ok" and names["OK"] == "OK"


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=10, unique=True))
def test_stata_names_property(columns):
    names = list(stata_names(columns).values())
    assert len(set(names)) == len(names)
    assert all(STATA_NAME.fullmatch(n) for n in names)


def test_stata_bad_input(tmp_path, table):
    with pytest.raises(DataValidationError, match="81 characters"):
        write_stata(table, tmp_path / "x.dta", labels={"rank": "长" * 81})
    with pytest.raises(DataValidationError, match="unknown column"):
        write_stata(table, tmp_path / "x.dta", labels={"nope": "x"})
    mixed = table.assign(mixed=pd.Series(["a", 1, "b"], dtype=object))
    with pytest.raises(DataValidationError, match="'mixed' mixes text with int"):
        write_stata(mixed, tmp_path / "x.dta")
    with pytest.raises(TypeError, match="DataFrame"):
        write_stata([1], tmp_path / "x.dta")  # type: ignore[arg-type]


def test_stata_long_text_uses_strl(tmp_path):
    text = "长" * 1000  # 3000 UTF-8 bytes > 2045
    write_stata(pd.DataFrame({"note": [text, "短"]}), tmp_path / "long.dta")
    assert pd.read_stata(tmp_path / "long.dta")["note"].tolist() == [text, "短"]


EVIL = '=HYPERLINK("http://evil.example","click")'
TRIGGERS = ["=1+1", "+1", "-cmd", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("text", TRIGGERS)
def test_neutralise_prefixes_every_formula_start(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["北京", "a=b", "'=x", "", " =x", -1.5, -3, None, np.float64(-2)])
def test_neutralise_leaves_everything_else(value):
    assert neutralise(value) is value


@pytest.fixture()
def evil() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "group": [EVIL, "东部", "-西部", "@x"],
            "value": [-1.5, 2.0, -0.25, 1.0],
            "n": [-1, 2, 3, 4],
            "kind": pd.Categorical(["+a", "b", "+a", "b"]),
            EVIL: [1, 2, 3, 4],
        }
    )
    return frame.set_index(pd.Index(["=label", "b", "c", "d"], name="+idx"))


def test_excel_has_no_formula_cell(tmp_path, evil):
    path = write_excel({"t": evil, "plain": evil.reset_index(drop=True)}, tmp_path / "t.xlsx")
    book = load_workbook(path)
    cells = [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    ws = book["t"]
    assert [c.value for c in ws[1]] == ["'+idx", "group", "value", "n", "kind", "'" + EVIL]
    assert [c.value for c in ws["A"][1:]] == ["'=label", "b", "c", "d"]
    assert [c.value for c in ws["B"][1:]] == ["'" + EVIL, "东部", "'-西部", "'@x"]
    assert [c.value for c in ws["E"][1:]] == ["'+a", "b", "'+a", "b"]
    # negative numbers stay numbers
    assert [(c.value, c.data_type) for c in ws["C"][1:3]] == [(-1.5, "n"), (2.0, "n")]
    assert (ws["D2"].value, ws["D2"].data_type) == (-1, "n")


def test_csv_neutralises_text_and_keeps_numbers(tmp_path, evil):
    path = write_csv(evil, tmp_path / "t.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for Excel
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["group", "value", "n", "kind", "'" + EVIL]  # the index is not written
    assert [r[0] for r in rows[1:]] == ["'" + EVIL, "东部", "'-西部", "'@x"]
    assert [r[1] for r in rows[1:]] == ["-1.5", "2.0", "-0.25", "1.0"]
    assert [r[2] for r in rows[1:]] == ["-1", "2", "3", "4"]
    assert [r[3] for r in rows[1:]] == ["'+a", "b", "'+a", "b"]
    assert evil.iloc[0, 0] == EVIL  # the caller's frame is not changed


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_run(out, files: dict[str, str], fail_after: int | None = None, **record):
    with output_folder(out, **record) as folder:
        for position, (name, text) in enumerate(files.items()):
            if position == fail_after:
                raise RuntimeError("disk on fire")
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")


def test_manifest_lists_every_file_with_its_checksum(tmp_path):
    data = tmp_path / "in.csv"
    data.write_bytes(b"region,year\n")
    out = tmp_path / "out"
    write_run(
        out,
        {"a.csv": "x,y\n1,2\n", "sub/b.html": "<p>北京</p>", "c.md": ""},
        command="nqpf index --out out",
        inputs=[data],
        seed=7,
    )
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == ["a.csv", "c.md", MANIFEST, "sub/b.html"]
    assert manifest["files"] == [
        {"path": name, "size": (out / name).stat().st_size, "sha256": sha256(out / name)}
        for name in ["a.csv", "c.md", "sub/b.html"]
    ]
    assert manifest["files"][2]["size"] == len("<p>北京</p>".encode())
    assert manifest["inputs"] == [
        {"path": str(data), "size": 12, "sha256": hashlib.sha256(b"region,year\n").hexdigest()}
    ]
    assert manifest["command"] == "nqpf index --out out" and manifest["seed"] == 7
    assert manifest["nqpf_version"] == __import__("nqpf").__version__
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out"]  # no staging left


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_failure_while_writing_leaves_the_previous_output(tmp_path, monkeypatch, error):
    out = tmp_path / "out"
    write_run(out, {"report.html": "old page", "tables.xlsx": "old tables", "old.csv": "o"})
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    # the new run writes the page and two tables, then fails writing the third table
    original, calls = pd.DataFrame.to_csv, []

    def third_fails(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise error
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", third_fails)
    with pytest.raises(error), output_folder(out) as folder:
        (folder / "report.html").write_text("new page", encoding="utf-8")
        for name in ["scores.csv", "tables.csv", "more.csv"]:
            write_csv(pd.DataFrame({"x": [1]}), folder / name)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_rerun_replaces_outputs_and_removes_only_stale_listed_files(tmp_path):
    out = tmp_path / "out"
    write_run(out, {"a.csv": "1", "stale.csv": "2", "sub/old.png": "3"})
    (out / "mine.txt").write_text("the user's own file", encoding="utf-8")
    write_run(out, {"a.csv": "new"})
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "a.csv",
        MANIFEST,
        "mine.txt",
    ]
    assert (out / "a.csv").read_text() == "new"
    listed = [f["path"] for f in json.loads((out / MANIFEST).read_text())["files"]]
    assert listed == ["a.csv"]


def test_the_manifest_records_timings_filled_in_by_the_block(tmp_path):
    timings: dict[str, float] = {}
    with output_folder(tmp_path / "out", timings=timings) as folder:
        (folder / "a.txt").write_text("a", encoding="utf-8")
        timings["writing"] = 1.5  # known only once the files are written
    manifest = json.loads((tmp_path / "out" / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["timings"] == {"writing": 1.5}
    with output_folder(tmp_path / "other") as folder:
        (folder / "a.txt").write_text("a", encoding="utf-8")
    assert "timings" not in json.loads((tmp_path / "other" / MANIFEST).read_text(encoding="utf-8"))


def test_a_forged_manifest_cannot_remove_files_outside_the_folder(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    forged = {"files": [{"path": "../victim.txt"}, {"path": str(victim)}, {"path": "gone.txt"}]}
    (out / MANIFEST).write_text(json.dumps(forged), encoding="utf-8")
    (out / "gone.txt").write_text("listed, so stale", encoding="utf-8")
    write_run(out, {"a.csv": "1"})
    assert victim.read_text() == "keep" and not (out / "gone.txt").exists()


def test_an_interrupt_while_files_move_is_held_back_until_they_are_in(tmp_path, monkeypatch):
    import os
    import signal

    out = tmp_path / "out"
    moved: list[str] = []
    replace = os.replace

    def replace_and_interrupt(source, destination):
        if not moved:
            signal.raise_signal(signal.SIGINT)  # Ctrl-C as the first file moves
        moved.append(str(destination))
        replace(source, destination)

    monkeypatch.setattr(export.os, "replace", replace_and_interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_run(out, {"a.csv": "1", "b.csv": "2"})
    assert sorted(p.name for p in out.iterdir()) == ["a.csv", "b.csv", MANIFEST]


def test_output_folder_refuses_a_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("not a folder", encoding="utf-8")
    with pytest.raises(FileExistsError) as caught, output_folder(target):
        pass
    assert caught.value.filename == str(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]
    with pytest.raises(FileNotFoundError), output_folder(tmp_path / "o", inputs=[tmp_path / "no"]):
        pass


def test_staging_goes_inside_out_when_its_parent_is_not_writable(tmp_path, monkeypatch):
    out = tmp_path / "out"
    mkdtemp, places = export.tempfile.mkdtemp, []

    def parent_read_only(*args, dir=None, **kwargs):
        places.append(Path(dir))
        if Path(dir) == tmp_path:
            raise PermissionError(13, "Permission denied", str(dir))
        return mkdtemp(*args, dir=dir, **kwargs)

    monkeypatch.setattr(export.tempfile, "mkdtemp", parent_read_only)
    write_run(out, {"a.csv": "1"})
    assert places == [tmp_path, out]
    assert sorted(p.name for p in out.iterdir()) == ["a.csv", MANIFEST]
