"""A missing third-party package gives a DependencyError naming it, wherever nqpf imports it lazily.

``sys.modules[name] = None`` makes ``import name`` fail as if the package were not installed.
"""

import sys

import numpy as np
import pandas as pd
import pytest

from nqpf.econometrics.panel import panel_fe
from nqpf.errors import DependencyError
from nqpf.index.uncertainty import rank_uncertainty
from nqpf.panel import read_table
from nqpf.spatial.geodetector import discretize
from nqpf.spatial.gwr import gwr, mgwr

RNG = np.random.default_rng(0)
POINTS = pd.DataFrame(
    {"u": RNG.uniform(0, 10, 20), "v": RNG.uniform(0, 10, 20), "x": RNG.normal(size=20)}
).assign(y=lambda d: d.x + RNG.normal(size=20))
PANEL = pd.DataFrame(
    {"region": np.repeat(list("abcd"), 3), "year": np.tile([2001, 2002, 2003], 4)}
).assign(x=RNG.normal(size=12), y=RNG.normal(size=12))


def _excel(tmp_path):
    path = tmp_path / "table.xlsx"
    path.write_bytes(b"PK\x03\x04")  # a ZIP signature, never opened: the import fails first
    return read_table(path)


CALLS = {
    "mgwr.gwr": lambda tmp_path: gwr(POINTS, "y", ["x"], coords=("u", "v"), bw=10, region=None),
    "mgwr.sel_bw": lambda tmp_path: mgwr(POINTS, "y", ["x"], coords=("u", "v"), region=None),
    "mapclassify": lambda tmp_path: discretize(np.arange(20.0), "natural_breaks", 3),
    "linearmodels": lambda tmp_path: panel_fe(PANEL, "y", ["x"], region="region"),
    "joblib": lambda tmp_path: rank_uncertainty(RNG.uniform(size=(6, 3)), n_runs=10, n_jobs=2),
    "openpyxl": _excel,
}


@pytest.mark.parametrize("module", list(CALLS))
def test_missing_package_is_named(module, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, module, None)
    package = module.partition(".")[0]
    expected = rf"needs the Python package '{package}'.*pip install {package}"
    with pytest.raises(DependencyError, match=expected):
        CALLS[module](tmp_path)
