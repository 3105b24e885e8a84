"""Exceptions and warnings raised by nqpf.

Every error names the value, region, indicator or year at fault so that a user can find it in their
own table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "ConvergenceError",
    "DataValidationError",
    "DependencyError",
    "DuplicateError",
    "IndexSystemError",
    "IslandWarning",
    "NqpfError",
    "NqpfWarning",
    "RepairWarning",
    "UnknownRegionError",
    "WeightsError",
    "plain",
    "show",
]


def plain(value: Any) -> Any:
    """A numpy scalar as the matching Python scalar (for readable messages)."""
    return value.item() if isinstance(value, np.generic) else value


def show(value: Any) -> str:
    """``repr`` of a value as a user would write it (``620000``, not ``np.int64(620000)``).

    >>> import numpy as np
    >>> show(np.int64(620000)), show("江西")
    ('620000', "'江西'")
    """
    return repr(plain(value))


class NqpfError(Exception):
    """Base class of every nqpf error."""


class DataValidationError(NqpfError, ValueError):
    """Input data that cannot be used as given (non-numeric cells, constant indicators, ...)."""


class DuplicateError(DataValidationError):
    """The same region-year-indicator appears more than once."""


class UnknownRegionError(DataValidationError, KeyError):
    """A region name or code that is not in the registry.

    Parameters
    ----------
    value
        The name as it was received.
    level
        ``"province"`` or ``"city"``.
    candidates
        The closest known names, best first.
    where
        Where the value came from (``"row 1207, table RDPatentAccept"``), if known.
    """

    def __init__(
        self,
        value: object,
        level: str = "province",
        candidates: Sequence[str] = (),
        where: str | None = None,
    ) -> None:
        self.value = value
        self.level = level
        self.candidates = list(candidates)
        self.where = where
        super().__init__(value)

    def __str__(self) -> str:
        origin = f" ({self.where})" if self.where else ""
        msg = f"{self.value!r}{origin} is not a known {self.level}"
        if self.candidates:
            msg += "; did you mean " + " or ".join(repr(c) for c in self.candidates[:3]) + "?"
        else:
            msg += "; pass aliases={...} to map it explicitly"
        return msg


class DependencyError(NqpfError, ImportError):
    """A third-party package that nqpf needs for this step cannot be imported."""


class IndexSystemError(NqpfError, ValueError):
    """An index system (YAML) that is malformed or names unknown variables."""


class WeightsError(NqpfError, ValueError):
    """Invalid indicator or spatial weights (wrong length, negative, not matching the regions)."""


class ConvergenceError(NqpfError, RuntimeError):
    """An iterative estimator did not converge; the message carries the last values.

    Keyword arguments become attributes holding the last state (e.g. ``iterations``), so that a
    caller can inspect or reuse it.
    """

    def __init__(self, *args: object, **state: Any) -> None:
        super().__init__(*args)
        self.__dict__.update(state)


class NqpfWarning(UserWarning):
    """Base class of every nqpf warning."""


class RepairWarning(NqpfWarning):
    """Data were repaired automatically (the repair is also listed in the validation report)."""


class IslandWarning(NqpfWarning):
    """A region without contiguity neighbours was connected to its nearest neighbour(s)."""
