"""The strict schema of index systems and the safe YAML loader (issue finding 7).

Each bad system is written out as a user would write it; the expected error names the key, where it
is and the fix. References: the raw YAML of the built-in system read by plain ``yaml.safe_load``;
the keys documented in ``docs/index-system.md``.
"""

import re
import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from nqpf.cli import app
from nqpf.errors import IndexSystemError
from nqpf.index import load_system
from nqpf.index.system import MAX_SYSTEM_BYTES, SCHEMA

DOC = Path(__file__).parents[2] / "docs" / "index-system.md"

GOOD = """\
name: s
level: province
dimensions:
  - name: talent
    label_zh: 人才
    indicators:
      - name: a
        formula: x
        direction: 1
  - name: industry
    subdimensions:
      - name: hitech
        indicators:
          - name: b
            formula: 100 * y / x
            direction: cost
"""


def write(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "system.yaml"
    path.write_bytes(text.encode(encoding))
    return path


def error(tmp_path, text, encoding="utf-8"):
    with pytest.raises(IndexSystemError) as info:
        load_system(write(tmp_path, text, encoding))
    return str(info.value)


def test_the_good_system_loads(tmp_path):
    system = load_system(write(tmp_path, GOOD))
    assert system.directions.to_dict() == {"a": 1, "b": -1}
    assert system.dimensions.to_dict() == {"a": "talent", "b": "industry"}
    assert system.dimension_labels["talent"] == ("人才", "talent")


@pytest.mark.parametrize(
    "old, new, expected",
    [
        # a typo in a key names the key, the indicator and the nearest valid key
        (
            "        direction: 1",
            "        direciton: -1",
            r"dimension 'talent', indicator 'a': unknown key 'direciton'; "
            r"did you mean 'direction'\?",
        ),
        # an unknown key with no close match lists the allowed keys; weights point to weighting=
        (
            "        direction: 1",
            "        direction: 1\n        weight: 0.7",
            r"indicator 'a': unknown key 'weight'; weights are chosen when the index is computed "
            r"\(weighting=, --weighting\); allowed keys: name, .*direction",
        ),
        # unknown keys at every level
        ("level: province", "levle: province", r"unknown key 'levle'; did you mean 'level'\?"),
        ("    label_zh: 人才", "    lable_zh: 人才", r"dimension 'talent': .*'label_zh'"),
        (
            "      - name: hitech",
            "      - name: hitech\n        label: x",
            r"dimension 'industry', sub-dimension 'hitech': unknown key 'label'; "
            r"did you mean 'label_zh'\?",
        ),
        ("dimensions:", "dimension:", r"unknown key 'dimension'; did you mean 'dimensions'\?"),
        # the direction must be given, and a boolean is not a direction
        (
            "        direction: 1\n",
            "",
            r"dimension 'talent', indicator 'a': required key 'direction' is missing",
        ),
        ("        direction: 1", "        direction:", r"indicator 'a': required key 'direction'"),
        ("        direction: 1", "        direction: true", r"indicator 'a': direction must be"),
        ("        direction: 1", "        direction: yes", r"indicator 'a': direction must be"),
        # an empty dimension is an error, not a silently vanished dimension
        (
            "    indicators:\n      - name: a\n        formula: x\n        direction: 1\n",
            "    indicators: []\n",
            r"dimension 'talent' has no indicators",
        ),
        (
            "    indicators:\n      - name: a\n        formula: x\n        direction: 1\n",
            "",
            r"dimension 'talent' has no indicators",
        ),
        (
            "      - name: hitech\n",
            "      - name: empty\n        indicators: []\n      - name: hitech\n",
            r"dimension 'industry', sub-dimension 'empty': required key 'indicators' is missing "
            r"or empty",
        ),
        ("level: province", "level: provnce", r"level must be one of .*'provnce'.*'province'\?"),
        ("level: province", "level: county", r"level must be one of \['province', 'city'\]"),
        ("level: province", "level: province\nyears: [2022, 2011]", r"'years' must be \[first"),
        ("level: province", "level: province\nyears: ['2011', 2022]", r"'years' must be"),
        ("level: province", "level: province\nyears: 2011", r"'years' must be a list"),
        (
            "level: province",
            "level: province\ninterpolate: [yy]",
            r"interpolate entry 'yy' is not a variable used by the formulas.*'y'\?",
        ),
        ("level: province", "level: province\ninterpolate: y", r"'interpolate' must be a list"),
        ("        formula: x", "        formula: [x]", r"indicator 'a': 'formula' must be text"),
        ("        formula: x", "        formula: x\n        formula: y", r"'formula' given twice"),
        ("name: s\n", "", r"required key 'name' is missing"),
    ],
)
def test_bad_system_is_named(tmp_path, old, new, expected):
    assert old in GOOD
    assert re.search(expected, error(tmp_path, GOOD.replace(old, new, 1)))


def test_mapping_input_gets_the_same_checks():
    spec = yaml.safe_load(GOOD.replace("direction: 1", "direciton: 1"))
    with pytest.raises(IndexSystemError, match=r"<dict>, dimension 'talent', indicator 'a'"):
        load_system(spec)


def test_billion_laughs_is_refused_at_once(tmp_path):
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * 10)}]" for k in range(1, 10)]
    bomb = "\n".join(lines) + "\n"  # 10**10 strings once expanded, under 1 KB as text
    assert len(bomb) < 1024
    start = time.perf_counter()
    message = error(tmp_path, bomb)
    assert time.perf_counter() - start < 1.0
    assert "line 1: YAML anchors and aliases (&a0, *a0) are not accepted" in message


def test_merge_keys_and_aliases_are_refused(tmp_path):
    text = GOOD.replace("        formula: x\n", "        <<: *base\n")
    assert "anchors and aliases" in error(tmp_path, text)


def test_deep_nesting_and_large_files_are_refused(tmp_path):
    assert "nested deeper than 20 levels" in error(tmp_path, "x: " + "[" * 500 + "]" * 500)
    path = write(tmp_path, GOOD + "#" * MAX_SYSTEM_BYTES)
    with pytest.raises(IndexSystemError, match=r"more than an index system may hold"):
        load_system(path)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_chinese_labels_in_any_encoding_the_table_reader_takes(tmp_path, encoding):
    text = GOOD.replace("name: hitech", "name: hitech\n        label_zh: 高技术产业")
    system = load_system(write(tmp_path, text, encoding))
    assert system.dimension_labels["talent"] == ("人才", "talent")
    assert system.subdimension_labels["hitech"] == ("高技术产业", "hitech")


def test_binary_file_is_one_clear_error(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    path = tmp_path / "system.yaml"
    path.write_bytes(png)
    with pytest.raises(IndexSystemError, match=r"system.yaml: not a text file"):
        load_system(path)
    path.write_bytes(b"name: s\n\xff\xfe\xff dimensions: []\n")  # neither UTF-8 nor GB18030
    with pytest.raises(IndexSystemError, match=r"not a text file"):
        load_system(path)


def test_cli_prints_one_line_and_exits_2(tmp_path):
    path = write(tmp_path, GOOD.replace("direction: 1", "direciton: 1"))
    result = CliRunner().invoke(app, ["index", "--system", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "did you mean 'direction'?" in result.output
    assert "Traceback" not in result.output


def test_builtin_system_reads_as_plain_yaml_says():
    # reference: the file read by plain yaml.safe_load, directions as written (1 / -1)
    path = Path(__file__).parents[2] / "src" / "nqpf" / "index" / "systems" / "nqpf-province.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    expected = [
        (dim["name"], sub["name"], ind["name"], ind["formula"], ind["direction"], ind["unit"])
        for dim in raw["dimensions"]
        for sub in dim["subdimensions"]
        for ind in sub["indicators"]
    ]
    system = load_system("nqpf-province")
    got = [
        (i.dimension, i.subdimension, i.name, i.formula, i.direction, i.unit)
        for i in system.indicators
    ]
    assert got == expected
    assert system.interpolate == tuple(raw["interpolate"])
    assert system.years == tuple(raw["years"]) and system.level == raw["level"]


def test_doc_lists_every_key_of_the_schema_and_its_examples_load(tmp_path):
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## The schema", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `(\w+)`(?:, `(\w+)`)?", section, flags=re.M))
    keys = {k for pair in documented for k in pair if k}
    assert keys == {k for block in SCHEMA.values() for k in block}
    example = text.split("## Writing your own system", 1)[1].split("```yaml\n", 1)[1]
    system = load_system(write(tmp_path, example.split("```", 1)[0]))
    assert system.directions.to_dict() == {"rd_staff_share": 1, "energy_per_gdp": -1}
