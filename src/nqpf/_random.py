r"""One source of randomness: seeds, independent labelled streams and the permutation engine.

Seeds
-----
Every function with permutations, bootstraps or Monte Carlo draws takes ``seed=`` (:data:`Seed`)
and resolves it once with :meth:`RandomSource.from_seed`:

``int`` or :class:`numpy.random.SeedSequence`
    used as given and recorded in ``meta["seed"]`` (a SeedSequence as
    ``{"entropy": ..., "spawn_key": [...]}``; ``numpy.random.SeedSequence(**record)`` rebuilds it).
``None``
    fresh entropy from the operating system; the entropy (an int) is recorded, so passing it back
    as ``seed=`` reproduces the run exactly.
:class:`numpy.random.Generator`
    used as is for a single stream (and advanced by it); its state cannot be recorded.

A single stream from an int seed is exactly ``numpy.random.default_rng(seed)``.

Child streams
-------------
:meth:`RandomSource.child` derives an independent stream keyed by stable labels (a year, a region
code, a step name):
``SeedSequence(entropy, spawn_key=(*base_spawn_key, *words(label_1), *words(label_2), ...))``.
Every label becomes three 32-bit words, a tag for its kind and 64 bits of value: an int by its
value, a string by the first 8 bytes of its BLAKE2b digest (UTF-8), so a label means the same
stream in every process and labels of different kinds never coincide. The same seed and label give
the same stream whichever other labels are used, so adding a year changes no other year's numbers.
The children of a Generator derive from the SeedSequence that created it
(``generator.bit_generator.seed_seq``), not from its current state: they equal those of the int
or SeedSequence the Generator was made from, and drawing them does not advance the Generator.

Permutation inference
---------------------
:func:`permutation_batches` draws ``P`` random permutations of ``n`` values as the columns of
``(n, b)`` arrays (permute ``numpy.arange(n)`` to get index permutations, e.g. for joint
row/column permutations). Pseudo p-values follow Hope (1968) / Davison & Hinkley (1997),
:math:`(M + 1)/(P + 1)`:

``"greater"``
    :math:`M = \#\{s^{(p)} \ge s\}`.
``"less"``
    :math:`M = \#\{s^{(p)} \le s\}`.
``"two-sided"``
    twice the smaller one-sided p-value, capped at 1.
``"directed"``
    the one-sided p-value in the direction of the observed value,
    :math:`(\min(M_{\ge}, P - M_{\ge}) + 1)/(P + 1)` — esda's ``p_sim`` and GeoDa's pseudo p.

Simulated values within :math:`10^{-12}` (relative) of the observed value count as ties
(:func:`tail_counts`), so that rounding in a different summation order does not decide a tie.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from nqpf.errors import DataValidationError

__all__ = [
    "ALTERNATIVES",
    "GENERATOR_RECORD",
    "Alternative",
    "RandomSource",
    "Seed",
    "check_alternative",
    "check_permutations",
    "label_words",
    "permutation_batches",
    "pseudo_p",
    "tail_counts",
]

Seed = int | np.random.Generator | np.random.SeedSequence | None
Alternative = Literal["two-sided", "greater", "less", "directed"]
ALTERNATIVES = ("two-sided", "greater", "less", "directed")

#: What ``meta["seed"]`` says for a Generator seed.
GENERATOR_RECORD = "numpy.random.Generator (state not recorded)"
#: First word of a label's key: a constant marking nqpf labels, plus the kind of label.
_TAG_NONNEGATIVE, _TAG_NEGATIVE, _TAG_TEXT = 0x6E710001, 0x6E710002, 0x6E710003
#: Simulated values held at once by :func:`permutation_batches` (kept small enough for the cache).
_BATCH_VALUES = 400_000


def label_words(label: int | str) -> tuple[int, int, int]:
    """The three 32-bit words that key a child stream by ``label`` (an int or a string).

    >>> label_words(2020)
    (1852899329, 0, 2020)
    >>> label_words("east") == label_words("east") != label_words("west")
    True
    """
    if isinstance(label, str):
        digest = hashlib.blake2b(label.encode("utf-8"), digest_size=8).digest()
        value = int.from_bytes(digest, "big")
        tag = _TAG_TEXT
    elif isinstance(label, int | np.integer) and not isinstance(label, bool | np.bool_):
        value = int(label)
        tag = _TAG_NONNEGATIVE if value >= 0 else _TAG_NEGATIVE
        value = abs(value)
        if value >= 2**64:
            raise DataValidationError(f"a stream label must fit in 64 bits, got {label!r}")
    else:
        raise DataValidationError(
            f"a stream label must be an int (e.g. a year) or a str, got {type(label).__name__} "
            f"{label!r}"
        )
    return tag, value >> 32, value & 0xFFFFFFFF


@dataclass(frozen=True)
class RandomSource:
    """A seed resolved once: one stream, child streams keyed by labels, and its ``meta`` record.

    Build it with :meth:`from_seed`; ``seed`` is the resolved seed (never ``None``), and passing
    it (or :attr:`record`) back as ``seed=`` gives the same streams.

    >>> src = RandomSource.from_seed(7)
    >>> src.record, src.generator().random() == np.random.default_rng(7).random()
    (7, True)
    >>> a, b = src.child(2020).generator().random(), src.child(2021).generator().random()
    >>> a == RandomSource.from_seed(7).child(2020).generator().random() and a != b
    True
    """

    seed: int | np.random.SeedSequence | np.random.Generator

    @classmethod
    def from_seed(cls, seed: Seed) -> RandomSource:
        """Validate ``seed``; ``None`` draws fresh entropy from the operating system."""
        if seed is None:
            return cls(int(np.random.SeedSequence().entropy))  # type: ignore[arg-type]
        if isinstance(seed, np.random.Generator | np.random.SeedSequence):
            return cls(seed)
        if isinstance(seed, int | np.integer) and not isinstance(seed, bool | np.bool_):
            if seed < 0:
                raise DataValidationError(f"seed must be a non-negative int, got {int(seed)}")
            return cls(int(seed))
        raise DataValidationError(
            "seed must be an int, a numpy.random.SeedSequence, a numpy.random.Generator or None, "
            f"got {type(seed).__name__} {seed!r}"
        )

    @property
    def record(self) -> Any:
        """What goes into ``meta["seed"]``."""
        if isinstance(self.seed, np.random.Generator):
            return GENERATOR_RECORD
        if isinstance(self.seed, np.random.SeedSequence):
            entropy = np.asarray(self.seed.entropy, dtype=object)
            out: dict[str, Any] = {
                "entropy": int(entropy) if entropy.ndim == 0 else [int(e) for e in entropy],
                "spawn_key": [int(k) for k in self.seed.spawn_key],
            }
            if self.seed.pool_size != 4:  # numpy's default
                out["pool_size"] = int(self.seed.pool_size)
            return out
        return self.seed

    def generator(self) -> np.random.Generator:
        """The single stream: ``numpy.random.default_rng(seed)``, or the Generator given."""
        if isinstance(self.seed, np.random.Generator):
            return self.seed
        return np.random.default_rng(self.seed)

    def child(self, *labels: int | str) -> RandomSource:
        """An independent stream keyed by ``labels`` (see the module notes)."""
        base = self._sequence()
        key = [w for label in labels for w in label_words(label)]
        return RandomSource(
            np.random.SeedSequence(
                base.entropy, spawn_key=(*base.spawn_key, *key), pool_size=base.pool_size
            )
        )

    def _sequence(self) -> np.random.SeedSequence:
        if isinstance(self.seed, np.random.SeedSequence):
            return self.seed
        if isinstance(self.seed, np.random.Generator):
            seq = self.seed.bit_generator.seed_seq
            if not isinstance(seq, np.random.SeedSequence):
                raise DataValidationError(
                    f"this Generator was not made from a SeedSequence ({type(seq).__name__}), so "
                    "no child streams can be derived from it; pass an int or a SeedSequence"
                )
            return seq
        return np.random.SeedSequence(self.seed)


# --------------------------------------------------------------------------------------------
# permutation inference
# --------------------------------------------------------------------------------------------
def check_alternative(alternative: str) -> str:
    """Validate the ``alternative=`` vocabulary (``"lesser"`` is accepted for ``"less"``)."""
    alt = "less" if alternative == "lesser" else alternative
    if alt not in ALTERNATIVES:
        raise DataValidationError(
            f"alternative must be one of {list(ALTERNATIVES)}, got {alternative!r}"
        )
    return alt


def check_permutations(permutations: int) -> int:
    """A non-negative integer number of permutations."""
    if isinstance(permutations, bool) or not isinstance(permutations, int | np.integer):
        raise DataValidationError(f"permutations must be an integer, got {permutations!r}")
    if permutations < 0:
        raise DataValidationError(f"permutations must be >= 0, got {permutations}")
    return int(permutations)


def permutation_batches(
    values: np.ndarray, permutations: int, rng: np.random.Generator
) -> Iterator[np.ndarray]:
    """``permutations`` random permutations of ``values``, as the columns of ``(n, b)`` batches.

    >>> batches = list(permutation_batches(np.arange(4), 3, np.random.default_rng(0)))
    >>> [b.shape for b in batches], all(sorted(c) == [0, 1, 2, 3] for c in batches[0].T)
    ([(4, 3)], True)
    """
    n = values.size
    batch = max(1, min(permutations, _BATCH_VALUES // max(n, 1)))
    done = 0
    while done < permutations:
        b = min(batch, permutations - done)
        cols = np.repeat(values[:, None], b, axis=1)
        rng.permuted(cols, axis=0, out=cols)
        yield cols
        done += b


def tail_counts(
    simulated: np.ndarray, observed: Any, scale: Any = 1.0, axis: int | None = None
) -> tuple[Any, Any]:
    r"""Counts of simulated values :math:`\ge` and :math:`\le` the observed one along ``axis``.

    Values within :math:`10^{-12}(|s| + |\mathrm{scale}|)` of the observed :math:`s` count as
    ties (on both sides).

    >>> [int(c) for c in tail_counts(np.array([0.1, 0.5, 0.5 + 1e-15, 0.9]), 0.5)]
    [3, 3]
    """
    tol = 1e-12 * (np.abs(observed) + np.abs(scale))
    n_ge = np.count_nonzero(simulated >= observed - tol, axis=axis)
    n_le = np.count_nonzero(simulated <= observed + tol, axis=axis)
    return n_ge, n_le


def pseudo_p(n_ge: Any, n_le: Any, permutations: int, alternative: str) -> np.ndarray:
    """Permutation p-values from the counts of simulated values >= and <= the observed one.

    >>> float(pseudo_p(0, 99, 99, "greater")), float(pseudo_p(0, 99, 99, "two-sided"))
    (0.01, 0.02)
    """
    n_ge = np.asarray(n_ge, dtype=float)
    n_le = np.asarray(n_le, dtype=float)
    denom = permutations + 1.0
    if alternative == "greater":
        return (n_ge + 1) / denom
    if alternative == "less":
        return (n_le + 1) / denom
    if alternative == "two-sided":
        return np.minimum(1.0, 2 * (np.minimum(n_ge, n_le) + 1) / denom)
    larger = np.where(permutations - n_ge < n_ge, permutations - n_ge, n_ge)
    return (larger + 1) / denom
