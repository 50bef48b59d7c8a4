"""The monthly compliance summary: a daily task queues one email per (agency, admin, month)
for each approved admin of an agency that follows a requirement set, one ComplianceSummary
row each with its outbox row; the worker then builds the summary (counts per state, the
overdue and at-risk officers by name) and emails it in the admin's language."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.audit import audit_log
from accounts.models import Membership
from accounts.permissions import memberships_that_count
from core.mail import FAILED, SKIPPED, delivery_attempt, mail_text, send_automatic
from core.outbox import enqueue_many_on_commit
from reports.models import AgencyRequirement, ComplianceSummary
from reports.selectors.compliance import (
    AT_RISK,
    COMPLIANT,
    OVERDUE,
    officers_compliance,
)
from reports.selectors.requirements import requirement_set_label

# Names listed per state in one email; the rest are counted ("and 12 more").
NAMES_SHOWN = 50


def _send_task():
    from reports.tasks import compliance_summary_send_task

    return compliance_summary_send_task


def _month_of(now: datetime, time_zone: str) -> date:
    return timezone.localtime(now, ZoneInfo(time_zone)).date().replace(day=1)


def compliance_summaries_queue(*, now: datetime | None = None) -> list[int]:
    """Write this month's missing summaries and their outbox rows; returns the new rows' ids.
    Safe at any time and twice at once: the unique (agency, user, month) keeps one row, so a
    missed day is caught up and nothing goes twice. A fixed number of queries."""
    now = now or timezone.now()
    admins = list(
        memberships_that_count()
        .filter(
            role=Membership.Role.AGENCY_ADMIN,
            agency__requirement__isnull=False,
            user__is_active=True,
        )
        .values_list("agency_id", "user_id", "agency__time_zone")
        .distinct()
    )
    if not admins:
        return []
    wanted = [
        ComplianceSummary(
            agency_id=agency_id,
            user_id=user_id,
            month=_month_of(now, time_zone),
            created_at=now,
        )
        for agency_id, user_id, time_zone in admins
    ]
    with transaction.atomic():
        ComplianceSummary.objects.bulk_create(wanted, ignore_conflicts=True)
        # Only the rows this run wrote: a racing run's rows carry its own created_at.
        ids = list(
            ComplianceSummary.objects.filter(
                created_at=now,
                user_id__in={user_id for _agency, user_id, _tz in admins},
                sent_at__isnull=True,
                attempts=0,
            ).values_list("pk", flat=True)
        )
        enqueue_many_on_commit(_send_task(), [{"summary_id": pk} for pk in ids])
    return ids


def dashboard_url(agency_id: int) -> str:
    """The agency dashboard's address (reports:dashboard_agency), or its known path when
    that page is not installed here."""
    try:
        path = reverse("reports:dashboard_agency", kwargs={"agency_id": agency_id})
    except NoReverseMatch:
        path = f"/dashboards/agency/{agency_id}/"
    return settings.SITE_URL + path


def _names(rows: list[tuple[str, str]]) -> tuple[list[str], int]:
    names = sorted(name for name, _email in rows)
    return names[:NAMES_SHOWN], max(len(names) - NAMES_SHOWN, 0)


def render_compliance_summary(summary: ComplianceSummary) -> tuple[str, str]:
    """(subject, plain-text body) in the admin's language and time zone, from the state of
    the agency's officers now. A fixed number of queries."""
    agency, user = summary.agency, summary.user
    requirement = AgencyRequirement.objects.select_related("requirement_set").get(agency=agency)
    officers = list(
        memberships_that_count()
        .filter(agency=agency, role=Membership.Role.OFFICER)
        .values_list("user_id", "agency_id", "created_at", "user__full_name", "user__email")
    )
    results = officers_compliance(officers=[row[:3] for row in officers])
    by_state: dict[str, list[tuple[str, str]]] = {COMPLIANT: [], AT_RISK: [], OVERDUE: []}
    for user_id, _agency_id, _started, name, email in officers:
        state = results[user_id].state
        by_state.setdefault(state, []).append((name or email, email))
    overdue, overdue_more = _names(by_state[OVERDUE])
    at_risk, at_risk_more = _names(by_state[AT_RISK])
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(user.time_zone or agency.time_zone):
        month = date_format(summary.month, "YEAR_MONTH_FORMAT")
        subject = _("Training compliance in %(agency)s, %(month)s") % {
            "agency": agency.name,
            "month": month,
        }
        body = render_to_string(
            "reports/email/compliance_summary.txt",
            {
                "user": user,
                "agency": agency,
                "month": month,
                "today": date_format(timezone.localdate(), "DATE_FORMAT"),
                "requirement_set": requirement.requirement_set,
                "requirement_label": requirement_set_label(requirement.requirement_set),
                "officers": len(officers),
                "compliant": len(by_state[COMPLIANT]),
                "at_risk_count": len(by_state[AT_RISK]),
                "overdue_count": len(by_state[OVERDUE]),
                "overdue": overdue,
                "overdue_more": overdue_more,
                "at_risk": at_risk,
                "at_risk_more": at_risk_more,
                "dashboard_url": dashboard_url(agency.pk),
                "requirements_url": settings.SITE_URL
                + reverse("reports:agency_requirements", kwargs={"agency_id": agency.pk}),
            },
        )
    return mail_text(subject, body)


def _skip_reason(summary: ComplianceSummary) -> str:
    user = summary.user
    if not user.is_active or user.erased_at is not None:
        return "Not sent: the admin's account is inactive or erased."
    still_admin = (
        memberships_that_count()
        .filter(user=user, agency=summary.agency, role=Membership.Role.AGENCY_ADMIN)
        .exists()
    )
    if not still_admin:
        return "Not sent: no longer an approved admin of the agency."
    if not AgencyRequirement.objects.filter(agency=summary.agency).exists():
        return "Not sent: the agency follows no requirement set any more."
    return ""


def compliance_summary_send(*, summary_id: int) -> bool:
    """Send one summary. The row is locked while sending, so two workers never both send
    it; one already sent (or skipped) is not sent again. A failure is recorded and left to
    the outbox to try again; returns whether the summary is done with."""
    with transaction.atomic():
        summary = (
            ComplianceSummary.objects.select_for_update(of=("self",))
            .select_related("agency", "user")
            .filter(pk=summary_id)
            .first()
        )
        if summary is None or summary.sent_at is not None:
            return True
        details = {"summary_id": summary.pk, "month": summary.month.isoformat()}

        def send() -> None:
            subject, body = render_compliance_summary(summary)
            send_automatic(subject=subject, body=body, to=summary.user.email)

        outcome = delivery_attempt(
            summary, skip=_skip_reason(summary), send=send, what="Compliance summary"
        )
        if outcome == FAILED:
            return False
        audit_log(
            action=(
                "reports.compliance_summary_skip"
                if outcome == SKIPPED
                else "reports.compliance_summary_send"
            ),
            target=summary.user,
            agency=summary.agency,
            details=details,
        )
        return True


def compliance_summary_reopen(*, summary_id: int) -> None:
    """Staff sent the outbox row again: the summary's tries start over."""
    ComplianceSummary.objects.filter(pk=summary_id, sent_at__isnull=True).update(
        attempts=0, last_error=""
    )
