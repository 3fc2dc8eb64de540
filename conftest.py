"""The notebooks write no files: `make notebooks` (nbval) fails if running them leaves a new file
in notebooks/ (the learner edition) or instructor/ (the full text). It lives here, at the top,
because pytest loads a conftest.py at start-up only from the folders of the paths it is given
and their parents."""

from pathlib import Path

# During the nbval run, compare every figure a cell draws with the committed one (with a
# tolerance; nbval itself skips images): see tests/nbval_figures.py.
pytest_plugins = ["nbval_figures"]

ROOT = Path(__file__).resolve().parent
NOTEBOOK_FOLDERS = (ROOT / "notebooks", ROOT / "instructor")


def _notebook_files() -> set[str]:
    return {str(p.relative_to(ROOT)) for folder in NOTEBOOK_FOLDERS for p in folder.rglob("*")
            if ".ipynb_checkpoints" not in p.parts}


def pytest_sessionstart(session):
    if session.config.getoption("nbval", default=False):
        session.config.stash[_BEFORE] = _notebook_files()


def pytest_sessionfinish(session, exitstatus):
    before = session.config.stash.get(_BEFORE, None)
    if before is None:
        return
    new = sorted(_notebook_files() - before)
    if new:
        session.config.get_terminal_writer().line(
            f"FAILED: running the notebooks wrote files into the notebook folders: {new}",
            red=True)
        session.exitstatus = 1


def _stash_key():
    import pytest

    return pytest.StashKey[set]()


_BEFORE = _stash_key()
