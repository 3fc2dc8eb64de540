"""The answer key: every exercise of the instructor edition on one printable page.

Usage: python scripts/answers.py [OUT_HTML [NOTEBOOK...]]
       (``make answers``: build/answers.html from instructor/[0-9]*.ipynb)

For each exercise (a code cell tagged ``exercise``, in the order of the course) the key gives:
its statement (the markdown cells before it, from the exercise's heading on, without the
collapsed hints), the worked solution (the exercise cell without its solution markers), and the
expected result: the check cell and what it printed when the instructor edition was run with
that solution. So the notebooks must have been run (``make execute``); a check cell without
output stops the build, naming it. The page loads nothing: math is plain HTML and Unicode.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import nbformat
import printable

ROOT = Path(__file__).resolve().parents[1]
INSTRUCTOR = ROOT / "instructor"
DEFAULT_OUT = ROOT / "build" / "answers.html"
EXERCISE_TAG, CHECK_TAG = "exercise", "check"
MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.MULTILINE)
HINT = re.compile(r"<details>.*?</details>\s*", re.DOTALL)
HEADING = re.compile(r"^#{1,6} +(.*)$", re.MULTILINE)


def statement(cells, index: int) -> tuple[str, str]:
    """The exercise's heading and statement: the markdown cells just before cell ``index``,
    back to the one that starts with a heading (hints left out)."""
    start = index
    while start > 0 and cells[start - 1].cell_type == "markdown":
        start -= 1
        if HEADING.match(cells[start].source):
            break
    text = "\n\n".join(cell.source for cell in cells[start:index])
    heading = HEADING.search(text)
    title = heading.group(1) if heading else "Exercise"
    body = HINT.sub("", HEADING.sub("", text, count=1) if heading else text)
    return title, body.strip()


def check_result(path: Path, cells, index: int) -> tuple[str, str]:
    """The check cell after exercise ``index``: its code and what it printed."""
    follow = cells[index + 1] if index + 1 < len(cells) else None
    if follow is None or CHECK_TAG not in follow.metadata.get("tags", []):
        raise SystemExit(f"{path.name}: the exercise in cell {index} has no check cell after it")
    printed = "".join(
        output.get("text", "") or output.get("data", {}).get("text/plain", "")
        for output in follow.get("outputs", [])
    ).strip()
    if not printed:
        raise SystemExit(f"{path.name}: the check cell {index + 1} has no output: run "
                         "`make execute` first")
    return follow.source.strip(), printed


def exercises(path: Path) -> list[dict]:
    """Every exercise of one notebook, with what the key shows of it."""
    nb = nbformat.read(path, as_version=4)
    lesson = HEADING.match(nb.cells[0].source) if nb.cells else None
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and EXERCISE_TAG in cell.metadata.get("tags", []):
            title, body = statement(nb.cells, i)
            check, printed = check_result(path, nb.cells, i)
            found.append({
                "lesson": lesson.group(1) if lesson else path.stem, "title": title,
                "statement": body, "solution": MARKER.sub("", cell.source).strip(),
                "check": check, "printed": printed,
            })  # fmt: skip
    return found


def section(exercise: dict, source_dir: Path, out_dir: Path) -> str:
    statement_html = printable.relink(
        printable.markdown_to_html(exercise["statement"]), source_dir, out_dir
    )
    code = html.escape
    return (
        "<section class=\"exercise\">\n"
        f"<h2>{code(exercise['lesson'])}: {code(exercise['title'])}</h2>\n"
        f"{statement_html}\n"
        f"<h3>Worked solution</h3>\n<pre><code>{code(exercise['solution'])}</code></pre>\n"
        "<h3>Expected result</h3>\n"
        f"<pre><code>{code(exercise['check'])}\n{code(exercise['printed'])}</code></pre>\n"
        "</section>"
    )


def build(out: Path = DEFAULT_OUT, notebooks: list[Path] | None = None) -> Path:
    """Write the answer key for ``notebooks`` (the instructor edition's lessons) to ``out``."""
    notebooks = notebooks or sorted(INSTRUCTOR.glob("[0-9]*.ipynb"))
    sections = [
        section(exercise, path.parent, out.parent)
        for path in notebooks
        for exercise in exercises(path)
    ]
    intro = (
        "<h1>One Neuron: the answer key</h1>\n<p>Every exercise of the course with its worked "
        "solution, from the instructor edition; the expected result is what the check printed "
        "when the notebook ran with that solution. Other correct solutions exist.</p>"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(printable.page("One Neuron: the answer key", "\n".join([intro, *sections])),
                   encoding="utf-8")
    return out


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else DEFAULT_OUT
    print(f"wrote {build(out, [Path(arg) for arg in argv[1:]] or None)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
