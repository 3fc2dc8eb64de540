"""The student edition: every solution becomes a stub, nothing else changes, and it still runs.

Each property is checked on a small synthetic notebook built here, on the fixture lesson in
tests/fixtures/ (so the tests mean something whatever state the course notebooks are in) and on
every notebook in notebooks/.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import student_edition as se
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
FIXTURE = ROOT / "tests" / "fixtures" / "01_lesson.ipynb"
SCRIPT = ROOT / "scripts" / "student_edition.py"
COURSE_NOTEBOOKS = [f"0{n}_{name}.ipynb" for n, name in enumerate(
    ["data", "forward", "derivative", "optimizer_step", "training"], start=1)]
NOT_WRITTEN = ("⏳ {name} is not written yet: in its cell, replace the line "
               "`raise NotImplementedError()` with your code")

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
    ### END SOLUTION
    return new_w, new_b'''


def synthetic_notebook():
    """Two exercises in the course's style, each followed by its check cell."""
    def exercise(source):
        return new_code_cell(source, metadata={"tags": ["exercise"]})

    def check(source):
        return new_code_cell(source, metadata={"tags": ["check"]})

    nb = new_notebook(cells=[
        new_markdown_cell("# A synthetic lesson"),
        new_code_cell("import neuron_core as nc"),
        exercise(FORWARD),
        check("nc.check_forward(my_forward)"),
        new_markdown_cell("## One step"),
        exercise(STEP),
        check("nc.check_step(my_step)"),
        new_code_cell("nc.forward(2.0, 1.8, 32.0)"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


def course_notebooks():
    return sorted(NOTEBOOKS.glob("*.ipynb"))


@pytest.fixture(scope="module")
def complete_dir(tmp_path_factory):
    """A folder holding the synthetic notebook, executed, as a complete edition would be."""
    folder = tmp_path_factory.mktemp("complete")
    nb = synthetic_notebook()
    NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(folder)}}).execute()
    nbformat.write(nb, folder / "synthetic.ipynb")
    return folder


# Every notebook is tested: the synthetic one, the fixture lesson, then each course notebook (an
# empty glob adds none; test_course_notebooks_are_present makes sure that is not mistaken for
# success).
CASES = ["synthetic", "fixture"] + [path.name for path in course_notebooks()]


def complete_path(case, complete_dir):
    if case == "synthetic":
        return complete_dir / "synthetic.ipynb"
    return FIXTURE if case == "fixture" else NOTEBOOKS / case


def read(path):
    return nbformat.read(path, as_version=nbformat.NO_CONVERT)


def indented_stub(indent):
    return "\n".join(indent + line for line in se.CODE_STUB.split("\n"))


# ---------------------------------------------------------------------------------------------
# make_stub on single sources
# ---------------------------------------------------------------------------------------------


def test_the_stub_says_what_to_replace_and_nothing_more():
    assert se.CODE_STUB == ("# YOUR CODE HERE: replace the next line with your solution\n"
                            "raise NotImplementedError()")


def test_stub_replaces_the_region_at_its_indentation():
    assert se.make_stub(FORWARD) == f'''\
def my_forward(x, w, b):
    """The neuron's prediction for every x."""
{indented_stub("    ")}'''


def test_stub_keeps_the_code_around_the_region_and_runs():
    stub = se.make_stub(STEP)
    assert stub.splitlines()[-1] == "    return new_w, new_b"
    namespace = {}
    exec(stub, namespace)  # the stub is valid Python and raises when called
    with pytest.raises(NotImplementedError):
        namespace["my_step"](1.0, 0.0, 1.0, 1.0, 0.1)


def test_every_region_of_a_cell_is_stubbed():
    source = (
        "def f():\n    ### BEGIN SOLUTION\n    a = 1\n    ### END SOLUTION\n"
        "    if True:\n        ### BEGIN SOLUTION\n        return a\n        ### END SOLUTION"
    )
    assert se.make_stub(source) == (
        f"def f():\n{indented_stub('    ')}\n    if True:\n{indented_stub('        ')}"
    )


@pytest.mark.parametrize(("source", "message"), [
    ("def f():\n    return 1", "no '### BEGIN SOLUTION'"),
    ("def f():\n    ### BEGIN SOLUTION\n    return 1", "line 2: BEGIN SOLUTION without an END"),
    ("def f():\n    return 1\n    ### END SOLUTION", "line 3: END SOLUTION without a BEGIN"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "line 2: BEGIN SOLUTION inside"),
    # the old markers, with a hint that spelt out the answer, are refused
    ("def f():\n    # BEGIN SOLUTION: add\n    return 1\n    # END SOLUTION", "line 2: malformed"),
    ("def f():\n    ### BEGIN SOLUTION: add\n    return 1\n    ### END SOLUTION",
     "line 2: malformed"),
    ("def f():\n    ## BEGIN SOLUTION\n    return 1\n    ### END SOLUTION", "line 2: malformed"),
    ("x = 1  ### BEGIN SOLUTION\n### END SOLUTION", "line 1: malformed"),
])
def test_broken_markers_are_rejected_with_the_line(source, message):
    with pytest.raises(se.SolutionMarkerError, match=re.escape(message)):
        se.make_stub(source)


def test_an_exercise_cell_without_markers_is_rejected_naming_the_cell():
    nb = synthetic_notebook()
    nb.cells[2].source = "def my_forward(x, w, b):\n    return w * x + b"
    with pytest.raises(se.SolutionMarkerError, match=r"cell 2 .*no '### BEGIN SOLUTION"):
        se.student_notebook(nb)


def test_markers_outside_an_exercise_cell_are_rejected():
    nb = synthetic_notebook()
    nb.cells[2].metadata["tags"] = []  # the tag forgotten: the solution would leak as it is
    with pytest.raises(se.SolutionMarkerError, match="cell 2 .*not tagged 'exercise'"):
        se.student_notebook(nb)


def test_a_cell_tagged_both_exercise_and_check_is_rejected():
    nb = synthetic_notebook()
    nb.cells[2].metadata["tags"] = ["exercise", "check"]
    with pytest.raises(se.SolutionMarkerError, match="cell 2 .*tagged both"):
        se.student_notebook(nb)


@pytest.mark.parametrize("text", ["The cell below holds a worked solution: try it first.",
                                  "A WORKED SOLUTION follows."])
def test_text_written_for_the_complete_edition_only_is_rejected(text):
    nb = synthetic_notebook()
    nb.cells[4].source = text
    with pytest.raises(se.SolutionMarkerError, match="cell 4 .*not true in the student edition"):
        se.student_notebook(nb)


# ---------------------------------------------------------------------------------------------
# Whole notebooks: the synthetic one, the fixture and every course notebook
# ---------------------------------------------------------------------------------------------


def test_course_notebooks_are_present():
    """Fails until the course notebooks land: the parametrized tests below need them."""
    missing = [name for name in COURSE_NOTEBOOKS if not (NOTEBOOKS / name).exists()]
    assert not missing, f"course notebooks missing from notebooks/: {missing}"


@pytest.mark.parametrize("case", CASES)
def test_every_region_becomes_a_stub_and_no_solution_survives(case, complete_dir):
    complete = read(complete_path(case, complete_dir))
    student = se.student_notebook(complete)
    regions = [r for cell in se.exercise_cells(complete) for r in se.solution_regions(cell.source)]
    stubs = [at for cell in se.exercise_cells(student) for at in se.stub_positions(cell.source)]
    assert len(stubs) == len(regions)
    if case in ["synthetic", "fixture", *COURSE_NOTEBOOKS]:
        assert len(regions) >= 2  # a warm-up and a transfer, at least
    student_text = "\n".join(cell.source for cell in student.cells)
    assert "SOLUTION" not in student_text
    for cell in se.exercise_cells(complete):
        lines = cell.source.split("\n")
        for begin, end, _ in se.solution_regions(cell.source):
            assert "\n".join(lines[begin + 1 : end]) not in student_text


@pytest.mark.parametrize("case", CASES)
def test_every_exercise_is_checked_by_a_check_cell(case, complete_dir):
    nb = read(complete_path(case, complete_dir))
    checks = "\n".join(cell.source for cell in nb.cells if se.has_tag(cell, se.CHECK_TAG))
    for cell in se.exercise_cells(nb):
        name = re.search(r"^def (\w+)\(", cell.source, re.MULTILINE)[1]
        assert re.search(rf"check_\w+\(\s*{name}\b", checks), f"no check cell calls {name}"


@pytest.mark.parametrize("case", CASES)
def test_restoring_the_solutions_gives_back_the_complete_sources(case, complete_dir):
    complete = read(complete_path(case, complete_dir))
    restored = se.restore(se.student_notebook(complete), complete)
    assert [c.source for c in restored.cells] == [c.source for c in complete.cells]
    assert [c.metadata for c in restored.cells] == [c.metadata for c in complete.cells]
    complete.metadata.pop("widgets", None)  # saved widget state is output: the only difference
    assert restored.metadata == complete.metadata


@pytest.mark.parametrize("case", CASES)
def test_outputs_are_cleared(case, complete_dir):
    student = se.student_notebook(read(complete_path(case, complete_dir)))
    code = [cell for cell in student.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    assert "widgets" not in student.metadata
    nbformat.validate(student)


def test_the_script_is_deterministic_and_idempotent(complete_dir, tmp_path):
    first, second, third = tmp_path / "first", tmp_path / "second", tmp_path / "third"
    assert se.main([str(complete_dir), str(first)]) == 0
    assert se.main([str(complete_dir), str(second)]) == 0
    assert se.main([str(complete_dir), str(second)]) == 0  # written twice over
    # Once as `make student` runs it: a separate process gives the same bytes.
    run = subprocess.run([sys.executable, SCRIPT, complete_dir, third],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in first.iterdir()) == ["synthetic.ipynb"]  # copies nothing else
    editions = {(folder / "synthetic.ipynb").read_bytes() for folder in (first, second, third)}
    assert len(editions) == 1


def test_the_script_reports_a_broken_notebook_in_one_line_and_writes_nothing(tmp_path, capsys):
    nb = synthetic_notebook()
    nb.cells[5].source = nb.cells[5].source.replace("    ### END SOLUTION\n", "")
    (tmp_path / "src").mkdir()
    nbformat.write(synthetic_notebook(), tmp_path / "src" / "a_fine.ipynb")
    nbformat.write(nb, tmp_path / "src" / "broken.ipynb")
    assert se.main([str(tmp_path / "src"), str(tmp_path / "dest")]) == 1
    err = capsys.readouterr().err
    assert "broken.ipynb: cell 5" in err
    assert "BEGIN SOLUTION without an END SOLUTION" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "dest").exists()  # no half-written edition


def test_the_script_refuses_to_overwrite_the_complete_edition(complete_dir, capsys):
    assert se.main([str(complete_dir), str(complete_dir)]) == 1
    assert "must differ" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# The student edition runs: every notebook from a fresh kernel, all kernels at once
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def executed(complete_dir, tmp_path_factory):
    """{case: executed student notebook, or the exception it raised}, run concurrently."""
    folder = tmp_path_factory.mktemp("student")
    students = {}
    for case in CASES:
        try:
            student = se.student_notebook(read(complete_path(case, complete_dir)))
        except se.SolutionMarkerError as error:
            students[case] = error
            continue
        nbformat.write(student, folder / f"{case.removesuffix('.ipynb')}.ipynb")
        students[case] = student

    async def run(nb):
        if isinstance(nb, Exception):
            raise nb
        # cwd is the student folder: the edition copies only notebooks, so it must run there.
        client = NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(folder)}})
        await client.async_execute()
        return nb

    async def run_all():
        return await asyncio.gather(*(run(nb) for nb in students.values()), return_exceptions=True)

    return dict(zip(students, asyncio.run(run_all()), strict=True))


def printed(nb):
    return "".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                   for out in cell.outputs if out.output_type == "stream")


@pytest.mark.parametrize("case", CASES)
def test_the_student_edition_runs_and_says_what_is_not_written_yet(case, executed):
    result = executed[case]
    if isinstance(result, BaseException):
        pytest.fail(f"{case}: the student edition raised\n{result}")
    names = [re.search(r"^def (\w+)\(", cell.source, re.MULTILINE)[1]
             for cell in se.exercise_cells(result)]
    notes = [line for line in printed(result).splitlines() if line.startswith("⏳")]
    # Each exercise is one function whose check prints exactly one "not written yet" note.
    assert notes == [NOT_WRITTEN.format(name=name) for name in names]
    assert "❌" not in printed(result) and "✅" not in printed(result)


@pytest.mark.parametrize("name", [n for n in COURSE_NOTEBOOKS if (NOTEBOOKS / n).exists()])
def test_the_text_says_what_to_replace_before_the_first_exercise(name):
    nb = read(NOTEBOOKS / name)
    first = next(i for i, cell in enumerate(nb.cells) if se.is_exercise(cell))
    text = "\n".join(cell.source for cell in nb.cells[:first] if cell.cell_type == "markdown")
    assert re.search(r"replace\s+the\s+`raise NotImplementedError\(\)`\s+line", text), name
