"""The explorers in a real JupyterLab in headless Chromium, and their canvas against matplotlib.

One JupyterLab server (127.0.0.1, a free port, a random token) on a throwaway folder with one
notebook that makes the three explorers as the course's notebooks do (02, 04, 05, demo), one
Chromium. The page runs the notebook once; then, in that page:

* each slider of each explorer is held down (a key press every 25 ms for 2 s), then the
  sliders, the readout and the kernel's ``ex.<attr>`` must agree (issue 20: one owner of the
  state); Play must then run to the last epoch;
* values the notebooks name are keyed in and read back;
* each explorer is screenshot in JupyterLab's light and dark themes at 100 % (1280x720) and
  150 % zoom (the same screen at 150 %: 853x480 CSS pixels), and must fit the window and not
  be a white block in the dark theme (tests/artifacts/explorer-*.png);
* in a 420 px window each explorer stacks its panels: nothing wider than the window, no text
  under 11 CSS px, every control in view (tests/artifacts/explorer-*-420.png);
* the notebook executed by nbclient with its widget state stored, opened without running it,
  must show every explorer as a picture that says so.

Outside JupyterLab: the canvas and matplotlib draw an artist of each kind (line styles, marker
shapes, alpha, widths, segments) from one description, and their pixels must match.

Every error shows: in a cell, on the kernel's websocket, in the server's log (the harness in
tests/labharness.py). Run with ``make browser``.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import re
import tempfile
import threading
import time
from pathlib import Path

import matplotlib
import nbformat
import numpy as np
import pytest
from labharness import (
    ARTIFACTS,
    CHANGE_TIMEOUT,
    REPO,
    ExplorerView,
    NotebookPage,
    report,
    running_lab,
)
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from PIL import Image

import neuron_explorers as nx

pytestmark = pytest.mark.browser

SETUP = ("import neuron_core as nc\n\ncelsius, fahrenheit = nc.make_dataset()\n"
         "x = nc.scale_inputs(celsius)\ny = fahrenheit")
CELLS = {  # as the course's notebooks make them
    "training": "ex = nc.training_explorer(x, y, lr=0.5, epochs=200)\nex",
    "hand_fit": "hand = nc.hand_fit_explorer(x, y, w=100, b=0)\nhand",
    "step": "step = nc.step_explorer(x, y, lr=0.5)\nstep",
}
CSS_CLASS = {"training": "nc-training-explorer", "hand_fit": "nc-hand-fit-explorer",
             "step": "nc-step-explorer"}
# (slider, key held) for each explorer, in order
HOLDS = {
    "training": (("lr", "ArrowLeft"), ("epochs", "ArrowRight"), ("epoch shown", "ArrowLeft")),
    "hand_fit": (("w", "ArrowRight"), ("b", "ArrowLeft")),
    "step": (("lr", "ArrowRight"), ("steps", "ArrowRight")),
}
HOLD_SECONDS, PRESS_EVERY_MS = 2.0, 25
SETTLE_TIMEOUT = 30  # s for the page and the kernel to agree after a hold


def explorer_notebook(path: Path) -> None:
    cells = [nbformat.v4.new_code_cell(SETUP)] + [nbformat.v4.new_code_cell(c)
                                                   for c in CELLS.values()]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(nb, path)


def execute_with_widget_state(source: Path, target: Path) -> None:
    """What `make execute` does: run the notebook, store the widgets' state in it."""
    from nbclient import NotebookClient

    nb = nbformat.read(source, as_version=4)
    NotebookClient(nb, kernel_name="python3", store_widget_state=True, timeout=120,
                   resources={"metadata": {"path": str(REPO)}}).execute()
    nbformat.write(nb, target)


@pytest.fixture(scope="module")
def folder():
    with tempfile.TemporaryDirectory(prefix="one-neuron-explorers-") as root:
        root = Path(root)
        explorer_notebook(root / "explorers.ipynb")
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
            BROKEN_EXPLORER)], metadata={"kernelspec": {"name": "python3",
                                                          "display_name": "Python 3"}}),
                       root / "broken.ipynb")
        # The saved notebook is made while JupyterLab starts (its kernel is the slow part).
        saved = threading.Thread(target=execute_with_widget_state,
                                 args=(root / "explorers.ipynb", root / "saved.ipynb"))
        saved.start()
        yield root, saved


@pytest.fixture(scope="module")
def explorer_lab(folder, chromium_executable):
    with running_lab(folder[0]) as lab:
        yield lab


@pytest.fixture(scope="module")
def page(browser, explorer_lab):
    """The explorers' notebook, run once, in a 1280x720 page."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    nb = NotebookPage(context.new_page(), explorer_lab, "explorers.ipynb")
    nb.page_errors = []  # exceptions thrown in the page (an explorer's listener, say)
    nb.page.on("pageerror", lambda error: nb.page_errors.append(str(error)))

    try:
        nb.open()
        nb.run_all()
        nb.assert_no_errors("after Run All Cells")
        yield nb
    except BaseException:
        with contextlib.suppress(Exception):
            nb.screenshot("-FAILED")
        raise
    finally:
        context.close()


# ---------------------------------------------------------------------------------------------
# The kernel's side, asked directly (a second client of the same kernel)
# ---------------------------------------------------------------------------------------------


KERNEL_STATE = """
import json as _json
_ex = {"training": ex, "hand_fit": hand, "step": step}[%r]
_out = {"readout": _ex.readout.value}
if %r == "training":
    _out.update(lr=_ex.lr.value, epochs=_ex.epochs.value, frame=_ex.frame.value,
                frame_max=_ex.frame.max, shown=_ex.history.epochs, playing=_ex.play.value)
elif %r == "step":
    _out.update(lr=_ex.lr.value, steps=_ex.steps.value, steps_max=_ex.steps.max,
                shown=_ex.history.epochs)
else:
    _out.update(w=_ex.w.value, b=_ex.b.value, loss=_ex.loss)
print(_json.dumps(_out))
"""


def kernel_state(lab, kind: str) -> dict:
    from jupyter_client import BlockingKernelClient

    session = next(s for s in lab.api("GET", "/api/sessions")
                   if s["path"].endswith("explorers.ipynb"))
    client = BlockingKernelClient()
    client.load_connection_file(lab.workdir / "runtime" / f"kernel-{session['kernel']['id']}.json")
    client.start_channels()
    try:
        out = []
        reply = client.execute_interactive(KERNEL_STATE % (kind, kind, kind), timeout=30,
                                           output_hook=lambda m: out.append(m))
        assert reply["content"]["status"] == "ok", reply["content"]
        text = "".join(m["content"].get("text", "") for m in out
                       if m["msg_type"] == "stream")
        return json.loads(text)
    finally:
        client.stop_channels()


def page_state(view: ExplorerView, kind: str) -> dict:
    """What the learner sees: each slider's value and maximum, the readout."""
    state = {"readout": view.readout.inner_html(), "text": view.readout_text()}
    for description, _key in HOLDS[kind]:
        handle = view.slider(description)
        state[description] = view.shown_value(description).replace("\u2212", "-")  # minus
        most = float(handle.get_attribute("aria-valuemax"))
        state[f"{description} max"] = str(int(most)) if most == int(most) else str(most)
    return state


def disagreements(kind: str, seen: dict, kernel: dict) -> list[str]:
    """Every way the page and the kernel (and the numbers within each) disagree."""
    found = []
    if seen["readout"] != kernel["readout"]:
        found.append("the kernel's readout.value is not the page's readout")
    text = seen["text"]
    if kind == "training":
        want = f"lr = {kernel['lr']:g}, epoch {kernel['frame']} of {kernel['shown']}:"
        checks = [(seen["lr"], f"{kernel['lr']:g}"), (seen["epochs"], str(kernel["epochs"])),
                  (seen["epoch shown"], str(kernel["frame"])),
                  (seen["epoch shown max"], str(kernel["frame_max"])),
                  (str(kernel["frame_max"]), str(kernel["shown"]))]
    elif kind == "step":
        want = f"after {kernel['steps']} step"
        checks = [(seen["lr"], f"{kernel['lr']:g}"), (seen["steps"], str(kernel["steps"])),
                  (seen["steps max"], str(kernel["steps_max"])),
                  (str(kernel["steps"]), str(kernel["shown"]))]
    else:
        want = f"your loss: {kernel['loss']:.2f}"
        checks = [(seen["w"], f"{kernel['w']:.1f}"), (seen["b"], f"{kernel['b']:.1f}")]
    if not text.startswith(want):
        found.append(f"the readout {text[:60]!r} does not start {want!r}")
    found += [f"{a!r} != {b!r}" for a, b in checks if a != b]
    return found


def settle(nb: NotebookPage, view: ExplorerView, kind: str) -> tuple[dict, dict]:
    """Wait until the page and the kernel agree (or fail, saying how they disagree)."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while True:
        nb.wait_for_kernel_idle()
        seen, kernel = page_state(view, kind), kernel_state(nb.lab, kind)
        problems = disagreements(kind, seen, kernel)
        if not problems:
            return seen, kernel
        if time.monotonic() > deadline:
            raise AssertionError(f"{kind}: page and kernel disagree after {SETTLE_TIMEOUT} s: "
                                 f"{problems}\npage: {seen}\nkernel: {kernel}")
        nb.page.wait_for_timeout(500)


def hold(view: ExplorerView, description: str, key: str) -> int:
    """A key held down on the slider: a press every PRESS_EVERY_MS for HOLD_SECONDS."""
    handle = view.slider(description)
    handle.focus()
    presses, end = 0, time.monotonic() + HOLD_SECONDS
    while time.monotonic() < end:
        view.page.keyboard.press(key)
        view.page.wait_for_timeout(PRESS_EVERY_MS)
        presses += 1
    return presses


# ---------------------------------------------------------------------------------------------
# The tests in JupyterLab
# ---------------------------------------------------------------------------------------------


def key_to(view: ExplorerView, description: str, shown: str, limit: int = 40) -> None:
    """Arrow keys, a learner's pace apart, until the slider shows ``shown`` (a number)."""
    handle = view.slider(description)
    handle.focus()
    for _ in range(limit):
        now = float(view.shown_value(description).replace("\u2212", "-"))
        if now == float(shown):
            return
        view.page.keyboard.press("ArrowRight" if float(shown) > now else "ArrowLeft")
        view.page.wait_for_timeout(60)
    raise AssertionError(f"slider {description!r} never shows {shown!r}")


NAMED = {  # values the notebooks name: (kind, slider, typed or keyed, readout must contain)
    "training": (("lr", "0.9", "lr = 0.9, epoch"), ("epochs", "30", "epoch 30 of 30")),
    "hand_fit": (("w", "180", "(that is 1.8000 °F per °C)"), ("b", "32", "your loss: 0.00")),
    "step": (("lr", "1.05", "1.05 ×"), ("steps", "3", "after 3 steps")),
}


@pytest.mark.parametrize("kind", list(CELLS))
def test_values_the_notebooks_name_are_shown(page, kind):
    view = ExplorerView(page, CSS_CLASS[kind])
    for description, value, readout in NAMED[kind]:
        if description == "lr":  # a selection slider: keyed (its readout takes no typing)
            key_to(view, description, value)
        else:  # a number slider: typed into its readout, as a learner can
            view.type_value(description, value)
        deadline = time.monotonic() + CHANGE_TIMEOUT / 1000
        while readout not in view.readout_text() and time.monotonic() < deadline:
            page.page.wait_for_timeout(100)
        assert readout in view.readout_text(), (kind, description, view.readout_text(),
                                                page.page_errors)
    settle(page, view, kind)
    if kind == "step":  # the buttons, from the keyboard and the mouse
        view.button("Step").focus()
        page.page.keyboard.press("Enter")
        settle(page, view, kind)
        assert view.shown_value("steps") == "4"
        view.button("Reset").click()
        settle(page, view, kind)
        assert view.shown_value("steps") == "0"


@pytest.mark.parametrize("kind", list(CELLS))
def test_holding_a_key_on_every_slider_leaves_page_and_kernel_agreeing(page, kind):
    view = ExplorerView(page, CSS_CLASS[kind])
    settle(page, view, kind)
    for description, key in HOLDS[kind]:
        before = view.shown_value(description)
        hold(view, description, key)
        seen, _kernel = settle(page, view, kind)
        assert seen[description] != before, f"{kind}: holding {key} on {description!r} did nothing"
    if kind == "training":  # and Play runs to the last epoch
        view.root.locator("button.nc-play").click()
        deadline = time.monotonic() + nx.PLAY_SECONDS + CHANGE_TIMEOUT / 1000
        while view.root.locator("button.nc-play:has(.fa-pause)").count():
            assert time.monotonic() < deadline, "Play did not end"
            page.page.wait_for_timeout(200)
        seen, kernel = settle(page, view, kind)
        assert kernel["frame"] == kernel["frame_max"] == kernel["shown"] and not kernel["playing"]
        assert seen["text"].startswith(f"lr = {kernel['lr']:g}, epoch {kernel['shown']} of "
                                       f"{kernel['shown']}:")
    page.assert_no_errors(f"holding keys on the {kind} explorer")


def set_theme(nb: NotebookPage, name: str) -> None:
    """Settings > Theme > name, as a learner would."""
    nb.page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Settings$")).click()
    nb.page.locator(".lm-Menu-content .lm-Menu-item", has_text=re.compile(r"^Theme$")).hover()
    nb.page.locator(".lm-Menu-content .lm-Menu-item", has_text=re.compile(
        rf"^{re.escape(name)}$")).click()
    light = "false" if "Dark" in name else "true"
    nb.page.wait_for_function(f"document.body.dataset.jpThemeLight === '{light}'")


def luminance(rgb: np.ndarray) -> np.ndarray:
    return (rgb[..., :3].astype(float) @ [0.2126, 0.7152, 0.0722]) / 255


def test_themes_and_zoom_fit_the_screen(page):
    """Light and dark, at 100 % and 150 % of a 1280x720 screen: inside the window, readable."""
    shots = []
    for theme in ("JupyterLab Dark", "JupyterLab Light"):
        set_theme(page, theme)
        dark = "Dark" in theme
        for zoom, size in (("100", (1280, 720)), ("150", (853, 480))):
            page.page.set_viewport_size({"width": size[0], "height": size[1]})
            for kind, css in CSS_CLASS.items():
                view = ExplorerView(page, css)
                plot = view.root.locator(".nc-plot")
                plot.evaluate("e => e.scrollIntoView({block: 'center'})")
                page.page.wait_for_timeout(400)  # the canvas redraws at the new size
                assert view.root.locator("canvas.nc-canvas").get_attribute("data-theme") == (
                    "dark" if dark else "light")
                box = plot.bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= size[0] + 1, (kind, zoom, box)
                assert box["y"] >= 0 and box["y"] + box["height"] <= size[1] + 1, (
                    f"{kind} at {zoom} %: the figure does not fit the window: {box}")
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                path = ARTIFACTS / f"explorer-{kind}-{'dark' if dark else 'light'}-{zoom}.png"
                page.page.screenshot(path=str(path))
                shots.append(path)
                pixels = np.asarray(Image.open(path).convert("RGB"))
                x0, y0, width = int(box["x"]), int(box["y"]), int(box["width"])
                # The panel without a loss surface (filled with its own colours): its ink
                x0 = x0 + width // 2 if kind == "step" else x0
                lum = luminance(pixels[y0:y0 + int(box["height"]), x0:x0 + int(width * 0.45)])
                if dark:  # not a white block, and its text is light
                    assert np.median(lum) < 0.35, f"{kind} {zoom} %: a light block in dark mode"
                    assert (lum > 0.75).mean() > 0.001, f"{kind} {zoom} %: no light ink"
                else:
                    assert np.median(lum) > 0.65 and (lum < 0.25).mean() > 0.001, (kind, zoom)
                text = view.readout_text()
                assert not re.search("[\U0001F000-\U0001FFFF\u26A0]", text), text  # no emoji
    assert len(shots) == 12
    page.page.set_viewport_size({"width": 1280, "height": 720})
    page.assert_no_errors("switching themes and zooming")


# Resolves when the canvas shows the layout asked; rejects, saying the one it shows, after 20 s.
WAIT_FOR_LAYOUT = """(canvas, layout) => new Promise((done, fail) => {
    const t0 = performance.now();
    const wait = () => canvas.dataset.layout === layout ? done()
        : performance.now() - t0 > 20000 ? fail(new Error(`layout ${canvas.dataset.layout}`))
        : setTimeout(wait, 50);
    wait();
})"""


def test_every_explorer_is_readable_in_a_420_px_window(page):
    """Issue 21, in JupyterLab (the static page's test, tests/test_site.py, checks more): at
    420 CSS px each explorer asks its kernel for the narrow layout, stacks its panels, and
    nothing in it is wider than its box or the window; no text under 11 CSS px; every control
    in view. Widened again, the wide layout is back."""
    from test_site import MEASURE, readable

    fonts = {(kind, "narrow"): (nx.NARROW_MIN_PT * 96 / 72, round(nx.NARROW_WIDTH * 96))
             for kind in CSS_CLASS}
    try:
        page.page.set_viewport_size({"width": 420, "height": 800})
        for kind, css in CSS_CLASS.items():
            view = ExplorerView(page, css)
            view.root.locator(".nc-plot").evaluate("e => e.scrollIntoView({block: 'start'})")
            canvas = view.root.locator("canvas.nc-canvas")
            canvas.evaluate(WAIT_FOR_LAYOUT, "narrow")  # the kernel draws it when asked
            # ipywidgets' slider track is left out: its handle overhangs an end of the track
            # by half its width, at any window width (the slider's own box is checked).
            measured = view.root.evaluate(MEASURE, ".widget-slider .slider-container")
            assert readable(measured, kind, fonts) == [], (kind, measured)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            view.root.screenshot(path=str(ARTIFACTS / f"explorer-{kind}-420.png"))
    finally:
        page.page.set_viewport_size({"width": 1280, "height": 720})
    for css in CSS_CLASS.values():
        ExplorerView(page, css).root.locator("canvas.nc-canvas").evaluate(WAIT_FOR_LAYOUT, "wide")
    page.assert_no_errors("a 420 px window")


def test_a_saved_notebook_shows_pictures_that_say_so(browser, explorer_lab, folder):
    """Opened without running it, the notebook nbclient saved with its widget state shows each
    explorer drawn, with a banner saying it is a picture until the cell runs."""
    root, saved = folder
    saved.join(timeout=300)
    assert (root / "saved.ipynb").exists(), "nbclient did not save the executed notebook"
    nb_saved = nbformat.read(root / "saved.ipynb", as_version=4)
    assert nx.saved_explorer_problems(nb_saved) == []
    # Trusted, as `jupyter trust` makes it (untrusted, JupyterLab shows the image/png instead)
    from nbformat.sign import NotebookNotary

    notary = NotebookNotary(data_dir=str(explorer_lab.workdir / "data"))
    notary.sign(nb_saved)
    nbformat.write(nb_saved, root / "saved.ipynb")
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    nb = NotebookPage(context.new_page(), explorer_lab, "saved.ipynb")
    try:
        nb.open()
        for kind, css in CSS_CLASS.items():
            view = ExplorerView(nb, css)
            banner = view.root.locator(".nc-picture .nc-banner")
            banner.wait_for(timeout=CHANGE_TIMEOUT)
            assert "picture" in banner.inner_text() and "run this cell" in banner.inner_text()
            assert int(view.plot.get_attribute("data-paints")) > 0, f"{kind}: nothing drawn"
            assert view.readout_text(), f"{kind}: no readout in the picture"
        nb.screenshot("-restored")
        nb.assert_no_errors("opening the saved notebook")
    finally:
        context.close()
        with contextlib.suppress(Exception):
            explorer_lab.shutdown_kernels()


BROKEN_EXPLORER = '''
import io

import ipywidgets as widgets
from matplotlib.figure import Figure


def png(w):
    fig = Figure(figsize=(3, 2))
    fig.add_subplot().plot([0, 1], [0, w])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


w = widgets.FloatSlider(value=1.0, min=0.0, max=2.0, step=0.1, description="w")
plot = widgets.Image(value=png(w.value), format="png")
plot.add_class("nc-plot")
readout = widgets.HTML(f"w = {w.value:.1f}")
readout.add_class("nc-readout")


def update(change):
    plot.value = png(change["new"])
    readout.value = f"w = {change['new']:.1f}"
    raise RuntimeError("a callback that fails after drawing")


w.observe(update, "value")
ex = widgets.VBox([w, readout, plot])
ex.add_class("nc-explorer")
ex.add_class("nc-broken-explorer")
ex
'''


def test_a_failing_callback_fails_the_check(browser, explorer_lab):
    """The checks see an error that a learner would not see in any cell: this explorer redraws
    like a good one, then raises; only the kernel's websocket carries the traceback. If an
    upgrade moved it, the tests above would go blind to broken callbacks; this one fails."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    nb = NotebookPage(context.new_page(), explorer_lab, "broken.ipynb")
    try:
        nb.open()
        nb.run_all()
        view = ExplorerView(nb, "nc-broken-explorer")
        view.nudge("w")
        deadline = time.monotonic() + CHANGE_TIMEOUT / 1000
        while not nb.all_errors() and time.monotonic() < deadline:
            nb.page.wait_for_timeout(200)
        assert "a callback that fails after drawing" in report(nb.all_errors())
    finally:
        context.close()
        with contextlib.suppress(Exception):
            explorer_lab.shutdown_kernels()


# ---------------------------------------------------------------------------------------------
# One description, two renderers: the canvas against matplotlib, pixel by pixel
# ---------------------------------------------------------------------------------------------

W, H = 240, 180  # pixels, at matplotlib's 96 dpi
POINTS = ([1.5, 5.0, 8.5], [2.0, 8.0, 3.5])
ARTISTS = {  # name: how matplotlib draws it (kwargs of ax.plot, or "segments")
    "solid": {"color": "#E69F00", "lw": 8},
    "dashed": {"color": "#0072B2", "lw": 6, "ls": "--"},
    "dotted": {"color": "#D55E00", "lw": 8, "ls": ":"},
    "dashdot": {"color": "#009E73", "lw": 6, "ls": "-."},
    "alpha": {"color": "#CC79A7", "lw": 12, "alpha": 0.5},
    "circle": {"color": "#E69F00", "ls": "None", "marker": "o", "ms": 40},
    "square": {"color": "#0072B2", "ls": "None", "marker": "s", "ms": 36},
    "down": {"color": "#D55E00", "ls": "None", "marker": "v", "ms": 40},
    "up": {"color": "#009E73", "ls": "None", "marker": "^", "ms": 40},
    "diamond": {"color": "#CC79A7", "ls": "None", "marker": "D", "ms": 28},
    "point": {"color": "#0072B2", "ls": "None", "marker": ".", "ms": 60},
    "edged": {"color": "#E69F00", "ls": "None", "marker": "o", "ms": 36, "mec": "k",
              "mew": 5},
    "line and markers": {"color": "#CC79A7", "lw": 4, "marker": "o", "ms": 20},
    "segments": "segments",
}


def matplotlib_pixels(kwargs) -> tuple[np.ndarray, dict]:
    """The artist drawn by matplotlib on a clear figure whose axes fill it; its description."""
    with matplotlib.rc_context({"figure.dpi": 96}):
        fig = Figure(figsize=(W / 96, H / 96), dpi=96)
    fig.patch.set_alpha(0)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set(xlim=(0, 10), ylim=(0, 10))
    if kwargs == "segments":
        artist = ax.add_collection(LineCollection(
            [[(x, 1.0), (x, y)] for x, y in zip(*POINTS, strict=True)], colors="#D55E00",
            linewidths=8))
    else:
        artist = ax.plot(*POINTS, **kwargs)[0]
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy(), nx.describe(artist)


CANVAS_DRAW = """async ([style, points, W, H]) => {
    const m = window.ncModule;
    const canvas = document.createElement('canvas');
    canvas.width = W; canvas.height = H;
    const ctx = canvas.getContext('2d');
    const a = m.axes({box: [0, 0, W, H], xlim: [0, 10], ylim: [0, 10], xscale: 'linear',
                      yscale: 'linear'});
    if (style.type === 'segments') {
        m.drawSegments(ctx, a, style, points[0].map((x, i) => [[x, 1], [x, points[1][i]]]),
                       '#000000');
    } else {
        m.drawLine(ctx, a, style, points[0], points[1], points[0].length, '#000000');
    }
    // As base64: a plain array of W*H*4 numbers takes playwright seconds to carry over.
    const bytes = ctx.getImageData(0, 0, W, H).data;
    let text = '';
    for (let i = 0; i < bytes.length; i += 8192) {
        text += String.fromCharCode(...bytes.subarray(i, i + 8192));
    }
    return btoa(text);
}"""


@pytest.fixture(scope="module")
def canvas_page(browser):
    page = browser.new_page()
    source = (REPO / "neuron_explorers.js").read_text()
    page.set_content("<html><body></body></html>")
    page.add_script_tag(type="module", content=source.replace(
        "export default", "window.ncModule = { axes, drawLine, drawSegments };\nexport default"))
    page.wait_for_function("window.ncModule !== undefined")
    yield page
    page.close()


def canvas_pixels(canvas_page, style) -> np.ndarray:
    data = base64.b64decode(canvas_page.evaluate(CANVAS_DRAW, [style, list(POINTS), W, H]))
    return np.frombuffer(data, dtype=np.uint8).reshape(H, W, 4)


def overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of the two drawings' covered pixels."""
    inked_a, inked_b = a[..., 3] > 127, b[..., 3] > 127
    return (inked_a & inked_b).sum() / max((inked_a | inked_b).sum(), 1)


@pytest.mark.parametrize("name", list(ARTISTS))
def test_the_canvas_draws_an_artist_as_matplotlib_does(canvas_page, name):
    want, style = matplotlib_pixels(ARTISTS[name])
    got = canvas_pixels(canvas_page, style)
    Image.fromarray(np.hstack([want, got])).save(io.BytesIO(), "png")  # both valid images
    assert overlap(want, got) > 0.85, f"{name}: shapes differ ({overlap(want, got):.2f})"
    core = (want[..., 3] > 200) & (got[..., 3] > 200)
    if name != "alpha" and core.sum() > 50:
        gap = np.abs(want[core][:, :3].astype(float) - got[core][:, :3]).mean(axis=0)
        assert (gap < 25).all(), f"{name}: colours differ by {gap}"
    if name == "alpha":
        inside = (want[..., 3] > 20) & (got[..., 3] > 20)
        assert abs(np.median(want[inside][:, 3]) - np.median(got[inside][:, 3])) < 20


def test_the_pixel_comparison_can_fail(canvas_page):
    """A circle drawn as a square, or a solid line as a dashed one, is caught."""
    want, style = matplotlib_pixels(ARTISTS["circle"])
    assert overlap(want, canvas_pixels(canvas_page, {**style, "marker": "s"})) < 0.85
    want, style = matplotlib_pixels(ARTISTS["solid"])
    dashed = {**style, "dashes": [v * 8 for v in matplotlib.rcParams["lines.dashed_pattern"]]}
    assert overlap(want, canvas_pixels(canvas_page, dashed)) < 0.85
