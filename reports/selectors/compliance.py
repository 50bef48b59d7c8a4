"""Compliance of officers against the requirement set their agency follows.

Rules (also shown on the agency's requirements page):
- Cycles. A set with a fixed anchor runs consecutive cycles of `cycle_months` months from its
  anchor date (and before it); a set anchored at the start runs them from each officer's
  start (the membership's creation, as a date in the agency's time zone). The current cycle is
  the one containing today, in the agency's time zone. A cycle is [start, end): it ends at the
  midnight that begins its last day + 1.
- A cycle is MET when, inside it, the officer's hours (lessons completed and sessions
  attended, reports.selectors.hours) reach every minimum per category and the total, and every
  required course (its enrollment's completion) or module (its last lesson completed, all of
  them completed) was completed inside it. For the current cycle, when the set asks for a
  current certificate, the officer must also hold an issued certificate, valid now (no end of
  validity, or one in the future), of a required course (of the courses named by `required`,
  modules included) or of any course when the set requires none.
- State today: COMPLIANT when the current cycle is met; else OVERDUE when the officer was
  bound by the previous cycle (started on or before its first day) and did not meet it; else
  AT_RISK when fewer than settings.REPORTS_AT_RISK_DAYS days are left in the current cycle;
  else COMPLIANT (in good standing, with time left). NO_REQUIREMENT when the agency follows no
  requirement set.
- A lesson and a course are completed once (progress and enrollments are unique per officer),
  so a completion counts in the cycle where it happened.

A fixed number of queries for any number of officers and agencies: the agencies'
requirements, the required courses and modules, hours (online and in person, grouped by
officer, category and cycle), course and module completions and current certificates.
"""

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Q,
    Sum,
    Value,
    When,
)
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.models import Certificate
from cohorts.models import Attendance
from courses.models import Course, Enrollment, LessonProgress, Module, TrainingCategory
from reports.models import AgencyRequirement, RequirementSet
from reports.selectors.hours import HOUR, TOTAL

COMPLIANT, AT_RISK, OVERDUE, NO_REQUIREMENT = "compliant", "at_risk", "overdue", "none"
STATES = (COMPLIANT, AT_RISK, OVERDUE, NO_REQUIREMENT)

_CURRENT, _PREVIOUS = 1, 0


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


def state_labels() -> dict[str, str]:
    """The states' names in the active language."""
    return {
        COMPLIANT: _("Compliant"),
        AT_RISK: _("At risk"),
        OVERDUE: _("Overdue"),
        NO_REQUIREMENT: _("No requirement"),
    }


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), on the month's last day when it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def cycle_containing(*, anchor: date, months: int, today: date) -> tuple[date, date, int]:
    """(start, end, index) of the cycle of `months` months from `anchor` that contains today;
    index 0 is the cycle starting at the anchor, negative before it."""
    elapsed = (today.year - anchor.year) * 12 + today.month - anchor.month
    index = elapsed // months
    # The day-of-month clamp can put today one cycle off the estimate: step to the right one.
    while add_months(anchor, index * months) > today:
        index -= 1
    while add_months(anchor, (index + 1) * months) <= today:
        index += 1
    return add_months(anchor, index * months), add_months(anchor, (index + 1) * months), index


def minimum_hours(requirement_set: RequirementSet) -> dict[str, Decimal]:
    result = {}
    for category, value in (requirement_set.minimum_hours or {}).items():
        try:
            result[category] = Decimal(str(value))
        except InvalidOperation:
            continue
    return result


@dataclass
class _Plan:
    """One officer's cycles, before the evidence is read."""

    user_id: int
    agency_id: int
    requirement_set: RequirementSet
    cycle_start: date
    cycle_end: date
    days_left: int
    # The previous cycle, when the officer was bound by it.
    previous_start: date | None
    starts: dict[int, datetime]  # _PREVIOUS/_CURRENT -> aware start
    ends: dict[int, datetime]


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def _plan(
    *, user_id: int, agency_id: int, started_at: datetime, requirement, today: date | None
) -> _Plan:
    requirement_set = requirement.requirement_set
    zone = ZoneInfo(requirement.agency.time_zone)
    local_today = today or timezone.localdate(timezone=zone)
    months = requirement_set.cycle_months
    start_day = timezone.localtime(started_at, zone).date()
    if requirement_set.anchor == RequirementSet.Anchor.FIXED:
        start, end, _index = cycle_containing(
            anchor=requirement_set.anchor_date, months=months, today=local_today
        )
        previous = add_months(requirement_set.anchor_date, (_index - 1) * months)
        bound = start_day <= previous
    else:
        anchor = min(start_day, local_today)
        start, end, index = cycle_containing(anchor=anchor, months=months, today=local_today)
        previous = add_months(anchor, (index - 1) * months)
        bound = index >= 1
    starts = {_CURRENT: _midnight(start, zone), _PREVIOUS: _midnight(previous, zone)}
    ends = {_CURRENT: _midnight(end, zone), _PREVIOUS: starts[_CURRENT]}
    return _Plan(
        user_id=user_id,
        agency_id=agency_id,
        requirement_set=requirement_set,
        cycle_start=start,
        cycle_end=end,
        days_left=(end - local_today).days,
        previous_start=previous if bound else None,
        starts=starts,
        ends=ends,
    )


def _bucket(plans: list[_Plan], instant: str) -> Case:
    """Case: which cycle (_CURRENT, _PREVIOUS or NULL) `instant` falls in, for its officer.
    Officers sharing the same cycles share one WHEN, so a fixed anchor costs one clause."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for plan in plans:
        key = (plan.starts[_PREVIOUS], plan.starts[_CURRENT], plan.ends[_CURRENT])
        groups[key].append(plan.user_id)
    whens = []
    for (previous, current, end), user_ids in groups.items():
        for bucket, since, until in ((_CURRENT, current, end), (_PREVIOUS, previous, current)):
            condition = Q(**{f"{instant}__gte": since, f"{instant}__lt": until})
            if len(groups) > 1:
                # One group (everyone on the same cycles) needs no list: the query already
                # keeps only these officers, and 20,000 ids twice per row cost seconds.
                condition &= Q(officer__in=user_ids)
            whens.append(When(condition, then=Value(bucket)))
    return Case(*whens, default=None, output_field=IntegerField())


def _hours(plans: list[_Plan]) -> dict[tuple[int, int], dict[str, Decimal]]:
    """{(user_id, bucket): {category: hours, "total": hours}}: two grouped queries."""
    user_ids = [plan.user_id for plan in plans]
    since = min(plan.starts[_PREVIOUS] for plan in plans)
    until = max(plan.ends[_CURRENT] for plan in plans)
    minutes: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    online = (
        LessonProgress.objects.filter(
            enrollment__user_id__in=user_ids, completed_at__gte=since, completed_at__lt=until
        )
        .annotate(officer=F("enrollment__user_id"))
        .annotate(bucket=_bucket(plans, "completed_at"))
        .filter(bucket__isnull=False)
        .values_list("officer", "lesson__module__category", "bucket")
        .annotate(minutes=Sum("lesson__minutes"))
        .order_by()
    )
    for user_id, category, bucket, total in online:
        minutes[(user_id, bucket)][category or ""] += Decimal(total or 0)
    length = ExpressionWrapper(F("session__ends_at") - F("session__starts_at"), DurationField())
    in_person = (
        Attendance.objects.filter(
            seat__user_id__in=user_ids,
            status__in=Attendance.ATTENDED,
            session__is_cancelled=False,
            session__starts_at__gte=since,
            session__starts_at__lt=until,
        )
        .annotate(officer=F("seat__user_id"))
        .annotate(bucket=_bucket(plans, "session__starts_at"))
        .filter(bucket__isnull=False)
        .values_list("officer", "seat__cohort__category", "bucket")
        .annotate(length=Sum(length))
        .order_by()
    )
    for user_id, category, bucket, total in in_person:
        seconds = Decimal(int(total.total_seconds())) if total else Decimal(0)
        minutes[(user_id, bucket)][category or ""] += seconds / HOUR
    result = {}
    for key, per_category in minutes.items():
        hours = {category: value / HOUR for category, value in per_category.items()}
        hours[TOTAL] = sum(hours.values(), Decimal(0))
        result[key] = hours
    return result


@dataclass
class _Required:
    """The courses and modules the sets name, resolved to rows."""

    courses: dict[str, Course]  # slug -> course
    modules: dict[str, tuple[Module, int]]  # "course/module" -> (module, lesson count)


def _required(requirement_sets) -> _Required:
    course_slugs, module_keys = set(), set()
    for requirement_set in requirement_sets:
        for entry in requirement_set.required or []:
            course_slug, _sep, module_slug = entry.partition("/")
            course_slugs.add(course_slug)
            if module_slug:
                module_keys.add((course_slug, module_slug))
    courses = (
        {c.slug: c for c in Course.objects.filter(slug__in=course_slugs)} if course_slugs else {}
    )
    modules = {}
    if module_keys:
        wanted = Q(pk__in=[])
        for course_slug, module_slug in module_keys:
            wanted |= Q(course__slug=course_slug, slug=module_slug)
        for module in (
            Module.objects.filter(wanted)
            .select_related("course")
            .annotate(lesson_count=Count("lessons"))
        ):
            modules[f"{module.course.slug}/{module.slug}"] = (module, module.lesson_count)
    return _Required(courses=courses, modules=modules)


def _completions(plans: list[_Plan], required: _Required):
    """({(user_id, course_id): completed_at}, {(user_id, module_id): completed_at}) for the
    required courses and modules (a module counts once every lesson of it is completed)."""
    user_ids = [plan.user_id for plan in plans]
    course_done, module_done = {}, {}
    if required.courses:
        for user_id, course_id, completed_at in Enrollment.objects.filter(
            user_id__in=user_ids,
            course__in=required.courses.values(),
            completed_at__isnull=False,
        ).values_list("user_id", "course_id", "completed_at"):
            course_done[(user_id, course_id)] = completed_at
    if required.modules:
        lesson_counts = {module.pk: count for module, count in required.modules.values()}
        rows = (
            LessonProgress.objects.filter(
                enrollment__user_id__in=user_ids, lesson__module_id__in=lesson_counts
            )
            .values_list("enrollment__user_id", "lesson__module_id")
            .annotate(done=Count("lesson", distinct=True), last=Max("completed_at"))
            .order_by()
        )
        for user_id, module_id, done, last in rows:
            if lesson_counts[module_id] and done >= lesson_counts[module_id]:
                module_done[(user_id, module_id)] = last
    return course_done, module_done


def _certified(plans: list[_Plan]) -> set[tuple[int, int]]:
    """{(user_id, course_id)} of issued certificates valid now, for officers whose set asks."""
    user_ids = [plan.user_id for plan in plans if plan.requirement_set.certificate_current]
    if not user_ids:
        return set()
    now = timezone.now()
    return set(
        Certificate.objects.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=now),
            user_id__in=user_ids,
            status=Certificate.Status.ISSUED,
        )
        .values_list("user_id", "course_id")
        .distinct()
    )


def _hours_text(value: Decimal) -> str:
    # Rounded up to a tenth, so a shortfall of a few minutes never reads "0 h".
    return floatformat(value.quantize(Decimal("0.1"), rounding=ROUND_UP), -1)


def _ordered_minimums(requirement_set: RequirementSet) -> list[tuple[str, Decimal]]:
    """The set's minimum hours in the categories' own order, the total last (JSON keeps no
    order)."""
    order = [*TrainingCategory.values, TOTAL]
    return sorted(
        minimum_hours(requirement_set).items(),
        key=lambda item: order.index(item[0]) if item[0] in order else 0,
    )


def _lacks(
    *,
    plan: _Plan,
    bucket: int,
    hours: dict[str, Decimal],
    minimums: list[tuple[str, Decimal]],
    required: _Required,
    course_done,
    module_done,
):
    """What the officer still lacks in one cycle, as facts to be worded (_shortfall_text):
    ("hours", category, missing hours rounded up to a tenth), ("module", title) or
    ("course", title). A generator: asking whether a cycle is met stops at the first."""
    since, until = plan.starts[bucket], plan.ends[bucket]
    for category, minimum in minimums:
        missing = minimum - hours.get(category, Decimal(0))
        if missing > 0:
            yield ("hours", category, missing.quantize(Decimal("0.1"), rounding=ROUND_UP))
    for entry in plan.requirement_set.required or []:
        if "/" in entry:
            found = required.modules.get(entry)
            done = found and module_done.get((plan.user_id, found[0].pk))
            if not (done and since <= done < until):
                yield ("module", found[0].title if found else entry)
        else:
            course = required.courses.get(entry)
            done = course and course_done.get((plan.user_id, course.pk))
            if not (done and since <= done < until):
                yield ("course", course.title if course else entry)


def _shortfall_text(lack: tuple) -> str:
    """One fact from _lacks, in the active language."""
    if lack[0] == "hours":
        _kind, category, missing = lack
        if category == TOTAL:
            return _("%(hours)s h in total") % {"hours": _hours_text(missing)}
        labels = dict(TrainingCategory.choices)
        return _("%(hours)s h of %(category)s") % {
            "hours": _hours_text(missing),
            "category": labels.get(category, category),
        }
    if lack[0] == "module":
        return _("Module %(title)s not completed") % {"title": lack[1]}
    return _("Course %(title)s not completed") % {"title": lack[1]}


def _certificate_ok(plan: _Plan, required: _Required, certified: dict[int, set[int]]) -> bool:
    """certified: {user_id: {course_id, ...}} of current certificates."""
    if not plan.requirement_set.certificate_current:
        return True
    course_ids = set()
    for entry in plan.requirement_set.required or []:
        if "/" in entry:
            found = required.modules.get(entry)
            if found:
                course_ids.add(found[0].course_id)
        elif entry in required.courses:
            course_ids.add(required.courses[entry].pk)
    held = certified.get(plan.user_id, set())
    return bool(held & course_ids) if plan.requirement_set.required else bool(held)


def _current_hours(hours: dict[str, Decimal]) -> dict[str, Decimal]:
    result = {category: hours.get(category, Decimal(0)) for category in TrainingCategory.values}
    result[TOTAL] = hours.get(TOTAL, Decimal(0))
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
    for user_id, agency_id, started_at in officers:
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
        plans.append(
            _plan(
                user_id=user_id,
                agency_id=agency_id,
                started_at=started_at,
                requirement=requirement,
                today=today,
            )
        )
    if not plans:
        return result
    hours = _hours(plans)
    required = _required({plan.requirement_set for plan in plans})
    course_done, module_done = _completions(plans, required)
    # Per officer, so each officer's check is a lookup, not a pass over everyone's
    # certificates (20,000 officers: 18 s to a few milliseconds).
    certified: dict[int, set[int]] = defaultdict(set)
    for user_id, course_id in _certified(plans):
        certified[user_id].add(course_id)
    at_risk_days = settings.REPORTS_AT_RISK_DAYS
    # Officers of one agency share their few shortfall facts: each is worded once per call.
    texts: dict[tuple, str] = {}
    no_certificate = _("No current certificate")
    minimums = {}
    for plan in plans:
        if plan.requirement_set.pk not in minimums:
            minimums[plan.requirement_set.pk] = _ordered_minimums(plan.requirement_set)
        evidence = {
            "plan": plan,
            "minimums": minimums[plan.requirement_set.pk],
            "required": required,
            "course_done": course_done,
            "module_done": module_done,
        }
        current_hours = hours.get((plan.user_id, _CURRENT), {})
        shortfalls = []
        for lack in _lacks(bucket=_CURRENT, hours=current_hours, **evidence):
            if lack not in texts:
                texts[lack] = _shortfall_text(lack)
            shortfalls.append(texts[lack])
        if not _certificate_ok(plan, required, certified):
            shortfalls.append(no_certificate)
        if not shortfalls:
            state = COMPLIANT
        elif plan.previous_start is not None and any(
            _lacks(bucket=_PREVIOUS, hours=hours.get((plan.user_id, _PREVIOUS), {}), **evidence)
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
        )
    return result
