"""The index-system form's pure helpers: edit a system, write YAML, load it back safely."""

import pytest

from nqpf.app.systems import edited_spec, system_table, system_yaml
from nqpf.app.uploads import read_system_upload
from nqpf.errors import IndexSystemError
from nqpf.index import load_system


@pytest.fixture(scope="module")
def system():
    return load_system("nqpf-province")


def round_trip(system, table):
    text = system_yaml(edited_spec(system, table))
    return read_system_upload(text.encode("utf-8"), "edited.yaml")


def test_an_unedited_system_comes_back_the_same(system):
    back = round_trip(system, system_table(system))
    assert back == system


def test_direction_dimension_and_exclusion_are_applied(system):
    table = system_table(system)
    first, second, last = table.name.iloc[0], table.name.iloc[1], table.name.iloc[-1]
    table.loc[0, "direction"] = -1
    table.loc[1, "dimension"] = "数字化 Digitalisation"  # a new dimension
    table.loc[table.index[-1], "include"] = False
    back = round_trip(system, table)
    assert back.directions[first] == -1
    assert back.dimensions[second] == "数字化 Digitalisation"
    assert back.dimension_labels["数字化 Digitalisation"] == ("数字化 Digitalisation",) * 2
    assert last not in back.names
    assert len(back.names) == len(system.names) - 1
    untouched = [n for n in system.names if n not in (first, second, last)]
    assert back.directions[untouched].equals(system.directions[untouched])
    assert back.dimensions[untouched].equals(system.dimensions[untouched])


def test_moving_to_an_existing_dimension(system):
    table = system_table(system)
    name = table.name.iloc[0]
    table.loc[0, "dimension"] = "objects_of_labour"
    back = round_trip(system, table)
    assert back.dimensions[name] == "objects_of_labour"
    assert list(back.dimension_labels) == list(system.dimension_labels)


def test_interpolate_entries_of_excluded_indicators_are_dropped(system):
    table = system_table(system)
    users = [i.name for i in system.indicators if "hitech_revenue" in i.formula]
    table.loc[table.name.isin(users), "include"] = False
    spec = edited_spec(system, table)
    assert "hitech_revenue" not in spec["interpolate"]
    assert load_system(spec).interpolate == tuple(
        v for v in system.interpolate if v != "hitech_revenue"
    )


def test_the_yaml_is_plain_and_readable(system):
    text = system_yaml(edited_spec(system, system_table(system)))
    assert "!!" not in text and "&" not in text.split("dimensions:")[0]
    assert "劳动者" in text  # Chinese written as such, not escaped


def test_fewer_than_two_indicators_is_refused(system):
    table = system_table(system)
    table["include"] = False
    table.loc[0, "include"] = True
    with pytest.raises(IndexSystemError, match="1 indicator"):
        edited_spec(system, table)


def test_a_bad_direction_names_the_indicator(system):
    table = system_table(system)
    table.loc[2, "direction"] = 0
    with pytest.raises(IndexSystemError, match=repr(table.name.iloc[2])):
        edited_spec(system, table)
