"""JupyterHub for a class, as a local trial: `make hub` (see README, "JupyterHub for a class").

Everything is set from environment variables, so that `make hub` and tests/test_hub.py start the
same hub. Nothing here needs system users or root:

* the hub listens on 127.0.0.1 only (ONE_NEURON_HUB_PORT, default 8000); its internal API and
  the proxy's API on ONE_NEURON_HUB_API_PORT (8081) and ONE_NEURON_PROXY_API_PORT (8001);
* log in with any user name and the shared password ONE_NEURON_HUB_PASSWORD (at least 8
  characters: JupyterHub's SharedPasswordAuthenticator, meant for workshops);
* each learner gets a JupyterLab server from this venv, with a home of their own under
  ONE_NEURON_HUB_DIR/home/<name> (default build/hub/home/<name>): SimpleLocalProcessSpawner,
  which needs no system users and isolates nothing, so use it for a trial on your own machine only;
* the course reaches the learner through an nbgitpuller link (printed by `make hub`): it clones
  the course into ~/one-neuron on the first click and merges updates on the next ones. The
  learner's kernels import `neuron_core` from that pulled copy (PYTHONPATH), so an update of the
  course updates the library and the notebooks together;
* servers idle for ONE_NEURON_HUB_IDLE_TIMEOUT seconds (default 3600) are stopped by
  jupyterhub-idle-culler, running as a hub service;
* the proxy is configurable-http-proxy from the npm registry, installed by `npm ci` into
  hub/node_modules.

A real deployment (The Littlest JupyterHub, Zero to JupyterHub on Kubernetes) sets the same few
things in its own configuration: see the README.
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (JupyterHub's config loader defines it)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
STATE = Path(os.environ.get("ONE_NEURON_HUB_DIR", REPO / "build" / "hub")).resolve()
# The folder nbgitpuller pulls the course into (its link's targetpath), inside each home.
COURSE_DIR = "one-neuron"
IDLE_TIMEOUT = int(os.environ.get("ONE_NEURON_HUB_IDLE_TIMEOUT", "3600"))
CULL_EVERY = int(os.environ.get("ONE_NEURON_HUB_CULL_EVERY", max(1, min(300, IDLE_TIMEOUT // 4))))
# How often (s) the hub and the single-user servers record activity, which the culler reads.
ACTIVITY_INTERVAL = int(os.environ.get("ONE_NEURON_HUB_ACTIVITY_INTERVAL", "300"))
VENV_BIN = Path(sys.executable).parent  # the hub and the learners' servers share this venv

STATE.mkdir(parents=True, exist_ok=True)

# --- The hub, on this machine only --------------------------------------------------------------
c.JupyterHub.bind_url = f"http://127.0.0.1:{int(os.environ.get('ONE_NEURON_HUB_PORT', '8000'))}"
c.JupyterHub.hub_bind_url = (
    f"http://127.0.0.1:{int(os.environ.get('ONE_NEURON_HUB_API_PORT', '8081'))}"
)
c.ConfigurableHTTPProxy.api_url = (
    f"http://127.0.0.1:{int(os.environ.get('ONE_NEURON_PROXY_API_PORT', '8001'))}"
)
c.ConfigurableHTTPProxy.command = [str(HERE / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.JupyterHub.last_activity_interval = ACTIVITY_INTERVAL
# Learners land in JupyterLab; the nbgitpuller link says which notebook to open.
c.Spawner.default_url = "/lab"

# --- Who may log in: any name, one shared password ----------------------------------------------
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = os.environ.get("ONE_NEURON_HUB_PASSWORD", "")
c.Authenticator.allow_all = True

# --- One JupyterLab per learner, in a home of their own -----------------------------------------
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "home" / "{username}")
c.Spawner.cmd = [str(VENV_BIN / "jupyterhub-singleuser")]
c.Spawner.notebook_dir = "~"
# A class logs in at once: on a busy 2-core machine a server took 30-40 s to start.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 120
if hasattr(os, "geteuid") and os.geteuid() == 0:
    c.Spawner.args = ["--allow-root"]  # jupyter_server refuses root otherwise
# Only the variables named here reach the learner's server (not the hub's PYTHONPATH, say).
c.Spawner.env_keep = ["PATH", "LANG", "LC_ALL", "VIRTUAL_ENV"]


def course_path(spawner):
    """The pulled copy of the course: kernels import neuron_core from there."""
    return str(Path(spawner.home_dir) / COURSE_DIR)


c.Spawner.environment = {
    "PYTHONPATH": course_path,
    "JUPYTERHUB_ACTIVITY_INTERVAL": str(ACTIVITY_INTERVAL),
    # A learner's server runs the hub's venv: keep its data (kernelspec, labextensions) found.
    "JUPYTER_PREFER_ENV_PATH": "1",
}

# --- Stop idle servers --------------------------------------------------------------------------
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [
            sys.executable, "-m", "jupyterhub_idle_culler",
            f"--timeout={IDLE_TIMEOUT}",
            f"--cull-every={CULL_EVERY}",
        ],
    }
]  # fmt: skip

# A token for scripts (tests/test_hub.py) to read the hub's state: servers and their processes.
if os.environ.get("ONE_NEURON_HUB_ADMIN_TOKEN"):
    c.JupyterHub.services.append(
        {"name": "course-admin", "api_token": os.environ["ONE_NEURON_HUB_ADMIN_TOKEN"]}
    )
    c.JupyterHub.load_roles.append(
        {
            "name": "course-admin",
            "scopes": ["admin:users", "admin:servers", "admin:server_state", "list:users"],
            "services": ["course-admin"],
        }
    )
