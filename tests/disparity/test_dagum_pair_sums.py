"""The O(n)-memory pair sums of the Dagum decomposition against the O(n²) double sum.

``_pair_sums`` builds one group column at a time in reused buffers; on small random samples
(ties, zeros, weights, groups without members) its directional sums
P[j, h] = Σ_i Σ_r w_i w_r max(y_ji - y_hr, 0) and the pooled Σ Σ w_i w_r |y_i - y_r| must equal
the literal double sums to 1e-12 relative to the pooled sum.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from nqpf.disparity.dagum import _pair_sums


def direct_pair_sums(y, w, codes, k):
    """The literal O(n²) double sums (the reference)."""
    diff = np.maximum(y[:, None] - y[None, :], 0.0) * w[:, None] * w[None, :]
    member = (codes[:, None] == np.arange(k)[None, :]).astype(float)
    directional = member.T @ diff @ member
    pooled = (np.abs(y[:, None] - y[None, :]) * w[:, None] * w[None, :]).sum()
    return directional, pooled


@st.composite
def weighted_samples(draw):
    n = draw(st.integers(min_value=1, max_value=60))
    k = draw(st.integers(min_value=1, max_value=7))
    values = st.one_of(st.integers(0, 5).map(float), st.floats(0.0, 1e4, allow_nan=False))
    y = np.array(draw(st.lists(values, min_size=n, max_size=n)))
    w = np.array(draw(st.lists(st.floats(0.1, 10.0), min_size=n, max_size=n)))
    codes = np.array(draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)), dtype=np.intp)
    return y - y.mean(), w, codes, k  # centred, as the decomposition passes them


@settings(max_examples=80, deadline=None)
@given(weighted_samples())
def test_pair_sums_equal_the_double_sum(sample):
    y, w, codes, k = sample
    directional, pooled = _pair_sums(y, w, codes, k)
    ref_directional, ref_pooled = direct_pair_sums(y, w, codes, k)
    scale = max(ref_pooled, 1e-300)
    assert abs(pooled - ref_pooled) <= 1e-12 * scale
    np.testing.assert_allclose(directional, ref_directional, rtol=0, atol=1e-12 * scale)


def test_pair_sums_on_random_lognormal_groups():
    rng = np.random.default_rng(20261130)
    y = rng.lognormal(1.0, 0.8, 2000)
    w = rng.integers(1, 5, 2000).astype(float)
    codes = rng.integers(0, 8, 2000).astype(np.intp)
    directional, pooled = _pair_sums(y - y.mean(), w, codes, 8)
    ref_directional, ref_pooled = direct_pair_sums(y - y.mean(), w, codes, 8)
    assert abs(pooled - ref_pooled) <= 1e-12 * ref_pooled
    np.testing.assert_allclose(directional, ref_directional, rtol=0, atol=1e-12 * ref_pooled)
