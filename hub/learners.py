"""One Unix user per learner on the trial hub, as The Littlest JupyterHub does.

A learner who logs in as ``ada`` gets the Unix user ``jupyter-ada``, created on their first
spawn, with a home of their own (mode 0700) under the hub's homes folder. Their JupyterLab
server and kernels run as that user, so the kernel's own permissions keep them out of the other
learners' homes and processes (``/proc/<pid>/environ`` of another user is unreadable) and out of
the hub's state (a root-only folder).

Names are bounded (``NAME_PATTERN``: a lower-case letter, then up to 19 lower-case letters,
digits or ``-``): the hub refuses other names at login and sign-up, and this module refuses
them again before it runs ``useradd``. Users made here carry ``COMMENT`` in their GECOS field,
so that ``remove_learners`` removes exactly them.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import subprocess
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Unicode

PREFIX = "jupyter-"  # TLJH's prefix: a learner's Unix name never clashes with a system user's
NAME_PATTERN = r"[a-z][a-z0-9-]{0,19}"  # + the prefix: at most 28 of Linux's 32 characters
COMMENT = "one-neuron trial hub learner"


def unix_name(name: str) -> str:
    """The Unix user of hub user ``name``: ``jupyter-<name>``, or ValueError for a bad name."""
    if not isinstance(name, str) or not re.fullmatch(NAME_PATTERN, name):
        raise ValueError(f"name {name!r} is not a learner's name (pattern {NAME_PATTERN})")
    return PREFIX + name


def ensure_unix_user(name: str, homes: Path) -> pwd.struct_passwd:
    """Create ``jupyter-<name>`` with its home in ``homes`` (mode 0700) unless it exists.

    An existing user is used only if this module made it (``COMMENT``) and its home is in
    ``homes``: a learner's name must never hand out an account made for something else.
    """
    user = unix_name(name)
    home = Path(homes) / user
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        subprocess.run(
            ["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash",
             "--comment", COMMENT, "--user-group", user],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        entry = pwd.getpwnam(user)
    if entry.pw_gecos != COMMENT:
        raise PermissionError(f"Unix user {user} exists and was not made for this hub's learners")
    if Path(entry.pw_dir) != home:
        raise PermissionError(
            f"Unix user {user} belongs to another trial hub (home {entry.pw_dir}): "
            "python hub/run.py --remove-learners removes the trial's users"
        )
    # useradd makes the home with HOME_MODE (often 0755): nobody else may list or read it.
    os.chmod(home, 0o700)
    return entry


def learner_users() -> list[str]:
    """The Unix users that ``ensure_unix_user`` made (on this machine, whatever their homes)."""
    return sorted(e.pw_name for e in pwd.getpwall() if e.pw_gecos == COMMENT)


def remove_learners(names: list[str] | None = None) -> list[str]:
    """``userdel`` the learners' Unix users (all made here, or these hub names); homes stay."""
    users = learner_users() if names is None else [unix_name(n) for n in names]
    removed = []
    for user in users:
        try:
            if pwd.getpwnam(user).pw_gecos != COMMENT:
                continue
        except KeyError:
            continue
        subprocess.run(["userdel", user], check=False, capture_output=True)
        removed.append(user)
        # --user-group made a group of the same name; userdel removes it, unless shared.
        try:
            grp.getgrnam(user)
        except KeyError:
            continue
        subprocess.run(["groupdel", user], check=False, capture_output=True)
    return removed


class LearnerSpawner(LocalProcessSpawner):
    """LocalProcessSpawner whose hub user ``ada`` runs as Unix user ``jupyter-ada``, made on
    the first spawn (see the module's docstring)."""

    homes = Unicode(help="Folder of the learners' homes (jupyter-<name>/ each)").tag(config=True)

    @property
    def unix_user(self) -> str:
        return unix_name(self.user.name)

    def make_preexec_fn(self, name):
        return set_user_setuid(self.unix_user)

    def user_env(self, env):
        entry = pwd.getpwnam(self.unix_user)
        env.update(USER=entry.pw_name, HOME=entry.pw_dir, SHELL=entry.pw_shell)
        return env

    @property
    def home_dir(self) -> str:
        return str(Path(self.homes) / self.unix_user)

    async def start(self):
        ensure_unix_user(self.user.name, Path(self.homes))
        return await super().start()
