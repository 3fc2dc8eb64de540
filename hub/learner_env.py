"""The learners' environment of the trial hub: their JupyterLab and the course's kernel.

The hub runs from the project's .venv (root's); the learners' processes run as Unix users of
their own, so their Python must be one they can reach and run. This builds a venv for them, as
TLJH keeps a user environment in /opt/tljh/user: from a Python every user can run (this one if
its files are reachable, else /usr/bin/python3), in ONE_NEURON_LEARNER_ENV (default
/opt/one-neuron-hub/env), with the course's packages (requirements.txt without ``-e .``: the
course itself comes from the nbgitpuller link), JupyterHub's single-user server and nbgitpuller
at the pins of requirements-hub.txt, and nbgrader with what the course's grading needs (every
pin of requirements-grader.txt: learners fetch and submit from JupyterLab's Assignments panel,
the instructor releases, autogrades and exports with the same Python). A stamp file records
what it was built from, so that a change of the requirements rebuilds it and a second
`make hub` costs nothing.

``python hub/learner_env.py [DEST]`` builds it (or says it is up to date) and prints its path.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT = Path(os.environ.get("ONE_NEURON_LEARNER_ENV", "/opt/one-neuron-hub/env"))
FROM_HUB = ("jupyterhub", "nbgitpuller")  # pinned in requirements-hub.txt


def unreachable(path: Path) -> Path | None:
    """The first folder on the way to ``path`` that other users cannot enter (no o+x)."""
    path = Path(path)
    for folder in [*reversed(path.parents), path]:
        if folder.exists() and folder.is_dir() and not folder.stat().st_mode & 0o001:
            return folder
    return None


def pins_of(name: str) -> list[str]:
    """The requirement lines of REPO/name, without comments, options and ``-r``/``-e`` lines."""
    lines = [line.split("#")[0].strip() for line in (REPO / name).read_text().splitlines()]
    return [line for line in lines if line and not line.startswith("-")]


def requirements() -> list[str]:
    """The learners' pins: the course's requirements.txt (no ``-e .``), the hub's two and the
    grader's (nbgrader, and what the course's nbgrader plugins and config import)."""
    pins = pins_of("requirements.txt")
    # requirements-grader.txt is read whole, so a package the plugins gain reaches the hub too.
    pins += [pin for pin in pins_of("requirements-grader.txt") if pin not in pins]
    hub = (REPO / "requirements-hub.txt").read_text()
    for name in FROM_HUB:
        pins += re.findall(rf"^{name}==\S+", hub, re.M)
    return pins


def base_python() -> str:
    """A Python interpreter that every user can run (its real file and its standard library)."""
    here = Path(os.path.realpath(sys.executable))
    stdlib = Path(os.__file__).resolve().parent
    if unreachable(here) is None and unreachable(stdlib) is None:
        return str(here)
    return "/usr/bin/python3"


def ensure(dest: Path = DEFAULT, quiet: bool = True) -> Path:
    """Build the learners' venv in ``dest`` unless it is built from these requirements."""
    dest = Path(dest)
    pins = requirements()
    stamp = hashlib.sha256("\n".join(pins).encode()).hexdigest()
    stamp_file = dest / "one-neuron-env.txt"
    if stamp_file.exists() and stamp_file.read_text().strip() == stamp:
        return dest
    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(dest.parent, 0o755)
    subprocess.run([base_python(), "-m", "venv", str(dest)], check=True)
    pip = [str(dest / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check"]
    subprocess.run([*pip, *(["--quiet"] if quiet else []), *pins], check=True)
    stamp_file.write_text(stamp + "\n")
    return dest


if __name__ == "__main__":
    print(ensure(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT, quiet=False))
