"""The hidden tests of grading (neuron_grading): they re-check each answer with pristine copies of
the course's checking code and data, so that no trick in an answer cell turns a wrong answer into
points, and a hung or exiting answer costs its own exercise only.

The hidden lines run here as nbgrader runs them: in one namespace standing for the notebook's
globals, in a folder holding the course files (a copy, so that a test may damage it). nbgrader's
whole round trip is tested in test_grading.py.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import neuron_checks
import neuron_core as nc
import neuron_grading

ROOT = Path(__file__).resolve().parents[1]
X = nc.scale_inputs(nc.make_dataset()[0])
Y = nc.make_dataset()[1]


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """The assignment's folder: the course files, and the current directory, as at autograde."""
    for name in neuron_grading.FILES:
        shutil.copy(ROOT / f"{name}.py", tmp_path / f"{name}.py")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def notebook(**answers):
    """A namespace standing for the notebook's globals after the learner's cells ran."""
    return {"__builtins__": __builtins__, "np": np, "nc": nc, "x": X, "y": Y, **answers}


def hidden(check, function, namespace):
    """Run the hidden lines of a check cell: (passed, the assertion's message)."""
    source = neuron_grading.hidden_test_source(check, function)
    try:
        exec(compile(source, "<check cell>", "exec"), namespace)
    except AssertionError as failed:
        return False, str(failed)
    return True, ""


def my_forward(x, w, b):
    return w * x + b


def no_bias(x, w, b):
    return w * x


def choose_settings():
    return 0.9, 100


# -- the lines themselves ----------------------------------------------------------------------


def test_the_hidden_lines_are_short_python_that_asserts():
    source = neuron_grading.hidden_test_source("check_predict_fahrenheit", "predict_fahrenheit")
    compile(source, "<check cell>", "exec")
    lines = source.splitlines()
    assert len(lines) <= 12 and max(map(len, lines)) <= 100
    # nbgrader's feedback shows the failing assert with the four lines above it: no file there
    assert not [line for line in lines[-5:] if ".py" in line]
    assert lines[-1] == "assert _passed, _verdict"
    assert "BEGIN HIDDEN TESTS" not in source  # the build script adds nbgrader's markers
    assert "'check_predict_fahrenheit'" in source and "'predict_fahrenheit'" in source
    assert "import neuron" not in source  # never through sys.modules


@pytest.mark.parametrize(("check", "function"), [
    ("check_nothing", "f"), ("check_forward", "not a name"), ("check_forward", None)])
def test_the_hidden_lines_refuse_bad_names(check, function):
    with pytest.raises(ValueError, match="check_name|function_name"):
        neuron_grading.hidden_test_source(check, function)


def test_every_checker_has_hidden_lines():
    assert set(neuron_grading.CHECKS) == set(neuron_checks.__all__)


# -- honest work -------------------------------------------------------------------------------


def test_a_right_answer_passes_and_a_wrong_one_fails_with_the_verdict(folder, capsys):
    assert hidden("check_forward", "my_forward", notebook(my_forward=my_forward)) == (True, "")
    passed, message = hidden("check_forward", "my_forward", notebook(my_forward=no_bias))
    assert not passed
    assert message.startswith("✘ no_bias(0.2, 180, 32) gives 36, expected 68")
    assert "Hint: b is missing" in message
    assert capsys.readouterr().out == ""  # the visible check prints; the hidden one asserts


def test_a_missing_function_fails_with_a_word_not_a_name_error(folder):
    passed, message = hidden("check_forward", "my_forward", notebook())
    assert not passed and "my_forward is not defined" in message


def test_an_unwritten_answer_fails(folder):
    def my_forward(x, w, b):
        ...

    passed, message = hidden("check_forward", "my_forward", notebook(my_forward=my_forward))
    assert not passed and message.startswith("✎ my_forward is not written yet")


# -- tricks that must not score ----------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "autograde"])
def test_the_environment_changes_nothing(folder, monkeypatch, value):
    if value is None:
        monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    else:
        monkeypatch.setenv("NBGRADER_EXECUTION", value)
    assert not hidden("check_forward", "my_forward", notebook(my_forward=no_bias))[0]
    assert hidden("check_forward", "my_forward", notebook(my_forward=my_forward))[0]


def test_patched_checkers_and_internals_change_nothing(folder, monkeypatch):
    monkeypatch.setattr(nc, "check_forward", lambda fn: True, raising=False)
    monkeypatch.setattr(neuron_checks, "_close", lambda *a: True)
    monkeypatch.setattr(neuron_checks, "judge_answers", lambda *a, **k: (True, "✔"))
    monkeypatch.setattr(neuron_checks, "collect_answers", lambda *a: ())
    monkeypatch.setattr(nc, "forward", lambda x, w, b: w * x)
    modules = dict(sys.modules)
    passed, message = hidden("check_forward", "my_forward", notebook(my_forward=no_bias))
    assert not passed and "b is missing" in message
    assert hidden("check_forward", "my_forward", notebook(my_forward=my_forward))[0]
    assert {k: v for k, v in sys.modules.items() if k.startswith("neuron_")} == {
        k: v for k, v in modules.items() if k.startswith("neuron_")}  # sys.modules as it was


def test_overwritten_notebook_data_changes_nothing(folder, capsys):
    """On x = +-1, y = 180 x + 32, one step of lr 0.5 lands: the visible check passes a trivial
    answer on the learner's data; grading trains on the course's."""
    x, y = np.array([-1.0, 1.0]), 180 * np.array([-1.0, 1.0]) + 32
    trivial = lambda: (0.5, 1)  # noqa: E731
    assert nc.check_settings(trivial, x, y) is True
    namespace = notebook(choose_settings=trivial, x=x, y=y)
    passed, message = hidden("check_settings", "choose_settings", namespace)
    assert not passed and "not yet within 0.001 of 1.8" in message
    namespace = notebook(choose_settings=choose_settings, x=x, y=y)
    assert hidden("check_settings", "choose_settings", namespace)[0]


@pytest.mark.parametrize(("check", "function", "answer"), [
    ("check_forward", "my_forward", lambda x, w, b: nc.forward(x, w, b)),
    ("check_gradients", "my_gradients", lambda x, y, w, b: nc.gradients(x, y, w, b)),
    ("check_threshold", "my_threshold", lambda x: nc.lr_threshold(x)),
    ("check_step", "my_step", lambda w, b, dw, db, lr: nc.step(w, b, dw, db, lr)),
])
def test_library_answers_do_not_score(folder, check, function, answer):
    passed, message = hidden(check, function, notebook(**{function: answer}))
    assert not passed and "Hint: write it with numpy" in message


def test_copied_outputs_do_not_score(folder):
    """The values the text states, or a visible check printed, are not the hidden cases'."""
    for check, function, copied in [
            ("check_balanced_scale", "balanced_scale", lambda c: 25.8199),
            ("check_rmse_gradients", "rmse_gradients", lambda *a: (-0.140028, -0.840168)),
            ("check_best_bias", "best_bias", lambda x, y, w: 32.0)]:
        assert not hidden(check, function, notebook(**{function: copied}))[0], check


def test_the_hidden_cases_are_not_the_visible_ones(folder, capsys):
    seen = {"visible": [], "hidden": []}

    def recorder(label):
        def my_forward(x, w, b):
            seen[label].append((np.array(x).tolist(), w, b))
            return w * x + b

        return my_forward

    assert nc.check_forward(recorder("visible")) is True
    assert hidden("check_forward", "my_forward", notebook(my_forward=recorder("hidden")))[0]
    assert seen["visible"][:2] == seen["hidden"][:2]  # the cases the text states
    assert seen["visible"][-1] != seen["hidden"][-1]  # the unguessable one is another


def test_a_learner_patching_the_checker_from_the_stack_gains_nothing(folder):
    """The learner's function reaches the copy of the checking code that calls it (its frames'
    globals) and patches its comparison, its judge and the grading namespace; the verdict comes
    from a copy made after it last ran."""

    def patcher(x, w, b):
        frame = sys._getframe().f_back
        while frame is not None:
            scope = frame.f_globals
            if "_close" in scope:
                scope["_close"] = lambda *a: True
                scope["judge_answers"] = lambda *a, **k: (True, "✔ patched")
            if "_fresh" in scope:
                scope["_fresh"] = lambda *a: None
            frame = frame.f_back
        return w * x  # wrong

    passed, message = hidden("check_forward", "my_forward", notebook(my_forward=patcher))
    assert not passed and "b is missing" in message


def test_numpy_or_builtins_replaced_by_an_answer_cell_are_refused(folder, monkeypatch):
    """`np.allclose = lambda *a, **k: True` in an answer cell would make any comparison pass;
    `np.sum = ...` would change the expected values themselves."""
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    passed, message = hidden("check_forward", "my_forward", notebook(my_forward=no_bias))
    assert not passed and message.startswith("✘ numpy.allclose is not Python's or numpy's own")
    monkeypatch.undo()

    class Zero:
        def __call__(self, *args, **kwargs):
            return 0.0

    monkeypatch.setattr(np, "sum", Zero())
    passed, message = hidden("check_mse", "my_mse", notebook(my_mse=lambda y_hat, y: 0.0))
    assert not passed and "numpy.sum" in message
    monkeypatch.undo()
    monkeypatch.setattr("builtins.abs", lambda value: 0.0)
    assert not hidden("check_forward", "my_forward", notebook(my_forward=my_forward))[0]
    monkeypatch.undo()
    assert hidden("check_forward", "my_forward", notebook(my_forward=my_forward))[0]


def test_a_learner_switching_the_tamper_check_off_from_the_stack_gains_nothing(folder,
                                                                               monkeypatch):
    """np.allclose patched, and the grader's list of modules to check emptied from the stack
    while the function runs: the check still runs on what was bound before."""
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)

    def sly(x, w, b):
        frame = sys._getframe().f_back
        while frame is not None:
            if "TRUSTED_MODULES" in frame.f_globals:
                frame.f_globals["TRUSTED_MODULES"] = ()
                frame.f_globals["_tampered"] = lambda names: ""
            frame = frame.f_back
        return w * x

    passed, message = hidden("check_forward", "my_forward", notebook(my_forward=sly))
    assert not passed and "numpy.allclose" in message


class Trap:
    """A learner's object in a reference cycle, whose __del__ patches whatever checking code is
    running when the garbage collector finally frees it."""

    def __init__(self):
        self.me = self

    def __del__(self):
        frame = sys._getframe()
        while frame is not None:
            if "judge_answers" in frame.f_globals:
                frame.f_globals["_close"] = lambda *a: True
            frame = frame.f_back


def test_a_finalizer_left_behind_does_not_run_while_grading_judges(folder):
    def trapped(x, w, b):
        for _ in range(50):
            Trap()
        return w * x  # wrong

    passed, message = hidden("check_forward", "my_forward", notebook(my_forward=trapped))
    assert not passed and "b is missing" in message
    assert gc_enabled()


def gc_enabled():
    import gc

    return gc.isenabled()


def test_course_files_rewritten_by_an_answer_cell_are_refused(folder):
    path = folder / "neuron_checks.py"
    path.write_text(path.read_text().replace("def _close(", "def _close_(*a):\n    return True"
                                             "\n\n\ndef _close("))
    passed, message = hidden("check_forward", "my_forward", notebook(my_forward=no_bias))
    assert not passed and "not the ones this assignment was built with" in message
    # and without the digest the rewritten file would have been believed: the digest matters
    assert neuron_grading.grade("check_forward", no_bias, "no_bias", None, folder)[0] is False


def test_grading_reads_the_files_not_the_imported_modules(folder):
    """A file that differs from the imported module is the one that judges."""
    path = folder / "neuron_checks.py"
    path.write_text(path.read_text().replace("b is missing: add the bias",
                                             "b is missing (from the file): add the bias"))
    passed, message = neuron_grading.grade("check_forward", no_bias, "no_bias", None, folder)
    assert not passed and "(from the file)" in message


# -- answers that hang or stop the kernel cost their own exercise only -------------------------


def hangs(x, w, b):
    while True:
        pass


def exits(x, w, b):
    sys.exit()


def interrupts(x, w, b):
    raise KeyboardInterrupt


@pytest.mark.parametrize(("fn", "says"), [
    (hangs, "did not finish in 0.3 s"), (exits, "calls exit()"),
    (interrupts, "was interrupted (KeyboardInterrupt)")])
def test_a_hung_or_exiting_answer_fails_that_exercise_only(folder, monkeypatch, fn, says):
    monkeypatch.setattr(neuron_grading, "TIME_LIMIT", 0.3)
    started = time.monotonic()
    passed, message = neuron_grading.grade("check_forward", fn, fn.__name__)
    assert not passed and says in message and "Hint:" in message
    assert time.monotonic() - started < 3.0
    # the kernel lives on and grades the next exercise
    assert neuron_grading.grade("check_step", lambda w, b, dw, db, lr: (w - lr * dw, b - lr * db),
                                "my_step")[0]
    assert sys.getprofile() is None and sys.gettrace() is None
    assert sys.getswitchinterval() < 1.0


def test_the_grading_time_limit_is_the_modules_own(folder):
    """An answer cell that sets neuron_checks.TIME_LIMIT to hours changes nothing."""
    assert neuron_grading.TIME_LIMIT <= 10.0
    source = (folder / "neuron_grading.py").read_text()
    assert "checks.CHECK_SEED, checks.TIME_LIMIT = seed, TIME_LIMIT" in source


def test_the_digest_covers_every_course_file(folder):
    sources = {name: (folder / f"{name}.py").read_text() for name in neuron_grading.FILES}
    digest = neuron_grading.course_digest(sources)
    for name in neuron_grading.FILES:
        changed = dict(sources, **{name: sources[name] + "\n"})
        assert neuron_grading.course_digest(changed) != digest, name
    assert os.path.exists(folder / "neuron_grading.py")


def test_in_a_real_kernel_hangs_exits_and_interrupts_are_verdicts_and_the_notebook_runs_on(
        folder):
    """Issue 19: in the kernel JupyterLab and nbgrader use (ipykernel's main thread), a loop that
    never ends, sys.exit() and KeyboardInterrupt each give ✘ with a hint within the limit; the
    kernel survives, the next cells run, and the hidden lines grade the next answer."""
    nbclient = pytest.importorskip("nbclient")
    from nbformat.v4 import new_code_cell, new_notebook

    cells = [
        "import sys\nimport numpy as np\nimport neuron_core as nc\nimport neuron_checks\n"
        "neuron_checks.TIME_LIMIT = 0.5",
        "def my_forward(x, w, b):\n    while True:\n        pass",
        "ok = nc.check_forward(my_forward)",
        "def my_step(w, b, dw, db, lr):\n    sys.exit()",
        "ok = nc.check_step(my_step)\n"
        + neuron_grading.hidden_test_source("check_step", "my_step"),
        "def my_mse(y_hat, y):\n    raise KeyboardInterrupt",
        "ok = nc.check_mse(my_mse)",
        "def my_threshold(x):\n    return min(1.0, 1.0 / np.mean(x**2))",
        "ok = nc.check_threshold(my_threshold)\n"
        + neuron_grading.hidden_test_source("check_threshold", "my_threshold"),
    ]
    nb = new_notebook(cells=[new_code_cell(source) for source in cells])
    started = time.monotonic()
    nbclient.NotebookClient(nb, timeout=60, allow_errors=True,
                            resources={"metadata": {"path": str(folder)}}).execute()
    assert time.monotonic() - started < 40.0

    def out(i):
        outputs = nb.cells[i].outputs
        return "".join(o.get("text", "") for o in outputs), [o.ename for o in outputs
                                                             if o.output_type == "error"]

    assert out(2)[0].startswith("✘ my_forward(0.2, 180, 32) did not finish in 0.5 s")
    text, errors = out(4)
    assert "calls exit()" in text and "Hint:" in text and errors == ["AssertionError"]
    assert "was interrupted (KeyboardInterrupt)" in out(6)[0] and out(6)[1] == []
    assert out(8)[0].startswith("✔ my_threshold") and out(8)[1] == []
    assert not [i for i, cell in enumerate(nb.cells) for o in cell.outputs
                if o.output_type == "error" and i != 4]


def _solutions():
    """(notebook, check, function name, the instructor's solution cell) of every exercise."""
    import re

    import nbformat

    found = []
    for path in sorted((ROOT / "instructor").glob("[0-9]*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        for i, cell in enumerate(cells):
            if "exercise" in cell.metadata.get("tags", []):
                call = re.search(r"nc\.(check_\w+)\((\w+)", cells[i + 1].source)
                found.append((path.name, call.group(1), call.group(2), cell.source))
    return found


@pytest.mark.parametrize(("notebook_name", "check", "function", "source"), _solutions())
def test_every_solution_of_the_course_passes_its_check_and_its_grading(
        folder, capsys, notebook_name, check, function, source):
    namespace = notebook()
    exec(source, namespace)
    fn = namespace[function]
    visible = (nc.check_settings(fn, X, Y) if check == "check_settings"
               else getattr(nc, check)(fn))
    assert visible is True, capsys.readouterr().out
    assert hidden(check, function, namespace) == (True, ""), notebook_name
