"""The cohort's certificate page, the batch progress page and its JSON, over HTTP: who may
(the cohort's trainer, staff) and who may not (another cohort's trainer, another agency's
admin, an officer, an unvetted user, anonymous)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from certificates.models import CertificateBatch, CertificateBatchItem
from certificates.services import certificate_batch_start
from cohorts.models import Seat
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    admin_of,
    build_cohort,
    completed_cohort,
    staff_user,
)

pytestmark = pytest.mark.django_db

Kind = CertificateBatch.Kind


@pytest.fixture
def cohort():
    return completed_cohort(3)


@pytest.fixture
def batch(cohort):
    return certificate_batch_start(cohort=cohort, kind=Kind.ISSUE, actor=cohort.trainers.first())


def urls(cohort, batch) -> dict[str, tuple[str, str]]:
    return {
        "page": ("get", reverse("certificates:cohort_certificates", args=[cohort.pk])),
        "issue": ("post", reverse("certificates:batch_issue", args=[cohort.pk])),
        "reissue": ("post", reverse("certificates:batch_reissue", args=[cohort.pk])),
        "batch": ("get", reverse("certificates:batch", args=[batch.pk])),
        "json": ("get", reverse("certificates:batch_json", args=[batch.pk])),
        "retry": ("post", reverse("certificates:batch_retry", args=[batch.pk])),
    }


def outsiders(cohort) -> dict:
    seat_holder = Seat.objects.filter(cohort=cohort).first().user
    other_agency = AgencyFactory(name="Other Police", country="RO")
    return {
        "another cohort's trainer": build_cohort(course=cohort.course).trainers.first(),
        "another agency's admin": admin_of(other_agency),
        "the host agency's admin": admin_of(cohort.host_agency),
        "an officer of the cohort": seat_holder,
        "an unvetted user": MembershipFactory(
            agency=cohort.host_agency, status=Membership.Status.PENDING, vetted_at=None
        ).user,
    }


def test_none_but_those_who_run_the_cohort_reach_its_certificates(client, cohort, batch):
    for who, user in outsiders(cohort).items():
        client.force_login(user)
        for name, (method, url) in urls(cohort, batch).items():
            response = getattr(client, method)(url, {"reason": "x"})
            assert response.status_code == 404, (who, name, response.status_code)
    assert CertificateBatch.objects.count() == 1
    assert set(CertificateBatchItem.objects.values_list("state", flat=True)) == {"waiting"}


def test_anonymous_is_sent_to_sign_in(client, cohort, batch):
    for name, (method, url) in urls(cohort, batch).items():
        response = getattr(client, method)(url)
        assert response.status_code == 302, name
        assert reverse("account_login") in response["Location"], name


def test_the_trainer_issues_missing_certificates_and_lands_on_the_batch(client, cohort):
    client.force_login(cohort.trainers.first())
    page = client.get(reverse("certificates:cohort_certificates", args=[cohort.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<dt>Completed seats without a certificate</dt><dd>3</dd>" in html
    response = client.post(reverse("certificates:batch_issue", args=[cohort.pk]))
    batch = CertificateBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("certificates:batch", args=[batch.pk])
    # Pressed again (a double click): the same batch, nothing more queued.
    again = client.post(reverse("certificates:batch_issue", args=[cohort.pk]))
    assert again["Location"] == response["Location"]
    assert batch.items.count() == 3


def test_staff_reissue_all_with_a_reason(client, cohort):
    from certificates.models import Certificate

    client.force_login(staff_user())
    url = reverse("certificates:batch_reissue", args=[cohort.pk])
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert not CertificateBatch.objects.exists()
    response = client.post(url, {"reason": "Corrected names"})
    batch = CertificateBatch.objects.get()
    assert response.status_code == 302
    assert (batch.kind, batch.reason, batch.template_version) == ("reissue", "Corrected names", 2)
    assert not Certificate.objects.exists()  # nothing issued yet, so nothing to reissue
    assert batch.finished_at is not None


def test_issue_and_reissue_refuse_get(client, cohort):
    client.force_login(cohort.trainers.first())
    assert client.get(reverse("certificates:batch_issue", args=[cohort.pk])).status_code == 405
    assert client.get(reverse("certificates:batch_reissue", args=[cohort.pk])).status_code == 405


def test_batch_page_shows_counts_a_labelled_progress_bar_and_failed_items(client, cohort, batch):
    failed = batch.items.first()
    CertificateBatchItem.objects.filter(pk=failed.pk).update(
        state="failed", error="OSError: no font"
    )
    client.force_login(cohort.trainers.first())
    html = client.get(reverse("certificates:batch", args=[batch.pk])).content.decode()
    assert '<label for="batch-bar">' in html
    assert '<progress id="batch-bar" max="3" value="1">' in html
    assert '<dd data-count="waiting">2</dd>' in html
    assert '<dd data-count="failed">1</dd>' in html
    assert "OSError: no font" in html
    assert failed.seat.user.get_short_name() in html
    assert reverse("certificates:batch_json", args=[batch.pk]) in html
    assert 'aria-live="polite"' in html
    assert "<script>" not in html  # CSP: the script is a static file
    assert reverse("certificates:batch_retry", args=[batch.pk]) in html


def test_batch_json_gives_the_counts(client, cohort, batch):
    CertificateBatchItem.objects.filter(pk=batch.items.first().pk).update(state="done")
    client.force_login(cohort.trainers.first())
    response = client.get(reverse("certificates:batch_json", args=[batch.pk]))
    assert response.status_code == 200
    assert response.json() == {"done": 1, "failed": 0, "waiting": 2, "total": 3, "finished": False}
    assert "no-store" in response["Cache-Control"]


def test_retry_button_requeues_failed_items_and_says_so(client, cohort, batch):
    CertificateBatchItem.objects.filter(pk=batch.items.first().pk).update(state="failed", error="x")
    client.force_login(cohort.trainers.first())
    url = reverse("certificates:batch_retry", args=[batch.pk])
    first = client.post(url, follow=True)
    assert "1 failed certificate is queued again." in first.content.decode()
    second = client.post(url, follow=True)
    assert "No certificate in this batch is failed." in second.content.decode()
    assert not batch.items.filter(state="failed").exists()


def test_batch_page_and_json_queries_do_not_grow_with_items(client):
    staff = staff_user()
    client.force_login(staff)
    counts = []
    for seats in (10, 200):
        cohort = completed_cohort(seats)
        batch = certificate_batch_start(cohort=cohort, kind=Kind.ISSUE, actor=staff)
        # Half of them failed, so the failed list is as long as it gets.
        items = list(batch.items.values_list("pk", flat=True))
        CertificateBatchItem.objects.filter(pk__in=items[::2]).update(state="failed", error="e")
        with CaptureQueriesContext(connection) as page:
            assert client.get(reverse("certificates:batch", args=[batch.pk])).status_code == 200
        with CaptureQueriesContext(connection) as json:
            assert (
                client.get(reverse("certificates:batch_json", args=[batch.pk])).status_code == 200
            )
        counts.append((len(page), len(json)))
    assert counts[0] == counts[1], counts


def test_batch_page_query_count_is_pinned(client, cohort, batch, django_assert_max_num_queries):
    client.force_login(cohort.trainers.first())
    with django_assert_max_num_queries(15):
        client.get(reverse("certificates:batch", args=[batch.pk]))
    with django_assert_max_num_queries(13):
        client.get(reverse("certificates:batch_json", args=[batch.pk]))
    with django_assert_max_num_queries(17):
        client.get(reverse("certificates:cohort_certificates", args=[cohort.pk]))


def test_cohort_page_links_its_certificates_for_those_who_run_it(client, cohort):
    link = reverse("certificates:cohort_certificates", args=[cohort.pk])
    client.force_login(cohort.trainers.first())
    assert link in client.get(reverse("cohorts:detail", args=[cohort.pk])).content.decode()
    client.force_login(admin_of(cohort.host_agency))
    assert link not in client.get(reverse("cohorts:detail", args=[cohort.pk])).content.decode()
