"""`nbgrader collect` on the course's exchange takes a submission only from the learner it names.

nbgrader 0.9's own collect warns when a folder in ``inbound/`` is named for one learner and owned
by another (``nbgrader submit --student=bob``, run by alice) but collects it, and the newest
submission of a name wins: alice could replace bob's work. The course's config sets
``nbgrader_plugins.OwnerCheckedCollect``. This runs the real ``nbgrader collect`` with the
course folder's own nbgrader_config.py on an exchange whose folders belong to different users
(chown needs root, as the hub itself does).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from pathlib import Path

import editions
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
GRADER_PYTHON = ROOT / ".venv-grader" / "bin" / "python"

pytestmark = [
    pytest.mark.skipif(not GRADER_PYTHON.exists(), reason="no .venv-grader (make assignment)"),
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root to hand folders to other users"),
]


def hand_in(inbound: Path, name: str, when: str, owner: str, words: str) -> None:
    """A submission folder as ``nbgrader submit`` leaves it, named for ``name``, owned by
    ``owner``, holding one notebook whose markdown says ``words``."""
    folder = inbound / f"{name}+one_neuron+{when} UTC+{owner}"
    folder.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(words)])
    nbformat.write(nb, folder / "01_data.ipynb")
    (folder / "timestamp.txt").write_text(f"{when} UTC")
    user = pwd.getpwnam(owner)
    for path in [folder, *folder.iterdir()]:
        os.chown(path, user.pw_uid, user.pw_gid)


def test_collect_refuses_a_submission_handed_in_under_another_name(tmp_path):
    course, inbound = tmp_path / "course", tmp_path / "exchange" / "one_neuron" / "inbound"
    course.mkdir()
    inbound.mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(editions.CONFIG)
    shutil.copyfile(ROOT / "scripts" / "nbgrader_plugins.py", course / "nbgrader_plugins.py")
    # "daemon" hands in its own work, then "nobody" hands in later under daemon's name; "bin"
    # never hands in, but "nobody" hands in under bin's name too.
    hand_in(inbound, "daemon", "2026-12-01 10:00:00.000000", "daemon", "daemon's own work")
    hand_in(inbound, "daemon", "2026-12-01 11:00:00.000000", "nobody", "nobody's forgery")
    hand_in(inbound, "bin", "2026-12-01 11:00:00.000000", "nobody", "nobody's forgery")

    run = subprocess.run(
        [GRADER_PYTHON, "-m", "nbgrader", "collect", "one_neuron",
         f"--Exchange.root={tmp_path / 'exchange'}"],
        cwd=course, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PATH": f"{GRADER_PYTHON.parent}{os.pathsep}{os.environ['PATH']}"})
    assert run.returncode == 0, run.stdout + run.stderr

    kept = course / "submitted" / "daemon" / "one_neuron" / "01_data.ipynb"
    assert nbformat.read(kept, as_version=4).cells[0].source == "daemon's own work"
    assert not (course / "submitted" / "bin").exists()
    log = run.stdout + run.stderr
    assert log.count("it names daemon but nobody handed it in") == 1, log
    assert log.count("it names bin but nobody handed it in") == 1, log
