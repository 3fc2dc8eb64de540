"""Exercise checks of the One Neuron course: friendly feedback on the learner's own functions.

The notebooks reach them as ``nc.check_<name>`` (``neuron_core`` re-exports them lazily), in
the order the exercises come in the course.

Every check_* prints one verdict line and returns True or False; it never raises for a wrong,
unwritten or misbehaving answer, and never looks at the environment:

* ``✔ ...`` the function is right on every case;
* ``✘ ...`` it is wrong, followed by ``   Hint: ...`` when the mistake is a known one;
* ``✎ <name> is not written yet ...`` its code does nothing (only a docstring, ``...`` or
  ``pass``) or it raises NotImplementedError.

How a check works, and why:

* Each check tries several cases, at least one with numbers a learner cannot guess (drawn from a
  seeded generator), so a hard-coded answer or one that ignores an argument fails. The cases are
  ordered so that every hint can be reached.
* It works in two phases. First it calls the learner's function on every case, each call on
  copies of the arguments, under a time limit (``TIME_LIMIT`` seconds), and turns what came back
  into plain numbers: at that moment no expected value exists anywhere, so a function that walks
  the call stack or the garbage collector finds none. Only then does it compute the expected
  values and the hints, and compare. ``neuron_grading`` runs the two phases in two fresh copies
  of this module.
* Whatever the function does becomes a verdict: any return value (None, text, a dict, the wrong
  shape, ten million numbers: refused by their count, at once), any exception (reported by type
  and a safe message, with the line of the learner's code it came from), ``sys.exit()``,
  KeyboardInterrupt, a loop that never ends.
* An exercise the library answers is refused: a function that uses the library function it is
  asked to write (``nc.forward`` in ``my_forward``), or another one that gives the answer away,
  fails with a hint. It is found in the function's code (names, nested functions, defaults,
  closures, helper functions it calls) and, while it runs, in the calls it makes.
"""

from __future__ import annotations

import builtins
import copy
import dis
import functools
import linecache
import math
import os
import signal
import sys
import threading
import time
import types
import warnings
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
    make_dataset,
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

_ENOUGH = 1000  # numbers: an answer with more is refused by its count, without a look at them
TIME_LIMIT = 5.0  # seconds for each call of a learner's function (tests lower it)
CHECK_SEED = 20261126  # the unguessable cases; neuron_grading draws its own with another seed

MARK_RIGHT, MARK_WRONG, MARK_UNWRITTEN = "✔", "✘", "✎"


# -- the exercises -----------------------------------------------------------------------------


def check_unscale(fn):
    """Check ``fn(w, b) -> (w_celsius, b_celsius)`` for parameters learned on ``celsius/100``.

    The library may not answer it: ``nc.unscale_params`` is the exercise, and ``nc.forward`` or
    ``nc.scale_inputs`` would divide by 100 for the learner.
    """
    return _check("check_unscale", fn)


def check_predict_fahrenheit(fn):
    """Check ``fn(celsius, w, b)``: the °F that the line learned on ``x = celsius/100`` gives.

    ``nc.scale_inputs`` and ``nc.forward`` are refused: the exercise is to scale the reading and
    apply the line, which is what they would do (01 comes before 02's forward pass).
    """
    return _check("check_predict_fahrenheit", fn)


def check_forward(fn):
    """Check ``fn(x, w, b)`` against ``forward``: a scalar first, then arrays. ``nc.forward`` is
    the exercise itself; no library function is allowed."""
    return _check("check_forward", fn)


def check_mse(fn):
    """Check ``fn(y_hat, y)`` against ``mse``. ``nc.mse`` is the exercise (``nc.train`` would
    compute it too); ``nc.forward`` is allowed, it does not give the loss."""
    return _check("check_mse", fn)


def check_best_bias(fn):
    """Check ``fn(x, y, w) -> b``: for a fixed ``w``, the bias with the lowest MSE,
    ``mean(y - w*x)``.

    ``nc.forward`` and ``nc.mse`` are allowed (02's table uses them); the gradient, a step or
    training would hand over the answer (half a step of lr 0.5 lands b on it).
    """
    return _check("check_best_bias", fn)


def check_nudge_b(fn):
    """Check ``fn(x, y, w, b, h)``: the loss's slope along b by a one-sided nudge,
    ``(L(w, b + h) - L(w, b)) / h``.

    The exercise is the nudge, so computing the two losses with ``nc.mse(nc.forward(...))`` is
    allowed (the notebook's hint says so); ``nc.gradients`` or ``nc.numerical_gradients`` would
    give the slope without nudging, and are refused.
    """
    return _check("check_nudge_b", fn)


def check_gradients(fn):
    """Check ``fn(x, y, w, b) -> (dw, db)`` against ``gradients`` (the mean reduction).

    ``nc.forward`` and ``nc.mse`` are allowed (the notebook's hint offers ``nc.forward`` for the
    residuals); ``nc.gradients``, ``nc.numerical_gradients`` and training are refused.
    """
    return _check("check_gradients", fn)


def check_rmse_gradients(fn):
    """Check ``fn(x, y, w, b) -> (dw, db)``: the slopes of the RMSE, ``sqrt(mse)``, by the chain
    rule: the MSE's slopes times ``1 / (2*sqrt(mse))``.

    The exercise is the last link of the chain, on top of the MSE's slopes: the notebook invites
    ``nc.gradients`` and ``nc.mse`` (and ``nc.forward``, ``nc.numerical_gradients`` give nothing
    more). Nothing in the library computes the RMSE's slopes; training is refused all the same.
    """
    return _check("check_rmse_gradients", fn)


def check_step(fn):
    """Check ``fn(w, b, dw, db, lr) -> (w, b)`` against ``step``. ``nc.step`` is the exercise
    (``nc.train`` steps too); the loss and the gradient are allowed, they do not step."""
    return _check("check_step", fn)


def check_threshold(fn):
    """Check ``fn(x) -> lr``, the divergence threshold for centred inputs ``x`` (mean 0).

    Each knob's distance to its best value is multiplied every step by its own factor: b's by
    ``1 - 2*lr``, w's by ``1 - 2*mean(x*x)*lr``; the first to reach -1 ends training, so the
    threshold is ``min(1, 1/mean(x*x))``, ``lr_threshold(x)`` for centred x.

    ``nc.lr_threshold`` is the exercise and ``nc.hessian`` gives it in one line; training is
    refused too. Stepping by hand with ``nc.step`` and ``nc.gradients`` is allowed.
    """
    return _check("check_threshold", fn)


def check_balanced_scale(fn):
    """Check ``fn(celsius) -> s`` for centred readings: on ``x = celsius / s`` both knobs are
    equally steep, ``mean(x*x) == 1``, so ``s = sqrt(mean(celsius**2))``.

    ``nc.hessian`` and ``nc.lr_threshold`` hold ``mean(celsius**2)`` and are refused.
    """
    return _check("check_balanced_scale", fn)


def check_settings(fn, x, y, max_epochs=100, tol=1e-3):
    """Check ``fn() -> (lr, epochs)``: within ``max_epochs``, ``w`` in Celsius units is 1.8 +- tol
    (and ``b`` is 32 +- 10 tol).

    ``x`` is Celsius scaled by ``SCALE`` and ``y`` the Fahrenheit values. The answer is a choice,
    not a computation: ``nc.train`` (or any training) inside ``fn`` would search for it and is
    refused; the threshold and the other formulas are allowed.
    """
    name = learner_name(fn)
    records = collect_answers("check_settings", fn)
    passed, message = judge_answers("check_settings", name, records, x, y, max_epochs, tol)
    print(message)
    return passed


def _check(check, fn):
    """Both phases of a check, in this module: call first, judge after; print the verdict."""
    name = learner_name(fn)
    records = collect_answers(check, fn)
    passed, message = judge_answers(check, name, records)
    print(message)
    return passed


# -- the cases: arguments first (phase 1), expected values and hints after (phase 2) -----------


@dataclass(frozen=True)
class _Case:
    """The right result for one call and ``(wrong result, hint)`` pairs for known mistakes, the
    most specific first. Built only after every call of the learner's function is over."""

    want: object
    hints: list
    on_error: str | None = None  # hint when the function raises TypeError or ValueError here


@dataclass(frozen=True)
class _Exercise:
    """How to check one exercise: its arguments, its cases, what it returns and how precisely."""

    arguments: object  # () -> list of argument tuples, the same on every call
    case: object  # (args) -> _Case, called in phase 2 only
    returns: str  # what the function should return, for hints
    size: object  # (args) -> how many numbers the answer holds
    decimals: int | None  # an answer rounded to this many decimals is accepted (the text's "about")
    allowed: frozenset  # library functions the answer may use
    own: str  # the hint when the library answers it


def _course_data():
    """The course's readings (x = C/100, centred) and the off-centre ones the checks also use."""
    celsius = ARTICLE_CELSIUS
    off_centre = np.array([0.0, 10.0, 20.0, 30.0, 50.0])
    return ((scale_inputs(celsius), celsius_to_fahrenheit(celsius)),
            (scale_inputs(off_centre), celsius_to_fahrenheit(off_centre)))


def _notebook_data():
    """The notebooks' own ``x, y`` (``nc.make_dataset()`` scaled): a function that reads them
    instead of its arguments gives their answer."""
    celsius, fahrenheit = make_dataset()
    return scale_inputs(celsius), fahrenheit


def _unscale_arguments():
    w1, b1 = _unguessable("unscale", 2, -250.0, 250.0)
    return [(180.0, 32.0), (150.0, 20.0), (-37.5, 7.25), (w1, b1)]


def _unscale_case(args):
    w, b = args
    return _Case(unscale_params(w, b), [
        ((w * SCALE, b), f"you multiplied by {SCALE:g}: x = C/{SCALE:g}, so "
                         f"w*x = (w/{SCALE:g})*C"),
        ((w / SCALE, b / SCALE), "b is the output at 0 °C, already in °F: it does not change"),
        ((b, w / SCALE), "the pair is (slope, intercept): w first"),
        ((b, w), "the pair is (slope, intercept): w first"),
        ((w, b), f"substitute x = C/{SCALE:g} into w*x + b: the slope changes"),
        (unscale_params(180.0, 32.0), _IGNORES_ARGUMENTS.format("w = 180, b = 32")),
    ])


def _predict_arguments():
    w1, b1 = _unguessable("predict wb", 2, -60.0, 260.0)
    c1 = _unguessable("predict celsius", 4, -50.0, 120.0)
    return [(100.0, 180.0, 32.0), (37.0, 180.0, 32.0),
            (np.array([-15.0, 0.0, 60.0]), 150.0, 20.0), (np.array(c1), w1, b1)]


def _predict_case(args):
    c, w, b = args
    on_error = ("make it work on a whole array too: avoid `if` and float() on the input"
                if np.ndim(c) else None)
    return _Case(forward(c / SCALE, w, b), [
        (w * c + b, f"the line was learned on x = celsius/{SCALE:g}: scale the reading first"),
        (w * c * SCALE + b, f"divide by {SCALE:g}, do not multiply"),
        ((w * c + b) / SCALE, "only the input is scaled, not the output: b is in °F already, "
                              "do not divide it"),
        (forward(c / SCALE, 180.0, 32.0), _IGNORES_ARGUMENTS.format("w = 180, b = 32")),
    ], on_error)


def _forward_arguments():
    (w1,) = _unguessable("forward w", 1, 40.0, 260.0)
    (b1,) = _unguessable("forward b", 1, -60.0, 60.0)
    return [(0.2, 180.0, 32.0), (np.array([-1.0, 0.5, 2.0]), -3.5, 7.0),
            (np.array(ARTICLE_X), w1, b1)]


def _forward_case(args):
    x, w, b = args
    return _Case(forward(x, w, b), [
        (w * x, "b is missing: add the bias after weighting the input"),
        (b * x + w, "w and b are swapped: w multiplies x, b is added"),
        (w * (x + b), "b is added before multiplying: it is w*x + b, not w*(x + b)"),
        (w * x - b, "b is subtracted: the neuron adds its bias"),
        (x + b, "w is missing: multiply x by w"),
        (w + b, "x is missing: the prediction is w times the input x, plus b"),
        (forward(x, 180.0, 32.0), _IGNORES_ARGUMENTS.format("w = 180, b = 32")),
    ])


def _mse_arguments():
    (x, y_course), _ = _course_data()
    y_hat2 = _unguessable("mse y_hat", 6, 20.0, 110.0)
    y2 = _unguessable("mse y", 6, 20.0, 110.0)
    return [(np.array([30.0, 33.0, 36.0, 31.0]), np.full(4, 32.0)), (100 * x, y_course),
            (np.array(y_hat2), np.array(y2))]


def _mse_case(args):
    y_hat, y = args
    r, n = y_hat - y, len(y)
    return _Case(mse(y_hat, y), [
        (r * r, "those are the squared errors of each sample; return their mean, one number"),
        (float(r.mean()), "the errors are not squared, so misses above and below cancel out"),
        (float(np.sum(r * r)), "that is the sum; the mean divides it by the number of samples"),
        (float(np.sum(r * r)) / (n - 1), f"divide by the number of samples, {n}, not {n - 1}"),
        (math.sqrt(mse(y_hat, y)), "that is the root of the MSE (RMSE); leave out the sqrt"),
        (float(np.abs(r).mean()), "that is the mean absolute error; square the errors instead"),
        (float(r.mean()) ** 2, "square each residual first, then average"),
        (float(np.mean(y_hat * y_hat - y * y)), "square the difference y_hat - y, not each "
                                                "value separately"),
    ])


def _best_bias_arguments():
    (x, y), (xo, yo) = _course_data()
    (w1,) = _unguessable("best bias w", 1, 20.0, 200.0)
    x1 = _unguessable("best bias x", 5, -0.5, 1.5)
    y1 = _unguessable("best bias y", 5, 0.0, 120.0)
    return [(x, y, 100.0), (x, y, 150.0), (xo, yo, 100.0), (xo, yo, 180.0),
            (np.array([1.0, 2.0, 3.0, 4.0]), np.array([3.0, 1.0, 4.0, 1.0]), 0.5),
            (np.array(x1), np.array(y1), w1)]


def _best_bias_case(args):
    xs, ys, w = args
    return _Case(float(np.mean(ys - w * xs)), [
        (TRUE_B, "32 is right for the true rule only: compute it from x, y and w"),
        (float(ys.mean()), "mean(y) works only when x averages to 0: the best b makes the "
                           "residuals w*x + b - y average to zero"),
        (float(np.mean(w * xs - ys)), "the sign is flipped: solve mean(w*x + b - y) = 0 for b"),
        (float(ys.mean()) - w, "multiply w by mean(x), not by 1"),
        (float(np.median(ys - w * xs)), "use the mean, not the median: the squared error is "
                                        "lowest at the mean"),
    ])  # the notebook's x, y give 32 whatever w is: the first hint says so


def _nudge_arguments():
    (x, y), (xo, yo) = _course_data()
    w1, b1 = _unguessable("nudge wb", 2, -20.0, 200.0)
    (h1,) = _unguessable("nudge h", 1, 0.05, 2.0)
    return [(x, y, 100.0, 0.0, 1.0), (x, y, 100.0, 0.0, 0.01), (x, y, 150.0, 20.0, 0.5),
            (xo, yo, 90.0, 10.0, 0.1), (xo, yo, w1, b1, h1)]


def _nudge_case(args):
    xs, ys, w, b, h = args
    xn, yn = _notebook_data()

    def loss(w, b, xs=xs, ys=ys):
        return mse(forward(xs, w, b), ys)

    here = loss(w, b)
    notebook = (mse(forward(xn, w, b + h), yn) - mse(forward(xn, w, b), yn)) / h
    return _Case((loss(w, b + h) - here) / h, [
        ((loss(w + h, b) - here) / h, "you nudged w: hold w, nudge b"),
        (loss(w, b + h) - here, "divide the change in loss by the size of the nudge, h"),
        ((here - loss(w, b + h)) / h, "new loss minus old loss, then divide: the sign matters"),
        ((loss(w, b + h) - loss(w, b - h)) / (2 * h),
         "that is the two-sided (central) nudge; this exercise asks for the one-sided one, "
         "(L(w, b + h) - L(w, b)) / h"),
        ((loss(w, b + h) - here) / (2 * h), "divide by h, not 2h"),
        (notebook, "it gives the slope on the notebook's x and y (loss_at uses them), not on "
                   "the x and y it is given: compute the losses from its own arguments, "
                   "nc.mse(nc.forward(x, w, b), y)"),
    ])


def _gradients_arguments():
    (x, y), (xo, yo) = _course_data()
    w1, b1 = _unguessable("gradients wb", 2, -50.0, 250.0)
    return [(x, y, 150.0, 20.0), (xo, yo, 90.0, 10.0), (x, y, -20.5, 7.25), (xo, yo, w1, b1)]


def _gradients_case(args):
    x, y, w, b = args
    dw, db = gradients(x, y, w, b)
    n = len(x)
    return _Case((dw, db), [
        ((-dw, -db), "dw and db have the wrong sign: the residual is y_hat - y, not y - y_hat"),
        ((-dw, db), "dw has the wrong sign"),
        ((dw, -db), "db has the wrong sign"),
        ((n * dw, n * db), f"{n} times too large: that is the sum over samples; take the mean"),
        ((dw / 2, db / 2), "half the right size: the slope of r**2 is 2*r"),
        ((db, dw), "dw and db are swapped: return (dw, db)"),
        ((db, db), "dw is missing its factor x: nudging w changes the prediction x times as "
                   "much"),
        ((dw, dw), "db has no factor x: nudging b changes every prediction by the same amount"),
        (gradients(*_notebook_data(), w, b), _NOTEBOOK_DATA),
        (gradients(x, y, 150.0, 20.0), _IGNORES_ARGUMENTS.format("w = 150, b = 20")),
    ])


def _rmse_arguments():
    (x, y), (xo, yo) = _course_data()
    w1, b1 = _unguessable("rmse wb", 2, -50.0, 250.0)
    return [(x, y, 100.0, 0.0), (x, y, 120.0, 10.0), (xo, yo, 90.0, 10.0), (xo, yo, w1, b1)]


def _rmse_slopes(x, y, w, b):
    dw, db = gradients(x, y, w, b)
    root = math.sqrt(mse(forward(x, w, b), y))
    return dw / (2 * root), db / (2 * root)


def _rmse_case(args):
    x, y, w, b = args
    dw, db = gradients(x, y, w, b)
    loss = mse(forward(x, w, b), y)
    root = math.sqrt(loss)
    with np.errstate(all="ignore"):
        rooted = (np.sqrt(dw), np.sqrt(db))
    return _Case(_rmse_slopes(x, y, w, b), [
        ((dw, db), "that is the slope of the MSE; one more link in the chain: how fast does "
                   "sqrt(L) change when L changes?"),
        ((dw / root, db / root), "twice too large: the slope of sqrt(L) is 1 / (2*sqrt(L)), "
                                 "not 1 / sqrt(L)"),
        ((dw / (2 * loss), db / (2 * loss)), "take the square root of L in the denominator"),
        ((dw * 2 * root, db * 2 * root), "divide by 2*sqrt(L), do not multiply"),
        (rooted, "the square root is taken of the loss, not of its slopes: multiply the two "
                 "rates instead"),
        (_rmse_slopes(*_notebook_data(), w, b), _NOTEBOOK_DATA),
    ])


def _step_arguments():
    w, b, dw, db = _unguessable("step", 4, -80.0, 80.0)
    (lr,) = _unguessable("step lr", 1, 0.2, 0.9)
    return [(1.0, 0.0, -300.0, -60.0, 0.1), (12.5, -3.0, 4.0, -8.0, 0.25),
            (180.0, 32.0, 0.0, 0.0, 0.5), (w, b, dw, db, lr)]


def _step_case(args):
    w, b, dw, db, lr = args
    new_w, new_b = step(*args)
    return _Case((new_w, new_b), [
        ((w + lr * dw, b + lr * db), "you moved uphill: subtract lr times the slope, do not "
                                     "add it"),
        ((w - dw, b - db), "the learning rate is missing: the step is lr times the slope"),
        ((new_b, new_w), "return the pair in the order (w, b)"),
        ((new_w, b), "b did not move: each knob moves against its own slope, b with db"),
        ((w, new_b), "w did not move: each knob moves against its own slope, w with dw"),
        ((new_w, b - lr * dw), "each knob moves against its OWN slope: w with dw, b with db"),
        ((w - dw / lr, b - db / lr), "multiply the slope by lr, do not divide"),
        ((-lr * dw, -lr * db), "that is the step itself: add it to w and b (new w = w - lr*dw)"),
        (step(w, b, dw, db, 0.1), _IGNORES_ARGUMENTS.format("lr = 0.1")),
    ])


def _threshold_arguments():
    a, c = _unguessable("threshold", 2, 0.3, 2.5)
    return [(np.array(x, dtype=float),) for x in (
        ARTICLE_CELSIUS / 100, ARTICLE_CELSIUS / 10, ARTICLE_CELSIUS / 20, ARTICLE_CELSIUS / 5,
        [-a, -c, c, a])]  # every threshold above 0.03: "0.15 (to two decimals)" invites rounding


def _threshold_case(args):
    (x,) = args
    m = float(np.sum(x * x)) / len(x)
    with np.errstate(all="ignore"):
        mean_squared = 1.0 / np.float64(x.mean()) ** 2
    smaller = "; the first knob to run away ends training, so take the smaller limit"
    return _Case(lr_threshold(x), [
        (1.0, "b is not the only knob that can run away: when x is large, w's factor "
              "1 - 2*mean(x²)*lr reaches -1 first" + smaller),
        (1.0 / m, "w is not the only knob that can run away: b's factor 1 - 2*lr reaches -1 "
                  "at lr = 1" + smaller),
        (2.0 / m, "twice too large: w's factor 1 - 2*mean(x²)*lr reaches -1 at "
                  "lr = 1/mean(x²)"),
        (min(2.0, 2.0 / m), "twice too large: a factor reaches -1 (not 0) at half that lr"),
        (min(0.5, 0.5 / m), "that lr makes a factor 0 (one step lands); the threshold is "
                            "where the factor reaches -1"),
        (0.5 / m, f"that is where w lands in one step: w's factor 1 - 2*mean(x²)*lr is 0 at "
                  f"lr = {0.5 / m:.3g}; the threshold is where the first factor reaches -1, "
                  "and b's may get there first"),
        (0.5, "that lr makes b's factor 0 (one step lands); the threshold is where it "
              "reaches -1"),
        (mean_squared, "square first, then average: mean(x**2), not mean(x)**2"),
    ])


def _balanced_arguments():
    a, c = _unguessable("balanced", 2, 3.0, 60.0)
    return [(np.array(c, dtype=float),) for c in (
        ARTICLE_CELSIUS, [-10.0, 0.0, 10.0], [-100.0, -50.0, 50.0, 100.0], [-a, -c, c, a])]


def _balanced_case(args):
    (celsius,) = args
    mean_square = float(np.sum(celsius * celsius)) / len(celsius)
    s = math.sqrt(mean_square)
    peak = float(np.abs(celsius).max())
    flatter = 1.0 / (mean_square / SCALE**2)
    return _Case(s, [
        (mean_square, "s² must equal mean(C²): take the square root"),
        (math.sqrt(float(np.sum(celsius * celsius))), "use the mean of the squares, not the "
                                                      "sum"),
        (peak, f"that squeezes x into -1..1, but w's steepness is then 2*mean(x²) = "
               f"{2 * mean_square / peak**2:.2f}, still less than b's 2"),
        (float(np.abs(celsius).mean()), "square first, then average, then take the square "
                                        "root"),
        (1.0 / s, f"x = celsius / s, so s is a number of degrees (about {s:.0f} here)"),
        (SCALE, f"that is the course's scale: w is then {flatter:.3g} times flatter than b"),
    ])


def _one(args):
    return 1


def _two(args):
    return 2


def _like_first(args):
    return int(np.size(args[0]))


# The library functions that compute an exercise's answer (or hand it over). An exercise allows
# the ones its text invites; the others are refused. neuron_fast's are the same math, faster.
ANSWER_MACHINES = frozenset({
    "forward", "mse", "gradients", "numerical_gradients", "step", "train", "closed_form",
    "hessian", "lr_threshold", "article_model", "scale_inputs", "unscale_params",
    "moments", "moment_gradients", "bowl", "bowl_losses", "losses_at", "train_fast",
})
_LOSS = frozenset({"forward", "mse"})
_SLOPES = _LOSS | {"gradients", "numerical_gradients"}

_EXERCISES = {
    "check_unscale": _Exercise(
        _unscale_arguments, _unscale_case, "the pair (w_celsius, b_celsius)", _two, None,
        frozenset(), "this exercise is what nc.unscale_params does inside"),
    "check_predict_fahrenheit": _Exercise(
        _predict_arguments, _predict_case, "one temperature in °F per reading (a number for a "
        "number, an array for an array)", _like_first, None, frozenset(),
        "this exercise is what nc.forward(nc.scale_inputs(celsius), w, b) does inside"),
    "check_forward": _Exercise(
        _forward_arguments, _forward_case, "one prediction per x (a number for a number, an "
        "array for an array)", _like_first, None, frozenset(),
        "this exercise is what nc.forward does inside"),
    "check_mse": _Exercise(
        _mse_arguments, _mse_case, "the mean of the squared errors, one number", _one, 2,
        frozenset({"forward"}), "this exercise is what nc.mse does inside"),
    "check_best_bias": _Exercise(
        _best_bias_arguments, _best_bias_case, "one number, the best b", _one, None, _LOSS,
        "the slopes, a step or training would hand you the answer"),
    "check_nudge_b": _Exercise(
        _nudge_arguments, _nudge_case, "one number, the slope along b", _one, 2, _LOSS,
        "the exercise is the nudge itself: compute two losses with nc.mse(nc.forward(...))"),
    "check_gradients": _Exercise(
        _gradients_arguments, _gradients_case, "the pair (dw, db)", _two, None, _LOSS,
        "this exercise is what nc.gradients does inside"),
    "check_rmse_gradients": _Exercise(
        _rmse_arguments, _rmse_case, "the pair (dw, db) of the RMSE", _two, 4, _SLOPES,
        "build it from nc.gradients and nc.mse by the chain rule"),
    "check_step": _Exercise(
        _step_arguments, _step_case, "the pair (new_w, new_b)", _two, None, _SLOPES,
        "this exercise is what nc.step does inside"),
    "check_threshold": _Exercise(
        _threshold_arguments, _threshold_case, "one learning rate", _one, 2,
        _SLOPES | {"step", "scale_inputs", "unscale_params"},
        "this exercise is what nc.lr_threshold does inside"),
    "check_balanced_scale": _Exercise(
        _balanced_arguments, _balanced_case, "one number, s, in degrees", _one, 2,
        _SLOPES | {"step", "scale_inputs", "unscale_params"},
        "compute mean(celsius**2) with numpy"),
}
_SETTINGS_ALLOWED = ANSWER_MACHINES - {"train", "train_fast", "article_model", "losses_at",
                                       "bowl_losses"}
_SETTINGS_OWN = "choose lr and epochs yourself, with the explorer: the checker trains with them"


# -- phase 1: call the learner's function, keep only plain numbers -----------------------------
#
# A record is a tuple of exact builtin types, so that phase 2 (perhaps another copy of this
# module) runs none of the learner's code while it reads it:
#     (status, shown, values, shape, tuple_like, detail)
# status: "value", "odd" (not numbers), "size" (too many numbers), "raised", "exit",
# "interrupt", "timeout", "unwritten", "library", "checker", "not a function".


def collect_answers(check, fn):
    """Phase 1: the records of ``fn`` on the check's cases, in order, stopping at the first that
    fails by itself (an exception, a hang, not written, not numbers). No expected value exists
    while ``fn`` runs: this frame holds only the arguments."""
    if check == "check_settings":
        allowed, arguments, size = _SETTINGS_ALLOWED, [()], _two
    else:
        exercise = _EXERCISES[check]
        allowed, arguments, size = exercise.allowed, exercise.arguments(), exercise.size
        del exercise  # nothing here can build a case
    if not callable(fn):
        return (_record("not a function", _show(fn)),)
    if is_unwritten(fn):
        return (_record("unwritten"),)
    used = library_uses(fn, allowed)
    if used:
        return (_record("library", detail=used[0]),)
    records = []
    for args in arguments:
        record = _call(fn, args, size(args), allowed, check == "check_settings")
        records.append(record)
        if record[0] != "value":
            break
    return tuple(records)


def _record(status, shown="", values=None, shape=None, tuple_like=False, detail=""):
    return (status, shown, values, shape, tuple_like, detail)


def _call(fn, args, size, allowed, settings=False):
    """One call of ``fn`` on copies of ``args``, watched and under the time limit, as a record."""
    limit = TIME_LIMIT
    watch = _Watch(allowed)
    try:
        return _within(limit, lambda: _called(fn, args, size, watch, settings))
    except _TimeUp:
        return _record("timeout", detail=f"{limit:g}")


def _called(fn, args, size, watch, settings):
    copies = copy.deepcopy(args)
    with watch:
        try:
            got = fn(*copies)
        except _TimeUp:
            raise
        except NotImplementedError:
            return _record("unwritten")
        except SystemExit:
            return _record("exit")
        except KeyboardInterrupt:
            return _record("interrupt")
        except BaseException as error:  # the learner's code failed: say how and where
            return _record("raised", detail=_error_text(error),
                           shape=(1,) if isinstance(error, TypeError | ValueError) else ())
        try:
            record = _settings_record(got) if settings else _plain(got, size)
        except _TimeUp:
            raise
        except BaseException:  # a list that holds itself, an __array__ that raises...
            record = _record("odd", "an object that cannot be read",
                             detail="that is not a number or a list of numbers")
    if watch.found:
        status = "checker" if watch.found in (_CHECKER, _UNWATCHED) else "library"
        return _record(status, detail=watch.found)
    return record


def _plain(got, size):
    """What ``fn`` returned, as a record: numbers as a tuple of floats, or why it is not that.
    Counted before converted: ten million numbers are refused without being looked at."""
    kind = _odd_kind(got)
    if kind:
        return _record("odd", _show(got), detail=kind)
    cap = max(_ENOUGH, 10 * size)  # far more numbers than any answer or known mistake has
    count = _count(got, cap)
    if count is None:
        return _record("odd", _show(got), detail="that is not a number or a list of numbers")
    if count > cap:
        return _record("size", f"{count} numbers", detail=str(count))
    values = _numbers(got)
    if values is None:
        return _record("odd", _show(got), detail="that is not a number or a list of numbers")
    return _record("value", _show(got), tuple(float(v) for v in values.ravel().tolist()),
                   tuple(int(n) for n in values.shape), isinstance(got, tuple))


def _count(value, cap):
    """How many numbers ``value`` holds, looking at no more than needed to know it exceeds
    ``cap``; None when it is not numbers."""
    if isinstance(value, np.ndarray):
        return int(value.size)
    if isinstance(value, int | float | np.number):
        return 1
    if isinstance(value, list | tuple):
        if len(value) > cap:
            return len(value)
        total = 0
        for item in value:
            inner = _count(item, cap)
            if inner is None:
                return None
            total += inner
            if total > cap:
                return total
        return total
    try:
        if hasattr(value, "__len__") and len(value) > cap:
            return len(value)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return int(np.asarray(value).size)
    except _TimeUp:
        raise
    except BaseException:
        return None


def _settings_record(got):
    """``choose_settings()``'s pair as a record: (lr, epochs), or what is wrong with it."""
    lr, epochs, problem = _settings_pair(got)
    if problem:
        return _record("odd", _show(got), detail=problem)
    return _record("value", _show(got), (float(lr), float(epochs)), (2,), True)


def _settings_pair(got):
    """``(lr, epochs, None)`` from what ``choose_settings`` returned, or ``(.., .., problem)``."""
    shape = "return two numbers, the learning rate and the number of epochs: return 0.5, 40"
    kind = _odd_kind(got)
    if kind:
        return None, None, f"{kind}; {shape}"
    if isinstance(got, tuple | list) and len(got) != 2 or (
            isinstance(got, np.ndarray) and got.ndim and len(got) != 2):
        return None, None, f"that is not a pair; {shape}"  # counted, not converted: it may be huge
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
    return lr, epochs, None


def _error_text(error):
    """``KeyError: 'no such key' (at line 3: return {}['no such key'])``: the type, a safe
    message and the learner's line, whatever the exception's __str__ does."""
    try:
        kind = type(error).__name__
        kind = kind if type(kind) is str else "an exception"
    except _TimeUp:
        raise
    except BaseException:
        kind = "an exception"
    try:
        message = str(error)
        message = message if type(message) is str else ""
    except _TimeUp:
        raise
    except BaseException:
        message = "(its message could not be shown)"
    message = " ".join(message.split())
    if len(message) > 100:
        message = message[:97] + "..."
    text = f"{kind}: {message}" if message else kind
    where = _where(error)
    return f"{text} ({where})" if where else text


def _where(error):
    """The last line of the learner's own code in the traceback of ``error``, as text."""
    try:
        found, tb = None, error.__traceback__
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if not (_library_file(filename) or os.path.basename(filename) in _OURS
                    or _installed(filename)):
                found = (filename, tb.tb_lineno)
            tb = tb.tb_next
        if found is None:
            return ""
        line = linecache.getline(*found).strip()
        return f"at line {found[1]}: {line[:80]}" if line else f"at line {found[1]}"
    except Exception:
        return ""


def _installed(filename):
    """Is ``filename`` Python's or an installed package's (numpy's), not the learner's?"""
    where = os.path.abspath(str(filename))
    return "site-packages" in where or "dist-packages" in where or where.startswith(
        os.path.dirname(os.path.abspath(os.__file__)) + os.sep)


# -- the time limit ----------------------------------------------------------------------------


class _TimeUp(BaseException):
    """Raised into the learner's function when its time is up. Not an Exception, so that
    ``except Exception`` in the learner's code does not swallow it."""


def _within(limit, action):
    """``action()`` with at most ``limit`` seconds, or _TimeUp.

    In the main thread (the kernel's), SIGALRM from an interval timer interrupts it; if the
    learner's code swallows that (a bare ``except:`` in a loop), every further line of it raises
    again. Elsewhere (another thread, or no setitimer, as on Windows) a trace function checks the
    clock on every line: slower, but it works anywhere. Either way, a loop inside one C call
    (``sum(itertools.count())``) cannot be interrupted: nbgrader's cell timeout stays the last
    resort. The previous handler, timer and trace function are restored.
    """
    if limit is None or limit <= 0:
        return action()
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        return _within_alarm(limit, action)
    return _within_trace(limit, action)


def _within_alarm(limit, action):
    state = {"armed": True, "fired": 0, "top": sys._getframe()}
    trace_before = sys.gettrace()

    def on_alarm(signum, frame):
        if not state["armed"]:
            return
        state["fired"] += 1
        if state["fired"] > 1:  # the first _TimeUp was swallowed: stop every line from now on
            _stop_every_line(frame, state)
        raise _TimeUp

    handler_before = signal.signal(signal.SIGALRM, on_alarm)
    timer_before = signal.setitimer(signal.ITIMER_REAL, limit, 0.05)
    started = time.monotonic()
    _EXEMPT.add(on_alarm.__code__)
    try:
        return action()
    finally:
        try:
            state["armed"] = False
        finally:
            sys.settrace(trace_before)
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM,
                          signal.SIG_DFL if handler_before is None else handler_before)
            _restore_timer(timer_before, time.monotonic() - started)


def _stop_every_line(frame, state):
    """Make every line of the frames below the checker raise _TimeUp (and of new frames)."""

    def stopper(frame, event, arg):
        if state["armed"] and event in ("line", "call"):
            raise _TimeUp
        return stopper

    while frame is not None and frame is not state["top"]:
        frame.f_trace, frame.f_trace_lines = stopper, True
        frame = frame.f_back
    sys.settrace(stopper)


def _restore_timer(before, elapsed):
    delay, interval = before
    if delay > 0:
        signal.setitimer(signal.ITIMER_REAL, max(delay - elapsed, 1e-3), interval)


def _within_trace(limit, action):
    deadline = time.monotonic() + limit
    before = sys.gettrace()

    def tracer(frame, event, arg):
        if time.monotonic() > deadline:
            raise _TimeUp
        return tracer

    sys.settrace(tracer)
    try:
        return action()
    finally:
        sys.settrace(before)


# -- what the learner's function uses: its code, and its calls while it runs -------------------

_LIBRARY_FILES = ("neuron_core.py", "neuron_fast.py")
_OURS = ("neuron_checks.py", "neuron_grading.py", "neuron_validation.py")
_CHECKER = "it calls the checker's own code"
_UNWATCHED = "it replaces the checker's profile function (sys.setprofile)"
_EXEMPT = set()  # code objects of the checker that run inside the learner's call (the alarm)


def _library_file(filename):
    return os.path.basename(str(filename)) in _LIBRARY_FILES


_FAST = frozenset({"moments", "moment_gradients", "bowl", "bowl_losses", "losses_at",
                   "train_fast"})


def _library_name(name):
    """How the messages name a library function: ``nc.forward``, ``neuron_fast.moments``."""
    return f"neuron_fast.{name}" if name in _FAST else f"nc.{name}"


def library_uses(fn, allowed):
    """The answer-giving library functions ``fn`` refers to, as ``["nc.forward", ...]``.

    Read from its code (``co_names`` of it and of every function nested in it, and the strings
    it holds, for ``getattr(nc, "forward")``), resolved against its globals: a library module
    (``nc``, ``neuron_core``, ``neuron_fast``, under any alias) with one of the names, or a
    library function under any name (``from neuron_core import forward as f``). Its defaults,
    closure and the learner's own helper functions it refers to are followed too.
    """
    forbidden = ANSWER_MACHINES - set(allowed)
    found, seen = [], set()

    def examine(obj, names, depth):
        code = getattr(obj, "__code__", None) if isinstance(obj, types.FunctionType) else None
        if isinstance(obj, functools.partial):
            examine(obj.func, names, depth)
        elif isinstance(obj, types.ModuleType):
            name = getattr(obj, "__name__", "")
            if name in ("neuron_core", "neuron_fast") or _library_file(
                    getattr(obj, "__file__", "") or ""):
                found.extend(_library_name(n) for n in sorted(names & forbidden))
        elif code is not None and _library_file(code.co_filename):
            if code.co_name in forbidden:
                found.append(_library_name(code.co_name))
        elif code is not None and depth < 4 and obj.__globals__ is scope_of_fn:
            visit(obj, depth + 1)  # a helper of the learner's, from the same notebook

    def visit(function, depth):
        code = function.__code__
        if code in seen:
            return
        seen.add(code)
        scope = function.__globals__ if isinstance(function.__globals__, dict) else {}
        names = set()
        for inner in _codes(code):
            names |= set(inner.co_names)
            if _BY_NAME & set(inner.co_names):  # getattr(nc, "forward"): the name is a string
                names |= {c for c in inner.co_consts if type(c) is str and c.isidentifier()}
        if names & {"neuron_core", "neuron_fast"}:  # imported inside the function
            found.extend(_library_name(n) for n in sorted(names & forbidden))
        values = [scope.get(n, vars(builtins).get(n)) for n in sorted(names)]
        values += list(function.__defaults__ or ()) + list((function.__kwdefaults__ or {}).values())
        for cell in function.__closure__ or ():
            try:
                values.append(cell.cell_contents)
            except ValueError:  # an empty cell
                pass
        for value in values:
            examine(value, names, depth)

    scope_of_fn = getattr(fn, "__globals__", None)
    try:
        if isinstance(fn, types.FunctionType):
            visit(fn, 0)
        else:
            examine(fn, set(), 0)
    except Exception:  # an odd object in the learner's globals: the calls are watched anyway
        pass
    return sorted(set(found))


_BY_NAME = frozenset({"getattr", "__getattribute__", "vars", "__dict__", "__import__",
                      "import_module", "globals"})


def _codes(code):
    """``code`` and every code object nested in it (inner functions, lambdas, comprehensions)."""
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


class _Watch:
    """While the learner's function runs, note the first call of a refused library function made
    from outside the library, or of the checker's own code made from the learner's code (a
    function that fetches the checker's helpers from the call stack). A profile function sees
    every call, however the function was reached (getattr, a dict, a thread it starts)."""

    def __init__(self, allowed):
        self.forbidden = ANSWER_MACHINES - set(allowed)
        self.found = ""
        self._before = None

    def __enter__(self):
        self._before = sys.getprofile(), _thread_profile()
        sys.setprofile(self._profile)
        threading.setprofile(self._profile)
        return self

    def __exit__(self, *exc):
        if getattr(sys.getprofile(), "__self__", None) is not self and not self.found:
            self.found = _UNWATCHED  # the learner's code removed or replaced the profile function
        sys.setprofile(self._before[0])
        threading.setprofile(self._before[1])
        return False

    def _profile(self, frame, event, arg):
        if event != "call" or self.found:
            return
        code = frame.f_code
        base = os.path.basename(code.co_filename)
        caller = frame.f_back
        called_from = os.path.basename(caller.f_code.co_filename) if caller else ""
        if base in _LIBRARY_FILES:
            if code.co_name in self.forbidden and called_from not in _LIBRARY_FILES:
                self.found = _library_name(code.co_name)
        elif base in _OURS and called_from not in _OURS and code not in _EXEMPT:
            if base != "neuron_validation.py":
                self.found = _CHECKER


def _thread_profile():
    """The profile function new threads get (threading.getprofile is new in Python 3.12)."""
    getter = getattr(threading, "getprofile", None)
    return getter() if getter else getattr(threading, "_profile_hook", None)


def is_unwritten(fn):
    """Does ``fn``'s code do nothing (a docstring, ``...``, ``pass``, ``return None``)?

    Read from its bytecode: the stub compiles to "return None" and nothing else (``RESUME``,
    ``NOP`` and ``CACHE`` aside) on Python 3.11 (``LOAD_CONST None; RETURN_VALUE``) as on 3.12
    and 3.13 (``RETURN_CONST None``), whatever the arguments and the docstring.
    """
    code = getattr(fn, "__code__", None) if isinstance(fn, types.FunctionType) else None
    if not isinstance(code, types.CodeType):
        return False
    if code.co_flags & (0x20 | 0x80 | 0x200):  # a generator or a coroutine does something
        return False
    for instruction in dis.get_instructions(code):
        name = instruction.opname
        if name in ("RESUME", "NOP", "CACHE", "RETURN_VALUE"):
            continue
        if name in ("LOAD_CONST", "RETURN_CONST") and instruction.argval is None:
            continue
        return False
    return True


# -- phase 2: expected values, hints, the verdict ----------------------------------------------


def judge_answers(check, name, records, x=None, y=None, max_epochs=100, tol=1e-3):
    """Phase 2: ``(passed, message)`` for the records of phase 1. Runs none of the learner's
    code: the records hold only exact builtin types (anything else is refused)."""
    name = name if type(name) is str and name.isidentifier() else "your function"
    records = _clean(records)
    if records is None:
        return False, f"{MARK_WRONG} {name}: the checker's record of its answers is damaged"
    first = records[0] if records else None
    if first is None:
        return False, f"{MARK_WRONG} {name} gave no answer"
    if check == "check_settings":
        return _judge_settings(name, first, x, y, max_epochs, tol)
    exercise = _EXERCISES[check]
    arguments = exercise.arguments()
    for number, args in enumerate(arguments):
        if number >= len(records):
            return False, f"{MARK_WRONG} {name} gave no answer for the case {number + 1}"
        call = f"{name}({', '.join(map(_show, args))})"
        record = records[number]
        verdict = _judge_status(check, name, call, record, exercise.own, exercise.allowed)
        if verdict is not None:
            if record[0] == "raised" and record[3] == (1,):  # TypeError or ValueError
                case = exercise.case(args)
                if case.on_error:
                    verdict = f"{MARK_WRONG} {call} raises {record[5]}\n   Hint: {case.on_error}"
            return False, verdict
        case = exercise.case(args)
        if _close(record, case.want, exercise.decimals):
            continue
        earlier = [(exercise.case(before).want, _SAME_AS_BEFORE)
                   for before in arguments[:number]]
        hint = next((text for wrong, text in [*case.hints, *earlier]
                     if _close(record, wrong, exercise.decimals)), None)
        hint = hint or _rounded(record, case.want, exercise.decimals) or _odd_return(
            record, case.want, exercise.returns)
        message = f"{MARK_WRONG} {call} gives {record[1]}, expected {_show(case.want)}"
        return False, message + (f"\n   Hint: {hint}" if hint else "")
    first_args = arguments[0]
    want = exercise.case(first_args).want
    return True, (f"{MARK_RIGHT} {name} is right on all {len(arguments)} cases, e.g. "
                  f"{name}({', '.join(map(_show, first_args))}) = {_show(want)}")


def _judge_status(check, name, call, record, own, allowed):
    """The verdict for a record that fails by itself, else None."""
    status, shown, _, _, _, detail = record
    if status == "value":
        return None
    if status == "not a function":
        return (f"{MARK_WRONG} {check} needs your function itself, not {shown}: write "
                f"nc.{check}(name_of_your_function), without () after the name")
    if status == "unwritten":
        return (f"{MARK_UNWRITTEN} {name} is not written yet: write your code in its cell, in "
                "place of the `...`, then run that cell and this one")
    if status == "library":
        may = sorted(f"nc.{n}" for n in allowed)
        also = f" (you may use {', '.join(may)})" if may else ""
        return (f"{MARK_WRONG} {name} uses {detail}, which works the answer out for you\n"
                f"   Hint: write it with numpy: {own}{also}")
    if status == "checker":
        return (f"{MARK_WRONG} {name} reaches into the checker while it is checked: {detail}\n"
                "   Hint: compute the answer from the function's arguments, nothing else")
    if status == "timeout":
        return (f"{MARK_WRONG} {call} did not finish in {detail} s\n"
                "   Hint: is there a loop that never ends? A `while` whose condition never "
                "becomes false, or a loop that waits for something that never comes")
    if status == "exit":
        return (f"{MARK_WRONG} {call} calls exit() (or quit(), sys.exit(), raise SystemExit)\n"
                "   Hint: that would stop the whole notebook; end the function with return and "
                "the value instead")
    if status == "interrupt":
        return (f"{MARK_WRONG} {call} was interrupted (KeyboardInterrupt)\n"
                "   Hint: if you pressed stop, run the check again; if your code raises "
                "KeyboardInterrupt, let it return its value instead")
    if status == "raised":
        return (f"{MARK_WRONG} {call} raises {detail}\n"
                "   Hint: the error comes from your function: read the line above, fix it and "
                "run its cell again")
    if status == "size":
        return (f"{MARK_WRONG} {call} gives {shown}\n   Hint: it returns {detail} numbers, far "
                f"more than the answer needs; return {_EXERCISES[check].returns}")
    if status == "odd":
        return (f"{MARK_WRONG} {call} gives {shown}\n"
                f"   Hint: {detail}; return {_EXERCISES[check].returns}")
    return f"{MARK_WRONG} {call}: unexpected record {status!r}"


def _judge_settings(name, record, x, y, max_epochs, tol):
    """The verdict on ``choose_settings()``'s (lr, epochs): train with them and look."""
    status, shown, values, _, _, detail = record
    if status == "odd":
        return False, f"{MARK_WRONG} {name}() returns {shown}\n   Hint: {detail}"
    if status != "value":
        call = f"{name}()"
        return False, _judge_status("check_settings", name, call, record, _SETTINGS_OWN,
                                    _SETTINGS_ALLOWED)
    lr, epochs = values[0], int(values[1])
    x, y = as_pair(x, y)
    threshold = lr_threshold(x)
    if epochs > max_epochs:
        return False, (f"{MARK_WRONG} {epochs} epochs is more than the {max_epochs} allowed: "
                       "try a larger lr")
    try:
        history = train(x, y, lr=lr, epochs=epochs)
    except (ValueError, TypeError) as refused:  # the library's refusal, not the learner's code
        return False, (f"{MARK_WRONG} {name}() returns {shown}\n"
                       f"   Hint: nc.train refuses it: {refused}")
    w_c, b_c = unscale_params(history.w, history.b)
    if history.diverged:
        return False, (f"{MARK_WRONG} lr = {lr:g} diverges (the divergence threshold is "
                       f"{threshold:.3f}): take a smaller lr")
    if abs(w_c - TRUE_W) > tol:
        return False, (f"{MARK_WRONG} after {epochs} epochs w = {w_c:.4f} °F/°C, not yet within "
                       f"{tol:g} of 1.8: more epochs, or a larger lr below the threshold")
    if abs(b_c - TRUE_B) > 10 * tol:
        return False, (f"{MARK_WRONG} w = {w_c:.4f} °F/°C is right but b = {b_c:.3f} °F has not "
                       "settled: lr is so close to the threshold that b keeps swinging; take a "
                       "little less")
    return True, (f"{MARK_RIGHT} lr = {lr:g}, {epochs} epochs: w = {w_c:.4f} °F/°C and "
                  f"b = {b_c:.3f} °F")


def _clean(records):
    """The records as fresh tuples of exact builtin types, or None if anything else is in them
    (an object of the learner's could run code when phase 2 reads it)."""
    if type(records) is not tuple or not records:
        return None
    cleaned = []
    for record in records:
        if type(record) is not tuple or len(record) != 6:
            return None
        status, shown, values, shape, tuple_like, detail = record
        if not (type(status) is str and type(shown) is str and type(detail) is str
                and type(tuple_like) is bool):
            return None
        if values is not None and (type(values) is not tuple
                                   or any(type(v) is not float for v in values)):
            return None
        if shape is not None and (type(shape) is not tuple
                                  or any(type(n) is not int for n in shape)):
            return None
        cleaned.append((str(status), str(shown), values, shape, bool(tuple_like), str(detail)))
    return tuple(cleaned)


# -- comparing, and saying what is wrong -------------------------------------------------------

_IGNORES_ARGUMENTS = ("it gives the answer for {} whatever it is given: use the function's "
                      "arguments, not fixed numbers")
_SAME_AS_BEFORE = ("it gives the same answer as for an earlier case: use the function's "
                   "arguments, not a fixed result")
_NOTEBOOK_DATA = ("it gives the answer for the notebook's own x and y, not for the x and y it "
                  "is given: use the function's arguments")


def _unguessable(key, n, low, high):
    """``n`` numbers in ``[low, high)`` that a learner cannot guess, the same on every run."""
    rng = np.random.default_rng([CHECK_SEED, *key.encode()])
    return [round(float(v), 2) for v in rng.uniform(low, high, n)]


def learner_name(fn):
    """The name of the learner's function for the messages, or "your function"."""
    try:
        name = fn.__name__ if isinstance(fn, types.FunctionType) else None
    except Exception:
        name = None
    return name if type(name) is str and name.isidentifier() else "your function"


def _close(record, want, decimals):
    """Are the record's numbers ``want``, to about six digits, or to ``decimals`` decimals?"""
    _, _, values, shape, _, _ = record
    if values is None:
        return False
    got = np.array(values, dtype=float).reshape(shape)
    want = np.asarray(want, dtype=float)
    if got.shape != want.shape:
        if want.ndim or got.size != 1:
            return False
        got = got.reshape(())
    atol = 1e-9 if decimals is None else 0.5 * 10.0**-decimals * (1 + 1e-6)
    with np.errstate(all="ignore"):  # equal_nan: a known mistake may give nan (want never does)
        return bool(np.allclose(got, want, rtol=1e-6, atol=atol, equal_nan=True))


def _numbers(value):
    """``value`` as a float array, or None when it is not a number or a list of numbers."""
    if _odd_kind(value):
        return None
    if isinstance(value, tuple | list) and any(_odd_kind(v) for v in value):
        return None  # numpy would read True as 1 and "2" as a number
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            raw = np.asarray(value)
            return raw.astype(float) if raw.dtype.kind in "iuf" else None
    except _TimeUp:
        raise
    except BaseException:  # whatever the learner's object does when numpy looks at it
        return None


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


def _rounded(record, want, decimals):
    """A hint when the numbers are ``want`` rounded to fewer decimals than the check accepts."""
    for places in range(0, 6 if decimals is None else decimals):
        with np.errstate(all="ignore"):
            exact = np.asarray(want, dtype=float)
            near = np.round(exact, places)
            slight = bool(np.all(np.abs(near - exact) <= 0.05 * np.abs(exact)))
        if slight and not _close(record, want, decimals) and _close(record, near, None):
            keep = "all its digits" if decimals is None else f"at least {decimals} decimals"
            return (f"that is the right answer rounded to {places} decimals: return it with "
                    f"{keep} (leave out round)")
    return None


def _odd_return(record, want, returns):
    """A hint for numbers of the wrong shape or not finite; None for a plain wrong number."""
    _, _, values, shape, _, _ = record
    got = np.array(values, dtype=float).reshape(shape)
    want = np.asarray(want)
    if got.shape != want.shape and not (want.ndim == 0 and got.size == 1):
        if got.size == want.size:
            return (f"the numbers are packed in an extra tuple or list (shape {got.shape}); "
                    f"return {returns}")
        count = "one number" if got.ndim == 0 else f"{got.size} numbers"
        return f"it returns {count} where {want.size} are expected; return {returns}"
    if not np.all(np.isfinite(got)):
        return ("it returns nan or inf: look for a division by zero or a number that grew out "
                "of range")
    return None


def _show(value, limit=60):
    """A short, safe text for any value: numbers to six digits, long arrays abridged (only the
    numbers shown are formatted)."""
    try:
        if isinstance(value, np.ndarray) and value.size > 6 and value.ndim == 1:
            ends = _numbers(np.concatenate([value[:3], value[-2:]]))
            if ends is not None:
                parts = [f"{v:.6g}" for v in ends]
                return "[" + ", ".join([*parts[:3], "...", *parts[3:]]) + "]"
        if isinstance(value, list | tuple) and len(value) > 1000:
            return f"a {type(value).__name__} of {len(value)} items"
        values = _numbers(value)
        if values is not None and values.ndim == 0:
            return f"{float(values):.6g}"
        if values is not None and values.ndim == 1:
            parts = [f"{v:.6g}" for v in values[:3]] + (
                ["...", *(f"{v:.6g}" for v in values[-2:])] if len(values) > 6 else
                [f"{v:.6g}" for v in values[3:]])
            if isinstance(value, tuple):
                return "(" + ", ".join(parts) + ")"
            return "[" + ", ".join(parts) + "]"
        text = repr(value)
        text = text if type(text) is str else f"a {type(value).__name__} object"
    except _TimeUp:
        raise
    except BaseException:
        text = "an object that cannot be shown"
    return text if len(text) <= limit else text[: limit - 3] + "..."
