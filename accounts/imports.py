"""Bulk invitations from a CSV file: parse and check every row first, then create all of them
in one transaction or none at all."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.audit import audit_log
from accounts.models import Agency, Invitation, Membership, User
from accounts.permissions import ROLES_ABOVE_OFFICER, Action, can
from accounts.services import invitation_create, role_grant_refusal
from core.imports import MAX_BYTES, MAX_ROWS, CsvFileError, read_csv

COLUMNS = ("email", "full_name", "role")
ROLES = (Membership.Role.OFFICER, Membership.Role.TRAINER, Membership.Role.AGENCY_ADMIN)
EMAIL_MAX_LENGTH = 254
FULL_NAME_MAX_LENGTH = 150

# A row is {"row": n, "email": ..., "full_name": ..., "role": ...}, n being the row's number as
# a spreadsheet shows it (the header is row 1). A problem is {"row": n or None for the whole
# file, "email": ..., "messages": [...]}.
Row = dict
Problem = dict


class ImportProblems(ValidationError):
    """The rows no longer pass the checks; .problems says which and why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(
            [
                _("Row %(row)s: %(problem)s")
                % {"row": p["row"], "problem": " ".join(p["messages"])}
                if p["row"] is not None
                else " ".join(p["messages"])
                for p in problems
            ]
        )


def _file_problem(message: str) -> list[Problem]:
    return [{"row": None, "email": "", "messages": [message]}]


def parse_invitation_csv(
    *, data: bytes, agency: Agency, actor: User
) -> tuple[list[Row], list[Problem]]:
    """Read an uploaded CSV (UTF-8, with or without BOM, header row first) and check every row
    as `actor` would import it. Writes nothing. Any problem means no row may be imported."""

    def header_problem(header: list[str]) -> str | None:
        unknown = [name for name in header if name not in COLUMNS]
        if unknown or len(set(header)) != len(header) or "email" not in header:
            return _(
                "The first row must name the columns: email, and optionally full_name and role "
                "(found: %(found)s)."
            ) % {"found": ", ".join(header)}
        return None

    try:
        header, data_records = read_csv(
            data, check_header=header_problem, max_bytes=MAX_BYTES, max_rows=MAX_ROWS
        )
    except CsvFileError as error:
        return [], _file_problem(error.message)

    rows: list[Row] = []
    extra: dict[int, list[str]] = {}
    for number, record in data_records:
        cells = dict(zip(header, record, strict=False))
        rows.append(
            {
                "row": number,
                "email": cells.get("email", "").strip().lower(),
                "full_name": cells.get("full_name", "").strip(),
                "role": cells.get("role", "").strip().lower() or Membership.Role.OFFICER,
            }
        )
        if len(record) > len(header):
            extra[number] = [_("The row has more cells than the header.")]
    problems = check_rows(agency=agency, rows=rows, actor=actor, extra=extra)
    return rows, problems


def check_rows(
    *, agency: Agency, rows: list[Row], actor: User, extra: dict[int, list[str]] | None = None
) -> list[Problem]:
    """Every problem of every row, in row order: two queries whatever the number of rows (and
    the actor's right to grant roles, asked once, when a row asks for more than officer).
    Agency admins import officers only; a row asking for a higher role is refused."""
    extra = extra or {}
    may_grant = any(row["role"] in ROLES_ABOVE_OFFICER for row in rows) and can(
        actor, Action.GRANT_ROLES, agency
    )
    emails = {row["email"] for row in rows}
    members = set(
        Membership.objects.filter(agency=agency)
        .annotate(email_lower=Lower("user__email"))
        .filter(email_lower__in=emails)
        .values_list("email_lower", flat=True)
    )
    invited = set(
        Invitation.objects.filter(
            agency=agency, accepted_at__isnull=True, email__in=emails
        ).values_list("email", flat=True)
    )
    first_seen: dict[str, int] = {}
    problems: list[Problem] = []
    for row in rows:
        email = row["email"]
        messages = list(extra.get(row["row"], []))
        if not email:
            messages.append(_("The email is missing."))
        else:
            try:
                if len(email) > EMAIL_MAX_LENGTH:
                    raise ValidationError("too long")
                validate_email(email)
            except ValidationError:
                messages.append(_("This is not a valid email address."))
            if email in first_seen:
                messages.append(
                    _("The same email is already on row %(row)s.") % {"row": first_seen[email]}
                )
            else:
                first_seen[email] = row["row"]
            if email in members:
                messages.append(_("This person already belongs to the agency."))
            if email in invited:
                messages.append(_("This person already has an open invitation."))
        if row["role"] not in ROLES:
            messages.append(_("The role must be one of: %(roles)s.") % {"roles": ", ".join(ROLES)})
        elif row["role"] in ROLES_ABOVE_OFFICER and not may_grant:
            messages.append(role_grant_refusal(row["role"]))
        if len(row["full_name"]) > FULL_NAME_MAX_LENGTH:
            messages.append(
                _("The full name is longer than %(max)s characters.")
                % {"max": FULL_NAME_MAX_LENGTH}
            )
        if messages:
            problems.append({"row": row["row"], "email": email, "messages": messages})
    return problems


@transaction.atomic
def invitation_import(
    *, agency: Agency, rows: list[Row], actor: User, request: HttpRequest | None = None
) -> list[Invitation]:
    """Invite everyone on the checked rows, or nobody: the rows are checked again here, and
    any failure rolls back every invitation (and the emails, which wait for the commit)."""
    if not rows:
        raise ImportProblems(_file_problem(_("There is nobody to invite.")))
    if len(rows) > MAX_ROWS:
        raise ImportProblems(
            _file_problem(
                _("The file has more than %(max)s rows; split it into smaller files.")
                % {"max": MAX_ROWS}
            )
        )
    problems = check_rows(agency=agency, rows=rows, actor=actor)
    if problems:
        raise ImportProblems(problems)
    invitations = []
    for row in rows:
        try:
            # invitation_create runs in its own savepoint, so a race lost to another import
            # surfaces as this row's problem; raising it still rolls back the whole import.
            invitation = invitation_create(
                agency=agency,
                email=row["email"],
                full_name=row["full_name"],
                role=row["role"],
                actor=actor,
                request=request,
            )
        except (ValidationError, IntegrityError) as error:
            messages = (
                error.messages
                if isinstance(error, ValidationError)
                else [_("This person already has an open invitation.")]
            )
            raise ImportProblems(
                [{"row": row["row"], "email": row["email"], "messages": messages}]
            ) from error
        invitations.append(invitation)
    audit_log(
        action="invitation.import",
        actor=actor,
        target=agency,
        agency=agency,
        details={"count": len(invitations)},
        request=request,
    )
    return invitations
