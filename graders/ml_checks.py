"""Checks for machine-learning answers, run in the grader on decoded plain data.

Exact outputs do not fit gradients, symmetries, stochastic training or
samplers; these helpers judge them by what must hold instead:

- :func:`expect_gradient` / :func:`expect_jacobian`: the student's derivative
  against central finite differences of the student's own function, computed
  here by calling it at shifted points;
- :func:`expect_equivariant` / :func:`expect_invariant`: ``f(g·x) == g'·f(x)``
  for group actions built with :func:`shift`, :func:`permute`, :func:`rotate`,
  :func:`translate`, :func:`scale`, :func:`each`;
- :func:`expect_distribution`: a one-sample (a CDF or a frozen
  ``scipy.stats`` distribution), two-sample (reference samples) or discrete
  (probabilities) test at a stated false-failure rate ``alpha``; correlated
  chains are thinned by their integrated autocorrelation time first;
- :func:`expect_trains`: a loss history decreases and reaches a tolerance
  within a step budget (optionally agreeing with a loss the grader recomputed);
- :func:`expect_probabilities`: non-negative entries summing to one.

``f``, ``loss`` and ``grad`` are usually ``student.f``: each call crosses to the
student's confined process and returns fresh plain data, so a student cannot
influence the comparison. Random directions and projections come from a
generator seeded in the check, so a check judges the same way every time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from sheetgrade.graders.compare import CheckFailed, _as_numeric, _difference, _short

# ----------------------------------------------------------------- structures


def _flatten(value: Any, what: str) -> tuple[np.ndarray, Callable[[np.ndarray], Any], list[str]]:
    """Flatten numbers, arrays and dicts/lists/tuples of them into one vector.

    Returns the vector, a function that rebuilds the structure from a vector,
    and a label per entry (``['W1'][0, 2]``) for messages.
    """
    if isinstance(value, dict):
        keys = list(value)
        parts = [_flatten(value[k], what) for k in keys]
        labels = [
            f"[{k!r}]{lab}" for k, (_, _, labs) in zip(keys, parts, strict=True) for lab in labs
        ]

        def rebuild_dict(vector: np.ndarray) -> Any:
            out, start = {}, 0
            for k, (flat, rebuild, _) in zip(keys, parts, strict=True):
                out[k] = rebuild(vector[start : start + flat.size])
                start += flat.size
            return out

        return _concat(parts), rebuild_dict, labels
    if isinstance(value, list | tuple) and value and all(_is_leaf_number(v) for v in value):
        return _flatten(_as_numeric(list(value), what), what)  # a plain list of numbers
    if isinstance(value, list | tuple):
        parts = [_flatten(v, what) for v in value]
        labels = [f"[{i}]{lab}" for i, (_, _, labs) in enumerate(parts) for lab in labs]
        kind = type(value)

        def rebuild_seq(vector: np.ndarray) -> Any:
            out, start = [], 0
            for flat, rebuild, _ in parts:
                out.append(rebuild(vector[start : start + flat.size]))
                start += flat.size
            return kind(out)

        return _concat(parts), rebuild_seq, labels
    array = _as_numeric(value, what)
    if array.dtype.kind == "c":
        raise CheckFailed(f"{what} is complex; only real values can be differentiated here")
    shape = array.shape
    if array.ndim == 0:
        return array.reshape(1), lambda v: float(v[0]), [""]
    labels = [str(tuple(int(i) for i in ix)) for ix in np.ndindex(shape)]
    labels = [lab if array.ndim > 1 else lab.replace(",)", ")") for lab in labels]
    return array.ravel().copy(), lambda v: np.asarray(v, dtype=float).reshape(shape), labels


def _is_leaf_number(value: Any) -> bool:
    return isinstance(value, int | float | np.number) and not isinstance(value, bool)


def _concat(parts: list[tuple[np.ndarray, Any, list[str]]]) -> np.ndarray:
    if not parts:
        return np.zeros(0)
    return np.concatenate([p[0] for p in parts])


def _scalar(value: Any, what: str) -> float:
    array = _as_numeric(value, what)
    if array.size != 1:
        raise CheckFailed(f"{what} should be a single number, got shape {array.shape}")
    number = float(np.real(array.reshape(())))
    if not math.isfinite(number):
        raise CheckFailed(f"{what} is {number}")
    return number


def _call(f: Callable[..., Any], x: Any, args: Sequence[Any], kwargs: dict[str, Any]) -> Any:
    return f(x, *args, **kwargs)


def _factor_hint(ratio: float) -> str:
    """Name a typical mistake from the ratio (student / finite differences)."""
    if not math.isfinite(ratio):
        return ""
    for factor, hint in (
        (-1.0, "a sign error?"),
        (2.0, "a factor 2 too large?"),
        (0.5, "a factor 2 too small?"),
    ):
        if abs(ratio - factor) < 0.02 * abs(factor):
            return f" ({hint})"
    return ""


# ------------------------------------------------------------------ gradients


def numerical_jacobian(
    f: Callable[..., Any],
    x: Any,
    *,
    args: Sequence[Any] = (),
    kwargs: dict[str, Any] | None = None,
    eps: float = 1e-6,
) -> np.ndarray:
    """Central finite differences of ``f`` at ``x``: an array of shape
    ``f(x).shape + (x.size,)`` (``x`` flattened as :func:`expect_gradient` does).

    Each column costs two calls of ``f``; use it for small inputs.
    """
    kwargs = kwargs or {}
    flat, rebuild, _ = _flatten(x, "the input")
    columns = []
    for i in range(flat.size):
        h = eps * max(1.0, abs(flat[i]))
        up, down = flat.copy(), flat.copy()
        up[i] += h
        down[i] -= h
        f_up = _as_numeric(_call(f, rebuild(up), args, kwargs), "f(x + h)")
        f_down = _as_numeric(_call(f, rebuild(down), args, kwargs), "f(x - h)")
        columns.append((f_up - f_down) / (2 * h))
    return np.stack(columns, axis=-1) if columns else np.zeros((0,))


def expect_gradient(
    loss: Callable[..., Any],
    grad: Callable[..., Any],
    x: Any,
    *,
    args: Sequence[Any] = (),
    kwargs: dict[str, Any] | None = None,
    directions: int = 3,
    coordinates: int = 10,
    eps: float = 1e-5,
    rtol: float = 1e-4,
    atol: float = 1e-7,
    seed: int = 0,
    message: str = "",
) -> None:
    """Fail unless ``grad(x, *args)`` is the gradient of ``loss(x, *args)`` at ``x``.

    ``x`` is an array, a number, or a dict/list/tuple of arrays (the
    parameters of a network); ``grad`` returns the same structure. The check
    compares the gradient with central differences of ``loss`` along every
    coordinate (when ``x`` has at most ``coordinates`` entries) and along
    ``directions`` random unit directions (seeded with ``seed``). A directional
    derivative ``d`` matches the student's ``g·v`` when
    ``|g·v - d| <= rtol·(|d| + ‖g‖) + atol``: a sign error, a missing factor
    or an off-by-one index fails, floating-point noise does not.

    Args:
        loss: the loss, e.g. ``student.loss``; must return a number.
        grad: its gradient, e.g. ``student.grad``.
        x: the point.
        args: further positional arguments of both (data, labels).
        kwargs: further keyword arguments of both.
        directions: random directions to test.
        coordinates: test each coordinate too when ``x`` has at most this many entries.
        eps: step, relative to ``max(1, |x|)`` along the direction.
        rtol: relative tolerance (see above).
        atol: absolute tolerance.
        seed: seed of the random directions.
        message: replaces the generated message.
    """
    kwargs = kwargs or {}
    flat, rebuild, labels = _flatten(x, "the point x")
    g_flat, _, _ = _flatten(_call(grad, x, args, kwargs), "the gradient")
    if g_flat.size != flat.size:
        raise CheckFailed(
            message or f"the gradient has {g_flat.size} entries, the point has {flat.size}"
        )
    if not np.all(np.isfinite(g_flat)):
        raise CheckFailed(message or "the gradient contains NaN or infinite values")
    g_norm = float(np.linalg.norm(g_flat))
    scale = max(1.0, float(np.max(np.abs(flat))) if flat.size else 1.0)

    def directional(v: np.ndarray) -> float:
        h = eps * scale
        up = _scalar(_call(loss, rebuild(flat + h * v), args, kwargs), "the loss")
        down = _scalar(_call(loss, rebuild(flat - h * v), args, kwargs), "the loss")
        return (up - down) / (2 * h)

    tests: list[tuple[str, np.ndarray]] = []
    if flat.size <= coordinates:
        for i in range(flat.size):
            e = np.zeros(flat.size)
            e[i] = 1.0
            tests.append((f"component {labels[i] or i}", e))
    rng = np.random.default_rng(seed)
    for k in range(directions):
        v = rng.standard_normal(flat.size)
        v /= np.linalg.norm(v) or 1.0
        tests.append((f"random direction {k + 1}", v))
    _scalar(_call(loss, x, args, kwargs), "the loss")
    for label, v in tests:
        numeric = directional(v)
        claimed = float(g_flat @ v)
        if abs(claimed - numeric) > rtol * (abs(numeric) + g_norm) + atol:
            ratio = claimed / numeric if numeric else math.inf
            raise CheckFailed(
                message
                or f"the gradient does not match finite differences of the loss ({label}): "
                f"gradient gives {claimed:.6g}, (loss(x+hv) - loss(x-hv)) / 2h gives "
                f"{numeric:.6g}{_factor_hint(ratio)}"
            )


def expect_jacobian(
    f: Callable[..., Any],
    jac: Callable[..., Any],
    x: Any,
    *,
    args: Sequence[Any] = (),
    kwargs: dict[str, Any] | None = None,
    eps: float = 1e-6,
    rtol: float = 1e-4,
    atol: float = 1e-6,
    message: str = "",
) -> None:
    """Fail unless ``jac(x)`` is the Jacobian of ``f`` at ``x`` (shape
    ``f(x).shape + x.shape``), compared with :func:`numerical_jacobian`."""
    kwargs = kwargs or {}
    out = _as_numeric(_call(f, x, args, kwargs), "f(x)")
    x_arr = _as_numeric(x, "the point x")
    claimed = _as_numeric(_call(jac, x, args, kwargs), "the Jacobian")
    want_shape = out.shape + x_arr.shape
    if claimed.shape != want_shape:
        raise CheckFailed(
            message or f"the Jacobian has shape {claimed.shape}, expected {want_shape}"
        )
    numeric = numerical_jacobian(f, x, args=args, kwargs=kwargs, eps=eps).reshape(want_shape)
    if not np.allclose(claimed, numeric, rtol=rtol, atol=atol):
        raise CheckFailed(
            message
            or "the Jacobian does not match finite differences: " + _difference(claimed, numeric)
        )


# --------------------------------------------------------------- symmetries


class Action:
    """A group element acting on plain data (arrays, or tuples of them)."""

    def __init__(self, apply: Callable[[Any], Any], name: str) -> None:
        self._apply = apply
        self.name = name

    def __call__(self, value: Any) -> Any:
        return self._apply(value)

    def __repr__(self) -> str:
        return self.name


def shift(k: int, axis: int | tuple[int, ...] = -1) -> Action:
    """Cyclic shift by ``k`` places along ``axis`` (translations of periodic signals)."""
    axes = axis if isinstance(axis, tuple) else (axis,)
    return Action(
        lambda x: np.roll(np.asarray(x), k, axis=axes), f"a cyclic shift by {k} along axis {axis}"
    )


def permute(perm: Any, axes: int | tuple[int, ...] = 0) -> Action:
    """Reorder entries along each of ``axes`` by ``perm`` (``x[perm]``); ``axes=(0, 1)``
    permutes rows and columns alike, as an adjacency matrix."""
    order = np.asarray(perm, dtype=int)
    axes_t = axes if isinstance(axes, tuple) else (axes,)

    def apply(x: Any) -> Any:
        out = np.asarray(x)
        for ax in axes_t:
            out = np.take(out, order, axis=ax)
        return out

    shown = order.tolist() if order.size <= 8 else f"{order[:8].tolist()}..."
    return Action(apply, f"the permutation {shown} along axes {axes}")


def rotation_matrix(angle: float, axis: Sequence[float] | None = None) -> np.ndarray:
    """The 2-D rotation by ``angle`` (radians), or the 3-D one about ``axis``."""
    c, s = math.cos(angle), math.sin(angle)
    if axis is None:
        return np.array([[c, -s], [s, c]])
    n = np.asarray(axis, dtype=float)
    n = n / np.linalg.norm(n)
    k = np.array([[0, -n[2], n[1]], [n[2], 0, -n[0]], [-n[1], n[0], 0]])
    rotation: np.ndarray = np.eye(3) + s * k + (1 - c) * k @ k
    return rotation


def rotate(rotation: Any, axis: Sequence[float] | None = None) -> Action:
    """Rotate vectors stored along the last axis: ``x @ R.T``. ``rotation`` is a
    matrix or an angle (2-D; 3-D with ``axis``)."""
    if np.ndim(rotation) == 0:
        matrix = rotation_matrix(float(rotation), axis)
        name = f"a rotation by {float(rotation):.4g} rad"
    else:
        matrix = np.asarray(rotation, dtype=float)
        name = "the rotation " + np.array2string(matrix, precision=3).replace("\n", "")
    return Action(lambda x: np.asarray(x, dtype=float) @ matrix.T, name)


def translate(offset: Any) -> Action:
    """Add ``offset`` (broadcast over leading axes): translations of coordinates,
    or a constant added to logits."""
    vector = np.asarray(offset, dtype=float)
    return Action(lambda x: np.asarray(x, dtype=float) + vector, f"adding {_short(offset, 40)}")


def scale(factor: Any) -> Action:
    """Multiply by ``factor`` (broadcast over leading axes)."""
    value = np.asarray(factor, dtype=float)
    return Action(lambda x: np.asarray(x, dtype=float) * value, f"scaling by {_short(factor, 40)}")


def each(*actions: Action | None) -> Action:
    """Act on a tuple of inputs, one action each (``None`` leaves that input alone)."""
    acts = [a if a is not None else identity for a in actions]

    def apply(x: Any) -> Any:
        if not isinstance(x, tuple | list) or len(x) != len(acts):
            raise CheckFailed(f"each(...) needs {len(acts)} inputs, got {_short(x)}")
        return tuple(a(v) for a, v in zip(acts, x, strict=True))

    return Action(apply, "(" + ", ".join(a.name for a in acts) + ")")


identity = Action(lambda x: x, "the identity")


def _edge_hint(diff: np.ndarray, axis_size: int) -> str:
    """Differences at a few positions, one of them an end of the last axis,
    suggest a padding mistake (the ends and where the shift wraps around)."""
    if diff.ndim == 0 or axis_size < 8:
        return ""
    bad = np.any(diff.reshape(-1, diff.shape[-1]), axis=0)
    where = np.flatnonzero(bad)
    near_end = bool(np.any((where < 3) | (where >= axis_size - 3)))
    if where.size and near_end and where.size <= axis_size // 4:
        return (
            " (only at a few positions near the ends and the wrap-around: is the padding periodic?)"
        )
    return ""


def expect_equivariant(
    f: Callable[..., Any],
    g_in: Action | Callable[[Any], Any] | Sequence[Any],
    g_out: Action | Callable[[Any], Any] | Sequence[Any] | None,
    x: Any,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-8,
    message: str = "",
) -> None:
    """Fail unless ``f(g_in(x)) == g_out(f(x))``.

    ``x`` is the input; a tuple means several arguments, ``f(*x)``, and then
    ``g_in`` maps the tuple to a tuple (see :func:`each`). ``g_out=None`` (or
    :data:`identity`) checks invariance. ``g_in`` and ``g_out`` may be lists
    of the same length: each pair is one group element to test.

    Example: a convolution with periodic padding commutes with shifts,
    ``expect_equivariant(student.conv, shift(3), shift(3), signal)``; message
    passing commutes with relabelling the nodes,
    ``expect_equivariant(student.layer, each(permute(p), permute(p, axes=(0, 1))), permute(p), (H, A))``.
    """
    ins: list[Callable[[Any], Any]] = list(g_in) if isinstance(g_in, list | tuple) else [g_in]  # type: ignore[list-item]
    outs: list[Callable[[Any], Any] | None] = (
        list(g_out) if isinstance(g_out, list | tuple) else [g_out] * len(ins)  # type: ignore[list-item]
    )
    if len(ins) != len(outs):
        raise CheckFailed("g_in and g_out must list the same number of group elements")

    def run(arg: Any) -> np.ndarray:
        result = f(*arg) if isinstance(arg, tuple) else f(arg)
        return _as_numeric(result, "your answer")

    base = run(x)
    for act_in, act_out in zip(ins, outs, strict=True):
        moved = run(act_in(x))
        expected = base if act_out is None else _as_numeric(act_out(base), "g_out(f(x))")
        name = repr(act_in) if isinstance(act_in, Action) else "the transformation"
        if moved.shape != expected.shape:
            raise CheckFailed(
                message
                or f"under {name} the output has shape {moved.shape}, expected {expected.shape}"
            )
        if not np.allclose(moved, expected, rtol=rtol, atol=atol):
            kind = "invariant" if act_out is None or act_out is identity else "equivariant"
            diff = ~np.isclose(moved, expected, rtol=rtol, atol=atol)
            hint = _edge_hint(diff, moved.shape[-1]) if moved.ndim and kind == "equivariant" else ""
            raise CheckFailed(
                message
                or f"not {kind} under {name}: f(g·x) and "
                + ("f(x)" if kind == "invariant" else "g·f(x)")
                + " differ; "
                + _difference(moved, expected)
                + hint
            )


def expect_invariant(
    f: Callable[..., Any],
    g_in: Action | Callable[[Any], Any] | Sequence[Any],
    x: Any,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-8,
    message: str = "",
) -> None:
    """Fail unless ``f(g_in(x)) == f(x)`` (see :func:`expect_equivariant`)."""
    outs = [None] * len(g_in) if isinstance(g_in, list | tuple) else None
    expect_equivariant(f, g_in, outs, x, rtol=rtol, atol=atol, message=message)


# ------------------------------------------------------------ distributions


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


# ------------------------------------------------------------------ training


def expect_trains(
    history: Any,
    *,
    below: float,
    within: int | None = None,
    final: Any = None,
    monotone: bool = False,
    window: int = 1,
    rtol: float = 1e-6,
    message: str = "",
) -> None:
    """Fail unless a loss history shows training that works.

    Args:
        history: the loss after each step (the first entry: at the seeded
            initialisation), as returned by the student's training loop.
        below: the loss must reach this value ...
        within: ... within this many steps (``history[within]`` or earlier);
            ``None``: anywhere. The last entry must be below too.
        final: the loss of the returned parameters, recomputed independently
            (e.g. ``reference.loss(w, X, y)``); it must agree with the last
            entry, so a history cannot claim what the parameters do not do.
        monotone: every step must not increase the loss (full-batch gradient
            descent with a small step); otherwise only the trend counts.
        window: with ``monotone=False``, averages over this many steps must
            decrease from the first window to the last (noisy SGD losses).
        rtol: tolerance for ``final`` and for ``monotone``.
        message: replaces the generated message.
    """
    losses = _as_numeric(history, "the loss history").ravel()
    if losses.dtype.kind == "c":
        raise CheckFailed("the loss history is complex")
    if losses.size < 2:
        raise CheckFailed(message or "the loss history needs at least two entries")
    if not np.all(np.isfinite(losses)):
        step = int(np.flatnonzero(~np.isfinite(losses))[0])
        raise CheckFailed(
            message
            or f"the loss became {losses[step]} at step {step} (is the step size too large?)"
        )
    if monotone:
        rises = np.flatnonzero(np.diff(losses) > rtol * np.abs(losses[:-1]) + 1e-12)
        if rises.size:
            i = int(rises[0])
            raise CheckFailed(
                message or f"the loss rose at step {i + 1}: {losses[i]:.6g} -> {losses[i + 1]:.6g}"
            )
    w = max(1, min(window, losses.size // 2))
    start, end = float(np.mean(losses[:w])), float(np.mean(losses[-w:]))
    if not end < start:
        raise CheckFailed(
            message or f"the loss did not decrease: {start:.6g} at the start, {end:.6g} at the end"
        )
    reached = np.flatnonzero(losses <= below)
    if reached.size == 0:
        raise CheckFailed(
            message
            or f"the loss never reached {below:g} in {losses.size - 1} steps (lowest {losses.min():.6g})"
        )
    if within is not None and int(reached[0]) > within:
        raise CheckFailed(
            message
            or f"the loss reached {below:g} only after {int(reached[0])} steps; the budget is {within}"
        )
    if losses[-1] > below:
        raise CheckFailed(
            message or f"the loss ended at {losses[-1]:.6g}, above {below:g}, after reaching it"
        )
    if final is not None:
        recomputed = _scalar(final, "the recomputed loss")
        if not math.isclose(recomputed, float(losses[-1]), rel_tol=max(rtol, 1e-6), abs_tol=1e-9):
            raise CheckFailed(
                message
                or f"the last loss in the history, {losses[-1]:.6g}, is not the loss of the "
                f"returned parameters, {recomputed:.6g}"
            )


# ------------------------------------------------------------------- others


def expect_probabilities(p: Any, *, axis: int = -1, atol: float = 1e-8, message: str = "") -> None:
    """Fail unless ``p`` holds probabilities: finite, non-negative, summing to 1 along ``axis``."""
    array = _as_numeric(p, "your answer")
    if array.dtype.kind == "c" or not np.all(np.isfinite(array)):
        raise CheckFailed(message or "the probabilities contain NaN, infinite or complex values")
    if np.any(array < -atol):
        raise CheckFailed(message or f"a probability is negative: {float(array.min()):.6g}")
    sums = array.sum(axis=axis) if array.ndim else array
    if not np.allclose(
        sums, 1.0, atol=max(atol, 1e-8) * max(1, array.shape[axis] if array.ndim else 1)
    ):
        worst = float(np.ravel(sums)[int(np.argmax(np.abs(np.ravel(sums) - 1)))])
        raise CheckFailed(
            message or f"the probabilities do not sum to 1 along axis {axis} (e.g. {worst:.6g})"
        )


ML_HELPERS: dict[str, Any] = {
    "expect_gradient": expect_gradient,
    "expect_jacobian": expect_jacobian,
    "numerical_jacobian": numerical_jacobian,
    "expect_equivariant": expect_equivariant,
    "expect_invariant": expect_invariant,
    "expect_distribution": expect_distribution,
    "expect_trains": expect_trains,
    "expect_probabilities": expect_probabilities,
    "autocorrelation_time": autocorrelation_time,
    "shift": shift,
    "permute": permute,
    "rotate": rotate,
    "rotation_matrix": rotation_matrix,
    "translate": translate,
    "scale": scale,
    "each": each,
    "identity": identity,
}
