"""The documentation states what the code does: every bundled dataset and every repair is listed."""

from pathlib import Path

from nqpf.data import catalog, corrections

DOCS = Path(__file__).parents[1] / "docs"


def test_data_doc_lists_every_dataset_and_every_non_whitespace_correction():
    text = (DOCS / "data.md").read_text(encoding="utf-8")
    for name in catalog().name:
        assert f"`{name}`" in text
    for row in corrections().query("kind != 'whitespace'").itertuples():
        assert f"| {row.original} | {row.corrected} |" in text


def test_readme_quick_start_has_exactly_the_two_commands():
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = [
        line.split("#")[0].strip() for line in quick.splitlines() if line.startswith("make ")
    ]
    assert commands == ["make report", "make test"]
