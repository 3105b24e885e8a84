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
                direction: 1       # or -1; also +, -, positive/negative, benefit/cost, 正向/负向
                unit: 人年
                definition: ...

Names in formulas: a formula names panel variables, which for a user's table are its headers
without a unit in brackets (``研发经费（万元）`` → ``研发经费``). A name that is not a Python
identifier goes in backticks inside a formula (``100 * `R&D人员` / GDP``); in YAML, quote a formula
that starts with a backtick (``"`R&D人员` / GDP"``). A formula that is exactly one variable name
(``R&D人员``) needs neither.

Directions are resolved to +1/-1 here, once, when the system is read; the rest of
:mod:`nqpf.index` receives the resolved numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from nqpf.errors import IndexSystemError
from nqpf.index._checks import DIRECTION_WORDS, direction_sign

__all__ = ["Indicator", "IndexSystem", "builtin_systems", "load_system"]


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

    Raises
    ------
    IndexSystemError
        Unknown name, malformed YAML, missing fields, duplicate indicators, bad directions.

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
        text = (files("nqpf.index") / "systems" / f"{system}.yaml").read_text(encoding="utf-8")
        where = f"built-in system {system!r}"
    elif path.is_file():
        text = path.read_text(encoding="utf-8")
        where = str(path)
    else:
        raise IndexSystemError(
            f"index system {str(system)!r} is neither a file nor a built-in system "
            f"({', '.join(builtin_systems())})"
        )
    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise IndexSystemError(f"{where}: invalid YAML: {exc}") from None
    if not isinstance(spec, dict):
        raise IndexSystemError(f"{where}: expected a mapping at the top level")
    return _parse(spec, where)


def _require(spec: dict[str, Any], key: str, where: str) -> Any:
    if key not in spec or spec[key] in (None, ""):
        raise IndexSystemError(f"{where}: missing required field {key!r}")
    return spec[key]


def _parse(spec: dict[str, Any], where: str) -> IndexSystem:
    name = str(_require(spec, "name", where))
    indicators: list[Indicator] = []
    dim_labels: dict[str, tuple[str, str]] = {}
    sub_labels: dict[str, tuple[str, str]] = {}
    for dim in _require(spec, "dimensions", where):
        dname = str(_require(dim, "name", f"{where}: dimension"))
        dim_labels[dname] = (str(dim.get("label_zh", dname)), str(dim.get("label_en", dname)))
        subs = dim.get("subdimensions") or [{"name": dname, "indicators": dim.get("indicators")}]
        for sub in subs:
            sname = str(_require(sub, "name", f"{where}: dimension {dname!r}"))
            sub_labels[sname] = (str(sub.get("label_zh", sname)), str(sub.get("label_en", sname)))
            for ind in _require(sub, "indicators", f"{where}: sub-dimension {sname!r}"):
                indicators.append(_indicator(ind, dname, sname, where))
    names = [i.name for i in indicators]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        raise IndexSystemError(f"{where}: indicator names used twice: {dups}")
    if len(indicators) < 2:
        raise IndexSystemError(f"{where}: an index needs at least two indicators")
    years = spec.get("years")
    if years is not None and (len(years) != 2 or int(years[0]) > int(years[1])):
        raise IndexSystemError(f"{where}: 'years' must be [first, last], got {years!r}")
    return IndexSystem(
        name=name,
        title_zh=str(spec.get("title_zh", name)),
        title_en=str(spec.get("title_en", name)),
        level=str(spec.get("level", "province")),
        indicators=tuple(indicators),
        dimension_labels=dim_labels,
        subdimension_labels=sub_labels,
        years=(int(years[0]), int(years[1])) if years is not None else None,
        interpolate=tuple(spec.get("interpolate") or ()),
    )


def _indicator(ind: dict[str, Any], dim: str, sub: str, where: str) -> Indicator:
    name = str(_require(ind, "name", f"{where}: sub-dimension {sub!r}"))
    here = f"{where}: indicator {name!r}"
    direction = ind.get("direction", 1)
    sign = direction_sign(direction)
    if sign is None:
        raise IndexSystemError(
            f"{here}: direction must be 1 or -1 (or one of {sorted(DIRECTION_WORDS)}), "
            f"got {direction!r}"
        )
    return Indicator(
        name=name,
        label_zh=str(ind.get("label_zh", name)),
        label_en=str(ind.get("label_en", name)),
        formula=str(ind.get("formula", name)),
        direction=sign,
        unit=str(ind.get("unit", "")),
        definition=str(ind.get("definition", "")),
        dimension=dim,
        subdimension=sub,
    )
