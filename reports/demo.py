"""Demo data of reports (manage.py seed_demo, after the people, cohorts and certificates): each
demo agency follows its country's demonstration requirement set from content/requirements/,
chosen through the audited service as its agency admin would, so the dashboards show a
compliance split in `make run`. Safe to run again: a set already followed is left alone."""

from dataclasses import dataclass, field

from accounts.demo import AGENCIES
from accounts.models import Agency, Membership
from reports.models import AgencyRequirement, RequirementSet
from reports.services.requirements import agency_requirement_choose


@dataclass
class DemoRequirements:
    chosen: list[tuple[str, str]] = field(default_factory=list)  # (agency, set) chosen now
    kept: list[tuple[str, str]] = field(default_factory=list)  # already followed
    notes: list[str] = field(default_factory=list)


def seed_demo_requirements() -> DemoRequirements:
    result = DemoRequirements()
    names = [name for name, _country, _zone, _domain in AGENCIES]
    for agency in Agency.objects.filter(name__in=names).order_by("country"):
        requirement_set = (
            RequirementSet.objects.filter(country=agency.country, is_demo=True)
            .order_by("slug")
            .first()
        )
        if requirement_set is None:
            result.notes.append(
                f"No demo requirement set for {agency.country}: run sync_content first."
            )
            continue
        current = AgencyRequirement.objects.filter(agency=agency).first()
        if current is not None:
            result.kept.append((agency.name, current.requirement_set.name))
            continue
        admin = (
            Membership.objects.filter(agency=agency, role=Membership.Role.AGENCY_ADMIN)
            .select_related("user")
            .first()
        )
        agency_requirement_choose(
            agency=agency, requirement_set=requirement_set, actor=admin.user if admin else None
        )
        result.chosen.append((agency.name, requirement_set.name))
    return result
