"""One printable HTML page from markdown, with its math as plain HTML: no script, no CDN.

scripts/handout.py and scripts/answers.py write their pages with ``page``. Math in the course's
markdown is TeX between ``$...$`` (or ``$$...$$``), which MathJax renders in the notebooks; a
printed page should not need MathJax (nor a network), so ``tex_to_html`` turns the small part of
TeX the course uses into HTML and Unicode (``\\cdot`` into ·, ``x^2`` into x², ``\\sqrt{L}`` into
√L, single letters into italics). It refuses TeX it does not know, naming it, rather than print
a backslash.
"""

from __future__ import annotations

import html
import os
import re
import unicodedata
from pathlib import Path

import mistune

SYMBOLS = {
    r"\cdot": "·", r"\times": "×", r"\le": "≤", r"\leq": "≤", r"\ge": "≥", r"\geq": "≥",
    r"\approx": "≈", r"\ne": "≠", r"\neq": "≠", r"\to": "→", r"\leftarrow": "←",
    r"\rightarrow": "→", r"\pm": "±", r"\infty": "∞", r"\sum": "Σ", r"\lambda": "λ",
    r"\partial": "∂", r"\quad": "\u2003", r"\qquad": "\u2003\u2003", r"\,": "\u2009",
    r"\;": "\u2005", r"\ ": " ", r"\{": "{", r"\}": "}", r"\%": "%", r"\&": "&", r"\max": "max",
    r"\min": "min", r"\ldots": "…", r"\dots": "…", r"\cdots": "⋯",
}
SUPERSCRIPT = str.maketrans("0123456789+−()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾ⁿ")
GROUP = r"\{((?:[^{}]|\{[^{}]*\})*)\}"  # one {...} group, one level of nesting inside
MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", re.DOTALL)

# The page: A4 or Letter, no colour needed, nothing loaded from anywhere.
CSS = """
@page { margin: 12mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; font-size: 10pt;
       line-height: 1.3; color: #111; max-width: 186mm; margin: 0 auto; padding: 6mm 0; }
h1 { font-size: 16pt; margin: 0 0 2mm; }
h2 { font-size: 12pt; margin: 4mm 0 1mm; border-bottom: 0.3mm solid #999; }
h3 { font-size: 10.5pt; margin: 3mm 0 1mm; }
p, ul, ol { margin: 1mm 0; }
code, pre { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 9pt; }
pre { background: #f3f3f3; border: 0.3mm solid #ccc; padding: 1.5mm 2.5mm; margin: 1.5mm 0;
      white-space: pre-wrap; }
table { border-collapse: collapse; margin: 1.5mm 0; }
td, th { border: 0.3mm solid #bbb; padding: 0.8mm 2mm; text-align: left; vertical-align: top; }
.math { font-family: "DejaVu Serif", "Times New Roman", serif; white-space: nowrap; }
div.math { text-align: center; margin: 1.5mm 0; }
.math i { font-style: italic; }
section { break-inside: avoid; page-break-inside: avoid; }
@media print { body { padding: 0; } a { color: inherit; text-decoration: none; } }
"""


def _group_command(tex: str, name: str, render) -> str:
    """Replace every ``\\name{...}`` (one argument) by render(argument)."""
    return re.sub(rf"\\{name}\s*{GROUP}", lambda m: render(m.group(1)), tex)


def tex_to_html(tex: str) -> str:
    """The course's inline TeX as HTML: upright words, italic letters, Unicode symbols."""
    text = tex.strip()
    for command in sorted(SYMBOLS, key=len, reverse=True):  # \leq before \le
        end = r"(?![A-Za-z])" if command[-1].isalpha() else ""  # \to is not the start of \text
        text = re.sub(re.escape(command) + end, lambda _, c=command: SYMBOLS[c], text)
    text = _group_command(text, "text", lambda s: s)
    text = _group_command(text, "mathrm", lambda s: s)
    text = re.sub(r"\\hat\s*(?:\{(\w)\}|(\w))", lambda m: (m[1] or m[2]) + "\u0302", text)
    text = _group_command(text, "sqrt", lambda s: f"√{s}" if len(s) == 1 else f"√({s})")
    text = re.sub(rf"\\frac\s*{GROUP}\s*{GROUP}", lambda m: f"({m[1]}/{m[2]})", text)
    unknown = re.findall(r"\\[A-Za-z]+|\\.", text)
    if unknown:
        raise ValueError(f"TeX that scripts/printable.py cannot print: {unknown[0]} in ${tex}$")
    text = html.escape(text, quote=False).replace("-", "−")  # a minus sign, not a hyphen
    text = re.sub(r"\^" + GROUP, lambda m: _superscript(m.group(1)), text)
    text = re.sub(r"\^(\w)", lambda m: _superscript(m.group(1)), text)
    text = re.sub(r"_" + GROUP, lambda m: f"<sub>{m.group(1)}</sub>", text)
    text = re.sub(r"_(\w)", lambda m: f"<sub>{m.group(1)}</sub>", text)
    text = text.replace("{", "").replace("}", "")
    # Single letters (x, w, b) in italics, as in print; not a letter inside a word or a tag.
    text = re.sub(r"(?<![A-Za-z0-9_&#;/<])([A-Za-z]\u0302?)(?![A-Za-z0-9_;>])", r"<i>\1</i>", text)
    return unicodedata.normalize("NFC", text)  # y and a combining hat: one character, ŷ


def _wrap(s: str) -> str:
    return s if re.fullmatch(r"[\w.]+", s) else f"({s})"


def _superscript(s: str) -> str:
    return s.translate(SUPERSCRIPT) if all(c in "0123456789+−()n" for c in s) else f"<sup>{s}</sup>"


def markdown_to_html(markdown: str) -> str:
    """Markdown (GitHub's flavour: tables, raw HTML) with its $math$ as plain HTML."""
    pieces: list[str] = []

    def hold(match: re.Match) -> str:
        display = match.group(1) is not None
        inner = tex_to_html(match.group(1) if display else match.group(2))
        tag = "div" if display else "span"
        pieces.append(f'<{tag} class="math">{inner}</{tag}>')
        return f"MATHPIECE{len(pieces) - 1}X"

    code = re.compile(r"(```.*?```|`[^`\n]*`)", re.DOTALL)  # no math inside code
    parts = code.split(markdown)
    held = "".join(part if k % 2 else MATH.sub(hold, part) for k, part in enumerate(parts))
    rendered = re.sub(r"<p>(MATHPIECE\d+X)</p>", r"\1", mistune.html(held))  # a block alone
    return re.sub(r"MATHPIECE(\d+)X", lambda m: pieces[int(m.group(1))], rendered)


def relink(body: str, source_dir: Path, out_dir: Path) -> str:
    """Relative links of a page written from source_dir, made relative to out_dir."""

    def fix(match: re.Match) -> str:
        target = match.group(2)
        if re.match(r"[a-z][a-z0-9+.-]*:|#", target):  # http:, mailto:, an anchor: as they are
            return match.group(0)
        path, _, anchor = target.partition("#")
        moved = Path(os.path.relpath(source_dir / path, out_dir)).as_posix()
        return f'{match.group(1)}"{moved}{"#" + anchor if anchor else ""}"'

    return re.sub(r'(href=)"([^"]+)"', fix, body)


def fetches(page: str) -> list[str]:
    """What in a page would fetch something: scripts, styles, images, frames, fonts, outside
    links (a printed page has no use for them, and a class may have no network)."""
    found = re.findall(r"<script|<link|<img|<iframe|@import|url\(|\bsrc=", page)
    return found + re.findall(r"""href=["']?https?://[^"'\s>]*""", page)


def page(title: str, body: str) -> str:
    """A whole HTML page: the title, the body, the print styles; nothing to load (a body that
    would fetch something is refused, naming it)."""
    if fetches(body):
        raise ValueError(f"a printable page must load nothing, found: {fetches(body)}")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )
