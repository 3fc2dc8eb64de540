"""The static explorer page's weight and speed, in headless Chromium from disk.

    python scripts/bench_site.py [build/site/index.html]    (builds the page if it is missing)

Prints the page's weight (whole, and its parts: the ES module, the JSON state, the pictures,
the numbers; and gzipped, as a web server would send it), the time from opening it to the three
explorers drawn, the key-press-to-paint latency of the training explorer's lr slider (a real
key press, from the keydown event to the animation frame after the canvas painted), and the
frames Play paints per second. The same key press in JupyterLab is measured by the explorers'
bench (scripts/bench_browser.py, through tests/labharness.py); ``measure(index)`` and
``latencies(page, handle, canvas, presses)`` are importable for a bench that wants the two side
by side.
"""

from __future__ import annotations

import gzip
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "scripts"))
import build_site  # noqa: E402
from labharness import CHROMIUM_ARGS, find_chromium, keep_offline, wait_until  # noqa: E402

PARTS = {"ES module": "nc-esm", "state (JSON)": "nc-manifest", "pictures (PNG, base64)":
         "nc-pictures", "numbers (deflated, base64)": "nc-numbers"}

# Resolves with the time from the keydown on the slider to the animation frame after the
# canvas's next paint (the first frame that can show it).
ARM = """([input, canvas]) => { window.ncWait = new Promise(resolve => {
    input.addEventListener('keydown', () => {
        const start = performance.now();
        canvas.addEventListener('nc-paint', () => requestAnimationFrame(
            () => resolve(performance.now() - start)), {once: true});
    }, {once: true});
    setTimeout(() => resolve(null), 10000);  // never painted: said, not waited for forever
}); }"""


def weight(index: Path) -> dict[str, int]:
    html = index.read_bytes()
    text = html.decode("utf-8")
    sizes = {"page": len(html), "page, gzipped": len(gzip.compress(html, 6))}
    for name, element in PARTS.items():
        match = re.search(rf'<script [^>]*id="{element}">(.*?)</script>', text, re.S)
        sizes[name] = len(match.group(1).encode()) if match else 0
    return sizes


def measure(index: Path, presses: int = 40, loads: int = 5) -> dict[str, float]:
    """Open the page ``loads`` times, then press ``presses`` keys on the training lr slider
    and Play 1,000 epochs; the outside network refused throughout."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), headless=True,
                                             args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        keep_offline(page)
        opened = []
        for _ in range(loads):
            start = time.perf_counter()
            page.goto(index.as_uri())
            wait_until(page, "document.body.dataset.ready === '1'", 60, every=0.01)
            opened.append((time.perf_counter() - start) * 1000)
        section = page.locator("#training")
        canvas = section.locator("canvas").element_handle()
        times = latencies(page, section.get_by_label("lr", exact=True).element_handle(), canvas,
                          presses)
        epochs = section.get_by_label("epochs", exact=True)
        epochs.evaluate("el => { el.value = 1000; el.dispatchEvent(new Event('input')); }")
        page.evaluate("""c => { window.ncPaints = []; c.addEventListener('nc-paint',
            () => window.ncPaints.push(performance.now())); }""", canvas)
        section.get_by_role("button", name="Play").click()
        page.wait_for_timeout(3000)
        paints = page.evaluate("window.ncPaints")
        browser.close()
    span = (paints[-1] - paints[0]) / 1000 if len(paints) > 1 else 0
    return {"open (ms, median)": statistics.median(opened), **summary(times),
            "Play: frames painted per second": (len(paints) - 1) / span if span else 0.0}


# JupyterLab's slider handle (noUiSlider) moves on a keydown event it is sent, as the explorers'
# bench presses it (scripts/bench_browser.py); a range input moves only on a real key press.
DISPATCH = """([handle, key]) => { handle.focus(); handle.dispatchEvent(
    new KeyboardEvent('keydown', {key, bubbles: true, cancelable: true})); }"""


def latencies(page, handle, canvas, presses: int, dispatch: bool = False) -> list[float]:
    """Key press -> paint (ms) for ``presses`` arrow keys on ``handle`` (lr: 0.5 ... 0.95 and
    back), a learner's pause between them."""
    pair = [handle, canvas]
    handle.focus()
    times = []
    for i in range(presses):
        key = "ArrowRight" if i % 10 < 5 else "ArrowLeft"
        page.evaluate(ARM, pair)
        if dispatch:
            page.evaluate(DISPATCH, [handle, key])
        else:
            page.keyboard.press(key)
        times.append(page.evaluate("window.ncWait"))
        page.wait_for_timeout(120)
    if None in times:
        raise RuntimeError(f"{times.count(None)} of {presses} key presses never painted")
    return times


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"key press -> paint (ms, median)": statistics.median(times),
            "key press -> paint (ms, p95)": ordered[int(0.95 * (len(ordered) - 1))]}


def main(argv: list[str]) -> int:
    index = (Path(argv[0]) if argv else build_site.OUT / "index.html").resolve()
    if not index.exists():
        build_site.build(index.parent)
    print(f"The static explorer page, {index}")
    for name, size in weight(index).items():
        print(f"  {name:30s} {size / 1000:8.0f} kB")
    if find_chromium() is None:
        print("  (no chromium: latency not measured)")
        return 0
    for name, value in measure(index).items():
        print(f"  {name:36s} {value:8.1f}")
    print("  JupyterLab's key press -> paint: scripts/bench_browser.py (the explorers' bench)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
