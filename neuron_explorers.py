"""The interactive explorers of the One Neuron course, drawn in the browser.

``import neuron_core as nc`` re-exports them lazily: ``nc.training_explorer(x, y)``,
``nc.hand_fit_explorer(x, y)``, ``nc.step_explorer(x, y)``. Each returns an explorer (an
``ipywidgets.VBox``) whose controls are attributes, so code reads it as a hand on a slider
sets it (``ex.lr.value``), and whose ``figure`` is the same view as a static matplotlib figure.

Who owns what (one owner for each number a learner sees):

* the kernel computes, once per explorer, everything a control can ask for: every learning
  rate's run up to the epochs slider's maximum (a shorter run is a prefix of it), every step of
  the step explorer, the hand-fit's data sample and the five numbers of its loss bowl; and it
  draws the static part of each figure (axes, ticks, labels, contours, data points) to PNGs,
  one per theme, when the browser asks for one it has not got; in an explorer narrower than
  NARROW_BELOW CSS px (a phone, half a projector) the browser asks for the narrow layout
  (key ``NARROW + key``: the same panels stacked, no text under NARROW_MIN_PT);
* the browser owns the view: the controls' values, the epoch or step shown, Play, and what
  follows from them (the frame slider's maximum, the readout), computed in the page from those
  numbers. Nothing the kernel sends depends on a control, so no late reply can overwrite a
  newer choice. The kernel writes a control only when Python code sets one (``ex.lr.value =
  0.9``), and never in reply to the browser;
* the ES module ``neuron_explorers.js`` (shipped next to this file: nothing loads from a CDN)
  draws the moving artists on a canvas over the PNG, from one description per artist
  (``describe``) that the matplotlib static copy (``ex.figure``) is drawn from too, and formats
  the readout: the one place it is formatted. ``ex.readout.value`` is what the browser shows.

docs/EXPLORERS-API.md (or /tmp/coord/EXPLORERS-API.md) lists the synced traits.
"""

from __future__ import annotations

import base64
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
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.ticker import NullLocator
from PIL import Image

import neuron_core as nc
import neuron_fast as nf
import neuron_ui as ui
import neuron_validation as nv
from neuron_core import SCALE, History, closed_form, lr_threshold

try:
    import anywidget
    import ipywidgets as widgets
    import traitlets
except ImportError as missing:  # JupyterLite starts without them: say how to get them
    _HOW = ("run `%pip install ipywidgets anywidget` in a cell, then this one again"
            if sys.platform == "emscripten" else "pip install -r requirements.txt")
    raise ImportError(f"the explorers need ipywidgets and anywidget: {_HOW}") from missing

__all__ = [
    "LR_CHOICES", "LR_MAX", "EPOCHS_MAX", "STEPS_MAX", "PLAY_SECONDS",
    "hand_fit_explorer", "step_explorer", "training_explorer",
]

# The learning rates the explorers offer, exactly (the notebooks name only these). An lr passed
# that is not among them but within (0, LR_MAX] is added to the options.
LR_CHOICES = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95,
              1.0, 1.05, 1.1, 1.2, 1.5, 2.0, 3.0)
LR_MAX = 10.0
EPOCHS_MAX = 10_000  # the training explorer's epochs: 21 runs of 10,000 are 5 MB, sent once
STEPS_MAX = 200  # the step explorer's max_steps
PLAY_SECONDS = 6.0  # Play replays any run in at most this long...
PLAY_MIN_SPEED = 30.0  # ...and at least this many epochs per second (short runs take less)
EPOCH_WIDTHS = (50, 100, 200, 300, 500, 1000)  # loss axis widths: most epoch changes keep one
HAND_FIT_STEP = 0.5  # the w and b sliders hold whole numbers and halves
SAMPLE_POINTS = 2000  # at most this many data points are drawn and sent (the loss uses all)
VALUE_LIMIT = 1e12  # data, w and b beyond this are refused: sliders move in halves, losses square
INK = {"light": "#000000", "dark": "#e6e6e6"}  # the static part's text and axes, per theme
PAPER = {"light": "#ffffff", "dark": "#1e1e1e"}  # legend boxes (the figure itself is clear)
# The narrow layout: a phone, or a projector's window split in two. Below NARROW_BELOW CSS px
# the page asks for backgrounds keyed NARROW + key: the same panels stacked in a figure
# NARROW_WIDTH inches wide (384 px, shown at about its own size, so its text is not scaled
# down), no text smaller than NARROW_MIN_PT points (14.7 px).
NARROW = "narrow:"
NARROW_BELOW = 600
NARROW_WIDTH = 4.0
NARROW_MIN_PT = 11.0

_ESM = Path(__file__).with_name("neuron_explorers.js").read_text(encoding="utf-8")
_CSS = """
.nc-live { max-width: 100%; }
.nc-live .nc-scroll { overflow-x: auto; max-width: 100%; }
.nc-live .nc-plot { position: relative; width: 100%; min-width: 540px; }
.nc-live.nc-narrow .nc-plot { min-width: 0; }
.nc-live.nc-narrow .nc-readout { overflow-wrap: anywhere; }
.nc-live .nc-plot img.nc-background { display: block; width: 100%; height: auto; }
.nc-live .nc-plot canvas.nc-canvas { position: absolute; left: 0; top: 0; width: 100%;
  height: 100%; pointer-events: none; }
.nc-live .nc-readout { margin: 4px 0 6px 0; line-height: 1.4; min-height: 2.8em;
  color: var(--jp-ui-font-color0, inherit); }
.nc-live .nc-banner { display: none; margin: 2px 0 4px 0; padding: 3px 8px;
  border-left: 4px solid #D55E00; background: var(--jp-layout-color2, #eeeeee);
  color: var(--jp-ui-font-color0, #000000); }
.nc-live.nc-picture .nc-banner { display: block; }
.nc-explorer .nc-row { flex-flow: row wrap; }
.nc-explorer:has(.nc-live.nc-narrow) .nc-row > .widget-slider { flex: 1 1 100% !important;
  max-width: 100% !important; min-width: 0 !important; }
.nc-explorer .nc-choice .widget-readout { pointer-events: none; -webkit-user-modify: read-only; }
"""
_BAD_HTML = to_hex(ui.COLORS["bad"])


class ExplorerClosedError(RuntimeError):
    """An explorer was used after ``close()`` (or after its cell was run again)."""


# ---------------------------------------------------------------------------------------------
# Arguments: checked with neuron_validation's names, so the messages are the math's
# ---------------------------------------------------------------------------------------------


def _bounded(name, values):
    """Refuse values so large that their squares (the loss) and the sliders cannot hold them."""
    if np.max(np.abs(values)) > VALUE_LIMIT:
        what = (f"{name} = {float(values):g} is" if np.ndim(values) == 0
                else f"{name} holds a value")
        raise ValueError(f"{what} beyond ±{VALUE_LIMIT:g}: too large for an explorer "
                         "(rescale the data, as nc.scale_inputs does for x)")
    return values


def _data(x, y):
    x, y = nv.as_pair(x, y)
    x, y = np.array(x, dtype=float), np.array(y, dtype=float)  # copies: the caller keeps theirs
    return _bounded("x", x), _bounded("y", y)


def _number(name, value):
    return float(_bounded(name, nv.as_number(name, value)))


def _lr(lr):
    lr = nv.as_positive("lr", lr)
    if lr > LR_MAX:
        raise ValueError(f"lr must be at most {LR_MAX:g} in an explorer, got {lr:g}")
    return lr


def _scale(scale):
    return None if scale is None else nv.as_positive("scale", scale)


def _lr_options(lr):
    """(label, value) pairs: every choice, and lr if it is not one of them."""
    return [(f"{v:g}", v) for v in sorted({*LR_CHOICES, lr})]


def _sample(x, y):
    """At most SAMPLE_POINTS points, evenly spread over the data's order (deterministic)."""
    if len(x) <= SAMPLE_POINTS:
        return x, y
    keep = np.linspace(0, len(x) - 1, SAMPLE_POINTS).round().astype(int)
    return x[keep], y[keep]


def _sample_note(n):
    return "" if n <= SAMPLE_POINTS else f"showing {SAMPLE_POINTS:,} of the {n:,} points"


def _positive_start(start, y):
    """A loss scale for a log axis: the starting loss, or (if it is 0) that of w = b = 0."""
    if start > 0:
        return start
    scale = float(np.mean(y * y))
    return scale if scale > 0 else 1.0


def _bytes(array):
    return np.ascontiguousarray(array, dtype="<f8").tobytes()


def _diverges_at(full, y, reduction, most):
    """The fewest epochs asked (1..most) for which the run's History says diverged, else -1.

    Diverging is for ever: a longer run keeps the rise or the stop of a shorter one, so a
    binary search over History.from_path of the run's prefixes finds it.
    """
    def diverged(asked):
        k = min(asked, full.epochs)
        return History.from_path(full.ws[:k + 1], full.bs[:k + 1], full.losses[:k + 1], y,
                                 full.lr, reduction, asked).diverged

    if not diverged(most):
        return -1
    low, high = 1, most
    while low < high:
        middle = (low + high) // 2
        if diverged(middle):
            high = middle
        else:
            low = middle + 1
    return low


def _runs(x, y, lrs, most, w, b, reduction):
    """Every learning rate's run of ``most`` epochs, as the browser receives them."""
    fulls = [nf.train_fast(x, y, lr=lr, epochs=most, w=w, b=b, reduction=reduction)
             for lr in lrs]
    return fulls, {
        "lr": [float(v) for v in lrs], "stopped": [h.epochs for h in fulls],
        "diverges_at": [_diverges_at(h, y, reduction, most) for h in fulls],
        "w": [_bytes(h.ws) for h in fulls], "b": [_bytes(h.bs) for h in fulls],
        "loss": [_bytes(h.losses) for h in fulls],
    }


# ---------------------------------------------------------------------------------------------
# One description per moving artist, drawn by matplotlib (static copy) and by the canvas
# ---------------------------------------------------------------------------------------------

LINESTYLES = ("-", "--", ":", "-.")
MARKERS = {"o", ".", "v", "^", "s", "D"}  # what neuron_explorers.js draws


def _color(value):
    """A colour as the browser takes it; pure black is "ink", the theme's text colour."""
    hex_ = to_hex(value)
    return "ink" if hex_ == "#000000" else hex_


def describe(artist):
    """What the canvas needs to draw ``artist`` as matplotlib does: colour, alpha, line width
    and dash pattern (points), marker shape, size, face and edge. Raises ValueError for a
    style the canvas does not draw, so that the two renderers cannot silently differ."""
    if isinstance(artist, Text):
        x, y = artist.get_position()
        return {"type": "text", "color": _color(artist.get_color()),
                "alpha": artist.get_alpha(), "fontsize": float(artist.get_fontsize()),
                "weight": str(artist.get_fontweight()), "ha": artist.get_ha(),
                "x": float(x), "y": float(y)}
    if isinstance(artist, LineCollection):
        style, lw = artist.get_linestyle()[0], float(artist.get_linewidths()[0])
        dashes = None if style[1] is None else [float(v) for v in style[1]]
        return {"type": "segments", "color": _color(artist.get_colors()[0]),
                "alpha": artist.get_alpha(), "lw": lw, "dashes": dashes}
    if not isinstance(artist, Line2D):
        raise ValueError(f"the canvas cannot draw a {type(artist).__name__}")
    linestyle, marker = artist.get_linestyle(), artist.get_marker()
    if linestyle not in LINESTYLES and linestyle != "None":
        raise ValueError(f"the canvas cannot draw line style {linestyle!r}")
    if marker not in MARKERS and marker not in ("None", None, ""):
        raise ValueError(f"the canvas cannot draw marker {marker!r}")
    lw = float(artist.get_linewidth())
    dashes, offset = None, 0.0
    if linestyle not in ("-", "None"):
        # The pattern as drawn (rcParams' for "--", ":", "-.", or the one given), in points.
        offset, pattern = artist._unscaled_dash_pattern  # no public getter in matplotlib
        scale = lw if matplotlib.rcParams["lines.scale_dashes"] else 1.0
        dashes, offset = [float(v) * scale for v in pattern], float(offset or 0) * scale
    return {"type": "line", "color": _color(artist.get_color()), "alpha": artist.get_alpha(),
            "lw": lw if linestyle != "None" else 0.0, "dashes": dashes, "offset": offset,
            "marker": None if marker in ("None", None, "") else marker,
            "ms": float(artist.get_markersize()), "mew": float(artist.get_markeredgewidth()),
            "mec": _color(artist.get_markeredgecolor()),
            "mfc": _color(artist.get_markerfacecolor())}


class _Figure:
    """A matplotlib figure with named panels (axes) and named moving artists.

    ``background(theme)`` draws the static part (moving artists hidden) as a clear PNG with
    the theme's ink; ``panels()`` gives each panel's pixel box, limits and scales in that PNG;
    ``picture()`` draws everything (the static copy) on white.
    """

    def __init__(self, width, height):
        with matplotlib.rc_context(ui.STYLE):
            self.fig = Figure(figsize=(width, height), dpi=ui.STYLE["figure.dpi"],
                              layout="constrained")
        self.agg = FigureCanvasAgg(self.fig)
        self.panels, self.artists = {}, {}
        self._laid_out = False
        self.min_pt = 0.0  # no text drawn smaller (the narrow layout's floor)

    def add(self, name, artist):
        self.artists[name] = artist
        return artist

    def _theme(self, theme):
        """Recolour the static part's black text and axes with the theme's ink."""
        inks = set(INK.values())  # text drawn black (labels, titles), or inked before
        ink = INK[theme]
        for ax in self.fig.axes:
            for text in (ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts):
                if to_hex(text.get_color()) in inks:
                    text.set_color(ink)
            ax.tick_params(colors=ink, which="both")
            for spine in ax.spines.values():
                spine.set_edgecolor(ink)
            legend = ax.get_legend()
            if legend is not None:
                legend.get_frame().set_facecolor(PAPER[theme])
                for text in legend.get_texts():
                    text.set_color(ink)

    def _png(self, facecolor):
        with matplotlib.rc_context(ui.STYLE):
            self.fig.set_facecolor(facecolor)
            for ax in self.fig.axes:
                ax.set_facecolor("none")
            self.agg.draw()
            if not self._laid_out:  # keep the first layout: the panels' boxes must hold
                self.fig.set_layout_engine("none")
                self._laid_out = True
            size = self.agg.get_width_height(physical=True)
            buffer = io.BytesIO()
            Image.frombuffer("RGBA", size, self.agg.buffer_rgba(), "raw", "RGBA", 0, 1).save(
                buffer, "png", compress_level=1)
        return buffer.getvalue()

    def background(self, theme):
        """The static part as PNG bytes, clear, with ``theme``'s ink."""
        self._theme(theme)
        for artist in self.artists.values():
            artist.set_visible(False)
        try:
            return self._png("none")
        finally:
            for artist in self.artists.values():
                artist.set_visible(True)

    def picture(self):
        """Everything, moving artists included, on white with black ink: the static copy."""
        self._theme("light")
        return self._png("white")

    def size(self):
        """The PNG's size in pixels (Agg truncates the figure's size to whole pixels)."""
        return [int(v) for v in self.fig.bbox.size]

    def panel_boxes(self):
        """Each panel's pixel box [left, top, width, height] from the PNG's top left, limits
        and scales."""
        height = self.size()[1]
        boxes = {}
        for name, ax in self.panels.items():
            x0, y0, x1, y1 = ax.get_window_extent().extents
            boxes[name] = {"box": [float(x0), float(height - y1), float(x1 - x0),
                                   float(y1 - y0)],
                           "xlim": [float(v) for v in ax.get_xlim()],
                           "ylim": [float(v) for v in ax.get_ylim()],
                           "xscale": ax.get_xscale(), "yscale": ax.get_yscale()}
        return boxes

    def drawn(self, key, themes=tuple(INK)):
        """The background message for ``key``: the themes' PNGs, the panels' geometry and
        the smallest text's size in the PNG's pixels (the page says what it is on screen)."""
        if self.min_pt:  # texts drawn since the last call included
            self.floor_fonts(self.min_pt)
        pictures = {theme: self.background(theme) for theme in themes}
        return {"key": key, **pictures, "size": self.size(), "panels": self.panel_boxes(),
                "font_px": self.font_px()}

    def _shown_texts(self):
        return [t for t in self.fig.findobj(Text) if t.get_visible() and t.get_text()]

    def font_px(self):
        """The smallest text's size in pixels: the static part's, and the moving texts'
        (drawn by the canvas at their own size, whatever they say now)."""
        with matplotlib.rc_context(ui.STYLE):  # as floor_fonts
            texts = self._shown_texts() + [a for a in self.artists.values()
                                           if isinstance(a, Text)]
        return float(min(t.get_fontsize() for t in texts) * self.fig.dpi / 72)

    def floor_fonts(self, points):
        """No text smaller than ``points`` (the narrow layout, seen at about its own size).
        In the course's style: findobj makes the axes' ticks that are not made yet, and a
        tick takes its label's size from the rcParams of that moment."""
        with matplotlib.rc_context(ui.STYLE):
            for text in self.fig.findobj(Text):
                if text.get_fontsize() < points:
                    text.set_fontsize(points)

    def styles(self):
        return {name: describe(artist) for name, artist in self.artists.items()}


def _data_axes(ax, x, y, scale, n):
    """The data (a sample of it) as points, with fixed limits, so the axes are drawn once."""
    ax.plot(x, y, "o", color=ui.COLORS["data"], label="data", zorder=3,
            ms=ui.STYLE["lines.markersize"] if n <= SAMPLE_POINTS else 3)
    pad_x, pad_y = 0.08 * np.ptp(x) or 1.0, 0.35 * np.ptp(y) or 1.0
    ax.set(xlim=(x.min() - pad_x, x.max() + pad_x), ylim=(y.min() - pad_y, y.max() + pad_y),
           xlabel=f"x = °C / {scale:g}" if scale else "x", ylabel="°F")
    note = _sample_note(n)
    if note:
        ax.text(0.02, 0.97, note, transform=ax.transAxes, va="top", fontsize=10)


def _two_panels(layout):
    """A figure with two panels: side by side, or stacked in the narrow layout."""
    if layout == "narrow":
        figure = _Figure(NARROW_WIDTH, 6.8)
        return figure, figure.fig.subplots(2, 1)
    figure = _Figure(10.0, 3.8)
    return figure, figure.fig.subplots(1, 2)


def _lr_axis(ax, lo, hi, threshold, ha="center"):
    """A strip showing the learning-rate scale, the unstable region shaded red. ``ha="right"``
    ends its label at the threshold (a narrow strip has no room on the right)."""
    ax.set(xscale="log", xlim=(lo, hi), ylim=(0, 1), yticks=[])
    ax.axvspan(threshold, hi, color=ui.COLORS["bad"], alpha=0.25, lw=0)
    ax.axvline(threshold, color=ui.COLORS["bad"], lw=2)
    label = f" diverges above {threshold:.3g}" if ha == "center" else (
        f"diverges above {threshold:.3g} ")
    ax.text(threshold, 1.05, label, color=ui.COLORS["bad"],
            fontsize=10, va="bottom", ha=ha, transform=ax.get_xaxis_transform())
    ax.set_xlabel("learning rate", labelpad=1)
    ax.grid(False)


def _crosses(ax, w, b):
    """Does the line w*x + b cross the panel (else: "the line has left the chart")?"""
    ends = w * np.array(ax.get_xlim()) + b
    low, high = ax.get_ylim()
    return bool(ends.max() >= low and ends.min() <= high)


# ---------------------------------------------------------------------------------------------
# The live view (an anywidget) and the explorer around it
# ---------------------------------------------------------------------------------------------


class LiveView(anywidget.AnyWidget):
    """The live view: the readout and a canvas drawn over a PNG of the figure's static part.

    Synced: ``kind``, ``settings`` (what never changes: artists' descriptions, texts, play
    speed), ``background`` (the last PNGs drawn, with their panels' geometry), ``backgrounds``
    (PNGs given up front: a page without a kernel), ``readout`` (written by the browser), and
    ``self_id`` (so the page can tell a live view from one restored from a saved notebook).
    """

    _esm = _ESM
    _css = _CSS
    kind = traitlets.Unicode("").tag(sync=True)
    settings = traitlets.Dict().tag(sync=True)
    background = traitlets.Dict().tag(sync=True)
    backgrounds = traitlets.Dict().tag(sync=True)
    readout = traitlets.Unicode("").tag(sync=True)
    self_id = traitlets.Unicode("").tag(sync=True)

    def __init__(self, draw, **kwargs):
        kwargs["settings"] = {**kwargs.get("settings", {}), "narrow_below": NARROW_BELOW}
        super().__init__(**kwargs)
        self._draw = draw  # key -> background message; None once closed
        self.self_id = self.model_id
        self.on_msg(self._answer)

    def _answer(self, _view, content, _buffers):
        """The browser asks for a background it has not got (``{"want": key}``); the reply is
        tagged with the key, so it can never stand for another state."""
        key = content.get("want") if isinstance(content, dict) else None
        if isinstance(key, str) and self._draw is not None:
            self.background = self._draw(key)


class TrainingView(LiveView):
    """The training explorer's view. Browser-owned, linked to the controls: ``lr_index``,
    ``epochs``, ``frame`` (the epoch shown), ``frame_max``, ``playing``; ``play_label``,
    ``play_icon`` drive the Play button. ``runs``: every lr's run, sent once."""

    lr_index = traitlets.Int(0).tag(sync=True)
    epochs = traitlets.Int(1).tag(sync=True)
    frame = traitlets.Int(0).tag(sync=True)
    frame_max = traitlets.Int(0).tag(sync=True)
    playing = traitlets.Bool(False).tag(sync=True)
    play_label = traitlets.Unicode("Play").tag(sync=True)
    play_icon = traitlets.Unicode("play").tag(sync=True)
    runs = traitlets.Dict().tag(sync=True)


class StepView(LiveView):
    """The step explorer's view: ``lr_index``, ``steps``, ``steps_max`` (browser-owned, linked
    to the controls); ``runs``: every lr's steps, sent once."""

    lr_index = traitlets.Int(0).tag(sync=True)
    steps = traitlets.Int(0).tag(sync=True)
    steps_max = traitlets.Int(0).tag(sync=True)
    runs = traitlets.Dict().tag(sync=True)


class HandFitView(LiveView):
    """The hand-fit explorer's view: ``w``, ``b`` (linked to the sliders); ``data``: the data
    sample, the loss bowl's five numbers and gradient descent's loss, sent once."""

    w = traitlets.Float(0.0).tag(sync=True)
    b = traitlets.Float(0.0).tag(sync=True)
    data = traitlets.Dict().tag(sync=True)


class FiniteFloatSlider(widgets.FloatSlider):
    """A FloatSlider that refuses NaN and infinities (a plain one would take NaN)."""

    @traitlets.validate("value")
    def _validate_value(self, proposal):
        if not math.isfinite(proposal["value"]):
            raise traitlets.TraitError(f"{self.description} must be finite, "
                                       f"got {proposal['value']}")
        return super()._validate_value(proposal)


class Readout:
    """``ex.readout.value``: the readout's HTML as the browser shows it ("" until a browser
    has drawn the explorer)."""

    def __init__(self, view):
        self._view = view

    @property
    def value(self):
        return self._view.readout

    def __repr__(self):
        return f"Readout({self.value!r})"


def _from_browser(widget):
    """Is ``widget`` being set by the browser right now? ipywidgets holds its property lock
    while the observers of a browser's change run: the browser has then already drawn the
    consequences, and the kernel must not write them again (a late write would undo a newer
    choice)."""
    return bool(getattr(widget, "_property_lock", None))


def _running_loop():
    import asyncio

    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


_LIVE = {}  # notebook cell id -> (the execution that made them, the explorers it made)


def _execution():
    """(cell id, execute request id) of the cell running now, or None outside a notebook."""
    try:
        from IPython import get_ipython

        kernel = getattr(get_ipython(), "kernel", None)
        parent = kernel.get_parent("shell") if kernel is not None else None
    except Exception:  # noqa: BLE001 - no kernel, or one that does not say: nothing to replace
        return None
    if not parent:
        return None
    cell = parent.get("metadata", {}).get("cellId")
    return None if cell is None else (cell, parent.get("header", {}).get("msg_id"))


def _claim_cell(explorer):
    """Explorers live until their own cell runs again: a new run of the cell closes those the
    previous run made; explorers made by one run all stay."""
    where = _execution()
    if where is None:
        return
    cell, run = where
    previous = _LIVE.get(cell)
    if previous is not None and previous[0] != run:
        for ref in previous[1]:
            old = ref()
            if old is not None:
                old.close()
        previous = None
    if previous is None:
        previous = _LIVE[cell] = (run, [])
    previous[1].append(weakref.ref(explorer))


class Explorer(widgets.VBox):
    """What every explorer shares: rows of controls over a live view, the static copy, the
    picture in its output, closing. Subclasses set ``kind`` and the methods ``_draw_static``
    (move the static copy's artists to the controls' state) and ``_sentence``."""

    kind = ""

    def __init__(self, rows, view, figure, links):
        for row in rows:
            row.add_class("nc-row")
        super().__init__([*rows, view])
        self.add_class("nc-explorer")
        self.add_class(f"nc-{self.kind}-explorer")
        self.view = self.plot = view
        self.readout = Readout(view)
        self._figure = figure
        self._links = [widgets.jslink(*pair) for pair in links]
        self._closed = False
        _claim_cell(self)

    def _check_open(self, _change=None):
        if self._closed:
            raise ExplorerClosedError(
                "this explorer is closed (by close(), or because its cell ran again): run the "
                "cell that makes it to get a new one")

    def _guard(self, controls):
        """Every control says so when it is used after the explorer was closed."""
        for control in controls:
            names = ["index"] if isinstance(control, widgets.SelectionSlider) else ["value"]
            if isinstance(control, widgets.Button):
                control.on_click(self._check_open)
            else:
                control.observe(self._check_open, names)

    @property
    def figure(self):
        """The view as a static matplotlib Figure, at the controls' state."""
        self._check_open()
        with matplotlib.rc_context(ui.STYLE):
            self._draw_static()
        self._figure._theme("light")
        return self._figure.fig

    def picture(self):
        """A PNG of the explorer's state (the static copy), saying it is a picture: a page that
        cannot run the widget (GitHub, an untrusted notebook) shows this instead."""
        self.figure  # noqa: B018 - moves the artists
        note = self._figure.fig.text(0.005, 0.005, "A picture of the explorer: run this cell "
                                     "to use it.", fontsize=9, color="0.35", va="bottom")
        try:
            return self._figure.picture()
        finally:
            note.remove()

    def _repr_mimebundle_(self, **kwargs):
        """The live view, a picture of the state it starts in (for a page without the
        widgets' state, such as GitHub) and a sentence."""
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        if not self._closed:
            bundle["image/png"] = base64.b64encode(self.picture()).decode("ascii")
        bundle["text/plain"] = self._sentence()
        return bundle

    def __repr__(self):
        return f"<{self._sentence()}>"

    def view_backgrounds(self, themes=tuple(INK)):
        """Every background a control can reach, in both layouts, by key (for a page without
        a kernel; drawing them all takes a few seconds). ``themes``: the themes to draw (a page
        with one theme draws half as many pictures)."""
        self._check_open()
        themes = tuple(themes)
        if not themes or not set(themes) <= set(INK):
            raise ValueError(f"themes must be some of {tuple(INK)}, got {themes!r}")
        keys = self._background_keys()
        return {key: self._background(key, themes) for key in [*keys, *(NARROW + k for k in keys)]}

    def _background(self, key, themes=tuple(INK)):
        """The background message for ``key`` (the static part, a layout's prefix and the
        subclass's ``_prepare`` say which), cached when it holds every theme: what the view
        asks for."""
        if key in self._cache:
            return self._cache[key]
        figure, plain = self._figure_for(key)
        self._prepare(figure, plain)
        message = figure.drawn(key, themes)
        if set(themes) == set(INK):
            self._cache[key] = message
        return message

    def _layouts(self, make):
        """Keep ``make(layout) -> _Figure`` (the narrow layout is made when first asked for),
        start an empty background cache, and return the wide layout's figure."""
        self._make_layout = make
        self._figures, self._cache = {"wide": make("wide")}, {}
        return self._figures["wide"]

    def _figure_for(self, key):
        """(the figure of ``key``'s layout, ``key`` without its layout's prefix). The narrow
        layout's figure is made the first time a page asks for it."""
        if not key.startswith(NARROW):
            return self._figures["wide"], key
        if "narrow" not in self._figures:
            figure = self._make_layout("narrow")
            figure.min_pt = NARROW_MIN_PT
            self._figures["narrow"] = figure
        return self._figures["narrow"], key[len(NARROW):]

    def close(self):
        """Close the explorer's widgets (controls, view, links, their layouts and styles) and
        free its figure. Using it afterwards raises ExplorerClosedError."""
        if getattr(self, "_closed", None) is not False:  # closed, or never made (__del__)
            super().close()
            return
        self._closed = True
        for link in self._links:
            link.close()
        for child in [*_descendants(self), self]:
            for part in (getattr(child, "layout", None), getattr(child, "style", None)):
                if isinstance(part, widgets.Widget):
                    part.close()
            if child is not self:
                child.close()
        self.view._draw = None
        self._figure = self._figures = None
        super().close()


def _descendants(box):
    for child in box.children:
        if isinstance(child, widgets.Box):
            yield from _descendants(child)
        yield child


def _lr_slider(options, lr):
    """The lr slider. Its readout is not editable: ipywidgets shows what is typed there but a
    SelectionSlider ignores it, so the label would disagree with the explorer (nc-choice)."""
    slider = widgets.SelectionSlider(options=options, value=lr, description="lr",
                                     continuous_update=True,
                                     layout={"width": "auto", "flex": "1 1 320px",
                                             "max_width": "460px"})
    slider.add_class("nc-choice")
    return slider


def _celsius_settings(scale):
    return {"scale": scale}


# ---------------------------------------------------------------------------------------------
# The training explorer
# ---------------------------------------------------------------------------------------------


class TrainingExplorer(Explorer):
    """See ``training_explorer``."""

    kind = "training"

    def __init__(self, x, y, lr, epochs, w, b, reduction, scale):
        self._x, self._y, self._w0, self._b0, self._reduction = x, y, w, b, reduction
        self.threshold = lr_threshold(x, reduction)
        options = _lr_options(lr)
        most = max(1000, epochs)
        self._fulls, runs = _runs(x, y, [v for _label, v in options], most, w, b, reduction)
        lrs = [v for _label, v in options]
        figure = self._layouts(lambda layout: self._make_figure(x, y, scale, lrs, layout))
        self._texts = {"warning": "diverged", "off_chart": "the line has left the chart"}
        self.lr = _lr_slider(options, lr)
        self.epochs = widgets.IntSlider(value=epochs, min=1, max=most, description="epochs",
                                        layout={"width": "auto", "flex": "1 1 320px",
                                                "max_width": "460px"})
        self.play = widgets.ToggleButton(value=False, description="Play", icon="play",
                                         tooltip="replay the training, epoch by epoch")
        self.play.add_class("nc-play")
        shown = self._last_epoch(self.lr.index, epochs)
        self.frame = widgets.IntSlider(value=shown, min=0, max=shown, description="epoch shown",
                                       style={"description_width": "initial"},
                                       layout={"width": "auto", "flex": "1 1 300px",
                                               "max_width": "420px"})
        view = TrainingView(
            self._background, kind="training", runs=runs, lr_index=self.lr.index,
            epochs=epochs, frame=shown, frame_max=shown,
            background=self._background(self._width_key(epochs)),
            settings={"artists": figure.styles(), "texts": self._texts,
                      "widths": list(EPOCH_WIDTHS), "width_step": 1000, "scale": scale,
                      "threshold": self.threshold,
                      "play": {"seconds": PLAY_SECONDS, "min_speed": PLAY_MIN_SPEED},
                      "description": "Loss per epoch on a log scale, the learning rate against "
                      "the divergence threshold, and the neuron's line over the data at the "
                      "epoch shown.", "bad": _BAD_HTML})
        links = [((self.lr, "index"), (view, "lr_index")), ((self.epochs, "value"),
                                                             (view, "epochs")),
                 ((self.frame, "value"), (view, "frame")), ((self.frame, "max"),
                                                            (view, "frame_max")),
                 ((self.play, "value"), (view, "playing")),
                 ((view, "play_label"), (self.play, "description")),
                 ((view, "play_icon"), (self.play, "icon"))]
        super().__init__([widgets.HBox([self.lr, self.epochs]),
                          widgets.HBox([self.play, self.frame])], view, figure, links)
        self._guard([self.lr, self.epochs, self.play, self.frame])
        self.lr.observe(self._new_run, "index")
        self.epochs.observe(self._new_run, "value")
        self.play.observe(self._on_play, "value")

    def _make_figure(self, x, y, scale, lrs, layout):
        if layout == "narrow":  # loss, lr strip and fit stacked
            figure = _Figure(NARROW_WIDTH, 7.4)
            grid = figure.fig.add_gridspec(3, 1, height_ratios=[6, 1, 6])
            places = grid[0], grid[1], grid[2]
        else:
            figure = _Figure(10.0, 3.8)
            grid = figure.fig.add_gridspec(2, 2, height_ratios=[6, 1])
            places = grid[0, 0], grid[1, 0], grid[:, 1]
        fig = figure.fig
        ax_loss, ax_lr, ax_fit = (fig.add_subplot(place) for place in places)
        with matplotlib.rc_context(ui.STYLE):
            start = _positive_start(self._fulls[0].losses[0], y)
            ax_loss.set(yscale="log", ylim=(start * 1e-15, start * nc.EXPLODED * 30),
                        xlim=(0, EPOCH_WIDTHS[0]), xlabel="epoch", ylabel="loss (MSE)",
                        title="loss per epoch")
            ax_loss.yaxis.set_minor_locator(NullLocator())
            _lr_axis(ax_lr, lrs[0] / 1.5, lrs[-1] * 1.5, self.threshold,
                     "right" if layout == "narrow" else "center")
            xs, ys = _sample(x, y)
            _data_axes(ax_fit, xs, ys, scale, len(x))
            ax_fit.set_title("the neuron's line at the epoch shown")
            colors = ui.COLORS
            figure.add("curve", ax_loss.plot([], [], color=colors["model"])[0])
            figure.add("dot", ax_loss.plot([], [], "o", color=colors["model"])[0])
            figure.add("warning", ax_loss.text(0.5, 0.5, "", transform=ax_loss.transAxes,
                                               ha="center", color=colors["bad"], fontsize=15,
                                               weight="bold"))
            figure.add("lr_mark", ax_lr.plot([], [], "v", color="k", ms=11, clip_on=False)[0])
            figure.add("line", ax_fit.plot([], [], color=colors["model"], label="neuron")[0])
            figure.add("off_chart", ax_fit.text(0.5, 0.08, "", transform=ax_fit.transAxes,
                                                ha="center", color=colors["bad"],
                                                fontsize=12))
        figure.panels = {"loss": ax_loss, "lr": ax_lr, "fit": ax_fit}
        return figure

    def _background_keys(self):
        return list(dict.fromkeys(self._width_key(e) for e in
                                  (*EPOCH_WIDTHS, *range(1000, self.epochs.max + 1000, 1000))
                                  if e <= self.epochs.max))

    @staticmethod
    def _width_key(epochs):
        """The loss axis's width for ``epochs``: one of EPOCH_WIDTHS, else whole thousands
        (so that a page without a kernel can hold every background)."""
        width = next((e for e in EPOCH_WIDTHS if e >= epochs), None)
        return str(width if width is not None else -(-epochs // 1000) * 1000)

    def _prepare(self, figure, key):
        """The loss axis ``key`` epochs wide."""
        width = int(key)
        if not 1 <= width <= EPOCHS_MAX:
            raise ValueError(f"no background {key!r}")
        figure.panels["loss"].set_xlim(0, width)

    def _last_epoch(self, index, epochs):
        return min(epochs, self._fulls[index].epochs)

    @property
    def history(self):
        """The ``History`` of the run shown: ``epochs`` asked at ``lr``."""
        self._check_open()
        return nf.train_fast(self._x, self._y, lr=self.lr.value, epochs=self.epochs.value,
                             w=self._w0, b=self._b0, reduction=self._reduction)

    def _new_run(self, _change):
        """Python moved lr or epochs: show the new run's end. (The browser does the same for
        its own moves, so the kernel leaves those alone.)"""
        self._check_open()
        if _from_browser(self.lr) or _from_browser(self.epochs):
            return
        last = self._last_epoch(self.lr.index, self.epochs.value)
        self.play.value = False
        with self.frame.hold_sync():
            self.frame.max = last
            self.frame.value = last

    def _on_play(self, change):
        self._check_open()
        if change["new"] and not _from_browser(self.play) and _running_loop() is None:
            self.frame.value = self.frame.max  # plain Python, no browser to animate: the end
            self.play.value = False

    def _draw_static(self):
        f, k = self._fulls[self.lr.index], min(self.frame.value, self.frame.max)
        k = min(k, f.epochs)
        a = self._figure.artists
        a["curve"].set_data(np.arange(k + 1), f.losses[:k + 1])
        a["dot"].set_data([k], [f.losses[k]])
        asked = self.epochs.value
        diverged = self.history.diverged
        a["warning"].set_text("diverged" if diverged and k == min(asked, f.epochs) else "")
        a["lr_mark"].set_data([f.lr], [0.5])
        ax_fit, ax_loss = self._figure.panels["fit"], self._figure.panels["loss"]
        ax_loss.set_xlim(0, int(self._width_key(asked)))
        span = np.array(ax_fit.get_xlim())
        a["line"].set_data(span, f.ws[k] * span + f.bs[k])
        a["off_chart"].set_text("" if _crosses(ax_fit, f.ws[k], f.bs[k])
                                else "the line has left the chart")

    def _sentence(self):
        if self._closed:
            return "A closed training explorer."
        h, k = self.history, min(self.frame.value, self.frame.max)
        return (f"Training explorer at lr = {self.lr.value:g}, {self.epochs.value} epochs "
                f"asked, epoch {k} of {h.epochs} shown (loss {h.losses[min(k, h.epochs)]:.4g}"
                f"{', diverged' if h.diverged else ''}). Run this cell to use its controls.")


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
    * ``readout``: ``readout.value`` is the readout's HTML as the browser shows it;
    * ``figure``: the view as a matplotlib Figure (the static copy);
    * ``view`` (also ``plot``): the live view (an anywidget); ``close()`` closes it all.
    """
    x, y = _data(x, y)
    lr, scale = _lr(lr), _scale(scale)
    epochs = nv.as_count("epochs", epochs, 1, EPOCHS_MAX)
    w, b = _number("w", w), _number("b", b)
    nv.per_sample_factor(reduction, len(x))
    with np.errstate(all="ignore"):
        return TrainingExplorer(x, y, lr, epochs, w, b, reduction, scale)


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
    return FiniteFloatSlider(value=value, min=low, max=high, step=step, description=name,
                             readout_format=".1f",
                             layout={"width": "auto", "flex": "1 1 320px",
                                     "max_width": "460px"})


class HandFitExplorer(Explorer):
    """See ``hand_fit_explorer``."""

    kind = "hand-fit"

    def __init__(self, x, y, w, b, scale, gd_epochs):
        w_opt, b_opt = closed_form(x, y)
        reach_w, reach_b = max(abs(w_opt), 1.0), max(abs(b_opt), np.ptp(y) / 2, 1.0)
        self.gd_history = nf.train_fast(x, y, lr=lr_threshold(x) / 2, epochs=gd_epochs)
        self._bowl = nf.bowl(x, y, nf.moments(x, y))
        self._x, self._y = _sample(x, y)
        reach = (w_opt, b_opt, reach_w, reach_b)
        figure = self._layouts(
            lambda layout: self._make_figure(x, y, scale, gd_epochs, reach, layout))
        self._main = self._background("main")
        self.w = _grid_slider("w", w, w_opt, reach_w)
        self.b = _grid_slider("b", b, b_opt, reach_b)
        gd_loss = float(self.gd_history.losses[-1])
        view = HandFitView(
            self._background, kind="hand_fit", w=w, b=b, background=self._main,
            data={"x": _bytes(self._x), "y": _bytes(self._y), "bowl": list(self._bowl),
                  "gd_loss": gd_loss, "gd_epochs": gd_epochs, "n": len(x),
                  "note": _sample_note(len(x))},
            settings={"artists": figure.styles(),
                      "texts": {"off_chart": "the line has left the chart"}, "scale": scale,
                      "description": "Your line and its errors over the data, and your guess "
                      "on the loss surface next to the path of gradient descent.",
                      "bad": _BAD_HTML})
        links = [((self.w, "value"), (view, "w")), ((self.b, "value"), (view, "b"))]
        super().__init__([widgets.HBox([self.w, self.b])], view, figure, links)
        self._guard([self.w, self.b])

    def _make_figure(self, x, y, scale, gd_epochs, reach, layout):
        w_opt, b_opt, reach_w, reach_b = reach
        figure, (ax_fit, ax_surface) = _two_panels(layout)  # narrow: the data over the surface
        with matplotlib.rc_context(ui.STYLE):
            _data_axes(ax_fit, self._x, self._y, scale, len(x))
            ax_fit.set_title("your line and its errors")
            ui.plot_loss_surface(x, y, ax=ax_surface, path=self.gd_history, arrows=False,
                                 w_lim=(w_opt - reach_w, w_opt + reach_w),
                                 b_lim=(b_opt - reach_b, b_opt + reach_b))
            wrap = "\n" if layout == "narrow" else " "  # a narrow panel: two lines
            ax_surface.set_title(f"your guess and {gd_epochs} epochs of{wrap}gradient descent",
                                 fontsize=11)
            colors = ui.COLORS
            figure.add("line", ax_fit.plot([], [], color=colors["model"])[0])
            figure.add("errors", ax_fit.add_collection(
                LineCollection([], colors=colors["bad"], linewidths=1.5)))
            figure.add("off_chart", ax_fit.text(0.5, 0.08, "", transform=ax_fit.transAxes,
                                                ha="center", color=colors["bad"],
                                                fontsize=12))
            figure.add("guess", ax_surface.plot([], [], "o", color=colors["model"], ms=11,
                                                mec="k")[0])
        figure.panels = {"fit": ax_fit, "surface": ax_surface}
        return figure

    def _background_keys(self):
        return ["main"]

    def _prepare(self, figure, key):
        """The one background (per layout): nothing moves."""
        if key != "main":
            raise ValueError(f"no background {key!r}")

    @property
    def loss(self):
        """The MSE of the sliders' line over all the data (from the loss bowl, as the browser
        computes it)."""
        self._check_open()
        return float(nf.bowl_losses(self._bowl, self.w.value, self.b.value))

    def _draw_static(self):
        w, b = self.w.value, self.b.value
        a, ax_fit = self._figure.artists, self._figure.panels["fit"]
        span = np.array(ax_fit.get_xlim())
        a["line"].set_data(span, w * span + b)
        y_hat = w * self._x + b
        a["errors"].set_segments([[(xi, yi), (xi, fi)]
                                  for xi, yi, fi in zip(self._x, self._y, y_hat, strict=True)])
        a["off_chart"].set_text("" if _crosses(ax_fit, w, b) else "the line has left the chart")
        a["guess"].set_data([w], [b])

    def _sentence(self):
        if self._closed:
            return "A closed hand-fit explorer."
        gd = float(self.gd_history.losses[-1])
        return (f"Hand-fit explorer at w = {self.w.value:g}, b = {self.b.value:g}: loss "
                f"{self.loss:.2f}, gradient descent after {self.gd_history.epochs} epochs "
                f"{gd:.2f}. Run this cell to use its sliders.")


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
    * ``readout``: ``readout.value`` is the readout's HTML as the browser shows it;
    * ``figure``: the view as a matplotlib Figure (the static copy);
    * ``view`` (also ``plot``): the live view (an anywidget); ``close()`` closes it all.
    """
    x, y = _data(x, y)
    w, b, scale = _number("w", w), _number("b", b), _scale(scale)
    gd_epochs = nv.as_count("gd_epochs", gd_epochs, 1, EPOCHS_MAX)
    with np.errstate(all="ignore"):
        return HandFitExplorer(x, y, w, b, scale, gd_epochs)


# ---------------------------------------------------------------------------------------------
# The step explorer
# ---------------------------------------------------------------------------------------------


def _step_limits(x, y, w, b, history):
    """(w, b) limits holding the start, the minimum, the first two steps and the path while its
    loss stays below four times the start; widened in quarters of the basic view, so that most
    learning rates share one background."""
    w_opt, b_opt = closed_form(x, y)
    # Starting at (or within rounding of) the minimum: a view as wide as the numbers.
    span_w, span_b = abs(w_opt - w), abs(b_opt - b)
    span_w = span_w if span_w > 1e-6 * (abs(w_opt) + 1) else max(abs(w_opt), 1.0)
    span_b = span_b if span_b > 1e-6 * (abs(b_opt) + 1) else max(abs(b_opt), 1.0)
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


class StepExplorer(Explorer):
    """See ``step_explorer``."""

    kind = "step"

    def __init__(self, x, y, lr, w, b, max_steps):
        self._x, self._y, self._w0, self._b0 = x, y, w, b
        self.threshold = lr_threshold(x)
        options = _lr_options(lr)
        lrs = [v for _label, v in options]
        self._fulls, runs = _runs(x, y, lrs, max_steps, w, b, "mean")
        moments = nf.moments(x, y)
        gradients = [nf.moment_gradients(moments, h.ws, h.bs) for h in self._fulls]
        runs["dw"] = [_bytes(g[0]) for g in gradients]
        runs["db"] = [_bytes(g[1]) for g in gradients]
        self._limits = [_step_limits(x, y, w, b, h) for h in self._fulls]
        keys = list(dict.fromkeys(self._limits))
        runs["background"] = [str(keys.index(limits)) for limits in self._limits]
        self._keys = keys
        figure = self._layouts(lambda layout: self._make_figure(x, y, max_steps, layout))
        self.lr = _lr_slider(options, lr)
        index = self.lr.index
        self.steps = widgets.IntSlider(value=0, min=0, max=self._fulls[index].epochs,
                                       description="steps",
                                       layout={"width": "auto", "flex": "1 1 260px",
                                               "max_width": "360px"})
        self.step_button = widgets.Button(description="Step", tooltip="take one more step")
        self.reset_button = widgets.Button(description="Reset", tooltip="back to the start")
        view = StepView(
            self._background, kind="step", runs=runs, lr_index=index, steps=0,
            steps_max=self.steps.max, background=self._background(runs["background"][index]),
            settings={"artists": figure.styles(), "threshold": self.threshold,
                      "max_steps": max_steps, "exploded": nc.EXPLODED,
                      "description": "The steps taken so far as a path on the loss surface, "
                      "and the loss after each step on a log scale.", "bad": _BAD_HTML})
        links = [((self.lr, "index"), (view, "lr_index")), ((self.steps, "value"),
                                                             (view, "steps")),
                 ((self.steps, "max"), (view, "steps_max"))]
        super().__init__([widgets.HBox([self.lr, self.steps]),
                          widgets.HBox([self.step_button, self.reset_button])], view, figure,
                         links)
        self._guard([self.lr, self.steps, self.step_button, self.reset_button])
        self.step_button.on_click(self._step)
        self.reset_button.on_click(self._reset)
        self.lr.observe(self._new_lr, "index")

    def _make_figure(self, x, y, max_steps, layout):
        figure, (ax_surface, ax_loss) = _two_panels(layout)  # narrow: the surface over the loss
        start = _positive_start(self._fulls[0].losses[0], y)
        with matplotlib.rc_context(ui.STYLE):
            ax_loss.set(yscale="log", xlim=(-0.5, max_steps + 0.5),
                        ylim=(start * 1e-6, start * 1e4), xlabel="steps taken",
                        ylabel="loss (MSE)", title="loss after each step")
            ax_loss.yaxis.set_minor_locator(NullLocator())
            colors = ui.COLORS
            figure.add("path", Line2D([], [], marker=".", color=colors["path"], lw=1.5, ms=7,
                                      zorder=6))
            figure.add("here", Line2D([], [], marker="o", ls="None", color=colors["model"],
                                      ms=11, mec="k", zorder=7))
            figure.add("curve", ax_loss.plot([], [], "o-", color=colors["model"], ms=4)[0])
        figure.panels = {"surface": ax_surface, "loss": ax_loss}
        figure.surface_key = None
        self._draw_surface(figure, "0")
        return figure

    def _draw_surface(self, figure, key):
        """The loss surface at the limits of ``key`` (the moving artists stay on it)."""
        if key == figure.surface_key:
            return
        ax = figure.panels["surface"]
        limits = self._keys[int(key)]
        ax.clear()
        with matplotlib.rc_context(ui.STYLE):
            ui.plot_loss_surface(self._x, self._y, ax=ax, arrows=True, w_lim=limits[0],
                                 b_lim=limits[1])
        for name in ("path", "here"):
            ax.add_line(figure.artists[name])
        if figure._laid_out:
            # The layout was fixed for the first view; a wider view has longer tick labels,
            # which would push b's label off the picture. Pin it near the left edge instead.
            left = ax.get_window_extent().x0
            ax.yaxis.set_label_coords(-(left - 18) / ax.get_window_extent().width, 0.5)
        figure.surface_key = key

    def _background_keys(self):
        return [str(i) for i in range(len(self._keys))]

    def _prepare(self, figure, key):
        """The loss surface of view ``key``."""
        if key not in {str(i) for i in range(len(self._keys))}:
            raise ValueError(f"no background {key!r}")
        self._draw_surface(figure, key)

    @property
    def history(self):
        """The ``History`` of the steps taken (``history.epochs == steps.value``)."""
        self._check_open()
        steps = min(self.steps.value, self._fulls[self.lr.index].epochs)
        return nf.train_fast(self._x, self._y, lr=self.lr.value, epochs=steps, w=self._w0,
                             b=self._b0)

    def _new_lr(self, _change):
        """Python moved lr: the steps slider ends where this lr's run stopped. (The browser
        does the same for its own moves.)"""
        self._check_open()
        if _from_browser(self.lr):
            return
        with self.steps.hold_sync():
            self.steps.max = self._fulls[self.lr.index].epochs
            self.steps.value = min(self.steps.value, self.steps.max)

    def _step(self, _button):
        self._check_open()
        self.steps.value = min(self.steps.value + 1, self.steps.max)

    def _reset(self, _button):
        self._check_open()
        self.steps.value = 0

    def _draw_static(self):
        index = self.lr.index
        f = self._fulls[index]
        k = min(self.steps.value, f.epochs)
        self._draw_surface(self._figure, self.view.runs["background"][index])
        a = self._figure.artists
        a["path"].set_data(f.ws[:k + 1], f.bs[:k + 1])
        a["here"].set_data(f.ws[k:k + 1], f.bs[k:k + 1])
        a["curve"].set_data(np.arange(k + 1), f.losses[:k + 1])

    def _sentence(self):
        if self._closed:
            return "A closed step explorer."
        h = self.history
        return (f"Step explorer at lr = {self.lr.value:g} after {h.epochs} steps: w = "
                f"{h.w:.4g}, b = {h.b:.4g}, loss {h.losses[-1]:.4g}"
                f"{' (diverging)' if h.diverged else ''}. Run this cell to use its controls.")


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
    * ``readout``: ``readout.value`` is the readout's HTML as the browser shows it;
    * ``figure``: the view as a matplotlib Figure (the static copy);
    * ``view`` (also ``plot``): the live view (an anywidget); ``close()`` closes it all.
    """
    x, y = _data(x, y)
    lr = _lr(lr)
    w, b = _number("w", w), _number("b", b)
    max_steps = nv.as_count("max_steps", max_steps, 1, STEPS_MAX)
    with np.errstate(all="ignore"):
        return StepExplorer(x, y, lr, w, b, max_steps)


# ---------------------------------------------------------------------------------------------
# Saved notebooks: does every explorer cell show something without a kernel?
# ---------------------------------------------------------------------------------------------

EXPLORER_CALL = ("training_explorer(", "hand_fit_explorer(", "step_explorer(")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def saved_explorer_problems(notebook):
    """What a notebook saved with outputs shows wrong for its explorers without a kernel.

    ``notebook`` is an nbformat notebook (or its dict). For each code cell that makes an
    explorer: its outputs must carry a picture (image/png) or a widget view whose model is in
    the notebook's saved widget state, and no ``Explorer(children=`` text. Returns a list of
    sentences, empty when all is well.
    """
    cells = notebook["cells"]
    state = (notebook.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {})
             .get("state", {}))
    problems = []
    for number, cell in enumerate(cells, 1):
        source = "".join(cell.get("source", ""))
        if cell.get("cell_type") != "code" or not any(c in source for c in EXPLORER_CALL):
            continue
        outputs = [o for o in cell.get("outputs", []) if "data" in o]
        texts = ["".join(o["data"].get("text/plain", "")) for o in outputs]
        if any("Explorer(children=" in text or "VBox(children=" in text for text in texts):
            problems.append(f"cell {number}: shows the widget's repr, not a sentence")
        pictures = [o for o in outputs if "image/png" in o["data"]]
        restored = [o for o in outputs if WIDGET_VIEW in o["data"]
                    and o["data"][WIDGET_VIEW].get("model_id") in state]
        if not pictures and not restored:
            problems.append(f"cell {number}: no picture (image/png) and no saved widget state "
                            "for its explorer")
    return problems
