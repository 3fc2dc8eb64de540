"""The static explorer page's weight and speed, in headless Chromium from disk.

    python scripts/bench_site.py [build/site/index.html]    (builds the page if it is missing)

Prints the page's weight (whole, and its parts: the ES module, the JSON state, the pictures,
the numbers; and gzipped, as a web server would send it), the time from opening it to the three
explorers drawn, the key-press-to-paint latency of the training explorer's lr slider (a real
key press, from the keydown event to the animation frame after the canvas painted), and the
frames Play paints per second. The same latency in JupyterLab is measured by the explorers'
bench (scripts/bench_browser.py, tests/labharness.py); ``measure`` is importable for it.
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
from labharness import CHROMIUM_ARGS, find_chromium  # noqa: E402

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
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                   else r.abort())
        opened = []
        for _ in range(loads):
            start = time.perf_counter()
            page.goto(index.as_uri())
            page.wait_for_function("document.body.dataset.ready === '1'")
            opened.append((time.perf_counter() - start) * 1000)
        section = page.locator("#training")
        slider = section.get_by_label("lr", exact=True)
        canvas = section.locator("canvas")
        pair = [slider.element_handle(), canvas.element_handle()]
        slider.focus()
        latencies = []
        for i in range(presses):
            page.evaluate(ARM, pair)
            page.keyboard.press("ArrowLeft" if i % 2 else "ArrowRight")
            latencies.append(page.evaluate("window.ncWait"))
        epochs = section.get_by_label("epochs", exact=True)
        epochs.evaluate("el => { el.value = 1000; el.dispatchEvent(new Event('input')); }")
        page.evaluate("""c => { window.ncPaints = []; c.addEventListener('nc-paint',
            () => window.ncPaints.push(performance.now())); }""", pair[1])
        section.get_by_role("button", name="Play").click()
        page.wait_for_timeout(3000)
        paints = page.evaluate("window.ncPaints")
        browser.close()
    span = (paints[-1] - paints[0]) / 1000 if len(paints) > 1 else 0
    ordered = sorted(latencies)
    return {"open (ms, median)": statistics.median(opened),
            "key press -> paint (ms, median)": statistics.median(latencies),
            "key press -> paint (ms, p95)": ordered[int(0.95 * (len(ordered) - 1))],
            "Play: frames painted per second": (len(paints) - 1) / span if span else 0.0}


def main(argv: list[str]) -> int:
    index = Path(argv[0]) if argv else build_site.OUT / "index.html"
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
