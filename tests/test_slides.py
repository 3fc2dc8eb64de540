"""Slides: the slide rule, its --check, nbconvert's deck, and the built decks in Chromium.

The browser tests (marker ``browser``, run by ``make browser``) build every course notebook's
deck once with scripts/build_slides.py into a temporary folder, open each from disk (file://) in
headless Chromium at 1280x720, and fail on: any request that leaves the machine, reveal.js not
running, math left as raw $...$ text, and any slide or subslide whose content reaches outside the
1280x720 screen or scrolls. The failure lists every such slide, as "h.v" (the deck's #/h/v).
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
from nbconvert import SlidesExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# The decks: the numbered lessons (demo.ipynb is the Voila dashboard, a widget and nothing else).
LESSONS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))


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


def test_a_widget_cell_is_skipped_and_its_static_copy_shown():
    widget = new_code_cell("ex = nc.step_explorer(x, y)", metadata={"tags": [sm.WIDGET_TAG]})
    widget.outputs = [new_output("display_data", data={
        sm.WIDGET_MIME: {"model_id": "abc", "version_major": 2, "version_minor": 0},
        "text/plain": "VBox(children=(HBox(children=(IntSlider(value=0",
    })]
    nb = new_notebook(cells=[new_markdown_cell("## Explore"), widget, figure_cell(1)])
    assert sm.slide_types(nb) == ["slide", "skip", "-"]
    widget.outputs = []  # not run yet: the tag says it
    assert sm.slide_types(nb) == ["slide", "skip", "-"]
    widget.metadata["tags"] = []
    assert sm.slide_types(nb) == ["slide", "-", "-"]


def test_what_does_not_fit_goes_on_a_new_subslide():
    # Each cell alone fits one slide; any two of them do not (two figures, or 20 + 20 lines).
    nb = new_notebook(cells=[
        new_markdown_cell("## Figures"), figure_cell(2), figure_cell(2), stream_cell(20),
        stream_cell(20), new_markdown_cell("### Next step"), stream_cell(2),
    ])
    assert sm.slide_types(nb) == ["slide", "-", "subslide", "subslide", "subslide", "subslide", "-"]
    # Independently of the estimates' constants: a figure alone fits the budget, two do not.
    assert sm.cell_height(figure_cell(2)) <= sm.BUDGET < 2 * sm.cell_height(figure_cell(2))


def test_an_exercise_too_far_down_starts_a_subslide_instead_of_a_fragment():
    exercise = new_code_cell("def f():\n    pass", metadata={"tags": ["exercise"]})
    nb = new_notebook(cells=[new_markdown_cell("### Exercise"), figure_cell(2), exercise])
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
    tall = figure_cell(20)
    nb = sm.for_slides(new_notebook(cells=[new_markdown_cell("# Title"), summary, tall]))
    assert [c.source.split("\n")[0] for c in nb.cells] == ["# Title", "## Summary", "## Exercises",
                                                           tall.source.split("\n")[0]]
    assert "# not a heading" in nb.cells[1].source
    assert [sm.current_type(c) for c in nb.cells] == ["slide", "slide", "slide", "-"]
    assert nb.cells[3].metadata["transient"] == {"remove_source": True}
    assert sm.cell_height(nb.cells[3]) <= sm.BUDGET < sm.cell_height(tall)


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
    outside = []

    def route(route):
        if route.request.url.startswith(("file://", "data:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", route)
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


def show(page, h, v):
    """Go to slide h.v and wait until its math is typeset (or TIMEOUT: then the test says so)."""
    page.evaluate(f"Reveal.slide({h}, {v})")
    try:
        page.wait_for_function(
            "(() => { const m = (" + RAW_MATH + ")(); return m.pending === 0 && !m.raw.length })()"
            " && MathJax.Hub.queue.pending === 0 && !MathJax.Hub.queue.running",
            timeout=TIMEOUT // 4,
        )
    except Exception:  # noqa: BLE001 - measured and reported below, slide by slide
        pass
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


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
            show(page, h, v)
            at = page.evaluate("Reveal.getIndices()")
            assert (at["h"], at.get("v") or 0) == (h, v)
            m = page.evaluate(MEASURE)
            math = page.evaluate(RAW_MATH)
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
        if os.environ.get("SLIDE_SHOTS"):  # e.g. SLIDE_SHOTS=1: the last slide, to look at
            (ROOT / "tests" / "artifacts").mkdir(exist_ok=True)
            page.screenshot(path=str(ROOT / "tests" / "artifacts" / f"{lesson.stem}-slides.png"))
        problems += [f"request leaving the machine: {url}" for url in outside]
        problems += [f"error in the page: {error}" for error in errors]
        assert len(slides) >= 5, f"only {len(slides)} slides"
        assert not problems, f"{deck.name} does not present ({len(problems)}):\n" + "\n".join(
            problems
        )
    finally:
        page.close()
