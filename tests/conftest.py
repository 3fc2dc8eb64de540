"""Fixtures shared by the tests: Chromium, a JupyterLab server on the course notebooks, a browser.

They use the harness in tests/labharness.py (importable as ``labharness``: pyproject.toml puts
tests/ on pytest's ``pythonpath``). Its assertions are rewritten by pytest like a test file's,
so that a failing check reads the same as when the harness lived in tests/test_browser.py.
"""

from __future__ import annotations

import os

import pytest

pytest.register_assert_rewrite("labharness")

from labharness import CHROMIUM_ARGS, NOTEBOOKS, LabServer, find_chromium, running_lab  # noqa: E402

# `make test` runs on two pytest-xdist workers with --dist loadfile --no-loadscope-reorder: each
# file goes whole to one worker, in the order collected, so a module's costly fixture is made
# once. These files take longest (seconds of one worker in a `make test` of 2026-12-05: the hub
# 280, the explorers in JupyterLab 140, the nbgrader round 120, the demo's culling waits 115,
# the slides 70, ...): they are handed out first, longest first, so that none of them starts
# when the other worker has nothing left to do.
SLOW_FIRST = ("test_hub.py", "test_browser.py", "test_grading.py", "test_demo.py",
              "test_slides.py", "test_explorers.py", "test_site.py", "test_robustness.py",
              "test_figures.py", "test_checker_grading.py")


def pytest_collection_modifyitems(config, items):
    if not hasattr(config, "workerinput"):  # not an xdist worker: the order stays as collected
        return
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: files stay whole


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = find_chromium()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required in CI: .ci/run installs it", pytrace=False)
        pytest.skip("chromium not installed: apt-get install chromium to run the browser tests")
    return path


@pytest.fixture(scope="session")
def lab(chromium_executable) -> LabServer:
    with running_lab(NOTEBOOKS) as server:
        yield server


@pytest.fixture(scope="session")
def browser(chromium_executable):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()

