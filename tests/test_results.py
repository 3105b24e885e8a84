"""The results contract shared by every analysis."""


def test_result_to_dict_is_strict_json():
    import json
    from dataclasses import dataclass

    import numpy as np
    import pandas as pd

    from nqpf.results import Result

    @dataclass(frozen=True)
    class Toy(Result):
        def to_frame(self):
            return pd.DataFrame({"a": [1.0, np.inf, np.nan], "b": ["x", "y", "z"]})

    text = json.dumps(
        Toy(meta={"n": np.int64(3), "x": np.float64(np.inf)}).to_dict(), allow_nan=False
    )
    assert json.loads(text)["data"][1] == {"a": None, "b": "y"}
