"""The exercise checkers (section 5 of neuron_core): they grade, they give the right hint, and
nothing a learner's function returns makes them crash.

For every checker: a correct answer passes (returns True, prints ✅); one that works in place on
its inputs passes too; each known mistake fails (False) with its hint; a hard-coded answer and one
that ignores an argument fail; odd return values (None, text, a dict, nested tuples, the wrong
shape...) fail with a ❌ and no traceback; the stub says ⏳; under nbgrader (NBGRADER_EXECUTION
set) a wrong or unwritten answer raises AssertionError with the printed text.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import neuron_checks
import neuron_core as nc

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


# -- the same answers, working in place on their (copied) inputs --------------------------------


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

ODD_RETURNS = {
    "None": None, "text": "68.0", "a dict": {"answer": 1.0}, "True": True, "nan": math.nan,
    "nested": [[1.0, 2.0]], "three values": (1.0, 2.0, 3.0), "a function": lambda: 1.0,
    "a set": {1.0}, "an object": object(), "complex": 1 + 2j, "ragged": ((1.0, 2.0), 3.0),
    "a huge int": 10**400, "a string list": ["1", "2"],
}


def check(name, fn):
    return getattr(nc, name)(fn)


def run(capsys, name, fn):
    result = check(name, fn)
    return result, capsys.readouterr().out


@pytest.fixture(autouse=True)
def not_grading(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)


def test_every_public_checker_is_tested():
    public = {name for name in dir(nc) if name.startswith("check_")}
    assert public == set(CHECKERS) | {"check_settings"}


@pytest.mark.parametrize("name", CHECKERS)
def test_a_correct_answer_passes(capsys, name):
    result, out = run(capsys, name, CHECKERS[name]["right"])
    assert result is True
    assert out.startswith("✅") and out.count("\n") == 1, out


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
    assert out.startswith("❌"), out
    assert "   Hint: " in out and hint in out.split("   Hint: ")[1], out


@pytest.mark.parametrize("name", CHECKERS)
@pytest.mark.parametrize("kind", ["hard_coded", "ignoring"])
def test_hard_coded_and_argument_ignoring_answers_fail(capsys, name, kind):
    result, out = run(capsys, name, CHECKERS[name][kind])
    assert result is False
    assert out.startswith("❌"), out
    if kind == "hard_coded":  # it passes the first case: a later one catches it
        assert "Hint: " in out, out


@pytest.mark.parametrize("name", CHECKERS)
@pytest.mark.parametrize("odd", ODD_RETURNS)
def test_odd_return_values_fail_with_a_message_not_a_traceback(capsys, name, odd):
    value = ODD_RETURNS[odd]
    result, out = run(capsys, name, lambda *args: value)
    assert result is False
    assert out.startswith("❌") and "Hint: " in out, out


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


@pytest.mark.parametrize("name", CHECKERS)
def test_the_stub_is_not_written_yet(capsys, name):
    def stub(*args):
        raise NotImplementedError()

    result, out = run(capsys, name, stub)
    assert result is False
    assert out == ("⏳ stub is not written yet: in its cell, replace the line "
                   "`raise NotImplementedError()` with your code\n")


@pytest.mark.parametrize("name", CHECKERS)
def test_an_error_in_the_learners_code_surfaces(capsys, name):
    def broken(*args):
        return {}["no such key"]

    with pytest.raises(KeyError, match="no such key"):
        check(name, broken)


@pytest.mark.parametrize("name", CHECKERS)
def test_passing_something_else_than_a_function(capsys, name):
    result, out = run(capsys, name, 68.0)
    assert result is False
    assert out.startswith(f"❌ {name} needs your function itself, not 68")


@pytest.mark.parametrize("name", CHECKERS)
def test_grading_mode_raises_on_a_wrong_or_unwritten_answer(capsys, monkeypatch, name):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert check(name, CHECKERS[name]["right"]) is True
    capsys.readouterr()
    mistake, hint = CHECKERS[name]["mistakes"][0]
    with pytest.raises(AssertionError) as raised:
        check(name, mistake)
    assert str(raised.value) + "\n" == capsys.readouterr().out  # the same text as printed
    assert hint in str(raised.value)

    def stub(*args):
        raise NotImplementedError()

    with pytest.raises(AssertionError, match="not written yet"):
        check(name, stub)


def test_the_learners_function_gets_copies_and_the_course_constants_stay(capsys):
    seen = []

    def spy(x, w, b):
        seen.append(x)
        return forward_in_place(x, w, b)

    assert nc.check_forward(spy) is True
    arrays = [x for x in seen if isinstance(x, np.ndarray)]
    assert arrays and all(x.flags.writeable for x in arrays)
    assert nc.ARTICLE_X.tolist() == (COURSE_C / 100).tolist()


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
def test_messages_on_the_main_path_use_no_advanced_words(capsys):
    """The main path never says Hessian, eigen... or λ: not in any verdict or hint."""
    for name, spec in CHECKERS.items():
        for fn in [spec["right"], spec["hard_coded"], spec["ignoring"]] + [
                m for m, _ in spec["mistakes"]]:
            check(name, fn)
    x, y = X, Y
    for answer in [(0.9, 100), (0.5, 100), (1.05, 50), (0.99, 100), (0.9, 150), None]:
        nc.check_settings(lambda answer=answer: answer, x, y)
    out = capsys.readouterr().out.lower()
    for word in ("hessian", "eigen", "λ", "lambda", "taylor"):
        assert word not in out


def test_the_first_case_of_each_check_is_the_one_the_notebook_states(capsys):
    """The ✅ line shows the first case: the numbers the notebooks' text promises."""
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


# -- check_settings --------------------------------------------------------------------------


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
])
def test_check_settings_says_what_is_wrong(capsys, answer, says):
    assert settings(answer) is False
    out = capsys.readouterr().out
    assert out.startswith("❌") and says in out, out


@pytest.mark.parametrize("answer", [(0.9, 100), [0.9, 100], np.array([0.9, 100.0]),
                                    (np.float64(0.9), np.int64(100)), (0.9, 100.0)])
def test_check_settings_accepts_good_settings_in_any_numeric_form(capsys, answer):
    assert settings(answer) is True
    assert capsys.readouterr().out.startswith("✅ lr = 0.9")


def test_check_settings_accepts_an_int_lr(capsys):
    assert settings((1, 100)) is False  # read as the number 1.0: b swings for ever, as there
    assert "b = 0.000 °F has not settled" in capsys.readouterr().out


def test_check_settings_stub_and_grading_mode(capsys, monkeypatch):
    def stub():
        raise NotImplementedError()

    assert nc.check_settings(stub, X, Y) is False
    assert capsys.readouterr().out.startswith("⏳ stub is not written yet")
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    assert settings((0.9, 100)) is True
    for wrong in [(0.5, 100), None, "text"]:
        with pytest.raises(AssertionError, match="❌"):
            settings(wrong)
    with pytest.raises(AssertionError, match="not written yet"):
        nc.check_settings(stub, X, Y)


def test_check_settings_does_not_hide_the_learners_own_error():
    def broken():
        return 1 / 0

    with pytest.raises(ZeroDivisionError):
        nc.check_settings(broken, X, Y)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_every_hint_can_be_reached(monkeypatch):
    """A hint is reachable when, in some case, its wrong value is not the right answer and no
    hint listed before it in that case gives the same value (the first match wins)."""
    cases_of = {}
    monkeypatch.setattr(neuron_checks, "_run_checks",
                        lambda fn, check, cases, returns: cases_of.setdefault(check, cases))
    for name in CHECKERS:
        check(name, my_forward)
    for name, cases in cases_of.items():
        reachable, listed = set(), set()
        for case in cases:
            for i, (wrong, text) in enumerate(case.hints):
                listed.add(text)
                if not neuron_checks._matches(wrong, case.want) and not any(
                        neuron_checks._matches(wrong, before) for before, _ in case.hints[:i]):
                    reachable.add(text)
        # per-case texts (numbers in them) need one reachable variant: compare their stems
        stems = {text.split(":")[0] for text in reachable}
        assert {text.split(":")[0] for text in listed} <= stems, name
