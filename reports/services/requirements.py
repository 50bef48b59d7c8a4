"""Writes of an agency's training requirement: the set it follows, chosen by its admin."""

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_log
from accounts.models import Agency, User
from core.audit import AuditContext
from core.outbox import enqueue_on_commit
from reports.models import AgencyRequirement, RequirementSet


@transaction.atomic
def agency_requirement_choose(
    *,
    agency: Agency,
    requirement_set: RequirementSet | None,
    actor: User,
    context: AuditContext | None = None,
) -> AgencyRequirement | None:
    """Make `requirement_set` the one the agency follows (None: no requirement), with an
    audit row saying who chose what instead of what. Choosing the current set again writes
    nothing."""
    current = AgencyRequirement.objects.select_for_update().filter(agency=agency).first()
    previous_id = current.requirement_set_id if current else None
    new_id = requirement_set.pk if requirement_set else None
    if previous_id == new_id:
        return current
    if requirement_set is None:
        current.delete()
        result = None
    elif current is None:
        result = AgencyRequirement.objects.create(
            agency=agency, requirement_set=requirement_set, chosen_by=actor
        )
    else:
        current.requirement_set = requirement_set
        current.chosen_by = actor
        current.chosen_at = timezone.now()
        current.save(update_fields=["requirement_set", "chosen_by", "chosen_at"])
        result = current
    audit_log(
        action="requirements.choose",
        actor=actor,
        target=agency,
        agency=agency,
        details={
            "requirement_set": requirement_set.slug if requirement_set else None,
            "previous": (
                RequirementSet.objects.filter(pk=previous_id).values_list("slug", flat=True).first()
                if previous_id
                else None
            ),
        },
        context=context,
    )
    from reports.tasks import compliance_states_refresh_task

    # Every officer is judged against the new set (or their rows go, without one).
    enqueue_on_commit(compliance_states_refresh_task, agency_id=agency.pk)
    return result
