"""Samplers: a statistical test of samples against a reference at a stated
false-failure rate (see :mod:`.ml_checks`)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sheetgrade.graders.compare import CheckFailed, _as_numeric


def autocorrelation_time(chain: Any, c: float = 5.0) -> float:
    """Integrated autocorrelation time of a 1-D chain (Sokal's automatic window)."""
    x = np.asarray(chain, dtype=float)
    n = x.size
    if n < 4 or np.var(x) == 0:
        return 1.0
    x = x - x.mean()
    size = 1 << (2 * n - 1).bit_length()
    spectrum = np.fft.rfft(x, size)
    acf = np.fft.irfft(spectrum * np.conj(spectrum), size)[:n]
    acf /= acf[0]
    taus = 1.0 + 2.0 * np.cumsum(acf[1:])  # taus[w - 1]: the estimate with window w
    windows = np.arange(1, n)
    done = np.flatnonzero(windows >= c * taus)
    tau = float(taus[done[0]] if done.size else taus[-1])
    return max(1.0, tau)


def _thin(samples: np.ndarray) -> tuple[np.ndarray, float]:
    taus = [autocorrelation_time(samples[:, j]) for j in range(samples.shape[1])]
    tau = max(taus)
    step = max(1, math.ceil(2 * tau))
    return samples[::step], tau


def _scipy_stats() -> Any:
    try:
        from scipy import stats
    except ImportError:
        raise CheckFailed(
            "this check needs scipy for its statistical test; install it (pip install scipy) "
            "to run it on your machine"
        ) from None
    return stats


def expect_distribution(
    samples: Any,
    reference: Any,
    *,
    alpha: float = 1e-4,
    correlated: bool = False,
    projections: int = 4,
    seed: int = 0,
    min_samples: int = 50,
    message: str = "",
) -> None:
    """Fail unless ``samples`` could come from ``reference``; a correct sampler
    fails with probability at most ``alpha`` (the stated false-failure rate).

    ``reference`` is one of:

    - a CDF (a callable, or a frozen ``scipy.stats`` distribution): one-sample
      Kolmogorov-Smirnov test of 1-D samples;
    - an array of reference samples, shape ``(m,)`` or ``(m, d)``: two-sample
      KS test; for ``d > 1`` on every coordinate and on ``projections`` random
      directions, each at ``alpha / tests`` (Bonferroni), so the rate stays ≤ ``alpha``;
    - a dict ``{value: probability}``: chi-square test of discrete samples
      (categories with fewer than 5 expected counts are pooled).

    With ``correlated=True`` (Markov chains) the samples are first thinned by
    twice their integrated autocorrelation time, so the test's rate holds for
    the nearly independent samples that remain.
    """
    stats = _scipy_stats()
    data2, note = _sample_rows(samples, correlated, min_samples, message)
    n = len(data2)
    rate = f"a correct sampler fails this test with probability {alpha:g}"
    if isinstance(reference, dict):
        _chi_square(data2.ravel(), reference, alpha, rate, note, message)
        return
    if callable(reference) or hasattr(reference, "cdf"):
        if data2.shape[1] != 1:
            raise CheckFailed("a CDF reference needs 1-D samples")
        cdf = reference.cdf if hasattr(reference, "cdf") else reference
        result = stats.kstest(data2[:, 0], lambda t: np.asarray(cdf(t), dtype=float))
        if result.pvalue < alpha:
            raise CheckFailed(
                message
                or f"your samples do not follow the reference distribution: Kolmogorov-Smirnov "
                f"statistic {result.statistic:.3g} on {n} samples{note}, p = {result.pvalue:.2g} "
                f"< {alpha:g} ({rate})"
            )
        return
    _two_sample(data2, reference, alpha, projections, seed, rate, note, message)


def _sample_rows(
    samples: Any, correlated: bool, min_samples: int, message: str
) -> tuple[np.ndarray, str]:
    """The samples as rows (thinned when ``correlated``), and a note saying so."""
    data = _as_numeric(samples, "your samples")
    if data.dtype.kind == "c":
        raise CheckFailed("your samples are complex")
    if data.ndim == 0 or data.size == 0:
        raise CheckFailed(message or "expected an array of samples")
    if not np.all(np.isfinite(data)):
        raise CheckFailed(message or "your samples contain NaN or infinite values")
    data2 = data.reshape(len(data), -1)
    note = ""
    if correlated:
        data2, tau = _thin(data2)
        note = f" (after thinning by the autocorrelation time {tau:.1f})"
    n = len(data2)
    if n < min_samples:
        raise CheckFailed(
            message
            or f"only {n} nearly independent samples{note}; at least {min_samples} are needed to test them"
        )
    return data2, note


def _two_sample(
    data2: np.ndarray,
    reference: Any,
    alpha: float,
    projections: int,
    seed: int,
    rate: str,
    note: str,
    message: str,
) -> None:
    """Two-sample KS tests on every coordinate and on random projections (Bonferroni)."""
    stats = _scipy_stats()
    n = len(data2)
    ref = _as_numeric(reference, "the reference samples")
    ref2 = ref.reshape(len(ref), -1)
    if ref2.shape[1] != data2.shape[1]:
        raise CheckFailed(
            message or f"your samples have dimension {data2.shape[1]}, expected {ref2.shape[1]}"
        )
    d = data2.shape[1]
    directions = [np.eye(d)[j] for j in range(d)]
    if d > 1:
        rng = np.random.default_rng(seed)
        for _ in range(projections):
            v = rng.standard_normal(d)
            directions.append(v / np.linalg.norm(v))
    level = alpha / len(directions)
    for v in directions:
        result = stats.ks_2samp(data2 @ v, ref2 @ v)
        if result.pvalue < level:
            where = "" if d == 1 else f" along {np.array2string(v, precision=2)}"
            raise CheckFailed(
                message
                or f"your samples do not follow the reference distribution{where}: two-sample "
                f"Kolmogorov-Smirnov statistic {result.statistic:.3g} ({n} against {len(ref2)} "
                f"samples{note}), p = {result.pvalue:.2g} < {level:.2g} ({rate})"
            )


def _chi_square(
    data: np.ndarray,
    probabilities: dict[Any, Any],
    alpha: float,
    rate: str,
    note: str,
    message: str,
) -> None:
    stats = _scipy_stats()
    values = [float(v) for v in probabilities]
    probs = np.array([float(p) for p in probabilities.values()])
    if np.any(probs < 0) or not np.isclose(probs.sum(), 1.0, atol=1e-6):
        raise CheckFailed("the reference probabilities must be non-negative and sum to 1")
    counts = np.array([np.sum(np.isclose(data, v)) for v in values], dtype=float)
    other = len(data) - counts.sum()
    if other > 0:
        raise CheckFailed(
            message or f"{int(other)} of your samples take values the distribution does not have"
        )
    expected = probs * len(data)
    order = np.argsort(expected)
    pooled_obs, pooled_exp, acc_o, acc_e = [], [], 0.0, 0.0
    for i in order:  # pool the rarest categories until each has >= 5 expected counts
        acc_o += counts[i]
        acc_e += expected[i]
        if acc_e >= 5:
            pooled_obs.append(acc_o)
            pooled_exp.append(acc_e)
            acc_o = acc_e = 0.0
    if acc_e > 0 and pooled_exp:
        pooled_obs[-1] += acc_o
        pooled_exp[-1] += acc_e
    if len(pooled_exp) < 2:
        return
    result = stats.chisquare(pooled_obs, pooled_exp)
    if result.pvalue < alpha:
        raise CheckFailed(
            message
            or f"your samples do not follow the reference probabilities: chi-square "
            f"{result.statistic:.3g} on {len(data)} samples{note}, p = {result.pvalue:.2g} < "
            f"{alpha:g} ({rate})"
        )
