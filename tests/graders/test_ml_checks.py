"""The ML-aware native checks on plain callables and data: right answers pass,
the typical wrong ones fail with a message that names the mistake."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sheetgrade.graders.compare import CheckFailed
from sheetgrade.graders.harness import LiveTarget, RecordedReference, run_test
from sheetgrade.graders.ml_checks import (
    autocorrelation_time,
    each,
    expect_distribution,
    expect_equivariant,
    expect_gradient,
    expect_invariant,
    expect_jacobian,
    expect_probabilities,
    expect_trains,
    identity,
    permute,
    rotate,
    shift,
    translate,
)
from sheetgrade.sheets.model import TestCase as Case

RNG = np.random.default_rng(3)
X = RNG.normal(size=(20, 3))
Y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * RNG.normal(size=20)


def mse(w, X, y):
    return float(np.mean((X @ w - y) ** 2))


def mse_grad(w, X, y):
    return 2 * X.T @ (X @ w - y) / len(y)


# ------------------------------------------------------------------ gradients


def test_gradient_right_passes():
    expect_gradient(mse, mse_grad, np.array([0.3, 0.1, -0.2]), args=(X, Y))


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda w, X, y: -mse_grad(w, X, y), "sign error"),
        (lambda w, X, y: X.T @ (X @ w - y) / len(y), "factor 2 too small"),
        (lambda w, X, y: 2 * X.T @ (X @ w - y), ""),  # missing normalisation
        (lambda w, X, y: np.roll(mse_grad(w, X, y), 1), ""),  # off by one index
    ],
)
def test_gradient_wrong_fails(wrong, hint):
    with pytest.raises(CheckFailed, match="finite differences") as info:
        expect_gradient(mse, wrong, np.array([0.3, 0.1, -0.2]), args=(X, Y))
    assert hint in str(info.value)


def test_gradient_of_parameter_dict_and_wrong_shape():
    def loss(p):
        return float(np.sum(p["W"] ** 2) + 3 * p["b"][0])

    def grad(p):
        return {"W": 2 * p["W"], "b": np.array([3.0])}

    params = {"W": RNG.normal(size=(4, 5)), "b": np.array([0.5])}
    expect_gradient(loss, grad, params, directions=5)
    with pytest.raises(CheckFailed, match="entries"):
        expect_gradient(loss, lambda p: 2 * p["W"], params)
    with pytest.raises(CheckFailed, match="NaN"):
        expect_gradient(loss, lambda p: {"W": p["W"] * np.nan, "b": p["b"]}, params)


def test_gradient_loss_must_be_a_number():
    with pytest.raises(CheckFailed, match="single number"):
        expect_gradient(lambda w: w**2, lambda w: 2 * w, np.ones(3))


def test_jacobian():
    def f(x):
        return np.array([x[0] * x[1], np.sin(x[1])])

    def jac(x):
        return np.array([[x[1], x[0]], [0.0, np.cos(x[1])]])

    expect_jacobian(f, jac, np.array([0.4, 1.3]))
    with pytest.raises(CheckFailed, match="finite differences"):
        expect_jacobian(f, lambda x: jac(x).T, np.array([0.4, 1.3]))


# ----------------------------------------------------------------- symmetries


KERNEL = np.array([1.0, -2.0, 0.5])


def conv_periodic(x, k=KERNEL):
    return sum(w * np.roll(x, i - 1) for i, w in enumerate(k))


def conv_zero_padded(x, k=KERNEL):
    return np.convolve(x, k[::-1], mode="same")


def test_shift_equivariance_and_padding_hint():
    signal = RNG.normal(size=32)
    expect_equivariant(conv_periodic, shift(5), shift(5), signal)
    with pytest.raises(CheckFailed, match="padding") as info:
        expect_equivariant(conv_zero_padded, shift(5), shift(5), signal)
    assert "not equivariant under a cyclic shift by 5" in str(info.value)


def test_permutation_of_graphs():
    n = 6
    A = (RNG.random((n, n)) < 0.5).astype(float)
    A = np.triu(A, 1)
    A = A + A.T
    H = RNG.normal(size=(n, 2))
    p = RNG.permutation(n)

    def layer(H, A):
        return np.tanh(A @ H + H)

    def positional(H, A):
        return np.tanh(A @ H + np.arange(len(H))[:, None])

    g_in = each(permute(p), permute(p, axes=(0, 1)))
    expect_equivariant(layer, g_in, permute(p), (H, A))
    with pytest.raises(CheckFailed, match="not equivariant"):
        expect_equivariant(positional, g_in, permute(p), (H, A))
    expect_invariant(lambda H, A: layer(H, A).sum(axis=0), g_in, (H, A))


def test_rotation_and_lists_of_group_elements():
    points = RNG.normal(size=(7, 2))

    def distances(x):
        return np.linalg.norm(x[:, None] - x[None], axis=-1)

    angles = [0.3, 1.1, 2.5]
    expect_invariant(distances, [rotate(a) for a in angles], points)
    expect_invariant(distances, translate([1.0, -2.0]), points)
    with pytest.raises(
        CheckFailed, match="invariant under a rotation by 0.3 rad: f.g·x. and f.x. differ"
    ):
        expect_invariant(lambda x: x[:, 0] ** 2, [rotate(a) for a in angles], points)
    with pytest.raises(CheckFailed, match="same number"):
        expect_equivariant(distances, [identity, identity], [identity], points)
    R = rotate(0.7, axis=[0, 0, 1])
    expect_equivariant(lambda v: 2 * v, R, R, RNG.normal(size=(5, 3)))


def test_softmax_shift_invariance():
    def softmax(z):
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    z = RNG.normal(size=(4, 5))
    expect_invariant(softmax, translate(3.0), z)
    with pytest.raises(CheckFailed, match="not invariant"):
        expect_invariant(lambda z: np.exp(z) / 5, translate(3.0), z)
    expect_probabilities(softmax(z))
    with pytest.raises(CheckFailed, match="sum to 1"):
        expect_probabilities(np.exp(z) / np.exp(z).sum())
    with pytest.raises(CheckFailed, match="negative"):
        expect_probabilities(np.array([1.2, -0.2]))


# -------------------------------------------------------------- distributions


def test_one_sample_and_two_sample():
    rng = np.random.default_rng(0)
    expect_distribution(rng.normal(size=2000), stats.norm())
    expect_distribution(rng.normal(size=2000), stats.norm().cdf)
    expect_distribution(rng.normal(size=(1500, 2)), rng.normal(size=(3000, 2)))
    with pytest.raises(CheckFailed, match="Kolmogorov-Smirnov") as info:
        expect_distribution(rng.normal(scale=1.3, size=2000), stats.norm())
    assert "probability 0.0001" in str(info.value)
    with pytest.raises(CheckFailed, match="along"):
        cov = np.array([[1.0, 0.8], [0.8, 1.0]])  # right marginals, wrong correlation
        expect_distribution(
            rng.multivariate_normal([0, 0], cov, size=2000), rng.normal(size=(3000, 2))
        )


def test_correlated_chains_are_thinned():
    rng = np.random.default_rng(1)
    from scipy.signal import lfilter

    noise = np.sqrt(1 - 0.81) * rng.normal(size=20000)
    chain = lfilter([1.0], [1.0, -0.9], noise)  # AR(1), stationary N(0, 1) after burn-in
    chain = chain[200:]
    tau = autocorrelation_time(chain)
    assert 12 < tau < 26  # (1 + 0.9) / (1 - 0.9) = 19
    expect_distribution(chain, stats.norm(), correlated=True)
    with pytest.raises(CheckFailed, match="nearly independent"):
        expect_distribution(chain[:800], stats.norm(), correlated=True)


def test_discrete():
    rng = np.random.default_rng(2)
    probs = {-1: 0.2, 0: 0.5, 1: 0.3}
    samples = rng.choice([-1, 0, 1], p=[0.2, 0.5, 0.3], size=3000)
    expect_distribution(samples, probs)
    with pytest.raises(CheckFailed, match="chi-square"):
        expect_distribution(rng.choice([-1, 0, 1], size=3000), probs)
    with pytest.raises(CheckFailed, match="values the distribution does not have"):
        expect_distribution(np.append(samples, 2), probs)


def test_bad_samples():
    with pytest.raises(CheckFailed, match="NaN"):
        expect_distribution(np.array([0.0, np.nan] * 100), stats.norm())
    with pytest.raises(CheckFailed, match="at least 50"):
        expect_distribution(np.zeros(10), stats.norm())


# ------------------------------------------------------------------- training


def test_trains():
    losses = 2.0 * 0.9 ** np.arange(60)
    expect_trains(losses, below=0.01, within=60, monotone=True, final=losses[-1])
    with pytest.raises(CheckFailed, match="only after"):
        expect_trains(losses, below=0.01, within=20)
    with pytest.raises(CheckFailed, match="never reached"):
        expect_trains(losses, below=1e-6)
    with pytest.raises(CheckFailed, match="not the loss of the returned parameters"):
        expect_trains(losses, below=0.01, final=0.5)
    with pytest.raises(CheckFailed, match="did not decrease"):
        expect_trains(losses[::-1], below=5.0)
    with pytest.raises(CheckFailed, match="rose at step 3"):
        expect_trains([1.0, 0.5, 0.4, 0.45, 0.01], below=0.1, monotone=True)
    with pytest.raises(CheckFailed, match="step size"):
        expect_trains([1.0, 10.0, np.inf], below=0.1)
    noisy = losses + 0.05 * np.random.default_rng(0).random(60)
    expect_trains(noisy, below=0.1, window=10)


# ------------------------------------------------- through the native harness

CHECK = """
X = np.array([[1.0, 2.0], [0.5, -1.0], [2.0, 0.0]])
y = np.array([1.0, 0.0, 2.0])
expect_gradient(student.loss, student.grad, np.array([0.2, -0.4]), args=(X, y))
SEED = 4
w, history = student.fit(X, y, steps=100, seed=SEED)
expect_trains(history, below=0.3, within=100, monotone=True, final=student.loss(w, X, y))
"""

FIT = """
def fit(X, y, steps, seed):
    w = np.random.default_rng(seed).normal(size=X.shape[1])
    history = [loss(w, X, y)]
    for _ in range(steps):
        w = w - 0.1 * grad(w, X, y)
        history.append(loss(w, X, y))
    return w, history
"""


def _namespace(grad_source: str) -> dict:
    namespace: dict = {"np": np}
    exec("def loss(w, X, y):\n    return float(np.mean((X @ w - y) ** 2))\n", namespace)
    exec(grad_source, namespace)
    exec(FIT, namespace)
    return namespace


@pytest.mark.parametrize(
    ("grad", "passed"),
    [
        ("def grad(w, X, y):\n    return 2 * X.T @ (X @ w - y) / len(y)\n", True),
        ("def grad(w, X, y):\n    return 2 * X.T @ (X @ w - y)\n", False),
        ("def grad(w, X, y):\n    return -2 * X.T @ (X @ w - y) / len(y)\n", False),
    ],
)
def test_native_check_calls_the_students_functions(grad, passed):
    test = Case(id="1a-1", task="1a", points=2, hidden=False, kind="native", code=CHECK)
    outcome = run_test(test, LiveTarget(_namespace(grad)), RecordedReference({}))
    assert outcome.passed is passed, outcome.message
    if not passed:
        assert "finite differences" in outcome.message
