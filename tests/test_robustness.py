"""Property-based robustness: whatever a learner passes, every public function of neuron_core
and every plot returns finite numbers or raises a ValueError/TypeError that names the argument;
no numpy warning leaks, no FloatingPointError escapes, no NaN comes back silently, and no
argument can make a call hang or allocate gigabytes."""

import array
import fractions
import math
import time
import warnings
from decimal import Decimal

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import neuron_core as nc  # noqa: E402
import neuron_fast as nf  # noqa: E402
import neuron_validation as nv  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error")  # any RuntimeWarning fails the test
settings.register_profile("course", max_examples=150, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.function_scoped_fixture])
settings.load_profile("course")


@pytest.fixture(params=["warnings-are-errors", "errstate-raise"])
def strict(request):
    """Run a test twice: once with every warning an error, once also with numpy's floating-point
    errors raised (np.errstate(all="raise")): the library must handle both from the inside."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        if request.param == "errstate-raise":
            with np.errstate(all="raise"):
                yield request.param
        else:
            yield request.param


# Anything at all as a float: huge, tiny, subnormal, negative zero. NaN and infinity separately.
any_float = st.floats(allow_nan=False, allow_infinity=False)
subnormal = st.floats(min_value=-2.2e-308, max_value=2.2e-308, allow_nan=False)
odd_float = st.one_of(any_float, subnormal)
moderate = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
samples = hnp.arrays(np.float64, st.integers(2, 30), elements=odd_float)

# Values that are never valid where numbers are expected, with the error each must raise.
NOT_NUMBERS = [None, "1.0", b"1", {"x": 1}, {1.0}, 1 + 2j, [1 + 0j, 2], [True, False], True,
               [1.0, True], (np.True_, 2.0), np.ma.masked_array([1.0, 2.0], mask=[0, 1]),
               np.ma.masked_array([1.0, 2.0]), np.datetime64("2026-01-01"),
               [[1.0], [2.0, 3.0]], object(), [Decimal(1), "a"],
               # bytes-like: numpy would read bytearray(b"12") as the numbers [49, 50]
               bytearray(b"12"), memoryview(b"12"), np.void(b"12"), array.array("B", [49, 50]),
               [bytearray(b"1")], [1.0, memoryview(b"1")]]
NOT_FINITE = [math.nan, math.inf, -math.inf, [1.0, math.nan], [math.inf, 0.0]]
# Numbers numpy would turn into inf (with an overflow warning) or an OverflowError.
TOO_LARGE = [10**400, -(10**400), [1.0, 10**400], fractions.Fraction(10**400, 3),
             Decimal("1e400"), np.longdouble("1e400") if np.finfo(np.longdouble).max > 1e400
             else 10**309]

ARRAY_ARGS = {  # function: (valid keyword arguments, the arguments that are sample arrays)
    nc.celsius_to_fahrenheit: ({"celsius": [1.0, 2.0]}, ["celsius"]),
    nc.scale_inputs: ({"celsius": [1.0, 2.0]}, ["celsius"]),
    nc.forward: ({"x": [0.1, 0.2], "w": 1.0, "b": 0.0}, ["x"]),
    nc.mse: ({"y_hat": [1.0, 2.0], "y": [1.0, 3.0]}, ["y_hat", "y"]),
    nc.gradients: ({"x": [0.1, 0.2], "y": [1.0, 2.0], "w": 1.0, "b": 0.0}, ["x", "y"]),
    nc.numerical_gradients: ({"x": [0.1, 0.2], "y": [1.0, 2.0], "w": 1.0, "b": 0.0}, ["x", "y"]),
    nc.train: ({"x": [0.1, 0.2], "y": [1.0, 2.0], "lr": 0.1, "epochs": 3}, ["x", "y"]),
    nc.closed_form: ({"x": [0.1, 0.2], "y": [1.0, 2.0]}, ["x", "y"]),
    nc.hessian: ({"x": [0.1, 0.2]}, ["x"]),
    nc.lr_threshold: ({"x": [0.1, 0.2]}, ["x"]),
    nc.article_model: ({"x": [0.1, 0.2], "y": [1.0, 2.0], "epochs": 3}, ["x", "y"]),
    nf.train_fast: ({"x": [0.1, 0.2], "y": [1.0, 2.0], "lr": 0.1, "epochs": 3}, ["x", "y"]),
    nf.losses_at: ({"x": [0.1, 0.2], "y": [1.0, 2.0], "ws": 1.0, "bs": 0.0}, ["x", "y"]),
}
SCALAR_ARGS = {
    nc.forward: ({"x": 0.1, "w": 1.0, "b": 0.0}, ["w", "b"]),
    nc.gradients: (ARRAY_ARGS[nc.gradients][0], ["w", "b"]),
    nc.numerical_gradients: (ARRAY_ARGS[nc.numerical_gradients][0] | {"h": 1e-6}, ["w", "b", "h"]),
    nc.step: ({"w": 1.0, "b": 0.0, "dw": 1.0, "db": 1.0, "lr": 0.1}, ["w", "b", "dw", "db", "lr"]),
    nc.train: (ARRAY_ARGS[nc.train][0], ["lr", "w", "b"]),
    nc.unscale_params: ({"w": 1.0, "b": 0.0, "scale": 100.0}, ["w", "b", "scale"]),
    nc.scale_inputs: ({"celsius": [1.0], "scale": 100.0}, ["scale"]),
    nc.make_dataset: ({"n": 5, "low": -1.0, "high": 1.0, "noise": 0.0}, ["low", "high", "noise"]),
    nc.article_model: (ARRAY_ARGS[nc.article_model][0] | {"lr": 0.1}, ["lr"]),
    nf.train_fast: (ARRAY_ARGS[nf.train_fast][0], ["lr", "w", "b"]),
}
COUNT_ARGS = {nc.train: "epochs", nc.article_model: "epochs", nc.make_dataset: "n"}


def rejects(fn, kwargs, name, errors=(ValueError, TypeError)):
    with pytest.raises(errors) as caught:
        fn(**kwargs)
    assert name in str(caught.value), f"{fn.__name__}: {caught.value!r} does not name {name!r}"


def cases(table):
    return [(fn, arg) for fn, (_, args) in table.items() for arg in args]


def case_id(value):
    return getattr(value, "__name__", value)


@pytest.mark.parametrize("fn, arg", cases(ARRAY_ARGS) + cases(SCALAR_ARGS), ids=case_id)
def test_non_numbers_and_non_finite_values_are_named(fn, arg):
    table = ARRAY_ARGS if (fn, arg) in cases(ARRAY_ARGS) else SCALAR_ARGS
    for bad in NOT_NUMBERS + NOT_FINITE:  # masked arrays and a True in a list too (class 8)
        rejects(fn, table[fn][0] | {arg: bad}, arg)


@pytest.mark.parametrize("fn, arg", cases(ARRAY_ARGS) + cases(SCALAR_ARGS), ids=case_id)
def test_numbers_too_large_for_float64_are_named_not_overflowed(fn, arg, strict):
    # Class 1: converted once, at the entry point: no OverflowError, no cast warning escapes.
    table = ARRAY_ARGS if (fn, arg) in cases(ARRAY_ARGS) else SCALAR_ARGS
    for big in TOO_LARGE:
        with pytest.raises(ValueError, match="too large for float64") as caught:
            fn(**table[fn][0] | {arg: big})
        assert str(caught.value).startswith(f"{arg} holds "), caught.value


@given(big=st.integers(min_value=2**1024) | st.integers(max_value=-(2**1024)),
       as_list=st.booleans())
def test_any_integer_beyond_float64_is_named(big, as_list):
    with pytest.raises(ValueError, match="w holds .* too large for float64"):
        nc.forward([0.1, 0.2], [big] if as_list else big, 0.0)
    with pytest.raises(ValueError, match="x holds .* at index 1: too large for float64"):
        nc.forward([0.1, big], 1.0, 0.0)


def test_integers_and_fractions_within_range_are_converted_exactly_once():
    assert nc.forward(10**20, 1, 0) == 1e20  # beyond int64, within float64
    assert nc.forward([fractions.Fraction(1, 4), Decimal("0.5")], 2, 1).tolist() == [1.5, 2.0]
    assert nc.step(np.longdouble(1.0), 0, 1, 1, np.float32(0.5)) == (0.5, -0.5)


@pytest.mark.parametrize("fn, arg", cases(ARRAY_ARGS))
@pytest.mark.parametrize("shape", [(0,), (2, 2), (1, 2), (2, 1, 1), ()])
def test_wrong_shapes_are_named(fn, arg, shape):
    kwargs = ARRAY_ARGS[fn][0]
    bad = np.ones(shape)
    if shape == () and fn in (nc.forward, nc.celsius_to_fahrenheit, nc.scale_inputs):
        return  # a single number is a valid input to an elementwise function
    rejects(fn, kwargs | {arg: bad}, arg, ValueError)


@pytest.mark.parametrize("fn, arg", [(fn, a) for fn, a in COUNT_ARGS.items()])
@pytest.mark.parametrize("bad", [-1, 2.5, 3.0, "3", None, True, np.float64(3)], ids=repr)
def test_counts_must_be_whole_numbers(fn, arg, bad):
    kwargs = (ARRAY_ARGS | SCALAR_ARGS)[fn][0] | {arg: bad}
    rejects(fn, kwargs, arg)


@pytest.mark.parametrize("fn, arg, too_many", [
    (nc.train, "epochs", nc.MAX_EPOCHS + 1), (nc.train, "epochs", 10**12),
    (nc.train, "epochs", 2**63), (nc.train, "epochs", 10**400),
    (nc.article_model, "epochs", nc.MAX_EPOCHS + 1), (nc.article_model, "epochs", 2**63),
    (nc.make_dataset, "n", nc.MAX_SAMPLES + 1), (nc.make_dataset, "n", 2**63),
    (nc.make_dataset, "n", np.uint64(2**64 - 1)),
])
def test_absurd_sizes_are_refused_at_once(fn, arg, too_many):
    # Class 2: refused before anything is allocated or looped over, naming the bound.
    start = time.perf_counter()
    with pytest.raises(ValueError, match=f"{arg} must be at most "):
        fn(**(ARRAY_ARGS | SCALAR_ARGS)[fn][0] | {arg: too_many})
    assert time.perf_counter() - start < 0.5


def test_the_article_loop_is_bounded_by_its_sample_visits():
    x = np.linspace(0.0, 1.0, 1000)  # 1000 samples: at most 1000 epochs of the Python loop
    with pytest.raises(ValueError, match="epochs must be at most 1_000, got 1001"):
        nc.article_model(x, 2 * x, epochs=1001)
    assert len(nc.article_model(x, 2 * x, epochs=3, lr=1e-4)[2]) == 3


def test_the_bounds_themselves_are_accepted():
    celsius, fahrenheit = nc.make_dataset(n=nc.MAX_SAMPLES)
    assert len(celsius) == len(fahrenheit) == nc.MAX_SAMPLES
    assert nv.as_count("max_steps", 10, maximum=10) == 10


@pytest.mark.parametrize("fn", [nc.train, nc.step, nc.article_model])
@pytest.mark.parametrize("bad", [0, -0.1, -1e300])
def test_learning_rate_must_be_positive(fn, bad):
    rejects(fn, (SCALAR_ARGS | ARRAY_ARGS)[fn][0] | {"lr": bad}, "lr", ValueError)


@pytest.mark.parametrize("fn", [nc.gradients, nc.train, nc.hessian, nc.lr_threshold])
@pytest.mark.parametrize("bad", ["avg", "", None, "MEAN", 1])
def test_unknown_reduction_is_named(fn, bad):
    rejects(fn, ARRAY_ARGS[fn][0] | {"reduction": bad}, "reduction", ValueError)


def finite_or_named(fn, kwargs):
    """Call fn: its result must be all finite numbers, or its error must name an argument or
    the function; never a FloatingPointError, OverflowError or warning (the strict fixture)."""
    try:
        result = fn(**kwargs)
    except (ValueError, TypeError) as err:
        assert any(name in str(err) for name in [*kwargs, fn.__name__]), err
        return None
    values = [result.w, result.b, *result.losses] if isinstance(result, nc.History) else result
    if isinstance(values, tuple):
        values = [v for part in values for v in np.ravel(part)]
    assert np.isfinite(np.asarray(values, dtype=float)).all(), (fn.__name__, result)
    return result


def every_math_call(x, y, w, b, d, e, lr, h):
    """Each public function of neuron_core's math, called on these numbers."""
    return [(nc.forward, {"x": x, "w": w, "b": b}),
            (nc.mse, {"y_hat": x, "y": y}),
            (nc.gradients, {"x": x, "y": y, "w": w, "b": b}),
            (nc.gradients, {"x": x, "y": y, "w": w, "b": b, "reduction": "sum"}),
            (nc.numerical_gradients, {"x": x, "y": y, "w": w, "b": b, "h": h}),
            (nc.step, {"w": w, "b": b, "dw": d, "db": e, "lr": lr}),
            (nc.celsius_to_fahrenheit, {"celsius": x}),
            (nc.celsius_to_fahrenheit, {"celsius": w}),
            (nc.scale_inputs, {"celsius": x, "scale": lr}),
            (nc.unscale_params, {"w": w, "b": b, "scale": lr}),
            (nc.make_dataset, {"n": len(x), "low": min(w, b), "high": max(w, b),
                               "noise": abs(d)}),
            (nc.closed_form, {"x": x, "y": y}),
            (nc.hessian, {"x": x}),
            (nc.hessian, {"x": x, "reduction": "sum"}),
            (nc.lr_threshold, {"x": x}),
            (nc.lr_threshold, {"x": x, "reduction": "sum"}),
            (nc.train, {"x": x, "y": y, "lr": lr, "epochs": 20, "w": w, "b": b}),
            (nc.article_model, {"x": x, "y": y, "epochs": 20, "lr": lr}),
            (nf.train_fast, {"x": x, "y": y, "lr": lr, "epochs": 20, "w": w, "b": b})]


@given(x=samples, data=st.data())
def test_any_finite_samples_give_finite_results_or_a_named_error(x, data, strict):
    # Class 3: every public function checks its result the same way.
    y = data.draw(hnp.arrays(np.float64, len(x), elements=odd_float))
    w, b, d, e = (data.draw(odd_float) for _ in range(4))
    lr, h = abs(data.draw(odd_float)) or 1.0, abs(data.draw(odd_float)) or 1e-6
    for fn, kwargs in every_math_call(x, y, w, b, d, e, lr, h):
        finite_or_named(fn, kwargs)


@pytest.mark.parametrize("tiny", [5e-324, 2.2e-308, 1e-300])
def test_subnormal_inputs_raise_no_floating_point_error_from_inside(tiny, strict):
    # Class 3: under np.errstate(all="raise"), tiny * tiny used to raise FloatingPointError.
    x = np.array([tiny, -tiny, 2 * tiny])
    for fn, kwargs in every_math_call(x, x[::-1], tiny, -tiny, tiny, tiny, tiny, tiny):
        finite_or_named(fn, kwargs)


@pytest.mark.parametrize("lr", [1.0, 10.0, 1e6, 1e300])
def test_article_loop_with_a_diverging_lr_stops_and_says_so(lr, strict):
    # Class 3: was nan with 72 overflow warnings; now it stops where train would, finite.
    w, b, printed = nc.article_model(nc.ARTICLE_X, nc.ARTICLE_Y, epochs=500, lr=lr)
    assert len(printed) < 500 and np.isfinite([w, b, *printed]).all()
    history = nc.train(nc.ARTICLE_X, nc.ARTICLE_Y, lr=lr, epochs=500, reduction="sum")
    assert history.diverged and len(printed) == history.epochs
    assert (w, b) == pytest.approx((history.w, history.b), rel=1e-9)


@given(x=hnp.arrays(np.float64, st.integers(2, 20), elements=moderate, unique=True),
       slope=moderate, intercept=moderate,
       lr=st.floats(min_value=1e-12, max_value=1e12), epochs=st.integers(0, 300))
def test_training_never_warns_never_returns_nan_and_flags_divergence(x, slope, intercept, lr,
                                                                      epochs):
    y = slope * x + intercept
    try:
        history = nc.train(x, y, lr=lr, epochs=epochs)
    except ValueError as err:  # only an overflowing start is refused, by name
        assert "overflows" in str(err)
        return
    assert np.isfinite(history.losses).all()
    assert math.isfinite(history.w) and math.isfinite(history.b)
    assert len(history.ws) == len(history.bs) == len(history.losses) == history.epochs + 1
    assert history.epochs <= epochs
    if not history.diverged:
        assert history.epochs == epochs
        assert history.losses[-1] <= history.losses[0] * (1 + 1e-6) + 1e-9


# Class 5: "diverged" is true exactly when the run moves away from the minimum (see History).
data_line = st.tuples(hnp.arrays(np.float64, st.integers(2, 20), elements=moderate, unique=True),
                      moderate, moderate, st.floats(0.0, 10.0))


def noisy_line(x, slope, intercept, noise):
    return slope * x + intercept + noise * np.random.default_rng(len(x)).normal(size=len(x))


@given(line=data_line, fraction=st.floats(0.01, 0.99), epochs=st.integers(1, 400),
       start=st.tuples(moderate, moderate))
def test_below_the_threshold_training_never_diverges(line, fraction, epochs, start):
    x, y = line[0], noisy_line(*line)
    try:
        threshold = nc.lr_threshold(x)
        history = nc.train(x, y, lr=fraction * threshold, epochs=epochs, w=start[0], b=start[1])
    except ValueError as err:  # only an overflowing start is refused, by name
        assert "overflows" in str(err)
        return
    assert not history.diverged and history.epochs == epochs


@given(line=data_line, fraction=st.floats(0.01, 0.99), epochs=st.integers(1, 400))
@example(line=(np.array([0.0, 1.0, 3.0]), 1e6, -1e6, 0.0), fraction=0.5, epochs=400)
@example(line=(np.linspace(-0.4, 0.4, 9), 180.0, 32.0, 0.0), fraction=0.5, epochs=400)
def test_from_the_optimum_below_the_threshold_never_diverges(line, fraction, epochs):
    # Rounding noise at the bottom (7e-23 -> 5e-22) is not a step away: it used to be flagged.
    x, y = line[0], noisy_line(*line)
    try:
        w, b = nc.closed_form(x, y)
    except ValueError:  # x too close together to have a least-squares line
        return
    history = nc.train(x, y, lr=fraction * nc.lr_threshold(x), epochs=epochs, w=w, b=b)
    assert not history.diverged and history.epochs == epochs


@given(factor=st.floats(1.05, 1e6), epochs=st.integers(5, 400))
@example(factor=1.05, epochs=5)
def test_above_the_threshold_the_course_run_is_flagged_once_the_loss_rises(factor, epochs):
    # lr 1.05 for 5 epochs: 3160 -> 2819 -> 2668 -> 2678 -> 2834: moving away, though still below
    # the start; it used to be reported as not diverged.
    celsius, y = nc.make_dataset()
    x = nc.scale_inputs(celsius)
    history = nc.train(x, y, lr=factor * nc.lr_threshold(x), epochs=epochs)
    assert history.diverged and np.isfinite(history.losses).all()
    assert (np.diff(history.losses) > 0).any()


def test_at_the_threshold_the_swing_is_not_a_divergence():
    # lr = 1.0 on the course data: b swings between two values for ever, the loss never rises.
    celsius, y = nc.make_dataset()
    history = nc.train(nc.scale_inputs(celsius), y, lr=1.0, epochs=1000)
    assert not history.diverged and history.epochs == 1000


# -- plots: every argument checked before a figure is made (classes 3 and 8) -----------------

plot_values = st.one_of(moderate, odd_float)
plot_samples = hnp.arrays(np.float64, st.integers(2, 12), elements=plot_values)
optional_lim = st.none() | st.tuples(plot_values, plot_values)


def course_history(lr=0.5, epochs=20):
    celsius, fahrenheit = nc.make_dataset()
    return nc.train(nc.scale_inputs(celsius), fahrenheit, lr=lr, epochs=epochs)


PLOT_CALLS = {  # plot: a strategy for its keyword arguments, odd values included
    "plot_data": st.fixed_dictionaries({"celsius": plot_samples, "fahrenheit": plot_samples}),
    "plot_fit": st.fixed_dictionaries({"x": plot_samples, "y": plot_samples, "w": plot_values,
                                       "b": plot_values}),
    "plot_losses": st.fixed_dictionaries({"histories": st.lists(
        hnp.arrays(np.float64, st.integers(1, 30), elements=plot_values), min_size=1,
        max_size=3)}),
    "plot_loss_surface": st.fixed_dictionaries({"x": plot_samples, "y": plot_samples,
                                                "w_lim": optional_lim, "b_lim": optional_lim,
                                                "arrows": st.booleans()}),
    "plot_loss_slice": st.fixed_dictionaries({"x": plot_samples, "y": plot_samples,
                                              "b": plot_values, "ws": plot_samples,
                                              "w_lim": optional_lim}),
    "plot_training": st.fixed_dictionaries({"x": plot_samples, "y": plot_samples,
                                            "lr": st.floats(0.01, 3.0)}),
}


@pytest.mark.parametrize("plot", PLOT_CALLS)
@settings(max_examples=8)
@given(data=st.data())
def test_every_plot_draws_or_refuses_by_name_and_leaves_no_figure(plot, data, strict):
    kwargs = data.draw(PLOT_CALLS[plot])
    args = ()
    if plot == "plot_losses":
        args = kwargs.pop("histories")
    if plot == "plot_training":
        kwargs["history"] = course_history(lr=kwargs.pop("lr"))
    open_before = plt.get_fignums()
    try:
        result = getattr(nc, plot)(*args, **kwargs)
    except (ValueError, TypeError) as err:
        names = [*kwargs, "histories", "w*x + b", plot]
        assert any(name in str(err) for name in names), err
        assert plt.get_fignums() == open_before, "a refused call left a figure open"
        return
    try:
        figure = np.ravel(result)[0].figure
        # What the notebook shows: drawing must not warn either. (Matplotlib's own drawing does
        # not support np.errstate(all="raise"): that is left to its rounding.)
        with np.errstate(all="ignore"):
            figure.canvas.draw()
    finally:
        plt.close("all")


@pytest.mark.parametrize("fn", [nc.train, nf.train_fast])
def test_a_subnormal_loss_is_trained_on_even_with_errstate_raise(fn):
    # The loss 5e-311 is subnormal: its rounding floor, 16 eps times it, underflows. Hypothesis
    # found it (under np.errstate(all="raise") it was a FloatingPointError); it is harmless.
    with np.errstate(all="raise"):
        history = fn([0.0, 1.0], [1e-155, 0.0], lr=0.1, epochs=3, w=0.0, b=0.0)
    assert history.epochs == 3 and not history.diverged and 0 < history.losses[0] < 1e-300
