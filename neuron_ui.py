"""Plots and interactive explorers of the One Neuron course: what a learner looks at.

The math lives in ``neuron_core.py``; this module draws it. Notebooks need not import it:
``import neuron_core as nc`` re-exports every public name here lazily (``nc.plot_losses``,
``nc.training_explorer``), so that the math alone never loads matplotlib or ipywidgets.

1. The course's style and colours.
2. Plots (matplotlib): the data, a fit, loss curves, the loss surface, a slice of it.
3. Interactive explorers (ipywidgets): training, fitting by hand, stepping.
"""

from __future__ import annotations

import asyncio
import io
import math
import sys
import time
from functools import wraps

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator
from PIL import Image

import neuron_core as nc
from neuron_core import (
    HELD_OUT_CELSIUS,
    SCALE,
    History,
    celsius_to_fahrenheit,
    closed_form,
    forward,
    gradients,
    lr_threshold,
    mse,
    train,
)

try:  # JupyterLite starts without ipywidgets; the plots work without it, the explorers say how
    import ipywidgets as widgets
except ImportError:
    widgets = None

__all__ = [
    "STYLE", "COLORS", "PLAY_FRAMES", "PLAY_FPS",
    "plot_data", "plot_fit", "plot_losses", "plot_loss_surface", "plot_loss_slice",
    "plot_training", "hand_fit_explorer", "step_explorer", "training_explorer",
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
COLORS = {"data": "tab:blue", "model": "tab:orange", "truth": "0.55", "held_out": "tab:green",
          "bad": "tab:red", "path": "tab:purple"}


def _styled(plot):
    """Run a plotting function inside the course's style."""

    @wraps(plot)
    def styled(*args, **kwargs):
        with plt.rc_context(STYLE):
            return plot(*args, **kwargs)

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
    celsius, fahrenheit = nc._pair(celsius, fahrenheit, names=("celsius", "fahrenheit"))
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
def plot_fit(x, y, w, b, ax=None, xlabel=f"x = °C / {SCALE:g}", title=None):
    """The data and the neuron's line ``w*x + b`` over it, with the line's MSE in the title."""
    x, y = nc._pair(x, y)
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
    x, y = nc._pair(x, y)
    ax = _axes(ax, figsize=(6.4, 4.4))
    auto_w, auto_b = _surface_limits(x, y, path)
    w_lim, b_lim = w_lim or auto_w, b_lim or auto_b
    W, B = np.meshgrid(np.linspace(*w_lim, 121), np.linspace(*b_lim, 121))
    L = nc._losses_at(x, y, W, B)
    levels = np.geomspace(max(L.min(), L.max() * 1e-5), L.max(), 16)
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
    dw, db = nc._moment_gradients(nc._moments(x, y), W, B)
    u, v = -dw / np.ptp(w_lim), -db / np.ptp(b_lim)  # in axes fractions
    norm = np.hypot(u, v) + 1e-300
    length = 0.05
    ax.quiver(W, B, u / norm * length * np.ptp(w_lim), v / norm * length * np.ptp(b_lim),
              angles="xy", scale_units="xy", scale=1, color="k", alpha=0.55, width=0.004)


@_styled
def plot_loss_slice(x, y, b, ws, ax=None, w_lim=None, lr=None):
    """The loss along ``w`` with ``b`` held fixed, and the points ``ws`` joined by step arrows."""
    x, y = nc._pair(x, y)
    ws = np.atleast_1d(np.asarray(ws, dtype=float))
    ax = _axes(ax)
    w_opt = closed_form(x, y)[0]
    reach = np.append(ws[np.isfinite(ws)], w_opt)
    pad = 0.15 * (np.ptp(reach) or 1.0)
    w_lim = w_lim or (reach.min() - pad, reach.max() + pad)
    grid = np.linspace(*w_lim, 300)
    ax.plot(grid, nc._losses_at(x, y, grid, b), color=COLORS["truth"],
            label=f"loss along w, b = {b:g}")
    losses = nc._losses_at(x, y, ws, b)
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
    if axes is None:
        axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")[1]
    plot_losses(history, ax=axes[0])
    plot_fit(x, y, history.w, history.b, ax=axes[1], xlabel=xlabel)
    if history.diverged:
        axes[0].set_title(f"diverged after {history.epochs} epochs", color=COLORS["bad"])
    return axes


# ---------------------------------------------------------------------------------------------
# 3. Interactive explorers
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
    if widgets is None:
        how = ("run `%pip install ipywidgets` in a cell first" if sys.platform == "emscripten"
               else "pip install -r requirements.txt")
        raise ImportError(f"the explorers need ipywidgets: {how}")
    return widgets


class _Canvas:
    """A matplotlib Figure shown as an ipywidgets.Image, redrawn by blitting its moving parts."""

    def __init__(self, fig, min_interval=0.03):
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
        with matplotlib.rc_context(STYLE):  # ticks made while drawing get the course's style too
            self._draw()

    def _draw(self):
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
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _now():
    return time.perf_counter()


def _new_figure(width, height):
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

    x, y = nc._pair(x, y)
    threshold = lr_threshold(x, reduction)
    fig = _new_figure(10.0, 4.2)
    grid = fig.add_gridspec(2, 2, height_ratios=[6, 1])
    ax_loss, ax_lr, ax_fit = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[1, 0]), \
        fig.add_subplot(grid[:, 1])
    canvas = _Canvas(fig)
    start = mse(forward(x, w, b), y)
    lr_slider = _lr_slider(x, lr, reduction)
    ax_loss.set(yscale="log", ylim=(start * 1e-15, start * nc.EXPLODED * 30), xlabel="epoch",
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
        w_k, b_k = h.ws[k], h.bs[k]
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
        ex.curve = h.losses
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
    await asyncio.sleep(seconds)


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

    x, y = nc._pair(x, y)
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
        gd_loss = nc._losses_at(x, y, gd.w, gd.b)
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

    x, y = nc._pair(x, y)
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
        ws, bs, losses = h.ws, h.bs, h.losses
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
