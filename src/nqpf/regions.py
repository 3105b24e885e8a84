"""Registry of Chinese regions: provinces (GB/T 2260) and prefecture-level cities.

Provinces carry their 6-digit GB/T 2260 code, full and short Chinese names, English name, NBS macro
region (East 10, Central 6, West 12, Northeast 3) and a representative point: the coordinates of the
provincial capital's government seat, taken from the bundled ``city_master`` table (cpca adcodes).

Cities come from the bundled ``city_master`` table (2020 administrative vintage: municipalities,
prefecture-level units, province-administered county-level units). Former names of the same
prefecture entity (襄樊市 → 襄阳市, 思茅市 → 普洱市 ...) come from the prefecture crosswalk and are
accepted with a report; abolished units (巢湖市 2011, 莱芜市 2019) are refused with an explanation.

:func:`normalize` turns names as they appear in yearbooks into codes, or raises
:class:`~nqpf.errors.UnknownRegionError` with the closest candidates.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Literal

import pandas as pd

from nqpf.errors import DataValidationError, UnknownRegionError
from nqpf.validation import ValidationReport

__all__ = [
    "LEVELS",
    "MACRO_REGIONS",
    "Level",
    "check_level",
    "cities",
    "macro_region",
    "name_of",
    "normalize",
    "provinces",
    "spelling_repair",
]

Level = Literal["province", "city"]
#: The administrative levels the registry holds.
LEVELS: tuple[Level, ...] = ("province", "city")

#: NBS four macro-regions (国家统计局 东中西部和东北地区划分方法, 2011): key → (Chinese, English).
MACRO_REGIONS: dict[str, tuple[str, str]] = {
    "east": ("东部", "East"),
    "central": ("中部", "Central"),
    "west": ("西部", "West"),
    "northeast": ("东北", "Northeast"),
}

# code, full name, short name, English name, macro region
_PROVINCES = [
    (110000, "北京市", "北京", "Beijing", "east"),
    (120000, "天津市", "天津", "Tianjin", "east"),
    (130000, "河北省", "河北", "Hebei", "east"),
    (140000, "山西省", "山西", "Shanxi", "central"),
    (150000, "内蒙古自治区", "内蒙古", "Inner Mongolia", "west"),
    (210000, "辽宁省", "辽宁", "Liaoning", "northeast"),
    (220000, "吉林省", "吉林", "Jilin", "northeast"),
    (230000, "黑龙江省", "黑龙江", "Heilongjiang", "northeast"),
    (310000, "上海市", "上海", "Shanghai", "east"),
    (320000, "江苏省", "江苏", "Jiangsu", "east"),
    (330000, "浙江省", "浙江", "Zhejiang", "east"),
    (340000, "安徽省", "安徽", "Anhui", "central"),
    (350000, "福建省", "福建", "Fujian", "east"),
    (360000, "江西省", "江西", "Jiangxi", "central"),
    (370000, "山东省", "山东", "Shandong", "east"),
    (410000, "河南省", "河南", "Henan", "central"),
    (420000, "湖北省", "湖北", "Hubei", "central"),
    (430000, "湖南省", "湖南", "Hunan", "central"),
    (440000, "广东省", "广东", "Guangdong", "east"),
    (450000, "广西壮族自治区", "广西", "Guangxi", "west"),
    (460000, "海南省", "海南", "Hainan", "east"),
    (500000, "重庆市", "重庆", "Chongqing", "west"),
    (510000, "四川省", "四川", "Sichuan", "west"),
    (520000, "贵州省", "贵州", "Guizhou", "west"),
    (530000, "云南省", "云南", "Yunnan", "west"),
    (540000, "西藏自治区", "西藏", "Tibet", "west"),
    (610000, "陕西省", "陕西", "Shaanxi", "west"),
    (620000, "甘肃省", "甘肃", "Gansu", "west"),
    (630000, "青海省", "青海", "Qinghai", "west"),
    (640000, "宁夏回族自治区", "宁夏", "Ningxia", "west"),
    (650000, "新疆维吾尔自治区", "新疆", "Xinjiang", "west"),
]

# Look-alike characters seen in transcribed yearbook tables (两/西, 四/西, 占/古, 汀/江, 尔/东).
# Used only to rank suggestions; a look-alike is never repaired without an explicit alias.
_LOOKALIKES = {"两": "西", "四": "西", "占": "古", "汀": "江", "尔": "东"}

_SPACE = re.compile(r"\s+")
_CITY_SUFFIXES = ("特别行政区", "自治州", "地区", "市", "盟")

#: Peoples named in the names of autonomous prefectures (大理白族自治州, 伊犁哈萨克自治州).
_PEOPLES = (
    "柯尔克孜", "哈萨克", "朝鲜", "土家", "布依", "哈尼", "景颇", "傈僳", "蒙古",
    "苗", "藏", "羌", "彝", "侗", "壮", "傣", "白", "回",
)  # fmt: skip


def _prefecture_place(name: str) -> str | None:
    """The place an autonomous prefecture is called by (大理白族自治州 → 大理), or None."""
    if not name.endswith("自治州"):
        return None
    place = name.removesuffix("自治州")
    stripped = True
    while stripped:
        stripped = False
        for people in _PEOPLES:
            for form in (people + "族", people):
                if place.endswith(form) and len(place) > len(form):
                    place, stripped = place.removesuffix(form), True
                    break
            if stripped:
                break
    return place if place != name.removesuffix("自治州") else None


def _data_file(dataset: str, name: str) -> pd.DataFrame:
    from importlib.resources import files

    path = files("nqpf.data") / "files" / dataset / name
    with path.open("rb") as fh:
        return pd.read_csv(fh, compression="gzip", dtype={"city_code": str, "province_code": str})


@cache
def _city_master() -> pd.DataFrame:
    return _data_file("city_master", "city_master.csv.gz")


@cache
def provinces() -> pd.DataFrame:
    """The 31 mainland provinces, indexed by code.

    Columns: ``name`` (full Chinese), ``short``, ``name_en``, ``macro_region`` (key of
    :data:`MACRO_REGIONS`), ``macro_region_zh``, ``macro_region_en``, ``capital``, ``lon``, ``lat``
    (capital government seat, WGS84).

    Examples
    --------
    >>> provinces().loc[360000, ["short", "name_en", "macro_region"]].tolist()
    ['江西', 'Jiangxi', 'central']
    >>> provinces().macro_region.value_counts().to_dict()
    {'west': 12, 'east': 10, 'central': 6, 'northeast': 3}
    """
    frame = pd.DataFrame(_PROVINCES, columns=["code", "name", "short", "name_en", "macro_region"])
    frame["macro_region_zh"] = frame.macro_region.map(lambda k: MACRO_REGIONS[k][0])
    frame["macro_region_en"] = frame.macro_region.map(lambda k: MACRO_REGIONS[k][1])
    master = _city_master().set_index("city_code")
    capitals = master.loc[[f"{c // 10000}0100" for c in frame.code]]
    frame["capital"] = capitals.city.to_numpy()
    frame["lon"] = capitals.seat_lon.to_numpy()
    frame["lat"] = capitals.seat_lat.to_numpy()
    return frame.set_index("code")


@cache
def cities() -> pd.DataFrame:
    """Prefecture-level units (2020 vintage), indexed by 6-digit code.

    Columns: ``name``, ``short``, ``province_code``, ``province``, ``admin_type``, ``lon``,
    ``lat`` (government seat; polygon centroid where the seat is unknown), ``entity_id``
    (prefecture-crosswalk id).
    """
    master = _city_master()
    frame = pd.DataFrame(
        {
            "code": master.city_code.astype(int),
            "name": master.city,
            "short": master.city.map(_short_city_name),
            "province_code": master.province_code.astype(int),
            "province": master.province,
            "admin_type": master.admin_type,
            "lon": master.seat_lon.fillna(master.centroid_lon),
            "lat": master.seat_lat.fillna(master.centroid_lat),
            "entity_id": master.cnur_entity_id,
        }
    )
    return frame.set_index("code")


def _short_city_name(name: str) -> str:
    for suffix in _CITY_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def check_level(level: object) -> Level:
    """Return ``level`` if the registry holds it, else raise naming the supported levels.

    >>> check_level("city")
    'city'
    >>> check_level("county")
    Traceback (most recent call last):
    ...
    nqpf.errors.DataValidationError: level 'county' is not supported; use one of ...
    """
    if level not in LEVELS:
        raise DataValidationError(f"level {level!r} is not supported; use one of {LEVELS}")
    return level


def _clean(value: object) -> str:
    return _SPACE.sub("", str(value)).strip()


@cache
def _lookup(level: Level) -> dict[str, int]:
    """Exact-match table: every accepted spelling → code."""
    table: dict[str, int] = {}
    if level == "province":
        for code, row in provinces().iterrows():
            for key in (str(code), row["name"], row["short"], _clean(row["name_en"]).lower()):
                table[key] = int(code)
    else:
        for code, row in cities().iterrows():
            for key in (str(code), row["name"], row["short"]):
                table.setdefault(key, int(code))
        # the everyday names of autonomous prefectures (大理, 大理州), unless a province or
        # another city is called so (海南 stays the province)
        taken = set(table) | set(provinces().short)
        for code, name in cities()["name"].items():
            place = _prefecture_place(str(name))
            for key in (place, f"{place}州") if place else ():
                if key not in taken:
                    table[key] = int(code)
    return table


def _province_prefixed(key: str) -> int | None:
    """The city of ``云南大理``-style names: a province's short name, then a city in it."""
    for short, province in sorted(
        zip(provinces().short, provinces().index, strict=True), key=lambda p: -len(p[0])
    ):
        rest = key.removeprefix(str(short))
        if rest != key and rest:
            code = _lookup("city").get(rest)
            if code is not None and code // 10000 * 10000 == int(province):
                return code
    return None


@cache
def _city_history() -> dict[str, tuple[int | None, str]]:
    """Former city names → (current code or None if abolished, explanation)."""
    entities = _data_file("prefecture_crosswalk", "entity_master_v4.csv.gz")
    by_entity = cities().reset_index().set_index("entity_id")
    current = _lookup("city")
    out: dict[str, tuple[int | None, str]] = {}
    for row in entities.itertuples(index=False):
        spans = [s.strip() for s in str(row.name_history_year_end).split(";")]
        code = (
            int(by_entity.loc[row.entity_id, "code"]) if row.entity_id in by_entity.index else None
        )
        for span in spans:
            years, _, name = span.partition(" ")
            if not name or name.startswith("[") or name in current:
                continue
            if code is not None:
                note = f"{name} ({years}) is now {cities().loc[code, 'name']}"
            else:
                successor = (
                    f"; {row.successor_summary}" if isinstance(row.successor_summary, str) else ""
                )
                note = f"{name} existed {years} and was abolished{successor}"
            for key in {name, _short_city_name(name)}:
                out.setdefault(key, (code, note))
    return out


def _candidates(value: str, level: Level) -> list[str]:
    names = provinces() if level == "province" else cities()
    pool = list(names.short) + list(names.name)
    lookalike = "".join(_LOOKALIKES.get(ch, ch) for ch in value)
    first = [lookalike] if lookalike != value and lookalike in pool else []
    close = difflib.get_close_matches(value, pool, n=4, cutoff=0.5)
    return list(dict.fromkeys(first + close))


def normalize(
    names: Iterable[object] | str,
    level: Level = "province",
    *,
    aliases: Mapping[str, str] | None = None,
    where: str | None = None,
    report: ValidationReport | None = None,
) -> list[int]:
    """Turn region names or codes into 6-digit codes.

    Accepted spellings: the code (``110000`` or ``"110000"``), the full Chinese name (``上海市``),
    the short name (``上海``), the English name (provinces, any case), with any whitespace
    removed (``上   海``). Cities also accept the everyday name of an autonomous prefecture
    (``大理``, ``大理州``), former names of the same entity (``襄樊`` → 襄阳市) and a province's
    name in front (``云南大理``, ``吉林吉林``); the last two are recorded in ``report``.

    Parameters
    ----------
    names
        One name or an iterable of names.
    level
        ``"province"`` or ``"city"``.
    aliases
        Explicit extra spellings, e.g. ``{"江两": "江西"}``; each use is recorded in ``report``.
    where
        Where the names come from (``"table RDPatentAccept"``), used in error messages.
    report
        A :class:`~nqpf.validation.ValidationReport` that receives every alias applied.

    Raises
    ------
    UnknownRegionError
        For a name that matches nothing, with the closest candidates.
    DataValidationError
        For a level other than ``"province"`` or ``"city"``.

    Examples
    --------
    >>> normalize(["上   海", "Jiangxi", "内蒙古自治区", 110000])
    [310000, 360000, 150000, 110000]
    >>> normalize(["大理", "恩施州", "云南大理", "吉林吉林"], "city")
    [532900, 422800, 532900, 220200]
    >>> normalize(["江两"])
    Traceback (most recent call last):
    ...
    nqpf.errors.UnknownRegionError: '江两' is not a known province; did you mean '江西' or ...?
    >>> normalize(["江两"], aliases={"江两": "江西"})
    [360000]
    """
    level = check_level(level)
    if isinstance(names, str):
        names = [names]
    lookup = _lookup(level)
    alias_map = {_clean(k): _clean(v) for k, v in (aliases or {}).items()}
    codes: list[int] = []
    for position, raw in enumerate(names):
        key = _clean(raw)
        if key.endswith(".0") and key[:-2].isdigit():
            key = key[:-2]
        code = lookup.get(key) or lookup.get(key.lower())
        if code is None and key in alias_map:
            target = alias_map[key]
            code = lookup.get(target) or lookup.get(target.lower())
            if code is None:
                raise UnknownRegionError(target, level, _candidates(target, level), "alias target")
            if report is not None:
                report.add(
                    "alias",
                    "repaired",
                    f"{raw!r} read as {target!r} (user alias)",
                    source=where,
                    region=str(code),
                    original=raw,
                    repaired=target,
                )
        if code is None and level == "city":
            code = _from_history(key, raw, where, report)
        if code is None and level == "city":
            code = _province_prefixed(key)
            if code is not None and report is not None:
                report.add(
                    "name",
                    "repaired",
                    f"{raw!r} read as {cities().at[code, 'name']} (province name in front)",
                    source=where,
                    region=str(code),
                    original=raw,
                    repaired=str(cities().at[code, "name"]),
                )
        if code is None:
            place = where if where else None
            if isinstance(names, pd.Series | pd.Index) and place is None:
                place = f"position {position}"
            raise UnknownRegionError(raw, level, _candidates(key, level), place)
        codes.append(code)
    return codes


def spelling_repair(value: object, level: Level = "province") -> str | None:
    """How a region name differs from the registry's usual spelling, or None if it does not.

    The usual spellings are the code and the short name (provinces: ``上海``), and for cities the
    full name too (``深圳市``). Anything else that :func:`normalize` accepts is a repair worth
    listing: whitespace inside or around the name, the full name of a province, the English
    name. Aliases and former city names are reported by :func:`normalize` itself.

    >>> [spelling_repair(v) for v in ("上海", 310000, "上  海", "内蒙古自治区", "Guangdong")]
    [None, None, 'whitespace removed', 'full name', 'English name']
    """
    level = check_level(level)
    text = str(value)
    key = _clean(text)
    if key.endswith(".0") and key[:-2].isdigit():
        key = key[:-2]
    if key.isdigit():
        return None
    table = provinces() if level == "province" else cities()
    reasons = ["whitespace removed"] if key != text else []
    if key in set(table.short) or (level == "city" and key in set(table.name)):
        pass
    elif key in set(table.name):
        reasons.append("full name")
    elif level == "province" and key.lower() in {_clean(n).lower() for n in table.name_en}:
        reasons.append("English name")
    return ", ".join(reasons) or None


def _from_history(
    key: str, raw: object, where: str | None, report: ValidationReport | None
) -> int | None:
    hit = _city_history().get(key)
    if hit is None:
        return None
    code, note = hit
    if code is None:
        raise UnknownRegionError(raw, "city", [note], where)
    if report is not None:
        report.add(
            "renamed",
            "repaired",
            note,
            source=where,
            region=str(code),
            original=raw,
            repaired=cities().loc[code, "name"],
        )
    return code


def name_of(code: int, lang: Literal["zh", "en", "short"] = "zh", level: Level = "province") -> str:
    """Name of a region code: full Chinese (``"zh"``), short Chinese or English.

    >>> name_of(440000, "en"), name_of(440000, "short"), name_of(440300, level="city")
    ('Guangdong', '广东', '深圳市')
    """
    table = provinces() if level == "province" else cities()
    column = {"zh": "name", "short": "short", "en": "name_en"}[lang]
    if column not in table:
        column = "name"
    try:
        return str(table.loc[int(code), column])
    except KeyError:
        raise UnknownRegionError(code, level, [], None) from None


def macro_region(codes: Iterable[int], lang: Literal["key", "zh", "en"] = "key") -> list[str]:
    """NBS macro-region of each province code (cities map through their province).

    >>> macro_region([110000, 140000, 230000, 650000], "en")
    ['East', 'Central', 'Northeast', 'West']
    """
    table = provinces()
    out = []
    for code in codes:
        province = int(code) // 10000 * 10000
        if province not in table.index:
            raise UnknownRegionError(code, "province", [], None)
        key = str(table.loc[province, "macro_region"])
        out.append(key if lang == "key" else MACRO_REGIONS[key][0 if lang == "zh" else 1])
    return out
