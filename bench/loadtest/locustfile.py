"""The simulated people of `make loadtest` (bench/loadtest/run.py), as locust users over HTTP.

OfficerUser  signs in once, then takes module after module, starting at one of its own so the
             quizzes spread: reads each lesson and marks it read, opens the quiz, starts an
             attempt, answers question after question with each answer autosaved as the quiz
             page's script does (core/static/js/quiz.js posts the form to the attempt's
             data-save-url), submits, and reads the result.
AdminUser    signs in with the code of their authenticator app, then round after round: the
             agency dashboard, the officers behind its "enrolled" figure, the roster's first
             two pages.

Between two actions a user thinks for 2 to 5 s (uniform; the plan's "think" may say otherwise:
the test's run thinks 0 s). Each request is named by its endpoint group (the constants below)
and fails unless it answers what a browser expects: its status (no redirect is followed), the
form's CSRF token, the redirect's target. Each user comes from an address of its own, sent in
X-Forwarded-For as the site's nginx sends it (the site is run trusting one proxy), so the
per-address sign-in limit (30 a minute) sees one station per user.

The answers are the right ones (drill/quiz_answers.py, read from the site's database), so each
attempt passes and the officer moves on, as one who studied would.

The plan (the JSON file LOADTEST_PLAN names, made by run.py or the test): the password, the
accounts (each new user takes the next one unused in this process), the course's modules, the
think time and, optionally, how many rounds each user does before stopping. Importing this
module sets Django up from the environment (the site's, with DB_CONN_MAX_AGE=0), for the
answers, the URLs and the authenticator codes.
"""

import functools
import itertools
import json
import os
import random
import re
import sys
import time
import urllib.parse
from pathlib import Path

import django
import gevent.lock
from locust import FastHttpUser, task
from locust.exception import StopUser

ROOT = Path(__file__).resolve().parents[2]
for folder in (ROOT / "drill", ROOT / "bench", ROOT):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
django.setup()

from benchsite import totp_code  # noqa: E402
from django.urls import reverse  # noqa: E402
from officers import CSRF  # noqa: E402 (drill/officers.py)
from quiz_answers import attempt_fields  # noqa: E402 (drill/quiz_answers.py)

# Endpoint groups: the name each request is counted under.
SIGN_IN = "sign-in"
MFA = "sign-in MFA code"
LESSON = "lesson"
LESSON_READ = "lesson marked read"
QUIZ = "quiz page"
QUIZ_START = "quiz start"
AUTOSAVE = "autosave"
QUIZ_SUBMIT = "quiz submit"
QUIZ_RESULT = "quiz result"
DASHBOARD = "dashboard"
DASHBOARD_OFFICERS = "dashboard officers"
ROSTER = "roster"
SIGN_IN_GROUPS = (SIGN_IN, MFA)

# nginx (deploy/nginx) keeps an idle connection to gunicorn 4 s, less than gunicorn's 5 s
# keep-alive, so it never sends on a connection gunicorn is closing; a user idle longer
# connects afresh, as nginx would, instead of racing gunicorn's close (a POST lost that way
# is not retried).
IDLE_REUSE_SECONDS = 4
SAVE_URL = re.compile(r'data-save-url="([^"]+)"')
ATTEMPT_PATH = re.compile(r"^/attempts/(\d+)/$")
# Answers are read from the database by at most this many users at once: each read opens a
# connection of its own (DB_CONN_MAX_AGE=0) and closes it.
ANSWERS = gevent.lock.BoundedSemaphore(2)
_accounts = {"officers": itertools.count(), "admins": itertools.count()}
_addresses = itertools.count(1)


@functools.cache
def plan() -> dict:
    return json.loads(Path(os.environ["LOADTEST_PLAN"]).read_text())


def address(number: int) -> str:
    """A private address per user, 10.0.0.1 onwards."""
    return f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"


def question_keys(fields: dict) -> list[str]:
    """The questions of an attempt's form fields (q_<key> or q_<key>__<part>), in order."""
    return list(dict.fromkeys(name[2:].split("__")[0] for name in fields))


class Person(FastHttpUser):
    abstract = True
    pool = ""  # the plan's list of accounts this kind of user signs in with

    def wait_time(self) -> float:
        low, high = plan()["think"]
        return random.uniform(low, high)  # noqa: S311 (think time, not security)

    def on_start(self) -> None:
        accounts = plan()[self.pool]
        self.number = next(_accounts[self.pool])
        if self.number >= len(accounts):
            raise StopUser(f"only {len(accounts)} {self.pool} in the plan")
        self.account = accounts[self.number]
        self.address = address(next(_addresses))
        self.rounds = 0
        self.signed_in = False
        self.last_answer = time.monotonic()

    # --- HTTP ------------------------------------------------------------------------------
    def send(self, method, path, group, *, data=None, expect=200, markers=(), location=None):
        """One request; the response, or None when it failed (reported to locust with why).
        `location`: a pattern the redirect's target must match."""
        if time.monotonic() - self.last_answer > IDLE_REUSE_SECONDS:
            self.client.client.close()  # the connection, not the session: cookies stay
        headers = {"X-Forwarded-For": self.address}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        with self.client.request(
            method,
            path,
            name=group,
            data=body,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            self.last_answer = time.monotonic()
            return self.check(response, expect, markers, location)

    @staticmethod
    def check(response, expect, markers, location):
        """The response if it is what a browser expects, else None, failed with why."""
        text = response.text or ""
        if response.status_code != expect:
            error = getattr(response, "error", None)
            why = f"answered {response.status_code}"
            if response.status_code == 0 and error is not None:
                why += f" ({type(error).__name__})"
            elif target := (response.headers or {}).get("Location"):
                why += f", to {target}"
            response.failure(why)
            return None
        missing = [marker for marker in markers if marker not in text]
        if missing:
            response.failure(f"no {missing[0]!r} in the page")
            return None
        if location is not None:
            target = response.headers.get("Location", "")
            if not re.search(location, target):
                response.failure(f"redirected to {target or 'nowhere'}")
                return None
        response.success()
        return response

    def post_form(self, path, group, fields, *, page, **checks):
        """POST a form with the CSRF token of the page it is on."""
        match = CSRF.search(page.text or "")
        if match is None:
            return None
        return self.send(
            "POST", path, group, data={**fields, "csrfmiddlewaretoken": match.group(1)}, **checks
        )

    def sign_in(self, totp_secret: str | None = None) -> bool:
        """The login form, then the MFA code if `totp_secret`; in a new session, so a retry
        after a failed attempt (a code that expired in flight) starts over."""
        self.client.cookiejar.clear()
        login = reverse("account_login")
        page = self.send("GET", login, SIGN_IN, markers=['name="csrfmiddlewaretoken"'])
        if page is None:
            return False
        fields = {"login": self.account["email"], "password": plan()["password"]}
        after = reverse("mfa_authenticate") if totp_secret else reverse("certificates:dashboard")
        done = self.post_form(
            login, SIGN_IN, fields, page=page, expect=302, location=f"^{re.escape(after)}$"
        )
        if done is None or totp_secret is None:
            return done is not None
        page = self.send("GET", after, MFA, markers=['name="code"'])
        if page is None:
            return False
        home = reverse("certificates:dashboard")
        done = self.post_form(
            after,
            MFA,
            {"code": totp_code(totp_secret)},
            page=page,
            expect=302,
            location=f"^{re.escape(home)}$",
        )
        return done is not None

    def round_done(self) -> None:
        self.rounds += 1
        if plan().get("rounds") and self.rounds >= plan()["rounds"]:
            raise StopUser()


class OfficerUser(Person):
    weight = 15
    pool = "officers"

    def on_start(self) -> None:
        super().on_start()
        modules = plan()["modules"]
        self.next_module = (plan().get("first_module", 0) + self.number) % len(modules)
        self.signed_in = self.sign_in()

    @task
    def study(self) -> None:
        """A round: the next module's lessons and quiz (or, not signed in, signing in)."""
        try:
            if not self.signed_in:  # tried on arrival and failed: again
                self.signed_in = self.sign_in()
                return
            modules = plan()["modules"]
            module = modules[self.next_module]
            self.next_module = (self.next_module + 1) % len(modules)
            if self.lessons(module) and module["quiz"]:
                self.quiz(module)
        finally:
            self.round_done()

    def lessons(self, module: dict) -> bool:
        for lesson in module["lessons"]:
            page = self.send("GET", lesson["page"], LESSON, markers=["<h1", "csrfmiddlewaretoken"])
            if page is None:
                return False
            self.wait()
            if self.post_form(lesson["complete"], LESSON_READ, {}, page=page, expect=302) is None:
                return False
            self.wait()
        return True

    def quiz(self, module: dict) -> None:
        page = self.send("GET", module["quiz"], QUIZ, markers=["csrfmiddlewaretoken"])
        if page is None:
            return
        self.wait()
        started = self.post_form(
            module["start"], QUIZ_START, {}, page=page, expect=302, location=ATTEMPT_PATH.pattern
        )
        if started is None:
            return
        attempt_path = started.headers["Location"]
        page = self.send("GET", attempt_path, QUIZ, markers=["data-save-url="])
        if page is None:
            return
        save_url = SAVE_URL.search(page.text).group(1)
        with ANSWERS:
            fields = attempt_fields(int(ATTEMPT_PATH.match(attempt_path).group(1)))
        keys = question_keys(fields)
        for answered in range(1, len(keys) + 1):
            self.wait()
            so_far = {
                name: value
                for name, value in fields.items()
                if name[2:].split("__")[0] in keys[:answered]
            }
            self.post_form(save_url, AUTOSAVE, so_far, page=page, markers=['"saved"'])
        self.wait()
        submitted = self.post_form(
            attempt_path, QUIZ_SUBMIT, fields, page=page, expect=302, location="/result/$"
        )
        if submitted is None:
            return
        self.send("GET", submitted.headers["Location"], QUIZ_RESULT, markers=["<h1"])
        self.wait()


class AdminUser(Person):
    weight = 1
    pool = "admins"

    def on_start(self) -> None:
        super().on_start()
        self.signed_in = self.sign_in(self.account["totp"])

    @task
    def oversight(self) -> None:
        """A round: the dashboard, its officers, the roster (or, not signed in, signing in)."""
        try:
            if not self.signed_in:
                self.signed_in = self.sign_in(self.account["totp"])
                return
            account = self.account
            self.send("GET", account["dashboard"], DASHBOARD, markers=["<h1"])
            self.wait()
            self.send("GET", account["officers"], DASHBOARD_OFFICERS, markers=["<h1"])
            self.wait()
            self.send("GET", account["roster"], ROSTER, markers=["<h1"])
            self.wait()
            self.send("GET", account["roster"] + "?page=2", ROSTER, markers=["<h1"])
        finally:
            self.round_done()
