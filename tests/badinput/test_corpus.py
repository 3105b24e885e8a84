"""The bad-input corpus: every untrusted table, system and option that once broke ``nqpf``.

Each :class:`Case` writes its input into a temporary folder (no binary is committed: the PNG, the
GBK files and the 50 MB table are generated), names the command to run and the outcome it must
get: an exit status, the one error line (a regex) or a report entry, and for outputs a property
(no formula cell, nothing half-written). One parametrised test runs every case through
:func:`nqpf.cli.main` and asserts, besides the case's own expectation, that the program never
shows a traceback and that an error is exactly one line.

``docs/reliability.md`` is rendered from :data:`CASES` by :func:`render`; a test keeps it equal
to the rendering. After changing the corpus, regenerate it with
``python tests/badinput/test_corpus.py``.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import os
import re
import resource
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from nqpf.data import write_example

DOC = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"
#: Text cells an export must neutralise (OWASP CSV injection: = + - @, tab, carriage return).
FORMULA = re.compile(r"^[=+\-@\t\r]")
EVIL = '=HYPERLINK("http://evil","x")'
#: The example's headers (see ``nqpf example``).
RD = "R&D经费内部支出（万元）"
GDP = "地区生产总值（亿元）"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


@dataclass(frozen=True)
class Env:
    """Where a case writes its input (``tmp``), the example it starts from, the ``nqpf`` runner."""

    tmp: Path
    example: Path
    run: Callable[[list[str]], tuple[int, str]] | None = None

    def table(self) -> pd.DataFrame:
        """The example table (31 provinces, 2019–2022, Chinese headers) with every cell as text."""
        return pd.read_csv(self.example / "example.csv", encoding="gbk", dtype=str)

    def csv(self, frame: pd.DataFrame, name: str = "table.csv", encoding: str = "utf-8") -> str:
        path = self.tmp / name
        frame.to_csv(path, index=False, encoding=encoding)
        return str(path)

    def system(self, old: str = "", new: str = "", name: str = "system.yaml") -> str:
        """The example's index system with ``old`` replaced by ``new`` (which must occur)."""
        text = (self.example / "example_system.yaml").read_text(encoding="utf-8")
        assert old in text, old
        path = self.tmp / name
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return str(path)

    def file(self, name: str, content: bytes) -> str:
        path = self.tmp / name
        path.write_bytes(content)
        return str(path)

    def out(self) -> str:
        return str(self.tmp / "out")


@dataclass(frozen=True)
class Case:
    """One bad input, the command run on it and the outcome it must get.

    ``exit`` lists the accepted statuses. With status 2 the one error line must match ``error``;
    with status 0 the console output or ``validation.md`` must match ``report`` (the report entry
    of a repaired or flagged cell). ``check`` is a property of the output folder, its docstring
    the row of ``docs/reliability.md``.
    """

    id: str
    finding: str
    input: str
    build: Callable[..., list[str]]
    exit: tuple[int, ...] = (2,)
    error: str | None = None
    report: str | None = None
    check: Callable[[Env], None] | None = None
    during: Callable[[pytest.MonkeyPatch], None] | None = None
    slow: bool = False
    memory: bool = False
    seconds: int = 20

    def command(self) -> str:
        """The command as documented: its name and options, files shown by their role."""
        args = _dry_args(self)
        return "nqpf " + " ".join(Path(arg).name if arg.startswith("/") else arg for arg in args)

    def expected(self) -> str:
        """The outcome as documented: statuses, the error line or report entry, the property."""
        parts = []
        if 2 in self.exit:
            parts.append(f"one error line matching `{self.error}`" if self.error else "one line")
        if 0 in self.exit:
            parts.append(f"a report entry matching `{self.report}`" if self.report else "runs")
        if not parts:
            parts.append("stops as interrupted")
        text = " or ".join(parts)
        if self.check is not None:
            text += f"; {(self.check.__doc__ or '').strip()}"
        status = "/".join(str(code) for code in self.exit)
        return f"exit {status}: {text}"


def _dry_args(case: Case) -> list[str]:
    """The arguments of ``case`` without writing anything (for the documentation)."""

    class Dry(Env):
        def table(self) -> pd.DataFrame:
            return pd.DataFrame({"地区": ["北京"], "年份": ["2019"], "区域": ["东部"], RD: ["1"]})

        def csv(self, frame: pd.DataFrame, name: str = "table.csv", encoding: str = "utf-8") -> str:
            return f"/{name}"

        def system(self, old: str = "", new: str = "", name: str = "system.yaml") -> str:
            return f"/{name}"

        def file(self, name: str, content: bytes) -> str:
            return f"/{name}"

        def out(self) -> str:
            return "/out"

    return case.build(Dry(Path("/"), Path("/")), dry=True)


# -- properties of the outputs -------------------------------------------------------------


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def no_formula_cells(env: Env) -> None:
    """no text cell of a CSV or XLSX output starts with `= + - @`, tab or CR"""
    out = Path(env.out())
    paths = sorted(out.rglob("*.csv")) + sorted(out.rglob("*.xlsx"))
    assert paths, f"nothing written to {out}"
    bad = []
    for path in paths:
        if path.suffix == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as fh:
                cells = [cell for row in csv.reader(fh) for cell in row]
            bad += [(path.name, c) for c in cells if FORMULA.match(c) and not _is_number(c)]
            continue
        from openpyxl import load_workbook

        book = load_workbook(path)
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    value = cell.value
                    if cell.data_type == "f" or (isinstance(value, str) and FORMULA.match(value)):
                        bad.append((f"{path.name}:{sheet.title}!{cell.coordinate}", value))
    assert not bad, f"formula cells: {bad[:5]}"


def nothing_written(env: Env) -> None:
    """the output folder does not exist or is empty: nothing looks complete"""
    out = Path(env.out())
    assert not out.exists() or not any(out.iterdir()), sorted(p.name for p in out.iterdir())


def previous_output_kept(env: Env) -> None:
    """the previous complete output is byte for byte unchanged"""
    out = Path(env.out())
    before = (env.tmp / "before.txt").read_text(encoding="utf-8")
    assert _digest(out) == before


def gap_listed(env: Env) -> None:
    """validation.md lists the missing region-year (西藏 2022)"""
    text = (Path(env.out()) / "validation.md").read_text(encoding="utf-8")
    assert re.search(r"(540000|西藏|Xizang|Tibet).*2022|2022.*(540000|西藏|Xizang|Tibet)", text)


def _digest(folder: Path) -> str:
    return "\n".join(
        f"{path.relative_to(folder)} {hashlib.sha256(path.read_bytes()).hexdigest()}"
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    )


def _interrupt_second_write(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while the second table is being written (as SIGINT raises it in Python)."""
    original = pd.DataFrame.to_csv
    calls = {"n": 0}

    def to_csv(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", to_csv)


# -- the cases -----------------------------------------------------------------------------


def _index(env: Env, data: str, system: str | None = None, *extra: str) -> list[str]:
    system = system or str(env.example / "example_system.yaml")
    return ["index", "--data", data, "--system", system, *extra, "--out", env.out()]


def _evil_system(env: Env, dry: bool = False) -> list[str]:
    text = "label_zh: R&D人员全时当量"
    path = env.system(text, f"label_zh: '{EVIL}'", name="evil.yaml")
    if not dry:
        raw = Path(path).read_text(encoding="utf-8")
        raw = raw.replace("label_en: Labourers", "label_en: '@SUM(1+1)*cmd|\" /C calc\"!A0'")
        raw = raw.replace("label_zh: 劳动资料", "label_zh: '+1+cmd'")
        Path(path).write_text(raw, encoding="utf-8")
    return _index(env, env.csv(env.table()), path)


def _evil_group(env: Env, dry: bool = False) -> list[str]:
    frame = env.table()
    frame["区域"] = frame["区域"].replace({"东部": EVIL, "西部": "-2+3", "中部": "@cmd"})
    return [
        "disparity", "--data", env.csv(frame), "--by", "区域", "--value", RD,
        "--bootstrap", "0", "--out", env.out(),
    ]  # fmt: skip


def _evil_report(env: Env, dry: bool = False) -> list[str]:
    args = _evil_system(env, dry)
    return ["report", *args[1:-2], "--runs", "0", "--out", env.out()]


def _interrupted_first(env: Env, dry: bool = False) -> list[str]:
    return _index(env, env.csv(env.table()))


def _interrupted_rerun(env: Env, dry: bool = False) -> list[str]:
    data = env.csv(env.table())
    if not dry:
        first = _index(env, data, None, "--weighting", "equal")
        assert env.run is not None and env.run(first)[0] == 0
        (env.tmp / "before.txt").write_text(_digest(Path(env.out())), encoding="utf-8")
    return _index(env, data)


def _out_is_file(env: Env, dry: bool = False) -> list[str]:
    existing = env.file("existing-file.txt", b"keep me\n")
    return [*_index(env, env.csv(env.table()))[:-1], existing]


def _out_read_only(env: Env, dry: bool = False) -> list[str]:
    if dry:
        return [*_index(env, "/table.csv")[:-1], "/read-only/nqpf-badinput"]
    if os.geteuid() == 0:
        target = Path("/sys/nqpf-badinput")  # root may write anywhere but into sysfs
    else:
        locked = env.tmp / "read-only"
        locked.mkdir()
        locked.chmod(0o555)
        target = locked / "nqpf-badinput"
    return [*_index(env, env.csv(env.table()))[:-1], str(target)]


def _disparity(env: Env, frame: pd.DataFrame, *extra: str) -> list[str]:
    return [
        "disparity", "--data", env.csv(frame), "--by", "区域", "--value", RD,
        "--bootstrap", "0", "--weights", "knn:2", *extra, "--out", env.out(),
    ]  # fmt: skip


def _spatial(env: Env, frame: pd.DataFrame) -> list[str]:
    return [
        "spatial", "--data", env.csv(frame), "--value", RD, "--weights", "knn:2",
        "--permutations", "9", "--out", env.out(),
    ]  # fmt: skip


def _regions(env: Env, names: list[str]) -> pd.DataFrame:
    frame = env.table()
    return frame[frame["地区"].isin(names)]


def _cell(env: Env, row: int, column: str, value: str, name: str = "table.csv") -> str:
    """The example with data row ``row`` (0-based) of ``column`` set to ``value``."""
    frame = env.table()
    frame.loc[row, column] = value
    return env.csv(frame, name)


def _thousands(env: Env) -> str:
    frame = env.table()
    frame[RD] = [f"{round(float(v.replace(',', ''))):,}" for v in frame[RD]]
    return env.csv(frame)


def _billion_laughs(env: Env, dry: bool = False) -> list[str]:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 9):
        prev = chr(ord("a") + level - 1)
        here = chr(ord("a") + level)
        lines.append(f"{here}: &{here} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines.append("name: *i")
    path = env.file("laughs.yaml", "\n".join(lines).encode())
    return _index(env, env.csv(env.table()), path)


def _merged_header(env: Env, dry: bool = False) -> list[str]:
    if dry:
        return ["validate", "/merged.xlsx"]
    from openpyxl import Workbook

    frame = env.table()
    book = Workbook()
    sheet = book.active
    sheet.append(["地区", "年份", "区域", "科技投入", None, None, None, None, None])
    sheet.append(["", "", "", *frame.columns[3:]])
    sheet.merge_cells("A1:A2")
    sheet.merge_cells("B1:B2")
    sheet.merge_cells("C1:C2")
    sheet.merge_cells("D1:I1")
    for row in frame.itertuples(index=False):
        sheet.append(
            [
                row[0],
                int(row[1]),
                row[2],
                *(float(v.replace(",", "")) if isinstance(v, str) else None for v in row[3:]),
            ]
        )
    path = env.tmp / "merged.xlsx"
    book.save(path)
    return ["validate", str(path)]


def _big_table(env: Env, dry: bool = False) -> list[str]:
    """31 provinces × 200 years × 640 indicators: just over 50 MB of CSV."""
    if dry:
        return ["validate", "/big.csv"]
    import numpy as np

    names = env.table()["地区"].drop_duplicates().tolist()
    years = range(1825, 2025)
    rng = np.random.default_rng(9)
    values = rng.uniform(1, 1e6, size=(len(names) * len(years), 640)).round(4)
    frame = pd.DataFrame(values, columns=[f"x{j}" for j in range(640)])
    frame.insert(0, "年份", [year for _ in names for year in years])
    frame.insert(0, "地区", [name for name in names for _ in years])
    path = env.tmp / "big.csv"
    frame.to_csv(path, index=False)
    assert path.stat().st_size > 50e6
    return ["validate", str(path)]


def _unbalanced(env: Env, dry: bool = False) -> list[str]:
    frame = env.table()
    frame = frame[~((frame["地区"] == "西藏") & (frame["年份"] == "2022"))]
    return _index(env, env.csv(frame))


def _validate(path: str) -> list[str]:
    return ["validate", path]


CASES: list[Case] = [
    # 1. formula injection
    Case(
        "formula-in-system-labels",
        "1",
        "YAML system labels `=HYPERLINK(…)`, `@SUM(…)`, `+1+cmd`",
        _evil_system,
        exit=(0,),
        check=no_formula_cells,
    ),
    Case(
        "formula-in-group-names",
        "1",
        "group names `=HYPERLINK(…)`, `-2+3`, `@cmd` in `--by`",
        _evil_group,
        exit=(0,),
        check=no_formula_cells,
        slow=True,
        seconds=120,
    ),
    Case(
        "formula-in-report-workbook",
        "1",
        "YAML labels with formulas, full report (tables.xlsx)",
        _evil_report,
        exit=(0,),
        check=no_formula_cells,
        slow=True,
        seconds=300,
    ),
    # 2. half-written outputs
    Case(
        "interrupted-first-run",
        "2",
        "Ctrl-C while the tables are being written",
        _interrupted_first,
        exit=(1, 130),
        check=nothing_written,
        during=_interrupt_second_write,
    ),
    Case(
        "interrupted-rerun",
        "2",
        "Ctrl-C while rewriting an existing output folder",
        _interrupted_rerun,
        exit=(1, 130),
        check=previous_output_kept,
        during=_interrupt_second_write,
    ),
    # 3. --out
    Case(
        "out-is-a-file",
        "3",
        "`--out` names an existing file",
        _out_is_file,
        error=r"existing-file\.txt",
    ),
    Case(
        "out-read-only",
        "3",
        "`--out` in a folder that cannot be written",
        _out_read_only,
        error=r"nqpf-badinput",
    ),
    # 4. parameters against the data
    Case(
        "markov-k-100",
        "4",
        "`--k 100` Markov classes for 31 regions",
        lambda env, dry=False: _disparity(env, env.table(), "--k", "100"),
        error=r"\b100\b",
        memory=True,
        seconds=3,
    ),
    # 5. files that are not what they say
    Case(
        "empty-csv",
        "5",
        "an empty CSV (0 bytes)",
        lambda env, dry=False: _validate(env.file("empty.csv", b"")),
        error=r"(?i)empty|no (data|rows)",
    ),
    Case(
        "header-only-csv",
        "5",
        "a CSV with a header and no rows",
        lambda env, dry=False: _validate(env.file("header.csv", "地区,年份,GDP\n".encode())),
        error=r"(?i)empty|no (data|rows)|header",
    ),
    Case(
        "text-as-xlsx",
        "5",
        "a text file renamed `.xlsx`",
        lambda env, dry=False: _validate(env.file("notes.xlsx", b"just some notes\n")),
        error=r"(?i)xlsx|excel|workbook",
    ),
    Case(
        "png-as-xlsx",
        "5",
        "a PNG image renamed `.xlsx`",
        lambda env, dry=False: _validate(env.file("image.xlsx", PNG)),
        error=r"(?i)xlsx|excel|workbook",
    ),
    Case(
        "png-as-csv",
        "5",
        "a PNG image renamed `.csv`",
        lambda env, dry=False: _validate(env.file("image.csv", PNG)),
        error=r"(?i)image\.csv|binary|encod|decode|text",
    ),
    Case(
        "gbk-system",
        "5",
        "an index system saved in GBK",
        lambda env, dry=False: _index(env, env.csv(env.table()), _gbk_system(env, dry)),
        exit=(0,),
    ),
    Case(
        "binary-system",
        "5",
        "a PNG image renamed `.yaml` as the system",
        lambda env, dry=False: _index(env, env.csv(env.table()), env.file("image.yaml", PNG)),
        error=r"(?i)image\.yaml|yaml|binary|encod|decode|text",
    ),
    # 6. numbers
    Case(
        "decimal-comma-with-dot-thousands",
        "6",
        "a cell `1.234,5`",
        lambda env, dry=False: _validate(_cell(env, 5, GDP, "1.234,5")),
        exit=(0, 2),
        error=r"1\.234,5",
        report=r"1\.234,5",
    ),
    Case(
        "ambiguous-comma",
        "6",
        "a cell `1,23` (thousands or decimal?)",
        lambda env, dry=False: _validate(_cell(env, 5, GDP, "1,23")),
        error=r"1,23\b",
    ),
    Case(
        "inf-cell",
        "6",
        "a cell `inf`",
        lambda env, dry=False: _validate(_cell(env, 5, GDP, "inf")),
        exit=(0, 2),
        error=r"(?i)\binf\b",
        report=r"(?i)\binf\b",
    ),
    Case(
        "inf-cell-file-row",
        "6",
        "a cell `inf` on line 12 of the file, through `index`",
        lambda env, dry=False: _index(env, _cell(env, 10, GDP, "inf")),
        error=r"\brow 12\b",
    ),
    Case(
        "thousands-separators-index",
        "6",
        "`22,335,870` (thousands separators) in `index`",
        lambda env, dry=False: _index(env, _thousands(env)),
        exit=(0,),
    ),
    Case(
        "dash-cell",
        "6",
        "a cell `—` (a yearbook's no-data mark)",
        lambda env, dry=False: _validate(_cell(env, 5, GDP, "—")),
        exit=(0,),
        report=r"天津.*2020.*地区生产总值",
    ),
    # 7. the index-system schema
    Case(
        "system-key-typo",
        "7",
        "`direciton: -1` in the system",
        lambda env, dry=False: _index(
            env,
            env.csv(env.table()),
            env.system("direction: 1\n        unit: 人年", "direciton: -1\n        unit: 人年"),
        ),
        error=r"direciton.*direction",
    ),
    Case(
        "system-missing-direction",
        "7",
        "an indicator without `direction`",
        lambda env, dry=False: _index(
            env,
            env.csv(env.table()),
            env.system("        direction: 1\n        unit: 人年\n", "        unit: 人年\n"),
        ),
        error=r"direction",
    ),
    Case(
        "system-unknown-key",
        "7",
        "`weight: 0.7` (not a key of the schema)",
        lambda env, dry=False: _index(
            env,
            env.csv(env.table()),
            env.system("        unit: 人年\n", "        unit: 人年\n        weight: 0.7\n"),
        ),
        error=r"weight",
    ),
    Case(
        "system-empty-dimension",
        "7",
        "a dimension with `indicators: []`",
        lambda env, dry=False: _index(
            env,
            env.csv(env.table()),
            env.system(
                "label_en: Means of labour\n    indicators:",
                "label_en: Means of labour\n    indicators: []\n    unused:",
            ),
        ),
        error=r"means_of_labour|indicators",
    ),
    Case(
        "system-level-typo",
        "7",
        "`level: provnce`",
        lambda env, dry=False: _index(
            env, env.csv(env.table()), env.system("level: province", "level: provnce")
        ),
        error=r"provnce",
    ),
    Case(
        "system-direction-bool",
        "7",
        "`direction: true`",
        lambda env, dry=False: _index(
            env, env.csv(env.table()), env.system("direction: 1", "direction: true")
        ),
        error=r"(?i)direction.*true",
    ),
    Case(
        "system-billion-laughs",
        "7",
        "a 1 KB YAML of nested aliases (billion laughs)",
        _billion_laughs,
        error=r"(?i)alias|anchor|large|deep|nest|limit",
        seconds=3,
    ),
    # 8. few regions, unbalanced panels
    Case(
        "spatial-3-regions",
        "8",
        "`spatial` on 3 regions",
        lambda env, dry=False: _spatial(env, _regions(env, ["北京", "天津", "河北"])),
        exit=(0, 2),
        error=r"(?i)region",
        slow=True,  # once it runs, it draws maps
        seconds=120,
    ),
    Case(
        "spatial-1-region",
        "8",
        "`spatial` on 1 region",
        lambda env, dry=False: _spatial(env, _regions(env, ["北京"])),
        error=r"(?i)region",
    ),
    Case(
        "disparity-3-regions",
        "8",
        "`disparity` on 3 regions in 2 groups",
        lambda env, dry=False: _disparity(env, _regions(env, ["北京", "天津", "山西"])),
        exit=(0, 2),
        error=r"(?i)region",
    ),
    Case(
        "unbalanced-panel",
        "8",
        "the last year lacks one region (西藏 2022)",
        _unbalanced,
        exit=(0,),
        check=gap_listed,
    ),
    # earlier findings
    Case(
        "misspelled-region",
        "earlier",
        "a misspelled region `Guangdon`",
        lambda env, dry=False: _validate(_cell(env, 72, "地区", "Guangdon")),
        exit=(0, 2),
        error=r"Guangdon(?!g)",
        report=r"Guangdon(?!g)",
    ),
    Case(
        "unknown-region",
        "earlier",
        "an unknown region `Atlantis`",
        lambda env, dry=False: _validate(_cell(env, 72, "地区", "Atlantis")),
        error=r"Atlantis",
    ),
    Case(
        "duplicate-region-year",
        "earlier",
        "北京 2019 twice with different values",
        lambda env, dry=False: _validate(_cell(env, 1, "年份", "2019")),
        error=r"北京|110000|Beijing",
    ),
    Case(
        "merged-excel-header",
        "earlier",
        "an XLSX with a two-row header of merged cells",
        _merged_header,
        exit=(0, 2),
        error=r"(?i)header|column",
    ),
    Case(
        "gbk-csv",
        "earlier",
        "a CSV in GBK without a byte-order mark",
        lambda env, dry=False: _validate(str(env.example / "example.csv")),
        exit=(0,),
        report=r"(?i)gb",
    ),
    Case(
        "table-50-mb",
        "earlier",
        "a 50 MB CSV (31 provinces × 200 years × 640 indicators)",
        _big_table,
        exit=(0, 2),
        slow=True,
        seconds=600,
    ),
]


def _gbk_system(env: Env, dry: bool) -> str:
    path = env.system(name="gbk.yaml")
    if not dry:
        text = Path(path).read_text(encoding="utf-8")
        Path(path).write_bytes(text.encode("gbk"))
    return path


# -- running a case ------------------------------------------------------------------------


class Timeout(Exception):
    """A case ran longer than its limit (a hang)."""


@contextlib.contextmanager
def _limits(seconds: int, memory: bool) -> Iterator[None]:
    """At most ``seconds`` of wall time and, with ``memory``, 1 GB more address space."""

    def alarm(signum: int, frame: object) -> None:
        raise Timeout(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    limit = resource.getrlimit(resource.RLIMIT_AS)
    if memory:
        with open("/proc/self/statm") as fh:
            used = int(fh.read().split()[0]) * resource.getpagesize()
        resource.setrlimit(resource.RLIMIT_AS, (used + 1_000_000_000, limit[1]))
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        resource.setrlimit(resource.RLIMIT_AS, limit)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("example")
    write_example(folder)
    return folder


def _param(case: Case) -> object:
    marks = []
    if case.slow:
        marks.append(pytest.mark.slow)
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_bad_input(
    case: Case,
    example: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    nqpf: Callable[[list[str]], tuple[int, str]],
    one_line: Callable[..., None],
) -> None:
    env = Env(tmp_path, example, nqpf)
    monkeypatch.chdir(tmp_path)
    argv = case.build(env)
    if case.during is not None:
        case.during(monkeypatch)
    with _limits(case.seconds, case.memory):
        status, output = nqpf(argv)
    monkeypatch.undo()
    assert status in case.exit, output
    one_line(status, output, case.error)
    if status == 0 and case.report:
        validation = Path(env.out()) / "validation.md"
        text = output + (validation.read_text(encoding="utf-8") if validation.exists() else "")
        assert re.search(case.report, text), output
    if case.check is not None:
        case.check(env)


# -- docs/reliability.md -------------------------------------------------------------------


def render() -> str:
    """``docs/reliability.md``: one row per case of :data:`CASES`."""
    head = [
        "# Reliability: what bad input gets",
        "",
        "Every row is a case of the bad-input corpus (`tests/badinput/test_corpus.py`), run",
        "through the `nqpf` command by the test suite. Besides the outcome listed, every case",
        "must end without a traceback, and an error is one line with exit status 2. This page",
        "is generated from the corpus (`python tests/badinput/test_corpus.py`); a test keeps it",
        "equal to the corpus.",
        "",
        "Finding numbers refer to the issue on untrusted inputs and safe outputs; *earlier* are",
        "inputs that broke previous versions.",
        "",
        "| finding | input | command | expected |",
        "|---|---|---|---|",
    ]
    rows = [
        "| "
        + " | ".join(
            cell.replace("|", "\\|")
            for cell in (case.finding, case.input, f"`{case.command()}`", case.expected())
        )
        + " |"
        for case in CASES
    ]
    return "\n".join([*head, *rows, ""])


def test_reliability_doc_is_the_corpus() -> None:
    assert DOC.read_text(encoding="utf-8") == render()


def test_corpus_ids_are_unique() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))


if __name__ == "__main__":
    DOC.write_text(render(), encoding="utf-8")
    print(f"wrote {DOC}")
