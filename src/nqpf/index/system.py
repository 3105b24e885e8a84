"""Index systems: dimensions → sub-dimensions → indicators, read from YAML.

An index system names, for every indicator, a formula over panel variables, a direction (+1 benefit,
−1 cost), a unit and a definition, with Chinese and English labels. Built-in systems live in
``nqpf/index/systems/*.yaml``; users pass their own file.

YAML layout::

    name: my-system
    title_zh: 新质生产力指数
    title_en: NQPF index
    level: province            # or city
    years: [2011, 2022]        # optional first and last year
    interpolate: [var_a]       # optional: panel variables whose interior gaps are filled linearly
    dimensions:
      - name: labourers
        label_zh: 劳动者
        label_en: Labourers
        subdimensions:
          - name: talent
            label_zh: 创新人才
            label_en: Innovation talent
            indicators:
              - name: rd_fte
                label_zh: R&D人员全时当量
                label_en: R&D personnel (full-time equivalent)
                formula: rd_fte    # or "`R&D人员` / GDP": see "Names in formulas" below
                direction: 1       # required: 1 or -1 (also +/-, benefit/cost, 正向/负向)
                unit: 人年
                definition: ...

Names in formulas: a formula names panel variables, which for a user's table are its headers
without a unit in brackets (``研发经费（万元）`` → ``研发经费``). A name that is not a Python
identifier goes in backticks inside a formula (``100 * `R&D人员` / GDP``); in YAML, quote a formula
that starts with a backtick (``"`R&D人员` / GDP"``). A formula that is exactly one variable name
(``R&D人员``) needs neither.

Every block is checked against :data:`SCHEMA` (unknown keys are errors naming the nearest valid
key; ``direction`` has no default). Directions are resolved to +1/-1 here, once, when the system is
read; the rest of :mod:`nqpf.index` receives the resolved numbers.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from nqpf.errors import IndexSystemError
from nqpf.index._checks import DIRECTION_WORDS, direction_sign

__all__ = [
    "LEVELS",
    "MAX_SYSTEM_BYTES",
    "SCHEMA",
    "Indicator",
    "IndexSystem",
    "builtin_systems",
    "formula_names",
    "load_system",
]


@dataclass(frozen=True)
class Indicator:
    """One indicator of an index system; ``direction`` is the resolved +1 (benefit) or -1 (cost)."""

    name: str
    label_zh: str
    label_en: str
    formula: str
    direction: int
    unit: str
    definition: str
    dimension: str
    subdimension: str


@dataclass(frozen=True)
class IndexSystem:
    """A validated index system."""

    name: str
    title_zh: str
    title_en: str
    level: str
    indicators: tuple[Indicator, ...]
    dimension_labels: dict[str, tuple[str, str]]
    subdimension_labels: dict[str, tuple[str, str]]
    years: tuple[int, int] | None = None
    interpolate: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        """Indicator names in system order."""
        return [i.name for i in self.indicators]

    @property
    def directions(self) -> pd.Series:
        """Resolved direction per indicator (+1 benefit, -1 cost), in system order."""
        return pd.Series([i.direction for i in self.indicators], index=self.names, dtype=int)

    @property
    def dimensions(self) -> pd.Series:
        """Dimension name per indicator, in system order."""
        return pd.Series([i.dimension for i in self.indicators], index=self.names, dtype=object)

    def to_frame(self) -> pd.DataFrame:
        """One row per indicator: dimension, sub-dimension, labels, formula, direction."""
        frame = pd.DataFrame([i.__dict__ for i in self.indicators])
        frame["dimension_zh"] = frame.dimension.map(lambda d: self.dimension_labels[d][0])
        frame["dimension_en"] = frame.dimension.map(lambda d: self.dimension_labels[d][1])
        frame["subdimension_zh"] = frame.subdimension.map(lambda d: self.subdimension_labels[d][0])
        frame["subdimension_en"] = frame.subdimension.map(lambda d: self.subdimension_labels[d][1])
        return frame


def builtin_systems() -> list[str]:
    """Names of the index systems shipped with nqpf."""
    folder = files("nqpf.index") / "systems"
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def load_system(system: str | Path | dict[str, Any] | IndexSystem) -> IndexSystem:
    """Load an index system from a built-in name, a YAML path or a mapping.

    A file is read as UTF-8 (with or without a byte-order mark) or GB18030, up to
    :data:`MAX_SYSTEM_BYTES`, by a YAML loader that refuses anchors, aliases and duplicate keys;
    the mapping is then checked against :data:`SCHEMA` (see ``docs/index-system.md``).

    Raises
    ------
    IndexSystemError
        Unknown name, a binary, oversized or malformed file, an unknown or missing key (with the
        nearest valid key), an empty dimension, a bad direction, level, ``years`` or
        ``interpolate`` entry, duplicate indicators.

    Examples
    --------
    >>> system = load_system("nqpf-province")
    >>> sorted(set(system.dimensions))
    ['labourers', 'means_of_labour', 'objects_of_labour']
    """
    if isinstance(system, IndexSystem):
        return system
    if isinstance(system, dict):
        return _parse(system, "<dict>")
    path = Path(system)
    if not path.suffix and str(system) in builtin_systems():
        data = (files("nqpf.index") / "systems" / f"{system}.yaml").read_bytes()
        where = f"built-in system {system!r}"
    elif path.is_file():
        where = str(path)
        size = path.stat().st_size
        if size > MAX_SYSTEM_BYTES:
            raise IndexSystemError(
                f"{where}: {size:,} bytes is more than an index system may hold "
                f"({MAX_SYSTEM_BYTES:,} bytes)"
            )
        data = path.read_bytes()
    else:
        raise IndexSystemError(
            f"index system {str(system)!r} is neither a file nor a built-in system "
            f"({', '.join(builtin_systems())})"
        )
    spec = _load_yaml(_decode(data, where), where)
    if not isinstance(spec, dict):
        raise IndexSystemError(f"{where}: expected a mapping (name:, dimensions:, ...) at the top")
    return _parse(spec, where)


# ---------------------------------------------------------------------- reading the file
MAX_SYSTEM_BYTES = 1_000_000
"""Largest index-system file accepted (bytes); the built-in system of 14 indicators takes 8 KB."""

_MAX_DEPTH = 20  # nesting of YAML nodes; a system needs 8


def _decode(data: bytes, where: str) -> str:
    """Text of a YAML file in UTF-8 (optional byte-order mark) or GB18030, like the table reader."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not any(c < " " and c not in "\t\n\r" for c in text):
            return text
        break
    raise IndexSystemError(
        f"{where}: not a text file (binary content, or an encoding other than UTF-8 and GB18030)"
    )


class _StrictLoader(yaml.SafeLoader):
    """A ``yaml.SafeLoader`` that refuses anchors, aliases, deep nesting and repeated keys."""

    where = "<yaml>"
    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise IndexSystemError(
                f"{self.where}, line {event.start_mark.line + 1}: YAML anchors and aliases "
                f"(&{event.anchor}, *{event.anchor}) are not accepted in an index system; "
                "write each value out"
            )
        self.depth += 1
        try:
            if self.depth > _MAX_DEPTH:
                raise IndexSystemError(
                    f"{self.where}, line {event.start_mark.line + 1}: nested deeper than "
                    f"{_MAX_DEPTH} levels"
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    raise IndexSystemError(
                        f"{self.where}, line {key.start_mark.line + 1}: key {key.value!r} "
                        "given twice in the same block"
                    )
                seen.add(key.value)
        return super().construct_mapping(node, deep=deep)


def _load_yaml(text: str, where: str) -> Any:
    loader = _StrictLoader(text)
    loader.where = where
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        raise IndexSystemError(f"{where}: invalid YAML: {exc}") from None
    finally:
        loader.dispose()


# ---------------------------------------------------------------------- the schema
_TEXT = (str, int, float)
"""Labels, units, definitions and names: text (a number is read as its text)."""

SCHEMA: dict[str, dict[str, tuple[tuple[type, ...], bool]]] = {
    "system": {
        "name": (_TEXT, True),
        "title_zh": (_TEXT, False),
        "title_en": (_TEXT, False),
        "level": ((str,), False),
        "years": ((list,), False),
        "interpolate": ((list,), False),
        "dimensions": ((list,), True),
    },
    "dimension": {
        "name": (_TEXT, True),
        "label_zh": (_TEXT, False),
        "label_en": (_TEXT, False),
        "subdimensions": ((list,), False),
        "indicators": ((list,), False),
    },
    "sub-dimension": {
        "name": (_TEXT, True),
        "label_zh": (_TEXT, False),
        "label_en": (_TEXT, False),
        "indicators": ((list,), True),
    },
    "indicator": {
        "name": (_TEXT, True),
        "label_zh": (_TEXT, False),
        "label_en": (_TEXT, False),
        "formula": (_TEXT, False),
        "direction": ((str, int, float, bool), True),  # checked by direction_sign
        "unit": (_TEXT, False),
        "definition": (_TEXT, False),
    },
}
"""Allowed keys of each block of a system: key → (accepted YAML types, required)."""

LEVELS = ("province", "city")

_TYPE_NAMES = {str: "text", int: "a number", float: "a number", bool: "true/false", list: "a list"}


def _checked(block: Any, kind: str, where: str) -> tuple[dict[str, Any], str]:
    """``block`` with its non-empty keys (all known, of the right type) and its location."""
    if not isinstance(block, dict):
        raise IndexSystemError(f"{where}: each {kind} must be a mapping (name: ...), got {block!r}")
    name = block.get("name")
    here = f"{where}, {kind} {str(name)!r}" if _filled(name) and kind != "system" else where
    schema = SCHEMA[kind]
    for key, value in block.items():
        if key not in schema:
            raise IndexSystemError(f"{here}: unknown key {key!r}; {_hint(key, schema)}")
        types, _ = schema[key]
        if _filled(value) and (
            not isinstance(value, types) or (isinstance(value, bool) and bool not in types)
        ):
            accepted = " or ".join(dict.fromkeys(_TYPE_NAMES[t] for t in types))
            raise IndexSystemError(f"{here}: {key!r} must be {accepted}, got {value!r}")
    for key, (_, required) in schema.items():
        if required and not _filled(block.get(key)):
            what = "missing or empty" if key in block else "missing"
            raise IndexSystemError(f"{here}: required key {key!r} is {what}")
    return {k: v for k, v in block.items() if _filled(v)}, here


def _filled(value: Any) -> bool:
    """False for an empty YAML value: nothing, ``""`` or ``[]``."""
    return not (value is None or (isinstance(value, str | list) and len(value) == 0))


def _hint(key: Any, schema: dict[str, Any]) -> str:
    close = difflib.get_close_matches(str(key), list(schema), n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    allowed = f"allowed keys: {', '.join(schema)}"
    if str(key).lower().startswith("weight"):
        return f"weights are chosen when the index is computed (weighting=, --weighting); {allowed}"
    return allowed


def _text(block: dict[str, Any], key: str, default: str) -> str:
    return str(block.get(key, default))


def _parse(spec: dict[str, Any], where: str) -> IndexSystem:
    spec, _ = _checked(spec, "system", where)
    name = _text(spec, "name", "")
    indicators: list[Indicator] = []
    dim_labels: dict[str, tuple[str, str]] = {}
    sub_labels: dict[str, tuple[str, str]] = {}
    for dim in spec["dimensions"]:
        dim, here = _checked(dim, "dimension", where)
        dname = _text(dim, "name", "")
        if "subdimensions" in dim and "indicators" in dim:
            raise IndexSystemError(f"{here}: give either 'subdimensions' or 'indicators', not both")
        if "subdimensions" not in dim and "indicators" not in dim:
            raise IndexSystemError(
                f"{here} has no indicators: list them under 'indicators' or 'subdimensions'"
            )
        dim_labels[dname] = (_text(dim, "label_zh", dname), _text(dim, "label_en", dname))
        if "indicators" in dim:
            dim_subs = [({"name": dname, "indicators": dim["indicators"]}, here)]
        else:
            dim_subs = [_checked(sub, "sub-dimension", here) for sub in dim["subdimensions"]]
        for sub, sub_here in dim_subs:
            sname = _text(sub, "name", "")
            sub_labels[sname] = (_text(sub, "label_zh", sname), _text(sub, "label_en", sname))
            for ind in sub["indicators"]:
                indicators.append(_indicator(ind, dname, sname, sub_here))
    names = [i.name for i in indicators]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        raise IndexSystemError(f"{where}: indicator names used twice: {dups}")
    if len(indicators) < 2:
        raise IndexSystemError(f"{where}: an index needs at least two indicators")
    level = spec.get("level", "province")
    if level not in LEVELS:
        close = difflib.get_close_matches(level, LEVELS, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise IndexSystemError(f"{where}: level must be one of {list(LEVELS)}, got {level!r}{hint}")
    return IndexSystem(
        name=name,
        title_zh=_text(spec, "title_zh", name),
        title_en=_text(spec, "title_en", name),
        level=level,
        indicators=tuple(indicators),
        dimension_labels=dim_labels,
        subdimension_labels=sub_labels,
        years=_years(spec.get("years"), where),
        interpolate=_interpolate(spec.get("interpolate") or [], indicators, where),
    )


def _years(years: list[Any] | None, where: str) -> tuple[int, int] | None:
    if years is None:
        return None
    ints = all(isinstance(y, int) and not isinstance(y, bool) for y in years)
    if len(years) != 2 or not ints or years[0] > years[1]:
        raise IndexSystemError(f"{where}: 'years' must be [first, last], got {years!r}")
    return int(years[0]), int(years[1])


_BACKTICK = re.compile(r"`([^`]+)`")
_WORD = re.compile(r"[^\W\d]\w*")


def formula_names(formula: str) -> set[str]:
    """Every name a formula may use: backtick names, identifiers, or the whole formula."""
    names = set(_BACKTICK.findall(formula)) | {formula.strip()}
    return names | set(_WORD.findall(_BACKTICK.sub(" ", formula)))


def _interpolate(entries: list[Any], indicators: list[Indicator], where: str) -> tuple[str, ...]:
    """The ``interpolate:`` entries, each a variable that some indicator's formula uses."""
    used = set().union(*(formula_names(i.formula) for i in indicators))
    for entry in entries:
        if not isinstance(entry, _TEXT) or isinstance(entry, bool) or str(entry) not in used:
            close = difflib.get_close_matches(str(entry), sorted(used), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise IndexSystemError(
                f"{where}: interpolate entry {entry!r} is not a variable used by the "
                f"formulas of the system{hint}"
            )
    return tuple(str(e) for e in entries)


def _indicator(ind: Any, dim: str, sub: str, where: str) -> Indicator:
    ind, here = _checked(ind, "indicator", where)
    name = _text(ind, "name", "")
    direction = ind["direction"]
    sign = direction_sign(direction)
    if sign is None:
        raise IndexSystemError(
            f"{here}: direction must be 1 or -1 (or one of {sorted(DIRECTION_WORDS)}), "
            f"got {direction!r}"
        )
    return Indicator(
        name=name,
        label_zh=_text(ind, "label_zh", name),
        label_en=_text(ind, "label_en", name),
        formula=_text(ind, "formula", name),
        direction=sign,
        unit=_text(ind, "unit", ""),
        definition=_text(ind, "definition", ""),
        dimension=dim,
        subdimension=sub,
    )
