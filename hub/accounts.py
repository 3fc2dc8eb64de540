"""Who logs in to the course's hub: NativeAuthenticator, with one account per learner.

* Learners sign up on the hub's /hub/signup page; the instructor approves each account on
  /hub/authorize (an unapproved account cannot log in). Passwords: at least 8 characters, not
  one of the common passwords NativeAuthenticator lists.
* After ``allowed_failed_logins`` wrong passwords in a row, an account is locked for
  ``seconds_before_next_try`` seconds (NativeAuthenticator's throttling).
* Names are bounded: ``learners.NAME_PATTERN`` (lower-case letters, digits, ``-``; 20 at most),
  so every name is also a valid Unix user name (``jupyter-<name>``).
* The instructor's account exists from the start (``CourseAuthenticator``): nobody can sign up
  first under the instructor's name and become the hub's admin.
"""

from __future__ import annotations

from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.handlers import LoginHandler as NativeLoginHandler
from tornado.escape import url_escape
from tornado.httputil import url_concat
from traitlets import Unicode


class LoginHandler(NativeLoginHandler):
    """NativeAuthenticator 1.3.0's login page, mended for JupyterHub 5 and 6.

    Its POST times the login with ``self.statsd``, which JupyterHub 5 removed (every login
    failed with a 500), and JupyterHub's error path renders the login form with ``sync=True``,
    which its ``_render`` did not accept. Same page, same messages; a failed login answers 403,
    as JupyterHub's own login page does.
    """

    def _render(self, login_error=None, username=None, sync=False, **_ignored):
        return self.render_template(
            "native-login.html",
            sync=sync,
            next=url_escape(self.get_argument("next", default="")),
            username=username,
            login_error=login_error,
            custom_html=self.authenticator.custom_html,
            login_url=self.settings["login_url"],
            enable_signup=self.authenticator.enable_signup,
            two_factor_auth=self.authenticator.allow_2fa,
            authenticator_login_url=url_concat(
                self.authenticator.login_url(self.hub.base_url),
                {"next": self.get_argument("next", "")},
            ),
        )

    async def post(self):
        data = {
            name: self.get_argument(name, strip=False)
            for name in self.request.body_arguments
            if name != "_xsrf"
        }
        user = await self.login_user(data)
        if user:
            self._jupyterhub_user = user
            self.redirect(self.get_next_url(user))
            return
        username = data.get("username", "")
        error = "Invalid username or password."
        info = self.authenticator.get_user(username) if username else None
        if info is not None and not info.is_authorized:
            if info.is_valid_password(data.get("password", "")):
                error = f"User {username} has not been authorized by the instructor yet."
        if info is not None and self.authenticator.is_blocked(info.username):
            minutes = max(1, round(self.authenticator.seconds_before_next_try / 60))
            error = f"Too many failed logins: try again in {minutes} minutes."
        self.set_status(403)
        # A long name is not echoed back whole (JupyterHub's own page does the same).
        shown = username if len(username) <= 32 else f"{username[:16]}...({len(username)} chars)"
        self.finish(await self._render(login_error=error, username=shown))


class CourseAuthenticator(NativeAuthenticator):
    """NativeAuthenticator that creates the instructor's account at the hub's start."""

    instructor = Unicode("instructor", help="The instructor's name (the hub's admin)").tag(
        config=True
    )
    instructor_password = Unicode(
        "", help="The instructor's password, for the account made at start"
    ).tag(config=True)

    def add_user(self, user):
        # JupyterHub calls this at start for every admin user: make the instructor's account.
        if user.name == self.instructor and not self.user_exists(user.name):
            if not self.create_user(user.name, self.instructor_password):
                raise ValueError(
                    "the instructor's password is refused: at least "
                    f"{self.minimum_password_length} characters, not a common password"
                )
        return super().add_user(user)

    def get_handlers(self, app):
        return [
            (path, LoginHandler if path == "/login" else handler)
            for path, handler in super().get_handlers(app)
        ]
