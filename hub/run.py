"""Start the local trial hub of `make hub`: publish the course (learner edition only), print the
instructor's login and the nbgitpuller link, then run JupyterHub with hub/jupyterhub_config.py
(this process becomes the hub). Runs as root: the hub makes one Unix user per learner.

Environment (all optional): ONE_NEURON_HUB_PORT (8000), ONE_NEURON_HUB_API_PORT (8081),
ONE_NEURON_PROXY_API_PORT (8001), ONE_NEURON_HUB_DIR (build/hub), ONE_NEURON_HUB_INSTRUCTOR_PASSWORD
(a random one is made and printed), ONE_NEURON_HUB_REPO (the git URL learners pull; default: the
learner edition published by hub/course_repo.py into ONE_NEURON_HUB_DIR/course, file://...),
ONE_NEURON_HUB_BRANCH (main), and the others that hub/jupyterhub_config.py reads.

`python hub/run.py --remove-learners` removes the Unix users the trial made (their homes stay in
ONE_NEURON_HUB_DIR/homes until you delete it).
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
COURSE_DIR = "one-neuron"  # where nbgitpuller puts the course in each home (hub config: same)
sys.path.insert(0, str(HERE))


def pull_link(hub_url: str, repo: str, branch: str, notebook: str = "01_data.ipynb") -> str:
    """The nbgitpuller link: log in, (re)pull the course into ~/one-neuron, open the notebook."""
    query = urlencode(
        {
            "repo": repo,
            "branch": branch,
            "targetpath": COURSE_DIR,
            "urlpath": f"lab/tree/{COURSE_DIR}/notebooks/{notebook}",
        }
    )
    return f"{hub_url.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def main(argv: list[str]) -> None:
    if argv == ["--remove-learners"]:
        from learners import remove_learners

        print("removed:", " ".join(remove_learners()) or "nobody")
        return
    if os.geteuid() != 0:
        sys.exit("the trial hub makes one Unix user per learner: run it as root (sudo make hub)")
    port = int(os.environ.setdefault("ONE_NEURON_HUB_PORT", "8000"))
    for name, default in (("ONE_NEURON_HUB_API_PORT", 8081), ("ONE_NEURON_PROXY_API_PORT", 8001)):
        os.environ[name] = str(int(os.environ.get(name) or default))  # a number, or fail here
    hub_dir = Path(os.environ.setdefault("ONE_NEURON_HUB_DIR", str(REPO / "build" / "hub")))
    password = os.environ.get("ONE_NEURON_HUB_INSTRUCTOR_PASSWORD") or secrets.token_urlsafe(12)
    if len(password) < 8:
        sys.exit("ONE_NEURON_HUB_INSTRUCTOR_PASSWORD must have at least 8 characters")
    os.environ["ONE_NEURON_HUB_INSTRUCTOR_PASSWORD"] = password
    instructor = os.environ.setdefault("ONE_NEURON_HUB_INSTRUCTOR", "instructor")
    branch = os.environ.setdefault("ONE_NEURON_HUB_BRANCH", "main")
    repo = os.environ.get("ONE_NEURON_HUB_REPO")
    if not repo:
        from course_repo import publish

        repo = publish(hub_dir / "course", branch)
        os.environ["ONE_NEURON_HUB_REPO"] = repo
    from learner_env import DEFAULT, ensure

    learner_env = os.environ.setdefault("ONE_NEURON_LEARNER_ENV", str(DEFAULT))
    print(f"the learners' environment: {learner_env} (built on the first run)", flush=True)
    ensure(Path(learner_env))
    proxy = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
    if not proxy.exists():
        sys.exit(f"{proxy} is missing: run `npm ci` in {HERE} (make hub does)")
    hub_url = f"http://127.0.0.1:{port}"
    print(
        f"JupyterHub for a class (local trial): {hub_url}\n"
        f"  the instructor logs in as {instructor!r} with the password: {password}\n"
        f"  learners sign up at {hub_url}/hub/signup; approve them at {hub_url}/hub/authorize\n"
        f"  the course (learner edition) comes from {repo} (branch {branch});"
        " learners open this link:\n"
        f"  {pull_link(hub_url, repo, branch)}\n"
        f"  homes: {hub_dir / 'homes'}; the hub's state (root only): {hub_dir / 'state'}\n"
        f"  grading: nbgrader's exchange {hub_dir / 'exchange'}; the instructor grades as\n"
        f"  the Unix user jupyter-{instructor} in ~/course (make assignment; docs/grading.md)\n"
        "  stop with Ctrl-C (the learners' servers stop with the hub); remove the learners'\n"
        "  Unix users afterwards with: python hub/run.py --remove-learners",
        flush=True,
    )
    jupyterhub = Path(sys.executable).parent / "jupyterhub"
    os.execv(jupyterhub, [str(jupyterhub), "-f", str(HERE / "jupyterhub_config.py")])


if __name__ == "__main__":
    main(sys.argv[1:])
