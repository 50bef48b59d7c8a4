"""Dashboard, PDF download (own certificates only) and public verification."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from certificates.models import Certificate
from courses.models import Lesson
from courses.services import enrollment_create, lesson_complete
from tests.certificates.issuing import issued_certificate
from tests.factories import UserFactory, build_cohort, build_course, seated

pytestmark = pytest.mark.django_db


def test_dashboard_lists_courses_and_certificates(officer_client, officer, course):
    certificate = issued_certificate(officer, course)
    response = officer_client.get(reverse("certificates:dashboard"))
    assert response.status_code == 200
    assert course.title in response.text
    assert certificate.serial in response.text
    assert reverse("certificates:download", args=[certificate.pk]) in response.text
    assert reverse("certificates:detail", args=[certificate.pk]) in response.text


# The user and the viewer's memberships (every request's), the enrollments with their lesson
# and read counts, the certificates, the refreshers due, the seats with their next session.
DASHBOARD_QUERIES = 6


def test_dashboard_query_count_does_not_grow(officer_client, officer, django_assert_num_queries):
    issued_certificate(officer, build_course(), render=False)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = officer_client.get(reverse("certificates:dashboard"))
    assert response.status_code == 200
    for _ in range(4):
        issued_certificate(officer, build_course(), render=False)
    large = build_course(modules=4, lessons_per_module=6)
    enrollment = enrollment_create(user=officer, course=large)
    for lesson in Lesson.objects.filter(module__course=large)[:20]:
        lesson_complete(enrollment=enrollment, lesson=lesson)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = officer_client.get(reverse("certificates:dashboard"))
    assert response.status_code == 200
    assert "83%" in response.text  # 20 of the 24 lessons


def test_dashboard_shows_upcoming_cohorts_with_a_flat_query_count(
    officer_client, officer, agency, django_assert_num_queries
):
    cohort = build_cohort(host=agency, title="Seoul cohort")
    seated(cohort, agency=agency, user=officer)
    with django_assert_num_queries(DASHBOARD_QUERIES) as few:
        response = officer_client.get(reverse("certificates:dashboard"))
    assert response.status_code == 200
    assert "Seoul cohort" in response.text
    assert cohort.get_absolute_url() in response.text
    assert "venue time (Asia/Bangkok" in response.text
    for index in range(3):
        seated(
            build_cohort(host=agency, title=f"More {index}", days=4), agency=agency, user=officer
        )
    with django_assert_num_queries(len(few.captured_queries)):
        response = officer_client.get(reverse("certificates:dashboard"))
    assert response.status_code == 200
    assert "More 2" in response.text
    assert response.text.count("Next session:") == 4  # one per seat, however many sessions


def test_pending_certificate_has_no_download(officer_client, officer, course):
    certificate = issued_certificate(officer, course, render=False)
    response = officer_client.get(reverse("certificates:dashboard"))
    assert "Being prepared" in response.text
    url = reverse("certificates:download", args=[certificate.pk])
    assert url not in response.text
    assert officer_client.get(url).status_code == 404


def test_owner_downloads_the_pdf(officer_client, officer, course):
    certificate = issued_certificate(officer, course)
    response = officer_client.get(reverse("certificates:download", args=[certificate.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"certificate-{certificate.serial}.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_another_officer_gets_404(client, officer, course):
    certificate = issued_certificate(officer, course)
    client.force_login(UserFactory())
    assert client.get(reverse("certificates:download", args=[certificate.pk])).status_code == 404


def test_verify_page_shows_public_facts_only(client, officer, course):
    certificate = issued_certificate(officer, course)
    response = client.get(certificate.get_absolute_url())
    assert response.status_code == 200
    assert certificate.holder_name in response.text
    assert certificate.course_title in response.text
    assert "This certificate is valid." in response.text
    assert officer.email not in response.text
    assert certificate.agency_name not in response.text
    assert certificate.serial not in response.text


def test_verify_json(client, officer, course):
    certificate = issued_certificate(officer, course)
    response = client.get(reverse("certificates:verify_json", args=[certificate.verify_token]))
    assert response.status_code == 200
    assert response.json() == {
        "name": certificate.holder_name,
        "course": certificate.course_title,
        "issue_date": certificate.issued_at.date().isoformat(),
        "status": "valid",
        "revision": 1,
        "valid_until": None,
        "revoked_at": None,
        "revocation_reason": None,
        "suspended_at": None,
        "superseded_at": None,
        "newest_verify_url": None,
        "pdf_sha256": certificate.pdf_sha256,
    }
    assert len(certificate.pdf_sha256) == 64


def test_verify_unknown_token_is_404(client):
    assert client.get("/verify/" + "A" * 43 + "/").status_code == 404
    assert client.get("/verify/" + "A" * 43 + ".json").status_code == 404
    assert client.get("/verify/short/").status_code == 404


def test_revoked_certificate_says_so(client, officer, course):
    certificate = issued_certificate(officer, course)
    Certificate.objects.filter(pk=certificate.pk).update(status=Certificate.Status.REVOKED)
    response = client.get(certificate.get_absolute_url())
    assert "This certificate has been revoked." in response.text


def test_verify_is_rate_limited_per_client_address(client, officer, course, settings):
    settings.VERIFY_RATE_PER_MINUTE = 3
    settings.TRUSTED_PROXY_COUNT = 1
    certificate = issued_certificate(officer, course)
    page = certificate.get_absolute_url()
    json_url = reverse("certificates:verify_json", args=[certificate.verify_token])
    unknown = "/verify/" + "A" * 43 + "/"

    def get(url, address):
        return client.get(url, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=address)

    # All within one minute, whenever the test runs.
    with time_machine.travel(timezone.now().replace(second=5), tick=False):
        # Unknown tokens count too: walking the token space is what the limit stops.
        assert get(unknown, "203.0.113.1").status_code == 404
        assert get(page, "203.0.113.1").status_code == 200
        assert get(json_url, "203.0.113.1").status_code == 200
        limited = get(page, "203.0.113.1")
        assert limited.status_code == 429
        assert "Too many requests" in limited.text
        assert certificate.holder_name not in limited.text
        limited_json = get(json_url, "203.0.113.1")
        assert limited_json.status_code == 429 and "name" not in limited_json.json()
        # Another client behind the same proxy is not affected.
        assert get(page, "198.51.100.2").status_code == 200
    # The next minute the first client may check again.
    with time_machine.travel(timezone.now().replace(second=5) + timedelta(minutes=1), tick=False):
        assert get(page, "203.0.113.1").status_code == 200
