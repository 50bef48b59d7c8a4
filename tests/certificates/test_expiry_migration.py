"""The expiry migration pins, on certificates written before it, the lesson versions their
enrollment's progress records, so a renewal can tell what changed since."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("certificates", "0005_lifecycle")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def back_to_latest():
    yield
    migrate(latest())


@pytest.mark.django_db(transaction=True)
def test_existing_certificates_get_their_enrollments_lesson_versions(back_to_latest):
    apps = migrate(BEFORE)
    User = apps.get_model("accounts", "User")
    Course = apps.get_model("courses", "Course")
    Module = apps.get_model("courses", "Module")
    Lesson = apps.get_model("courses", "Lesson")
    LessonVersion = apps.get_model("courses", "LessonVersion")
    Enrollment = apps.get_model("courses", "Enrollment")
    LessonProgress = apps.get_model("courses", "LessonProgress")
    Certificate = apps.get_model("certificates", "Certificate")
    user = User.objects.create(email="old@knpa.example", full_name="Old Holder")
    course = Course.objects.create(slug="c", title="C", source_path="c", content_hash="0")
    module = Module.objects.create(
        course=course, slug="m", title="M", source_path="m", content_hash="0"
    )
    enrollment = Enrollment.objects.create(user=user, course=course)
    expected = {}
    for order, number in enumerate([1, 3]):
        lesson = Lesson.objects.create(
            module=module, slug=f"l{order}", title="L", order=order, minutes=1
        )
        for n in range(1, number + 1):
            version = LessonVersion.objects.create(
                lesson=lesson, number=n, content_hash=f"{order}-{n}", source_path="l", body_html="x"
            )
        LessonProgress.objects.create(enrollment=enrollment, lesson=lesson, version=version)
        expected[str(lesson.pk)] = number
    certificate = Certificate.objects.create(
        enrollment=enrollment, user=user, course=course, content_version="v", serial="CC-OLD-1",
        verify_token="t" * 43, holder_name="Old Holder", course_title="C", hours=1,
        completed_at=timezone.now(),
    )  # fmt: skip

    apps = migrate(latest())
    Certificate = apps.get_model("certificates", "Certificate")
    assert Certificate.objects.get(pk=certificate.pk).lesson_versions == expected
