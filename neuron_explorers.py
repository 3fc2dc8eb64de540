"""The interactive explorers of the One Neuron course, drawn in the browser.

``import neuron_core as nc`` re-exports them lazily: ``nc.training_explorer(x, y)``,
``nc.hand_fit_explorer(x, y)``, ``nc.step_explorer(x, y)``. Each returns an ``ipywidgets.VBox``
whose controls are attributes, so code drives it as a hand on a slider does
(``ex.lr.value = 0.9``), and whose ``figure`` is the same view as a static matplotlib figure.

How the live view is drawn (measured against the alternatives in README, "Performance"):

* the static part of each figure (axes, ticks, labels, contours, data points, the learning-rate
  strip) is drawn ONCE with matplotlib to a PNG, and sent with the figure's description: every
  panel's pixel box, limits and scales, and the styles of the moving artists (``_View.spec``);
* the browser draws the moving artists (loss curve, dot, line, path, error segments, markers,
  texts) on a canvas over the PNG, with the same transforms: neuron_explorers.js, an anywidget ES
  module shipped next to this file (nothing loads from a CDN);
* a slider that needs a new computation (a learning rate, a number of epochs, w or b) costs the
  kernel one small computation and a message of a few arrays; Play, the epoch shown and the steps
  taken only change which part of known data is on screen, and run in the browser alone. The
  frame goes back to the kernel when Play stops, so ``ex.frame.value`` is right afterwards, and
  setting it from Python moves the view.

The static copy (``ex.figure``, shown under each explorer for GitHub and nbval) and the live view
share that one description: the same matplotlib Figure, whose moving artists are hidden to make
the PNG and shown in the static copy; the readout is one template, filled by Python for
``ex.readout.value`` and by the browser while it plays.
"""

from __future__ import annotations

import io
import math
import sys
import weakref
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator
from PIL import Image

import neuron_core as nc
import neuron_fast as nf
import neuron_ui as ui
import neuron_validation as nv
from neuron_core import SCALE, closed_form, forward, lr_threshold, mse, train

try:  # JupyterLite starts without them; the explorers then say how to get them
    import anywidget
    import ipywidgets as widgets
    import traitlets
except ImportError:
    anywidget = widgets = traitlets = None

__all__ = [
    "LR_CHOICES", "LR_MAX", "EPOCHS_MAX", "STEPS_MAX", "PLAY_SECONDS",
    "hand_fit_explorer", "step_explorer", "training_explorer",
]

# The learning rates the explorers offer, exactly (the notebooks name only these). An lr passed
# that is not among them but within (0, LR_MAX] is added to the options.
LR_CHOICES = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95,
              1.0, 1.05, 1.1, 1.2, 1.5, 2.0, 3.0)
LR_MAX = 10.0
EPOCHS_MAX = 10_000  # the training explorer's epochs; a run of 10,000 is 240 kB to the browser
STEPS_MAX = 200  # the step explorer's max_steps
PLAY_SECONDS = 6.0  # Play replays any run in at most this long...
PLAY_MIN_SPEED = 30.0  # ...and at least this many epochs per second (short runs take less)
EPOCH_WIDTHS = (50, 100, 200, 300, 500, 1000)  # loss axis widths: most epoch changes keep one
HAND_FIT_STEP = 0.5  # the w and b sliders hold whole numbers and halves

_ESM = Path(__file__).with_name("neuron_explorers.js").read_text(encoding="utf-8")
_CSS = """
.nc-live .nc-plot { position: relative; width: 100%; }
.nc-live .nc-plot img.nc-background { display: block; width: 100%; height: auto; }
.nc-live .nc-plot canvas.nc-canvas { position: absolute; left: 0; top: 0; width: 100%;
  height: 100%; pointer-events: none; }
.nc-live .nc-readout { margin: 4px 0 6px 0; line-height: 1.4; min-height: 2.8em; }
"""
_BAD_HTML = to_hex(ui.COLORS["bad"])


def _need_widgets():
    """The widget modules, or an ImportError that says how to get them."""
    if anywidget is None:
        how = ("run `%pip install ipywidgets anywidget` in a cell first"
               if sys.platform == "emscripten" else "pip install -r requirements.txt")
        raise ImportError(f"the explorers need ipywidgets and anywidget: {how}")


# ---------------------------------------------------------------------------------------------
# Arguments: checked with neuron_core's own helpers, so the messages are the same
# ---------------------------------------------------------------------------------------------


def _data(x, y):
    x, y = nv.as_pair(x, y)
    return np.array(x, dtype=float), np.array(y, dtype=float)  # copies: the caller keeps theirs


def _lr(lr):
    lr = nv.as_positive("lr", lr)
    if lr > LR_MAX:
        raise ValueError(f"lr must be at most {LR_MAX:g} in an explorer, got {lr:g}")
    return lr


def _scale(scale):
    return None if scale is None else nv.as_positive("scale", scale)


def _lr_options(lr):
    """(label, value) pairs: every choice, and lr if it is not one of them."""
    values = sorted({*LR_CHOICES, lr})
    return [(f"{v:g}", v) for v in values]


# ---------------------------------------------------------------------------------------------
# One description of a figure: a matplotlib Figure with named panels and named moving artists
# ---------------------------------------------------------------------------------------------


class _View:
    """A figure, its panels (axes) and moving artists by name, and the messages its texts show.

    ``png()`` draws the static part (moving artists hidden); ``spec()`` describes what the
    browser needs to draw the moving part over it; the figure with its moving artists set by
    the explorer is the static copy.
    """

    def __init__(self, kind, fig, panels, artists, messages, description):
        self.kind, self.fig, self.panels, self.artists = kind, fig, panels, artists
        self.messages, self.description = messages, description
        self.agg = FigureCanvasAgg(fig)
        self._laid_out = False

    def png(self):
        """The static part as PNG bytes (the layout is fixed by the first call)."""
        for artist in self.artists.values():
            artist.set_visible(False)
        try:
            with matplotlib.rc_context(ui.STYLE):
                self.agg.draw()
                if not self._laid_out:
                    self.fig.set_layout_engine("none")  # keep the layout: the boxes must hold
                    self._laid_out = True
                size = self.agg.get_width_height(physical=True)
                buffer = io.BytesIO()
                Image.frombuffer("RGBA", size, self.agg.buffer_rgba(), "raw", "RGBA", 0, 1).save(
                    buffer, "png", compress_level=6)
        finally:
            for artist in self.artists.values():
                artist.set_visible(True)
        return buffer.getvalue()

    def size(self):
        """The PNG's size in pixels (Agg truncates the figure's size to whole pixels)."""
        return [int(v) for v in self.fig.bbox.size]

    def box(self, ax):
        """The panel's pixel box [left, top, width, height], from the PNG's top left (Agg
        flips y against its whole-pixel height)."""
        height = self.size()[1]
        x0, y0, x1, y1 = ax.get_window_extent().extents
        return [float(x0), float(height - y1), float(x1 - x0), float(y1 - y0)]

    def spec(self):
        panels = {name: {"box": self.box(ax), "xlim": [float(v) for v in ax.get_xlim()],
                         "ylim": [float(v) for v in ax.get_ylim()], "xscale": ax.get_xscale(),
                         "yscale": ax.get_yscale(), "xlabel": ax.get_xlabel(),
                         "ylabel": ax.get_ylabel(), "title": ax.get_title()}
                  for name, ax in self.panels.items()}
        artists = {name: _style(artist) for name, artist in self.artists.items()}
        for name, message in self.messages.items():
            artists[name]["text"] = message
        return {"kind": self.kind, "size": self.size(), "panels": panels, "artists": artists,
                "description": self.description}


def _style(artist):
    """What the browser needs to draw an artist as matplotlib does."""
    if isinstance(artist, LineCollection):
        return {"color": to_hex(artist.get_colors()[0]), "lw": float(artist.get_linewidths()[0])}
    if isinstance(artist, matplotlib.text.Text):
        x, y = artist.get_position()
        return {"color": to_hex(artist.get_color()), "fontsize": float(artist.get_fontsize()),
                "weight": str(artist.get_fontweight()), "ha": artist.get_ha(),
                "x": float(x), "y": float(y)}
    color, mec = to_hex(artist.get_color()), to_hex(artist.get_markeredgecolor())
    marker = artist.get_marker()
    return {"color": color, "lw": float(artist.get_linewidth()),
            "ms": float(artist.get_markersize()), "marker": None if marker == "None" else marker,
            "mec": None if mec == color else mec, "mew": float(artist.get_markeredgewidth())}


def _new_figure(width, height):
    with matplotlib.rc_context(ui.STYLE):
        return Figure(figsize=(width, height), dpi=ui.STYLE["figure.dpi"], layout="constrained")


def _data_axes(ax, x, y, scale):
    """The data as points, with fixed limits so that the axes can be drawn once."""
    ax.plot(x, y, "o", color=ui.COLORS["data"], label="data", zorder=3)
    pad_x, pad_y = 0.08 * np.ptp(x) or 1.0, 0.35 * np.ptp(y) or 1.0
    ax.set(xlim=(x.min() - pad_x, x.max() + pad_x), ylim=(y.min() - pad_y, y.max() + pad_y),
           xlabel=f"x = °C / {scale:g}" if scale else "x", ylabel="°F")


def _lr_axis(ax, lo, hi, threshold):
    """A strip showing the learning-rate scale, the unstable region shaded red."""
    ax.set(xscale="log", xlim=(lo, hi), ylim=(0, 1), yticks=[])
    ax.axvspan(threshold, hi, color=ui.COLORS["bad"], alpha=0.25, lw=0)
    ax.axvline(threshold, color=ui.COLORS["bad"], lw=2)
    ax.text(threshold, 1.05, f" diverges above {threshold:.3g}", color=ui.COLORS["bad"],
            fontsize=10, va="bottom", ha="center", transform=ax.get_xaxis_transform())
    ax.set_xlabel("learning rate", labelpad=1)
    ax.grid(False)


def _crosses(ax, w, b):
    """Does the line w*x + b cross the panel (else: "the line has left the chart")?"""
    ends = w * np.array(ax.get_xlim()) + b
    low, high = ax.get_ylim()
    return bool(ends.max() >= low and ends.min() <= high)


def _celsius_template(scale):
    """The readout's part about w and b; its fields are filled per frame."""
    if scale is None:
        return "w = {w:.4g}, b = {b:.4g}"
    return ("w = {w:.4g} (that is {wc:.4f} °F per °C), b = {b:.3f} °F; "
            "100 °C → {f100:.2f} °F")


def _celsius_arrays(ws, bs, scale):
    if scale is None:
        return {}
    return {"wc": ws / scale, "f100": ws * (100.0 / scale) + bs}  # forward at 100 °C, per frame


def _fill(template, values):
    return template.format(**values)


def _escape(text):
    """Text with no fields, made safe for str.format (and for the browser's fill)."""
    return text.replace("{", "{{").replace("}", "}}")


def _bytes(array):
    return np.ascontiguousarray(array, dtype="<f8").tobytes()


# ---------------------------------------------------------------------------------------------
# The widget that draws a view in the browser, and the explorer around it
# ---------------------------------------------------------------------------------------------

_Plot = None


def _plot_class():
    """The anywidget class, defined on first use (anywidget is imported only then)."""
    global _Plot
    if _Plot is None:
        _need_widgets()

        class Plot(anywidget.AnyWidget):
            """The live view: a PNG of the static part, a canvas with the moving part."""

            _esm = _ESM
            _css = _CSS
            background = traitlets.Bytes(b"").tag(sync=True)
            spec = traitlets.Dict().tag(sync=True)
            data = traitlets.Dict().tag(sync=True)
            controls = traitlets.Dict().tag(sync=True, **widgets.widget_serialization)

        _Plot = Plot
    return _Plot


class _Readout:
    """``ex.readout.value``: the readout's HTML for the state the kernel knows."""

    def __init__(self, explorer):
        self._explorer = weakref.ref(explorer)

    @property
    def value(self):
        explorer = self._explorer()
        return "" if explorer is None else explorer._readout_html()

    def __repr__(self):
        return f"Readout({self.value!r})"


_LIVE = {}  # notebook cell id -> the explorer that cell made last: a re-run replaces it


def _cell_id():
    try:
        from IPython import get_ipython

        kernel = getattr(get_ipython(), "kernel", None)
        parent = kernel.get_parent("shell") if kernel is not None else None
        return (parent or {}).get("metadata", {}).get("cellId")
    except Exception:  # noqa: BLE001 - no kernel, or one that does not say: nothing to replace
        return None


def _finite_float_slider(**kwargs):
    """A FloatSlider that refuses NaN and infinities (a plain one would take NaN)."""

    class FiniteFloatSlider(widgets.FloatSlider):
        @traitlets.validate("value")
        def _validate_value(self, proposal):
            if not math.isfinite(proposal["value"]):
                raise traitlets.TraitError(f"{self.description} must be finite, "
                                           f"got {proposal['value']}")
            return super()._validate_value(proposal)

    return FiniteFloatSlider(**kwargs)


def _make_explorer(kind, rows, plot, view, **attributes):
    """An explorer: a VBox of the control rows and the live plot, its parts as attributes."""
    box = _explorer_class()([*rows, plot])
    box.add_class("nc-explorer")
    box.add_class(f"nc-{kind}-explorer")
    box.plot, box._view = plot, view
    box.readout = _Readout(box)
    for name, value in attributes.items():
        setattr(box, name, value)
    cell = _cell_id()
    if cell is not None:
        previous = _LIVE.get(cell)
        if previous is not None and previous() is not None:
            previous().close()
        _LIVE[cell] = weakref.ref(box)
    return box


def _explorer_base():
    _need_widgets()

    class Explorer(widgets.VBox):
        """An explorer (see its function's docstring for its attributes)."""

        def _readout_html(self):
            values = self._values()
            html = _fill(self._template, values)
            if values.get("diverged"):
                html += "<br>" + _fill(self._diverged_template, values)
            return html

        @property
        def history(self):
            """The ``History`` of the run shown."""
            return self._history()

        @property
        def figure(self):
            """The view as a static matplotlib Figure: the static copy under the widget."""
            if self._view is None:
                raise ValueError("this explorer is closed")
            self._show_static()
            return self._view.fig

        def close(self):
            """Close the explorer's widgets (controls, plot, their layouts and styles) and
            free its figure."""
            for child in [*_descendants(self), self]:
                for part in (getattr(child, "layout", None), getattr(child, "style", None)):
                    if isinstance(part, widgets.Widget):
                        part.close()
                if child is not self:
                    child.close()
            self._view = None
            self._runs = []
            super().close()

    return Explorer


_Explorer = None


def _descendants(box):
    for child in box.children:
        if isinstance(child, widgets.Box):
            yield from _descendants(child)
        yield child


def _explorer_class():
    global _Explorer
    if _Explorer is None:
        _Explorer = _explorer_base()
    return _Explorer


# ---------------------------------------------------------------------------------------------
# The training explorer
# ---------------------------------------------------------------------------------------------


@ui._styled
def training_explorer(x, y, lr=0.5, epochs=200, w=1.0, b=0.0, reduction="mean", scale=SCALE):
    """Train with a learning-rate slider and an epochs slider, and Play to watch it learn.

    ``x`` are the scaled inputs (``celsius / scale``; ``scale=None`` if they are not scaled),
    ``y`` the targets. Shows the loss per epoch (log scale), where ``lr`` sits against the
    divergence threshold, the line at the epoch shown over the data, and a readout of the loss,
    ``w``, ``b`` and the prediction for 100 °C.

    Attributes:

    * ``lr``: a SelectionSlider of exactly ``LR_CHOICES`` (plus ``lr`` if it is not one);
    * ``epochs``: an IntSlider, the number of epochs asked (1 to 1000, or ``epochs`` if more);
    * ``play``: a ToggleButton; True replays the run in the browser, False pauses;
    * ``frame``: an IntSlider, the epoch shown (0 to ``history.epochs``);
    * ``history``: the ``History`` of the run shown (``history.epochs`` = updates made);
    * ``threshold``: the divergence threshold, ``nc.lr_threshold(x)``;
    * ``readout``: ``readout.value`` is the readout's HTML at the epoch shown;
    * ``figure``: the view as a matplotlib Figure (the static copy);
    * ``plot``: the live view (an anywidget); ``close()`` closes it all.
    """
    _need_widgets()
    x, y = _data(x, y)
    lr, scale = _lr(lr), _scale(scale)
    epochs = nv.as_count("epochs", epochs, 1, EPOCHS_MAX)
    w, b = nv.as_number("w", w), nv.as_number("b", b)
    nv.per_sample_factor(reduction, len(x))
    threshold = lr_threshold(x, reduction)
    options = _lr_options(lr)
    start = mse(forward(x, w, b), y)

    fig = _new_figure(10.0, 4.2)
    grid = fig.add_gridspec(2, 2, height_ratios=[6, 1])
    ax_loss, ax_lr, ax_fit = (fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[1, 0]),
                              fig.add_subplot(grid[:, 1]))
    ax_loss.set(yscale="log", ylim=(start * 1e-15, start * nc.EXPLODED * 30), xlabel="epoch",
                ylabel="loss (MSE)", title="loss per epoch")
    ax_loss.yaxis.set_minor_locator(NullLocator())
    _lr_axis(ax_lr, options[0][1] / 1.5, options[-1][1] * 1.5, threshold)
    _data_axes(ax_fit, x, y, scale)
    ax_fit.set_title("the neuron's line at the epoch shown")
    colors = ui.COLORS
    artists = {
        "curve": ax_loss.plot([], [], color=colors["model"])[0],
        "dot": ax_loss.plot([], [], "o", color=colors["model"])[0],
        "warning": ax_loss.text(0.5, 0.5, "", transform=ax_loss.transAxes, ha="center",
                                color=colors["bad"], fontsize=15, weight="bold"),
        "lr_mark": ax_lr.plot([], [], "v", color="k", ms=11, clip_on=False)[0],
        "line": ax_fit.plot([], [], color=colors["model"], label="neuron")[0],
        "off_chart": ax_fit.text(0.5, 0.08, "", transform=ax_fit.transAxes, ha="center",
                                 color=colors["bad"], fontsize=12),
    }
    view = _View("training", fig, {"loss": ax_loss, "lr": ax_lr, "fit": ax_fit}, artists,
                 {"warning": "diverged", "off_chart": "the line has left the chart"},
                 "Loss per epoch on a log scale, the learning rate against the divergence "
                 "threshold, and the neuron's line over the data at the epoch shown.")

    lr_slider = widgets.SelectionSlider(options=options, value=lr, description="lr",
                                        continuous_update=True, layout={"width": "460px"})
    epochs_slider = widgets.IntSlider(value=epochs, min=1, max=max(1000, epochs),
                                      description="epochs", layout={"width": "460px"})
    play = widgets.ToggleButton(value=False, description="Play", icon="play",
                                tooltip="replay the training, epoch by epoch")
    play.add_class("nc-play")
    frame = widgets.IntSlider(value=epochs, min=0, max=epochs, description="epoch shown",
                              style={"description_width": "initial"}, layout={"width": "380px"})
    plot = _plot_class()(controls={"frame": frame, "play": play, "lr": lr_slider})
    ex = _make_explorer("training", [widgets.HBox([lr_slider, epochs_slider]),
                                     widgets.HBox([play, frame])], plot, view,
                        lr=lr_slider, epochs=epochs_slider, play=play, frame=frame,
                        threshold=threshold)
    ex._template = "epoch {k} of {K}: loss = {loss:.4g}; " + _celsius_template(scale)
    backgrounds = {}  # loss-axis width -> PNG, drawn once each

    def width(asked):
        return next((e for e in EPOCH_WIDTHS if e >= asked), asked)

    def values(k=None):
        h = ex._h
        k = min(frame.value if k is None else k, h.epochs)
        out = {"k": k, "K": h.epochs, "loss": h.losses[k], "w": h.ws[k], "b": h.bs[k],
               "diverged": h.diverged}
        out.update({name: arr[k] for name, arr in _celsius_arrays(h.ws, h.bs, scale).items()})
        return out

    def show_static():
        h = ex._h
        k = min(frame.value, h.epochs)
        artists["curve"].set_data(np.arange(k + 1), h.losses[:k + 1])
        artists["dot"].set_data([k], [h.losses[k]])
        artists["warning"].set_text("diverged" if h.diverged and k == h.epochs else "")
        artists["lr_mark"].set_data([h.lr], [0.5])
        span = np.array(ax_fit.get_xlim())
        artists["line"].set_data(span, h.ws[k] * span + h.bs[k])
        crossing = _crosses(ax_fit, h.ws[k], h.bs[k])
        artists["off_chart"].set_text("" if crossing else "the line has left the chart")

    def diverged_text(h, asked):
        stopped = (f"training stopped after {h.epochs} of the {asked} epochs asked"
                   if h.epochs < asked else f"after all {asked} epochs")
        return (f"<b style='color:{_BAD_HTML}'>⚠ lr = {h.lr:g} diverged</b>: every step "
                f"overshoots and the loss grows ({stopped}). Gradient descent is stable only "
                f"below lr = {threshold:.3g}, the divergence threshold.")

    def retrain(_=None):
        """A new number of epochs: train at every learning rate the slider offers, and send
        all the runs, so that moving lr is drawn in the browser without asking the kernel."""
        asked = epochs_slider.value
        ex._runs = [train(x, y, lr=v, epochs=asked, w=w, b=b, reduction=reduction)
                    for _label, v in lr_slider.options]
        right = width(asked)
        with plot.hold_sync():
            if ax_loss.get_xlim()[1] != right or not plot.background:
                ax_loss.set_xlim(0, right)
                if right not in backgrounds:
                    backgrounds[right] = view.png()
                plot.background = backgrounds[right]
                plot.spec = {**view.spec(), "frame_control": "frame", "template": ex._template,
                             "scale": scale,
                             "play": {"seconds": PLAY_SECONDS, "min_speed": PLAY_MIN_SPEED}}
            plot.data = {"runs": [
                {"arrays": {"w": _bytes(h.ws), "b": _bytes(h.bs), "loss": _bytes(h.losses)},
                 "vars": {"diverged": h.diverged, "lr": h.lr},
                 "diverged_template": _escape(diverged_text(h, asked))} for h in ex._runs]}
        select()

    def select(_=None):
        """The run of the lr shown (the browser has switched to it already)."""
        h = ex._runs[lr_slider.index]
        ex._h = h
        ex._diverged_template = _escape(diverged_text(h, epochs_slider.value))
        play.value = False  # a new run: stop replaying the old one
        with frame.hold_sync():
            frame.max = h.epochs
            frame.value = h.epochs

    def toggle(change):
        play.description, play.icon = ("Pause", "pause") if change["new"] else ("Play", "play")
        if change["new"] and _running_loop() is None:  # plain Python: no browser to animate
            frame.value = frame.max
            play.value = False

    ex._values, ex._show_static, ex._history = values, show_static, lambda: ex._h
    lr_slider.observe(select, "value")
    epochs_slider.observe(retrain, "value")
    play.observe(toggle, "value")
    retrain()
    return ex


def _running_loop():
    import asyncio

    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


# ---------------------------------------------------------------------------------------------
# The hand-fit explorer
# ---------------------------------------------------------------------------------------------


def _grid_slider(name, value, centre, reach):
    """A slider on a grid of halves, from centre - reach to centre + reach, holding value."""
    step = HAND_FIT_STEP
    low = math.floor(min(centre - reach, value) / step) * step
    high = math.ceil(max(centre + reach, value) / step) * step
    if value != low + round((value - low) / step) * step:  # off the grid: shift it onto value
        low = value - math.ceil((value - low) / step) * step
    return _finite_float_slider(value=value, min=low, max=high, step=step, description=name,
                                readout_format=".1f", layout={"width": "460px"})


@ui._styled
def hand_fit_explorer(x, y, w=100.0, b=0.0, scale=SCALE, gd_epochs=50):
    """Sliders for ``w`` and ``b``: fit the line by hand and try to beat gradient descent.

    Shows the line and its errors over the data, the guess on the loss surface with the path of
    ``gd_epochs`` epochs of gradient descent from ``w=1, b=0`` at half the divergence
    threshold, and the loss, live.

    Attributes:

    * ``w``, ``b``: FloatSliders on a grid of whole numbers and halves (they start at ``w``,
      ``b`` exactly and hold 180 and 32, the true rule, for the course's data);
    * ``loss``: the MSE of the current guess;
    * ``gd_history``: the ``History`` of the gradient descent it is compared with;
    * ``readout``: ``readout.value`` is the readout's HTML;
    * ``figure``: the view as a matplotlib Figure (the static copy);
    * ``plot``: the live view (an anywidget); ``close()`` closes it all.
    """
    _need_widgets()
    x, y = _data(x, y)
    w, b, scale = nv.as_number("w", w), nv.as_number("b", b), _scale(scale)
    gd_epochs = nv.as_count("gd_epochs", gd_epochs, 1, EPOCHS_MAX)
    w_opt, b_opt = closed_form(x, y)
    reach_w, reach_b = max(abs(w_opt), 1.0), max(abs(b_opt), np.ptp(y) / 2, 1.0)
    gd = train(x, y, lr=lr_threshold(x) / 2, epochs=gd_epochs)
    gd_loss = float(gd.losses[-1])

    fig = _new_figure(10.0, 4.0)
    ax_fit, ax_surface = fig.subplots(1, 2)
    _data_axes(ax_fit, x, y, scale)
    ax_fit.set_title("your line and its errors")
    with matplotlib.rc_context(ui.STYLE):
        ui.plot_loss_surface(x, y, ax=ax_surface, path=gd, arrows=False,
                             w_lim=(w_opt - reach_w, w_opt + reach_w),
                             b_lim=(b_opt - reach_b, b_opt + reach_b))
    ax_surface.set_title(f"your guess and {gd_epochs} epochs of gradient descent", fontsize=11)
    colors = ui.COLORS
    artists = {
        "line": ax_fit.plot([], [], color=colors["model"])[0],
        "errors": ax_fit.add_collection(LineCollection([], colors=colors["bad"],
                                                       linewidths=1.5)),
        "off_chart": ax_fit.text(0.5, 0.08, "", transform=ax_fit.transAxes, ha="center",
                                 color=colors["bad"], fontsize=12),
        "guess": ax_surface.plot([], [], "o", color=colors["model"], ms=11, mec="k")[0],
    }
    view = _View("hand_fit", fig, {"fit": ax_fit, "surface": ax_surface}, artists,
                 {"off_chart": "the line has left the chart"},
                 "Your line and its errors over the data, and your guess on the loss surface "
                 "next to the path of gradient descent.")
    w_slider = _grid_slider("w", w, w_opt, reach_w)
    b_slider = _grid_slider("b", b, b_opt, reach_b)
    plot = _plot_class()(background=view.png())
    ex = _make_explorer("hand-fit", [widgets.HBox([w_slider, b_slider])], plot, view,
                        w=w_slider, b=b_slider, gd_history=gd)
    ex._template = ("your loss: <b>{loss:.2f}</b>; gradient descent after {gd_epochs} epochs: "
                    "{gd_loss:.2f}; {verdict}<br>" + _celsius_template(scale))
    ex._diverged_template = ""
    plot.spec = {**view.spec(), "frame_control": None, "template": ex._template,
                 "points": {"x": x.tolist(), "y": y.tolist()}}

    def values(_k=None):
        w_, b_ = w_slider.value, b_slider.value
        loss = mse(forward(x, w_, b_), y)
        verdict = ("🎉 you beat gradient descent!" if loss < gd_loss
                   else "keep going: can you beat it?")
        out = {"w": w_, "b": b_, "loss": loss, "gd_loss": gd_loss, "gd_epochs": gd_epochs,
               "verdict": verdict}
        out.update({n: float(a) for n, a in _celsius_arrays(np.float64(w_), b_, scale).items()})
        return out

    def show_static():
        w_, b_ = w_slider.value, b_slider.value
        span = np.array(ax_fit.get_xlim())
        artists["line"].set_data(span, w_ * span + b_)
        y_hat = forward(x, w_, b_)
        artists["errors"].set_segments([[(xi, yi), (xi, fi)]
                                        for xi, yi, fi in zip(x, y, y_hat, strict=True)])
        artists["off_chart"].set_text("" if _crosses(ax_fit, w_, b_)
                                      else "the line has left the chart")
        artists["guess"].set_data([w_], [b_])

    def update(_=None):
        vals = values()
        ex.loss = vals["loss"]
        plot.data = {"arrays": {"y_hat": _bytes(forward(x, vals["w"], vals["b"]))},
                     "vars": vals}

    ex._values, ex._show_static = values, show_static
    w_slider.observe(update, "value")
    b_slider.observe(update, "value")
    update()
    return ex


# ---------------------------------------------------------------------------------------------
# The step explorer
# ---------------------------------------------------------------------------------------------


def _step_limits(x, y, w, b, history):
    """(w, b) limits holding the start, the minimum, the first two steps and the path while its
    loss stays below four times the start; widened in quarters of the basic view, so that most
    learning rates share one background."""
    w_opt, b_opt = closed_form(x, y)
    span_w, span_b = abs(w_opt - w) or 1.0, abs(b_opt - b) or 1.0
    lo_w, hi_w = min(w, w_opt) - 0.15 * span_w, max(w, w_opt) + 0.15 * span_w
    lo_b, hi_b = min(b, b_opt) - 0.25 * span_b, max(b, b_opt) + 0.25 * span_b
    losses = history.losses
    keep = losses <= max(4 * losses[0], losses[min(2, len(losses) - 1)])  # and two steps
    ws, bs = history.ws[keep], history.bs[keep]

    def widen(lo, hi, values, quantum):
        low = min(lo, values.min() - quantum / 2)
        high = max(hi, values.max() + quantum / 2)
        low = lo - math.ceil((lo - low) / quantum) * quantum
        high = hi + math.ceil((high - hi) / quantum) * quantum
        return float(low), float(high)

    return (widen(lo_w, hi_w, ws, (hi_w - lo_w) / 4), widen(lo_b, hi_b, bs, (hi_b - lo_b) / 4))


@ui._styled
def step_explorer(x, y, lr=0.5, w=1.0, b=0.0, max_steps=40):
    """Take gradient-descent steps one at a time and watch them on the loss surface.

    ``Step`` takes one more update, ``Reset`` goes back to the start, the ``lr`` slider changes
    the step size (keeping the number of steps). The surface's view holds the path as long as
    it is not running away (at lr 1.05, b bounces out on both sides of its best value).

    Attributes:

    * ``lr``: a SelectionSlider of exactly ``LR_CHOICES`` (plus ``lr`` if it is not one);
    * ``steps``: an IntSlider, the steps taken (its maximum is ``max_steps``, or fewer where
      the run at this lr diverged and was stopped);
    * ``step_button``, ``reset_button``: Buttons;
    * ``history``: the ``History`` of the steps taken (``history.epochs == steps.value``);
    * ``threshold``: the divergence threshold, ``nc.lr_threshold(x)``;
    * ``readout``: ``readout.value`` is the readout's HTML;
    * ``figure``: the view as a matplotlib Figure (the static copy);
    * ``plot``: the live view (an anywidget); ``close()`` closes it all.
    """
    _need_widgets()
    x, y = _data(x, y)
    lr = _lr(lr)
    w, b = nv.as_number("w", w), nv.as_number("b", b)
    max_steps = nv.as_count("max_steps", max_steps, 1, STEPS_MAX)
    threshold = lr_threshold(x)
    options = _lr_options(lr)
    start = mse(forward(x, w, b), y)

    fig = _new_figure(10.0, 4.2)
    ax_surface, ax_loss = fig.subplots(1, 2)
    ax_loss.set(yscale="log", xlim=(-0.5, max_steps + 0.5), ylim=(start * 1e-6, start * 1e4),
                xlabel="steps taken", ylabel="loss (MSE)", title="loss after each step")
    ax_loss.yaxis.set_minor_locator(NullLocator())
    colors = ui.COLORS
    artists = {
        "path": ax_surface.plot([], [], ".-", color=colors["path"], lw=1.5, ms=7, zorder=6)[0],
        "here": ax_surface.plot([], [], "o", color=colors["model"], ms=11, mec="k",
                                zorder=7)[0],
        "curve": ax_loss.plot([], [], "o-", color=colors["model"], ms=4)[0],
    }
    view = _View("step", fig, {"surface": ax_surface, "loss": ax_loss}, artists, {},
                 "The steps taken so far as a path on the loss surface, and the loss after "
                 "each step on a log scale.")
    lr_slider = widgets.SelectionSlider(options=options, value=lr, description="lr",
                                        continuous_update=True, layout={"width": "460px"})
    steps = widgets.IntSlider(value=0, min=0, max=max_steps, description="steps",
                              layout={"width": "360px"})
    step_button = widgets.Button(description="Step", tooltip="take one more step")
    reset_button = widgets.Button(description="Reset", tooltip="back to the start")
    plot = _plot_class()(controls={"steps": steps})
    ex = _make_explorer("step", [widgets.HBox([lr_slider, steps]),
                                 widgets.HBox([step_button, reset_button])], plot, view,
                        lr=lr_slider, steps=steps, step_button=step_button,
                        reset_button=reset_button, threshold=threshold)
    lr_html = "{lr_text}"
    ex._template = ("after {k} step{s}: w = {w:.4g}, b = {b:.4g}, loss = {loss:.4g}<br>"
                    f"next step: w ← {{w:.4g}} − {lr_html} × ({{dw:.4g}}),  "
                    f"b ← {{b:.4g}} − {lr_html} × ({{db:.4g}})")
    backgrounds = {}  # surface limits -> (PNG, spec)
    moments = nf.moments(x, y)

    def values(k=None):
        run = ex._run
        k = min(steps.value if k is None else k, len(run["loss"]) - 1)
        out = {name: arr[k] for name, arr in run.items()}
        out.update({"k": k, "s": "" if k == 1 else "s", "lr_text": f"{lr_slider.value:g}"})
        return out

    def show_static():
        run, k = ex._run, min(steps.value, len(ex._run["loss"]) - 1)
        artists["path"].set_data(run["w"][:k + 1], run["b"][:k + 1])
        artists["here"].set_data(run["w"][k:k + 1], run["b"][k:k + 1])
        artists["curve"].set_data(np.arange(k + 1), run["loss"][:k + 1])

    def relimit(full):
        limits = _step_limits(x, y, w, b, full)
        if limits not in backgrounds:
            ax_surface.clear()
            with matplotlib.rc_context(ui.STYLE):
                ui.plot_loss_surface(x, y, ax=ax_surface, arrows=True, w_lim=limits[0],
                                     b_lim=limits[1])
            for name in ("path", "here"):
                ax_surface.add_line(artists[name])
            backgrounds[limits] = (view.png(), view.spec())
        return backgrounds[limits]

    def retrain(_=None):
        lr_ = lr_slider.value
        full = train(x, y, lr=lr_, epochs=max_steps, w=w, b=b)
        dw, db = nf.moment_gradients(moments, full.ws, full.bs)
        diverged = [train(x, y, lr=lr_, epochs=k, w=w, b=b).diverged
                    for k in range(full.epochs + 1)]
        ex._run = {"w": full.ws, "b": full.bs, "loss": full.losses, "dw": dw, "db": db,
                   "diverged": np.array(diverged, dtype=float)}
        ex._full = full
        ex._diverged_template = _escape(
            f"<b style='color:{_BAD_HTML}'>⚠ lr = {lr_:g} diverges</b>: every step overshoots "
            "and the loss grows"
            + (f" (the run was stopped after {full.epochs} steps, when the loss had grown "
               f"{nc.EXPLODED:.0e}-fold)" if full.epochs < max_steps else "")
            + f". Gradient descent is stable only below lr = {threshold:.3g}, the divergence "
            "threshold.")
        png, spec = relimit(full)
        with plot.hold_sync():
            if plot.background != png:
                plot.background = png
            plot.spec = {**spec, "frame_control": "steps", "template": ex._template}
            with steps.hold_sync():
                steps.max = full.epochs
                steps.value = min(steps.value, full.epochs)
            plot.data = {"arrays": {n: _bytes(a) for n, a in ex._run.items()},
                         "vars": {"lr_text": f"{lr_:g}"},
                         "diverged_template": ex._diverged_template}

    def history():
        return train(x, y, lr=lr_slider.value, epochs=min(steps.value, ex._full.epochs),
                     w=w, b=b)

    ex._values, ex._show_static = values, show_static
    ex._history = history
    step_button.on_click(lambda _: setattr(steps, "value", min(steps.value + 1, steps.max)))
    reset_button.on_click(lambda _: setattr(steps, "value", 0))
    lr_slider.observe(retrain, "value")
    retrain()
    return ex
