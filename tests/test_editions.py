"""The two editions from one source (scripts/editions.py): the learner edition's stubs and
collapsed solutions, nothing else changed, the round trip back to the instructor edition, the
refusals, the learner tree for the hub, and the committed notebooks/ being that edition.

Everything here runs without a kernel except one small synthetic notebook; nbval (`make
notebooks`) runs the committed learner edition untouched and compares its outputs.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path

import editions as ed
import execute_notebooks as ex
import nbformat
import pytest
from labharness import without_event_loop
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "editions.py"
LESSONS = [f"0{n}_{name}.ipynb" for n, name in enumerate(
    ["data", "forward", "derivative", "optimizer_step", "training"], start=1)]
STUB = "    # YOUR CODE HERE: write your code in place of the `...` below\n    ..."

FORWARD = '''\
def my_forward(x, w, b):
    """The neuron's prediction for every x."""
    ### BEGIN SOLUTION
    return w * x + b
    ### END SOLUTION'''

STEP = '''\
def my_step(w, b, dw, db, lr):
    """One step of gradient descent."""
    ### BEGIN SOLUTION
    new_w = w - lr * dw
    new_b = b - lr * db
    return new_w, new_b
    ### END SOLUTION'''


def lesson():
    """Two exercises in the course's style, each followed by its check cell, run once."""
    def tagged(source, tag, cell_id):
        cell = new_code_cell(source, metadata={"tags": [tag]})
        cell.id = cell_id
        return cell

    nb = new_notebook(cells=[
        new_markdown_cell("# A synthetic lesson\n\nWrite `my_forward` in the cell below."),
        new_code_cell("import neuron_core as nc"),
        tagged(FORWARD, "exercise", "ex-forward"),
        tagged("ok = nc.check_forward(my_forward)", "check", "check-forward"),
        new_markdown_cell("## One step"),
        tagged(STEP, "exercise", "ex-step"),
        tagged("ok = nc.check_step(my_step)", "check", "check-step"),
        new_code_cell("nc.forward(2.0, 1.8, 32.0)"),
    ])
    for number, cell in enumerate(nb.cells):
        if not cell.id.startswith(("ex-", "check-")):
            cell.id = f"cell-{number}"
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nb.cells[3].outputs = [new_output("stream", text="✔ my_forward is right\n")]
    nb.cells[3].execution_count = 3
    return nb


def read(path):
    return nbformat.read(path, as_version=nbformat.NO_CONVERT)


def code_sources(nb):
    return [cell.source for cell in nb.cells if cell.cell_type == "code"]


# ---------------------------------------------------------------------------------------------
# The stub and the regions
# ---------------------------------------------------------------------------------------------


def test_the_stub_is_the_interfaces_one_and_does_nothing():
    stubbed = ed.make_stub(FORWARD)
    assert stubbed == ('def my_forward(x, w, b):\n'
                       '    """The neuron\'s prediction for every x."""\n' + STUB)
    namespace = {}
    exec(ed.make_stub(STEP), namespace)
    assert namespace["my_step"](1.0, 0.0, 1.0, 1.0, 0.1) is None
    exec(stubbed, namespace)
    assert namespace["my_forward"](1.0, 2.0, 3.0) is None  # runs, returns None, never raises


def test_every_region_of_a_cell_becomes_a_stub_at_its_indentation():
    source = ("def f():\n    ### BEGIN SOLUTION\n    a = 1\n    ### END SOLUTION\n"
              "    if True:\n        ### BEGIN SOLUTION\n        return a\n"
              "        ### END SOLUTION")
    nested = "\n".join("    " + line for line in STUB.split("\n"))
    assert ed.make_stub(source) == f"def f():\n{STUB}\n    if True:\n{nested}"
    assert ed.restore_cell(ed.make_stub(source), ed.without_markers(source)) == source


@pytest.mark.parametrize(("source", "message"), [
    ("def f():\n    return 1", "no '### BEGIN SOLUTION'"),
    ("def f():\n    ### BEGIN SOLUTION\n    return 1", "line 2: BEGIN SOLUTION without an END"),
    ("def f():\n    return 1\n    ### END SOLUTION", "line 3: END SOLUTION without a BEGIN"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "line 2: BEGIN SOLUTION inside"),
    ("def f():\n    # BEGIN SOLUTION: add\n    return 1\n    # END SOLUTION", "line 2: malformed"),
    ("def f():\n    ### BEGIN SOLUTION: add\n    return 1\n    ### END SOLUTION",
     "line 2: malformed"),
    ("x = 1  ### BEGIN SOLUTION\n### END SOLUTION", "line 1: malformed"),
])
def test_broken_markers_are_refused_with_the_line(source, message):
    with pytest.raises(ed.EditionError, match=re.escape(message)):
        ed.make_stub(source)


def test_a_solution_that_does_not_fit_its_stub_is_refused():
    with pytest.raises(ed.EditionError, match="does not start as the exercise cell does"):
        ed.restore_cell(ed.make_stub(FORWARD), "def other(x):\n    return x")
    with pytest.raises(ed.EditionError, match="no stub"):
        ed.restore_cell(FORWARD, ed.without_markers(FORWARD))


# ---------------------------------------------------------------------------------------------
# What the build refuses
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "message"), [
    (lambda nb: nb.cells[2].metadata.update(tags=[]), "cell 2 .*not tagged 'exercise'"),
    (lambda nb: nb.cells[2].metadata.update(tags=["exercise", "check"]), "cell 2 .*tagged both"),
    (lambda nb: setattr(nb.cells[2], "source", "def f():\n    return 1"), "cell 2 .*no '###"),
    (lambda nb: setattr(nb.cells[2], "source", "x = 1\n### BEGIN SOLUTION\n### END SOLUTION"),
     "must define a function"),
    (lambda nb: nb.cells.pop(3), "without a check cell .*my_forward"),
    (lambda nb: setattr(nb.cells[3], "source", "ok = nc.check_forward(other)"),
     "cell 3 .*defined above it"),
    (lambda nb: nb.cells.insert(4, copy.deepcopy(nb.cells[2])), "second exercise named"),
    (lambda nb: setattr(nb.cells[7], "source", "# ### END HIDDEN TESTS"), "cell 7 .*markers"),
])
def test_what_would_leak_or_grade_wrongly_is_refused_naming_the_cell(change, message):
    nb = lesson()
    change(nb)
    with pytest.raises(ed.EditionError, match=message):
        ed.learner_notebook(nb)


@pytest.mark.parametrize("text", [
    "Complete it below (in the student edition, replace the `...`).",
    "In the learner's edition the cell is empty.",
    "The instructor edition shows the answer.",
    "A WORKED SOLUTION follows.",
    "The solution is below: try first.",
    "Replace the `raise NotImplementedError()` line.",
])
def test_text_true_of_one_edition_only_is_refused(text):
    nb = lesson()
    nb.cells[4].source = text
    with pytest.raises(ed.EditionError, match="cell 4 .*true of one edition only"):
        ed.learner_notebook(nb)


def test_the_refusal_names_the_notebook_and_nothing_is_written(tmp_path, capsys):
    broken = lesson()
    broken.cells[5].source = broken.cells[5].source.replace("\n    ### END SOLUTION", "")
    (tmp_path / "src").mkdir()
    nbformat.write(lesson(), tmp_path / "src" / "a_fine.ipynb")
    nbformat.write(broken, tmp_path / "src" / "broken.ipynb")
    assert ed.main(["learner", str(tmp_path / "src"), str(tmp_path / "dest")]) == 1
    err = capsys.readouterr().err
    assert "broken.ipynb: cell 5" in err and "BEGIN SOLUTION without an END" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "dest").exists()  # no half-written edition
    assert ed.main(["learner", str(tmp_path / "src"), str(tmp_path / "src")]) == 1
    assert "must differ" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# The learner edition of the synthetic lesson
# ---------------------------------------------------------------------------------------------


def test_the_learner_edition_stubs_and_adds_a_collapsed_solution_after_each_check():
    learner = ed.learner_notebook(lesson())
    ids = [cell.id for cell in learner.cells]
    # The instructor's cells in their order, a solution cell right after each check cell.
    assert ids == [c.id for c in lesson().cells[:4]] + ["ex-forward-solution"] + [
        c.id for c in lesson().cells[4:7]] + ["ex-step-solution", lesson().cells[7].id]
    solution = learner.cells[4]
    assert solution.cell_type == "markdown"
    assert solution.source == (
        "<details><summary>Solution: open it after you have tried</summary>\n\n```python\n"
        'def my_forward(x, w, b):\n    """The neuron\'s prediction for every x."""\n'
        "    return w * x + b\n```\n\n</details>")
    assert learner.cells[2].source.endswith(STUB)
    assert "SOLUTION" not in "\n".join(code_sources(learner))
    assert "w * x + b" not in "\n".join(code_sources(learner))
    assert all(c.outputs == [] and c.execution_count is None
               for c in learner.cells if c.cell_type == "code")
    assert "widgets" not in learner.metadata
    nbformat.validate(learner)


def test_putting_the_solutions_back_gives_the_instructor_edition():
    restored = ed.restore(ed.learner_notebook(lesson()))
    assert ed.same_text(restored, lesson())
    instructor = ed.cleared(lesson())
    assert [(c.id, c.cell_type, c.source, c.metadata) for c in restored.cells] == [
        (c.id, c.cell_type, c.source, c.metadata) for c in instructor.cells]


def test_a_missing_or_edited_solution_cell_breaks_the_round_trip():
    learner = ed.learner_notebook(lesson())
    del learner.cells[4]
    with pytest.raises(ed.EditionError, match="no solution cell ex-forward-solution"):
        ed.restore(learner)
    learner = ed.learner_notebook(lesson())
    learner.cells[8].source = learner.cells[8].source.replace("new_b = b", "new_b = -b")
    assert not ed.same_text(ed.restore(learner), lesson())


def test_the_learner_edition_runs_untouched_and_each_checker_says_not_written(tmp_path):
    learner = ed.learner_notebook(lesson())
    NotebookClient(learner, timeout=60, resources={"metadata": {"path": str(tmp_path)}}).execute()
    checks = [cell for cell in learner.cells if ed.is_check(cell)]
    verdicts = ["".join(out.get("text", "") for out in cell.outputs) for cell in checks]
    assert [v.split(" ", 2)[:2] for v in verdicts] == [["✎", "my_forward"], ["✎", "my_step"]]
    assert all("not written yet" in verdict for verdict in verdicts)
    assert learner.cells[-1].outputs[0]["data"]["text/plain"] == "35.6"  # 1.8 * 2 + 32


def test_the_build_is_deterministic(tmp_path):
    (tmp_path / "src").mkdir()
    nbformat.write(lesson(), tmp_path / "src" / "lesson.ipynb")
    assert ed.main(["learner", str(tmp_path / "src"), str(tmp_path / "one")]) == 0
    assert ed.main(["check", str(tmp_path / "src"), str(tmp_path / "one")]) == 0
    run = subprocess.run([sys.executable, SCRIPT, "learner", tmp_path / "src", tmp_path / "two"],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == ["lesson.ipynb"]
    assert ((tmp_path / "one" / "lesson.ipynb").read_bytes()
            == (tmp_path / "two" / "lesson.ipynb").read_bytes())
    # A change in the source makes the built edition stale.
    changed = lesson()
    changed.cells[4].source = "## Two steps"
    nbformat.write(changed, tmp_path / "src" / "lesson.ipynb")
    assert ed.main(["check", str(tmp_path / "src"), str(tmp_path / "one")]) == 1


# ---------------------------------------------------------------------------------------------
# The course itself: instructor/ and the committed notebooks/
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built():
    """{name: learner edition} of instructor/, built here (fails on a refused notebook)."""
    return ed.learner_editions(ed.INSTRUCTOR)


def test_both_editions_hold_every_lesson_and_the_demo():
    names = LESSONS + ["demo.ipynb"]
    assert sorted(p.name for p in ed.INSTRUCTOR.glob("*.ipynb")) == names
    assert sorted(p.name for p in ed.LEARNER.glob("*.ipynb")) == names


@pytest.mark.parametrize("name", LESSONS)
def test_every_lesson_has_two_exercises_and_no_solution_in_any_learner_code_cell(name, built):
    instructor, learner = read(ed.INSTRUCTOR / name), built[name]
    assert len(ed.exercises(instructor)) >= 2  # a warm-up and a transfer, at least
    code = "\n".join(code_sources(learner))
    assert "SOLUTION" not in code
    for cell in ed.exercise_cells(instructor):
        lines = cell.source.split("\n")
        for begin, end, _ in ed.solution_regions(cell.source):
            region = "\n".join(lines[begin + 1 : end]).strip()
            assert region not in code, (name, region)


@pytest.mark.parametrize("name", LESSONS + ["demo.ipynb"])
def test_the_committed_learner_edition_is_built_from_instructor(name):
    """notebooks/ differs from instructor/ only by the stubs and the solution cells: putting the
    solutions back gives the instructor edition exactly (outputs aside)."""
    learner, instructor = read(ed.LEARNER / name), read(ed.INSTRUCTOR / name)
    assert ed.same_text(ed.restore(learner), instructor), (
        f"notebooks/{name} is not the learner edition of instructor/{name}: "
        "run `python scripts/editions.py learner` (then `make execute`)")
    solutions = [cell for cell in learner.cells if ed.is_solution_cell(cell)]
    assert len(solutions) == len(ed.exercise_cells(instructor))


@pytest.mark.parametrize("name", LESSONS)
def test_the_committed_learner_edition_ran_untouched(name):
    """Its outputs (which nbval re-checks) come from a run of the stubs: every checker said
    "not written yet", nothing raised, and no cell shows a solution's result."""
    learner = read(ed.LEARNER / name)
    errors = [out.ename for cell in learner.cells if cell.cell_type == "code"
              for out in cell.outputs if out.output_type == "error"]
    assert errors == []
    for cell in learner.cells:
        if ed.is_check(cell):
            text = "".join(out.get("text", "") for out in cell.outputs)
            assert text.startswith("✎") and "not written yet" in text, (name, cell.source, text)


# ---------------------------------------------------------------------------------------------
# The learner tree and widget ids
# ---------------------------------------------------------------------------------------------


def test_the_learner_tree_holds_only_what_a_learner_needs(tmp_path):
    (tmp_path / "src").mkdir()
    linked = lesson()
    linked.cells[4].source = "## One step\n\nA [kernel](../docs/glossary.md#kernel) runs it."
    nbformat.write(linked, tmp_path / "src" / "lesson.ipynb")
    ed.write_learner(tmp_path / "src", tmp_path / "notebooks")
    tree = tmp_path / "tree"
    (tree / ".git").mkdir(parents=True)
    (tree / "old_answer_key.ipynb").write_text("{}")  # stale content is removed
    with pytest.raises(ed.EditionError, match=r"link to docs that do not exist: \['glossary.md'\]"):
        ed.write_learner_tree(tree, tmp_path / "src", tmp_path / "notebooks", tmp_path / "docs")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "glossary.md").write_text("# Glossary")
    (tmp_path / "docs" / "grading.md").write_text("# For instructors")
    ed.write_learner_tree(tree, tmp_path / "src", tmp_path / "notebooks", tmp_path / "docs")
    library = sorted(p.name for p in ROOT.glob("neuron_*.py")) + sorted(
        p.name for p in ROOT.glob("neuron_*.js"))
    assert {"neuron_core.py", "neuron_checks.py", "neuron_validation.py"} <= set(library)
    assert sorted(p.name for p in tree.iterdir()) == sorted(
        [".git", "README.md", "docs", "notebooks", "requirements.txt", *library])
    # the docs page a notebook links to goes with it, and nothing else from docs/
    assert [p.name for p in (tree / "docs").iterdir()] == ["glossary.md"]
    assert [p.name for p in (tree / "notebooks").iterdir()] == ["lesson.ipynb"]
    assert "SOLUTION" not in (tree / "notebooks" / "lesson.ipynb").read_text()
    assert "notebooks/01_data.ipynb" in (tree / "README.md").read_text()
    # the pins, without the repository's own editable install (the tree is no package)
    requirements = (tree / "requirements.txt").read_text().splitlines()
    assert "-e ." not in requirements and "numpy==" in "\n".join(requirements)
    assert [line for line in requirements if line.strip() and not line.startswith("#")] == [
        line for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#") and line != "-e ."]
    # A notebooks/ that is not the learner edition (an answer key) is never published.
    nbformat.write(linked, tmp_path / "notebooks" / "lesson.ipynb")
    with pytest.raises(ed.EditionError, match="not the learner edition"):
        ed.write_learner_tree(tree, tmp_path / "src", tmp_path / "notebooks", tmp_path / "docs")


def test_widget_ids_are_renamed_deterministically():
    def executed(ids):
        nb = new_notebook(cells=[new_code_cell("ex", id="explorer")])
        nb.cells[0].outputs = [new_output("display_data", data={
            "application/vnd.jupyter.widget-view+json": {"model_id": ids[0], "version_major": 2}})]
        nb.metadata["widgets"] = {ex.WIDGET_STATE: {"state": {
            ids[0]: {"state": {"layout": f"IPY_MODEL_{ids[1]}"}}, ids[1]: {"state": {}}}}}
        return ex.stable_widget_ids(nb, "demo.ipynb")

    first, second = executed(["a" * 32, "b" * 32]), executed(["c" * 32, "d" * 32])
    assert json.dumps(first) == json.dumps(second)
    state = first.metadata["widgets"][ex.WIDGET_STATE]["state"]
    (view,) = first.cells[0].outputs
    model = view["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
    assert list(state) == [model, state[model]["state"]["layout"].removeprefix("IPY_MODEL_")]
    assert "a" * 32 not in json.dumps(first)


def test_make_execute_saves_widget_state_and_writes_the_same_bytes_twice(tmp_path):
    nb = new_notebook(cells=[new_code_cell("import ipywidgets\nipywidgets.IntSlider(value=3)",
                                           id="slider")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    paths = [tmp_path / "one" / "w.ipynb", tmp_path / "two" / "w.ipynb"]
    for path in paths:
        path.parent.mkdir()
        nbformat.write(nb, path)
    assert without_event_loop(ex.main, [str(path) for path in paths]) == 0  # two kernels
    first, second = (path.read_bytes() for path in paths)
    assert first == second
    executed = read(paths[0])
    state = executed.metadata["widgets"][ex.WIDGET_STATE]["state"]
    (view,) = [out for out in executed.cells[0].outputs if "data" in out]
    model = view["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
    assert state[model]["state"]["value"] == 3  # the slider shows without a kernel
