"""One way in for spatial weights: every accepted type gives the same numbers.

The same queen contiguity weights are passed as a nqpf SpatialWeights, a libpysal W, a libpysal
Graph, a labelled DataFrame, a scipy sparse matrix and a numpy array; statistics must agree to
1e-12 (with the same seed, permutation p-values too), and one form is checked against esda/giddy.
The unlabelled forms are given in a shuffled region order, the order of the values, so that the
test also shows they are not silently read in the weights' order.
"""

import warnings

import esda
import numpy as np
import pandas as pd
import pytest
from giddy.markov import Spatial_Markov
from scipy import sparse

from nqpf.disparity import spatial_markov
from nqpf.errors import IslandWarning, WeightsError
from nqpf.geo import SpatialWeights, as_weights, contiguity_with_notes
from nqpf.spatial import getis_ord, local_moran, moran, moran_by_year

ATOL = 1e-12


@pytest.fixture(scope="module")
def order(queen):
    """A shuffled region order: the order of the values and of the unlabelled matrices."""
    return [queen.codes[i] for i in np.random.default_rng(7).permutation(queen.n)]


@pytest.fixture(scope="module")
def values(order):
    rng = np.random.default_rng(11)
    return pd.Series(rng.lognormal(8.0, 0.7, len(order)), index=order)


def forms(w: SpatialWeights, order):
    """The same weights in every accepted type; unlabelled ones in ``order``."""
    shuffled = w.align(order)
    return {
        "SpatialWeights": w,
        "libpysal W": w.to_libpysal("W"),
        "libpysal Graph": w.to_libpysal("graph"),
        "DataFrame": pd.DataFrame(w.dense, index=list(w.codes), columns=list(w.codes)),
        "scipy sparse": sparse.csr_matrix(shuffled.sparse),
        "numpy": shuffled.dense,
    }


def test_moran_same_numbers_for_every_type(queen, order, values):
    results = {
        name: moran(values, w, permutations=99, seed=3) for name, w in forms(queen, order).items()
    }
    ref = results.pop("SpatialWeights")
    for name, res in results.items():
        for field in ("statistic", "variance", "z_score", "p_value_permutation"):
            assert getattr(res, field) == pytest.approx(getattr(ref, field), abs=ATOL), name
    lib = esda.Moran(
        values.reindex(list(queen.codes)).to_numpy(), queen.to_libpysal(), permutations=0
    )
    assert ref.statistic == pytest.approx(lib.I, abs=1e-10)


def test_local_moran_same_numbers_for_every_type(queen, order, values):
    results = {
        name: local_moran(values, w, permutations=99, seed=3)
        for name, w in forms(queen, order).items()
    }
    ref = results.pop("SpatialWeights")
    for name, res in results.items():
        assert res.codes == ref.codes, name
        np.testing.assert_allclose(res.statistic, ref.statistic, rtol=0, atol=ATOL, err_msg=name)
        np.testing.assert_allclose(res.p_value, ref.p_value, rtol=0, atol=ATOL, err_msg=name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        lib = esda.Moran_Local(
            values.reindex(list(queen.codes)).to_numpy(), queen.to_libpysal(), permutations=0
        )
    by_code = pd.Series(ref.statistic, index=list(ref.codes)).reindex(list(queen.codes))
    np.testing.assert_allclose(by_code.to_numpy(), lib.Is, rtol=0, atol=1e-10)


def test_getis_ord_same_numbers_for_every_type(queen, order, values):
    results = {
        name: getis_ord(values, w, permutations=99, seed=3)
        for name, w in forms(queen, order).items()
    }
    ref = results.pop("SpatialWeights")
    for name, res in results.items():
        np.testing.assert_allclose(res.statistic, ref.statistic, rtol=0, atol=ATOL, err_msg=name)
        np.testing.assert_allclose(res.z_score, ref.z_score, rtol=0, atol=ATOL, err_msg=name)
        np.testing.assert_allclose(
            res.p_value_permutation, ref.p_value_permutation, rtol=0, atol=ATOL, err_msg=name
        )
    binary = SpatialWeights.from_array(queen.dense > 0, queen.codes, row_standardize=False)
    with pytest.warns(UserWarning, match="self-weight"):  # esda fills the diagonal itself
        lib = esda.G_Local(
            values.reindex(list(queen.codes)).to_numpy(),
            binary.to_libpysal(),
            transform="R",
            star=True,
            permutations=0,
        )
    by_code = pd.Series(ref.statistic, index=list(ref.codes)).reindex(list(queen.codes))
    np.testing.assert_allclose(by_code.to_numpy(), lib.Gs, rtol=0, atol=1e-10)


def test_by_year_helpers_accept_every_type(queen, order, values):
    long = pd.concat(
        [
            pd.DataFrame({"region_code": order, "year": year, "value": values.to_numpy() * f})
            for year, f in ((2020, 1.0), (2021, np.linspace(0.5, 1.5, len(order))))
        ]
    )
    ref = moran_by_year(long, queen, permutations=0).table
    for name, w in forms(queen, order).items():
        table = moran_by_year(long, w, permutations=0).table
        np.testing.assert_allclose(table.statistic, ref.statistic, rtol=0, atol=ATOL, err_msg=name)


def test_spatial_markov_same_numbers_for_every_type(queen, order):
    rng = np.random.default_rng(5)
    wide = pd.DataFrame(
        np.exp(np.cumsum(rng.normal(0, 0.1, (len(order), 12)), axis=1)),
        index=order,
        columns=range(2011, 2023),
    )
    results = {name: spatial_markov(wide, w, k=4) for name, w in forms(queen, order).items()}
    ref = results.pop("SpatialWeights")
    for name, res in results.items():
        pd.testing.assert_frame_equal(res.counts, ref.counts)
        np.testing.assert_allclose(
            res.transition_matrices.to_numpy(),
            ref.transition_matrices.to_numpy(),
            rtol=0,
            atol=ATOL,
            err_msg=name,
        )
    w = queen.to_libpysal()
    lib = Spatial_Markov(wide.loc[list(queen.codes)].to_numpy(), w, k=4, m=4, fixed=True)
    np.testing.assert_array_equal(ref.counts.to_numpy().reshape(4, 4, 4), lib.T)


# --------------------------------------------------------------------------------------------
# the coercer itself
# --------------------------------------------------------------------------------------------
def test_labels_that_do_not_match_name_the_regions(queen):
    codes = list(queen.codes)
    data = [*codes[1:], 999999]
    for w in (
        queen.to_libpysal(),
        queen.to_libpysal("graph"),
        pd.DataFrame(queen.dense, codes, codes),
    ):
        with pytest.raises(
            WeightsError,
            match=rf"not in the weights: \[999999\]; .* not in the data: \[{codes[0]}\]",
        ):
            as_weights(w, data)


def test_labels_matched_by_text_when_read_from_a_file():
    # index_col=0 of a CSV gives integer rows but text columns, here in another order
    frame = pd.DataFrame([[1.0, 0], [0, 2.0]], index=[110000, 120000], columns=["120000", "110000"])
    w = as_weights(frame, [120000, 110000])
    assert w.codes == (120000, 110000)
    np.testing.assert_array_equal(w.dense, [[0, 2], [1, 0]])  # columns matched to rows by label
    with pytest.raises(WeightsError, match=r"rows only: \[120000\], columns only: \['130000'\]"):
        as_weights(pd.DataFrame(np.zeros((2, 2)), [110000, 120000], ["110000", "130000"]))


def test_unlabelled_matrix_checks():
    with pytest.raises(WeightsError, match="square"):
        as_weights(np.zeros((2, 3)))
    with pytest.raises(WeightsError, match=r"3×3 but the data have 2 regions"):
        as_weights(np.ones((3, 3)) - np.eye(3), ["a", "b"])
    with pytest.raises(WeightsError, match=r"non-negative; region 'b'"):
        as_weights(np.array([[0, 1], [-1, 0]]), ["a", "b"])
    with pytest.raises(WeightsError, match=r"own neighbour: region 'a'"):
        as_weights(np.array([[1, 1], [1, 0]]), ["a", "b"])
    with pytest.raises(WeightsError, match="got str"):
        as_weights("queen")


def test_row_standardised_is_read_from_the_matrix():
    binary = np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0]], dtype=float)
    assert not as_weights(binary).row_standardized
    assert as_weights(binary / binary.sum(axis=1, keepdims=True)).row_standardized
    assert as_weights(binary).codes == (0, 1, 2)


def test_islands_warn_or_raise():
    island = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=float)
    with pytest.warns(IslandWarning, match=r"\['c'\]"):
        assert as_weights(island, list("abc")).islands == ("c",)
    with pytest.raises(WeightsError, match="without any neighbour: c"):
        as_weights(island, list("abc"), islands="raise")


def test_contiguity_with_notes_collects_instead_of_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning would fail here
        w, notes = contiguity_with_notes([440000, 450000, 460000], row_standardize=False)
    assert w.added_links == ((460000, 450000),)
    assert len(notes) == 1 and "460000 -> [450000]" in notes[0]
    np.testing.assert_array_equal(w.dense, [[0, 1, 0], [1, 0, 1], [0, 1, 0]])
