"""Data migrations of certificates written before this release: the expiry migration pins
the lesson versions their enrollment's progress records (so a renewal can tell what changed
since), and the status-list backfill gives them revocation and suspension entries."""

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


@pytest.mark.django_db(transaction=True)
def test_certificates_from_before_status_lists_get_entries_and_a_revoked_one_its_bit(
    back_to_latest,
):
    apps = migrate([("certificates", "0007_batch")])
    User = apps.get_model("accounts", "User")
    Course = apps.get_model("courses", "Course")
    Enrollment = apps.get_model("courses", "Enrollment")
    Certificate = apps.get_model("certificates", "Certificate")
    user = User.objects.create(email="old@knpa.example", full_name="Old Holder")
    course = Course.objects.create(slug="c", title="C", source_path="c", content_hash="0")
    enrollment = Enrollment.objects.create(user=user, course=course)
    ids = {}
    for status in ("issued", "revoked"):
        ids[status] = Certificate.objects.create(
            enrollment=enrollment, user=user, course=course, content_version=status,
            serial=f"CC-OLD-{status}", verify_token=status * 9, holder_name="Old Holder",
            course_title="C", hours=1, completed_at=timezone.now(), status=status,
            pdf="certificates/old.pdf", issued_at=timezone.now(),
        ).pk  # fmt: skip

    apps = migrate(latest())
    Certificate = apps.get_model("certificates", "Certificate")
    rows = {status: Certificate.objects.get(pk=pk) for status, pk in ids.items()}
    for row in rows.values():
        assert row.revocation_list.purpose == "revocation"
        assert row.suspension_list.purpose == "suspension"
    assert rows["issued"].revocation_index != rows["revoked"].revocation_index

    def bit(row) -> bool:
        index = int(row.revocation_index)
        return bool(bytes(row.revocation_list.bits)[index // 8] & (0x80 >> (index % 8)))

    assert bit(rows["revoked"]) and not bit(rows["issued"])
    assert rows["issued"].revocation_list.allocated == 2
