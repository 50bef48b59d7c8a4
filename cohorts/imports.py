"""Attendance from a CSV file: every row is checked against the session's roster first, then
all of them are marked in one transaction or none at all (the confirm-step import of
core.imports). Every mark goes through services.attendance_mark, which is idempotent and
audited, so the same file uploaded twice changes nothing the second time."""

from dataclasses import dataclass

from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import User
from cohorts.models import Attendance, Seat, Session
from cohorts.selectors.attendance import STATUS_ORDER
from cohorts.services.attendance import (
    NOTE_MAX_LENGTH,
    attendance_import_record,
    attendance_mark,
)
from core.audit import AuditContext
from core.imports import ImportSpec, Problem, Row

IMPORT_SALT = "cohorts.attendance-import"
Status = Attendance.Status


@dataclass(frozen=True)
class ImportResult:
    rows: int
    changed: int


class AttendanceImport(ImportSpec):
    """Rows of email, status and note for one session: each email an officer holding a
    confirmed seat in the cohort."""

    columns = ("email", "status", "note")
    required_columns = ("email", "status")
    header_message = gettext_lazy(
        "The first row must name the columns: email and status, and optionally note "
        "(found: %(found)s)."
    )
    salt = IMPORT_SALT
    upload_help = gettext_lazy(
        "UTF-8 CSV with a header row: email, status (present, late, excused or absent) and "
        "optionally note. At most 1,000 rows and 512 KB."
    )
    problems_heading = gettext_lazy("Nothing was recorded")
    problems_intro = gettext_lazy(
        "Correct these rows in your file and upload it again. No mark is recorded until every "
        "row is right."
    )
    preview_caption = gettext_lazy("Marks to record")
    preview_columns = (gettext_lazy("Email"), gettext_lazy("Status"), gettext_lazy("Note"))

    def __init__(self, *, session: Session, actor: User):
        super().__init__(actor=actor)
        self.session = session

    def scope(self) -> dict[str, int]:
        return {"session": self.session.pk}

    def refusal(self) -> str | None:
        return _("This session has been cancelled.") if self.session.is_cancelled else None

    def read_row(self, cells: dict[str, str]) -> Row:
        return {
            "email": cells.get("email", "").strip().lower(),
            "status": cells.get("status", "").strip().lower(),
            "note": cells.get("note", "").strip(),
        }

    def lookup(self, rows: list[Row]) -> dict:
        """The cohort's seats held by the rows' emails, confirmed or not: one query whatever
        the number of rows."""
        emails = {row.get("email", "") for row in rows}
        confirmed: dict[str, Seat] = {}
        others: dict[str, Seat] = {}
        for seat in (
            Seat.objects.filter(cohort_id=self.session.cohort_id)
            .annotate(email_lower=Lower("user__email"))
            .filter(email_lower__in=emails)
            .select_related("user", "agency")
        ):
            (confirmed if seat.status == Seat.Status.APPROVED else others)[seat.email_lower] = seat
        return {"seats": confirmed, "others": others}

    def row_messages(self, row: Row, *, found: dict, email_valid: bool) -> list[str]:
        email, status, note = row.get("email", ""), row.get("status", ""), row.get("note", "")
        messages = []
        if email and email in found["others"]:
            messages.append(
                _("This officer does not hold a confirmed seat in this cohort (%(status)s).")
                % {"status": found["others"][email].get_status_display()}
            )
        elif email and email_valid and email not in found["seats"]:
            messages.append(_("Nobody in this cohort has this email address."))
        if status not in Status.values:
            messages.append(
                _("The status must be one of: %(statuses)s.")
                % {"statuses": ", ".join(STATUS_ORDER)}
            )
        if len(note) > NOTE_MAX_LENGTH:
            messages.append(
                _("The note is longer than %(max)s characters.") % {"max": NOTE_MAX_LENGTH}
            )
        return messages

    def apply(self, rows: list[Row], *, context: AuditContext | None = None) -> ImportResult:
        # The session as it is now, and the host agency its audit row names.
        self.session = Session.objects.select_related("cohort__host_agency").get(pk=self.session.pk)
        return super().apply(rows, context=context)

    def write_row(self, row: Row, *, found: dict, context: AuditContext | None) -> bool:
        _attendance, changed = attendance_mark(
            session=self.session,
            seat=found["seats"][row["email"]],
            status=row["status"],
            note=row["note"],
            actor=self.actor,
            source=Attendance.Source.CSV,
            context=context,
        )
        return changed

    def finish(
        self, written: list[bool], *, rows: list[Row], context: AuditContext | None
    ) -> ImportResult:
        changed = sum(written)
        if changed:
            attendance_import_record(
                session=self.session,
                actor=self.actor,
                rows=len(rows),
                changed=changed,
                context=context,
            )
        return ImportResult(rows=len(rows), changed=changed)

    def preview_cells(self, row: Row) -> list:
        return [row["email"], Status(row["status"]).label, row["note"]]

    def summary(self, count: int) -> str:
        return ngettext(
            "%(counter)s mark will be recorded for this session.",
            "%(counter)s marks will be recorded for this session.",
            count,
        ) % {"counter": count}

    def submit_label(self, count: int) -> str:
        return ngettext("Record %(counter)s mark", "Record %(counter)s marks", count) % {
            "counter": count
        }

    def done_message(self, result: ImportResult) -> str:
        return ngettext(
            "%(rows)s row applied; %(changed)s mark changed.",
            "%(rows)s rows applied; %(changed)s marks changed.",
            result.rows,
        ) % {"rows": result.rows, "changed": result.changed}

    def done_url(self) -> str:
        return reverse("cohorts:roster", kwargs={"session_id": self.session.pk})


def parse_attendance_csv(*, session: Session, data: bytes) -> tuple[list[Row], list[Problem]]:
    """Read an uploaded attendance file (UTF-8, header row: email, status, note) and check
    every row against this session's roster. Writes nothing; any problem means no row may be
    applied. Rows are {"row", "email", "status", "note"}."""
    return AttendanceImport(session=session, actor=None).parse(data)


def attendance_import(
    *, session: Session, rows: list[Row], actor: User, context: AuditContext | None = None
) -> ImportResult:
    """Apply every checked row, or none: the rows are checked again here, and any failure
    rolls back every mark. Rows that match what is recorded change nothing, so the same file
    uploaded twice writes nothing the second time. Raises ImportProblems."""
    return AttendanceImport(session=session, actor=actor).apply(rows, context=context)
