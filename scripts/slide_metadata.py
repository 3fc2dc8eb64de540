"""Give every cell of the course notebooks its reveal.js slide type, by one deterministic rule.

Usage:
    python scripts/slide_metadata.py NOTEBOOK...          set the slide types (in place)
    python scripts/slide_metadata.py --check NOTEBOOK...  exit 1 if any cell's type is off the rule

The slides are for a 1280x720 screen (scripts/build_slides.py), and a slide must never scroll.
The rule follows the notebook's own headings and then fills each slide only as far as it fits:

    the first cell                                 "slide"     (the title slide)
    a markdown cell starting with "# " or "## "    "slide"     (a new section)
    a markdown cell starting with "### "           "subslide"  (a step within it, below the slide)
    a code cell showing a widget with no picture
    (or, not run yet, tagged nbval-ignore-output)  "skip"      (a slide cannot run a widget)
    a cell that does not fit on the current
    (sub)slide any more                            "subslide"  (continued below)
    a code cell tagged "exercise"                  "fragment"  (the solution appears on a click,
                                                                after the class has had a go;
                                                                the checker after it shows with it)
    every other cell                               "-"         (continues the current slide)

"Fits" uses an estimate of each cell's height on the slide (``cell_height``, in CSS pixels of the
1280x720 slide): text lines, headings, code blocks and display math for markdown; code lines,
output lines and figures for code. A figure is shown for a projector: its plotting code is never
on a slide (the notebook keeps it; scripts/build_slides.py hides it), and the figure is scaled to
the slide's full width, or to FIGURE_MAX_HEIGHT if its shape is taller than that leaves room
for; so a figure usually gets a subslide of its own. An explorer's cell shows the picture of its
starting state that its output carries, in the same way.
The estimate is deliberately generous, and tests/test_slides.py measures the real heights in
Chromium. A code cell always stays together with its output. A markdown cell that ends with a
colon introduces the next cell and moves on with it. Outputs count, so run this after
``make execute``.

What an author must keep, since a cell is never split across slides (scripts/build_slides.py
only splits a markdown cell at a heading inside it):
    a markdown cell (or the part under one heading) at most about 18 lines of text as rendered,
    about 120 characters a line; a display formula, table row or closed hint counts as 2, 1, 2;
    a code cell at most about 25 lines of code and text output; a cell with a figure at most
    2 lines of text output besides it.

Only the metadata changes; the rest of the notebook (outputs included) is written back as it is.
--check compares with the rule, so a cell added or edited later is caught too.
"""

from __future__ import annotations

import base64
import copy
import re
import struct
import sys
from pathlib import Path

import nbformat

EXERCISE_TAG = "exercise"
FIGURE_MIME = "image/png"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_TAG = "nbval-ignore-output"
# The instructor edition's solution markers (and nbgrader's hidden-test markers): never on a slide.
MARKER = re.compile(r"^[ \t]*### (BEGIN|END) (SOLUTION|HIDDEN TESTS)[ \t]*\n?", re.MULTILINE)

# How much of the 720 px slide's height (scripts/build_slides.py: HEIGHT) the estimates may
# fill: on the course's cells they are at most 30 px under the height measured in Chromium.
BUDGET = 660
TEXT_WIDTH = 1228  # px of a cell's content across the slide
# The template's cap on a figure's height (slides/templates/.../index.html.j2): the slide's 720 px
# less the margins of the cell and room for two lines of text output under the figure.
FIGURE_MAX_HEIGHT = 590

# Markdown, at the template's 20 px text (fitted to the heights measured in Chromium)
CHARS_PER_LINE = 125
LINE = 30  # px a line of text
PARAGRAPH = 8  # px between paragraphs
LIST_ITEM = 5  # px between list items
TABLE_ROW = 34  # px a row of a table
DETAILS_SUMMARY = 60  # px the one line of a closed <details> (a hint) with its margins
RULE = 40  # px a horizontal rule (---)
HEADING = {1: 115, 2: 62, 3: 62}  # px a heading takes, with its margins
DISPLAY_MATH = 50  # px a block of display math ($$...$$)
FRACTION = 20  # px more when it has a fraction
MARKDOWN_CELL = 33  # px a markdown cell's own padding
# Code, at the template's 19 px monospace
CODE_CELL = 55  # px a code cell's padding and borders
CODE_LINE = 23  # px a line of code or of text output
OUTPUT = 6  # px each output's own margins
FIGURE_MARGIN = 30  # px around a figure
CODE_BLOCK = 30  # px a code block's padding in markdown (a diagram drawn in text, say)

TEX_COMMAND = re.compile(r"\\[A-Za-z]+|[{}^_\\$*`]")
SUMMARY = "\x00summary "  # marks the summary line of a closed <details> block
DETAILS = re.compile(r"<details>\s*<summary>(.*?)</summary>.*?</details>", re.DOTALL)
LIST_START = re.compile(r"\s*([-*+]|\d+\.)\s")
FENCE = ("```", "~~~")
LABEL = re.compile(r"\s*\*\*[^*]+\*\*\s*$")  # a paragraph that is only a bold label


def _blocks(source: str) -> list[list[str]]:
    """The markdown's blocks: headings, paragraphs, list items, display math."""
    blocks: list[list[str]] = []
    current: list[str] = []
    in_math = in_fence = False
    for line in source.strip("\n").split("\n"):
        if in_fence or line.lstrip().startswith(FENCE):  # a code block: one block, kept whole
            if not in_fence and current:  # a fence opens: the block before it ends
                blocks.append(current)
                current = []
            current.append(line)
            in_fence = not (line.lstrip().startswith(FENCE) and len(current) > 1)
            if not in_fence:  # the closing fence
                blocks.append(current)
                current = []
            continue
        starts_block = line.startswith("#") or LIST_START.match(line) or line.startswith("$$")
        table_edge = current and line.startswith("|") != current[0].startswith("|")
        if not in_math and (not line.strip() or starts_block or table_edge) and current:
            blocks.append(current)
            current = []
        if line.strip():
            current.append(line)
        if line.count("$$") % 2:
            in_math = not in_math
        if line.startswith("#") and not in_math:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return [block for block in blocks if block]


def _collapse_details(source: str) -> str:
    """The markdown as shown: a <details> block (a hint) is closed, only its summary shows."""
    return DETAILS.sub(lambda m: f"\n\n{SUMMARY}{m.group(1)}\n\n", source)


def markdown_height(source: str) -> int:
    source = _collapse_details(source)
    height = MARKDOWN_CELL
    for block in _blocks(source):
        first = block[0]
        if first.startswith("#"):
            level = len(first) - len(first.lstrip("#"))
            height += HEADING.get(level, HEADING[3])
        elif first.startswith(SUMMARY):
            height += DETAILS_SUMMARY
        elif set(first.strip()) <= set("-*_") and len(block) == 1:  # a horizontal rule
            height += RULE
        elif first.startswith("|"):  # a table: one line a row, the |---| line is a rule
            rows = [line for line in block if not set(line) <= set("|-: ")]
            height += TABLE_ROW * len(rows) + PARAGRAPH
        elif first.lstrip().startswith(FENCE):  # a code block, at the code cells' size
            height += CODE_BLOCK + CODE_LINE * max(1, len(block) - 2) + PARAGRAPH
        elif first.startswith("$$"):
            height += DISPLAY_MATH + LINE * sum(line.count("\\\\") for line in block)
            height += FRACTION * any("frac" in line for line in block)
        else:
            text = TEX_COMMAND.sub("", " ".join(line.strip() for line in block))
            lines = max(1, -(-len(text) // CHARS_PER_LINE))
            height += LINE * lines + (LIST_ITEM if LIST_START.match(first) else PARAGRAPH)
    return height


def figure_size(data: str) -> tuple[int, int]:
    """The size (width, height) in CSS pixels a PNG output is shown at on a slide: the full text
    width, or FIGURE_MAX_HEIGHT high if its shape is taller than that leaves room for."""
    raw = base64.b64decode(data)
    width, height = struct.unpack(">II", raw[16:24])
    scale = min(TEXT_WIDTH / width, FIGURE_MAX_HEIGHT / height)
    return round(width * scale), round(height * scale)


def has_figure(cell) -> bool:
    """A code cell with a figure (a PNG) among its outputs: an explorer's cell too."""
    return cell.cell_type == "code" and any(
        FIGURE_MIME in output.get("data", {}) for output in cell.get("outputs", [])
    )


def code_height(cell) -> int:
    # A figure's code is never on a slide: it is hidden, the figure shown at the slide's width.
    hidden = has_figure(cell) or cell.metadata.get("transient", {}).get("remove_source", False)
    height = CODE_CELL + (0 if hidden else CODE_LINE * len(cell.source.rstrip("\n").split("\n")))
    for output in cell.get("outputs", []):
        height += OUTPUT
        data = output.get("data", {})
        if output.get("output_type") == "stream":
            height += CODE_LINE * len(output.get("text", "").rstrip("\n").split("\n"))
        elif FIGURE_MIME in data:
            height += FIGURE_MARGIN + figure_size(data[FIGURE_MIME])[1]
        elif "text/plain" in data:
            height += CODE_LINE * len(data["text/plain"].rstrip("\n").split("\n"))
        elif output.get("output_type") == "error":
            height += CODE_LINE * len("\n".join(output.get("traceback", [])).split("\n"))
    return height


def cell_height(cell) -> int:
    """An estimate of the cell's height on a slide, in CSS pixels (0 for a skipped cell)."""
    if is_widget(cell) and not has_figure(cell):
        return 0
    return markdown_height(cell.source) if cell.cell_type == "markdown" else code_height(cell)


def is_widget(cell) -> bool:
    """A code cell whose output is a live widget, which a slide cannot run (it shows the widget's
    picture, if the output carries one: ``has_figure``). Before the notebook is run, the course's
    convention says it: widget cells are tagged nbval-ignore-output (docs/maintaining.md)."""
    if cell.cell_type != "code":
        return False
    outputs = cell.get("outputs", [])
    if any(WIDGET_MIME in output.get("data", {}) for output in outputs):
        return True
    return WIDGET_TAG in cell.metadata.get("tags", []) and not any(
        output.get("data") or output.get("text") for output in outputs
    )


def _heading_type(cell, index: int) -> str | None:
    first_line = cell.source.lstrip("\n").split("\n", 1)[0]
    if index == 0 or (cell.cell_type == "markdown" and first_line.startswith(("# ", "## "))):
        return "slide"
    if cell.cell_type == "markdown" and first_line.startswith("### "):
        return "subslide"
    return None


def _introduces_next(cell) -> bool:
    return cell.cell_type == "markdown" and cell.source.rstrip().endswith(":")


def slide_types(nb) -> list[str]:
    """The slide type the rule gives each cell of the notebook, in order."""
    types: list[str] = []
    used = 0  # estimated px already on the current (sub)slide
    cells = nb.cells
    for i, cell in enumerate(cells):
        height = cell_height(cell)
        heading = _heading_type(cell, i)
        if heading is None and is_widget(cell) and not has_figure(cell):
            types.append("skip")
            continue
        need = height
        following = cells[i + 1] if i + 1 < len(cells) else None
        if _introduces_next(cell) and following and _heading_type(following, i + 1) is None:
            need += cell_height(following)
        if heading is not None:
            types.append(heading)
            used = height
        elif used + need > BUDGET:
            types.append("subslide")
            used = height
        else:
            exercise = cell.cell_type == "code" and EXERCISE_TAG in cell.metadata.get("tags", [])
            types.append("fragment" if exercise else "-")
            used += height
    return types


def _paragraphs(source: str) -> list[str]:
    """The markdown's paragraphs, split at blank lines outside code blocks, display math and
    <details> blocks (each of which stays whole)."""
    paragraphs: list[list[str]] = [[]]
    fenced = in_math = False
    details = 0
    for line in source.split("\n"):
        whole = fenced or in_math or details > 0
        if not line.strip() and not whole and paragraphs[-1]:
            paragraphs.append([])
            continue
        if line.lstrip().startswith(FENCE):
            fenced = not fenced
        if line.count("$$") % 2:
            in_math = not in_math
        details += line.count("<details") - line.count("</details>")
        paragraphs[-1].append(line)
    texts = ["\n".join(p) for p in paragraphs if p]
    # A label ("**Objectives**") or a line ending with a colon goes with what it introduces.
    for i in range(len(texts) - 2, -1, -1):
        if "\n" not in texts[i] and (LABEL.match(texts[i]) or texts[i].rstrip().endswith(":")):
            texts[i : i + 2] = [f"{texts[i]}\n\n{texts[i + 1]}"]
    return texts


def _fit(part: str) -> list[str]:
    """The part as pieces that each fit a slide, cut between paragraphs (as few as it takes)."""
    if markdown_height(part) <= BUDGET:
        return [part]
    pieces = [""]
    for paragraph in _paragraphs(part):
        joined = f"{pieces[-1]}\n\n{paragraph}" if pieces[-1] else paragraph
        if pieces[-1] and markdown_height(joined) > BUDGET:
            pieces.append(paragraph)
        else:
            pieces[-1] = joined
    return pieces


def split_at_headings(nb):
    """A copy of the notebook where a markdown cell with a heading inside it (not on its first
    line, not in a code fence) is split into one cell per heading, so that the rule can start a
    slide there; a part still too tall for a slide is cut between paragraphs (and continues on
    a subslide). scripts/build_slides.py builds from this; the notebook itself keeps its cells."""
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            cells.append(cell)
            continue
        parts: list[list[str]] = [[]]
        fenced = False
        for line in cell.source.split("\n"):
            if line.lstrip().startswith(FENCE):
                fenced = not fenced
            if not fenced and re.match(r"#{1,3} ", line) and any(x.strip() for x in parts[-1]):
                parts.append([])
            parts[-1].append(line)
        pieces = [piece for part in parts for piece in _fit("\n".join(part).strip("\n"))]
        for k, source in enumerate(pieces):
            piece = copy.deepcopy(cell) if k == 0 else nbformat.v4.new_markdown_cell()
            piece.source = source
            if k:
                piece.metadata = copy.deepcopy(cell.metadata)
                if "id" in cell:  # deterministic, so the slides are too
                    piece.id = f"{cell.id}-{k}"
            cells.append(piece)
    nb.cells = cells
    return nb


def for_slides(nb):
    """The notebook as scripts/build_slides.py puts it on slides: split at its headings
    (``split_at_headings``); every figure shown without its code (the notebook keeps the code), an
    explorer as the picture its output carries; exercises without their solution markers (the
    solution shows on a click, as a fragment); every cell's slide type by the rule."""
    nb = split_at_headings(nb)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.source = MARKER.sub("", cell.source)
        if has_figure(cell):
            cell.metadata["transient"] = {"remove_source": True}
            for output in cell.outputs:  # the picture, not a widget the slide cannot run
                output.get("data", {}).pop(WIDGET_MIME, None)
                if FIGURE_MIME in output.get("data", {}):
                    width, height = figure_size(output.data[FIGURE_MIME])
                    output.metadata[FIGURE_MIME] = {"width": width, "height": height}
    return set_slide_types(nb)


def current_type(cell) -> str | None:
    return cell.metadata.get("slideshow", {}).get("slide_type")


def off_rule(nb) -> list[str]:
    """One line per cell whose slide type is missing or differs from the rule."""
    return [
        f"cell {i}: {current_type(cell)!r}, the rule says {rule!r}"
        for i, (cell, rule) in enumerate(zip(nb.cells, slide_types(nb), strict=True))
        if current_type(cell) != rule
    ]


def set_slide_types(nb):
    """Set every cell's slide type by the rule, in place; returns the notebook."""
    for cell, rule in zip(nb.cells, slide_types(nb), strict=True):
        cell.metadata.setdefault("slideshow", {})["slide_type"] = rule
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
