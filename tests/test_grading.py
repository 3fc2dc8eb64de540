"""Grading with nbgrader: the tags become nbgrader metadata with hidden tests, and autograding
gives the scores an instructor expects, whatever a learner's answer cell does.

The metadata tests need no nbgrader. The autograding tests run nbgrader 0.9 from its own
environment, .venv-grader (``make assignment`` creates it). They build the course folder from
instructor/ (scripts/editions.py), then autograde these submissions, in two nbgrader runs side
by side:

* blank: the release as it is: 0 everywhere;
* correct: the course's own solutions: full marks;
* mistakes: each exercise answered with a typical mistake: 0 on each, with the checker's hint;
* gaming: each exercise answered with a trick (environment, a replaced checker, patched
  internals, overwritten data, the library's own function, a copied output): 0 on each;
* unruly: in 02-04, one answer loops forever, one calls sys.exit(), one raises
  KeyboardInterrupt, the others are right: those three 0, the others keep their points;
* deleted: 01 right, with a check cell deleted: the log says so and the answer is still graded.

To stay fast, a submission keeps the notebook's text, its first code cell (imports and data) and
its exercise and check cells; the other code cells (figures, explorers, demonstrations) are
left out. The hidden tests use their own copy of the data, so they grade the same either way;
nbval runs every cell of both editions.
"""

from __future__ import annotations

import ast
import csv
import html as htmllib
import json
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import editions as ed
import nbformat
import pytest
from labharness import ARTIFACTS, keep_offline
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
GRADER_PYTHON = ROOT / ".venv-grader" / "bin" / "python"
HAS_GRADING = (ROOT / "neuron_grading.py").exists()
NO_GRADING = "neuron_grading.py (hidden tests, time limit) has not landed: the tests use a stand-in"

# A typical mistake for each checker, as the body of the learner's function; {0}, {1}... are the
# function's parameters. A new checker needs one here (test_every_exercise_has_its_cases).
MISTAKES = {
    "check_unscale": "return {0} * 100, {1}",  # multiplied instead of divided
    "check_predict_fahrenheit": "return {1} * {0} + {2}",  # the raw reading, not scaled
    "check_forward": "return {1} * {0}",  # the bias forgotten
    "check_mse": "return sum(({0} - {1}) ** 2)",  # the sum, not the mean
    "check_best_bias": "return sum({1}) / len({1})",  # mean(y): right for centred x only
    "check_nudge_b": ("return (nc.mse(nc.forward({0}, {2} + {4}, {3}), {1})"
                      " - nc.mse(nc.forward({0}, {2}, {3}), {1})) / {4}"),  # nudged w, not b
    "check_gradients": ("r = {1} - ({2} * {0} + {3})\n"
                        "return 2 * (r * {0}).mean(), 2 * r.mean()"),  # y - y_hat: signs flipped
    "check_rmse_gradients": "return nc.gradients({0}, {1}, {2}, {3})",  # the MSE's slopes
    "check_step": "return {0} + {4} * {2}, {1} + {4} * {3}",  # uphill
    "check_threshold": "return 1.0",  # b's limit only
    "check_balanced_scale": "return (({0}) ** 2).mean()",  # the square root forgotten
    "check_settings": "return 0.5, 100",  # too slow: w is not there after 100 epochs
}

# A trick for each checker: (lines before the function in the answer cell, the function's body).
# Every one would have passed the visible check or the old grading; none may score.
GAMES = {
    # the library's own function for the exercise
    "check_unscale": ("", "return nc.unscale_params({0}, {1})"),
    "check_forward": ("", "return nc.forward({0}, {1}, {2})"),
    "check_gradients": ("", "return nc.gradients({0}, {1}, {2}, {3})"),
    "check_step": ("", "return nc.step({0}, {1}, {2}, {3}, {4})"),
    "check_threshold": ("", "return nc.lr_threshold({0})"),
    # the grader's environment variable removed
    "check_predict_fahrenheit": ("import os\n\nos.environ.pop('NBGRADER_EXECUTION', None)",
                                 "return 0.0"),
    # the checker replaced, the checking internals patched
    "check_mse": ("nc.check_mse = lambda fn: True", "return 0.0"),
    "check_nudge_b": ("import neuron_checks\n\nneuron_checks._matches = lambda *a: True",
                      "return 0.0"),
    # the notebook's data overwritten: on x = +-1, y = 180 x + 32 one step of lr 0.5 lands
    "check_settings": ("x = np.array([-1.0, 1.0])\ny = 180 * x + 32", "return 0.5, 1"),
    # an output or an "Expected:" value copied
    "check_best_bias": ("", "return 32.0"),
    "check_rmse_gradients": ("", "return (-0.140028, -0.840168)"),
    "check_balanced_scale": ("", "return 25.8199"),
}

# Answers that would hang or stop the kernel, each in its own notebook (the rest right).
UNRULY = {
    "check_forward": "while True:\n    pass",
    "check_gradients": "import sys\n\nsys.exit()",
    "check_step": "raise KeyboardInterrupt",
}
DELETED = ("01_data.ipynb", "check_predict_fahrenheit")
# Verdicts that say what to change in the verdict line itself, with no separate "Hint:".
VERDICT_IS_THE_HINT = {"choose_settings"}


SOURCE = ed.INSTRUCTOR


def lessons():
    return sorted(SOURCE.glob("[0-9]*.ipynb"))


def read(path):
    return nbformat.read(path, as_version=nbformat.NO_CONVERT)


# ---------------------------------------------------------------------------------------------
# Tags to nbgrader metadata and hidden tests (no nbgrader needed)
# ---------------------------------------------------------------------------------------------


def lesson():
    def tagged(source, tag):
        return new_code_cell(source, metadata={"tags": [tag]})

    return new_notebook(cells=[
        new_markdown_cell("# Lesson"),
        new_code_cell("import neuron_core as nc"),
        tagged("def my_forward(x, w, b):\n    ### BEGIN SOLUTION\n    return w * x + b\n"
               "    ### END SOLUTION", "exercise"),
        tagged("ok = nc.check_forward(my_forward)", "check"),
        tagged("def choose_settings():\n    ### BEGIN SOLUTION\n    return 0.9, 100\n"
               "    ### END SOLUTION", "exercise"),
        tagged("ok = nc.check_settings(choose_settings, x, y)", "check"),
    ])


def hidden(check, function):
    return f"assert grade({check!r}, {function})"


def test_tags_become_nbgrader_metadata_and_hidden_tests():
    graded = ed.nbgrader_notebook(lesson(), hidden)
    meta = [cell.metadata.get("nbgrader") for cell in graded.cells]
    assert meta[0] is None and meta[1] is None  # other cells are left alone
    assert meta[2] == {"grade": False, "grade_id": "my_forward", "locked": False,
                       "schema_version": 3, "solution": True, "task": False}
    assert meta[3] == {"grade": True, "grade_id": "check_my_forward", "locked": True,
                       "points": 1, "schema_version": 3, "solution": False, "task": False}
    assert meta[5]["grade_id"] == "check_choose_settings"
    assert graded.cells[3].source == ("ok = nc.check_forward(my_forward)\n"
                                      "### BEGIN HIDDEN TESTS\n"
                                      "assert grade('check_forward', my_forward)\n"
                                      "### END HIDDEN TESTS")
    assert graded.cells[5].source.splitlines()[2] == (
        "assert grade('check_settings', choose_settings)")
    # the same ids however the cells move: they come from the function names
    moved = lesson()
    moved.cells.insert(2, new_markdown_cell("More text"))
    assert [c.metadata["nbgrader"]["grade_id"] for c in ed.nbgrader_notebook(moved, hidden).cells
            if "nbgrader" in c.metadata] == [
        "my_forward", "check_my_forward", "choose_settings", "check_choose_settings"]


def test_the_tags_decide_not_stale_metadata():
    nb = lesson()
    nb.cells[1].metadata["nbgrader"] = {"grade": True, "grade_id": "stale", "points": 5}
    assert "nbgrader" not in ed.nbgrader_notebook(nb, hidden).cells[1].metadata


def test_the_config_uses_the_learner_editions_stub_and_markers():
    # The rest of the config is tested by what nbgrader does with it, below.
    assert f'c.ClearSolutions.code_stub = {{"python": {ed.CODE_STUB!r}}}' in ed.CONFIG
    assert f"c.ClearSolutions.begin_solution_delimeter = {ed.BEGIN_MARKER!r}" in ed.CONFIG
    assert f"c.ClearSolutions.end_solution_delimeter = {ed.END_MARKER!r}" in ed.CONFIG


# ---------------------------------------------------------------------------------------------
# Submissions
# ---------------------------------------------------------------------------------------------


def exercises(nb):
    """[(checker, function name, parameters)] for each exercise cell of nb, in order."""
    checks = {}
    for cell in nb.cells:
        if ed.is_check(cell):
            checker, function = ed.check_call(cell)
            checks[function] = checker
    found = []
    for cell in ed.exercise_cells(nb):
        function = next(node for node in ast.parse(cell.source).body
                        if isinstance(node, ast.FunctionDef))
        found.append((checks[function.name], function.name,
                      [arg.arg for arg in function.args.args]))
    return found


@pytest.mark.parametrize("path", lessons(), ids=lambda p: p.name)
def test_every_exercise_has_its_cases(path):
    for checker, _, _ in exercises(read(path)):
        assert checker in MISTAKES, f"add a typical mistake for {checker} to MISTAKES"
        assert checker in GAMES, f"add a trick for {checker} to GAMES"


def answer_cell(stubbed: str, body: str, prelude: str = "") -> str:
    """The release's exercise cell with its stub replaced by body (and prelude lines above)."""
    lines = stubbed.split("\n")
    (at,) = ed.stub_positions(stubbed)
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    size = len(ed.CODE_STUB.split("\n"))
    lines[at : at + size] = [indent + line if line else "" for line in body.split("\n")]
    return (prelude + "\n\n\n" if prelude else "") + "\n".join(lines)


def submission(release_nb, instructor_nb, answers):
    """The release notebook answered: ``answers(checker, params, solution)`` gives the cell
    (None keeps the stub); trimmed to the text, the first code cell and the graded cells."""
    nb = nbformat.reads(nbformat.writes(release_nb), as_version=nbformat.NO_CONVERT)
    cells = [cell for cell in nb.cells if cell.cell_type == "code"
             and "nbgrader" in cell.metadata and cell.metadata["nbgrader"]["solution"]]
    for cell, source, (checker, _, params) in zip(
            cells, ed.exercise_cells(instructor_nb), exercises(instructor_nb), strict=True):
        written = answers(checker, params, ed.without_markers(source.source), cell.source)
        if written is not None:
            cell.source = written
    first = next(cell for cell in nb.cells if cell.cell_type == "code")
    nb.cells = [cell for cell in nb.cells if cell.cell_type != "code" or cell is first
                or "nbgrader" in cell.metadata]
    return nb


def answers_for(student):
    def answer(checker, params, solution, stubbed):
        if student in ("correct", "deleted") or (student == "unruly" and checker not in UNRULY):
            return solution
        if student == "mistakes":
            return answer_cell(stubbed, MISTAKES[checker].format(*params))
        if student == "gaming":
            prelude, body = GAMES[checker]
            return answer_cell(stubbed, body.format(*params), prelude)
        if student == "unruly":
            return answer_cell(stubbed, UNRULY[checker])
        return None  # blank

    return answer


def submitted_notebooks(student):
    """The lessons a student hands in."""
    names = [path.name for path in lessons()]
    if student == "unruly":
        return names[1:4]  # 02, 03, 04: one unruly answer each
    if student == "deleted":
        return [DELETED[0]]
    return names


# Two nbgrader runs side by side (two cores), each in its own copy of the course folder.
GROUPS = (("blank", "correct", "unruly"), ("mistakes", "gaming", "deleted"))

BUILD = """
import sys
sys.path.insert(0, {scripts!r})
import editions as ed
from pathlib import Path
hidden = ed._hidden_tests if {real} else (lambda check, function: "assert ok")
ed.write_source(Path({source!r}), Path({course!r}), hidden_tests=hidden)
ed.generate_release(Path({course!r}))
"""


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(GRADER_PYTHON.parent), env.get("PATH", "")])
    return subprocess.run([GRADER_PYTHON, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, check=False, timeout=600)


@pytest.fixture(scope="module")
def grading(tmp_path_factory):
    """Build the course, autograde every submission, export, generate the mistakes' feedback."""
    if not GRADER_PYTHON.exists():
        message = ".venv-grader is missing: `make assignment` creates it"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    base = tmp_path_factory.mktemp("grading")
    course, source = base / "course", base / "instructor"
    shutil.copytree(SOURCE, source)  # what was built, whatever happens to instructor/ meanwhile
    code = BUILD.format(scripts=str(ROOT / "scripts"), course=str(course), real=HAS_GRADING,
                        source=str(source))
    # The formula cases in the same Python: nbgrader's import costs seconds, once is enough.
    code += FORMULA_CASES.format(scripts=str(ROOT / "scripts"), bad=BAD_FORMULAS,
                                 markdown=FORMULA_MARKDOWN, tmp=str(base / "formulas"))
    built = subprocess.run([GRADER_PYTHON, "-c", code], capture_output=True, text=True,
                           check=False)
    assert built.returncode == 0, built.stderr
    formulas = json.loads(built.stdout.splitlines()[-1])
    release = course / "release" / ed.ASSIGNMENT

    def hand_in(group):
        folder = base / "-".join(group)
        shutil.copytree(course, folder)
        for student in group:
            if student == "unruly" and not HAS_GRADING:
                continue  # without the checkers' time limit it would hang for the cell timeout
            handed_in = folder / "submitted" / student / ed.ASSIGNMENT
            handed_in.mkdir(parents=True)
            for name in submitted_notebooks(student):
                nb = submission(read(release / name), read(source / name),
                                answers_for(student))
                if student == "deleted":
                    nb.cells = [c for c in nb.cells
                                if c.metadata.get("nbgrader", {}).get("grade_id") != DELETED[1]]
                nbformat.write(nb, handed_in / name)
        return folder

    def grade(group, folder):
        run = nbgrader(folder, "autograde", ed.ASSIGNMENT, "--force")
        assert run.returncode == 0, run.stdout + run.stderr
        exported = nbgrader(folder, "export", "--to", "grades.csv")
        assert exported.returncode == 0, exported.stdout + exported.stderr
        with open(folder / "grades.csv", newline="") as file:
            table = list(csv.DictReader(file))
        if "mistakes" in group:
            fed = nbgrader(folder, "generate_feedback", ed.ASSIGNMENT, "--student", "mistakes",
                           "--force")
            assert fed.returncode == 0, fed.stdout + fed.stderr
        return folder, run.stdout + run.stderr, table

    # The submissions are written here, one group after the other: they parse the answers with
    # ast, whose parser is not thread-safe in CPython 3.11.7 ("SystemError: AST constructor
    # recursion depth mismatch" in a clean clone's run). Only nbgrader's runs go side by side.
    folders = [hand_in(group) for group in GROUPS]
    with ThreadPoolExecutor(len(GROUPS)) as pool:
        results = list(pool.map(grade, GROUPS, folders))
    found = {"release": release, "source": source, "formulas": formulas,
             "formulas_dir": base / "formulas", "folders": {}, "logs": {}, "rows": {},
             "header": None}
    for group, (folder, log, table) in zip(GROUPS, results, strict=True):
        for student in group:
            found["folders"][student] = folder
            found["logs"][student] = log
        for row in table:
            found["rows"][row["student_id"]] = row
        found["header"] = list(table[0]) if table else None
    return found


def all_exercises():
    return [(path.name, checker, function) for path in lessons()
            for checker, function, _ in exercises(read(path))]


def scores(grading, student):
    """{function: points} from the per-exercise export."""
    row = grading["rows"][student]
    return {function: float(row[function]) for _, _, function in all_exercises()}


def autograded(grading, student, name):
    folder = grading["folders"][student]
    return read(folder / "autograded" / student / ed.ASSIGNMENT / name)


def check_outputs(nb):
    """{function: (printed text, error names)} of each check cell of an autograded notebook."""
    found = {}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id.startswith("check_"):
            text = "".join(out.get("text", "") for out in cell.outputs)
            errors = [out.ename for out in cell.outputs if out.output_type == "error"]
            found[grade_id.removeprefix("check_")] = (text, errors)
    return found


# ---------------------------------------------------------------------------------------------
# The release and the export
# ---------------------------------------------------------------------------------------------


def test_the_release_is_the_learner_edition_without_its_solution_cells(grading):
    editions = ed.learner_editions(grading["source"])
    for path in lessons():
        release = read(grading["release"] / path.name)
        learner = [cell for cell in editions[path.name].cells if not ed.is_solution_cell(cell)]
        assert [(c.id, c.cell_type, c.source) for c in release.cells] == [
            (c.id, c.cell_type, c.source) for c in learner], path.name
        assert "HIDDEN TESTS" not in nbformat.writes(release)
        assert "widgets" not in release.metadata


def test_the_export_has_one_column_per_exercise_in_course_order(grading):
    functions = [function for _, _, function in all_exercises()]
    assert len(functions) == len(set(functions)) >= 10
    assert grading["header"] == ["student_id", "assignment", *functions, "score", "max_score"]
    for student in ("blank", "correct", "mistakes", "gaming"):
        row = grading["rows"][student]
        assert float(row["max_score"]) == len(functions) * ed.POINTS
        assert float(row["score"]) == sum(scores(grading, student).values()), student


# ---------------------------------------------------------------------------------------------
# Honest work
# ---------------------------------------------------------------------------------------------


def test_a_blank_submission_scores_zero(grading):
    assert scores(grading, "blank") == dict.fromkeys(scores(grading, "blank"), 0.0)


def test_the_correct_solutions_score_full_marks(grading):
    assert scores(grading, "correct") == dict.fromkeys(scores(grading, "correct"), ed.POINTS)


def test_typical_mistakes_score_zero_with_the_checkers_hint(grading):
    assert scores(grading, "mistakes") == dict.fromkeys(scores(grading, "mistakes"), 0.0)
    # Each check cell failed because its checker said ✘ with a hint, not because the mistake
    # crashed: the visible verdict is printed and the hidden test's assertion carries it.
    for path in lessons():
        for function, (text, errors) in check_outputs(
                autograded(grading, "mistakes", path.name)).items():
            assert text.startswith("✘"), (path.name, function, text)
            assert "Hint:" in text or function in VERDICT_IS_THE_HINT, (path.name, function)
            assert errors == ["AssertionError"], (path.name, function)


def test_feedback_shows_the_verdict_and_hint_without_a_library_traceback_or_the_network(grading):
    folder = grading["folders"]["mistakes"] / "feedback" / "mistakes" / ed.ASSIGNMENT
    for path in lessons():
        html = (folder / path.name.replace(".ipynb", ".html")).read_text()
        assert "Hint:" in html and "✘" in html, path.name
        # no hidden-test lines, no traceback: the verdict is the error's whole message
        assert "HIDDEN TESTS" not in html and "most recent call last" not in html, path.name
        assert "neuron_checks.py" not in html and "neuron_grading.py" not in html, path.name
        sources = [src for src in _script_sources(html)]
        assert not [src for src in sources if src.startswith(("http:", "https:", "//"))], (
            path.name, sources)


def _script_sources(html: str) -> list[str]:
    return re.findall(r"<script[^>]*\bsrc\s*=\s*[\"']([^\"']*)", html, re.IGNORECASE)


# ---------------------------------------------------------------------------------------------
# Feedback math: MathML written with the page, nothing loaded
# ---------------------------------------------------------------------------------------------


def feedback_page(grading, path: Path) -> Path:
    folder = grading["folders"]["mistakes"] / "feedback" / "mistakes" / ed.ASSIGNMENT
    return folder / path.name.replace(".ipynb", ".html")


def formulas_in(nb) -> list[str]:
    """The $...$ and $$...$$ of nb's markdown cells, code spans and fences left out: a plain scan
    of the source, not the markdown parser the page is written with."""
    found = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            prose = re.sub(r"```.*?```|`[^`\n]*`", "", cell.source, flags=re.S)
            found += re.findall(r"\$\$.+?\$\$|\$.+?\$", prose, flags=re.S)
    return found


def prose_text(html: str) -> str:
    """The page's text outside code, outputs, styles and formulas."""
    body = html[html.index("<body"):]
    body = re.sub(r"<(script|style|pre|code|math)\b.*?</\1>", " ", body, flags=re.S)
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", body))


def test_feedback_writes_every_formula_as_mathml_and_loads_nothing(grading):
    for path in lessons():
        html = feedback_page(grading, path).read_text()
        formulas = formulas_in(read(grading["release"] / path.name))
        assert len(formulas) > 10, path.name  # every lesson has formulas to show
        # One <math> per formula, and no TeX left for a script that is not there.
        assert html.count("<math ") == len(formulas), path.name
        assert "$" not in prose_text(html), path.name
        assert "\\frac" not in html and "\\text{" not in html, path.name
        assert "<mfrac>" in html or not any("\\frac" in f for f in formulas), path.name
        # Nothing from the network: no script, stylesheet, image, font or import by URL. Links
        # in the text (<a href>) are the learner's to follow.
        loads = re.findall(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"']([^\"']*)",
                           html, re.IGNORECASE)
        loads += re.findall(r"url\(\s*[\"']?([^)\"']*)|@import\s+[\"']([^\"']*)", html)
        loads = [u if isinstance(u, str) else "".join(u) for u in loads]
        assert not [u for u in loads if re.match(r"(https?:)?//", u.strip())], path.name
        assert "<script" not in html, path.name  # the math needs no JavaScript at all


# Run in .venv-grader (nbgrader_plugins needs nbgrader and latex2mathml), after BUILD in the
# grading fixture's Python: what a bad formula does to the build, and that code spans keep
# their dollars. Its last line of output is the JSON of what it found.
FORMULA_CASES = """
import json, sys
from pathlib import Path
sys.path.insert(0, {scripts!r})
import editions as ed
import nbformat
import nbgrader_plugins as plugins
from nbconvert.filters.markdown_mistune import MarkdownWithMath
from nbformat.v4 import new_markdown_cell, new_notebook

found = {{"refused": {{}}}}
for tex in {bad!r}:
    try:
        plugins.formula_to_mathml(tex)
        found["refused"][tex] = None
    except plugins.FormulaError as error:
        found["refused"][tex] = str(error)
found["html"] = MarkdownWithMath(renderer=plugins.MathMLRenderer(escape=False)).render(
    {markdown!r})
src = Path({tmp!r}) / "instructor"
src.mkdir(parents=True)
nbformat.write(new_notebook(cells=[new_markdown_cell(r"Fine: $w$. Broken: $\\frac{{a}}$.")]),
               src / "01_bad.ipynb")
try:
    ed.write_source(src, Path({tmp!r}) / "course", hidden_tests=lambda *a: "")
    found["build"] = None
except ed.EditionError as error:
    found["build"] = str(error)
print(json.dumps(found))
"""
BAD_FORMULAS = [r"\frac{a}", "x^", "{a", r"\begin{foo}x\end{foo}", r"\unknowncmd", r"\left( x"]


FORMULA_MARKDOWN = ("Math $\\hat y = w\\,x + b$, then `$HOME` and `$x$` in code,\n\n"
                    "```\necho $a$\n```\n\n$$L = \\frac{1}{n}\\sum_i r_i^2$$\n")


def test_a_formula_latex2mathml_cannot_convert_fails_the_build(grading):
    found, tmp_path = grading["formulas"], grading["formulas_dir"]
    assert all(found["refused"].values()), found["refused"]  # each one, with a reason
    assert found["build"] and "01_bad.ipynb" in found["build"], found["build"]
    assert "\\frac{a}" in found["build"], found["build"]
    assert not (tmp_path / "course" / "source").exists()  # refused before writing anything
    html = found["html"]
    assert html.count("<math ") == 2 and '<math display="block">' in html
    assert "<code>$HOME</code>" in html and "<code>$x$</code>" in html and "echo $a$" in html


@pytest.mark.browser
def test_feedback_math_is_laid_out_by_chromium_offline(grading, browser):
    page_path = feedback_page(grading, lessons()[2])  # 03: fractions, sums, a matrix
    context = browser.new_context(viewport={"width": 1000, "height": 760})
    outside = keep_offline(context)
    try:
        page = context.new_page()
        page.goto(page_path.as_uri())
        # Laid out as math: a display fraction's numerator sits above its denominator, the
        # whole taller than a letter of the text around it (as plain text it would be a row).
        frac = page.locator("math[display=block] mfrac").first
        frac.scroll_into_view_if_needed()
        numerator, denominator = (frac.locator(":scope > *").nth(i).bounding_box()
                                  for i in (0, 1))
        letter = page.locator("p math mi").first.bounding_box()
        assert numerator["y"] + numerator["height"] <= denominator["y"] + 1, (numerator,
                                                                              denominator)
        assert frac.bounding_box()["height"] > 1.8 * letter["height"], letter
        shown = page.evaluate("""() => [...document.querySelectorAll('math')]
            .filter(m => m.checkVisibility())
            .map(m => [m.getBoundingClientRect().width, m.getBoundingClientRect().height])""")
        assert len(shown) > 100 and all(w > 0 and h > 0 for w, h in shown), shown
        prose = page.evaluate("""() => [...document.querySelectorAll('.text_cell_render')]
            .map(e => e.innerText).join(' ')""")
        assert "$" not in prose and "\\frac" not in prose
        page.evaluate("document.querySelector('math[display=block] mfrac')"
                      ".scrollIntoView({block: 'center'})")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / "feedback-math-03.png")
    finally:
        context.close()
    assert not outside, f"the feedback page asked the network for {outside}"


# ---------------------------------------------------------------------------------------------
# Gaming, hangs and exits, a deleted check cell
# ---------------------------------------------------------------------------------------------


@pytest.mark.xfail(not HAS_GRADING, reason=NO_GRADING, strict=False)
def test_every_gamed_exercise_scores_zero(grading):
    gamed = scores(grading, "gaming")
    assert gamed == dict.fromkeys(gamed, 0.0), {f: s for f, s in gamed.items() if s}


@pytest.mark.xfail(not HAS_GRADING, reason=NO_GRADING, strict=True, run=HAS_GRADING)
def test_a_hung_or_exiting_answer_costs_that_exercise_only(grading):
    got = scores(grading, "unruly")
    submitted = [(name, checker, function) for name, checker, function in all_exercises()
                 if name in submitted_notebooks("unruly")]
    want = {function: 0.0 if checker in UNRULY else ed.POINTS
            for _, checker, function in submitted}
    assert {function: got[function] for function in want} == want
    # the checker said why, in the notebook itself
    for name in submitted_notebooks("unruly"):
        outputs = check_outputs(autograded(grading, "unruly", name))
        for _, checker, function in submitted:
            if checker in UNRULY and function in outputs:
                assert outputs[function][0].startswith("✘"), (function, outputs[function])


def test_a_deleted_check_cell_is_put_back_graded_and_logged(grading):
    log = grading["logs"]["deleted"]
    assert f"Missing grade cell {DELETED[1]} encountered, adding to notebook" in log
    got = scores(grading, "deleted")
    functions = [f for name, _, f in all_exercises() if name == DELETED[0]]
    assert {f: got[f] for f in functions} == dict.fromkeys(functions, ed.POINTS)
