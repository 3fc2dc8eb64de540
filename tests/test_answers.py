"""`make answers`: the answer key built from the instructor edition.

On a small notebook made here: each exercise shows its statement without hints, its worked
solution without markers, and the check with what it printed; a check that never ran stops the
build. On the course: every exercise of instructor/ is in the key, and the page loads nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import answers
import nbformat
import printable
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "instructor").glob("[0-9]*.ipynb"))


def lesson(printed="✔ twice is right on all 3 cases\n"):
    check = new_code_cell("ok = nc.check_twice(twice)", metadata={"tags": ["check"]})
    if printed:
        check.outputs = [new_output("stream", name="stdout", text=printed)]
    return new_notebook(cells=[
        new_markdown_cell("# 09 · Doubling"),
        new_markdown_cell("Some text before the exercise."),
        new_markdown_cell("### Exercise 1: twice\n\nWrite `twice(x)` for $x$ a number."),
        new_markdown_cell("**Expected:** `twice(2)` is `4`.\n\n<details><summary>Hint 1</summary>"
                          "\n\nMultiply.\n\n</details>"),
        new_code_cell('def twice(x):\n    """Twice x."""\n    ### BEGIN SOLUTION\n'
                      "    return 2 * x\n    ### END SOLUTION", metadata={"tags": ["exercise"]}),
        check,
    ])  # fmt: skip


def build(tmp_path, nb) -> str:
    path = tmp_path / "09_doubling.ipynb"
    nbformat.write(nb, path)
    return answers.build(tmp_path / "out" / "answers.html", [path]).read_text(encoding="utf-8")


def test_an_exercise_with_its_statement_solution_and_result(tmp_path):
    page = build(tmp_path, lesson())
    (section,) = re.findall(r"<section.*?</section>", page, re.DOTALL)
    assert "<h2>09 · Doubling: Exercise 1: twice</h2>" in section
    assert 'Write <code>twice(x)</code> for <span class="math"><i>x</i></span> a number' in section
    assert "<strong>Expected:</strong> <code>twice(2)</code> is <code>4</code>" in section
    assert "Some text before" not in section  # before the exercise's heading
    assert "Hint" not in section and "Multiply" not in section  # the hints stay in the notebook
    solution = '<pre><code>def twice(x):\n    &quot;&quot;&quot;Twice x.&quot;&quot;&quot;\n'
    assert solution + "    return 2 * x</code></pre>" in section
    assert "SOLUTION" not in page
    assert "ok = nc.check_twice(twice)\n✔ twice is right on all 3 cases</code>" in section


def test_a_check_that_never_ran_stops_the_build_by_name(tmp_path):
    with pytest.raises(SystemExit, match=r"09_doubling.ipynb: the check cell 5 has no output"):
        build(tmp_path, lesson(printed=None))


def test_an_exercise_without_its_check_stops_the_build(tmp_path):
    nb = lesson()
    nb.cells.pop()
    with pytest.raises(SystemExit, match=r"the exercise in cell 4 has no check cell after it"):
        build(tmp_path, nb)


@pytest.fixture(scope="module")
def course_key(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("answers") / "answers.html"
    return answers.build(out, LESSONS).read_text(encoding="utf-8")


def test_every_exercise_of_the_course_is_in_the_key(course_key):
    functions = []
    for path in LESSONS:
        for cell in nbformat.read(path, as_version=4).cells:
            if "exercise" in cell.metadata.get("tags", []):
                functions += re.findall(r"^def (\w+)\(", cell.source, re.MULTILINE)[:1]
    sections = re.findall(r"<section.*?</section>", course_key, re.DOTALL)
    assert len(sections) == len(functions) >= 10
    for function, section in zip(functions, sections, strict=True):
        assert f"def {function}(" in section and "nc.check_" in section, function


def test_the_key_is_plain_printable_html(course_key):
    assert not printable.fetches(course_key), printable.fetches(course_key)
    text = re.sub(r"<pre>.*?</pre>|<code>.*?</code>", "", course_key, flags=re.DOTALL)
    assert "$" not in text and "\\" not in text  # math as HTML, not TeX for a missing MathJax
    assert "BEGIN SOLUTION" not in course_key and "<details" not in course_key
