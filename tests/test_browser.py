"""The course's interactive explorers, driven in a real JupyterLab in headless Chromium.

One JupyterLab server (127.0.0.1, a free port, a random token) and one Chromium serve the
session. For each notebook with an explorer the test opens the notebook as a learner would,
clears its stored outputs, runs every cell from the Run menu, moves the explorer's sliders with
the keyboard and clicks its buttons, and checks that the readout and the plot change, and that
no error shows anywhere:

* in the notebook: an error or a warning in any cell's output, a widget that failed to render;
* on the kernel's websocket: the errors of widget callbacks. ipywidgets reports them in reply to
  the comm message that ran the callback, and JupyterLab shows those in its log console, never
  in a cell, so only the websocket sees them;
* in the server's log: a traceback (the kernel's own stderr goes there), or a save of a notebook.

Screenshots go to tests/artifacts/: one per notebook after the interactions (05_training.png),
and a ``-FAILED`` one when a test fails. Run with ``make browser``.

The server, the pages and the error checks are the harness in tests/labharness.py; the fixtures
``lab`` and ``browser`` are in tests/conftest.py. Here: what each explorer must do, and the tests.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from labharness import (
    ARTIFACTS,
    CHANGE_TIMEOUT,
    NOTEBOOKS,
    ExplorerView,
    LabServer,
    notebook_page,
    report,
    running_lab,
)

pytestmark = pytest.mark.browser


# ---------------------------------------------------------------------------------------------
# What each notebook's explorer must do
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Explorer:
    notebook: str
    css_class: str  # besides nc-explorer
    # Moved in this order, three keyboard steps each: each move must change readout and plot.
    sliders: tuple[str, ...]
    step_button: str | None = None  # each click must change the readout and the plot
    reset_button: str | None = None  # must change them, and put reset_slider to its minimum
    reset_slider: str | None = None
    diverging_slider: str | None = None  # at its maximum (End key) the readout says "diverg..."
    play: bool = False  # its Play widget must animate the plot
    # Values the notebooks name, set in the browser (keyed with arrows for a selection slider,
    # typed into the readout otherwise): (slider, what to key or type, what the slider must
    # show, what the explorer's readout must then contain).
    named: tuple[tuple[str, str, str, str], ...] = ()
    start: tuple[tuple[str, str], ...] = ()  # (slider, what it shows right after Run All)


EXPLORERS = [
    Explorer(
        "02_forward.ipynb",
        "nc-hand-fit-explorer",
        sliders=("w", "b"),
        start=(("w", "180.0"), ("b", "32.0")),  # 02 sets the true rule from code at the end
        named=(
            ("w", "100", "100.0", "w = 100 (that is 1.0000 °F per °C)"),
            ("b", "0", "0.0", "your loss: 1450.67"),
            ("w", "180", "180.0", "w = 180 (that is 1.8000 °F per °C)"),
            ("b", "32", "32.0", "your loss: 0.00"),
        ),
    ),
    Explorer(
        "04_optimizer_step.ipynb",
        "nc-step-explorer",
        # steps first: with no step taken, lr changes the readout ("next step") but not the plot.
        sliders=("steps", "lr"),
        step_button="Step",
        reset_button="Reset",
        reset_slider="steps",
        named=(
            ("lr", "1.05", "1.05", "1.05 ×"),
            ("steps", "3", "3", "after 3 steps"),
        ),
    ),
    Explorer(
        "05_training.ipynb",
        "nc-training-explorer",
        sliders=("lr", "epochs"),
        diverging_slider="lr",
        play=True,
        named=(
            ("lr", "0.9", "0.9", "epoch"),
            ("epochs", "30", "30", "epoch 30 of 30"),
        ),
    ),
]



# ---------------------------------------------------------------------------------------------
# Using an explorer, checking that each control does something
# ---------------------------------------------------------------------------------------------


def exercise(explorer: ExplorerView, spec: Explorer) -> None:
    """Use every control of the explorer as spec says, checking that each one does something."""
    name = spec.notebook
    explorer.root.scroll_into_view_if_needed()
    state = explorer.state()
    assert state[0], f"{name}: the readout is empty"
    unlabelled = explorer.unlabelled_controls()
    assert not unlabelled, f"{name}: controls without a visible label: {unlabelled}"
    for description, shown in spec.start:
        assert explorer.shown_value(description) == shown, (
            f"{name}: after Run All, slider {description!r} shows "
            f"{explorer.shown_value(description)!r}, not {shown!r}"
        )

    for description, value, shown, readout in spec.named:
        if explorer.slider_box(description).locator(".widget-readout[contenteditable]").count():
            explorer.type_value(description, value)
        else:
            explorer.key_to(description, value)
        explorer.page.wait_for_timeout(300)
        deadline = time.monotonic() + CHANGE_TIMEOUT / 1000
        while readout not in explorer.readout_text() and time.monotonic() < deadline:
            explorer.page.wait_for_timeout(100)
        assert explorer.shown_value(description) == shown, (
            f"{name}: slider {description!r} set to {value!r} shows "
            f"{explorer.shown_value(description)!r}"
        )
        assert readout in explorer.readout_text(), (
            f"{name}: with {description} = {value} the readout does not say {readout!r}: "
            f"{explorer.readout_text()!r}"
        )
    state = explorer.state()

    for description in spec.sliders:
        explorer.nudge(description)
        state = explorer.wait_for_change(state, f"moving slider {description!r}")

    if spec.step_button:  # from the keyboard: focus and Enter
        explorer.button(spec.step_button).focus()
        explorer.page.keyboard.press("Enter")
        state = explorer.wait_for_change(state, f"Enter on {spec.step_button!r}")

    if spec.reset_button:
        explorer.button(spec.reset_button).click()
        state = explorer.wait_for_change(state, f"clicking {spec.reset_button!r}")
        if spec.reset_slider:
            handle = explorer.slider(spec.reset_slider)
            value = handle.get_attribute("aria-valuenow")
            low = handle.get_attribute("aria-valuemin")
            assert float(value) == float(low), (
                f"{name}: after {spec.reset_button!r} slider {spec.reset_slider!r} shows "
                f"{value}, not its minimum {low}"
            )
        if spec.step_button:  # and stepping works again from the start
            explorer.button(spec.step_button).click()
            state = explorer.wait_for_change(state, f"clicking {spec.step_button!r} after reset")

    if spec.play:
        explorer.key_to("lr", "0.5")  # a run that converges...
        state = explorer.wait_for_change(state, "keying lr to 0.5")
        explorer.press("epochs", "End")  # ...over 1000 epochs: Play lasts long enough to pause
        state = explorer.wait_for_change(state, "End on slider 'epochs'")
        play = explorer.root.locator("button.nc-play:has(.fa-play)")
        assert play.count() == 1, f"{name}: no Play button in the explorer"
        canvas = explorer.root.locator("canvas.nc-canvas")
        paints = int(canvas.get_attribute("data-paints"))
        play.focus()
        explorer.page.keyboard.press("Enter")  # from the keyboard
        # Play draws in the browser: count its paints and the epochs they show (hashing the
        # canvas is too slow to follow it on a busy machine).
        frames, readouts = set(), set()
        for _ in range(15):
            explorer.page.wait_for_timeout(100)
            frames.add(canvas.get_attribute("data-frame"))
            readouts.add(explorer.readout_text())
        painted = int(canvas.get_attribute("data-paints")) - paints
        assert len(frames) >= 3 and painted >= 5, (
            f"{name}: the plot does not animate after pressing Play "
            f"({painted} paints, epochs {sorted(frames)})"
        )
        assert len(readouts) >= 3, f"{name}: the readout does not follow Play"
        shown = int(float(explorer.slider("epoch shown").get_attribute("aria-valuenow")))
        assert 0 < shown < 1000, f"{name}: the epoch shown does not follow Play ({shown})"
        pause = explorer.root.locator("button.nc-play:has(.fa-pause)")
        assert pause.count() == 1, f"{name}: Play ended in {CHANGE_TIMEOUT} ms, or shows no Pause"
        pause.click()
        explorer.nb.wait_for_kernel_idle()
        explorer.page.wait_for_timeout(500)
        stopped = int(float(explorer.slider("epoch shown").get_attribute("aria-valuenow")))
        explorer.page.wait_for_timeout(500)
        after = int(float(explorer.slider("epoch shown").get_attribute("aria-valuenow")))
        assert after == stopped and 0 < stopped < 1000, (
            f"{name}: after Pause the epoch shown moved on ({stopped} → {after})"
        )
        assert explorer.readout_text().startswith(f"epoch {stopped} of 1000"), (
            f"{name}: after Pause at epoch {stopped} the readout says "
            f"{explorer.readout_text()!r}"
        )
        state = explorer.state()

    if spec.diverging_slider:  # last, so that the screenshot shows a diverging run
        explorer.press(spec.diverging_slider, "End")
        state = explorer.wait_for_change(state, f"End on slider {spec.diverging_slider!r}")
        assert "diverg" in state[0].lower(), (
            f"{name}: at the largest {spec.diverging_slider!r} the readout does not say that "
            f"training diverges: {state[0]!r}"
        )
        # The counts agree: "epoch K of K" with K where the run was stopped, and the epoch shown.
        counts = re.match(r"epoch (\d+) of (\d+)", state[0])
        stopped = re.search(r"stopped after (\d+) of the (\d+) epochs asked", state[0])
        assert counts and stopped, f"{name}: the diverged readout lacks its counts: {state[0]!r}"
        shown = str(int(float(explorer.slider("epoch shown").get_attribute("aria-valuenow"))))
        assert counts[1] == counts[2] == stopped[1] == shown, (
            f"{name}: counts disagree after divergence: {state[0]!r}, epoch shown {shown}"
        )
        said = explorer.root.locator("canvas.nc-canvas").get_attribute("aria-label")
        assert "diverged" in said and "the line has left the chart" in said, (
            f"{name}: the plot does not show that the run diverged: {said!r}"
        )
        assert stopped[2] == explorer.shown_value("epochs"), (
            f"{name}: epochs asked {stopped[2]} but the slider shows "
            f"{explorer.shown_value('epochs')}"
        )


def check_explorer(browser, lab: LabServer, spec: Explorer, artifacts: Path = ARTIFACTS) -> None:
    with notebook_page(browser, lab, spec.notebook, artifacts) as nb:
        nb.open()
        nb.run_all()
        nb.assert_no_errors("after Run All Cells")
        explorer = ExplorerView(nb, spec.css_class)
        try:
            exercise(explorer, spec)
        except AssertionError as failure:
            errors = nb.all_errors()  # most often the reason why nothing changed
            if errors:
                raise AssertionError(f"{failure}\n\nerrors:\n\n" + report(errors)) from None
            raise
        nb.wait_for_kernel_idle()
        nb.page.wait_for_timeout(300)
        explorer.root.scroll_into_view_if_needed()
        nb.screenshot()
        nb.assert_no_errors("after using the explorer")


# ---------------------------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param(
            spec,
            id=spec.notebook,
            marks=pytest.mark.skipif(
                not (NOTEBOOKS / spec.notebook).exists(), reason="notebook not written yet"
            ),
        )
        for spec in EXPLORERS
    ],
)
def test_explorer(browser, lab, spec):
    check_explorer(browser, lab, spec)


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


def test_a_failing_callback_fails_the_check(browser, tmp_path):
    """The checks see an error that a learner would not see in any cell.

    This explorer redraws like a good one, then raises: only the kernel's websocket carries the
    traceback. If a JupyterLab or ipywidgets upgrade moved it, the tests above would go blind to
    broken callbacks; this test would fail instead.
    """
    import nbformat

    root = tmp_path / "notebooks"
    root.mkdir()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(BROKEN_EXPLORER)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, root / "broken.ipynb")
    spec = Explorer("broken.ipynb", "nc-broken-explorer", sliders=("w",))
    with running_lab(root) as lab:
        with pytest.raises(AssertionError, match="a callback that fails after drawing"):
            check_explorer(browser, lab, spec, artifacts=tmp_path)
    assert (tmp_path / "broken.png").exists()
