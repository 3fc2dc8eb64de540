"""Each learner's JupyterLab server on the course's hub (the hub points JUPYTER_CONFIG_PATH here).

* The course runs in its own kernel, ``one-neuron`` (an ipykernel kernelspec of the course's
  environment, found through JUPYTER_PATH): the only kernel offered, and the default, so a
  notebook that names ``python3`` opens in it too (JupyterLab picks the one Python kernel).
* Idle kernels are culled inside the server: a kernel that ran nothing for
  ONE_NEURON_KERNEL_IDLE_TIMEOUT seconds (default 1800) is shut down even if its tab is open
  (cull_connected); a busy one never. Checked every ONE_NEURON_KERNEL_CULL_INTERVAL s (60).
* JupyterLab asks no news question and checks for no update (and labconfig/ beside this file
  sets the same two settings as defaults, for a learner's JupyterLab that reads them).
* nbgitpuller's links go through ``pull_guard`` (beside this file): only the course's repository,
  only into the course's folder.
* nbgrader: the Assignments panel for all (fetch, submit, fetch feedback); the formgrader and
  course list for the instructor only (labconfig/page_config.json hides their lab parts).
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (jupyter_server's config loader defines it)

sys.path.insert(0, str(Path(__file__).resolve().parent))  # pull_guard, for this server only

KERNEL = os.environ.get("ONE_NEURON_KERNEL", "one-neuron")

c.KernelSpecManager.allowed_kernelspecs = {KERNEL}
c.KernelSpecManager.ensure_native_kernel = False
c.MappingKernelManager.default_kernel_name = KERNEL

c.MappingKernelManager.cull_idle_timeout = int(
    os.environ.get("ONE_NEURON_KERNEL_IDLE_TIMEOUT", "1800")
)
c.MappingKernelManager.cull_interval = int(os.environ.get("ONE_NEURON_KERNEL_CULL_INTERVAL", "60"))
c.MappingKernelManager.cull_connected = True
c.MappingKernelManager.cull_busy = False

c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"

# nbgrader (the hub's nbgrader_config.py, beside this file, names the exchange and the course):
# every learner fetches, validates and submits from JupyterLab's Assignments panel; the
# formgrader (the gradebook, autograding) and the course list are the instructor's alone, whose
# server the hub starts with ONE_NEURON_GRADER=1. What stops a learner is not this switch (a
# server of their own could turn it on) but the files: the instructor's course folder and
# gradebook are in the instructor's home (0700), and the exchange's inbound/ cannot be listed.
GRADER = os.environ.get("ONE_NEURON_GRADER") == "1"
c.ServerApp.jpserver_extensions = {
    "nbgitpuller": False,
    "pull_guard": True,
    "nbgrader.server_extensions.assignment_list": True,
    "nbgrader.server_extensions.validate_assignment": True,
    "nbgrader.server_extensions.formgrader": GRADER,
    "nbgrader.server_extensions.course_list": GRADER,
}
