"""One neuron, ``y_hat = w*x + b``, learning Celsius to Fahrenheit by gradient descent.

The shared library of the course. Every notebook does ``import neuron_core as nc``.

The file reads in the order of the notebooks:

1. Data (01): the true rule, the course's dataset, the article's dataset, input scaling.
2. The neuron and its loss (02): ``forward``, ``mse``, and ``closed_form``, the best line.
3. Slopes (03): ``gradients``, ``numerical_gradients``, and the curvature, ``hessian``.
4. A step downhill (04): ``step`` and ``lr_threshold``, where steps start to diverge.
5. Training (05): ``History`` and ``train``, 05's loop (``gradients``, ``step``, record).
6. The article's own per-sample loop, kept for comparison (05).

All of it needs numpy only, and every function takes values and returns new values. A private
helper sits just below the function that first needs it, or just above the constant that
needs it (``_read_only``, ``_public_names``). Input checking is in ``neuron_validation.py``;
the fast path the explorers train with (``train_fast``: the same History from four averages of
the data) is in ``neuron_fast.py``. The plots live in ``neuron_ui.py`` (matplotlib), the
interactive explorers in ``neuron_explorers.py`` (ipywidgets, anywidget) and the exercise
checks in ``neuron_checks.py``; the names in their ``__all__`` are re-exported here lazily, so
``nc.plot_losses`` and ``nc.check_forward`` work, but ``import neuron_core`` alone loads
neither matplotlib nor ipywidgets.

A note on sums: a sum of products is written ``np.sum(a * b)``, not ``a @ b``. The ``@`` goes to
BLAS, whose order of additions depends on the CPU; ``np.sum`` adds pairwise in the same order on
every machine, so the notebooks print the same digits everywhere.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import re
from dataclasses import dataclass, fields

import numpy as np

from neuron_validation import (
    as_count,
    as_number,
    as_pair,
    as_positive,
    as_values,
    ensure_finite,
    per_sample_factor,
    same_kind,
    too_large,
)

__all__ = [
    "TRUE_W", "TRUE_B", "SCALE", "HELD_OUT_CELSIUS",
    "ARTICLE_CELSIUS", "ARTICLE_X", "ARTICLE_Y", "ARTICLE_LR", "ARTICLE_EPOCHS",
    "ARTICLE_W", "ARTICLE_B", "ARTICLE_PRINTED_LOSSES", "MAX_SAMPLES",
    "celsius_to_fahrenheit", "make_dataset", "scale_inputs", "unscale_params",
    "forward", "mse", "closed_form",
    "gradients", "numerical_gradients", "hessian",
    "step", "lr_threshold",
    "EXPLODED", "MAX_EPOCHS", "History", "train", "rounding_floor",
    "article_model",
]


def _read_only(values):
    """A constant array that a learner's experiment cannot change by accident."""
    values = np.array(values, dtype=float)
    values.flags.writeable = False
    return values


# ---------------------------------------------------------------------------------------------
# 1. Data (01)
# ---------------------------------------------------------------------------------------------

TRUE_W = 1.8  # degrees Fahrenheit per degree Celsius
TRUE_B = 32.0  # degrees Fahrenheit at 0 degrees Celsius
SCALE = 100.0  # the course feeds the neuron x = celsius / SCALE, as the article does
HELD_OUT_CELSIUS = _read_only([100.0, 37.0])  # boiling water and body temperature: never trained
MAX_SAMPLES = 10**6  # the most readings make_dataset makes (8 MB each array)

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
    celsius = as_values("celsius", celsius)
    with np.errstate(all="ignore"):
        fahrenheit = TRUE_W * celsius + TRUE_B
    ensure_finite(fahrenheit, "celsius_to_fahrenheit", "1.8*celsius overflows float64: celsius "
                  "is too large")
    return same_kind(fahrenheit)


def make_dataset(n=9, low=-40.0, high=40.0, noise=0.0, seed=0):
    """``n`` evenly spaced Celsius readings and their Fahrenheit values.

    ``noise`` is the standard deviation, in degrees Fahrenheit, of a thermometer's error added to
    each value; ``seed`` makes that noise the same on every run. ``n`` is at most ``MAX_SAMPLES``.

    >>> celsius, fahrenheit = make_dataset(n=3)
    >>> celsius.tolist(), fahrenheit.tolist()
    ([-40.0, 0.0, 40.0], [-40.0, 32.0, 104.0])
    """
    n = as_count("n", n, minimum=2, maximum=MAX_SAMPLES)
    low, high = as_number("low", low), as_number("high", high)
    if not low < high:
        raise ValueError(f"low must be below high, got low={low}, high={high}")
    noise = as_number("noise", noise)
    if noise < 0:
        raise ValueError(f"noise must be a standard deviation >= 0, got {noise}")
    seed = as_count("seed", seed)
    with np.errstate(all="ignore"):
        celsius = np.linspace(low, high, n)
        fahrenheit = TRUE_W * celsius + TRUE_B
    ensure_finite(celsius, "make_dataset", "the readings overflow float64: low and high are "
                  "too far apart")
    ensure_finite(fahrenheit, "make_dataset", lambda: "1.8*celsius overflows float64: "
                  + too_large(low=low, high=high))
    if noise > 0:
        with np.errstate(all="ignore"):
            fahrenheit = fahrenheit + np.random.default_rng(seed).normal(0.0, noise, n)
        ensure_finite(fahrenheit, "make_dataset", "the noisy values overflow float64: noise is "
                      "too large")
    return celsius, fahrenheit


def scale_inputs(celsius, scale=SCALE):
    """The neuron's input ``x = celsius / scale``: small numbers keep gradient descent stable.

    >>> scale_inputs([100.0, 37.0]).tolist()
    [1.0, 0.37]
    """
    celsius, scale = as_values("celsius", celsius), as_positive("scale", scale)
    with np.errstate(all="ignore"):
        x = celsius / scale
    ensure_finite(x, "scale_inputs", "celsius / scale overflows float64: scale is too small")
    return same_kind(x)


def unscale_params(w, b, scale=SCALE):
    """``(w, b)`` learned on ``x = celsius / scale``, turned into Celsius units.

    ``w*(C/scale) + b`` is ``(w/scale)*C + b``: the slope shrinks, the intercept stays.

    >>> unscale_params(180.0, 32.0)
    (1.8, 32.0)
    """
    w_celsius = as_number("w", w) / as_positive("scale", scale)
    ensure_finite(w_celsius, "unscale_params", "w / scale overflows float64: scale is too small")
    return w_celsius, as_number("b", b)


# ---------------------------------------------------------------------------------------------
# 2. The neuron and its loss (02)
# ---------------------------------------------------------------------------------------------


def forward(x, w, b):
    """The neuron's prediction ``y_hat = w*x + b``, elementwise, for a scalar or an array.

    >>> forward(0.2, w=180.0, b=32.0)
    68.0
    >>> forward([0.0, 1.0], w=180.0, b=32.0).tolist()
    [32.0, 212.0]
    """
    x, w, b = as_values("x", x), as_number("w", w), as_number("b", b)
    with np.errstate(all="ignore"):
        y_hat = w * x + b
    ensure_finite(y_hat, "forward", lambda: "w*x + b overflows float64: "
                  f"{too_large(w=w, b=b, x=x)}")
    return same_kind(y_hat)


def mse(y_hat, y):
    """Mean squared error: the average of ``(y_hat - y)**2``, as a Python float.

    >>> mse([31.0, 33.0], [32.0, 32.0])
    1.0
    """
    y_hat, y = as_pair(y_hat, y, names=("y_hat", "y"))
    with np.errstate(all="ignore"):
        r = y_hat - y
        loss = float(np.sum(r * r)) / len(r)
    ensure_finite(loss, "mse", lambda: "the squared errors overflow float64: "
                  f"{too_large(y_hat=y_hat, y=y)}")
    return loss


def closed_form(x, y):
    """The least-squares ``(w, b)``: where the loss is lowest, solved directly, not descended to.

    >>> w, b = closed_form([0.0, 1.0, 2.0], [32.0, 33.8, 35.6])
    >>> round(w, 9), round(b, 9)
    (1.8, 32.0)
    """
    x, y = as_pair(x, y)
    with np.errstate(all="ignore"):
        xc, yc = x - x.mean(), y - y.mean()
        spread = float(np.sum(xc * xc))
        if not (spread > 0 and math.isfinite(spread)):
            raise ValueError("x must vary (at least two distinct, not astronomically large values)")
        w = float(np.sum(xc * yc)) / spread
        b = float(y.mean() - w * x.mean())
    ensure_finite((w, b), "closed_form", "the solution overflows float64: rescale x or y")
    return w, b


# ---------------------------------------------------------------------------------------------
# 3. Slopes (03)
# ---------------------------------------------------------------------------------------------


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
    x, y = as_pair(x, y)
    w, b = as_number("w", w), as_number("b", b)
    per_sample = per_sample_factor(reduction, len(x))  # 2/n for the mean, 2 for the sum
    with np.errstate(all="ignore"):
        r = w * x + b - y
        dw, db = per_sample * float(np.sum(r * x)), per_sample * float(np.sum(r))
    ensure_finite((dw, db), "gradients", lambda: "the gradient overflows float64: "
                  f"{too_large(x=x, y=y, w=w, b=b)}")
    return dw, db


def numerical_gradients(x, y, w, b, h=1e-6):
    """``(dw, db)`` of the MSE by central differences: nudge each parameter by ``h`` both ways.

    A nudge too small to move ``w`` or ``b`` in float64 (``w + h == w``) is refused.

    >>> dw, db = numerical_gradients([0.0, 1.0], [32.0, 212.0], w=179.0, b=32.0)
    >>> round(dw, 6), round(db, 6)
    (-1.0, -1.0)
    """
    x, y = as_pair(x, y)
    w, b, h = as_number("w", w), as_number("b", b), as_positive("h", h)
    for name, value in (("w", w), ("b", b)):
        if value + h == value or value - h == value:  # the nudge is lost to rounding
            raise ValueError(f"h={h:g} is below the resolution of {name}={value:g}: float64 "
                             f"steps by {math.ulp(value):.2g} there; take a larger h")

    nudged = (_loss_or_inf(x, y, w + h, b), _loss_or_inf(x, y, w - h, b),
              _loss_or_inf(x, y, w, b + h), _loss_or_inf(x, y, w, b - h))
    with np.errstate(all="ignore"):
        dw, db = (nudged[0] - nudged[1]) / (2 * h), (nudged[2] - nudged[3]) / (2 * h)
    ensure_finite((*nudged, dw, db), "numerical_gradients", lambda: "the loss or its slope "
                  f"overflows float64: {too_large(x=x, y=y, w=w, b=b)}")
    return dw, db


def _loss_or_inf(x, y, w, b):
    """The MSE at ``(w, b)``, or inf where it overflows float64 (a run that ran away)."""
    with np.errstate(all="ignore"):
        r = w * x + b - y
        return float(np.sum(r * r)) / len(r)


def hessian(x, reduction="mean"):
    """The loss's curvature: its matrix of second derivatives in ``(w, b)``, the same everywhere.

    For the MSE it is ``2 * [[mean(x*x), mean(x)], [mean(x), 1]]``.

    >>> hessian([-1.0, 1.0]).tolist()
    [[2.0, 0.0], [0.0, 2.0]]
    """
    x = as_values("x", x, scalar=False)
    total = per_sample_factor(reduction, len(x)) * len(x)  # 2 for the mean, 2n for the sum
    with np.errstate(all="ignore"):
        mx, mxx = float(x.mean()), float(np.sum(x * x)) / len(x)
        curvature = total * np.array([[mxx, mx], [mx, 1.0]])
    ensure_finite(curvature, "hessian", "x*x overflows float64: x is too large")
    return curvature


# ---------------------------------------------------------------------------------------------
# 4. A step downhill (04)
# ---------------------------------------------------------------------------------------------


def step(w, b, dw, db, lr):
    """One gradient-descent update: move each parameter against its gradient, ``lr`` times it.

    >>> step(w=1.0, b=0.0, dw=-2.0, db=-4.0, lr=0.1)
    (1.2, 0.4)
    """
    w, b, dw, db = as_number("w", w), as_number("b", b), as_number("dw", dw), as_number("db", db)
    lr = as_positive("lr", lr)
    w_next, b_next = w - lr * dw, b - lr * db
    ensure_finite((w_next, b_next), "step", lambda: "the step overflows float64: "
                  + _step_too_large(w, b, dw, db, lr))
    return w_next, b_next


def _step_too_large(w, b, dw, db, lr):
    """Who overflowed ``w - lr*dw`` (or ``b - lr*db``): ``lr*dw``'s factors, or ``w`` and the
    move together when the move is finite."""
    for param, grad, p_name, g_name in ((w, dw, "w", "dw"), (b, db, "b", "db")):
        move = lr * grad
        if not math.isfinite(move):
            return too_large(lr=lr, **{g_name: grad})
        if not math.isfinite(param - move):
            return too_large(**{p_name: param}, **{f"lr*{g_name}": move})
    return "lr is too large"  # unreachable: one of the two overflowed


def lr_threshold(x, reduction="mean"):
    """The learning rate above which gradient descent diverges: ``2 / lambda_max``.

    ``lambda_max`` is the largest eigenvalue of ``hessian(x)``. Along that direction each step
    multiplies the error by ``1 - lr*lambda_max``, which grows in size once ``lr > 2/lambda_max``.

    >>> lr_threshold([-1.0, 1.0])
    1.0
    """
    with np.errstate(all="ignore"):
        threshold = 2.0 / float(np.linalg.eigvalsh(hessian(x, reduction)).max())
    ensure_finite(threshold, "lr_threshold", "the curvature overflows float64: x is too large")
    return threshold


# ---------------------------------------------------------------------------------------------
# 5. Training (05)
# ---------------------------------------------------------------------------------------------

EXPLODED = 1e8  # a loss this many times the starting loss means the steps have run away
# The most epochs (updates) one call of train or train_fast may run. train is 05's loop, whose
# epoch calls gradients, step, forward and mse, each checking its input: about 4 times the
# article's per-sample loop on its 9 samples, some 45 us on an idle 2-core machine and up to
# 4 times that on a busy one (docs/performance.md), so 20,000 epochs take about 1 s, 4 s at
# worst. 05 asks for at most 10,000; the explorers too (EPOCHS_MAX), with train_fast.
MAX_EPOCHS = 20_000


@dataclass(frozen=True, repr=False, eq=False)
class History:
    """What ``train`` returns: the final parameters and the path that led there.

    ``ws[i]``, ``bs[i]`` are the parameters after ``i`` updates and ``losses[i]`` their MSE, for
    ``i = 0`` (the start) to ``epochs`` (the end): ``w, b = ws[-1], bs[-1]`` and ``losses[-1]``
    is their loss.

    ``diverged`` is True exactly when the run moved away from the minimum: some loss rose above
    the lowest one before it by more than the rounding floor, ``16 * eps`` (float64's
    resolution, 2.2e-16) times the larger of the starting loss and ``mean(y**2)``, the loss of
    the line ``w = b = 0``. Below ``lr_threshold`` the loss of gradient descent never rises;
    above it, it rises once the steepest direction takes over. A run that runs away stops
    early, at the first loss that is infinite or ``EXPLODED`` times the starting one (plus
    the floor).

    A History is a value: its arrays are read-only; two are equal (``==``) when all their
    fields are, arrays elementwise; equal histories have equal hashes.
    """

    w: float
    b: float
    losses: np.ndarray
    ws: np.ndarray
    bs: np.ndarray
    diverged: bool
    lr: float
    reduction: str

    def __post_init__(self):
        for name in ("losses", "ws", "bs"):  # read-only copies: a value cannot change
            values = np.array(getattr(self, name), dtype=float)
            values.flags.writeable = False
            object.__setattr__(self, name, values)

    @property
    def epochs(self):
        """How many updates were made: as many as asked, or fewer if training diverged."""
        return len(self.losses) - 1

    def __eq__(self, other):
        if not isinstance(other, History):
            return NotImplemented
        return all(np.array_equal(getattr(self, f.name), getattr(other, f.name))
                   for f in fields(self))

    def __hash__(self):
        return hash((self.w, self.b, self.diverged, self.lr, self.reduction, self.epochs,
                     float(self.losses[-1])))

    def __repr__(self):
        return (f"History(epochs={self.epochs}, w={self.w:.6f}, b={self.b:.6f}, "
                f"last loss={self.losses[-1]:.3g}, diverged={self.diverged})")

    @classmethod
    def from_path(cls, ws, bs, losses, y, lr, reduction, asked):
        """The History of a path of ``(w, b)`` and its losses, cut after the first loss that ran
        away (infinite, or ``EXPLODED`` times the start); ``asked`` is the epochs asked for."""
        ws, bs = np.asarray(ws, dtype=float), np.asarray(bs, dtype=float)
        losses = np.asarray(losses, dtype=float)
        floor = rounding_floor(losses[0], y)
        stop = _first_explosion(losses, floor)
        if stop is not None:  # keep the path up to the first loss that ran away
            losses = losses[:stop + 1]
        ws, bs = ws[:len(losses)], bs[:len(losses)]
        diverged = stop is not None or len(losses) - 1 < asked or _rose(losses, floor)
        return cls(float(ws[-1]), float(bs[-1]), losses, ws, bs, bool(diverged), lr, reduction)


def rounding_floor(start, y):
    """A rise in the loss smaller than this is rounding, not a step away (see History): 16 eps
    times the larger of the starting loss and ``mean(y**2)``, the scale of the numbers."""
    with np.errstate(all="ignore"):  # a subnormal scale underflows: harmless, the floor is ~0
        scale = max(float(start), float(np.mean(y * y)))
        return float(16 * np.finfo(float).eps * min(scale, np.finfo(float).max))


def _first_explosion(losses, floor):
    """Index of the first loss that is not finite or has grown ``EXPLODED``-fold, else None."""
    with np.errstate(all="ignore"):
        bad = ~np.isfinite(losses) | (losses > EXPLODED * losses[0] + floor)
    if not bad.any():
        return None
    first = int(np.argmax(bad))
    return first if np.isfinite(losses[first]) else first - 1


def _rose(losses, floor):
    """Did some loss rise more than ``floor`` above the lowest one before it? On a bowl, a step
    size below the threshold never lets the loss rise, so a rise means the run moves away."""
    with np.errstate(all="ignore"):
        return bool(np.any(losses - np.minimum.accumulate(losses) > floor))


def train(x, y, lr, epochs, w=1.0, b=0.0, reduction="mean"):
    """Full-batch gradient descent from ``(w, b)``: ``epochs`` updates with learning rate ``lr``.

    This is notebook 05's loop: each epoch computes the gradient on all the samples, takes one
    step against it and records where it landed. It never prints, and a learning rate that is
    too large is not an error: the run stops once the loss has run away (see ``History``).
    ``epochs`` is at most ``MAX_EPOCHS``.

    >>> h = train([0.0, 1.0], [32.0, 212.0], lr=0.5, epochs=200)
    >>> round(h.w, 6), round(h.b, 6), h.diverged
    (180.0, 32.0, False)
    >>> train([0.0, 1.0], [32.0, 212.0], lr=5.0, epochs=200).diverged
    True
    """
    x, y = as_pair(x, y)
    lr, epochs = as_positive("lr", lr), as_count("epochs", epochs, maximum=MAX_EPOCHS)
    w, b = as_number("w", w), as_number("b", b)
    per_sample_factor(reduction, len(x))  # checks reduction before the loop
    start = _loss_or_inf(x, y, w, b)
    ensure_finite(start, "train", lambda: "the starting loss overflows float64: "
                  f"{too_large(x=x, y=y, w=w, b=b)}")
    too_far = EXPLODED * start + rounding_floor(start, y)  # a loss beyond this has run away
    ws, bs, losses = [w], [b], [start]
    for _ in range(epochs):
        try:
            dw, db = gradients(x, y, w, b, reduction)
            w, b = step(w, b, dw, db, lr)
            loss = mse(forward(x, w, b), y)
        except ValueError:  # float64 overflowed: the run has run away (History cuts it here)
            break
        ws.append(w)
        bs.append(b)
        losses.append(loss)
        if loss > too_far:
            break
    return History.from_path(ws, bs, losses, y, lr, reduction, epochs)


# ---------------------------------------------------------------------------------------------
# 6. The article's own code, for comparison (05)
# ---------------------------------------------------------------------------------------------


def article_model(x, y, epochs, lr=ARTICLE_LR):
    """The article's training loop, one sample at a time, kept as it computes.

    It sums the gradient over the samples (no mean) and, each epoch, reports
    ``mean((y - pred)**2)`` where ``pred`` is only the *last* sample's prediction: the numbers it
    prints are not the model's MSE. Returns ``(w, b, printed_losses)``. It starts, as the article
    does, from ``w = 1``, ``b = 0``.

    A learning rate that diverges is a result, as in ``train``: the loop stops after the first
    update whose MSE is infinite or ``EXPLODED`` times the starting one, and returns what it
    reached, so ``len(printed_losses) < epochs`` flags the divergence. It visits one sample at a
    time, in Python, so ``epochs`` may be at most ``MAX_EPOCHS`` and ``epochs * len(x)`` at most
    ``10**6`` (a few seconds).
    """
    x, y = as_pair(x, y)
    lr = as_positive("lr", lr)
    epochs = as_count("epochs", epochs, maximum=min(MAX_EPOCHS, 10**6 // len(x)))
    start = _loss_or_inf(x, y, 1.0, 0.0)
    ensure_finite(start, "article_model", lambda: "the starting loss overflows float64: "
                  + too_large(x=x, y=y))
    too_far = EXPLODED * start + rounding_floor(start, y)
    xs, ys = x.tolist(), y.tolist()  # Python floats: the same arithmetic as numpy's, faster
    w, b, printed = 1.0, 0.0, []
    with np.errstate(all="ignore"):
        for _ in range(epochs):
            dw, db = 0.0, 0.0
            for x_j, y_j in zip(xs, ys, strict=True):
                pred = w * x_j + b
                dw, db = dw + (-2) * x_j * (y_j - pred), db + (-2) * (y_j - pred)
            w_next, b_next = w - lr * dw, b - lr * db
            loss = _loss_or_inf(x, y, w_next, b_next)  # the model's MSE after the step
            if not math.isfinite(loss):
                break  # the step overflowed: keep the last finite parameters
            printed.append(float(np.square(y - pred).mean()))
            ensure_finite(printed[-1], "article_model", lambda: "its printed loss, "
                          f"mean((y - pred)**2), overflows float64: {too_large(x=x, y=y)}")
            w, b = w_next, b_next
            if loss > too_far:
                break  # the steps ran away: stop here, as train does
    return float(w), float(b), np.array(printed)


# ---------------------------------------------------------------------------------------------
# The names of neuron_ui, neuron_explorers and neuron_checks, re-exported lazily (PEP 562)
# ---------------------------------------------------------------------------------------------


def _public_names(module):
    """A module's ``__all__``, read from its source without importing it: importing neuron_ui
    would load matplotlib. A module that is not installed has no names here."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return ()
    with open(spec.origin, encoding="utf-8") as source:
        found = re.search(r"^__all__ = \[(.*?)\]", source.read(), re.MULTILINE | re.DOTALL)
    return tuple(re.findall(r"[\"'](\w+)[\"']", found[1]))  # the quoted names of the list


# Names defined in other modules, imported on first use (see __getattr__ below): the plots
# (matplotlib), the explorers (ipywidgets, anywidget) and the exercise checks. Read from their
# __all__, so a name added there is reachable as nc.<name> (tests/test_core.py checks it).
_LAZY = {module: _public_names(module)
         for module in ("neuron_ui", "neuron_explorers", "neuron_checks")}


def __getattr__(name):
    """``nc.plot_losses``, ``nc.training_explorer``, ``nc.check_forward`` and the other names of
    ``neuron_ui``, ``neuron_explorers`` and ``neuron_checks``, imported on first use."""
    for module, names in _LAZY.items():
        if name in names:
            return getattr(importlib.import_module(module), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *(name for names in _LAZY.values() for name in names)})
