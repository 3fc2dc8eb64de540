"""Browser latency of the training explorer, in real JupyterLab and headless Chromium.

From a key press on a slider to the new plot painted (median, p95), and the frame rate of Play.
Reuses the JupyterLab harness of the browser tests, tests/labharness.py. Run by `make bench`
when chromium is installed, or alone: `python scripts/bench_browser.py`.
"""

import statistics
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
# The harness lives with the tests (pytest finds it through pyproject.toml's pythonpath).
sys.path.insert(0, str(ROOT / "tests"))
import labharness  # noqa: E402

# In the page: press a key on the slider handle and resolve, after the next animation frame
# (the first paint that can show it), once the plot <img> has loaded a new image.
KEY_TO_PAINT = """async ([handle, img, key]) => {
    const painted = new Promise(resolve => img.addEventListener('load',
        () => requestAnimationFrame(() => resolve(performance.now())), {once: true}));
    const start = performance.now();
    handle.focus();
    handle.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true, cancelable: true}));
    return (await painted) - start;
}"""

# Once the first new image arrives, count the images the plot loads, and the new images it is
# given, for `ms` milliseconds: the frame rate of Play, apart from its start-up.
FRAMES = """async ([img, ms]) => {
    await new Promise(resolve => new MutationObserver((_, watch) => {
        watch.disconnect(); resolve();
    }).observe(img, {attributes: true, attributeFilter: ['src']}));
    let frames = 0, sources = 0;
    const count = () => { frames += 1; };
    const watch = new MutationObserver(() => { sources += 1; });
    watch.observe(img, {attributes: true, attributeFilter: ['src']});
    img.addEventListener('load', count);
    await new Promise(resolve => setTimeout(resolve, ms));
    img.removeEventListener('load', count);
    watch.disconnect();
    return [frames, sources];
}"""


def key_latencies(explorer, slider, presses, key="ArrowRight"):
    handle = explorer.slider(slider).element_handle()
    img = explorer.plot.element_handle()
    times = []
    for i in range(presses):
        direction = key if i % 20 < 10 else key.replace("Right", "Left")
        times.append(explorer.page.evaluate(KEY_TO_PAINT, [handle, img, direction]))
        explorer.page.wait_for_timeout(120)  # a learner's pause between presses
    return times


def play_fps(explorer, seconds=3.0):
    explorer.root.locator("button.nc-play").click()  # Play
    frames, sources = explorer.page.evaluate(FRAMES, [explorer.plot.element_handle(),
                                                      seconds * 1000])
    explorer.root.locator("button.nc-play").click()  # Pause
    return frames / seconds, sources / seconds


def main():
    chromium = labharness.find_chromium()
    if chromium is None:
        print("\n(browser latency skipped: chromium not installed)")
        return
    from playwright.sync_api import sync_playwright

    rows = []
    with labharness.running_lab(ROOT / "notebooks") as lab, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                             args=labharness.CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        nb = labharness.NotebookPage(page, lab, "demo.ipynb")
        nb.open()
        nb.run_all()
        explorer = labharness.ExplorerView(nb, "nc-training-explorer")
        for epochs in (200, 1000):
            if epochs == 1000:
                explorer.press("epochs", "End")
                page.wait_for_timeout(1000)
            times = key_latencies(explorer, "lr", 40)
            rows.append([f"lr slider key press → plot painted ({epochs} epochs)",
                         f"{statistics.median(times):.0f}",
                         f"{float(np.percentile(times, 95)):.0f}"])
        fps, received = play_fps(explorer)
        rows.append(["Play (1000 epochs, 150 frames)",
                     f"{fps:.1f} frames/s painted ({received:.1f}/s received)", ""])
        nb.assert_no_errors("during the benchmark")
        browser.close()
    print("\n### Explorer in the browser: JupyterLab, headless Chromium\n")
    print("| action | median (ms) | p95 (ms) |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
