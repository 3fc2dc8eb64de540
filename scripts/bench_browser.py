"""The training explorer in real JupyterLab and headless Chromium.

neuron_explorers.py: a PNG of the static part, the moving part drawn in the browser on a canvas
from every lr's run sent once, Play in the browser. (The renderer before it, Agg in the kernel
with a PNG per frame, was measured against it when it was replaced: README, "Performance".)

Key press on the lr and epochs sliders → plot painted (median, p95), Play's frames painted per
second, the kernel's CPU while Play runs (% of one core) and per slider change (ms), and ten
kernels with Play running at once in one browser (frames painted per second, per page).
Reuses the JupyterLab harness of the browser tests, tests/labharness.py. Run by `make bench`
when chromium is installed, or alone: `python scripts/bench_browser.py`.
"""

import statistics
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

SETUP = "import neuron_core as nc\ncelsius, fahrenheit = nc.make_dataset()\n" \
        "x = nc.scale_inputs(celsius)\n"
EXPLORER = "nc.training_explorer(x, fahrenheit)"

# Press a key on the slider handle; resolve once the canvas shows the new run, after the next
# animation frame (the first paint that can show it).
KEY_TO_PAINT = """async ([handle, plot, key]) => {
    const painted = new Promise(resolve => plot.addEventListener('nc-paint',
        () => requestAnimationFrame(() => resolve(performance.now())), {once: true}));
    const start = performance.now();
    handle.focus();
    handle.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true, cancelable: true}));
    return (await painted) - start;
}"""
# Start counting the frames the canvas paints, in the page, with the time of each.
COUNT = """plot => { window.ncFrames = 0; window.ncTimes = [];
    plot.addEventListener('nc-paint', () => {
        window.ncFrames += 1; window.ncTimes.push(performance.now()); }); }"""
# Frames per second over `seconds` from 0.5 s after the first frame Play painted.
RATE = """seconds => {
    const times = window.ncTimes;
    if (times.length < 2) return 0;
    const start = times[0] + 500;
    return times.filter(t => t >= start && t < start + seconds * 1000).length / seconds;
}"""
PLOT = "canvas.nc-canvas"
ALL_IN_FRONT = ["--disable-renderer-backgrounding", "--disable-background-timer-throttling",
                "--disable-backgrounding-occluded-windows"]


def notebooks(folder: Path, copies: int) -> None:
    """demo_<i>.ipynb: the training explorer."""
    for i in range(copies):
        cells = [nbformat.v4.new_code_cell(SETUP), nbformat.v4.new_code_cell(EXPLORER)]
        nb = nbformat.v4.new_notebook(cells=cells)
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        nbformat.write(nb, folder / f"demo_{i}.ipynb")


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


def key_latencies(explorer, slider="lr", presses=40):
    handle = explorer.slider(slider).element_handle()
    plot = explorer.root.locator(PLOT).element_handle()
    times = []
    for i in range(presses):
        key = "ArrowRight" if i % 10 < 5 else "ArrowLeft"  # lr 0.5 ... 0.95 and back
        times.append(explorer.page.evaluate(KEY_TO_PAINT, [handle, plot, key]))
        explorer.page.wait_for_timeout(120)  # a learner's pause between presses
    return times


def play_button(explorer):
    return explorer.root.locator("button.nc-play")


def measure_play(explorer, kernel, seconds=3.0):
    """Frames painted per second and kernel CPU (% of a core) over ``seconds`` of Play."""
    page = explorer.page
    explorer.root.locator(PLOT).evaluate(COUNT)
    play_button(explorer).click()
    page.wait_for_timeout(500)  # start-up
    frames0, cpu0 = page.evaluate("window.ncFrames"), cpu_seconds(kernel)
    page.wait_for_timeout(seconds * 1000)
    frames1, cpu1 = page.evaluate("window.ncFrames"), cpu_seconds(kernel)
    if explorer.root.locator("button.nc-play:has(.fa-pause)").count():
        play_button(explorer).click()
    page.wait_for_timeout(800)
    return (frames1 - frames0) / seconds, 100 * (cpu1 - cpu0) / seconds


def bench_one(browser, lab):
    nb, explorer = open_explorer(browser, lab, "demo_0.ipynb")
    kernel = kernel_process(lab, "demo_0.ipynb")
    row = {}
    cpu0 = cpu_seconds(kernel)
    times = key_latencies(explorer)
    explorer.page.wait_for_timeout(500)
    row["cpu_per_change"] = 1000 * (cpu_seconds(kernel) - cpu0) / len(times)
    row["key_median"], row["key_p95"] = statistics.median(times), np.percentile(times, 95)
    times = key_latencies(explorer, "epochs", presses=20)
    row["epochs_median"] = statistics.median(times)
    set_epochs_to_1000(explorer)
    times = key_latencies(explorer, presses=20)
    row["key_median_1000"] = statistics.median(times)
    row["play_fps"], row["play_cpu"] = measure_play(explorer, kernel)
    nb.assert_no_errors("during the benchmark")
    nb.page.close()
    lab.shutdown_kernels()
    return row


def bench_ten(browser, lab, copies, seconds=3.0):
    """``copies`` notebooks, each with its kernel, Play pressed in all: frames/s per page."""
    opened = [open_explorer(browser, lab, f"demo_{i}.ipynb") for i in range(copies)]
    for _nb, explorer in opened:
        set_epochs_to_1000(explorer)
        explorer.root.locator(PLOT).evaluate(COUNT)
    for _nb, explorer in opened:
        explorer.page.evaluate("window.ncTimes = []")
        play_button(explorer).click()
    opened[-1][1].page.wait_for_timeout((seconds + 1.5) * 1000)
    rates = [explorer.page.evaluate(RATE, seconds) for _nb, explorer in opened]
    for nb, _explorer in opened:
        nb.page.close()
    lab.shutdown_kernels()
    return statistics.median(rates), min(rates)


def main(copies=10):
    chromium = labharness.find_chromium()
    if chromium is None:
        print("\n(browser benchmark skipped: chromium not installed)")
        return
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="one-neuron-bench-") as folder:
        folder = Path(folder)
        notebooks(folder, copies)
        with labharness.running_lab(folder) as lab, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                                 args=labharness.CHROMIUM_ARGS)
            result = bench_one(browser, lab)
            browser.close()
            # Ten pages at once: Chromium would throttle the animation frames of the pages that
            # are not in front; a class has each page in front on its own screen.
            browser = playwright.chromium.launch(
                executable_path=chromium, headless=True,
                args=[*labharness.CHROMIUM_ARGS, *ALL_IN_FRONT])
            result["ten"] = bench_ten(browser, lab, copies)
            browser.close()
    rows = [
        ["lr key press → plot painted, median / p95 (ms), 200 epochs",
         f"{result['key_median']:.0f} / {result['key_p95']:.0f}"],
        ["epochs key press → plot painted, median (ms)", f"{result['epochs_median']:.0f}"],
        ["lr key press → plot painted, median (ms), 1000 epochs",
         f"{result['key_median_1000']:.0f}"],
        ["kernel CPU per lr key press (ms)", f"{result['cpu_per_change']:.1f}"],
        ["Play: frames painted per second (1000 epochs)", f"{result['play_fps']:.1f}"],
        ["kernel CPU while Play runs (% of one core)", f"{result['play_cpu']:.1f}"],
        [f"{copies} kernels playing at once: frames/s per page (median, min)",
         "{:.1f}, {:.1f}".format(*result["ten"])],
    ]
    print("\n### The training explorer in the browser: JupyterLab, headless Chromium\n")
    print("| measure | canvas in the browser, the view owned by the page |\n|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
