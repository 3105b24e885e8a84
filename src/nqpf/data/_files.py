"""Reading the bundled files (cached; callers receive copies)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import pandas as pd

__all__ = ["bundled", "meta_table", "raw_table"]


def bundled(dataset: str, name: str):  # noqa: ANN201 - importlib Traversable
    """Path-like handle of a bundled file ``data/files/<dataset>/<name>``."""
    return files("nqpf.data") / "files" / dataset / name


@cache
def _raw(dataset: str, name: str, as_text: bool) -> pd.DataFrame:
    with bundled(dataset, name).open("rb") as fh:
        if as_text:
            return pd.read_csv(fh, compression="gzip", dtype=str, keep_default_na=False)
        return pd.read_csv(fh, compression="gzip")


def raw_table(dataset: str, name: str, *, as_text: bool = False) -> pd.DataFrame:
    """Read a bundled gzipped CSV as published (returns a copy of the cached frame).

    With ``as_text=True`` every cell is read as a string and empty cells stay ``""``, so that
    blanks can be told from text and reported.
    """
    return _raw(dataset, name, as_text).copy()


@cache
def _meta(name: str) -> pd.DataFrame:
    with bundled("meta", name).open("rb") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def meta_table(name: str) -> pd.DataFrame:
    """One of the metadata tables in ``data/files/meta`` (all cells as strings; a copy)."""
    return _meta(name).copy()
