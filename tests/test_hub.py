"""`make hub`: the course on a real JupyterHub, as a class uses it, and what a learner cannot do.

The hub is started as `make hub` starts it (hub/run.py with hub/jupyterhub_config.py), as root,
on 127.0.0.1 and free ports, with its state and homes in a temporary folder. It hands out the
learner edition only (hub/course_repo.py: a git repository pulled through file://). Learners
sign up and the instructor approves them, over HTTP as a browser would. Each learner is a Unix
user of their own (``jupyter-<name>``, made by the hub, removed by this test at the end).

* Accounts: an unapproved account cannot log in; a 300-character or path-like name is refused
  cleanly; after 3 wrong passwords the right one is refused too (NativeAuthenticator's lock).
* Isolation, probed as learner A's Unix user (what A's kernel can do): B's home, the hub's
  state (database, cookie secret), the environment of the hub, of the proxy and of B's server
  (B's API token) are all unreadable; no process's command line carries a secret; A's own
  server has no proxy token; A's token does not open B's server.
* Links: an nbgitpuller link with another repository, or a targetpath other than the course's
  folder (``..``, absolute, ``.jupyter``, ``.ipython/profile_default/startup``) gets a 403 page
  and writes nothing.
* In Chromium, three learners click the link and land in the learner edition of 01_data, in the
  course's kernel ``one-neuron``, with no news pop-up, and run it; ada also opens 05_training and
  moves an explorer's slider: her memory is measured with two notebooks open, then her idle
  01_data kernel is culled while 05 stays; a server left idle is stopped by the idle culler.
* nbgrader's cycle: the instructor (Unix user jupyter-instructor) releases the assignment built
  from 01_data by scripts/editions.py; ada (right, in JupyterLab's Assignments panel), grace
  (blank) and alan (a typical mistake), with nbgrader's commands, fetch, answer and submit; the
  instructor collects, autogrades, generates and releases feedback, exports; the learners fetch
  their feedback. Points per exercise, the verdict and hint in each home, and what a learner
  cannot reach (the exchange's inbound/ and feedback/ listings, the instructor's course folder,
  the formgrader) are checked.

Memory figures and timings: tests/artifacts/hub-memory.json.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import pwd
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import editions as ed  # scripts/ is on pytest's pythonpath (pyproject.toml)
import pytest
from labharness import (
    ARTIFACTS,
    KERNEL_IDLE,
    NotebookPage,
    ServerLog,
    free_port,
    press_first_slider,
    stop_process,
    wait_for,
)

# A hub with learners' servers, run with the browser tests (`make browser` installs the proxy).
pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
HUB = REPO / "hub"
PROXY = HUB / "node_modules" / ".bin" / "configurable-http-proxy"
sys.path.insert(0, str(HUB))

LEARNERS = ("ada", "grace", "alan")  # in Chromium
IDLE_LEARNER = "grace"  # her server, left idle after the browser test: the idle culler stops it
LOCKED = "mallory"  # types wrong passwords
INSTRUCTOR = "instructor"
IDLE_TIMEOUT = 30  # s without activity before the culler stops a server (an hour by default)
KERNEL_IDLE_TIMEOUT = 30  # s before a learner's idle kernel is culled (30 minutes by default)
HUB_START_TIMEOUT = 90  # s
PAGE_TIMEOUT = 180_000  # ms from the link to the open notebook: login, spawn, pull, JupyterLab
COURSE_DIR = "one-neuron"


def require(ok: bool, what: str) -> None:
    """Skip when a tool is missing on a developer's machine; fail in CI, which must have it."""
    if ok:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required in CI", pytrace=False)
    pytest.skip(f"{what} is missing")


# ---------------------------------------------------------------------------------------------
# The hub
# ---------------------------------------------------------------------------------------------


class Hub(ServerLog):
    """hub/run.py on free ports, its folders in workdir; stopped with everything it started."""

    def __init__(self, workdir: Path, course_url: str, learner_env: Path):
        self.workdir = workdir
        self.hub_dir = workdir / "hub"
        self.state = self.hub_dir / "state"
        self.course_url = course_url
        self.learner_env = learner_env
        self.instructor_password = secrets.token_urlsafe(12)
        self.admin_token = secrets.token_hex(24)
        self.passwords = {}
        self.tokens = {}
        self.log_path = workdir / "jupyterhub.log"  # root's: workdir's files are not the hub's
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.banner = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def home(self, user: str) -> Path:
        return self.hub_dir / "homes" / f"jupyter-{user}"

    def start(self) -> None:
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("ONE_NEURON_")}
        env.update(
            ONE_NEURON_HUB_PORT=str(self.port),
            ONE_NEURON_HUB_API_PORT=str(free_port()),
            ONE_NEURON_PROXY_API_PORT=str(free_port()),
            ONE_NEURON_HUB_DIR=str(self.hub_dir),
            ONE_NEURON_LEARNER_ENV=str(self.learner_env),
            ONE_NEURON_HUB_INSTRUCTOR_PASSWORD=self.instructor_password,
            ONE_NEURON_HUB_REPO=self.course_url,
            ONE_NEURON_HUB_ADMIN_TOKEN=self.admin_token,
            ONE_NEURON_HUB_IDLE_TIMEOUT=str(IDLE_TIMEOUT),
            ONE_NEURON_HUB_CULL_EVERY="5",
            ONE_NEURON_HUB_ACTIVITY_INTERVAL="5",
            ONE_NEURON_KERNEL_IDLE_TIMEOUT=str(KERNEL_IDLE_TIMEOUT),
            ONE_NEURON_KERNEL_CULL_INTERVAL="3",
        )
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(HUB / "run.py")], cwd=self.workdir, env=env,
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + HUB_START_TIMEOUT
        while time.monotonic() < deadline and self.process.poll() is None:
            # The proxy answers first (404, 503) until the hub has added its route.
            with contextlib.suppress(OSError):
                if self.http("GET", "/hub/api").status_code == 200:
                    self.banner = self.log_since(0)
                    return
            time.sleep(0.3)
        raise RuntimeError(f"JupyterHub did not start; its log ends:\n{self.log_tail()}")

    def http(self, method: str, path: str, token: str | None = None, session=None, **kwargs):
        import requests

        headers = {"Authorization": f"token {token}"} if token else {}
        sender = session or requests
        try:
            return sender.request(
                method, f"{self.url}{path}", headers=headers, timeout=120,
                allow_redirects=False, **kwargs,
            )  # fmt: skip
        except requests.ConnectionError as error:
            raise OSError(str(error)) from error

    def api(self, method: str, path: str, body: dict | None = None):
        response = self.http("GET" if method == "GET" else method, f"/hub/api{path}",
                             token=self.admin_token, json=body)  # fmt: skip
        status = response.status_code
        assert status < 400, f"{method} {path}: {status} {response.text[:900]}"
        return response.json() if response.content else None

    def server(self, user: str) -> dict | None:
        return self.api("GET", f"/users/{user}")["servers"].get("")

    # --- accounts, as a browser would: the hub's forms with their _xsrf cookie ---------------

    def form(self, path: str, data: dict, session=None):
        import requests

        session = session or requests.Session()
        self.http("GET", path, session=session)
        data = dict(data, _xsrf=session.cookies.get("_xsrf", ""))
        return session, self.http("POST", path, session=session, data=data)

    def sign_up(self, user: str, password: str):
        fields = {"username": user, "signup_password": password,
                  "signup_password_confirmation": password}  # fmt: skip
        return self.form("/hub/signup", fields)[1]

    def log_in(self, user: str, password: str):
        return self.form("/hub/login", {"username": user, "password": password})

    def approve(self, *users: str) -> None:
        session, response = self.log_in(INSTRUCTOR, self.instructor_password)
        assert response.status_code == 302, f"the instructor cannot log in: {response.text[-500:]}"
        for user in users:
            response = self.http("GET", f"/hub/authorize/{user}", session=session)
            assert response.status_code == 302, f"approving {user}: {response.status_code}"

    def add_learners(self, *users: str) -> None:
        for user in users:
            self.passwords[user] = secrets.token_urlsafe(10)
            response = self.sign_up(user, self.passwords[user])
            assert "sent to the admin" in response.text, f"{user}'s sign-up: {response.text[-800:]}"
        self.approve(*users)
        # Their hub users (JupyterHub makes one at the first login; the API, for the test).
        self.api("POST", "/users", {"usernames": list(users)})

    def start_servers(self, *users: str) -> None:
        """Start these learners' servers side by side; return when all are ready."""
        for user in users:
            if self.server(user) is None:
                self.api("POST", f"/users/{user}/server", {})  # 201 ready, or 202 pending
        deadline = time.monotonic() + PAGE_TIMEOUT / 1000
        while not all((self.server(u) or {}).get("ready") for u in users):
            assert time.monotonic() < deadline, f"servers not ready: {users}"
            time.sleep(0.5)

    def token_of(self, user: str) -> str:
        """An API token of the learner's (as they would make on the hub's token page)."""
        if user not in self.tokens:
            made = self.api("POST", f"/users/{user}/tokens", {"note": "test", "expires_in": 3600})
            self.tokens[user] = made["token"]
        return self.tokens[user]

    def processes(self) -> list:
        """Every process of this hub's learners (servers, kernels)."""
        import psutil

        found = []
        for process in psutil.process_iter(["username"]):
            if (process.info["username"] or "").startswith("jupyter-"):
                with contextlib.suppress(psutil.Error):
                    home = Path(pwd.getpwnam(process.info["username"]).pw_dir)
                    if home.is_relative_to(self.hub_dir):
                        found.append(process)
        return found

    def stop(self) -> None:
        """SIGTERM: the hub stops the servers, the proxy and the culler; then kill what is left."""
        import psutil

        stop_process(self.process, grace=30)
        leftovers = self.processes() + [
            p for p in psutil.process_iter(["cmdline"])
            if "configurable-http-proxy" in " ".join(p.info["cmdline"] or [])
            and f"--port {self.port}" in " ".join(p.info["cmdline"] or [])
        ]  # fmt: skip
        for process in leftovers:
            with contextlib.suppress(psutil.Error):
                process.kill()
        psutil.wait_procs(leftovers, timeout=10)


def quiet_lab_settings(hub: Hub, user: str) -> None:
    """The learner's own JupyterLab settings, as in the other browser tests: no autosave (a save
    would show in the log) and no kernel-restart dialog. The news pop-up is NOT set here: the
    course's server config must keep it away."""
    import learners

    entry = learners.ensure_unix_user(user, hub.hub_dir / "homes")
    settings = Path(entry.pw_dir) / ".jupyter" / "lab" / "user-settings" / "@jupyterlab"
    values = {
        "apputils-extension/sessionDialogs": {"skipKernelRestartDialog": True},
        "docmanager-extension/plugin": {"autosave": False},
    }
    for plugin, value in values.items():
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    for folder, _dirs, files in os.walk(Path(entry.pw_dir) / ".jupyter"):
        for name in [folder, *(os.path.join(folder, f) for f in files)]:
            os.chown(name, entry.pw_uid, entry.pw_gid)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    require(hasattr(os, "geteuid") and os.geteuid() == 0, "root (the hub makes Unix users)")
    require(PROXY.exists(), f"{PROXY.relative_to(REPO)} (cd hub && npm ci)")
    require(shutil.which("git") is not None and shutil.which("useradd") is not None, "git, useradd")
    for module in ("jupyterhub", "nativeauthenticator", "requests", "psutil"):
        require(importlib.util.find_spec(module) is not None, f"{module} (requirements-hub.txt)")
    import course_repo
    import learner_env
    import learners

    env = learner_env.ensure()  # built once (about a minute), then reused
    # Not under pytest's tmp folder (mode 0700): the learners' processes must reach the homes.
    workdir = Path(tempfile.mkdtemp(prefix="one-neuron-hub-"))
    os.chmod(workdir, 0o755)
    server = Hub(workdir, course_repo.publish(workdir / "course"), env)
    everyone = (*LEARNERS, LOCKED)
    made_here = [*everyone, "newbie", INSTRUCTOR]
    learners.remove_learners(made_here)  # left by an interrupted run
    try:
        server.start()
        server.add_learners(*everyone)
        for user in LEARNERS:
            quiet_lab_settings(server, user)
        yield server
    finally:
        server.stop()
        leftover = server.processes()
        learners.remove_learners(made_here)
        shutil.rmtree(workdir, ignore_errors=True)
        assert not leftover, f"processes left running after the hub stopped: {leftover}"


# ---------------------------------------------------------------------------------------------
# Accounts
# ---------------------------------------------------------------------------------------------


def test_only_approved_accounts_log_in_and_names_are_bounded(hub):
    password = secrets.token_urlsafe(10)
    assert "sent to the admin" in hub.sign_up("newbie", password).text
    _, response = hub.log_in("newbie", password)
    assert response.status_code == 403 and "not been authorized" in response.text
    hub.approve("newbie")
    _, response = hub.log_in("newbie", password)
    assert response.status_code == 302, "approved, and still refused"

    # Names: too long, path-like, upper case, a newline: refused at sign-up, no account made.
    for name in ("a" * 300, "../grace", "Ada", "ada\nroot", "jupyter-ada x"):
        response = hub.sign_up(name, password)
        assert response.status_code == 200 and "alert-danger" in response.text, name[:40]
        _, response = hub.log_in(name, password)
        assert response.status_code == 403, (name[:40], response.status_code)
        assert "Invalid username or password" in response.text
    assert "File name too long" not in hub.log_since(0)
    users = {user["name"] for user in hub.api("GET", "/users")}
    assert not [name for name in users if len(name) > 20], users


def test_failed_logins_lock_the_account(hub):
    for _ in range(3):
        _, response = hub.log_in(LOCKED, "not-the-password")
        assert response.status_code == 403
    _, response = hub.log_in(LOCKED, hub.passwords[LOCKED])
    assert response.status_code == 403, "the right password got in right after 3 wrong ones"
    assert "Too many failed logins" in response.text


# ---------------------------------------------------------------------------------------------
# Isolation: what learner A's processes can reach
# ---------------------------------------------------------------------------------------------

PROBE = r"""
import json, os, sys
results = {}
for path in json.loads(sys.argv[1]):
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            with open(path, "rb") as f:
                f.read(1)
        results[path] = "read"
    except OSError as error:
        results[path] = type(error).__name__
cmdlines = []
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdlines.append(f.read().decode("utf-8", "replace"))
        except OSError:
            pass
print(json.dumps({"results": results, "cmdlines": cmdlines}))
"""


def run_as(hub: Hub, user: str, paths: list[str]) -> dict:
    """PROBE as the learner's Unix user, as their kernel would run it."""
    entry = pwd.getpwnam(f"jupyter-{user}")
    result = subprocess.run(
        [str(hub.learner_env / "bin" / "python"), "-c", PROBE, json.dumps(paths)],
        user=entry.pw_uid, group=entry.pw_gid, extra_groups=[], cwd=entry.pw_dir,
        env={"HOME": entry.pw_dir, "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return json.loads(result.stdout)


def test_a_learner_reaches_nothing_of_another_learner_or_of_the_hub(hub):
    import psutil

    a, b = LEARNERS[:2]
    hub.start_servers(a, b)
    server_a, server_b = (psutil.Process(hub.server(u)["state"]["pid"]) for u in (a, b))
    assert server_a.username() == f"jupyter-{a}" and server_b.username() == f"jupyter-{b}"
    (hub.home(b) / "notes.txt").write_text("b's work")
    proxy = next(p for p in psutil.process_iter(["cmdline"])
                 if "configurable-http-proxy" in " ".join(p.info["cmdline"] or [])
                 and str(hub.port) in " ".join(p.info["cmdline"] or []))  # fmt: skip
    proxy_token = proxy.environ()["CONFIGPROXY_AUTH_TOKEN"]
    token_b = hub.token_of(b)

    secrets_ = {
        "B's home": str(hub.home(b)),
        "B's file": str(hub.home(b) / "notes.txt"),
        "the hub's database": str(hub.state / "jupyterhub.sqlite"),
        "the cookie secret": str(hub.state / "jupyterhub_cookie_secret"),
        "the hub's state": str(hub.state),
        "the hub's environment": f"/proc/{hub.process.pid}/environ",
        "the proxy's environment": f"/proc/{proxy.pid}/environ",
        "B's server's environment (B's token)": f"/proc/{server_b.pid}/environ",
    }
    found = run_as(hub, a, list(secrets_.values()))
    readable = [what for what, path in secrets_.items() if found["results"][path] == "read"]
    assert not readable, f"{a} can read: {readable}"
    # The probe itself works: A reads A's own home.
    assert run_as(hub, a, [str(hub.home(a))])["results"][str(hub.home(a))] == "read"

    # Secrets on command lines (readable by all in /proc): none.
    for secret in (proxy_token, token_b, hub.admin_token, hub.instructor_password):
        assert not [c for c in found["cmdlines"] if secret in c], "a secret on a command line"
    # A's own server: its token, nothing of the hub's.
    env_a = server_a.environ()
    assert "CONFIGPROXY_AUTH_TOKEN" not in env_a and proxy_token not in json.dumps(env_a)
    assert hub.instructor_password not in json.dumps(env_a)
    # A's token opens A's server, not B's.
    token_a = hub.token_of(a)
    assert hub.http("GET", f"/user/{a}/api/status", token=token_a).status_code == 200
    assert hub.http("GET", f"/user/{b}/api/contents", token=token_a).status_code in (401, 403)
    assert oct(hub.home(a).stat().st_mode & 0o777) == "0o700"


# ---------------------------------------------------------------------------------------------
# Links pull only the course
# ---------------------------------------------------------------------------------------------


def test_links_pull_only_the_course_into_its_folder(hub):
    import course_repo

    a = LEARNERS[0]
    hub.start_servers(a)
    token = hub.token_of(a)
    other = course_repo.publish(hub.workdir / "other")  # a real repository, not the course
    course = {"repo": hub.course_url, "branch": "main"}
    bad = {
        "another repository": {"repo": other, "branch": "main", "targetpath": COURSE_DIR},
        "../ into another home": {**course, "targetpath": "../jupyter-grace/x"},
        "an absolute path": {**course, "targetpath": str(hub.workdir / "planted")},
        "IPython's startup": {**course, "targetpath": ".ipython/profile_default/startup"},
        "Jupyter's config": {**course, "targetpath": ".jupyter"},
        "a sub-folder": {**course, "targetpath": f"{COURSE_DIR}/../.jupyter"},
        "no folder named": course,
        "a backup": {**course, "targetpath": COURSE_DIR, "backup": "true"},
        "another branch": {**course, "branch": "instructor", "targetpath": COURSE_DIR},
    }
    before = sorted(str(p) for p in hub.home(a).rglob("*"))
    for what, query in bad.items():
        for endpoint in ("git-pull", "git-pull/api"):
            path = f"/user/{a}/{endpoint}?{urllib.parse.urlencode(query)}"
            response = hub.http("GET", path, token=token)
            assert response.status_code == 403, (what, endpoint, response.status_code)
            if endpoint == "git-pull":
                assert "This link was refused" in response.text, what
    assert sorted(str(p) for p in hub.home(a).rglob("*")) == before, "a refused link wrote files"
    assert not (hub.workdir / "planted").exists()
    good = {"repo": hub.course_url, "branch": "main", "targetpath": COURSE_DIR}
    response = hub.http("GET", f"/user/{a}/git-pull?{urllib.parse.urlencode(good)}", token=token)
    assert response.status_code == 200, response.text[-500:]


# ---------------------------------------------------------------------------------------------
# The class in Chromium: the link, the learner edition, the course kernel, culling, memory
# ---------------------------------------------------------------------------------------------


def memory_of(pid: int) -> tuple[dict, list]:
    """RSS and PSS (MB) of the server with this pid and of everything it started (kernels)."""
    import psutil

    server = psutil.Process(pid)
    processes = [server]
    for child in server.children(recursive=True):
        with contextlib.suppress(psutil.Error):
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


class LearnerLab:
    """What labharness.NotebookPage needs of a server: the notebooks' folder and the log."""

    def __init__(self, hub: Hub, user: str):
        self.hub = hub
        self.root_dir = hub.home(user) / COURSE_DIR / "notebooks"

    def log_size(self) -> int:
        return self.hub.log_size()

    def log_since(self, offset: int) -> str:
        return self.hub.log_since(offset)


def pull_link(hub: Hub) -> str:
    links = re.findall(r"^\s*(http\S+/hub/user-redirect/git-pull\?\S+)$", hub.banner, re.M)
    assert len(links) == 1, f"hub/run.py printed no nbgitpuller link:\n{hub.banner}"
    return links[0]


def sessions(hub: Hub, user: str) -> dict[str, str]:
    """The learner's open notebooks and their kernels' names: {path: kernel name}."""
    token = hub.token_of(user)
    found = hub.http("GET", f"/user/{user}/api/sessions", token=token).json()
    return {s["path"]: s["kernel"]["name"] for s in found}


# Run All is over when no cell waits ("[*]") and every non-empty code cell shows "[n]", whatever
# the kernel is doing since (it may already be culled: the test's timeout is short).
ALL_RAN = """() => {
    const cells = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')];
    const prompt = c => c.querySelector('.jp-InputPrompt').textContent;
    const source = c => ((c.querySelector('.cm-content') || {}).textContent || '').trim();
    return cells.length > 0 && !cells.some(c => prompt(c).includes('*'))
        && cells.every(c => /\\[\\d+\\]/.test(prompt(c)) || source(c) === '');
}"""


def run_first_code_cell(nb: NotebookPage) -> None:
    """Shift+Enter in the notebook's first code cell: the kernel runs something (activity)."""
    nb.notebook.locator(".jp-CodeCell .jp-InputArea-editor").first.click()
    nb.page.keyboard.press("Shift+Enter")


def test_learners_pull_the_learner_edition_and_idle_kernels_are_culled(hub, browser):
    link = pull_link(hub)
    assert "01_data.ipynb" in link and f"targetpath={COURSE_DIR}" in link
    course = Path(hub.course_url.removeprefix("file://"))
    ada = LEARNERS[0]
    started = time.time()
    contexts, pages, memory, timings = [], {}, {}, {}

    def lap(what: str) -> None:
        timings[what] = round(time.time() - started, 1)

    try:
        for user in LEARNERS:  # all at once, as a class does: the link, the hub's login form
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            contexts.append(context)
            nb = NotebookPage(context.new_page(), LearnerLab(hub, user), "01_data.ipynb")
            nb.page.goto(link)
            nb.page.locator("#username_input").fill(user)
            nb.page.locator("#password_input").fill(hub.passwords[user])
            nb.page.locator("#login_submit").click()
            pages[user] = nb
        # Everyone's 01_data opens and runs at once, and ada opens 05_training as well once her
        # copy is pulled: polled in turn, as each page gets there. Each kernel runs as soon as it
        # starts, and ada keeps working in each of hers that has run (01's first code cell
        # again, a slider press in 05): both her kernels must be live when her memory is
        # measured, and the culler takes any kernel idle for KERNEL_IDLE_TIMEOUT.
        notebooks, state, second = dict(pages), dict.fromkeys(pages, "opening"), None
        deadline = time.monotonic() + PAGE_TIMEOUT / 1000
        while second is None or set(state.values()) != {"ran"}:
            assert time.monotonic() < deadline, f"not run in time: {state}"
            if second is None and pages[ada].notebook.is_visible():  # her copy is pulled
                second = NotebookPage(contexts[0].new_page(), LearnerLab(hub, ada),
                                      "05_training.ipynb")  # fmt: skip
                # In a workspace of its own: a second tab in the default one is sent to a
                # clone of it, which holds 01_data as well (a CI run met two notebooks there).
                lab = pages[ada].page.url.split("/lab")[0] + "/lab/workspaces/second"
                second.page.goto(f"{lab}/tree/{COURSE_DIR}/notebooks/05_training.ipynb",
                                 wait_until="commit")  # fmt: skip
                notebooks["05"], state["05"] = second, "opening"
            for name, nb in notebooks.items():
                if (
                    state[name] == "opening"
                    and nb.notebook.is_visible()
                    and nb.page.evaluate(KERNEL_IDLE)
                ):
                    nb.menu("Run", "Run All Cells")
                    state[name] = "running"
                    user, path = (ada, "05_training") if name == "05" else (name, "01_data")
                    assert f"/user/{user}/lab" in nb.page.url and path in nb.page.url
                    # The learner edition as published, in the course's own kernel.
                    running = sessions(hub, user)
                    assert running[f"{COURSE_DIR}/notebooks/{path}.ipynb"] == "one-neuron"
                elif state[name] == "running" and nb.page.evaluate(ALL_RAN):
                    state[name] = "ran"
                    if name not in (ada, "05"):  # measured now, before its kernel is culled
                        memory[f"{name}, 01_data open"] = memory_of(
                            hub.server(name)["state"]["pid"]
                        )[0]
            if state[ada] == "ran":
                run_first_code_cell(pages[ada])
            if state.get("05") == "ran":
                explorer = second.notebook.locator(".nc-explorer").first
                explorer.scroll_into_view_if_needed()
                press_first_slider(explorer)
            pages[ada].page.wait_for_timeout(3000)
        lap("all ran")
        for user, nb in pages.items():
            nb.assert_no_errors(f"after Run All Cells ({user})")
            copy = hub.home(user) / COURSE_DIR
            assert (copy / "notebooks" / "01_data.ipynb").read_bytes() == (
                course / "notebooks" / "01_data.ipynb"
            ).read_bytes()
            assert not (copy / "instructor").exists() and not (copy / "tests").exists()
            toasts = nb.page.locator(".jp-toast-message, .Toastify__toast").all_inner_texts()
            assert not [t for t in toasts if "news" in t.lower()], f"a news pop-up: {toasts}"
        second.assert_no_errors("after Run All Cells and a slider (05_training)")
        figures, kernels = memory_of(hub.server(ada)["state"]["pid"])
        memory[f"{ada}, 01_data and 05_training open"] = figures
        assert len(kernels) == 2, f"{ada}: {len(kernels)} kernels with two notebooks open"
        assert set(sessions(hub, ada).values()) == {"one-neuron"}
        lap("ada's memory with two kernels")

        # ada works on in 05 (a slider press every 3 s); 01's kernel idles: it is culled.
        # Waited on by the server's sessions, what is asserted (not by counting kernel
        # processes, which a process starting or ending under load could end early).
        first = f"{COURSE_DIR}/notebooks/01_data.ipynb"
        deadline = time.monotonic() + KERNEL_IDLE_TIMEOUT + 90
        while first in sessions(hub, ada) and time.monotonic() < deadline:
            press_first_slider(explorer)
            time.sleep(3)
        left = sessions(hub, ada)
        assert list(left) == [f"{COURSE_DIR}/notebooks/05_training.ipynb"], (
            f"after {KERNEL_IDLE_TIMEOUT} s idle, ada's kernels: {left}"
        )
        lap("ada's idle kernel culled")
        memory[f"{ada}, both open, 01_data's idle kernel culled"] = memory_of(
            hub.server(ada)["state"]["pid"]
        )[0]
    except BaseException:
        for user, nb in pages.items():
            with contextlib.suppress(Exception):
                nb.screenshot(f"-hub-{user}-FAILED")
        (ARTIFACTS / "hub-FAILED.log").write_text(hub.log_since(0))
        raise
    finally:
        for context in contexts:
            with contextlib.suppress(Exception):
                context.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "hub-memory.json").write_text(
        json.dumps({"memory": memory, "seconds since the first click": timings}, indent=2)
    )
    print("memory per learner", json.dumps(memory, indent=2), "timings", timings)


# ---------------------------------------------------------------------------------------------
# nbgrader's cycle on the hub: release, fetch, answer, submit, collect, autograde, feedback, export
# ---------------------------------------------------------------------------------------------

GRADING_LESSON = "01_data.ipynb"  # the assignment, one lesson long: two exercises, autograded fast
# ada fetches, submits and fetches her feedback in JupyterLab's Assignments panel (Chromium);
# grace and alan with nbgrader's commands, as their Unix users. What each hands in:
ANSWERS = {"ada": "right", "grace": "blank", "alan": "mistake"}
# alan's typical mistake: the raw reading, not scaled (x = C/100), in the second exercise only.
MISTAKE = {"predict_fahrenheit": "def predict_fahrenheit(celsius, w, b):\n"
                                 "    return w * celsius + b\n"}  # fmt: skip

# Run as a learner: their fetched notebook's answer cells (nbgrader's grade_id: the function's
# name) get the sources given, with nbformat, as they would type them.
ANSWER = r"""
import json, sys
import nbformat
path, answers = sys.argv[1], json.loads(sys.argv[2])
nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
written = []
for cell in nb.cells:
    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
    if cell.metadata.get("nbgrader", {}).get("solution") and grade_id in answers:
        cell.source = answers[grade_id]
        written.append(grade_id)
assert sorted(written) == sorted(answers), (written, list(answers))
nbformat.write(nb, path)
"""


def as_user(hub: Hub, user: str, *args: str, cwd: Path | None = None,
            check: bool = True) -> subprocess.CompletedProcess:  # fmt: skip
    """A command as jupyter-<user>, with the environment the hub gives their terminal: the
    learners' environment first on PATH and the hub's config (nbgrader's exchange, course id)."""
    entry = pwd.getpwnam(f"jupyter-{user}")
    env = {
        "HOME": entry.pw_dir, "USER": entry.pw_name, "LANG": "C.UTF-8",
        "PATH": f"{hub.learner_env / 'bin'}:/usr/bin:/bin",
        "JUPYTER_CONFIG_PATH": str(hub.hub_dir / "share" / "config"),
        "JUPYTER_PATH": str(hub.hub_dir / "share" / "jupyter"),
    }  # fmt: skip
    run = subprocess.run(
        args, user=entry.pw_uid, group=entry.pw_gid, extra_groups=[], env=env,
        cwd=cwd or entry.pw_dir, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if check:
        assert run.returncode == 0, f"{user}: {' '.join(args)}:\n{run.stdout}{run.stderr}"
    return run


def nbgrader_as(hub: Hub, user: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return as_user(hub, user, str(hub.learner_env / "bin" / "nbgrader"), *args, **kwargs)


def course_folder(hub: Hub) -> Path:
    """`scripts/editions.py assignment` (the source of GRADING_LESSON, generated), built with the
    hub's Python (it has nbgrader) into the instructor's home, theirs: ~/course."""
    import learners

    entry = learners.ensure_unix_user(INSTRUCTOR, hub.hub_dir / "homes")
    lesson = hub.workdir / "lesson"
    lesson.mkdir()
    shutil.copyfile(REPO / "instructor" / GRADING_LESSON, lesson / GRADING_LESSON)
    course = Path(entry.pw_dir) / "course"
    subprocess.run(
        [str(hub.learner_env / "bin" / "python"), str(REPO / "scripts" / "editions.py"),
         "assignment", str(lesson), str(course)],
        cwd=REPO, check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    for folder, _dirs, files in os.walk(course):
        for name in [folder, *(os.path.join(folder, f) for f in files)]:
            os.chown(name, entry.pw_uid, entry.pw_gid)
    return course


def right_answers() -> dict[str, str]:
    """The instructor's solutions of GRADING_LESSON, without nbgrader's markers."""
    import nbformat

    nb = nbformat.read(REPO / "instructor" / GRADING_LESSON, as_version=4)
    return {ed.exercise_name(cell): ed.without_markers(cell.source)
            for cell in ed.exercise_cells(nb)}  # fmt: skip


def answer(hub: Hub, user: str, answers: dict[str, str]) -> None:
    fetched = hub.home(user) / "one_neuron" / GRADING_LESSON
    if answers:
        as_user(hub, user, str(hub.learner_env / "bin" / "python"), "-c", ANSWER,
                str(fetched), json.dumps(answers))  # fmt: skip


def lab_menu(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-item", has_text=re.compile(rf"^{re.escape(menu)}$")).click()
    page.locator(".lm-Menu-content .lm-Menu-item:not(.lm-mod-disabled)",
                 has_text=re.compile(rf"^{re.escape(item)}$")).click()  # fmt: skip


def test_nbgrader_round_trip_on_the_hub(hub, browser):
    """The instructor releases; three learners fetch (ada in JupyterLab's Assignments panel),
    answer (right, blank, a typical mistake) and submit; the instructor collects, autogrades,
    generates and releases feedback and exports; the learners fetch their feedback."""
    import csv

    ada, grace, alan = ANSWERS
    timings, started = {}, time.time()

    def lap(what: str) -> None:
        timings[what] = round(time.time() - started, 1)

    # grace's and alan's commands run side by side, and beside ada's clicks (threads: each
    # waits on its subprocess; the browser stays in this thread).
    pool = ThreadPoolExecutor(max_workers=2)
    building = pool.submit(course_folder, hub)
    # ada's JupyterLab opens while the course builds, on a server started now (one left from a
    # test above may be about to be culled: 30 s idle here); once open, it keeps the server
    # from the idle culler. JupyterHub starts no server from a /user/ address: the API does.
    if hub.server(ada) is not None:
        hub.api("DELETE", f"/users/{ada}/server")
        wait_for("ada's old server to stop", lambda: hub.server(ada) is None)
    hub.start_servers(ada)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(f"{hub.url}/hub/login?next=%2Fuser%2F{ada}%2Flab")
        page.locator("#username_input").fill(ada)
        page.locator("#password_input").fill(hub.passwords[ada])
        page.locator("#login_submit").click()
        page.locator(".lm-MenuBar-item").first.wait_for(timeout=PAGE_TIMEOUT)
        lap("ada's JupyterLab open")
        course = building.result()
        assert (hub.hub_dir / "share" / "config" / "nbgrader_config.py").read_text().count(
            repr(ed.ASSIGNMENT)
        ) == 1, "the hub's course id is not the course folder's"
        lap("course folder built")
        nbgrader_as(hub, INSTRUCTOR, "release_assignment", ed.ASSIGNMENT, cwd=course)
        exchange = hub.hub_dir / "exchange" / ed.ASSIGNMENT
        assert oct((exchange / "inbound").stat().st_mode & 0o7777) == "0o2733"
        lap("released")
        by_command = [pool.submit(nbgrader_as, hub, user, "fetch_assignment", ed.ASSIGNMENT)
                      for user in (grace, alan)]  # fmt: skip

        # ada: Nbgrader > Assignment List, Fetch. The menu has no formgrader or course list.
        page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Nbgrader$")).click()
        items = page.locator(".lm-Menu-content .lm-Menu-item").all_inner_texts()
        assert any("Assignment List" in item for item in items), items
        assert not [i for i in items if "Formgrader" in i or "Course List" in i], items
        page.keyboard.press("Escape")
        lab_menu(page, "Nbgrader", "Assignment List")
        released = page.locator("#released_assignments_list .list_item", has_text=ed.ASSIGNMENT)
        released.locator("button", has_text="Fetch").click(timeout=60_000)
        fetched = page.locator("#fetched_assignments_list .list_item", has_text=ed.ASSIGNMENT)
        fetched.first.wait_for(timeout=60_000)
        assert (hub.home(ada) / "one_neuron" / GRADING_LESSON).exists()
        for job in by_command:
            job.result()
        lap("fetched by all, ada in JupyterLab")

        right = right_answers()

        def answer_and_submit(user: str, answers: dict[str, str]) -> None:
            answer(hub, user, answers)
            nbgrader_as(hub, user, "submit", ed.ASSIGNMENT)

        by_command = [pool.submit(answer_and_submit, grace, {}),  # blank: the stubs as fetched
                      pool.submit(answer_and_submit, alan, {**right, **MISTAKE})]  # fmt: skip
        answer(hub, ada, right)
        fetched.locator("button", has_text="Submit").first.click()
        page.locator("#submitted_assignments_list .list_item").first.wait_for(timeout=60_000)
        for job in by_command:
            job.result()
        lap("submitted")

        # The instructor, as their Unix user, in their course folder.
        for step in (["collect"], ["autograde"], ["generate_feedback"], ["release_feedback"]):
            nbgrader_as(hub, INSTRUCTOR, *step, ed.ASSIGNMENT, cwd=course)
            lap(step[0])
            if step == ["autograde"]:  # their JupyterLab starts meanwhile: it has a formgrader
                hub.api("POST", f"/users/{INSTRUCTOR}/server", {})
        nbgrader_as(hub, INSTRUCTOR, "export", cwd=course)
        lap("export")

        by_command = [pool.submit(nbgrader_as, hub, user, "fetch_feedback", ed.ASSIGNMENT)
                      for user in (grace, alan)]  # fmt: skip
        page.locator("#refresh_assignments_list").click()
        submitted = page.locator("#submitted_assignments_list")
        submitted.locator("button", has_text="Fetch Feedback").first.click(timeout=60_000)
        submitted.get_by_text("view feedback").first.wait_for(timeout=60_000)
        for job in by_command:
            job.result()
        lap("feedback fetched")
    except BaseException:
        with contextlib.suppress(Exception):
            page.screenshot(path=str(ARTIFACTS / "hub-grading-FAILED.png"))
        print("nbgrader on the hub, seconds since the start:", timings)
        raise
    finally:
        pool.shutdown(wait=True)
        context.close()

    # Scores per exercise: right full marks, blank 0, the mistake 0 on its exercise only.
    with open(course / "grades.csv", newline="") as f:
        grades = {row["student_id"]: row for row in csv.DictReader(f)}
    exercises = list(right)
    assert exercises == ["to_celsius_units", "predict_fahrenheit"]
    expected = {
        ada: dict.fromkeys(exercises, ed.POINTS),
        grace: dict.fromkeys(exercises, 0),
        alan: {"to_celsius_units": ed.POINTS, "predict_fahrenheit": 0},
    }
    for user, points in expected.items():
        row = grades[f"jupyter-{user}"]
        assert {name: float(row[name]) for name in exercises} == points, (user, row)
        assert float(row["score"]) == sum(points.values()), (user, row)
        assert float(row["max_score"]) == ed.POINTS * len(exercises)

    # Feedback reached each learner's home, with the checker's verdict and hint.
    for user in ANSWERS:
        feedback = hub.home(user) / "one_neuron" / "feedback"
        pages = list(feedback.glob(f"*/{Path(GRADING_LESSON).stem}.html"))
        assert len(pages) == 1, (user, pages)
        html = pages[0].read_text()
        if user == alan:
            assert "✘" in html and "Hint:" in html, "alan's feedback has no verdict and hint"
        # The verdict is the check's whole message: no traceback into the library.
        assert "most recent call last" not in html and "neuron_checks.py" not in html, user

    # A learner cannot list the submissions (inbound/ is write-only for them), nor read the
    # instructor's course folder (the submissions collected, the gradebook), nor the formgrader.
    probe = run_as(hub, grace, [str(exchange / "inbound"), str(exchange / "feedback"),
                                str(course), str(course / "gradebook.db")])  # fmt: skip
    assert set(probe["results"].values()) == {"PermissionError"}, probe["results"]
    token = hub.token_of(ada)  # her server runs: it has the Assignments panel's API only
    listing = hub.http("GET", f"/user/{ada}/assignments?course_id={ed.ASSIGNMENT}", token=token)
    assert listing.status_code == 200 and ed.ASSIGNMENT in listing.text
    for path in ("formgrader", "formgrader/api/assignments", "formgraders"):
        assert hub.http("GET", f"/user/{ada}/{path}", token=token).status_code == 404, path
    # The instructor's server has the formgrader, on the course folder (~/course).
    hub.start_servers(INSTRUCTOR)
    graded = hub.http("GET", f"/user/{INSTRUCTOR}/formgrader/api/assignments",
                      token=hub.token_of(INSTRUCTOR))  # fmt: skip
    assert graded.status_code == 200, graded.status_code
    assert [a["name"] for a in graded.json()] == [ed.ASSIGNMENT], graded.text[:500]
    lap("checked")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "hub-grading.json").write_text(json.dumps(timings, indent=2))
    print("nbgrader on the hub, seconds since the start:", timings)


def test_an_idle_server_is_culled(hub):
    """A learner who closed her tab: her server is stopped by the idle culler (it ran in the
    tests above; alone, this test starts it)."""
    if f"Culling server {IDLE_LEARNER}" not in hub.log_since(0):
        hub.start_servers(IDLE_LEARNER)
    deadline = time.monotonic() + IDLE_TIMEOUT + 60
    while time.monotonic() < deadline and (
        hub.server(IDLE_LEARNER) is not None or "Culling server" not in hub.log_since(0)
    ):
        time.sleep(1)
    assert hub.server(IDLE_LEARNER) is None, f"{IDLE_LEARNER}'s idle server still runs"
    assert f"Culling server {IDLE_LEARNER}" in hub.log_since(0), "stopped, but not by the culler"
