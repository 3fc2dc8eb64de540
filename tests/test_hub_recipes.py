"""The hub's parts that need no running hub: the link guard, names, the learners' image (linted:
no docker engine here), the recipes in docs/hub.md, and nbgitpuller's merge of a course update."""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HUB = REPO / "hub"
sys.path.insert(0, str(HUB))
sys.path.insert(0, str(HUB / "singleuser"))

import pull_guard  # noqa: E402

COURSE = "https://github.com/one-neuron/one-neuron-course"


def problem(**arguments) -> str:
    query = {name: [value] for name, value in arguments.items()}
    return pull_guard.link_problem(query, COURSE, "one-neuron", "main")


def test_the_course_link_passes_in_its_usual_forms():
    for repo in (COURSE, COURSE + ".git", COURSE + "/"):
        assert problem(repo=repo, branch="main", targetpath="one-neuron") == ""
    assert problem(
        repo=COURSE, branch="main", targetpath="one-neuron", _xsrf="x",
        urlpath="lab/tree/one-neuron/notebooks/01_data.ipynb",
    ) == ""  # fmt: skip


@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        ({"repo": "https://github.com/someone/else"}, "not this course's repository"),
        ({"repo": "file:///srv/other"}, "not this course's repository"),
        ({"repo": COURSE + "-fork"}, "not this course's repository"),
        ({"targetpath": "../jupyter-bob/planted"}, "nowhere else"),
        ({"targetpath": "/home/jupyter-bob/planted"}, "nowhere else"),
        ({"targetpath": ".ipython/profile_default/startup"}, "nowhere else"),
        ({"targetpath": ".jupyter"}, "nowhere else"),
        ({"targetpath": "one-neuron/../.jupyter"}, "nowhere else"),
        ({"targetpath": "one-neuron/sub"}, "nowhere else"),
        ({"targetpath": "./one-neuron"}, "nowhere else"),
        ({"targetpath": "one-neuron\\..\\x"}, "nowhere else"),
        ({"targetpath": ""}, "nowhere else"),
        ({"branch": "instructor"}, "not the course's"),
        ({"backup": "true"}, "does not accept: backup"),
    ],
)
def test_a_link_elsewhere_is_refused_with_its_reason(arguments, reason):
    link = {"repo": COURSE, "branch": "main", "targetpath": "one-neuron", **arguments}
    assert reason in problem(**link)


def test_no_course_configured_refuses_every_link():
    query = {"repo": [COURSE], "targetpath": ["one-neuron"]}
    assert "no course repository" in pull_guard.link_problem(query, "", "one-neuron")
    twice = {"repo": [COURSE, COURSE], "targetpath": ["one-neuron"]}
    assert "repeats" in pull_guard.link_problem(twice, COURSE, "one-neuron")


def test_names_are_bounded_before_any_unix_user_is_made():
    pytest.importorskip("jupyterhub")
    import learners

    assert learners.unix_name("ada") == "jupyter-ada"
    assert len(learners.unix_name("a" * 20)) <= 32  # Linux's limit for a user name
    for bad in ("a" * 21, "a" * 300, "Ada", "../bob", "ada\n", "", "1ada", "ada bob", "-x"):
        with pytest.raises(ValueError, match="learner's name"):
            learners.unix_name(bad)


def test_the_learners_server_config_culls_and_keeps_the_news_away():
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("jupyter_server_config.py", path=str(HUB / "singleuser"))
    config = config.load_config()
    kernels = config.MappingKernelManager
    assert kernels.cull_idle_timeout > 0 and kernels.cull_connected is True
    assert kernels.cull_busy is False and kernels.default_kernel_name == "one-neuron"
    assert config.KernelSpecManager.allowed_kernelspecs == {"one-neuron"}
    # nbgrader: the Assignments panel's extensions for all, no formgrader or course list (a
    # learner's server: ONE_NEURON_GRADER is set to 1 for the instructor's only).
    assert config.ServerApp.jpserver_extensions == {
        "nbgitpuller": False, "pull_guard": True,
        "nbgrader.server_extensions.assignment_list": True,
        "nbgrader.server_extensions.validate_assignment": True,
        "nbgrader.server_extensions.formgrader": False,
        "nbgrader.server_extensions.course_list": False,
    }  # fmt: skip
    assert config.LabApp.news_url is None
    overrides = json.loads(
        (HUB / "singleuser" / "labconfig" / "default_setting_overrides.json").read_text()
    )
    news = overrides["@jupyterlab/apputils-extension:notification"]
    assert news == {"fetchNews": "false", "checkForUpdates": False}


# ---------------------------------------------------------------------------------------------
# The learners' image for Zero to JupyterHub, linted
# ---------------------------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (HUB / "Dockerfile").read_text()
    text = re.sub(r"\\\n", " ", text)  # continuation lines
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), " ".join(rest.split())))
    return found


def test_the_learners_image_is_complete_and_pinned():
    instructions = dockerfile_instructions()
    froms = [rest for keyword, rest in instructions if keyword == "FROM"]
    assert len(froms) == 1 and re.fullmatch(r"[\w./-]+:\d+\.\d+\.\d+[\w.-]*", froms[0]), froms
    copied = []
    for keyword, rest in instructions:
        if keyword == "COPY":
            *sources, _target = shlex.split(rest)
            copied += sources
    for source in copied:
        assert (REPO / source).exists(), f"COPY {source}: no such file in the repository"
    assert "requirements.txt" in copied and "requirements-hub.txt" in copied
    assert any(source.rstrip("/") == "hub/singleuser" for source in copied)
    runs = " && ".join(rest for keyword, rest in instructions if keyword == "RUN")
    installs = re.findall(r"(\S+) install --no-cache-dir", runs)
    assert installs and all(re.fullmatch(r"/opt/(server|course)/bin/pip", p) for p in installs), (
        f"every pip install goes into a venv of its own, none into the image's Python: {installs}"
    )
    assert "ipykernel install --prefix /opt/course --name one-neuron" in runs
    env = " ".join(rest for keyword, rest in instructions if keyword == "ENV")
    assert "JUPYTER_PATH=/opt/course/share/jupyter" in env
    assert "PYTHONPATH=/home/jovyan/one-neuron" in env
    assert ("CMD", '["jupyterhub-singleuser"]') in instructions
    assert instructions[-3][0] == "USER" and "jovyan" in instructions[-3][1]
    # The greps that pick the server's pins find each of them in the requirements files.
    wanted = ["jupyterlab", "jupyterlab_widgets", "anywidget", "psygnal", "jupyterlab-rise"]
    course = (REPO / "requirements.txt").read_text()
    for name in wanted:
        assert re.search(rf"^{re.escape(name)}==", course, re.M), name
    hub = (REPO / "requirements-hub.txt").read_text()
    for name in ("jupyterhub", "nbgitpuller"):
        assert re.search(rf"^{name}==", hub, re.M), name


def test_the_recipes_carry_the_protections():
    text = (REPO / "docs" / "hub.md").read_text()
    for needed in (
        "ipykernel install",  # the course's own kernel
        "one-neuron",
        "cull_idle_timeout",
        "fetchNews",
        "pull_guard",
        "CourseAuthenticator",
        "allowed_failed_logins",
        "hub/Dockerfile",
        "make hub HUB_PORT=",
    ):
        assert needed in text, f"docs/hub.md does not mention {needed}"
    assert not re.search(r"pip install[^\n]*jupyterlab", text, re.I), (
        "a recipe pip-installs JupyterLab into a shared environment"
    )


# ---------------------------------------------------------------------------------------------
# A course update against a learner's edit (nbgitpuller's own pull, no hub)
# ---------------------------------------------------------------------------------------------


def pull(repo: Path, into: Path) -> str:
    from nbgitpuller.pull import GitPuller

    puller = GitPuller(repo.as_uri(), str(into), branch="main", depth=1)
    return "".join(puller.pull())


def edit_cell(path: Path, index: int, line: str) -> None:
    """Add a line to a cell, as JupyterLab would save it (nbformat's layout)."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    notebook.cells[index].source += "\n" + line
    nbformat.write(notebook, path)


def test_an_update_keeps_the_learners_conflicting_edit(tmp_path):
    """What docs/hub.md says: on a conflict the learner's lines win and the course's change to
    those lines is dropped, without a word; the rest of the update arrives; renaming the file
    and clicking the link again brings the course's version back beside the learner's."""
    if importlib.util.find_spec("nbgitpuller") is None:
        pytest.skip("nbgitpuller (requirements-hub.txt)")
    import course_repo

    course = Path(course_repo.publish(tmp_path / "course").removeprefix("file://"))
    learner = tmp_path / "home" / "one-neuron"
    pull(course, learner)
    relative = Path("notebooks") / "05_training.ipynb"
    cells = json.loads((course / relative).read_text())["cells"]
    code = [i for i, cell in enumerate(cells) if cell["cell_type"] == "code"]
    edited, other = code[-1], code[0]

    edit_cell(learner / relative, edited, "# the learner's line")
    edit_cell(course / relative, edited, "# the course's fix of the same cell")
    edit_cell(course / relative, other, "# the course's fix of another cell")
    course_repo.git("commit", "-q", "-am", "A fix", cwd=course)

    output = pull(course, learner)
    text = (learner / relative).read_text()
    json.loads(text)  # still a notebook
    assert "the learner's line" in text
    assert "the course's fix of the same cell" not in text, "the course's change won the conflict"
    assert "the course's fix of another cell" in text
    assert "conflict" not in output.lower()  # nothing tells the learner

    (learner / relative).rename(learner / relative.with_name("05_training-mine.ipynb"))
    pull(course, learner)
    assert "the course's fix of the same cell" in (learner / relative).read_text()
    mine = (learner / relative.with_name("05_training-mine.ipynb")).read_text()
    assert "the learner's line" in mine
