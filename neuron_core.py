"""One neuron, ``y_hat = w*x + b``, learning Celsius to Fahrenheit by gradient descent.

The shared library of the course. Every notebook does ``import neuron_core as nc``.

The file reads in the order of the course:

1. Data: the true rule, the course's dataset, the article's dataset, input scaling.
2. The neuron: ``forward``, ``mse``, ``gradients``, ``numerical_gradients``, ``step``.
3. Training: ``History``, ``train`` (full-batch gradient descent), ``closed_form``, the
   curvature (``hessian``) and ``lr_threshold``.
4. The article's own per-sample loop, kept for comparison.
5. Exercise checks: friendly feedback on the learner's own functions.
6. Input checking: the plumbing that turns bad input into a clear error.

All of it needs numpy only, and every function takes values and returns new values. The plots
and the interactive explorers live in ``neuron_ui.py`` (matplotlib, ipywidgets); they are
re-exported here lazily, so ``nc.plot_losses`` works, but ``import neuron_core`` alone loads
neither matplotlib nor ipywidgets.

A note on sums: a sum of products is written ``np.sum(a * b)``, not ``a @ b``. The ``@`` goes to
BLAS, whose order of additions depends on the CPU; ``np.sum`` adds pairwise in the same order on
every machine, so the notebooks print the same digits everywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "TRUE_W", "TRUE_B", "SCALE", "HELD_OUT_CELSIUS",
    "ARTICLE_CELSIUS", "ARTICLE_X", "ARTICLE_Y", "ARTICLE_LR", "ARTICLE_EPOCHS",
    "ARTICLE_W", "ARTICLE_B", "ARTICLE_PRINTED_LOSSES",
    "celsius_to_fahrenheit", "make_dataset", "scale_inputs", "unscale_params",
    "forward", "mse", "gradients", "numerical_gradients", "step",
    "EXPLODED", "History", "train", "closed_form", "hessian", "lr_threshold", "article_model",
    "check_unscale", "check_forward", "check_mse", "check_gradients", "check_step",
    "check_threshold", "check_settings",
]

# The plots and explorers, defined in neuron_ui.py and loaded on first use (see __getattr__).
_UI_NAMES = (
    "STYLE", "COLORS", "PLAY_FRAMES", "PLAY_FPS",
    "plot_data", "plot_fit", "plot_losses", "plot_loss_surface", "plot_loss_slice",
    "plot_training", "hand_fit_explorer", "step_explorer", "training_explorer",
)


def _read_only(values):
    """A constant array that a learner's experiment cannot change by accident."""
    values = np.array(values, dtype=float)
    values.flags.writeable = False
    return values


# ---------------------------------------------------------------------------------------------
# 1. Data
# ---------------------------------------------------------------------------------------------

TRUE_W = 1.8  # degrees Fahrenheit per degree Celsius
TRUE_B = 32.0  # degrees Fahrenheit at 0 degrees Celsius
SCALE = 100.0  # the course feeds the neuron x = celsius / SCALE, as the article does
HELD_OUT_CELSIUS = _read_only([100.0, 37.0])  # boiling water and body temperature: never trained

# The article "A Neural Net From Scratch": nine readings from -40 to 40 degrees Celsius, divided
# by 100, and targets that are 1.8 * (celsius / 100) + 32: not the Fahrenheit temperatures.
ARTICLE_CELSIUS = _read_only(np.arange(-40.0, 41.0, 10.0))
ARTICLE_X = _read_only(ARTICLE_CELSIUS / 100)
ARTICLE_Y = _read_only([31.28, 31.46, 31.64, 31.82, 32.0, 32.18, 32.36, 32.54, 32.72])
ARTICLE_LR = 0.1
ARTICLE_EPOCHS = 50
ARTICLE_W = 1.7986596334086586  # as the article prints them after its 50 epochs
ARTICLE_B = 31.999543280738333
ARTICLE_PRINTED_LOSSES = {  # epoch: the "loss" the article prints
    0: 998.7760000000001, 1: 678.2142745600001, 2: 400.5283809648645,
    47: 0.7345516170916814, 48: 0.7323773915041649, 49: 0.7343447652825804,
}


def celsius_to_fahrenheit(celsius):
    """The true rule, ``F = 1.8*C + 32``, elementwise.

    >>> celsius_to_fahrenheit(100.0)
    212.0
    >>> celsius_to_fahrenheit([-40.0, 37.0]).round(1).tolist()
    [-40.0, 98.6]
    """
    celsius = _values("celsius", celsius)
    return _same_kind(TRUE_W * celsius + TRUE_B)


def make_dataset(n=9, low=-40.0, high=40.0, noise=0.0, seed=0):
    """``n`` evenly spaced Celsius readings and their Fahrenheit values.

    ``noise`` is the standard deviation, in degrees Fahrenheit, of a thermometer's error added to
    each value; ``seed`` makes that noise the same on every run.

    >>> celsius, fahrenheit = make_dataset(n=3)
    >>> celsius.tolist(), fahrenheit.tolist()
    ([-40.0, 0.0, 40.0], [-40.0, 32.0, 104.0])
    """
    n = _count("n", n, minimum=2)
    low, high = _scalar("low", low), _scalar("high", high)
    if not low < high:
        raise ValueError(f"low must be below high, got low={low}, high={high}")
    noise = _scalar("noise", noise)
    if noise < 0:
        raise ValueError(f"noise must be a standard deviation >= 0, got {noise}")
    seed = _count("seed", seed)
    celsius = np.linspace(low, high, n)
    fahrenheit = celsius_to_fahrenheit(celsius)
    if noise > 0:
        fahrenheit = fahrenheit + np.random.default_rng(seed).normal(0.0, noise, n)
    return celsius, fahrenheit


def scale_inputs(celsius, scale=SCALE):
    """The neuron's input ``x = celsius / scale``: small numbers keep gradient descent stable.

    >>> scale_inputs([100.0, 37.0]).tolist()
    [1.0, 0.37]
    """
    return _same_kind(_values("celsius", celsius) / _positive("scale", scale))


def unscale_params(w, b, scale=SCALE):
    """``(w, b)`` learned on ``x = celsius / scale``, turned into Celsius units.

    ``w*(C/scale) + b`` is ``(w/scale)*C + b``: the slope shrinks, the intercept stays.

    >>> unscale_params(180.0, 32.0)
    (1.8, 32.0)
    """
    return _scalar("w", w) / _positive("scale", scale), _scalar("b", b)


# ---------------------------------------------------------------------------------------------
# 2. The neuron
# ---------------------------------------------------------------------------------------------


def forward(x, w, b):
    """The neuron's prediction ``y_hat = w*x + b``, elementwise, for a scalar or an array.

    >>> forward(0.2, w=180.0, b=32.0)
    68.0
    >>> forward([0.0, 1.0], w=180.0, b=32.0).tolist()
    [32.0, 212.0]
    """
    x, w, b = _values("x", x), _scalar("w", w), _scalar("b", b)
    with np.errstate(all="ignore"):
        y_hat = w * x + b
    _finite_result(y_hat, "forward", "w*x + b overflows float64: w, b or x is too large")
    return _same_kind(y_hat)


def mse(y_hat, y):
    """Mean squared error: the average of ``(y_hat - y)**2``, as a Python float.

    >>> mse([31.0, 33.0], [32.0, 32.0])
    1.0
    """
    y_hat, y = _pair(y_hat, y, names=("y_hat", "y"))
    with np.errstate(all="ignore"):
        r = y_hat - y
        loss = float(np.sum(r * r)) / len(r)
    _finite_result(loss, "mse", "the squared errors overflow float64: y_hat is far too large")
    return loss


def gradients(x, y, w, b, reduction="mean"):
    """The analytic gradient ``(dw, db)`` of the loss, by the chain rule.

    With ``r = w*x + b - y``, the MSE's gradient is ``dw = 2*mean(r*x)``, ``db = 2*mean(r)``.
    ``reduction="sum"`` gives the gradient of the *summed* squared error, ``n`` times larger,
    as the article computes it.

    >>> gradients([0.0, 1.0], [32.0, 212.0], w=180.0, b=32.0)
    (0.0, 0.0)
    >>> gradients([0.0, 1.0], [32.0, 212.0], w=179.0, b=32.0)
    (-1.0, -1.0)
    """
    x, y = _pair(x, y)
    w, b = _scalar("w", w), _scalar("b", b)
    per_sample = _per_sample_factor(reduction, len(x))  # 2/n for the mean, 2 for the sum
    with np.errstate(all="ignore"):
        r = w * x + b - y
        dw, db = per_sample * float(np.sum(r * x)), per_sample * float(np.sum(r))
    _finite_result((dw, db), "gradients", "the gradient overflows float64: w or b is too large")
    return dw, db


def numerical_gradients(x, y, w, b, h=1e-6):
    """``(dw, db)`` of the MSE by central differences: nudge each parameter by ``h`` both ways.

    >>> dw, db = numerical_gradients([0.0, 1.0], [32.0, 212.0], w=179.0, b=32.0)
    >>> round(dw, 6), round(db, 6)
    (-1.0, -1.0)
    """
    x, y = _pair(x, y)
    w, b, h = _scalar("w", w), _scalar("b", b), _positive("h", h)

    def loss(w, b):
        return mse(forward(x, w, b), y)

    dw = (loss(w + h, b) - loss(w - h, b)) / (2 * h)
    db = (loss(w, b + h) - loss(w, b - h)) / (2 * h)
    return dw, db


def step(w, b, dw, db, lr):
    """One gradient-descent update: move each parameter against its gradient, ``lr`` times it.

    >>> step(w=1.0, b=0.0, dw=-2.0, db=-4.0, lr=0.1)
    (1.2, 0.4)
    """
    w, b, dw, db = _scalar("w", w), _scalar("b", b), _scalar("dw", dw), _scalar("db", db)
    lr = _positive("lr", lr)
    return w - lr * dw, b - lr * db


# ---------------------------------------------------------------------------------------------
# 3. Training
# ---------------------------------------------------------------------------------------------

EXPLODED = 1e8  # a loss this many times the starting loss means the steps have run away


@dataclass(frozen=True, repr=False)
class History:
    """What ``train`` returns: the final parameters and the path that led there.

    ``ws[i]``, ``bs[i]`` are the parameters after ``i`` updates and ``losses[i]`` their MSE, for
    ``i = 0`` (the start) to ``epochs`` (the end): ``w, b = ws[-1], bs[-1]`` and ``losses[-1]``
    is their loss. ``diverged`` is True when the loss grew instead of shrinking; training then
    stops early, at the first loss that is infinite or ``EXPLODED`` times the starting one.
    """

    w: float
    b: float
    losses: np.ndarray
    ws: np.ndarray
    bs: np.ndarray
    diverged: bool
    lr: float
    reduction: str

    @property
    def epochs(self):
        """How many updates were made: as many as asked, or fewer if training diverged."""
        return len(self.losses) - 1

    def __repr__(self):
        return (f"History(epochs={self.epochs}, w={self.w:.6f}, b={self.b:.6f}, "
                f"last loss={self.losses[-1]:.3g}, diverged={self.diverged})")


def train(x, y, lr, epochs, w=1.0, b=0.0, reduction="mean"):
    """Full-batch gradient descent from ``(w, b)``: ``epochs`` updates with learning rate ``lr``.

    Each epoch is ``step(w, b, *gradients(x, y, w, b, reduction), lr)``, equal to it up to
    rounding (notebook 05 measures the difference). To be fast, it never loops over the samples:
    the gradient of a line's MSE depends on the data only through four averages (see
    ``_moments``), computed once; the losses come from the same kind of identity (see
    ``_bowl``). It never prints, and a learning rate that is too large is not an error: see
    ``History.diverged``.

    >>> h = train([0.0, 1.0], [32.0, 212.0], lr=0.5, epochs=200)
    >>> round(h.w, 6), round(h.b, 6), h.diverged
    (180.0, 32.0, False)
    >>> train([0.0, 1.0], [32.0, 212.0], lr=5.0, epochs=200).diverged
    True
    """
    x, y = _pair(x, y)
    lr, epochs = _positive("lr", lr), _count("epochs", epochs)
    w, b = _scalar("w", w), _scalar("b", b)
    samples = len(x) if reduction == "sum" else 1  # the summed gradient is n times the mean's
    _per_sample_factor(reduction, len(x))  # validates reduction
    moments = _moments(x, y)
    bowl = _bowl(x, y, moments)
    if not math.isfinite(_bowl_losses(bowl, w, b)):
        raise ValueError(f"w={w:g}, b={b:g}: the starting loss overflows float64")
    ws, bs = np.empty(epochs + 1), np.empty(epochs + 1)
    ws[0], bs[0] = w, b
    done = 0  # updates made
    while done < epochs:
        dw, db = _moment_gradients(moments, w, b)
        w, b = w - lr * (samples * dw), b - lr * (samples * db)
        if not (math.isfinite(w) and math.isfinite(b)):
            break
        done += 1
        ws[done], bs[done] = w, b
    losses = _bowl_losses(bowl, ws[:done + 1], bs[:done + 1])
    stop = _first_explosion(losses)
    if stop is not None:  # keep the path up to the first loss that ran away
        losses = losses[:stop + 1]
    ws, bs = ws[:len(losses)], bs[:len(losses)]
    diverged = stop is not None or done < epochs or _grew(losses)
    return History(float(ws[-1]), float(bs[-1]), losses, ws, bs, bool(diverged), lr, reduction)


def _moments(x, y):
    """The four averages the MSE gradient of a line depends on:
    ``mean(x)``, ``mean(x*x)``, ``mean(y)``, ``mean(x*y)``."""
    with np.errstate(all="ignore"):
        n = len(x)
        moments = (float(x.mean()), float(np.sum(x * x)) / n, float(y.mean()),
                   float(np.sum(x * y)) / n)
    _finite_result(moments, "train", "x*x or x*y overflows float64: rescale x (see scale_inputs)")
    return moments


def _moment_gradients(moments, w, b):
    """``gradients`` of the MSE from the four averages instead of the samples, for scalars or
    arrays of ``w``, ``b``: ``mean((w*x + b - y)*x) = w*mean(x*x) + b*mean(x) - mean(x*y)``
    and ``mean(w*x + b - y) = w*mean(x) + b - mean(y)``."""
    mx, mxx, my, mxy = moments
    return 2 * (w * mxx + b * mx - mxy), 2 * (w * mx + b - my)


def _bowl(x, y, moments):
    """The MSE of a line is a bowl: ``var(x)*(w - beta)**2 + (w*mean(x) + b - mean(y))**2 + L``.

    ``beta`` is the least-squares slope and ``L`` the least-squares loss (what no line can beat).
    Expanding the square of ``w*x + b - y`` around the least-squares line gives exactly these
    terms (the cross terms average to zero), so the loss at any ``(w, b)`` costs a few flops, and
    it stays accurate near the bottom, where expanding ``mean(y*y) - ...`` would cancel to noise.
    """
    mx, _, my, _ = moments
    with np.errstate(all="ignore"):
        xc, yc = x - mx, y - my
        vx = float(np.sum(xc * xc)) / len(x)
        beta = float(np.sum(xc * yc)) / len(x) / vx if vx > 0 else 0.0
        e = yc - beta * xc
        bowl = mx, my, vx, beta, float(np.sum(e * e)) / len(x)
    _finite_result(bowl, "train", "the data's spread overflows float64: rescale x or y")
    return bowl


def _bowl_losses(bowl, ws, bs):
    """The MSE at ``(ws, bs)`` (numbers, or arrays of any shape), from the bowl's shape: the one
    place the course computes the loss of many lines at once (training, plots, explorers)."""
    mx, my, vx, beta, lowest = bowl
    ws, bs = np.asarray(ws, dtype=float), np.asarray(bs, dtype=float)  # numpy overflows to inf
    with np.errstate(all="ignore"):
        return vx * (ws - beta) ** 2 + (ws * mx + bs - my) ** 2 + lowest


def _losses_at(x, y, ws, bs):
    """The MSE of the data ``x, y`` at every ``(ws, bs)``: a grid, a path or one point."""
    x, y = _pair(x, y)
    return _bowl_losses(_bowl(x, y, _moments(x, y)), ws, bs)


# Divergence is judged against these. A loss this far below the starting one is rounding noise,
# not a loss (float64 resolves about 1e-16 of the starting loss, squared errors 1e-32):
_LOSS_FLOOR = 1e-24
# A final loss this much above the start, relatively, is a rise and not rounding:
_RISE = 1e-9


def _first_explosion(losses):
    """Index of the first loss that is not finite or has grown ``EXPLODED``-fold, else None."""
    with np.errstate(all="ignore"):
        bad = ~np.isfinite(losses) | (losses > EXPLODED * losses[:1] + _LOSS_FLOOR)
    if not bad.any():
        return None
    first = int(np.argmax(bad))
    return first if np.isfinite(losses[first]) else first - 1


def _grew(losses):
    """Did the loss end clearly above where it started (or overflow)? On a bowl-shaped loss, a
    step size below the threshold never lets the loss rise, so any rise means overshooting."""
    with np.errstate(all="ignore"):
        return len(losses) > 1 and not bool(losses[-1] <= losses[0] * (1 + _RISE) + _LOSS_FLOOR)



def closed_form(x, y):
    """The least-squares ``(w, b)``: where the loss is lowest, solved directly, not descended to.

    >>> w, b = closed_form([0.0, 1.0, 2.0], [32.0, 33.8, 35.6])
    >>> round(w, 9), round(b, 9)
    (1.8, 32.0)
    """
    x, y = _pair(x, y)
    with np.errstate(all="ignore"):
        xc, yc = x - x.mean(), y - y.mean()
        spread = float(np.sum(xc * xc))
        if not (spread > 0 and math.isfinite(spread)):
            raise ValueError("x must vary (at least two distinct, not astronomically large values)")
        w = float(np.sum(xc * yc)) / spread
        b = float(y.mean() - w * x.mean())
    _finite_result((w, b), "closed_form", "the solution overflows float64: rescale x or y")
    return w, b


def hessian(x, reduction="mean"):
    """The loss's curvature: its matrix of second derivatives in ``(w, b)``, the same everywhere.

    For the MSE it is ``2 * [[mean(x*x), mean(x)], [mean(x), 1]]``.

    >>> hessian([-1.0, 1.0]).tolist()
    [[2.0, 0.0], [0.0, 2.0]]
    """
    x = _values("x", x, scalar=False)
    total = _per_sample_factor(reduction, len(x)) * len(x)  # 2 for the mean, 2n for the sum
    with np.errstate(all="ignore"):
        mx, mxx = float(x.mean()), float(np.sum(x * x)) / len(x)
    _finite_result(mxx, "hessian", "x*x overflows float64: x is too large")
    return total * np.array([[mxx, mx], [mx, 1.0]])


def lr_threshold(x, reduction="mean"):
    """The learning rate above which gradient descent diverges: ``2 / lambda_max``.

    ``lambda_max`` is the largest eigenvalue of ``hessian(x)``. Along that direction each step
    multiplies the error by ``1 - lr*lambda_max``, which grows in size once ``lr > 2/lambda_max``.

    >>> lr_threshold([-1.0, 1.0])
    1.0
    """
    return 2.0 / float(np.linalg.eigvalsh(hessian(x, reduction)).max())


# ---------------------------------------------------------------------------------------------
# 4. The article's own code, for comparison
# ---------------------------------------------------------------------------------------------


def article_model(x, y, epochs, lr=ARTICLE_LR):
    """The article's training loop, one sample at a time, kept as it computes.

    It sums the gradient over the samples (no mean) and, each epoch, reports
    ``mean((y - pred)**2)`` where ``pred`` is only the *last* sample's prediction: the numbers it
    prints are not the model's MSE. Returns ``(w, b, printed_losses)``. It starts, as the article
    does, from ``w = 1``, ``b = 0``.
    """
    x, y = _pair(x, y)
    lr, epochs = _positive("lr", lr), _count("epochs", epochs)
    w, b, printed = 1.0, 0.0, []
    for _ in range(epochs):
        dw, db = 0.0, 0.0
        for x_j, y_j in zip(x, y, strict=True):
            pred = w * x_j + b
            dw, db = dw + (-2) * x_j * (y_j - pred), db + (-2) * (y_j - pred)
        printed.append(float(np.square(y - pred).mean()))
        w, b = w - lr * dw, b - lr * db
    return float(w), float(b), np.array(printed)


# ---------------------------------------------------------------------------------------------
# 5. Exercise checks: each calls the learner's function on a few cases and says what is wrong
# ---------------------------------------------------------------------------------------------


def check_unscale(fn):
    """Check ``fn(w, b) -> (w_celsius, b_celsius)`` for parameters learned on ``celsius/100``."""
    got = _attempt(fn, 180.0, 32.0)
    if got is _NOT_WRITTEN:
        return
    want = unscale_params(180.0, 32.0)
    hints = {
        (18000.0, 32.0): "you multiplied w by 100; x = C/100, so w_celsius = w/100",
        (1.8, 0.32): "b must not change: it is the output at C = 0, in Fahrenheit either way",
        (32.0, 1.8): "the pair is (w, b): slope first, intercept second",
    }
    _verdict(fn, got, want, hints)


def check_forward(fn):
    """Check ``fn(x, w, b)`` against ``forward``, on a scalar and on an array."""
    scalar = _attempt(fn, 0.2, 180.0, 32.0)
    if scalar is _NOT_WRITTEN:
        return
    if not _close(scalar, 68.0):
        _verdict(fn, scalar, 68.0, {36.0: "b is missing: add the bias after weighting the input"})
        return
    x = np.array([-0.4, 0.0, 0.37, 1.0])
    got = _attempt(fn, x, 180.0, 32.0)
    hints = {
        tuple(180.0 * x): "b is missing: the neuron adds the bias after weighting the input",
        tuple(32.0 * x + 180.0): "w and b are swapped: w multiplies x, b is added",
        tuple(180.0 * (x + 32.0)): "b is added before multiplying: it is w*x + b, not w*(x + b)",
    }
    _verdict(fn, got, forward(x, 180.0, 32.0), hints)


def check_mse(fn):
    """Check ``fn(y_hat, y)`` against ``mse``."""
    y_hat, y = np.array([30.0, 33.0, 36.0, 31.0]), np.array([32.0, 32.0, 32.0, 32.0])
    got = _attempt(fn, y_hat, y)
    if got is _NOT_WRITTEN:
        return
    r = y_hat - y
    hints = {
        float(r.mean()): "the errors are not squared, so misses above and below cancel out",
        float(np.sum(r * r)): "that is the sum; the mean divides it by the number of samples",
        math.sqrt(np.sum(r * r) / len(r)): "that is the root of the MSE (RMSE); leave out the sqrt",
        float(np.abs(r).mean()): "that is the mean absolute error; square the errors instead",
    }
    _verdict(fn, got, mse(y_hat, y), hints)


def check_gradients(fn):
    """Check ``fn(x, y, w, b) -> (dw, db)`` against ``gradients`` (the mean reduction)."""
    x, y = scale_inputs(ARTICLE_CELSIUS), celsius_to_fahrenheit(ARTICLE_CELSIUS)
    w, b = 150.0, 20.0
    got = _attempt(fn, x, y, w, b)
    if got is _NOT_WRITTEN:
        return
    dw, db = gradients(x, y, w, b)
    n = len(x)
    hints = {
        (-dw, -db): "dw and db have the wrong sign: the residual is y_hat - y, not y - y_hat",
        (-dw, db): "dw has the wrong sign",
        (dw, -db): "db has the wrong sign",
        (n * dw, n * db): f"{n} times too large: that is the sum over samples; take the mean",
        (dw / 2, db / 2): "half the right size: the derivative of r**2 is 2*r",
        (db, dw): "dw and db are swapped",
        (db, db): "dw is missing its factor x: by the chain rule, d(w*x + b)/dw = x",
    }
    _verdict(fn, got, (dw, db), hints)


def check_step(fn):
    """Check ``fn(w, b, dw, db, lr) -> (w, b)`` against ``step``."""
    args = (1.0, 0.0, -300.0, -60.0, 0.1)
    got = _attempt(fn, *args)
    if got is _NOT_WRITTEN:
        return
    hints = {
        (-29.0, -6.0): "you moved up the gradient: subtract lr * gradient, do not add it",
        (301.0, 60.0): "the learning rate is missing: the step is lr * gradient",
    }
    _verdict(fn, got, step(*args), hints)


def check_threshold(fn):
    """Check ``fn(x) -> lr`` against ``lr_threshold`` (the mean reduction)."""
    x = scale_inputs(ARTICLE_CELSIUS) + 0.5  # off-centre, so that w and b are coupled
    got = _attempt(fn, x)
    if got is _NOT_WRITTEN:
        return
    eig = np.linalg.eigvalsh(hessian(x))
    hints = {
        1.0 / eig.max(): "half the right size: the threshold is 2 / lambda_max, not 1 / lambda_max",
        2.0 / eig.min(): "that uses the smallest eigenvalue; the steepest direction diverges first",
        float(eig.max() / 2): "inverted: the threshold is 2 / lambda_max",
    }
    _verdict(fn, got, lr_threshold(x), hints)


def check_settings(fn, x, y, max_epochs=100, tol=1e-3):
    """Check ``fn() -> (lr, epochs)``: within ``max_epochs``, ``w`` in Celsius units is 1.8 +- tol
    (and ``b`` is 32 +- 10 tol).

    ``x`` is Celsius scaled by ``SCALE`` and ``y`` the Fahrenheit values.
    """
    got = _attempt(fn)
    if got is _NOT_WRITTEN:
        return
    lr, epochs = got
    if epochs > max_epochs:
        print(f"❌ {epochs} epochs is more than the {max_epochs} allowed: try a larger lr")
        return
    history = train(x, y, lr=lr, epochs=epochs)
    w_c, b_c = unscale_params(history.w, history.b)
    if history.diverged:
        print(f"❌ lr = {lr:g} diverges (the threshold is {lr_threshold(x):.3f}): take less")
    elif abs(w_c - TRUE_W) > tol:
        print(f"❌ after {epochs} epochs w = {w_c:.4f} °F/°C, not yet within {tol:g} of 1.8: "
              "more epochs, or a larger lr below the threshold")
    elif abs(b_c - TRUE_B) > 10 * tol:
        print(f"❌ w = {w_c:.4f} °F/°C is right but b = {b_c:.3f} °F has not settled: "
              "lr is so close to the threshold that b keeps swinging; take a little less")
    else:
        print(f"✅ lr = {lr:g}, {epochs} epochs: w = {w_c:.4f} °F/°C and b = {b_c:.3f} °F")


_NOT_WRITTEN = object()


def _attempt(fn, *args):
    """Call the learner's function; a stub that is not written yet gets a friendly note."""
    try:
        return fn(*args)
    except NotImplementedError as stub:
        print(f"⏳ {getattr(fn, '__name__', 'your function')} is not written yet: {stub}")
        return _NOT_WRITTEN


def _verdict(fn, got, want, hints):
    """Print whether ``got`` matches ``want``, naming a known mistake when it matches one."""
    name = getattr(fn, "__name__", "your function")
    if _close(got, want):
        print(f"✅ {name} is right: it gives {_show(want)}")
        return
    hint = next((text for wrong, text in hints.items() if _close(got, wrong)), None)
    print(f"❌ {name} gives {_show(got)}, expected {_show(want)}")
    if hint:
        print(f"   Hint: {hint}")


def _close(got, want):
    try:
        got = np.asarray(got, dtype=float)
        return got.shape == np.shape(want) and bool(np.allclose(got, want, rtol=1e-6, atol=1e-9))
    except (TypeError, ValueError):
        return False


def _show(value):
    if isinstance(value, tuple | list | np.ndarray):
        return "(" + ", ".join(_show(v) for v in np.ravel(value)) + ")"
    try:
        return f"{float(value):.6g}"
    except (TypeError, ValueError):
        return repr(value)


# ---------------------------------------------------------------------------------------------
# 6. Input checking: every public function rejects bad input with a message naming the argument
# ---------------------------------------------------------------------------------------------


def _values(name, value, scalar=True):
    """``value`` as finite float64: a scalar (if allowed), a 1-D array or an (n, 1) column."""
    arr = _numeric(name, value)
    if arr.ndim == 0:
        if not scalar:
            raise ValueError(f"{name} must be a 1-D array of samples, got a single number")
    elif arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    elif arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (or a column of shape (n, 1)), got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: it needs at least one value")
    bad = ~np.isfinite(arr)
    if bad.any():
        first = int(np.argmax(bad.ravel()))
        raise ValueError(f"{name} must be finite, but holds {arr.ravel()[first]} at index {first}")
    return arr


def _numeric(name, value):
    if value is None or isinstance(value, str | bytes | dict | set):
        raise TypeError(f"{name} must be numbers, got {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except ValueError as err:  # ragged lists
        raise ValueError(f"{name} must be a flat list or array of numbers ({err})") from None
    if arr.dtype.kind == "O":
        try:
            arr = arr.astype(float)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must hold numbers only, got {value!r:.60}") from None
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    return arr.astype(np.float64, copy=False)


def _pair(x, y, names=("x", "y")):
    """Two 1-D sample arrays of the same length."""
    x, y = _values(names[0], x, scalar=False), _values(names[1], y, scalar=False)
    if len(x) != len(y):
        raise ValueError(f"{names[0]} and {names[1]} must have the same length, "
                         f"got {len(x)} and {len(y)}")
    return x, y


def _scalar(name, value):
    """A finite real number (a size-1 array, as the article's ``w`` is, is accepted)."""
    if isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be a number, got a bool")
    arr = _numeric(name, value)
    if arr.size != 1:
        raise ValueError(f"{name} must be a single number, got shape {arr.shape}")
    number = float(arr.reshape(-1)[0])
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number}")
    return number


def _positive(name, value):
    number = _scalar(name, value)
    if number <= 0:
        raise ValueError(f"{name} must be a positive number, got {number:g}")
    return number


def _count(name, value, minimum=0):
    """A whole number >= ``minimum``; bools and floats such as 10.0 are refused."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be a whole number (int), got {value!r:.40}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def _per_sample_factor(reduction, n):
    """The gradient's factor per sample: ``2/n`` for the mean, ``2`` for the sum."""
    if reduction == "mean":
        return 2.0 / n
    if reduction == "sum":
        return 2.0
    raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")


def _finite_result(value, where, why):
    if not np.isfinite(value).all():
        raise ValueError(f"{where}: {why}")


def _same_kind(arr):
    """A 0-d result as a Python float, an array as an array."""
    return float(arr) if np.ndim(arr) == 0 else arr


# ---------------------------------------------------------------------------------------------
# The plots and explorers of neuron_ui.py, re-exported lazily (PEP 562)
# ---------------------------------------------------------------------------------------------


def __getattr__(name):
    """``nc.plot_losses`` and the other names of ``neuron_ui``, imported on first use."""
    if name in _UI_NAMES:
        import neuron_ui

        return getattr(neuron_ui, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *_UI_NAMES})
