"""Exercise checks of the One Neuron course: friendly feedback on the learner's own functions.

The notebooks reach them as ``nc.check_<name>`` (``neuron_core`` re-exports them lazily), in
the order the exercises come in the course.

Every check_* prints one verdict and returns True (✅ right) or False (❌ wrong, with a hint when
the mistake is a known one; ⏳ not written yet). While nbgrader validates or autogrades a notebook
it sets the environment variable NBGRADER_EXECUTION; then a wrong or unwritten answer also raises
AssertionError with the same text, so that the check cell scores 0.

Each check tries several cases, at least one with numbers a learner cannot guess (drawn once from
a seeded generator), so a hard-coded answer or one that ignores an argument fails. The cases are
ordered so that every hint can be reached. The expected values are computed before the learner's
function runs, and it gets copies of its inputs, so a function that works in place passes. Only
an exception raised inside the learner's own code surfaces as a traceback; whatever the function
returns (None, text, a dict, nested tuples, the wrong shape) becomes a verdict.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np

from neuron_core import (
    ARTICLE_CELSIUS,
    ARTICLE_X,
    SCALE,
    TRUE_B,
    TRUE_W,
    celsius_to_fahrenheit,
    forward,
    gradients,
    lr_threshold,
    mse,
    scale_inputs,
    step,
    train,
    unscale_params,
)
from neuron_validation import as_pair

__all__ = [
    "check_unscale", "check_predict_fahrenheit", "check_forward", "check_mse", "check_best_bias",
    "check_nudge_b", "check_gradients", "check_rmse_gradients", "check_step", "check_threshold",
    "check_balanced_scale", "check_settings",
]

_CHECK_SEED = 20261126


def _course_data():
    """The course's readings (x = C/100, centred) and the off-centre ones the checks also use."""
    celsius = ARTICLE_CELSIUS
    off_centre = np.array([0.0, 10.0, 20.0, 30.0, 50.0])
    return ((scale_inputs(celsius), celsius_to_fahrenheit(celsius)),
            (scale_inputs(off_centre), celsius_to_fahrenheit(off_centre)))


def check_unscale(fn):
    """Check ``fn(w, b) -> (w_celsius, b_celsius)`` for parameters learned on ``celsius/100``."""
    w1, b1 = _unguessable("unscale", 2, -250.0, 250.0)
    cases = []
    for w, b in ((180.0, 32.0), (150.0, 20.0), (-37.5, 7.25), (w1, b1)):
        hints = [
            ((w * SCALE, b), f"you multiplied by {SCALE:g}: x = C/{SCALE:g}, so "
                             f"w*x = (w/{SCALE:g})*C"),
            ((w / SCALE, b / SCALE), "b is the output at 0 °C, already in °F: it does not "
                                     "change"),
            ((b, w / SCALE), "the pair is (slope, intercept): w first"),
            ((b, w), "the pair is (slope, intercept): w first"),
            ((w, b), f"substitute x = C/{SCALE:g} into w*x + b: the slope changes"),
            (unscale_params(180.0, 32.0), _IGNORES_ARGUMENTS.format("w = 180, b = 32")),
        ]
        cases.append(_Case((w, b), unscale_params(w, b), hints))
    return _run_checks(fn, "check_unscale", cases, "the pair (w_celsius, b_celsius)")


def check_predict_fahrenheit(fn):
    """Check ``fn(celsius, w, b)``: the °F that the line learned on ``x = celsius/100`` gives."""
    w1, b1 = _unguessable("predict wb", 2, -60.0, 260.0)
    c1 = _unguessable("predict celsius", 4, -50.0, 120.0)
    cases = []
    for celsius, w, b in ((100.0, 180.0, 32.0), (37.0, 180.0, 32.0),
                          ([-15.0, 0.0, 60.0], 150.0, 20.0), (c1, w1, b1)):
        c = np.array(celsius, dtype=float) if np.ndim(celsius) else float(celsius)
        hints = [
            (w * c + b, f"the line was learned on x = celsius/{SCALE:g}: scale the reading "
                        "first"),
            (w * c * SCALE + b, f"divide by {SCALE:g}, do not multiply"),
            ((w * c + b) / SCALE, "only the input is scaled, not the output: b is in °F "
                                  "already, do not divide it"),
            (forward(c / SCALE, 180.0, 32.0), _IGNORES_ARGUMENTS.format("w = 180, b = 32")),
        ]
        on_error = ("make it work on a whole array too: avoid `if` and float() on the input"
                    if np.ndim(c) else None)
        cases.append(_Case((c, w, b), forward(c / SCALE, w, b), hints, on_error))
    return _run_checks(fn, "check_predict_fahrenheit", cases,
                       "one temperature in °F per reading (a number for a number, an array for "
                       "an array)")


def check_forward(fn):
    """Check ``fn(x, w, b)`` against ``forward``: a scalar first, then arrays."""
    (w1,) = _unguessable("forward w", 1, 40.0, 260.0)
    (b1,) = _unguessable("forward b", 1, -60.0, 60.0)
    cases = []
    for x, w, b in ((0.2, 180.0, 32.0), ([-1.0, 0.5, 2.0], -3.5, 7.0), (ARTICLE_X, w1, b1)):
        x = np.array(x, dtype=float) if np.ndim(x) else float(x)
        hints = [
            (w * x, "b is missing: add the bias after weighting the input"),
            (b * x + w, "w and b are swapped: w multiplies x, b is added"),
            (w * (x + b), "b is added before multiplying: it is w*x + b, not w*(x + b)"),
            (w * x - b, "b is subtracted: the neuron adds its bias"),
            (x + b, "w is missing: multiply x by w"),
            (w + b, "x is missing: the prediction is w times the input x, plus b"),
            (forward(x, 180.0, 32.0), _IGNORES_ARGUMENTS.format("w = 180, b = 32")),
        ]
        cases.append(_Case((x, w, b), forward(x, w, b), hints))
    return _run_checks(fn, "check_forward", cases,
                       "one prediction per x (a number for a number, an array for an array)")


def check_mse(fn):
    """Check ``fn(y_hat, y)`` against ``mse``."""
    (x, y_course), _ = _course_data()
    y_hat2 = _unguessable("mse y_hat", 6, 20.0, 110.0)
    y2 = _unguessable("mse y", 6, 20.0, 110.0)
    cases = []
    for y_hat, y in (([30.0, 33.0, 36.0, 31.0], [32.0, 32.0, 32.0, 32.0]), (100 * x, y_course),
                     (y_hat2, y2)):
        y_hat, y = np.array(y_hat, dtype=float), np.array(y, dtype=float)
        r, n = y_hat - y, len(y)
        hints = [
            (r * r, "those are the squared errors of each sample; return their mean, one number"),
            (float(r.mean()), "the errors are not squared, so misses above and below cancel out"),
            (float(np.sum(r * r)), "that is the sum; the mean divides it by the number of "
                                   "samples"),
            (float(np.sum(r * r)) / (n - 1), f"divide by the number of samples, {n}, not {n - 1}"),
            (math.sqrt(mse(y_hat, y)), "that is the root of the MSE (RMSE); leave out the sqrt"),
            (float(np.abs(r).mean()), "that is the mean absolute error; square the errors "
                                      "instead"),
            (float(r.mean()) ** 2, "square each residual first, then average"),
            (float(np.mean(y_hat * y_hat - y * y)), "square the difference y_hat - y, not each "
                                                    "value separately"),
        ]
        cases.append(_Case((y_hat, y), mse(y_hat, y), hints))
    return _run_checks(fn, "check_mse", cases, "the mean of the squared errors, one number")


def check_best_bias(fn):
    """Check ``fn(x, y, w) -> b``: for a fixed ``w``, the bias with the lowest MSE,
    ``mean(y - w*x)``."""
    (x, y), (xo, yo) = _course_data()
    (w1,) = _unguessable("best bias w", 1, 20.0, 200.0)
    x1 = _unguessable("best bias x", 5, -0.5, 1.5)
    y1 = _unguessable("best bias y", 5, 0.0, 120.0)
    cases = []
    for xs, ys, w in ((x, y, 100.0), (x, y, 150.0), (xo, yo, 100.0), (xo, yo, 180.0),
                      ([1.0, 2.0, 3.0, 4.0], [3.0, 1.0, 4.0, 1.0], 0.5), (x1, y1, w1)):
        xs, ys = np.array(xs, dtype=float), np.array(ys, dtype=float)
        hints = [
            (TRUE_B, "32 is right for the true rule only: compute it from x, y and w"),
            (float(ys.mean()), "mean(y) works only when x averages to 0: the best b makes the "
                               "residuals w*x + b - y average to zero"),
            (float(np.mean(w * xs - ys)), "the sign is flipped: solve mean(w*x + b - y) = 0 "
                                          "for b"),
            (float(ys.mean()) - w, "multiply w by mean(x), not by 1"),
            (float(np.median(ys - w * xs)), "use the mean, not the median: the squared error "
                                            "is lowest at the mean"),
        ]
        cases.append(_Case((xs, ys, w), float(np.mean(ys - w * xs)), hints))
    return _run_checks(fn, "check_best_bias", cases, "one number, the best b")


def check_nudge_b(fn):
    """Check ``fn(x, y, w, b, h)``: the loss's slope along b by a one-sided nudge,
    ``(L(w, b + h) - L(w, b)) / h``."""
    (x, y), (xo, yo) = _course_data()
    w1, b1 = _unguessable("nudge wb", 2, -20.0, 200.0)
    (h1,) = _unguessable("nudge h", 1, 0.05, 2.0)
    cases = []
    for xs, ys, w, b, h in ((x, y, 100.0, 0.0, 1.0), (x, y, 100.0, 0.0, 0.01),
                            (x, y, 150.0, 20.0, 0.5), (xo, yo, 90.0, 10.0, 0.1),
                            (xo, yo, w1, b1, h1)):
        xs, ys = np.array(xs, dtype=float), np.array(ys, dtype=float)

        def loss(w, b, xs=xs, ys=ys):
            return mse(forward(xs, w, b), ys)

        here = loss(w, b)
        hints = [
            ((loss(w + h, b) - here) / h, "you nudged w: hold w, nudge b"),
            (loss(w, b + h) - here, "divide the change in loss by the size of the nudge, h"),
            ((here - loss(w, b + h)) / h, "new loss minus old loss, then divide: the sign "
                                          "matters"),
            ((loss(w, b + h) - loss(w, b - h)) / (2 * h),
             "that is the two-sided (central) nudge; this exercise asks for the one-sided one, "
             "(L(w, b + h) - L(w, b)) / h"),
            ((loss(w, b + h) - here) / (2 * h), "divide by h, not 2h"),
        ]
        cases.append(_Case((xs, ys, w, b, h), (loss(w, b + h) - here) / h, hints))
    return _run_checks(fn, "check_nudge_b", cases, "one number, the slope along b")


def check_gradients(fn):
    """Check ``fn(x, y, w, b) -> (dw, db)`` against ``gradients`` (the mean reduction)."""
    (x, y), (xo, yo) = _course_data()
    w1, b1 = _unguessable("gradients wb", 2, -50.0, 250.0)
    cases = []
    for xs, ys, w, b in ((x, y, 150.0, 20.0), (xo, yo, 90.0, 10.0), (x, y, -20.5, 7.25),
                         (xo, yo, w1, b1)):
        x, y = np.array(xs, dtype=float), np.array(ys, dtype=float)
        dw, db = gradients(x, y, w, b)
        n = len(x)
        hints = [
            ((-dw, -db), "dw and db have the wrong sign: the residual is y_hat - y, not y - y_hat"),
            ((-dw, db), "dw has the wrong sign"),
            ((dw, -db), "db has the wrong sign"),
            ((n * dw, n * db), f"{n} times too large: that is the sum over samples; take the "
                               "mean"),
            ((dw / 2, db / 2), "half the right size: the slope of r**2 is 2*r"),
            ((db, dw), "dw and db are swapped: return (dw, db)"),
            ((db, db), "dw is missing its factor x: nudging w changes the prediction x times "
                       "as much"),
            ((dw, dw), "db has no factor x: nudging b changes every prediction by the same "
                       "amount"),
            (gradients(x, y, 150.0, 20.0), _IGNORES_ARGUMENTS.format("w = 150, b = 20")),
        ]
        cases.append(_Case((x, y, w, b), (dw, db), hints))
    return _run_checks(fn, "check_gradients", cases, "the pair (dw, db)")


def check_rmse_gradients(fn):
    """Check ``fn(x, y, w, b) -> (dw, db)``: the slopes of the RMSE, ``sqrt(mse)``, by the chain
    rule: the MSE's slopes times ``1 / (2*sqrt(mse))``."""
    (x, y), (xo, yo) = _course_data()
    w1, b1 = _unguessable("rmse wb", 2, -50.0, 250.0)
    cases = []
    for xs, ys, w, b in ((x, y, 100.0, 0.0), (x, y, 120.0, 10.0), (xo, yo, 90.0, 10.0),
                         (xo, yo, w1, b1)):
        x, y = np.array(xs, dtype=float), np.array(ys, dtype=float)
        dw, db = gradients(x, y, w, b)
        loss = mse(forward(x, w, b), y)
        root = math.sqrt(loss)
        with np.errstate(all="ignore"):
            rooted = (np.sqrt(dw), np.sqrt(db))
        hints = [
            ((dw, db), "that is the slope of the MSE; one more link in the chain: how fast does "
                       "sqrt(L) change when L changes?"),
            ((dw / root, db / root), "twice too large: the slope of sqrt(L) is 1 / (2*sqrt(L)), "
                                     "not 1 / sqrt(L)"),
            ((dw / (2 * loss), db / (2 * loss)), "take the square root of L in the "
                                                 "denominator"),
            ((dw * 2 * root, db * 2 * root), "divide by 2*sqrt(L), do not multiply"),
            (rooted, "the square root is taken of the loss, not of its slopes: multiply the two "
                     "rates instead"),
        ]
        cases.append(_Case((x, y, w, b), (dw / (2 * root), db / (2 * root)), hints))
    return _run_checks(fn, "check_rmse_gradients", cases, "the pair (dw, db) of the RMSE")


def check_step(fn):
    """Check ``fn(w, b, dw, db, lr) -> (w, b)`` against ``step``."""
    w, b, dw, db = _unguessable("step", 4, -80.0, 80.0)
    (lr,) = _unguessable("step lr", 1, 0.2, 0.9)
    cases = []
    for args in ((1.0, 0.0, -300.0, -60.0, 0.1), (12.5, -3.0, 4.0, -8.0, 0.25),
                 (180.0, 32.0, 0.0, 0.0, 0.5), (w, b, dw, db, lr)):
        w, b, dw, db, lr = args
        new_w, new_b = step(*args)
        hints = [
            ((w + lr * dw, b + lr * db), "you moved uphill: subtract lr times the slope, do not "
                                         "add it"),
            ((w - dw, b - db), "the learning rate is missing: the step is lr times the slope"),
            ((new_b, new_w), "return the pair in the order (w, b)"),
            ((new_w, b), "b did not move: each knob moves against its own slope, b with db"),
            ((w, new_b), "w did not move: each knob moves against its own slope, w with dw"),
            ((new_w, b - lr * dw), "each knob moves against its OWN slope: w with dw, b with db"),
            ((w - dw / lr, b - db / lr), "multiply the slope by lr, do not divide"),
            ((-lr * dw, -lr * db), "that is the step itself: add it to w and b (new w = w - "
                                   "lr*dw)"),
            (step(w, b, dw, db, 0.1), _IGNORES_ARGUMENTS.format("lr = 0.1")),
        ]
        cases.append(_Case(args, (new_w, new_b), hints))
    return _run_checks(fn, "check_step", cases, "the pair (new_w, new_b)")


def check_threshold(fn):
    """Check ``fn(x) -> lr``, the divergence threshold for centred inputs ``x`` (mean 0).

    Each knob's distance to its best value is multiplied every step by its own factor: b's by
    ``1 - 2*lr``, w's by ``1 - 2*mean(x*x)*lr``; the first to reach -1 ends training, so the
    threshold is ``min(1, 1/mean(x*x))``, ``lr_threshold(x)`` for centred x.
    """
    a, c = _unguessable("threshold", 2, 0.3, 2.5)
    cases = []
    for x in (ARTICLE_CELSIUS / 100, ARTICLE_CELSIUS / 10, ARTICLE_CELSIUS / 20, ARTICLE_CELSIUS,
              [-a, -c, c, a]):
        x = np.array(x, dtype=float)
        m = float(np.sum(x * x)) / len(x)
        with np.errstate(all="ignore"):
            mean_squared = 1.0 / np.float64(x.mean()) ** 2
        smaller = "; the first knob to run away ends training, so take the smaller limit"
        hints = [
            (1.0, "b is not the only knob that can run away: when x is large, w's factor "
                  "1 - 2*mean(x²)*lr reaches -1 first" + smaller),
            (1.0 / m, "w is not the only knob that can run away: b's factor 1 - 2*lr reaches -1 "
                      "at lr = 1" + smaller),
            (2.0 / m, "twice too large: w's factor 1 - 2*mean(x²)*lr reaches -1 at "
                      "lr = 1/mean(x²)"),
            (min(2.0, 2.0 / m), "twice too large: a factor reaches -1 (not 0) at half that lr"),
            (min(0.5, 0.5 / m), "that lr makes a factor 0 (one step lands); the threshold is "
                                "where the factor reaches -1"),
            (0.5, "that lr makes b's factor 0 (one step lands); the threshold is where it "
                  "reaches -1"),
            (mean_squared, "square first, then average: mean(x**2), not mean(x)**2"),
        ]
        cases.append(_Case((x,), lr_threshold(x), hints))
    return _run_checks(fn, "check_threshold", cases, "one learning rate")


def check_balanced_scale(fn):
    """Check ``fn(celsius) -> s`` for centred readings: on ``x = celsius / s`` both knobs are
    equally steep, ``mean(x*x) == 1``, so ``s = sqrt(mean(celsius**2))``."""
    a, c = _unguessable("balanced", 2, 3.0, 60.0)
    cases = []
    for celsius in (ARTICLE_CELSIUS, [-10.0, 0.0, 10.0], [-100.0, -50.0, 50.0, 100.0],
                    [-a, -c, c, a]):
        celsius = np.array(celsius, dtype=float)
        mean_square = float(np.sum(celsius * celsius)) / len(celsius)
        s = math.sqrt(mean_square)
        peak = float(np.abs(celsius).max())
        flatter = 1.0 / (mean_square / SCALE**2)
        hints = [
            (mean_square, "s² must equal mean(C²): take the square root"),
            (math.sqrt(float(np.sum(celsius * celsius))), "use the mean of the squares, not "
                                                          "the sum"),
            (peak, f"that squeezes x into -1..1, but w's steepness is then 2*mean(x²) = "
                   f"{2 * mean_square / peak**2:.2f}, still less than b's 2"),
            (float(np.abs(celsius).mean()), "square first, then average, then take the square "
                                            "root"),
            (1.0 / s, f"x = celsius / s, so s is a number of degrees (about {s:.0f} here)"),
            (SCALE, f"that is the course's scale: w is then {flatter:.3g} times flatter than b"),
        ]
        cases.append(_Case((celsius,), s, hints))
    return _run_checks(fn, "check_balanced_scale", cases, "one number, s, in degrees")


def check_settings(fn, x, y, max_epochs=100, tol=1e-3):
    """Check ``fn() -> (lr, epochs)``: within ``max_epochs``, ``w`` in Celsius units is 1.8 +- tol
    (and ``b`` is 32 +- 10 tol).

    ``x`` is Celsius scaled by ``SCALE`` and ``y`` the Fahrenheit values.
    """
    name = _learner_name(fn)
    if not callable(fn):
        return _not_a_function("check_settings", fn)
    x, y = as_pair(x, y)
    threshold = lr_threshold(x)
    got = _call(fn, ())
    if got is _NOT_WRITTEN:
        return _unwritten(name)
    said = f"❌ {name}() returns {_show(got)}"
    lr, epochs, problem = _settings_pair(got)
    if problem:
        return _fail(f"{said}\n   Hint: {problem}")
    if epochs > max_epochs:
        return _fail(f"❌ {epochs} epochs is more than the {max_epochs} allowed: try a larger lr")
    try:
        history = train(x, y, lr=lr, epochs=epochs)
    except (ValueError, TypeError) as refused:  # the library's refusal, not the learner's code
        return _fail(f"{said}\n   Hint: nc.train refuses it: {refused}")
    w_c, b_c = unscale_params(history.w, history.b)
    if history.diverged:
        return _fail(f"❌ lr = {lr:g} diverges (the divergence threshold is {threshold:.3f}): "
                     "take a smaller lr")
    if abs(w_c - TRUE_W) > tol:
        return _fail(f"❌ after {epochs} epochs w = {w_c:.4f} °F/°C, not yet within {tol:g} of "
                     "1.8: more epochs, or a larger lr below the threshold")
    if abs(b_c - TRUE_B) > 10 * tol:
        return _fail(f"❌ w = {w_c:.4f} °F/°C is right but b = {b_c:.3f} °F has not settled: lr "
                     "is so close to the threshold that b keeps swinging; take a little less")
    return _pass(f"✅ lr = {lr:g}, {epochs} epochs: w = {w_c:.4f} °F/°C and b = {b_c:.3f} °F")


def _settings_pair(got):
    """``(lr, epochs, None)`` from what ``choose_settings`` returned, or ``(.., .., problem)``."""
    shape = "return two numbers, the learning rate and the number of epochs: return 0.5, 40"
    kind = _odd_kind(got)
    if kind:
        return None, None, f"{kind}; {shape}"
    values = _numbers(got)
    if values is not None and values.ndim == 0:
        return None, None, f"that is one number; {shape}"
    if not isinstance(got, tuple | list | np.ndarray) or len(got) != 2:
        return None, None, f"that is not a pair; {shape}"
    lr, epochs = (_numbers(v) for v in got)
    if lr is None or lr.ndim != 0:
        return None, None, f"lr = {_show(got[0])} is not a number; {shape}"
    if epochs is None or epochs.ndim != 0:
        return None, None, f"epochs = {_show(got[1])} is not a number; {shape}"
    lr, epochs = float(lr), float(epochs)
    if lr.is_integer() and lr > 1 and 0 < epochs < 1:
        return None, None, "the pair is (lr, epochs): the learning rate comes first"
    if not math.isfinite(lr) or lr <= 0:
        return None, None, f"lr must be a positive number, not {lr:g}"
    if not math.isfinite(epochs) or not epochs.is_integer() or epochs < 1:
        return None, None, f"epochs counts updates: a whole number, 1 or more, not {epochs:g}"
    return lr, int(epochs), None


# -- the machinery shared by the checks --------------------------------------------------------

_NOT_WRITTEN = object()
_IGNORES_ARGUMENTS = ("it gives the answer for {} whatever it is given: use the function's "
                      "arguments, not fixed numbers")
_SAME_AS_BEFORE = ("it gives the same answer as for an earlier case: use the function's "
                   "arguments, not a fixed result")


@dataclass(frozen=True)
class _Case:
    """One call of the learner's function: its arguments, the right result (computed before
    the call) and ``(wrong result, hint)`` pairs for known mistakes, the most specific first."""

    args: tuple
    want: object
    hints: list
    on_error: str | None = None  # hint when the function raises TypeError or ValueError here


def _unguessable(key, n, low, high):
    """``n`` numbers in ``[low, high)`` that a learner cannot guess, the same on every run."""
    rng = np.random.default_rng([_CHECK_SEED, *key.encode()])
    return [round(float(v), 2) for v in rng.uniform(low, high, n)]


def _grading():

    return bool(os.environ.get("NBGRADER_EXECUTION"))


def _pass(message):
    print(message)
    return True


def _fail(message):
    """Print the verdict; under nbgrader, also raise it so that the check cell scores 0."""
    print(message)
    if _grading():
        raise AssertionError(message)
    return False


def _unwritten(name):
    return _fail(f"⏳ {name} is not written yet: in its cell, replace the line "
                 "`raise NotImplementedError()` with your code")


def _not_a_function(check, fn):
    return _fail(f"❌ {check} needs your function itself, not {_show(fn)}: write "
                 f"nc.{check}(name_of_your_function), without () after the name")


def _learner_name(fn):
    name = getattr(fn, "__name__", None)
    return name if isinstance(name, str) and name.isidentifier() else "your function"


def _call(fn, args):
    """The learner's function on copies of ``args``; a stub not written yet gives _NOT_WRITTEN.
    Any other exception comes from the learner's own code and is left to surface."""
    import copy

    try:
        return fn(*copy.deepcopy(args))
    except NotImplementedError:
        return _NOT_WRITTEN


def _run_checks(fn, check, cases, returns):
    """Call ``fn`` on each case in order and print one verdict: the first failing case with its
    hint, or ✅ when every case is right. ``returns`` says what the function should return."""
    name = _learner_name(fn)
    if not callable(fn):
        return _not_a_function(check, fn)
    for number, case in enumerate(cases):
        call = f"{name}({', '.join(map(_show, case.args))})"
        try:
            got = _call(fn, case.args)
        except (TypeError, ValueError) as error:
            if case.on_error is None:
                raise  # the learner's own code failed: its traceback says where
            return _fail(f"❌ {call} raises {type(error).__name__}: {error}\n"
                         f"   Hint: {case.on_error}")
        if got is _NOT_WRITTEN:
            return _unwritten(name)
        if _matches(got, case.want):
            continue
        earlier = [(before.want, _SAME_AS_BEFORE) for before in cases[:number]]
        hint = next((text for wrong, text in [*case.hints, *earlier] if _matches(got, wrong)),
                    None) or _odd_return(got, case.want, returns)
        message = f"❌ {call} gives {_show(got)}, expected {_show(case.want)}"
        return _fail(message + (f"\n   Hint: {hint}" if hint else ""))
    first = cases[0]
    return _pass(f"✅ {name} is right on all {len(cases)} cases, e.g. "
                 f"{name}({', '.join(map(_show, first.args))}) = {_show(first.want)}")


def _numbers(value):
    """``value`` as a float array, or None when it is not a number or a list of numbers."""
    import warnings

    if _odd_kind(value):
        return None
    if isinstance(value, tuple | list) and any(_odd_kind(v) for v in value):
        return None  # numpy would read True as 1 and "2" as a number
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            raw = np.asarray(value)
            return raw.astype(float) if raw.dtype.kind in "iuf" else None
    except Exception:  # whatever the learner's object does when numpy looks at it
        return None


def _matches(got, want):
    """Is ``got`` the number(s) ``want``, to about six digits?"""
    got, want = _numbers(got), np.asarray(want, dtype=float)
    if got is None:
        return False
    if got.shape != want.shape:
        if want.ndim or got.size != 1:
            return False
        got = got.reshape(())
    with np.errstate(all="ignore"):  # equal_nan: a known mistake may give nan (want never does)
        return bool(np.allclose(got, want, rtol=1e-6, atol=1e-9, equal_nan=True))


def _odd_kind(value):
    """What is wrong with a value that is not a number or a sequence of numbers; else None."""
    if value is None:
        return "it returns None: end the function with a return statement"
    if isinstance(value, str | bytes):
        return "it returns text: return the number itself, not a string or an f-string"
    if isinstance(value, dict):
        return "it returns a dict"
    if isinstance(value, bool | np.bool_):
        return f"it returns {bool(value)}, a yes/no answer, not a number"
    if callable(value):
        return "it returns a function: call it, or return what it computes"
    if isinstance(value, set | frozenset):
        return "it returns a set, which has no order"
    return None


def _odd_return(got, want, returns):
    """A hint for a return value of the wrong kind or shape; None for a plain wrong number."""
    kind = _odd_kind(got)
    if kind:
        return f"{kind}; return {returns}"
    values = _numbers(got)
    if values is None:
        return f"that is not a number or a list of numbers; return {returns}"
    want = np.asarray(want)
    if values.shape != want.shape and not (want.ndim == 0 and values.size == 1):
        if values.size == want.size:
            return (f"the numbers are packed in an extra tuple or list (shape {values.shape}); "
                    f"return {returns}")
        count = "one number" if values.ndim == 0 else f"{values.size} numbers"
        return f"it returns {count} where {want.size} are expected; return {returns}"
    if not np.all(np.isfinite(values)):
        return ("it returns nan or inf: look for a division by zero or a number that grew out "
                "of range")
    return None


def _show(value, limit=60):
    """A short, safe text for any value: numbers to six digits, long arrays abridged."""
    try:
        values = _numbers(value)
        if values is not None and values.ndim == 0:
            return f"{float(values):.6g}"
        if values is not None and values.ndim == 1:
            parts = [f"{v:.6g}" for v in values]
            if len(parts) > 6:
                parts = [*parts[:3], "...", *parts[-2:]]
            if isinstance(value, tuple):
                return "(" + ", ".join(parts) + ")"
            return "[" + ", ".join(parts) + "]"
        text = repr(value)
    except Exception:
        text = f"a {type(value).__name__} object"
    return text if len(text) <= limit else text[: limit - 3] + "..."

