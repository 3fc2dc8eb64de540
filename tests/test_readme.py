"""README.md and docs/: every `make` command they name exists, and the front page says what a
learner and an instructor need first.

Links and anchors are checked by pytest-check-links (`make links`, offline: see the Makefile and
docs/maintaining.md); one test here runs that same command on a small folder to show that it
catches a broken link and an unknown anchor and does not go online.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import editions
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
FIRST_SCREEN = 30  # lines: what shows on GitHub or in an editor before any scrolling

FENCE = re.compile(r"^(```|~~~)[^\n]*\n(.*?)^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
MAKE = re.compile(r"(?:^|[\s;&|(])make((?:[ \t]+[^\s;&|)`]+)+)")
TARGET = re.compile(r"^([A-Za-z][\w.-]*)\s*:(?!=)", re.MULTILINE)
VARIABLE = re.compile(r"^([A-Z][A-Z0-9_]*)\s*[?:+]?=", re.MULTILINE)


def code_pieces(text: str) -> list[str]:
    """The fenced code blocks and `code spans` of a markdown text: where commands are written."""
    pieces = [m.group(2) for m in FENCE.finditer(text)]
    prose = FENCE.sub("", text)
    return pieces + [m.group(2) for m in CODE_SPAN.finditer(prose)]


def make_commands(text: str) -> list[tuple[list[str], list[str]]]:
    """Each `make ...` command in the text's code: (its targets, its VARIABLE=value names)."""
    commands = []
    for piece in code_pieces(text):
        for line in piece.splitlines():
            for match in MAKE.finditer(line.split("#", 1)[0]):
                words = [w for w in shlex.split(match.group(1)) if not w.startswith("-")]
                names = [w.split("=", 1)[0] for w in words if "=" in w]
                commands.append(([w for w in words if "=" not in w], names))
    return commands


def makefile() -> tuple[set[str], set[str]]:
    """The Makefile's targets and variables."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(TARGET.findall(text)), set(VARIABLE.findall(text))


def test_commands_are_found_in_code_only():
    text = (
        "Make sure to run `make lab`, then `make hub HUB_PORT=8100`:\n\n"
        "```bash\nmake test   # every check\ncd x && make -j2 slides demo DEMO_PORT=9000\n```\n"
        "make believe is prose, not a command."
    )
    assert make_commands(text) == [
        (["test"], []), (["slides", "demo"], ["DEMO_PORT"]), (["lab"], []), (["hub"], ["HUB_PORT"])
    ]


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_every_make_command_in_the_docs_exists(page):
    targets, variables = makefile()
    problems = []
    for words, names in make_commands(page.read_text(encoding="utf-8")):
        problems += [f"`make {w}`: no such target" for w in words if w not in targets]
        problems += [f"`{n}=`: no such Makefile variable" for n in names if n not in variables]
    assert not problems, f"{page.relative_to(ROOT)}: {problems}"


def test_the_readme_is_a_short_front_page():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 150, f"README.md has {len(lines)} lines; move the details to docs/"
    first = "\n".join(lines[:FIRST_SCREEN])
    # A learner alone: which edition, how to open it, and how to see a solution after trying,
    # in the words the learner edition itself uses (scripts/editions.py writes that summary).
    for needed in ("notebooks/", "`make lab`", "mybinder.org", editions.SUMMARY, "instructor/",
                   "`make lab-instructor`", "docs/instructor-guide.md", "`make slides`",
                   "docs/grading.md", "docs/hub.md"):
        assert needed in first, f"the README's first {FIRST_SCREEN} lines do not mention {needed}"


def test_the_readme_times_are_the_notebooks_and_the_guides():
    readme = README.read_text(encoding="utf-8")
    for path in sorted((ROOT / "instructor").glob("[0-9]*.ipynb")):
        first = nbformat.read(path, as_version=4).cells[0].source
        (stated,) = re.findall(r"\*\*Time:\*\* about (\d+) minutes", first)
        row = re.search(rf"^\| \[`{path.name}`\].*\| (\d+) min \|$", readme, re.MULTILINE)
        assert row and row.group(1) == stated, f"README's time for {path.name} is not {stated} min"
    guide = (ROOT / "docs" / "instructor-guide.md").read_text(encoding="utf-8")
    (total,) = re.findall(r"^\| \*\*Main path\*\*.*?\| \*\*(\d+)\*\*", guide, re.MULTILINE)
    assert f"({total} minutes)" in readme, f"README's total is not the guide's {total} minutes"


def test_the_readme_states_the_command_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    last = [line for line in ci.splitlines() if line.strip() and not line.startswith("#")][-1]
    assert last.strip() == "make test", f".ci/run ends with {last!r}"
    readme = README.read_text(encoding="utf-8")
    assert "`make test`" in readme and "bash .ci/run" in readme


def links_command() -> list[str]:
    """The command of `make -n links`, as the Makefile runs it."""
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    out = subprocess.run(["make", "-n", "links"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=60, check=True).stdout  # fmt: skip
    for line in out.replace("\\\n", " ").splitlines():
        words = shlex.split(line)
        if "--check-links" in words:
            return words
    raise AssertionError(f"no pytest --check-links command in `make -n links`:\n{out}")


def test_the_link_check_catches_broken_links_offline(tmp_path, capsys):
    words = links_command()
    files = words.index("README.md")
    assert words[files:] == ["README.md", "docs/*.md"], words
    ignore = words[words.index("--check-links-ignore") + 1]
    assert re.match(ignore, "https://example.org/x") and re.match(ignore, "http://a.b")
    options = words[words.index("pytest") + 1 : files]
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "there.md").write_text("# There\n")
    page = tmp_path / "README.md"
    # In this process (its imports are done): the same options, on this folder alone. Two
    # links are broken (a file, an anchor); three are good (a file, an anchor, the heading's own
    # anchor link that nbconvert adds); the outside one is not even collected.
    good = "# Title here\n\n[a](docs/there.md) [b](#Title-here) [c](https://no.such.host.invalid/)"
    page.write_text(good + " [d](docs/gone.md) [e](#no-such-heading)\n")
    run = [*options, "--rootdir", str(tmp_path), "-q", str(page)]
    assert pytest.main(run) == pytest.ExitCode.TESTS_FAILED
    out = capsys.readouterr().out
    assert "2 failed, 3 passed" in out, out[-2000:]
    assert "No such file" in out and "Missing anchor: no-such-heading" in out, out[-2000:]
