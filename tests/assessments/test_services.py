"""Server-side grading, one open attempt, and a double submit that grades once."""

import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from accounts.models import AuditEvent
from assessments.models import Attempt
from assessments.services import (
    AttemptNotAllowed,
    attempt_start,
    attempt_submit,
    quiz_items_export,
    quiz_officers_export,
)
from courses.services import enrollment_create
from tests.factories import QuizFactory, UserFactory, correct_answers

pytestmark = pytest.mark.django_db


def test_start_returns_the_open_attempt(officer, quiz, enrollment):
    first = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
    second = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
    assert first.pk == second.pk
    assert first.quiz_hash == quiz.content_hash


def test_start_refuses_a_quiz_of_another_course(officer, enrollment):
    other_quiz = QuizFactory()
    with pytest.raises(AttemptNotAllowed):
        attempt_start(user=officer, quiz=other_quiz, enrollment=enrollment)


def test_submit_grades_passes_and_audits(officer, quiz, enrollment):
    attempt = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
    graded, now = attempt_submit(
        attempt_id=attempt.pk, user=officer, raw_answers=correct_answers(quiz)
    )
    assert now is True
    assert graded.status == Attempt.Status.GRADED
    assert graded.score == Decimal("100.00") and graded.passed is True
    event = AuditEvent.objects.get(action="attempt.grade")
    assert event.details["passed"] is True and event.actor == officer


def test_submit_below_pass_mark_fails(officer, quiz, enrollment):
    attempt = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
    graded, _ = attempt_submit(attempt_id=attempt.pk, user=officer, raw_answers={})
    assert graded.passed is False and graded.score == Decimal("0.00")


def test_second_submit_changes_nothing(officer, quiz, enrollment):
    attempt = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
    attempt_submit(attempt_id=attempt.pk, user=officer, raw_answers=correct_answers(quiz))
    graded, now = attempt_submit(attempt_id=attempt.pk, user=officer, raw_answers={})
    assert now is False
    assert graded.score == Decimal("100.00")
    assert AuditEvent.objects.filter(action="attempt.grade").count() == 1


def test_other_user_cannot_submit_my_attempt(officer, quiz, enrollment):
    attempt = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
    with pytest.raises(Attempt.DoesNotExist):
        attempt_submit(attempt_id=attempt.pk, user=UserFactory(), raw_answers={})


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_grades_once(officer, course):
    quiz = course.modules.first().quiz
    enrollment = enrollment_create(user=officer, course=course)
    attempt = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
    answers = correct_answers(quiz)
    barrier = threading.Barrier(4)
    results, errors = [], []

    def submit():
        try:
            barrier.wait()
            results.append(
                attempt_submit(attempt_id=attempt.pk, user=officer, raw_answers=answers)[1]
            )
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(results) == [False, False, False, True]
    assert AuditEvent.objects.filter(action="attempt.grade").count() == 1


def test_quiz_exports_leave_one_audit_row_each(quiz):
    trainer = UserFactory()
    quiz_items_export(actor=trainer, quiz=quiz, quiz_hash="abc123", rows=4)
    quiz_officers_export(actor=trainer, quiz=quiz, rows=2)

    items, officers = (
        AuditEvent.objects.get(action=action)
        for action in ("quiz.items_export", "quiz.officers_export")
    )
    assert (items.actor_id, items.target_id) == (trainer.pk, str(quiz.pk))
    assert items.details == {"quiz": quiz.pk, "version": "abc123", "rows": 4}
    assert (officers.actor_id, officers.details) == (trainer.pk, {"quiz": quiz.pk, "rows": 2})


def test_assessments_views_write_no_audit_rows_themselves():
    """Writes, audit rows included, go through services: no view module calls audit_log."""
    views = Path(__file__).resolve().parents[2] / "assessments" / "views"
    modules = sorted(views.glob("*.py"))
    assert {module.name for module in modules} >= {"quiz.py", "lab.py", "trainer.py"}
    for module in modules:
        assert "audit_log" not in module.read_text(), module.name
