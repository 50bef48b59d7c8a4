"""Judge every officer of every agency that follows a requirement set now, and write the
compliance summary the dashboards read (reports.models.ComplianceState); what the daily beat
task does. Run it once after migrating to the release that adds the summary, so the
dashboards do not show "not yet evaluated" until the first nightly run.

    manage.py compliance_refresh            refresh every agency with a requirement
    manage.py compliance_refresh --dry-run  say how many agencies and officers it would judge
"""

from django.core.management.base import BaseCommand

from accounts.models import Membership
from reports.models import AgencyRequirement
from reports.services.compliance_states import compliance_states_refresh_all


class Command(BaseCommand):
    help = "Write the officer compliance summary of every agency that follows a requirement set."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, dry_run: bool, **options):
        if dry_run:
            agency_ids = list(AgencyRequirement.objects.values_list("agency_id", flat=True))
            officers = Membership.objects.filter(
                agency_id__in=agency_ids, role=Membership.Role.OFFICER
            ).count()
            self.stdout.write(
                f"would judge {officers} officer membership(s) of {len(agency_ids)} agency(ies)"
            )
            return
        written = compliance_states_refresh_all()
        self.stdout.write(self.style.SUCCESS(f"{written} officer compliance state(s) written"))
