"""What the commands write: no live formula in any CSV or XLSX cell, all files at once with a
manifest, and file-system errors as one line."""

import csv
import hashlib
import json

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

import nqpf.studies
from nqpf.cli import app
from nqpf.data import export, write_example
from nqpf.index import compute_index
from nqpf.panel import Panel
from nqpf.report.build import build_report

runner = CliRunner()
EVIL = '=HYPERLINK("http://evil.example","x")'
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def evil(tmp_path_factory):
    """The example table with a group named like a formula, and a system with such labels."""
    folder = tmp_path_factory.mktemp("evil")
    write_example(folder)
    table = (folder / "example.csv").read_text(encoding="gbk")
    quoted = '"' + EVIL.replace('"', '""') + '"'
    (folder / "evil.csv").write_text(table.replace(",东部,", f",{quoted},"), encoding="utf-8")
    system = (folder / "example_system.yaml").read_text(encoding="utf-8")
    system = system.replace("name: rd_intensity", f"name: '{EVIL}'")
    system = system.replace("name: objects_of_labour", "name: '-objects'")
    system = system.replace("label_zh: 劳动者", "label_zh: '@SUM(1+1)'")
    system = system.replace("label_en: Labourers", "label_en: '+cmd'")
    (folder / "evil.yaml").write_text(system, encoding="utf-8")
    return folder


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_cells(path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def assert_no_formula(path) -> list[str]:
    cells = csv_cells(path)
    live = [c for c in cells if c.startswith(FORMULA_START) and not is_number(c)]
    assert not live, f"{path.name}: {live[:3]}"
    return cells


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_index_tables_and_workbook_neutralise_labels(evil, tmp_path):
    out = tmp_path / "index"
    data, system = evil / "evil.csv", evil / "evil.yaml"
    result = run("index", "--data", data, "--system", system, "--out", out)
    assert result.exit_code == 0, result.output
    expected = {
        "weights.csv": ["'" + EVIL, "'-objects", "'@SUM(1+1)", "'+cmd"],
        "obstacles.csv": ["'" + EVIL, "'-objects"],
        "indicators.csv": ["'" + EVIL],
        "system.csv": ["'" + EVIL, "'-objects", "'@SUM(1+1)", "'+cmd"],
    }
    for path in out.glob("*.csv"):
        cells = assert_no_formula(path)
        assert set(expected.get(path.name, [])) <= set(cells), path.name
    with (out / "indicators.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert "'" + EVIL in next(csv.reader(handle))  # the header

    panel = Panel.from_file(data)
    book = load_workbook(compute_index(panel, str(system)).to_excel(tmp_path / "index.xlsx"))
    cells = [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row]
    assert not [f"{c.parent.title}!{c.coordinate}" for c in cells if c.data_type == "f"]
    for sheet in ["weights", "obstacles", "indicators", "system"]:
        assert "'" + EVIL in {c.value for row in book[sheet].iter_rows() for c in row}, sheet


def test_disparity_tables_neutralise_a_group_name(evil, tmp_path):
    out = tmp_path / "disparity"
    result = run(
        "disparity", "--data", evil / "evil.csv", "--by", "区域", "--value",
        "R&D经费内部支出（万元）", "--bootstrap", "0", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for path in out.glob("*.csv"):
        cells = assert_no_formula(path)
        if path.stem in ("dagum", "theil", "convergence", "density"):
            assert any(c.startswith("'" + EVIL) for c in cells), path.name


def test_index_writes_a_manifest_of_its_files_and_inputs(evil, tmp_path):
    out = tmp_path / "index"
    data = evil / "example.csv"
    result = run("index", "--data", data, "--system", evil / "example_system.yaml", "--out", out)
    assert result.exit_code == 0, result.output
    assert "validation.md, manifest.json" in result.output.replace("\n", "")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    files = sorted(p.name for p in out.iterdir() if p.name != "manifest.json")
    assert [f["path"] for f in manifest["files"]] == files
    for entry in manifest["files"]:
        content = (out / entry["path"]).read_bytes()
        assert entry["size"] == len(content)
        assert entry["sha256"] == hashlib.sha256(content).hexdigest()
    assert manifest["inputs"][0] == {
        "path": str(data),
        "size": data.stat().st_size,
        "sha256": hashlib.sha256(data.read_bytes()).hexdigest(),
    }
    assert manifest["command"].startswith(f"nqpf index --system {evil / 'example_system.yaml'}")
    assert f"--data {data}" in manifest["command"] and manifest["seed"] is None


def test_interrupted_index_leaves_the_previous_output(evil, tmp_path, monkeypatch):
    out = tmp_path / "index"
    args = ["index", "--data", evil / "example.csv", "--system", evil / "example_system.yaml"]
    assert run(*args, "--out", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    written, write_csv = [], export.write_csv

    def interrupted(frame, path):
        written.append(path)
        if len(written) == 3:
            raise KeyboardInterrupt
        return write_csv(frame, path)

    monkeypatch.setattr(export, "write_csv", interrupted)
    result = run(*args, "--weighting", "critic", "--out", out)
    assert result.exit_code == 130 and len(written) == 3  # Ctrl-C in the middle of the tables
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index"]


def test_report_failing_while_writing_leaves_the_previous_report(tmp_path, monkeypatch):
    monkeypatch.setattr(nqpf.studies, "STUDIES", nqpf.studies.STUDIES[:1])  # the index only
    out = tmp_path / "report"
    with export.output_folder(out) as folder:  # a previous complete run
        for name in ["report.html", "tables.xlsx", "scores.csv", "scores.dta", "validation.md"]:
            (folder / name).write_text(f"previous {name}", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    written = []

    def full_disk(frame, path, **kwargs):
        written.extend(p.name for p in path.parent.iterdir())
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(export, "write_stata", full_disk)  # after report.html, tables.xlsx, csv
    with pytest.raises(OSError, match="No space"):
        build_report(out, runs=0)
    assert sorted(written) == ["report.html", "scores.csv", "tables.xlsx"]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


def test_out_is_an_existing_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("x", encoding="utf-8")
    line = one_line_error(run("index", "--out", target))
    assert "FileExistsError" in line and str(target) in line
    assert target.read_text(encoding="utf-8") == "x"


def test_unwritable_out_is_one_line(tmp_path, monkeypatch):
    def read_only(*args, dir=None, **kwargs):
        raise PermissionError(13, "Permission denied", str(dir))

    monkeypatch.setattr(export.tempfile, "mkdtemp", read_only)
    line = one_line_error(run("index", "--out", tmp_path / "out"))
    assert line == f"error: PermissionError: Permission denied: {tmp_path / 'out'}"
