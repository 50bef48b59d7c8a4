"""The editorial review of translations (sync_content --check): the terminology base per
language and Romanian number formats."""

import hashlib
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from courses.pipeline.editorial import content_review
from courses.pipeline.sync import content_validate
from courses.pipeline.translation_review import (
    number_problems,
    terminology_errors,
    terminology_warnings,
    untranslated_parts,
)
from tests.courses.test_content import write_course
from tests.courses.test_editorial import write_reviewed_course
from tests.courses.test_pipeline import GLOSSARY, lesson_text


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


BASE_KO = """\
language: ko
terms:
  - en: UTXO
    approved: 미사용 트랜잭션 출력
    note: Bitcoin's unit of value.
  - en: Change address
    approved: 거스름돈 주소
    variants: [거스름돈]
    source: module 1 glossary
"""


def tree(
    root: Path, *, base: str | None = BASE_KO, names=("미사용 트랜잭션 출력(UTXO)", "거스름돈 주소")
):
    module = write_course(root)
    (module / "glossary.yaml").write_text(GLOSSARY)
    (module / "01-one.md").write_text(lesson_text("A [[UTXO]] and a [[change address]]."))
    (module / "glossary.ko.yaml").write_text(
        f'source_hash: "{digest(module / "glossary.yaml")}"\nterms:\n'
        f"  - term: UTXO\n    name: {names[0]}\n    definition: 미사용 출력.\n"
        f"  - term: Change address\n    name: {names[1]}\n    definition: 남은 금액.\n"
    )
    if base is not None:
        (root / "terminology").mkdir()
        (root / "terminology" / "ko.yaml").write_text(base)
    return module


def korean_lesson(module: Path, body: str) -> None:
    (module / "01-one.ko.md").write_text(
        f'---\ntitle: 하나\nsource_hash: "{digest(module / "01-one.md")}"\n---\n{body}\n'
    )


def parsed(root: Path):
    courses, errors = content_validate(root=root)
    assert errors == []
    return courses


def test_glossary_names_must_use_the_approved_term(tmp_path):
    tree(tmp_path, names=("미사용 출력(UTXO)", "거스름돈 주소(change address)"))
    found = [str(e) for e in terminology_errors(parsed(tmp_path))]
    assert found == [
        f"{tmp_path.name}/courses/basics/01-module/glossary.ko.yaml:4: 'name' must use the "
        "approved translation of 'UTXO': '미사용 트랜잭션 출력' (content/terminology/ko.yaml)"
    ]


def test_a_translated_glossary_term_needs_an_entry_in_the_base(tmp_path):
    tree(tmp_path, base=BASE_KO.split("  - en: Change address")[0])
    found = [str(e) for e in terminology_errors(parsed(tmp_path))]
    assert len(found) == 1
    assert "glossary.ko.yaml:7: the glossary term 'Change address' has no approved" in found[0]


def test_a_language_without_a_base_fails_for_its_glossary(tmp_path):
    tree(tmp_path, base=None)
    assert len(terminology_errors(parsed(tmp_path))) == 2


@pytest.mark.parametrize(
    "base, message",
    [
        (BASE_KO.replace("language: ko", "language: th"), "ko.yaml:1: 'language' must be 'ko'"),
        (BASE_KO + "    colour: red\n", "ko.yaml:10: unknown key 'colour'"),
        (BASE_KO.replace("approved: 거스름돈 주소", "approved: ''"), "'approved' (the approved"),
        (BASE_KO + "  - en: utxo\n    approved: x\n", "'utxo' is listed twice (also line 3)"),
        (BASE_KO.replace("[거스름돈]", "거스름돈"), "'variants' must be a list of text"),
    ],
)
def test_terminology_files_are_checked(tmp_path, base, message):
    tree(tmp_path, base=base)
    found = [str(e) for e in terminology_errors(parsed(tmp_path))]
    assert any(message in e for e in found), found


def test_lessons_get_warnings_not_errors_for_unapproved_terms(tmp_path):
    module = tree(tmp_path)
    korean_lesson(module, "[[UTXO|UTXO]]와 [[change address|잔돈 주소]].")
    courses = parsed(tmp_path)
    assert terminology_errors(courses) == []
    warnings = [str(w) for w in terminology_warnings(courses)]
    assert any(
        "01-one.ko.md:5: warning: the link to 'UTXO' shows 'UTXO', not the approved "
        "'미사용 트랜잭션 출력'" in w
        for w in warnings
    ), warnings
    assert any(
        "01-one.ko.md:5: warning: the English uses the glossary term 'Change address'" in w
        for w in warnings
    ), warnings

    korean_lesson(module, "[[UTXO|미사용 트랜잭션 출력(UTXO)]]와 [[change address|거스름돈]].")
    assert terminology_warnings(parsed(tmp_path)) == []


KEYS_OBJECTIVES = "objectives:\n  explain-keys: x\n  derive-address: y\n"


def test_check_prints_warnings_and_passes(tmp_path, capsys):
    module = write_reviewed_course(tmp_path)
    (module / "glossary.yaml").write_text(GLOSSARY)
    english = module / "01-keys.md"
    english.write_text(english.read_text().replace("## Keys", "## Keys\n\nA [[UTXO]]."))
    (module / "01-keys.ko.md").write_text(
        f'---\ntitle: 키\nsource_hash: "{digest(english)}"\n{KEYS_OBJECTIVES}---\n'
        "[[UTXO|UTXO]] 서명[^fips-186-5].\n"
    )
    (tmp_path / "terminology").mkdir()
    (tmp_path / "terminology" / "ko.yaml").write_text(BASE_KO)
    call_command("sync_content", "--check", "--path", str(tmp_path))
    captured = capsys.readouterr()
    assert "content OK" in captured.out
    assert "01-keys.ko.md:8: warning: the link to 'UTXO' shows 'UTXO'" in captured.err


# -- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, found",
    [
        ("Victima a trimis 2,500 USDT.", [(1, "2,500")]),
        ("Pierderi de 1,234,567 USD", [(1, "1,234,567")]),
        ("Aproximativ 3.6 miliarde de dolari", [(1, "3.6 miliard")]),
        ("o intrare de\n0.05 BTC", [(2, "0.05 BTC")]),
        ("comision de 15.5%", [(1, "15.5%")]),
        ("Victima a trimis 2.500 USDT, adică 3,6 miliarde", []),
        ("0,125 BTC și 0,205 BTC", []),  # decimals with three digits
        ("Data: 21.02.2025, ora 14.30", []),
        ("Adresa `0x1,234` și ```\nvalue 2,500\n```", []),
        ("Vedeți [raportul](https://example.org/a,123/2.50%) sau <https://x.org/1,000>", []),
        ("secțiunea 4.2 din ghid", []),
    ],
)
def test_romanian_number_style(text, found):
    assert number_problems(text) == found


def test_romanian_translations_are_checked_and_korean_ones_are_not(tmp_path):
    module = write_course(tmp_path)
    english = module / "01-one.md"
    for language, body in (
        ("ro", "Victima a trimis 2,500 USDT."),
        ("ko", "2,500 USDT를 보냈습니다."),
    ):
        (module / f"01-one.{language}.md").write_text(
            f'---\ntitle: Unu\nsource_hash: "{digest(english)}"\n---\n{body}\n'
        )
    (module / "quiz.ro.yaml").write_text(
        f'source_hash: "{digest(module / "quiz.yaml")}"\ntitle: Test\nquestions:\n'
        "  - key: q1\n    prompt: Alegeți 1,000 sau 1.000\n    choices: {a: Corect, b: Greșit}\n"
    )
    found = [str(e) for e in content_review(parsed(tmp_path)) if "Romanian writes" in str(e)]
    assert len(found) == 2, found
    assert "01-one.ro.md:5: '2,500': Romanian writes 2.500 and 3,6" in found[0] + found[1]
    assert "quiz.ro.yaml:5: '1,000'" in found[0] + found[1]
    with pytest.raises(CommandError):
        call_command("sync_content", "--check", "--path", str(tmp_path))


def test_number_errors_fail_the_check(tmp_path):
    module = write_reviewed_course(tmp_path)
    english = module / "01-keys.md"
    (module / "01-keys.ro.md").write_text(
        f'---\ntitle: Chei\nsource_hash: "{digest(english)}"\n{KEYS_OBJECTIVES}---\n'
        "Standardul[^fips-186-5] a costat 2,500 USD.\n"
    )
    with pytest.raises(CommandError, match="1 content error"):
        call_command("sync_content", "--check", "--path", str(tmp_path))


# -- parts left in English -----------------------------------------------------------------


def test_the_check_requires_objectives_items_and_pairs_in_translations(tmp_path):
    from tests.courses.test_translated_parts import (
        KOREAN_ITEMS,
        KOREAN_PAIRS,
        course_with_objectives,
        korean_lesson,
        korean_quiz,
    )

    module = course_with_objectives(tmp_path)
    korean_lesson(module, "")
    (module / "quiz.ko.yaml").write_text(korean_quiz(module, items=KOREAN_ITEMS))
    found = [str(e) for e in untranslated_parts(parsed(tmp_path))]
    assert found == [
        f"{tmp_path.name}/courses/basics/01-module/01-one.ko.md:1: 'objectives' is required: "
        "the lesson's objectives by id (read-keys, read-hash)",
        f"{tmp_path.name}/courses/basics/01-module/quiz.ko.yaml:7: question 'q2' needs "
        "'pairs': its texts are not translated",
    ]

    korean_lesson(module, "objectives:\n  read-keys: 키\n  read-hash: 해시\n")
    (module / "quiz.ko.yaml").write_text(
        korean_quiz(module, items=KOREAN_ITEMS, pairs=KOREAN_PAIRS)
    )
    assert untranslated_parts(parsed(tmp_path)) == []
