"""Each bad input of the workbench in a real browser: a readable message, and the page answers.

The files are built here: a 50 MB CSV, an XLSX with merged header cells, an empty sheet, the
example table (``nqpf example``) re-encoded as GBK, the example table cut to one province and
an index system YAML carrying a Python tag. After each, a good synthetic table is uploaded (or
the language switched) to show the session still answers. Screenshots go to ``test-artifacts/``.
"""

import io
import re

import openpyxl
import pandas as pd
import pytest

from nqpf.data import write_example

pytestmark = pytest.mark.slow

GOOD = "地区,年份,研发经费\n北京,2020,1\n上海,2020,2\n".encode()  # synthetic table


def upload_table(page, name, content=None, path=None):
    """Upload to the table input: bytes as ``name``, or the file at ``path``."""
    page.locator("input[name=source][value=upload]").check()
    if path is not None:
        page.set_input_files("#table_file", path)
    else:
        page.set_input_files(
            "#table_file", files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
        )


def assert_page_answers(page):
    """A good table uploaded after a bad one is read and mapped: the session is alive."""
    from playwright.sync_api import expect

    upload_table(page, "good.csv", GOOD)
    expect(page.locator("#source_message")).to_be_empty()
    expect(page.locator("#panel_message")).to_contain_text("2 个地区 × 2020–2020")


def xlsx_bytes(rows, merge=None):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    if merge:
        book.active.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    return {p.name: p for p in write_example(tmp_path_factory.mktemp("example"))}


def test_a_50_mb_upload_is_refused_by_size(page, shot, tmp_path):
    from playwright.sync_api import expect

    big = tmp_path / "big.csv"
    big.write_bytes(b"a,b\n" + b"1,2\n" * (50 * 1024**2 // 4))  # 50 MB of text
    upload_table(page, big.name, path=big)
    message = page.locator("#source_message")
    expect(message).to_contain_text("'big.csv' is 50.0 MB, above the 20 MB upload limit")
    shot(page, "bad-1-50mb")
    assert_page_answers(page)


def test_merged_header_cells_are_named(page, shot):
    from playwright.sync_api import expect

    rows = [["地区", "研发经费", None], ["北京", 2020, 1.0], ["上海", 2020, 2.0]]
    upload_table(page, "merged.xlsx", xlsx_bytes(rows, merge="B1:C1"))
    expect(page.locator("#source_message")).to_contain_text("merged header cells B1:C1")
    shot(page, "bad-2-merged-header")
    assert_page_answers(page)


def test_an_empty_sheet_is_refused(page, shot):
    from playwright.sync_api import expect

    upload_table(page, "empty.xlsx", xlsx_bytes([]))
    expect(page.locator("#source_message")).to_contain_text("no header row")
    shot(page, "bad-3-empty-sheet")
    assert_page_answers(page)


def test_a_gbk_csv_is_decoded_and_mapped(page, shot, example):
    from playwright.sync_api import expect

    table = pd.read_excel(example["example.xlsx"])  # real example table
    content = table.to_csv(index=False).encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")  # truly GBK, not UTF-8
    upload_table(page, "示例-gbk.csv", content)
    page.locator("#region_col").select_option("地区")
    page.locator("#year_col").select_option("年份")
    years = f"{table['年份'].min()}–{table['年份'].max()}"
    message = page.locator("#panel_message")
    # the example holds the 31 provinces, some names written with spaces or in full
    expect(message).to_contain_text(f"31 个地区 × {years}")
    expect(message).to_contain_text("R&D经费内部支出")
    expect(page.locator("#source_message")).to_be_empty()
    shot(page, "bad-4-gbk-decoded")


def test_one_region_ends_in_a_readable_message(page, shot, example):
    from playwright.sync_api import expect

    table = pd.read_excel(example["example.xlsx"])  # real example table, one province kept
    buffer = io.BytesIO()
    table[table["地区"] == "北京"].to_excel(buffer, index=False)
    upload_table(page, "beijing.xlsx", buffer.getvalue())
    page.locator("#region_col").select_option("地区")
    page.locator("#year_col").select_option("年份")
    expect(page.locator("#panel_message")).to_contain_text("1 个地区")
    page.set_input_files("#system_file", example["example_system.yaml"])
    expect(page.locator("#system")).to_have_value("uploaded")
    page.locator("#runs").fill("5")
    page.locator("#run").click()
    status = page.locator("#status")
    expect(status).to_contain_text(re.compile("完成|运行失败"), timeout=240_000)
    shot(page, "bad-5-one-region")
    expect(status).to_contain_text("完成")  # the index runs on one region's years
    skipped = page.locator("#skipped")  # the studies comparing regions say why they did not run
    expect(skipped).to_contain_text("disparity: Regional differences 区域差异")
    expect(skipped).to_contain_text("spatial weights need at least 2 regions, got 1")
    expect(skipped).to_contain_text("gravity linkages need at least two regions")
    assert "Traceback" not in page.locator("body").inner_text()
    assert_page_answers(page)


def test_a_yaml_with_a_python_tag_is_refused_without_running(page, shot, tmp_path):
    from playwright.sync_api import expect

    marker = tmp_path / "ran"
    evil = f"name: !!python/object/apply:os.system ['touch {marker}']\ndimensions: []\n"
    page.set_input_files(
        "#system_file",
        files=[{"name": "evil.yaml", "mimeType": "text/yaml", "buffer": evil.encode()}],
    )
    message = page.locator("#system_message")
    expect(message).to_contain_text("evil.yaml")
    expect(message).to_contain_text("python/object")
    shot(page, "bad-6-python-yaml")
    assert not marker.exists()
    page.locator("input[name=lang][value=en]").check()
    expect(page.locator("#t_step4")).to_have_text("④ Run")  # the session still answers
    page.locator("input[name=lang][value=zh]").check()
