"""Bulk invitations from a CSV file: every row is checked first, then all of them are invited
in one transaction or none at all (the confirm-step import of core.imports)."""

from allauth.account.decorators import reauthentication_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.audit import audit_log
from accounts.models import Agency, Invitation, Membership, User
from accounts.permissions import ROLES_ABOVE_OFFICER, Action, can
from accounts.services import invitation_create, role_grant_refusal
from core.audit import AuditContext
from core.imports import ImportSpec, Problem, Row

IMPORT_SALT = "accounts.invitation-import"
ROLES = (Membership.Role.OFFICER, Membership.Role.TRAINER, Membership.Role.AGENCY_ADMIN)
FULL_NAME_MAX_LENGTH = 150


class InvitationImport(ImportSpec):
    """Rows of email, full_name and role (officer when empty) to invite to one agency. Agency
    admins import officers only; a row asking for a higher role is refused, and programme
    staff confirming one are asked for the password again."""

    columns = ("email", "full_name", "role")
    required_columns = ("email",)
    header_message = gettext_lazy(
        "The first row must name the columns: email, and optionally full_name and role "
        "(found: %(found)s)."
    )
    salt = IMPORT_SALT
    no_rows_message = gettext_lazy("There is nobody to invite.")
    upload_help = gettext_lazy(
        "UTF-8 CSV with a header row: email, full_name, role (officer when empty; only "
        "programme staff may import trainer or agency_admin rows). At most 1,000 rows and "
        "512 KB."
    )
    problems_heading = gettext_lazy("Nothing was imported")
    problems_intro = gettext_lazy(
        "Correct these rows in your file and upload it again. No invitation is sent until "
        "every row is right."
    )
    preview_caption = gettext_lazy("People to invite")
    preview_columns = (gettext_lazy("Email"), gettext_lazy("Full name"), gettext_lazy("Role"))

    def __init__(self, *, agency: Agency, actor: User):
        super().__init__(actor=actor)
        self.agency = agency

    def scope(self) -> dict[str, int]:
        return {"agency": self.agency.pk}

    def read_row(self, cells: dict[str, str]) -> Row:
        return {
            "email": cells.get("email", "").strip().lower(),
            "full_name": cells.get("full_name", "").strip(),
            "role": cells.get("role", "").strip().lower() or Membership.Role.OFFICER,
        }

    def lookup(self, rows: list[Row]) -> dict:
        """Two queries whatever the number of rows (and the actor's right to grant roles,
        asked once, when a row asks for more than officer)."""
        emails = {row["email"] for row in rows}
        return {
            "may_grant": any(row["role"] in ROLES_ABOVE_OFFICER for row in rows)
            and can(self.actor, Action.GRANT_ROLES, self.agency),
            "members": set(
                Membership.objects.filter(agency=self.agency)
                .annotate(email_lower=Lower("user__email"))
                .filter(email_lower__in=emails)
                .values_list("email_lower", flat=True)
            ),
            "invited": set(
                Invitation.objects.filter(
                    agency=self.agency, accepted_at__isnull=True, email__in=emails
                ).values_list("email", flat=True)
            ),
        }

    def row_messages(self, row: Row, *, found: dict, email_valid: bool) -> list[str]:
        messages = []
        if row["email"] and row["email"] in found["members"]:
            messages.append(_("This person already belongs to the agency."))
        if row["email"] and row["email"] in found["invited"]:
            messages.append(_("This person already has an open invitation."))
        if row["role"] not in ROLES:
            messages.append(_("The role must be one of: %(roles)s.") % {"roles": ", ".join(ROLES)})
        elif row["role"] in ROLES_ABOVE_OFFICER and not found["may_grant"]:
            messages.append(role_grant_refusal(row["role"]))
        if len(row["full_name"]) > FULL_NAME_MAX_LENGTH:
            messages.append(
                _("The full name is longer than %(max)s characters.")
                % {"max": FULL_NAME_MAX_LENGTH}
            )
        return messages

    def write_row(self, row: Row, *, found: dict, context: AuditContext | None) -> Invitation:
        try:
            # invitation_create runs in its own savepoint, so a race lost to another import
            # surfaces as this row's problem; refusing it still rolls back the whole import.
            return invitation_create(
                agency=self.agency,
                email=row["email"],
                full_name=row["full_name"],
                role=row["role"],
                actor=self.actor,
                context=context,
            )
        except IntegrityError as error:
            raise ValidationError(_("This person already has an open invitation.")) from error

    def finish(
        self, written: list[Invitation], *, rows: list[Row], context: AuditContext | None
    ) -> list[Invitation]:
        audit_log(
            action="invitation.import",
            actor=self.actor,
            target=self.agency,
            agency=self.agency,
            details={"count": len(written)},
            context=context,
        )
        return written

    def preview_cells(self, row: Row) -> list:
        return [row["email"], row["full_name"], Membership.Role(row["role"]).label]

    def summary(self, count: int) -> str:
        return ngettext(
            "%(counter)s person will be invited by email.",
            "%(counter)s people will be invited by email.",
            count,
        ) % {"counter": count}

    def submit_label(self, count: int) -> str:
        return ngettext("Send %(counter)s invitation", "Send %(counter)s invitations", count) % {
            "counter": count
        }

    def done_message(self, result: list[Invitation]) -> str:
        return ngettext(
            "%(count)s invitation was sent.", "%(count)s invitations were sent.", len(result)
        ) % {"count": len(result)}

    def done_url(self) -> str:
        return reverse("accounts:invitations", args=[self.agency.pk])

    def confirm_decorator(self, rows: list[Row]):
        # Rows granting roles passed the checks only for programme staff: ask them for the
        # password again (the rows are checked again either way).
        if any(row.get("role") in ROLES_ABOVE_OFFICER for row in rows):
            return reauthentication_required
        return None


def parse_invitation_csv(
    *, data: bytes, agency: Agency, actor: User
) -> tuple[list[Row], list[Problem]]:
    """Read an uploaded CSV and check every row as `actor` would import it. Writes nothing.
    Any problem means no row may be imported."""
    return InvitationImport(agency=agency, actor=actor).parse(data)


def invitation_import(
    *, agency: Agency, rows: list[Row], actor: User, context: AuditContext | None = None
) -> list[Invitation]:
    """Invite everyone on the checked rows, or nobody: the rows are checked again here, and
    any failure rolls back every invitation (and the emails, which wait for the commit).
    Raises ImportProblems."""
    return InvitationImport(agency=agency, actor=actor).apply(rows, context=context)
