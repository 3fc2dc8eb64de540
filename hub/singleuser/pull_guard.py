"""A jupyter_server extension: nbgitpuller links pull the course, and only into its folder.

nbgitpuller 1.3.0 clones any ``repo`` into any ``targetpath`` a link names, relative to the
learner's home or absolute: a crafted link could plant a file in
``~/.ipython/profile_default/startup`` (run by every new kernel) or ``~/.jupyter`` (run at
the next server start). This extension serves nbgitpuller's pages itself, through handlers that
first check the link and answer 403 with a page saying why when:

* ``repo`` is not the course's (``ONE_NEURON_COURSE_REPO``; a trailing ``/`` or ``.git`` aside);
* ``targetpath`` is not exactly the course's folder (``ONE_NEURON_COURSE_DIR``, default
  ``one-neuron``): no ``..``, no absolute path, no sub-folder, no other folder;
* ``ONE_NEURON_COURSE_BRANCH`` is set and the link's ``branch`` is another (so a course whose
  repository also holds the instructor's branch publishes only its learner branch);
* the link carries an option the course's link does not use (``backup``, say).

Enable it instead of nbgitpuller's own extension (hub/singleuser/jupyter_server_config.py does):
``c.ServerApp.jpserver_extensions = {"nbgitpuller": False, "pull_guard": True}``. With no course
configured, every link is refused.
"""

from __future__ import annotations

import html
import os
import posixpath

COURSE_DIR_DEFAULT = "one-neuron"
# What the course's link may carry (and _xsrf, which nbgitpuller's page adds to its API call);
# anything else (backup=...) is refused.
KNOWN_ARGUMENTS = {
    "repo", "branch", "depth", "targetpath", "targetPath",
    "urlpath", "urlPath", "subpath", "subPath", "app", "_xsrf",
}  # fmt: skip


def normalized_repo(url: str) -> str:
    """A repository URL without trailing slashes or ``.git``: the two forms of one course."""
    url = url.strip().rstrip("/")
    return url[: -len(".git")] if url.endswith(".git") else url


def link_problem(
    arguments: dict[str, list[str]], course_repo: str, course_dir: str, course_branch: str = ""
) -> str:
    """Why this nbgitpuller link must not pull, or "" if it pulls the course into its folder.

    ``arguments`` maps each query argument to its values (tornado's ``query_arguments``, decoded).
    """
    unknown = sorted(set(arguments) - KNOWN_ARGUMENTS)
    if unknown:
        return f"the link carries options this hub does not accept: {', '.join(unknown)}"
    if any(len(values) != 1 for values in arguments.values()):
        return "the link repeats an option"
    if not course_repo:
        return "this hub has no course repository configured (ONE_NEURON_COURSE_REPO)"
    repo = arguments.get("repo", [""])[0]
    if normalized_repo(repo) != normalized_repo(course_repo):
        return f"the link pulls {repo!r}, which is not this course's repository ({course_repo})"
    branch = arguments.get("branch", [""])[0]
    if course_branch and branch != course_branch:
        named = branch or "(none named)"
        return f"the link pulls the branch {named!r}, not the course's ({course_branch})"
    targets = arguments.get("targetpath") or arguments.get("targetPath") or [""]
    if "targetpath" in arguments and "targetPath" in arguments:
        return "the link names its folder twice (targetpath and targetPath)"
    target = targets[0]
    if target != course_dir or posixpath.normpath(target) != course_dir or "\\" in target:
        return (
            f"the link pulls into {target or '(no folder named)'!r}; on this hub the course goes "
            f"into the folder {course_dir!r} of your home and nowhere else"
        )
    return ""


REFUSED_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Link refused</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto; line-height: 1.5">
<h1>This link was refused</h1>
<p>On this hub, a course link may only bring the course into its own folder of your home.
Nothing was downloaded and none of your files changed.</p>
<p><strong>Why:</strong> {reason}.</p>
<p>Ask your instructor for the course's link.</p>
</body></html>
"""


def _guarded(handler_class):
    """``handler_class`` (nbgitpuller's) whose GET first checks the link (403 if it is bad)."""
    from tornado import web

    class Guarded(handler_class):
        @web.authenticated
        async def get(self, *args):
            arguments = {
                name: [self.decode_argument(v, name=name) for v in values]
                for name, values in self.request.query_arguments.items()
            }
            reason = link_problem(
                arguments,
                os.environ.get("ONE_NEURON_COURSE_REPO", ""),
                os.environ.get("ONE_NEURON_COURSE_DIR", COURSE_DIR_DEFAULT),
                os.environ.get("ONE_NEURON_COURSE_BRANCH", ""),
            )
            if reason:
                self.log.warning("nbgitpuller link refused: %s", reason)
                self.set_status(403)
                self.set_header("Content-Type", "text/html; charset=utf-8")
                self.finish(REFUSED_PAGE.format(reason=html.escape(reason)))
                return
            await super().get(*args)

    Guarded.__name__ = f"Guarded{handler_class.__name__}"
    return Guarded


def _jupyter_server_extension_points():
    return [{"module": "pull_guard"}]


def _load_jupyter_server_extension(app):
    """nbgitpuller's routes (as its own extension registers them), with guarded handlers."""
    from jupyter_server.utils import url_path_join
    from nbgitpuller._compat import get_base_handler
    from tornado.web import StaticFileHandler

    get_base_handler(app)  # before importing nbgitpuller.handlers: picks jupyter_server's base
    import nbgitpuller
    from nbgitpuller import handlers

    web_app = app.web_app
    base_url = url_path_join(web_app.settings["base_url"], "git-pull")
    static = os.path.join(os.path.dirname(nbgitpuller.__file__), "static")
    web_app.settings["nbapp"] = app  # nbgitpuller's handlers read the server's root from it
    web_app.add_handlers(
        ".*",
        [
            (url_path_join(base_url, "api"), _guarded(handlers.SyncHandler)),
            (base_url, _guarded(handlers.UIHandler)),
            # The legacy routes only redirect to /git-pull, which checks the link.
            (url_path_join(web_app.settings["base_url"], "git-sync"),
             handlers.LegacyGitSyncRedirectHandler),
            (url_path_join(web_app.settings["base_url"], "interact"),
             handlers.LegacyInteractRedirectHandler),
            (url_path_join(base_url, "static", "(.*)"), StaticFileHandler, {"path": static}),
        ],
    )  # fmt: skip
    course = os.environ.get("ONE_NEURON_COURSE_REPO") or "(nothing: no course configured)"
    app.log.info("pull_guard: nbgitpuller links may pull only %s", course)
