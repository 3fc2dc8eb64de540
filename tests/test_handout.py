"""`make handout`: docs/handout.md as one printable page that loads nothing; and the TeX-to-HTML
conversion (scripts/printable.py) that the handout and the answer key share.

The browser test prints the page in Chromium, as a learner's browser would, to A4 and to US
Letter, and counts the pages: one each.
"""

from __future__ import annotations

import re
from pathlib import Path

import handout
import printable
import pytest
from labharness import keep_offline

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("tex", "expected"), [
    (r"\hat y = w x + b", "<i>ŷ</i> = <i>w</i> <i>x</i> + <i>b</i>"),
    (r"1 - 2\,\text{lr}", "1 − 2\u2009lr"),
    (r"1 - 2\,\text{mean}(x^2)\cdot\text{lr}", "1 − 2\u2009mean(<i>x</i>²)·lr"),
    (r"1 / (2\sqrt{L})", "1 / (2√<i>L</i>)"),
    (r"F = w_C\,C + b_C", "<i>F</i> = <i>w</i><sub><i>C</i></sub>\u2009<i>C</i> + "
                          "<i>b</i><sub><i>C</i></sub>"),
    (r"\frac{h}{2}L''", "(<i>h</i>/2)<i>L</i>''"),
    (r"x < 3 \le y", "<i>x</i> &lt; 3 ≤ <i>y</i>"),
    (r"\lambda_{\max}", "λ<sub>max</sub>"),
])  # fmt: skip
def test_tex_becomes_plain_html(tex, expected):
    assert printable.tex_to_html(tex) == expected


def test_tex_it_does_not_know_is_refused_by_name():
    with pytest.raises(ValueError, match=r"\\begin in \$\\begin\{pmatrix\}"):
        printable.tex_to_html(r"\begin{pmatrix} a \end{pmatrix}")


def test_math_is_converted_outside_code_only():
    out = printable.markdown_to_html("Take $x = C/100$ and `$x$`.\n\n$$dw = 2$$\n")
    assert '<span class="math"><i>x</i> = <i>C</i>/100</span>' in out
    assert "<code>$x$</code>" in out
    assert '<div class="math">dw = 2</div>' in out and "<p><div" not in out


def test_a_page_that_would_fetch_something_is_refused():
    assert printable.fetches('<p>a <a href="glossary.md">b</a></p>') == []
    for body in ('<img src="x.png">', '<a href="https://cdn.example/x">x</a>', "<script>"):
        with pytest.raises(ValueError, match="must load nothing"):
            printable.page("t", body)


def test_links_are_relinked_from_where_the_page_is_written():
    body = '<a href="glossary.md#epoch">e</a> <a href="https://x.org/a">x</a> <a href="#top">t</a>'
    moved = printable.relink(body, ROOT / "docs", ROOT / "build")
    assert moved == ('<a href="../docs/glossary.md#epoch">e</a> <a href="https://x.org/a">x</a> '
                     '<a href="#top">t</a>')


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    return handout.build(tmp_path_factory.mktemp("handout") / "handout.html")


def test_the_handout_has_what_it_must(page):
    text = page.read_text(encoding="utf-8")
    for needed in (
        "ŷ = w·x + b",  # the neuron
        "L = mean(r²)",  # the loss
        "dw = 2·mean(r·x)", "db = 2·mean(r)",  # the gradient
        "new w = w − lr·dw", "new b = b − lr·db",  # the step
        "for epoch in range(epochs):", "nc.gradients(x, y, w, b)", "nc.step(w, b, dw, db, lr)",
        "lr &lt; 1",  # the threshold for this data's b
        "lr &lt; 2 / (the largest steepness)",  # the general rule
    ):
        assert needed in text, f"the handout lacks {needed!r}"
    assert "$" not in text and "\\" not in text  # no TeX left for a MathJax that is not there
    assert not printable.fetches(text), printable.fetches(text)


def test_the_glossary_link_points_at_the_glossary(page):
    (href,) = re.findall(r'href="([^"]*glossary[^"]*)"', page.read_text(encoding="utf-8"))
    assert (page.parent / href).resolve() == (ROOT / "docs" / "glossary.md").resolve()


def pages_printed(browser, page: Path) -> dict[str, int]:
    """The page printed by Chromium to A4 and to Letter: pages of each; and outside requests."""
    tab = browser.new_page()
    outside = keep_offline(tab)
    try:
        tab.goto(page.as_uri())
        counts = {size: len(re.findall(rb"/Type\s*/Page\b", tab.pdf(format=size)))
                  for size in ("A4", "Letter")}  # fmt: skip
    finally:
        tab.close()
    assert not outside, f"the page asked the network for {outside}"
    return counts


@pytest.mark.browser
def test_the_handout_prints_on_one_page(browser, page):
    assert pages_printed(browser, page) == {"A4": 1, "Letter": 1}
