"""Build the static explorer page: the three explorers with no kernel behind them.

    python scripts/build_site.py [OUT]         (``make site``; OUT defaults to build/site)

writes ``OUT/index.html``, one file that opens from disk (file://) or from any static web
server, with no kernel and no network. The explorers are drawn by the SAME ES module as in
JupyterLab (neuron_explorers.js, embedded byte for byte), fed by a small stand-in for the
widget manager (site/site.js) instead of a kernel.

Why no kernel is needed: each explorer's kernel computes everything once, when it is made
(every learning rate's run up to the epochs slider's maximum, every lr's steps, the hand-fit's
loss bowl), and the browser does the rest (see /tmp/coord/EXPLORERS-API.md, "A page without a
kernel"). The one thing a kernel sends later, a background picture for a new loss-axis width
or step view, is drawn here for every key a control can reach (``ex.view_backgrounds()``).
So the page holds, per explorer, the state of its widget models as ipywidgets embeds it
(``Widget.get_state``: sliders, buttons, boxes, the jslinks between the controls and the live
view, the live view's data), with every background up front.

Size. Numbers travel as binary: every bytes value of that state goes into one of two blobs,
base64 in the page, stored once (a value that is the start of a longer one points into it):
the PNGs as they are, the float64 arrays shuffled and deflated (``Store``); the state itself
is JSON with ``{"$b": [offset, length]}`` (a picture) or ``{"$n": [offset, length]}`` (numbers)
in place of each bytes value. The page has one theme, light: the dark backgrounds are left
out, and the light ones deflated harder (``smaller_png``).

The output is deterministic: widget ids are renamed in creation order, and nothing records
the time.
"""

from __future__ import annotations

import base64
import io
import json
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "site"  # the page's template, its CSS and its JS
OUT = ROOT / "build" / "site"

# Widget models the page has no use for: sizes and colours come from the page's own CSS.
SKIPPED_MODELS = {"LayoutModel", "SliderStyleModel", "ButtonStyleModel", "DescriptionStyleModel",
                  "ToggleButtonStyleModel", "HTMLStyleModel", "LabelStyleModel"}
SKIPPED_KEYS = {"_view_module", "_view_module_version", "_view_name", "_view_count",
                "_model_module_version", "layout", "style", "tabbable", "_esm", "_css",
                "behavior", "orientation", "description_allow_html", "continuous_update",
                "readout"}  # the live view's readout is written by the browser
REFERENCE = "IPY_MODEL_"
PNG = b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------------------------------------
# What the page shows: the explorers, as the notebooks call them
# ---------------------------------------------------------------------------------------------


@dataclass
class Explorer:
    """One explorer of the page: its section's name and how to build it (the notebook's call).

    ``actions`` maps a button attribute to what it does to a slider attribute ("increment" or
    "reset"): what the kernel's click handler does in JupyterLab.
    """

    name: str
    make: object
    actions: dict[str, tuple[str, str]] | None = None


def course_data():
    """The notebooks' data: x = celsius / 100 and the true Fahrenheit values."""
    import neuron_core as nc

    celsius, fahrenheit = nc.make_dataset()
    return nc.scale_inputs(celsius), fahrenheit


def explorers() -> list[Explorer]:
    """The three explorers with the arguments of notebooks 02, 04 and 05."""
    import neuron_core as nc

    return [
        Explorer("hand-fit", lambda x, y: nc.hand_fit_explorer(x, y, w=100, b=0)),
        Explorer("step", lambda x, y: nc.step_explorer(x, y, lr=0.5),
                 actions={"step_button": ("increment", "steps"),
                          "reset_button": ("reset", "steps")}),
        Explorer("training", lambda x, y: nc.training_explorer(x, y, lr=0.5, epochs=200)),
    ]


# ---------------------------------------------------------------------------------------------
# Binary values: each stored once, a prefix pointing into a longer one; numbers compressed
# ---------------------------------------------------------------------------------------------


class Blob:
    """Bytes values laid out in one buffer, 8-byte aligned (a Float64Array can view them)."""

    def __init__(self):
        self.wanted: dict[bytes, None] = {}
        self.where: dict[bytes, tuple[int, int]] = {}
        self.data = bytearray()

    def want(self, value: bytes) -> None:
        self.wanted[value] = None

    def lay_out(self) -> None:
        """Longest first, so that a prefix finds the value it starts."""
        stored: list[tuple[bytes, int]] = []
        for value in sorted(self.wanted, key=lambda v: (-len(v), v)):
            home = next((offset for longer, offset in stored if longer.startswith(value)), None)
            if home is None:
                self.data.extend(b"\0" * (-len(self.data) % 8))
                home = len(self.data)
                self.data.extend(value)
                stored.append((value, home))
            self.where[value] = (home, len(value))


class Store:
    """Two blobs: pictures (PNG, already compressed: as they are) and numbers (float64
    arrays). The numbers are shuffled, every value's first bytes together, then its second
    bytes..., which puts the slowly changing sign, exponent and leading digits of a run side
    by side, and deflated: a third of their size (the page inflates them with the browser's
    DecompressionStream)."""

    def __init__(self):
        self.pictures, self.numbers = Blob(), Blob()

    def blob_for(self, value: bytes) -> Blob:
        numbers = len(value) % 8 == 0 and not value.startswith(PNG)
        return self.numbers if numbers else self.pictures

    def want(self, value: bytes) -> None:
        self.blob_for(value).want(value)

    def lay_out(self) -> None:
        self.pictures.lay_out()
        self.numbers.lay_out()

    def ref(self, value: bytes) -> dict:
        """{"$b": [offset, length]} in the pictures, {"$n": [...]} in the numbers."""
        blob = self.blob_for(value)
        return {"$n" if blob is self.numbers else "$b": list(blob.where[value])}

    def encoded(self) -> tuple[str, str]:
        """The pictures in base64; the numbers shuffled, deflated, in base64."""
        lanes = np.frombuffer(bytes(self.numbers.data), dtype=np.uint8).reshape(-1, 8)
        packed = zlib.compress(lanes.T.tobytes(), 9)
        return (base64.b64encode(bytes(self.pictures.data)).decode("ascii"),
                base64.b64encode(packed).decode("ascii"))


def _walk(value, on_bytes, rename):
    """value with every bytes value replaced by on_bytes(value), every widget id or reference
    by its new name, tuples as lists."""
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes | bytearray):
        return on_bytes(bytes(value))
    if isinstance(value, dict):
        return {k: _walk(v, on_bytes, rename) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_walk(v, on_bytes, rename) for v in value]
    if isinstance(value, str) and value.startswith(REFERENCE):
        return REFERENCE + rename.get(value[len(REFERENCE):], value[len(REFERENCE):])
    if isinstance(value, str) and value in rename:  # a model's own id (the view's self_id)
        return rename[value]
    if hasattr(value, "tolist"):  # numpy scalars
        return value.tolist()
    return value


# ---------------------------------------------------------------------------------------------
# An explorer's widget models, as ipywidgets embeds them
# ---------------------------------------------------------------------------------------------


def _live_widgets() -> dict:
    """Every live widget by model id, in creation order: ipywidgets' own registry, the one
    ``Widget.get_manager_state`` (its embedding call) reads. An explorer's widgets are those
    created while it is built, links (jslink) included, which no attribute reaches."""
    from ipywidgets.widgets import widget

    return dict(widget._instances)


def _state(widget) -> dict:
    state = widget.get_state()
    return {k: v for k, v in state.items()
            if k not in SKIPPED_KEYS and v is not None and not (k == "tooltip" and not v)}


def smaller_png(data: bytes) -> bytes:
    """The same picture deflated harder (level 9; the kernel draws at a faster level): a fifth
    smaller, pixel for pixel the same (checked)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image.load()
        buffer = io.BytesIO()
        image.save(buffer, "png", compress_level=9)
        with Image.open(io.BytesIO(buffer.getvalue())) as again:
            if again.mode != image.mode or again.tobytes() != image.tobytes():
                raise ValueError("re-encoding a background changed its pixels")
    return min(data, buffer.getvalue(), key=len)


def for_the_page(backgrounds: dict) -> dict:
    """The backgrounds as the page keeps them: the light theme's PNG, smaller, in place of
    both (the page has one theme, and the same bytes are stored once; the dark ones are not
    even drawn)."""
    page = {}
    for key, bg in backgrounds.items():
        light = smaller_png(bytes(bg["light"]))
        page[key] = {**bg, "light": light, "dark": light}
    return page


@dataclass
class Snapshot:
    """An explorer's widget models: their page names (in creation order) and state."""

    name: str
    root: str
    states: dict[str, dict]  # page name -> state, ids already renamed, bytes still bytes
    actions: dict[str, tuple[str, str]]
    esm: str
    css: str


def snapshot(spec: Explorer, x, y) -> Snapshot:
    """Build the explorer, give its view every background, take its models' state."""
    before = set(_live_widgets())
    ex = spec.make(x, y)
    try:
        ex.view.backgrounds = for_the_page(ex.view_backgrounds(themes=["light"]))
        if ex.view.background:  # the one shown first: the same as its key's in backgrounds
            ex.view.background = ex.view.backgrounds[ex.view.background["key"]]
        created = {i: w for i, w in _live_widgets().items() if i not in before}
        kept = [i for i, w in created.items()
                if w.get_state()["_model_name"] not in SKIPPED_MODELS]
        rename = {old: f"{spec.name}-{n}" for n, old in enumerate(kept)}
        states = {rename[i]: _walk(_state(created[i]), lambda b: b, rename) for i in kept}
        actions = {rename[getattr(ex, button).model_id]:
                   (what, rename[getattr(ex, slider).model_id])
                   for button, (what, slider) in (spec.actions or {}).items()}
        return Snapshot(spec.name, rename[ex.model_id], states, actions, ex.view._esm,
                        ex.view._css)
    finally:
        ex.close()


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


def manifest(snapshots: list[Snapshot]) -> tuple[dict, Store]:
    """The page's JSON (the models' state, bytes as references) and the bytes."""
    store = Store()
    for snap in snapshots:
        _walk(snap.states, store.want, {})
    store.lay_out()
    return {"explorers": [
        {"name": snap.name, "root": snap.root, "order": list(snap.states),
         "models": _walk(snap.states, store.ref, {}), "actions": snap.actions}
        for snap in snapshots]}, store


def _script_safe(text: str, what: str) -> str:
    if "</script" in text.lower() or "<!--" in text:
        raise ValueError(f"{what} contains '</script' or '<!--': it cannot sit in a <script>")
    return text


def _json_for_script(value) -> str:
    # "<\/" is the same string to JSON and cannot close the <script> around it.
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("</", "<\\/").replace("<!--", "<\\u0021--")


def page(snapshots: list[Snapshot]) -> str:
    """The page's HTML: template, CSS, the ES module, the manifest, the blob, the page's JS."""
    import neuron_explorers

    esm = snapshots[0].esm
    shipped = Path(neuron_explorers.__file__).with_name("neuron_explorers.js")
    if any(s.esm != esm for s in snapshots) or esm != shipped.read_text(encoding="utf-8"):
        raise ValueError("the explorers' ES module is not neuron_explorers.js")
    data, store = manifest(snapshots)
    pictures, numbers = store.encoded()
    parts = {
        "CSS": "\n".join([(SOURCE / "site.css").read_text(encoding="utf-8"),
                          *dict.fromkeys(s.css for s in snapshots)]),
        "ESM": _script_safe(esm, "neuron_explorers.js"),
        "MANIFEST": _json_for_script(data),
        "PICTURES": pictures,
        "NUMBERS": numbers,
        "SITE_JS": _script_safe((SOURCE / "site.js").read_text(encoding="utf-8"), "site.js"),
    }
    html = (SOURCE / "index.html").read_text(encoding="utf-8")
    for name, text in parts.items():
        marker = f"<!--NC:{name}-->"
        if html.count(marker) != 1:
            raise ValueError(f"site/index.html must hold {marker} exactly once")
        html = html.replace(marker, text)
    return html


def build(out: Path = OUT, names: list[str] | None = None) -> Path:
    """Write out/index.html with the explorers named (all three by default); return its
    path."""
    x, y = course_data()
    snapshots = [snapshot(spec, x, y) for spec in explorers()
                 if names is None or spec.name in names]
    out.mkdir(parents=True, exist_ok=True)
    index = out / "index.html"
    index.write_text(page(snapshots), encoding="utf-8")
    return index


def main(argv: list[str]) -> int:
    index = build(Path(argv[0]) if argv else OUT)
    print(f"{index}: {index.stat().st_size / 1000:.0f} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
