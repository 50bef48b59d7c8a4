"""content_sync: idempotent import, versions pinned by hash and commit, all-or-nothing."""

import subprocess

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import AuditEvent
from assessments.models import Question, Quiz
from courses.models import Course, Lesson, LessonVersion
from courses.pipeline.sync import ContentInvalid, content_sync
from tests.courses.test_content import LESSON, write_course

pytestmark = pytest.mark.django_db


def test_sync_imports_real_content_then_changes_nothing():
    first = content_sync(root=settings.CONTENT_DIR)
    assert first.created
    course = Course.objects.get(slug="crypto-investigation")
    lessons = Lesson.objects.filter(module__course=course)
    assert lessons.count() >= 24
    assert all(lesson.current_version.body_html.strip() for lesson in lessons)
    assert Quiz.objects.filter(module__course=course).count() == 9
    versions_before = LessonVersion.objects.count()

    second = content_sync(root=settings.CONTENT_DIR)

    assert second.created == [] and second.updated == [] and second.removed == []
    assert LessonVersion.objects.count() == versions_before
    assert AuditEvent.objects.filter(action="content.sync").count() == 1


def test_changed_lesson_gets_a_new_pinned_version(tmp_path):
    module = write_course(tmp_path)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(tmp_path),
            "-c",
            "user.email=t@example.org",
            "-c",
            "user.name=T",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "init",
        ],
        check=True,
    )
    commit = subprocess.run(
        ["git", "-C", str(tmp_path), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    content_sync(root=tmp_path)
    lesson = Lesson.objects.get(slug="one")
    v1 = lesson.current_version
    assert (v1.number, v1.git_commit, v1.is_material) == (1, commit, False)

    text = LESSON.format(slug="one", title="One", order=1).replace(
        "access: public\n", "access: public\nmaterial: true\n"
    )
    (module / "01-one.md").write_text(text + "\nA new paragraph on bridges.\n")
    report = content_sync(root=tmp_path)

    lesson.refresh_from_db()
    v2 = lesson.current_version
    assert v2.number == 2 and v2.is_material
    assert "bridges" in v2.body_html
    assert "lesson basics/module-one/one" in report.updated
    assert LessonVersion.objects.filter(lesson=lesson).count() == 2


def test_reverted_text_reuses_the_old_version(tmp_path):
    module = write_course(tmp_path)
    original = (module / "01-one.md").read_text()
    content_sync(root=tmp_path)
    (module / "01-one.md").write_text(original + "\nextra\n")
    content_sync(root=tmp_path)
    (module / "01-one.md").write_text(original)
    content_sync(root=tmp_path)
    lesson = Lesson.objects.get(slug="one")
    assert lesson.current_version.number == 1
    assert lesson.versions.count() == 2


def test_invalid_content_writes_nothing(tmp_path):
    module = write_course(tmp_path)
    (module / "02-two.md").write_text("---\nslug: two\n---\n")
    with pytest.raises(ContentInvalid) as caught:
        content_sync(root=tmp_path)
    assert any("'title' is required" in str(error) for error in caught.value.errors)
    assert Course.objects.count() == 0


def test_quiz_changes_update_questions_by_key(tmp_path):
    module = write_course(tmp_path)
    content_sync(root=tmp_path)
    question = Question.objects.get(key="q1")
    (module / "quiz.yaml").write_text(
        (module / "quiz.yaml").read_text().replace("prompt: Pick one", "prompt: Pick exactly one")
    )
    content_sync(root=tmp_path)
    question.refresh_from_db()
    assert question.prompt == "Pick exactly one"
    assert Question.objects.count() == 1


def test_dry_run_rolls_back(tmp_path, capsys):
    write_course(tmp_path)
    call_command("sync_content", "--dry-run", "--path", str(tmp_path))
    assert "dry run, rolled back" in capsys.readouterr().out
    assert Course.objects.count() == 0


def test_removed_lesson_is_deleted_when_nobody_read_it(tmp_path):
    module = write_course(tmp_path)
    content_sync(root=tmp_path)
    (module / "02-two.md").unlink()
    report = content_sync(root=tmp_path)
    assert not Lesson.objects.filter(slug="two").exists()
    assert report.removed == ["lesson basics/module-one/two"]


def test_removing_a_lesson_officers_completed_is_refused(tmp_path):
    from courses.services import enrollment_create, lesson_complete
    from tests.factories import UserFactory

    module = write_course(tmp_path)
    content_sync(root=tmp_path)
    enrollment = enrollment_create(user=UserFactory(), course=Course.objects.get())
    lesson_complete(enrollment=enrollment, lesson=Lesson.objects.get(slug="two"))
    (module / "02-two.md").unlink()

    with pytest.raises(ContentInvalid, match="officers have completed it"):
        content_sync(root=tmp_path)
    assert Lesson.objects.filter(slug="two").exists()


def test_sync_stores_valid_for_months_and_clears_it_when_removed(tmp_path):
    module = write_course(tmp_path)
    course_md = module.parent / "course.md"
    original = course_md.read_text()
    course_md.write_text(original.replace("order: 1\n", "order: 1\nvalid_for_months: 36\n", 1))
    content_sync(root=tmp_path)
    assert Course.objects.get(slug="basics").valid_for_months == 36
    course_md.write_text(original)
    content_sync(root=tmp_path)
    assert Course.objects.get(slug="basics").valid_for_months is None
