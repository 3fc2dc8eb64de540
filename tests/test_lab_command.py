"""`make lab` serves the course on this machine only, and keeps JupyterLab's token.

The test reads the command that `make -n lab` would run: it must bind --ServerApp.ip=127.0.0.1
and must not turn the token off or make the server reachable from elsewhere.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LOCAL = {"127.0.0.1", "localhost", "::1", "[::1]"}


def lab_command(dry_run: str) -> list[str]:
    """The arguments of the `jupyter lab` line in `make -n` output (after any pip lines)."""
    for line in dry_run.splitlines():
        try:
            words = shlex.split(line)
        except ValueError:
            continue
        for i, word in enumerate(words[:-1]):
            if re.search(r"(^|/)jupyter$", word) and words[i + 1] == "lab":
                return words[i + 2 :]
        for i, word in enumerate(words):
            if re.search(r"(^|/)jupyter-lab$", word):
                return words[i + 1 :]
    raise AssertionError(f"no `jupyter lab` command in `make -n lab`:\n{dry_run}")


def problems(args: list[str]) -> list[str]:
    """What is wrong with these `jupyter lab` arguments for a course server; [] if nothing."""
    found = []
    options = {}  # the last value of each --name=value wins, as in traitlets
    for i, arg in enumerate(args):
        if not arg.startswith("-"):
            continue
        name, equals, value = arg.lstrip("-").partition("=")
        if not equals and i + 1 < len(args) and not args[i + 1].startswith("-"):
            value = args[i + 1]  # "--ip 0.0.0.0"
        options[name] = value
        short = name.rsplit(".", 1)[-1].lower()
        if "token" in short:
            found.append(f"{arg}: sets or disables the token; keep JupyterLab's random token")
        if short in {"allow_remote_access", "allow_origin", "allow_origin_pat"}:
            found.append(f"{arg}: lets other machines or sites in")
        if short == "disable_check_xsrf":
            found.append(f"{arg}: turns off the XSRF check")
    if options.get("ServerApp.ip") != "127.0.0.1":
        found.append("no --ServerApp.ip=127.0.0.1: the server must listen on localhost only")
    for name in ("ip", "ServerApp.ip", "NotebookApp.ip"):
        if name in options and options[name].strip("'\"") not in LOCAL:
            found.append(f"--{name}={options[name]}: listens beyond this machine")
    return found


@pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")
@pytest.mark.parametrize(("target", "folder"), [("lab", "notebooks"),
                                                ("lab-instructor", "instructor")])
def test_make_lab_binds_localhost_and_keeps_the_token(target, folder):
    """`make lab` opens the learner edition, `make lab-instructor` the full text; both local."""
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    result = subprocess.run(
        ["make", "-n", target], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    args = lab_command(result.stdout)
    found = problems(args)
    assert not found, f"`make {target}` runs jupyter lab {shlex.join(args)}\n" + "\n".join(found)
    assert f"--ServerApp.root_dir={folder}" in args


# What `make -n lab` prints before the jupyter line when .venv is out of date.
DRY_RUN = (
    ".venv/bin/python -m pip install --quiet -r requirements.txt\n"
    "touch .venv/.course-installed\n"
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (".venv/bin/jupyter lab --ServerApp.ip=127.0.0.1 --allow-root", None),
        (".venv/bin/jupyter lab --ServerApp.ip=0.0.0.0", "listens beyond"),
        (".venv/bin/jupyter lab --ServerApp.ip=127.0.0.1 --ip=0.0.0.0", "listens beyond"),
        (".venv/bin/jupyter lab --ServerApp.ip=127.0.0.1 --ip 0.0.0.0", "listens beyond"),
        (".venv/bin/jupyter lab --ServerApp.root_dir=notebooks", "no --ServerApp.ip=127.0.0.1"),
        (".venv/bin/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.token=''", "token"),
        (".venv/bin/jupyter lab --ServerApp.ip=127.0.0.1 --IdentityProvider.token=", "token"),
        (".venv/bin/jupyter lab --ServerApp.ip=127.0.0.1 --NotebookApp.token=", "token"),
        (".venv/bin/jupyter lab --ServerApp.ip=127.0.0.1 --no-token", "token"),
        (".venv/bin/jupyter-lab --ServerApp.ip=127.0.0.1 --ServerApp.allow_origin=*", "lets"),
        ("jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.disable_check_xsrf=True", "XSRF"),
    ],
)
def test_the_check_catches_an_exposed_server(line, expected):
    found = problems(lab_command(DRY_RUN + line + "\n"))
    if expected is None:
        assert found == []
    else:
        assert any(expected in problem for problem in found), found


def test_a_dry_run_without_jupyter_lab_fails():
    with pytest.raises(AssertionError, match="no `jupyter lab` command"):
        lab_command(DRY_RUN)


# JupyterLab's first start asks "Would you like to get notified about official Jupyter news?":
# a learner alone, or 30 on a projector day, should not have to answer it.
NO_NEWS = {"fetchNews": "false", "checkForUpdates": False}
NEWS_PLUGIN = "@jupyterlab/apputils-extension:notification"


def lab_overrides(prefix: Path) -> dict:
    """The packaged settings overrides that JupyterLab in ``prefix`` reads, as it reads them."""
    from jupyterlab_server.settings_utils import _get_overrides

    overrides, error = _get_overrides(str(prefix / "share" / "jupyter" / "lab" / "settings"))
    assert not error, error
    return overrides


def test_make_lab_keeps_the_news_question_away():
    """The Makefile installs the settings file into the course's venv (this test's own)."""
    import sys

    assert lab_overrides(Path(sys.prefix)).get(NEWS_PLUGIN) == NO_NEWS


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash not installed")
def test_binder_postbuild_keeps_the_news_question_away(tmp_path):
    """repo2docker runs postBuild from the repository's root with NB_PYTHON_PREFIX set."""
    assert lab_overrides(tmp_path).get(NEWS_PLUGIN) is None  # nothing there before
    subprocess.run(["bash", str(REPO / "postBuild")], cwd=REPO, check=True, timeout=60,
                   env={**os.environ, "NB_PYTHON_PREFIX": str(tmp_path)})
    assert lab_overrides(tmp_path).get(NEWS_PLUGIN) == NO_NEWS
