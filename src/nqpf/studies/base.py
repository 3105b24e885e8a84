"""What every study result offers, and the register of studies that the main job runs.

A *study* orchestrates the analysis packages on one input (a composite-index result, a
:class:`~nqpf.panel.Panel` or a long table) and returns a :class:`StudyResult`. Its
:meth:`~StudyResult.tables` (name → DataFrame) and :meth:`~StudyResult.figures` (name →
:class:`FigureSpec`) are the single lists that the report, the command line's CSV writer and the
workbench loop over: a table or figure added there appears everywhere.

:data:`STUDIES` lists the studies of the main job (``nqpf report``) in report order. A new family
adds one :class:`Study` entry here and one section writer in :mod:`nqpf.report`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pandas as pd

from nqpf.results import Result

__all__ = ["FigureSpec", "MainJob", "Study", "StudyResult"]


@dataclass(frozen=True)
class FigureSpec:
    """A figure of a study: what to draw, from which data, with which caption.

    ``plot`` names a drawing function of the report layer (:data:`nqpf.report.PLOTS`), which
    receives ``data`` and ``options``; studies never import matplotlib.
    """

    caption: str
    plot: str
    data: Any
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StudyResult(Result):
    """Base class of study results: a :class:`~nqpf.results.Result` with tables and figures.

    Subclasses set :attr:`key` (``"disparity"``) and :attr:`title` (Chinese, English) and
    implement :meth:`tables` and :meth:`figures`.
    """

    key: ClassVar[str] = ""
    title: ClassVar[tuple[str, str]] = ("", "")

    def tables(self) -> dict[str, pd.DataFrame]:
        """The study's tables: name → tidy DataFrame (CSV files, workbook sheets)."""
        raise NotImplementedError

    def figures(self) -> dict[str, FigureSpec]:
        """The study's figures: name → :class:`FigureSpec`."""
        return {}


@dataclass
class MainJob:
    """The inputs and options of the main job, and what its studies gave.

    ``results`` holds the studies run so far; ``skipped`` the studies that could not run on
    these data (key → reason); ``seconds`` the wall-clock seconds of each study run (key →
    seconds, skipped studies included).
    """

    panel: Any
    system: Any = "nqpf-province"
    weighting: str = "entropy"
    aggregation: str = "linear"
    runs: int = 1000
    seed: int = 0
    progress: Callable[[str, int], Callable[[int, int], None] | None] | None = None
    results: dict[str, StudyResult] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def index(self) -> Any:
        """The composite-index result (the ``index`` study runs first)."""
        return self.results["index"].index  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Study:
    """One entry of the main job.

    A key, a bilingual progress label, how to run it, and what to do when it cannot run on a
    user's data (``hint``, added to the reason it was skipped).
    """

    key: str
    label: str
    run: Callable[[MainJob], StudyResult]
    hint: str = ""
