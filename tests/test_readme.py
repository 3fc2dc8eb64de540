"""README.md points only at things that exist; the checker itself is tested on a small fake repo."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import check_readme as cr
import pytest

ROOT = Path(__file__).resolve().parents[1]
BINDER = "https://mybinder.org/v2/gh/one-neuron/one-neuron/main"
HUB = "https://hub.example.org/hub/user-redirect/git-pull"
REPO_Q = quote(cr.REPO, safe="")


def test_the_readme_points_only_at_things_that_exist():
    assert cr.problems((ROOT / "README.md").read_text(encoding="utf-8"), ROOT) == []


def test_the_makefile_targets_are_parsed():
    targets = cr.makefile_targets((ROOT / "Makefile").read_text())
    assert {"lab", "test", "student", "slides", "demo", "lite", "clean"} <= targets
    assert not any("$" in t or "=" in t for t in targets)


@pytest.fixture
def repo(tmp_path):
    """A fake repository: two notebooks, a script, a Makefile, and a .gitignore."""
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "01_data.ipynb").write_text("{}")
    (tmp_path / "notebooks" / "02_forward.ipynb").write_text("{}")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "bench.py").write_text("")
    (tmp_path / "Makefile").write_text(
        "V := .venv\n.PHONY: lab test\nlab: $(V)\n\tjupyter lab\ntest unit:\n\tpytest\n"
        "$(V)/bin/python:\n\tpython -m venv $(V)\n"
    )
    (tmp_path / ".gitignore").write_text(".venv/\nbuild/\n*.pyc\n")
    return tmp_path


def check(text, repo):
    return cr.problems(text, repo)


def test_good_links_and_paths_pass(repo):
    text = """# Course
[First lesson](notebooks/01_data.ipynb) and [the folder](notebooks/), [top](#course),
[numpy](https://numpy.org/doc/), ![logo](notebooks/02_forward.ipynb "title").
[ref]: scripts/bench.py
Run `make lab`, then `make test unit` or `make V=x test`;
to make sure, run `python scripts/bench.py`.
Slides land in `build/slides/01_data.slides.html`; every notebook: `notebooks/*.ipynb`.
Maths in code is no path: `x = C/100`. [`01_data.ipynb`](notebooks/01_data.ipynb) is linked;
`bench.py` is a bare name found in scripts/; `notebooks/0N_name.ipynb` and `<name>.py` are patterns.
`https://YOUR-HUB/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Fone-neuron%2Fone-neuron&branch=main`

```bash
make lab   # opens JupyterLab
.venv/bin/python scripts/bench.py --out=notebooks/
```
"""
    assert check(text, repo) == []


def test_each_broken_reference_is_reported_once(repo):
    text = """[broken](notebooks/03_nope.ipynb) and again [it](notebooks/03_nope.ipynb#x)
[escape](../outside.md)
[ref]: scripts/gone.py
See `scripts/bnech.py` and `notebooks/*.md`; run `make tset`. [`gone.ipynb`](gone.ipynb), `gone.py`.

```
make lab lnit
```
"""
    assert check(text, repo) == [
        "link 'notebooks/03_nope.ipynb': no such file",
        "link 'notebooks/03_nope.ipynb#x': no such file",
        "link '../outside.md' points outside the repository",
        "link 'gone.ipynb': no such file",
        "link 'scripts/gone.py': no such file",
        "path `scripts/bnech.py`: no such file",
        "path `notebooks/*.md` matches no file",
        "path `gone.py`: no such file",
        "`make lnit`: no such target in the Makefile",
        "`make tset`: no such target in the Makefile",
    ]


def test_links_inside_code_are_not_links(repo):
    assert check("```markdown\n[a](nowhere/at/all)\n```\n", repo) == []


@pytest.mark.parametrize("url", [
    f"{BINDER}?urlpath=lab/tree/notebooks/01_data.ipynb",
    f"{BINDER}?urlpath=lab%2Ftree%2Fnotebooks%2F01_data.ipynb",
    f"{BINDER}?labpath=notebooks/02_forward.ipynb",
    f"{BINDER}?urlpath=lab",
    "https://mybinder.org/badge_logo.svg",
    f"{HUB}?repo={REPO_Q}&branch=main&urlpath=lab%2Ftree%2Fone-neuron%2Fnotebooks%2F01_data.ipynb"
    "%3Fautodecode",
    f"{HUB}?repo={REPO_Q}.git&branch=main&targetPath=course"
    "&urlpath=lab%2Ftree%2Fcourse%2Fnotebooks%2F01_data.ipynb",
    cr.REPO + "/blob/main/notebooks/01_data.ipynb",
    cr.REPO + "/issues",
])
def test_good_hosted_links_pass(repo, url):
    assert check(f"[Open]({url}).", repo) == []


@pytest.mark.parametrize(("url", "problem"), [
    (f"{BINDER}?urlpath=lab/tree/notebooks/09_gone.ipynb", "'notebooks/09_gone.ipynb' is not in"),
    (f"{BINDER}?urlpath=lab/tree/01_data.ipynb", "'01_data.ipynb' is not in the repository"),
    ("https://mybinder.org/v2/gh/someone/else/main?urlpath=lab", "someone/else is not"),
    ("https://mybinder.org/v2/gh/one-neuron/one-neuron/master", "branch 'master' is not 'main'"),
    (f"{HUB}?repo={REPO_Q}&branch=main&urlpath=lab%2Ftree%2Fnotebooks%2F01_data.ipynb",
     "must start with the clone folder 'one-neuron'/"),
    (f"{HUB}?repo={REPO_Q}&urlpath=lab%2Ftree%2Fone-neuron%2Fnotebooks%2F01_data.ipynb",
     "branch None is not 'main' (a missing branch means master)"),
    (f"{HUB}?repo=https%3A%2F%2Fgithub.com%2Fx%2Fy&branch=main", "repo 'https://github.com/x/y'"),
    (cr.REPO + "/blob/main/notebooks/09_gone.ipynb", "'notebooks/09_gone.ipynb' is not in"),
    # Binder for the environment, nbgitpuller for the content: the inner link is checked too.
    ("https://mybinder.org/v2/gh/org/env/main?urlpath=git-pull%3Frepo%3D"
     + quote(REPO_Q, safe="") + "%26branch%3Dmain%26urlpath%3Dlab%252Ftree%252Fone-neuron"
     "%252Fnotebooks%252F09_gone.ipynb", "'notebooks/09_gone.ipynb' is not in"),
])
def test_bad_hosted_links_are_reported(repo, url, problem):
    found = check(f"Open <{url}>", repo)
    assert len(found) == 1 and problem in found[0], found


def test_the_command_line_exits_1_naming_each_problem(repo, capsys):
    (repo / "README.md").write_text("[x](nope.md)\n")
    assert cr.main([str(repo / "README.md")]) == 1
    assert "README.md: link 'nope.md': no such file" in capsys.readouterr().err
    (repo / "README.md").write_text("[x](notebooks/01_data.ipynb)\n")
    assert cr.main([str(repo / "README.md")]) == 0
