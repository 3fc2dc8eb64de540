"""The course on The Littlest JupyterHub: copy to /opt/tljh/config/jupyterhub_config.d/one-neuron.py
(see docs/hub.md, "TLJH", for the steps before: the course's environment and kernel in
/opt/one-neuron, the learners' server config in /opt/one-neuron/etc/jupyter, hub/accounts.py in
/opt/one-neuron/hub, the instructor's password in /opt/one-neuron/hub/instructor-password, mode
0600). Not run here: no TLJH on the machine that tests the course.
"""

import sys
from pathlib import Path

c = get_config()  # noqa: F821  (JupyterHub's config loader defines it)

sys.path.insert(0, "/opt/one-neuron/hub")  # accounts.py

# Accounts: NativeAuthenticator (mended for JupyterHub 5/6), approved by the instructor.
c.JupyterHub.authenticator_class = "accounts.CourseAuthenticator"
c.CourseAuthenticator.instructor = "instructor"
c.CourseAuthenticator.instructor_password = (
    Path("/opt/one-neuron/hub/instructor-password").read_text().strip()
)
c.Authenticator.admin_users = {"instructor"}
c.Authenticator.allow_all = True  # NativeAuthenticator lets in only the approved accounts
c.Authenticator.username_pattern = r"^[a-z][a-z0-9-]{0,19}\Z"
c.NativeAuthenticator.minimum_password_length = 8
c.NativeAuthenticator.check_common_password = True
c.NativeAuthenticator.allowed_failed_logins = 3
c.NativeAuthenticator.seconds_before_next_try = 600

# The learners' servers: the course's kernel and widgets' front ends from its own environment,
# the server config (culling, no news, the link guard), the pulled course on PYTHONPATH.
c.Spawner.environment.update(
    {
        "JUPYTER_PATH": "/opt/one-neuron/share/jupyter",
        "JUPYTER_CONFIG_PATH": "/opt/one-neuron/etc/jupyter",
        "PYTHONPATH": lambda spawner: f"/home/jupyter-{spawner.user.name}/one-neuron",
        "ONE_NEURON_COURSE_REPO": "https://github.com/one-neuron/one-neuron-course",
        "ONE_NEURON_COURSE_BRANCH": "main",
        "ONE_NEURON_COURSE_DIR": "one-neuron",
    }
)
