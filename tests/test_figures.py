"""Every figure of the course, compared with a baseline image.

Two kinds of figure, two comparisons, one tolerance (an RMS difference of 2 on the 0-255 scale
of each colour channel, pytest-mpl's default; matplotlib's ``compare_images`` computes it):

* The plots of ``neuron_ui`` (this file, pytest-mpl). Each test below draws one plot function
  with the exact arguments a notebook of ``instructor/`` passes it (the notebook and cell are
  named), in the course's style, and pytest-mpl compares the PNG with the baseline in
  ``tests/baseline/figures/`` (``--mpl`` is in pyproject's addopts, and the first test fails
  without it, so the images cannot go unchecked). Functions no notebook calls are drawn with
  the arguments their docstrings suggest.
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

import base64
import io

import matplotlib.pyplot as plt
import nbval_figures
import numpy as np
import pytest

import neuron_core as nc

COMPARE = pytest.mark.mpl_image_compare(baseline_dir="baseline/figures", tolerance=2,
                                        style="default", deterministic=True)

CELSIUS, FAHRENHEIT = nc.make_dataset()  # every notebook's first cell
X, Y = nc.scale_inputs(CELSIUS), FAHRENHEIT


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


# -- 01_data ----------------------------------------------------------------------------------


@COMPARE
def test_plot_data():  # 01 §2: nc.plot_data(celsius, fahrenheit)
    return nc.plot_data(CELSIUS, FAHRENHEIT).figure


@COMPARE
def test_plot_data_noisy_on_given_axes():  # 01 §3: the noisy readings, left of two panels
    _, noisy = nc.make_dataset(noise=1.5, seed=0)
    axes = course_axes(2, figsize=(11, 3.3))
    return nc.plot_data(CELSIUS, noisy, ax=axes[0], held_out=False,
                        title="noisy readings").figure


# -- 02_forward -------------------------------------------------------------------------------


@COMPARE
def test_plot_fit_a_guess_and_the_truth():  # 02: a guess and the truth, side by side
    axes = course_axes(2, figsize=(11, 4), sharey=True)
    nc.plot_fit(X, Y, w=100.0, b=0.0, ax=axes[0], title="a guess: w = 100, b = 0")
    return nc.plot_fit(X, Y, w=180.0, b=32.0, ax=axes[1], title="the truth: w = 180, b = 32").figure


@COMPARE
def test_plot_loss_surface_without_arrows():  # 02: your guess on the loss surface
    axes = course_axes(2, figsize=(11, 4))
    nc.plot_fit(X, Y, w=100.0, b=0.0, ax=axes[0], title="your line and its errors")
    return nc.plot_loss_surface(X, Y, ax=axes[1], arrows=False, w_lim=(0, 360),
                                b_lim=(-40, 104)).figure


# -- 03_derivative ----------------------------------------------------------------------------


@COMPARE
def test_plot_loss_surface_with_arrows():  # 03: the surface and its downhill arrows
    with plt.rc_context(nc.STYLE):
        _, ax = plt.subplots(figsize=(9, 5), layout="constrained")
    return nc.plot_loss_surface(X, Y, ax=ax, w_lim=(40, 320), b_lim=(-40, 100)).figure


# -- 04_optimizer_step ------------------------------------------------------------------------


@COMPARE
def test_plot_loss_slice():  # no notebook calls it: four steps along w, b held at 32
    ws = [1.0]
    for _ in range(4):
        dw, _ = nc.gradients(X, Y, ws[-1], 32.0)
        ws.append(nc.step(ws[-1], 32.0, dw, 0.0, lr=3.0)[0])
    return nc.plot_loss_slice(X, Y, b=32.0, ws=ws, lr=3.0).figure


# -- 05_training ------------------------------------------------------------------------------

HISTORY = nc.train(X, Y, lr=0.5, epochs=200)  # 05 §1-2


@COMPARE
def test_plot_losses_of_a_history():  # 05 §3: nc.plot_losses(history)
    return nc.plot_losses(HISTORY).figure


@COMPARE
def test_plot_loss_surface_with_a_path():  # 05 §3: nc.plot_loss_surface(x, y, path=history)
    return nc.plot_loss_surface(X, Y, path=HISTORY).figure


@COMPARE
def test_plot_losses_of_two_scales():  # 05 §6: °C/100 against the balanced scale
    x_bal = nc.scale_inputs(CELSIUS, scale=np.std(CELSIUS))
    runs = [nc.train(X, Y, lr=0.3, epochs=30), nc.train(x_bal, Y, lr=0.3, epochs=30)]
    return nc.plot_losses(*runs, labels=["x = °C/100", "x = °C/25.82 (balanced)"]).figure


@COMPARE
def test_plot_losses_of_the_article():  # 05 §7: printed "loss" against the true MSE
    article = nc.train(nc.ARTICLE_X, nc.ARTICLE_Y, lr=nc.ARTICLE_LR, epochs=nc.ARTICLE_EPOCHS,
                       reduction="sum")
    printed = nc.article_model(nc.ARTICLE_X, nc.ARTICLE_Y, nc.ARTICLE_EPOCHS)[2]
    return nc.plot_losses(printed, article.losses,
                          labels=["what the article prints", "the model's true loss (MSE)"]
                          ).figure


@COMPARE
def test_plot_training_that_diverged():  # no notebook calls it: a run that diverged
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
