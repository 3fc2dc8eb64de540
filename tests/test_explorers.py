"""The explorers driven from Python, and their ES module's numbers checked in node.

The live view is drawn in the browser (neuron_explorers.js; tests/test_browser.py drives it in
JupyterLab and compares its canvas with matplotlib pixel by pixel). Here: the controls hold
exactly the values the notebooks name; what the browser receives is the run the course's
training computes (every shorter run is a prefix of it, with the same divergence verdict); the
kernel writes a control only for Python's own changes, never in reply to the browser's; the
readout the ES module formats says the numbers Python computes; the output carries a picture
and a sentence; arguments are checked like the math's; an explorer's life ends cleanly.
"""

import base64
import io
import json
import math
import os
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import ipywidgets
import matplotlib
import nbformat
import numpy as np
import pytest
import traitlets
from hypothesis import given, settings
from hypothesis import strategies as st
from labharness import without_event_loop
from PIL import Image

import neuron_core as nc
import neuron_explorers as nx
import neuron_fast as nf

matplotlib.use("Agg")
pytestmark = pytest.mark.filterwarnings("error")  # no overflow or matplotlib warning may escape

REPO = Path(__file__).resolve().parents[1]
# The learning rates of the course design (notes/COURSE_DESIGN.md), typed here independently.
COURSE_LRS = ["0.001", "0.002", "0.005", "0.01", "0.02", "0.05", "0.1", "0.2", "0.3", "0.5",
              "0.7", "0.8", "0.9", "0.95", "1", "1.05", "1.1", "1.2", "1.5", "2", "3"]
NAMED_LRS = [0.1, 0.5, 0.9, 0.95, 1.0, 1.05]  # the values the notebooks ask a learner to set


@pytest.fixture(scope="module")
def data():
    celsius, fahrenheit = nc.make_dataset()
    return nc.scale_inputs(celsius), fahrenheit


@pytest.fixture(scope="module")
def shared(data):
    """One explorer of each kind for the tests that only read them (making one takes ~0.5 s)."""
    made = {"training": nc.training_explorer(*data), "hand_fit": nc.hand_fit_explorer(*data),
            "step": nc.step_explorer(*data, lr=1.05)}
    yield made
    for ex in made.values():
        ex.close()


def sent(runs, name, index):
    """An array of one lr's run as the browser receives it."""
    return np.frombuffer(runs[name][index], dtype="<f8")


def from_browser(widget, **state):
    """What ipywidgets does with a change made in the browser."""
    widget.set_state(state)


def instances():
    """Every widget alive in this process."""
    return ipywidgets.widgets.widget._instances


def drawn(line):
    return [np.asarray(v, dtype=float) for v in line.get_data()]


# ---------------------------------------------------------------------------------------------
# Controls show exactly what the text says; Python's own changes follow through
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["training", "step"])
def test_the_lr_control_offers_exactly_the_course_values(shared, kind):
    ex = shared[kind]
    assert isinstance(ex.lr, ipywidgets.SelectionSlider)
    assert list(ex.lr._options_labels) == COURSE_LRS  # the labels the browser shows
    assert ex.view.runs["lr"] == [float(v) for v in COURSE_LRS]
    for value in NAMED_LRS:
        ex.lr.value = value
        assert ex.lr.label == f"{value:g}" and ex.lr.index == COURSE_LRS.index(f"{value:g}")
        assert ex.history.lr == value


def test_an_lr_between_the_choices_is_added_and_shown_exactly(data):
    ex = nc.training_explorer(*data, lr=0.25, epochs=5)
    assert ex.lr.label == "0.25" and ex.lr.value == 0.25 and ex.history.lr == 0.25
    assert len(ex.lr.options) == len(COURSE_LRS) + 1 == len(ex.view.runs["lr"])
    ex.close()


@pytest.mark.parametrize("epochs", [1, 7, 30, 1000])
def test_python_setting_epochs_shows_the_new_runs_end(shared, epochs):
    ex = shared["training"]
    ex.lr.value = 0.9
    ex.epochs.value = epochs
    assert ex.history.epochs == epochs == ex.frame.max == ex.frame.value


def test_after_divergence_the_counts_still_agree(shared):
    ex = shared["training"]
    ex.lr.value, ex.epochs.value = 0.5, 200
    ex.lr.value = 3.0
    h = ex.history
    assert h.diverged and h.epochs < 200  # stopped when the loss had run away
    assert ex.frame.max == ex.frame.value == h.epochs
    ex.lr.value = 0.5
    assert not ex.history.diverged and ex.frame.value == 200


def test_the_kernel_never_answers_the_browsers_moves(shared):
    """A move made in the browser is followed in the browser; the kernel writing the frame
    too would send a late value that undoes a newer one (issue 20)."""
    ex = shared["training"]
    ex.lr.value, ex.epochs.value = 0.5, 200
    before = (ex.frame.value, ex.frame.max)
    from_browser(ex.epochs, value=30)
    from_browser(ex.lr, index=COURSE_LRS.index("0.9"))
    assert ex.epochs.value == 30 and ex.lr.value == 0.9
    assert (ex.frame.value, ex.frame.max) == before  # left to the browser
    from_browser(ex.frame, value=10)
    from_browser(ex.frame, max=30)
    assert ex.history.epochs == 30 and ex.frame.max == 30 and ex.frame.value == 10
    ex.epochs.value = 200  # Python's own move: the kernel shows the end
    assert ex.frame.value == ex.frame.max == 200


def test_play_outside_a_kernel_jumps_to_the_end(shared):
    ex = shared["training"]
    ex.epochs.value = 100
    ex.frame.value = 10
    without_event_loop(setattr, ex.play, "value", True)  # no browser: Play shows the end at once
    assert ex.frame.value == 100 and ex.play.value is False


def test_hand_fit_sliders_start_exactly_and_hold_the_true_rule(shared, data):
    x, y = data
    ex = shared["hand_fit"]  # made with w=100, b=0, the defaults
    assert (ex.w.value, ex.b.value) == (100.0, 0.0)
    assert f"{ex.loss:.2f}" == "1450.67"  # the loss notebook 02 names
    for slider, value in ((ex.w, 180.0), (ex.b, 32.0), (ex.w, 100.5)):
        steps = (value - slider.min) / slider.step
        assert steps == int(steps), f"{value} is not on the {slider.description} grid"
        assert slider.step == 0.5 and slider.readout_format == ".1f"
    ex.w.value, ex.b.value = 180.0, 32.0
    assert ex.loss < 1e-20
    ex.w.value, ex.b.value = 150.0, 30.0
    assert ex.loss == pytest.approx(np.mean((150 * x + 30 - y) ** 2), rel=1e-12)
    ex.figure  # noqa: B018 - the static copy draws the same guess
    assert drawn(ex._figure.artists["guess"]) == [np.array([150.0]), np.array([30.0])]
    assert len(ex._figure.artists["errors"].get_segments()) == len(x)


def test_step_explorer_counts_and_the_bounce_of_b_is_in_view(shared, data):
    x, y = data
    ex = shared["step"]
    ex.lr.value = 1.05
    ex.steps.value = 3
    h = ex.history
    assert h.epochs == 3
    w, b, bs = 1.0, 0.0, [0.0]
    for _ in range(3):
        w, b = nc.step(w, b, *nc.gradients(x, y, w, b), lr=1.05)
        bs.append(b)
    assert [int(v) for v in bs] == [0, 67, -6, 74]  # the bounce notebook 04 describes
    np.testing.assert_allclose(h.bs, bs, rtol=1e-12)
    key = ex.view.runs["background"][ex.lr.index]
    low, high = ex.view._draw(key)["panels"]["surface"]["ylim"]  # what the browser gets
    assert low < min(bs) and max(bs) < high  # the b axis holds the whole bounce
    assert ex.figure.axes[0].get_ylim() == (low, high)
    np.testing.assert_allclose(drawn(ex._figure.artists["path"])[1], bs, rtol=1e-12)


def test_step_explorer_buttons_and_a_run_that_is_stopped(shared):
    ex = shared["step"]
    ex.lr.value = 0.5
    ex.reset_button.click()
    assert ex.history.epochs == 0
    ex.step_button.click()
    ex.step_button.click()
    assert ex.steps.value == 2 == ex.history.epochs
    ex.reset_button.click()
    assert ex.steps.value == 0
    ex.lr.value = 3.0  # runs away: the run is stopped early, and the slider ends there too
    stopped = ex.steps.max
    assert stopped < 40 and stopped == ex.view.runs["stopped"][ex.lr.index]
    ex.steps.value = stopped
    h = ex.history
    assert h.diverged and h.epochs == stopped == ex.steps.value
    for _ in range(3):
        ex.step_button.click()  # cannot go past where the run stopped
    assert ex.steps.value == stopped


# ---------------------------------------------------------------------------------------------
# What the browser receives: every run once; a shorter run is a prefix with the same verdict
# ---------------------------------------------------------------------------------------------


def test_the_browser_receives_every_learning_rates_run(shared, data):
    x, y = data
    runs, most = shared["training"].view.runs, shared["training"].epochs.max
    for i, lr in enumerate(runs["lr"]):
        full = nf.train_fast(x, y, lr=lr, epochs=most)
        for name, values in (("loss", full.losses), ("w", full.ws), ("b", full.bs)):
            np.testing.assert_array_equal(sent(runs, name, i), values)
        assert runs["stopped"][i] == full.epochs


@pytest.mark.parametrize("lr", [0.5, 0.95, 1.0, 1.05, 1.2, 3.0])
def test_a_shorter_run_is_a_prefix_with_the_same_verdict(shared, data, lr):
    """What the browser shows for E epochs (a prefix, and `0 <= diverges_at <= E`) is what
    training for E epochs returns, for every E."""
    x, y = data
    runs = shared["training"].view.runs
    i = runs["lr"].index(lr)
    for epochs in (1, 2, 3, 5, 10, 30, 83, 200, 999, 1000):
        h = nf.train_fast(x, y, lr=lr, epochs=epochs)
        shown = min(epochs, runs["stopped"][i])
        assert h.epochs == shown
        np.testing.assert_array_equal(h.losses, sent(runs, "loss", i)[:shown + 1])
        assert h.diverged == (0 <= runs["diverges_at"][i] <= epochs), (lr, epochs)


def test_the_explorers_fast_path_is_the_notebooks_loop(shared, data):
    ex = shared["training"]
    ex.lr.value, ex.epochs.value = 0.9, 83
    plain = nc.train(*data, lr=0.9, epochs=83)
    np.testing.assert_allclose(ex.history.ws, plain.ws, rtol=1e-9)
    assert ex.history.diverged == plain.diverged


def test_messages_stay_small_whatever_the_data_size():
    celsius, y = nc.make_dataset(n=200_000, noise=1.0, seed=0)
    x = nc.scale_inputs(celsius)
    hand = nc.hand_fit_explorer(x, y)
    assert len(hand.view.data["x"]) == nx.SAMPLE_POINTS * 8
    assert "showing 2,000 of the 200,000 points" in hand.view.data["note"]
    assert hand.loss == pytest.approx(float(np.mean((100 * x - y) ** 2)), rel=1e-9)  # all data
    assert len(hand.view.background["light"]) < 300_000
    hand.close()


# ---------------------------------------------------------------------------------------------
# The ES module's numbers, run in node
# ---------------------------------------------------------------------------------------------


def node():
    found = shutil.which("node")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node is required in CI (it comes with npm)", pytrace=False)
        pytest.skip("node not installed")
    return found


def run_js(code):
    module = json.dumps((REPO / "neuron_explorers.js").as_uri())
    script = f"import * as m from {module};\nconst b64 = (s) => Buffer.from(s, 'base64');\n{code}"
    done = subprocess.run([node(), "--input-type=module"], input=script, capture_output=True,
                          text=True, check=True, timeout=60)
    return json.loads(done.stdout)


def as_js(value):
    """Traits as JSON, bytes as base64 that the script turns into Buffers (DataView-like)."""
    if isinstance(value, bytes):
        return {"__b64__": base64.b64encode(value).decode()}
    if isinstance(value, dict):
        return {k: as_js(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [as_js(v) for v in value]
    return value


REVIVE = ("const revive = (v) => v && v.__b64__ ? new DataView(new Uint8Array(b64(v.__b64__))"
          ".buffer) : Array.isArray(v) ? v.map(revive) : v && typeof v === 'object' ? "
          "Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)])) : v;\n")


def browser_readouts(ex, states):
    """The readout the ES module writes for each state (a dict of the view's traits)."""
    kind, view = ex.view.kind, ex.view
    payload = view.data if kind == "hand_fit" else view.runs
    code = (REVIVE + f"const raw = revive({json.dumps(as_js(payload))});\n"
            "const floats = (v) => new Float64Array(v.buffer.slice(v.byteOffset, "
            "v.byteOffset + v.byteLength));\n"
            + ("const data = {...raw, x: floats(raw.x), y: floats(raw.y)};\n"
               if kind == "hand_fit" else
               "const data = {...raw}; for (const n of ['w','b','loss','dw','db']) "
               "if (raw[n]) data[n] = raw[n].map(floats);\n")
            + f"const settings = {json.dumps(view.settings)};\n"
            f"const out = {json.dumps(states)}.map((st) => m.READOUT[{json.dumps(kind)}]("
            f"m.STATE[{json.dumps(kind)}]((n) => st[n], data), settings));\n"
            "console.log(JSON.stringify(out));")
    return run_js(code)


def numbers(text):
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?", text)]


def test_the_training_readout_says_the_numbers_python_computes(shared, data):
    ex = shared["training"]
    lrs = ex.view.runs["lr"]
    cases = [(0.5, 200, 200), (0.5, 200, 7), (0.9, 83, 83), (1.2, 200, 0), (3.0, 1000, None)]
    states = [{"lr_index": lrs.index(lr), "epochs": e, "frame": k if k is not None else 10**6}
              for lr, e, k in cases]
    for (lr, epochs, k), text in zip(cases, browser_readouts(ex, states), strict=True):
        h = nf.train_fast(*data, lr=lr, epochs=epochs)
        k = h.epochs if k is None else min(k, h.epochs)
        head = re.match(r"lr = ([\d.]+), epoch (\d+) of (\d+): loss = (\S+);", text)
        assert head, text
        assert (float(head[1]), int(head[2]), int(head[3])) == (lr, k, h.epochs)
        assert float(head[4]) == pytest.approx(h.losses[k], rel=5e-4)
        w = float(re.search(r"w = (\S+) \(that is", text)[1])
        assert w == pytest.approx(h.ws[k], rel=5e-4)
        assert ("diverged" in text) == h.diverged
        if h.diverged and h.epochs < epochs:
            assert f"training stopped after {h.epochs} of the {epochs} epochs asked" in text


def test_the_step_and_hand_fit_readouts_say_pythons_numbers(shared):
    step = shared["step"]
    i = step.view.runs["lr"].index(1.05)
    text = browser_readouts(step, [{"lr_index": i, "steps": 3}])[0]
    step.lr.value, step.steps.value = 1.05, 3
    h = step.history
    assert text.startswith("after 3 steps: ")
    w, b, loss = numbers(text.split("<br>")[0])[1:4]
    assert (w, b, loss) == pytest.approx((h.w, h.b, h.losses[-1]), rel=5e-4)
    assert "1.05 ×" in text and ("lr = 1.05 diverges" in text) == h.diverged
    hand = shared["hand_fit"]
    for w, b in ((100.0, 0.0), (180.0, 32.0), (150.5, -20.0)):
        hand.w.value, hand.b.value = w, b
        text = browser_readouts(hand, [{"w": w, "b": b}])[0]
        assert f"your loss: <b>{hand.loss:.2f}</b>" in text
        assert ("you beat gradient descent" in text) == (hand.loss < hand.gd_history.losses[-1])


def test_the_browsers_loss_is_the_kernels_to_the_last_bit(shared):
    hand = shared["hand_fit"]
    points = [(100.0, 0.0), (180.0, 32.0), (179.5, 32.5), (-37.5, 120.0)]
    got = run_js(f"console.log(JSON.stringify({json.dumps(points)}.map(([w, b]) => "
                 f"m.bowlLoss({json.dumps(list(hand._bowl))}, w, b))));")
    want = [float(nf.bowl_losses(hand._bowl, w, b)) for w, b in points]
    assert got == want


def test_the_browser_writes_numbers_as_stated():
    cases = [(1450.6666, 4, "1451"), (2.2101e-09, 4, "2.21e-9"), (0.0, 4, "0"), (180.0, 4, "180"),
             (-23.8725, 4, "-23.87"), (17263.0, 4, "17260"), (5.998e11, 4, "5.998e+11"),
             (1e8, 1, "1e+8"), (0.00012346, 4, "0.0001235"), (math.inf, 4, "∞")]
    given = [[v if math.isfinite(v) else "Infinity", d] for v, d, _ in cases]
    got = run_js(f"const c = {json.dumps(given)};"
                 "console.log(JSON.stringify(c.map(([v, d]) => m.sig(Number(v), d))));")
    assert got == [want for _v, _d, want in cases]


# ---------------------------------------------------------------------------------------------
# One description per moving artist; themes; the output's picture and sentence
# ---------------------------------------------------------------------------------------------


def test_a_style_the_canvas_cannot_draw_is_refused():
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    for kwargs in ({"marker": "*"}, {"marker": "h"}):
        with pytest.raises(ValueError, match="canvas cannot draw"):
            nx.describe(ax.plot([0, 1], [0, 1], **kwargs)[0])
    dashed = nx.describe(ax.plot([0, 1], [0, 1], "--", lw=2.0)[0])
    assert dashed["dashes"] == [2.0 * v for v in matplotlib.rcParams["lines.dashed_pattern"]]
    custom = nx.describe(ax.plot([0, 1], [0, 1], ls=(1, (5, 1, 1, 1)), lw=3.0)[0])
    assert (custom["dashes"], custom["offset"]) == ([15.0, 3.0, 3.0, 3.0], 3.0)


def test_moving_parts_have_the_course_colours(shared):
    colors = {name: matplotlib.colors.to_hex(c) for name, c in nc.COLORS.items()}
    styles = {kind: e.view.settings["artists"] for kind, e in shared.items()}
    assert styles["training"]["curve"]["color"] == colors["model"]
    assert styles["training"]["warning"]["color"] == colors["bad"]
    assert styles["training"]["lr_mark"]["color"] == "ink"  # black: the theme's ink
    assert styles["hand_fit"]["errors"]["color"] == colors["bad"]
    assert styles["step"]["path"]["color"] == colors["path"]
    assert styles["step"]["here"]["mec"] == "ink" and styles["step"]["here"]["lw"] == 0.0


def test_backgrounds_are_clear_with_the_themes_ink(shared):
    for ex in shared.values():
        message = ex.view.background
        pictures = {theme: np.asarray(Image.open(io.BytesIO(message[theme])).convert("RGBA"))
                    for theme in ("light", "dark")}
        for theme, rgba in pictures.items():
            assert rgba.shape[1::-1] == tuple(message["size"])
            assert rgba[0, 0, 3] == 0, f"{ex.kind} {theme}: the background is not clear"
        light, dark = (pictures[t].astype(float) for t in ("light", "dark"))
        both = (light[..., 3] > 128) & (dark[..., 3] > 128)
        lum_light, lum_dark = light[..., :3].mean(axis=-1), dark[..., :3].mean(axis=-1)
        ink = both & (lum_light < 60) & (lum_dark > 190)  # text and axes: black, light grey
        backwards = both & (lum_light < 60) & (lum_dark < 60)  # black in both: unreadable
        assert ink.sum() > 2000, f"{ex.kind}: too little text and axes change with the theme"
        assert backwards.sum() < ink.sum() / 4, f"{ex.kind}: black ink left in the dark theme"


def test_the_output_carries_a_picture_and_a_sentence(shared):
    for ex in shared.values():
        bundle = ex._repr_mimebundle_()
        assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == ex.model_id
        png = Image.open(io.BytesIO(base64.b64decode(bundle["image/png"])))
        assert png.size == tuple(ex.view.background["size"])
        text = bundle["text/plain"]
        assert text.endswith(".") and "children=" not in text and "kernel" not in text
        assert re.match(r"^(Training|Hand-fit|Step) explorer at ", text), text


def test_the_static_copy_shows_divergence_and_the_line_leaving(data):
    ex = nc.training_explorer(*data, epochs=30)
    ex.lr.value = 3.0
    ex.figure  # noqa: B018
    artists = ex._figure.artists
    assert artists["warning"].get_text() == "diverged"
    assert artists["off_chart"].get_text() == "the line has left the chart"
    assert np.isfinite(drawn(artists["curve"])[1]).all()
    ex.frame.value = 0
    ex.figure  # noqa: B018
    assert artists["warning"].get_text() == "" and artists["off_chart"].get_text() == ""
    ex.close()


# ---------------------------------------------------------------------------------------------
# Arguments checked as the math checks them; huge values refused; no warning escapes
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "kwargs", "error", "named"),
    [
        ("training_explorer", {"scale": 0}, ValueError, "scale"),
        ("hand_fit_explorer", {"w": "a"}, TypeError, "w"),
        ("hand_fit_explorer", {"w": 1e150}, ValueError, "w"),
        ("step_explorer", {"b": -1e13}, ValueError, "b"),
        ("training_explorer", {"lr": -1}, ValueError, "lr"),
        ("training_explorer", {"lr": 100}, ValueError, "lr"),
        ("step_explorer", {"lr": 0}, ValueError, "lr"),
        ("training_explorer", {"epochs": 0}, ValueError, "epochs"),
        ("training_explorer", {"epochs": 2.5}, TypeError, "epochs"),
        ("training_explorer", {"epochs": 10**12}, ValueError, "epochs"),
        ("step_explorer", {"max_steps": -1}, ValueError, "max_steps"),
        ("step_explorer", {"b": math.nan}, ValueError, "b"),
        ("hand_fit_explorer", {"gd_epochs": 0}, ValueError, "gd_epochs"),
        ("training_explorer", {"reduction": "median"}, ValueError, "reduction"),
    ],
)
def test_explorer_arguments_are_checked_like_the_math(data, make, kwargs, error, named):
    with pytest.raises(error, match=rf"^{named}\b"):
        getattr(nc, make)(*data, **kwargs)


@pytest.mark.parametrize("make", ["training_explorer", "hand_fit_explorer", "step_explorer"])
def test_huge_data_is_refused_by_name(make):
    with pytest.raises(ValueError, match=r"^y holds a value beyond"):
        getattr(nc, make)([0, 0.5, 1], [0, 1e150, 2e150])


def test_a_zero_starting_loss_draws_without_a_warning(data):
    x, _y = data
    y = 180.0 * x + 32.0
    for ex in (nc.training_explorer(x, y, w=180.0, b=32.0, epochs=5),
               nc.step_explorer(x, y, w=180.0, b=32.0, max_steps=3)):
        ex.figure  # noqa: B018 - warnings are errors in this file
        ex.close()


def test_bad_data_is_refused_by_name():
    with pytest.raises(ValueError, match="^x and y must have the same length"):
        nc.training_explorer([0.1, 0.2], [1.0])


def test_a_nan_fed_to_a_control_is_refused_and_the_explorer_stays_usable(shared):
    hand, ex = shared["hand_fit"], shared["training"]
    for slider in (hand.w, ex.lr, ex.epochs, ex.frame):
        before = slider.value
        with pytest.raises(traitlets.TraitError):
            slider.value = math.nan
        assert slider.value == before
    hand.w.value = 150.0
    ex.lr.value = 0.9
    assert hand.loss > 0 and ex.history.lr == 0.9


def test_an_explorer_copies_the_callers_arrays(data):
    x, y = (np.array(a) for a in data)
    ex = nc.training_explorer(x, y, lr=0.5, epochs=20)
    x *= 10  # the caller reuses its array
    y[:] = 0
    ex.lr.value = 0.1
    np.testing.assert_array_equal(ex.history.losses,
                                  nf.train_fast(*data, lr=0.1, epochs=20).losses)
    ex.close()


ODD = (st.none() | st.booleans() | st.text(max_size=3) | st.integers(-10**30, 10**30)
       | st.floats(allow_nan=True, allow_infinity=True) | st.lists(st.floats(), max_size=2))


@settings(max_examples=25, deadline=None)
@given(lr=ODD, epochs=ODD, w=ODD, scale=ODD)
def test_odd_arguments_give_a_named_error_or_an_explorer(lr, epochs, w, scale):
    celsius, fahrenheit = nc.make_dataset()
    x = nc.scale_inputs(celsius)
    try:
        ex = nc.training_explorer(x, fahrenheit, lr=lr, epochs=epochs, w=w, scale=scale)
    except (ValueError, TypeError) as err:
        assert re.match(r"^(lr|epochs|w|scale)\b", str(err)), err  # names the argument
        return
    assert ex.history.lr == lr and ex.epochs.value == epochs
    ex.close()


# ---------------------------------------------------------------------------------------------
# Life cycle: closed explorers say so; an explorer lives until its own cell runs again
# ---------------------------------------------------------------------------------------------


def test_a_closed_explorer_says_so_when_used(data):
    ex, step = nc.training_explorer(*data, epochs=5), nc.step_explorer(*data, max_steps=3)
    ex.close()
    step.close()
    for use in (lambda: setattr(ex.lr, "value", 0.9), lambda: setattr(ex.epochs, "value", 3),
                lambda: setattr(ex.frame, "value", 1), lambda: ex.history, lambda: ex.figure,
                lambda: setattr(step.steps, "value", 2), lambda: step.lr.__setattr__("value", 1)):
        with pytest.raises(nx.ExplorerClosedError, match="closed"):
            use()
    assert repr(ex) == "<A closed training explorer.>"


def test_close_frees_every_widget_and_the_figure(data):
    alive = len(instances())
    for ex in (nc.training_explorer(*data, epochs=5), nc.hand_fit_explorer(*data),
               nc.step_explorer(*data, max_steps=3)):
        ex.close()
    assert len(instances()) == alive


def test_explorers_live_until_their_own_cell_runs_again(data, monkeypatch):
    run = {"now": ("cell-42", "run-1")}
    monkeypatch.setattr(nx, "_execution", lambda: run["now"])
    first, second = (nc.training_explorer(*data, epochs=5) for _ in range(2))
    assert first.comm is not None and second.comm is not None  # one run of a cell: both live
    run["now"] = ("cell-43", "run-2")
    other = nc.training_explorer(*data, epochs=5)
    assert first.comm is not None and second.comm is not None  # another cell: kept
    run["now"] = ("cell-42", "run-3")  # the first cell runs again
    third = nc.training_explorer(*data, epochs=5)
    assert first.comm is None and second.comm is None and third.comm is not None
    assert other.comm is not None
    for ex in (other, third):
        ex.close()


@pytest.mark.parametrize("kind", ["training", "hand_fit", "step"])
def test_every_public_attribute_is_documented(shared, kind):
    ex = shared[kind]
    make = {"training": nc.training_explorer, "hand_fit": nc.hand_fit_explorer,
            "step": nc.step_explorer}[kind]
    box = ipywidgets.VBox()
    public = {name for name in vars(ex) if not name.startswith("_")} - set(vars(box))
    public |= {"figure", "readout", "view", "plot"} | ({"loss"} if kind == "hand_fit"
                                                       else {"history"})
    for name in public:
        assert f"``{name}``" in make.__doc__, f"{kind}: attribute {name!r} is not documented"
        assert not hasattr(box, name) or name == "close", f"{name!r} clashes with VBox"
    box.close()


def test_no_warning_escapes_a_diverging_explorer(data):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            ex = nc.training_explorer(*data, lr=3.0, epochs=300)
            ex.figure  # noqa: B018
            step = nc.step_explorer(*data, lr=3.0)
            step.steps.value = step.steps.max
            step.figure  # noqa: B018
    assert ex.history.diverged and step.history.diverged
    ex.close()
    step.close()


# ---------------------------------------------------------------------------------------------
# Saved notebooks: every explorer shows a picture without a kernel
# ---------------------------------------------------------------------------------------------


def explorer_notebook(outputs, state=None):
    cell = nbformat.v4.new_code_cell("ex = nc.training_explorer(x, y)\nex", outputs=outputs)
    nb = nbformat.v4.new_notebook(cells=[cell])
    if state is not None:
        nb.metadata["widgets"] = {nx.WIDGET_STATE: {"state": state, "version_major": 2,
                                                    "version_minor": 0}}
    return nb


def test_the_saved_notebook_check_finds_what_is_missing():
    view = {nx.WIDGET_VIEW: {"model_id": "abc", "version_major": 2, "version_minor": 0}}
    repr_only = {"text/plain": "Explorer(children=(HBox(children=(FiniteFloatSlider(…"}
    result = nbformat.v4.new_output
    good = explorer_notebook([result("display_data", {**view, "text/plain": "A sentence."})],
                             state={"abc": {"model_name": "VBoxModel", "state": {}}})
    assert nx.saved_explorer_problems(good) == []
    picture = explorer_notebook([result("display_data", {"image/png": "iVBOR",
                                                         "text/plain": "A sentence."})])
    assert nx.saved_explorer_problems(picture) == []
    bad = explorer_notebook([result("display_data", {**view, **repr_only})])
    problems = nx.saved_explorer_problems(bad)
    assert len(problems) == 2 and "repr" in problems[0] and "no picture" in problems[1]
    assert nx.saved_explorer_problems(explorer_notebook([])) != []  # never run


@pytest.mark.parametrize("path", sorted((REPO / "instructor").glob("*.ipynb")),
                         ids=lambda p: p.name)
def test_saved_notebooks_show_every_explorer_without_a_kernel(path):
    """Passes once the notebooks are executed with their widget state stored (make execute)."""
    problems = nx.saved_explorer_problems(nbformat.read(path, as_version=4))
    assert not problems, f"{path.name}: " + "; ".join(problems)


def test_the_step_explorers_b_label_stays_on_its_picture_in_every_view(data):
    """Issue 20: at lr >= 1.05 the view widens, its tick labels grow, and b's label was pushed
    off the picture (the layout is fixed by the first view). The narrow layout too (issue 21):
    its first view and its widest."""
    ex = nc.step_explorer(*data)
    try:
        keys = ex._background_keys()
        for key in [*keys, nx.NARROW + keys[0], nx.NARROW + keys[-1]]:
            figure, plain = ex._figure_for(key)
            ex._draw_surface(figure, plain)
            figure.background("light")  # draws: the label's place is known after a draw
            box = figure.panels["surface"].yaxis.label.get_window_extent()
            assert box.x0 >= 0, f"view {key}: b's label starts at x = {box.x0:.0f} px"
    finally:
        ex.close()


def top(box):
    return box[1]


def test_the_narrow_layout_stacks_the_panels_and_no_text_is_under_11_points(shared):
    """Issue 21: below NARROW_BELOW CSS px the page asks for NARROW + key. That picture holds
    the wide one's panels, with the same limits, stacked, each most of a phone's width, and no
    text under 11 pt (14.7 px: 12.6 px even in a 330 px-wide output). The wide one stays."""
    for kind, ex in shared.items():
        wide = ex.view.background
        narrow = ex.view._draw(nx.NARROW + wide["key"])
        assert narrow["key"] == nx.NARROW + wide["key"]
        assert ex.view.settings["narrow_below"] == nx.NARROW_BELOW
        width, height = narrow["size"]
        assert width == 384 and height > width, (kind, narrow["size"])
        assert set(narrow["panels"]) == set(wide["panels"])
        for name, panel in narrow["panels"].items():
            for limits in ("xlim", "ylim", "xscale", "yscale"):
                assert panel[limits] == wide["panels"][name][limits], (kind, name, limits)
        boxes = sorted((p["box"] for p in narrow["panels"].values()), key=top)
        for above, below in zip(boxes, boxes[1:], strict=False):
            assert above[1] + above[3] <= below[1], (kind, "panels overlap", boxes)
        for left, _, box_width, _ in boxes:
            assert left >= 0 and left + box_width <= width and box_width > 0.7 * width, kind
        # Every text of the narrow figure, counted here, not by the message's font_px...
        figure, _ = ex._figure_for(narrow["key"])
        sizes = [t.get_fontsize() for t in figure.fig.findobj(matplotlib.text.Text)
                 if t.get_visible() and t.get_text()]
        assert min(sizes) >= 11, (kind, sorted(sizes)[:5])
        # ...which says the smallest, in pixels: the page multiplies it by the picture's scale.
        assert narrow["font_px"] == pytest.approx(min(sizes) * 96 / 72), kind
        # The wide layout as it was: 10 x 3.8 in, its smallest text 10 pt (the lr strip's
        # label, the loss axes' ticks).
        assert wide["size"] == [960, 364] and wide["font_px"] == pytest.approx(10 * 96 / 72)
        lefts = sorted(p["box"][0] for p in wide["panels"].values())
        assert lefts[-1] - lefts[0] > 960 / 3, (kind, "the wide panels are side by side")


def test_a_page_without_a_kernel_gets_both_layouts(shared, data):
    ex = nc.hand_fit_explorer(*data)
    try:
        # A page with one theme (the static page) has only that one drawn (what the view
        # already holds aside): the same pictures as the view's.
        light = ex.view_backgrounds(themes=["light"])
        assert set(light) == {"main", nx.NARROW + "main"}
        assert "dark" not in light[nx.NARROW + "main"]
        assert light["main"]["light"] == ex.view.background["light"]
        assert set(ex.view_backgrounds()) == {"main", nx.NARROW + "main"}
        with pytest.raises(ValueError, match="themes must be some of"):
            ex.view_backgrounds(themes=["sepia"])
        with pytest.raises(ValueError, match="no background"):
            ex.view._draw(nx.NARROW + "other")
    finally:
        ex.close()
    with pytest.raises(ValueError, match="no background"):
        shared["training"].view._draw(nx.NARROW + str(nx.EPOCHS_MAX + 1000))
