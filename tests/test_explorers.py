"""The explorers driven from Python, as a hand on the sliders would drive them.

The live view is drawn in the browser (neuron_explorers.js; tests/test_browser.py drives it in
JupyterLab); here: the controls hold exactly the values the notebooks name, the data sent to
the browser is the run the kernel computed, the static copy and the live view share one
description of the figure, the readout's template fills the same in Python and in JavaScript
(node), arguments are checked like the math's, and an explorer's life ends cleanly.
"""

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
import numpy as np
import pytest
import traitlets
from hypothesis import given, settings
from hypothesis import strategies as st

import neuron_core as nc
import neuron_explorers as nx

matplotlib.use("Agg")
pytestmark = pytest.mark.filterwarnings("error")  # no overflow or matplotlib warning may escape

REPO = Path(__file__).resolve().parents[1]
# The learning rates of the course design (notes/COURSE_DESIGN.md), typed here independently.
COURSE_LRS = ["0.001", "0.002", "0.005", "0.01", "0.02", "0.05", "0.1", "0.2", "0.3", "0.5",
              "0.7", "0.8", "0.9", "0.95", "1", "1.05", "1.1", "1.2", "1.5", "2", "3"]
NAMED_LRS = [0.1, 0.5, 0.9, 0.95, 1.0, 1.05]  # the values the notebooks ask a learner to set


@pytest.fixture
def data():
    celsius, fahrenheit = nc.make_dataset()
    return nc.scale_inputs(celsius), fahrenheit


def run_sent(explorer):
    """The run the browser shows: the training explorer sends one per learning rate."""
    data = explorer.plot.data
    return data["runs"][explorer.lr.index] if "runs" in data else data


def sent(explorer, name):
    """An array as the browser receives it."""
    return np.frombuffer(run_sent(explorer)["arrays"][name], dtype="<f8")


def artist(explorer, name):
    return explorer._view.artists[name]


def instances():
    """Every widget alive in this process."""
    return ipywidgets.widgets.widget._instances


def drawn(line):
    return [np.asarray(v, dtype=float) for v in line.get_data()]


# ---------------------------------------------------------------------------------------------
# Controls show exactly what the text says
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", ["training_explorer", "step_explorer"])
def test_the_lr_control_offers_exactly_the_course_values(data, make):
    ex = getattr(nc, make)(*data)
    assert isinstance(ex.lr, ipywidgets.SelectionSlider)
    assert list(ex.lr._options_labels) == COURSE_LRS  # the labels the browser shows
    for position, value in enumerate(NAMED_LRS):
        ex.lr.value = value
        assert ex.lr.label == f"{value:g}" and ex.lr.value == value
        assert ex.lr.index == COURSE_LRS.index(f"{value:g}")  # its place on the slider
        assert ex.history.lr == value
        del position


def test_an_lr_between_the_choices_is_added_and_shown_exactly(data):
    ex = nc.training_explorer(*data, lr=0.25)
    assert ex.lr.label == "0.25" and ex.lr.value == 0.25 and ex.history.lr == 0.25
    assert len(ex.lr.options) == len(COURSE_LRS) + 1


@pytest.mark.parametrize("epochs", [1, 7, 30, 200, 1000])
def test_epochs_named_are_held_and_every_count_agrees(data, epochs):
    ex = nc.training_explorer(*data, lr=0.9)
    ex.epochs.value = epochs
    assert isinstance(ex.epochs, ipywidgets.IntSlider) and ex.epochs.value == epochs
    assert ex.history.epochs == epochs == ex.frame.max == ex.frame.value
    assert ex.readout.value.startswith(f"epoch {epochs} of {epochs}:")
    assert len(sent(ex, "loss")) == epochs + 1


def test_after_divergence_the_counts_still_agree(data):
    ex = nc.training_explorer(*data, lr=0.5, epochs=200)
    ex.lr.value = 1.2
    h = ex.history
    assert h.diverged and h.epochs < 200
    assert ex.frame.max == ex.frame.value == h.epochs == len(sent(ex, "loss")) - 1
    text = ex.readout.value
    assert text.startswith(f"epoch {h.epochs} of {h.epochs}:")
    assert f"stopped after {h.epochs} of the {ex.epochs.value} epochs asked" in text
    assert "lr = 1.2 diverged" in text
    ex.frame.value = 3
    assert ex.readout.value.startswith(f"epoch 3 of {h.epochs}:")
    ex.lr.value = 0.5
    assert not ex.history.diverged and "diverged" not in ex.readout.value


def test_hand_fit_sliders_start_exactly_and_hold_the_true_rule(data):
    x, y = data
    ex = nc.hand_fit_explorer(x, y, w=100.0, b=0.0)
    assert (ex.w.value, ex.b.value) == (100.0, 0.0)
    assert "your loss: <b>1450.67</b>" in ex.readout.value  # the loss notebook 02 names
    for slider, value in ((ex.w, 180.0), (ex.b, 32.0), (ex.w, 100.5)):
        steps = (value - slider.min) / slider.step
        assert steps == int(steps), f"{value} is not on the {slider.description} grid"
        assert slider.step == 0.5 and slider.readout_format == ".1f"
    ex.w.value, ex.b.value = 180.0, 32.0
    assert (ex.w.value, ex.b.value) == (180.0, 32.0)
    assert ex.loss < 1e-20 and "you beat gradient descent" in ex.readout.value
    assert ex.loss == pytest.approx(np.mean((180 * x + 32 - y) ** 2), abs=1e-20)


def test_hand_fit_sends_the_guess_and_its_errors(data):
    x, y = data
    ex = nc.hand_fit_explorer(x, y)
    ex.w.value, ex.b.value = 150.0, 30.0
    assert ex.plot.data["vars"]["w"] == 150.0 and ex.plot.data["vars"]["b"] == 30.0
    np.testing.assert_array_equal(sent(ex, "y_hat"), 150.0 * x + 30.0)
    assert ex.loss == pytest.approx(np.mean((150 * x + 30 - y) ** 2))
    assert f"your loss: <b>{ex.loss:.2f}</b>" in ex.readout.value and "keep going" in \
        ex.readout.value
    ex.figure  # noqa: B018 - the static copy draws the same guess
    assert drawn(artist(ex, "guess")) == [np.array([150.0]), np.array([30.0])]
    assert len(artist(ex, "errors").get_segments()) == len(x)


def test_step_explorer_counts_and_the_bounce_of_b_is_in_view(data):
    x, y = data
    ex = nc.step_explorer(x, y, lr=1.05)
    ex.steps.value = 3
    h = ex.history
    assert h.epochs == 3 and ex.readout.value.startswith("after 3 steps:")
    w, b, bs = 1.0, 0.0, [0.0]
    for _ in range(3):
        w, b = nc.step(w, b, *nc.gradients(x, y, w, b), lr=1.05)
        bs.append(b)
    assert [int(v) for v in bs] == [0, 67, -6, 74]  # the bounce notebook 04 describes
    low, high = ex.plot.spec["panels"]["surface"]["ylim"]
    assert low < min(bs) and max(bs) < high  # the b axis holds the whole bounce
    assert ex.figure.axes[0].get_ylim() == (low, high)
    np.testing.assert_allclose(drawn(artist(ex, "path"))[1], bs, rtol=1e-12)


def test_step_explorer_buttons_and_a_run_that_is_stopped(data):
    x, y = data
    ex = nc.step_explorer(x, y, lr=0.5)
    assert ex.history.epochs == 0 and ex.readout.value.startswith("after 0 steps:")
    ex.step_button.click()
    ex.step_button.click()
    assert ex.steps.value == 2 == ex.history.epochs
    assert ex.readout.value.startswith(f"after 2 steps: w = {ex.history.w:.4g}")
    ex.reset_button.click()
    assert ex.steps.value == 0
    ex.lr.value = 3.0  # runs away: the run is stopped early, and the slider ends there too
    stopped = ex.steps.max
    assert stopped < 40
    ex.steps.value = ex.steps.max
    h = ex.history
    assert h.diverged and h.epochs == stopped == ex.steps.value
    assert f"after {stopped} steps" in ex.readout.value
    assert f"stopped after {stopped} steps" in ex.readout.value
    for _ in range(3):
        ex.step_button.click()  # cannot go past where the run stopped
    assert ex.steps.value == stopped


# ---------------------------------------------------------------------------------------------
# What the browser receives, and the static copy: one description
# ---------------------------------------------------------------------------------------------


def test_the_browser_receives_every_learning_rates_run(data):
    """Moving lr is drawn in the browser from runs sent when the epochs change."""
    x, y = data
    ex = nc.training_explorer(x, y, lr=0.5, epochs=200)
    ex.epochs.value = 30
    runs = ex.plot.data["runs"]
    assert [run["vars"]["lr"] for run in runs] == [float(v) for v in COURSE_LRS]
    for run in runs:
        expected = nc.train(x, y, lr=run["vars"]["lr"], epochs=30)
        for name, values in (("loss", expected.losses), ("w", expected.ws), ("b", expected.bs)):
            np.testing.assert_array_equal(np.frombuffer(run["arrays"][name], "<f8"), values)
        assert run["vars"]["diverged"] == expected.diverged
    sent_before = ex.plot.data
    ex.lr.value = 0.05  # the kernel only follows: the same data, the frame at the new run's end
    assert ex.plot.data is sent_before
    assert ex.history.lr == 0.05 and ex.frame.value == ex.history.epochs == 30


def explorers(x, y):
    return {"training": nc.training_explorer(x, y), "hand_fit": nc.hand_fit_explorer(x, y),
            "step": nc.step_explorer(x, y, lr=1.05)}


def test_live_and_static_views_share_one_description(data):
    for kind, ex in explorers(*data).items():
        spec, fig = ex.plot.spec, ex.figure
        assert spec["kind"] == kind
        width, height = spec["size"]
        png = ex.plot.background
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (
            width, height) == tuple(int(v) for v in fig.bbox.size)  # as Agg sizes its canvas
        for name, ax in ex._view.panels.items():
            panel = spec["panels"][name]
            assert ax in fig.axes
            assert tuple(panel["xlim"]) == ax.get_xlim() and tuple(panel["ylim"]) == ax.get_ylim()
            assert (panel["xscale"], panel["yscale"]) == (ax.get_xscale(), ax.get_yscale())
            assert (panel["xlabel"], panel["ylabel"], panel["title"]) == (
                ax.get_xlabel(), ax.get_ylabel(), ax.get_title())
            x0, y0, x1, y1 = ax.get_window_extent().extents
            np.testing.assert_allclose(panel["box"], [x0, height - y1, x1 - x0, y1 - y0])
        for name, style in spec["artists"].items():
            drawn_by_matplotlib = ex._view.artists[name]
            assert drawn_by_matplotlib.figure is fig
            assert style == nx._style(drawn_by_matplotlib) | (
                {"text": style["text"]} if "text" in style else {})


def test_moving_parts_have_the_course_colours(data):
    colors = {name: matplotlib.colors.to_hex(c) for name, c in nc.COLORS.items()}
    ex = explorers(*data)
    styles = {kind: e.plot.spec["artists"] for kind, e in ex.items()}
    assert styles["training"]["curve"]["color"] == colors["model"]
    assert styles["training"]["warning"]["color"] == colors["bad"]
    assert styles["training"]["warning"]["text"] == "diverged"
    assert styles["training"]["off_chart"]["text"] == "the line has left the chart"
    assert styles["hand_fit"]["errors"]["color"] == colors["bad"]
    assert styles["step"]["path"]["color"] == colors["path"]


def test_the_static_copy_shows_divergence_and_the_line_leaving(data):
    ex = nc.training_explorer(*data)
    ex.lr.value = 3.0
    ex.figure  # noqa: B018
    assert artist(ex, "warning").get_text() == "diverged"
    assert artist(ex, "off_chart").get_text() == "the line has left the chart"
    assert np.isfinite(drawn(artist(ex, "curve"))[1]).all()
    ex.frame.value = 0
    ex.figure  # noqa: B018
    assert artist(ex, "warning").get_text() == "" and artist(ex, "off_chart").get_text() == ""


def node():
    found = shutil.which("node")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node is required in CI (it comes with npm)", pytrace=False)
        pytest.skip("node not installed")
    return found


def run_js(code):
    script = (f"import {{ fill, formatNumber, frameVars }} from "
              f"{json.dumps((REPO / 'neuron_explorers.js').as_uri())};\n{code}")
    done = subprocess.run([node(), "--input-type=module", "-e", script], capture_output=True,
                          text=True, check=True, timeout=60)
    return json.loads(done.stdout)


def test_javascript_formats_numbers_as_python_does():
    rng = np.random.default_rng(0)
    numbers = [0.0, -0.0, 1.0, 180.0, 32.0, 1450.6666666666667, 2.21e-09, 1e-05, 0.0001,
               123456.0, 99999.5, 0.95, 1.05, -774413.835, 5.998e11, 1e21, 3.5e22, math.inf,
               -math.inf, math.nan, *(10.0 ** rng.uniform(-30, 30, 200) * rng.choice([-1, 1],
                                                                                     200))]
    specs = [(4, "g"), (3, "g"), (2, "f"), (3, "f"), (4, "f")]
    as_js = {"inf": "Infinity", "-inf": "-Infinity", "nan": "NaN"}
    texts = [as_js.get(repr(float(v)), repr(float(v))) for v in numbers]
    got = run_js(f"const xs = {json.dumps(texts)}.map(Number);"
                 f"const specs = {json.dumps(specs)};"
                 "console.log(JSON.stringify(xs.map(x => specs.map(([d, k]) => "
                 "formatNumber(x, d, k)))));")
    want = [[format(v, f".{d}{k}") for d, k in specs] for v in numbers]
    assert got == want


def python_values(ex):
    return {name: (v.item() if hasattr(v, "item") else v) for name, v in ex._values().items()}


def unescaped(template):
    return template.replace("{{", "{").replace("}}", "}")


def test_javascript_fills_the_readout_as_python_does(data):
    """What the browser shows (while it plays, too) is what Python says, frame by frame."""
    ex = nc.training_explorer(*data, lr=0.5, epochs=200)
    for lr in (0.5, 1.2):
        ex.lr.value = lr
        run = run_sent(ex)
        arrays = {name: np.frombuffer(v, "<f8").tolist() for name, v in run["arrays"].items()}
        for k in (0, 1, 7, ex.history.epochs):
            ex.frame.value = k
            got = run_js(
                f"const arrays = Object.fromEntries(Object.entries({json.dumps(arrays)})"
                ".map(([n, v]) => [n, Float64Array.from(v)]));"
                f"const vars = {{...frameVars({{vars: {json.dumps(run['vars'])}, arrays}}, {k},"
                f" {ex.plot.spec['scale']}), k: {k}, K: {ex.history.epochs}}};"
                f"let html = fill({json.dumps(ex._template)}, vars);"
                f"if (vars.diverged) html += '<br>' + fill({json.dumps(run['diverged_template'])},"
                " vars);"
                "console.log(JSON.stringify(html));")
            assert got == ex.readout.value
    for other in (nc.hand_fit_explorer(*data), nc.step_explorer(*data, lr=1.05)):
        if hasattr(other, "steps"):
            other.steps.value = 4
        values = python_values(other)
        got = run_js(f"const v = {json.dumps(values)};"
                     f"console.log(JSON.stringify(fill({json.dumps(other._template)}, v)));")
        assert got + ("<br>" + unescaped(other._diverged_template)
                      if values.get("diverged") else "") == other.readout.value


# ---------------------------------------------------------------------------------------------
# Play, and driving from code
# ---------------------------------------------------------------------------------------------


def test_play_outside_a_kernel_jumps_to_the_end(data):
    ex = nc.training_explorer(*data, epochs=100)
    ex.frame.value = 10
    assert ex.readout.value.startswith("epoch 10 of 100")
    ex.play.value = True  # no browser here: Play shows the end at once
    assert ex.frame.value == 100 and ex.play.value is False
    assert ex.play.description == "Play"


def test_play_settings_reach_the_browser(data):
    ex = nc.training_explorer(*data)
    assert ex.plot.spec["play"] == {"seconds": nc.PLAY_SECONDS, "min_speed": nx.PLAY_MIN_SPEED}
    assert ex.plot.controls == {"frame": ex.frame, "play": ex.play, "lr": ex.lr}


@pytest.mark.parametrize("epochs", [1, 1000])
@pytest.mark.parametrize("end", [0, -1])
def test_every_slider_extreme_draws_and_never_warns(data, epochs, end):
    x, y = data
    ex, step = nc.training_explorer(x, y), nc.step_explorer(x, y)
    lr = nc.LR_CHOICES[end]
    ex.epochs.value = epochs
    ex.lr.value = lr
    step.lr.value = lr
    step.steps.value = step.steps.max
    for explorer in (ex, step):
        history = explorer.history
        assert np.isfinite(history.losses).all() and explorer.plot.background
        assert history.diverged == (end == -1)  # 3 is past the threshold, 0.001 is not
        assert ("diverge" in explorer.readout.value) == history.diverged
        explorer.figure  # noqa: B018 - the static copy draws too
    hand = nc.hand_fit_explorer(x, y)
    for slider in (hand.w, hand.b):
        for value in (slider.min, slider.max):
            slider.value = value
            assert np.isfinite(hand.loss) and f"{hand.loss:.2f}" in hand.readout.value
    hand.figure  # noqa: B018


# ---------------------------------------------------------------------------------------------
# Arguments checked as the math checks them; a NaN refused; the caller's arrays copied
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "kwargs", "error", "named"),
    [
        ("training_explorer", {"scale": 0}, ValueError, "scale"),
        ("hand_fit_explorer", {"w": "a"}, TypeError, "w"),
        ("training_explorer", {"lr": -1}, ValueError, "lr"),
        ("training_explorer", {"lr": 100}, ValueError, "lr"),
        ("step_explorer", {"lr": 0}, ValueError, "lr"),
        ("training_explorer", {"epochs": 0}, ValueError, "epochs"),
        ("training_explorer", {"epochs": 2.5}, TypeError, "epochs"),
        ("training_explorer", {"epochs": None}, TypeError, "epochs"),
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


def test_bad_data_is_refused_by_name():
    with pytest.raises(ValueError, match="^x and y must have the same length"):
        nc.training_explorer([0.1, 0.2], [1.0])


def test_a_nan_fed_to_a_control_is_refused_and_the_explorer_stays_usable(data):
    hand, ex = nc.hand_fit_explorer(*data), nc.training_explorer(*data)
    for slider in (hand.w, ex.lr, ex.epochs, ex.frame):
        before = slider.value
        with pytest.raises(traitlets.TraitError):
            slider.value = math.nan
        assert slider.value == before
    hand.w.value = 150.0
    ex.lr.value = 0.9
    assert "your loss" in hand.readout.value and ex.history.lr == 0.9


def test_an_explorer_copies_the_callers_arrays(data):
    x, y = (np.array(a) for a in data)
    ex = nc.training_explorer(x, y, lr=0.5)
    x *= 10  # the caller reuses its array
    y[:] = 0
    ex.lr.value = 0.1
    np.testing.assert_array_equal(ex.history.losses, nc.train(*data, lr=0.1, epochs=200).losses)


# ---------------------------------------------------------------------------------------------
# Life cycle and names
# ---------------------------------------------------------------------------------------------


def test_close_frees_every_widget_and_the_figure(data):
    alive = len(instances())
    for _ in range(10):
        for ex in explorers(*data).values():
            ex.close()
            assert ex._view is None
            with pytest.raises(ValueError, match="closed"):
                ex.figure  # noqa: B018
    assert len(instances()) == alive


def test_rerunning_a_cell_replaces_its_explorer(data, monkeypatch):
    monkeypatch.setattr(nx, "_cell_id", lambda: "cell-42")
    first = nc.training_explorer(*data)
    second = nc.training_explorer(*data)
    assert first._view is None and first.comm is None  # closed
    assert second._view is not None and second.comm is not None
    monkeypatch.setattr(nx, "_cell_id", lambda: "cell-43")
    other = nc.hand_fit_explorer(*data)
    assert second._view is not None and other._view is not None  # another cell: kept
    for ex in (second, other):
        ex.close()


@pytest.mark.parametrize("make", ["training_explorer", "hand_fit_explorer", "step_explorer"])
def test_every_public_attribute_is_documented(data, make):
    ex = getattr(nc, make)(*data)
    doc = getattr(nc, make).__doc__
    box = ipywidgets.VBox()
    public = {name for name in vars(ex) if not name.startswith("_")} - set(vars(box))
    public |= {"history", "figure", "readout", "plot"} - ({"history"} if make ==
                                                          "hand_fit_explorer" else set())
    assert public, "no attributes found"
    for name in public:
        assert f"``{name}``" in doc, f"{make}: attribute {name!r} is not in its docstring"
        assert not hasattr(box, name) or name in ("close",), f"{name!r} clashes with VBox"
    box.close()


def test_no_warning_escapes_a_diverging_explorer(data):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            ex = nc.training_explorer(*data, lr=3.0, epochs=1000)
            ex.figure  # noqa: B018
            step = nc.step_explorer(*data, lr=3.0)
            step.steps.value = step.steps.max
    assert ex.history.diverged and step.history.diverged


ODD = (st.none() | st.booleans() | st.text(max_size=3) | st.integers(-10**30, 10**30)
       | st.floats(allow_nan=True, allow_infinity=True) | st.lists(st.floats(), max_size=2))


@settings(max_examples=40, deadline=None)
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
