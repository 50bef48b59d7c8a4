"""The migration that adds quiz and glossary access levels fills them from the lessons, as
sync_content would: a deploy whose content did not change re-imports nothing."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("courses", "0002_translations_glossary_assets"), ("assessments", "0005_lab_trace_pdf")]
AFTER = [("courses", "0003_content_access_gate"), ("assessments", "0006_quiz_access")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest():
    yield
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_migration_sets_levels_from_the_strictest_lesson_and_drops_restricted(back_to_latest):
    apps = migrate(BEFORE)
    Course = apps.get_model("courses", "Course")
    Module = apps.get_model("courses", "Module")
    Lesson = apps.get_model("courses", "Lesson")
    Quiz = apps.get_model("assessments", "Quiz")
    course = Course.objects.create(slug="c", title="C", source_path="c", content_hash="0")
    rows = {}
    for name, levels in {"open": ["public", "public"], "mixed": ["public", "restricted"]}.items():
        module = Module.objects.create(
            course=course, slug=name, title=name, source_path=name, content_hash="0"
        )
        for order, level in enumerate(levels):
            Lesson.objects.create(
                module=module, slug=f"l{order}", title="L", order=order, minutes=1, access=level
            )
        Quiz.objects.create(
            module=module, slug=name, title=name, pass_mark=50, source_path=name, content_hash="0"
        )
        rows[name] = module.pk

    apps = migrate(AFTER)
    Module = apps.get_model("courses", "Module")
    Quiz = apps.get_model("assessments", "Quiz")
    Lesson = apps.get_model("courses", "Lesson")
    assert Module.objects.get(pk=rows["open"]).glossary_access == "public"
    assert Module.objects.get(pk=rows["mixed"]).glossary_access == "le_only"
    assert Quiz.objects.get(module_id=rows["open"]).access == "public"
    assert Quiz.objects.get(module_id=rows["mixed"]).access == "le_only"
    assert not Lesson.objects.filter(access="restricted").exists()
