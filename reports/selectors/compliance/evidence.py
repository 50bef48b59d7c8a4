"""The evidence for a batch of officers, in a fixed number of queries: hours per cycle (one SQL query on PostgreSQL, the ORM elsewhere), required course and module completions, and current certificates."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

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
from django.utils import timezone

from certificates.models import Certificate
from cohorts.models import Attendance, Cohort, Seat, Session
from courses.models import (
    Course,
    Enrollment,
    Lesson,
    LessonProgress,
    Module,
    ModuleProgress,
)
from reports.selectors.compliance.cycles import _CURRENT, _PREVIOUS, SECONDS_PER_HOUR, _Plan
from reports.selectors.hours import TOTAL


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
