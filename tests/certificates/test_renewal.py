"""Renewal (delta recertification) through HTTP: only materially changed lessons are listed,
the final assessment must be passed after the start, and the new certificate supersedes the
old once rendered. Who may renew, and when."""

from datetime import timedelta

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from assessments.services import attempt_start, attempt_submit
from certificates.models import Certificate, CertificateRenewal
from certificates.selectors import final_quiz
from certificates.services import (
    certificate_create_for_completion,
    certificate_reissue,
    certificate_render,
)
from courses.models import Lesson, LessonVersion
from courses.pipeline.render import render_markdown
from courses.services import enrollment_create, lesson_complete
from tests.factories import MembershipFactory, correct_answers, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def lessons(course):
    lessons = list(Lesson.objects.filter(module__course=course).order_by("module__order", "order"))
    for lesson, title in zip(lessons, ["Bridges and swaps", "Peel chains", "Mixers"], strict=False):
        lesson.title = title
        lesson.save(update_fields=["title"])
    return lessons


@pytest.fixture
def issued(officer, course, lessons):
    course.valid_for_months = 12
    course.save(update_fields=["valid_for_months"])
    enrollment = enrollment_create(user=officer, course=course)
    for lesson in lessons:
        lesson_complete(enrollment=enrollment, lesson=lesson)
    enrollment.completed_at = timezone.now()
    enrollment.save()
    certificate = certificate_create_for_completion(enrollment=enrollment)
    return certificate_render(certificate_id=certificate.pk)


def change(lesson: Lesson, *, material: bool) -> LessonVersion:
    """What sync_content does with an edited lesson file: a new current version."""
    number = lesson.current_version.number + 1
    text = f"## {lesson.title}\n\nRevised text, version {number}."
    version = LessonVersion.objects.create(
        lesson=lesson,
        number=number,
        content_hash=f"{lesson.pk:032d}{number:032d}",
        source_path="content/lesson.md",
        body_html=render_markdown(text),
        is_material=material,
    )
    lesson.current_version = version
    lesson.save(update_fields=["current_version"])
    return version


def renew_url(certificate) -> str:
    return reverse("certificates:renew", kwargs={"certificate_id": certificate.pk})


def finish_url(certificate) -> str:
    return reverse("certificates:renew_finish", kwargs={"certificate_id": certificate.pk})


def pass_final_quiz_over_http(client, course):
    quiz = final_quiz(course=course)
    start = client.post(reverse("assessments:quiz_start", args=[course.slug, quiz.module.slug]))
    data = {
        f"q_{key}": value if len(value) > 1 else value[0]
        for key, value in correct_answers(quiz).items()
    }
    response = client.post(start["Location"], data)
    assert response.status_code == 302 and "/result/" in response["Location"]


def test_renewal_end_to_end_lists_changed_lessons_then_issues_a_superseding_certificate(
    officer_client, issued, lessons, course, deliver_outbox
):
    change(lessons[0], material=True)
    change(lessons[1], material=False)  # a typo fix: not to be re-read
    with time_machine.travel(issued.valid_until - timedelta(days=30)):
        officer_client.force_login(issued.user)  # the session idles out across the jump
        page = officer_client.get(renew_url(issued))
        assert page.status_code == 200
        assert "Bridges and swaps" in page.text
        assert "Peel chains" not in page.text and "Mixers" not in page.text
        assert "Start the renewal" in page.text

        started = officer_client.post(renew_url(issued))
        assert started.status_code == 302 and started["Location"] == renew_url(issued)
        renewal = CertificateRenewal.objects.get(certificate=issued)
        assert AuditEvent.objects.filter(action="certificate.renewal_start").count() == 1

        early = officer_client.post(finish_url(issued))
        assert early.status_code == 409
        assert "Read the changed lessons and pass the final assessment first." in early.text

        lesson = lessons[0]
        refresh = reverse(
            "courses:lesson_refresh",
            args=[course.slug, lesson.module.slug, lesson.slug],
        )
        assert officer_client.post(refresh).status_code == 302
        assert "To read" not in officer_client.get(renew_url(issued)).text

        # Passing the final assessment is the last step: the pass issues the renewal.
        pass_final_quiz_over_http(officer_client, course)

    new = Certificate.objects.get(supersedes=issued)
    renewal.refresh_from_db()
    assert renewal.renewed == new and renewal.completed_at is not None
    assert new.status == Certificate.Status.PENDING
    assert new.serial != issued.serial and new.revision == 1
    assert new.lesson_versions[str(lessons[0].pk)] == 2
    assert new.lesson_versions[str(lessons[1].pk)] == 1  # not re-read: not needed
    issued.refresh_from_db()
    assert issued.status == Certificate.Status.ISSUED  # valid until the new one is issued

    assert "certificates.tasks.certificate_render_task" in deliver_outbox()
    new.refresh_from_db()
    issued.refresh_from_db()
    assert new.status == Certificate.Status.ISSUED
    assert new.valid_until == new.issued_at + relativedelta(months=12)
    assert issued.status == Certificate.Status.SUPERSEDED
    assert issued.superseded_by == new and new.supersedes == issued
    assert AuditEvent.objects.filter(action="certificate.renew", target_id=str(new.pk)).exists()
    done = officer_client.get(renew_url(issued))
    assert new.serial in done.text and "Download PDF" in done.text


def test_with_nothing_changed_the_holder_only_repasses_the_assessment(
    officer_client, issued, course, deliver_outbox
):
    with time_machine.travel(issued.valid_until - timedelta(days=5)):
        officer_client.force_login(issued.user)  # the session idles out across the jump
        officer_client.post(renew_url(issued))
        page = officer_client.get(renew_url(issued))
        assert "Nothing changed in an important way" in page.text
        pass_final_quiz_over_http(officer_client, course)
    assert Certificate.objects.filter(supersedes=issued).exists()


def test_an_expired_certificate_can_be_renewed(officer_client, issued):
    with time_machine.travel(issued.valid_until + timedelta(days=40)):
        officer_client.force_login(issued.user)  # the session idles out across the jump
        assert "Start the renewal" in officer_client.get(renew_url(issued)).text
        assert officer_client.post(renew_url(issued)).status_code == 302
    assert CertificateRenewal.objects.filter(certificate=issued).exists()


def test_a_pass_from_before_the_renewal_started_does_not_count(
    officer, officer_client, issued, course
):
    quiz = final_quiz(course=course)
    with time_machine.travel(issued.valid_until - timedelta(days=10)):
        officer_client.force_login(issued.user)  # the session idles out across the jump
        attempt = attempt_start(user=officer, quiz=quiz, enrollment=issued.enrollment)
        attempt_submit(attempt_id=attempt.pk, user=officer, raw_answers=correct_answers(quiz))
        officer_client.post(renew_url(issued))
        response = officer_client.post(finish_url(issued))
    assert response.status_code == 409
    assert not Certificate.objects.filter(supersedes=issued).exists()


def test_the_finish_button_issues_when_the_lessons_come_last(
    officer, officer_client, issued, lessons, course
):
    change(lessons[2], material=True)
    quiz = final_quiz(course=course)
    with time_machine.travel(issued.valid_until - timedelta(days=10)):
        officer_client.force_login(issued.user)  # the session idles out across the jump
        officer_client.post(renew_url(issued))
        attempt = attempt_start(user=officer, quiz=quiz, enrollment=issued.enrollment)
        attempt_submit(attempt_id=attempt.pk, user=officer, raw_answers=correct_answers(quiz))
        assert not Certificate.objects.filter(supersedes=issued).exists()  # lesson not re-read
        lesson = lessons[2]
        officer_client.post(
            reverse("courses:lesson_refresh", args=[course.slug, lesson.module.slug, lesson.slug])
        )
        assert "Issue my renewed certificate" in officer_client.get(renew_url(issued)).text
        response = officer_client.post(finish_url(issued))
    assert response.status_code == 302
    assert Certificate.objects.filter(supersedes=issued).count() == 1


def test_renewal_is_refused_with_a_clear_message_before_its_window(officer_client, issued):
    opens = issued.valid_until - timedelta(days=90)
    with time_machine.travel(opens - timedelta(days=1)):
        officer_client.force_login(issued.user)  # the session idles out across the jump
        page = officer_client.get(renew_url(issued))
        assert page.status_code == 200
        assert "Renewal opens 90 days before the certificate expires" in page.text
        assert "Start the renewal" not in page.text
        refused = officer_client.post(renew_url(issued))
    assert refused.status_code == 409
    assert "Renewal opens 90 days before the certificate expires" in refused.text
    assert not CertificateRenewal.objects.exists()


def test_a_superseded_or_never_expiring_certificate_is_not_renewed(
    officer_client, issued, admin_user
):
    reissued = certificate_render(
        certificate_id=certificate_reissue(certificate=issued, actor=admin_user, reason="Fix").pk
    )
    with time_machine.travel(issued.valid_until - timedelta(days=10)):
        officer_client.force_login(issued.user)  # the session idles out across the jump
        assert "A newer certificate replaces this one" in officer_client.get(renew_url(issued)).text
        assert officer_client.post(renew_url(issued)).status_code == 409
    reissued.valid_until = None
    reissued.save(update_fields=["valid_until"])
    page = officer_client.get(renew_url(reissued))
    assert "does not expire" in page.text


def test_only_the_holder_may_open_or_start_a_renewal(client, issued, officer):
    colleague = MembershipFactory(agency=officer.memberships.first().agency).user
    with time_machine.travel(issued.valid_until - timedelta(days=10)):
        for user in (colleague, staff_user()):
            client.force_login(user)
            assert client.get(renew_url(issued)).status_code == 404
            assert client.post(renew_url(issued)).status_code == 404
            assert client.post(finish_url(issued)).status_code == 404
        client.logout()
        assert client.get(renew_url(issued)).status_code == 302  # to sign in
    assert not CertificateRenewal.objects.exists()


def _renew_page_queries(client, certificate) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(renew_url(certificate)).status_code == 200
    return len(queries)


def test_the_renew_page_query_count_does_not_grow_with_changed_lessons(
    officer_client, issued, lessons, django_assert_max_num_queries
):
    with time_machine.travel(issued.valid_until - timedelta(days=10)):
        officer_client.force_login(issued.user)  # the session idles out across the jump
        officer_client.post(renew_url(issued))
        change(lessons[0], material=True)
        one = _renew_page_queries(officer_client, issued)
        for lesson in lessons[1:]:
            change(lesson, material=True)
        # Session, user and memberships (5 with the menu's roles), the session's save (3), and
        # the page's own 7: certificate, renewal, final quiz, its pass, successor, lessons
        # with their last material version, progress on the changed ones.
        with django_assert_max_num_queries(15):
            assert officer_client.get(renew_url(issued)).status_code == 200
        assert _renew_page_queries(officer_client, issued) == one


def test_the_dashboard_links_to_renewal_only_inside_the_window(officer_client, issued):
    link = renew_url(issued)
    assert link not in officer_client.get(reverse("certificates:dashboard")).text
    with time_machine.travel(issued.valid_until - timedelta(days=60)):
        officer_client.force_login(issued.user)  # the session idles out across the jump
        assert link in officer_client.get(reverse("certificates:dashboard")).text
