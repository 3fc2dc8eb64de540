"""Property-based robustness: whatever a learner passes, every public function of neuron_core
returns finite numbers or raises a ValueError/TypeError that names the argument; no numpy warning
leaks and no NaN comes back silently."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import neuron_core as nc

pytestmark = pytest.mark.filterwarnings("error")  # any RuntimeWarning fails the test
settings.register_profile("course", max_examples=150, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("course")

# Anything at all as a float: huge, tiny, subnormal, negative zero. NaN and infinity separately.
any_float = st.floats(allow_nan=False, allow_infinity=False)
moderate = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
samples = hnp.arrays(np.float64, st.integers(2, 30), elements=any_float)

# Values that are never valid where numbers are expected, with the error each must raise.
NOT_NUMBERS = [None, "1.0", b"1", {"x": 1}, {1.0}, 1 + 2j, [1 + 0j, 2], [True, False], True,
               np.datetime64("2026-01-01"), [[1.0], [2.0, 3.0]], object()]
NOT_FINITE = [math.nan, math.inf, -math.inf, [1.0, math.nan], [math.inf, 0.0]]

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
}
COUNT_ARGS = {nc.train: "epochs", nc.article_model: "epochs", nc.make_dataset: "n"}


def rejects(fn, kwargs, name, errors=(ValueError, TypeError)):
    with pytest.raises(errors) as caught:
        fn(**kwargs)
    assert name in str(caught.value), f"{fn.__name__}: {caught.value!r} does not name {name!r}"


def cases(table):
    return [(fn, arg) for fn, (_, args) in table.items() for arg in args]


@pytest.mark.parametrize("fn, arg", cases(ARRAY_ARGS) + cases(SCALAR_ARGS))
@pytest.mark.parametrize("bad", NOT_NUMBERS + NOT_FINITE, ids=repr)
def test_non_numbers_and_non_finite_values_are_named(fn, arg, bad):
    table = ARRAY_ARGS if (fn, arg) in cases(ARRAY_ARGS) else SCALAR_ARGS
    kwargs = table[fn][0] | {arg: bad}
    rejects(fn, kwargs, arg)


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


@pytest.mark.parametrize("fn", [nc.train, nc.step, nc.article_model])
@pytest.mark.parametrize("bad", [0, -0.1, -1e300])
def test_learning_rate_must_be_positive(fn, bad):
    rejects(fn, (SCALAR_ARGS | ARRAY_ARGS)[fn][0] | {"lr": bad}, "lr", ValueError)


@pytest.mark.parametrize("fn", [nc.gradients, nc.train, nc.hessian, nc.lr_threshold])
@pytest.mark.parametrize("bad", ["avg", "", None, "MEAN", 1])
def test_unknown_reduction_is_named(fn, bad):
    rejects(fn, ARRAY_ARGS[fn][0] | {"reduction": bad}, "reduction", ValueError)


@given(x=samples, data=st.data())
def test_any_finite_samples_give_finite_results_or_a_named_error(x, data):
    y = data.draw(hnp.arrays(np.float64, len(x), elements=any_float))
    w, b = data.draw(any_float), data.draw(any_float)
    for fn, kwargs in [(nc.forward, {"x": x, "w": w, "b": b}),
                       (nc.mse, {"y_hat": x, "y": y}),
                       (nc.gradients, {"x": x, "y": y, "w": w, "b": b}),
                       (nc.numerical_gradients, {"x": x, "y": y, "w": w, "b": b}),
                       (nc.closed_form, {"x": x, "y": y}),
                       (nc.hessian, {"x": x}),
                       (nc.lr_threshold, {"x": x})]:
        try:
            result = fn(**kwargs)
        except (ValueError, TypeError) as err:
            assert any(name in str(err) for name in [*kwargs, fn.__name__]), err
            continue
        assert np.isfinite(np.asarray(result, dtype=float)).all() or fn is nc.lr_threshold, fn


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


@given(x=hnp.arrays(np.float64, st.integers(3, 20), elements=st.floats(-10, 10), unique=True),
       fraction=st.floats(0.05, 0.95), epochs=st.integers(1, 400))
def test_below_the_threshold_training_never_diverges(x, fraction, epochs):
    if np.ptp(x) < 1e-3:
        return
    y = 1.8 * x + 32
    history = nc.train(x, y, lr=fraction * nc.lr_threshold(x), epochs=epochs)
    assert not history.diverged
    assert np.all(np.diff(history.losses) <= 1e-9 * history.losses[0] + 1e-12)


@given(factor=st.floats(1.05, 1e6), epochs=st.integers(200, 400))
def test_above_the_threshold_training_always_diverges(factor, epochs):
    celsius, y = nc.make_dataset()
    x = nc.scale_inputs(celsius)
    history = nc.train(x, y, lr=factor * nc.lr_threshold(x), epochs=epochs)
    assert history.diverged and np.isfinite(history.losses).all()
