"""The fast path: a line's loss and gradient from four averages of the data, for the explorers.

The explorers retrain 21 learning rates for up to 10,000 epochs whenever a slider changes, and
draw the loss over a whole grid of lines. Looping over the samples each time (``nc.train``,
which is notebook 05's loop) would be too slow for that. For a line, the MSE and its gradient
depend on the data only through four averages, ``mean(x)``, ``mean(x*x)``, ``mean(y)`` and
``mean(x*y)`` (``moments``), so after one pass over the data an epoch costs a few flops whatever
the number of samples. ``train_fast`` gives the same ``History`` as ``nc.train``, equal up to
rounding (``tests/test_core.py`` holds them together on a grid of data, learning rates and
epochs), with one difference: it needs ``mean(x*x)`` and ``mean(x*y)``, so it refuses data
whose products overflow float64, which ``nc.train`` may still train on.
"""

from __future__ import annotations

import math

import numpy as np

from neuron_core import MAX_EPOCHS, History
from neuron_validation import (
    as_count,
    as_number,
    as_pair,
    as_positive,
    ensure_finite,
    per_sample_factor,
    too_large,
)

__all__ = ["moments", "moment_gradients", "bowl", "bowl_losses", "losses_at", "train_fast"]


def moments(x, y, where="moments"):
    """The four averages the MSE gradient of a line depends on:
    ``mean(x)``, ``mean(x*x)``, ``mean(y)``, ``mean(x*y)``, of float64 arrays ``x``, ``y``.
    ``where`` is the function named if they overflow."""
    with np.errstate(all="ignore"):
        n = len(x)
        moments = (float(x.mean()), float(np.sum(x * x)) / n, float(y.mean()),
                   float(np.sum(x * y)) / n)
    ensure_finite(moments, where, lambda: "mean(x*x) or mean(x*y) overflows float64: "
                  + too_large(x=x, y=y))
    return moments


def moment_gradients(moments, w, b):
    """``gradients`` of the MSE from the four averages instead of the samples, for scalars or
    arrays of ``w``, ``b``: ``mean((w*x + b - y)*x) = w*mean(x*x) + b*mean(x) - mean(x*y)``
    and ``mean(w*x + b - y) = w*mean(x) + b - mean(y)``."""
    mx, mxx, my, mxy = moments
    return 2 * (w * mxx + b * mx - mxy), 2 * (w * mx + b - my)


def bowl(x, y, moments, where="bowl"):
    """The MSE of a line is a bowl: ``var(x)*(w - beta)**2 + (w*mean(x) + b - mean(y))**2 + L``.

    ``beta`` is the least-squares slope and ``L`` the least-squares loss (what no line can beat).
    Expanding the square of ``w*x + b - y`` around the least-squares line gives exactly these
    terms (the cross terms average to zero), so the loss at any ``(w, b)`` costs a few flops, and
    it stays accurate near the bottom, where expanding ``mean(y*y) - ...`` would cancel to noise.
    ``where`` is the function named if the spread of the data overflows.
    """
    mx, _, my, _ = moments
    with np.errstate(all="ignore"):
        xc, yc = x - mx, y - my
        vx = float(np.sum(xc * xc)) / len(x)
        beta = float(np.sum(xc * yc)) / len(x) / vx if vx > 0 else 0.0
        e = yc - beta * xc
        bowl = mx, my, vx, beta, float(np.sum(e * e)) / len(x)
    ensure_finite(bowl, where, lambda: "the spread of the data overflows float64: "
                  + too_large(x=x, y=y))
    return bowl


def bowl_losses(bowl, ws, bs):
    """The MSE at ``(ws, bs)`` (numbers, or arrays of any shape), from the bowl's shape: the one
    place the course computes the loss of many lines at once (training, plots, explorers)."""
    mx, my, vx, beta, lowest = bowl
    ws, bs = np.asarray(ws, dtype=float), np.asarray(bs, dtype=float)  # numpy overflows to inf
    with np.errstate(all="ignore"):
        return vx * (ws - beta) ** 2 + (ws * mx + bs - my) ** 2 + lowest


def losses_at(x, y, ws, bs):
    """The MSE of the data ``x, y`` at every ``(ws, bs)``: a grid, a path or one point."""
    x, y = as_pair(x, y)
    return bowl_losses(bowl(x, y, moments(x, y, "losses_at"), "losses_at"), ws, bs)


def train_fast(x, y, lr, epochs, w=1.0, b=0.0, reduction="mean"):
    """``nc.train`` from the four averages: the same ``History``, equal up to rounding, but an
    epoch costs a few flops whatever the number of samples (the explorers' path).

    >>> h = train_fast([0.0, 1.0], [32.0, 212.0], lr=0.5, epochs=200)
    >>> round(h.w, 6), round(h.b, 6), h.diverged
    (180.0, 32.0, False)
    """
    x, y = as_pair(x, y)
    lr, epochs = as_positive("lr", lr), as_count("epochs", epochs, maximum=MAX_EPOCHS)
    w, b = as_number("w", w), as_number("b", b)
    samples = len(x) if reduction == "sum" else 1  # the summed gradient is n times the mean's
    per_sample_factor(reduction, len(x))  # validates reduction
    m = moments(x, y, "train_fast")
    shape = bowl(x, y, m, "train_fast")
    ensure_finite(float(bowl_losses(shape, w, b)), "train_fast", lambda: "the starting loss "
                  f"overflows float64: {too_large(x=x, y=y, w=w, b=b)}")
    ws, bs = np.empty(epochs + 1), np.empty(epochs + 1)
    ws[0], bs[0] = w, b
    done = 0  # updates made
    while done < epochs:
        dw, db = moment_gradients(m, w, b)
        w, b = w - lr * (samples * dw), b - lr * (samples * db)
        if not (math.isfinite(w) and math.isfinite(b)):
            break
        done += 1
        ws[done], bs[done] = w, b
    losses = bowl_losses(shape, ws[:done + 1], bs[:done + 1])
    return History.from_path(ws[:done + 1], bs[:done + 1], losses, y, lr, reduction, epochs)
