"""JupyterHub for a class, as a local trial: `make hub` (see docs/hub.md).

It isolates learners as a real class hub does, so it runs as root (it creates Unix users):

* one Unix user per learner (``jupyter-<name>``, made on the first spawn by hub/learners.py),
  homes of mode 0700 under ONE_NEURON_HUB_DIR/homes; each learner's JupyterLab and kernels run
  as that user, so they cannot read another learner's files or processes (``/proc/<pid>``);
* the hub's state (database, cookie secret, pid files) in ONE_NEURON_HUB_DIR/state, mode 0700,
  root's; the hub, its proxy and its services run as root, so their environments (the proxy's
  token, the instructor's password) are not readable by learners, and the learners' servers get
  only the variables set here (no CONFIGPROXY_AUTH_TOKEN);
* log in with an account of one's own (hub/accounts.py: NativeAuthenticator, sign-up approved
  by the instructor, a lock after ONE_NEURON_HUB_MAX_FAILED_LOGINS wrong passwords, bounded
  names); the instructor's account (ONE_NEURON_HUB_INSTRUCTOR, default ``instructor``, password
  ONE_NEURON_HUB_INSTRUCTOR_PASSWORD) is the hub's admin;
* nbgitpuller links pull only the course (ONE_NEURON_HUB_REPO) into ~/one-neuron
  (hub/singleuser/pull_guard.py, loaded by the learners' servers);
* the learners' JupyterLab runs from an environment of their own (hub/learner_env.py,
  ONE_NEURON_LEARNER_ENV, default /opt/one-neuron-hub/env: the hub's .venv may sit where
  other users cannot enter, under /root say); the course runs in its own kernel,
  ``one-neuron``, a kernelspec written here into ONE_NEURON_HUB_DIR/share/jupyter whose Python
  is ONE_NEURON_COURSE_PYTHON (default: that environment's); learners' servers cull idle
  kernels and show no news pop-up (hub/singleuser/, copied to ONE_NEURON_HUB_DIR/share/config);
* the hub listens on 127.0.0.1 only: ONE_NEURON_HUB_PORT (8000), its API on
  ONE_NEURON_HUB_API_PORT (8081), the proxy's API on ONE_NEURON_PROXY_API_PORT (8001);
* servers idle for ONE_NEURON_HUB_IDLE_TIMEOUT seconds (3600) are stopped by
  jupyterhub-idle-culler; the proxy is configurable-http-proxy (`npm ci` in hub/);
* nbgrader's exchange for the course (docs/grading.md): ONE_NEURON_HUB_DIR/exchange, writable
  by all with the sticky bit (as /tmp), named with the course id in an nbgrader_config.py that
  every server and every nbgrader command of the hub's users reads (ONE_NEURON_HUB_DIR/share/
  config, their JUPYTER_CONFIG_PATH). Learners fetch and submit from JupyterLab's Assignments
  panel; only the instructor's server has nbgrader's formgrader and course list.
"""

import json
import os
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (JupyterHub's config loader defines it)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))  # hub/learners.py, hub/accounts.py, hub/learner_env.py

from learner_env import DEFAULT as DEFAULT_LEARNER_ENV  # noqa: E402
from learner_env import unreachable  # noqa: E402
from learners import NAME_PATTERN  # noqa: E402

HUB_DIR = Path(os.environ.get("ONE_NEURON_HUB_DIR", REPO / "build" / "hub")).resolve()
STATE = HUB_DIR / "state"  # root only
HOMES = HUB_DIR / "homes"  # jupyter-<name>/ each, 0700
SHARE = HUB_DIR / "share" / "jupyter"  # the course's kernelspec, readable by all
SERVER_CONFIG = HUB_DIR / "share" / "config"  # a copy of hub/singleuser, readable by all
# The learners' environment (hub/learner_env.py): their JupyterLab and the course's kernel.
LEARNER_ENV = Path(os.environ.get("ONE_NEURON_LEARNER_ENV", DEFAULT_LEARNER_ENV))
COURSE_PYTHON = os.environ.get("ONE_NEURON_COURSE_PYTHON", str(LEARNER_ENV / "bin" / "python"))
COURSE_DIR = "one-neuron"  # nbgitpuller's targetpath, in each home
KERNEL = "one-neuron"
COURSE_REPO = os.environ.get("ONE_NEURON_HUB_REPO", "")
IDLE_TIMEOUT = int(os.environ.get("ONE_NEURON_HUB_IDLE_TIMEOUT", "3600"))
CULL_EVERY = int(os.environ.get("ONE_NEURON_HUB_CULL_EVERY", max(1, min(300, IDLE_TIMEOUT // 4))))
ACTIVITY_INTERVAL = int(os.environ.get("ONE_NEURON_HUB_ACTIVITY_INTERVAL", "300"))
INSTRUCTOR = os.environ.get("ONE_NEURON_HUB_INSTRUCTOR", "instructor")
# nbgrader: the course id of the course folder that scripts/editions.py writes (its
# nbgrader_config.py), and the exchange where releases, submissions and feedback pass.
COURSE_ID = "one_neuron"
EXCHANGE = HUB_DIR / "exchange"
INSTRUCTOR_CONFIG = HUB_DIR / "share" / "instructor-config"  # the instructor's lab: formgrader

if not hasattr(os, "geteuid") or os.geteuid() != 0:
    sys.exit("the trial hub makes one Unix user per learner: run it as root (sudo make hub)")
if not (LEARNER_ENV / "bin" / "jupyterhub-singleuser").exists():
    sys.exit(f"no learners' environment in {LEARNER_ENV}: python hub/learner_env.py builds it")
for needed in (LEARNER_ENV, Path(os.path.realpath(COURSE_PYTHON)), HUB_DIR):
    blocked = unreachable(needed)
    if blocked is not None:
        sys.exit(f"learners' processes could not reach {needed}: {blocked} is not o+x")

for folder, mode in ((HUB_DIR, 0o755), (STATE, 0o700), (HOMES, 0o755), (SHARE, 0o755)):
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, mode)
os.chmod(SHARE.parent, 0o755)
shutil.copytree(HERE / "singleuser", SERVER_CONFIG, dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip

# --- nbgrader's exchange, and its settings for every server and nbgrader command -----------------
# nbgrader wants the exchange's top folder mode 777 (the instructor's release fails otherwise);
# the sticky bit keeps a learner from removing or renaming the course folder the instructor made.
# In it, nbgrader makes inbound/ write-only for learners (0733: a submission cannot be listed)
# and feedback/ 0711 (each learner's feedback is named by a hash of their own submission).
EXCHANGE.mkdir(parents=True, exist_ok=True)
os.chmod(EXCHANGE, 0o1777)
(SERVER_CONFIG / "nbgrader_config.py").write_text(
    "# Written by hub/jupyterhub_config.py: nbgrader's exchange on this hub.\n"
    "c = get_config()  # noqa: F821\n"
    f"c.Exchange.root = {str(EXCHANGE)!r}\n"
    f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
)
# The instructor's JupyterLab shows nbgrader's formgrader, course list and assignment creation
# (a config folder before SERVER_CONFIG whose page_config.json enables what the learners' hides).
(INSTRUCTOR_CONFIG / "labconfig").mkdir(parents=True, exist_ok=True)
(INSTRUCTOR_CONFIG / "labconfig" / "page_config.json").write_text(
    json.dumps(
        {
            "disabledExtensions": dict.fromkeys(
                json.loads((HERE / "singleuser" / "labconfig" / "page_config.json").read_text())[
                    "disabledExtensions"
                ],
                False,
            )
        },
        indent=1,
    )
)
# The instructor's formgrader works on the course folder ~/course (docs/grading.md), whose own
# nbgrader_config.py nbgrader then loads too (the export and feedback plugins).
(INSTRUCTOR_CONFIG / "nbgrader_config.py").write_text(
    "# Written by hub/jupyterhub_config.py: the instructor's course folder.\n"
    "import os\n\n"
    "c = get_config()  # noqa: F821\n"
    'c.CourseDirectory.root = os.path.expanduser("~/course")\n'
)
for path in [SERVER_CONFIG, INSTRUCTOR_CONFIG, *SERVER_CONFIG.rglob("*"),
             *INSTRUCTOR_CONFIG.rglob("*")]:  # fmt: skip
    os.chmod(path, 0o755 if path.is_dir() else 0o644)

# --- The course's kernel: ipykernel from the course's environment -------------------------------
KERNEL_DIR = SHARE / "kernels" / KERNEL
KERNEL_DIR.mkdir(parents=True, exist_ok=True)
os.chmod(KERNEL_DIR.parent, 0o755)
os.chmod(KERNEL_DIR, 0o755)
(KERNEL_DIR / "kernel.json").write_text(
    json.dumps(
        {
            "argv": [COURSE_PYTHON, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "One Neuron (Python 3)",
            "language": "python",
            "metadata": {"debugger": True},
        },
        indent=1,
    )
)

# --- The hub, on this machine only, its state root's ---------------------------------------------
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
c.Spawner.default_url = "/lab"

# --- Who may log in: an account each, approved by the instructor --------------------------------
c.JupyterHub.authenticator_class = "accounts.CourseAuthenticator"
c.CourseAuthenticator.instructor = INSTRUCTOR
c.CourseAuthenticator.instructor_password = os.environ.get("ONE_NEURON_HUB_INSTRUCTOR_PASSWORD", "")
c.Authenticator.admin_users = {INSTRUCTOR}
# NativeAuthenticator lets in only the accounts the instructor approved: no allow list on top.
c.Authenticator.allow_all = True
c.Authenticator.username_pattern = rf"^{NAME_PATTERN}\Z"
c.NativeAuthenticator.open_signup = False
c.NativeAuthenticator.minimum_password_length = 8
c.NativeAuthenticator.check_common_password = True
c.NativeAuthenticator.allowed_failed_logins = int(
    os.environ.get("ONE_NEURON_HUB_MAX_FAILED_LOGINS", "3")
)
c.NativeAuthenticator.seconds_before_next_try = int(
    os.environ.get("ONE_NEURON_HUB_LOGIN_LOCKOUT", "600")
)

# --- One JupyterLab per learner, as a Unix user of their own ------------------------------------
c.JupyterHub.spawner_class = "learners.LearnerSpawner"
c.LearnerSpawner.homes = str(HOMES)
c.Spawner.cmd = [str(LEARNER_ENV / "bin" / "jupyterhub-singleuser")]
c.Spawner.notebook_dir = "~"
# A class logs in at once: on a busy 2-core machine a server took 30-40 s to start.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 120
# Only the variables named here reach the learner's server: nothing of the hub's own.
c.Spawner.env_keep = ["LANG", "LC_ALL"]


def course_path(spawner):
    """The pulled copy of the course: kernels import neuron_core from there."""
    return str(Path(spawner.home_dir) / COURSE_DIR)


def is_instructor(spawner) -> bool:
    return spawner.user.name == INSTRUCTOR


def config_path(spawner):
    """The server's config: the course's (culling, news off, the link guard, nbgrader's exchange),
    and for the instructor a folder before it that turns nbgrader's formgrader on in the lab."""
    folders = [INSTRUCTOR_CONFIG] if is_instructor(spawner) else []
    return os.pathsep.join(str(folder) for folder in [*folders, SERVER_CONFIG])


c.Spawner.environment = {
    "PATH": f"{LEARNER_ENV / 'bin'}:/usr/local/bin:/usr/bin:/bin",
    "PYTHONPATH": course_path,
    "JUPYTERHUB_ACTIVITY_INTERVAL": str(ACTIVITY_INTERVAL),
    "JUPYTER_CONFIG_PATH": config_path,
    # nbgrader's formgrader and course list: the instructor's server only (singleuser/).
    "ONE_NEURON_GRADER": lambda spawner: "1" if is_instructor(spawner) else "0",
    "JUPYTER_PATH": str(SHARE),
    "JUPYTER_PREFER_ENV_PATH": "1",
    "ONE_NEURON_KERNEL": KERNEL,
    "ONE_NEURON_COURSE_REPO": COURSE_REPO,
    "ONE_NEURON_COURSE_DIR": COURSE_DIR,
    "ONE_NEURON_COURSE_BRANCH": os.environ.get("ONE_NEURON_HUB_BRANCH", "main"),
    "ONE_NEURON_KERNEL_IDLE_TIMEOUT": os.environ.get("ONE_NEURON_KERNEL_IDLE_TIMEOUT", "1800"),
    "ONE_NEURON_KERNEL_CULL_INTERVAL": os.environ.get("ONE_NEURON_KERNEL_CULL_INTERVAL", "60"),
}
if COURSE_REPO.startswith("file://"):
    # The trial's course is a repository on disk owned by root: let the learners' git read it.
    # git refuses a repository of another owner unless a system or global config names it safe
    # (not one from the environment's GIT_CONFIG_*): a system config of the trial's own.
    course_git = Path(COURSE_REPO.removeprefix("file://"))
    git_config = HUB_DIR / "share" / "gitconfig"
    git_config.write_text(f"[safe]\n\tdirectory = {course_git}\n\tdirectory = {course_git}/.git\n")
    os.chmod(git_config, 0o644)
    c.Spawner.environment["GIT_CONFIG_SYSTEM"] = str(git_config)

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
            "scopes": [
                "admin:users", "admin:servers", "admin:server_state", "list:users", "tokens",
            ],  # fmt: skip
            "services": ["course-admin"],
        }
    )
