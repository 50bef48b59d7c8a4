"""Health check, security headers, and the home page."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_is_cheap_and_public(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_asks_nothing_of_a_dead_broker(client):
    from config.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 200


def test_readyz_reports_database_and_broker_to_internal_callers(client):
    for address in ("127.0.0.1", "10.0.0.11", "192.168.1.4", "::1"):
        response = client.get("/readyz", REMOTE_ADDR=address)
        assert response.status_code == 200, address
        body = response.json()
        assert body["database"] == "ok"
        assert body["broker"] == "ok"
        assert body["worker"] in {"ok", "none"}


def test_readyz_is_not_found_from_outside_without_the_token(client, settings):
    settings.READYZ_TOKEN = "monitor-token-0123456789"
    assert client.get("/readyz", REMOTE_ADDR="203.0.113.7").status_code == 404
    wrong = client.get("/readyz", REMOTE_ADDR="203.0.113.7", HTTP_X_READYZ_TOKEN="guess")
    assert wrong.status_code == 404
    right = client.get(
        "/readyz", REMOTE_ADDR="203.0.113.7", HTTP_X_READYZ_TOKEN="monitor-token-0123456789"
    )
    assert right.status_code == 200 and right.json()["database"] == "ok"


def test_readyz_sees_the_client_behind_the_proxy(client, settings):
    """Through nginx (a private address) an outside client is still outside."""
    settings.TRUSTED_PROXY_COUNT = 1
    outside = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    assert client.get("/readyz", **outside).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_readyz_sees_a_worker(client, celery_worker):
    body = client.get("/readyz").json()
    assert body["worker"] == "ok" and body["workers"] >= 1


def test_readyz_reports_a_dead_broker(client, settings):
    from config.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/readyz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["broker"] == "down"


def test_security_headers(client):
    response = client.get(reverse("core:home"))
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
    response = client.get(reverse("core:home"))
    text = response.text
    assert '<html lang="en">' in text
    assert 'href="#main"' in text and '<main id="main"' in text
    assert "<nav" in text and "<footer" in text
    assert '<label for="language-select">' in text


def test_signed_in_pages_are_not_cached(officer_client):
    assert officer_client.get(reverse("certificates:dashboard"))["Cache-Control"] == "no-store"


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
    response = client.get(reverse("core:home"), headers={"accept-language": "ko"})
    assert '<html lang="ko">' in response.text
    assert "계정 만들기" in response.text or "로그인" in response.text


def test_pages_are_compressed_for_clients_that_accept_gzip(officer_client):
    import gzip

    plain = officer_client.get(reverse("courses:catalog"))
    packed = officer_client.get(reverse("courses:catalog"), HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert len(packed.content) < len(plain.content)
    # The CSRF token is masked anew for each page; the rest of the page is the same.
    assert gzip.decompress(packed.content).decode().count("<main") == plain.text.count("<main")


def test_templates_are_compiled_once_per_process():
    """Django's cached template loader wraps the app loaders when none are named (the
    default since Django 4.1, in production and development alike)."""
    from django.template import engines

    engine = engines["django"].engine
    assert [loader.__class__.__module__ for loader in engine.template_loaders] == [
        "django.template.loaders.cached"
    ]
