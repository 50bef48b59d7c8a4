"""Reads of requirement sets for the agency's choice page: each set described (cycle, minimum
hours per category with their labels, required courses and modules by title), and the set an
agency follows. Three queries for any number of sets."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import Agency
from courses.models import Course, Module, TrainingCategory
from reports.models import AgencyRequirement, RequirementSet
from reports.selectors.compliance import minimum_hours
from reports.selectors.hours import TOTAL


@dataclass(frozen=True)
class RequirementSetDescription:
    requirement_set: RequirementSet
    label: str  # the name, with "(demo)" for a demonstration set
    # (category label, hours), in the categories' order, the total last.
    hours: list[tuple[str, Decimal]]
    # Titles of required courses and modules ("Course: Module"), in the file's order.
    required: list[str]


def requirement_set_label(requirement_set: RequirementSet) -> str:
    """The set's name, with the "(demo)" marker always shown for a demonstration set."""
    name = requirement_set.name
    if requirement_set.is_demo and not name.endswith("(demo)"):
        marker = _("(demo)")  # outside the f-string, so makemessages finds it
        return f"{name} {marker}"
    return name


def requirement_sets_described() -> list[RequirementSetDescription]:
    sets = list(RequirementSet.objects.all())
    course_slugs, module_q = set(), Q(pk__in=[])
    for requirement_set in sets:
        for entry in requirement_set.required or []:
            course_slug, _sep, module_slug = entry.partition("/")
            course_slugs.add(course_slug)
            if module_slug:
                module_q |= Q(course__slug=course_slug, slug=module_slug)
    courses = dict(Course.objects.filter(slug__in=course_slugs).values_list("slug", "title"))
    modules = {
        f"{course_slug}/{slug}": title
        for course_slug, slug, title in Module.objects.filter(module_q).values_list(
            "course__slug", "slug", "title"
        )
    }
    labels = dict(TrainingCategory.choices)
    order = [*TrainingCategory.values, TOTAL]
    described = []
    for requirement_set in sets:
        minimums = minimum_hours(requirement_set)
        hours = [
            (str(labels.get(category, "")) if category != TOTAL else "", minimums[category])
            for category in order
            if category in minimums
        ]
        required = []
        for entry in requirement_set.required or []:
            course_slug, _sep, module_slug = entry.partition("/")
            course_title = courses.get(course_slug, course_slug)
            if module_slug:
                required.append(f"{course_title}: {modules.get(entry, module_slug)}")
            else:
                required.append(course_title)
        described.append(
            RequirementSetDescription(
                requirement_set=requirement_set,
                label=requirement_set_label(requirement_set),
                hours=hours,
                required=required,
            )
        )
    return described


def agency_requirement(*, agency: Agency) -> AgencyRequirement | None:
    return (
        AgencyRequirement.objects.filter(agency=agency)
        .select_related("requirement_set", "chosen_by")
        .first()
    )
