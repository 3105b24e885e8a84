"""Random small tables through ``nqpf validate`` and ``nqpf index --data``.

Headers are drawn among the accepted ones and others, region names from the registry with random
whitespace and typos, cells from many number formats and blanks. Whatever the table, the command
ends with exit 0, or exit 2 and one error line; it never shows a traceback; and no value is
silently changed: every cell whose value differs from its plain reading (a finite number as
Python reads it, else nothing) has an entry in the validation report.
"""

from __future__ import annotations

import math
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from nqpf.errors import NqpfError
from nqpf.panel import Panel
from nqpf.regions import normalize, provinces

SYSTEM = """\
name: tiny
title_zh: 小指数
title_en: Tiny index
level: province
dimensions:
  - name: all
    label_zh: 全部
    label_en: All
    indicators:
      - name: gdp
        label_zh: 地区生产总值
        label_en: GDP
        formula: gdp
        direction: 1
      - name: patents
        label_zh: 专利
        label_en: Patents
        formula: patents
        direction: -1
"""

PROVINCES = provinces()
#: Headers by role, accepted ones first and more often (see ``nqpf.panel.HEADER_NAMES``).
REGION_HEADERS = ["地区", "省份", "region", "Province", " 省 ", "地区", "省份", "name", "地名"]
YEAR_HEADERS = ["年份", "year", "Year", "年度", "年份", "year", "yr"]
GDP_HEADERS = ["gdp", "gdp（亿元）", "gdp (亿元)", "gdp", "GDP", "产值"]
PATENT_HEADERS = ["patents", "patents（件）", "patents", "Patents", "专利"]


@st.composite
def names(draw: st.DrawFn, code: int) -> str:
    """A name of ``code`` in the registry, perhaps with added whitespace or a typo."""
    name = str(PROVINCES.loc[code, draw(st.sampled_from(["name", "short", "name_en"]))])
    changes = ["none"] * 6 + ["space", "inner", "drop", "double"]
    change = draw(st.sampled_from(changes))
    at = draw(st.integers(0, max(len(name) - 1, 0)))
    if change == "space":
        return f" {name}  "
    if change == "inner" and len(name) > 1:
        return f"{name[:at]} {name[at:]}"
    if change == "drop" and len(name) > 1:
        return name[:at] + name[at + 1 :]
    if change == "double":
        return name[: at + 1] + name[at:]
    return name


@st.composite
def cells(draw: st.DrawFn) -> str:
    """A number as a yearbook or a spreadsheet writes it, or a blank or a no-data mark."""
    x = draw(st.floats(0.01, 1e7, allow_nan=False).map(lambda v: round(v, 2)))
    plain = [f"{x}", f"{x:.0f}"] * 40  # one cell in about 20 is odd
    return draw(
        st.sampled_from(
            [
                *plain,
                f"{x:.0f}",
                f"{x:,.2f}",
                f"{x:,.0f}",
                f" {x} ",
                f"{x:.3e}",
                f"{x:.2f}".replace(".", ","),
                f"{x:,.2f}".replace(",", " ").replace(".", ","),
                f"{x:,.2f}".replace(",", "_").replace(".", ",").replace("_", "."),
                "",
                "—",
                "-",
                "inf",
                "-inf",
                "nan",
                "N/A",
            ]
        )
    )


@st.composite
def tables(draw: st.DrawFn) -> pd.DataFrame:
    codes = draw(
        st.lists(st.sampled_from(list(PROVINCES.index)), min_size=3, max_size=5, unique=True)
    )
    regions = [draw(names(code)) for code in codes]
    years = [2019, 2020, 2021]
    value_headers = [draw(st.sampled_from(GDP_HEADERS)), draw(st.sampled_from(PATENT_HEADERS))]
    rows = [
        [region, str(year), *(draw(cells()) for _ in value_headers)]
        for region in regions
        for year in years
    ]
    headers = [draw(st.sampled_from(REGION_HEADERS)), draw(st.sampled_from(YEAR_HEADERS))]
    return pd.DataFrame(rows, columns=[*headers, *value_headers], dtype=str)


#: Thousands separated by commas, a decimal point: the one unambiguous grouping.
GROUPED = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")


#: The smallest table the search found that is read with a changed value and no report entry.
MINIMAL = pd.DataFrame(
    [
        [name, str(year), "1.0", "1.0"]
        for name in ["北京市", "天津市", "河北"]
        for year in (2019, 2020, 2021)
    ],
    columns=["地区", "年份", "gdp", "patents"],
)
MINIMAL.loc[8, "patents"] = "inf"


def _plain(text: str) -> float:
    """A cell as Python reads it (commas of :data:`GROUPED` removed): finite, else NaN."""
    text = text.strip()
    if GROUPED.fullmatch(text):
        text = text.replace(",", "")
    try:
        value = float(text)
    except ValueError:
        return math.nan
    return value if math.isfinite(value) else math.nan


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-12)


def silently_changed(path: Path, frame: pd.DataFrame) -> list[tuple[int, str, str, float]]:
    """Cells read as another value than their plain reading without a report entry.

    Each is ``(file row, column, text, value read)``; rows of a repaired (misspelled) name are
    not compared, their repair being reported.
    """
    try:
        panel = Panel.from_file(path)
    except NqpfError:
        return []  # the command refuses the table: nothing is read
    report = [*panel.report, *panel.validate()]
    values = panel.data.set_index(["region_code", "year", "indicator"])["value"]
    indicators = [
        c
        for c in frame.columns[2:]
        if c.split("（")[0].split(" (")[0] in set(values.index.get_level_values(2))
    ]
    changed = []
    for i, row in frame.iterrows():
        try:
            code = normalize([row.iloc[0]])[0]
        except NqpfError:
            continue
        file_row = int(i) + 2  # the header is row 1
        for column in indicators:
            name = column.split("（")[0].split(" (")[0]
            read = values.get((code, int(row.iloc[1]), name), math.nan)
            text = row[column]
            if _same(_plain(text), float(read)):
                continue
            listed = any(
                issue.row == file_row
                or (
                    str(issue.region) == str(code)
                    and issue.year in (None, int(row.iloc[1]))
                    and issue.indicator in (None, name)
                )
                for issue in report
            )
            if not listed:
                changed.append((file_row, column, text, float(read)))
    return changed


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # a failure is reported unshrunk
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(frame=MINIMAL)
@given(frame=tables())
def test_random_tables(
    frame: pd.DataFrame,
    nqpf: Callable[[list[str]], tuple[int, str]],
    one_line: Callable[..., None],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.csv"
        frame.to_csv(path, index=False)
        system = Path(folder) / "tiny.yaml"
        system.write_text(SYSTEM, encoding="utf-8")
        for argv in (
            ["validate", str(path)],
            ["index", "--data", str(path), "--system", str(system), "--out", f"{folder}/out"],
        ):
            status, output = nqpf(argv)
            assert status in (0, 2), output
            one_line(status, output)
        assert not silently_changed(path, frame)
