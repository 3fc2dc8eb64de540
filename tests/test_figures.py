"""Every figure of the course, compared with a baseline image.

Two kinds of figure, two comparisons, one tolerance (an RMS difference of 2 on the 0-255 scale
of each colour channel, pytest-mpl's default; matplotlib's ``compare_images`` computes it):

* The plots of ``neuron_ui`` (this file, pytest-mpl). ``test_a_notebook_plot_call`` evaluates
  the very text of every ``nc.plot_*`` call in ``instructor/*.ipynb`` (cell by cell, on axes
  made as the cell makes them, with the data the notebooks make), and a test fails when the
  notebooks' calls differ from that list; the other options of the plot functions are drawn
  too. pytest-mpl compares each PNG with its baseline in ``tests/baseline/figures/``
  (``--mpl`` is in pyproject's addopts, and a test fails without it, so the images cannot go
  unchecked).
* The figures the notebooks' cells draw (their own ``plt`` code around these plots): during
  ``make notebooks``, nbval runs each notebook once, and ``tests/nbval_figures.py`` compares
  every ``image/png`` a cell outputs with the one committed in that cell, at the same
  tolerance (nbval itself skips images). Cells tagged ``nbval-ignore-output`` or
  ``nbval-skip`` (the live explorers) are not compared. The notebooks are not run again for it.

To update the baselines after an intended change of a plot:
``.venv/bin/python -m pytest tests/test_figures.py --mpl-generate-path=tests/baseline/figures``;
for a notebook figure, re-execute the notebook (``make execute``) and commit its outputs.
Figures are deterministic: fixed data and seeds, and PNGs without the "Software" or date
metadata (``deterministic=True``).
"""

import ast
import base64
import io
import json
from pathlib import Path

import matplotlib.pyplot as plt
import nbval_figures
import numpy as np
import pytest

import neuron_core as nc

COMPARE = pytest.mark.mpl_image_compare(baseline_dir="baseline/figures", tolerance=2,
                                        style="default", deterministic=True)

ROOT = Path(__file__).resolve().parent.parent


def test_image_comparison_is_switched_on(pytestconfig):
    assert pytestconfig.getoption("--mpl"), "pytest-mpl compares images only with --mpl"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def course_axes(ncols=1, figsize=None, **kwargs):
    """The axes a notebook cell makes for a plot, in the course's style."""
    with plt.rc_context(nc.STYLE):
        return plt.subplots(1, ncols, figsize=figsize, layout="constrained", **kwargs)[1]


# -- the calls the notebooks make --------------------------------------------------------------

# Every nc.plot_* call in instructor/*.ipynb, by cell, as ast.unparse writes it, with the axes the
# cell makes for it (None: the plot makes its own). The test evaluates these very texts, and
# test_every_plot_call_of_the_notebooks_is_drawn_here fails when a notebook's calls change.
NOTEBOOK_CELLS = {
    "01_data-edbe3318": (None, ["nc.plot_data(celsius, fahrenheit)"]),
    "01_data-917e34e6": ({"ncols": 2, "figsize": (11, 3.3)}, [
        "nc.plot_data(celsius, noisy_fahrenheit, ax=axes[0], held_out=False, "
        "title='noisy readings')"]),
    "02_forward-501c7bc2": ({"ncols": 2, "figsize": (11, 4), "sharey": True}, [
        "nc.plot_fit(x, y, w=100.0, b=0.0, ax=axes[0], title='a guess: w = 100, b = 0', "
        "residuals=True)",
        "nc.plot_fit(x, y, w=180.0, b=32.0, ax=axes[1], title='the truth: w = 180, b = 32')"]),
    "03_derivative-afbf675d": ({"ncols": 2, "figsize": (11, 4), "sharey": True}, [
        "nc.plot_slope('w', np.linspace(0, 200, 121), lambda v: loss_at(v, b), w, dw, reach=40, "
        "ax=ax_w)",
        "nc.plot_slope('b', np.linspace(-100, 100, 121), lambda v: loss_at(w, v), b, db, "
        "reach=15, ax=ax_b)"]),
    "03_derivative-e680dfe6": ({"figsize": (9, 5)}, [
        "nc.plot_loss_surface(x, y, ax=ax, w_lim=(40, 320), b_lim=(-40, 100))"]),
    "04_optimizer_step-c7542d65": (None, ["nc.plot_b_paths(x, y, lrs, steps=6, titles=titles)"]),
    "04_optimizer_step-4a197e2a": (None, ["nc.plot_factors(x)"]),
    "05_training-6356dbf1": (None, ["nc.plot_losses(history)"]),
    "05_training-a587e586": (None, [
        "nc.plot_losses(printed, article.losses, labels=['what the article prints', "
        "\"the model's true loss (MSE)\"])"]),
}


def notebook_names():
    """The names the notebooks' plot calls use, made as the notebooks make them."""
    celsius, fahrenheit = nc.make_dataset()  # every notebook's first cell
    _, noisy_fahrenheit = nc.make_dataset(noise=1.5, seed=0)  # 01 §3
    x, y = nc.scale_inputs(celsius), fahrenheit
    history = nc.train(x, y, lr=0.5, epochs=200)  # 05 §1-2
    article = nc.train(nc.ARTICLE_X, nc.ARTICLE_Y, lr=nc.ARTICLE_LR, epochs=nc.ARTICLE_EPOCHS,
                       reduction="sum")  # 05 §7
    printed = nc.article_model(nc.ARTICLE_X, nc.ARTICLE_Y, nc.ARTICLE_EPOCHS)[2]

    def loss_at(w, b):  # 03's, on the course's data
        return np.mean((w * x + b - y) ** 2)

    w, b, tiny = 100.0, 0.0, 1e-6  # 03's guess and its nudged slopes
    dw = (loss_at(w + tiny, b) - loss_at(w, b)) / tiny
    db = (loss_at(w, b + tiny) - loss_at(w, b)) / tiny
    return {"nc": nc, "np": np, "celsius": celsius, "fahrenheit": fahrenheit, "x": x, "y": y,
            "noisy_fahrenheit": noisy_fahrenheit, "history": history, "article": article,
            "printed": printed, "loss_at": loss_at, "w": w, "b": b, "dw": dw, "db": db,
            "lrs": (0.1, 0.5, 0.95, 1.05),
            "titles": ["creeps", "lands at once", "zig-zags in", "zig-zags out"]}


@pytest.mark.parametrize("cell", list(NOTEBOOK_CELLS))
@COMPARE
def test_a_notebook_plot_call(cell):
    layout, calls = NOTEBOOK_CELLS[cell]
    names = notebook_names()
    if layout is not None:
        layout = dict(layout)  # a copy: the table stays as written
        with plt.rc_context(nc.STYLE):
            _, axes = plt.subplots(1, layout.pop("ncols", 1), layout="constrained", **layout)
        names |= {"axes": axes, "ax": axes}  # 03 names its two panels ax_w, ax_b
        if np.ndim(axes) == 1 and len(axes) == 2:
            names |= {"ax_w": axes[0], "ax_b": axes[1]}
    for call in calls:
        drawn = eval(call, names)  # the notebooks' own text, held in this file
    return np.ravel(drawn)[0].figure  # an Axes, or a row of them


def plot_calls(notebook):
    """The nc.plot_* calls of each code cell of a notebook, as ast.unparse writes them."""
    found = {}
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        try:
            tree = ast.parse("".join(cell["source"]))
        except SyntaxError:  # a cell with a magic or a stub cannot be parsed: it draws nothing
            continue
        calls = [ast.unparse(node) for node in ast.walk(tree)
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                 and isinstance(node.func.value, ast.Name) and node.func.value.id == "nc"
                 and node.func.attr.startswith("plot_")]
        if calls:
            found[f"{notebook.stem}-{cell.get('id')}"] = calls
    return found


def test_every_plot_call_of_the_notebooks_is_drawn_here():
    found = {}
    for notebook in sorted((ROOT / "instructor").glob("*.ipynb")):
        found |= plot_calls(notebook)
    listed = {cell: calls for cell, (_, calls) in NOTEBOOK_CELLS.items()}
    assert found == listed, ("the notebooks' nc.plot_* calls changed: update NOTEBOOK_CELLS and "
                             "the baselines (see this file's docstring)")


# -- helpers the course text asked for, drawing a notebook cell's own figure in one call --------


def loss_at(x, y, w, b):
    return float(np.mean((w * x + b - y) ** 2))  # 03's loss_at, on the course's data


@COMPARE
def test_plot_fit_with_residuals():  # 02 cell 501c7bc2: a guess with its residuals, the truth
    names = notebook_names()
    x, y = names["x"], names["y"]
    axes = course_axes(2, figsize=(11, 4), sharey=True)
    nc.plot_fit(x, y, w=100.0, b=0.0, ax=axes[0], title="a guess: w = 100, b = 0",
                residuals=True)
    return nc.plot_fit(x, y, w=180.0, b=32.0, ax=axes[1], title="the truth: w = 180, b = 32").figure


@COMPARE
def test_plot_slope_along_each_knob():  # 03 cells e1917953 and afbf675d
    names = notebook_names()
    x, y, w, b, tiny = names["x"], names["y"], 100.0, 0.0, 1e-6
    dw = (loss_at(x, y, w + tiny, b) - loss_at(x, y, w, b)) / tiny
    db = (loss_at(x, y, w, b + tiny) - loss_at(x, y, w, b)) / tiny
    ax_w, ax_b = course_axes(2, figsize=(11, 4), sharey=True)
    nc.plot_slope("w", np.linspace(0, 200, 121), lambda v: loss_at(x, y, v, b), w, dw, reach=40,
                  ax=ax_w)
    nc.plot_slope("b", np.linspace(-100, 100, 121), lambda v: loss_at(x, y, w, v), b, db,
                  reach=15, ax=ax_b)
    ax_w.set_title(f"loss along w (b held at {b:g})")
    ax_b.set_title(f"loss along b (w held at {w:g})")
    return ax_w.figure


@COMPARE
def test_plot_b_paths():  # 04 cell c7542d65
    names = notebook_names()
    titles = ["creeps", "lands at once", "zig-zags in", "zig-zags out"]
    return nc.plot_b_paths(names["x"], names["y"], lrs=(0.1, 0.5, 0.95, 1.05), steps=6,
                           titles=titles)[0].figure


def test_plot_b_paths_draws_b_after_each_step():
    # The points are 04's loop: gradients, then step, b kept after each, from w = 1, b = 0.
    names = notebook_names()
    x, y = names["x"], names["y"]
    axes = nc.plot_b_paths(x, y, lrs=[0.5, 0.95], steps=6)
    for ax, lr in zip(axes, [0.5, 0.95], strict=True):
        w, b, path = 1.0, 0.0, [0.0]
        for _ in range(6):
            dw, db = nc.gradients(x, y, w, b)
            w, b = nc.step(w, b, dw, db, lr)
            path.append(b)
        drawn = [line for line in ax.get_lines() if len(line.get_ydata()) == 7]
        assert len(drawn) == 1 and list(drawn[0].get_ydata()) == path
        assert ax.get_lines()[0].get_ydata()[0] == pytest.approx(32.0)  # the best b, dashed


@COMPARE
def test_plot_factors():  # 04 cell 4a197e2a
    return nc.plot_factors(notebook_names()["x"]).figure


def test_plot_factors_threshold_is_where_a_factor_reaches_one():
    x = notebook_names()["x"]
    ax = nc.plot_factors(x)
    b_line, w_line, threshold = ax.get_lines()[:3]
    lrs = b_line.get_xdata()
    first_above = lrs[np.argmax(np.maximum(b_line.get_ydata(), w_line.get_ydata()) > 1)]
    assert threshold.get_xdata()[0] == pytest.approx(1.0)  # 2 / lambda_max, lambda_max = 2
    assert first_above == pytest.approx(1.0, abs=0.01)  # the grid's first lr beyond it


# -- the plot functions' other options (no notebook calls these now) ---------------------------

X, Y = nc.scale_inputs(nc.make_dataset()[0]), nc.make_dataset()[1]
HISTORY = nc.train(X, Y, lr=0.5, epochs=200)


@COMPARE
def test_plot_loss_surface_without_arrows():  # beside a line, as 02 drew it before
    axes = course_axes(2, figsize=(11, 4))
    nc.plot_fit(X, Y, w=100.0, b=0.0, ax=axes[0], title="your line and its errors")
    return nc.plot_loss_surface(X, Y, ax=axes[1], arrows=False, w_lim=(0, 360),
                                b_lim=(-40, 104)).figure


@COMPARE
def test_plot_loss_surface_with_a_path():  # a History's path, drawn in order
    return nc.plot_loss_surface(X, Y, path=HISTORY).figure


@COMPARE
def test_plot_losses_of_two_scales():  # two Histories, labelled
    x_bal = nc.scale_inputs(nc.make_dataset()[0], scale=25.82)
    runs = [nc.train(X, Y, lr=0.3, epochs=30), nc.train(x_bal, Y, lr=0.3, epochs=30)]
    return nc.plot_losses(*runs, labels=["x = °C/100", "x = °C/25.82 (balanced)"]).figure


@COMPARE
def test_plot_loss_slice():  # four steps along w, b held at 32
    ws = [1.0]
    for _ in range(4):
        dw, _ = nc.gradients(X, Y, ws[-1], 32.0)
        ws.append(nc.step(ws[-1], 32.0, dw, 0.0, lr=3.0)[0])
    return nc.plot_loss_slice(X, Y, b=32.0, ws=ws, lr=3.0).figure


@COMPARE
def test_plot_training_that_diverged():  # a run that diverged
    history = nc.train(X, Y, lr=1.05, epochs=100)
    return nc.plot_training(history, X, Y)[0].figure


# -- the notebook figures' comparison (tests/nbval_figures.py) can fail ------------------------


def png_of(draw):
    """The base64 PNG a notebook would hold for the figure ``draw(ax)`` makes."""
    fig, ax = plt.subplots(figsize=(3, 2), dpi=50)
    draw(ax)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def outputs(*pngs):
    return [{"output_type": "display_data", "data": {"image/png": png, "text/plain": "<Figure>"}}
            for png in pngs]


def test_a_notebook_figure_equal_to_the_committed_one_passes(tmp_path):
    line = png_of(lambda ax: ax.plot([0, 1], [0, 1]))
    assert nbval_figures.differences(outputs(line), outputs(line), tmp_path) == []


def test_a_notebook_figure_that_changed_fails(tmp_path):
    line = png_of(lambda ax: ax.plot([0, 1], [0, 1]))
    dashed = png_of(lambda ax: ax.plot([0, 1], [0, 1], "--"))
    moved = png_of(lambda ax: ax.plot([0, 1], [0, 0.8]))
    for changed in (dashed, moved):
        found = nbval_figures.differences(outputs(line), outputs(changed), tmp_path)
        assert len(found) == 1 and "RMS" in found[0], found
    resized = png_of(lambda ax: (ax.plot([0, 1], [0, 1]), ax.figure.set_size_inches(4, 2)))
    assert "sizes do not match" in nbval_figures.differences(
        outputs(line), outputs(resized), tmp_path)[0]
    assert "1 image(s) committed, 0 made" in nbval_figures.differences(
        outputs(line), [], tmp_path)[0]


def test_the_notebook_figure_plugin_is_loaded(pytestconfig):
    # conftest.py loads it for every run, so `make notebooks` (nbval) compares the figures.
    assert pytestconfig.pluginmanager.has_plugin("nbval_figures")
