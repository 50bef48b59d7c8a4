"""Simulated officers: HTTP clients (no browser) that sign in through nginx, read every lesson
and pass every quiz, retrying what failed in flight the way a browser (or an officer pressing
the button again) would.

Each officer connects from an address of their own on loopback (127.0.1.N), as officers of
different stations would: the site's per-address limits (30 sign-ins a minute) see 50
addresses, not one.

Retries. A GET is always retried. A POST is retried only when it is idempotent by design,
which every POST of the journey is: signing in again just signs in; enrolling twice returns
the enrollment; completing a lesson twice keeps one progress row; starting a quiz returns the
attempt already open; submitting an attempt twice grades it once (one graded submission per
attempt, the second answers with the result). The drill checks the last two afterwards: one
attempt per quiz and officer, every one graded.
"""

import http.client
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

# nginx answers these when the node it passed the request to died with it in flight.
IN_FLIGHT_STATUSES = {502, 503, 504}
RETRIES = 8
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class JourneyError(Exception):
    pass


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0
    retried: int = 0
    failures: list[tuple[float, str, str, str]] = field(default_factory=list)
    completed: int = 0
    errors: list[str] = field(default_factory=list)

    def count(self, *, retried: bool) -> None:
        with self.lock:
            self.requests += 1
            self.retried += int(retried)

    def failed(self, method: str, path: str, why: str) -> None:
        with self.lock:
            self.failures.append((time.monotonic(), method, path, why))


class Officer:
    def __init__(self, *, number: int, email: str, password: str, port: int, stats: Stats):
        self.email, self.password, self.port, self.stats = email, password, port, stats
        self.source = (f"127.0.1.{number}", 0)
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    # --- HTTP ------------------------------------------------------------------------------
    def _connection(self) -> http.client.HTTPConnection:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(
                "127.0.0.1", self.port, timeout=60, source_address=self.source
            )
        return self.connection

    def _once(self, method: str, path: str, body: str | None) -> tuple[int, dict, str]:
        headers = {"Host": f"127.0.0.1:{self.port}", "User-Agent": "cryptocops-drill"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = self._connection()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            connection.close()
            self.connection = None
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, dict(response.headers), text

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, dict, str]:
        """One request, retried while it fails in flight (see the module's docstring)."""
        body = urllib.parse.urlencode(data, doseq=True) if data is not None else None
        for attempt in range(RETRIES):
            try:
                status, headers, text = self._once(method, path, body)
            except (OSError, http.client.HTTPException) as error:
                self.stats.failed(method, path, type(error).__name__)
            else:
                self.stats.count(retried=attempt > 0)
                if status not in IN_FLIGHT_STATUSES:
                    return status, headers, text
                self.stats.failed(method, path, str(status))
            time.sleep(0.5 * (attempt + 1))
        raise JourneyError(f"{self.email}: {method} {path} failed {RETRIES} times")

    def get(self, path: str, *, expect: int = 200) -> str:
        status, _headers, text = self.request("GET", path)
        if status != expect:
            raise JourneyError(f"{self.email}: GET {path} answered {status}")
        return text

    def post(self, path: str, data: dict, *, token_from: str) -> str:
        """POST a form with the CSRF token of the page it is on; the redirect's target."""
        match = CSRF.search(token_from)
        if match is None:
            raise JourneyError(f"{self.email}: no CSRF token on the page before POST {path}")
        status, headers, text = self.request(
            "POST", path, {**data, "csrfmiddlewaretoken": match.group(1)}
        )
        if status != 302:
            raise JourneyError(f"{self.email}: POST {path} answered {status}: {text[:300]}")
        return urllib.parse.urlsplit(headers["Location"]).path

    # --- the journey -----------------------------------------------------------------------
    def journey(self, *, course: str, lessons, quiz_modules, attempt_fields) -> None:
        login = self.get("/accounts/login/")
        self.post(
            "/accounts/login/", {"login": self.email, "password": self.password}, token_from=login
        )
        page = self.get(f"/courses/{course}/")
        self.post(f"/courses/{course}/enroll/", {}, token_from=page)
        by_module: dict[str, list[str]] = {}
        for module, lesson in lessons:
            by_module.setdefault(module, []).append(lesson)
        for module in quiz_modules:
            for lesson in by_module[module]:
                path = f"/courses/{course}/lessons/{module}/{lesson}/"
                page = self.get(path)
                self.post(f"{path}complete/", {}, token_from=page)
            quiz_path = f"/courses/{course}/quizzes/{module}/"
            page = self.get(quiz_path)
            attempt_path = self.post(f"{quiz_path}start/", {}, token_from=page)
            page = self.get(attempt_path)
            attempt_id = int(attempt_path.strip("/").split("/")[-1])
            result = self.post(attempt_path, attempt_fields(attempt_id), token_from=page)
            self.get(result)
        self.get("/dashboard/")

    def run(self, **journey) -> None:
        try:
            self.journey(**journey)
        except Exception as error:  # one officer's failure is reported, not fatal to others
            with self.stats.lock:
                self.stats.errors.append(f"{type(error).__name__}: {error}")
        else:
            with self.stats.lock:
                self.stats.completed += 1
        finally:
            if self.connection is not None:
                self.connection.close()
