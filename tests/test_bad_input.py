"""Bad input gets a ValueError or TypeError that names the argument and what was expected."""

import array
import warnings

import numpy as np
import pytest

import neuron_core as nc
import neuron_fast as nf

X, Y = [0.1, 0.2, 0.3], [1.0, 2.0, 3.0]


def call_train(**overrides):
    kwargs = {"x": X, "y": Y, "lr": 0.1, "epochs": 5} | overrides
    return nc.train(**kwargs)


@pytest.mark.parametrize("overrides, error, words", [
    ({"y": [1.0, 2.0]}, ValueError, "x and y must have the same length, got 3 and 2"),
    ({"x": []}, ValueError, "x is empty"),
    ({"y": np.array([])}, ValueError, "y is empty"),
    ({"x": [0.1, np.nan, 0.3]}, ValueError, "x must be finite, but holds nan at index 1"),
    ({"y": [1.0, 2.0, np.inf]}, ValueError, "y must be finite, but holds inf at index 2"),
    ({"x": ["a", "b", "c"]}, TypeError, "x must hold real numbers"),
    ({"x": "0.1, 0.2"}, TypeError, "x must be numbers, got str"),
    ({"y": None}, TypeError, "y must be numbers, got NoneType"),
    ({"x": [1 + 2j, 0, 1]}, TypeError, "x must hold real numbers"),
    ({"x": [True, False, True]}, TypeError, "x must hold real numbers, not bools"),
    ({"x": [0.1, True, 0.3]}, TypeError, "x must hold real numbers, not bools"),
    ({"x": np.array([0.1, True, 0.3], dtype=object)}, TypeError, "x must hold real numbers"),
    ({"x": [[0.1, 0.2], [0.3, 0.4]]}, ValueError, "x must be 1-D (or a column of shape (n, 1))"),
    ({"x": np.zeros((1, 3))}, ValueError, "x must be 1-D"),
    ({"x": np.zeros((3, 1, 1))}, ValueError, "x must be 1-D"),
    ({"x": 0.5}, ValueError, "x must be a 1-D array of samples, got a single number"),
    ({"x": [[0.1], [0.2, 0.3]]}, ValueError, "x must be a flat list or array of numbers"),
    ({"lr": 0}, ValueError, "lr must be a positive number, got 0"),
    ({"lr": -0.1}, ValueError, "lr must be a positive number"),
    ({"lr": float("nan")}, ValueError, "lr must be finite"),
    ({"lr": float("inf")}, ValueError, "lr must be finite"),
    ({"lr": "0.1"}, TypeError, "lr must be numbers, got str"),
    ({"lr": None}, TypeError, "lr must be numbers"),
    ({"lr": [0.1, 0.2]}, ValueError, "lr must be a single number"),
    ({"epochs": -1}, ValueError, "epochs must be at least 0, got -1"),
    ({"epochs": 2.5}, TypeError, "epochs must be a whole number (int), got 2.5"),
    ({"epochs": 10.0}, TypeError, "epochs must be a whole number (int)"),
    ({"epochs": True}, TypeError, "epochs must be a whole number (int), got True"),
    ({"epochs": "10"}, TypeError, "epochs must be a whole number"),
    ({"w": float("nan")}, ValueError, "w must be finite"),
    ({"b": "zero"}, TypeError, "b must be numbers, got str"),
    ({"w": True}, TypeError, "w must be a number, got a bool"),
    ({"reduction": "avg"}, ValueError, "reduction must be 'mean' or 'sum', got 'avg'"),
    ({"reduction": None}, ValueError, "reduction must be 'mean' or 'sum', got None"),
])
def test_train_rejects(overrides, error, words):
    with pytest.raises(error) as caught:
        call_train(**overrides)
    assert words in str(caught.value)


def test_column_vector_is_accepted_everywhere_it_means_samples():
    column = np.array(X).reshape(-1, 1)
    history = nc.train(column, Y, lr=0.1, epochs=3)
    assert history.epochs == 3
    assert nc.gradients(column, Y, 1.0, 0.0) == pytest.approx(nc.gradients(X, Y, 1.0, 0.0))
    assert nc.mse(column, Y) == pytest.approx(nc.mse(X, Y))


@pytest.mark.parametrize("call, error, words", [
    (lambda: nc.forward([0.1, np.nan], 1.0, 0.0), ValueError, "x must be finite"),
    (lambda: nc.forward(0.1, "w", 0.0), TypeError, "w must be numbers"),
    (lambda: nc.forward(1e300, 1e300, 0.0), ValueError, "forward: w*x + b overflows"),
    (lambda: nc.mse([1.0, 2.0], [1.0]), ValueError, "y_hat and y must have the same length"),
    (lambda: nc.mse([1e200, 0.0], [0.0, 0.0]), ValueError, "mse: the squared errors overflow"),
    (lambda: nc.gradients(X, Y, 1.0, 0.0, reduction="max"), ValueError, "reduction must be"),
    (lambda: nc.gradients([1e200, 2e200], [0, 0], 1e200, 0), ValueError,
     "gradients: the gradient overflows"),
    (lambda: nc.numerical_gradients(X, Y, 1.0, 0.0, h=0), ValueError, "h must be a positive"),
    (lambda: nc.step(1.0, 0.0, np.nan, 0.0, 0.1), ValueError, "dw must be finite"),
    (lambda: nc.step(1.0, 0.0, 1.0, 0.0, lr=-1), ValueError, "lr must be a positive number"),
    (lambda: nc.closed_form([2.0, 2.0, 2.0], Y), ValueError, "x must vary"),
    (lambda: nc.make_dataset(n=1), ValueError, "n must be at least 2"),
    (lambda: nc.make_dataset(noise=-1.0), ValueError, "noise must be a standard deviation"),
    (lambda: nc.make_dataset(low=5, high=5), ValueError, "low must be below high"),
    (lambda: nc.make_dataset(seed=1.5), TypeError, "seed must be a whole number"),
    (lambda: nc.scale_inputs([1.0], scale=0), ValueError, "scale must be a positive number"),
    (lambda: nc.unscale_params("w", 1.0), TypeError, "w must be numbers"),
    (lambda: nc.hessian([1.0, 2.0], reduction="none"), ValueError, "reduction must be"),
    (lambda: nc.train([1e200, 2e200], Y[:2], 0.1, 5), ValueError,
         "train: the starting loss overflows float64: x is too large"),
    (lambda: nc.train(X, Y, 0.1, 5, w=1e300), ValueError, "the starting loss overflows"),
])
def test_other_functions_reject(call, error, words):
    with pytest.raises(error) as caught:
        call()
    assert words in str(caught.value)


@pytest.mark.parametrize("value", [1e-20, 1e-15])
def test_a_numerical_gradient_step_below_the_resolution_of_w_is_refused(value):
    # w = 180: float64 steps by 2.8e-14 there, so w + h == w and the result would be (0, 0).
    with pytest.raises(ValueError, match=r"h=1e-\d+ is below the resolution of w=180"):
        nc.numerical_gradients(X, Y, w=180.0, b=0.0, h=value)
    with pytest.raises(ValueError, match="below the resolution of b=1e\\+06"):
        nc.numerical_gradients(X, Y, w=0.0, b=1e6, h=value)
    assert nc.numerical_gradients(X, Y, w=180.0, b=0.0, h=1e-6) != (0.0, 0.0)


def test_masked_arrays_are_refused_naming_the_argument():
    masked = np.ma.masked_array([0.1, 99.0, 0.3], mask=[False, True, False])
    with pytest.raises(TypeError, match="x is a masked array, whose mask would be ignored"):
        call_train(x=masked)
    with pytest.raises(TypeError, match="w is a masked array"):
        nc.forward(X, np.ma.masked_array([1.0]), 0.0)


# -- bytes are not numbers -------------------------------------------------------------------

# numpy reads raw bytes as uint8 numbers: bytearray(b"12") would be the samples [49.0, 50.0].
BYTES_LIKE = {
    "bytes": b"12", "np.bytes_": np.bytes_(b"12"), "bytearray": bytearray(b"12"),
    "memoryview": memoryview(b"12"), "np.void": np.void(b"12"),
    "array('B')": array.array("B", [49, 50]), "list of bytearray": [bytearray(b"1"), 2.0],
    "column of bytearray": [bytearray(b"1")], "object array": np.array([memoryview(b"1"), 2.0],
                                                                     dtype=object),
}


@pytest.mark.parametrize("value", list(BYTES_LIKE.values()), ids=list(BYTES_LIKE))
@pytest.mark.parametrize("arg, call", [
    ("x", lambda v: nc.forward(v, 1.0, 0.0)),
    ("w", lambda v: nc.forward(X, v, 0.0)),
    ("y_hat", lambda v: nc.mse(v, [1.0, 2.0])),
    ("y", lambda v: nc.gradients([1.0, 2.0], v, 1.0, 0.0)),
    ("celsius", lambda v: nc.scale_inputs(v)),
    ("lr", lambda v: nc.step(1.0, 0.0, 1.0, 1.0, v)),
    ("x", lambda v: nc.train(v, [1.0, 2.0], 0.1, 5)),
    ("x", lambda v: nc.hessian(v)),
    ("epochs", lambda v: nc.train(X, Y, 0.1, v)),
])
def test_bytes_like_input_is_refused_by_name(arg, call, value):
    with pytest.raises(TypeError, match=rf"^{arg} must "):
        call(value)


def test_bytes_message_says_what_to_do():
    with pytest.raises(TypeError, match=r"x must be numbers, got bytearray \(raw bytes"):
        nc.forward(bytearray(b"12"), 1, 0)


# -- an overflow names the argument whose size caused it -------------------------------------

BIG = [1e300, -1e300, 1e299]


@pytest.mark.parametrize("call, says, not_blamed", [
    # (the call, the end of its message, names the message used to blame wrongly)
    (lambda: nc.gradients(BIG, Y, 1, 0), "gradients: the gradient overflows float64: x is too "
     "large", ["w or b"]),
    (lambda: nc.gradients(X, [1e308, 1e308, -1e308], 1, 0), "y is too large", ["w or b"]),
    (lambda: nc.mse([0.0, 0.0], [1e200, 0.0]), "mse: the squared errors overflow float64: y is "
     "too large", ["y_hat"]),
    (lambda: nc.numerical_gradients(X, [1e200, 0.0, 0.0], 1.0, 0.0),
     "numerical_gradients: the loss or its slope overflows float64: y is too large",
     ["w, b or x"]),
    (lambda: nc.train(X, [1e200, 0.0, 0.0], 0.1, 5), "train: the starting loss overflows float64: "
     "y is too large", ["w=1"]),
    (lambda: nc.step(1.7e308, 0.0, -1e308, 0.0, 0.5), "step: the step overflows float64: w and "
     "lr*dw are too large", ["lr * gradient"]),
    (lambda: nc.forward([1e200], 1e200, 0.0), "forward: w*x + b overflows float64: w and x are "
     "too large", ["w, b or x"]),
    (lambda: nc.make_dataset(low=-1e308, high=1e308), "make_dataset: the readings overflow "
     "float64: low and high are too far apart", ["noise"]),
    (lambda: nf.train_fast([1.0, 2.0], [1e308, 1e308], 0.1, 5), "train_fast: mean(x*x) or "
     "mean(x*y) overflows float64: y is too large", ["rescale x"]),
    (lambda: nf.losses_at([0.0, 1.0, 2.0], [0.0, 1e160, 0.0], 1.0, 0.0), "losses_at: the spread "
     "of the data overflows float64: y is too large", ["train:"]),
    (lambda: nc.article_model([2e154, 0.0], [2e154, 0.0], 3), "article_model: its printed loss, "
     "mean((y - pred)**2), overflows float64: x and y are too large", []),
])
def test_an_overflow_names_the_argument_that_caused_it(call, says, not_blamed):
    with pytest.raises(ValueError) as caught:
        call()
    assert says in str(caught.value)
    assert not any(wrong in str(caught.value) for wrong in not_blamed)


# -- plots: bad arguments are named, and refused before a figure is made ----------------------

plt = pytest.importorskip("matplotlib.pyplot")


@pytest.fixture
def no_new_figures():
    """Every bad call below must leave pyplot exactly as it found it: no empty figure open."""
    plt.close("all")
    yield
    assert plt.get_fignums() == [], "a refused plot call left a figure open"


def course_history():
    celsius, fahrenheit = nc.make_dataset()
    return nc.train(nc.scale_inputs(celsius), fahrenheit, lr=0.5, epochs=10)


XS, YS = nc.scale_inputs(nc.make_dataset()[0]), nc.make_dataset()[1]


@pytest.mark.parametrize("call, error, words", [
    (lambda: nc.plot_losses(None), TypeError, "histories[0] must be numbers, got NoneType"),
    (lambda: nc.plot_losses(), TypeError, "plot_losses needs at least one History"),
    (lambda: nc.plot_losses([1.0, -2.0]), ValueError, "histories[0] must be losses, >= 0"),
    (lambda: nc.plot_losses(course_history(), [1.0, 2.0], labels=["a"]), ValueError,
     "labels must be a list of 2 strings"),
    (lambda: nc.plot_losses([1.0, 2.0], labels="lr"), ValueError, "labels must be a list of 1"),
    (lambda: nc.plot_losses([1.0, 2.0], ax="left"), TypeError, "ax must be a matplotlib Axes"),
    (lambda: nc.plot_loss_surface(XS, YS, w_lim=(1, 1)), ValueError,
     "w_lim must be a pair (low, high) with low < high"),
    (lambda: nc.plot_loss_surface(XS, YS, b_lim=(5, -5)), ValueError, "b_lim must be a pair"),
    (lambda: nc.plot_loss_surface(XS, YS, w_lim=(0, 1, 2)), ValueError, "w_lim must be a pair"),
    (lambda: nc.plot_loss_surface(XS, YS, w_lim=(0, np.nan)), ValueError, "w_lim must be finite"),
    (lambda: nc.plot_loss_surface(XS, YS, w_lim=(1.0, 1.0 + 1e-15)), ValueError,
     "too narrow to draw"),
    (lambda: nc.plot_loss_surface([-1e90, 1e90], [0, 1], w_lim=(-1e99, 1e99)), ValueError,
     "the loss over w_lim and b_lim overflows"),
    (lambda: nc.plot_loss_surface(XS, YS, path=[1.0, 2.0]), TypeError, "path must be a History"),
    (lambda: nc.plot_loss_surface(XS, YS, arrows="yes"), TypeError, "arrows must be True or"),
    (lambda: nc.plot_loss_surface([1.0, 1.0], [2.0, 3.0]), ValueError, "x must vary"),
    (lambda: nc.plot_loss_slice(XS, YS, b=32.0, ws=[1.0, np.nan]), ValueError, "ws must be fin"),
    (lambda: nc.plot_loss_slice(XS, YS, b=None, ws=[1.0]), TypeError, "b must be numbers"),
    (lambda: nc.plot_loss_slice(XS, YS, b=32.0, ws=[1.0], lr=-1), ValueError, "lr must be a po"),
    (lambda: nc.plot_loss_slice(XS, YS, b=32.0, ws=[1.0], w_lim=(3, 3)), ValueError, "w_lim"),
    (lambda: nc.plot_loss_slice(XS, YS, b=32.0, ws=np.zeros(10**6)), ValueError,
     "ws holds 1000000 points: at most 1000"),
    (lambda: nc.plot_fit(XS, YS, w="180", b=32.0), TypeError, "w must be numbers, got str"),
    (lambda: nc.plot_fit(XS, YS, w=[180.0, 1.0], b=32.0), ValueError, "w must be a single"),
    (lambda: nc.plot_fit(XS, YS, w=1e300, b=32.0), ValueError, "w*x + b holds values beyond"),
    (lambda: nc.plot_fit([1.0, 2.0], [1.0, 2.0], w=1e308, b=1e308), ValueError,
     "forward: w*x + b overflows"),
    (lambda: nc.plot_fit(XS, YS, 180.0, 32.0, title=5), TypeError, "title must be a string"),
    (lambda: nc.plot_fit([1e200, 2e200], [1.0, 2.0], 1.0, 0.0), ValueError,
     "x holds values beyond ±1e+100: too large to plot"),
    (lambda: nc.plot_data(XS, YS[:3]), ValueError, "celsius and fahrenheit must have the same"),
    (lambda: nc.plot_data(XS, YS, held_out="no"), TypeError, "held_out must be True or False"),
    (lambda: nc.plot_training(XS, XS, YS), TypeError, "history must be a History"),
    (lambda: nc.plot_training(course_history(), XS, YS, axes=[None]), TypeError,
     "axes must be a pair of matplotlib Axes"),
    (lambda: nc.plot_training(course_history(), XS, YS, axes=[None, None]), TypeError,
     "axes[0] must be a matplotlib Axes"),
    (lambda: nc.plot_fit(XS, YS, 1.0, 0.0, residuals="yes"), TypeError,
     "residuals must be True or False"),
    (lambda: nc.plot_slope("w", [0.0, 1.0], 3.0, 0.5, 1.0, 0.2), TypeError,
     "loss_of must be a function of w"),
    (lambda: nc.plot_slope("w", [0.0, 1.0], lambda w: w, 0.5, 1.0, 0.0), ValueError,
     "reach must be a positive number"),
    (lambda: nc.plot_slope("w", [0.0, 1.0], lambda w: "high", 0.5, 1.0, 0.2), TypeError,
     "loss_of(grid) must hold real numbers"),
    (lambda: nc.plot_slope("w", [0.0, 1e300], lambda w: w, 0.5, 1.0, 0.2), ValueError,
     "grid holds values beyond"),
    (lambda: nc.plot_b_paths(XS, YS, lrs=[0.1, -0.5]), ValueError,
     "lrs[1] must be a positive number"),
    (lambda: nc.plot_b_paths(XS, YS, lrs=0.1), TypeError, "lrs must be a non-empty list"),
    (lambda: nc.plot_b_paths(XS, YS, steps=0), ValueError, "steps must be at least 1"),
    (lambda: nc.plot_b_paths(XS, YS, lrs=[0.1], titles=["a", "b"]), ValueError,
     "titles must be a list of 1 strings"),
    (lambda: nc.plot_b_paths(XS, YS, lrs=[0.1, 0.5], axes=[None]), TypeError,
     "axes must be 2 matplotlib Axes"),
    (lambda: nc.plot_factors(XS + 1.0), ValueError, "x must be centred (mean 0)"),
    (lambda: nc.plot_factors(XS, lrs=[0.0, np.inf]), ValueError, "lrs must be finite"),
    (lambda: nc.plot_factors(bytearray(b"12")), TypeError, "x must be numbers, got bytearray"),
])
def test_plots_name_their_bad_arguments_and_open_no_figure(call, error, words, no_new_figures):
    with pytest.raises(error) as caught:
        call()
    assert words in str(caught.value)


def test_plot_fit_takes_w_as_the_article_shapes_it(no_new_figures):
    # forward accepts w = np.array([180.0]) (the article's shape); so must plot_fit.
    ax = nc.plot_fit(XS, YS, np.array([180.0]), np.array([[32.0]]))
    assert ax.get_title() == "w = 180, b = 32: MSE = 0"
    plt.close("all")


def test_a_loss_curve_that_is_zero_throughout_is_drawn_without_a_warning(no_new_figures):
    history = nc.train([0.0, 1.0], [0.0, 1.0], lr=0.5, epochs=5, w=1.0, b=0.0)
    assert history.losses.max() == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = nc.plot_losses(history)
        ax.figure.canvas.draw()
    plt.close("all")
