"""The workbench's index-system form: a system as an editable table and back as a YAML mapping.

Pure functions, no Shiny: :func:`system_table` lists the indicators with their direction,
dimension and an ``include`` flag; :func:`edited_spec` turns the edited table back into a
mapping in the format of ``docs/index-system.md``, which :func:`~nqpf.index.load_system` checks
and :func:`system_yaml` writes with ``yaml.safe_dump``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import yaml

from nqpf.errors import IndexSystemError
from nqpf.index.system import IndexSystem, formula_names

__all__ = ["edited_spec", "system_table", "system_yaml"]

#: Columns of the form, in order.
COLUMNS = ["name", "label_zh", "label_en", "direction", "dimension", "include"]


def system_table(system: IndexSystem) -> pd.DataFrame:
    """One row per indicator: name, labels, direction (+1 / −1), dimension, include (True).

    Examples
    --------
    >>> from nqpf.index import load_system
    >>> table = system_table(load_system("nqpf-province"))
    >>> list(table.columns)
    ['name', 'label_zh', 'label_en', 'direction', 'dimension', 'include']
    >>> table.loc[0, "name"], table.loc[0, "dimension"]
    ('rd_personnel', 'labourers')
    """
    frame = system.to_frame()
    frame["include"] = True
    return frame[COLUMNS].reset_index(drop=True)


def edited_spec(system: IndexSystem, table: pd.DataFrame) -> dict[str, Any]:
    """The mapping of ``system`` with the rows of ``table`` (from :func:`system_table`) applied.

    Excluded indicators are left out (with the ``interpolate`` entries only they used); a
    changed direction is written as +1 / −1; an indicator moved to another dimension goes
    straight under it (an unknown dimension name makes a new dimension, labelled with its
    name), one that stays keeps its sub-dimension. Dimensions keep the system's order, new ones
    follow in the table's order.

    Raises
    ------
    IndexSystemError
        A direction other than ±1, an empty dimension name, or fewer than two indicators left.
    """
    rows = table.set_index("name")
    kept = [i for i in system.indicators if bool(rows.at[i.name, "include"])]
    if len(kept) < 2:
        raise IndexSystemError(
            f"{len(kept)} indicator(s) included in {system.name!r}: an index needs at least two"
        )
    labels = dict(system.dimension_labels)
    # dimension → sub-dimension → indicator mappings, in insertion order
    tree: dict[str, dict[str, list[dict[str, Any]]]] = {d: {} for d in labels}
    for ind in kept:
        direction = int(rows.at[ind.name, "direction"])
        dimension = str(rows.at[ind.name, "dimension"]).strip()
        if direction not in (1, -1):
            raise IndexSystemError(
                f"indicator {ind.name!r}: direction must be 1 or -1, got {direction}"
            )
        if not dimension:
            raise IndexSystemError(f"indicator {ind.name!r}: the dimension name is empty")
        labels.setdefault(dimension, (dimension, dimension))
        sub = ind.subdimension if dimension == ind.dimension else dimension
        entry = {
            "name": ind.name,
            "label_zh": ind.label_zh,
            "label_en": ind.label_en,
            "formula": ind.formula,
            "direction": direction,
            "unit": ind.unit,
            "definition": ind.definition,
        }
        tree.setdefault(dimension, {}).setdefault(sub, []).append(entry)
    dimensions = []
    for name, subs in tree.items():
        if not subs:
            continue
        block: dict[str, Any] = {
            "name": name,
            "label_zh": labels[name][0],
            "label_en": labels[name][1],
        }
        if list(subs) == [name]:
            block["indicators"] = subs[name]
        else:
            block["subdimensions"] = [
                {
                    "name": sub,
                    "label_zh": system.subdimension_labels.get(sub, labels[name])[0],
                    "label_en": system.subdimension_labels.get(sub, labels[name])[1],
                    "indicators": entries,
                }
                for sub, entries in subs.items()
            ]
        dimensions.append(block)
    used = set().union(*(formula_names(i.formula) for i in kept))
    spec: dict[str, Any] = {
        "name": system.name,
        "title_zh": system.title_zh,
        "title_en": system.title_en,
        "level": system.level,
    }
    if system.years is not None:
        spec["years"] = list(system.years)
    interpolate = [v for v in system.interpolate if v in used]
    if interpolate:
        spec["interpolate"] = interpolate
    spec["dimensions"] = dimensions
    return spec


def system_yaml(spec: dict[str, Any]) -> str:
    """``spec`` as YAML text (``yaml.safe_dump``, Chinese kept readable, keys in order)."""
    return yaml.safe_dump(spec, allow_unicode=True, sort_keys=False, width=100)
