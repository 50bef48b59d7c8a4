"""The layers hold in templates too: a template links ({% url %}) only to views of its own
app or of a lower layer, as Python code imports only downward (import-linter's contract in
pyproject.toml, run by `make test`). Site-wide navigation is registered by each app
(core.nav), so the base template names no view above core."""

import re
from pathlib import Path

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

# Lowest first, as in ARCHITECTURE.md; config (the wiring) sits above them all.
LAYERS = ["core", "accounts", "courses", "assessments", "cohorts", "certificates", "reports"]

# Links that cross a layer upward on purpose, with the reason.
EXCEPTIONS = {
    ("core/templates/core/chrome/footer.html", "accounts:set_language"): (
        "the language form in every page's footer posts to accounts, which also saves a "
        "signed-in person's choice; core cannot write to accounts"
    ),
    ("accounts/templates/accounts/privacy/profile.html", "reports:personal_data_export"): (
        "the personal-data export reads every app, so its view is in reports; the profile "
        "page is where a person asks for it"
    ),
    ("courses/templates/courses/course_detail.html", "certificates:dashboard"): (
        "back to the dashboard, which reads courses, cohorts and certificates and so lives "
        "in certificates"
    ),
    ("assessments/templates/assessments/attempt_result.html", "certificates:dashboard"): (
        "back to the dashboard, which reads courses, cohorts and certificates and so lives "
        "in certificates"
    ),
    ("courses/templates/courses/course_detail.html", "assessments:quiz"): (
        "the course page lists each module with its quiz; quizzes are the layer above"
    ),
    ("courses/templates/courses/trainer_content.html", "assessments:trainer_quizzes"): (
        "the trainer's content page leads on to the quiz statistics, one layer above"
    ),
    ("cohorts/templates/cohorts/detail.html", "reports:cohort_report"): (
        "the cohort page links its report, which reads certificates and so lives in reports"
    ),
    ("cohorts/templates/cohorts/detail.html", "certificates:cohort_certificates"): (
        "the cohort page, for those who run it, leads to issuing and reissuing the cohort's "
        "certificates, one layer above"
    ),
}

URL_TAG = re.compile(r"""\{%\s*url\s+['"]([\w:-]+)['"]""")


def url_owners() -> dict[str, str]:
    """Each URL name (with its namespace) -> the top-level package of its view."""
    owners: dict[str, str] = {}

    def walk(patterns, namespace: str | None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                if pattern.namespace and namespace:
                    inner = f"{namespace}:{pattern.namespace}"
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                owners.setdefault(name, pattern.callback.__module__.split(".")[0])

    walk(get_resolver().url_patterns, None)
    return owners


def template_links() -> list[tuple[str, str, str]]:
    """(template path, its app, URL name) for every literal {% url %} in the apps' templates."""
    found = []
    for app in LAYERS:
        for path in sorted((Path(settings.BASE_DIR) / app / "templates").rglob("*")):
            if path.suffix not in {".html", ".txt", ".ics", ".xml"}:
                continue
            relative = str(path.relative_to(settings.BASE_DIR))
            for name in URL_TAG.findall(path.read_text(encoding="utf-8")):
                found.append((relative, app, name))
    return found


def test_templates_link_only_to_their_own_or_lower_layers():
    owners = url_owners()
    upward = []
    for template, app, name in template_links():
        owner = owners.get(name)
        assert owner is not None, f"{template}: no URL named {name!r}"
        if owner not in LAYERS:  # allauth, Django's admin: below every app of ours
            continue
        if LAYERS.index(owner) > LAYERS.index(app) and (template, name) not in EXCEPTIONS:
            upward.append(f"{template} -> {name} ({owner})")
    assert upward == []


def test_every_recorded_exception_is_still_needed():
    links = {(template, name) for template, _app, name in template_links()}
    assert set(EXCEPTIONS) <= links
