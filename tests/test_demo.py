"""`make demo`: the Voila dashboard shuts down the kernels of pages that are gone.

Every view of a Voila page starts a kernel (about 100 MB), and closing the page does not stop
it (Voila 0.5.13's page asks, but its shutdown POST lacks the XSRF token and gets a 403). A
class that opens and reloads the dashboard would pile them up: `make demo` has Voila cull a
kernel that has no page connected and has been idle for DEMO_CULL seconds.

The test runs the command that `make -n demo` prints, with short cull times (DEMO_CULL=15
DEMO_CULL_EVERY=1), a free port (DEMO_PORT, which the command must honour) and its own token,
loads the page several times in headless Chromium, closing each, keeps one more open, and counts
the Voila server's kernels: they come back down to the one of the open page, whose explorer
still works; once it is closed too, to none.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shlex
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from labharness import free_port, press_first_slider

REPO = Path(__file__).resolve().parents[1]
LOADS = 3  # pages opened and closed
# s: DEMO_CULL for the test. Voila runs the notebook before the page connects to its kernel; on
# a busy machine that gap exceeded 4 s and the culler took the kernel of a page still loading.
CULL = 15
START_TIMEOUT = 60  # s until Voila answers
PAGE_TIMEOUT = 120_000  # ms until the dashboard shows its explorer (a busy 2-core machine: ~30 s)
CULL_TIMEOUT = 75  # s until the kernels of closed pages are gone


def voila_command(cull: int, cull_every: int, port: int) -> list[str]:
    """The voila command of `make -n demo`, with these cull times and this port."""
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    result = subprocess.run(
        ["make", "-n", "demo", f"DEMO_CULL={cull}", f"DEMO_CULL_EVERY={cull_every}",
         f"DEMO_PORT={port}"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    for line in result.stdout.replace("\\\n", " ").splitlines():
        words = shlex.split(line)
        if words and re.search(r"(^|/)voila$", words[0]):
            return words
    raise AssertionError(f"no voila command in `make -n demo`:\n{result.stdout}")


def kernels_of(pid: int) -> list:
    """The running kernels under the Voila server (a culled one may linger as a zombie: gone)."""
    import psutil

    kernels = []
    for process in psutil.Process(pid).children(recursive=True):
        with contextlib.suppress(psutil.Error):  # ZombieProcess and NoSuchProcess included
            if process.status() != psutil.STATUS_ZOMBIE and "ipykernel_launcher" in " ".join(
                process.cmdline()
            ):
                kernels.append(process)
    return kernels


@pytest.fixture
def voila(chromium_executable, tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make not installed")
    port, token = free_port(), secrets.token_hex(24)
    command = voila_command(CULL, 1, port)
    # Served as `make demo` serves it: on this machine only, behind a token, on DEMO_PORT.
    assert "--Voila.ip=127.0.0.1" in command and "--token" in command, command
    assert f"--MappingKernelManager.cull_idle_timeout={CULL}" in command, command
    assert f"--port={port}" in command, command
    command = [str(REPO / command[0]), *command[1:], f"--Voila.token={token}"]
    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTER_DATA_DIR=str(tmp_path / "data"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        IPYTHONDIR=str(tmp_path / "ipython"),
        JUPYTER_PREFER_ENV_PATH="1",
    )
    log_path = tmp_path / "voila.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}/?token={token}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert process.poll() is None, f"voila stopped:\n{log_path.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"voila did not answer:\n{log_path.read_text()}"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/voila/static/", timeout=2):
                    break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                time.sleep(0.3)
        yield process, url, log_path
    finally:
        import psutil

        leftovers = []
        with contextlib.suppress(psutil.Error):
            leftovers = psutil.Process(process.pid).children(recursive=True)
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait(timeout=10)
        for child in leftovers:
            with contextlib.suppress(psutil.Error):
                child.kill()


def open_dashboard(browser, url: str):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto(url, timeout=PAGE_TIMEOUT)  # Voila runs the notebook before it answers
    page.locator(".nc-explorer").first.wait_for(timeout=PAGE_TIMEOUT)
    return context, page


def wait_for_kernels(pid: int, count: int) -> int:
    deadline = time.monotonic() + CULL_TIMEOUT
    while len(kernels_of(pid)) > count and time.monotonic() < deadline:
        time.sleep(0.5)
    return len(kernels_of(pid))


@pytest.mark.browser
def test_demo_culls_the_kernels_of_closed_pages(voila, browser):
    process, url, log_path = voila
    most = 0
    for _ in range(LOADS):
        context, _page = open_dashboard(browser, url)
        most = max(most, len(kernels_of(process.pid)))
        context.close()  # as a closed tab (no beforeunload)
    context, page = open_dashboard(browser, url)  # a learner who stays
    try:
        assert most >= 1, "no kernel ran while the dashboard was open"
        left = wait_for_kernels(process.pid, 1)
        assert left == 1, (
            f"{left} kernels still run {CULL_TIMEOUT} s after {LOADS} of {LOADS + 1} pages were "
            f"closed (cull after {CULL} s idle): Voila does not cull"
        )
        # The open page kept its kernel: its explorer still answers.
        explorer = page.locator(".nc-explorer").first
        readout = explorer.locator(".nc-readout").first
        before = readout.inner_text().strip()
        press_first_slider(explorer)
        deadline = time.monotonic() + 30
        while readout.inner_text().strip() == before and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        assert readout.inner_text().strip() != before, "the open dashboard lost its kernel"
    finally:
        context.close()
    assert wait_for_kernels(process.pid, 0) == 0, "the last page's kernel was not culled"
    assert "Traceback" not in log_path.read_text(), log_path.read_text()[-4000:]
