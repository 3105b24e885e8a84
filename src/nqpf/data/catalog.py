"""The catalogue of bundled datasets, the variable dictionary and the corrections table.

All three live as small CSV files in ``nqpf/data/files/meta`` so that the facts (sources, commits,
licences, caveats, units, repairs) are kept in one place and can be read without Python.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from nqpf.data._files import bundled, meta_table

__all__ = ["catalog", "corrections", "variables"]


def catalog() -> pd.DataFrame:
    """One row per bundled dataset: what it is, where it comes from, and what to watch out for.

    Columns: ``name``, ``title``, ``level``, ``years``, ``units``, ``source`` (repository, path
    and commit), ``licence``, ``caveats``, ``provenance`` (the original publisher), ``loader``
    and ``files`` (the bundled file names).

    Where a source repository carries no licence file the licence reads
    ``"none stated — official statistics, attributed"`` (with the study to cite).

    Examples
    --------
    >>> table = catalog()
    >>> table.loc["cn_province_sci_tech", ["level", "licence"]].tolist()
    ['province', 'MIT']
    >>> "IMPUTED" in table.loc["prefecture_panel_gpi_components_2006_2018", "caveats"]
    True

    """
    meta = meta_table("datasets.csv")
    source = [
        ", ".join(p for p in (row.source_repository, row.source_path) if p)
        + (f" @ {row.commit}" if row.commit else "")
        for row in meta.itertuples(index=False)
    ]
    out = pd.DataFrame(
        {
            "name": meta.name,
            "title": meta.title,
            "level": meta.level,
            "years": meta.years,
            "units": meta.units,
            "source": source,
            "licence": meta.licence,
            "caveats": meta.caveats,
            "provenance": meta.original_provenance,
            "loader": meta.loader,
            "files": [_files_of(name) for name in meta.name],
        }
    )
    return out.set_index("name", drop=False).rename_axis(None)


def _files_of(dataset: str) -> str:
    folder = bundled(dataset, "")
    return ", ".join(sorted(p.name for p in folder.iterdir() if p.name.endswith(".csv.gz")))


def variables(
    level: Literal["province", "city"] | None = None, *, panel_only: bool = False
) -> pd.DataFrame:
    """Return the variable dictionary: stable snake_case names of every loaded indicator.

    Columns: ``name``, ``level``, ``dataset``, ``table``, ``code`` (as in the source),
    ``unit``, ``source_unit`` (as printed in the source), ``label_zh``, ``label_en``,
    ``definition`` and ``panel`` (True when :func:`nqpf.data.load_province_panel` carries it).
    Names are unique within a level.

    Parameters
    ----------
    level
        Keep only ``"province"`` or ``"city"`` variables.
    panel_only
        Keep only the variables of the combined province panel.

    Examples
    --------
    >>> table = variables("province").set_index("name")
    >>> table.loc["rd_exp", ["table", "code", "unit"]].tolist()
    ['RDActivity', 'v4_zh_nbzc_hj', '万元']
    >>> table.loc["techmarket_in_amount", "table"]
    'MarketPull'

    """
    table = meta_table("variables.csv")
    table["panel"] = table["panel"].map({"True": True, "False": False})
    if level is not None:
        table = table[table.level == level]
    if panel_only:
        table = table[table.panel]
    return table.reset_index(drop=True)


def corrections(dataset: str | None = None) -> pd.DataFrame:
    """Return the corrections table: every cell-level repair applied on load, with its reason.

    Columns: ``dataset``, ``table``, ``year``, ``column`` (``province`` or ``unit``), ``code``
    (the indicator code a unit correction applies to), ``original``, ``corrected``, ``kind``
    (``whitespace``, ``typo``, ``aggregate_typo``, ``unit``) and ``reason``.

    Examples
    --------
    >>> table = corrections("cn_province_sci_tech")
    >>> table[table.kind == "typo"].original.tolist()
    ['内蒙占', '江两', '江四', '浙汀', '四藏', '两藏', '山两']

    """
    table = meta_table("corrections.csv")
    if dataset is not None:
        table = table[table.dataset == dataset].reset_index(drop=True)
    return table
