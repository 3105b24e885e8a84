"""nqpf.disparity: public names and the errors of long-frame inputs."""

import numpy as np
import pandas as pd
import pytest

from nqpf import disparity as dp
from nqpf.errors import DataValidationError


def test_every_public_name_is_exported():
    for name in dp.__all__:
        assert hasattr(dp, name)


@pytest.mark.parametrize(
    "run, advice",
    [
        (lambda f: dp.dagum_gini_panel(f, "v", "g", region="region"), "; fill or drop"),
        (lambda f: dp.disparity_table(f, "v", "g", region="region"), ""),
        (lambda f: dp.kernel_density(f, "v", group="g", region="region"), ""),
    ],
    ids=["dagum_panel", "disparity_table", "density"],
)
def test_long_value_column_errors_name_rows_and_years(run, advice):
    frame = pd.DataFrame(
        {
            "region": ["北京", "上海", "广东", "湖南"] * 2,
            "year": [2019] * 4 + [2020] * 4,
            "g": list("aabb") * 2,
            "v": [1.0, 2.0, "n/a", 4.0, 1.0, np.nan, 3.0, 4.0],
        },
        index=list("pqrstuvw"),
    )
    expected = (
        "column 'v' has 2 missing or non-numeric value(s): region '广东' (row 'r') in 2019, "
        "region '上海' (row 'u') in 2020" + advice
    )
    with pytest.raises(DataValidationError) as info:
        run(frame)
    assert str(info.value).startswith(expected)
