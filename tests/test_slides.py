"""Slides: the slide rule, its --check, nbconvert's deck, and the built decks in Chromium.

The decks are built from the instructor edition (instructor/, the full text). The browser tests
(marker ``browser``, run by ``make browser``) build every lesson's deck once with
scripts/build_slides.py into a temporary folder, open each from disk (file://) in headless
Chromium at 1280x720, and fail on: any request that leaves the machine, reveal.js not running,
math left as raw $...$ text, any slide or subslide whose content reaches outside the 1280x720
screen or scrolls, a figure smaller than the slide allows, text too small for a projector
(see MIN_TEXT_PX), and solution markers or edition asides in a deck. The failure lists every such
slide, as "h.v" (the deck's #/h/v).
"""

from __future__ import annotations

import base64
import os
import re
import struct
import subprocess
from pathlib import Path

import nbformat
import pytest
import slide_metadata as sm
from labharness import keep_offline
from nbconvert import SlidesExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[1]
# The slides' source: the instructor edition, whose stored slide metadata follows the rule.
NOTEBOOKS = sorted((ROOT / "instructor").glob("*.ipynb"))
# The decks: the numbered lessons (demo.ipynb is the Voila dashboard, a widget and nothing else).
LESSONS = sorted((ROOT / "instructor").glob("[0-9]*.ipynb"))
# What no deck may show: the solution markers of the instructor edition and nbgrader, the
# learner edition's stub, and any sentence about editions (the slides are one text).
NOT_ON_SLIDES = re.compile(
    r"BEGIN SOLUTION|END SOLUTION|HIDDEN TESTS|YOUR CODE HERE|NotImplementedError|\bedition\b",
    re.IGNORECASE,
)


def lesson():
    return new_notebook(cells=[
        new_code_cell("import neuron_core as nc"),            # first cell: the title slide
        new_markdown_cell("Some words before any heading"),   # continues it
        new_markdown_cell("## The forward pass\n\ny = w*x + b"),
        new_markdown_cell("### Try it"),
        new_code_cell("def f():\n    pass", metadata={"tags": ["exercise"]}),
        new_code_cell("nc.check_forward(f)"),
        new_markdown_cell("#### A small heading stays on its slide"),
        new_markdown_cell("# Part two"),
    ])


def test_the_rule():
    assert sm.slide_types(lesson()) == [
        "slide", "-", "slide", "subslide", "fragment", "-", "-", "slide"
    ]


def png(width, height):
    """A PNG output's data: only its header's size matters to the rule."""
    header = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + struct.pack(">II", width, height)
    return base64.b64encode(header + b"\x08\x06\x00\x00\x00").decode()


def figure_cell(code_lines, width=1000, height=400):
    cell = new_code_cell("\n".join(f"line_{i} = {i}" for i in range(code_lines)))
    cell.outputs = [new_output("display_data", data={"image/png": png(width, height)})]
    return cell


def stream_cell(lines):
    cell = new_code_cell(f"print_{lines}_lines()")
    cell.outputs = [new_output("stream", name="stdout", text="x\n" * lines)]
    return cell


def widget_cell(picture=None):
    """An explorer's cell as run: a widget view, a sentence, and the picture of its start."""
    cell = new_code_cell("ex = nc.step_explorer(x, y)", metadata={"tags": [sm.WIDGET_TAG]})
    data = {
        sm.WIDGET_MIME: {"model_id": "abc", "version_major": 2, "version_minor": 0},
        "text/plain": "The step explorer: press Step to take one step.",
    }
    if picture:
        data[sm.FIGURE_MIME] = picture
    cell.outputs = [new_output("display_data", data=data)]
    return cell


def test_a_widget_cell_without_a_picture_is_skipped():
    widget = widget_cell()
    nb = new_notebook(cells=[new_markdown_cell("## Explore"), widget, stream_cell(1)])
    assert sm.slide_types(nb) == ["slide", "skip", "-"]
    widget.outputs = []  # not run yet: the tag says it
    assert sm.slide_types(nb) == ["slide", "skip", "-"]
    widget.metadata["tags"] = []
    assert sm.slide_types(nb) == ["slide", "-", "-"]


def test_a_widget_cell_with_a_picture_shows_the_picture_without_code_or_widget():
    nb = new_notebook(cells=[new_markdown_cell("## Explore"), widget_cell(png(1600, 400))])
    assert sm.slide_types(nb) == ["slide", "-"]  # 1228 x 307 px fits under the heading
    shown = sm.for_slides(nb).cells[1]
    assert shown.metadata["transient"] == {"remove_source": True}
    assert sm.WIDGET_MIME not in shown.outputs[0].data
    assert shown.outputs[0].metadata[sm.FIGURE_MIME] == {"width": 1228, "height": 307}


def test_a_figure_fills_the_slide_width_or_its_height():
    # Sizes by hand: 1228 px is the text width, FIGURE_MAX_HEIGHT the height left for a figure.
    assert sm.TEXT_WIDTH == 1228
    assert sm.figure_size(png(614, 200)) == (1228, 400)  # scaled up to the width
    assert sm.figure_size(png(2456, 400)) == (1228, 200)  # down to the width
    tall = sm.figure_size(png(600, 600))  # square: the height is the limit
    assert tall == (sm.FIGURE_MAX_HEIGHT, sm.FIGURE_MAX_HEIGHT)
    # The slide's height less the cell's margins and two lines of text: most of the slide.
    assert 0.75 * 720 < sm.FIGURE_MAX_HEIGHT < 720 - 2 * sm.CODE_LINE - sm.FIGURE_MARGIN


def test_what_does_not_fit_goes_on_a_new_subslide():
    # Each cell alone fits one slide; any two of them do not (two figures, or 20 + 20 lines).
    wide, wide_too = (figure_cell(2, width=1600, height=400) for _ in "12")  # 1228 x 307 px
    nb = new_notebook(cells=[
        new_markdown_cell("## Figures"), wide, wide_too, stream_cell(20),
        stream_cell(20), new_markdown_cell("### Next step"), stream_cell(2),
    ])
    assert sm.slide_types(nb) == ["slide", "-", "subslide", "subslide", "subslide", "subslide", "-"]
    # Independently of the estimates' constants: a figure alone fits the budget, two do not.
    assert sm.cell_height(wide) <= sm.BUDGET < 2 * sm.cell_height(wide)
    # A figure that fills the height leaves no room for a heading above it.
    nb = new_notebook(cells=[new_markdown_cell("## Figures"), figure_cell(2, 600, 600)])
    assert sm.slide_types(nb) == ["slide", "subslide"]


def test_a_figure_counts_without_its_code_and_at_the_slide_width():
    # The code is never on a slide: 2 lines or 20, the same height.
    assert sm.cell_height(figure_cell(2)) == sm.cell_height(figure_cell(20))
    # A 1000 x 400 figure is shown 1228 px wide, so 491 px high, not its own 400.
    assert sm.cell_height(figure_cell(2)) >= 491


def test_a_diagram_in_a_code_block_counts_at_the_code_size():
    diagram = "```\n  w  --( step 1 )-->  r\n  r  --( step 2 )-->  r²\n```"
    with_text = new_markdown_cell(f"Two steps:\n\n{diagram}\n\nthen more.")
    assert sm.cell_height(with_text) >= (
        sm.cell_height(new_markdown_cell("Two steps:\n\nthen more.")) + 2 * sm.CODE_LINE
    )
    # A heading inside the fence is code, not a new slide.
    fenced = new_markdown_cell("```\n## not a heading\n```")
    assert sm.cell_height(fenced) < sm.HEADING[2] + sm.MARKDOWN_CELL


def test_for_slides_drops_the_solution_markers_and_keeps_the_solution():
    exercise = new_code_cell(
        "def f(x):\n    \"\"\"Twice x.\"\"\"\n    ### BEGIN SOLUTION\n    return 2 * x\n"
        "    ### END SOLUTION",
        metadata={"tags": ["exercise"]},
    )
    nb = sm.for_slides(new_notebook(cells=[new_markdown_cell("## Try"), exercise]))
    assert nb.cells[1].source == 'def f(x):\n    """Twice x."""\n    return 2 * x\n'
    assert sm.current_type(nb.cells[1]) == "fragment"  # on a click, after the class has tried


def test_an_exercise_too_far_down_starts_a_subslide_instead_of_a_fragment():
    exercise = new_code_cell("def f():\n    pass", metadata={"tags": ["exercise"]})
    figure = figure_cell(2, width=1600, height=560)  # shown 1228 x 430 px
    nb = new_notebook(cells=[new_markdown_cell("### Exercise"), figure, exercise])
    assert sm.slide_types(nb) == ["slide", "-", "subslide"]


def test_a_markdown_cell_ending_with_a_colon_moves_on_with_the_next_cell():
    intro = new_markdown_cell("The plot:")
    nb = new_notebook(cells=[new_markdown_cell("## Plot"), stream_cell(5), intro, figure_cell(2)])
    assert sm.slide_types(nb) == ["slide", "-", "subslide", "-"]
    intro.source = "The plot."  # not introducing it: stays, and the figure moves on
    assert sm.slide_types(nb) == ["slide", "-", "-", "subslide"]


def test_the_height_estimate_grows_with_the_content():
    short, long = new_markdown_cell("word " * 20), new_markdown_cell("word " * 200)
    assert sm.cell_height(short) < sm.cell_height(long)
    assert sm.cell_height(stream_cell(2)) < sm.cell_height(stream_cell(10))
    assert sm.cell_height(new_markdown_cell("$$a = b$$")) > sm.cell_height(new_markdown_cell("a"))


def test_for_slides_splits_at_headings_and_shows_a_too_tall_figure_without_its_code():
    summary = new_markdown_cell(
        "## Summary\n\n- one\n\n```python\n# not a heading\n```\n\n## Exercises\n\n1. two"
    )
    figure = figure_cell(20)
    nb = sm.for_slides(new_notebook(cells=[new_markdown_cell("# Title"), summary, figure]))
    assert [c.source.split("\n")[0] for c in nb.cells] == ["# Title", "## Summary", "## Exercises",
                                                           figure.source.split("\n")[0]]
    assert "# not a heading" in nb.cells[1].source
    assert [sm.current_type(c) for c in nb.cells] == ["slide", "slide", "slide", "subslide"]
    assert nb.cells[3].metadata["transient"] == {"remove_source": True}
    assert nb.cells[3].outputs[0].metadata[sm.FIGURE_MIME] == {"width": 1228, "height": 491}


def test_a_markdown_cell_too_tall_for_a_slide_continues_on_the_next():
    paragraph = "word " * 100  # 4 lines of text on the slide
    hint = "<details><summary>Hint</summary>\n\nfirst\n\nsecond\n\n</details>"
    parts = ["# Title", *[paragraph] * 5, "**Objectives**", "- one\n- two", hint, paragraph]
    tall = new_markdown_cell("\n\n".join(parts))
    assert sm.cell_height(tall) > sm.BUDGET
    nb = sm.for_slides(new_notebook(cells=[tall]))
    assert [sm.current_type(c) for c in nb.cells] == ["slide"] + ["subslide"] * (len(nb.cells) - 1)
    assert len(nb.cells) >= 2 and all(sm.cell_height(c) <= sm.BUDGET for c in nb.cells)
    # Cut only between paragraphs: a label stays with its list, a hint stays whole, nothing lost.
    assert "\n\n".join(c.source for c in nb.cells) == tall.source
    assert not any(c.source.endswith("**Objectives**") for c in nb.cells)
    assert any(hint in c.source for c in nb.cells)


def test_set_then_check(tmp_path):
    path = tmp_path / "lesson.ipynb"
    nbformat.write(lesson(), path)
    assert sm.main(["--check", str(path)]) == 1
    assert sm.main([str(path)]) == 0
    assert sm.main(["--check", str(path)]) == 0
    written = path.read_bytes()
    assert sm.main([str(path)]) == 0  # nothing to change: the file keeps its bytes
    assert path.read_bytes() == written


def test_check_catches_a_cell_added_later(tmp_path):
    nb = sm.set_slide_types(lesson())
    nb.cells.append(new_markdown_cell("## A new section, no metadata yet"))
    assert sm.off_rule(nb) == ["cell 8: None, the rule says 'slide'"]


def sections(html):
    """How many <section>s open at each nesting depth: reveal.js slides, then their subslides."""
    depth, opened = 0, {}
    for tag in re.findall(r"<section\b|</section>", html):
        if tag == "</section>":
            depth -= 1
        else:
            opened[depth] = opened.get(depth, 0) + 1
            depth += 1
    return opened


def test_nbconvert_makes_the_slides_the_rule_says():
    body, _ = SlidesExporter().from_notebook_node(sm.set_slide_types(lesson()))
    # 3 slides across; below them 4 vertical (sub)slides: one per slide, plus "### Try it".
    assert sections(body) == {0: 3, 1: 4}
    assert body.count('class="fragment"') == 1


@pytest.mark.parametrize("path", LESSONS, ids=[p.name for p in LESSONS])
def test_no_deck_shows_a_solution_marker_or_an_edition_aside(path):
    nb = sm.for_slides(nbformat.read(path, as_version=4))
    found = [
        f"cell {i}: {m.group(0)!r}"
        for i, cell in enumerate(nb.cells)
        if sm.current_type(cell) != "skip"
        for m in NOT_ON_SLIDES.finditer(cell.source)
    ]
    assert not found, f"{path.name} would show on its slides: {found}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_course_notebook_follows_the_rule(path):
    problems = sm.off_rule(nbformat.read(path, as_version=nbformat.NO_CONVERT))
    fix = f"python scripts/slide_metadata.py {path.relative_to(ROOT)}"
    assert not problems, f"{len(problems)} cells off the rule, e.g. {problems[0]}; run: {fix}"


# ---------------------------------------------------------------------------------------------
# The built decks in Chromium (make browser)
# ---------------------------------------------------------------------------------------------

REVEAL = "vendor/reveal.js/dist/reveal.js"  # the module id the deck's require() loads it by
TIMEOUT = 20_000  # ms for reveal.js and MathJax to be ready
SCREEN = {"width": 1280, "height": 720}
# A figure is as large as the slide allows: at least 90 % of the slide's width, or, if its shape
# is taller than that leaves room for, at least 75 % of the slide's height (the rest is the
# cell's margins and two lines of text: slide_metadata.FIGURE_MAX_HEIGHT).
FIGURE_WIDTH, FIGURE_HEIGHT = 0.9 * SCREEN["width"], 0.75 * SCREEN["height"]
# The smallest text, in CSS px of the 1280x720 slide. Body text is 20 px and code 19 px. The
# "4-6-8" rule of AV design seats viewers who must read detail within 4 image heights; there an
# 18 px letter (1/40 of the height) spans 1/160 rad, 21 arcminutes, its capitals about 15: close
# to the 16 arcmin that ANSI/HFES 100 asks of a character's height. So nothing in the text may
# be smaller than 18 px. Math's superscripts and subscripts are set smaller by MathJax, as in
# print (TeX's script size, 70 %); a superscript of a superscript (50 %) is the least that may
# appear, 12 px: read with the formula around it, never alone.
MIN_TEXT_PX, MIN_MATH_PX = 18, 12

# The current (sub)slide: the box around everything shown on it, in screen pixels, and any part
# of it that scrolls (a code or output area wider or taller than its box).
MEASURE = """() => {
  const slide = Reveal.getCurrentSlide();
  const box = {top: Infinity, bottom: -Infinity, left: Infinity, right: -Infinity};
  const scrolls = [];
  for (const el of [slide, ...slide.querySelectorAll('*')]) {
    if (el.closest('.MJX_Assistive_MathML, aside.notes, script, style')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    box.top = Math.min(box.top, r.top); box.bottom = Math.max(box.bottom, r.bottom);
    box.left = Math.min(box.left, r.left); box.right = Math.max(box.right, r.right);
    const style = getComputedStyle(el);
    if (/auto|scroll/.test(style.overflowX + ' ' + style.overflowY)
        && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)) {
      scrolls.push(`${el.className}: ${el.scrollWidth}x${el.scrollHeight}`
                   + ` in ${el.clientWidth}x${el.clientHeight}`);
    }
  }
  const text = slide.textContent.replace(/\\s+/g, ' ').trim().slice(0, 50);
  return {...box, scrolls, text, scale: Reveal.getScale()};
}"""

# Markdown text on the current slide with rendered math, code and MathJax's own copies removed:
# any $ left is math MathJax did not render. Also: math sources still waiting to be typeset.
RAW_MATH = """() => {
  const slide = Reveal.getCurrentSlide();
  const pending = [...slide.querySelectorAll('script[type^="math/tex"]')]
    .filter(s => !document.getElementById(s.id + '-Frame')).length;
  const raw = [];
  for (const md of slide.querySelectorAll('.jp-RenderedMarkdown')) {
    const copy = md.cloneNode(true);
    copy.querySelectorAll('script, code, pre, .MathJax_CHTML, .MathJax_Preview,'
                          + ' .MJX_Assistive_MathML').forEach(el => el.remove());
    const found = copy.textContent.match(/[^\\s$]{0,20}\\$[^$]{0,30}/g);
    if (found) raw.push(...found);
  }
  return {pending, raw};
}"""


# The current (sub)slide's figures (their size in slide px) and its text's smallest font size,
# in the text and in math, with an example of each; fragments count as shown (the exercise's
# solution, on its click).
SIZES = """() => {
  const slide = Reveal.getCurrentSlide();
  const scale = Reveal.getScale();
  const figures = [...slide.querySelectorAll('.jp-RenderedImage img')].map(img => {
    const r = img.getBoundingClientRect();
    return {width: r.width / scale, height: r.height / scale};
  });
  const smallest = {text: [Infinity, ''], math: [Infinity, '']};
  const walker = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim()
        || el.closest('script, style, aside.notes, .MJX_Assistive_MathML, .MathJax_Preview')) {
      continue;
    }
    const range = document.createRange();
    range.selectNodeContents(node);
    const r = range.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;  // not shown (a closed hint, say)
    const size = parseFloat(getComputedStyle(el).fontSize);
    const kind = el.closest('.mjx-chtml') ? 'math' : 'text';
    if (size < smallest[kind][0]) smallest[kind] = [size, node.textContent.trim().slice(0, 30)];
  }
  return {figures, smallest};
}"""


@pytest.fixture(scope="session")
def decks(tmp_path_factory):
    """Every lesson's deck, built once as `make slides` builds it, into a temporary folder."""
    import build_slides

    if not (build_slides.NODE_MODULES / "reveal.js").exists():  # `make browser` has run npm ci
        subprocess.run(["npm", "ci", "--prefix", str(build_slides.SLIDES), "--no-audit",
                        "--no-fund"], check=True)  # fmt: skip
    return build_slides.build(tmp_path_factory.mktemp("slides"), LESSONS)


def open_deck(browser, deck):
    """The deck opened from disk at 1280x720, reveal.js running and MathJax done; and the list of
    requests that tried to leave the machine (aborted)."""
    page = browser.new_page(viewport=SCREEN)
    outside = keep_offline(page)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(deck.as_uri())
    page.wait_for_function(
        f"window.require && require.defined('{REVEAL}') && require('{REVEAL}').isReady()"
        " && window.MathJax && MathJax.isReady && MathJax.Hub.queue.pending === 0"
        " && !MathJax.Hub.queue.running",
        timeout=TIMEOUT,
    )
    page.evaluate(f"window.Reveal = require('{REVEAL}'); Reveal.configure({{transition: 'none'}})")
    return page, outside, errors


# Go to slide h.v, wait until its math is typeset (or until the time is up: the test then says
# what is left raw), let it paint, and measure it: one round trip per slide.
SHOW_AND_MEASURE = """async ([h, v, timeout]) => {
  Reveal.slide(h, v);
  const frame = () => new Promise(r => requestAnimationFrame(r));
  const typeset = () => { const m = (""" + RAW_MATH + """)();
    return m.pending === 0 && !m.raw.length
           && MathJax.Hub.queue.pending === 0 && !MathJax.Hub.queue.running; };
  const deadline = performance.now() + timeout;
  while (!typeset() && performance.now() < deadline) await frame();
  await frame(); await frame();
  return {at: Reveal.getIndices(), box: (""" + MEASURE + """)(), math: (""" + RAW_MATH + """)(),
          sizes: (""" + SIZES + """)()};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_slide_fits_the_screen_offline_with_its_math_rendered(browser, decks, lesson):
    deck = next(d for d in decks if d.name.startswith(lesson.stem + "."))
    page, outside, errors = open_deck(browser, deck)
    try:
        assert page.evaluate("Reveal.getConfig().width") == SCREEN["width"]
        slides = page.evaluate("Reveal.getSlides().map(s => Reveal.getIndices(s))")
        problems = []
        for index in slides:
            h, v = index["h"], index.get("v") or 0
            shown = page.evaluate(SHOW_AND_MEASURE, [h, v, TIMEOUT // 4])
            at, m, math, sizes = shown["at"], shown["box"], shown["math"], shown["sizes"]
            assert (at["h"], at.get("v") or 0) == (h, v)
            where = f"slide {h}.{v} (#/{h}/{v}, {m['text']!r})"
            height = (m["bottom"] - m["top"]) / m["scale"]
            if m["top"] < 0 or m["bottom"] > SCREEN["height"]:
                problems.append(f"{where}: {height:.0f} px of content, taller than the screen")
            if m["left"] < 0 or m["right"] > SCREEN["width"]:
                span = f"{m['left']:.0f}..{m['right']:.0f}"
                problems.append(f"{where}: wider than the screen ({span} px)")
            problems += [f"{where}: scrolls: {s}" for s in m["scrolls"]]
            if math["raw"] or math["pending"]:
                problems.append(f"{where}: math not rendered: {math}")
            for figure in sizes["figures"]:
                if figure["width"] < FIGURE_WIDTH and figure["height"] < FIGURE_HEIGHT:
                    problems.append(f"{where}: a figure {figure['width']:.0f} x "
                                    f"{figure['height']:.0f} px, smaller than the slide allows")
            for kind, least in (("text", MIN_TEXT_PX), ("math", MIN_MATH_PX)):
                size, example = sizes["smallest"][kind]
                if size < least:
                    problems.append(f"{where}: {kind} at {size:.1f} px, under {least} px: "
                                    f"{example!r}")
        if os.environ.get("SLIDE_SHOTS"):  # e.g. SLIDE_SHOTS=1: the last slide, to look at
            (ROOT / "tests" / "artifacts").mkdir(exist_ok=True)
            page.screenshot(path=str(ROOT / "tests" / "artifacts" / f"{lesson.stem}-slides.png"))
        shown = page.evaluate("document.querySelector('.reveal .slides').innerText")
        problems += [f"on a slide: {m.group(0)!r}" for m in NOT_ON_SLIDES.finditer(shown)]
        problems += [f"request leaving the machine: {url}" for url in outside]
        problems += [f"error in the page: {error}" for error in errors]
        assert len(slides) >= 5, f"only {len(slides)} slides"
        assert not problems, f"{deck.name} does not present ({len(problems)}):\n" + "\n".join(
            problems
        )
    finally:
        page.close()
