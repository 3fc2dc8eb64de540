"""Give every cell of the course notebooks its reveal.js slide type, by one deterministic rule.

Usage:
    python scripts/slide_metadata.py NOTEBOOK...          set the slide types (in place)
    python scripts/slide_metadata.py --check NOTEBOOK...  exit 1 if any cell's type is off the rule

The rule, so the slides follow the notebook's own headings:
    the first cell                               "slide"     (the title slide)
    a markdown cell starting with "# " or "## "  "slide"     (a new section)
    a markdown cell starting with "### "         "subslide"  (a step within it, below the slide)
    a code cell tagged "exercise"                "fragment"  (the solution appears on a click,
                                                              after the class has had a go;
                                                              the checker after it shows with it)
    every other cell                             "-"         (continues the current slide)
Only the metadata changes; the rest of the notebook (outputs included) is written back as it is.
--check compares with the rule, so a cell added or a heading changed later is caught too.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

EXERCISE_TAG = "exercise"


def slide_type(cell, index: int) -> str:
    """The slide type the rule gives this cell (``index`` is its position in the notebook)."""
    first_line = cell.source.lstrip("\n").split("\n", 1)[0]
    if index == 0 or (cell.cell_type == "markdown" and first_line.startswith(("# ", "## "))):
        return "slide"
    if cell.cell_type == "markdown" and first_line.startswith("### "):
        return "subslide"
    if cell.cell_type == "code" and EXERCISE_TAG in cell.metadata.get("tags", []):
        return "fragment"
    return "-"


def current_type(cell) -> str | None:
    return cell.metadata.get("slideshow", {}).get("slide_type")


def off_rule(nb) -> list[str]:
    """One line per cell whose slide type is missing or differs from the rule."""
    return [
        f"cell {i}: {current_type(cell)!r}, the rule says {slide_type(cell, i)!r}"
        for i, cell in enumerate(nb.cells)
        if current_type(cell) != slide_type(cell, i)
    ]


def set_slide_types(nb):
    """Set every cell's slide type by the rule, in place; returns the notebook."""
    for i, cell in enumerate(nb.cells):
        cell.metadata.setdefault("slideshow", {})["slide_type"] = slide_type(cell, i)
    return nb


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [Path(arg) for arg in argv if arg != "--check"]
    if not paths:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    failed = False
    for path in paths:
        nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        problems = off_rule(nb)
        if check:
            failed |= bool(problems)
            for problem in problems:
                print(f"{path}: {problem}", file=sys.stderr)
        elif problems:  # write only what changes, so an up-to-date notebook keeps its bytes
            nbformat.write(set_slide_types(nb), path)
            print(f"{path}: set {len(problems)} slide types")
    if failed:
        print("run: python scripts/slide_metadata.py notebooks/*.ipynb", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
