"""Build the course's reveal.js slides so that they present offline, on a 1280x720 screen.

Usage: python scripts/build_slides.py OUT_DIR NOTEBOOK...

``make slides`` builds the lessons of the instructor edition (instructor/), the full text: on the
slides an exercise's solution appears on a click after the exercise, without its markers.

nbconvert's slides load reveal.js, RequireJS, jQuery and MathJax from CDNs, so without a network
a deck is one long scrolling page with raw $...$ math. Here the same files come from the npm
registry instead, pinned by slides/package.json and slides/package-lock.json (``npm ci --prefix
slides`` installs them into slides/node_modules; ``make slides`` does that first). They are copied
into OUT_DIR/vendor/ and the exporter's URL options point at those copies by relative URLs, so
OUT_DIR can be opened from disk (file://), served by any web server, or copied to a USB stick.

The template (slides/templates/one_neuron_reveal) is nbconvert's own reveal template minus the
two things it would still fetch from a CDN (Mermaid and the widget manager: the course has no
Mermaid diagrams, and a widget cell shows the picture its output carries), with figures sized for
the slide and code blocks in the text at the code's size.
Which cells go on which slide is scripts/slide_metadata.py's rule (``for_slides``), applied
here to the notebook as it is now: the same rule as the notebooks' stored slide metadata (which
RISE and a plain ``jupyter nbconvert --to slides`` use), plus a slide at a heading in the middle
of a markdown cell; each figure shown without its plotting code, at the slide's width.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nbformat
import slide_metadata
from nbconvert import SlidesExporter
from traitlets.config import Config

ROOT = Path(__file__).resolve().parents[1]
SLIDES = ROOT / "slides"
NODE_MODULES = SLIDES / "node_modules"
TEMPLATES = SLIDES / "templates"
TEMPLATE = "one_neuron_reveal"

# The reveal.js slide size: a 720p projector. Content that fits it shows at its full size there.
WIDTH, HEIGHT = 1280, 720

# What the deck loads, as (path under OUT_DIR/vendor, path under slides/node_modules). Only what
# is used is copied: MathJax 2 in full is 73 MB, the TeX-to-CommonHTML part of it 4 MB.
VENDOR = [
    ("reveal.js/dist", "reveal.js/dist"),
    ("reveal.js/plugin/notes", "reveal.js/plugin/notes"),
    ("require.js", "requirejs/require.js"),
    ("jquery.min.js", "jquery/dist/jquery.min.js"),
    ("mathjax/MathJax.js", "mathjax/MathJax.js"),
    ("mathjax/config/TeX-AMS_CHTML-full.js", "mathjax/config/TeX-AMS_CHTML-full.js"),
    ("mathjax/config/Safe.js", "mathjax/config/Safe.js"),
    ("mathjax/extensions", "mathjax/extensions"),
    ("mathjax/jax/element", "mathjax/jax/element"),
    ("mathjax/jax/input/TeX", "mathjax/jax/input/TeX"),
    ("mathjax/jax/output/CommonHTML", "mathjax/jax/output/CommonHTML"),
    ("mathjax/fonts/HTML-CSS/TeX/woff", "mathjax/fonts/HTML-CSS/TeX/woff"),
    ("mathjax/fonts/HTML-CSS/TeX/otf", "mathjax/fonts/HTML-CSS/TeX/otf"),
]


def exporter_config() -> Config:
    """The exporter's options: every URL it loads points into vendor/, relative to the HTML."""
    c = Config()
    c.SlidesExporter.extra_template_basedirs = [str(TEMPLATES)]
    c.SlidesExporter.template_name = TEMPLATE
    c.SlidesExporter.reveal_url_prefix = "vendor/reveal.js"
    c.SlidesExporter.require_js_url = "vendor/require.js"
    c.SlidesExporter.jquery_url = "vendor/jquery.min.js"
    # MathJax.js itself, not the CDN's latest.js (which looks for a newer MathJax online).
    c.SlidesExporter.mathjax_url = "vendor/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
    # "white", not nbconvert's default "simple": simple.css imports its fonts from Google Fonts,
    # white.css from dist/theme/fonts/ next to it.
    c.SlidesExporter.reveal_theme = "white"
    c.SlidesExporter.reveal_width = str(WIDTH)
    c.SlidesExporter.reveal_height = str(HEIGHT)
    c.SlidesExporter.reveal_number = "c/t"  # slide numbers, so a class can say "slide 12"
    c.SlidesExporter.reveal_scroll = False  # a slide that does not fit is a bug, not a scrollbar
    # No "In [3]:" prompts: they take 110 px of every code line's width.
    c.SlidesExporter.exclude_input_prompt = True
    c.SlidesExporter.exclude_output_prompt = True
    return c


def copy_vendor(out_dir: Path) -> None:
    missing = [src for _, src in VENDOR if not (NODE_MODULES / src).exists()]
    if missing:
        raise SystemExit(
            f"missing {NODE_MODULES / missing[0]}: run `npm ci --prefix slides` first "
            "(or `make slides`, which does)"
        )
    for dest, src in VENDOR:
        source, target = NODE_MODULES / src, out_dir / "vendor" / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target)


def build(out_dir: Path, notebooks: list[Path]) -> list[Path]:
    """Write OUT_DIR/<name>.slides.html for each notebook and OUT_DIR/vendor/; returns the decks."""
    out_dir.mkdir(parents=True, exist_ok=True)
    copy_vendor(out_dir)
    exporter = SlidesExporter(config=exporter_config())
    decks = []
    for notebook in notebooks:
        nb = slide_metadata.for_slides(nbformat.read(notebook, as_version=4))
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": notebook.stem}})
        for other in notebooks:  # "Next: 03 · The derivative" leads to the next deck
            body = body.replace(f'href="{other.name}"', f'href="{other.stem}.slides.html"')
        deck = out_dir / f"{notebook.stem}.slides.html"
        deck.write_text(body, encoding="utf-8")
        decks.append(deck)
    return decks


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    for deck in build(Path(argv[0]), [Path(arg) for arg in argv[1:]]):
        print(f"wrote {deck}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
