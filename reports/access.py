"""Access checks of reports: the agencies whose roster a user may see, and the seats of a
cohort report a user may see. 404 for missing and forbidden alike; one agency's roster is
accounts.access.access_agency (VIEW_ROSTER or EXPORT_ROSTER)."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.permissions import Action, agencies_for
from cohorts.access import access_cohort, nominating_agency_ids
from cohorts.models import Cohort
from reports.models import ExportJob


def access_roster_agencies(*, user) -> list[int]:
    """The ids of the agencies whose roster this user may view; 404 when there are none."""
    agency_ids = list(agencies_for(user, Action.VIEW_ROSTER).values_list("pk", flat=True))
    if not agency_ids:
        raise Http404
    return agency_ids


def access_cohort_report(*, user, cohort_id: int) -> tuple[Cohort, set[int] | None]:
    """The cohort and the agencies whose seats this user may see in its report (None: all).

    Trainers running the cohort, programme staff and admins of the host (and co-host)
    agencies see every seat; admins of a participating agency see their own agency's seats
    only; anyone else gets the same 404 as for a cohort that does not exist."""
    cohort = access_cohort(
        user=user, cohort_id=cohort_id, action={Action.DECIDE_NOMINATIONS, Action.NOMINATE_OFFICERS}
    )
    if Action.DECIDE_NOMINATIONS in cohort.actions:
        return cohort, None
    return cohort, nominating_agency_ids(user=user, cohort=cohort)


def access_export_job(*, user, job_id: int) -> ExportJob:
    """An export job of this user's own; anyone else's (or none) is a 404. An export is bound
    to the person who asked for it, whatever their role."""
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(ExportJob.objects.select_related("agency"), pk=job_id, user=user)
