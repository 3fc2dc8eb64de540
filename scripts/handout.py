"""The one-page handout: docs/handout.md as a printable HTML page, build/handout.html.

Usage: python scripts/handout.py [OUT_HTML]      (``make handout``)

The page prints on one sheet of A4 or US Letter (tests/test_handout.py prints it in Chromium
and counts the pages), loads nothing (no script, no font, no image from anywhere), and writes
its formulas in plain HTML and Unicode. Its glossary link points at docs/glossary.md from
wherever the page is written.
"""

from __future__ import annotations

import sys
from pathlib import Path

import printable

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "docs" / "handout.md"
DEFAULT_OUT = ROOT / "build" / "handout.html"


def build(out: Path = DEFAULT_OUT) -> Path:
    """Write the handout to ``out``; returns its path."""
    body = printable.markdown_to_html(SOURCE.read_text(encoding="utf-8"))
    out.parent.mkdir(parents=True, exist_ok=True)
    title = "One Neuron: the handout"
    out.write_text(printable.page(title, printable.relink(body, SOURCE.parent, out.parent)),
                   encoding="utf-8")
    return out


def main(argv: list[str]) -> int:
    print(f"wrote {build(Path(argv[0]) if argv else DEFAULT_OUT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
