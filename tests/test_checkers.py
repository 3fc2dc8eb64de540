"""The exercise checkers (neuron_checks): they grade, they give the right hint, and nothing a
learner's function does makes them crash, hang or raise.

For every checker: a correct answer passes (returns True, prints ✔); one that works in place on
its inputs passes too; each known mistake fails (False, ✘) with its hint; a hard-coded answer and
one that ignores an argument fail; odd return values fail with a ✘ and no traceback; a function
that does nothing says ✎ not written yet; the library may not answer the exercise. The time
limit, the exits, the exceptions, the size limit and the stack-walking learner are tested below;
the hidden tests of grading are in test_checker_grading.py.
"""

from __future__ import annotations

import gc
import inspect
import math
import re
import signal
import sys
import threading
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

import neuron_checks
import neuron_core as nc
from neuron_core import forward as imported_forward

ROOT = Path(__file__).resolve().parents[1]
COURSE_C = np.arange(-40.0, 41.0, 10.0)
X, Y = COURSE_C / 100, 1.8 * COURSE_C + 32


def _loss(x, y, w, b):
    return float(np.mean((w * x + b - y) ** 2))


# -- correct answers, written as a learner would -----------------------------------------------


def to_celsius_units(w, b):
    return w / 100, b


def predict_fahrenheit(celsius, w, b):
    return w * (celsius / 100) + b


def my_forward(x, w, b):
    return w * x + b


def my_mse(y_hat, y):
    return np.mean((y_hat - y) ** 2)


def best_bias(x, y, w):
    return np.mean(y - w * x)


def nudge_slope_b(x, y, w, b, h):
    return (_loss(x, y, w, b + h) - _loss(x, y, w, b)) / h


def my_gradients(x, y, w, b):
    r = w * x + b - y
    return 2 * np.mean(r * x), 2 * np.mean(r)


def rmse_gradients(x, y, w, b):
    dw, db = my_gradients(x, y, w, b)
    root = math.sqrt(_loss(x, y, w, b))
    return dw / (2 * root), db / (2 * root)


def my_step(w, b, dw, db, lr):
    return w - lr * dw, b - lr * db


def my_threshold(x):
    return min(1.0, 1.0 / np.mean(x**2))


def balanced_scale(celsius):
    return np.sqrt(np.mean(celsius**2))


# -- the same answers, working in place on their (copied) inputs -------------------------------


def forward_in_place(x, w, b):
    x *= w
    x += b
    return x


def predict_in_place(celsius, w, b):
    celsius /= 100
    celsius *= w
    celsius += b
    return celsius


def mse_in_place(y_hat, y):
    y_hat -= y
    y_hat **= 2
    return y_hat.mean()


def best_bias_in_place(x, y, w):
    x *= w
    y -= x
    return y.mean()


def nudge_in_place(x, y, w, b, h):
    x *= w
    x += b - y  # x now holds the residuals
    before = np.mean(x**2)
    x += h
    return (np.mean(x**2) - before) / h


def gradients_in_place(x, y, w, b):
    y *= -1
    y += w * x + b  # y now holds the residuals
    return 2 * np.mean(y * x), 2 * np.mean(y)


def rmse_in_place(x, y, w, b):
    root = math.sqrt(_loss(x, y, w, b))
    dw, db = gradients_in_place(x, y, w, b)
    return dw / (2 * root), db / (2 * root)


def threshold_in_place(x):
    x **= 2
    return min(1.0, 1.0 / x.mean())


def balanced_in_place(celsius):
    celsius **= 2
    return np.sqrt(celsius.mean())


# -- each checker: right, in place, known mistakes with their hints, hard-coded, ignoring ------

CHECKERS = {
    "check_unscale": dict(
        right=to_celsius_units, in_place=None,
        mistakes=[
            (lambda w, b: (w * 100, b), "you multiplied by 100"),
            (lambda w, b: (w / 100, b / 100), "b is the output at 0 °C"),
            (lambda w, b: (b, w / 100), "the pair is (slope, intercept): w first"),
            (lambda w, b: (b, w), "the pair is (slope, intercept): w first"),
            (lambda w, b: (w, b), "the slope changes"),
        ],
        hard_coded=lambda w, b: (1.8, 32.0),
        ignoring=lambda w, b: (w / 100, 32.0),
    ),
    "check_predict_fahrenheit": dict(
        right=predict_fahrenheit, in_place=predict_in_place,
        mistakes=[
            (lambda c, w, b: w * c + b, "scale the reading first"),
            (lambda c, w, b: w * c * 100 + b, "divide by 100, do not multiply"),
            (lambda c, w, b: (w * c + b) / 100, "only the input is scaled"),
            (lambda c, w, b: w * c / 100 + b / 100, "b is in °F already, do not divide it"),
            (lambda c, w, b: w * (float(c) / 100) + b, "make it work on a whole array"),
        ],
        hard_coded=lambda c, w, b: 212.0,
        ignoring=lambda c, w, b: 180 * c / 100 + b,
    ),
    "check_forward": dict(
        right=my_forward, in_place=forward_in_place,
        mistakes=[
            (lambda x, w, b: w * x, "b is missing"),
            (lambda x, w, b: b * x + w, "w and b are swapped"),
            (lambda x, w, b: w * (x + b), "not w*(x + b)"),
            (lambda x, w, b: w * x - b, "b is subtracted"),
            (lambda x, w, b: x + b, "w is missing"),
            (lambda x, w, b: w + b, "x is missing"),
        ],
        hard_coded=lambda x, w, b: 68.0,
        ignoring=lambda x, w, b: w * x + 32.0,
    ),
    "check_mse": dict(
        right=my_mse, in_place=mse_in_place,
        mistakes=[
            (lambda p, y: (p - y) ** 2, "return their mean, one number"),
            (lambda p, y: np.mean(p - y), "the errors are not squared"),
            (lambda p, y: np.sum((p - y) ** 2), "that is the sum"),
            (lambda p, y: np.sum((p - y) ** 2) / (len(y) - 1), "not 3"),
            (lambda p, y: np.sqrt(np.mean((p - y) ** 2)), "RMSE"),
            (lambda p, y: np.mean(np.abs(p - y)), "mean absolute error"),
            (lambda p, y: np.mean(p - y) ** 2, "square each residual first, then average"),
            (lambda p, y: np.mean(p**2 - y**2), "not each value separately"),
        ],
        hard_coded=lambda p, y: 5.5,
        ignoring=lambda p, y: np.mean((p - 32.0) ** 2),
    ),
    "check_best_bias": dict(
        right=best_bias, in_place=best_bias_in_place,
        mistakes=[
            (lambda x, y, w: 32.0, "32 is right for the true rule only"),
            (lambda x, y, w: np.mean(y), "mean(y) works only when x averages to 0"),
            (lambda x, y, w: np.mean(w * x - y), "the sign is flipped"),
            (lambda x, y, w: np.mean(y) - w, "multiply w by mean(x), not by 1"),
            (lambda x, y, w: np.median(y - w * x), "use the mean, not the median"),
            (lambda x, y, w: np.mean(Y - w * X), "32 is right for the true rule only"),
        ],
        hard_coded=lambda x, y, w: 32.0,
        ignoring=lambda x, y, w: np.mean(y - 100 * x),
    ),
    "check_nudge_b": dict(
        right=nudge_slope_b, in_place=nudge_in_place,
        mistakes=[
            (lambda x, y, w, b, h: (_loss(x, y, w + h, b) - _loss(x, y, w, b)) / h,
             "you nudged w: hold w, nudge b"),
            (lambda x, y, w, b, h: _loss(x, y, w, b + h) - _loss(x, y, w, b),
             "divide the change in loss by the size of the nudge"),
            (lambda x, y, w, b, h: (_loss(x, y, w, b) - _loss(x, y, w, b + h)) / h,
             "the sign matters"),
            (lambda x, y, w, b, h: (_loss(x, y, w, b + h) - _loss(x, y, w, b - h)) / (2 * h),
             "that is the two-sided (central) nudge"),
            (lambda x, y, w, b, h: (_loss(x, y, w, b + h) - _loss(x, y, w, b)) / (2 * h),
             "divide by h, not 2h"),
        ],
        hard_coded=lambda x, y, w, b, h: -63.0,
        ignoring=lambda x, y, w, b, h: nudge_slope_b(x, y, w, b, 1.0),
    ),
    "check_gradients": dict(
        right=my_gradients, in_place=gradients_in_place,
        mistakes=[
            (lambda *a: tuple(-g for g in my_gradients(*a)), "wrong sign: the residual is"),
            (lambda *a: (-my_gradients(*a)[0], my_gradients(*a)[1]), "dw has the wrong sign"),
            (lambda *a: (my_gradients(*a)[0], -my_gradients(*a)[1]), "db has the wrong sign"),
            (lambda *a: tuple(9 * g for g in my_gradients(*a)), "the sum over samples"),
            (lambda *a: tuple(g / 2 for g in my_gradients(*a)), "half the right size"),
            (lambda *a: my_gradients(*a)[::-1], "dw and db are swapped"),
            (lambda *a: (my_gradients(*a)[1],) * 2, "dw is missing its factor x"),
            (lambda *a: (my_gradients(*a)[0],) * 2, "db has no factor x"),
            (lambda x, y, w, b: my_gradients(X, Y, w, b), "the notebook's own x and y"),
        ],
        hard_coded=lambda x, y, w, b: (-4.0, -24.0),
        ignoring=lambda x, y, w, b: my_gradients(x, y, 150.0, 20.0),
    ),
    "check_rmse_gradients": dict(
        right=rmse_gradients, in_place=rmse_in_place,
        mistakes=[
            (my_gradients, "that is the slope of the MSE"),
            (lambda *a: tuple(g / math.sqrt(_loss(*a)) for g in my_gradients(*a)),
             "twice too large"),
            (lambda *a: tuple(g / (2 * _loss(*a)) for g in my_gradients(*a)),
             "take the square root of L"),
            (lambda *a: tuple(g * 2 * math.sqrt(_loss(*a)) for g in my_gradients(*a)),
             "do not multiply"),
            (lambda *a: tuple(np.sqrt(my_gradients(*a))), "not of its slopes"),
            (lambda x, y, w, b: rmse_gradients(X, Y, w, b), "the notebook's own x and y"),
        ],
        hard_coded=lambda x, y, w, b: (-0.14002800840280097, -0.8401680504168059),
        ignoring=lambda x, y, w, b: rmse_gradients(x, y, w, 0.0),
    ),
    "check_step": dict(
        right=my_step, in_place=None,
        mistakes=[
            (lambda w, b, dw, db, lr: (w + lr * dw, b + lr * db), "you moved uphill"),
            (lambda w, b, dw, db, lr: (w - dw, b - db), "the learning rate is missing"),
            (lambda w, b, dw, db, lr: my_step(w, b, dw, db, lr)[::-1], "in the order (w, b)"),
            (lambda w, b, dw, db, lr: (w - lr * dw, b), "b did not move"),
            (lambda w, b, dw, db, lr: (w - lr * dw, b - lr * dw), "against its OWN slope"),
            (lambda w, b, dw, db, lr: (w - dw / lr, b - db / lr), "do not divide"),
            (lambda w, b, dw, db, lr: (-lr * dw, -lr * db), "that is the step itself"),
        ],
        hard_coded=lambda w, b, dw, db, lr: (31.0, 6.0),
        ignoring=lambda w, b, dw, db, lr: my_step(w, b, dw, db, 0.1),
    ),
    "check_threshold": dict(
        right=my_threshold, in_place=threshold_in_place,
        mistakes=[
            (lambda x: 1.0, "b is not the only knob"),
            (lambda x: 1.0 / np.mean(x**2), "w is not the only knob"),
            (lambda x: max(1.0, 1.0 / np.mean(x**2)), "take the smaller limit"),
            (lambda x: 2.0 / np.mean(x**2), "twice too large"),
            (lambda x: min(2.0, 2.0 / np.mean(x**2)), "twice too large"),
            (lambda x: min(0.5, 0.5 / np.mean(x**2)), "one step lands"),
            (lambda x: 1.0 / np.mean(x) ** 2, "square first, then average"),
            (lambda x: 7.5, "that is where w lands in one step"),  # 04: 1/0.1333
            (lambda x: 0.5 / np.mean(x**2), "that is where w lands in one step"),
        ],
        hard_coded=lambda x: 1.0,
        ignoring=lambda x: min(1.0, 1.0 / np.mean(X**2)),
    ),
    "check_balanced_scale": dict(
        right=balanced_scale, in_place=balanced_in_place,
        mistakes=[
            (lambda c: np.mean(c**2), "take the square root"),
            (lambda c: np.sqrt(np.sum(c**2)), "not the sum"),
            (lambda c: np.max(np.abs(c)), "still less than b's 2"),
            (lambda c: np.mean(np.abs(c)), "square first, then average"),
            (lambda c: 1 / np.sqrt(np.mean(c**2)), "s is a number of degrees"),
            (lambda c: 100.0, "that is the course's scale"),
        ],
        hard_coded=lambda c: 25.81988897471611,
        ignoring=lambda c: np.sqrt(np.mean(COURSE_C**2)),
    ),
}

class Exploding:
    """A return value that raises whatever numpy or Python asks of it."""

    def __array__(self, *args, **kwargs):
        raise SystemExit("not today")

    def __len__(self):
        raise KeyboardInterrupt

    def __repr__(self):
        raise RuntimeError("no repr")


def _deep(levels):
    value = 1.0
    for _ in range(levels):
        value = [value]
    return value


def _self_holding():
    values = [1.0]
    values.append(values)
    return values


ODD_RETURNS = {
    "None": None, "text": "68.0", "a dict": {"answer": 1.0}, "True": True, "nan": math.nan,
    "nested": [[1.0, 2.0]], "three values": (1.0, 2.0, 3.0), "a function": lambda: 1.0,
    "a set": {1.0}, "an object": object(), "complex": 1 + 2j, "ragged": ((1.0, 2.0), 3.0),
    "a huge int": 10**400, "a string list": ["1", "2"], "exploding": Exploding(),
    "a list that holds itself": _self_holding(), "deeper than numpy goes": _deep(100),
}
OLD_MARKS = ("✅", "❌", "⏳", "🎉")


def check(name, fn):
    return getattr(nc, name)(fn)


def run(capsys, name, fn):
    result = check(name, fn)
    return result, capsys.readouterr().out


@pytest.fixture(autouse=True)
def short_time_limit(monkeypatch):
    """A call gets 2 s here, not the course's 5 s (room enough on a busy machine)."""
    monkeypatch.setattr(neuron_checks, "TIME_LIMIT", 2.0)


@pytest.fixture
def quick(monkeypatch):
    """A hung answer costs 0.3 s in the tests that make one."""
    monkeypatch.setattr(neuron_checks, "TIME_LIMIT", 0.3)


def test_every_public_checker_is_tested():
    public = {name for name in dir(nc) if name.startswith("check_")}
    assert public == set(CHECKERS) | {"check_settings"}


@pytest.mark.parametrize("name", CHECKERS)
def test_a_correct_answer_passes(capsys, name):
    result, out = run(capsys, name, CHECKERS[name]["right"])
    assert result is True
    assert out.startswith("✔ ") and out.count("\n") == 1, out


@pytest.mark.parametrize("name", [n for n, spec in CHECKERS.items() if spec["in_place"]])
def test_a_correct_answer_that_works_in_place_passes(capsys, name):
    in_place, right = CHECKERS[name]["in_place"], CHECKERS[name]["right"]
    result, out = run(capsys, name, in_place)
    assert result is True, out
    # It worked on copies: the verdict shows the arguments as they were, not as it left them.
    _, out_right = run(capsys, name, right)
    assert out.replace(in_place.__name__, "f") == out_right.replace(right.__name__, "f")


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # the learner's own sqrt(-1)
@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # and 1/mean(x)**2
@pytest.mark.parametrize(("name", "number"), [
    (name, number) for name, spec in CHECKERS.items() for number in range(len(spec["mistakes"]))
])
def test_each_known_mistake_fails_with_its_hint(capsys, name, number):
    mistake, hint = CHECKERS[name]["mistakes"][number]
    result, out = run(capsys, name, mistake)
    assert result is False
    assert out.startswith("✘ "), out
    assert "   Hint: " in out and hint in out.split("   Hint: ")[1], out


@pytest.mark.parametrize("name", CHECKERS)
@pytest.mark.parametrize("kind", ["hard_coded", "ignoring"])
def test_hard_coded_and_argument_ignoring_answers_fail(capsys, name, kind):
    result, out = run(capsys, name, CHECKERS[name][kind])
    assert result is False
    assert out.startswith("✘ "), out
    if kind == "hard_coded":  # it passes the first case: a later one catches it
        assert "Hint: " in out, out


@pytest.mark.parametrize(("name", "odd"), [
    # every odd value on a checker of each kind of answer (a number, an array, a pair), and one
    # on every checker: they share the code that reads a return value
    *((name, odd) for name in ("check_mse", "check_forward", "check_gradients", "check_unscale")
      for odd in ODD_RETURNS),
    *((name, "None") for name in CHECKERS
      if name not in ("check_mse", "check_forward", "check_gradients", "check_unscale")),
])
def test_odd_return_values_fail_with_a_message_not_a_traceback(capsys, name, odd):
    value = ODD_RETURNS[odd]
    result, out = run(capsys, name, lambda *args: value)
    assert result is False
    assert out.startswith("✘ ") and "Hint: " in out, out


def test_the_hints_for_odd_returns_say_what_is_wrong(capsys):
    expected = {
        None: "it returns None: end the function with a return statement",
        "68.0": "it returns text",
        True: "a yes/no answer",
        ((-4.0, -24.0),): "packed in an extra tuple or list",
        (-4.0, -24.0, 0.0): "it returns 3 numbers where 2 are expected",
    }
    for value, hint in expected.items():
        assert nc.check_gradients(lambda *args, value=value: value) is False
        assert hint in capsys.readouterr().out


def test_a_wrong_number_of_predictions_is_named(capsys):
    assert nc.check_forward(lambda x, w, b: (w * x + b)[:-1] if np.ndim(x) else w * x + b) is False
    assert "it returns 2 numbers where 3 are expected" in capsys.readouterr().out


def test_the_marks_are_the_interfaces_ones_and_no_emoji_is_left():
    source = inspect.getsource(neuron_checks)
    assert not [mark for mark in OLD_MARKS if mark in source]
    assert (neuron_checks.MARK_RIGHT, neuron_checks.MARK_WRONG,
            neuron_checks.MARK_UNWRITTEN) == ("✔", "✘", "✎")


# -- not written yet ---------------------------------------------------------------------------

STUBS = {
    "the stub of the editions": "def stub(*args):\n    # YOUR CODE HERE: write your code in "
                                "place of the `...` below\n    ...\n",
    "a docstring only": 'def stub(*args):\n    """The answer."""\n',
    "a docstring and ...": 'def stub(*args):\n    """The answer."""\n    ...\n',
    "pass": "def stub(*args):\n    pass\n",
    "return None": "def stub(*args):\n    return None\n",
    "the old NotImplementedError": "def stub(*args):\n    raise NotImplementedError()\n",
}


def _compiled(source):
    namespace = {}
    exec(compile(source, "<answer cell>", "exec"), namespace)
    return namespace["stub"]


@pytest.mark.parametrize(("name", "stub"), [
    *((name, "the stub of the editions") for name in [*CHECKERS, "check_settings"]),
    *(("check_forward", stub) for stub in STUBS),
])
def test_a_function_that_does_nothing_is_not_written_yet(capsys, name, stub):
    fn = _compiled(STUBS[stub])
    result = nc.check_settings(fn, X, Y) if name == "check_settings" else check(name, fn)
    out = capsys.readouterr().out
    assert result is False
    assert out == ("✎ stub is not written yet: write your code in its cell, in place of the "
                   "`...`, then run that cell and this one\n")


@pytest.mark.parametrize("source", [
    "def stub(x):\n    print(x)\n",  # does something, returns None
    "def stub(x):\n    return x\n",
    "def stub(x):\n    yield x\n",  # a generator is not nothing
    "def stub(x):\n    x = 1\n",
])
def test_a_function_that_does_something_is_written(source):
    assert neuron_checks.is_unwritten(_compiled(source)) is False


def test_is_unwritten_reads_code_not_names():
    assert neuron_checks.is_unwritten(lambda *a: None) is True
    assert neuron_checks.is_unwritten(print) is False  # a builtin has no bytecode to read
    assert neuron_checks.is_unwritten(68.0) is False


# -- exceptions, exits, hangs ------------------------------------------------------------------


@pytest.mark.parametrize("name", CHECKERS)
def test_an_error_in_the_learners_code_is_a_verdict_with_its_type_message_and_line(capsys, name):
    def broken(*args):
        return {}["no such key"]

    result, out = run(capsys, name, broken)
    assert result is False
    first = out.splitlines()[0]
    assert first.startswith("✘ broken(") and "raises KeyError: 'no such key'" in first, out
    assert "return {}[\"no such key\"]" in first, out  # the learner's own line
    assert "Hint: the error comes from your function" in out


def test_an_error_inside_numpy_points_at_the_learners_line(capsys):
    def broken(x, w, b):
        return np.mean(x, axis=5) * w + b

    assert nc.check_forward(broken) is False
    out = capsys.readouterr().out
    assert "raises AxisError" in out and "return np.mean(x, axis=5) * w + b" in out, out


def test_an_exception_whose_message_raises_does_not_break_the_checker(capsys):
    class Unprintable(Exception):
        def __str__(self):
            raise RuntimeError("no message for you")

    def broken(x, w, b):
        raise Unprintable()

    assert nc.check_forward(broken) is False
    out = capsys.readouterr().out
    assert "raises Unprintable: (its message could not be shown)" in out, out
    assert "RuntimeError" not in out


def test_a_long_message_is_cut_to_one_short_line(capsys):
    def broken(x, w, b):
        raise ValueError("very long\n" * 500)

    assert nc.check_forward(broken) is False
    first = capsys.readouterr().out.splitlines()[0]
    assert "ValueError: very long very long" in first and len(first) < 300


@pytest.mark.parametrize(("body", "says"), [
    ("sys.exit()", "calls exit()"),
    ("exit(3)", "calls exit()"),
    ("raise SystemExit('bye')", "calls exit()"),
    ("raise KeyboardInterrupt", "was interrupted (KeyboardInterrupt)"),
])
def test_exits_and_interrupts_are_verdicts_that_never_escape(capsys, body, says):
    namespace = {"sys": sys, "exit": sys.exit}
    exec(f"def quitter(x, w, b):\n    {body}\n", namespace)
    assert nc.check_forward(namespace["quitter"]) is False
    out = capsys.readouterr().out
    assert out.startswith("✘ quitter(0.2, 180, 32) ") and says in out, out
    assert "Hint: " in out


def hangs(x, w, b):
    while True:
        pass


def hangs_and_swallows(x, w, b):
    while True:  # a bare except that swallows the first interruption
        try:
            while True:
                pass
        except BaseException:
            pass


def sleeps(x, w, b):
    time.sleep(60)


@pytest.mark.parametrize("fn", [hangs, hangs_and_swallows, sleeps])
def test_a_hang_is_stopped_at_the_time_limit(capsys, quick, fn):
    started = time.monotonic()
    assert nc.check_forward(fn) is False
    took = time.monotonic() - started
    out = capsys.readouterr().out
    assert out.startswith(f"✘ {fn.__name__}(0.2, 180, 32) did not finish in 0.3 s"), out
    assert "Hint: is there a loop that never ends?" in out
    assert took < 2.0


def test_the_time_limit_restores_the_previous_handler_timer_and_trace(capsys, quick):
    fired = []

    def handler(signum, frame):
        fired.append(signum)

    def tracer(frame, event, arg):
        return None

    before = signal.signal(signal.SIGALRM, handler)
    sys.settrace(tracer)
    try:
        signal.setitimer(signal.ITIMER_REAL, 30.0)
        assert nc.check_forward(hangs) is False
        assert nc.check_forward(my_forward) is True
        assert signal.getsignal(signal.SIGALRM) is handler
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 25.0 < remaining <= 30.0  # still running, less what the checks took
        assert sys.gettrace() is tracer
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        time.sleep(0.2)
        assert fired == [signal.SIGALRM]  # the instructor's timer still rings, once
    finally:
        sys.settrace(None)
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)
    assert sys.getprofile() is None


def test_outside_the_main_thread_the_limit_still_holds(capsys, quick):
    results = []
    worker = threading.Thread(target=lambda: results.append(nc.check_forward(hangs)))
    worker.start()
    worker.join(5.0)
    assert not worker.is_alive() and results == [False]
    assert "did not finish in 0.3 s" in capsys.readouterr().out


def test_a_slow_but_finishing_answer_passes(capsys, monkeypatch):
    monkeypatch.setattr(neuron_checks, "TIME_LIMIT", 1.0)

    def slow_forward(x, w, b):
        time.sleep(0.05)
        return w * x + b

    assert nc.check_forward(slow_forward) is True


# -- never raising, never reading the environment ----------------------------------------------


@pytest.mark.parametrize("name", CHECKERS)
def test_passing_something_else_than_a_function(capsys, name):
    result, out = run(capsys, name, 68.0)
    assert result is False
    assert out.startswith(f"✘ {name} needs your function itself, not 68")


@pytest.mark.parametrize("variable", [None, "autograde"])
def test_the_environment_changes_nothing(capsys, monkeypatch, variable):
    if variable is None:
        monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    else:
        monkeypatch.setenv("NBGRADER_EXECUTION", variable)
    for name, spec in CHECKERS.items():
        assert check(name, spec["right"]) is True
        assert check(name, spec["mistakes"][0][0]) is False  # no AssertionError, whatever is set
    assert nc.check_settings(lambda: None, X, Y) is False
    source = inspect.getsource(neuron_checks)
    assert not re.search(r"environ\[|environ\.get|getenv|NBGRADER", source)


def test_the_learners_function_gets_copies_and_the_course_constants_stay(capsys):
    seen = []

    def spy(x, w, b):
        seen.append(x)
        return forward_in_place(x, w, b)

    assert nc.check_forward(spy) is True
    arrays = [x for x in seen if isinstance(x, np.ndarray)]
    assert arrays and all(x.flags.writeable for x in arrays)
    assert nc.ARTICLE_X.tolist() == (COURSE_C / 100).tolist()


# -- the expected values are out of the learner's reach ----------------------------------------


def _everything_reachable(frame, stop):
    """Every number in the checker's frames, from ``frame`` up to ``stop`` (the test's frame,
    which stands for the notebook's): locals, and the objects they hold (tuples, lists, dicts,
    dataclasses, closures), a few levels deep."""
    found, stack, seen = [], [], set()
    while frame is not None and frame is not stop:
        stack.extend(frame.f_locals.values())
        frame = frame.f_back
    depth = {id(v): 0 for v in stack}
    while stack:
        value = stack.pop()
        if id(value) in seen or isinstance(value, type | type(sys)):
            continue
        seen.add(id(value))
        level = depth.get(id(value), 0)
        if isinstance(value, float | np.floating | np.ndarray):
            found.append(np.asarray(value, dtype=float).ravel())
            continue
        if level >= 4:
            continue
        children = []
        if isinstance(value, tuple | list | set):
            children = list(value)
        elif isinstance(value, dict):
            children = list(value.values())
        elif hasattr(value, "__dict__") and not callable(value):
            children = list(vars(value).values())
        elif callable(value) and getattr(value, "__closure__", None):
            children = [c.cell_contents for c in value.__closure__ if c.cell_contents is not None]
        for child in children:
            depth[id(child)] = level + 1
            stack.append(child)
    return found


def test_a_learner_walking_the_stack_finds_no_expected_value(capsys, monkeypatch):
    """Issue 21: `sys._getframe().f_back...f_locals['case'].want` reached the answer; now every
    number the learner's function can reach from the checker's frames, and every object the
    garbage collector knows that refers to its arguments, is checked against the expected
    values."""
    monkeypatch.setattr(neuron_checks, "TIME_LIMIT", 10.0)  # the walk is slow
    calls, reachable, test = [], [], sys._getframe()

    def walker(x, w, b):
        calls.append((np.array(x, dtype=float), float(w), float(b)))
        reachable.append(_everything_reachable(sys._getframe().f_back, test))
        if isinstance(x, np.ndarray):  # (a float like 0.2 is shared by the whole process)
            referrers = [r for r in gc.get_referrers(x) if isinstance(r, tuple | list | dict)]
            reachable[-1].extend(_everything_reachable_in(referrers))
        return 0.0  # wrong: the check must say so after all the calls

    assert nc.check_forward(walker) is False
    assert len(calls) == 3  # every case was called before anything was judged
    # The last case has unguessable numbers: its expected value cannot be anywhere by chance.
    (x, w, b), numbers = calls[-1], reachable[-1]
    want = w * x + b  # computed here, independently
    assert len(numbers) > 10  # the walk does see the checker's frames and their numbers
    assert not [n for n in numbers if n.shape == want.shape and np.allclose(n, want)]


def _everything_reachable_in(objects):
    values = []
    for obj in objects:
        items = obj.values() if isinstance(obj, dict) else obj
        for item in items:
            if isinstance(item, float | np.floating | np.ndarray):
                values.append(np.asarray(item, dtype=float).ravel())
    return values


def test_the_checkers_code_cannot_be_called_from_the_learners_function(capsys):
    """The cases are built from functions in neuron_checks; a learner that fetches one from the
    stack to get the expected value is refused."""

    def thief(x, w, b):
        frame = sys._getframe().f_back
        while frame is not None:
            for value in list(frame.f_globals.values()):
                if getattr(value, "__name__", "") == "_forward_case":
                    return value((x, w, b)).want
            frame = frame.f_back
        return 0.0

    assert nc.check_forward(thief) is False
    assert "reaches into the checker while it is checked: it calls the checker's own code" in (
        capsys.readouterr().out)


def test_a_learner_that_switches_the_watch_off_is_refused(capsys):
    def unwatched(x, w, b):
        sys.setprofile(None)
        return getattr(nc, "".join(["for", "ward"]))(x, w, b)  # a name made while it runs

    assert nc.check_forward(unwatched) is False
    assert "it replaces the checker's profile function" in capsys.readouterr().out
    assert sys.getprofile() is None


# -- outputs larger than the exercise needs ----------------------------------------------------


@pytest.mark.parametrize(("name", "value"), [
    ("check_forward", np.arange(10**7)),
    ("check_mse", np.arange(10**7)),
    ("check_gradients", np.arange(10**7)),
    ("check_forward", list(range(10**6))),
    ("check_mse", [[1.0] * 1000] * 1000),
])
def test_a_huge_output_is_refused_by_its_size_at_once(capsys, name, value):
    started = time.monotonic()
    assert check(name, lambda *args: value) is False
    took = time.monotonic() - started
    out = capsys.readouterr().out
    assert took < 0.5, took
    assert "far more than the answer needs" in out and len(out) < 400, out


# -- the library does not answer the exercises -------------------------------------------------

# For each checker, a function that calls the library function the exercise writes (or another
# one that hands over the answer): each would pass on the numbers.
LIBRARY_ANSWERS = {
    "check_unscale": (lambda w, b: nc.unscale_params(w, b), "nc.unscale_params"),
    "check_predict_fahrenheit": (lambda c, w, b: nc.forward(nc.scale_inputs(c), w, b),
                                 "nc.forward"),
    "check_forward": (lambda x, w, b: nc.forward(x, w, b), "nc.forward"),
    "check_mse": (lambda p, y: nc.mse(p, y), "nc.mse"),
    "check_best_bias": (lambda x, y, w: nc.step(w, 0.0, *nc.gradients(x, y, w, 0.0), 0.5)[1],
                        "nc.gradients"),
    "check_nudge_b": (lambda x, y, w, b, h: nc.gradients(x, y, w, b)[1] + h, "nc.gradients"),
    "check_gradients": (lambda x, y, w, b: nc.gradients(x, y, w, b), "nc.gradients"),
    "check_rmse_gradients": (
        lambda x, y, w, b: tuple((nc.train(x, y, 1e-12, 1, w, b).losses[0] ** -0.5 / 2) * g
                                 for g in my_gradients(x, y, w, b)), "nc.train"),
    "check_step": (lambda w, b, dw, db, lr: nc.step(w, b, dw, db, lr), "nc.step"),
    "check_threshold": (lambda x: nc.lr_threshold(x), "nc.lr_threshold"),
    "check_balanced_scale": (lambda c: np.sqrt(nc.hessian(c)[0, 0] / 2), "nc.hessian"),
}


@pytest.mark.parametrize("name", CHECKERS)
def test_an_exercise_the_library_answers_is_refused(capsys, name):
    fn, library = LIBRARY_ANSWERS[name]
    result, out = run(capsys, name, fn)
    assert result is False
    assert out.startswith(f"✘ your function uses {library}"), out
    assert "Hint: write it with numpy" in out


def test_the_refusal_names_what_the_exercise_is(capsys):
    assert nc.check_forward(LIBRARY_ANSWERS["check_forward"][0]) is False
    assert ("Hint: write it with numpy: this exercise is what nc.forward does inside"
            in capsys.readouterr().out)


TABLE = {"f": nc.forward}  # the library function hidden in a dict: found while it runs


def from_import(x, w, b):
    return imported_forward(x, w, b)  # `from neuron_core import forward as imported_forward`


def by_string(x, w, b):
    return getattr(nc, "forward")(x, w, b)  # noqa: B009


def by_pieces(x, w, b):
    return getattr(nc, "".join(["for", "ward"]))(x, w, b)  # only the watch sees this one


def in_a_lambda(x, w, b):
    return (lambda: nc.forward(x, w, b))()


def in_a_default(x, w, b, f=nc.forward):
    return f(x, w, b)


def by_import_inside(x, w, b):
    import neuron_core

    return neuron_core.forward(x, w, b)


def by_a_dict(x, w, b):
    return TABLE["f"](x, w, b)


def _helper(x, w, b):
    return nc.forward(x, w, b)


def by_a_helper(x, w, b):
    return _helper(x, w, b)


def _closure():
    f = nc.forward

    def in_a_closure(x, w, b):
        return f(x, w, b)

    return in_a_closure


def in_a_thread(x, w, b):
    out = []
    worker = threading.Thread(target=lambda: out.append(nc.forward(x, w, b)))
    worker.start()
    worker.join()
    return out[0]


def by_the_fast_module(x, w, b):
    import neuron_fast

    return w * x + b + 0 * neuron_fast.losses_at(np.array([0.0, 1.0]), np.array([0.0, 1.0]), w, b)


@pytest.mark.parametrize("fn", [from_import, by_string, by_pieces, in_a_lambda, in_a_default,
                                by_import_inside, by_a_dict, by_a_helper, _closure(),
                                in_a_thread, by_the_fast_module])
def test_the_library_is_found_however_it_is_reached(capsys, fn):
    assert nc.check_forward(fn) is False
    out = capsys.readouterr().out
    assert " uses nc.forward" in out or " uses neuron_fast.losses_at" in out, out


def test_the_static_reading_finds_the_names():
    assert neuron_checks.library_uses(from_import, ()) == ["nc.forward"]
    assert neuron_checks.library_uses(by_string, ()) == ["nc.forward"]
    assert neuron_checks.library_uses(in_a_default, ()) == ["nc.forward"]
    assert neuron_checks.library_uses(_closure(), ()) == ["nc.forward"]
    assert neuron_checks.library_uses(by_a_helper, ()) == ["nc.forward"]
    assert neuron_checks.library_uses(by_import_inside, ()) == ["nc.forward"]
    assert neuron_checks.library_uses(by_import_inside, ("forward",)) == []
    assert neuron_checks.library_uses(my_forward, ()) == []
    assert neuron_checks.library_uses(by_pieces, ()) == []  # found while it runs, not before

    def says_step(w, b, dw, db, lr):
        print("step")  # a word in a message is not a call of nc.step
        return nc.forward(1.0, -lr, w) * 0 + w - lr * dw, b - lr * db

    assert neuron_checks.library_uses(says_step, ("forward",)) == []


def loss_at(w, b):
    """The notebook's own loss (03): the MSE of w*x + b on the course data."""
    return nc.mse(nc.forward(X, w, b), Y)


def nudge_with_loss_at(x, y, w, b, h):
    return (loss_at(w, b + h) - loss_at(w, b)) / h


@pytest.mark.parametrize(("name", "fn"), [
    # the notebooks' own solutions, which use the library where the text invites it
    ("check_nudge_b", lambda x, y, w, b, h: (nc.mse(nc.forward(x, w, b + h), y)
                                             - nc.mse(nc.forward(x, w, b), y)) / h),
    ("check_gradients", lambda x, y, w, b: (2 * np.mean((nc.forward(x, w, b) - y) * x),
                                            2 * np.mean(nc.forward(x, w, b) - y))),
    ("check_rmse_gradients", lambda x, y, w, b: tuple(
        g / (2 * np.sqrt(nc.mse(nc.forward(x, w, b), y))) for g in nc.gradients(x, y, w, b))),
    ("check_best_bias", lambda x, y, w: np.mean(y - nc.forward(x, w, 0.0))),
    ("check_threshold", lambda x: min(1.0, 1.0 / np.mean(nc.scale_inputs(x, 1.0) ** 2))),
])
def test_the_library_calls_an_exercise_invites_are_allowed(capsys, name, fn):
    result, out = run(capsys, name, fn)
    assert result is True, out


def test_nudge_with_the_notebooks_loss_at_gets_the_hint(capsys):
    """Issue 20: loss_at ignores the data passed in; the nudge is right on the course data and
    wrong on the others, with a hint that says why."""
    assert nc.check_nudge_b(nudge_with_loss_at) is False
    out = capsys.readouterr().out
    assert "the notebook's x and y (loss_at uses them)" in out, out


@pytest.mark.parametrize(("name", "fn", "says"), [
    ("check_mse", lambda p, y: round(float(np.mean((p - y) ** 2)), 1),
     "rounded to 1 decimals: return it with at least 2 decimals"),
    ("check_gradients", lambda *a: tuple(round(float(g), 2) for g in my_gradients(*a)),
     "rounded to 2 decimals: return it with all its digits"),
])
def test_an_answer_rounded_more_than_the_check_accepts_gets_a_hint(capsys, name, fn, says):
    assert check(name, fn) is False
    assert says in capsys.readouterr().out


def test_threshold_7_5_where_w_lands_gets_the_hint(capsys):
    """Issue 20: 7.5 = 1/0.1333 is where w lands in one step (04, section 4), not the
    threshold."""
    assert nc.check_threshold(lambda x: 7.5) is False
    out = capsys.readouterr().out
    assert "gives 7.5, expected 1" in out and "w lands in one step" in out, out
    assert "lr = 7.5" in out


# -- tolerances match the wording of the notebooks ---------------------------------------------

DECIMALS = {"two": 2, "three": 3, "four": 4}


def _stated_precisions():
    """(notebook, check, function, solution source, decimals) for every exercise whose
    "Expected:" paragraph says "about" a number or "to N decimals"."""
    found = []
    for path in sorted((ROOT / "instructor").glob("[0-9]*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        for i, cell in enumerate(cells):
            if "exercise" not in cell.metadata.get("tags", []):
                continue
            call = re.search(r"nc\.(check_\w+)\((\w+)", cells[i + 1].source)
            text = next(c.source for c in reversed(cells[:i]) if c.cell_type == "markdown")
            expected = text[text.index("Expected"):].split("\n\n")[0]
            if "unrounded" in expected:  # the text asks for all the digits
                continue
            spelled = re.search(r"to (\w+) decimals", expected)
            about = re.findall(r"about `?\(?(-?\d+\.(\d+))", expected)
            decimals = DECIMALS[spelled.group(1)] if spelled else (
                max(len(d) for _, d in about) if about else None)
            if call and decimals is not None and call.group(1) != "check_settings":
                found.append((path.name, call.group(1), call.group(2), cell.source, decimals))
    return found


STATED = _stated_precisions()


def test_the_notebooks_state_rounded_values():
    # mse (about 1450.67), nudge (about -63.99), rmse (about (-0.1400, ...)), threshold (0.15 to
    # two decimals), balanced scale (about 25.82): if the text changes, this list follows it
    assert len(STATED) >= 4, STATED


@pytest.mark.parametrize(("notebook", "name", "function", "source", "decimals"), STATED)
def test_an_answer_rounded_as_the_text_states_passes(capsys, notebook, name, function, source,
                                                     decimals):
    namespace = {"np": np, "nc": nc}
    exec(source, namespace)  # the instructor's solution
    solution = namespace[function]

    def rounded(*args):
        return np.round(np.asarray(solution(*args), dtype=float), decimals)

    coarser = lambda *args: np.round(np.asarray(solution(*args), dtype=float), decimals - 2)  # noqa: E731
    assert check(name, solution) is True, capsys.readouterr().out
    assert check(name, rounded) is True, capsys.readouterr().out
    assert check(name, coarser) is False  # rounding more than the text does is wrong


# -- the text of the checks --------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
def test_messages_on_the_main_path_use_no_advanced_words(capsys):
    """The main path never says Hessian, eigen... or λ: not in any verdict or hint."""
    for name, spec in CHECKERS.items():
        for fn in [spec["right"], spec["hard_coded"], spec["ignoring"]] + [
                m for m, _ in spec["mistakes"]]:
            check(name, fn)
    for answer in [(0.9, 100), (0.5, 100), (1.05, 50), (0.99, 100), (0.9, 150), None]:
        nc.check_settings(lambda answer=answer: answer, X, Y)
    out = re.sub(r"\(at line \d+: .*\)", "", capsys.readouterr().out.lower())  # their lines
    for word in ("hessian", "eigen", "λ", "lambda", "taylor"):
        assert word not in out


def test_the_first_case_of_each_check_is_the_one_the_notebook_states(capsys):
    """The ✔ line shows the first case: the numbers the notebooks' text promises."""
    promised = {
        "check_unscale": "(180, 32) = (1.8, 32)",
        "check_predict_fahrenheit": "(100, 180, 32) = 212",
        "check_forward": "(0.2, 180, 32) = 68",
        "check_mse": "= 5.5",
        "check_best_bias": ", 100) = 32",
        "check_nudge_b": ", 100, 0, 1) = -63",
        "check_gradients": ", 150, 20) = (-4, -24)",
        "check_rmse_gradients": ", 100, 0) = (-0.140028, -0.840168)",
        "check_step": "(1, 0, -300, -60, 0.1) = (31, 6)",
        "check_threshold": "4]) = 1",
        "check_balanced_scale": "40]) = 25.8199",
    }
    for name, text in promised.items():
        check(name, CHECKERS[name]["right"])
        assert text in capsys.readouterr().out, name


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_every_hint_can_be_reached():
    """A hint is reachable when, in some case, its wrong value is not the right answer and no
    hint listed before it in that case gives the same value (the first match wins), at the
    exercise's tolerance."""
    for name, exercise in neuron_checks._EXERCISES.items():
        reachable, listed = set(), set()
        for args in exercise.arguments():
            case = exercise.case(args)

            def close(a, b, decimals=exercise.decimals):
                values = np.asarray(a, dtype=float)
                record = ("value", "", tuple(values.ravel().tolist()), values.shape, False, "")
                return neuron_checks._close(record, b, decimals)

            for i, (wrong, text) in enumerate(case.hints):
                listed.add(text)
                if not close(wrong, case.want) and not any(
                        close(wrong, before) for before, _ in case.hints[:i]):
                    reachable.add(text)
        # per-case texts (numbers in them) need one reachable variant: compare their stems
        stems = {text.split(":")[0] for text in reachable}
        assert {text.split(":")[0] for text in listed} <= stems, name


# -- check_settings ----------------------------------------------------------------------------


def settings(answer):
    return nc.check_settings(lambda: answer, X, Y)


@pytest.mark.parametrize(("answer", "says"), [
    ((0.5, 100), "not yet within 0.001 of 1.8: more epochs"),
    ((1.05, 50), "lr = 1.05 diverges (the divergence threshold is 1.000)"),
    ((1.2, 100), "diverges"),
    ((0.99, 100), "b = 27.756 °F has not settled"),
    ((1.0, 100), "b = 0.000 °F has not settled"),
    ((0.9, 150), "150 epochs is more than the 100 allowed"),
    ((0.9, 10**12), "more than the 100 allowed"),
    (None, "it returns None"),
    (0.9, "that is one number"),
    ({"lr": 0.9, "epochs": 100}, "it returns a dict"),
    ("0.9, 100", "it returns text"),
    ((100, 0.9), "the pair is (lr, epochs): the learning rate comes first"),
    ((0.9, 2.5), "a whole number, 1 or more, not 2.5"),
    ((0.9, 0), "a whole number, 1 or more, not 0"),
    ((-0.5, 100), "lr must be a positive number, not -0.5"),
    ((math.nan, 100), "lr must be a positive number"),
    ((True, 100), "lr = True is not a number"),
    ((0.9, "100"), "epochs = '100' is not a number"),
    (((0.9, 100),), "that is not a pair"),
    ((0.9, 100, 1), "that is not a pair"),
    ((0.9, [100]), "epochs = [100] is not a number"),
    (np.arange(10**7), "that is not a pair"),
])
def test_check_settings_says_what_is_wrong(capsys, answer, says):
    assert settings(answer) is False
    out = capsys.readouterr().out
    assert out.startswith("✘ ") and says in out, out


@pytest.mark.parametrize("answer", [(0.9, 100), [0.9, 100], np.array([0.9, 100.0]),
                                    (np.float64(0.9), np.int64(100)), (0.9, 100.0)])
def test_check_settings_accepts_good_settings_in_any_numeric_form(capsys, answer):
    assert settings(answer) is True
    assert capsys.readouterr().out.startswith("✔ lr = 0.9")


def test_check_settings_accepts_an_int_lr(capsys):
    assert settings((1, 100)) is False  # read as the number 1.0: b swings for ever, as there
    assert "b = 0.000 °F has not settled" in capsys.readouterr().out


def test_check_settings_reports_the_learners_error_hang_and_training(capsys, quick):
    def broken():
        return 1 / 0

    assert nc.check_settings(broken, X, Y) is False
    assert "raises ZeroDivisionError: division by zero" in capsys.readouterr().out

    def forever():
        while True:
            pass

    assert nc.check_settings(forever, X, Y) is False
    assert "forever() did not finish in 0.3 s" in capsys.readouterr().out

    def searches():
        for lr in (0.5, 0.7, 0.9):
            if abs(nc.train(X, Y, lr, 100).w / 100 - 1.8) < 1e-3:
                return lr, 100
        return 0.5, 100

    assert nc.check_settings(searches, X, Y) is False
    assert "searches uses nc.train" in capsys.readouterr().out
    assert nc.check_settings(lambda: (0.9 * nc.lr_threshold(X), 100), X, Y) is True
