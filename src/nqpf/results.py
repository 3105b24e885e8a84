"""The results contract shared by every analysis.

Every analysis returns a frozen dataclass deriving from :class:`Result`. It offers

- ``to_frame()``: a tidy pandas DataFrame;
- ``summary()``: a :class:`Summary` that prints as text and renders as HTML in notebooks;
- ``to_dict()``: plain JSON-serialisable data for the CLI and the dashboard;
- ``meta``: method, parameters, n, seed and package version.

Hypothesis tests of every family share one result type, :class:`TestResult`, which also
states when a test is not applicable and why.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np
import pandas as pd

from nqpf.errors import DataValidationError

__all__ = ["Result", "Summary", "TestResult", "frame_of_tests", "make_meta"]


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


#: Columns of :meth:`TestResult.to_frame` and :func:`frame_of_tests`.
TEST_COLUMNS = (
    "test",
    "statistic",
    "df",
    "df_denom",
    "p_value",
    "distribution",
    "null",
    "alternative",
    "note",
)


@dataclass(frozen=True)
class TestResult(Result):
    """The outcome of one hypothesis test, or why it could not be computed.

    Attributes
    ----------
    name
        Short identifier (``"lm_lag"``, ``"hausman"``, ``"LR"``...).
    statistic, p_value
        Test statistic and its p-value (NaN when not applicable).
    df
        Degrees of freedom of the reference distribution: ``(k,)`` for χ²(k) or t(k),
        ``(k1, k2)`` for F(k1, k2); ``None`` when it has none.
    distribution
        Label of the reference distribution, e.g. ``"chi2(1)"``.
    null, alternative
        The hypotheses in words.
    note
        Anything the reader must know (e.g. a generalised inverse was used).
    reason
        Why the test is not applicable; ``None`` when it is (see :meth:`not_applicable`).

    Examples
    --------
    >>> t = TestResult("lr", statistic=4.0, df=(1,), p_value=0.0455, distribution="chi2(1)",
    ...                null="θ = 0")
    >>> t.applicable, t.conclusion()
    (True, 'reject H0 at the 5 % level (p = 0.0455)')
    >>> na = TestResult.not_applicable("hausman", "the model has time effects only")
    >>> na.applicable, na.conclusion()
    (False, 'not applicable: the model has time effects only')
    """

    __test__ = False  # not a pytest test class

    name: str
    statistic: float = math.nan
    df: tuple[float, ...] | None = None
    p_value: float = math.nan
    distribution: str = ""
    null: str = ""
    alternative: str = ""
    note: str = ""
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.df is not None and not 1 <= len(self.df) <= 2:
            raise DataValidationError(
                f"test {self.name!r}: df must hold one or two degrees of freedom, got {self.df!r}"
            )
        if not self.meta:
            object.__setattr__(self, "meta", make_meta(self.name))

    @classmethod
    def not_applicable(
        cls, name: str, reason: str, *, null: str = "", meta: dict[str, Any] | None = None
    ) -> TestResult:
        """A test that cannot be computed here, carrying the reason."""
        return cls(name, null=null, reason=reason, meta=meta or {})

    @property
    def applicable(self) -> bool:
        """Whether the test was computed (``False`` with a :attr:`reason`)."""
        return self.reason is None

    def conclusion(self, alpha: float = 0.05) -> str:
        """The decision at level ``alpha`` in words ("reject H0 ..." or "do not reject H0 ...")."""
        if not 0 < alpha < 1:
            raise DataValidationError(f"alpha must be between 0 and 1, got {alpha!r}")
        if not self.applicable:
            return f"not applicable: {self.reason}"
        if not math.isfinite(self.p_value):
            return "no decision: the p-value is undefined"
        verb = "reject H0" if self.p_value < alpha else "do not reject H0"
        return f"{verb} at the {alpha * 100:g} % level (p = {self.p_value:.4f})"

    def _row(self) -> dict[str, Any]:
        df = self.df or ()
        note = (
            self.note
            if self.applicable
            else "; ".join(filter(None, [f"not applicable: {self.reason}", self.note]))
        )
        return {
            "test": self.name,
            "statistic": self.statistic,
            "df": df[0] if df else math.nan,
            "df_denom": df[1] if len(df) > 1 else math.nan,
            "p_value": self.p_value,
            "distribution": self.distribution or None,
            "null": self.null or None,
            "alternative": self.alternative or None,
            "note": note,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row with the columns of :data:`TEST_COLUMNS`.

        An empty distribution or hypothesis is a missing value; a test that is not applicable
        has NaN numbers and its reason in ``note``.
        """
        return frame_of_tests([self])

    def summary(self) -> Summary:
        """Statistic, degrees of freedom and p-value, with the hypotheses and the decision."""
        if self.applicable:
            df = ", ".join(f"{d:g}" for d in self.df) if self.df else "–"
            values = [_fmt(self.statistic), df, _fmt(self.p_value), self.distribution or "–"]
        else:
            values = ["–", "–", "–", "–"]
        table = pd.DataFrame(
            {"值 Value": values},
            index=["统计量 Statistic", "自由度 df", "p值 p-value", "分布 Distribution"],
        )
        notes = [f"H0: {self.null}"] if self.null else []
        notes += [f"H1: {self.alternative}"] if self.alternative else []
        notes += [self.conclusion()] + ([self.note] if self.note else [])
        return Summary(f"检验 Test: {self.name}", (("", table),), notes=tuple(notes))

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form: ``meta`` and the fields (``df`` a list, NaN → ``None``)."""
        fields = {
            "name": self.name,
            "statistic": self.statistic,
            "df": list(self.df) if self.df is not None else None,
            "p_value": self.p_value,
            "distribution": self.distribution,
            "null": self.null,
            "alternative": self.alternative,
            "note": self.note,
            "applicable": self.applicable,
            "reason": self.reason,
        }
        return {"meta": _plain(self.meta), **_plain(fields)}


def frame_of_tests(tests: Mapping[str, TestResult] | Iterable[TestResult]) -> pd.DataFrame:
    """One row per test (columns :data:`TEST_COLUMNS`); of a mapping, its values.

    Examples
    --------
    >>> tests = [TestResult("a", 1.0, (2,), 0.61), TestResult.not_applicable("b", "n < 3")]
    >>> frame_of_tests(tests)[["test", "statistic", "df", "p_value", "note"]]
      test  statistic   df  p_value                   note
    0    a        1.0  2.0     0.61
    1    b        NaN  NaN      NaN  not applicable: n < 3
    """
    items = tests.values() if isinstance(tests, Mapping) else tests
    return pd.DataFrame([t._row() for t in items], columns=list(TEST_COLUMNS))
