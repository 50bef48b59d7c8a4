"""The Prometheus endpoint: who may read it, and what it says after some requests."""

from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.test import Client
from django.utils import timezone

from core.models import OutboxMessage
from core.observability import scrape as scrape_module
from tests.metricsread import parse, scrape, value

pytestmark = pytest.mark.django_db

OUTSIDE = "203.0.113.7"
TOKEN = "scraper-token-0123456789abcdef"


def test_metrics_are_not_found_from_outside_without_the_token(client, settings):
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics", REMOTE_ADDR=OUTSIDE).status_code == 404
    for offered in ("Bearer guess", f"Basic {TOKEN}", TOKEN, f"Bearer {TOKEN}x", "Bearer "):
        response = client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=offered)
        assert response.status_code == 404, offered


def test_a_refused_caller_gets_the_sites_own_404_page(client):
    refused = client.get("/metrics", REMOTE_ADDR=OUTSIDE)
    unknown = client.get("/no-such-page", REMOTE_ADDR=OUTSIDE)
    assert refused.status_code == unknown.status_code == 404
    assert refused["Content-Type"] == unknown["Content-Type"]
    assert b"cryptocops_" not in refused.content


def test_a_scraper_reaches_a_node_by_its_address_over_plain_http(client, settings):
    """Prometheus scrapes each web node at http://10.0.0.11:8000/metrics: neither the host
    check nor the HTTPS redirect stands in its way; for anyone else both still apply."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["training.example.org"]
    node = {"HTTP_HOST": "10.0.0.11:8000", "REMOTE_ADDR": "10.0.0.30"}
    assert client.get("/metrics", **node).status_code == 200
    public = {"HTTP_HOST": "training.example.org", "REMOTE_ADDR": OUTSIDE}
    assert client.get("/metrics", **public).status_code == 301


def test_metrics_are_served_to_the_token_holder_from_anywhere(client, settings):
    settings.METRICS_TOKEN = TOKEN
    response = client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "no-store" in response["Cache-Control"]


def test_no_token_configured_lets_no_token_in(client, settings):
    settings.METRICS_TOKEN = ""
    response = client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 404


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "192.168.0.9", "::1", "fd00::5"])
def test_metrics_are_served_to_internal_networks(client, address):
    assert client.get("/metrics", REMOTE_ADDR=address).status_code == 200


def test_the_allow_list_comes_from_the_setting(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["198.51.100.0/24"]
    assert client.get("/metrics", REMOTE_ADDR="198.51.100.20").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404
    settings.METRICS_ALLOWED_NETWORKS = []  # token only
    assert client.get("/metrics", REMOTE_ADDR="198.51.100.20").status_code == 404


def test_a_public_client_behind_the_proxy_is_outside(client, settings):
    """nginx on the private network forwards a public caller: the caller's address counts."""
    settings.TRUSTED_PROXY_COUNT = 1
    through_nginx = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": OUTSIDE}
    assert client.get("/metrics", **through_nginx).status_code == 404
    internal = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "10.0.0.9"}
    assert client.get("/metrics", **internal).status_code == 200


def test_requests_are_counted_by_view_name_never_by_path(officer):
    client, officer_client = Client(), Client()
    officer_client.force_login(officer)
    before = scrape(client)
    for _ in range(3):
        client.get("/healthz")
    client.get("/no/such/page-zqxvw")
    officer_client.get("/dashboard/")
    after = scrape(client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    requests = "cryptocops_http_requests_total"
    assert grew(requests, view="core:healthz", method="GET", status="200") == 3
    assert grew(requests, view="<unresolved>", method="GET", status="404") == 1
    assert grew(requests, view="certificates:dashboard", method="GET", status="200") == 1
    latency = "cryptocops_http_request_duration_seconds"
    assert grew(f"{latency}_count", view="core:healthz") == 3
    assert grew(f"{latency}_sum", view="core:healthz") > 0
    assert grew(f"{latency}_bucket", view="core:healthz", le="+Inf") == 3
    queries = "cryptocops_db_queries_per_request"
    assert grew(f"{queries}_sum", view="core:healthz") == 0
    assert grew(f"{queries}_count", view="certificates:dashboard") == 1
    assert grew(f"{queries}_sum", view="certificates:dashboard") >= 1
    assert "zqxvw" not in client.get("/metrics").content.decode()


def test_a_made_up_method_is_one_label(client):
    before = scrape(client)
    status = client.generic("BREW", "/healthz").status_code
    after = scrape(client)
    labels = {"view": "core:healthz", "method": "other", "status": str(status)}
    grown = value(after, "cryptocops_http_requests_total", **labels)
    assert grown - value(before, "cryptocops_http_requests_total", **labels) == 1
    assert not [key for key in after if ("method", "BREW") in key[1]]


def test_scrape_time_gauges_read_the_outbox_and_the_broker(client, django_assert_max_num_queries):
    now = timezone.now()
    old = OutboxMessage.objects.create(
        kind="core.tasks.outbox_deliver_task", payload={"message_id": 1}, next_attempt_at=now
    )
    OutboxMessage.objects.filter(pk=old.pk).update(created_at=now - timedelta(minutes=10))
    OutboxMessage.objects.create(kind="certificates.tasks.x_task", next_attempt_at=now)
    OutboxMessage.objects.create(
        kind="certificates.tasks.x_task", next_attempt_at=now, status=OutboxMessage.Status.FAILED
    )
    OutboxMessage.objects.create(kind="done", next_attempt_at=now, status="done")
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.rpush("celery", "a", "b")
    broker.rpush("celery\x06\x169", "urgent")
    try:
        # Outbox: two queries; certificates: one; no per-row work.
        with django_assert_max_num_queries(3):
            samples = scrape(client)
    finally:
        broker.delete("celery", "celery\x06\x169")
    assert value(samples, "cryptocops_outbox_backlog") == 2
    assert value(samples, "cryptocops_outbox_failed") == 1
    by_kind = "cryptocops_outbox_messages"
    assert value(samples, by_kind, kind="certificates.tasks.x_task", status="pending") == 1
    assert value(samples, by_kind, kind="certificates.tasks.x_task", status="failed") == 1
    assert 600 <= value(samples, "cryptocops_outbox_oldest_pending_age_seconds") < 700
    assert value(samples, "cryptocops_celery_queue_length", queue="celery") == 3
    assert value(samples, "cryptocops_metrics_source_up", source="outbox_metrics") == 1
    assert value(samples, "cryptocops_metrics_source_up", source="celery_metrics") == 1


def test_an_empty_outbox_reads_zero(client):
    samples = scrape(client)
    assert value(samples, "cryptocops_outbox_backlog") == 0
    assert ("cryptocops_outbox_oldest_pending_age_seconds", frozenset()) in samples


def test_a_failing_source_is_reported_and_the_rest_still_served(client, monkeypatch):
    def broken():
        raise RuntimeError("the database is away")
        yield

    monkeypatch.setattr(scrape_module, "_sources", [broken, *scrape_module._sources])
    samples = scrape(client)
    assert value(samples, "cryptocops_metrics_source_up", source="broken") == 0
    assert ("cryptocops_outbox_backlog", frozenset()) in samples


def test_the_exposition_parses_as_prometheus_text(client):
    client.get("/healthz")
    text = client.get("/metrics").content.decode()
    assert parse(text)
    for family in (
        "cryptocops_http_requests_total",
        "cryptocops_http_request_duration_seconds",
        "cryptocops_db_queries_per_request",
        "cryptocops_outbox_backlog",
        "cryptocops_outbox_oldest_pending_age_seconds",
        "cryptocops_celery_queue_length",
        "cryptocops_celery_tasks_total",
        "cryptocops_certificates",
        "cryptocops_certificates_issued_total",
    ):
        assert f"# TYPE {family} " in text, family


def test_nginx_answers_404_for_metrics_on_the_public_front_end():
    nginx = (settings.BASE_DIR / "deploy" / "nginx" / "cryptocops.conf").read_text()
    assert "location = /metrics {\n        return 404;\n    }" in nginx
