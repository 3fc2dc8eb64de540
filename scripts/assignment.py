"""Build the course as an nbgrader assignment: the source version, then the release version.

Usage: python scripts/assignment.py [--assignment NAME] [--source-only] SRC_DIR COURSE_DIR

COURSE_DIR becomes an nbgrader course directory (``make assignment`` uses build/nbgrader):

    nbgrader_config.py          the settings below (run nbgrader commands from COURSE_DIR)
    source/NAME/*.ipynb         the notebooks with nbgrader metadata, and the course library
    release/NAME/*.ipynb        what learners get: made by ``nbgrader generate_assignment``

The committed notebooks carry only cell tags; this script turns them into nbgrader's metadata
in the build copy:

* a code cell tagged ``exercise`` becomes an autograded answer cell (``solution: true``,
  ``grade: false``); its ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region is what
  nbgrader replaces with the stub of ``student_edition.CODE_STUB``;
* a code cell tagged ``check`` (one ``nc.check_<name>(function)`` line) becomes a locked
  autograded test cell worth ``POINTS`` point. The checkers raise AssertionError under nbgrader
  (which sets NBGRADER_EXECUTION), so a wrong or unwritten answer scores 0 for that cell.

grade_ids are stable: ``<function>`` for an exercise, ``check_<function>`` for its check, where
``<function>`` is the name the exercise defines. neuron_core.py and neuron_ui.py go into the
source folder, so the release is self-contained and autograding copies the instructor's library
over whatever a learner submits next to the notebooks.

Only the metadata step needs no nbgrader (``--source-only``); the release step runs
``nbgrader generate_assignment`` with the Python running this script, so run it with the
grading environment's Python (``make assignment`` does: .venv-grader).
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import student_edition as se

ROOT = Path(__file__).resolve().parents[1]
# The course's library: neuron_core.py, neuron_ui.py and whatever else the notebooks load.
LIBRARY = tuple(sorted(path.name for pattern in ("neuron_*.py", "neuron_*.js")
                       for path in ROOT.glob(pattern)))
ASSIGNMENT = "one_neuron"
POINTS = 1
SCHEMA_VERSION = 3  # nbgrader 0.9's cell metadata schema
DEFINES = re.compile(r"^def (?P<name>[A-Za-z_]\w*)\(", re.MULTILINE)
CHECKS = re.compile(r"\bcheck_\w+\(\s*(?P<name>[A-Za-z_]\w*)")

CONFIG = f'''\
# Written by scripts/assignment.py: nbgrader's settings for the One Neuron course.
c = get_config()  # noqa: F821 (nbgrader provides it)
c.CourseDirectory.course_id = "one_neuron"
# The same stub and markers as the student edition (scripts/student_edition.py).
c.ClearSolutions.code_stub = {{"python": {se.CODE_STUB!r}}}
c.ClearSolutions.begin_solution_delimeter = {se.BEGIN_MARKER!r}
c.ClearSolutions.end_solution_delimeter = {se.END_MARKER!r}
# The explorers and plots take a few seconds at most; a cell stuck longer is a learner's loop.
c.Execute.timeout = 120
'''


class AssignmentError(ValueError):
    """A notebook whose tags cannot be turned into a gradeable assignment."""


def _cell_metadata(grade_id: str, *, solution: bool, grade: bool) -> dict:
    metadata = {"grade": grade, "grade_id": grade_id, "locked": not solution,
                "schema_version": SCHEMA_VERSION, "solution": solution, "task": False}
    if grade:
        metadata["points"] = POINTS
    return metadata


def nbgrader_notebook(nb):
    """A new notebook: nbgrader metadata from the cell tags, outputs and widget state cleared.

    Rejects what would grade wrongly: broken solution markers, an exercise without a function
    or without a check cell naming that function, a check cell that names no exercise.
    """
    se.check_tags(nb)
    graded = copy.deepcopy(nb)
    exercises, checked = [], set()
    for index, cell in enumerate(graded.cells):
        where = f"cell {index} (id {cell.get('id', '?')})"
        cell.get("metadata", {}).pop("nbgrader", None)  # only the tags decide
        if se.has_tag(cell, se.EXERCISE_TAG):
            try:
                if not se.solution_regions(cell.source):
                    raise se.SolutionMarkerError(
                        f"no '{se.BEGIN_MARKER}' ... '{se.END_MARKER}' region")
            except se.SolutionMarkerError as error:
                raise AssignmentError(f"{where}: {error}") from None
            defined = DEFINES.search(cell.source)
            if defined is None:
                raise AssignmentError(f"{where}: an exercise cell must define a function")
            name = defined["name"]
            if name in exercises:
                raise AssignmentError(f"{where}: a second exercise named {name!r}")
            exercises.append(name)
            cell.metadata["nbgrader"] = _cell_metadata(name, solution=True, grade=False)
        elif se.has_tag(cell, se.CHECK_TAG):
            named = CHECKS.search(cell.source)
            if named is None or named["name"] not in exercises:
                raise AssignmentError(f"{where}: a check cell must call a checker on an "
                                      "exercise's function defined above it")
            grade_id = f"check_{named['name']}"
            if named["name"] in checked:
                grade_id += f"_{index}"
            checked.add(named["name"])
            cell.metadata["nbgrader"] = _cell_metadata(grade_id, solution=False, grade=True)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    unchecked = [name for name in exercises if name not in checked]
    if unchecked:
        raise AssignmentError(f"exercises without a check cell (they would earn no points): "
                              f"{', '.join(unchecked)}")
    graded.metadata.pop("widgets", None)
    return graded


def write_source(src_dir: Path, course_dir: Path, assignment: str = ASSIGNMENT) -> list[Path]:
    """Write COURSE_DIR's config and source/ASSIGNMENT/; return the notebooks written."""
    paths = sorted(src_dir.glob("[0-9]*.ipynb"))  # the numbered lessons, not demo.ipynb
    if not paths:
        raise AssignmentError(f"no numbered notebooks in {src_dir}")
    notebooks = {}
    for path in paths:
        try:
            notebooks[path.name] = nbgrader_notebook(
                nbformat.read(path, as_version=nbformat.NO_CONVERT))
        except ValueError as error:
            raise AssignmentError(f"{path}: {error}") from None
    source = course_dir / "source" / assignment
    if source.exists():
        shutil.rmtree(source)
    source.mkdir(parents=True)
    (course_dir / "nbgrader_config.py").write_text(CONFIG)
    for name in LIBRARY:
        shutil.copy(ROOT / name, source / name)
    for name, nb in notebooks.items():
        nbformat.write(nb, source / name)
    return [source / name for name in notebooks]


def nbgrader_env() -> dict:
    """The environment for nbgrader commands: this Python's bin folder first on PATH, because
    nbgrader runs ``alembic`` from PATH and the "python3" kernel it executes notebooks with
    is the ``python`` found there."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def run_nbgrader(course_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """``nbgrader ARGS`` in COURSE_DIR (which holds nbgrader_config.py), with this Python."""
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course_dir,
                          env=nbgrader_env(), capture_output=True, text=True, check=False)


def generate_release(course_dir: Path, assignment: str = ASSIGNMENT) -> Path:
    """Run ``nbgrader generate_assignment`` in COURSE_DIR; return the release folder."""
    run = run_nbgrader(course_dir, "generate_assignment", assignment, "--force",
                       "--log-level=WARN")
    if run.returncode != 0:
        raise AssignmentError(f"nbgrader generate_assignment failed:\n{run.stdout}{run.stderr}")
    return course_dir / "release" / assignment


def autograde(course_dir: Path, assignment: str, student: str) -> None:
    """``nbgrader autograde`` one student's submission in COURSE_DIR/submitted/STUDENT/."""
    run = run_nbgrader(course_dir, "autograde", assignment, "--student", student, "--force",
                       "--log-level=WARN")
    if run.returncode != 0:
        raise AssignmentError(f"nbgrader autograde failed:\n{run.stdout}{run.stderr}")


def gradebook_scores(course_dir: Path, assignment: str = ASSIGNMENT) -> dict:
    """{student: {notebook: {grade_id: [score, max_score]}}} from COURSE_DIR's gradebook."""
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{Path(course_dir).resolve() / 'gradebook.db'}") as gradebook:
        for submission in gradebook.assignment_submissions(assignment):
            scores[submission.student_id] = {
                notebook.name: {grade.name: [grade.score, grade.max_score]
                                for grade in notebook.grades}
                for notebook in submission.notebooks
            }
    return scores


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    parser.add_argument("src_dir", type=Path)
    parser.add_argument("course_dir", type=Path)
    parser.add_argument("--assignment", default=ASSIGNMENT)
    parser.add_argument("--source-only", action="store_true",
                        help="write the source version only (needs no nbgrader)")
    args = parser.parse_args(argv)
    try:
        written = write_source(args.src_dir, args.course_dir, args.assignment)
        print(f"wrote {len(written)} notebooks to {written[0].parent}")
        if not args.source_only:
            release = generate_release(args.course_dir, args.assignment)
            print(f"released {release}")
    except ValueError as error:
        print(f"assignment: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
