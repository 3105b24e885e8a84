import pytest

from nqpf.errors import DataValidationError, UnknownRegionError
from nqpf.regions import (
    check_level,
    cities,
    macro_region,
    normalize,
    provinces,
    spelling_repair,
)
from nqpf.validation import ValidationReport


def test_province_registry_matches_nbs_macro_regions():
    table = provinces()
    assert len(table) == 31
    assert table.macro_region.value_counts().to_dict() == {
        "east": 10,
        "west": 12,
        "central": 6,
        "northeast": 3,
    }
    # capitals are the XX0100 units; Lhasa's seat lies near 91.1 E, 29.65 N
    assert table.loc[540000, "capital"] == "拉萨市"
    assert table.loc[540000, "lon"] == pytest.approx(91.13, abs=0.1)
    assert table.loc[540000, "lat"] == pytest.approx(29.65, abs=0.1)


@pytest.mark.parametrize(
    "raw, code",
    [
        ("上   海", 310000),
        ("内蒙 古", 150000),
        ("黑龙江省", 230000),
        ("inner mongolia", 150000),
        ("440000", 440000),
        (440000, 440000),
        ("440000.0", 440000),
    ],
)
def test_normalize_accepts_common_spellings(raw, code):
    assert normalize([raw]) == [code]


@pytest.mark.parametrize(
    "typo, intended", [("江两", "江西"), ("浙汀", "浙江"), ("内蒙占", "内蒙古"), ("四藏", "西藏")]
)
def test_unknown_province_suggests_the_intended_one_first(typo, intended):
    with pytest.raises(UnknownRegionError) as info:
        normalize(["北京", typo], where="table RDPatentAccept")
    err = info.value
    assert err.value == typo and err.candidates[0] == intended
    assert "table RDPatentAccept" in str(err) and f"did you mean '{intended}'" in str(err)


def test_alias_is_reported_not_silent():
    report = ValidationReport()
    assert normalize(["江两"], aliases={"江两": "江西"}, report=report) == [360000]
    assert len(report) == 1 and report.issues[0].kind == "alias"


def test_city_registry_and_former_names():
    table = cities()
    assert len(table) == 369
    report = ValidationReport()
    assert normalize(["深圳", "襄樊市", "思茅市"], level="city", report=report) == [
        440300,
        420600,
        530800,
    ]
    assert [i.kind for i in report] == ["renamed", "renamed"]
    with pytest.raises(UnknownRegionError, match="abolished"):
        normalize(["莱芜市"], level="city")


def test_macro_region_of_city_goes_through_province():
    assert macro_region([440300, 210200], "zh") == ["东部", "东北"]


@pytest.mark.parametrize(
    "raw, level, expected",
    [
        ("上海", "province", None),
        (310000, "province", None),
        ("310000.0", "province", None),
        ("上  海", "province", "whitespace removed"),
        (" 北京", "province", "whitespace removed"),
        ("内蒙古自治区", "province", "full name"),
        ("内蒙古自治区 ", "province", "whitespace removed, full name"),
        ("Guangdong", "province", "English name"),
        ("inner mongolia", "province", "whitespace removed, English name"),
        ("深圳市", "city", None),
        ("深圳", "city", None),
        ("深 圳", "city", "whitespace removed"),
    ],
)
def test_spelling_repair_names_what_was_changed(raw, level, expected):
    assert spelling_repair(raw, level) == expected


@pytest.mark.parametrize("level", ["county", "Province", None])
def test_unsupported_level_is_refused_as_such(level):
    with pytest.raises(DataValidationError, match=f"level {level!r} is not supported") as info:
        normalize(["河北"], level=level)
    assert not isinstance(info.value, UnknownRegionError)
    assert check_level("city") == "city"


def test_everyday_prefecture_names_and_province_prefixes():
    # 大理白族自治州 532900, 恩施土家族苗族自治州 422800, 伊犁哈萨克自治州 654000 (GB/T 2260)
    assert normalize(["大理", "大理州", "恩施", "伊犁", "黔东南"], "city") == [
        532900,
        532900,
        422800,
        654000,
        522600,
    ]
    report = ValidationReport()
    assert normalize(["云南大理", "吉林吉林"], "city", report=report) == [532900, 220200]
    assert [i.original for i in report if i.kind == "name"] == ["云南大理", "吉林吉林"]
    with pytest.raises(UnknownRegionError):  # 海南 is a province; the prefecture keeps its name
        normalize(["海南"], "city")
    with pytest.raises(UnknownRegionError):  # 大连 is not in 云南
        normalize(["云南大连"], "city")
