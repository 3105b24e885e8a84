"""The results contract shared by every analysis.

Every analysis returns a frozen dataclass deriving from :class:`Result`. It offers

- ``to_frame()``: a tidy pandas DataFrame;
- ``summary()``: a :class:`Summary` that prints as text and renders as HTML in notebooks;
- ``to_dict()``: plain JSON-serialisable data for the CLI and the dashboard;
- ``meta``: method, parameters, n, seed and package version.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Result", "Summary", "make_meta"]


@cache
def _package_version() -> str:
    try:
        return version("nqpf")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


def make_meta(method: str, **parameters: Any) -> dict[str, Any]:
    """The ``meta`` mapping of a result: method name, parameters and nqpf version."""
    return {"method": method, **parameters, "nqpf_version": _package_version()}


@dataclass(frozen=True)
class Summary:
    """A titled set of tables that prints as text and renders as HTML."""

    title: str
    tables: tuple[tuple[str, pd.DataFrame], ...]
    notes: tuple[str, ...] = ()

    def as_text(self) -> str:
        """Plain-text rendering."""
        parts = [self.title, "=" * len(self.title)]
        for caption, table in self.tables:
            if caption:
                parts += ["", caption, "-" * len(caption)]
            parts.append(table.to_string(float_format=_fmt))
        parts += [""] + [f"Note: {n}" for n in self.notes] if self.notes else []
        return "\n".join(parts)

    def as_html(self) -> str:
        """HTML rendering (one ``<table>`` per part)."""
        parts = [f"<h3>{self.title}</h3>"]
        for caption, table in self.tables:
            if caption:
                parts.append(f"<h4>{caption}</h4>")
            parts.append(table.to_html(float_format=_fmt, border=0, classes="nqpf"))
        parts += [f"<p class='note'>{n}</p>" for n in self.notes]
        return "\n".join(parts)

    def __str__(self) -> str:
        return self.as_text()

    def _repr_html_(self) -> str:
        return self.as_html()


def _fmt(x: float) -> str:
    return f"{x:.4f}" if math.isfinite(x) and abs(x) < 1e6 else f"{x:.4g}"


@dataclass(frozen=True)
class Result:
    """Base class of analysis results (subclasses are frozen dataclasses)."""

    meta: dict[str, Any] = field(default_factory=dict, kw_only=True, repr=False, compare=False)

    def to_frame(self) -> pd.DataFrame:
        """Tidy long DataFrame of the result."""
        raise NotImplementedError

    def summary(self) -> Summary:
        """Readable tables of the result."""
        return Summary(type(self).__name__, (("", self.to_frame()),))

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form: ``meta`` plus the records of :meth:`to_frame`."""
        frame = self.to_frame()
        records = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
        return {"meta": _plain(self.meta), "data": _plain(records)}

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def _plain(obj: Any) -> Any:
    """Convert numpy scalars and containers to plain Python for JSON (non-finite → None)."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None  # JSON has no NaN or Infinity
    return obj
