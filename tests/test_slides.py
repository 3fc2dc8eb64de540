"""Slide metadata: the rule, the --check, and that nbconvert turns it into a reveal.js deck."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import nbformat
import pytest
from nbconvert import SlidesExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _load_script():
    path = ROOT / "scripts" / "slide_metadata.py"
    spec = importlib.util.spec_from_file_location("slide_metadata", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sm = _load_script()


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
    nb = lesson()
    types = [sm.slide_type(cell, i) for i, cell in enumerate(nb.cells)]
    assert types == ["slide", "-", "slide", "subslide", "fragment", "-", "-", "slide"]


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
