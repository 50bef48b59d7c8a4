"""Translation coverage (sync_content --check --translations) and translated diagrams."""

import hashlib
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from courses.pipeline.coverage import (
    QUIZ_TEXT_KEYS,
    LanguageCoverage,
    svg_words,
    translation_coverage,
    yaml_words,
)
from courses.pipeline.media import svg_source_hash
from courses.pipeline.sync import content_validate
from tests.courses.test_content import write_course
from tests.courses.test_editorial import write_reviewed_course
from tests.courses.test_pipeline import GLOSSARY, lesson_text

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50"><title>Flow</title>'
    '<text x="1" y="9">Victim <tspan>wallet</tspan></text></svg>\n'
)


def short_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def markdown_translation(english: Path, body: str = "본문", *, stale: bool = False) -> str:
    """A translation of a lesson or module.md; a lesson's objectives are translated too (the
    editorial review asks for every one of them)."""
    digest = "0" * 12 if stale else short_hash(english)
    front = yaml.safe_load(english.read_text().split("---\n")[1]) or {}
    objectives = "".join(
        f"  {item['id']}: 번역된 목표\n"
        for item in front.get("objectives") or []
        if isinstance(item, dict) and "id" in item
    )
    objectives = f"objectives:\n{objectives}" if objectives else ""
    return f'---\ntitle: 번역\nsource_hash: "{digest}"\n{objectives}---\n{body}\n'


def svg_translation(english: Path, *, digest: str | None = None) -> str:
    comment = f'<!-- source_hash: "{digest or short_hash(english)}" -->'
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + comment + "\n" + SVG.replace("Flow", "흐름")


def write_tree(root: Path) -> Path:
    """A module with module.md, two lessons (one showing a diagram), a glossary and a quiz:
    6 English files to translate."""
    module = write_course(root)
    (module / "glossary.yaml").write_text(GLOSSARY)
    (module / "media").mkdir()
    (module / "media" / "flow.svg").write_text(SVG)
    (module / "01-one.md").write_text(lesson_text("Intro.\n\n![A flow](media/flow.svg)"))
    return module


def quiz_translation(english: Path) -> str:
    """Every English question's prompt and choices, translated (in name) and up to date."""
    questions = [
        {
            "key": question["key"],
            "prompt": "번역된 질문",
            **(
                {"choices": {choice["key"]: "번역" for choice in question["choices"]}}
                if "choices" in question
                else {}
            ),
        }
        for question in yaml.safe_load(english.read_text())["questions"]
    ]
    return yaml.safe_dump(
        {"source_hash": short_hash(english), "title": "퀴즈", "questions": questions},
        allow_unicode=True,
    )


def translate_all(module: Path, language: str) -> None:
    """Every English file of the module (lessons, module.md, glossary, quiz, flow.svg),
    translated into language and up to date."""
    for english in sorted(module.glob("*.md")):
        if len(english.name.split(".")) == 2:
            (module / f"{english.stem}.{language}.md").write_text(markdown_translation(english))
    (module / f"glossary.{language}.yaml").write_text(
        f'source_hash: "{short_hash(module / "glossary.yaml")}"\n'
        "terms:\n  - term: UTXO\n    name: 미사용 출력\n    definition: 쓰이지 않은 출력.\n"
    )
    (module / f"quiz.{language}.yaml").write_text(quiz_translation(module / "quiz.yaml"))
    (module / "media" / f"flow.{language}.svg").write_text(
        svg_translation(module / "media" / "flow.svg")
    )


def write_reviewed_tree(root: Path) -> Path:
    """write_reviewed_course (it passes the editorial review of --check), with a glossary and
    a diagram: 6 English files to translate."""
    module = write_reviewed_course(root)
    (module / "glossary.yaml").write_text(GLOSSARY)
    (module / "media").mkdir()
    (module / "media" / "flow.svg").write_text(SVG)
    keys = module / "01-keys.md"
    keys.write_text(keys.read_text() + "\n![A flow](media/flow.svg)\n")
    # The terminology base the review checks glossary translations against (translate_all's
    # name for UTXO).
    (root / "terminology").mkdir()
    for language in ("ko", "th", "ro"):
        (root / "terminology" / f"{language}.yaml").write_text(
            f"language: {language}\nterms:\n- en: UTXO\n  approved: 미사용 출력\n"
        )
    return module


def coverage_of(root: Path) -> dict:
    courses, errors = content_validate(root=root)
    assert errors == []
    return {result.language: result for result in translation_coverage(courses, root)}


def test_words_are_counted_in_bodies_yaml_text_values_and_diagram_text():
    assert svg_words(SVG.encode()) == 3  # Flow, Victim, wallet
    quiz = {"title": "Basics quiz", "slug": "not-counted", "questions": [
        {"key": "q1", "prompt": "Pick one", "choices": [{"key": "a", "text": "Right"}],
         "items": [{"key": "a", "text": "First step"}], "pairs": [{"left": "L x", "right": "R"}],
         "explanation": "Because."}
    ]}  # fmt: skip
    assert yaml_words(quiz, QUIZ_TEXT_KEYS) == 2 + 2 + 1 + 2 + 3 + 1


def test_coverage_counts_files_words_stale_and_missing(tmp_path):
    module = write_tree(tmp_path)
    translate_all(module, "ko")
    (module / "01-one.ko.md").write_text(markdown_translation(module / "01-one.md", stale=True))
    (module / "media" / "flow.ko.svg").write_text(
        svg_translation(module / "media" / "flow.svg", digest="0" * 12)
    )
    (module / "02-two.th.md").write_text(markdown_translation(module / "02-two.md"))

    result = coverage_of(tmp_path)

    # module.md 0 words, 01-one 6 (Intro A flow media flow svg), 02-two 5, glossary 16,
    # quiz 6, flow.svg 3.
    total = 0 + 6 + 5 + 16 + 6 + 3
    prefix = f"{tmp_path.name}/courses/basics/01-module/"
    assert str(result["ko"]) == f"ko: 6/6 files, {total}/{total} words, 2 stale, 0 missing"
    assert result["ko"].stale == [prefix + "01-one.md", prefix + "media/flow.svg"]
    assert str(result["th"]) == f"th: 1/6 files, 5/{total} words, 0 stale, 5 missing"
    assert result["ro"].missing == [
        prefix + name
        for name in ("module.md", "01-one.md", "02-two.md", "glossary.yaml", "quiz.yaml")
    ] + [prefix + "media/flow.svg"]


def test_an_unused_diagram_and_course_md_are_not_counted(tmp_path):
    module = write_course(tmp_path, quiz=None)
    (module / "media").mkdir()
    (module / "media" / "unused.svg").write_text(SVG)
    result = coverage_of(tmp_path)
    assert result["ko"].total_files == 3  # module.md and two lessons


def test_check_translations_prints_coverage_and_fails_on_a_missing_file(tmp_path, capsys):
    module = write_reviewed_tree(tmp_path)
    for language in ("ko", "th", "ro"):
        translate_all(module, language)
    words = coverage_of(tmp_path)["th"].total_words
    quiz_words = yaml_words(yaml.safe_load((module / "quiz.yaml").read_text()), QUIZ_TEXT_KEYS)
    (module / "quiz.th.yaml").unlink()
    with pytest.raises(CommandError, match="1 translation"):
        call_command("sync_content", "--check", "--translations", "--path", str(tmp_path))
    out, err = capsys.readouterr()
    assert f"ko: 6/6 files, {words:,}/{words:,} words, 0 stale, 0 missing" in out
    assert f"th: 5/6 files, {words - quiz_words:,}/{words:,} words, 0 stale, 1 missing" in out
    assert err.strip() == f"missing th: {tmp_path.name}/courses/basics/01-module/quiz.yaml"


def test_check_translations_passes_when_every_file_is_translated(tmp_path, capsys):
    module = write_reviewed_tree(tmp_path)
    for language in ("ko", "th", "ro"):
        translate_all(module, language)
    words = coverage_of(tmp_path)["ro"].total_words
    (module / "02-blocks.md").write_text((module / "02-blocks.md").read_text() + "\nMore.\n")
    call_command("sync_content", "--check", "--translations", "--path", str(tmp_path))
    out = capsys.readouterr().out
    # A stale translation still covers its file: it is counted, not a failure.
    assert f"ro: 6/6 files, {words + 1:,}/{words + 1:,} words, 1 stale, 0 missing" in out


def test_check_alone_ignores_missing_translations(tmp_path, capsys):
    write_reviewed_tree(tmp_path)
    call_command("sync_content", "--check", "--path", str(tmp_path))
    assert "files" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('<!-- source_hash: "3fa2b1c09d4e" -->\n<svg/>', "3fa2b1c09d4e"),
        ('<?xml version="1.0"?>\n<!-- source_hash: "3fa2b1c09d4e" -->\n<svg/>', "3fa2b1c09d4e"),
        ('<?xml version="1.0"?>\n<svg/>\n<!-- source_hash: "3fa2b1c09d4e" -->', None),
        ('<!-- source_hash: "3FA2B1C09D4E" -->\n<svg/>', None),
        ('<!-- source_hash: "3fa2b1" -->\n<svg/>', None),
        ("<!-- source_hash: 3fa2b1c09d4e -->\n<svg/>", None),
        ("<svg/>", None),
    ],
)
def test_svg_source_hash_reads_the_comment_on_the_first_or_second_line(text, expected):
    assert svg_source_hash(text.encode()) == expected


def test_check_reports_broken_translated_diagrams(tmp_path, capsys):
    module = write_tree(tmp_path)
    media = module / "media"
    (media / "flow.ko.svg").write_text(SVG)  # no source_hash comment
    (media / "flow.th.svg").write_text(
        svg_translation(media / "flow.svg").replace("<title>", "<script>x</script><title>")
    )
    (media / "gone.ro.svg").write_text(svg_translation(media / "flow.svg"))
    with pytest.raises(CommandError, match="3 content error"):
        call_command("sync_content", "--check", "--path", str(tmp_path))
    err = capsys.readouterr().err
    media_rel = f"{tmp_path.name}/courses/basics/01-module/media"
    assert f"{media_rel}/flow.ko.svg:1: the first or second line must be the comment" in err
    assert f"{media_rel}/flow.th.svg:1: SVG must not contain <script>" in err
    assert f"{media_rel}/gone.ro.svg:1: translates 'gone.svg', which does not exist" in err


def test_a_valid_translated_diagram_passes_the_check(tmp_path):
    module = write_tree(tmp_path)
    translate_all(module, "ko")
    assert content_validate(root=tmp_path)[1] == []


def test_coverage_line_groups_thousands():
    line = LanguageCoverage("ko", files=96, total_files=96, words=84210, total_words=84210)
    assert str(line) == "ko: 96/96 files, 84,210/84,210 words, 0 stale, 0 missing"


def test_translations_option_needs_check(tmp_path):
    write_tree(tmp_path)
    with pytest.raises(CommandError, match="--translations goes with --check"):
        call_command("sync_content", "--translations", "--path", str(tmp_path))
