"""SECURITY.md fault 4: the database connection dies in the middle of grading a quiz (as when
PostgreSQL restarts). Grading is one transaction: nothing half-graded stays behind, and the
next submit grades the attempt once."""

import threading

import pytest
from django.db import connection, connections

from accounts.audit import _CHAIN_LOCK
from accounts.models import AuditEvent
from assessments.models import Attempt, AttemptAnswer
from assessments.services import attempt_start, attempt_submit
from courses.services import enrollment_create
from tests.factories import correct_answers
from tests.polling import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_connection_killed_mid_grading_leaves_no_half_graded_attempt(officer, course):
    quiz = course.modules.first().quiz
    attempt = attempt_start(
        user=officer, quiz=quiz, enrollment=enrollment_create(user=officer, course=course)
    )
    answers = correct_answers(quiz)
    state = {}

    # Hold the audit chain's lock: the submit below grades the attempt, then waits for the
    # lock inside the same transaction, before it can commit.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_CHAIN_LOCK])

    def submit():
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                state["pid"] = cursor.fetchone()[0]
            attempt_submit(attempt_id=attempt.pk, user=officer, raw_answers=answers)
        except Exception as exc:  # the connection is killed under it
            state["error"] = exc
        finally:
            connections["default"].close()

    thread = threading.Thread(target=submit)
    thread.start()
    with connection.cursor() as cursor:

        def waiting_on_the_lock() -> int:
            cursor.execute(
                # This database's only: pg_locks is the whole server's (another suite's beat
                # standby waits on an advisory lock too).
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )
            return cursor.fetchone()[0]

        # Wait until the submit is blocked on the lock, mid-transaction.
        wait_for(
            waiting_on_the_lock,
            timeout=10,
            interval=0.02,
            message="the submit never reached the lock",
        )
        cursor.execute("SELECT pg_terminate_backend(%s)", [state["pid"]])
        cursor.execute("SELECT pg_advisory_unlock(%s)", [_CHAIN_LOCK])
    thread.join(timeout=10)

    assert "error" in state  # the submit failed with its connection
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS and attempt.score is None
    assert not AttemptAnswer.objects.filter(attempt=attempt).exists()
    assert not AuditEvent.objects.filter(action="attempt.grade").exists()

    graded, graded_now = attempt_submit(attempt_id=attempt.pk, user=officer, raw_answers=answers)
    assert graded_now and graded.passed
    assert AuditEvent.objects.filter(action="attempt.grade").count() == 1
