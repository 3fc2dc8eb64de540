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
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
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
