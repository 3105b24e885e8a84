"""A small real example table with the typical messes of a yearbook table (``nqpf example``).

:func:`write_example` cuts 31 provinces × 2019–2022 × 6 variables from the bundled data
(:func:`~nqpf.data.load_province_panel`) into a wide table with Chinese headers and units,
a ``地区``/``年份`` pair of columns and the NBS macro-region in ``区域``. Five cells are then
spoilt on purpose, as they are in real yearbook tables: whitespace inside a name, a full official
name, an English name, a blank cell and a number stored as text with thousands separators. Every
other cell holds the bundled value unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from nqpf.data.catalog import catalog, variables
from nqpf.data.export import _display_width
from nqpf.data.loaders import load_province_panel
from nqpf.regions import name_of, provinces

__all__ = ["EXAMPLE_YEARS", "write_example"]

#: Years of the example table.
EXAMPLE_YEARS: tuple[int, ...] = (2019, 2020, 2021, 2022)

REGION, YEAR, GROUP = "地区", "年份", "区域"

# Header of the example table → bundled variable (nqpf.data.variables()).
_COLUMNS: dict[str, str] = {
    "R&D人员全时当量（人年）": "rd_fte",
    "R&D经费内部支出（万元）": "rd_exp",
    "发明专利授权数（件）": "patent_grant_invention",
    "高技术产业营业收入（亿元）": "hitech_revenue",
    "吸纳技术合同成交额（万元）": "techmarket_in_amount",
    "地区生产总值（亿元）": "gdp",
}


@dataclass(frozen=True)
class _Mess:
    """One cell spoilt on purpose: region, year, column, the text written, why."""

    code: int
    year: int
    column: str
    kind: str
    note: str


_MESSES: tuple[_Mess, ...] = (
    _Mess(310000, 2021, REGION, "spacing", "whitespace inside the name"),
    _Mess(150000, 2020, REGION, "full name", "full official name"),
    _Mess(440000, 2019, REGION, "English name", "English name"),
    _Mess(540000, 2021, "发明专利授权数（件）", "blank", "blank cell (value removed)"),
    _Mess(
        440000,
        2022,
        "R&D经费内部支出（万元）",
        "text number",
        "number stored as text with thousands separators",
    ),
)

_SYSTEM = """\
# Example index system over the headers of example.xlsx (written by `nqpf example`).
# A header's name without its unit in brackets is the name used in formulas:
# 发明专利授权数（件） → 发明专利授权数. Names that are not plain identifiers (R&D…) go in
# backticks, and a formula starting with a backtick is quoted for YAML.
name: example-province
title_zh: 示例：省域新质生产力指数
title_en: "Example: provincial new quality productive forces index"
level: province
years: [{first}, {last}]
# 西藏 {blank_year} has no 发明专利授权数 in example.xlsx (a blank cell): it is filled linearly
# from the neighbouring years, and the filled cell is listed in the validation report.
interpolate: [发明专利授权数]
dimensions:
  - name: labourers
    label_zh: 劳动者
    label_en: Labourers
    indicators:
      - name: rd_personnel
        label_zh: R&D人员全时当量
        label_en: R&D personnel (full-time equivalent)
        formula: "`R&D人员全时当量`"
        direction: 1
        unit: 人年
      - name: inventions_per_personnel
        label_zh: 每百人年R&D人员发明专利授权数
        label_en: Invention patents granted per 100 R&D person-years
        formula: 100 * 发明专利授权数 / `R&D人员全时当量`
        direction: 1
        unit: 件/百人年
  - name: means_of_labour
    label_zh: 劳动资料
    label_en: Means of labour
    indicators:
      - name: rd_intensity
        label_zh: R&D经费投入强度
        label_en: R&D expenditure relative to GDP
        formula: 100 * `R&D经费内部支出` / (地区生产总值 * 10000)
        direction: 1
        unit: "%"
  - name: objects_of_labour
    label_zh: 劳动对象
    label_en: Objects of labour
    indicators:
      - name: hitech_revenue_gdp
        label_zh: 高技术产业营业收入占GDP比重
        label_en: High-tech industry revenue relative to GDP
        formula: 100 * 高技术产业营业收入 / 地区生产总值
        direction: 1
        unit: "%"
      - name: techmarket_in_gdp
        label_zh: 吸纳技术合同成交额占GDP比重
        label_en: Technology-market contracts absorbed relative to GDP
        formula: 100 * 吸纳技术合同成交额 / (地区生产总值 * 10000)
        direction: 1
        unit: "%"
"""


def _clean_table() -> pd.DataFrame:
    """The bundled values as a wide table, one row per province and year (yearbook order)."""
    wide = load_province_panel().wide()
    table = provinces()
    rows = []
    for code in table.index:
        for year in EXAMPLE_YEARS:
            row: dict[str, object] = {
                REGION: table.at[code, "short"],
                YEAR: year,
                GROUP: table.at[code, "macro_region_zh"],
            }
            for header, variable in _COLUMNS.items():
                value = float(wide.at[(code, year), variable])
                row[header] = int(value) if value.is_integer() else value
            rows.append(row)
    return pd.DataFrame(rows, dtype=object)


def _row_of(code: int, year: int) -> int:
    """Position of a province-year in the example table (provinces in code order, then years)."""
    codes = list(provinces().index)
    return codes.index(code) * len(EXAMPLE_YEARS) + EXAMPLE_YEARS.index(year)


def _spoil(frame: pd.DataFrame) -> pd.DataFrame:
    """Apply :data:`_MESSES` to a copy of the clean table."""
    messy = frame.copy()
    for mess in _MESSES:
        row = _row_of(mess.code, mess.year)
        column = messy.columns.get_loc(mess.column)
        if mess.kind == "spacing":
            short = name_of(mess.code, "short")
            text: object = "  ".join(short)
        elif mess.kind == "full name":
            text = name_of(mess.code, "zh")
        elif mess.kind == "English name":
            text = name_of(mess.code, "en")
        elif mess.kind == "blank":
            text = None
        else:  # "text number"
            text = f"{messy.iat[row, column]:,}"
        messy.iat[row, column] = text
    return messy


def _cell(frame: pd.DataFrame, mess: _Mess) -> str:
    """Spreadsheet address of a spoilt cell (header in row 1)."""
    from openpyxl.utils import get_column_letter

    column = get_column_letter(frame.columns.get_loc(mess.column) + 1)
    return f"{column}{_row_of(mess.code, mess.year) + 2}"


def _write_atomic(path: Path, write: Callable[[Path], object]) -> Path:
    """Write through a temporary file in the same folder, then move it into place."""
    temporary = path.with_name(f".{path.name}.tmp")
    write(temporary)
    os.replace(temporary, path)
    return path


def _write_xlsx(clean: pd.DataFrame, messy: pd.DataFrame, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "示例数据 example"
    sheet.append(list(messy.columns))
    for values in messy.itertuples(index=False):
        sheet.append([None if pd.isna(v) else v for v in values])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "C2"
    for position, header in enumerate(messy.columns, start=1):
        widest = max(_display_width(str(v)) for v in [header, *clean[header]])
        sheet.column_dimensions[get_column_letter(position)].width = widest + 2
    sheet["A1"].comment = Comment(
        f"Real values cut from the bundled nqpf data ({EXAMPLE_YEARS[0]}–{EXAMPLE_YEARS[-1]}); "
        f"{len(_MESSES)} cells are spoilt on purpose, each with a note. See README.txt.",
        "nqpf",
        width=300,
        height=110,
    )
    for mess in _MESSES:
        original = clean.iat[_row_of(mess.code, mess.year), clean.columns.get_loc(mess.column)]
        sheet[_cell(messy, mess)].comment = Comment(
            f"Spoilt on purpose: {mess.note}. Bundled value: {original}.", "nqpf", width=260
        )
    book.save(path)


def _readme(clean: pd.DataFrame, messy: pd.DataFrame, folder: Path) -> str:
    first, last = EXAMPLE_YEARS[0], EXAMPLE_YEARS[-1]
    found = variables().set_index("name")
    sources = catalog()
    lines = [
        "nqpf example table",
        "==================",
        "",
        f"example.xlsx: {clean[REGION].nunique()} provinces × {len(EXAMPLE_YEARS)} years "
        f"({first}–{last}) × {len(_COLUMNS)} variables, one row per province and year;",
        "example.csv: the same table as CSV in GBK encoding without a byte-order mark, as Chinese",
        "Excel saves it; example_system.yaml: an index system over these headers.",
        "",
        "Where the values come from",
        "--------------------------",
        "Every number is a real value of the data bundled with nqpf, read through",
        "nqpf.data.load_province_panel(); nothing is estimated or invented.",
        f"  {REGION}  province, short Chinese name, in GB/T 2260 code order",
        f"  {YEAR}  {first}–{last}",
        f"  {GROUP}  NBS macro-region (东部/中部/西部/东北) from nqpf.regions.provinces()",
    ]
    for header, variable in _COLUMNS.items():
        info = found.loc[variable]
        lines.append(
            f"  {header}  variable {variable} ({info.label_zh}; {info.label_en}), "
            f"dataset {info.dataset}, table {info.table}, code {info.code}"
        )
    lines += ["", "Datasets (nqpf datasets lists them in full):"]
    for dataset in dict.fromkeys(found.loc[list(_COLUMNS.values()), "dataset"]):
        row = sources.loc[sources.name == dataset].iloc[0]
        lines.append(f"  {dataset}: {row.title}; source {row.source}; licence {row.licence}")
    lines += [
        "",
        "Messes added on purpose",
        "-----------------------",
        "Yearbook tables pasted together from several editions look like this. The cells below are",
        "spoilt on purpose (each also carries a note in example.xlsx); the row number is the",
        "spreadsheet row and the CSV line (header = 1):",
    ]
    for mess in _MESSES:
        row = _row_of(mess.code, mess.year)
        where = f"{name_of(mess.code, 'short')} {mess.year}, column {mess.column}"
        original = clean.iat[row, clean.columns.get_loc(mess.column)]
        written = messy.iat[row, messy.columns.get_loc(mess.column)]
        shown = "(empty)" if pd.isna(written) else repr(written)
        lines.append(
            f"  {_cell(messy, mess)}  {where}: {mess.note}; written {shown}, bundled {original}"
        )
    lines += [
        "",
        "nqpf repairs the names (and lists each repair), reads the text number, and leaves the",
        "blank cell blank: example_system.yaml names its variable under interpolate:, so the",
        "index fills it linearly between the neighbouring years and reports the filled cell.",
        "",
        "Try it",
        "------",
        f"  nqpf validate {folder / 'example.xlsx'}",
        f"  nqpf validate {folder / 'example.csv'}",
        f"  nqpf index --data {folder / 'example.xlsx'} --system {folder / 'example_system.yaml'} "
        "--out out/example/",
        "",
    ]
    return "\n".join(lines)


def write_example(out: str | Path) -> list[Path]:
    """Write the example table, its CSV twin, a matching index system and a README into ``out``.

    Files: ``example.xlsx`` (Chinese headers with units, a note on every spoilt cell),
    ``example.csv`` (GBK, no byte-order mark), ``example_system.yaml`` (interpolates the blank
    cell) and ``README.txt`` (where every value comes from, which cells are spoilt and how).
    Each file is written to a temporary name first and then moved into place.

    Parameters
    ----------
    out
        Folder; created if needed. Existing files of the same names are replaced.

    Returns
    -------
    list[pathlib.Path]
        The files written, in the order above.

    Examples
    --------
    >>> import tempfile
    >>> paths = write_example(tempfile.mkdtemp())
    >>> [p.name for p in paths]
    ['example.xlsx', 'example.csv', 'example_system.yaml', 'README.txt']
    >>> import pandas as pd
    >>> table = pd.read_csv(paths[1], encoding="gbk", dtype=str)
    >>> table.shape, table.loc[table.年份 == "2021", "地区"].tolist()[8]
    ((124, 9), '上  海')
    """
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    clean = _clean_table()
    messy = _spoil(clean)
    blank = next(m for m in _MESSES if m.kind == "blank")
    system = _SYSTEM.format(first=EXAMPLE_YEARS[0], last=EXAMPLE_YEARS[-1], blank_year=blank.year)
    return [
        _write_atomic(folder / "example.xlsx", lambda p: _write_xlsx(clean, messy, p)),
        _write_atomic(
            folder / "example.csv",
            lambda p: messy.to_csv(p, index=False, encoding="gbk", lineterminator="\r\n"),
        ),
        _write_atomic(
            folder / "example_system.yaml", lambda p: p.write_text(system, encoding="utf-8")
        ),
        _write_atomic(
            folder / "README.txt",
            lambda p: p.write_text(_readme(clean, messy, folder), encoding="utf-8"),
        ),
    ]
