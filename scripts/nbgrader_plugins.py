"""The course's nbgrader plugins: an export with one column per exercise, and feedback whose
failed checks show the verdict, not a traceback.

scripts/editions.py copies this file next to the course folder's nbgrader_config.py, which
configures both:

* ``PerExerciseExportPlugin``: ``nbgrader export`` (run in build/nbgrader/) writes grades.csv (or
  ``--to``) with one row per student and assignment:

      student_id, assignment, <exercise>, <exercise>, ..., score, max_score

  where each exercise column is the points of that exercise's check cell (grade_id
  ``check_<function>``, named ``<function>``), in the order of the notebooks and their cells. A
  student without a submission gets empty exercise cells and a score of 0.
* ``VerdictOnly``: in ``nbgrader generate_feedback``, each error output keeps its last line
  (``AssertionError: ✘ ... Hint: ...``, the hidden test's verdict) instead of the traceback.
* ``MathMLHTMLExporter``: the feedback page's exporter. Its markdown filter turns every formula
  (``$...$``, ``$$...$$``, ``\\(...\\)``, ``\\[...\\]``, ``\\begin{pmatrix}...``) into MathML
  when the page is written, so the browser lays the math out itself: no MathJax, no script, no
  network. Formulas are found by nbconvert's own markdown parser, the one that renders the
  page, so code spans and fences keep their ``$`` as text. A formula latex2mathml cannot
  convert faithfully raises ``FormulaError`` (``check_formulas`` runs it on the source at build
  time) instead of reaching a learner as garbage.
* ``OwnerCheckedCollect``: ``nbgrader collect`` takes a submission only from the Unix user it
  names. nbgrader's own collect warns about a folder named for one learner and owned by
  another (``nbgrader submit --student=<someone else>``) but collects it, and the newest
  submission wins: one learner could replace another's work. This one collects each learner's
  newest own submission and names the refused ones in the log.
"""

from __future__ import annotations

import csv
import html as htmllib
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from jinja2 import pass_context
from latex2mathml import commands as tex_commands
from latex2mathml.converter import convert as tex_to_mathml
from nbconvert.exporters import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.plugins import ExportPlugin
from nbgrader.preprocessors import NbGraderPreprocessor


def exercise_columns(assignment, source_dir: Path | None = None) -> list[tuple[str, str, str]]:
    """[(notebook, grade_id, column name)] of the assignment's graded cells: the notebooks in
    name order, the cells in their order in source_dir's notebook if it is there (the gradebook
    does not keep cell order), else by name."""
    columns = []
    for notebook in sorted(assignment.notebooks, key=lambda nb: nb.name):
        names = sorted(cell.name for cell in notebook.grade_cells)
        path = source_dir / assignment.name / f"{notebook.name}.ipynb" if source_dir else None
        if path is not None and path.exists():
            order = [cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                     for cell in json.loads(path.read_text())["cells"]]
            names.sort(key=lambda name: order.index(name) if name in order else len(order))
        columns += [(notebook.name, name, name.removeprefix("check_")) for name in names]
    seen = [column for _, _, column in columns]
    # An exercise name used in two notebooks keeps them apart with the notebook's name.
    return [(nb, grade_id, column if seen.count(column) == 1 else f"{nb}:{column}")
            for nb, grade_id, column in columns]


def rows(gradebook: Gradebook, assignments=(), students=(),
         source_dir: Path | None = None) -> tuple[list[str], list[dict]]:
    """The header and one dict per (student, assignment) for the export."""
    header, table = ["student_id", "assignment"], []
    for assignment in gradebook.assignments:
        if assignments and assignment.name not in assignments:
            continue
        columns = exercise_columns(assignment, source_dir)
        header += [column for _, _, column in columns if column not in header]
        for student in gradebook.students:
            if students and student.id not in students:
                continue
            row = {"student_id": student.id, "assignment": assignment.name,
                   "max_score": assignment.max_score, "score": 0.0}
            try:
                submission = gradebook.find_submission(assignment.name, student.id)
            except MissingEntry:
                table.append(row)
                continue
            for notebook, grade_id, column in columns:
                try:
                    grade = gradebook.find_grade(grade_id, notebook, assignment.name, student.id)
                except MissingEntry:
                    row[column] = 0.0
                else:
                    row[column] = grade.score
            row["score"] = max(0.0, submission.score - (submission.late_submission_penalty or 0))
            table.append(row)
    return header + ["score", "max_score"], table


class PerExerciseExportPlugin(ExportPlugin):
    """CSV export, one column per exercise (``nbgrader export --to FILE``)."""

    def export(self, gradebook: Gradebook) -> None:
        dest = self.to or "grades.csv"
        header, table = rows(gradebook, [str(a) for a in self.assignment],
                             [str(s) for s in self.student],
                             self._source_dir())
        self.log.info("Exporting grades, one column per exercise, to %s", dest)
        with open(dest, "w", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=header, restval="")
            writer.writeheader()
            writer.writerows(table)

    def _source_dir(self) -> Path | None:
        coursedir = getattr(self.parent, "coursedir", None)
        if coursedir is None:
            return None
        return Path(coursedir.root) / coursedir.source_directory


class VerdictOnly(NbGraderPreprocessor):
    """Feedback shows a failed check's verdict and hint, not the lines of the hidden test."""

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [f"{output['ename']}: {output['evalue']}"]
        return cell, resources


# ---------------------------------------------------------------------------------------------
# Feedback math: TeX becomes MathML when the page is written
# ---------------------------------------------------------------------------------------------


class FormulaError(ValueError):
    """A formula latex2mathml would drop or mangle: the build stops and names it."""


MATHML_NS = "http://www.w3.org/1998/Math/MathML"
# Elements with a fixed number of children: \frac{a} gives an <mfrac> with one, silently.
ARITY = {"mfrac": 2, "msub": 2, "msup": 2, "mroot": 2, "munder": 2, "mover": 2,
         "msubsup": 3, "munderover": 3}
ENVIRONMENT = re.compile(r"\\begin\{([^}]*)\}")


def _braces_balance(tex: str) -> bool:
    """Whether the unescaped braces of tex pair up (latex2mathml closes a missing one quietly)."""
    depth = 0
    for brace in re.findall(r"(?<!\\)[{}]", tex):
        depth += 1 if brace == "{" else -1
        if depth < 0:
            return False
    return depth == 0


def formula_to_mathml(tex: str, display: str = "inline") -> str:
    """The MathML of one TeX formula, or FormulaError if latex2mathml cannot convert it.

    latex2mathml raises on some mistakes but passes others through: an unknown command stays
    as its TeX name (``<mi>\\foo</mi>``), an unknown environment or a missing brace loses
    structure. Those are refused here, as is output that is not well-formed XML.
    """
    if not _braces_balance(tex):
        raise FormulaError(f"unbalanced braces in ${tex}$")
    for name in ENVIRONMENT.findall(tex):
        if "\\" + name not in tex_commands.MATRICES:
            raise FormulaError(f"latex2mathml does not know the environment {name!r} in ${tex}$")
    try:
        mathml = tex_to_mathml(tex, display=display)
        root = ET.fromstring(mathml)
    except Exception as error:  # latex2mathml's errors share no base class but Exception
        raise FormulaError(f"cannot convert ${tex}$ to MathML: "
                           f"{type(error).__name__} {error}") from None
    for element in root.iter():
        if "\\" in (element.text or ""):
            raise FormulaError(f"latex2mathml does not know {element.text!r} in ${tex}$")
        name = element.tag.removeprefix("{" + MATHML_NS + "}")
        if name in ARITY and len(element) != ARITY[name]:
            raise FormulaError(f"an incomplete <{name}> in ${tex}$")
    # Without xmlns: the HTML parser puts <math> in MathML's namespace by itself, and nbconvert
    # re-serializes a heading through ElementTree (its anchor), which would turn a namespaced
    # <math> into <ns0:math>, an element no browser knows.
    return mathml.replace(f' xmlns="{MATHML_NS}"', "", 1)


# Formulas in text, as nbconvert's math parser finds them: $$...$$, \[...\], $...$, \(...\).
MATH_IN_TEXT = re.compile(
    r"(?<!\\)\$\$(?P<block>.+?)(?<!\\)\$\$"
    r"|(?<!\\)\\\[(?P<block2>.+?)(?<!\\)\\\]"
    r"|(?<![$\\])\$(?P<inline>.+?)(?<![$\\])\$"
    r"|(?<!\\)\\\((?P<inline2>.+?)(?<!\\)\\\)",
    re.S)
# What MathJax leaves alone in a page: tags themselves, code, preformatted text, scripts.
TAG_OR_CODE = re.compile(r"<(pre|code|script|style|textarea)\b.*?</\1\s*>|<[^>]*>", re.S | re.I)


def _text_to_mathml(text: str) -> str:
    def replace(match):
        display = "block" if match["block"] or match["block2"] else "inline"
        tex = next(group for group in match.groups() if group is not None)
        return formula_to_mathml(htmllib.unescape(tex), display)

    return MATH_IN_TEXT.sub(replace, text)


def html_to_mathml(raw: str) -> str:
    """raw HTML with the formulas in its text as MathML, tags and code left as they are.

    A markdown cell's raw HTML block (a ``<details>`` hint) is not parsed as markdown, so its
    ``$w$`` never reaches the math methods; MathJax would have found it in the page's text.
    """
    parts, start = [], 0
    for match in TAG_OR_CODE.finditer(raw):
        parts += [_text_to_mathml(raw[start:match.start()]), match.group(0)]
        start = match.end()
    return "".join(parts) + _text_to_mathml(raw[start:])


class MathMLRenderer(IPythonRenderer):
    """nbconvert's markdown renderer, with MathML where it writes TeX for MathJax."""

    def block_html(self, html: str) -> str:
        return super().block_html(html_to_mathml(html))

    def inline_math(self, body: str) -> str:
        return formula_to_mathml(body, "inline")

    def block_math(self, body: str) -> str:
        return formula_to_mathml(body, "block")

    def latex_environment(self, name: str, body: str) -> str:
        return formula_to_mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", "block")


class MathMLHTMLExporter(HTMLExporter):
    """HTMLExporter whose markdown (cells, markdown outputs, comments) carries MathML."""

    @pass_context
    def markdown2html(self, context, source):
        """As HTMLExporter.markdown2html (attachments, anchors), with MathMLRenderer."""
        cell = context.get("cell", {})
        renderer = MathMLRenderer(
            escape=False,
            attachments=cell.get("attachments", {}),
            embed_images=self.embed_images,
            path=context.get("resources", {}).get("metadata", {}).get("path", ""),
            anchor_link_text=self.anchor_link_text,
            exclude_anchor_links=self.exclude_anchor_links,
            **self.lexer_options,
        )
        return MarkdownWithMath(renderer=renderer).render(source)


def check_formulas(nb) -> int:
    """Convert every formula of nb's markdown cells as the feedback page will; return how many.

    Raises FormulaError naming the cell for one that cannot be converted, so that
    ``make assignment`` fails rather than a learner's feedback showing a broken formula.
    """
    count = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        try:
            html = MarkdownWithMath(renderer=MathMLRenderer(escape=False)).render(cell.source)
        except FormulaError as error:
            raise FormulaError(f"cell {index} ({cell.get('id', 'no id')}): {error}") from None
        count += html.count("<math ")
    return count


class OwnerCheckedCollect(ExchangeCollect):
    """``nbgrader collect`` that keeps only submissions owned by the learner they name.

    On a hub each learner is a Unix user and submits as that user, so the owner of a folder in
    the exchange's ``inbound/`` is who handed it in; its name (``<student>+<assignment>+...``)
    is only what they typed. Set by the course's nbgrader_config.py
    (``c.ExchangeFactory.collect``).
    """

    def _forger(self, record) -> str | None:
        """Who handed ``record`` in, if not the learner it names; None if they did."""
        import pwd  # Unix only, as nbgrader's own owner check

        uid = Path(self.inbound_path, record["filename"]).stat().st_uid
        try:
            owner = pwd.getpwuid(uid).pw_name
        except KeyError:
            owner = f"uid {uid}"
        return None if owner == record["username"] else owner

    def _sort_by_timestamp(self, records):
        # Newest first (nbgrader picks the first), each learner's own before any forged one.
        forgers = {record["filename"]: self._forger(record) for record in records}
        for record in records:
            if forgers[record["filename"]]:
                self.log.warning("Refused %s: it names %s but %s handed it in",
                                 record["filename"], record["username"],
                                 forgers[record["filename"]])
        newest_first = super()._sort_by_timestamp(records)
        return sorted(newest_first, key=lambda r: forgers[r["filename"]] is not None)

    def copy_files(self):
        # A learner with forged submissions only: nbgrader picked one; collect nothing of theirs.
        self.src_records = [r for r in self.src_records if self._forger(r) is None]
        super().copy_files()
