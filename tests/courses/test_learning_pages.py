"""The course and lesson pages at the cost of the framework: a fixed number of queries however
long the course or the officer's record, the outline cached per content generation, and a
change of content or of progress seen on the next request."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.templatetags import fragment_cache
from courses import content_cache
from courses.models import Course, Lesson, LessonTranslation, LessonVersion
from courses.pipeline.sync import content_sync
from courses.selectors import course_outline
from courses.services import enrollment_create, lesson_complete
from tests.core.test_fragment_cache import BrokenCache
from tests.courses.test_content import LESSON, write_course
from tests.courses.test_refreshers import edit
from tests.factories import build_course, lesson_read

pytestmark = pytest.mark.django_db

# What every signed-in page costs before its view runs: the user, and the viewer's
# memberships (read once, and reused for the access levels, the notice and the navigation).
PER_REQUEST = 2


def lessons_of(course: Course) -> list[Lesson]:
    return list(
        Lesson.objects.filter(module__course=course).order_by("module__order", "order", "id")
    )


def small_and_large(officer) -> tuple[Course, Course]:
    """One module of two lessons, one read; four modules of six lessons, twenty read, one of
    them changed materially since (a refresher), and Korean translations."""
    small = build_course(modules=1, lessons_per_module=2)
    large = build_course(modules=4, lessons_per_module=6)
    lesson_read(enrollment_create(user=officer, course=small), lessons_of(small)[0])
    enrollment = enrollment_create(user=officer, course=large)
    for lesson in lessons_of(large)[:20]:
        lesson_read(enrollment, lesson)
    changed = lessons_of(large)[3]
    changed.current_version = LessonVersion.objects.create(
        lesson=changed, number=2, content_hash="c" * 64, source_path="x.md",
        body_html="<p>New.</p>", is_material=True,
    )  # fmt: skip
    changed.save(update_fields=["current_version"])
    for lesson in lessons_of(large):
        LessonTranslation.objects.create(
            lesson=lesson, language="ko", title=f"{lesson.title} (ko)", body_html="<p>본문</p>",
            source_path="x.ko.md", content_hash="a" * 64, source_hash="b" * 12,
        )  # fmt: skip
    return small, large


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def warm_count(client, url) -> int:
    """The queries of a page whose outline is already cached, as almost every view is."""
    client.get(url)
    return count(client, url)


def test_course_page_query_count_is_pinned_and_flat(officer_client, officer):
    small, large = small_and_large(officer)
    # The course with the officer's enrollment, the lessons read (with the refreshers due).
    assert warm_count(officer_client, small.get_absolute_url()) == PER_REQUEST + 2
    assert warm_count(officer_client, large.get_absolute_url()) == PER_REQUEST + 2


def test_course_page_builds_the_outline_in_two_queries(officer_client, officer):
    small, large = small_and_large(officer)
    # The modules with their quiz and glossary size, then the lessons.
    assert count(officer_client, small.get_absolute_url()) == PER_REQUEST + 2 + 2
    assert count(officer_client, large.get_absolute_url()) == PER_REQUEST + 2 + 2


@pytest.mark.parametrize("language", ["en", "ko"])
def test_lesson_page_query_count_is_pinned_and_flat(officer_client, officer, language):
    officer.language = language
    officer.save(update_fields=["language"])
    small, large = small_and_large(officer)
    # The enrollment with its course, the lesson with its module, text and translation, the
    # lessons read (with the refreshers due).
    for course in (small, large):
        assert warm_count(officer_client, lessons_of(course)[1].get_absolute_url()) == (
            PER_REQUEST + 3
        )


def test_lesson_page_shows_the_translation_and_the_refresher(officer_client, officer):
    officer.language = "ko"
    officer.save(update_fields=["language"])
    _small, large = small_and_large(officer)
    lessons = lessons_of(large)
    page = officer_client.get(lessons[3].get_absolute_url()).text
    assert f"{lessons[3].title} (ko)" in page and "<p>본문</p>" in page
    assert "refresh/" in page  # the refresher's form
    assert f"{lessons[4].title} →" in page  # the pager, from the cached outline
    english = officer_client.get(lessons[3].get_absolute_url() + "?lang=en").text
    assert "<p>New.</p>" in english and "<p>본문</p>" not in english
    unread = officer_client.get(lessons[21].get_absolute_url()).text
    assert "refresh/" not in unread and "lesson_complete" not in unread
    assert "/complete/" in unread


def test_outline_comes_from_the_cache_once_built(officer_client, officer):
    _small, large = small_and_large(officer)
    lesson_url = lessons_of(large)[1].get_absolute_url()
    officer_client.get(large.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        officer_client.get(large.get_absolute_url())
        officer_client.get(lesson_url)
    read = [query["sql"] for query in queries]
    assert not [sql for sql in read if 'FROM "courses_module"' in sql]
    assert not [sql for sql in read if "glossaryterm" in sql]
    # The one lesson read is the lesson page's own, by its slug.
    lessons = [sql for sql in read if 'FROM "courses_lesson"' in sql]
    assert len(lessons) == 1 and '"courses_lesson"."slug" =' in lessons[0]


def without_csrf(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_course_page_is_the_same_from_the_fragment_cache(officer_client, officer, monkeypatch):
    _small, large = small_and_large(officer)
    url = large.get_absolute_url()
    rendered = without_csrf(officer_client.get(url).text)
    assert without_csrf(officer_client.get(url).text) == rendered
    monkeypatch.setattr(fragment_cache, "cache", BrokenCache())
    assert without_csrf(officer_client.get(url).text) == rendered


def test_course_outline_follows_the_language(officer_client, officer):
    course = build_course(modules=1, lessons_per_module=2)
    enrollment_create(user=officer, course=course)
    assert "15 min" in officer_client.get(course.get_absolute_url()).text
    officer.language = "ko"
    officer.save(update_fields=["language"])
    page = officer_client.get(course.get_absolute_url()).text
    assert "15분" in page and "15 min" not in page


def test_progress_is_seen_on_the_next_request(officer_client, officer):
    course = build_course(modules=1, lessons_per_module=2)
    enrollment = enrollment_create(user=officer, course=course)
    first, second = lessons_of(course)
    assert "0 of 2 lessons" in officer_client.get(course.get_absolute_url()).text
    lesson_complete(enrollment=enrollment, lesson=first)
    page = officer_client.get(course.get_absolute_url()).text
    assert "1 of 2 lessons" in page and page.count("done-mark") == 1
    assert "Mark as complete" not in officer_client.get(first.get_absolute_url()).text
    assert "Mark as complete" in officer_client.get(second.get_absolute_url()).text


def test_imported_content_change_is_seen_on_the_next_request(officer_client, officer, tmp_path):
    module = write_course(tmp_path, lessons=("one", "two"))
    content_sync(root=tmp_path)
    course = Course.objects.get(slug="basics")
    enrollment_create(user=officer, course=course)
    one = Lesson.objects.get(slug="one")
    assert "Two" in officer_client.get(course.get_absolute_url()).text
    assert "Two →" in officer_client.get(one.get_absolute_url()).text

    text = (module / "02-two.md").read_text().replace("title: Two", "title: Second steps")
    (module / "02-two.md").write_text(text)
    (module / "03-three.md").write_text(LESSON.format(slug="three", title="Three", order=3))
    content_sync(root=tmp_path)

    page = officer_client.get(course.get_absolute_url()).text
    assert "Second steps" in page and "Three" in page and "0 of 3 lessons" in page
    assert "Second steps →" in officer_client.get(one.get_absolute_url()).text


def test_a_material_change_imported_is_seen_on_the_next_request(officer_client, officer, tmp_path):
    module = write_course(tmp_path)
    content_sync(root=tmp_path)
    course = Course.objects.get(slug="basics")
    enrollment = enrollment_create(user=officer, course=course)
    one = Lesson.objects.get(slug="one")
    lesson_complete(enrollment=enrollment, lesson=one)
    assert "changed in an important way" not in officer_client.get(one.get_absolute_url()).text

    edit(module / "01-one.md", material=True, note="New guidance on freezing.")
    content_sync(root=tmp_path)
    assert "changed in an important way" in officer_client.get(one.get_absolute_url()).text
    officer_client.post(one.get_absolute_url() + "refresh/")
    assert "changed in an important way" not in officer_client.get(one.get_absolute_url()).text


def test_an_outline_built_from_rows_older_than_the_generation_is_rebuilt(officer):
    """An import commits between a page reading the generation and storing what it built:
    the entry carries the old generation, so the next request builds it again."""
    course = build_course(modules=1, lessons_per_module=1)
    before = course_outline(course=course)
    Lesson.objects.filter(module__course=course).update(title="Renamed")
    assert course_outline(course=course) == before  # cached: the content has not "changed"
    content_cache.content_changed()
    after = course_outline(course=course)
    assert after.generation != before.generation
    assert [lesson.title for lesson in after.lessons] == ["Renamed"]


def test_the_generation_moves_again_when_the_import_commits(
    tmp_path, django_capture_on_commit_callbacks
):
    write_course(tmp_path)
    generations = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        content_sync(root=tmp_path)
        generations.append(content_cache.cache.get(content_cache.GENERATION_KEY))
    generations.append(content_cache.cache.get(content_cache.GENERATION_KEY))
    assert len(callbacks) == 1
    assert None not in generations and generations[0] != generations[1]


def test_every_sync_but_a_dry_run_moves_the_generation(tmp_path):
    write_course(tmp_path)
    content_sync(root=tmp_path)
    generation = content_cache.cache.get(content_cache.GENERATION_KEY)
    content_sync(root=tmp_path, force=True, dry_run=True)
    content_sync(root=tmp_path, dry_run=True)
    assert content_cache.cache.get(content_cache.GENERATION_KEY) == generation
    # Nothing to import, as at most releases: what the last release's templates and
    # translations rendered is retired all the same.
    assert content_sync(root=tmp_path).skipped
    assert content_cache.cache.get(content_cache.GENERATION_KEY) != generation


def test_an_import_waits_for_the_cache(tmp_path, monkeypatch):
    """Committed while the cache keeps the old outline, an import would not be seen."""
    write_course(tmp_path)
    with monkeypatch.context() as patch:
        patch.setattr(content_cache, "cache", BrokenCache())
        with pytest.raises(ConnectionError):
            content_sync(root=tmp_path)
    assert not Course.objects.exists()
    content_sync(root=tmp_path)
    monkeypatch.setattr(content_cache, "cache", BrokenCache())
    assert content_sync(root=tmp_path).skipped  # nothing to import: no reason to stop


def test_pages_work_with_the_cache_down(officer_client, officer, monkeypatch):
    course = build_course(modules=2, lessons_per_module=2)
    enrollment = enrollment_create(user=officer, course=course)
    first = lessons_of(course)[0]
    lesson_complete(enrollment=enrollment, lesson=first)
    monkeypatch.setattr(content_cache, "cache", BrokenCache())
    monkeypatch.setattr(fragment_cache, "cache", BrokenCache())
    page = officer_client.get(course.get_absolute_url())
    assert page.status_code == 200 and "1 of 4 lessons" in page.text
    assert officer_client.get(first.get_absolute_url()).status_code == 200
