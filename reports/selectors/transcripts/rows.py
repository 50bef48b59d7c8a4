"""The training record as table rows: the one set of lines the CSV, the XLSX, the signed PDF and its content hash are made from."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reports.selectors.transcripts.record import TrainingRecord


def transcript_columns() -> list[str]:
    return [
        _("Section"),
        _("Course"),
        _("Item"),
        _("Date"),
        _("Version or details"),
        _("Result or status"),
        _("Hours"),
        _("Audit event"),
    ]


def _hours(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def transcript_rows(record: TrainingRecord) -> list[list]:
    """The record's lines: [section, course, item, date, details, result, hours, audit id].
    Dates are aware datetimes (UTC) or, for a session, the venue's date; hours are Decimals."""
    rows: list[list] = []
    for line in record.courses:
        rows.append(
            [
                _("Course"),
                line.course,
                _("Enrolled %(date)s") % {"date": line.enrolled_at.date().isoformat()},
                line.completed_at,
                _("Content version %(version)s") % {"version": line.content_version},
                _("Completed") if line.completed_at else _("In progress"),
                None,
                line.audit_id,
            ]
        )
    for line in record.modules:
        rows.append(
            [
                _("Module"),
                line.course,
                line.module,
                line.completed_at,
                _("%(done)s of %(total)s lessons read")
                % {"done": line.lessons_done, "total": line.lessons_total},
                _("Completed") if line.completed_at else _("In progress"),
                None,
                line.audit_id,
            ]
        )
    for line in record.lessons:
        rows.append(
            [
                _("Lesson"),
                line.course,
                f"{line.module} / {line.lesson}",
                line.completed_at,
                _("Version %(number)s, hash %(hash)s, commit %(commit)s")
                % {
                    "number": line.version,
                    "hash": line.content_hash,
                    "commit": line.git_commit or "-",
                },
                _("Read"),
                _hours(Decimal(line.minutes) / 60),
                line.audit_id,
            ]
        )
    for line in record.quizzes:
        rows.append(
            [
                _("Quiz"),
                line.course,
                line.quiz,
                line.passed_at or line.last_attempt_at,
                ngettext(
                    "%(count)s attempt, best %(best)s%%, last %(last)s",
                    "%(count)s attempts, best %(best)s%%, last %(last)s",
                    line.attempts,
                )
                % {
                    "count": line.attempts,
                    "best": line.best_score,
                    "last": line.last_attempt_at.date().isoformat()
                    if line.last_attempt_at
                    else "-",
                },
                _("Passed") if line.passed_at else _("Not passed"),
                None,
                line.audit_id,
            ]
        )
    for line in record.labs:
        rows.append(
            [
                _("Lab"),
                line.quiz,
                line.question,
                line.submitted_at,
                _("Attempt %(attempt)s, %(steps)s trace steps")
                % {"attempt": line.attempt_id, "steps": line.steps},
                _("Score %(score)s%%") % {"score": line.score},
                None,
                line.audit_id,
            ]
        )
    for line in record.sessions:
        rows.append(
            [
                _("Session"),
                line.cohort,
                line.title or line.cohort,
                line.date,
                f"{line.start_time:%H:%M}-{line.end_time:%H:%M} ({line.time_zone})",
                line.status_label,
                _hours(line.hours),
                line.audit_id,
            ]
        )
    for line in record.certificates:
        rows.append(
            [
                _("Certificate"),
                line.course,
                line.serial if line.revision == 1 else f"{line.serial} r{line.revision}",
                line.issued_at,
                _("Valid until %(date)s") % {"date": line.valid_until.date().isoformat()}
                if line.valid_until
                else _("Does not expire"),
                line.status_label,
                None,
                line.audit_id,
            ]
        )
    for line in record.hours:
        rows.append([_("Hours"), "", line.label, None, "", "", _hours(line.hours), None])
    return rows
