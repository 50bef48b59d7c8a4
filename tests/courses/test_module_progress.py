"""courses.ModuleProgress: the per-module summary of lesson progress that the dashboards'
funnel and the compliance "required module completed" read. lesson_complete keeps it in its
transaction; a lesson added by content sync makes the module not all read again for the
readers; the backfill migration writes the rows lesson_complete would have written."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from courses.models import Course, Lesson, LessonVersion, ModuleProgress
from courses.pipeline.sync import content_sync
from courses.services import enrollment_create, lesson_complete, lesson_refresh_complete
from reports.models import RequirementSet
from reports.selectors.compliance import officers_compliance
from reports.selectors.dashboards import agency_dashboard, dashboard_officers
from tests.courses.test_content import LESSON, write_course
from tests.factories import MembershipFactory, UserFactory, build_course
from tests.reports.dashboard_data import filters_for
from tests.reports.test_compliance import agency_following

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
REQUIREMENT = """\
name: Test set (demo)
country: KR
demo: true
cycle: {months: 12, anchor: fixed, date: 2026-01-01}
minimum_hours: {}
required: [basics/module-one]
certificate_current: false
"""


def summary(enrollment, module):
    row = ModuleProgress.objects.get(enrollment=enrollment, module=module)
    return row.lessons_read, row.last_read_at, row.completed_at


@pytest.mark.django_db
def test_lesson_complete_counts_lessons_read_and_dates_the_module_all_read():
    course = build_course(modules=2, lessons_per_module=2, questions=1)
    m1, m2 = course.modules.order_by("order")
    first, second = m1.lessons.order_by("order")
    enrollment = enrollment_create(user=UserFactory(), course=course)

    with time_machine.travel(T0, tick=False):
        lesson_complete(enrollment=enrollment, lesson=first)
    assert summary(enrollment, m1) == (1, T0, None)
    assert not ModuleProgress.objects.filter(module=m2).exists()

    # Reading the same lesson again changes nothing.
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        lesson_complete(enrollment=enrollment, lesson=first)
    assert summary(enrollment, m1) == (1, T0, None)

    later = T0 + timedelta(days=2)
    with time_machine.travel(later, tick=False):
        lesson_complete(enrollment=enrollment, lesson=second)
    assert summary(enrollment, m1) == (2, later, later)


@pytest.mark.django_db
def test_lesson_complete_adds_one_lesson_count_and_two_queries_to_a_new_read():
    course = build_course(modules=1, lessons_per_module=3, questions=1)
    module = course.modules.get()
    first, second, _third = module.lessons.order_by("order")
    enrollment = enrollment_create(user=UserFactory(), course=course)
    lesson_complete(enrollment=enrollment, lesson=first)

    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        lesson_complete(enrollment=enrollment, lesson=second)
    summary_queries = [q["sql"] for q in captured if "courses_moduleprogress" in q["sql"]]
    # get (found) + the increment; the module's lesson count is one more query.
    assert len(summary_queries) == 2
    assert summary(enrollment, module)[0] == 2


@pytest.mark.django_db
def test_a_refreshed_lesson_moves_the_modules_last_read_on():
    course = build_course(modules=1, lessons_per_module=1, questions=1)
    module = course.modules.get()
    lesson = module.lessons.get()
    enrollment = enrollment_create(user=UserFactory(), course=course)
    with time_machine.travel(T0, tick=False):
        progress = lesson_complete(enrollment=enrollment, lesson=lesson)
    lesson.current_version = LessonVersion.objects.create(
        lesson=lesson, number=2, content_hash="2" * 64, source_path="l.md", body_html="<p>2</p>"
    )
    lesson.save(update_fields=["current_version"])
    later = T0 + timedelta(days=30)
    with time_machine.travel(later, tick=False):
        lesson_refresh_complete(progress=progress)
    assert summary(enrollment, module) == (1, later, T0)


def _officer_in(agency, course):
    user = MembershipFactory(agency=agency, user=UserFactory()).user
    return enrollment_create(user=user, course=course)


@pytest.mark.django_db
def test_a_lesson_added_by_content_sync_makes_the_module_not_all_read_for_the_readers(
    tmp_path,
):
    module_dir = write_course(tmp_path)
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "test-set.yaml").write_text(REQUIREMENT)
    content_sync(root=tmp_path)
    course = Course.objects.get()
    module = course.modules.get()
    agency = agency_following(RequirementSet.objects.get(slug="test-set"))
    enrollment = _officer_in(agency, course)
    with time_machine.travel(T0, tick=False):
        for lesson in Lesson.objects.filter(module=module):
            lesson_complete(enrollment=enrollment, lesson=lesson)
    filters = filters_for(course)
    member = enrollment.user.memberships.get()
    officer = [(member.user_id, member.agency_id, member.created_at)]

    def readers():
        funnel = agency_dashboard(agency=agency, filters=filters).modules[0].read_all
        listed = [
            m.user_id
            for m in dashboard_officers(agency=agency, figure=f"read:{module.pk}", filters=filters)
        ]
        shortfalls = officers_compliance(officers=officer)[member.user_id].shortfalls
        return funnel, listed, shortfalls

    assert readers() == (1, [member.user_id], [])

    (module_dir / "03-three.md").write_text(LESSON.format(slug="three", title="Three", order=3))
    content_sync(root=tmp_path)
    assert summary(enrollment, module) == (2, T0, T0)  # "when it was last all read"
    funnel, listed, shortfalls = readers()
    assert (funnel, listed) == (0, [])
    assert shortfalls == ["Module Module one not completed"]

    later = T0 + timedelta(days=3)
    with time_machine.travel(later, tick=False):
        lesson_complete(enrollment=enrollment, lesson=Lesson.objects.get(slug="three"))
    assert summary(enrollment, module) == (3, later, later)
    assert readers() == (1, [member.user_id], [])


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_the_backfill_writes_the_rows_lesson_complete_wrote():
    course = build_course(modules=3, lessons_per_module=2, questions=1)
    m1, m2, _m3 = course.modules.order_by("order")
    readers = [enrollment_create(user=UserFactory(), course=course) for _ in range(3)]
    plan = [
        (readers[0], [*m1.lessons.all(), *m2.lessons.all()]),  # two modules all read
        (readers[1], [m1.lessons.order_by("order").first()]),  # one lesson of one module
        (readers[2], [*m2.lessons.all()]),
    ]
    for day, (enrollment, lessons) in enumerate(plan):
        for hour, lesson in enumerate(lessons):
            with time_machine.travel(T0 + timedelta(days=day, hours=hour), tick=False):
                lesson_complete(enrollment=enrollment, lesson=lesson)
    fields = ("enrollment_id", "module_id", "lessons_read", "last_read_at", "completed_at")
    kept = set(ModuleProgress.objects.values_list(*fields))
    assert len(kept) == 4

    try:
        migrate([("courses", "0006_module_progress")])  # the reverse empties the table
        assert not ModuleProgress.objects.exists()
        migrate([("courses", "0007_module_progress_backfill")])
        assert set(ModuleProgress.objects.values_list(*fields)) == kept
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db
def test_the_backfills_orm_path_writes_the_same_rows_as_its_sql():
    """Off PostgreSQL (SQLite in `make run`) the backfill goes through the ORM: the same rows
    as lesson_complete keeps (run here on the test database by naming another vendor)."""
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps

    backfill = import_module("courses.migrations.0007_module_progress_backfill").backfill
    course = build_course(modules=2, lessons_per_module=2, questions=1)
    m1, m2 = course.modules.order_by("order")
    enrollment = enrollment_create(user=UserFactory(), course=course)
    for hour, lesson in enumerate([*m1.lessons.all(), m2.lessons.order_by("order").first()]):
        with time_machine.travel(T0 + timedelta(hours=hour), tick=False):
            lesson_complete(enrollment=enrollment, lesson=lesson)
    fields = ("enrollment_id", "module_id", "lessons_read", "last_read_at", "completed_at")
    kept = set(ModuleProgress.objects.values_list(*fields))
    ModuleProgress.objects.all().delete()

    backfill(apps, SimpleNamespace(connection=SimpleNamespace(vendor="sqlite")))

    assert set(ModuleProgress.objects.values_list(*fields)) == kept
    assert len(kept) == 2
