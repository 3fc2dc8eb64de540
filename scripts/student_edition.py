"""Write the student edition of the course: every exercise's solution replaced by a stub.

Usage: python scripts/student_edition.py SRC_DIR DEST_DIR

The notebooks mark their exercises with cell tags and nbgrader's own solution markers:

* an exercise is a code cell tagged ``exercise``; its solution sits between the lines
  ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (each alone on its line, indented as the code);
* a check is a code cell tagged ``check`` that calls one of the course's checkers.

Each solution region becomes ``CODE_STUB`` at the BEGIN line's indentation, exactly as nbgrader's
``generate_assignment`` writes it with the configuration of ``scripts/assignment.py``: the
student edition and the nbgrader release are built from the same tags and the same parser
(``solution_regions``) and are the same text (``tests/test_grading.py`` compares them). The
checkers see the stub's ``NotImplementedError`` and say "not written yet", so the student edition
runs top to bottom. All outputs (and saved widget state) are cleared: they would show the
solution's results. Everything else (other cells, metadata, cell ids) is kept as it is.

Before writing, each notebook is restored from its student edition (the stubs replaced by the
solutions again) and compared with the original: the build fails if anything else changed.
"""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

import nbformat

EXERCISE_TAG = "exercise"
CHECK_TAG = "check"
BEGIN_MARKER = "### BEGIN SOLUTION"
END_MARKER = "### END SOLUTION"
# What a learner sees instead of the solution. It says which line to replace, and no more.
CODE_STUB = (
    "# YOUR CODE HERE: replace the next line with your solution\n"
    "raise NotImplementedError()"
)
BEGIN = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION[ \t]*$")
END = re.compile(r"^[ \t]*### END SOLUTION[ \t]*$")
# Any mention of a marker at all: catches misspelt markers and the old "# BEGIN SOLUTION: hint"
# form. nbgrader treats every line containing "BEGIN SOLUTION" as a marker, so nothing else may.
MARKER = re.compile(r"(BEGIN|END)[ \t]+SOLUTION")
# Text that fits only the complete edition; in the student edition there is no solution below.
COMPLETE_ONLY_TEXT = re.compile(r"worked solution|holds a solution", re.IGNORECASE)


class SolutionMarkerError(ValueError):
    """An exercise cell whose solution markers cannot be turned into a stub."""


def stub_lines(indent: str) -> list[str]:
    """The lines that replace a solution region whose BEGIN line has this indentation."""
    return [indent + line for line in CODE_STUB.split("\n")]


def solution_regions(source: str) -> list[tuple[int, int, str]]:
    """Every region as (begin line index, end line index, indent); rejects broken markers."""
    regions, open_at = [], None
    for i, line in enumerate(source.split("\n")):
        begin, end = BEGIN.match(line), END.match(line)
        if begin and open_at is None:
            open_at = (i, begin["indent"])
        elif begin:
            raise SolutionMarkerError(f"line {i + 1}: BEGIN SOLUTION inside another region")
        elif end and open_at is not None:
            regions.append((open_at[0], i, open_at[1]))
            open_at = None
        elif end:
            raise SolutionMarkerError(f"line {i + 1}: END SOLUTION without a BEGIN SOLUTION")
        elif MARKER.search(line):
            raise SolutionMarkerError(
                f"line {i + 1}: malformed marker {line.strip()!r}; write "
                f"'{BEGIN_MARKER}' or '{END_MARKER}' alone on the line"
            )
    if open_at is not None:
        raise SolutionMarkerError(f"line {open_at[0] + 1}: BEGIN SOLUTION without an END SOLUTION")
    return regions


def make_stub(source: str) -> str:
    """The exercise cell's source with each solution region replaced by the stub."""
    regions = solution_regions(source)
    if not regions:
        raise SolutionMarkerError(f"no '{BEGIN_MARKER}' ... '{END_MARKER}' region")
    lines = source.split("\n")
    # Replace from the last region back, so the earlier regions' line numbers stay valid.
    for begin, end, indent in reversed(regions):
        lines[begin : end + 1] = stub_lines(indent)
    return "\n".join(lines)


def has_tag(cell, tag: str) -> bool:
    return cell.cell_type == "code" and tag in cell.get("metadata", {}).get("tags", [])


def is_exercise(cell) -> bool:
    return has_tag(cell, EXERCISE_TAG)


def exercise_cells(nb) -> list:
    return [cell for cell in nb.cells if is_exercise(cell)]


def check_tags(nb) -> None:
    """Reject what would leak a solution or confuse the grading: markers outside exercise cells,
    a cell tagged both exercise and check, text written for the complete edition only."""
    for index, cell in enumerate(nb.cells):
        where = f"cell {index} (id {cell.get('id', '?')})"
        if is_exercise(cell) and has_tag(cell, CHECK_TAG):
            raise SolutionMarkerError(f"{where}: tagged both {EXERCISE_TAG!r} and {CHECK_TAG!r}")
        if not is_exercise(cell) and MARKER.search(cell.source):
            # A solution outside an exercise cell would reach the learners as it is.
            raise SolutionMarkerError(f"{where}: solution markers in a cell not tagged "
                                      f"{EXERCISE_TAG!r}")
        if cell.cell_type == "markdown" and (found := COMPLETE_ONLY_TEXT.search(cell.source)):
            raise SolutionMarkerError(f"{where}: the text says {found[0]!r}, which is not true "
                                      "in the student edition; say what to write instead")


def student_notebook(nb):
    """A new notebook: exercise solutions stubbed, every output and execution count cleared."""
    check_tags(nb)
    student = copy.deepcopy(nb)
    for index, cell in enumerate(student.cells):
        if is_exercise(cell):
            try:
                cell.source = make_stub(cell.source)
            except SolutionMarkerError as error:
                raise SolutionMarkerError(
                    f"cell {index} (id {cell.get('id', '?')}): {error}") from None
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    student.metadata.pop("widgets", None)  # saved widget state is output too
    return student


def restore(student_nb, complete_nb):
    """The student notebook with the complete edition's solution regions put back in its stubs.

    Exercise cells are matched in order; each stub is replaced by the matching region (markers
    included). Everything outside the regions comes from the student notebook, so a restored
    source equal to the complete one proves the stubbing lost nothing else.
    """
    restored = copy.deepcopy(student_nb)
    students, completes = exercise_cells(restored), exercise_cells(complete_nb)
    if len(students) != len(completes):
        raise SolutionMarkerError(
            f"{len(students)} exercise cells in the student edition, "
            f"{len(completes)} in the complete one"
        )
    for number, (student, complete) in enumerate(zip(students, completes, strict=True), 1):
        student.source = restore_cell(student.source, complete.source, number)
    return restored


def stub_positions(source: str) -> list[int]:
    """The line index where each stub starts in a student edition's exercise cell."""
    lines, size = source.split("\n"), len(CODE_STUB.split("\n"))
    indents = [line[: len(line) - len(line.lstrip(" \t"))] for line in lines]
    return [i for i in range(len(lines)) if lines[i : i + size] == stub_lines(indents[i])]


def restore_cell(student_source: str, complete_source: str, number: int = 1) -> str:
    """One exercise cell: each stub replaced, in order, by a region of ``complete_source``."""
    complete_lines = complete_source.split("\n")
    regions = solution_regions(complete_source)
    lines = student_source.split("\n")
    stubs = stub_positions(student_source)
    if len(stubs) != len(regions):
        raise SolutionMarkerError(
            f"exercise {number}: {len(stubs)} stubs but {len(regions)} solution regions"
        )
    size = len(CODE_STUB.split("\n"))
    for at, (begin, end, indent) in reversed(list(zip(stubs, regions, strict=True))):
        if lines[at : at + size] != stub_lines(indent):
            raise SolutionMarkerError(f"exercise {number}: the stub at line {at + 1} is not "
                                      "indented as its solution")
        lines[at : at + size] = complete_lines[begin : end + 1]
    return "\n".join(lines)


def write_student_edition(src_dir: Path, dest_dir: Path) -> list[Path]:
    """Write a student edition of every notebook in src_dir into dest_dir; return the paths."""
    sources = sorted(src_dir.glob("*.ipynb"))
    if not sources:
        raise ValueError(f"no notebooks in {src_dir}")
    if dest_dir.resolve() == src_dir.resolve():
        raise ValueError("DEST_DIR must differ from SRC_DIR: it would overwrite the solutions")
    editions = {}
    for path in sources:
        nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        try:
            student = student_notebook(nb)
            restored = restore(student, nb)
        except SolutionMarkerError as error:
            raise SolutionMarkerError(f"{path}: {error}") from None
        if [c.source for c in restored.cells] != [c.source for c in nb.cells]:
            raise SolutionMarkerError(f"{path}: the student edition lost more than the solutions")
        editions[path.name] = student
    dest_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, student in editions.items():
        # nbformat.write is what Jupyter itself uses, so the files diff cleanly against the source.
        nbformat.write(student, dest_dir / name)
        written.append(dest_dir / name)
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        written = write_student_edition(Path(argv[0]), Path(argv[1]))
    except ValueError as error:  # SolutionMarkerError included: one clear line, no traceback
        print(f"student_edition: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
