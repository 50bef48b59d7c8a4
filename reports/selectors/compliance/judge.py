"""Judging officers against their agency's requirement set: what each still lacks, worded in the active language, and the state that follows (officers_compliance)."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_UP, Decimal, InvalidOperation

from django.conf import settings
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from courses.models import (
    TrainingCategory,
)
from reports.models import AgencyRequirement, RequirementSet
from reports.selectors.compliance.cycles import _CURRENT, _PREVIOUS, CATEGORIES, ZERO, _Plan, _plan
from reports.selectors.compliance.evidence import (
    _certified,
    _completions,
    _hours,
    _Required,
    _required,
)
from reports.selectors.hours import TOTAL

COMPLIANT, AT_RISK, OVERDUE, NO_REQUIREMENT = "compliant", "at_risk", "overdue", "none"


STATES = (COMPLIANT, AT_RISK, OVERDUE, NO_REQUIREMENT)


@dataclass(frozen=True)
class OfficerCompliance:
    user_id: int
    agency_id: int
    state: str  # one of the four above
    requirement_set_id: int | None
    cycle_start: date | None  # current cycle [start, end)
    cycle_end: date | None
    hours: dict[str, Decimal] = field(default_factory=dict)  # current cycle; "total" too
    shortfalls: list[str] = field(default_factory=list)  # translated
    # The same as facts, for storing (reports.models.ComplianceState.shortfalls): JSON-ready
    # lists, hours as decimal strings; shortfall_lines() words them in the active language.
    facts: list[list] = field(default_factory=list)


def state_labels() -> dict[str, str]:
    """The states' names in the active language."""
    return {
        COMPLIANT: _("Compliant"),
        AT_RISK: _("At risk"),
        OVERDUE: _("Overdue"),
        NO_REQUIREMENT: _("No requirement"),
    }


def minimum_hours(requirement_set: RequirementSet) -> dict[str, Decimal]:
    result = {}
    for category, value in (requirement_set.minimum_hours or {}).items():
        try:
            result[category] = Decimal(str(value))
        except InvalidOperation:
            continue
    return result


def _hours_text(value: Decimal) -> str:
    # Rounded up to a tenth, so a shortfall of a few minutes never reads "0 h".
    return floatformat(value.quantize(Decimal("0.1"), rounding=ROUND_UP), -1)


@dataclass
class _Rules:
    """One requirement set, read once for all its officers."""

    # (category, minimum), in the categories' own order, the total last (JSON keeps none).
    minimums: list[tuple[str, Decimal]]
    # (is a module, id of the course or module or None when unknown, title) per entry.
    required: list[tuple[bool, int | None, str]]
    # The courses whose certificate counts (None: any course); unused without the rule.
    certificate_courses: set[int] | None


def _rules(requirement_set: RequirementSet, required: _Required) -> _Rules:
    order = [*TrainingCategory.values, TOTAL]
    minimums = sorted(
        minimum_hours(requirement_set).items(),
        key=lambda item: order.index(item[0]) if item[0] in order else 0,
    )
    entries, courses = [], set()
    for entry in requirement_set.required or []:
        if "/" in entry:
            found = required.modules.get(entry)
            module = found[0] if found else None
            entries.append((True, module.pk if module else None, module.title if module else entry))
            if module:
                courses.add(module.course_id)
        else:
            course = required.courses.get(entry)
            entries.append(
                (False, course.pk if course else None, course.title if course else entry)
            )
            if course:
                courses.add(course.pk)
    return _Rules(
        minimums=minimums,
        required=entries,
        certificate_courses=courses if requirement_set.required else None,
    )


def _missing(
    *, plan: _Plan, bucket: int, hours: dict[str, Decimal], rules: _Rules, evidence: dict
) -> list[tuple]:
    """What the officer still lacks in one cycle, as facts: ("hours", category, missing) and
    ("module"|"course", title); empty when the cycle is met."""
    until = plan.ends[bucket]
    missing = []
    for category, minimum in rules.minimums:
        short = minimum - hours.get(category, ZERO)
        if short > 0:
            missing.append(("hours", category, short))
    for is_module, pk, title in rules.required:
        done = evidence["module_done" if is_module else "course_done"].get((plan.user_id, pk))
        if not (done and done < until):
            missing.append(("module" if is_module else "course", title))
    return missing


class _Texts:
    """Shortfall lines in the active language, each distinct line formatted once per call
    (thousands of officers share a few hundred lines)."""

    def __init__(self):
        self.labels = dict(TrainingCategory.choices)
        self.cache: dict[tuple, str] = {}

    def line(self, fact: tuple) -> str:
        text = self.cache.get(fact)
        if text is None:
            text = self.cache[fact] = self._format(fact)
        return text

    def _format(self, fact: tuple) -> str:
        kind = fact[0]
        if kind == "hours":
            _kind, category, short = fact
            if category == TOTAL:
                return _("%(hours)s h in total") % {"hours": _hours_text(short)}
            return _("%(hours)s h of %(category)s") % {
                "hours": _hours_text(short),
                "category": self.labels.get(category, category),
            }
        if kind == "module":
            return _("Module %(title)s not completed") % {"title": fact[1]}
        if kind == "course":
            return _("Course %(title)s not completed") % {"title": fact[1]}
        return _("No current certificate")


def fact_json(fact: tuple) -> list:
    """A shortfall fact as stored (JSON): Decimal hours as a string."""
    return [str(part) if isinstance(part, Decimal) else part for part in fact]


def shortfall_lines(facts) -> list[str]:
    """Stored shortfall facts (ComplianceState.shortfalls) worded in the active language."""
    texts = _Texts()
    lines = []
    for fact in facts:
        fact = tuple(fact)
        if fact and fact[0] == "hours":
            try:
                fact = (fact[0], fact[1], Decimal(str(fact[2])))
            except (InvalidOperation, IndexError):
                continue
        lines.append(texts.line(fact))
    return lines


def _certificate_ok(plan: _Plan, rules: _Rules, certified: dict[int, set[int]]) -> bool:
    if not plan.requirement_set.certificate_current:
        return True
    held = certified.get(plan.user_id, set())
    if rules.certificate_courses is None:
        return bool(held)
    return bool(held & rules.certificate_courses)


def _current_hours(hours: dict[str, Decimal]) -> dict[str, Decimal]:
    result = {category: hours.get(category, ZERO) for category in CATEGORIES}
    result[TOTAL] = hours.get(TOTAL, ZERO)
    return result


def officers_compliance(
    *, officers: list[tuple[int, int, datetime]], today: date | None = None
) -> dict[int, OfficerCompliance]:
    """officers: (user_id, agency_id, started_at). A fixed number of queries for any number
    of officers and agencies. `today` (the agencies' date) defaults to each agency's today."""
    if not officers:
        return {}
    agency_ids = {agency_id for _user, agency_id, _started in officers}
    requirements = {
        requirement.agency_id: requirement
        for requirement in AgencyRequirement.objects.filter(
            agency_id__in=agency_ids
        ).select_related("requirement_set", "agency")
    }
    result: dict[int, OfficerCompliance] = {}
    plans: list[_Plan] = []
    planned: set[int] = set()
    cycles_cache: dict = {}
    for user_id, agency_id, started_at in officers:
        if user_id in result or user_id in planned:
            continue  # one answer per officer: the first of their memberships given
        requirement = requirements.get(agency_id)
        if requirement is None:
            result[user_id] = OfficerCompliance(
                user_id=user_id,
                agency_id=agency_id,
                state=NO_REQUIREMENT,
                requirement_set_id=None,
                cycle_start=None,
                cycle_end=None,
            )
            continue
        planned.add(user_id)
        plans.append(
            _plan(
                user_id=user_id,
                agency_id=agency_id,
                started_at=started_at,
                requirement=requirement,
                today=today,
                cache=cycles_cache,
            )
        )
    if not plans:
        return result
    hours = _hours(plans)
    sets = {plan.requirement_set.pk: plan.requirement_set for plan in plans}
    required = _required(sets.values())
    rules = {pk: _rules(requirement_set, required) for pk, requirement_set in sets.items()}
    course_done, module_done = _completions(plans, required)
    certified = _certified(plans)
    at_risk_days = settings.REPORTS_AT_RISK_DAYS
    evidence = {"course_done": course_done, "module_done": module_done}
    texts = _Texts()
    for plan in plans:
        plan_rules = rules[plan.requirement_set.pk]
        current_hours = hours.get((plan.user_id, _CURRENT), {})
        missing = _missing(
            plan=plan, bucket=_CURRENT, hours=current_hours, rules=plan_rules, evidence=evidence
        )
        if not _certificate_ok(plan, plan_rules, certified):
            missing.append(("certificate",))
        shortfalls = [texts.line(fact) for fact in missing]
        if not shortfalls:
            state = COMPLIANT
        elif plan.previous_start is not None and _missing(
            plan=plan,
            bucket=_PREVIOUS,
            hours=hours.get((plan.user_id, _PREVIOUS), {}),
            rules=plan_rules,
            evidence=evidence,
        ):
            state = OVERDUE
        elif plan.days_left < at_risk_days:
            state = AT_RISK
        else:
            state = COMPLIANT
        result[plan.user_id] = OfficerCompliance(
            user_id=plan.user_id,
            agency_id=plan.agency_id,
            state=state,
            requirement_set_id=plan.requirement_set.pk,
            cycle_start=plan.cycle_start,
            cycle_end=plan.cycle_end,
            hours=_current_hours(current_hours),
            shortfalls=shortfalls,
            facts=[fact_json(fact) for fact in missing],
        )
    return result
