"""One neuron, ``y_hat = w*x + b``, learning Celsius to Fahrenheit by gradient descent.

The shared library of the course. Every notebook does ``import neuron_core as nc``.

The module is organised as the course is:

1. Data: the true rule, the course's dataset, the article's dataset, input scaling.
2. The neuron: ``forward``, ``mse``, ``gradients``, ``numerical_gradients``, ``step``.
3. Training: ``train`` (full-batch gradient descent), ``closed_form``, the curvature.
4. The article's own per-sample loop, kept for comparison.
5. Exercise checks: friendly feedback for the learner's own functions.
6. Plots (matplotlib, imported lazily).
7. Interactive explorers (ipywidgets, imported lazily).

Sections 1 to 5 need numpy only. Every function takes values and returns new values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "TRUE_W", "TRUE_B", "SCALE", "HELD_OUT_CELSIUS", "STYLE", "COLORS",
    "ARTICLE_CELSIUS", "ARTICLE_X", "ARTICLE_Y", "ARTICLE_LR", "ARTICLE_EPOCHS",
    "ARTICLE_W", "ARTICLE_B", "ARTICLE_PRINTED_LOSSES",
    "celsius_to_fahrenheit", "make_dataset", "scale_inputs", "unscale_params",
    "forward", "mse", "gradients", "numerical_gradients", "step",
    "History", "train", "closed_form", "hessian", "lr_threshold", "article_model",
    "check_unscale", "check_forward", "check_mse", "check_gradients", "check_step",
    "check_threshold", "check_settings",
    "plot_data", "plot_fit", "plot_losses", "plot_loss_surface", "plot_loss_slice",
    "plot_training", "hand_fit_explorer", "step_explorer", "training_explorer",
]

# ---------------------------------------------------------------------------------------------
# 1. Data
# ---------------------------------------------------------------------------------------------

TRUE_W = 1.8  # degrees Fahrenheit per degree Celsius
TRUE_B = 32.0  # degrees Fahrenheit at 0 degrees Celsius
SCALE = 100.0  # the course feeds the neuron x = celsius / SCALE, as the article does
HELD_OUT_CELSIUS = np.array([100.0, 37.0])  # boiling water and body temperature: never trained on

# The article "A Neural Net From Scratch": nine readings from -40 to 40 degrees Celsius, divided
# by 100, and targets that are 1.8 * (celsius / 100) + 32: not the Fahrenheit temperatures.
ARTICLE_CELSIUS = np.arange(-40.0, 41.0, 10.0)
ARTICLE_X = ARTICLE_CELSIUS / 100
ARTICLE_Y = np.array([31.28, 31.46, 31.64, 31.82, 32.0, 32.18, 32.36, 32.54, 32.72])
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
        loss = _dot(r, r) / len(r)
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
    k = _factor(reduction, len(x))
    with np.errstate(all="ignore"):
        r = w * x + b - y
        dw, db = k * _dot(r, x), k * float(r.sum())
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

    ``ws[i]``, ``bs[i]`` are the parameters before update ``i`` and ``losses[i]`` their MSE.
    ``diverged`` is True when the loss grew instead of shrinking; training then stops at the
    first loss that is infinite or ``EXPLODED`` times the starting one, and ``w``, ``b`` are
    the last recorded parameters.
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
        """How many updates were made (fewer than asked for if training diverged)."""
        return len(self.losses)

    def __repr__(self):
        loss = f"{self.losses[-1]:.3g}" if len(self.losses) else "n/a"
        return (f"History(epochs={self.epochs}, w={self.w:.6f}, b={self.b:.6f}, "
                f"last loss={loss}, diverged={self.diverged})")


def train(x, y, lr, epochs, w=1.0, b=0.0, reduction="mean"):
    """Full-batch gradient descent from ``(w, b)``: ``epochs`` updates with learning rate ``lr``.

    Each epoch is exactly ``step(w, b, *gradients(x, y, w, b, reduction), lr)``. To be fast, it
    never loops over the samples: the gradient of a line's MSE depends on the data only through
    four averages (``mean(x)``, ``mean(x*x)``, ``mean(y)``, ``mean(x*y)``), computed once; the
    losses come from the same kind of identity (see ``_bowl``). It never prints, and a learning
    rate that is too large is not an error: see ``History.diverged``.

    >>> h = train([0.0, 1.0], [32.0, 212.0], lr=0.5, epochs=200)
    >>> round(h.w, 6), round(h.b, 6), h.diverged
    (180.0, 32.0, False)
    >>> train([0.0, 1.0], [32.0, 212.0], lr=5.0, epochs=200).diverged
    True
    """
    x, y = _pair(x, y)
    lr, epochs = _positive("lr", lr), _count("epochs", epochs)
    w, b = _scalar("w", w), _scalar("b", b)
    k = _factor(reduction, len(x)) * len(x)  # 2 for the mean, 2n for the sum
    mx, mxx, my, mxy = _moments(x, y)
    bowl = _bowl(x, y, mx, my)
    if not math.isfinite(_bowl_losses(bowl, np.array([w]), np.array([b]))[0]):
        raise ValueError(f"w={w:g}, b={b:g}: the starting loss overflows float64")
    ws, bs = np.empty(epochs), np.empty(epochs)
    done = 0
    while done < epochs and math.isfinite(w) and math.isfinite(b):
        ws[done], bs[done] = w, b
        dw = k * (w * mxx + b * mx - mxy)  # = k * mean((w*x + b - y) * x)
        db = k * (w * mx + b - my)  # = k * mean(w*x + b - y)
        w, b = w - lr * dw, b - lr * db
        done += 1
    losses = _bowl_losses(bowl, ws[:done], bs[:done])
    stop = _first_explosion(losses)
    ran_away = stop is not None or done < epochs
    if stop is not None:
        losses = losses[:stop + 1]
    ws, bs = ws[:len(losses)], bs[:len(losses)]
    if ran_away:  # keep the last parameters whose loss is on record
        w, b = float(ws[-1]), float(bs[-1])
    after = _bowl_losses(bowl, np.array([w]), np.array([b]))  # the loss the last step led to
    grew = _grew(np.append(losses, after)) if len(losses) else False
    return History(w, b, losses, ws, bs, bool(ran_away or grew), lr, reduction)


def closed_form(x, y):
    """The least-squares ``(w, b)``: where the loss is lowest, solved directly, not descended to.

    >>> w, b = closed_form([0.0, 1.0, 2.0], [32.0, 33.8, 35.6])
    >>> round(w, 9), round(b, 9)
    (1.8, 32.0)
    """
    x, y = _pair(x, y)
    with np.errstate(all="ignore"):
        xc, yc = x - x.mean(), y - y.mean()
        spread = _dot(xc, xc)
        if not (spread > 0 and math.isfinite(spread)):
            raise ValueError("x must vary (at least two distinct, not astronomically large values)")
        w = _dot(xc, yc) / spread
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
    k = _factor(reduction, len(x)) * len(x)
    with np.errstate(all="ignore"):
        mx, mxx = float(x.mean()), _dot(x, x) / len(x)
    _finite_result(mxx, "hessian", "x*x overflows float64: x is too large")
    return k * np.array([[mxx, mx], [mx, 1.0]])


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
        _dot(r, r): "that is the sum; the mean divides it by the number of samples",
        math.sqrt(_dot(r, r) / len(r)): "that is the root of the MSE (RMSE); leave out the sqrt",
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
# Input checking: every public function rejects bad input with a message naming the argument
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


def _factor(reduction, n):
    """The gradient's factor per sample: ``2/n`` for the mean, ``2`` for the sum."""
    if reduction == "mean":
        return 2.0 / n
    if reduction == "sum":
        return 2.0
    raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")


def _dot(a, b):
    """``sum(a*b)`` with numpy's pairwise summation. Unlike ``a @ b`` (BLAS), it adds in the same
    order on every CPU, so that results, and the notebooks' printed digits, are reproducible."""
    return float(np.add.reduce(a * b))


def _finite_result(value, where, why):
    if not np.isfinite(value).all():
        raise ValueError(f"{where}: {why}")


def _same_kind(arr):
    """A 0-d result as a Python float, an array as an array."""
    return float(arr) if np.ndim(arr) == 0 else arr


# ---------------------------------------------------------------------------------------------
# Training internals
# ---------------------------------------------------------------------------------------------


def _moments(x, y):
    """The four averages the MSE gradient of a line depends on."""
    with np.errstate(all="ignore"):
        n = len(x)
        moments = float(x.mean()), _dot(x, x) / n, float(y.mean()), _dot(x, y) / n
    _finite_result(moments, "train", "x*x or x*y overflows float64: rescale x (see scale_inputs)")
    return moments


def _bowl(x, y, mx, my):
    """The MSE of a line is a bowl: ``var(x)*(w - beta)**2 + (w*mean(x) + b - mean(y))**2 + L``.

    ``beta`` is the least-squares slope and ``L`` the least-squares loss (what no line can beat).
    Expanding the square of ``w*x + b - y`` around the least-squares line gives exactly these
    terms (the cross terms average to zero), so the loss at any ``(w, b)`` costs a few flops, and
    it stays accurate near the bottom, where expanding ``mean(y*y) - ...`` would cancel to noise.
    ``mx``, ``my`` are ``mean(x)``, ``mean(y)``, already computed by ``_moments``.
    """
    with np.errstate(all="ignore"):
        xc, yc = x - mx, y - my
        vx = _dot(xc, xc) / len(x)
        beta = _dot(xc, yc) / len(x) / vx if vx > 0 else 0.0
        e = yc - beta * xc
        bowl = mx, my, vx, beta, _dot(e, e) / len(x)
    _finite_result(bowl, "train", "the data's spread overflows float64: rescale x or y")
    return bowl


def _bowl_losses(bowl, ws, bs):
    """The MSE at every ``(ws[i], bs[i])``, from the bowl's shape (see ``_bowl``)."""
    mx, my, vx, beta, lowest = bowl
    with np.errstate(all="ignore"):
        return vx * (ws - beta) ** 2 + (ws * mx + bs - my) ** 2 + lowest


_BLOCK = 1 << 16  # how many residuals to hold at once while computing the losses


def _mse_along(x, y, ws, bs):
    """The MSE at every ``(ws[i], bs[i])``, from the residuals, a block of epochs at a time."""
    losses = np.empty(len(ws))
    rows = max(1, _BLOCK // len(x))
    r = np.empty((min(rows, len(ws)), len(x)))
    with np.errstate(all="ignore"):
        for start in range(0, len(ws), rows):
            w, b = ws[start:start + rows], bs[start:start + rows]
            block = r[:len(w)]
            np.multiply.outer(w, x, out=block)
            block += b[:, None]
            block -= y
            losses[start:start + len(w)] = np.einsum("ij,ij->i", block, block) / len(x)
    return losses


def _first_explosion(losses):
    """Index of the first loss that is not finite or has grown ``EXPLODED``-fold, else None."""
    with np.errstate(all="ignore"):
        bad = ~np.isfinite(losses) | (losses > EXPLODED * losses[:1] + 1e-24)
    if not bad.any():
        return None
    first = int(np.argmax(bad))
    return first if np.isfinite(losses[first]) else first - 1


def _grew(losses):
    """Did the loss end clearly above where it started (or overflow)? On a bowl-shaped loss, a
    step size below the threshold never lets the loss rise, so any rise means overshooting."""
    with np.errstate(all="ignore"):
        return len(losses) > 1 and not bool(losses[-1] <= losses[0] * (1 + 1e-9) + 1e-24)


# ---------------------------------------------------------------------------------------------
# 6. Plots. matplotlib is imported inside these functions, never when the module is imported.
# ---------------------------------------------------------------------------------------------

# Large type and thick lines: the course is shown on projectors. Notebooks that draw their own
# figures use it too: ``with plt.rc_context(nc.STYLE): ...``.
STYLE = {
    "figure.figsize": (6.4, 4.0), "figure.dpi": 96, "font.size": 12, "axes.titlesize": 13,
    "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False,
    "lines.linewidth": 2.2, "lines.markersize": 7, "legend.frameon": False,
}
COLORS = {"data": "tab:blue", "model": "tab:orange", "truth": "0.55", "held_out": "tab:green",
          "bad": "tab:red", "path": "tab:purple"}


def _styled(plot):
    """Run a plotting function inside the course's style, importing matplotlib only then."""
    from functools import wraps

    @wraps(plot)
    def styled(*args, **kwargs):
        import matplotlib.pyplot as plt

        with plt.rc_context(STYLE):
            return plot(*args, **kwargs)

    return styled


def _axes(ax, figsize=None):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=figsize, layout="constrained")[1]


@_styled
def plot_data(celsius, fahrenheit, ax=None, held_out=True, title="Celsius readings and Fahrenheit"):
    """The readings as points, the true rule as a dashed line, the held-out checks as rings."""
    celsius, fahrenheit = _pair(celsius, fahrenheit, names=("celsius", "fahrenheit"))
    ax = _axes(ax)
    ax.plot(celsius, fahrenheit, "o", color=COLORS["data"], label="training readings", zorder=3)
    reach = np.append(celsius, HELD_OUT_CELSIUS if held_out else [])
    line = np.array([reach.min(), reach.max()])
    ax.plot(line, celsius_to_fahrenheit(line), "--", color=COLORS["truth"], lw=1.5,
            label="true rule F = 1.8 C + 32")
    if held_out:
        ax.plot(HELD_OUT_CELSIUS, celsius_to_fahrenheit(HELD_OUT_CELSIUS), "o", mfc="none", ms=11,
                mew=2, color=COLORS["held_out"], label="held out: 100 °C, 37 °C")
    ax.set(xlabel="temperature (°C)", ylabel="temperature (°F)", title=title)
    ax.legend(loc="upper left")
    return ax


@_styled
def plot_fit(x, y, w, b, ax=None, xlabel="x = °C / 100", title=None):
    """The data and the neuron's line ``w*x + b`` over it, with the line's MSE in the title."""
    x, y = _pair(x, y)
    ax = _axes(ax)
    ax.plot(x, y, "o", color=COLORS["data"], label="data", zorder=3)
    span = np.array([x.min(), x.max()])
    ax.plot(span, forward(span, w, b), color=COLORS["model"], label="neuron: y_hat = w x + b")
    ax.set(xlabel=xlabel, ylabel="°F",
           title=title or f"w = {w:.4g}, b = {b:.4g}: MSE = {mse(forward(x, w, b), y):.4g}")
    ax.legend(loc="upper left")
    return ax


@_styled
def plot_losses(*histories, ax=None, labels=None):
    """Loss against epoch on a log scale, one curve per ``History`` (or array of losses).

    A run that diverged ends in a red cross where it was stopped.
    """
    ax = _axes(ax)
    labels = labels or [None] * len(histories)
    for history, label in zip(histories, labels, strict=True):
        losses = getattr(history, "losses", history)
        if label is None and isinstance(history, History):
            label = f"lr = {history.lr:g}"
        (line,) = ax.semilogy(np.arange(len(losses)), losses, label=label)
        if getattr(history, "diverged", False):
            ax.plot(len(losses) - 1, losses[-1], "x", color=COLORS["bad"], ms=12, mew=3)
    ax.set(xlabel="epoch", ylabel="loss (MSE, log scale)")
    if any(labels) or any(isinstance(h, History) for h in histories):
        ax.legend()
    return ax


def _surface_limits(x, y, path):
    """(w, b) limits that hold the start (1, 0), the minimum, and the path before it ran away."""
    w_opt, b_opt = closed_form(x, y)
    ws, bs = [1.0, w_opt], [0.0, b_opt]
    if path is not None:
        path_ws, path_bs, losses = _visited(x, y, path)
        keep = losses <= 4 * losses[0]
        ws, bs = np.append(ws, path_ws[keep]), np.append(bs, path_bs[keep])
    pad_w = 0.15 * (np.ptp(ws) or 1.0)
    pad_b = 0.25 * (np.ptp(bs) or 1.0)
    return (min(ws) - pad_w, max(ws) + pad_w), (min(bs) - pad_b, max(bs) + pad_b)


@_styled
def plot_loss_surface(x, y, ax=None, path=None, arrows=True, w_lim=None, b_lim=None):
    """Contours of the MSE over ``(w, b)``, downhill arrows, the minimum and optionally a path.

    ``path`` is a ``History``; its points are drawn in order. The arrows show the direction of
    ``-gradient``, all drawn the same length: the way a step goes from each point.
    """
    from matplotlib.colors import LogNorm

    x, y = _pair(x, y)
    ax = _axes(ax, figsize=(6.4, 4.4))
    auto_w, auto_b = _surface_limits(x, y, path)
    w_lim, b_lim = w_lim or auto_w, b_lim or auto_b
    W, B = np.meshgrid(np.linspace(*w_lim, 121), np.linspace(*b_lim, 121))
    L = _mse_along(x, y, W.ravel(), B.ravel()).reshape(W.shape)
    levels = np.geomspace(max(L.min(), L.max() * 1e-5), L.max(), 16)
    L = np.maximum(L, levels[0] / 2)  # a log colour scale cannot show a loss of exactly 0
    ax.contourf(W, B, L, levels=levels, norm=LogNorm(), cmap="Blues_r", extend="min")
    ax.contour(W, B, L, levels=levels, norm=LogNorm(), colors="white", linewidths=0.5)
    if arrows:
        _downhill_arrows(ax, x, y, w_lim, b_lim)
    w_opt, b_opt = closed_form(x, y)
    ax.plot(w_opt, b_opt, "*", color="gold", ms=16, mec="k", label="minimum", zorder=5)
    if path is not None:
        ws, bs, _ = _visited(x, y, path)
        ax.plot(ws, bs, ".-", color=COLORS["path"], lw=1.5, ms=6,
                label=f"path, lr = {path.lr:g}", zorder=4)
        ax.plot(ws[0], bs[0], "o", color=COLORS["path"], ms=9, zorder=4)
    ax.set(xlim=w_lim, ylim=b_lim, xlabel="w", ylabel="b", title="loss surface (MSE)")
    ax.grid(False)
    ax.legend(loc="lower right", framealpha=0.9, frameon=True)
    return ax


def _visited(x, y, history):
    """Every point the descent visited and its loss: the parameters before each update, then
    the final ones (after a divergence the last recorded ones are the final ones)."""
    if history.diverged:
        return history.ws, history.bs, history.losses
    return (np.append(history.ws, history.w), np.append(history.bs, history.b),
            np.append(history.losses, _final_loss(x, y, history)))


def _downhill_arrows(ax, x, y, w_lim, b_lim, n=9):
    """Unit arrows along -gradient on an n-by-n grid, scaled to the axes so all look equal."""
    W, B = np.meshgrid(np.linspace(*w_lim, n + 2)[1:-1], np.linspace(*b_lim, n + 2)[1:-1])
    mx, mxx, my, mxy = _moments(x, y)
    dw, db = 2 * (W * mxx + B * mx - mxy), 2 * (W * mx + B - my)
    u, v = -dw / np.ptp(w_lim), -db / np.ptp(b_lim)  # in axes fractions
    norm = np.hypot(u, v) + 1e-300
    length = 0.05
    ax.quiver(W, B, u / norm * length * np.ptp(w_lim), v / norm * length * np.ptp(b_lim),
              angles="xy", scale_units="xy", scale=1, color="k", alpha=0.55, width=0.004)


@_styled
def plot_loss_slice(x, y, b, ws, ax=None, w_lim=None, lr=None):
    """The loss along ``w`` with ``b`` held fixed, and the points ``ws`` joined by step arrows."""
    x, y = _pair(x, y)
    ws = np.atleast_1d(np.asarray(ws, dtype=float))
    ax = _axes(ax)
    w_opt = closed_form(x, y)[0]
    reach = np.append(ws[np.isfinite(ws)], w_opt)
    pad = 0.15 * (np.ptp(reach) or 1.0)
    w_lim = w_lim or (reach.min() - pad, reach.max() + pad)
    grid = np.linspace(*w_lim, 300)
    ax.plot(grid, _mse_along(x, y, grid, np.full_like(grid, b)), color=COLORS["truth"],
            label=f"loss along w, b = {b:g}")
    losses = _mse_along(x, y, ws, np.full_like(ws, b))
    ax.plot(ws, losses, "o", color=COLORS["path"], zorder=3, label="w after each step")
    for w0, w1, l0, l1 in zip(ws[:-1], ws[1:], losses[:-1], losses[1:], strict=True):
        ax.annotate("", (w1, l1), (w0, l0),
                    arrowprops={"arrowstyle": "->", "color": COLORS["path"], "lw": 1.5})
    ax.set(xlim=w_lim, xlabel="w", ylabel="loss (MSE)",
           title="steps on the loss curve" + (f", lr = {lr:g}" if lr else ""))
    ax.legend(loc="upper center")
    return ax


@_styled
def plot_training(history, x, y, axes=None, xlabel="x = °C / 100"):
    """Two panels: the loss curve of ``history`` and the line it ended with over the data."""
    import matplotlib.pyplot as plt

    if axes is None:
        axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")[1]
    plot_losses(history, ax=axes[0])
    plot_fit(x, y, history.w, history.b, ax=axes[1], xlabel=xlabel)
    if history.diverged:
        axes[0].set_title(f"diverged after {history.epochs} epochs", color=COLORS["bad"])
    return axes


# ---------------------------------------------------------------------------------------------
# 7. Interactive explorers. ipywidgets and matplotlib are imported inside, never at module import.
#
# Each explorer is an ipywidgets.VBox whose controls and state are attributes, so code can drive
# it exactly as a hand on a slider does: ``ex.lr.value = 0.5`` retrains and redraws.
# Figures are drawn off-screen with Agg into an ipywidgets.Image (no backend or frontend
# extension needed, so they work the same in JupyterLab, Voila and JupyterLite). The axes are
# drawn once and cached; a change redraws only the moving artists (blitting), and redraws are
# throttled so that a burst of slider events ends in one frame showing the last value.
# ---------------------------------------------------------------------------------------------


def _widgets():
    """ipywidgets, or an ImportError that says how to get it (JupyterLite lacks it at first)."""
    import sys

    try:
        import ipywidgets
    except ImportError:
        how = ("run `%pip install ipywidgets` in a cell first" if sys.platform == "emscripten"
               else "pip install -r requirements.txt")
        raise ImportError(f"the explorers need ipywidgets: {how}") from None
    return ipywidgets


class _Canvas:
    """A matplotlib Figure shown as an ipywidgets.Image, redrawn by blitting its moving parts."""

    def __init__(self, fig, min_interval=0.03):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        widgets = _widgets()

        self.fig, self.agg = fig, FigureCanvasAgg(fig)
        width = int(fig.get_figwidth() * fig.dpi)
        layout = {"width": "100%", "max_width": f"{width}px"}
        self.image = widgets.Image(format="png", layout=layout)
        self.image.add_class("nc-plot")
        self.moving, self.renders, self.min_interval = [], 0, min_interval
        self._background, self._last, self._pending = None, -1.0, None

    def animate(self, *artists):
        """Mark artists as moving: left out of the cached background, drawn on every frame."""
        for artist in artists:
            artist.set_animated(True)
        self.moving.extend(artists)
        return artists

    def invalidate(self):
        """The static part changed (limits, titles): the next frame redraws everything."""
        self._background = None

    def request(self):
        """Ask for a new frame. In a kernel the frame is drawn just after the current message is
        handled, so the kernel answers at once and the browser can send the next value (ipywidgets
        waits for that answer); requests that pile up meanwhile share one frame, drawn from the
        latest state, so the last value always wins. Without an event loop, draw at once."""
        loop = _running_loop()
        if loop is None:
            self.draw()
        elif self._pending is None:
            wait = max(0.0, self._last + self.min_interval - _now())
            self._pending = loop.call_later(wait, self.draw)

    def draw(self):
        import matplotlib

        with matplotlib.rc_context(STYLE):  # ticks made while drawing get the course's style too
            self._draw()

    def _draw(self):
        import io

        from PIL import Image

        self._pending = None
        if self._background is None:
            self.agg.draw()
            self.fig.set_layout_engine("none")  # keep the layout; recomputing it costs ~50 ms
            self._background = self.agg.copy_from_bbox(self.fig.bbox)
        else:
            self.agg.restore_region(self._background)
        for artist in self.moving:
            self.fig.draw_artist(artist)
        size = self.agg.get_width_height(physical=True)
        png = io.BytesIO()
        Image.frombuffer("RGBA", size, self.agg.buffer_rgba(), "raw", "RGBA", 0, 1).save(
            png, "png", compress_level=1)
        self.image.value = png.getvalue()
        self.renders += 1
        self._last = _now()


def _running_loop():
    import asyncio

    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _now():
    import time

    return time.perf_counter()


def _new_figure(width, height):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=STYLE["figure.dpi"], layout="constrained")


def _explorer(kind, rows, canvas, readout, **attributes):
    """Assemble an explorer: a VBox with CSS classes for tests, and its parts as attributes."""
    widgets = _widgets()

    box = widgets.VBox([*rows, readout, canvas.image])
    box.add_class("nc-explorer")
    box.add_class(f"nc-{kind}-explorer")
    box.readout, box.canvas, box.figure = readout, canvas, canvas.fig
    for name, value in attributes.items():
        setattr(box, name, value)
    return box


def _readout():
    widgets = _widgets()

    readout = widgets.HTML()
    readout.add_class("nc-readout")
    return readout


def _lr_slider(x, lr, reduction):
    """A log-scale learning-rate slider from far too small to three times the threshold."""
    widgets = _widgets()

    top = math.log10(lr_threshold(x, reduction)) + 0.5
    return widgets.FloatLogSlider(value=lr, base=10, min=round(top - 3.5, 1), max=round(top, 1),
                                  step=0.02, description="lr", readout_format=".3g",
                                  continuous_update=True, layout={"width": "460px"})


def _celsius_text(w, b, scale):
    if scale is None:
        return f"w = {w:.4g}, b = {b:.4g}"
    w_c, b_c = w / scale, b
    return (f"w = {w:.4g} (that is {w_c:.4f} °F per °C), b = {b_c:.3f} °F; "
            f"100 °C → {forward(100.0 / scale, w, b):.2f} °F")


def _diverged_text(history, threshold):
    return (f"<b style='color:#c62828'>⚠ lr = {history.lr:.3g} diverged</b>: every step overshoots"
            f" and the loss grows (stopped after {history.epochs} epochs). Gradient descent is"
            f" stable only below lr ≈ {threshold:.3g} (2/λmax).")


@_styled
def training_explorer(x, y, lr=0.5, epochs=200, w=1.0, b=0.0, reduction="mean", scale=SCALE):
    """Train with sliders for ``lr`` (log scale) and ``epochs``, and Play to watch it learn.

    ``x`` are the scaled inputs (``celsius / scale``; ``scale=None`` if they are not scaled) and
    ``y`` the targets. Shows the loss per epoch (log scale), the line over the data, where the
    learning rate sits against the divergence threshold, and readouts of ``w``, ``b``, the loss
    and the prediction for 100 °C. Attributes: ``lr``, ``epochs``, ``play`` (a toggle: True
    replays the training), ``frame`` (the epoch shown), ``history``, ``readout``, ``figure``.
    """
    widgets = _widgets()

    x, y = _pair(x, y)
    threshold = lr_threshold(x, reduction)
    fig = _new_figure(10.0, 4.2)
    grid = fig.add_gridspec(2, 2, height_ratios=[6, 1])
    ax_loss, ax_lr, ax_fit = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[1, 0]), \
        fig.add_subplot(grid[:, 1])
    canvas = _Canvas(fig)
    start = mse(forward(x, w, b), y)
    lr_slider = _lr_slider(x, lr, reduction)
    ax_loss.set(yscale="log", ylim=(start * 1e-15, start * EXPLODED * 30), xlabel="epoch",
                ylabel="loss (MSE)", title="loss per epoch")
    ax_loss.yaxis.set_minor_locator(_null_locator())
    (curve,) = ax_loss.plot([], [], color=COLORS["model"])
    (dot,) = ax_loss.plot([], [], "o", color=COLORS["model"])
    warning = ax_loss.text(0.5, 0.5, "", transform=ax_loss.transAxes, ha="center",
                           color=COLORS["bad"], fontsize=15, weight="bold")
    _lr_axis(ax_lr, lr_slider, threshold)
    (lr_mark,) = ax_lr.plot([lr], [0.5], "v", color="k", ms=11, clip_on=False)
    _data_axes(ax_fit, x, y, scale)
    ax_fit.set_title("the neuron's line at the epoch shown")
    (line,) = ax_fit.plot([], [], color=COLORS["model"], label="neuron")
    off_chart = ax_fit.text(0.5, 0.08, "", transform=ax_fit.transAxes, ha="center",
                            color=COLORS["bad"], fontsize=12)
    canvas.animate(curve, dot, warning, lr_mark, line, off_chart)
    epochs_slider = widgets.IntSlider(value=epochs, min=1, max=1000, description="epochs",
                                      layout={"width": "460px"})
    # Play is a toggle whose animation runs in the kernel: the kernel pushes frames at its own
    # pace instead of waiting, as ipywidgets.Play does, for the browser's tick to go round trip.
    play = widgets.ToggleButton(value=False, description="Play", icon="play",
                                tooltip="replay the training, epoch by epoch")
    play.add_class("nc-play")
    frame = widgets.IntSlider(value=epochs, min=0, max=epochs, description="epoch shown",
                              style={"description_width": "initial"}, layout={"width": "380px"})
    readout = _readout()
    ex = _explorer("training", [widgets.HBox([lr_slider, epochs_slider]),
                                widgets.HBox([play, frame])], canvas, readout,
                   lr=lr_slider, epochs=epochs_slider, play=play, frame=frame,
                   threshold=threshold)

    def show(k):
        h = ex.history
        k = min(k, len(ex.curve) - 1)
        w_k, b_k = (h.ws[k], h.bs[k]) if k < h.epochs else (h.w, h.b)
        curve.set_data(np.arange(k + 1), ex.curve[:k + 1])
        dot.set_data([k], [ex.curve[k]])
        span = np.array(ax_fit.get_xlim())
        line.set_data(span, w_k * span + b_k)
        ends, (low, high) = w_k * span + b_k, ax_fit.get_ylim()
        crosses = ends.max() >= low and ends.min() <= high
        off_chart.set_text("" if crosses else "the line has left the chart")
        lr_mark.set_xdata([h.lr])
        warning.set_text("diverged" if h.diverged and k == len(ex.curve) - 1 else "")
        text = (f"epoch {k} of {len(ex.curve) - 1}: loss = {ex.curve[k]:.4g}; "
                f"{_celsius_text(w_k, b_k, scale)}")
        readout.value = text + ("<br>" + _diverged_text(h, threshold) if h.diverged else "")
        canvas.request()

    def retrain(_=None):
        h = train(x, y, lr=lr_slider.value, epochs=epochs_slider.value, w=w, b=b,
                  reduction=reduction)
        ex.history = h
        ex.curve = _visited(x, y, h)[2]
        asked = epochs_slider.value
        right = next(e for e in (50, 100, 200, 300, 500, 1000, math.inf) if e >= asked)
        if ax_loss.get_xlim()[1] != right:  # a few fixed widths: most moves need no full redraw
            ax_loss.set_xlim(0, min(right, epochs_slider.max))
            canvas.invalidate()
        play.value = False  # a new run: stop replaying the old one
        frame.max = len(ex.curve) - 1
        with frame.hold_trait_notifications():
            frame.value = frame.max
        show(frame.max)

    async def replay():
        stride = max(1, frame.max // PLAY_FRAMES)
        first = 0 if frame.value >= frame.max else frame.value
        for k in [*range(first, frame.max, stride), frame.max]:
            if not play.value:
                return
            frame.value = k  # the "epoch shown" slider follows the animation
            await _sleep(1 / PLAY_FPS)
        play.value = False

    def toggle(change):
        play.description, play.icon = ("Pause", "pause") if change["new"] else ("Play", "play")
        loop = _running_loop()
        if change["new"] and loop is None:  # no event loop (plain Python): jump to the end
            frame.value = frame.max
            play.value = False
        elif change["new"]:
            ex.replay = loop.create_task(replay())

    lr_slider.observe(retrain, "value")
    epochs_slider.observe(retrain, "value")
    frame.observe(lambda change: show(change["new"]), "value")
    play.observe(toggle, "value")
    retrain()
    return ex


PLAY_FRAMES, PLAY_FPS = 150, 20  # Play shows at most 150 frames, 20 per second: about 7 s


async def _sleep(seconds):
    import asyncio

    await asyncio.sleep(seconds)


def _final_loss(x, y, history):
    with np.errstate(all="ignore"):
        r = history.w * x + history.b - y
        return _dot(r, r) / len(x)


def _lr_axis(ax, slider, threshold):
    """A strip showing the learning-rate scale, the unstable region shaded red."""
    lo, hi = 10.0 ** slider.min, 10.0 ** slider.max
    ax.set(xscale="log", xlim=(lo, hi), ylim=(0, 1), yticks=[])
    ax.axvspan(threshold, hi, color=COLORS["bad"], alpha=0.25, lw=0)
    ax.axvline(threshold, color=COLORS["bad"], lw=2)
    ax.text(threshold, 1.05, f" diverges above {threshold:.3g}", color=COLORS["bad"],
            fontsize=10, va="bottom", ha="center", transform=ax.get_xaxis_transform())
    ax.set_xlabel("learning rate", labelpad=1)
    ax.grid(False)


def _null_locator():
    from matplotlib.ticker import NullLocator

    return NullLocator()


def _data_axes(ax, x, y, scale):
    """The data as points, with fixed limits so that the axes can be drawn once and cached."""
    ax.plot(x, y, "o", color=COLORS["data"], label="data", zorder=3)
    pad_x, pad_y = 0.08 * np.ptp(x) or 1.0, 0.35 * np.ptp(y) or 1.0
    ax.set(xlim=(x.min() - pad_x, x.max() + pad_x), ylim=(y.min() - pad_y, y.max() + pad_y),
           xlabel=f"x = °C / {scale:g}" if scale else "x", ylabel="°F")


@_styled
def hand_fit_explorer(x, y, w=100.0, b=0.0, scale=SCALE, gd_epochs=50):
    """Sliders for ``w`` and ``b``: fit the line by hand and try to beat gradient descent.

    Shows the line and its errors over the data, the guess on the loss surface, and the loss
    live, against what ``gd_epochs`` epochs of gradient descent reach from ``w=1, b=0``.
    Attributes: ``w``, ``b`` (sliders), ``loss`` (of the current guess), ``readout``, ``figure``.
    """
    widgets = _widgets()
    from matplotlib.collections import LineCollection

    x, y = _pair(x, y)
    w_opt, b_opt = closed_form(x, y)
    reach_w, reach_b = max(abs(w_opt), 1.0), max(abs(b_opt), np.ptp(y) / 2, 1.0)
    gd = train(x, y, lr=lr_threshold(x) / 2, epochs=gd_epochs)
    fig = _new_figure(10.0, 4.0)
    ax_fit, ax_surface = fig.subplots(1, 2)
    _data_axes(ax_fit, x, y, scale)
    ax_fit.set_title("your line and its errors")
    plot_loss_surface(x, y, ax=ax_surface, path=gd, arrows=False,
                      w_lim=(w_opt - reach_w, w_opt + reach_w),
                      b_lim=(b_opt - reach_b, b_opt + reach_b))
    ax_surface.set_title(f"your guess and {gd_epochs} epochs of gradient descent", fontsize=11)
    canvas = _Canvas(fig)
    (line,) = ax_fit.plot([], [], color=COLORS["model"])
    errors = ax_fit.add_collection(LineCollection([], colors=COLORS["bad"], linewidths=1.5))
    (guess,) = ax_surface.plot([], [], "o", color=COLORS["model"], ms=11, mec="k")
    canvas.animate(line, errors, guess)

    def slider(name, value, centre, reach):
        return widgets.FloatSlider(value=value, min=round(centre - reach), description=name,
                                   max=round(centre + reach), step=round(reach / 200, 2) or 0.01,
                                   readout_format=".2f", layout={"width": "460px"})

    w_slider, b_slider = slider("w", w, w_opt, reach_w), slider("b", b, b_opt, reach_b)
    readout = _readout()
    ex = _explorer("hand-fit", [widgets.HBox([w_slider, b_slider])], canvas, readout,
                   w=w_slider, b=b_slider, gd_history=gd)

    def update(_=None):
        w_, b_ = w_slider.value, b_slider.value
        y_hat = forward(x, w_, b_)
        ex.loss = mse(y_hat, y)
        span = np.array(ax_fit.get_xlim())
        line.set_data(span, w_ * span + b_)
        errors.set_segments([[(xi, yi), (xi, fi)] for xi, yi, fi in zip(x, y, y_hat, strict=True)])
        guess.set_data([w_], [b_])
        gd_loss = _final_loss(x, y, gd)
        verdict = ("🎉 you beat gradient descent!" if ex.loss < gd_loss
                   else "keep going: can you beat it?")
        readout.value = (f"your loss: <b>{ex.loss:.4g}</b>; gradient descent after {gd_epochs}"
                         f" epochs: {gd_loss:.4g}; {verdict}<br>{_celsius_text(w_, b_, scale)}")
        canvas.request()

    w_slider.observe(update, "value")
    b_slider.observe(update, "value")
    update()
    return ex


@_styled
def step_explorer(x, y, lr=0.5, w=1.0, b=0.0, max_steps=40):
    """Take gradient-descent steps one at a time and watch them on the loss surface.

    ``Step`` takes one more update, ``Reset`` goes back to the start, the ``lr`` slider changes
    the step size (and replays the same number of steps). Attributes: ``lr``, ``steps`` (a
    slider: how many steps are taken), ``step_button``, ``reset_button``, ``history``.
    """
    widgets = _widgets()

    x, y = _pair(x, y)
    threshold = lr_threshold(x)
    fig = _new_figure(10.0, 4.2)
    ax_surface, ax_loss = fig.subplots(1, 2)
    plot_loss_surface(x, y, ax=ax_surface, arrows=True)
    start = mse(forward(x, w, b), y)
    ax_loss.set(yscale="log", xlim=(-0.5, max_steps + 0.5), ylim=(start * 1e-6, start * 1e4),
                xlabel="steps taken", ylabel="loss (MSE)", title="loss after each step")
    ax_loss.yaxis.set_minor_locator(_null_locator())
    canvas = _Canvas(fig)
    (path,) = ax_surface.plot([], [], ".-", color=COLORS["path"], lw=1.5, ms=7)
    (here,) = ax_surface.plot([], [], "o", color=COLORS["model"], ms=11, mec="k")
    (curve,) = ax_loss.plot([], [], "o-", color=COLORS["model"], ms=4)
    canvas.animate(path, here, curve)

    lr_slider = _lr_slider(x, lr, "mean")
    steps = widgets.IntSlider(value=0, min=0, max=max_steps, description="steps",
                              layout={"width": "360px"})
    step_button, reset_button = widgets.Button(description="Step"), widgets.Button(
        description="Reset")
    step_button.on_click(lambda _: setattr(steps, "value", min(steps.value + 1, max_steps)))
    reset_button.on_click(lambda _: setattr(steps, "value", 0))
    readout = _readout()
    ex = _explorer("step", [widgets.HBox([lr_slider, steps]),
                            widgets.HBox([step_button, reset_button])], canvas, readout,
                   lr=lr_slider, steps=steps, step_button=step_button,
                   reset_button=reset_button, threshold=threshold)

    def update(_=None):
        h = train(x, y, lr=lr_slider.value, epochs=steps.value, w=w, b=b)
        ex.history = h
        ws, bs, losses = _visited(x, y, h)
        path.set_data(ws, bs)
        here.set_data(ws[-1:], bs[-1:])
        curve.set_data(np.arange(len(losses)), losses)
        dw, db = gradients(x, y, ws[-1], bs[-1]) if np.isfinite(losses[-1]) else (math.nan,) * 2
        taken = len(losses) - 1
        text = (f"after {taken} step{'' if taken == 1 else 's'}: "
                f"w = {ws[-1]:.4g}, b = {bs[-1]:.4g}, loss = {losses[-1]:.4g}"
                f"<br>next step: w ← {ws[-1]:.4g} − {h.lr:.3g} × "
                f"({dw:.4g}),  b ← {bs[-1]:.4g} − {h.lr:.3g} × ({db:.4g})")
        readout.value = text + ("<br>" + _diverged_text(h, threshold) if h.diverged else "")
        canvas.request()

    lr_slider.observe(update, "value")
    steps.observe(update, "value")
    update()
    return ex
