"""The course as the hub publishes it: a git repository of the LEARNER edition only.

``scripts/editions.py learner-tree DEST`` (owner: the editions build) writes what a learner
needs and nothing else: README.md, requirements.txt, the library (neuron_*.py, neuron_*.js) and
notebooks/ (the learner edition: stubs, solutions one click away). No instructor/ answers, no
tests, no guide. ``publish`` commits that tree into a git repository that nbgitpuller pulls
(a file:// URL on the trial hub, GitHub or any git host on a real one).

If that command refuses (notebooks/ is not the learner edition of instructor/), nothing is
published: a stale notebooks/ could hold the answers.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EDITIONS = REPO / "scripts" / "editions.py"
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "one-neuron course",
    "GIT_AUTHOR_EMAIL": "course@one-neuron.invalid",
    "GIT_COMMITTER_NAME": "one-neuron course",
    "GIT_COMMITTER_EMAIL": "course@one-neuron.invalid",
}


def git(*args: str, cwd: Path) -> str:
    env = dict(os.environ, **GIT_IDENTITY)
    result = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout


def learner_tree(dest: Path, python: str = sys.executable) -> str:
    """Write the learner publication into ``dest`` (its .git kept); return how it was made."""
    dest.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [python, str(EDITIONS), "learner-tree", str(dest)],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError("hub/course_repo.py: `scripts/editions.py learner-tree` refused, so "
                           f"nothing is published: {result.stderr.strip()[-300:]}")
    return "scripts/editions.py learner-tree"


def publish(dest: Path, branch: str = "main") -> str:
    """Commit the learner tree into the git repository ``dest`` (made if missing); its URL."""
    dest = Path(dest).resolve()
    learner_tree(dest)
    if not (dest / ".git").exists():
        git("init", "-q", "-b", branch, cwd=dest)
    git("add", "-A", cwd=dest)
    if git("status", "--porcelain", cwd=dest).strip():
        git("commit", "-q", "-m", "The course, learner edition", cwd=dest)
    return dest.as_uri()
