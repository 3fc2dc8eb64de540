"""JupyterLab in headless Chromium, for the browser tests and the browser benchmark.

A plain module, not a test file: tests/test_browser.py (with the fixtures of tests/conftest.py)
and scripts/bench_browser.py import it.

* ``running_lab``: ``jupyter lab`` from this venv on 127.0.0.1, a free port, a random token,
  throwaway config dirs, stopped on exit (``LabServer``);
* ``find_chromium`` and ``CHROMIUM_ARGS``: Debian's chromium, as playwright must launch it;
* ``keep_offline``: a page that may load files from disk and nothing from the network;
* ``NotebookPage``: a notebook open in a page, run from the menus, and every error it shows: in
  its cells, on the kernel's websocket (``KernelMessages``), in the server's log;
* ``ExplorerView``: an explorer's sliders, buttons, readout and plot in that page.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
ARTIFACTS = REPO / "tests" / "artifacts"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
SERVER_START_TIMEOUT = 60  # s until /api/status answers
KERNEL_TIMEOUT = 60_000  # ms until the kernel is idle, and until Run All Cells has finished
CHANGE_TIMEOUT = 30_000  # ms until the readout and the plot react to a slider or a button

# What a learner would otherwise click away or never meet: the news consent toast, the update
# check, the kernel-restart dialog. Autosave is off: running the notebooks here must never
# rewrite the committed notebooks (NotebookPage.all_errors fails the test on any save).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/apputils-extension/sessionDialogs": {"skipKernelRestartDialog": True},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
}



# ---------------------------------------------------------------------------------------------
# Chromium, the JupyterLab server
# ---------------------------------------------------------------------------------------------


def find_chromium() -> str | None:
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def wait_for(what: str, ready, timeout: float = 120, every: float = 0.3) -> None:
    """Call ``ready()`` every ``every`` seconds until it is truthy; fail naming ``what`` after
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, f"timed out after {timeout} s: {what}"
        time.sleep(every)


def wait_until(page, expression: str, timeout: float = 10, every: float = 0.05) -> None:
    """Poll ``expression`` in the page until it is truthy. Not playwright's wait_for_function:
    when the condition is not true at once, it polls with a function it compiles in the page,
    which a page whose Content-Security-Policy has no 'unsafe-eval' (the static explorer page)
    refuses now and then."""
    wait_for(expression, lambda: page.evaluate(expression), timeout, every=every)


def keep_offline(target, files: list[str] | None = None) -> list[str]:
    """Route every request of a playwright page or context: files on disk go through (their
    URLs appended to `files`, if given); anything else is aborted. Returns the list the aborted
    URLs are appended to, for the test to assert empty. (data: URLs never reach a route.)"""
    outside: list[str] = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith("file://"):
            if files is not None:
                files.append(url)
            request_route.continue_()
        else:
            outside.append(url)
            request_route.abort()

    target.route("**/*", route)
    return outside


def without_event_loop(function, *args):
    """function(*args) in a new thread, where no asyncio event loop runs. Playwright's sync API
    leaves its loop marked as running in the thread that uses it, so a test that runs after a
    browser test in the same process would otherwise see one (asyncio.run refuses to start, an
    explorer believes a front end is there to animate it)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(function, *args).result()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerLog:
    """Reading a server's log file, ``self.log_path``: what a test checks after an action."""

    log_path: Path

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_since(self, offset: int) -> str:
        with open(self.log_path, "rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", "replace")

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_since(0)[-chars:] if self.log_path.exists() else "(no log)"


class LabServer(ServerLog):
    """``jupyter lab`` from this venv on 127.0.0.1, with a random token and throwaway dirs."""

    def __init__(self, root_dir: Path, workdir: Path):
        self.root_dir = root_dir
        self.workdir = workdir
        self.token = secrets.token_hex(24)
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.log_path = workdir / "jupyter-lab.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def notebook_url(self, name: str) -> str:
        """The notebook, alone in a new JupyterLab workspace named after it.

        /lab/tree/<name> would open it in the default workspace, which still holds the tabs of
        the previous test: JupyterLab would reopen them and start their kernels as well.
        """
        workspace = re.sub(r"[^A-Za-z0-9_-]", "-", Path(name).stem)
        return f"{self.url}/lab/workspaces/{workspace}/tree/{name}?token={self.token}"

    def start(self) -> None:
        config_dir = self.workdir / "config"
        settings_dir = config_dir / "lab" / "user-settings"
        for plugin, settings in LAB_SETTINGS.items():
            path = settings_dir / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(settings, indent=2))
        env = dict(os.environ)
        for name in ("JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR", "JUPYTER_PATH"):
            env.pop(name, None)
        # The user-level dirs only: the venv's share/jupyter, where the ipywidgets labextension
        # and the python3 kernel live, stays on the path.
        env.update(
            JUPYTER_CONFIG_DIR=str(config_dir),
            JUPYTER_DATA_DIR=str(self.workdir / "data"),
            JUPYTER_RUNTIME_DIR=str(self.workdir / "runtime"),
            IPYTHONDIR=str(self.workdir / "ipython"),
            JUPYTER_PREFER_ENV_PATH="1",
            PYDEVD_DISABLE_FILE_VALIDATION="1",
        )
        jupyter = Path(sys.executable).parent / "jupyter"
        for _attempt in range(3):  # the free port may be taken before the server binds it
            self.port = free_port()
            command = [
                str(jupyter), "lab",
                "--no-browser",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={self.port}",
                "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={self.root_dir}",
                f"--LabApp.user_settings_dir={settings_dir}",
                f"--LabApp.workspaces_dir={self.workdir / 'workspaces'}",
                "--LabApp.news_url=None",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                "--LabApp.extension_manager=readonly",
            ]  # fmt: skip
            if hasattr(os, "geteuid") and os.geteuid() == 0:
                command.append("--allow-root")
            with open(self.log_path, "ab") as log:
                # A process group of its own, so that a kill reaches its kernels too.
                self.process = subprocess.Popen(
                    command, cwd=self.workdir, env=env, stdin=subprocess.DEVNULL,
                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                )  # fmt: skip
            if self._wait_until_up():
                return
            self.stop()
        raise RuntimeError(f"jupyter lab did not start; its log ends:\n{self.log_tail()}")

    def _wait_until_up(self) -> bool:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=2):
                    return True
            except OSError:  # URLError included: not listening yet
                time.sleep(0.2)
        return False

    def stop(self) -> None:
        """SIGTERM (the server shuts its kernels down), SIGKILL to its group after 10 s."""
        stop_process(self.process, grace=10)

    def api(self, method: str, path: str):
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        for session in self.api("GET", "/api/sessions"):
            self.api("DELETE", f"/api/sessions/{session['id']}")



@contextlib.contextmanager
def running_lab(root_dir: Path):
    with tempfile.TemporaryDirectory(prefix="one-neuron-lab-") as workdir:
        server = LabServer(root_dir, Path(workdir))
        try:
            server.start()
            yield server
        finally:
            server.stop()



# ---------------------------------------------------------------------------------------------
# Kernel messages
# ---------------------------------------------------------------------------------------------

ERROR_IN_TEXT = re.compile(r"Traceback|\b\w*(Error|Exception|Warning)\b")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def decode_kernel_frame(payload: str | bytes) -> tuple[dict, dict, dict]:
    """The header, parent header and content of a kernel websocket frame.

    JupyterLab 4 speaks the binary v1.kernel.websocket.jupyter.org protocol when the server offers
    it: a count n, n little-endian uint64 offsets, then channel, header, parent_header, metadata,
    content and buffers. The legacy protocol sends the message as JSON text.
    """
    if isinstance(payload, str):
        message = json.loads(payload)
        return tuple(message.get(part, {}) for part in ("header", "parent_header", "content"))
    count = int.from_bytes(payload[:8], "little")
    offsets = [int.from_bytes(payload[8 * (i + 1) : 8 * (i + 2)], "little") for i in range(count)]
    parts = [payload[a:b] for a, b in zip(offsets, offsets[1:], strict=False)]
    return json.loads(parts[1]), json.loads(parts[2]), json.loads(parts[4])


@dataclass
class KernelMessages:
    """Every frame that a page receives on a kernel websocket."""

    frames: list[str | bytes] = field(default_factory=list)

    def attach(self, page) -> None:
        def on_frame(payload):
            self.frames.append(payload)

        def on_websocket(ws):
            if "/api/kernels/" in ws.url:
                ws.on("framereceived", on_frame)

        page.on("websocket", on_websocket)

    def problems(self) -> list[str]:
        """Tracebacks, and stderr that names an error or a warning, from outside any cell.

        What an execute_request (a cell) causes shows in its cell: NotebookPage checks those.
        """
        found = []
        for frame in self.frames:
            try:
                header, parent, content = decode_kernel_frame(frame)
            except (ValueError, IndexError, AttributeError):
                raw = frame.decode("utf-8", "replace") if isinstance(frame, bytes) else frame
                if re.search(r'"msg_type":\s*"error"', raw):
                    found.append(raw)
                continue
            if parent.get("msg_type") == "execute_request":
                continue
            kind = header.get("msg_type")
            if kind == "error":
                text = "\n".join(content.get("traceback") or [])
                found.append(text or f"{content.get('ename')}: {content.get('evalue')}")
            elif kind == "stream" and content.get("name") == "stderr":
                if ERROR_IN_TEXT.search(content.get("text", "")):
                    found.append(content["text"])
        return [ANSI.sub("", text)[-4000:] for text in found]


# ---------------------------------------------------------------------------------------------
# A notebook in JupyterLab
# ---------------------------------------------------------------------------------------------

# The status bar reads "Python 3 (ipykernel) | Idle" once the kernel is connected and idle
# (the toolbar's execution indicator says idle before the kernel has even started).
KERNEL_IDLE = """() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
    .some(e => /\\|\\s*Idle$/.test(e.textContent.trim()))"""

NO_RUN_PROMPTS = """() => ![...document.querySelectorAll('.jp-Notebook .jp-InputPrompt')]
    .some(p => /\\d/.test(p.textContent))"""

# Run All is over when the kernel is idle and every non-empty code cell shows "[n]:". A failing
# cell stops it, leaving the later cells at "[ ]": an error output ends the wait as well.
RUN_ALL_DONE = (
    """() => {
    const cells = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')];
    const prompt = c => c.querySelector('.jp-InputPrompt').textContent;
    const source = c => ((c.querySelector('.cm-content') || {}).textContent || '').trim();
    const idle = """
    + KERNEL_IDLE
    + """;
    if (cells.some(c => prompt(c).includes('*')) || !idle()) return false;
    const stderr = '.jp-Notebook [data-mime-type="application/vnd.jupyter.stderr"]';
    return document.querySelector(stderr) !== null
        || cells.every(c => /\\[\\d+\\]/.test(prompt(c)) || source(c) === '');
}"""
)


def report(errors: list[str]) -> str:
    """Each error ("where:", a newline, the text) once, its text's last line beside "where:".

    A traceback's last line names the exception; the rest of it follows.
    """
    parts = []
    for error in dict.fromkeys(errors):
        where, _, text = error.partition("\n")
        last = [line.strip() for line in text.splitlines() if line.strip()][-1:]
        parts.append(f"{where} {last[0] if last else ''}\n{text}")
    return "\n\n".join(parts)


# For each cell: the texts of its stderr outputs and of its widgets that failed to render.
# textContent, not innerText: it does not depend on layout, which the browser may skip for cells
# out of view (JupyterLab's windowingMode "contentVisibility").
CELL_PROBLEMS = """() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')].map(cell => [
    ...cell.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]'),
    ...[...cell.querySelectorAll('.jp-OutputArea-output')]
        .filter(o => o.textContent.includes('Error displaying widget')),
].map(e => e.textContent))"""


class NotebookPage:
    """One notebook, open in a browser page of its own."""

    def __init__(self, page, lab: LabServer, name: str, artifacts: Path = ARTIFACTS):
        self.page = page
        self.lab = lab
        self.name = name
        self.artifacts = artifacts
        self.messages = KernelMessages()
        self.messages.attach(page)
        self.log_offset = lab.log_size()
        self.notebook = page.locator(".jp-NotebookPanel .jp-Notebook")
        # Every request must stay on this machine: nothing from a CDN (blob: and data: are the
        # page's own, such as the explorers' ES module and plots).
        self.outside: list[str] = []
        page.on("request", self._check_request)

    def _check_request(self, request) -> None:
        url = request.url
        if not re.match(r"^(http|ws)s?://127\.0\.0\.1[:/]|^(blob|data|about):", url):
            self.outside.append(url)

    def open(self) -> None:
        self.page.goto(self.lab.notebook_url(self.name))
        self.notebook.wait_for(timeout=KERNEL_TIMEOUT)
        self.wait_for_kernel_idle()
        # More room for the notebook in the screenshots: fold the file browser away.
        current_tab = self.page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
        if current_tab.count():
            current_tab.first.click()

    def wait_for_kernel_idle(self) -> None:
        self.page.wait_for_function(KERNEL_IDLE, timeout=KERNEL_TIMEOUT)

    def menu(self, menu: str, item: str) -> None:
        self.page.locator(".lm-MenuBar-item", has_text=re.compile(rf"^{re.escape(menu)}$")).click()
        self.page.locator(
            ".lm-Menu-content .lm-Menu-item:not(.lm-mod-disabled)",
            has_text=re.compile(rf"^{re.escape(item)}$"),
        ).click()

    def run_all(self) -> None:
        """Edit > Clear Outputs of All Cells, Run > Run All Cells, and wait until all ran.

        Clearing first turns every prompt to "[ ]", so that "[n]" everywhere means: ran here.
        """
        self.menu("Edit", "Clear Outputs of All Cells")
        self.page.wait_for_function(NO_RUN_PROMPTS, timeout=KERNEL_TIMEOUT)
        self.menu("Run", "Run All Cells")
        self.page.wait_for_function(RUN_ALL_DONE, timeout=KERNEL_TIMEOUT)

    def notebook_errors(self) -> list[str]:
        """Errors in the cells' outputs: tracebacks (JupyterLab renders an error as it renders
        stderr, as application/vnd.jupyter.stderr), stderr that names an error or a warning,
        widgets that failed to render. A cell tagged raises-exception may fail."""
        cells = json.loads((self.lab.root_dir / self.name).read_text())["cells"]
        may_fail = {
            i
            for i, cell in enumerate(cells)
            if "raises-exception" in cell["metadata"].get("tags", [])
        }
        outputs = self.page.evaluate(CELL_PROBLEMS)
        if len(outputs) != len(cells):  # cells missing from the page: excuse none
            may_fail = set()
        return [
            text
            for i, texts in enumerate(outputs)
            if i not in may_fail
            for text in texts
            if ERROR_IN_TEXT.search(text)
        ]

    def all_errors(self) -> list[str]:
        found = [f"in the notebook:\n{text}" for text in self.notebook_errors()]
        found += [f"from the kernel:\n{text}" for text in self.messages.problems()]
        log = self.lab.log_since(self.log_offset)
        if "Traceback" in log:
            start = max(0, log.index("Traceback") - 200)
            found.append(f"in the server log:\n{log[start:][:4000]}")
        found += [
            f"JupyterLab saved a file; these tests must leave the notebooks alone:\n{line}"
            for line in log.splitlines()
            if "Saving file at" in line
        ]
        found += [f"a request left 127.0.0.1:\n{url}" for url in dict.fromkeys(self.outside)]
        return found

    def assert_no_errors(self, when: str) -> None:
        errors = self.all_errors()
        assert not errors, f"{self.name}: errors {when}:\n\n" + report(errors)

    def screenshot(self, suffix: str = "") -> Path:
        self.artifacts.mkdir(parents=True, exist_ok=True)
        path = self.artifacts / f"{Path(self.name).stem}{suffix}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


# ---------------------------------------------------------------------------------------------
# An explorer in the notebook
# ---------------------------------------------------------------------------------------------

# The SHA-256 of what the plot shows, or null while it shows nothing yet. The explorers draw on a
# canvas over a PNG of the figure's static part (neuron_explorers.js): hash the canvas's pixels
# and the PNG's address. An <img class="nc-plot"> alone (a test's own widget): its PNG.
PLOT_HASH = """async plot => {
    const hex = async bytes => [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))]
        .map(b => b.toString(16).padStart(2, '0')).join('');
    if (plot.tagName === 'CANVAS') {
        const img = plot.parentElement.querySelector('img');
        if (!plot.width || !img || !img.complete || !img.naturalWidth) return null;
        return hex(new TextEncoder().encode(plot.toDataURL() + img.src));
    }
    if (!plot.complete || !plot.naturalWidth) return null;
    try {
        return hex(await (await fetch(plot.src)).arrayBuffer());
    } catch (e) {
        return null;  // the widget revoked this blob URL for a newer plot: ask again
    }
}"""


class ExplorerView:
    """The explorer's widgets, found by their CSS classes and their descriptions."""

    def __init__(self, nb: NotebookPage, css_class: str):
        self.nb = nb
        self.page = nb.page
        explorers = nb.notebook.locator(f".nc-explorer.{css_class}")
        explorers.first.wait_for(timeout=CHANGE_TIMEOUT)
        assert explorers.count() == 1, f"{nb.name}: {explorers.count()} .{css_class} explorers"
        self.root = explorers.first
        self.root.scroll_into_view_if_needed()
        self.plot = self.root.locator("canvas.nc-canvas, img.nc-plot")
        self.readout = self.root.locator(".nc-readout")
        self.root.locator("canvas.nc-canvas, img.nc-plot").first.wait_for(timeout=CHANGE_TIMEOUT)
        assert self.plot.count() == 1, f"{nb.name}: {self.plot.count()} plots in the explorer"
        assert self.readout.count() == 1, f"{nb.name}: {self.readout.count()} .nc-readout"

    def slider(self, description: str):
        """The noUiSlider handle (it takes the keyboard) of the slider with this description."""
        label = self.page.locator(
            ".widget-label", has_text=re.compile(rf"^\s*{re.escape(description)}\s*$")
        )
        sliders = self.root.locator(".widget-slider", has=label)
        assert sliders.count() == 1, f"{self.nb.name}: {sliders.count()} sliders {description!r}"
        return sliders.locator(".noUi-handle")

    def button(self, text: str):
        return self.root.get_by_role("button", name=text, exact=True)

    def plot_hash(self) -> str:
        deadline = time.monotonic() + CHANGE_TIMEOUT / 1000
        while time.monotonic() < deadline:
            digest = self.plot.evaluate(PLOT_HASH)
            if digest:
                return digest
            self.page.wait_for_timeout(100)
        raise AssertionError(f"{self.nb.name}: the plot shows nothing")

    def state(self) -> tuple[str, str]:
        """The readout's text and the plot's hash."""
        return self.readout_text(), self.plot_hash()

    def readout_text(self) -> str:
        """The readout's text. textContent: it does not depend on layout, which the browser
        skips for cells out of view (JupyterLab's windowing); <br> becomes a space."""
        return self.readout.evaluate(
            "e => [...e.childNodes].map(n => n.nodeName === 'BR' ? ' ' : n.textContent).join('')"
        ).strip()

    def wait_for_change(self, before: tuple[str, str], what: str) -> tuple[str, str]:
        """Wait until the readout and the plot both differ from before."""
        deadline = time.monotonic() + CHANGE_TIMEOUT / 1000
        now = self.state()
        while time.monotonic() < deadline:
            now = self.state()
            if now[0] != before[0] and now[1] != before[1]:
                # Let a throttled last redraw land before the next step compares against it.
                self.page.wait_for_timeout(300)
                return self.state()
            self.page.wait_for_timeout(100)
        readout = "changed" if now[0] != before[0] else f"stayed {before[0]!r}"
        plot = "changed" if now[1] != before[1] else "stayed the same"
        raise AssertionError(f"{self.nb.name}: after {what} the readout {readout}, plot {plot}")

    def slider_box(self, description: str):
        label = self.page.locator(
            ".widget-label", has_text=re.compile(rf"^\s*{re.escape(description)}\s*$")
        )
        return self.root.locator(".widget-slider", has=label)

    def shown_value(self, description: str) -> str:
        """The value the slider's readout shows."""
        return self.slider_box(description).locator(".widget-readout").text_content().strip()

    def type_value(self, description: str, text: str) -> None:
        """Type a value into the slider's readout and press Enter, as a learner can."""
        readout = self.slider_box(description).locator(".widget-readout")
        readout.click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)
        self.page.keyboard.press("Enter")

    def key_to(self, description: str, shown: str, limit: int = 60) -> None:
        """Arrow keys (from the slider's start) until its readout shows ``shown``."""
        handle = self.slider(description)
        handle.press("Home")
        for _ in range(limit):
            if self.shown_value(description) == shown:
                return
            handle.press("ArrowRight")
        raise AssertionError(f"{self.nb.name}: slider {description!r} never shows {shown!r}")

    def unlabelled_controls(self) -> list[str]:
        """Controls without a visible label: sliders without a description, empty buttons."""
        found = []
        for slider in self.root.locator(".widget-slider").all():
            label = slider.locator(".widget-label")
            if not (label.is_visible() and label.text_content().strip()):
                found.append(slider.inner_html()[:200])
        for button in self.root.locator("button").all():
            if not (button.is_visible() and button.text_content().strip()):
                found.append(button.inner_html()[:200])
        return found

    def press(self, description: str, key: str, times: int = 1) -> None:
        handle = self.slider(description)
        for _ in range(times):
            handle.press(key)

    def nudge(self, description: str) -> None:
        """Three keyboard steps right (left, if the slider sits at its maximum)."""
        handle = self.slider(description)
        value = handle.get_attribute("aria-valuenow")
        self.press(description, "ArrowRight", 3)
        if handle.get_attribute("aria-valuenow") == value:
            self.press(description, "ArrowLeft", 3)
        assert handle.get_attribute("aria-valuenow") != value, (
            f"{self.nb.name}: slider {description!r} does not move with the arrow keys"
        )


# A slider's value and maximum: an ipywidgets (noUiSlider) handle or an <input type=range>.
SLIDER_STATE = """e => [e.getAttribute('aria-valuenow') ?? e.value,
                      e.getAttribute('aria-valuemax') ?? e.max]"""


def press_first_slider(explorer) -> None:
    """Three arrow-key steps (right, or left at the maximum) on the explorer's first slider."""
    handle = explorer.get_by_role("slider").first
    value, maximum = handle.evaluate(SLIDER_STATE)
    for _ in range(3):
        handle.press("ArrowLeft" if value == maximum else "ArrowRight")
    assert handle.evaluate(SLIDER_STATE)[0] != value, "the slider ignores the arrow keys"


def stop_process(process: subprocess.Popen | None, grace: float) -> None:
    """SIGTERM, so that a server can stop what it started; SIGKILL to its process group if it
    has not ended after ``grace`` seconds."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
