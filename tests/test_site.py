"""The static explorer page (scripts/build_site.py, site/): built right, and working in Chromium
from disk with every outside request refused and no Jupyter server.

The browser test checks the page's readouts against the course's own functions (nc.train,
nf.train_fast, nc.mse) for the same settings, never against the page's embedded numbers.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import zlib
from pathlib import Path

import build_site
import numpy as np
import pytest
from labharness import ARTIFACTS, keep_offline, wait_until

import neuron_core as nc
import neuron_fast as nf

REPO = Path(__file__).resolve().parents[1]
WEIGHT_LIMIT = 2_200_000  # bytes: the whole page, numbers and pictures included (34 PNGs:
#                            each background in the wide and in the narrow layout)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The page, built once for the session into a temporary folder."""
    return build_site.build(tmp_path_factory.mktemp("site"))


def script(html: str, name: str) -> str:
    match = re.search(rf'<script [^>]*id="{name}">(.*?)</script>', html, re.S)
    assert match, f"no <script id={name}> in the page"
    return match.group(1)


def parts(index: Path):
    """The page's HTML, its JSON, and its two blobs decoded: the pictures (base64) and the
    numbers (base64 of the deflated shuffle: byte j of value i at j*n + i)."""
    html = index.read_text(encoding="utf-8")
    manifest = json.loads(script(html, "nc-manifest"))
    pictures = base64.b64decode(script(html, "nc-pictures"), validate=True)
    lanes = zlib.decompress(base64.b64decode(script(html, "nc-numbers"), validate=True))
    numbers = np.frombuffer(lanes, dtype=np.uint8).reshape(8, -1).T.tobytes()
    return html, manifest, {"$b": pictures, "$n": numbers}


def refs(value, kind):
    """Every {kind: [offset, length]} in the manifest."""
    if isinstance(value, dict):
        if set(value) == {kind}:
            yield tuple(value[kind])
        else:
            for v in value.values():
                yield from refs(v, kind)
    elif isinstance(value, list):
        for v in value:
            yield from refs(v, kind)


def number_lists(value, path=""):
    """Paths of JSON lists of more than 32 numbers with a fraction: floats must travel as
    binary (lists of small whole numbers, such as indices, may stay JSON)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from number_lists(v, f"{path}/{k}")
    elif isinstance(value, list):
        if len(value) > 32 and any(isinstance(v, float) and not v.is_integer() for v in value):
            yield path
        for v in value:
            yield from number_lists(v, path)


# ---------------------------------------------------------------------------------------------
# The build (no browser)
# ---------------------------------------------------------------------------------------------


def test_page_is_one_small_file_with_binary_numbers(site):
    html, manifest, blobs = parts(site)
    size = site.stat().st_size
    assert size < WEIGHT_LIMIT, f"the page weighs {size} bytes"
    assert [p.name for p in site.parent.iterdir()] == ["index.html"]
    # The ES module is neuron_explorers.js, byte for byte.
    assert script(html, "nc-esm") == (REPO / "neuron_explorers.js").read_text(encoding="utf-8")
    # Nothing points outside the page.
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert not list(number_lists(manifest)), "numbers as JSON lists: they must be binary"
    for kind, blob in blobs.items():
        spans = sorted(set(refs(manifest, kind)))
        assert spans, f"no {kind} value in the page"
        assert all(0 <= offset and offset + length <= len(blob) for offset, length in spans)
        assert all(offset % 8 == 0 for offset, _ in spans)  # a Float64Array can view each
        # Stored once: the blob is hardly larger than the distinct values it holds.
        starts = {}
        for offset, length in spans:
            starts[offset] = max(starts.get(offset, 0), length)
        assert len(blob) <= sum(starts.values()) + 8 * len(starts)
    # Pictures are PNGs; numbers whole float64s.
    assert all(blobs["$b"][o:o + 8] == build_site.PNG for o, _ in refs(manifest, "$b"))
    assert all(length % 8 == 0 for _, length in refs(manifest, "$n"))
    names = [part["name"] for part in manifest["explorers"]]
    assert names == ["hand-fit", "step", "training"]


def test_page_holds_the_courses_runs(site):
    """The training explorer's longest runs are in the page as float64, as nf.train_fast
    computes them (the explorers' path); the data too."""
    _, _, blobs = parts(site)
    x, y = build_site.course_data()
    for lr in (0.5, 0.9, 3.0):
        h = nf.train_fast(x, y, lr=lr, epochs=1000)  # the epochs slider's maximum
        for values in (h.ws, h.bs):
            assert np.ascontiguousarray(values, "<f8").tobytes() in blobs["$n"], f"lr={lr}"
    assert np.ascontiguousarray(y, "<f8").tobytes() in blobs["$n"]


def test_build_is_deterministic(tmp_path):
    first = build_site.build(tmp_path / "a", names=["hand-fit"]).read_bytes()
    second = build_site.build(tmp_path / "b", names=["hand-fit"]).read_bytes()
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()


def test_blob_stores_a_prefix_once():
    blob = build_site.Blob()
    long, short, other = b"12345678" * 4, b"12345678" * 2, b"abc"
    for value in (short, other, long):
        blob.want(value)
    blob.lay_out()
    assert blob.where[short][0] == blob.where[long][0]
    assert blob.where[other][0] % 8 == 0
    assert len(blob.data) == len(long) + len(other)


def test_backgrounds_shrink_without_changing_a_pixel():
    from PIL import Image

    pixels = np.zeros((60, 90, 4), dtype=np.uint8)
    pixels[10:50, 20:70] = (0, 114, 178, 255)  # a blue box on a clear background
    pixels[30, :] = (0, 0, 0, 128)  # a half-transparent line
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGBA").save(buffer, "png", compress_level=0)
    smaller = build_site.smaller_png(buffer.getvalue())
    assert len(smaller) < len(buffer.getvalue()) / 4
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(smaller))), pixels)


def test_script_text_cannot_close_its_script():
    with pytest.raises(ValueError, match="cannot sit in a <script>"):
        build_site._script_safe("let s = '</script>';", "x.js")
    assert "</" not in build_site._json_for_script({"t": "</script>"})


# ---------------------------------------------------------------------------------------------
# The page in Chromium, from disk, with the network refused
# ---------------------------------------------------------------------------------------------


def shown_as(text: str, value: float) -> bool:
    """Is ``text`` the number ``value`` as printed to its digits (e.g. "2.21e-09", "180")?"""
    mantissa, _, exponent = text.partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    unit = 10.0 ** (-decimals + (int(exponent) if exponent else 0))
    return abs(float(text) - value) <= 0.5 * unit * (1 + 1e-9) + 1e-12 * abs(value)


NUMBER = r"(-?[\d.]+(?:e[-+]\d+)?)"


class Page:
    """The page in a tab, every request that would leave the machine refused and remembered."""

    def __init__(self, browser, index: Path, width: int = 1100):
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.files: list[str] = []
        self.outside = keep_offline(self.context, self.files)
        self.errors: list[str] = []
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type in ("error", "warning")
                     and self.errors.append(f"console {m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.goto(index.as_uri())
        wait_until(self.page, "document.body.dataset.ready", timeout=20)
        assert self.page.evaluate("document.body.dataset.ready") == "1", self.errors
        # Live explorers, not the "saved picture" a notebook shows before its cell runs.
        assert self.page.locator(".nc-live").count() == 3
        assert self.page.locator(".nc-picture").count() == 0

    def section(self, name):
        return self.page.locator(f"#{name}")

    def control(self, name, label):
        return self.section(name).get_by_label(label, exact=True)

    def shown(self, name, label) -> str:
        control = self.control(name, label)
        return control.evaluate("el => el.parentElement.querySelector('output').textContent")

    def readout(self, name) -> str:
        return self.section(name).locator(".nc-readout").inner_text()

    def pixels(self, name) -> str:
        """A hash of what the explorer's canvas shows."""
        url = self.section(name).locator("canvas").evaluate("c => c.toDataURL()")
        return hashlib.sha256(url.encode()).hexdigest()

    def key_to(self, name, label, target: str, limit=40):
        """Press arrow keys on a slider until it shows ``target`` (by number, or by label
        order for a selection)."""
        control = self.control(name, label)
        control.focus()
        for _ in range(limit):
            now = self.shown(name, label)
            if now == target:
                return
            self.page.keyboard.press("ArrowRight" if float(now) < float(target) else "ArrowLeft")
        raise AssertionError(f"{label} shows {self.shown(name, label)}, not {target}")

    def set_range(self, name, label, value):
        """Drag-like: set a slider's position and fire its input event."""
        self.control(name, label).evaluate(
            "(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }",
            str(value))

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def page(site, browser):
    page = Page(browser, site)
    yield page
    page.close()
    assert not page.outside, f"the page asked the network for {page.outside}"
    assert page.files == [site.as_uri()], f"one file, the page: {page.files}"
    assert not page.errors, page.errors


@pytest.mark.browser
def test_training_explorer(page):
    x, y = build_site.course_data()
    before = page.pixels("training")
    page.key_to("training", "lr", "0.9")
    page.set_range("training", "epochs", 86)  # a drag, then the last steps by keyboard
    page.key_to("training", "epochs", "83")
    assert page.pixels("training") != before
    h = nc.train(x, y, lr=0.9, epochs=83)
    text = page.readout("training")
    got = re.search(rf"epoch (\d+) of (\d+): loss = {NUMBER}; w = {NUMBER} .*b = {NUMBER}", text)
    assert got, text
    assert got.group(1) == got.group(2) == "83"
    assert shown_as(got.group(3), h.losses[-1]), (text, h.losses[-1])
    assert shown_as(got.group(4), h.w) and shown_as(got.group(5), h.b), (text, h.w, h.b)

    # Play replays the run from epoch 0 to its end, painting as it goes.
    play = page.section("training").get_by_role("button", name="Play")
    play.focus()
    page.page.keyboard.press("Enter")
    pause = page.section("training").get_by_role("button", name="Pause")
    assert pause.get_attribute("aria-pressed") == "true"  # relabelled while it plays
    seen = set()
    for _ in range(200):
        shown = page.shown("training", "epoch shown")
        seen.add(int(shown))
        if shown == "83" and len(seen) > 3:
            break
        page.page.wait_for_timeout(25)
    assert len(seen) > 3 and max(seen) == 83 and min(seen) < 40, sorted(seen)
    assert "epoch 83 of 83" in page.readout("training")

    # The epoch shown, by keyboard: the readout follows it.
    page.key_to("training", "epoch shown", "80")
    h80 = nc.train(x, y, lr=0.9, epochs=80)
    got = re.search(rf"epoch 80 of 83: loss = {NUMBER}", page.readout("training"))
    assert got and shown_as(got.group(1), h80.losses[-1]), page.readout("training")

    # A learning rate that diverges: the run stops early and says so.
    page.key_to("training", "lr", "3")
    h3 = nf.train_fast(x, y, lr=3.0, epochs=83)
    text = page.readout("training")
    assert f"epoch {h3.epochs} of {h3.epochs}" in text and "diverged" in text, text


@pytest.mark.browser
def test_hand_fit_explorer(page):
    x, y = build_site.course_data()
    before = page.pixels("hand-fit")
    page.key_to("hand-fit", "w", "100.5")
    assert page.pixels("hand-fit") != before
    page.key_to("hand-fit", "b", "0.5")
    got = re.search(rf"your loss: {NUMBER}", page.readout("hand-fit"))
    assert got and shown_as(got.group(1), nc.mse(nc.forward(x, 100.5, 0.5), y))
    for w, b in [(100.5, 0.0), (150.0, 20.5), (180.0, 32.0)]:
        page.set_range("hand-fit", "w", w)
        page.set_range("hand-fit", "b", b)
        assert page.shown("hand-fit", "w") == f"{w:.1f}"
        text = page.readout("hand-fit")
        got = re.search(rf"your loss: {NUMBER}", text)
        assert got and shown_as(got.group(1), nc.mse(nc.forward(x, w, b), y)), (text, w, b)
    assert "you beat gradient descent" in page.readout("hand-fit")


@pytest.mark.browser
def test_step_explorer(page):
    x, y = build_site.course_data()
    step = page.section("step").get_by_role("button", name="Step")
    before = page.pixels("step")
    step.focus()
    for key in ("Enter", "Space", "Enter"):
        page.page.keyboard.press(key)
    assert page.shown("step", "steps") == "3"
    assert page.pixels("step") != before

    def check(lr, k):
        h = nc.train(x, y, lr=lr, epochs=k)
        text = page.readout("step")
        got = re.search(rf"after {k} steps?: w = {NUMBER}, b = {NUMBER}, loss = {NUMBER}", text)
        assert got, (text, k)
        for shown, value in zip(got.groups(), (h.w, h.b, h.losses[-1]), strict=True):
            assert shown_as(shown, value), (text, lr, k, value)

    check(0.5, 3)
    page.key_to("step", "lr", "1.05")
    check(1.05, 3)
    page.key_to("step", "steps", "5")  # the steps slider itself, by keyboard
    check(1.05, 5)
    page.section("step").get_by_role("button", name="Reset").click()
    assert page.shown("step", "steps") == "0"
    check(1.05, 0)


@pytest.mark.browser
def test_controls_are_labelled_inputs(page):
    """Every control is a plain input or button with a visible label, as in the lab."""
    controls = page.page.evaluate("""() => [...document.querySelectorAll('input, button')]
        .map(el => [el.tagName, el.type, el.labels && el.labels.length
            ? el.labels[0].textContent : el.textContent,
            el.getBoundingClientRect().width > 0])""")
    names = sorted(label for _, _, label, _ in controls)
    assert names == sorted(["w", "b", "lr", "steps", "Step", "Reset", "lr", "epochs", "Play",
                            "epoch shown"]), controls
    assert all(visible for *_, visible in controls), controls
    assert all(kind in ("range", "button") for _, kind, _, _ in controls), controls


# ---------------------------------------------------------------------------------------------
# A narrow screen: a phone, or a projector's window split in two (issue 21)
# ---------------------------------------------------------------------------------------------

NARROW_VIEW = 420  # CSS px
SMALLEST_TEXT = 11  # CSS px: the smallest text a learner must read, on the figure or around it

# For each explorer: what is wider than its box or than the window, the smallest text of its
# HTML, its controls' boxes, and its figure's sizes (the picture's pixels against its CSS size).
# `inside`: a selector of parts left out (in JupyterLab, ipywidgets' slider track, whose handle
# overhangs its ends).
MEASURE = """(root, inside) => {
    const view = document.documentElement.clientWidth;
    const all = [root, ...root.querySelectorAll('*')].filter(el => !inside || !el.closest(inside));
    const name = el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '');
    const box = el => el.getBoundingClientRect();
    const overflowing = all.filter(el => el.clientWidth > 0 && el.scrollWidth > el.clientWidth)
        .map(el => [name(el), el.scrollWidth, el.clientWidth]);
    const outside = all.filter(el => box(el).width > 0
                               && (box(el).left < -0.5 || box(el).right > view + 0.5))
        .map(el => [name(el), box(el).left, box(el).right]);
    const texts = all.filter(el => [...el.childNodes].some(n => n.nodeType === 3
                                                           && n.textContent.trim()))
        .map(el => [name(el), parseFloat(getComputedStyle(el).fontSize)]);
    const controls = [...root.querySelectorAll('input, button')].map(el => [
        el.labels && el.labels.length ? el.labels[0].textContent : el.textContent,
        box(el).left, box(el).right, box(el).width, box(el).height,
        getComputedStyle(el).visibility]);
    const canvas = root.querySelector('canvas.nc-canvas');
    const img = root.querySelector('img.nc-background');
    return {view, page: document.documentElement.scrollWidth, overflowing, outside, texts,
            controls, layout: canvas.dataset.layout, fontPx: Number(canvas.dataset.fontPx),
            canvas: [canvas.width / devicePixelRatio, box(canvas).width],
            img: [img.naturalWidth, box(img).width]};
}"""


def page_fonts(site: Path) -> dict:
    """Each explorer's backgrounds' smallest text, in the picture's pixels, by key: as
    neuron_explorers drew them (the page's manifest), not as the page says."""
    _, manifest, _ = parts(site)
    fonts = {}
    for part in manifest["explorers"]:
        for state in part["models"].values():
            for key, bg in (state.get("backgrounds") or {}).items():
                fonts[part["name"], key] = (bg["font_px"], bg["size"][0])
    return fonts


def readable(measured: dict, name: str, fonts: dict) -> list[str]:
    """Every way an explorer measured at a narrow width is not readable."""
    m, problems = measured, []
    if m["page"] > m["view"]:
        problems.append(f"the page scrolls sideways: {m['page']} > {m['view']} px")
    problems += [f"wider than its box: {o}" for o in m["overflowing"]]
    problems += [f"outside the window: {o}" for o in m["outside"]]
    problems += [f"text of {px} px: {el}" for el, px in m["texts"] if px < SMALLEST_TEXT]
    for label, left, right, width, height, visibility in m["controls"]:
        if not (width > 0 and height > 0 and left >= 0 and right <= m["view"]
                and visibility == "visible"):
            problems.append(f"control {label!r} not all in view: {left}..{right}")
    # The figure: its smallest text, as drawn in the picture, times the picture's scale.
    natural, shown = m["img"]
    figure_px = [px for (part, _key), (px, width) in fonts.items()
                 if part == name and width == natural]
    if not figure_px:
        problems.append(f"no background {natural} px wide in the page")
    elif min(figure_px) * shown / natural < SMALLEST_TEXT:
        problems.append(f"figure text of {min(figure_px) * shown / natural:.1f} px: the "
                        f"{natural} px picture is shown {shown:.0f} px wide")
    if not m["fontPx"] >= SMALLEST_TEXT:  # NaN (not said) fails too
        problems.append(f"the page says its figure's text is {m['fontPx']} px")
    # The canvas's drawing buffer matches its CSS size: its text is drawn, not scaled down.
    if abs(m["canvas"][0] - m["canvas"][1]) > 1:
        problems.append(f"canvas drawn {m['canvas'][0]} px wide, shown {m['canvas'][1]} px")
    return problems


@pytest.mark.browser
def test_every_explorer_is_readable_at_420_px(site, browser):
    """At 420 CSS px the panels stack: nothing scrolls sideways or is clipped, every control
    is in view, and no text (the figure's included) is under 11 CSS px. Widened, the page
    shows the wide layout again (the layout follows the explorer's width, live)."""
    fonts = page_fonts(site)
    page = Page(browser, site, width=NARROW_VIEW)
    try:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for name in ("hand-fit", "step", "training"):
            root = page.section(name).locator(".nc-explorer")
            measured = root.evaluate(MEASURE)
            assert measured["layout"] == "narrow", (name, measured)
            assert readable(measured, name, fonts) == [], (name, measured)
            page.section(name).screenshot(path=str(ARTIFACTS / f"site-{name}-420.png"))
        training = page.section("training").locator(".nc-explorer")
        page.page.set_viewport_size({"width": 1100, "height": 900})
        wait_until(page.page,
                   "document.querySelector('#training canvas').dataset.layout === 'wide'")
        assert training.evaluate(MEASURE)["img"][0] == 960  # the wide picture, as before
        page.section("training").screenshot(path=str(ARTIFACTS / "site-training-wide.png"))
        page.page.set_viewport_size({"width": NARROW_VIEW, "height": 900})
        wait_until(page.page,
                   "document.querySelector('#training canvas').dataset.layout === 'narrow'")
        assert readable(training.evaluate(MEASURE), "training", fonts) == []
        assert not page.errors and not page.outside, (page.errors, page.outside)
    finally:
        page.close()


def test_readable_can_fail():
    """The check above, on what the hand-fit explorer measured at 420 px before the narrow
    layout (main at 45bbbd5): the page 428 px wide, the 540 px plot in a scrolling box, the
    sliders' readouts past the window, the 960 px picture shown 540 px wide (its 13.3 px text
    at 7.5 px), and no text size said."""
    measured = {"view": 420, "page": 428,
                "overflowing": [["div.nc-row", 412, 388], ["div.nc-scroll", 540, 388]],
                "outside": [["output", 376, 428]], "texts": [["label", 13], ["output", 13]],
                "controls": [["w", 106, 366, 260, 16, "visible"]], "layout": None,
                "fontPx": float("nan"), "canvas": [540, 540], "img": [960, 540]}
    problems = readable(measured, "hand-fit", {("hand-fit", "main"): (40 / 3, 960)})
    assert [p.split(":")[0] for p in problems] == [
        "the page scrolls sideways", "wider than its box", "wider than its box",
        "outside the window", "figure text of 7.5 px", "the page says its figure's text is nan px"]
