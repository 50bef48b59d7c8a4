"""Writes for assessments: starting attempts, saving answers as officers go, grading once on
the server, and regrading when an answer key is corrected."""

import random
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from assessments.grading import attempt_score
from assessments.labs.graph import totals_by_asset
from assessments.models import Attempt, AttemptAnswer, LabTrace, Question, Quiz, Regrade
from assessments.questions.lab import lab_graph
from assessments.selectors import attempt_questions
from assessments.signals import quiz_passed
from core.audit import AuditContext
from core.outbox import enqueue_on_commit
from core.pdf import render_pdf
from courses.models import Enrollment
from courses.services import enrollment_evaluate_completion


class AttemptNotAllowed(Exception):
    pass


def _hours_minutes(delta: timedelta) -> dict:
    minutes = int(delta.total_seconds() // 60) + 1
    return {"hours": minutes // 60, "minutes": minutes % 60}


def attempt_start_problem(*, user: User, quiz: Quiz, now=None) -> str | None:
    """Why a new attempt cannot start now (attempt limit, cooldown), or None."""
    now = now or timezone.now()
    attempts = Attempt.objects.filter(user=user, quiz=quiz)
    if quiz.max_attempts is not None and attempts.count() >= quiz.max_attempts:
        return _("You have used all %(count)s attempts for this quiz.") % {
            "count": quiz.max_attempts
        }
    if quiz.attempts_per_day:
        window = now - timedelta(hours=24)
        recent = sorted(attempts.filter(started_at__gt=window).values_list("started_at", flat=True))
        if len(recent) >= quiz.attempts_per_day:
            ready = recent[-quiz.attempts_per_day] + timedelta(hours=24)
            return _(
                "You have started %(count)s attempts in the last 24 hours. You can start "
                "a new attempt in %(hours)s h %(minutes)s min."
            ) % {
                "count": quiz.attempts_per_day,
                **_hours_minutes(ready - now),
            }
    if quiz.cooldown_minutes:
        last = attempts.filter(submitted_at__isnull=False).order_by("-submitted_at").first()
        if last is not None:
            ready = last.submitted_at + timedelta(minutes=quiz.cooldown_minutes)
            if ready > now:
                minutes = int((ready - now).total_seconds() // 60) + 1
                return _("You can start a new attempt in %(minutes)s minutes.") % {
                    "minutes": minutes
                }
    return None


def attempt_start(
    *, user: User, quiz: Quiz, enrollment: Enrollment, context: AuditContext | None = None
) -> Attempt:
    """Open an attempt, or return the one already open: one open attempt per quiz. The
    attempt limit and cooldown are checked here, so no crafted request can skip them."""
    if enrollment.user_id != user.pk or quiz.module.course_id != enrollment.course_id:
        raise AttemptNotAllowed("The quiz is not part of this enrollment.")
    existing = Attempt.objects.filter(
        user=user, quiz=quiz, status=Attempt.Status.IN_PROGRESS
    ).first()
    if existing is not None:
        return existing
    problem = attempt_start_problem(user=user, quiz=quiz)
    if problem:
        raise AttemptNotAllowed(problem)
    seed = secrets.randbits(48)
    now = timezone.now()
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                user=user,
                quiz=quiz,
                enrollment=enrollment,
                quiz_hash=quiz.content_hash,
                seed=seed,
                question_keys=draw_questions(quiz=quiz, seed=seed),
                started_at=now,
                deadline=(
                    now + timedelta(minutes=quiz.time_limit_minutes)
                    if quiz.time_limit_minutes
                    else None
                ),
            )
            audit_log(action="attempt.start", actor=user, target=attempt, context=context)
            return attempt
    except IntegrityError:
        # Two tabs started at once: the partial unique constraint kept one; use it.
        return Attempt.objects.get(user=user, quiz=quiz, status=Attempt.Status.IN_PROGRESS)


def draw_questions(*, quiz: Quiz, seed: int) -> list[str]:
    """The pool questions for one attempt: the same seed always draws the same keys."""
    rows = list(quiz.questions.order_by("order").values_list("key", "kind"))
    # Tracing labs are always part of the attempt; the pool draw applies to the rest.
    labs = {key for key, kind in rows if kind == Question.Kind.LAB}
    pool = [key for key, kind in rows if kind != Question.Kind.LAB]
    if quiz.draw is None or quiz.draw >= len(pool):
        chosen = set(pool)
    else:
        chosen = set(random.Random(seed).sample(pool, quiz.draw))  # noqa: S311 (not security)
    return [key for key, _kind in rows if key in chosen or key in labs]


def _on_time(attempt: Attempt, now) -> bool:
    if attempt.deadline is None:
        return True
    return now <= attempt.deadline + timedelta(seconds=settings.QUIZ_GRACE_SECONDS)


def _store_answers(attempt: Attempt, answers: dict, now) -> int:
    """Upsert answers for questions of this attempt, in one query whatever their number."""
    keys = set(attempt.question_keys)
    rows = [
        AttemptAnswer(attempt=attempt, question_key=key, value=value, saved_at=now)
        for key, value in answers.items()
        if key in keys
    ]
    if rows:
        AttemptAnswer.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["attempt", "question_key"],
            update_fields=["value", "saved_at"],
        )
    return len(rows)


def attempt_save_answers(*, attempt_id: int, user: User, answers: dict) -> tuple[int, bool]:
    """Autosave: store answers as the officer goes. Returns (saved, open). After the
    deadline or once graded, nothing is stored. Not audited row by row: the grade is."""
    now = timezone.now()
    attempt = Attempt.objects.get(pk=attempt_id, user=user)
    if attempt.status != Attempt.Status.IN_PROGRESS or not _on_time(attempt, now):
        return 0, False
    return _store_answers(attempt, answers, now), True


@transaction.atomic
def attempt_submit(
    *, attempt_id: int, user: User, raw_answers: dict, context: AuditContext | None = None
) -> tuple[Attempt, bool]:
    """Grade an attempt exactly once. Returns (attempt, graded_now).

    The row lock serialises double submits: the second one finds the attempt graded and
    returns it unchanged. Answers arriving after the deadline are not counted: only what was
    saved in time is graded. The number of queries does not depend on the number of
    questions.
    """
    now = timezone.now()
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("quiz")
        .get(pk=attempt_id, user=user)
    )
    if attempt.status == Attempt.Status.GRADED:
        return attempt, False
    late = not _on_time(attempt, now)
    if not late:
        _store_answers(attempt, raw_answers, now)
    cutoff = (
        attempt.deadline + timedelta(seconds=settings.QUIZ_GRACE_SECONDS)
        if attempt.deadline
        else now
    )
    saved = {
        row.question_key: row.value
        for row in AttemptAnswer.objects.filter(attempt=attempt, saved_at__lte=cutoff)
    }
    questions = attempt_questions(attempt=attempt)
    attempt.answers = saved
    attempt.score, attempt.question_scores = attempt_score(questions, saved, attempt.seed)
    attempt.passed = attempt.score >= attempt.quiz.pass_mark
    attempt.status = Attempt.Status.GRADED
    attempt.submitted_at = now
    attempt.save(
        update_fields=["answers", "score", "question_scores", "passed", "status", "submitted_at"]
    )
    audit_log(
        action="attempt.grade",
        actor=user,
        target=attempt,
        details={
            "score": str(attempt.score),
            "passed": attempt.passed,
            "quiz_id": attempt.quiz_id,
            "late": late,
        },
        context=context,
    )
    if attempt.passed:
        enrollment_evaluate_completion(enrollment=attempt.enrollment, context=context)
        quiz_passed.send(sender=Attempt, attempt=attempt)
    return attempt, True


@transaction.atomic
def quiz_regrade(*, quiz: Quiz, changed_keys: set[str]) -> list[Regrade]:
    """Re-grade graded attempts that contain a question whose answer key changed.

    Every changed grade keeps a Regrade row (old and new) and an audit event; an attempt that
    now passes may complete the course.
    """
    if not changed_keys:
        return []
    questions = {q.key: q for q in Question.objects.filter(quiz=quiz)}
    regrades = []
    attempts = Attempt.objects.select_for_update().filter(quiz=quiz, status=Attempt.Status.GRADED)
    for attempt in attempts:
        drawn = attempt.question_keys or list(questions)
        if not changed_keys & set(drawn):
            continue
        score, scores = attempt_score(
            [questions[k] for k in drawn if k in questions], attempt.answers
        )
        if score == attempt.score:
            continue
        old_score, old_passed = attempt.score, attempt.passed
        attempt.score, attempt.question_scores = score, scores
        attempt.passed = score >= quiz.pass_mark
        attempt.save(update_fields=["score", "question_scores", "passed"])
        regrade = Regrade.objects.create(
            attempt=attempt,
            old_score=old_score,
            new_score=score,
            old_passed=bool(old_passed),
            new_passed=attempt.passed,
            quiz_hash=quiz.content_hash,
        )
        regrades.append(regrade)
        audit_log(
            action="attempt.regrade",
            target=attempt,
            details={
                "old_score": str(old_score),
                "new_score": str(score),
                "questions": sorted(changed_keys & set(drawn)),
            },
        )
        if attempt.passed and not old_passed:
            enrollment_evaluate_completion(enrollment=attempt.enrollment)
            quiz_passed.send(sender=Attempt, attempt=attempt)
    return regrades


@transaction.atomic
def quiz_items_export(
    *, actor: User, quiz: Quiz, quiz_hash: str, rows: int, context: AuditContext | None = None
) -> None:
    """Record a trainer's CSV export of a quiz version's item analysis."""
    audit_log(
        action="quiz.items_export",
        actor=actor,
        target=quiz,
        details={"quiz": quiz.pk, "version": quiz_hash, "rows": rows},
        context=context,
    )


@transaction.atomic
def quiz_officers_export(
    *, actor: User, quiz: Quiz, rows: int, context: AuditContext | None = None
) -> None:
    """Record a trainer's CSV export of officers' attempts (personal data)."""
    audit_log(
        action="quiz.officers_export",
        actor=actor,
        target=quiz,
        details={"quiz": quiz.pk, "rows": rows},
        context=context,
    )


MAX_TRACE_STEPS = 200


@transaction.atomic
def lab_trace_add_step(
    *,
    attempt: Attempt,
    question_key: str,
    address: str,
    note: str = "",
    context: AuditContext | None = None,
) -> LabTrace:
    """Add an address (with a note) to the officer's trace; re-adding updates its note."""
    trace, _created = LabTrace.objects.select_for_update().get_or_create(
        attempt=attempt, question_key=question_key
    )
    note = note.strip()[:1000]
    steps = [step for step in trace.steps if step["address"] != address]
    if len(steps) >= MAX_TRACE_STEPS:
        raise AttemptNotAllowed(
            _("A trace can hold at most %(count)s steps.") % {"count": MAX_TRACE_STEPS}
        )
    existing = next((step for step in trace.steps if step["address"] == address), None)
    if existing is not None:
        existing["note"] = note or existing.get("note", "")
        steps = trace.steps
    else:
        steps.append({"address": address, "note": note, "at": timezone.now().isoformat()})
    trace.steps = steps
    trace.updated_at = timezone.now()
    trace.save(update_fields=["steps", "updated_at"])
    audit_log(
        action="lab.trace_step",
        actor=attempt.user,
        target=trace,
        details={"question": question_key, "steps": len(steps)},
        context=context,
    )
    return trace


@transaction.atomic
def lab_trace_remove_step(
    *, attempt: Attempt, question_key: str, index: int, context: AuditContext | None = None
) -> None:
    trace = (
        LabTrace.objects.select_for_update()
        .filter(attempt=attempt, question_key=question_key)
        .first()
    )
    if trace is None or not 0 <= index < len(trace.steps):
        return
    removed = trace.steps.pop(index)
    trace.updated_at = timezone.now()
    trace.save(update_fields=["steps", "updated_at"])
    audit_log(
        action="lab.trace_remove",
        actor=attempt.user,
        target=trace,
        details={"question": question_key, "address": removed["address"]},
        context=context,
    )


def lab_trace_pdf_request(*, trace: LabTrace, context: AuditContext | None = None) -> LabTrace:
    """Ask the worker for a PDF of the trace as it is now (a new request after edits)."""
    from assessments.tasks import lab_trace_pdf_task

    with transaction.atomic():
        trace = LabTrace.objects.select_for_update().get(pk=trace.pk)
        if trace.pdf_current or trace.pdf_pending:
            return trace
        trace.pdf_requested_at = timezone.now()
        trace.save(update_fields=["pdf_requested_at"])
        audit_log(
            action="lab.trace_pdf_request", actor=trace.attempt.user, target=trace, context=context
        )
        enqueue_on_commit(lab_trace_pdf_task, trace_id=trace.pk)
    return trace


def lab_trace_pdf_render(*, trace_id: int) -> LabTrace:
    """Render the trace report; a second run for the same state of the trace changes nothing."""
    with transaction.atomic():
        trace = (
            LabTrace.objects.select_for_update(of=("self",))
            .select_related("attempt__user", "attempt__quiz")
            .get(pk=trace_id)
        )
        if trace.pdf_current:
            return trace
        question = Question.objects.get(quiz=trace.attempt.quiz, key=trace.question_key)
        graph = lab_graph(question, trace.attempt.seed)
        rows = []
        for number, step in enumerate(trace.steps, start=1):
            node = graph.addresses.get(step["address"])
            rows.append(
                {
                    "number": number,
                    "address": step["address"],
                    "chain": node.chain if node else "",
                    "label": node.label if node else "",
                    "received": totals_by_asset(graph.incoming(step["address"])),
                    "sent": totals_by_asset(graph.outgoing(step["address"])),
                    "note": step.get("note", ""),
                }
            )
        pdf = render_pdf(
            "assessments/lab_trace_pdf.html",
            {"trace": trace, "rows": rows, "question": question, "generated": timezone.now()},
            language=trace.attempt.user.language or settings.LANGUAGE_CODE,
        )
        name = f"trace-{trace.attempt_id}-{trace.question_key}.pdf"
        if trace.pdf:
            trace.pdf.storage.delete(trace.pdf.name)
        trace.pdf.save(name, ContentFile(pdf), save=False)
        trace.pdf_updated_at = timezone.now()
        trace.save(update_fields=["pdf", "pdf_updated_at"])
        audit_log(
            action="lab.trace_pdf", target=trace, details={"bytes": len(pdf), "steps": len(rows)}
        )
    return trace
