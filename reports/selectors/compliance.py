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
  them completed) was completed before it ends (inside it or in an earlier cycle: a lesson and
  a course are completed once, so what recurs each cycle is the hours and, where asked, a
  current certificate, which a renewal keeps current). For the current cycle, when the set asks for a
  current certificate, the officer must also hold an issued certificate, valid now (no end of
  validity, or one in the future), of a required course (of the courses named by `required`,
  modules included) or of any course when the set requires none.
- State today: COMPLIANT when the current cycle is met; else OVERDUE when the officer was
  bound by the previous cycle (started on or before its first day) and did not meet it; else
  AT_RISK when fewer than settings.REPORTS_AT_RISK_DAYS days are left in the current cycle;
  else COMPLIANT (in good standing, with time left). NO_REQUIREMENT when the agency follows no
  requirement set.
- A lesson's minutes count as hours in the cycle where it was completed.

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
from django.db import connection
from django.db.models import (
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.models import Certificate
from cohorts.models import Attendance, Cohort, Seat, Session
from courses.models import (
    Course,
    Enrollment,
    Lesson,
    LessonProgress,
    Module,
    ModuleProgress,
    TrainingCategory,
)
from reports.models import AgencyRequirement, RequirementSet
from reports.selectors.hours import TOTAL

COMPLIANT, AT_RISK, OVERDUE, NO_REQUIREMENT = "compliant", "at_risk", "overdue", "none"
STATES = (COMPLIANT, AT_RISK, OVERDUE, NO_REQUIREMENT)

_CURRENT, _PREVIOUS = 1, 0
SECONDS_PER_HOUR = Decimal(3600)
ZERO = Decimal(0)
CATEGORIES = tuple(TrainingCategory.values)


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


@dataclass(frozen=True)
class _Cycles:
    """The current and previous cycle from one anchor, as dates and as aware instants;
    shared by every officer with the same anchor (all of an agency, for a fixed anchor)."""

    start: date
    end: date
    index: int
    previous: date
    days_left: int
    starts: dict  # _PREVIOUS/_CURRENT -> aware start
    ends: dict


@dataclass
class _Plan:
    """One officer's cycles, before the evidence is read."""

    user_id: int
    agency_id: int
    requirement_set: RequirementSet
    cycles: _Cycles
    # The previous cycle's first day, when the officer was bound by it.
    previous_start: date | None

    @property
    def starts(self) -> dict:
        return self.cycles.starts

    @property
    def ends(self) -> dict:
        return self.cycles.ends

    @property
    def cycle_start(self) -> date:
        return self.cycles.start

    @property
    def cycle_end(self) -> date:
        return self.cycles.end

    @property
    def days_left(self) -> int:
        return self.cycles.days_left


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def _cycles(*, anchor: date, months: int, today: date, zone: ZoneInfo) -> _Cycles:
    start, end, index = cycle_containing(anchor=anchor, months=months, today=today)
    previous = add_months(anchor, (index - 1) * months)
    starts = {_CURRENT: _midnight(start, zone), _PREVIOUS: _midnight(previous, zone)}
    ends = {_CURRENT: _midnight(end, zone), _PREVIOUS: starts[_CURRENT]}
    return _Cycles(
        start=start,
        end=end,
        index=index,
        previous=previous,
        days_left=(end - today).days,
        starts=starts,
        ends=ends,
    )


def _plan(
    *,
    user_id: int,
    agency_id: int,
    started_at: datetime,
    requirement,
    today: date | None,
    cache: dict | None = None,
) -> _Plan:
    cache = {} if cache is None else cache
    requirement_set = requirement.requirement_set
    time_zone = requirement.agency.time_zone
    zone = ZoneInfo(time_zone)
    local_today = today or cache.get(time_zone)
    if local_today is None:
        local_today = cache[time_zone] = timezone.localdate(timezone=zone)
    start_day = started_at.astimezone(zone).date()
    fixed = requirement_set.anchor == RequirementSet.Anchor.FIXED
    anchor = requirement_set.anchor_date if fixed else min(start_day, local_today)
    key = (requirement_set.pk, time_zone, anchor, local_today)
    cycles = cache.get(key)
    if cycles is None:
        cycles = cache[key] = _cycles(
            anchor=anchor, months=requirement_set.cycle_months, today=local_today, zone=zone
        )
    # Bound by the previous cycle: started by its first day (from their own start: always,
    # once it is not their first cycle).
    bound = start_day <= cycles.previous if fixed else cycles.index >= 1
    return _Plan(
        user_id=user_id,
        agency_id=agency_id,
        requirement_set=requirement_set,
        cycles=cycles,
        previous_start=cycles.previous if bound else None,
    )


def _windows(plans: list[_Plan]) -> tuple[str, list]:
    """The officers' cycles as a row source for PostgreSQL: each officer's window number,
    and each distinct window once (one for all of an agency with a fixed anchor)."""
    numbers: dict[int, int] = {}
    windows = []
    for plan in plans:
        if id(plan.cycles) not in numbers:
            numbers[id(plan.cycles)] = len(windows)
            windows.append(plan.cycles)
    sql = (
        "SELECT u.user_id, c.since, c.cur_start, c.until "
        "FROM unnest(%s::bigint[], %s::int[]) AS u(user_id, n) "
        "JOIN unnest(%s::int[], %s::timestamptz[], %s::timestamptz[], %s::timestamptz[]) "
        "AS c(n, since, cur_start, until) ON c.n = u.n"
    )
    params = [
        [plan.user_id for plan in plans],
        [numbers[id(plan.cycles)] for plan in plans],
        list(range(len(windows))),
        [cycles.starts[_PREVIOUS] for cycles in windows],
        [cycles.starts[_CURRENT] for cycles in windows],
        [cycles.ends[_CURRENT] for cycles in windows],
    ]
    return sql, params


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _hours_sql(plans: list[_Plan]):
    """PostgreSQL: each officer's cycles joined as rows, so the database keeps only each
    officer's own window with one hash join however many different windows there are."""
    windows, params = _windows(plans)
    online = f"""
        WITH w AS ({windows})
        SELECT w.user_id, m.category,
               CASE WHEN lp.completed_at >= w.cur_start THEN {_CURRENT} ELSE {_PREVIOUS} END,
               SUM(l.minutes)
        FROM w
        JOIN {_table(Enrollment)} e ON e.user_id = w.user_id
        JOIN {_table(LessonProgress)} lp ON lp.enrollment_id = e.id
        JOIN {_table(Lesson)} l ON l.id = lp.lesson_id
        JOIN {_table(Module)} m ON m.id = l.module_id
        WHERE lp.completed_at >= w.since AND lp.completed_at < w.until
        GROUP BY 1, 2, 3
    """  # noqa: S608 (table names from the models; values are parameters)
    in_person = f"""
        WITH w AS ({windows})
        SELECT w.user_id, c.category,
               CASE WHEN s.starts_at >= w.cur_start THEN {_CURRENT} ELSE {_PREVIOUS} END,
               SUM(EXTRACT(EPOCH FROM s.ends_at - s.starts_at))::bigint
        FROM w
        JOIN {_table(Seat)} st ON st.user_id = w.user_id
        JOIN {_table(Attendance)} a ON a.seat_id = st.id
        JOIN {_table(Session)} s ON s.id = a.session_id
        JOIN {_table(Cohort)} c ON c.id = st.cohort_id
        WHERE a.status = ANY(%s) AND NOT s.is_cancelled
          AND s.starts_at >= w.since AND s.starts_at < w.until
        GROUP BY 1, 2, 3
    """  # noqa: S608 (table names from the models; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(online, params)
        online_rows = cursor.fetchall()
        cursor.execute(in_person, [*params, list(Attendance.ATTENDED)])
        in_person_rows = cursor.fetchall()
    return online_rows, in_person_rows


def _bucket(plans: list[_Plan], instant: str) -> Case:
    """Other databases (SQLite in development): which cycle (_CURRENT, _PREVIOUS or NULL)
    `instant` falls in, for its officer. Officers sharing the same cycles share one WHEN."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for plan in plans:
        groups[(plan.starts[_PREVIOUS], plan.starts[_CURRENT], plan.ends[_CURRENT])].append(
            plan.user_id
        )
    whens = []
    for (previous, current, end), user_ids in groups.items():
        for bucket, since, until in ((_CURRENT, current, end), (_PREVIOUS, previous, current)):
            condition = Q(
                **{"officer__in": user_ids, f"{instant}__gte": since, f"{instant}__lt": until}
            )
            whens.append(When(condition, then=Value(bucket)))
    return Case(*whens, default=None, output_field=IntegerField())


def _hours_orm(plans: list[_Plan]):
    user_ids = [plan.user_id for plan in plans]
    since = min(plan.starts[_PREVIOUS] for plan in plans)
    until = max(plan.ends[_CURRENT] for plan in plans)
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
    in_person_rows = [
        (user_id, category, bucket, int(total.total_seconds()) if total else 0)
        for user_id, category, bucket, total in in_person
    ]
    return list(online), in_person_rows


def _hours(plans: list[_Plan]) -> dict[tuple[int, int], dict[str, Decimal]]:
    """{(user_id, bucket): {category: hours, "total": hours}}: two grouped queries."""
    if connection.vendor == "postgresql":
        online, in_person = _hours_sql(plans)
    else:
        online, in_person = _hours_orm(plans)
    # Whole seconds while adding up; hours (exact decimals) once at the end.
    seconds: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for user_id, category, bucket, minutes in online:
        seconds[(user_id, bucket)][category or ""] += int(minutes or 0) * 60
    for user_id, category, bucket, length in in_person:
        seconds[(user_id, bucket)][category or ""] += int(length or 0)
    result = {}
    for key, per_category in seconds.items():
        hours = {
            category: Decimal(value) / SECONDS_PER_HOUR for category, value in per_category.items()
        }
        hours[TOTAL] = Decimal(sum(per_category.values())) / SECONDS_PER_HOUR
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
        # The module summaries (courses.ModuleProgress), one row per enrollment and module;
        # all read = as many lessons read as the module has now (content sync may have added
        # one since), dated by the latest read, as the lesson progress rows would say.
        rows = ModuleProgress.objects.filter(
            enrollment__user_id__in=user_ids, module_id__in=lesson_counts
        ).values_list("enrollment__user_id", "module_id", "lessons_read", "last_read_at")
        for user_id, module_id, done, last in rows:
            if lesson_counts[module_id] and done >= lesson_counts[module_id]:
                module_done[(user_id, module_id)] = last
    return course_done, module_done


def _certified(plans: list[_Plan]) -> dict[int, set[int]]:
    """{user_id: {course_id}} of issued certificates valid now, for officers whose set asks."""
    user_ids = [plan.user_id for plan in plans if plan.requirement_set.certificate_current]
    if not user_ids:
        return {}
    now = timezone.now()
    held: dict[int, set[int]] = defaultdict(set)
    for user_id, course_id in (
        Certificate.objects.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=now),
            user_id__in=user_ids,
            status=Certificate.Status.ISSUED,
        )
        .values_list("user_id", "course_id")
        .distinct()
    ):
        held[user_id].add(course_id)
    return held


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
