"""`make hub`: the course on a real JupyterHub, as a class would use it.

The hub is started as `make hub` starts it (hub/run.py with hub/jupyterhub_config.py), on
127.0.0.1 and free ports, with its homes and database in a temporary folder. The course it hands
out is a git repository made here from this working tree (so the test checks the files as they
are, committed or not); nbgitpuller pulls it through a file:// URL, as it would pull the course
from GitHub on a real hub.

Three learners, each in a browser context of their own, click the nbgitpuller link that
hub/run.py prints (for 05_training.ipynb), log in with the shared password, and land in the
notebook; each runs it (Run > Run All Cells) and moves the explorer's first slider with the
keyboard. The test checks that no error shows (cells, kernel websocket, hub and server logs),
that each learner has a copy of their own that their kernel imports ``neuron_core`` from, and
measures each learner's memory (their server and kernel). A fourth learner whose server was
started and never used is stopped by the idle culler.

The test without the browser checks what nbgitpuller does when the course is updated and a
learner had edited the same lines (the README, "JupyterHub for a class", says the same).

Memory figures and timings: tests/artifacts/hub-memory.json; what the first learner sees at the
end: tests/artifacts/05_training-hub-ada.png. ONE_NEURON_COURSE_REV=<commit> hands out that
commit instead of the working tree.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from labharness import (
    ARTIFACTS,
    KERNEL_IDLE,
    LAB_SETTINGS,
    NO_RUN_PROMPTS,
    RUN_ALL_DONE,
    NotebookPage,
    ServerLog,
    free_port,
    press_first_slider,
    stop_process,
)

REPO = Path(__file__).resolve().parents[1]
HUB = REPO / "hub"
PROXY = HUB / "node_modules" / ".bin" / "configurable-http-proxy"
NOTEBOOK = "05_training.ipynb"
LEARNERS = ("ada", "grace", "alan")
IDLE_LEARNER = "idle-ivy"  # started at once, never used: the culler must stop their server
IDLE_TIMEOUT = 30  # s without activity before the culler stops a server (an hour by default)
HUB_START_TIMEOUT = 60  # s
PAGE_TIMEOUT = 180_000  # ms from the link to the open notebook: login, spawn, pull, JupyterLab
CHANGE_TIMEOUT = 30_000  # ms until the readout reacts to a slider


def _load_run_module():
    spec = importlib.util.spec_from_file_location("hub_run", HUB / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hub_run = _load_run_module()
COURSE_DIR = hub_run.COURSE_DIR


def require(ok: bool, what: str) -> None:
    """Skip when a tool is missing on a developer's machine; fail in CI, which must have it."""
    if ok:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required in CI: .ci/run installs it", pytrace=False)
    pytest.skip(f"{what} is missing")


def git(*args: str, cwd: Path) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="course", GIT_AUTHOR_EMAIL="course@example.org",
               GIT_COMMITTER_NAME="course", GIT_COMMITTER_EMAIL="course@example.org")  # fmt: skip
    result = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout


def course_files() -> list[str]:
    """The files of this working tree that git would commit (tracked or new, not ignored)."""
    listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=REPO)
    return sorted(
        name
        for name in set(listed.split("\0"))
        if name and "node_modules/" not in name and (REPO / name).is_file()
    )


def make_course_repo(target: Path) -> Path:
    """A git repository (branch main) holding this working tree's files, as the course's.

    With ONE_NEURON_COURSE_REV set (a commit, say HEAD), the files of that commit instead.
    """
    target.mkdir(parents=True)
    rev = os.environ.get("ONE_NEURON_COURSE_REV")
    if rev:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", rev], cwd=REPO, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    for name in [] if rev else course_files():
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, destination)
    git("init", "-q", "-b", "main", cwd=target)
    git("add", "-A", cwd=target)
    git("commit", "-q", "-m", "The course", cwd=target)
    return target


# ---------------------------------------------------------------------------------------------
# The hub
# ---------------------------------------------------------------------------------------------


class Hub(ServerLog):
    """hub/run.py on free ports, its state in workdir; stopped with everything it started."""

    def __init__(self, workdir: Path, course_repo: Path):
        self.workdir = workdir
        self.state = workdir / "state"
        self.course_repo = course_repo
        self.password = secrets.token_urlsafe(12)
        self.admin_token = secrets.token_hex(24)
        self.log_path = workdir / "jupyterhub.log"
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.banner = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def home(self, user: str) -> Path:
        return self.state / "home" / user

    def start(self) -> None:
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("ONE_NEURON_")}
        env.update(
            ONE_NEURON_HUB_PORT=str(self.port),
            ONE_NEURON_HUB_API_PORT=str(free_port()),
            ONE_NEURON_PROXY_API_PORT=str(free_port()),
            ONE_NEURON_HUB_DIR=str(self.state),
            ONE_NEURON_HUB_PASSWORD=self.password,
            ONE_NEURON_HUB_REPO=self.course_repo.as_uri(),
            ONE_NEURON_HUB_BRANCH="main",
            ONE_NEURON_HUB_ADMIN_TOKEN=self.admin_token,
            ONE_NEURON_HUB_IDLE_TIMEOUT=str(IDLE_TIMEOUT),
            ONE_NEURON_HUB_CULL_EVERY="5",
            ONE_NEURON_HUB_ACTIVITY_INTERVAL="5",
        )
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(HUB / "run.py")], cwd=self.workdir, env=env,
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + HUB_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.url}/hub/api", timeout=2):
                    self.banner = self.log_since(0)
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"JupyterHub did not start; its log ends:\n{self.log_since(0)[-4000:]}")

    def pull_link(self, notebook: str) -> str:
        """The nbgitpuller link that hub/run.py printed, for this notebook."""
        links = re.findall(r"^\s*(http\S+/hub/user-redirect/git-pull\?\S+)$", self.banner, re.M)
        assert len(links) == 1, f"hub/run.py printed no nbgitpuller link:\n{self.banner}"
        return links[0].replace("01_data.ipynb", notebook)

    def api(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.url}/hub/api{path}", data=data, method=method,
            headers={"Authorization": f"token {self.admin_token}"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=60) as response:
            payload = response.read()
        return json.loads(payload) if payload else None

    def server(self, user: str) -> dict | None:
        return self.api("GET", f"/users/{user}")["servers"].get("")

    def processes(self) -> list:
        """Every process whose working directory is in this hub's state: servers, kernels."""
        import psutil

        found = []
        for process in psutil.process_iter():
            with contextlib.suppress(psutil.Error):
                if Path(process.cwd()).is_relative_to(self.state):
                    found.append(process)
        return found

    def stop(self) -> None:
        """SIGTERM: the hub stops the servers, the proxy and the culler; then kill what is left."""
        import psutil

        stop_process(self.process, grace=30)
        leftovers = self.processes()  # learners' servers run in sessions of their own
        for process in leftovers:
            with contextlib.suppress(psutil.Error):
                process.kill()
        psutil.wait_procs(leftovers, timeout=10)


class LearnerLab:
    """What labharness.NotebookPage needs of a server: the notebooks' folder and the log."""

    def __init__(self, hub: Hub, user: str):
        self.hub = hub
        self.root_dir = hub.home(user) / COURSE_DIR / "notebooks"

    def log_size(self) -> int:
        return self.hub.log_size()

    def log_since(self, offset: int) -> str:
        return self.hub.log_since(offset)


@pytest.fixture(scope="module")
def hub(chromium_executable, tmp_path_factory):
    require(PROXY.exists(), f"{PROXY.relative_to(REPO)} (cd hub && npm ci)")
    require(shutil.which("git") is not None, "git")
    require(importlib.util.find_spec("jupyterhub") is not None, "jupyterhub (requirements-hub.txt)")
    workdir = tmp_path_factory.mktemp("hub")
    course = make_course_repo(workdir / "course")
    server = Hub(workdir, course)
    spawn = None
    # JupyterLab's settings for each learner, as in the other browser tests (no news toast, no
    # autosave: a save would show in the log).
    for user in LEARNERS:
        settings = server.home(user) / ".jupyter" / "lab" / "user-settings"
        for plugin, values in LAB_SETTINGS.items():
            path = settings / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values, indent=2))
    try:
        server.start()
        # A learner who starts a server and never comes back, for the culler. The request returns
        # when the server is up: in a thread, so that the others log in meanwhile.
        server.api("POST", f"/users/{IDLE_LEARNER}")
        spawn = threading.Thread(
            target=server.api, args=("POST", f"/users/{IDLE_LEARNER}/server", {}), daemon=True
        )
        spawn.start()
        yield server
    finally:
        if spawn is not None:
            spawn.join(timeout=60)
        server.stop()
        leftover = server.processes()
        assert not leftover, f"processes left running after the hub stopped: {leftover}"


# ---------------------------------------------------------------------------------------------
# Memory of a learner's server and kernel
# ---------------------------------------------------------------------------------------------


def memory_of(pid: int) -> dict:
    """RSS and PSS (MB) of the server with this pid and of everything it started (the kernel)."""
    import psutil

    server = psutil.Process(pid)
    processes = [server]
    for child in server.children(recursive=True):
        with contextlib.suppress(psutil.Error):  # gone, or a zombie: no memory left to count
            if child.status() != psutil.STATUS_ZOMBIE:
                child.cmdline()
                processes.append(child)
    kernels = [p for p in processes if "ipykernel_launcher" in " ".join(p.cmdline())]
    figures = {"processes": len(processes), "kernels": len(kernels)}
    for name, group in (("server", [server]), ("kernel", kernels), ("total", processes)):
        infos = [p.memory_full_info() for p in group]
        figures[f"{name}_rss_mb"] = round(sum(i.rss for i in infos) / 2**20, 1)
        figures[f"{name}_pss_mb"] = round(sum(i.pss for i in infos) / 2**20, 1)
    return figures, kernels


# ---------------------------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------------------------

OPEN_NOTEBOOK = ".jp-NotebookPanel .jp-Notebook"


def log_in_through_link(page, hub: Hub, user: str) -> None:
    """Click the link, log in on the hub's form; the hub then spawns, pulls and redirects."""
    page.goto(hub.pull_link(NOTEBOOK))
    page.locator("#username_input").fill(user)
    page.locator("#password_input").fill(hub.password)
    page.locator("#login_submit").click()


def move_first_slider(nb: NotebookPage) -> tuple[str, str]:
    """Three arrow-key steps on the first explorer's first slider; the readout before, after."""
    explorer = nb.notebook.locator(".nc-explorer").first
    explorer.wait_for(timeout=CHANGE_TIMEOUT)
    explorer.scroll_into_view_if_needed()
    readout = explorer.locator(".nc-readout").first
    before = readout.inner_text().strip()
    press_first_slider(explorer)
    deadline = time.monotonic() + CHANGE_TIMEOUT / 1000
    after = before
    while after == before and time.monotonic() < deadline:
        nb.page.wait_for_timeout(100)
        after = readout.inner_text().strip()
    assert after != before, f"the readout stayed {before!r} after moving the slider"
    return before, after


@pytest.mark.browser
def test_learners_pull_and_run_the_course(hub, browser):
    started = time.time()
    contexts, pages = [], {}
    memory, timings = {}, {}

    def lap(what: str) -> None:
        timings[what] = round(time.time() - started, 1)

    try:
        # All three log in at once, as a class does: the hub spawns their servers side by side.
        for user in LEARNERS:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            contexts.append(context)
            nb = NotebookPage(context.new_page(), LearnerLab(hub, user), NOTEBOOK, ARTIFACTS)
            log_in_through_link(nb.page, hub, user)
            pages[user] = nb
        for user, nb in pages.items():
            nb.notebook.wait_for(timeout=PAGE_TIMEOUT)
            assert f"/user/{user}/lab" in nb.page.url, f"{user} landed on {nb.page.url}"
            nb.page.wait_for_function(KERNEL_IDLE, timeout=PAGE_TIMEOUT)
        lap("all in the notebook")
        # Run All Cells in every page, then wait for each (NotebookPage.run_all, side by side).
        for nb in pages.values():
            nb.menu("Edit", "Clear Outputs of All Cells")
            nb.page.wait_for_function(NO_RUN_PROMPTS, timeout=PAGE_TIMEOUT)
            nb.menu("Run", "Run All Cells")
        for user, nb in pages.items():
            try:
                nb.page.wait_for_function(RUN_ALL_DONE, timeout=PAGE_TIMEOUT)
                lap(f"{user} ran all")
                nb.assert_no_errors(f"after Run All Cells ({user})")
                move_first_slider(nb)
                nb.wait_for_kernel_idle()
                nb.assert_no_errors(f"after moving a slider ({user})")
            except BaseException:
                with contextlib.suppress(Exception):
                    nb.screenshot(f"-hub-{user}-FAILED")
                raise

            # The learner's server and kernel: memory, and where the kernel runs and imports from.
            server = hub.server(user)
            assert server and server["ready"], f"{user} has no running server: {server}"
            figures, kernels = memory_of(server["state"]["pid"])
            assert len(kernels) == 1, f"{user}: {len(kernels)} kernels under the server"
            memory[user] = figures
            course = hub.home(user) / COURSE_DIR
            assert Path(kernels[0].cwd()) == course / "notebooks"
            assert kernels[0].environ().get("PYTHONPATH") == str(course)
            compiled = list((course / "__pycache__").glob("neuron_core.*.pyc"))
            assert compiled and compiled[0].stat().st_mtime >= started - 1, (
                f"{user}'s kernel did not import neuron_core from the pulled copy {course}"
            )
        lap("all moved a slider")
        spawns = re.findall(r"User (\S+) took ([\d.]+) seconds to start", hub.log_since(0))
        timings.update({f"{user}'s server started in": float(took) for user, took in spawns})
        pages[LEARNERS[0]].screenshot(f"-hub-{LEARNERS[0]}")
    finally:
        for context in contexts:
            with contextlib.suppress(Exception):
                context.close()

    # Each learner has a copy of their own: a git clone of the course, in their own home.
    copies = {user: hub.home(user) / COURSE_DIR for user in LEARNERS}
    for user, copy in copies.items():
        assert (copy / ".git").is_dir(), f"{user}: no git clone at {copy}"
        assert git("remote", "get-url", "origin", cwd=copy).strip() == hub.course_repo.as_uri()
        assert (copy / "notebooks" / NOTEBOOK).read_bytes() == (
            hub.course_repo / "notebooks" / NOTEBOOK
        ).read_bytes(), f"{user}'s notebook is not the course's (or was saved by the test)"
    assert len({copy.resolve() for copy in copies.values()}) == len(LEARNERS)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "hub-memory.json").write_text(
        json.dumps({"memory": memory, "seconds since the first click": timings}, indent=2)
    )
    print("memory per learner after running", NOTEBOOK, json.dumps(memory, indent=2))
    print("seconds since the first click", timings)


@pytest.mark.browser
def test_an_idle_server_is_culled(hub):
    """The server started when the hub started, never used, is stopped by the idle culler."""
    deadline = time.monotonic() + IDLE_TIMEOUT + 60
    while hub.server(IDLE_LEARNER) is not None and time.monotonic() < deadline:
        time.sleep(1)
    assert hub.server(IDLE_LEARNER) is None, (
        f"{IDLE_LEARNER}'s idle server still runs {IDLE_TIMEOUT + 60} s after a "
        f"{IDLE_TIMEOUT} s idle timeout"
    )
    assert f"Culling server {IDLE_LEARNER}" in hub.log_since(0), "stopped, but not by the culler"


# ---------------------------------------------------------------------------------------------
# A course update against a learner's edit (no hub needed: nbgitpuller's own pull)
# ---------------------------------------------------------------------------------------------


def pull(repo: Path, into: Path) -> str:
    from nbgitpuller.pull import GitPuller

    puller = GitPuller(repo.as_uri(), str(into), branch="main", depth=1)
    return "".join(puller.pull())


def edit_cell(path: Path, index: int, line: str) -> None:
    """Add a line to a cell, as JupyterLab would save it (nbformat's layout)."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    notebook.cells[index].source += "\n" + line
    nbformat.write(notebook, path)


def test_an_update_keeps_the_learners_conflicting_edit(tmp_path):
    """What the README says: on a conflict the learner's lines win and the course's change to
    those lines is dropped, without a word; the rest of the update arrives; renaming the file
    and clicking the link again brings the course's version back beside the learner's."""
    has_puller = importlib.util.find_spec("nbgitpuller") is not None
    require(has_puller, "nbgitpuller (requirements-hub.txt)")
    course = make_course_repo(tmp_path / "course")
    learner = tmp_path / "home" / COURSE_DIR
    pull(course, learner)
    relative = Path("notebooks") / NOTEBOOK
    cells = json.loads((course / relative).read_text())["cells"]
    code = [i for i, cell in enumerate(cells) if cell["cell_type"] == "code"]
    edited, other = code[-1], code[0]

    edit_cell(learner / relative, edited, "# the learner's line")
    edit_cell(course / relative, edited, "# the course's fix of the same cell")
    edit_cell(course / relative, other, "# the course's fix of another cell")
    git("commit", "-q", "-am", "A fix", cwd=course)

    output = pull(course, learner)
    text = (learner / relative).read_text()
    json.loads(text)  # still a notebook
    assert "the learner's line" in text
    assert "the course's fix of the same cell" not in text, "the course's change won the conflict"
    assert "the course's fix of another cell" in text
    assert "conflict" not in output.lower()  # nothing tells the learner

    # Recovery: rename, click the link again: the course's version comes back.
    (learner / relative).rename(learner / relative.with_name("05_training-mine.ipynb"))
    pull(course, learner)
    assert "the course's fix of the same cell" in (learner / relative).read_text()
    mine = (learner / relative.with_name("05_training-mine.ipynb")).read_text()
    assert "the learner's line" in mine


def load_hub_config(env: dict[str, str]):
    from traitlets.config.loader import PyFileConfigLoader

    saved = dict(os.environ)
    try:
        os.environ.update(env)
        return PyFileConfigLoader("jupyterhub_config.py", path=str(HUB)).load_config()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_hub_config_stays_on_this_machine(tmp_path):
    """The local trial listens on 127.0.0.1 only, and nobody logs in without the password."""
    require(importlib.util.find_spec("jupyterhub") is not None, "jupyterhub (requirements-hub.txt)")
    config = load_hub_config({"ONE_NEURON_HUB_DIR": str(tmp_path), "ONE_NEURON_HUB_PASSWORD": ""})
    for url in (
        config.JupyterHub.bind_url,
        config.JupyterHub.hub_bind_url,
        config.ConfigurableHTTPProxy.api_url,
    ):
        assert url.startswith("http://127.0.0.1:"), url
    assert config.JupyterHub.authenticator_class == "shared-password"
    assert Path(config.ConfigurableHTTPProxy.command[0]) == PROXY

    import asyncio
    import concurrent.futures

    from jupyterhub.authenticators.shared import SharedPasswordAuthenticator

    def logs_in(config, password: str) -> bool:
        authenticator = SharedPasswordAuthenticator(config=config)
        data = {"username": "ada", "password": password}
        # A thread of its own: playwright's sync API may be running an event loop in this one.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            user = pool.submit(asyncio.run, authenticator.authenticate(None, data)).result()
        return user is not None

    # No password set (jupyterhub -f without hub/run.py): nobody gets in, not even with none.
    assert not logs_in(config, "")
    config = load_hub_config(
        {"ONE_NEURON_HUB_DIR": str(tmp_path), "ONE_NEURON_HUB_PASSWORD": "class-2026"}
    )
    assert logs_in(config, "class-2026")
    assert not logs_in(config, "class-2025")
