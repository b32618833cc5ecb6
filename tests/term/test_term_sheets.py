"""The term's sheets through the public engine: each builds, its reference
earns full points, its blank student version earns nothing, and each kept
typical wrong solution loses exactly the points its task says it should
(``kept``: what it still earns; ``also``: later tasks of the sheet that call
the wrong function).

False-failure rates of the stochastic checks, measured with
``sheetgrade sheet seeds SHEET --runs 50`` (the reference against each check
with seeds 1000-1049, on the builds of this commit's example course):

=====================  =====  ===============================================  ======
sheet                  check  what is random                                   failed
=====================  =====  ===============================================  ======
06-logistic            1c.2   initialisation of softmax regression (trains)    0/50
11-sampling            1a.2   Metropolis chain, KS after thinning by 2 tau     0/50
11-sampling            1b.2   2000 Langevin walkers, one-sample KS             0/50
12-flows-diffusion     1b.2   noise moved by the flow-matching ODE, KS         0/50
12-flows-diffusion     1c.2   forward-diffusion samples, KS                    0/50
=====================  =====  ===============================================  ======

Every distribution check states alpha = 1e-4: the probability that a correct
sampler with another seed fails it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from .conftest import TermGrader, with_cell


@dataclass(frozen=True)
class Wrong:
    """A typical wrong solution: code redefining a function, and the points of
    ``task`` it should still earn."""

    task: str
    label: str
    code: str
    kept: float = 0.0
    also: dict[str, float] = field(default_factory=dict)  # later tasks that use it: points kept


WRONG: dict[str, list[Wrong]] = {
    "04-classification": [
        Wrong(
            "1a",
            "unbiased covariance",
            "def qda_fit(X, y):\n"
            "    X = np.asarray(X, dtype=float)\n"
            "    ks = range(int(np.max(y)) + 1)\n"
            "    return (np.array([np.mean(y == k) for k in ks]),\n"
            "            np.array([X[y == k].mean(axis=0) for k in ks]),\n"
            "            np.array([np.cov(X[y == k].T) for k in ks]))\n",
        ),
        Wrong(
            "1a",
            "one pooled covariance (LDA)",
            "def qda_fit(X, y):\n"
            "    X = np.asarray(X, dtype=float)\n"
            "    ks = range(int(np.max(y)) + 1)\n"
            "    pooled = np.cov(X.T, bias=True)\n"
            "    return (np.array([np.mean(y == k) for k in ks]),\n"
            "            np.array([X[y == k].mean(axis=0) for k in ks]),\n"
            "            np.array([pooled for k in ks]))\n",
        ),
        Wrong(
            "1b",
            "priors left out of the posterior",
            "_qda_posterior = qda_posterior\n"
            "def qda_posterior(params, X):\n"
            "    priors, means, covs = params\n"
            "    return _qda_posterior((np.ones_like(priors) / len(priors), means, covs), X)\n",
            kept=2,
        ),
        Wrong(
            "1b",
            "exponentiated without subtracting the maximum",
            "def qda_posterior(params, X):\n"
            "    priors, means, covs = params\n"
            "    X = np.asarray(X, dtype=float)\n"
            "    dens = []\n"
            "    for prior, mu, cov in zip(priors, means, covs):\n"
            "        d = X - mu\n"
            "        m = np.einsum('ni,ij,nj->n', d, np.linalg.inv(cov), d)\n"
            "        dens.append(prior * np.exp(-0.5 * m) / np.sqrt(np.linalg.det(cov)))\n"
            "    dens = np.array(dens).T\n"
            "    return dens / dens.sum(axis=1, keepdims=True)\n",
            kept=3,
        ),
        Wrong(
            "1b",
            "decision ignores the loss matrix",
            "def bayes_decision(P, L):\n    return np.argmax(np.asarray(P), axis=1)\n",
            kept=3,
        ),
        Wrong(
            "1c",
            "Gini impurity without the squares",
            "def gini(y):\n"
            "    y = np.asarray(y)\n"
            "    return float(1.0 - np.sum(np.bincount(y) / max(y.size, 1)))\n",
        ),
        Wrong(
            "1c",
            "children's impurities not weighted by size",
            "def best_split(x, y):\n"
            "    x, y = np.asarray(x, dtype=float), np.asarray(y)\n"
            "    v = np.unique(x)\n"
            "    best = (None, np.inf)\n"
            "    for t in (v[:-1] + v[1:]) / 2:\n"
            "        imp = (gini(y[x <= t]) + gini(y[x > t])) / 2\n"
            "        if imp < best[1]:\n"
            "            best = (float(t), float(imp))\n"
            "    return best\n",
            kept=1,
        ),
    ],
    "05-model-selection": [
        Wrong(
            "1a",
            "remainder dropped",
            "def kfold_indices(n, k):\n"
            "    size = n // k\n"
            "    idx = np.arange(n)\n"
            "    return [(np.setdiff1d(idx, idx[i * size:(i + 1) * size]), idx[i * size:(i + 1) * size])\n"
            "            for i in range(k)]\n",
        ),
        Wrong(
            "1a",
            "test folds overlap (off by one)",
            "_kfold = kfold_indices\n"
            "def kfold_indices(n, k):\n"
            "    return [(train, np.append(test, min(test[-1] + 1, n - 1))) for train, test in _kfold(n, k)]\n",
        ),
        Wrong(
            "1b",
            "tested on the training data",
            "def cv_error(x, y, lam, k, degree=9):\n"
            "    Phi, y = poly_features(x, degree), np.asarray(y, dtype=float)\n"
            "    w = np.linalg.solve(Phi.T @ Phi + lam * np.eye(Phi.shape[1]), Phi.T @ y)\n"
            "    return float(np.mean((Phi @ w - y) ** 2))\n",
        ),
        Wrong(
            "1b",
            "errors summed over the folds",
            "_cv_error = cv_error\n"
            "def cv_error(x, y, lam, k, degree=9):\n"
            "    return k * _cv_error(x, y, lam, k, degree)\n",
        ),
        Wrong(
            "1c",
            "normal equations instead of the pseudo-inverse",
            "def min_norm_fit(Phi, y):\n"
            "    Phi = np.asarray(Phi, dtype=float)\n"
            "    return np.linalg.solve(Phi.T @ Phi + 1e-12 * np.eye(Phi.shape[1]), Phi.T @ y)\n",
            kept=2,  # its test errors are close enough; the minimum-norm check catches it
        ),
        Wrong(
            "1c",
            "a small ridge penalty instead of the minimum norm",
            "def min_norm_fit(Phi, y):\n"
            "    Phi = np.asarray(Phi, dtype=float)\n"
            "    return np.linalg.solve(Phi.T @ Phi + 1e-3 * np.eye(Phi.shape[1]), Phi.T @ y)\n",
        ),
    ],
    "06-logistic": [
        Wrong(
            "1a",
            "no maximum subtracted (overflow)",
            "def softmax(Z):\n"
            "    e = np.exp(np.asarray(Z, dtype=float))\n"
            "    return e / e.sum(axis=1, keepdims=True)\n",
            kept=1,
        ),
        Wrong(
            "1a",
            "normalised over the wrong axis",
            "def softmax(Z):\n"
            "    Z = np.asarray(Z, dtype=float)\n"
            "    e = np.exp(Z - Z.max(axis=0, keepdims=True))\n"
            "    return e / e.sum(axis=0, keepdims=True)\n",
            also={"1b": 1, "1c": 1},  # the gradient uses softmax
        ),
        Wrong(
            "1b",
            "gradient with a sign error",
            "_nll_grad = nll_grad\ndef nll_grad(W, X, Y):\n    return -_nll_grad(W, X, Y)\n",
            kept=1,
            also={"1c": 1},  # training uses the gradient
        ),
        Wrong(
            "1b",
            "gradient not divided by n",
            "def nll_grad(W, X, Y):\n"
            "    X = np.asarray(X)\n"
            "    return X.T @ (softmax(X @ np.asarray(W)) - np.asarray(Y))\n",
            kept=1,
            also={"1c": 1},
        ),
        Wrong(
            "1c",
            "history without the initial loss",
            "_fit = fit\n"
            "def fit(X, Y, lr, steps, seed):\n"
            "    W, history = _fit(X, Y, lr, steps, seed)\n"
            "    return W, history[1:]\n",
            kept=2,  # trains well: only the public check on the length catches it
        ),
        Wrong(
            "1c",
            "gradient ascent",
            "def fit(X, Y, lr, steps, seed):\n"
            "    W = np.random.default_rng(seed).normal(0, 0.1, size=(X.shape[1], Y.shape[1]))\n"
            "    history = [nll(W, X, Y)]\n"
            "    for _ in range(steps):\n"
            "        W = W + lr * nll_grad(W, X, Y)\n"
            "        history.append(nll(W, X, Y))\n"
            "    return W, history\n",
            kept=1,
        ),
    ],
    "07-mlp": [
        Wrong(
            "1a",
            "tanh derivative forgotten",
            "def mlp_grad(params, x, y):\n"
            "    h = np.tanh(x @ params['W1'] + params['b1'])\n"
            "    d_out = 2 * (h @ params['W2'] + params['b2'] - y) / len(y)\n"
            "    d_h = d_out @ params['W2'].T\n"
            "    return {'W1': x.T @ d_h, 'b1': d_h.sum(axis=0), 'W2': h.T @ d_out, 'b2': d_out.sum(axis=0)}\n",
            kept=1,
        ),
        Wrong(
            "1a",
            "gradient of the sum, not the mean",
            "_mlp_grad = mlp_grad\n"
            "def mlp_grad(params, x, y):\n"
            "    return {k: len(y) * v for k, v in _mlp_grad(params, x, y).items()}\n",
            kept=1,
        ),
        Wrong(
            "1b",
            "normalised per sample instead of per feature",
            "def batchnorm(X, eps=1e-5):\n"
            "    X = np.asarray(X, dtype=float)\n"
            "    mu, var = X.mean(axis=1, keepdims=True), X.var(axis=1, keepdims=True)\n"
            "    return (X - mu) / np.sqrt(var + eps)\n",
        ),
        Wrong(
            "1b",
            "divided by the variance",
            "def batchnorm(X, eps=1e-5):\n"
            "    X = np.asarray(X, dtype=float)\n"
            "    return (X - X.mean(axis=0)) / (X.var(axis=0) + eps)\n",
        ),
        Wrong(
            "1c",
            "Adam without bias correction",
            "def adam_step(w, m, s, g, t, lr, b1=0.9, b2=0.999, eps=1e-8):\n"
            "    g = np.asarray(g, dtype=float)\n"
            "    m = b1 * np.asarray(m) + (1 - b1) * g\n"
            "    s = b2 * np.asarray(s) + (1 - b2) * g**2\n"
            "    return np.asarray(w) - lr * m / (np.sqrt(s) + eps), m, s\n",
            kept=2,  # still descends the valley; the first-step comparison catches it
        ),
        Wrong(
            "1c",
            "momentum added with the wrong sign",
            "def momentum_step(w, v, g, lr, beta=0.9):\n"
            "    v = beta * np.asarray(v) - np.asarray(g)\n"
            "    return np.asarray(w) - lr * v, v\n",
        ),
    ],
    "08-cnn": [
        Wrong(
            "1a",
            "zero padding instead of periodic",
            "def conv1d(x, k):\n"
            "    return np.convolve(np.asarray(x, dtype=float), np.asarray(k, dtype=float)[::-1], mode='same')\n",
            also={"1b": 0},  # the features convolve
        ),
        Wrong(
            "1a",
            "kernel flipped (a convolution, not a cross-correlation)",
            "_conv1d = conv1d\n"
            "def conv1d(x, k):\n    return _conv1d(x, np.asarray(k, dtype=float)[::-1])\n",
            also={"1b": 0},
        ),
        Wrong(
            "1b",
            "feature maps flattened instead of pooled",
            "def features(x, kernels):\n"
            "    return np.concatenate([np.maximum(conv1d(x, k), 0.0) for k in kernels])\n",
        ),
        Wrong(
            "1b",
            "pooled over half of the ring",
            "def features(x, kernels):\n"
            "    return np.array([np.max(np.maximum(conv1d(x, k), 0.0)[:32]) for k in kernels])\n",
        ),
        Wrong(
            "1c",
            "one shift left out",
            "def shift_average(w, x):\n"
            "    w, x = np.asarray(w, dtype=float), np.asarray(x, dtype=float)\n"
            "    return float(np.mean([w @ np.roll(x, s) for s in range(len(x) - 1)]))\n",
        ),
        Wrong(
            "1c",
            "summed instead of averaged",
            "_shift_average = shift_average\n"
            "def shift_average(w, x):\n    return len(x) * _shift_average(w, x)\n",
        ),
    ],
    "09-embeddings-vae": [
        Wrong(
            "1a",
            "no temperature calibration (beta = 1)",
            "def affinities(D2, perplexity):\n"
            "    D2 = np.asarray(D2, dtype=float)\n"
            "    W = np.exp(-(D2 - D2.min(axis=1, keepdims=True)))\n"
            "    np.fill_diagonal(W, 0.0)\n"
            "    return W / W.sum(axis=1, keepdims=True)\n",
        ),
        Wrong(
            "1a",
            "each point its own neighbour",
            "_affinities = affinities\n"
            "def affinities(D2, perplexity):\n"
            "    P = _affinities(D2, perplexity) + 0.05 * np.eye(len(D2))\n"
            "    return P / P.sum(axis=1, keepdims=True)\n",
        ),
        Wrong(
            "1b",
            "factor 1/2 missing",
            "_gaussian_kl = gaussian_kl\n"
            "def gaussian_kl(mu, logvar):\n    return 2 * _gaussian_kl(mu, logvar)\n",
        ),
        Wrong(
            "1b",
            "standard deviation used as the variance",
            "def gaussian_kl(mu, logvar):\n"
            "    mu, logvar = np.asarray(mu, dtype=float), np.asarray(logvar, dtype=float)\n"
            "    return 0.5 * np.sum(np.exp(logvar / 2) + mu**2 - 1.0 - logvar, axis=1)\n",
        ),
        Wrong(
            "1c",
            "KL added instead of subtracted",
            "_elbo = elbo\n"
            "def elbo(x, m, s2, w, b, sigma2):\n"
            "    return _elbo(x, m, s2, w, b, sigma2) + (s2 + m**2 - 1.0 - np.log(s2))\n",
        ),
        Wrong(
            "1c",
            "variance of q left out of the expected log-likelihood",
            "_elbo = elbo\n"
            "def elbo(x, m, s2, w, b, sigma2):\n"
            "    w = np.asarray(w, dtype=float)\n"
            "    return _elbo(x, m, s2, w, b, sigma2) + s2 * (w @ w) / (2 * sigma2)\n",
        ),
    ],
    "10-gnn-attention": [
        Wrong(
            "1a",
            "neighbours along the atom list instead of the bonds",
            "def message_passing(H, A, W):\n"
            "    H = np.asarray(H, dtype=float)\n"
            "    mean = (np.roll(H, 1, axis=0) + H + np.roll(H, -1, axis=0)) / 3\n"
            "    return np.tanh(mean @ np.asarray(W, dtype=float))\n",
        ),
        Wrong(
            "1a",
            "sum instead of mean (no normalisation)",
            "def message_passing(H, A, W):\n"
            "    A_loop = np.asarray(A, dtype=float) + np.eye(len(A))\n"
            "    return np.tanh(A_loop @ np.asarray(H, dtype=float) @ np.asarray(W, dtype=float))\n",
            kept=1,  # still equivariant
        ),
        Wrong(
            "1b",
            "scale 1/sqrt(d) missing",
            "def attention(Q, K, V):\n"
            "    Q, K, V = (np.asarray(M, dtype=float) for M in (Q, K, V))\n"
            "    s = Q @ K.T\n"
            "    e = np.exp(s - s.max(axis=1, keepdims=True))\n"
            "    return e / e.sum(axis=1, keepdims=True) @ V\n",
        ),
        Wrong(
            "1b",
            "softmax over the queries",
            "def attention(Q, K, V):\n"
            "    Q, K, V = (np.asarray(M, dtype=float) for M in (Q, K, V))\n"
            "    s = Q @ K.T / np.sqrt(Q.shape[1])\n"
            "    e = np.exp(s - s.max(axis=0, keepdims=True))\n"
            "    return e / e.sum(axis=0, keepdims=True) @ V\n",
        ),
        Wrong(
            "1c",
            "mask applied after the softmax",
            "def causal_attention(Q, K, V):\n"
            "    Q, K, V = (np.asarray(M, dtype=float) for M in (Q, K, V))\n"
            "    s = Q @ K.T / np.sqrt(Q.shape[1])\n"
            "    e = np.exp(s - s.max(axis=1, keepdims=True))\n"
            "    return np.tril(e / e.sum(axis=1, keepdims=True)) @ V\n",
        ),
        Wrong(
            "1c",
            "the diagonal masked too",
            "def causal_attention(Q, K, V):\n"
            "    Q, K, V = (np.asarray(M, dtype=float) for M in (Q, K, V))\n"
            "    s = Q @ K.T / np.sqrt(Q.shape[1])\n"
            "    s = np.where(np.tril(np.ones_like(s, dtype=bool), -1), s, -np.inf)\n"
            "    e = np.exp(s - s.max(axis=1, keepdims=True))\n"
            "    return e / e.sum(axis=1, keepdims=True) @ V\n",
        ),
    ],
    "11-sampling": [
        Wrong(
            "1a",
            "only accepted moves recorded",
            "def metropolis(x0, steps, step_size, beta, seed):\n"
            "    rng = np.random.default_rng(seed)\n"
            "    x, chain = float(x0), []\n"
            "    for _ in range(steps):\n"
            "        y = x + step_size * rng.normal()\n"
            "        if rng.random() < np.exp(-beta * (U(y) - U(x))):\n"
            "            x = y\n"
            "            chain.append(x)\n"
            "    return np.array(chain)\n",
        ),
        Wrong(
            "1a",
            "temperature ignored (beta = 1)",
            "_metropolis = metropolis\n"
            "def metropolis(x0, steps, step_size, beta, seed):\n"
            "    return _metropolis(x0, steps, step_size, 1.0, seed)\n",
            kept=1,
        ),
        Wrong(
            "1b",
            "force with the wrong sign",
            "def grad_U(x):\n    return -(4 * x * (x**2 - 1) - tilt)\n",
        ),
        Wrong(
            "1b",
            "noise without the temperature",
            "def langevin(x, steps, eps, beta, seed):\n"
            "    rng = np.random.default_rng(seed)\n"
            "    x = np.array(x, dtype=float)\n"
            "    for _ in range(steps):\n"
            "        x = x - eps * grad_U(x) + np.sqrt(2 * eps) * rng.normal(size=x.shape)\n"
            "    return x\n",
            kept=1,
        ),
        Wrong(
            "1c",
            "data and model terms swapped",
            "def nll_grad(theta, data, model_samples):\n"
            "    return energy_features(model_samples).mean(axis=0) - energy_features(data).mean(axis=0)\n",
        ),
        Wrong(
            "1c",
            "sums instead of averages",
            "def nll_grad(theta, data, model_samples):\n"
            "    return energy_features(data).sum(axis=0) - energy_features(model_samples).sum(axis=0)\n",
        ),
    ],
    "12-flows-diffusion": [
        Wrong(
            "1a",
            "log-determinant with the wrong sign",
            "_coupling_forward = coupling_forward\n"
            "def coupling_forward(x, p):\n"
            "    y, logdet = _coupling_forward(x, p)\n"
            "    return y, -logdet\n",
        ),
        Wrong(
            "1a",
            "inverse multiplies by the scale instead of dividing",
            "def coupling_inverse(y, p):\n"
            "    y = np.asarray(y, dtype=float)\n"
            "    s = p['a'] * np.tanh(p['w'] * y[:, 0] + p['b'])\n"
            "    return np.column_stack([y[:, 0], (y[:, 1] - p['c'] * y[:, 0] - p['d']) * np.exp(s)])\n",
            kept=1,
        ),
        Wrong(
            "1b",
            "velocity always taken at t = 0",
            "def euler_flow(x, mu, sigma, steps):\n"
            "    x = np.array(x, dtype=float)\n"
            "    for _ in range(steps):\n"
            "        x = x + exact_velocity(x, 0.0, mu, sigma) / steps\n"
            "    return x\n",
            kept=1,
        ),
        Wrong(
            "1b",
            "regression target reversed",
            "def fm_target(x0, x1, t):\n"
            "    x0, x1 = np.asarray(x0, dtype=float), np.asarray(x1, dtype=float)\n"
            "    return (1 - t) * x0 + t * x1, x0 - x1\n",
            kept=2,
        ),
        Wrong(
            "1c",
            "one minus the sum instead of the product",
            "def alpha_bar(betas):\n    return 1.0 - np.cumsum(np.asarray(betas, dtype=float))\n",
        ),
        Wrong(
            "1c",
            "variance used as the noise scale",
            "def diffuse(x0, t, betas, seed):\n"
            "    x0 = np.asarray(x0, dtype=float)\n"
            "    a = alpha_bar(betas)[t - 1]\n"
            "    return np.sqrt(a) * x0 + (1 - a) * np.random.default_rng(seed).normal(size=x0.shape)\n",
            kept=1,
        ),
    ],
    "13-equivariant-kernels": [
        Wrong(
            "1a",
            "distances not sorted",
            "def distance_descriptor(X):\n"
            "    X = np.asarray(X, dtype=float)\n"
            "    i, j = np.triu_indices(len(X), k=1)\n"
            "    return np.linalg.norm(X[i] - X[j], axis=1)\n",
            kept=1,
        ),
        Wrong(
            "1a",
            "coordinates relative to the first atom",
            "def distance_descriptor(X):\n"
            "    X = np.asarray(X, dtype=float)\n"
            "    return (X[1:] - X[0]).ravel()\n",
        ),
        Wrong(
            "1b",
            "only half of the group",
            "def haar_kernel(X, Y, gamma, n_rot):\n"
            "    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)\n"
            "    total = 0.0\n"
            "    for k in range(n_rot // 2):\n"
            "        c, s = np.cos(2 * np.pi * k / n_rot), np.sin(2 * np.pi * k / n_rot)\n"
            "        total += np.exp(-gamma * np.sum((X - Y @ np.array([[c, s], [-s, c]])) ** 2))\n"
            "    return float(total / (n_rot // 2))\n",
        ),
        Wrong(
            "1b",
            "both molecules rotated together",
            "def haar_kernel(X, Y, gamma, n_rot):\n"
            "    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)\n"
            "    total = 0.0\n"
            "    for k in range(n_rot):\n"
            "        c, s = np.cos(2 * np.pi * k / n_rot), np.sin(2 * np.pi * k / n_rot)\n"
            "        R = np.array([[c, s], [-s, c]])\n"
            "        total += np.exp(-gamma * np.sum((X @ R - Y @ R) ** 2))\n"
            "    return float(total / n_rot)\n",
        ),
        Wrong(
            "1c",
            "penalty left out",
            "def krr_fit(K, y, lam):\n"
            "    return np.linalg.solve(np.asarray(K, dtype=float), np.asarray(y, dtype=float))\n",
        ),
        Wrong(
            "1c",
            "prediction with the transposed kernel",
            "def krr_predict(K_test, alpha):\n"
            "    return np.asarray(K_test, dtype=float).T @ np.asarray(alpha, dtype=float)\n",
            kept=1,
        ),
    ],
}

SHEETS = list(WRONG)
CASES = [(sheet, w) for sheet, wrongs in WRONG.items() for w in wrongs]


@pytest.mark.parametrize("sheet_id", SHEETS)
def test_reference_full_and_blank_nothing(term: TermGrader, sheet_id: str) -> None:
    bundle = term.build(sheet_id)
    full = {t.id: t.points for t in bundle.tasks if t.kind == "auto"}
    assert 2 <= len(full) <= 4
    assert 1 <= sum(1 for t in bundle.tasks if t.kind == "manual") <= 2
    assert term.grade(sheet_id, term.reference_notebook(sheet_id)) == full, term.messages
    blank = term.grade(sheet_id, term.student_notebook(sheet_id))
    assert blank == {task: 0.0 for task in full}


@pytest.mark.parametrize(
    ("sheet_id", "wrong"), CASES, ids=[f"{s}-{w.task}-{w.label}" for s, w in CASES]
)
def test_wrong_solution_loses_its_points(term: TermGrader, sheet_id: str, wrong: Wrong) -> None:
    bundle = term.build(sheet_id)
    full = {t.id: t.points for t in bundle.tasks if t.kind == "auto"}
    affected = (wrong.task, *wrong.also)
    nb = with_cell(term.reference_notebook(sheet_id), wrong.code)
    got = term.grade(sheet_id, nb, tasks=affected)
    assert got == {task: full[task] for task in affected} | {
        wrong.task: wrong.kept,
        **wrong.also,
    }, term.messages


def test_release_index_lists_topic_and_lectures(term: TermGrader) -> None:
    from click.testing import CliRunner

    from sheetgrade.cli.main import cli

    for sheet_id in ("04-classification", "07-mlp"):
        term.build(sheet_id)
        result = CliRunner().invoke(
            cli, ["--course", str(term.root), "sheet", "release", sheet_id], catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
    html = (term.root / "release" / "index.html").read_text(encoding="utf-8")
    assert '<p class="topic">Lectures 6–7 · Statistical decision theory' in html
    assert '<p class="topic">Lectures 10–12 · MLPs, backpropagation' in html


def test_seed_sweep_reruns_stochastic_checks(term: TermGrader) -> None:
    from click.testing import CliRunner

    from sheetgrade.cli.main import cli

    term.build("06-logistic")
    result = CliRunner().invoke(
        cli, ["--course", str(term.root), "sheet", "seeds", "06", "--runs", "3"]
    )
    assert result.exit_code == 0, result.output
    assert "1c.2  1c    1000-1002  0/3" in result.stdout
    assert "1 stochastic checks, 3 seeds each: no failure" in result.stdout
    none = CliRunner().invoke(cli, ["--course", str(term.root), "sheet", "seeds", "04"])
    assert none.exit_code == 0
    assert "04-classification: no check has a `SEED = <number>` line" in none.stdout
