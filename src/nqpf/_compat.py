"""Lazy imports of third-party packages, in one place.

Heavy packages (mgwr, mapclassify, libpysal, cnmaps, shapely, linearmodels, joblib, openpyxl) are
imported only when a function needs them, so ``import nqpf`` stays fast. :func:`require` is the
one way to do that: a missing or broken package becomes a :class:`~nqpf.errors.DependencyError`
that names the package to install and what needs it, instead of a bare ``ImportError``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from nqpf.errors import DependencyError

__all__ = ["require"]

#: Import name (top level) → name of the distribution on PyPI, where they differ.
_DISTRIBUTIONS = {"sklearn": "scikit-learn"}


def require(module: str, purpose: str) -> ModuleType:
    """Import ``module`` (dotted path allowed) for ``purpose``, or raise a clear error.

    Examples
    --------
    >>> require("json", "reading JSON").__name__
    'json'
    >>> try:
    ...     require("no_such_package.sub", "a test")
    ... except DependencyError as exc:
    ...     print(str(exc)[:56])
    a test needs the Python package 'no_such_package', which
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.partition(".")[0]
        dist = _DISTRIBUTIONS.get(top, top)
        raise DependencyError(
            f"{purpose} needs the Python package {dist!r}, which could not be imported ({exc}); "
            f"install it with `pip install {dist}` (it is a dependency of nqpf: reinstalling "
            "nqpf also brings it)"
        ) from None
