"""The parts of a course that became translatable with issue 15: lesson objectives, ordering
items and matching pairs, and diagrams (media/NAME.<lang>.svg)."""

import hashlib
from pathlib import Path

import pytest
from django.urls import reverse

from assessments.models import Attempt, Quiz
from assessments.services import attempt_start
from courses.models import ContentAsset, Course, Lesson, LessonTranslation
from courses.pipeline.sync import content_sync
from courses.services import enrollment_create
from tests.courses.test_content import write_course
from tests.courses.test_pipeline import GLOSSARY, SVG, errors_for, lesson_text

OBJECTIVES = (
    "objectives:\n"
    "  - id: read-keys\n    text: Read a key.\n"
    "  - id: read-hash\n    text: Read a hash.\n"
)

QUIZ = """\
slug: basics-quiz
title: Basics quiz
pass_mark: 70
questions:
  - key: q1
    type: ordering
    objective: read-keys
    prompt: Put the steps in order.
    items:
      - {key: a, text: Collect the hashes}
      - {key: b, text: Identify the chain}
  - key: q2
    type: matching
    objective: read-hash
    prompt: Match each term.
    pairs:
      - {key: a, left: Hash, right: A fingerprint of a transaction}
      - {key: b, left: Key, right: A secret number}
"""


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def korean_quiz(module: Path, *, items: str = "", pairs: str = "") -> str:
    return (
        f'source_hash: "{digest(module / "quiz.yaml")}"\ntitle: 기초 평가\nquestions:\n'
        f"  - key: q1\n    prompt: 단계를 순서대로 놓으십시오.\n{items}"
        f"  - key: q2\n    prompt: 각 용어를 연결하십시오.\n{pairs}"
    )


KOREAN_ITEMS = "    items: {a: 해시를 수집합니다, b: 체인을 식별합니다}\n"
KOREAN_PAIRS = (
    "    pairs:\n"
    "      a: {left: 해시, right: 트랜잭션의 지문}\n"
    "      b: {left: 키, right: 비밀 숫자}\n"
)


def course_with_objectives(root: Path) -> Path:
    module = write_course(root, quiz=QUIZ)
    (module / "01-one.md").write_text(lesson_text("Text.", extra=OBJECTIVES))
    return module


def korean_lesson(module: Path, objectives: str) -> None:
    (module / "01-one.ko.md").write_text(
        f'---\ntitle: 하나\nsource_hash: "{digest(module / "01-one.md")}"\n{objectives}---\n본문.\n'
    )


# -- lesson objectives ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "objectives",
    [
        "objectives:\n  read-keys: 키를 읽습니다.\n",  # one id missing
        "objectives:\n  read-keys: 키\n  read-hash: 해시\n  other: 기타\n",  # an extra id
        "objectives:\n  - 키를 읽습니다.\n  - 해시를 읽습니다.\n",  # a list, not a mapping
        "objectives:\n  read-keys: 키\n  read-hash: ''\n",  # an empty text
    ],
)
def test_lesson_translation_objectives_must_map_every_english_id(tmp_path, objectives):
    module = course_with_objectives(tmp_path)
    korean_lesson(module, objectives)
    found = errors_for(tmp_path)
    assert any(
        "01-one.ko.md:4: 'objectives' must map each objective id of the English lesson" in e
        and "read-keys, read-hash" in e
        for e in found
    ), found


@pytest.mark.django_db
def test_lesson_page_shows_translated_objectives_and_marks_english_ones(tmp_path, client, officer):
    module = course_with_objectives(tmp_path)
    korean_lesson(
        module, "objectives:\n  read-keys: 키를 읽습니다.\n  read-hash: 해시를 읽습니다.\n"
    )
    content_sync(root=tmp_path)
    officer.language = "ko"
    officer.save(update_fields=["language"])
    enrollment_create(user=officer, course=Course.objects.get(slug="basics"))
    client.force_login(officer)
    lesson = Lesson.objects.get(slug="one")
    translation = LessonTranslation.objects.get(lesson=lesson)
    assert translation.objectives == {
        "read-keys": "키를 읽습니다.",
        "read-hash": "해시를 읽습니다.",
    }

    page = client.get(lesson.get_absolute_url()).content.decode()
    assert "<li>키를 읽습니다.</li>" in page and "<li>해시를 읽습니다.</li>" in page
    assert "Read a key." not in page

    # Without translated objectives the English ones show, each marked as English.
    korean_lesson(module, "")
    content_sync(root=tmp_path)
    assert LessonTranslation.objects.get(lesson=lesson).objectives is None
    page = client.get(lesson.get_absolute_url()).content.decode()
    assert '<li lang="en">Read a key.</li>' in page


# -- ordering items and matching pairs -----------------------------------------------------


@pytest.mark.parametrize(
    "items, pairs, message",
    [
        (
            "    items: {a: 해시를 수집합니다}\n",
            "",
            "'items' must map exactly the keys a, b of the English question to text",
        ),
        (
            "",
            "    pairs: {a: {left: 해시}, b: {left: 키, right: 비밀}}\n",
            "'pairs' must map exactly the keys a, b of the English question to {left, right}",
        ),
        (
            "    pairs: {a: x, b: y}\n",
            "",
            "'pairs' must map exactly the keys (none) of the English question",
        ),
    ],
)
def test_quiz_translation_items_and_pairs_are_checked(tmp_path, items, pairs, message):
    module = course_with_objectives(tmp_path)
    (module / "quiz.ko.yaml").write_text(korean_quiz(module, items=items, pairs=pairs))
    found = errors_for(tmp_path)
    assert any("quiz.ko.yaml" in e and message in e for e in found), found


@pytest.mark.django_db
def test_attempt_and_review_show_translated_items_and_pairs(tmp_path, client, officer):
    module = course_with_objectives(tmp_path)
    (module / "quiz.ko.yaml").write_text(
        korean_quiz(module, items=KOREAN_ITEMS, pairs=KOREAN_PAIRS)
    )
    assert errors_for(tmp_path) == []
    content_sync(root=tmp_path)
    officer.language = "ko"
    officer.save(update_fields=["language"])
    course = Course.objects.get(slug="basics")
    enrollment = enrollment_create(user=officer, course=course)
    quiz = Quiz.objects.get(slug="basics-quiz")
    attempt = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
    client.force_login(officer)

    page = client.get(reverse("assessments:attempt", args=[attempt.pk])).content.decode()
    for text in (
        "해시를 수집합니다",
        "체인을 식별합니다",
        "해시",
        "키",
        "트랜잭션의 지문",
        "비밀 숫자",
    ):
        assert text in page
    for english in ("Collect the hashes", "A fingerprint of a transaction", ">Key<"):
        assert english not in page

    client.post(
        reverse("assessments:attempt", args=[attempt.pk]),
        {"q_q1__a": "1", "q_q1__b": "2", "q_q2__a": "a", "q_q2__b": "b", "submit": "1"},
    )
    attempt = Attempt.objects.get(pk=attempt.pk)
    assert attempt.status == Attempt.Status.GRADED and attempt.passed
    result = client.get(reverse("assessments:result", args=[attempt.pk])).content.decode()
    assert "해시를 수집합니다 → 체인을 식별합니다" in result
    assert "해시 = 트랜잭션의 지문; 키 = 비밀 숫자" in result


# -- diagrams ------------------------------------------------------------------------------


def svg_course(root: Path) -> Path:
    module = write_course(root)
    (module / "media").mkdir()
    (module / "media" / "flow.svg").write_text(SVG)
    (module / "01-one.md").write_text(lesson_text("![A flow](media/flow.svg)"))
    (module / "01-one.ko.md").write_text(
        f'---\ntitle: 하나\nsource_hash: "{digest(module / "01-one.md")}"\n---\n'
        "![흐름](media/flow.svg)\n"
    )
    (module / "01-one.th.md").write_text(
        f'---\ntitle: หนึ่ง\nsource_hash: "{digest(module / "01-one.md")}"\n---\n'
        "![การไหล](media/flow.svg)\n"
    )
    return module


KOREAN_SVG = SVG.replace("<title>Flow</title>", "<title>흐름</title>")


@pytest.mark.django_db
def test_translated_page_uses_the_translated_diagram_or_says_it_is_english(tmp_path):
    module = svg_course(tmp_path)
    (module / "media" / "flow.ko.svg").write_text(KOREAN_SVG)
    content_sync(root=tmp_path)

    lesson = Lesson.objects.get(slug="one")
    english_url = reverse("courses:media", args=["basics", "01-module/media/flow.svg"])
    korean_url = reverse("courses:media", args=["basics", "01-module/media/flow.ko.svg"])
    assert f'src="{english_url}"' in lesson.current_version.body_html
    assert "figure-note" not in lesson.current_version.body_html
    korean = lesson.translations.get(language="ko").body_html
    assert f'src="{korean_url}"' in korean and "figure-note" not in korean
    thai = lesson.translations.get(language="th").body_html
    assert f'src="{english_url}"' in thai
    assert '<span class="figure-note">แผนภาพนี้ยังไม่ได้แปล' in thai
    stored = ContentAsset.objects.get(path="01-module/media/flow.ko.svg")
    assert bytes(stored.data) == KOREAN_SVG.encode()


def test_translated_diagram_is_checked_like_the_english_one(tmp_path):
    module = svg_course(tmp_path)
    (module / "media" / "flow.ko.svg").write_text(
        KOREAN_SVG.replace("<rect", "<script>alert(1)</script><rect")
    )
    found = errors_for(tmp_path)
    assert any("media/flow.ko.svg:1: SVG must not contain <script>" in e for e in found), found


# -- glossary links in tables --------------------------------------------------------------


@pytest.mark.django_db
def test_glossary_links_in_tables_escape_the_bar(tmp_path):
    module = write_course(tmp_path)
    (module / "glossary.yaml").write_text(GLOSSARY)
    table = "| Step | Where |\n|---|---|\n| one | a [[UTXO\\|spent output]] here |\n"
    (module / "01-one.md").write_text(lesson_text(table))
    assert errors_for(tmp_path) == []
    content_sync(root=tmp_path)
    html = Lesson.objects.get(slug="one").current_version.body_html
    assert ">spent output</a> here</td>" in html

    # The plain bar used to end the cell and drop the rest of the row without a word.
    (module / "01-one.md").write_text(lesson_text(table.replace("\\|", "|")))
    assert errors_for(tmp_path) == [
        f"{tmp_path.name}/courses/basics/01-module/01-one.md:9: in a table, '|' ends the "
        "cell: write the glossary link as [[Term\\|shown text]]"
    ]
