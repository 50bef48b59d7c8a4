"""The URL layout: one urls.py per app, its namespace the app label, and every path as it was
before the namespaces were tidied (bookmarks, emailed links, nginx's /healthz and /readyz,
LOGIN_REDIRECT_URL and the MFA middleware's allowed prefixes all depend on the paths)."""

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from accounts.middleware import MfaRequiredMiddleware

APPS = ["core", "accounts", "courses", "assessments", "cohorts", "certificates", "reports"]

# Each renamed URL (old name -> new name) with the path it has always had.
RENAMED = [
    ("home", "core:home", {}, "/"),
    ("healthz", "core:healthz", {}, "/healthz"),
    ("readyz", "core:readyz", {}, "/readyz"),
    ("dashboard", "certificates:dashboard", {}, "/dashboard/"),
    ("set_language", "accounts:set_language", {}, "/i18n/setlang/"),
    ("vetting:member", "accounts:member", {"membership_id": 7}, "/account/people/7/"),
    (
        "vetting:member_approve",
        "accounts:member_approve",
        {"membership_id": 7},
        "/account/people/7/approve/",
    ),
    (
        "vetting:member_reject",
        "accounts:member_reject",
        {"membership_id": 7},
        "/account/people/7/reject/",
    ),
    (
        "vetting:member_left",
        "accounts:member_left",
        {"membership_id": 7},
        "/account/people/7/left/",
    ),
    (
        "vetting:member_reconfirm",
        "accounts:member_reconfirm",
        {"membership_id": 7},
        "/account/people/7/reconfirm/",
    ),
    (
        "vetting:member_role",
        "accounts:member_role",
        {"membership_id": 7},
        "/account/people/7/role/",
    ),
    (
        "vetting:invitations",
        "accounts:invitations",
        {"agency_id": 3},
        "/account/agencies/3/invitations/",
    ),
    (
        "vetting:invitation_resend",
        "accounts:invitation_resend",
        {"invitation_id": 5},
        "/account/invitations/5/resend/",
    ),
    (
        "vetting:import",
        "accounts:invitation_import",
        {"agency_id": 3},
        "/account/agencies/3/import/",
    ),
    ("audit:search", "accounts:audit_search", {}, "/audit/"),
    ("audit:export", "accounts:audit_export", {}, "/audit/export.csv"),
    ("privacy:profile", "accounts:profile", {}, "/account/profile/"),
    ("privacy:erase", "accounts:person_erase", {"user_id": 9}, "/account/people/9/erase/"),
    ("privacy:export", "reports:personal_data_export", {}, "/account/data.json"),
    ("cohort_reports:report", "reports:cohort_report", {"cohort_id": 4}, "/cohorts/4/report/"),
    (
        "cohort_reports:export",
        "reports:cohort_report_export",
        {"cohort_id": 4},
        "/cohorts/4/report.csv",
    ),
    ("assessments_trainer:quizzes", "assessments:trainer_quizzes", {}, "/quizzes/trainer/"),
    (
        "assessments_trainer:items",
        "assessments:trainer_items",
        {"quiz_id": 2},
        "/quizzes/trainer/2/",
    ),
    (
        "assessments_trainer:items_csv",
        "assessments:trainer_items_csv",
        {"quiz_id": 2},
        "/quizzes/trainer/2/items.csv",
    ),
    (
        "assessments_trainer:officers",
        "assessments:trainer_officers",
        {"quiz_id": 2},
        "/quizzes/trainer/2/officers/",
    ),
    (
        "assessments_trainer:officers_csv",
        "assessments:trainer_officers_csv",
        {"quiz_id": 2},
        "/quizzes/trainer/2/officers.csv",
    ),
]

# Names that kept their namespace and name, moved only into a shared URL module.
UNCHANGED = [
    ("accounts:invitation", {"token": "abc"}, "/account/invitation/abc/"),
    ("reports:agencies", {}, "/agency/"),
    ("reports:roster", {"agency_id": 3}, "/agency/3/roster/"),
    ("reports:roster_export", {"agency_id": 3}, "/agency/3/roster.csv"),
]


@pytest.mark.parametrize(("old", "name", "kwargs", "path"), RENAMED, ids=[r[0] for r in RENAMED])
def test_renamed_urls_keep_their_paths(old, name, kwargs, path):
    assert reverse(name, kwargs=kwargs) == path
    assert resolve(path).view_name == name


@pytest.mark.parametrize(("name", "kwargs", "path"), UNCHANGED, ids=[u[0] for u in UNCHANGED])
def test_merged_url_modules_keep_their_paths(name, kwargs, path):
    assert reverse(name, kwargs=kwargs) == path
    assert resolve(path).view_name == name


def test_each_app_has_one_url_module_named_by_its_label():
    """The root URLconf includes, for each of our apps, its urls.py under the app's label."""
    included = {}
    for pattern in get_resolver().url_patterns:
        assert isinstance(pattern, URLResolver), f"{pattern} should live in an app's urls.py"
        module = getattr(pattern.urlconf_name, "__name__", pattern.urlconf_name)
        app = module.split(".")[0] if isinstance(module, str) else None
        if app in APPS:
            assert module == f"{app}.urls", module
            assert pattern.namespace == app, (module, pattern.namespace)
            included.setdefault(app, []).append(module)
    assert sorted(included) == sorted(APPS)
    assert all(len(modules) == 1 for modules in included.values()), included


def test_every_url_of_our_apps_is_in_its_apps_namespace():
    for pattern in get_resolver().url_patterns:
        if pattern.namespace not in APPS:
            continue  # allauth, Django's admin
        for inner in pattern.url_patterns:
            if isinstance(inner, URLPattern):
                assert inner.name, f"{pattern.namespace}: {inner.pattern} has no name"


def test_login_redirect_and_mfa_prefixes_still_reach_their_pages():
    assert resolve_url(settings.LOGIN_REDIRECT_URL) == "/dashboard/"
    for name in ("core:healthz", "core:readyz", "accounts:set_language"):
        assert reverse(name).startswith(MfaRequiredMiddleware.ALLOWED_PREFIXES), name
