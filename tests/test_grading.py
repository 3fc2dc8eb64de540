"""Grading with nbgrader: the course's tags become nbgrader metadata, and autograding gives the
scores a teacher expects.

The metadata tests need no nbgrader. The autograding test runs nbgrader 0.9 from its own
environment, .venv-grader (``make assignment`` creates it: nbgrader's server and lab extensions
stay out of the course's JupyterLab). It builds the assignment from notebooks/ in a temporary
course folder, then autogrades three submissions of every notebook:

* blank: the released notebooks as they are: 0 points;
* mistakes: each exercise answered with a typical mistake: 0 points on every check;
* correct: the course's own solutions: full marks.

The release must also be, cell for cell, the student edition of ``make student``.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import assignment as asg
import nbformat
import pytest
import student_edition as se
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
GRADER_PYTHON = ROOT / ".venv-grader" / "bin" / "python"
STUDENTS = ("blank", "mistakes", "correct")

# A typical mistake for each checker, as the body of the learner's function; {0}, {1}... are the
# function's parameters. A new checker needs one here, or test_every_exercise_has_a_mistake fails.
MISTAKES = {
    "check_unscale": "return {0} * 100, {1}",  # multiplied instead of divided
    "check_predict_fahrenheit": "return {1} * {0} + {2}",  # the raw reading, not scaled
    "check_forward": "return {1} * {0}",  # the bias forgotten
    "check_mse": "return sum(({0} - {1}) ** 2)",  # the sum, not the mean
    "check_best_bias": "return sum({1}) / len({1})",  # mean(y): right for centred x only
    "check_nudge_b": ("return (nc.mse(nc.forward({0}, {2} + {4}, {3}), {1})"
                      " - nc.mse(nc.forward({0}, {2}, {3}), {1})) / {4}"),  # nudged w, not b
    "check_gradients": ("r = {1} - ({2} * {0} + {3})\n"
                        "return 2 * (r * {0}).mean(), 2 * r.mean()"),  # y - y_hat: signs flipped
    "check_rmse_gradients": "return nc.gradients({0}, {1}, {2}, {3})",  # the MSE's slopes
    "check_step": "return {0} + {4} * {2}, {1} + {4} * {3}",  # uphill
    "check_threshold": "return 1.0",  # b's limit only
    "check_balanced_scale": "return (({0}) ** 2).mean()",  # the square root forgotten
    "check_settings": "return 0.5, 100",  # too slow: w is not there after 100 epochs
}


def course_notebooks():
    return sorted(NOTEBOOKS.glob("[0-9]*.ipynb"))


def read(path):
    return nbformat.read(path, as_version=nbformat.NO_CONVERT)


# ---------------------------------------------------------------------------------------------
# Tags to nbgrader metadata (no nbgrader needed)
# ---------------------------------------------------------------------------------------------


def lesson():
    def tagged(source, tag):
        return new_code_cell(source, metadata={"tags": [tag]})

    nb = new_notebook(cells=[
        new_markdown_cell("# Lesson"),
        new_code_cell("import neuron_core as nc"),
        tagged("def my_forward(x, w, b):\n    ### BEGIN SOLUTION\n    return w * x + b\n"
               "    ### END SOLUTION", "exercise"),
        tagged("nc.check_forward(my_forward)", "check"),
        tagged("def choose_settings():\n    ### BEGIN SOLUTION\n    return 0.9, 100\n"
               "    ### END SOLUTION", "exercise"),
        tagged("nc.check_settings(choose_settings, x, y)", "check"),
    ])
    nb.cells[3].outputs = [nbformat.v4.new_output("stream", text="✅\n")]
    return nb


def test_tags_become_nbgrader_metadata_with_stable_ids():
    graded = asg.nbgrader_notebook(lesson())
    meta = [cell.metadata.get("nbgrader") for cell in graded.cells]
    assert meta[0] is None and meta[1] is None  # other cells are left alone
    assert meta[2] == {"grade": False, "grade_id": "my_forward", "locked": False,
                       "schema_version": 3, "solution": True, "task": False}
    assert meta[3] == {"grade": True, "grade_id": "check_my_forward", "locked": True,
                       "points": 1, "schema_version": 3, "solution": False, "task": False}
    assert meta[5]["grade_id"] == "check_choose_settings"
    assert graded.cells[3].outputs == []
    assert [c.source for c in graded.cells] == [c.source for c in lesson().cells]
    # the same ids however the cells move: they come from the function names
    moved = lesson()
    moved.cells.insert(2, new_markdown_cell("More text"))
    assert [c.metadata.get("nbgrader", {}).get("grade_id") for c in
            asg.nbgrader_notebook(moved).cells if "nbgrader" in c.metadata] == [
        "my_forward", "check_my_forward", "choose_settings", "check_choose_settings"]


def test_the_tags_decide_not_stale_metadata():
    nb = lesson()
    nb.cells[1].metadata["nbgrader"] = {"grade": True, "grade_id": "stale", "points": 5}
    assert "nbgrader" not in asg.nbgrader_notebook(nb).cells[1].metadata


@pytest.mark.parametrize(("change", "message"), [
    (lambda nb: nb.cells.pop(3), "without a check cell .*my_forward"),
    (lambda nb: setattr(nb.cells[3], "source", "nc.check_forward(other)"), "a check cell must"),
    (lambda nb: setattr(nb.cells[2], "source", "x = 1\n### BEGIN SOLUTION\n### END SOLUTION"),
     "must define a function"),
    (lambda nb: setattr(nb.cells[2], "source", "def f():\n    return 1"), "no '### BEGIN"),
    (lambda nb: nb.cells[4].metadata.update(tags=[]), "not tagged 'exercise'"),
    (lambda nb: nb.cells.insert(4, nb.cells[2].copy()), "a second exercise named 'my_forward'"),
])
def test_what_would_grade_wrongly_is_refused(change, message):
    nb = lesson()
    change(nb)
    with pytest.raises(ValueError, match=message):
        asg.nbgrader_notebook(nb)


def test_the_nbgrader_config_uses_the_student_editions_stub_and_markers():
    namespace = {}

    class Config(dict):
        def __getattr__(self, name):
            return self.setdefault(name, Config())

        def __setattr__(self, name, value):
            self[name] = value

    config = Config()
    exec(asg.CONFIG, {"get_config": lambda: config}, namespace)
    assert config.ClearSolutions.code_stub == {"python": se.CODE_STUB}
    assert config.ClearSolutions.begin_solution_delimeter == se.BEGIN_MARKER
    assert config.ClearSolutions.end_solution_delimeter == se.END_MARKER


def test_write_source_puts_the_library_next_to_the_notebooks(tmp_path):
    written = asg.write_source(NOTEBOOKS, tmp_path / "course")
    folder = tmp_path / "course" / "source" / asg.ASSIGNMENT
    assert [p.name for p in written] == [p.name for p in course_notebooks()]
    assert {"neuron_core.py", "neuron_ui.py"} <= set(asg.LIBRARY)
    for name in asg.LIBRARY:
        assert (folder / name).read_bytes() == (ROOT / name).read_bytes()
    assert (tmp_path / "course" / "nbgrader_config.py").exists()
    assert not (folder / "demo.ipynb").exists()


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.name)
def test_every_exercise_has_a_typical_mistake(path):
    for checker, _ in exercises(read(path)):
        assert checker in MISTAKES, f"add a typical mistake for {checker} to MISTAKES"


# ---------------------------------------------------------------------------------------------
# Autograding three submissions with nbgrader
# ---------------------------------------------------------------------------------------------


def exercises(nb):
    """[(checker name, exercise function's parameters)] for each exercise cell, in order."""
    checks = {}
    for cell in nb.cells:
        if se.has_tag(cell, se.CHECK_TAG):
            call = next(node for node in ast.walk(ast.parse(cell.source))
                        if isinstance(node, ast.Call))
            checks[call.args[0].id] = call.func.attr
    found = []
    for cell in se.exercise_cells(nb):
        function = next(node for node in ast.parse(cell.source).body
                        if isinstance(node, ast.FunctionDef))
        found.append((checks[function.name], [arg.arg for arg in function.args.args]))
    return found


def answered(release_nb, source_nb, kind):
    """The release notebook with every stub answered: the solution, or a typical mistake."""
    nb = read_copy(release_nb)
    pairs = zip(se.exercise_cells(nb), se.exercise_cells(source_nb), exercises(source_nb),
                strict=True)
    for cell, source_cell, (checker, params) in pairs:
        if kind == "correct":
            cell.source = se.restore_cell(cell.source, source_cell.source)
            continue
        lines = cell.source.split("\n")
        (at,) = se.stub_positions(cell.source)
        indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
        body = MISTAKES[checker].format(*params).split("\n")
        lines[at : at + len(se.CODE_STUB.split("\n"))] = [indent + line for line in body]
        cell.source = "\n".join(lines)
    return nb


def read_copy(nb):
    return nbformat.reads(nbformat.writes(nb), as_version=nbformat.NO_CONVERT)


AUTOGRADE = """
import json, sys
from pathlib import Path
sys.path.insert(0, {scripts!r})
import assignment
assignment.autograde(Path({course!r}), {name!r}, {student!r})
print(json.dumps(assignment.gradebook_scores(Path({course!r}), {name!r})))
"""


@pytest.fixture(scope="module")
def grading(tmp_path_factory):
    """Build the assignment, autograde the three submissions (in parallel, one course folder
    each, so that their gradebooks do not share a database) and return what came out."""
    if not GRADER_PYTHON.exists():
        message = ".venv-grader is missing: `make assignment` creates it"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    base = tmp_path_factory.mktemp("grading")
    course = base / "course"
    built = subprocess.run([GRADER_PYTHON, ROOT / "scripts" / "assignment.py", NOTEBOOKS, course],
                           capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr
    release = course / "release" / asg.ASSIGNMENT
    source = course / "source" / asg.ASSIGNMENT
    names = [path.name for path in course_notebooks()]

    def grade(student):
        folder = base / student
        shutil.copytree(course, folder)
        submitted = folder / "submitted" / student / asg.ASSIGNMENT
        submitted.mkdir(parents=True)
        for name in names:
            nb = read(release / name)
            if student != "blank":
                nb = answered(nb, read(source / name), student)
            nbformat.write(nb, submitted / name)
        code = AUTOGRADE.format(scripts=str(ROOT / "scripts"), course=str(folder),
                                name=asg.ASSIGNMENT, student=student)
        run = subprocess.run([GRADER_PYTHON, "-c", code], capture_output=True, text=True,
                             check=False)
        assert run.returncode == 0, run.stderr
        autograded = folder / "autograded" / student / asg.ASSIGNMENT
        return json.loads(run.stdout)[student], {name: read(autograded / name) for name in names}

    with ThreadPoolExecutor(len(STUDENTS)) as pool:
        results = dict(zip(STUDENTS, pool.map(grade, STUDENTS), strict=True))
    return {"release": release, "source": source, "names": names, "results": results}


def test_the_release_is_the_student_edition(grading):
    for name in grading["names"]:
        release = read(grading["release"] / name)
        # From the source folder's copy: nbgrader_notebook changed only metadata and outputs
        # there (tested above), and the notebooks in notebooks/ may have changed since.
        student = se.student_notebook(read(grading["source"] / name))
        assert [(c.cell_type, c.source) for c in release.cells] == [
            (c.cell_type, c.source) for c in student.cells], name
        assert "widgets" not in release.metadata


def points(grading, student):
    scores, _ = grading["results"][student]
    assert sorted(scores) == sorted(name.removesuffix(".ipynb") for name in grading["names"])
    return scores


def test_every_notebook_has_at_least_two_graded_checks(grading):
    for notebook, grades in points(grading, "correct").items():
        checks = [grade_id for grade_id in grades if grade_id.startswith("check_")]
        assert len(checks) == len(grades) >= 2, notebook


def test_a_blank_submission_scores_zero(grading):
    for notebook, grades in points(grading, "blank").items():
        assert {grade_id: score for grade_id, (score, _) in grades.items()} == dict.fromkeys(
            grades, 0.0), notebook


def test_typical_mistakes_score_zero_on_every_exercise(grading):
    for notebook, grades in points(grading, "mistakes").items():
        assert {grade_id: score for grade_id, (score, _) in grades.items()} == dict.fromkeys(
            grades, 0.0), notebook
    # and each check cell failed because its checker said ❌, not because the mistake crashed
    _, autograded = grading["results"]["mistakes"]
    for name, nb in autograded.items():
        for cell in nb.cells:
            if se.has_tag(cell, se.CHECK_TAG):
                text = "".join(out.get("text", "") for out in cell.outputs)
                errors = [out.ename for out in cell.outputs if out.output_type == "error"]
                assert text.startswith("❌") and errors == ["AssertionError"], (name, cell.source)


def test_the_correct_solutions_score_full_marks(grading):
    for notebook, grades in points(grading, "correct").items():
        for grade_id, (score, max_score) in grades.items():
            assert max_score == asg.POINTS and score == max_score, (notebook, grade_id)
