"""Quiz statistics for trainers and programme staff: item analysis per quiz version, each
officer's attempts, and both as CSV."""

import csv
import io
from decimal import Decimal

from allauth.account.decorators import reauthentication_required
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership
from accounts.permissions import active_memberships
from assessments.access import access_quiz_for_trainer
from assessments.analysis import (
    ItemReport,
    OfficerAttempts,
    QuizVersion,
    attempts_per_officer,
    item_statistics,
    quiz_versions,
    quizzes_with_attempt_counts,
    resolve_version,
)
from assessments.models import Quiz
from assessments.services import quiz_items_export, quiz_officers_export
from core.audit import AuditContext
from core.csv import csv_attachment, csv_text
from courses.access import access_trainer_area


@login_required
def quizzes(request):
    access_trainer_area(user=request.user)
    return render(
        request,
        "assessments/trainer/quizzes.html",
        {"quizzes": list(quizzes_with_attempt_counts())},
    )


@login_required
def items(request, quiz_id: int):
    quiz = access_quiz_for_trainer(user=request.user, quiz_id=quiz_id)
    versions = quiz_versions(quiz=quiz)
    version = _chosen_version(request, quiz, versions)
    report = item_statistics(quiz=quiz, quiz_hash=version.quiz_hash)
    context = {"quiz": quiz, "versions": versions, "version": version, "report": report}
    return render(request, "assessments/trainer/items.html", context)


@login_required
def items_csv(request, quiz_id: int):
    quiz = access_quiz_for_trainer(user=request.user, quiz_id=quiz_id)
    version = _chosen_version(request, quiz, quiz_versions(quiz=quiz))
    report = item_statistics(quiz=quiz, quiz_hash=version.quiz_hash)
    content, written = _items_csv(report)
    quiz_items_export(
        actor=request.user,
        quiz=quiz,
        quiz_hash=version.quiz_hash,
        rows=written,
        context=AuditContext.from_request(request),
    )
    return csv_attachment(content, f"quiz-{quiz.pk}-items-{version.short}.csv")


def officer_scope(user) -> list[int] | None:
    """Whose results a trainer may see: programme staff and programme-wide trainers see every
    officer; a trainer of an agency sees that agency's officers only (attempts_per_officer
    counts the officers whose membership there counts: approved, current, not left). Only
    the trainer's own memberships that count open a scope."""
    if user.is_staff:
        return None
    trainer_agencies = [
        membership.agency_id
        for membership in active_memberships(user)
        if membership.role == Membership.Role.TRAINER
    ]
    if None in trainer_agencies:
        return None
    return trainer_agencies


@login_required
def officers(request, quiz_id: int):
    quiz = access_quiz_for_trainer(user=request.user, quiz_id=quiz_id)
    rows = attempts_per_officer(quiz=quiz, agency_ids=officer_scope(request.user))
    return render(request, "assessments/trainer/officers.html", {"quiz": quiz, "officers": rows})


@login_required
def officers_csv(request, quiz_id: int):
    # Access first (404 for others), then the password prompt for an export of personal data.
    quiz = access_quiz_for_trainer(user=request.user, quiz_id=quiz_id)
    return _officers_csv_export(request, quiz)


@reauthentication_required
def _officers_csv_export(request, quiz):
    content, written = _officers_csv(
        attempts_per_officer(quiz=quiz, agency_ids=officer_scope(request.user))
    )
    quiz_officers_export(
        actor=request.user, quiz=quiz, rows=written, context=AuditContext.from_request(request)
    )
    return csv_attachment(content, f"quiz-{quiz.pk}-officers.csv")


def _chosen_version(request, quiz: Quiz, versions: list[QuizVersion]) -> QuizVersion:
    """The version named by ?version=<hash prefix>, else the current one; 404 when the prefix
    matches no version (or more than one)."""
    prefix = request.GET.get("version", "")
    if not prefix:
        return next(v for v in versions if v.is_current)
    version = resolve_version(versions, prefix)
    if version is None:
        raise Http404
    return version


def csv_cell(value) -> str | int:
    """A cell a spreadsheet shows as text, never runs as a formula. Numbers the analysis
    computed are written as numbers: a negative discrimination index must stay a number."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, float):
        return f"{value:.3f}"
    text = str(value)
    return csv_text(text)


def _items_csv(report: ItemReport) -> tuple[str, int]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            _("quiz version"),
            _("question"),
            _("type"),
            _("prompt"),
            _("in current quiz"),
            _("attempts"),
            _("full marks"),
            _("difficulty"),
            _("mean score"),
            _("discrimination"),
            _("options chosen"),
        ]
    )
    correct = _("correct")
    for item in report.items:
        options = "; ".join(
            f"{option.key}{' (' + correct + ')' if option.correct else ''}: "
            f"{option.chosen}/{item.attempts}"
            for option in item.options
        )
        writer.writerow(
            [
                csv_cell(report.quiz_hash),
                csv_cell(item.key),
                csv_cell(item.kind),
                csv_cell(item.prompt),
                csv_cell(item.in_current_quiz),
                csv_cell(item.attempts),
                csv_cell(item.full_marks),
                csv_cell(item.difficulty),
                csv_cell(item.mean_score),
                csv_cell(item.discrimination),
                csv_cell(options),
            ]
        )
    return buffer.getvalue(), len(report.items)


def _officers_csv(rows: list[OfficerAttempts]) -> tuple[str, int]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            _("Full name"),
            _("Email"),
            _("Attempts"),
            _("Best score (%)"),
            _("Passed"),
            _("Last submitted"),
        ]
    )
    for row in rows:
        writer.writerow(
            [
                csv_cell(row.full_name),
                csv_cell(row.email),
                csv_cell(row.attempts),
                csv_cell(row.best_score),
                csv_cell(row.passed),
                csv_cell(timezone.localtime(row.last_submitted_at).isoformat(timespec="minutes")),
            ]
        )
    return buffer.getvalue(), len(rows)
