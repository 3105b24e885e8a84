"""Three-line tables (三线表): Excel borders and number formats, LaTeX booktabs output."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from nqpf.data.export import latex_table, write_excel, write_latex
from nqpf.errors import DataValidationError


def _sheet(tmp_path, frame, **options):
    path = write_excel({"t": frame}, tmp_path / "t.xlsx", style="three-line", **options)
    return openpyxl.load_workbook(path)["t"]


def test_three_line_rules_no_verticals_and_fixed_decimals(tmp_path):
    frame = pd.DataFrame(
        {
            "地区 Region": ["北京", "上海", "天津"],
            "year": [2020, 2021, 2022],
            "score": [0.5, 1 / 3, 2.0],
        }
    )
    ws = _sheet(tmp_path, frame)
    assert ws.max_row == 4 and ws.max_column == 3
    for col in range(1, 4):
        header, last = ws.cell(1, col), ws.cell(4, col)
        assert header.border.top.style == "medium"  # heavy top rule
        assert header.border.bottom.style == "thin"  # thin rule under the header
        assert last.border.bottom.style == "medium"  # heavy bottom rule
        assert header.font.bold and header.alignment.horizontal == "center"
        for row in range(1, 5):
            cell = ws.cell(row, col)
            assert cell.border.left.style is None and cell.border.right.style is None
            if 1 < row < 4:  # body rows: no horizontal rules
                assert cell.border.top.style is None and cell.border.bottom.style is None
    assert [ws.cell(r, 3).number_format for r in (2, 3, 4)] == ["0.000"] * 3
    assert ws.cell(3, 3).value == pytest.approx(1 / 3)  # full precision kept
    assert [ws.cell(r, 2).number_format for r in (2, 3, 4)] == ["0"] * 3
    assert ws.cell(2, 3).alignment.horizontal == "right"
    assert ws.cell(2, 1).alignment.horizontal is None  # text stays left
    assert ws.sheet_view.showGridLines is False


def test_three_line_decimals_option_and_plain_default(tmp_path):
    frame = pd.DataFrame({"x": [1.23456]})
    assert _sheet(tmp_path, frame, decimals=2).cell(2, 1).number_format == "0.00"
    plain = openpyxl.load_workbook(write_excel({"t": frame}, tmp_path / "p.xlsx"))["t"]
    assert plain.cell(1, 1).border.top.style is None  # the plain style has no rules
    with pytest.raises(DataValidationError, match="style"):
        write_excel({"t": frame}, tmp_path / "x.xlsx", style="boxed")  # type: ignore[arg-type]


def test_latex_table_escapes_special_characters_and_uses_booktabs():
    frame = pd.DataFrame(
        {"指标 Indicator": ["R&D_share", "50% #1"], "value": [0.12345, -1.5], "n": [3, 4]}
    )
    expected = (
        "\\begin{table}[htbp]\n"
        "  \\centering\n"
        "  \\caption{研发 R\\&D 100\\%}\n"
        "  \\label{tab:rd}\n"
        "  \\begin{tabular}{lrr}\n"
        "    \\toprule\n"
        "    指标 Indicator & value & n \\\\\n"
        "    \\midrule\n"
        "    R\\&D\\_share & 0.123 & 3 \\\\\n"
        "    50\\% \\#1 & -1.500 & 4 \\\\\n"
        "    \\bottomrule\n"
        "  \\end{tabular}\n"
        "\\end{table}"
    )
    assert latex_table(frame, "研发 R&D 100%", "tab:rd") == expected


def test_latex_braces_backslash_missing_values_and_bad_label(tmp_path):
    frame = pd.DataFrame({"a": ["{x}\\y ~^$"], "b": [float("nan")]})
    body = latex_table(frame, "c", "tab:c").splitlines()[8]
    assert body == (
        "    \\{x\\}\\textbackslash{}y \\textasciitilde{}\\textasciicircum{}\\$ &  \\\\"
    )
    with pytest.raises(DataValidationError, match="label"):
        latex_table(frame, "c", "tab c")
    path = write_latex({"得分 scores": frame}, tmp_path / "tables.tex")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("% nqpf tables") and "\\label{tab:scores}" in text
    assert "\\caption{得分 scores}" in text
