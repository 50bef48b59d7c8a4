"""Health check, security headers, and the home page."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert body["worker"] in {"ok", "none"}


@pytest.mark.django_db(transaction=True)
def test_healthz_sees_a_worker(client, celery_worker):
    body = client.get("/healthz").json()
    assert body["worker"] == "ok" and body["workers"] >= 1


def test_healthz_reports_a_dead_broker(client, settings):
    from config.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["broker"] == "down"


def test_security_headers(client):
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_home_page_is_accessible_html(client):
    response = client.get(reverse("home"))
    text = response.text
    assert '<html lang="en">' in text
    assert 'href="#main"' in text and '<main id="main"' in text
    assert "<nav" in text and "<footer" in text
    assert '<label for="language-select">' in text


def test_signed_in_pages_are_not_cached(officer_client):
    assert officer_client.get(reverse("dashboard"))["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("language", "text"), [("ko", "대시보드"), ("th", None), ("ro", "Tablou de bord")]
)
def test_interface_catalogs_are_compiled(language, text):
    """make run and make test compile locale/*.po; without them every page is English."""
    from django.utils import translation

    with translation.override(language):
        translated = translation.gettext("Dashboard")
    assert translated != "Dashboard"
    if text:
        assert translated == text


def test_pages_render_in_the_chosen_language(client):
    response = client.get(reverse("home"), headers={"accept-language": "ko"})
    assert '<html lang="ko">' in response.text
    assert "계정 만들기" in response.text or "로그인" in response.text
