"""Write the student edition of the course: every exercise's solution replaced by a stub.

Usage: python scripts/student_edition.py SRC_DIR DEST_DIR

An exercise is a code cell tagged ``exercise``. Its solution sits between two comment lines,

    # BEGIN SOLUTION: <hint text>
    ...solution lines...
    # END SOLUTION

and becomes ``raise NotImplementedError("<hint text>")`` at the BEGIN line's indentation. The
course's checkers catch that error and print the hint, so the student edition runs top to bottom.
All outputs (and saved widget state) are cleared too: they would show the solution's results,
and learners run the notebooks themselves.
Everything else (other cells, metadata, cell ids) is kept as it is.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path

import nbformat

EXERCISE_TAG = "exercise"
BEGIN = re.compile(r"^(?P<indent>[ \t]*)# BEGIN SOLUTION:[ \t]*(?P<hint>\S.*?)[ \t]*$")
END = re.compile(r"^[ \t]*# END SOLUTION[ \t]*$")
# Any mention of a marker at all: catches misspelt or hint-less markers that BEGIN would miss.
MARKER = re.compile(r"#\s*(BEGIN|END) SOLUTION")
STUB = re.compile(r"^(?P<indent>[ \t]*)raise NotImplementedError\((?P<literal>\".*\")\)$")


class SolutionMarkerError(ValueError):
    """An exercise cell whose solution markers cannot be turned into a stub."""


def stub_line(indent: str, hint: str) -> str:
    """The line that replaces a solution region."""
    # json.dumps gives a double-quoted literal whose escapes Python reads the same way.
    return f"{indent}raise NotImplementedError({json.dumps(hint, ensure_ascii=False)})"


def solution_regions(source: str) -> list[tuple[int, int, str, str]]:
    """Every region as (begin line index, end line index, indent, hint); rejects broken markers."""
    regions, open_at = [], None
    for i, line in enumerate(source.split("\n")):
        begin, end = BEGIN.match(line), END.match(line)
        if begin and open_at is None:
            open_at = (i, begin["indent"], begin["hint"])
        elif begin:
            raise SolutionMarkerError(f"line {i + 1}: BEGIN SOLUTION inside another region")
        elif end and open_at is not None:
            regions.append((open_at[0], i, open_at[1], open_at[2]))
            open_at = None
        elif end:
            raise SolutionMarkerError(f"line {i + 1}: END SOLUTION without a BEGIN SOLUTION")
        elif MARKER.search(line):
            raise SolutionMarkerError(
                f"line {i + 1}: malformed marker {line.strip()!r}; "
                "write '# BEGIN SOLUTION: <hint>' or '# END SOLUTION' alone on the line"
            )
    if open_at is not None:
        raise SolutionMarkerError(f"line {open_at[0] + 1}: BEGIN SOLUTION without an END SOLUTION")
    return regions


def make_stub(source: str) -> str:
    """The exercise cell's source with each solution region replaced by its stub line."""
    regions = solution_regions(source)
    if not regions:
        raise SolutionMarkerError("no '# BEGIN SOLUTION: <hint>' ... '# END SOLUTION' region")
    lines = source.split("\n")
    # Replace from the last region back, so the earlier regions' line numbers stay valid.
    for begin, end, indent, hint in reversed(regions):
        lines[begin : end + 1] = [stub_line(indent, hint)]
    return "\n".join(lines)


def is_exercise(cell) -> bool:
    return cell.cell_type == "code" and EXERCISE_TAG in cell.get("metadata", {}).get("tags", [])


def exercise_cells(nb) -> list:
    return [cell for cell in nb.cells if is_exercise(cell)]


def student_notebook(nb):
    """A new notebook: exercise solutions stubbed, every output and execution count cleared."""
    student = copy.deepcopy(nb)
    for index, cell in enumerate(student.cells):
        try:
            if is_exercise(cell):
                cell.source = make_stub(cell.source)
            elif MARKER.search(cell.source):
                # A solution outside an exercise cell would reach the learners as it is.
                raise SolutionMarkerError(f"solution markers in a cell not tagged {EXERCISE_TAG!r}")
        except SolutionMarkerError as error:
            raise SolutionMarkerError(f"cell {index} (id {cell.get('id', '?')}): {error}") from None
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    student.metadata.pop("widgets", None)  # saved widget state is output too
    return student


def restore(student_nb, complete_nb):
    """The student notebook with the complete edition's solution regions put back in its stubs.

    Exercise cells are matched in order; each stub line is replaced by the matching region
    (markers included). Everything outside the regions comes from the student notebook, so a
    restored source equal to the complete one proves the stubbing lost nothing else.
    """
    restored = copy.deepcopy(student_nb)
    students, completes = exercise_cells(restored), exercise_cells(complete_nb)
    if len(students) != len(completes):
        raise SolutionMarkerError(
            f"{len(students)} exercise cells in the student edition, "
            f"{len(completes)} in the complete one"
        )
    for number, (student, complete) in enumerate(zip(students, completes, strict=True), 1):
        student.source = _restore_cell(student.source, complete.source, number)
    return restored


def _restore_cell(student_source: str, complete_source: str, number: int) -> str:
    """One exercise cell: each stub line replaced by the complete cell's region, in order."""
    complete_lines = complete_source.split("\n")
    regions = solution_regions(complete_source)
    lines = student_source.split("\n")
    stubs = [i for i, line in enumerate(lines) if STUB.match(line)]
    if len(stubs) != len(regions):
        raise SolutionMarkerError(
            f"exercise {number}: {len(stubs)} stubs but {len(regions)} solution regions"
        )
    for at, (begin, end, indent, hint) in reversed(list(zip(stubs, regions, strict=True))):
        if lines[at] != stub_line(indent, hint):
            raise SolutionMarkerError(f"exercise {number}: stub {lines[at]!r} is not {hint!r}'s")
        lines[at : at + 1] = complete_lines[begin : end + 1]
    return "\n".join(lines)


def write_student_edition(src_dir: Path, dest_dir: Path) -> list[Path]:
    """Write a student edition of every notebook in src_dir into dest_dir; return the paths."""
    sources = sorted(src_dir.glob("*.ipynb"))
    if not sources:
        raise ValueError(f"no notebooks in {src_dir}")
    if dest_dir.resolve() == src_dir.resolve():
        raise ValueError("DEST_DIR must differ from SRC_DIR: it would overwrite the solutions")
    dest_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sources:
        nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        try:
            student = student_notebook(nb)
        except SolutionMarkerError as error:
            raise SolutionMarkerError(f"{path}: {error}") from None
        # nbformat.write is what Jupyter itself uses, so the files diff cleanly against the source.
        nbformat.write(student, dest_dir / path.name)
        written.append(dest_dir / path.name)
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
