"""Start the local trial hub of `make hub`: print how to log in and the nbgitpuller link, then run
JupyterHub with hub/jupyterhub_config.py (this process becomes the hub).

Environment (all optional): ONE_NEURON_HUB_PORT (8000), ONE_NEURON_HUB_PASSWORD (a random one is
made and printed), ONE_NEURON_HUB_REPO (the git URL learners pull; default: this repository on
disk, file://...), ONE_NEURON_HUB_BRANCH (default: the branch checked out here), and the others
that hub/jupyterhub_config.py reads.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
COURSE_DIR = "one-neuron"  # where nbgitpuller puts the course in each home (hub config: same)


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


def current_branch() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--abbrev-ref", "HEAD"],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip
    branch = result.stdout.strip()
    return branch if result.returncode == 0 and branch and branch != "HEAD" else "main"


def main() -> None:
    port = int(os.environ.setdefault("ONE_NEURON_HUB_PORT", "8000"))
    password = os.environ.get("ONE_NEURON_HUB_PASSWORD") or secrets.token_urlsafe(9)
    if len(password) < 8:
        sys.exit("ONE_NEURON_HUB_PASSWORD must have at least 8 characters")
    os.environ["ONE_NEURON_HUB_PASSWORD"] = password
    repo = os.environ.get("ONE_NEURON_HUB_REPO") or REPO.as_uri()
    branch = os.environ.get("ONE_NEURON_HUB_BRANCH") or current_branch()
    hub_url = f"http://127.0.0.1:{port}"
    proxy = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
    if not proxy.exists():
        sys.exit(f"{proxy} is missing: run `npm ci` in {HERE} (make hub does)")
    print(
        f"JupyterHub for a class (local trial): {hub_url}\n"
        f"  log in with any user name and the password: {password}\n"
        f"  the course comes from {repo} (branch {branch}); learners open this link:\n"
        f"  {pull_link(hub_url, repo, branch)}\n"
        f"  homes, database and logs: {os.environ.get('ONE_NEURON_HUB_DIR', REPO / 'build/hub')}\n"
        "  stop with Ctrl-C (the learners' servers stop with the hub)",
        flush=True,
    )
    jupyterhub = Path(sys.executable).parent / "jupyterhub"
    os.execv(jupyterhub, [str(jupyterhub), "-f", str(HERE / "jupyterhub_config.py")])


if __name__ == "__main__":
    main()
