"""The training explorer in real JupyterLab and headless Chromium: old renderer against new.

* old: the renderer of commit 9e51c24 (Agg in the kernel, blitting, a PNG per frame into an
  ``ipywidgets.Image``, Play as a kernel task), loaded from git history into a temporary module;
* new: neuron_explorers.py (a PNG of the static part once, the moving part drawn in the browser
  on a canvas, Play in the browser).

For each: key press on the lr slider → plot painted (median, p95), Play's frames painted per
second, the kernel's CPU while Play runs (% of one core) and per slider change (ms), and ten
kernels with Play running at once in one browser (frames painted per second, per page).
Reuses the JupyterLab harness of the browser tests, tests/labharness.py. Run by `make bench`
when chromium is installed, or alone: `python scripts/bench_browser.py`.
"""

import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import numpy as np
import psutil

ROOT = Path(__file__).resolve().parent.parent
# The harness lives with the tests (pytest finds it through pyproject.toml's pythonpath).
sys.path.insert(0, str(ROOT / "tests"))
import labharness  # noqa: E402

OLD_COMMIT = "9e51c24"  # the last commit whose explorers drew every frame in the kernel
SETUP = "import neuron_core as nc\ncelsius, fahrenheit = nc.make_dataset()\n" \
        "x = nc.scale_inputs(celsius)\n"
EXPLORER = {"old": "import old_neuron_ui\nold_neuron_ui.training_explorer(x, fahrenheit)",
            "new": "nc.training_explorer(x, fahrenheit)"}

# Press a key on the slider handle; resolve once the plot shows the new run, after the next
# animation frame (the first paint that can show it). Old: the <img> loads a new PNG. New: the
# canvas is painted (it holds every lr's run, and paints the new one at once).
_KEY_TO_PAINT = """async ([handle, plot, key]) => {
    const painted = new Promise(resolve => plot.addEventListener('EVENT',
        () => requestAnimationFrame(() => resolve(performance.now())), {once: true}));
    const start = performance.now();
    handle.focus();
    handle.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true, cancelable: true}));
    return (await painted) - start;
}"""
KEY_TO_PAINT = {"old": _KEY_TO_PAINT.replace("EVENT", "load"),
                "new": _KEY_TO_PAINT.replace("EVENT", "nc-paint")}

# Start counting the frames the plot paints (old: PNGs loaded; new: canvas paints), in the page,
# with the time of each.
COUNT = {
    "old": """plot => { window.ncFrames = 0; window.ncTimes = [];
        plot.addEventListener('load', () => {
            window.ncFrames += 1; window.ncTimes.push(performance.now()); }); }""",
    "new": """plot => { window.ncFrames = 0; window.ncTimes = [];
        plot.addEventListener('nc-paint', () => {
            window.ncFrames += 1; window.ncTimes.push(performance.now()); }); }""",
}
# Frames per second over `seconds` from 0.5 s after the first frame Play painted.
RATE = """seconds => {
    const times = window.ncTimes;
    if (times.length < 2) return 0;
    const start = times[0] + 500;
    return times.filter(t => t >= start && t < start + seconds * 1000).length / seconds;
}"""
PLOT = {"old": "img.nc-plot", "new": "canvas.nc-canvas"}
ALL_IN_FRONT = ["--disable-renderer-backgrounding", "--disable-background-timer-throttling",
                "--disable-backgrounding-occluded-windows"]


def notebooks(folder: Path, copies: int) -> None:
    """demo_<kind>_<i>.ipynb: the training explorer, old and new, at 1,000 epochs."""
    old = subprocess.run(["git", "show", f"{OLD_COMMIT}:neuron_ui.py"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    (folder / "old_neuron_ui.py").write_text(old)
    for kind, code in EXPLORER.items():
        for i in range(copies):
            cells = [nbformat.v4.new_code_cell(SETUP), nbformat.v4.new_code_cell(code)]
            nb = nbformat.v4.new_notebook(cells=cells)
            nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
            nbformat.write(nb, folder / f"demo_{kind}_{i}.ipynb")


def kernel_process(lab, name):
    """The kernel process of the session of notebook ``name``."""
    sessions = [s for s in lab.api("GET", "/api/sessions") if s["path"].endswith(name)]
    kernel_id = sessions[0]["kernel"]["id"]
    for process in psutil.process_iter(["cmdline"]):
        if any(kernel_id in part for part in process.info["cmdline"] or []):
            return process
    raise RuntimeError(f"no kernel process for {name}")


def cpu_seconds(process):
    times = process.cpu_times()
    return times.user + times.system


def open_explorer(browser, lab, name):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    nb = labharness.NotebookPage(page, lab, name)
    nb.open()
    nb.run_all()
    explorer = labharness.ExplorerView(nb, "nc-training-explorer")
    explorer.page.wait_for_timeout(1500)
    return nb, explorer


def set_epochs_to_1000(explorer):
    explorer.press("epochs", "End")
    explorer.page.wait_for_timeout(1500)


def key_latencies(kind, explorer, presses=40):
    handle = explorer.slider("lr").element_handle()
    plot = explorer.root.locator(PLOT[kind]).element_handle()
    times = []
    for i in range(presses):
        key = "ArrowRight" if i % 10 < 5 else "ArrowLeft"  # lr 0.5 ... 0.95 and back
        times.append(explorer.page.evaluate(KEY_TO_PAINT[kind], [handle, plot, key]))
        explorer.page.wait_for_timeout(120)  # a learner's pause between presses
    return times


def play_button(explorer):
    return explorer.root.locator("button.nc-play")


def measure_play(kind, explorer, kernel, seconds=3.0):
    """Frames painted per second and kernel CPU (% of a core) over ``seconds`` of Play."""
    page = explorer.page
    explorer.root.locator(PLOT[kind]).evaluate(COUNT[kind])
    play_button(explorer).click()
    page.wait_for_timeout(500)  # start-up
    frames0, cpu0 = page.evaluate("window.ncFrames"), cpu_seconds(kernel)
    page.wait_for_timeout(seconds * 1000)
    frames1, cpu1 = page.evaluate("window.ncFrames"), cpu_seconds(kernel)
    if explorer.root.locator("button.nc-play:has(.fa-pause)").count():
        play_button(explorer).click()
    page.wait_for_timeout(800)
    return (frames1 - frames0) / seconds, 100 * (cpu1 - cpu0) / seconds


def bench_one(kind, browser, lab):
    nb, explorer = open_explorer(browser, lab, f"demo_{kind}_0.ipynb")
    kernel = kernel_process(lab, f"demo_{kind}_0.ipynb")
    row = {}
    cpu0 = cpu_seconds(kernel)
    times = key_latencies(kind, explorer)
    explorer.page.wait_for_timeout(500)
    row["cpu_per_change"] = 1000 * (cpu_seconds(kernel) - cpu0) / len(times)
    row["key_median"], row["key_p95"] = statistics.median(times), np.percentile(times, 95)
    set_epochs_to_1000(explorer)
    times = key_latencies(kind, explorer, presses=20)
    row["key_median_1000"] = statistics.median(times)
    row["play_fps"], row["play_cpu"] = measure_play(kind, explorer, kernel)
    nb.assert_no_errors(f"during the benchmark ({kind})")
    nb.page.close()
    lab.shutdown_kernels()
    return row


def bench_ten(kind, browser, lab, copies, seconds=3.0):
    """``copies`` notebooks, each with its kernel, Play pressed in all: frames/s per page."""
    opened = [open_explorer(browser, lab, f"demo_{kind}_{i}.ipynb") for i in range(copies)]
    for _nb, explorer in opened:
        set_epochs_to_1000(explorer)
        explorer.root.locator(PLOT[kind]).evaluate(COUNT[kind])
    for _nb, explorer in opened:
        explorer.page.evaluate("window.ncTimes = []")
        play_button(explorer).click()
    opened[-1][1].page.wait_for_timeout((seconds + 1.5) * 1000)
    rates = [explorer.page.evaluate(RATE, seconds) for _nb, explorer in opened]
    for nb, _explorer in opened:
        nb.page.close()
    lab.shutdown_kernels()
    return statistics.median(rates), min(rates)


def main(copies=10, only_ten=False):
    chromium = labharness.find_chromium()
    if chromium is None:
        print("\n(browser benchmark skipped: chromium not installed)")
        return
    from playwright.sync_api import sync_playwright

    results = {}
    with tempfile.TemporaryDirectory(prefix="one-neuron-bench-") as folder:
        folder = Path(folder)
        notebooks(folder, copies)
        with labharness.running_lab(folder) as lab, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                                 args=labharness.CHROMIUM_ARGS)
            for kind in ("old", "new"):
                results[kind] = {} if only_ten else bench_one(kind, browser, lab)
            browser.close()
            # Ten pages at once: Chromium would throttle the animation frames of the pages that
            # are not in front; a class has each page in front on its own screen.
            browser = playwright.chromium.launch(
                executable_path=chromium, headless=True,
                args=[*labharness.CHROMIUM_ARGS, *ALL_IN_FRONT])
            for kind in ("old", "new"):
                results[kind]["ten"] = bench_ten(kind, browser, lab, copies)
            browser.close()
    old, new = results["old"], results["new"]
    if only_ten:
        print({kind: r["ten"] for kind, r in results.items()})
        return

    def ratio(a, b):
        return f"**{a / b:.1f}×**" if b else "–"

    rows = [
        ["lr key press → plot painted, median (ms), 200 epochs", f"{old['key_median']:.0f}",
         f"{new['key_median']:.0f}", ratio(old["key_median"], new["key_median"])],
        ["lr key press → plot painted, p95 (ms), 200 epochs", f"{old['key_p95']:.0f}",
         f"{new['key_p95']:.0f}", ratio(old["key_p95"], new["key_p95"])],
        ["lr key press → plot painted, median (ms), 1000 epochs",
         f"{old['key_median_1000']:.0f}", f"{new['key_median_1000']:.0f}",
         ratio(old["key_median_1000"], new["key_median_1000"])],
        ["kernel CPU per slider change (ms)", f"{old['cpu_per_change']:.1f}",
         f"{new['cpu_per_change']:.1f}", ratio(old["cpu_per_change"], new["cpu_per_change"])],
        ["Play: frames painted per second (1000 epochs)", f"{old['play_fps']:.1f}",
         f"{new['play_fps']:.1f}", ratio(new["play_fps"], old["play_fps"])],
        ["kernel CPU while Play runs (% of one core)", f"{old['play_cpu']:.1f}",
         f"{new['play_cpu']:.1f}", ratio(old["play_cpu"], max(new["play_cpu"], 0.1))],
        [f"{copies} kernels playing at once: frames/s per page (median, min)",
         "{:.1f}, {:.1f}".format(*old["ten"]), "{:.1f}, {:.1f}".format(*new["ten"]),
         ratio(new["ten"][0], old["ten"][0])],
    ]
    print("\n### Explorers in the browser: JupyterLab, headless Chromium, old renderer and new\n")
    print("| measure | old: Agg PNG per frame, Play in the kernel | new: canvas in the browser,"
          " Play in the browser | ratio (better) |\n|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
