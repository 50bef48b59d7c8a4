"""Access levels in content/: quiz.yaml and glossary.yaml default to the strictest level among
their module's lessons, a quiz may not be declared less strict than its lessons, and
`restricted` is no longer a level."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from assessments.models import Quiz
from courses.models import Module
from courses.pipeline.sync import content_sync
from courses.pipeline.validate import load_content
from tests.courses.test_content import QUIZ, write_course

GLOSSARY = "terms:\n  - term: UTXO\n    definition: An unspent output.\n"


def make_le_only(module, slug: str = "two") -> None:
    path = next(module.glob(f"*-{slug}.md"))
    path.write_text(path.read_text().replace("access: public", "access: le_only"))


def module_source(root):
    courses, errors = load_content(root)
    assert errors == []
    return courses[0].modules[0]


def test_quiz_and_glossary_default_to_the_strictest_lesson_level(tmp_path):
    module = write_course(tmp_path)
    (module / "glossary.yaml").write_text(GLOSSARY)
    make_le_only(module)
    source = module_source(tmp_path)
    assert source.lesson_access == "le_only"
    assert source.file_access["quiz.yaml"] == "le_only"
    assert source.glossary_access == "le_only"


def test_quiz_and_glossary_of_a_public_module_are_public(tmp_path):
    module = write_course(tmp_path)
    (module / "glossary.yaml").write_text(GLOSSARY)
    source = module_source(tmp_path)
    assert (source.file_access["quiz.yaml"], source.glossary_access) == ("public", "public")


def test_check_rejects_a_quiz_less_strict_than_its_lessons(tmp_path, capsys):
    module = write_course(tmp_path, quiz="access: public\n" + QUIZ)
    make_le_only(module)
    with pytest.raises(CommandError, match="content error"):
        call_command("sync_content", "--check", "--path", str(tmp_path))
    path = f"{tmp_path.name}/courses/basics/01-module/quiz.yaml"
    assert (
        f"{path}:1: 'access: public' is less strict than the lessons it tests (le_only); "
        "use access: le_only or remove the key"
    ) in capsys.readouterr().err.splitlines()


def test_a_quiz_may_be_stricter_than_its_lessons(tmp_path):
    write_course(tmp_path, quiz="access: le_only\n" + QUIZ)
    assert module_source(tmp_path).file_access["quiz.yaml"] == "le_only"


def test_a_glossary_may_be_opened_deliberately_but_not_given_an_unknown_level(tmp_path):
    module = write_course(tmp_path)
    make_le_only(module)
    (module / "glossary.yaml").write_text("access: public\n" + GLOSSARY)
    assert module_source(tmp_path).glossary_access == "public"
    (module / "glossary.yaml").write_text("access: restricted\n" + GLOSSARY)
    _courses, errors = load_content(tmp_path)
    assert [str(e) for e in errors] == [
        f"{tmp_path.name}/courses/basics/01-module/glossary.yaml:1: "
        "'access' must be one of public, le_only"
    ]


def test_restricted_is_no_longer_a_lesson_level(tmp_path):
    module = write_course(tmp_path)
    path = next(module.glob("*-two.md"))
    path.write_text(path.read_text().replace("access: public", "access: restricted"))
    _courses, errors = load_content(tmp_path)
    assert [e.message for e in errors] == ["'access' must be one of public, le_only"]


@pytest.mark.django_db
def test_sync_stores_the_levels_and_follows_a_lesson_that_becomes_le_only(tmp_path):
    module = write_course(tmp_path)
    (module / "glossary.yaml").write_text(GLOSSARY)
    content_sync(root=tmp_path)
    quiz = Quiz.objects.get()
    assert (quiz.access, quiz.module.glossary_access) == ("public", "public")

    make_le_only(module)  # quiz.yaml and glossary.yaml unchanged
    report = content_sync(root=tmp_path)
    quiz.refresh_from_db()
    assert quiz.access == "le_only"
    assert Module.objects.get().glossary_access == "le_only"
    assert "quiz.yaml basics/module-one" in report.updated


@pytest.mark.django_db
def test_real_curriculum_quizzes_and_glossaries_follow_their_lessons(curriculum):
    levels = {
        quiz.module.slug: (quiz.access, quiz.module.glossary_access)
        for quiz in Quiz.objects.select_related("module")
    }
    assert levels["blockchain-basics"] == ("public", "public")
    # Module 6, the example: its seizure and cooperation lessons are le_only.
    six = Module.objects.get(title__startswith="Freezing")
    assert levels[six.slug] == ("le_only", "le_only")
