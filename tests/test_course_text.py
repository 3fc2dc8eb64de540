"""The beginner's path through notebooks 01-05, read as text (issue 10's promises).

* Outside the optional parts (a heading with "Going deeper (optional)" up to the next heading of
  the same or a higher level, or a collapsed ``<details>`` block), no cell's text, code or
  printed output names the maths a learner with algebra and "slope" has not met: Hessian,
  eigen..., Taylor, O(h..., λ.
* Every notebook states its time in its opening and has at least two exercises.
* No exercise can be answered by copying: no line of a solution appears in an earlier cell of
  its notebook.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

LESSONS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("0[1-9]_*.ipynb"))
BEYOND_THE_MAIN_PATH = ("hessian", "eigen", "taylor", "λ", "o(h")
HEADING = re.compile(r"^(#{1,6})\s+(.*)")
DETAILS = re.compile(r"<details>.*?</details>", re.S | re.I)
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)


def main_path_cells(nb):
    """(index, text) of each cell outside the optional parts: its source and printed output."""
    optional_level = None
    for index, cell in enumerate(nb.cells):
        source = cell.source
        if cell.cell_type == "markdown":
            for line in source.splitlines():
                match = HEADING.match(line)
                if not match:
                    continue
                level = len(match.group(1))
                if optional_level is not None and level <= optional_level:
                    optional_level = None
                if optional_level is None and re.search(r"going deeper|optional", match.group(2),
                                                        re.I):
                    optional_level = level
            source = DETAILS.sub(" ", source)
        if optional_level is None:
            printed = " ".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
                               for o in cell.get("outputs", []))
            yield index, f"{source}\n{printed}"


def read(path):
    return nbformat.read(path, as_version=4)


def test_there_are_five_lessons():
    assert [p.name[:2] for p in LESSONS] == ["01", "02", "03", "04", "05"]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_the_main_path_needs_only_algebra_and_slopes(path):
    found = [(index, word) for index, text in main_path_cells(read(path))
             for word in BEYOND_THE_MAIN_PATH if word in text.lower()]
    assert not found, f"{path.name}: words beyond the main path in cells {found}"


def test_the_scan_sees_what_it_must():
    """The scan above can fail: a word on the main path is found, one in an optional part or a
    <details> block is not."""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("## 1. Steps\nThe Hessian says how the bowl curves."),
        nbformat.v4.new_markdown_cell("<details>the Taylor series</details> and more"),
        nbformat.v4.new_markdown_cell("## Going deeper (optional): curvature\neigenvalues, λ"),
        nbformat.v4.new_code_cell("print('O(h**2)')"),
        nbformat.v4.new_markdown_cell("## Summary\nno maths here"),
    ])
    texts = dict(main_path_cells(nb))
    assert sorted(texts) == [0, 1, 4]
    assert "hessian" in texts[0].lower() and "taylor" not in texts[1].lower()


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_each_lesson_states_its_time_and_has_two_exercises(path):
    nb = read(path)
    assert re.search(r"\*\*Time:\*\* about \d+ minutes", nb.cells[0].source), path.name
    exercises = [c for c in nb.cells if "exercise" in c.metadata.get("tags", [])]
    assert len(exercises) >= 2, f"{path.name}: {len(exercises)} exercise(s)"


def copied_solution_lines(nb):
    """(cell index, line) of each solution line that an earlier cell already shows."""
    copied = []
    for index, cell in enumerate(nb.cells):
        if "exercise" not in cell.metadata.get("tags", []):
            continue
        (solution,) = SOLUTION.findall(cell.source)
        lines = {line.strip() for line in solution.splitlines()
                 if line.strip() and not line.strip().startswith("#")}
        lines.discard("return")
        earlier = "\n".join(c.source for c in nb.cells[:index])
        copied += sorted((index, line) for line in lines if line in earlier)
    return copied


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_no_solution_line_is_written_out_before_its_exercise(path):
    copied = copied_solution_lines(read(path))
    assert not copied, f"{path.name}: written out earlier: {copied}"


def test_a_copied_solution_line_is_found():
    exercise = nbformat.v4.new_code_cell(
        "def f(x, w, b):\n    ### BEGIN SOLUTION\n    return w * x + b\n    ### END SOLUTION",
        metadata={"tags": ["exercise"]})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("y = w * x + b"), exercise])
    assert copied_solution_lines(nb) == []
    nb.cells[0].source = "return w * x + b"
    assert copied_solution_lines(nb) == [(1, "return w * x + b")]
