"""Stale translations of lessons, modules, glossaries and quizzes for trainers, per language,
each with the English changes since the version translated (SourceSnapshot)."""

from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import Membership
from assessments.models import QuizTranslation
from courses.models import (
    DiagramTranslation,
    GlossaryTranslation,
    LessonTranslation,
    ModuleTranslation,
    SourceSnapshot,
)
from courses.pipeline.sync import content_sync
from courses.services import enrollment_create
from courses.translations import english_path
from tests.courses.test_content import write_course
from tests.courses.test_coverage import (
    SVG,
    markdown_translation,
    quiz_translation,
    short_hash,
    svg_translation,
)
from tests.courses.test_pipeline import GLOSSARY
from tests.factories import MembershipFactory, with_totp

pytestmark = pytest.mark.django_db


def glossary_translation(english: Path) -> str:
    return (
        f'source_hash: "{short_hash(english)}"\n'
        "terms:\n  - term: UTXO\n    name: 미사용 출력\n    definition: 쓰이지 않은 출력.\n"
    )


def write_translated(root: Path) -> Path:
    """A module whose module.md, first lesson, glossary and quiz are translated into Korean,
    and whose first lesson is translated into Thai too, all up to date; imported."""
    module = write_course(root)
    (module / "glossary.yaml").write_text(GLOSSARY)
    (module / "module.ko.md").write_text(markdown_translation(module / "module.md"))
    (module / "01-one.ko.md").write_text(markdown_translation(module / "01-one.md"))
    (module / "01-one.th.md").write_text(markdown_translation(module / "01-one.md"))
    (module / "glossary.ko.yaml").write_text(glossary_translation(module / "glossary.yaml"))
    (module / "quiz.ko.yaml").write_text(quiz_translation(module / "quiz.yaml"))
    content_sync(root=root)
    return module


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def make_all_stale(module: Path, root: Path) -> None:
    """Change every translated English file and import again."""
    (module / "module.md").write_text((module / "module.md").read_text() + "A new intro.\n")
    edit(module / "01-one.md", "Body text for one.", "Body text for one, revised.")
    edit(module / "glossary.yaml", "An unspent transaction output.", "An output not yet spent.")
    edit(module / "quiz.yaml", "prompt: Pick one", "prompt: Pick the right one")
    content_sync(root=root)


@pytest.fixture
def trainer_client(client):
    trainer = MembershipFactory(role=Membership.Role.TRAINER).user
    with_totp(trainer)
    client.force_login(trainer)
    return client


def changes_url(kind: str, translation) -> str:
    return reverse("courses:trainer_translation_changes", args=[kind, translation.pk])


def test_english_path_drops_the_language_from_the_file_name():
    assert english_path("content/x/01-m/02-a.b.ko.md", "ko") == "content/x/01-m/02-a.b.md"
    assert english_path("content/x/01-m/quiz.th.yaml", "th") == "content/x/01-m/quiz.yaml"
    assert english_path("content/x/01-m/media/flow.ro.svg", "ro") == "content/x/01-m/media/flow.svg"


def test_import_keeps_each_english_text_once_per_sha256(tmp_path):
    module = write_translated(tmp_path)
    prefix = f"{tmp_path.name}/courses/basics/01-module/"
    snapshots = dict(SourceSnapshot.objects.values_list("path", "text"))
    assert sorted(snapshots) == [
        prefix + name
        for name in ("01-one.md", "02-two.md", "glossary.yaml", "module.md", "quiz.yaml")
    ]
    assert snapshots[prefix + "01-one.md"] == (module / "01-one.md").read_text()
    original = (module / "01-one.md").read_text()
    edit(module / "01-one.md", "Body text for one.", "Body text for one, revised.")
    content_sync(root=tmp_path)
    (module / "01-one.md").write_text(original)  # reverted: that text is on record already
    content_sync(root=tmp_path)
    content_sync(root=tmp_path, force=True)
    assert SourceSnapshot.objects.filter(path=prefix + "01-one.md").count() == 2
    assert SourceSnapshot.objects.count() == 6


def test_glossary_translations_record_their_source_and_staleness(tmp_path):
    module = write_translated(tmp_path)
    row = GlossaryTranslation.objects.get()
    assert row.language == "ko" and not row.is_stale
    assert row.source_path.endswith("01-module/glossary.ko.yaml")
    assert row.module.glossary_hash.startswith(row.source_hash)
    make_all_stale(module, tmp_path)
    assert GlossaryTranslation.objects.get().is_stale
    (module / "glossary.ko.yaml").unlink()
    content_sync(root=tmp_path)
    assert not GlossaryTranslation.objects.exists()


def test_trainer_sees_stale_translations_of_all_four_kinds_per_language(trainer_client, tmp_path):
    module = write_translated(tmp_path)
    page = trainer_client.get(reverse("courses:trainer_content"))
    assert page.text.count("Every translation matches the current English text.") == 3
    make_all_stale(module, tmp_path)

    page = trainer_client.get(reverse("courses:trainer_content"))

    assert page.status_code == 200
    korean, rest = page.text.split("Korean [ko]")[1].split("Thai [th]")
    thai, romanian = rest.split("Romanian [ro]")
    prefix = f"{tmp_path.name}/courses/basics/01-module/"
    for kind, model, english, translated in (
        ("module", ModuleTranslation, "module.md", "module.ko.md"),
        ("lesson", LessonTranslation, "01-one.md", "01-one.ko.md"),
        ("glossary", GlossaryTranslation, "glossary.yaml", "glossary.ko.yaml"),
        ("quiz", QuizTranslation, "quiz.yaml", "quiz.ko.yaml"),
    ):
        row = model.objects.get(language="ko")
        assert f"<code>{prefix}{english}</code>" in korean
        assert f"<code>{prefix}{translated}</code>" in korean
        assert f'href="{changes_url(kind, row)}"' in korean
    # In curriculum order: the module, its lessons, glossary, quiz; English titles only.
    assert (
        korean.index("module.ko.md")
        < korean.index("01-one.ko.md")
        < korean.index("glossary.ko.yaml")
        < korean.index("quiz.ko.yaml")
    )
    assert "번역" not in korean and "Basics quiz" in korean
    thai_row = LessonTranslation.objects.get(language="th")
    assert f'href="{changes_url("lesson", thai_row)}"' in thai
    assert "glossary" not in thai
    assert "Every translation matches the current English text." in romanian


def test_stale_list_query_count_does_not_grow_with_rows(
    trainer_client, tmp_path, django_assert_max_num_queries
):
    module = write_translated(tmp_path)
    make_all_stale(module, tmp_path)
    with django_assert_max_num_queries(20) as few:
        trainer_client.get(reverse("courses:trainer_content"))
    (module / "02-two.ko.md").write_text(markdown_translation(module / "02-two.md", stale=True))
    (module / "02-two.ro.md").write_text(markdown_translation(module / "02-two.md", stale=True))
    (module / "module.th.md").write_text(markdown_translation(module / "module.md", stale=True))
    content_sync(root=tmp_path)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = trainer_client.get(reverse("courses:trainer_content"))
    assert "02-two.ro.md" in page.text and "module.th.md" in page.text


@pytest.mark.parametrize(
    ("kind", "model", "removed", "added"),
    [
        ("module", ModuleTranslation, None, "A new intro."),
        ("lesson", LessonTranslation, "Body text for one.", "Body text for one, revised."),
        (
            "glossary",
            GlossaryTranslation,
            "    definition: An unspent transaction output.",
            "    definition: An output not yet spent.",
        ),
        ("quiz", QuizTranslation, "    prompt: Pick one", "    prompt: Pick the right one"),
    ],
)
def test_changes_page_diffs_the_english_since_the_version_translated(
    trainer_client, tmp_path, kind, model, removed, added
):
    module = write_translated(tmp_path)
    make_all_stale(module, tmp_path)
    row = model.objects.get(language="ko")

    page = trainer_client.get(changes_url(kind, row))

    assert page.status_code == 200
    assert f'<span class="diff-added"><span class="visually-hidden">added: </span>+ {added}' in (
        page.text
    )
    if removed:
        assert (
            f'<span class="diff-removed"><span class="visually-hidden">removed: </span>- {removed}'
            in page.text
        )
    assert row.source_path in page.text and english_path(row.source_path, "ko") in page.text
    assert "not on record" not in page.text


def test_changes_page_without_the_translated_version_shows_the_current_english(
    trainer_client, tmp_path
):
    module = write_translated(tmp_path)
    make_all_stale(module, tmp_path)
    row = QuizTranslation.objects.get()
    # Translated before the site kept English texts: only today's text is on record.
    SourceSnapshot.objects.filter(sha256__startswith=row.source_hash).delete()

    page = trainer_client.get(changes_url("quiz", row))

    assert "The English version this translation was made from is not on record" in page.text
    assert "prompt: Pick the right one" in page.text and "diff-added" not in page.text


def test_lesson_changes_fall_back_to_lesson_versions(trainer_client, tmp_path):
    module = write_translated(tmp_path)
    make_all_stale(module, tmp_path)
    row = LessonTranslation.objects.get(language="ko")
    SourceSnapshot.objects.filter(path=english_path(row.source_path, "ko")).delete()

    page = trainer_client.get(changes_url("lesson", row))

    # The versions keep the body only: the diff is of the bodies.
    assert (
        '<span class="diff-removed"><span class="visually-hidden">removed: </span>- Body text for one.'
        in page.text
    )
    assert "slug: one" not in page.text


def test_an_up_to_date_translation_has_no_english_changes(trainer_client, tmp_path):
    write_translated(tmp_path)
    page = trainer_client.get(changes_url("glossary", GlossaryTranslation.objects.get()))
    assert "The English text has not changed since this translation was made." in page.text


def test_changes_page_query_count_is_pinned(trainer_client, tmp_path, django_assert_num_queries):
    module = write_translated(tmp_path)
    make_all_stale(module, tmp_path)
    url = changes_url("quiz", QuizTranslation.objects.get())
    trainer_client.get(url)  # the session and the user, as on any page
    # The user and the viewer's memberships (2: the trainer and vetting checks and the menu's
    # roles read them once), the translation with its quiz, module and course (1), both
    # English texts (1). The session comes from Redis and is not written on a read.
    with django_assert_num_queries(4):
        assert trainer_client.get(url).status_code == 200


def test_changes_page_is_404_for_officers_unvetted_trainers_and_unknown_rows(
    client, officer, tmp_path
):
    write_translated(tmp_path)
    url = changes_url("quiz", QuizTranslation.objects.get())
    client.force_login(officer)
    assert client.get(url).status_code == 404
    trainer = MembershipFactory(role=Membership.Role.TRAINER).user
    with_totp(trainer)
    client.force_login(trainer)
    assert client.get(url).status_code == 200
    missing = QuizTranslation.objects.order_by("-pk").first().pk + 1
    for bad in (
        reverse("courses:trainer_translation_changes", args=["quiz", missing]),
        reverse("courses:trainer_translation_changes", args=["course", 1]),
        # A lesson translation's id under another kind is that kind's row, or nothing.
        reverse(
            "courses:trainer_translation_changes",
            args=["glossary", LessonTranslation.objects.get(language="th").pk + 100],
        ),
    ):
        assert client.get(bad).status_code == 404, bad
    # A trainer whose membership is no longer approved fails the vetting check: not found.
    Membership.objects.filter(user=trainer).update(status=Membership.Status.LEFT)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # anonymous: sent to sign in


def test_trainer_pages_speak_the_trainers_language(client, tmp_path):
    module = write_translated(tmp_path)
    make_all_stale(module, tmp_path)
    trainer = MembershipFactory(role=Membership.Role.TRAINER).user
    with_totp(trainer)
    trainer.language = "ko"
    trainer.save()
    client.force_login(trainer)
    listing = client.get(reverse("courses:trainer_content")).text
    assert '<html lang="ko">' in listing
    assert "영어 변경 사항" in listing and "번역 파일" in listing and "용어집" in listing
    changes = client.get(changes_url("quiz", QuizTranslation.objects.get())).text
    assert "번역 이후 영어 변경 사항" in changes and "번역한 영어 버전에서 현재 버전까지" in changes


def test_stale_diagram_translations_are_listed_with_their_english_changes(trainer_client, tmp_path):
    module = write_course(tmp_path)
    media = module / "media"
    media.mkdir()
    english = media / "flow.svg"
    english.write_text(SVG)
    edit(
        module / "01-one.md",
        "Body text for one.",
        "Body text for one.\n\n![A flow](media/flow.svg)",
    )
    (media / "flow.ko.svg").write_text(svg_translation(english))
    (media / "flow.th.svg").write_text(svg_translation(english))
    content_sync(root=tmp_path)
    assert not DiagramTranslation.objects.filter(is_stale=True).exists()
    assert SourceSnapshot.objects.filter(path__endswith="media/flow.svg").count() == 1

    english.write_text(SVG.replace("Victim", "Victim\n").replace("wallet", "exchange"))
    (media / "flow.th.svg").write_text(svg_translation(english))  # Thai brought up to date
    content_sync(root=tmp_path)

    korean = DiagramTranslation.objects.get(language="ko")
    assert korean.is_stale and not DiagramTranslation.objects.get(language="th").is_stale
    listing = trainer_client.get(reverse("courses:trainer_content")).text
    assert listing.count(f'href="{changes_url("diagram", korean)}"') == 1
    assert f"<code>{korean.source_path}</code>" in listing and "flow.th.svg" not in listing
    page = trainer_client.get(changes_url("diagram", korean)).text
    assert (
        '<span class="visually-hidden">added: </span>+  &lt;tspan&gt;exchange&lt;/tspan&gt;' in page
    )
    (media / "flow.ko.svg").unlink()
    content_sync(root=tmp_path)
    assert list(DiagramTranslation.objects.values_list("language", flat=True)) == ["th"]


def test_learners_still_see_a_stale_lesson_translations_notice(client, officer, tmp_path):
    module = write_translated(tmp_path)
    make_all_stale(module, tmp_path)
    lesson = LessonTranslation.objects.get(language="ko").lesson
    enrollment_create(user=officer, course=lesson.module.course)
    officer.language = "ko"
    officer.save()
    client.force_login(officer)
    page = client.get(lesson.get_absolute_url()).text
    assert '<p class="message message-warning" role="note">' in page and "번역" in page
    (module / "01-one.ko.md").write_text(markdown_translation(module / "01-one.md"))
    content_sync(root=tmp_path)
    assert "message-warning" not in client.get(lesson.get_absolute_url()).text
