"""Build every edition of the course from its one source, instructor/.

Usage:
    python scripts/editions.py learner [SRC_DIR [DEST_DIR]]     (instructor -> notebooks)
    python scripts/editions.py check [SRC_DIR [DEST_DIR]]       exit 1 if DEST_DIR is stale
    python scripts/editions.py assignment [--source-only] [SRC_DIR [COURSE_DIR]]
                                                               (instructor -> build/nbgrader)
    python scripts/editions.py learner-tree DEST               what a learner needs, nothing else

instructor/ holds the full notebooks. An exercise is a code cell tagged ``exercise`` whose
solution sits between the lines ``### BEGIN SOLUTION`` and ``### END SOLUTION``; a code cell
tagged ``check`` calls a checker on the exercise's function (``ok = nc.check_forward(my_forward)``).

* The **learner edition** (notebooks/): each solution region becomes ``CODE_STUB`` at the BEGIN
  line's indentation (a function that does nothing, so Run All never raises), and right after
  each check cell comes a markdown cell, id ``<exercise cell id>-solution``, with the worked
  solution in a collapsed ``<details>`` block. Outputs and saved widget state are cleared (they
  would show the solution's results; ``make execute`` runs the edition afterwards). Nothing else
  changes: putting the solutions back gives the instructor edition exactly, and the build checks
  that before it writes anything.
* The **nbgrader course folder** (build/nbgrader/): ``source/one_neuron/`` holds the numbered
  notebooks with nbgrader metadata made from the tags and, in each check cell, a hidden-test block
  from ``neuron_grading.hidden_test_source`` (the only thing that scores); ``release/one_neuron/``
  is made by ``nbgrader generate_assignment`` with ``CODE_STUB`` as its code stub, so it is the
  learner edition without the solution cells. nbgrader_config.py and the per-exercise export
  plugins (scripts/nbgrader_plugins.py) sit at the top. Run this step with .venv-grader's Python.

The build refuses broken markers, solution markers outside an exercise cell, and text that is
true of one edition only ("in the student edition, ..."): both editions must read right.
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

ROOT = Path(__file__).resolve().parents[1]
INSTRUCTOR = ROOT / "instructor"
LEARNER = ROOT / "notebooks"
COURSE = ROOT / "build" / "nbgrader"
ASSIGNMENT = "one_neuron"

EXERCISE_TAG = "exercise"
CHECK_TAG = "check"
SOLUTION_TAG = "solution"  # the generated solution cell of the learner edition
BEGIN_MARKER = "### BEGIN SOLUTION"
END_MARKER = "### END SOLUTION"
BEGIN_TESTS = "### BEGIN HIDDEN TESTS"
END_TESTS = "### END HIDDEN TESTS"
# What a learner sees instead of the solution: the function exists, does nothing, returns None.
CODE_STUB = "# YOUR CODE HERE: write your code in place of the `...` below\n..."
SUMMARY = "Solution: open it after you have tried"
SOLUTION_HEAD = f"<details><summary>{SUMMARY}</summary>\n\n```python\n"
SOLUTION_TAIL = "\n```\n\n</details>"

BEGIN = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION[ \t]*$")
END = re.compile(r"^[ \t]*### END SOLUTION[ \t]*$")
# Any mention of a marker at all: nbgrader treats every line containing "BEGIN SOLUTION" (or
# "BEGIN HIDDEN TESTS") as a marker, so a misspelt or commented one would leak or break.
MARKER = re.compile(r"(BEGIN|END)[ \t]+(SOLUTION|HIDDEN[ \t]+TESTS)")
# Text true of one edition only. The course text must read right in both: say what to write,
# not which edition the reader is in, and never point at a solution "below".
ONE_EDITION_TEXT = re.compile(
    r"\b(student|learner|instructor|teacher|complete|full)(['’]s)?\s+(edition|version)\b"
    r"|worked\s+solution|holds\s+a\s+solution|solution\s+(is\s+)?(below|above)"
    r"|NotImplementedError",
    re.IGNORECASE,
)
DEFINES = re.compile(r"^def (?P<name>[A-Za-z_]\w*)\(", re.MULTILINE)
CHECKS = re.compile(r"\b(?P<check>check_\w+)\(\s*(?P<name>[A-Za-z_]\w*)")
POINTS = 1
SCHEMA_VERSION = 3  # nbgrader 0.9's cell metadata schema


class EditionError(ValueError):
    """A notebook that cannot be turned into both editions as they must be."""


# ---------------------------------------------------------------------------------------------
# Solution regions and the stub
# ---------------------------------------------------------------------------------------------


def stub_lines(indent: str) -> list[str]:
    """The lines that replace a solution region whose BEGIN line has this indentation."""
    return [indent + line for line in CODE_STUB.split("\n")]


def solution_regions(source: str) -> list[tuple[int, int, str]]:
    """Every region as (BEGIN line index, END line index, indent); refuses broken markers."""
    regions, open_at = [], None
    for i, line in enumerate(source.split("\n")):
        begin, end = BEGIN.match(line), END.match(line)
        if begin and open_at is None:
            open_at = (i, begin["indent"])
        elif begin:
            raise EditionError(f"line {i + 1}: BEGIN SOLUTION inside another region")
        elif end and open_at is not None:
            regions.append((open_at[0], i, open_at[1]))
            open_at = None
        elif end:
            raise EditionError(f"line {i + 1}: END SOLUTION without a BEGIN SOLUTION")
        elif MARKER.search(line):
            raise EditionError(f"line {i + 1}: malformed marker {line.strip()!r}; write "
                               f"'{BEGIN_MARKER}' or '{END_MARKER}' alone on the line")
    if open_at is not None:
        raise EditionError(f"line {open_at[0] + 1}: BEGIN SOLUTION without an END SOLUTION")
    return regions


def make_stub(source: str) -> str:
    """The exercise cell's source with each solution region replaced by the stub."""
    regions = solution_regions(source)
    if not regions:
        raise EditionError(f"no '{BEGIN_MARKER}' ... '{END_MARKER}' region")
    lines = source.split("\n")
    for begin, end, indent in reversed(regions):  # from the last, so earlier indices hold
        lines[begin : end + 1] = stub_lines(indent)
    return "\n".join(lines)


def without_markers(source: str) -> str:
    """The exercise cell as the solution shows it: the code, the marker lines dropped."""
    marks = {i for begin, end, _ in solution_regions(source) for i in (begin, end)}
    return "\n".join(line for i, line in enumerate(source.split("\n")) if i not in marks)


def stub_positions(source: str) -> list[int]:
    """The line index where each stub starts in a learner edition's exercise cell."""
    lines, size = source.split("\n"), len(CODE_STUB.split("\n"))
    indents = [line[: len(line) - len(line.lstrip(" \t"))] for line in lines]
    return [i for i in range(len(lines)) if lines[i : i + size] == stub_lines(indents[i])]


def restore_cell(stubbed: str, solution: str) -> str:
    """The instructor's exercise cell from the learner's one and the solution's code.

    The lines around the stubs are the same in both; what the solution has in place of each stub
    is that region's code, which goes back between the markers at the stub's indentation.
    """
    lines, size = stubbed.split("\n"), len(CODE_STUB.split("\n"))
    starts = stub_positions(stubbed)
    if not starts:
        raise EditionError("no stub in the exercise cell")
    # The learner's cell cut at its stubs: fixed text segments with a stub between each two.
    segments, at = [], 0
    for start in starts:
        segments.append(lines[at:start])
        at = start + size
    segments.append(lines[at:])
    code = solution.split("\n")
    if code[: len(segments[0])] != segments[0]:
        raise EditionError("the solution does not start as the exercise cell does")
    restored, pos = list(segments[0]), len(segments[0])
    for number, (start, segment) in enumerate(zip(starts, segments[1:], strict=True), 1):
        last = number == len(starts)
        found = (len(code) - len(segment) if last
                 else _find(code, segment, pos + 1))  # a region holds one line at least
        if found < pos or code[found : found + len(segment)] != segment:
            raise EditionError(f"stub {number}: the solution does not fit around it")
        indent = lines[start][: len(lines[start]) - len(lines[start].lstrip(" \t"))]
        restored += [indent + BEGIN_MARKER, *code[pos:found], indent + END_MARKER, *segment]
        pos = found + len(segment)
    return "\n".join(restored)


def _find(lines: list[str], segment: list[str], start: int) -> int:
    """The first index >= start where segment occurs in lines, or -1."""
    for i in range(start, len(lines) - len(segment) + 1):
        if lines[i : i + len(segment)] == segment:
            return i
    return -1


# ---------------------------------------------------------------------------------------------
# Cells
# ---------------------------------------------------------------------------------------------


def has_tag(cell, tag: str) -> bool:
    return tag in cell.get("metadata", {}).get("tags", [])


def is_exercise(cell) -> bool:
    return cell.cell_type == "code" and has_tag(cell, EXERCISE_TAG)


def is_check(cell) -> bool:
    return cell.cell_type == "code" and has_tag(cell, CHECK_TAG)


def exercise_cells(nb) -> list:
    return [cell for cell in nb.cells if is_exercise(cell)]


def exercise_name(cell) -> str:
    """The function an exercise cell defines (its first top-level ``def``)."""
    defined = DEFINES.search(cell.source)
    if defined is None:
        raise EditionError("an exercise cell must define a function")
    return defined["name"]


def check_call(cell) -> tuple[str, str]:
    """(checker, function) of a check cell: ("check_forward", "my_forward")."""
    called = CHECKS.search(cell.source)
    if called is None:
        raise EditionError("a check cell must call a checker on an exercise's function")
    return called["check"], called["name"]


def _where(index: int, cell) -> str:
    return f"cell {index} (id {cell.get('id', '?')})"


def exercises(nb) -> list[tuple[int, int]]:
    """[(exercise cell index, its check cell index)], validating the whole notebook first.

    Refused: markers outside exercise cells or broken ones, text true of one edition only, an
    exercise without a function or a check cell after it that names that function, a check cell
    naming no exercise above it, a cell tagged both, two exercises defining the same function.
    """
    pairs, open_exercises = [], {}
    for index, cell in enumerate(nb.cells):
        where = _where(index, cell)
        if is_exercise(cell) and has_tag(cell, CHECK_TAG):
            raise EditionError(f"{where}: tagged both {EXERCISE_TAG!r} and {CHECK_TAG!r}")
        if cell.cell_type == "markdown" and (found := ONE_EDITION_TEXT.search(cell.source)):
            raise EditionError(f"{where}: the text says {found[0]!r}, which is true of one "
                               "edition only; say what to write, in words true of both")
        if not is_exercise(cell):
            if MARKER.search(cell.source):
                raise EditionError(f"{where}: solution or test markers in a cell not tagged "
                                   f"{EXERCISE_TAG!r}: they would reach the learners as they are")
            if is_check(cell):
                try:
                    _, name = check_call(cell)
                except EditionError as error:
                    raise EditionError(f"{where}: {error}") from None
                if name not in open_exercises:
                    raise EditionError(f"{where}: a check cell must call a checker on an "
                                       "exercise's function defined above it")
                pairs.append((open_exercises.pop(name), index))
            continue
        try:
            if not solution_regions(cell.source):
                raise EditionError(f"no '{BEGIN_MARKER}' ... '{END_MARKER}' region")
            name = exercise_name(cell)
        except EditionError as error:
            raise EditionError(f"{where}: {error}") from None
        if name in open_exercises or any(exercise_name(nb.cells[e]) == name for e, _ in pairs):
            raise EditionError(f"{where}: a second exercise named {name!r}")
        open_exercises[name] = index
    if open_exercises:
        raise EditionError("exercises without a check cell after them (a learner would get no "
                           f"verdict, nbgrader no points): {', '.join(open_exercises)}")
    return pairs


def cleared(nb):
    """A copy with every output, execution count and the saved widget state removed."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("widgets", None)  # saved widget state is output too
    return nb


# ---------------------------------------------------------------------------------------------
# The learner edition
# ---------------------------------------------------------------------------------------------


def solution_cell(exercise):
    """The collapsed worked solution placed after the exercise's check cell."""
    if not exercise.get("id"):
        raise EditionError("an exercise cell needs a cell id (nbformat 4.5): its solution cell "
                           "is named after it")
    code = without_markers(exercise.source)
    if "```" in code:
        raise EditionError("a solution may not contain ``` (it ends the solution's code block)")
    cell = nbformat.v4.new_markdown_cell(SOLUTION_HEAD + code + SOLUTION_TAIL,
                                         metadata={"tags": [SOLUTION_TAG]})
    cell.id = f"{exercise.id}-solution"
    return cell


def is_solution_cell(cell) -> bool:
    return (cell.cell_type == "markdown" and has_tag(cell, SOLUTION_TAG)
            and cell.get("id", "").endswith("-solution"))


def learner_notebook(nb):
    """The learner edition of one instructor notebook (outputs cleared, not executed)."""
    pairs = exercises(nb)
    learner = cleared(nb)
    for exercise_at, check_at in reversed(pairs):  # from the last, so earlier indices hold
        exercise = learner.cells[exercise_at]
        learner.cells.insert(check_at + 1, solution_cell(exercise))
        exercise.source = make_stub(exercise.source)
    return learner


def restore(learner_nb):
    """The instructor edition's cells from the learner edition alone: each stub filled from its
    solution cell, the solution cells removed. Outputs are left as they are."""
    restored = copy.deepcopy(learner_nb)
    solutions = {cell.id.removesuffix("-solution"): cell for cell in restored.cells
                 if is_solution_cell(cell)}
    for cell in restored.cells:
        if not is_exercise(cell):
            continue
        solution = solutions.pop(cell.id, None)
        if solution is None:
            raise EditionError(f"exercise {cell.id}: no solution cell {cell.id}-solution")
        text = solution.source
        if not (text.startswith(SOLUTION_HEAD) and text.endswith(SOLUTION_TAIL)):
            raise EditionError(f"{solution.id}: not a generated solution cell")
        try:
            cell.source = restore_cell(cell.source, text[len(SOLUTION_HEAD) : -len(SOLUTION_TAIL)])
        except EditionError as error:
            raise EditionError(f"exercise {cell.id}: {error}") from None
    if solutions:
        raise EditionError(f"solution cells without their exercise: {sorted(solutions)}")
    restored.cells = [cell for cell in restored.cells if not is_solution_cell(cell)]
    return restored


def same_text(a, b) -> bool:
    """Equal as editions are compared: everything but outputs and saved widget state."""
    return nbformat.writes(cleared(a)) == nbformat.writes(cleared(b))


def learner_editions(src_dir: Path) -> dict:
    """{name: learner edition} for every notebook in src_dir, each round trip checked."""
    paths = sorted(Path(src_dir).glob("*.ipynb"))
    if not paths:
        raise EditionError(f"no notebooks in {src_dir}")
    editions = {}
    for path in paths:
        nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        try:
            learner = learner_notebook(nb)
            if not same_text(restore(learner), nb):
                raise EditionError("the learner edition with its solutions put back is not the "
                                   "instructor edition")
        except EditionError as error:
            raise EditionError(f"{path}: {error}") from None
        editions[path.name] = learner
    return editions


def write_learner(src_dir: Path, dest_dir: Path) -> list[Path]:
    """Write the learner edition of src_dir into dest_dir (every notebook checked first)."""
    if Path(dest_dir).resolve() == Path(src_dir).resolve():
        raise EditionError("DEST_DIR must differ from SRC_DIR: it would overwrite the solutions")
    editions = learner_editions(src_dir)
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    for stale in set(p.name for p in dest_dir.glob("*.ipynb")) - set(editions):
        (dest_dir / stale).unlink()  # a notebook removed from instructor/ leaves notebooks/ too
    for name, learner in editions.items():
        nbformat.write(learner, dest_dir / name)
    return [dest_dir / name for name in editions]


def stale_learner(src_dir: Path, dest_dir: Path) -> list[str]:
    """The notebooks of dest_dir that are not the learner edition of src_dir (outputs aside)."""
    editions = learner_editions(src_dir)
    found = {p.name: p for p in Path(dest_dir).glob("*.ipynb")}
    stale = sorted(set(found) ^ set(editions))
    for name in sorted(set(found) & set(editions)):
        nb = nbformat.read(found[name], as_version=nbformat.NO_CONVERT)
        if not same_text(nb, editions[name]):
            stale.append(name)
    return stale


# ---------------------------------------------------------------------------------------------
# The learner tree: what the hub publishes for nbgitpuller
# ---------------------------------------------------------------------------------------------

TREE_README = """\
# One Neuron: the course

A neuron y_hat = w * x + b learns to turn Celsius into Fahrenheit by gradient descent, in numpy
from scratch. Open `notebooks/01_data.ipynb` and run the notebooks in order, 01 to 05.

Each exercise is a function for you to write in place of the `...`; the cell after it checks
your answer and says what to fix. The worked solution is one click away, under the check, in
"Solution: open it after you have tried".

The `neuron_*.py` files next to this README are the course's library (`import neuron_core as
nc`). To run the course on your own machine, from this folder:

    pip install -r requirements.txt
    PYTHONPATH=$PWD jupyter lab notebooks/01_data.ipynb
"""


def library_files(root: Path = ROOT) -> list[str]:
    """The course library next to the notebooks: every neuron_*.py and neuron_*.js."""
    return sorted(p.name for pattern in ("neuron_*.py", "neuron_*.js") for p in root.glob(pattern))


def write_learner_tree(dest: Path, src_dir: Path = INSTRUCTOR, notebooks: Path = LEARNER,
                       docs: Path = ROOT / "docs") -> Path:
    """Write into dest only what a learner needs: notebooks/ (the learner edition as committed,
    outputs included), the library, the docs/ pages the notebooks link to, requirements.txt and
    a README. Refuses a notebooks/ that is
    not the learner edition of src_dir, so an answer key can never be published by mistake."""
    stale = stale_learner(src_dir, notebooks)
    if stale:
        raise EditionError(f"{notebooks} is not the learner edition of {src_dir} "
                           f"({', '.join(stale)}): run `python scripts/editions.py learner`")
    dest = Path(dest)
    if dest.exists() and any(p.name != ".git" for p in dest.iterdir()):
        # Only what this command writes may be in the tree; keep a .git for publishing.
        for path in dest.iterdir():
            if path.name != ".git":
                shutil.rmtree(path) if path.is_dir() else path.unlink()
    (dest / "notebooks").mkdir(parents=True, exist_ok=True)
    for path in sorted(Path(notebooks).glob("*.ipynb")):
        shutil.copyfile(path, dest / "notebooks" / path.name)
    for name in library_files():
        shutil.copyfile(ROOT / name, dest / name)
    for name in linked_docs(notebooks, docs):
        (dest / "docs").mkdir(exist_ok=True)
        shutil.copyfile(Path(docs) / name, dest / "docs" / name)
    (dest / "requirements.txt").write_text(tree_requirements())
    (dest / "README.md").write_text(TREE_README)
    return dest


def tree_requirements() -> str:
    """requirements.txt without its ``-e .`` line: the tree has no package to install, its
    library sits next to the README (the hub puts that folder on PYTHONPATH)."""
    kept = []
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if re.match(r"^\s*-e\s+\.\s*$", line):
            while kept and kept[-1].startswith("#"):  # the comment about that line goes too
                kept.pop()
            continue
        kept.append(line)
    return "\n".join(kept).rstrip("\n") + "\n"


DOC_LINK = re.compile(r"\]\(\.\./docs/(?P<name>[\w.-]+\.md)")


def linked_docs(notebooks: Path, docs: Path) -> list[str]:
    """The docs/ pages the notebooks link to (``](../docs/glossary.md#kernel)``): they go with
    the notebooks, so that no link of a published tree is broken."""
    names = set()
    for path in Path(notebooks).glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=nbformat.NO_CONVERT).cells:
            if cell.cell_type == "markdown":
                names.update(match["name"] for match in DOC_LINK.finditer(cell.source))
    missing = sorted(name for name in names if not (Path(docs) / name).exists())
    if missing:
        raise EditionError(f"the notebooks link to docs that do not exist: {missing}")
    return sorted(names)


# ---------------------------------------------------------------------------------------------
# The nbgrader course folder
# ---------------------------------------------------------------------------------------------

CONFIG = f'''\
# Written by scripts/editions.py: nbgrader's settings for the One Neuron course.
import os
import sys

c = get_config()  # noqa: F821 (nbgrader provides it)
c.CourseDirectory.course_id = "one_neuron"
# The learner edition's stub and markers (scripts/editions.py): the release is that edition.
c.ClearSolutions.code_stub = {{"python": {CODE_STUB!r}}}
c.ClearSolutions.begin_solution_delimeter = {BEGIN_MARKER!r}
c.ClearSolutions.end_solution_delimeter = {END_MARKER!r}
# The checkers give each call of a learner's function a few seconds; this is the last resort.
c.Execute.timeout = 120
HERE = os.path.dirname(os.path.abspath(__file__))
# `nbgrader export` writes grades.csv: one row per student, one column per exercise.
sys.path.insert(0, HERE)
c.ExportApp.plugin_class = "nbgrader_plugins.PerExerciseExportPlugin"
# `nbgrader collect` takes a submission only from the learner it names (on a hub, its owner).
c.ExchangeFactory.collect = "nbgrader_plugins.OwnerCheckedCollect"
# A check cell deleted from a submission is put back from the source (the answer is graded)
# and the log says so: "Missing grade cell check_<function> encountered, adding to notebook".
c.OverwriteCells.add_missing_cells = True
# Feedback: the check cells without their hidden tests (the verdict and hint are the assertion's
# message), on nbgrader's page without MathJax, which it loads from a CDN
# (templates/one_neuron_feedback): the formulas are MathML written with the page, which the
# browser lays out itself (MathMLHTMLExporter). Nothing in the page loads from the network.
import nbgrader  # noqa: E402
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import ClearHiddenTests, GetGrades  # noqa: E402
from nbgrader_plugins import MathMLHTMLExporter, VerdictOnly  # noqa: E402

c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, VerdictOnly,
                                    CSSHTMLHeaderPreprocessor]
c.GenerateFeedback.exporter_class = MathMLHTMLExporter

c.HTMLExporter.template_name = "one_neuron_feedback"
c.HTMLExporter.extra_template_basedirs = [
    os.path.join(HERE, "templates"),
    os.path.join(os.path.dirname(nbgrader.__file__), "server_extensions", "formgrader",
                 "templates"),
]
'''
# nbconvert finds the most derived template's files first: this mathjax macro replaces the one
# nbgrader's feedback page calls with a CDN address. The formulas are MathML already
# (nbgrader_plugins.MathMLHTMLExporter), so the macro only styles them: a font with OpenType
# math tables first (Windows, macOS, TeX, Linux's fonts-dejavu-extra), which is what lets a
# matrix's parentheses grow; without one, Chromium uses its serif font and they stay small.
FEEDBACK_TEMPLATE = {
    "conf.json": '{"base_template": "feedback", "mimetypes": {"text/html": true}}\n',
    "mathjax.html.j2": ("{#- One Neuron feedback: MathML laid out by the browser, no MathJax. -#}\n"
                        "{%- macro mathjax(url=None) -%}\n"
                        "<style>\n"
                        "math { font-family: 'STIX Two Math', 'Cambria Math', 'Latin Modern Math',"
                        " 'DejaVu Math TeX Gyre', math; font-size: 1.1em; }\n"
                        "math[display=\"block\"] { margin: 0.6em 0; }\n"
                        "</style>\n"
                        "{%- endmacro %}\n"),
}


def _hidden_tests(check: str, function: str) -> str:
    """The hidden tests of a check cell, from neuron_grading (imported when needed)."""
    sys.path.insert(0, str(ROOT))
    try:
        import neuron_grading
    finally:
        sys.path.remove(str(ROOT))
    return neuron_grading.hidden_test_source(check, function)


def hidden_block(body: str) -> str:
    """The hidden tests between nbgrader's markers (added unless the body has them)."""
    body = body.strip("\n")
    if BEGIN_TESTS in body:
        return body
    return f"{BEGIN_TESTS}\n{body}\n{END_TESTS}"


def _cell_metadata(grade_id: str, *, solution: bool, grade: bool) -> dict:
    metadata = {"grade": grade, "grade_id": grade_id, "locked": not solution,
                "schema_version": SCHEMA_VERSION, "solution": solution, "task": False}
    if grade:
        metadata["points"] = POINTS
    return metadata


def nbgrader_notebook(nb, hidden_tests=_hidden_tests):
    """The nbgrader source version of one instructor notebook.

    Each exercise cell becomes an answer cell (grade_id: its function's name), each check cell a
    locked test cell worth ``POINTS`` (grade_id ``check_<function>``) ending with the hidden-test
    block ``hidden_tests(checker, function)``. Stale nbgrader metadata is dropped: the tags decide.
    """
    pairs = exercises(nb)
    graded = cleared(nb)
    for cell in graded.cells:
        cell.get("metadata", {}).pop("nbgrader", None)
    for exercise_at, check_at in pairs:
        exercise, check = graded.cells[exercise_at], graded.cells[check_at]
        name = exercise_name(exercise)
        exercise.metadata["nbgrader"] = _cell_metadata(name, solution=True, grade=False)
        check.metadata["nbgrader"] = _cell_metadata(f"check_{name}", solution=False, grade=True)
        check.source = (check.source.rstrip("\n") + "\n"
                        + hidden_block(hidden_tests(*check_call(check))))
    return graded


def _check_feedback_formulas(notebooks: dict) -> None:
    """Every formula of the notebooks converts to MathML as the feedback page will write it
    (nbgrader_plugins, imported here: it needs .venv-grader); EditionError names one that
    does not, so the build fails before a learner's feedback could show it broken."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from nbgrader_plugins import FormulaError, check_formulas
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    for name, nb in notebooks.items():
        try:
            check_formulas(nb)
        except FormulaError as error:
            raise EditionError(f"{name}: feedback cannot show a formula: {error}") from None


def write_source(src_dir: Path, course_dir: Path, assignment: str = ASSIGNMENT,
                 hidden_tests=_hidden_tests) -> list[Path]:
    """Write course_dir's config, export plugin and source/ASSIGNMENT/ (the numbered lessons
    and the library); return the notebooks written."""
    paths = sorted(Path(src_dir).glob("[0-9]*.ipynb"))
    if not paths:
        raise EditionError(f"no numbered notebooks in {src_dir}")
    notebooks = {}
    for path in paths:
        try:
            notebooks[path.name] = nbgrader_notebook(
                nbformat.read(path, as_version=nbformat.NO_CONVERT), hidden_tests)
        except EditionError as error:
            raise EditionError(f"{path}: {error}") from None
    _check_feedback_formulas(notebooks)
    course_dir = Path(course_dir)
    source = course_dir / "source" / assignment
    if source.exists():
        shutil.rmtree(source)
    source.mkdir(parents=True)
    (course_dir / "nbgrader_config.py").write_text(CONFIG)
    shutil.copyfile(ROOT / "scripts" / "nbgrader_plugins.py", course_dir / "nbgrader_plugins.py")
    template = course_dir / "templates" / "one_neuron_feedback"
    template.mkdir(parents=True, exist_ok=True)
    for name, text in FEEDBACK_TEMPLATE.items():
        (template / name).write_text(text)
    for name in library_files():
        shutil.copyfile(ROOT / name, source / name)
    for name, nb in notebooks.items():
        nbformat.write(nb, source / name)
    return [source / name for name in notebooks]


def nbgrader_env() -> dict:
    """The environment for nbgrader commands: this Python's bin folder first on PATH, because
    nbgrader runs ``alembic`` from PATH and executes notebooks with the "python3" kernel of the
    ``python`` found there."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def run_nbgrader(course_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """``nbgrader ARGS`` in course_dir (which holds nbgrader_config.py), with this Python."""
    run = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course_dir,
                         env=nbgrader_env(), capture_output=True, text=True, check=False)
    if check and run.returncode != 0:
        raise EditionError(f"nbgrader {args[0]} failed:\n{run.stdout}{run.stderr}")
    return run


def generate_release(course_dir: Path, assignment: str = ASSIGNMENT) -> Path:
    """``nbgrader generate_assignment`` in course_dir; returns the release folder."""
    run_nbgrader(course_dir, "generate_assignment", assignment, "--force", "--log-level=WARN")
    return Path(course_dir) / "release" / assignment


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("learner", "check"):
        command = commands.add_parser(name)
        command.add_argument("src_dir", type=Path, nargs="?", default=INSTRUCTOR)
        command.add_argument("dest_dir", type=Path, nargs="?", default=LEARNER)
    command = commands.add_parser("assignment")
    command.add_argument("src_dir", type=Path, nargs="?", default=INSTRUCTOR)
    command.add_argument("course_dir", type=Path, nargs="?", default=COURSE)
    command.add_argument("--assignment", default=ASSIGNMENT)
    command.add_argument("--source-only", action="store_true",
                         help="write the source version only (needs no nbgrader)")
    command = commands.add_parser("learner-tree")
    command.add_argument("dest", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "learner":
            for path in write_learner(args.src_dir, args.dest_dir):
                print(f"wrote {path}")
        elif args.command == "check":
            stale = stale_learner(args.src_dir, args.dest_dir)
            if stale:
                print(f"editions: {args.dest_dir} is not the learner edition of {args.src_dir}: "
                      f"{', '.join(stale)} (run `python scripts/editions.py learner`)",
                      file=sys.stderr)
                return 1
        elif args.command == "assignment":
            written = write_source(args.src_dir, args.course_dir, args.assignment)
            print(f"wrote {len(written)} notebooks to {written[0].parent}")
            if not args.source_only:
                print(f"released {generate_release(args.course_dir, args.assignment)}")
        else:
            print(f"wrote {write_learner_tree(args.dest)}")
    except EditionError as error:  # one clear line, no traceback
        print(f"editions: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
