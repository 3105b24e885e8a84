"""The workbench in a real browser: Debian's chromium driven by Playwright (no browser download).

``nqpf serve`` runs in a subprocess on a free loopback port; the test uploads the example table
(``nqpf example``), maps its columns, runs the studies, sees the map, downloads the Excel
workbook, switches the language and uploads a PNG named ``.csv``. Screenshots go to
``test-artifacts/``; the server and browser fixtures are in ``conftest.py``.
"""

import pandas as pd
import pytest

from nqpf.data import EXAMPLE_YEARS, write_example

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"

pytestmark = pytest.mark.slow


def test_example_table_from_upload_to_excel(page, shot, tmp_path):
    from playwright.sync_api import expect

    example = {p.name: p for p in write_example(tmp_path / "example")}
    expect(page.locator("#t_step4")).to_have_text("④ 运行")
    page.set_input_files("#table_file", example["example.xlsx"])
    page.locator("#region_col").select_option("地区")
    page.locator("#year_col").select_option("年份")
    expect(page.locator("#panel_message")).to_contain_text("R&D经费内部支出")
    expect(page.locator("#validation")).to_contain_text("上  海")  # a repaired name is listed
    page.set_input_files("#system_file", example["example_system.yaml"])
    expect(page.locator("#system")).to_have_value("uploaded")
    page.locator("#runs").fill("20")
    shot(page, "1-mapped")

    page.locator("#run").click()
    expect(page.locator("#status progress")).to_be_visible()  # the page answers while it runs
    expect(page.locator("#status")).to_contain_text("完成", timeout=240_000)
    image = page.locator("#score_map img")
    expect(image).to_be_visible(timeout=60_000)
    assert image.get_attribute("src").startswith("data:image/png;base64,")
    expect(page.locator("#rankings")).to_contain_text("北京")
    shot(page, "2-results")

    with page.expect_download() as download:
        page.locator("#dl_excel").click()
    saved = tmp_path / "tables.xlsx"
    download.value.save_as(saved)
    sheets = pd.read_excel(saved, sheet_name=None)
    assert {"scores", "ranks", "weights"} <= set(sheets)
    scores = sheets["scores"]
    assert sorted(scores["year"].unique()) == list(EXAMPLE_YEARS)
    assert scores["region_code"].nunique() == 31  # every province of the example table
    assert scores["score"].between(0, 1).all()

    page.locator("input[name=lang][value=en]").check()
    expect(page.locator("#t_step4")).to_have_text("④ Run")
    expect(page.locator("#status")).to_contain_text("Done.")
    shot(page, "3-english")


def test_png_named_csv_gives_a_readable_error_and_the_app_answers(page, shot):
    from playwright.sync_api import expect

    page.set_input_files(
        "#table_file", files=[{"name": "photo.csv", "mimeType": "text/csv", "buffer": PNG}]
    )
    expect(page.locator("#source_message")).to_contain_text("binary content")
    shot(page, "4-bad-file")
    page.locator("input[name=lang][value=zh]").check()
    expect(page.locator("#t_step4")).to_have_text("④ 运行")  # the session still answers


def test_a_run_can_be_cancelled(page, shot):
    from playwright.sync_api import expect

    page.locator("#run").click()  # the last upload was refused: nothing to run
    expect(page.locator("#status")).to_contain_text("没有可用的数据")
    page.locator("input[name=source][value=example]").check()
    page.locator("#run").click()
    expect(page.locator("#status progress")).to_be_visible()
    page.locator("#cancel").click()
    expect(page.locator("#status")).to_contain_text("已取消")
    shot(page, "5-cancelled")


def test_user_strings_are_escaped(page, shot):
    from playwright.sync_api import expect

    header = "<img src=x onerror=alert(1)>研发"  # synthetic table
    table = f"地区,年份,{header}\n北京,2020,1\n上海,2020,2\n".encode()
    page.locator("input[name=source][value=upload]").check()
    page.set_input_files(  # runs after the other tests: the page's state is theirs
        "#table_file", files=[{"name": "<b>x</b>.csv", "mimeType": "text/csv", "buffer": table}]
    )
    expect(page.locator("#panel_message")).to_contain_text(header)
    assert page.locator("#panel_message img, #validation img, #source_message b").count() == 0
    shot(page, "6-escaped")


def test_chosen_studies_only_and_their_figures_as_a_zip(page, shot, tmp_path):
    import zipfile

    from playwright.sync_api import expect

    page.locator("input[name=source][value=example]").check()
    expect(page.locator("#system_form table")).to_be_visible()
    for box in page.locator("input[name=studies]:not([value=index])").all():
        box.uncheck()
    index = page.locator("input[name=studies][value=index]")
    index.click()  # the page ticks it again at once: a plain click, since uncheck() would race
    expect(index).to_be_checked()  # always on
    page.locator("#runs").fill("0")
    page.locator("#run").click()
    expect(page.locator("#status")).to_contain_text("完成", timeout=240_000)
    expect(page.locator("#skipped")).to_be_empty()  # the unticked studies are not run
    with page.expect_download() as download:
        page.locator("#dl_figures").click()
    saved = tmp_path / "figures.zip"
    download.value.save_as(saved)
    names = zipfile.ZipFile(saved).namelist()
    assert {n.split("/")[0] for n in names} == {"index"}
    assert "index/map.png" in names and "index/map.svg" in names
    shot(page, "7-chosen-studies")
