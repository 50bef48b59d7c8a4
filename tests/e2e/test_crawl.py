"""Every page each role reaches, as a newcomer would, in English and in Korean: starting at the
dashboard (a visitor: the home page), breadth-first along every same-site link, enrolling
where a course offers it. Each page passes axe-core (WCAG 2.1 A and AA, every impact) in
Chromium, and the HTML of all of them, as served, passes the Nu HTML checker. In Korean, axe
runs every rule but colour contrast: the pages are the same elements under the same stylesheet
(no rule of it depends on the language), the English crawl checks contrast on each of them, and
that rule is two thirds of axe's time.

Every distinct URL is visited once per role and language, and at most CAP pages of one URL
pattern, except what differs page by page for the officer: every lesson, glossary, quiz and
lab, in both languages."""

import time
from collections import Counter, deque
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone

from accounts.models import Membership
from accounts.services import user_set_language
from assessments.models import Question
from assessments.services import attempt_start, attempt_submit
from cohorts.models import Seat
from cohorts.services.attendance import attendance_mark
from courses.models import Course, Lesson
from courses.services import enrollment_create, lesson_complete
from tests.e2e.pagecheck import HtmlBatch, axe_violations, with_axe
from tests.factories import (
    AgencyFactory,
    CertificateFactory,
    MembershipFactory,
    UserFactory,
    admin_of,
    build_cohort,
    seated,
    staff_user,
    take_part,
    trainer_for,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]

ROLES = ["anonymous", "officer", "pending_officer", "trainer", "agency_admin", "staff"]
LANGUAGES = ["en", "ko"]
# Pages of one URL pattern a role visits (a cohort's pages look alike from one to the next).
CAP = 2
# The in-person cohort's venue (build_cohort's default).
VENUE_ZONE = "Asia/Bangkok"
# What differs page by page: the officer visits every one (without a query string).
EVERY_PAGE_FOR_OFFICER = {
    "courses:lesson",
    "courses:glossary",
    "assessments:quiz",
    "assessments:lab",
}
# Links not followed, each with the reason.
SKIPPED_URL_NAMES = {
    "account_logout": "signs out (POST only)",
    "accounts:set_language": "the language switch (POST only); the test sets the language",
    "courses:media": "images, not pages",
    "certificates:download": "a PDF",
    "mfa_download_recovery_codes": "a text file",
    "reports:export": "a CSV or XLSX file",
    "reports:export_job_download": "a CSV or XLSX file",
    "reports:signed_transcript_download": "a PDF",
}
SKIPPED_PREFIXES = {
    "/admin/": "Django's own admin site (its templates are Django's, not the site's)",
}
# Every link's absolute URL: SVG links (the tracing lab's graph) have no string `href`.
LINKS_SCRIPT = "els => els.map(a => new URL(a.getAttribute('href'), document.baseURI).href)"
FILE_SUFFIXES = (".pdf", ".csv", ".zip", ".json", ".ics", ".xlsx", ".txt", ".png", ".svg")


def seed(course: Course) -> dict:
    """The people of each role and what they have done, on the real curriculum."""
    agency = AgencyFactory(name="Korean National Police Agency", email_domains=["knpa.example"])
    officer = MembershipFactory(
        agency=agency, user=UserFactory(email="kim@knpa.example", full_name="Kim Min-jun")
    ).user
    pending = MembershipFactory(
        agency=agency,
        status=Membership.Status.PENDING,
        vetted_at=None,
        user=UserFactory(email="lee@knpa.example", full_name="Lee Seo-yeon"),
    ).user
    admin = admin_of(agency, email="admin@knpa.example", full_name="Park Ji-ho")

    # The officer: module 1 read, its quiz taken, a tracing lab open, a certificate.
    enrollment = enrollment_create(user=officer, course=course)
    first_module = course.modules.order_by("order").first()
    for lesson in Lesson.objects.filter(module=first_module):
        lesson_complete(enrollment=enrollment, lesson=lesson)
    attempt = attempt_start(user=officer, quiz=first_module.quiz, enrollment=enrollment)
    attempt_submit(attempt_id=attempt.pk, user=officer, raw_answers={})
    lab_quiz = Question.objects.get(key="lab1", quiz__module__slug="tracing-stolen-funds").quiz
    attempt_start(user=officer, quiz=lab_quiz, enrollment=enrollment)
    CertificateFactory(
        enrollment=enrollment,
        status="issued",
        pdf="certificates/crawl.pdf",
        issued_at=timezone.now(),
        valid_until=timezone.now() + timedelta(days=30),
    )

    # The trainer: an in-person cohort whose first day is today at the venue (check-in open,
    # the projector showing its code), the agency taking part, the officer seated and marked
    # present. Today in Bangkok, not in UTC: from 17:00 UTC Bangkok is a day ahead, and a
    # session on the UTC date has ended there (its projector link with it).
    trainer = trainer_for(course, email="trainer@training.example", full_name="Somchai Trainer")
    venue_today = timezone.localdate(timezone=ZoneInfo(VENUE_ZONE))
    cohort = build_cohort(
        course=course,
        trainer=trainer,
        time_zone=VENUE_ZONE,
        first_day=venue_today,
        start=(0, 0),
        end=(23, 59),
    )
    take_part(cohort, agency, quota=3)
    seat = seated(cohort, agency=agency, user=officer)
    session = cohort.sessions.order_by("date").first()
    attendance_mark(session=session, seat=seat, status="present", actor=trainer)
    assert Seat.objects.filter(cohort=cohort).count() == 1

    staff = staff_user(email="staff@training.example", full_name="Programme Staff")
    return {
        "anonymous": None,
        "officer": officer,
        "pending_officer": pending,
        "trainer": trainer,
        "agency_admin": admin,
        "staff": staff,
    }


def signed_in_context(browser, base: str, user, language: str):
    """A browser with the user's session (as after signing in, MFA included) and the
    language chosen as the footer's switch chooses it: the cookie, and the person's own
    setting when signed in."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
    if user is not None:
        if language != "en":
            user_set_language(user=user, language=language)
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base})
    context.add_cookies(cookies)
    with_axe(context)
    return context


def route_of(path: str) -> str | None:
    """The URL pattern's name (namespace:name), or None for a path the site does not serve."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def followed(href: str, base: str) -> str | None:
    """The same-site path (with its query) a link leads to, or None when it is not crawled."""
    parts = urlsplit(href)
    if f"{parts.scheme}://{parts.netloc}" != base or parts.path.endswith(FILE_SUFFIXES):
        return None
    if any(parts.path.startswith(prefix) for prefix in SKIPPED_PREFIXES):
        return None
    if route_of(parts.path) in SKIPPED_URL_NAMES:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


class Crawl:
    """Breadth-first over a role's pages, checking each one as it goes."""

    def __init__(self, page, base: str, *, role: str, batch: HtmlBatch, contrast: bool = True):
        self.page = page
        self.contrast = contrast
        self.base = base
        self.batch = batch
        self.uncapped = EVERY_PAGE_FOR_OFFICER if role == "officer" else set()
        self.seen: set[str] = set()
        self.per_pattern: Counter = Counter()
        self.violations: dict[str, list[str]] = {}
        self.broken: dict[str, int] = {}
        self.served: dict[str, str] = {}
        self.checked: list[str] = []
        self.enrolled = False
        self.axe_seconds = 0.0

    def run(self, start: str) -> None:
        queue = deque([start])
        self.seen.add(start)
        while queue:
            path = queue.popleft()
            if not self._within_cap(path):
                continue
            response = self.page.goto(self.base + path)
            if response is not None and response.status >= 400:
                self.broken[path] = response.status
            landed = self._landed()
            if not self._is_page(response) or (landed != path and landed in self.checked):
                continue
            self.seen.add(landed)
            self._check(landed, response.text())
            enrolled = self._enrol()
            if enrolled is not None:
                self._check(self._landed(), enrolled.text())
            for href in self.page.eval_on_selector_all("a[href]", LINKS_SCRIPT):
                target = followed(href, self.base)
                if target is not None and target not in self.seen:
                    self.seen.add(target)
                    queue.append(target)

    def _within_cap(self, path: str) -> bool:
        name = route_of(urlsplit(path).path)
        if name in self.uncapped and "?" not in path:
            return True
        self.per_pattern[name] += 1
        return self.per_pattern[name] <= CAP

    def _landed(self) -> str:
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    @staticmethod
    def _is_page(response) -> bool:
        return response is not None and response.headers.get("content-type", "").startswith(
            "text/html"
        )

    def _check(self, path: str, html: str | None) -> None:
        started = time.monotonic()
        found = axe_violations(self.page, contrast=self.contrast)
        self.axe_seconds += time.monotonic() - started
        if found:
            self.violations[path] = found
        if html is not None:
            self.batch.add(path, html)
            self.served.setdefault("first", html)
        self.checked.append(path)

    def _enrol(self):
        """Submit a course's enrol form, once per crawl: the response of the page it leads
        to, or None."""
        button = self.page.locator("form[action$='/enroll/'] button[type=submit]")
        if self.enrolled or button.count() == 0:
            return None
        self.enrolled = True
        with self.page.expect_navigation() as navigation:
            button.first.click()
        return navigation.value


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_passes_axe_and_the_html_checker(
    browser, live_server, tmp_path, curriculum, role, language
):
    started = time.monotonic()
    user = seed(curriculum)[role]
    seeded = time.monotonic()
    context = signed_in_context(browser, live_server.url, user, language)
    page = context.new_page()
    batch = HtmlBatch(tmp_path / "pages")
    crawl = Crawl(page, live_server.url, role=role, batch=batch, contrast=language == LANGUAGES[0])
    try:
        crawl.run("/dashboard/" if user is not None else "/")
    finally:
        context.close()
    crawled = time.monotonic()
    html_errors = batch.errors()
    print(
        f"\n{role}/{language}: {len(crawl.checked)} pages; seed {seeded - started:.1f} s, "
        f"crawl {crawled - seeded:.1f} s (axe {crawl.axe_seconds:.1f} s), "
        f"Nu checker {time.monotonic() - crawled:.1f} s\n" + "\n".join(crawl.checked)
    )
    assert page.url  # the crawl ran
    assert len(crawl.checked) > 1, crawl.checked
    assert f'<html lang="{language}">' in crawl.served["first"]  # the language chosen
    assert crawl.broken == {}
    assert not crawl.violations, "\n".join(
        f"{path}: {issue}" for path, issues in crawl.violations.items() for issue in issues
    )
    assert not html_errors, "\n".join(html_errors)


PLANTED = {
    "/": (
        '<!DOCTYPE html><html lang="en"><head><title>Planted</title></head><body><main>'
        '<h1>Planted faults</h1><label>Name</label><input type="text" name="name">'
        '<a href="/courses/">Next page</a></main>'
        "</div></body></html>"
    ),
    "/courses/": (
        '<!DOCTYPE html><html lang="en"><head><title>Second</title></head><body><main>'
        '<h1>Second page</h1><meta http-equiv="refresh" content="15">'
        '<img src="/static/missing.png"></main></body></html>'
    ),
}


def test_the_crawl_reports_planted_faults(page, tmp_path):
    """The same crawl and checks, on two pages served by the browser itself: an unlabeled
    input, a stray end tag, then (one link on) an image without alt text and a refresh
    meta element in the body. Each fault is reported with its page."""
    base = "http://planted.example"

    def serve(route):
        path = urlsplit(route.request.url).path
        if path not in PLANTED:
            route.fulfill(status=404, content_type="text/plain", body="")
            return
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=PLANTED[path])

    page.route(f"{base}/**", serve)
    with_axe(page.context)
    batch = HtmlBatch(tmp_path / "pages")
    crawl = Crawl(page, base, role="anonymous", batch=batch)
    crawl.run("/")

    assert crawl.checked == ["/", "/courses/"]
    rules = {
        path: {issue.split(" ")[0] for issue in issues} for path, issues in crawl.violations.items()
    }
    assert "label" in rules["/"]
    assert "image-alt" in rules["/courses/"]
    errors = batch.errors()
    assert "/:1: Stray end tag “div”." in errors
    assert any(
        error.startswith("/courses/:1: Attribute “http-equiv” not allowed on element “meta”")
        for error in errors
    ), errors
