"""Through a real Celery worker: a task queued while a request is served logs under that
request's id, and the worker's task outcomes reach the metrics endpoint."""

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from config.celery import app as celery_app
from core.middleware import RequestIdMiddleware
from core.outbox import enqueue_on_commit
from core.tasks import outbox_deliver_task, outbox_sweep_task
from tests.metricsread import scrape, value
from tests.polling import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

NGINX_ID = "5f0c3b9a8e7d4c2b1a0f9e8d7c6b5a49"


def _queue_a_side_effect(request):
    """A view's write: an outbox row, handed to the broker when the transaction commits."""
    with transaction.atomic():
        enqueue_on_commit(outbox_sweep_task)
    return HttpResponse()


def test_a_task_logs_under_the_id_of_the_request_that_queued_it(celery_worker, settings):
    settings.TRUSTED_PROXY_COUNT = 1  # behind nginx, whose id the site keeps
    request = RequestFactory().get("/", HTTP_X_REQUEST_ID=NGINX_ID)
    response = RequestIdMiddleware(_queue_a_side_effect)(request)
    assert response["X-Request-ID"] == NGINX_ID

    def task_line() -> str | None:
        for line in celery_worker["log"].read_text().splitlines():
            if f"rid={NGINX_ID}" in line and "outbox_deliver_task" in line:
                return line
        return None

    line = wait_for(task_line, timeout=30, message="no worker log line with the request id")
    assert "succeeded" in line


def test_task_outcomes_are_counted_for_the_metrics_endpoint(celery_worker, client):
    name = "core.tasks.outbox_deliver_task"
    before = scrape(client)
    outbox_deliver_task.delay(message_id=0)  # no such row: done, nothing to do
    # By name, past the caller's argument check: a TypeError in the worker.
    celery_app.send_task(name, kwargs={"unexpected": 1})

    def counted():
        samples = scrape(client)
        grown = {
            outcome: value(samples, "cryptocops_celery_tasks_total", task=name, outcome=outcome)
            - value(before, "cryptocops_celery_tasks_total", task=name, outcome=outcome)
            for outcome in ("success", "failure")
        }
        return grown if all(grown.values()) else None

    assert wait_for(counted, timeout=30, message="the outcomes were not counted") == {
        "success": 1,
        "failure": 1,
    }
