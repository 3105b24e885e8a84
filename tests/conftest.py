"""Shared fixtures: the bundled real provincial GDP panel, grouped by NBS macro-region."""

import os
from importlib.resources import files

import numpy as np
import pandas as pd
import pytest

from nqpf.regions import normalize, provinces

BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def pytest_configure(config):
    """Under pytest-xdist, one BLAS thread per worker (set before the workers start).

    The workers already fill the cores: a second BLAS thread per worker only competes with the
    other worker, and small matrix products then run several times slower.
    """
    if getattr(config.option, "numprocesses", None) and "PYTEST_XDIST_WORKER" not in os.environ:
        for name in BLAS_THREADS:
            os.environ.setdefault(name, "1")


@pytest.fixture(scope="session")
def province_gdp() -> pd.DataFrame:
    """Real data: provincial GDP (100 million yuan, current prices), 31 provinces, 1997-2022.

    Source: NBS 分省年度数据 as bundled in ``province_gdp_structure_1952_2022`` (see its
    SOURCE.md). Columns: region (code), name, year, gdp, secondary (share %), macro_region.
    """
    path = files("nqpf.data") / "files" / "province_gdp_structure_1952_2022"
    with (path / "province_gdp_structure.csv.gz").open("rb") as fh:
        raw = pd.read_csv(fh, compression="gzip")
    raw = raw[~raw.is_national_total & (raw.year >= 1997)].reset_index(drop=True)
    codes = normalize(raw.province.tolist())
    table = provinces()
    frame = pd.DataFrame(
        {
            "region": codes,
            "name": raw.province.to_numpy(),
            "year": raw.year.to_numpy(),
            "gdp": raw.gdp_100m_yuan.to_numpy(dtype=float),
            "secondary": raw.share_secondary_pct.to_numpy(dtype=float),
        }
    )
    frame["macro_region"] = table.loc[frame.region, "macro_region"].to_numpy()
    assert frame.groupby("year").region.nunique().eq(31).all()
    return frame.sort_values(["year", "region"], ignore_index=True)


@pytest.fixture(scope="session")
def gdp_wide(province_gdp) -> pd.DataFrame:
    """Regions × years GDP (real data)."""
    return province_gdp.pivot(index="region", columns="year", values="gdp")


@pytest.fixture
def rng():
    return np.random.default_rng(20240601)
