"""Plots of the One Neuron course: what a learner looks at.

The math lives in ``neuron_core.py``; this module draws it. Notebooks need not import it:
``import neuron_core as nc`` re-exports every public name here lazily (``nc.plot_losses``), so
that the math alone never loads matplotlib. The interactive explorers, which draw in the
browser, are in ``neuron_explorers.py`` (re-exported the same way: ``nc.training_explorer``).

1. The course's style and colours.
2. Plots (matplotlib), in the order of the notebooks: the data (01), a fit and its residuals
   (02), the slope along one knob (03), b's path for a few learning rates and each knob's
   factor per step (04), loss curves (05), the loss surface (02-05), a slice of it and a run's
   summary.
"""

from __future__ import annotations

import math
from functools import wraps

import matplotlib.axes
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm

import neuron_core as nc
import neuron_fast as nf
import neuron_validation as nv
from neuron_core import (
    HELD_OUT_CELSIUS,
    SCALE,
    History,
    celsius_to_fahrenheit,
    closed_form,
    forward,
    mse,
)

__all__ = [
    "STYLE", "COLORS",
    "plot_data", "plot_fit", "plot_slope", "plot_loss_surface", "plot_b_paths", "plot_factors",
    "plot_losses", "plot_loss_slice", "plot_training",
]

# ---------------------------------------------------------------------------------------------
# 1. Style
# ---------------------------------------------------------------------------------------------

# Large type and thick lines: the course is shown on projectors. Notebooks that draw their own
# figures use it too: ``with plt.rc_context(nc.STYLE): ...``.
STYLE = {
    "figure.figsize": (6.4, 4.0), "figure.dpi": 96, "font.size": 12, "axes.titlesize": 13,
    "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False,
    "lines.linewidth": 2.2, "lines.markersize": 7, "legend.frameon": False,
}
# Okabe and Ito's palette, safe with the common forms of colour blindness (tests/test_palette.py
# simulates them), and a dark grey for the true rule.
COLORS = {"data": "#0072B2", "model": "#E69F00", "truth": "0.35", "held_out": "#009E73",
          "bad": "#D55E00", "path": "#CC79A7"}


def _styled(plot):
    """Run a plotting function inside the course's style."""

    @wraps(plot)
    def styled(*args, **kwargs):
        before = set(plt.get_fignums())
        try:  # the arguments are checked, the results too: rounding inside a plot is harmless
            with plt.rc_context(STYLE), np.errstate(all="ignore"):
                return plot(*args, **kwargs)
        except Exception:  # a failed call leaves no empty figure behind
            for number in set(plt.get_fignums()) - before:
                plt.close(number)
            raise

    return styled


def _axes(ax, figsize=None):
    if ax is not None:
        return ax
    return plt.subplots(figsize=figsize, layout="constrained")[1]


# ---------------------------------------------------------------------------------------------
# 2. Plots
# ---------------------------------------------------------------------------------------------


@_styled
def plot_data(celsius, fahrenheit, ax=None, held_out=True, title="Celsius readings and Fahrenheit"):
    """The readings as points, the true rule as a dashed line, the held-out checks as rings."""
    celsius, fahrenheit = nv.as_pair(celsius, fahrenheit, names=("celsius", "fahrenheit"))
    _check_spread("celsius", celsius)
    _check_spread("fahrenheit", fahrenheit)
    _check_ax(ax)
    _check_flag("held_out", held_out)
    _check_text("title", title)
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


# The plots check every argument before they create a figure: bad input raises a ValueError or
# TypeError naming the argument, as the math does, and leaves no empty figure behind.

_PLOT_RANGE = 1e100  # data beyond this cannot be drawn: squares and spans overflow float64


def _check_spread(name, values):
    if np.max(np.abs(values)) > _PLOT_RANGE:
        raise ValueError(f"{name} holds values beyond ±{_PLOT_RANGE:g}: too large to plot")


def _check_ax(ax, name="ax", optional=True):
    if not (isinstance(ax, matplotlib.axes.Axes) or (optional and ax is None)):
        raise TypeError(f"{name} must be a matplotlib Axes{' or None' if optional else ''}, "
                        f"got {type(ax).__name__}")


def _check_flag(name, value):
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {value!r:.40}")


def _check_text(name, value, optional=False):
    if not (isinstance(value, str) or (optional and value is None)):
        kind = "a string or None" if optional else "a string"
        raise TypeError(f"{name} must be {kind}, got {type(value).__name__}")


def _limits(name, value):
    """None, or a pair ``(low, high)`` of numbers with ``low < high``."""
    if value is None:
        return None
    lim = nv.as_values(name, value, scalar=False)
    if len(lim) != 2 or not lim[0] < lim[1]:
        raise ValueError(f"{name} must be a pair (low, high) with low < high, got {value!r:.60}")
    _check_spread(name, lim)
    if 1e3 * math.ulp(float(np.max(np.abs(lim)))) > lim[1] - lim[0]:
        raise ValueError(f"{name}={value!r:.60} is too narrow to draw in float64")
    return float(lim[0]), float(lim[1])


def _check_history(name, value):
    if not isinstance(value, nc.History):
        raise TypeError(f"{name} must be a History (what nc.train returns), got "
                        f"{type(value).__name__}")


def _finite_plot(values, what):
    if not np.isfinite(values).all():
        raise ValueError(f"{what} overflows float64: the data or limits are too large to plot")


@_styled
def plot_fit(x, y, w, b, ax=None, xlabel=f"x = °C / {SCALE:g}", title=None, residuals=False):
    """The data and the neuron's line ``w*x + b`` over it, with the line's MSE in the title;
    ``residuals=True`` also draws each residual, from the reading to the line."""
    x, y = nv.as_pair(x, y)
    w, b = nv.as_number("w", w), nv.as_number("b", b)  # np.array([180.0]) is a number too
    _check_spread("x", x)
    _check_spread("y", y)
    _check_ax(ax)
    _check_text("xlabel", xlabel)
    _check_text("title", title, optional=True)
    _check_flag("residuals", residuals)
    span = np.array([x.min(), x.max()])
    _check_spread("w*x + b", forward(x, w, b))  # forward names w, b, x if it overflows
    line, loss = forward(span, w, b), mse(forward(x, w, b), y)
    ax = _axes(ax)
    ax.plot(x, y, "o", color=COLORS["data"], label="data", zorder=3)
    ax.plot(span, line, color=COLORS["model"], label="neuron: y_hat = w x + b")
    if residuals:
        ax.vlines(x, y, forward(x, w, b), color=COLORS["bad"], lw=2, label="residuals")
    ax.set(xlabel=xlabel, ylabel="°F",
           title=title or f"w = {w:.4g}, b = {b:.4g}: MSE = {loss:.4g}")
    ax.legend(loc="upper left")
    return ax


@_styled
def plot_slope(name, grid, loss_of, at, slope, reach, ax=None):
    """The loss along one knob, the guess on it, its slope as a line and an arrow downhill.

    ``name`` is the knob ("w" or "b"), ``grid`` its values to draw the loss over, ``loss_of`` a
    function of that one knob giving the loss (the other held fixed), ``at`` the guess,
    ``slope`` the loss's slope there and ``reach`` how far along the knob the arrow goes.
    """
    _check_text("name", name)
    grid = nv.as_values("grid", grid, scalar=False)
    if not callable(loss_of):
        raise TypeError(f"loss_of must be a function of {name}, got {type(loss_of).__name__}")
    at, slope, reach = nv.as_number("at", at), nv.as_number("slope", slope), nv.as_positive(
        "reach", reach)
    _check_ax(ax)
    curve = nv.as_values("loss_of(grid)", [loss_of(float(v)) for v in grid], scalar=False)
    loss = nv.as_number(f"loss_of({at:g})", loss_of(at))
    for what, values in (("grid", grid), ("loss_of(grid)", curve), ("at", at), ("slope", slope),
                         ("reach", reach), (f"loss_of({at:g})", loss)):
        _check_spread(what, values)
    down = -np.sign(slope) * reach  # the step from `at` that goes downhill
    ax = _axes(ax)
    ax.plot(grid, curve, color=COLORS["truth"])
    ax.plot([at - down, at], [loss - slope * down, loss], color=COLORS["model"], lw=2.5,
            label=f"slope d{name} = {slope:.2f}")
    ax.annotate("", xy=(at + down, loss + slope * down), xytext=(at, loss),
                arrowprops={"arrowstyle": "-|>", "color": COLORS["model"], "lw": 2.5,
                            "shrinkA": 0, "shrinkB": 0, "mutation_scale": 22})
    ax.text(at + down, loss + slope * down, "  downhill", va="center", color=COLORS["model"],
            weight="bold")
    ax.plot(at, loss, "o", color=COLORS["path"], ms=10, zorder=3, label=f"guess: {name} = {at:g}")
    ax.set(xlabel=name, ylabel="loss (MSE)", ylim=(0, None))
    ax.legend(loc="lower left")
    return ax


@_styled
def plot_b_paths(x, y, lrs=(0.1, 0.5, 0.95, 1.05), steps=6, titles=None, axes=None):
    """One panel per learning rate: ``b`` after each of ``steps`` steps from ``w = 1, b = 0``,
    and the best ``b`` (least squares) dashed. ``titles`` (one per lr) follow "lr = ...: "."""
    x, y = nv.as_pair(x, y)
    _check_spread("x", x)
    _check_spread("y", y)
    lrs = [nv.as_positive(f"lrs[{i}]", lr) for i, lr in enumerate(_sequence("lrs", lrs))]
    steps = nv.as_count("steps", steps, minimum=1, maximum=1000)
    titles = _texts("titles", titles, len(lrs))
    if axes is not None:
        _check_axes(axes, len(lrs))
    best_b = closed_form(x, y)[1]
    if axes is None:
        axes = plt.subplots(1, len(lrs), figsize=(3.75 * len(lrs), 3.6), sharey=True,
                            layout="constrained", squeeze=False)[1][0]
    for ax, lr, title in zip(axes, lrs, titles, strict=True):
        path = nc.train(x, y, lr=lr, epochs=steps).bs  # b after each step; fewer if it ran away
        ax.axhline(best_b, color=COLORS["truth"], ls="--", lw=1.5)
        ax.plot(path, "o-", color=COLORS["path"])
        ax.set(title=f"lr = {lr:g}" + (f": {title}" if title else ""), xlabel="steps taken")
    axes[0].set_ylabel(f"b (best value {best_b:.4g}, dashed)")
    return axes


def _sequence(name, values):
    if isinstance(values, str) or not isinstance(values, list | tuple | np.ndarray) or not len(
            values):
        raise TypeError(f"{name} must be a non-empty list of numbers, got {values!r:.60}")
    return list(values)


def _texts(name, texts, n):
    if texts is None:
        return [None] * n
    if (isinstance(texts, str) or not isinstance(texts, list | tuple) or len(texts) != n
            or not all(isinstance(text, str) for text in texts)):
        raise ValueError(f"{name} must be a list of {n} strings, one per panel, got {texts!r:.60}")
    return list(texts)


def _check_axes(axes, n):
    if not isinstance(axes, list | tuple | np.ndarray) or np.shape(axes) != (n,):
        raise TypeError(f"axes must be {n} matplotlib Axes in a row, or None, got {axes!r:.60}")
    for i, ax in enumerate(axes):
        _check_ax(ax, f"axes[{i}]", optional=False)


@_styled
def plot_factors(x, lrs=None, ax=None):
    """How much of each knob's distance to the best value one step keeps, against ``lr``.

    For centred readings (``mean(x) = 0``) the knobs move independently: a step multiplies
    ``b``'s distance by ``1 - 2*lr`` and ``w``'s by ``1 - 2*mean(x**2)*lr``. Where a factor's
    size exceeds 1 (shaded) the distance grows; the dashed line is ``lr_threshold(x)``.
    ``lrs`` are the learning rates drawn (by default 401 from 0 to 2).
    """
    x = nv.as_values("x", x, scalar=False)
    _check_spread("x", x)
    if abs(float(np.mean(x))) > 1e-9 * float(np.max(np.abs(x))):
        raise ValueError(f"x must be centred (mean 0) for each knob to have its own factor, got "
                         f"mean(x) = {float(np.mean(x)):.3g}")
    lrs = np.linspace(0.0, 2.0, 401) if lrs is None else nv.as_values("lrs", lrs, scalar=False)
    _check_spread("lrs", lrs)
    _check_ax(ax)
    steep_w, threshold = 2 * float(np.mean(x * x)), nc.lr_threshold(x)
    ax = _axes(ax, figsize=(8, 3.0))
    ax.plot(lrs, np.abs(1 - 2 * lrs), label="b:  |1 − 2·lr|")
    ax.plot(lrs, np.abs(1 - steep_w * lrs), label=f"w:  |1 − {steep_w:.4f}·lr|")
    ax.axhspan(1.0, 3.0, color=COLORS["bad"], alpha=0.08, lw=0)  # shaded: distance grows
    ax.axvline(threshold, color=COLORS["bad"], ls="--",
               label=f"divergence threshold, lr = {threshold:.4g}")
    ax.set(xlabel="learning rate lr", ylabel="size of the factor per step", ylim=(0, 3))
    ax.legend(loc="upper left")
    return ax


@_styled
def plot_losses(*histories, ax=None, labels=None):
    """Loss against epoch on a log scale, one curve per ``History`` (or array of losses).

    A run that diverged ends in a red cross where it was stopped.
    """
    if not histories:
        raise TypeError("plot_losses needs at least one History or array of losses")
    for i, history in enumerate(histories):
        if not isinstance(history, History):
            losses = nv.as_values(f"histories[{i}]", history, scalar=False)
            if (losses < 0).any():
                raise ValueError(f"histories[{i}] must be losses, >= 0: it holds {losses.min():g}")
            _check_spread(f"histories[{i}]", losses)
    if labels is None:
        labels = [None] * len(histories)
    elif (isinstance(labels, str) or not isinstance(labels, list | tuple)
          or len(labels) != len(histories)
          or not all(label is None or isinstance(label, str) for label in labels)):
        raise ValueError(f"labels must be a list of {len(histories)} strings (or None), one per "
                         f"curve, got {labels!r:.60}")
    _check_ax(ax)
    ax = _axes(ax)
    # A log scale cannot show a loss of 0: curves that are 0 throughout get a linear scale.
    log = any((np.asarray(getattr(h, "losses", h)) > 0).any() for h in histories)
    for history, label in zip(histories, labels, strict=True):
        losses = getattr(history, "losses", history)
        if label is None and isinstance(history, History):
            label = f"lr = {history.lr:g}"
        (line,) = (ax.semilogy if log else ax.plot)(np.arange(len(losses)), losses, label=label)
        if getattr(history, "diverged", False):
            ax.plot(len(losses) - 1, losses[-1], "x", color=COLORS["bad"], ms=12, mew=3)
    ax.set(xlabel="epoch", ylabel="loss (MSE, log scale)" if log else "loss (MSE)")
    if any(labels) or any(isinstance(h, History) for h in histories):
        ax.legend()
    return ax


def _surface_limits(x, y, path):
    """(w, b) limits that hold the start (1, 0), the minimum, and the path before it ran away."""
    w_opt, b_opt = closed_form(x, y)
    ws, bs = [1.0, w_opt], [0.0, b_opt]
    if path is not None:
        path_ws, path_bs, losses = path.ws, path.bs, path.losses
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
    x, y = nv.as_pair(x, y)
    _check_spread("x", x)
    _check_spread("y", y)
    _check_ax(ax)
    if path is not None:
        _check_history("path", path)
    _check_flag("arrows", arrows)
    auto_w, auto_b = _surface_limits(x, y, path)  # closed_form: "x must vary"
    w_lim, b_lim = _limits("w_lim", w_lim) or auto_w, _limits("b_lim", b_lim) or auto_b
    with np.errstate(all="ignore"):
        W, B = np.meshgrid(np.linspace(*w_lim, 121), np.linspace(*b_lim, 121))
        L = nf.losses_at(x, y, W, B)
    _finite_plot(L, "the loss over w_lim and b_lim")
    ax = _axes(ax, figsize=(6.4, 4.4))
    if not L.max() > 0:
        raise ValueError("the loss is 0 over w_lim and b_lim (or below float64's range): "
                         "nothing to draw; rescale the data or widen w_lim, b_lim")
    levels = np.geomspace(max(L.min(), L.max() * 1e-5), L.max(), 16)
    if not (np.diff(levels) > 0).all():
        raise ValueError("the loss is flat over w_lim and b_lim, to float64's resolution: "
                         "nothing to draw; widen w_lim, b_lim")
    L = np.maximum(L, levels[0] / 2)  # a log colour scale cannot show a loss of exactly 0
    ax.contourf(W, B, L, levels=levels, norm=LogNorm(), cmap="Blues_r", extend="min")
    ax.contour(W, B, L, levels=levels, norm=LogNorm(), colors="white", linewidths=0.5)
    if arrows:
        _downhill_arrows(ax, x, y, w_lim, b_lim)
    w_opt, b_opt = closed_form(x, y)
    ax.plot(w_opt, b_opt, "*", color="gold", ms=16, mec="k", label="minimum", zorder=5)
    if path is not None:
        ws, bs = path.ws, path.bs
        ax.plot(ws, bs, ".-", color=COLORS["path"], lw=1.5, ms=6,
                label=f"path, lr = {path.lr:g}", zorder=4)
        ax.plot(ws[0], bs[0], "o", color=COLORS["path"], ms=9, zorder=4)
    ax.set(xlim=w_lim, ylim=b_lim, xlabel="w", ylabel="b", title="loss surface (MSE)")
    ax.grid(False)
    ax.legend(loc="lower right", framealpha=0.9, frameon=True)
    return ax


def _downhill_arrows(ax, x, y, w_lim, b_lim, n=9):
    """Unit arrows along -gradient on an n-by-n grid, scaled to the axes so all look equal."""
    W, B = np.meshgrid(np.linspace(*w_lim, n + 2)[1:-1], np.linspace(*b_lim, n + 2)[1:-1])
    with np.errstate(all="ignore"):  # tiny or huge gradients only change the arrows' rounding
        dw, db = nf.moment_gradients(nf.moments(x, y), W, B)
        u, v = -dw / np.ptp(w_lim), -db / np.ptp(b_lim)  # in axes fractions
        norm = np.hypot(u, v) + 1e-300
        length = 0.05
        u, v = u / norm * length * np.ptp(w_lim), v / norm * length * np.ptp(b_lim)
    ax.quiver(W, B, u, v, angles="xy", scale_units="xy", scale=1, color="k", alpha=0.55,
              width=0.004)


@_styled
def plot_loss_slice(x, y, b, ws, ax=None, w_lim=None, lr=None):
    """The loss along ``w`` with ``b`` held fixed, and the points ``ws`` joined by step arrows."""
    x, y = nv.as_pair(x, y)
    b, ws = nv.as_number("b", b), np.atleast_1d(nv.as_values("ws", ws))
    if len(ws) > 1000:  # one arrow per step: more would take minutes to draw
        raise ValueError(f"ws holds {len(ws)} points: at most 1000 steps can be drawn")
    for name, values in (("x", x), ("y", y), ("b", b), ("ws", ws)):
        _check_spread(name, values)
    _check_ax(ax)
    lr = None if lr is None else nv.as_positive("lr", lr)
    w_opt = closed_form(x, y)[0]
    reach = np.append(ws, w_opt)
    pad = 0.15 * (np.ptp(reach) or 1.0)
    w_lim = _limits("w_lim", w_lim) or (reach.min() - pad, reach.max() + pad)
    grid = np.linspace(*w_lim, 300)
    with np.errstate(all="ignore"):
        curve, losses = nf.losses_at(x, y, grid, b), nf.losses_at(x, y, ws, b)
    _finite_plot((*curve, *losses), "the loss along w_lim")
    ax = _axes(ax)
    ax.plot(grid, curve, color=COLORS["truth"], label=f"loss along w, b = {b:g}")
    ax.plot(ws, losses, "o", color=COLORS["path"], zorder=3, label="w after each step")
    for w0, w1, l0, l1 in zip(ws[:-1], ws[1:], losses[:-1], losses[1:], strict=True):
        ax.annotate("", (w1, l1), (w0, l0),
                    arrowprops={"arrowstyle": "->", "color": COLORS["path"], "lw": 1.5})
    ax.set(xlim=w_lim, xlabel="w", ylabel="loss (MSE)",
           title="steps on the loss curve" + (f", lr = {lr:g}" if lr else ""))
    ax.legend(loc="upper center")
    return ax


@_styled
def plot_training(history, x, y, axes=None, xlabel=f"x = °C / {SCALE:g}"):
    """Two panels: the loss curve of ``history`` and the line it ended with over the data."""
    _check_history("history", history)
    x, y = nv.as_pair(x, y)
    _check_spread("x", x)
    _check_spread("y", y)
    _check_text("xlabel", xlabel)
    if axes is not None:
        if not isinstance(axes, list | tuple | np.ndarray) or np.shape(axes) != (2,):
            raise TypeError(f"axes must be a pair of matplotlib Axes or None, got {axes!r:.60}")
        for i, ax in enumerate(axes):
            _check_ax(ax, f"axes[{i}]", optional=False)
    mse(forward(x, history.w, history.b), y)  # a fit too large to draw fails here, by name
    if axes is None:
        axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")[1]
    plot_losses(history, ax=axes[0])
    plot_fit(x, y, history.w, history.b, ax=axes[1], xlabel=xlabel)
    if history.diverged:
        axes[0].set_title(f"diverged after {history.epochs} epochs", color=COLORS["bad"])
    return axes
