"""Bad input gets a ValueError or TypeError that names the argument and what was expected."""

import numpy as np
import pytest

import neuron_core as nc

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
    ({"x": [True, False, True]}, TypeError, "x must hold real numbers, got dtype bool"),
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
    (lambda: nc.train([1e200, 2e200], Y[:2], 0.1, 5), ValueError, "x*x or x*y overflows"),
    (lambda: nc.train(X, Y, 0.1, 5, w=1e300), ValueError, "the starting loss overflows"),
])
def test_other_functions_reject(call, error, words):
    with pytest.raises(error) as caught:
        call()
    assert words in str(caught.value)
