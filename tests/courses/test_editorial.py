"""The editorial review (sync_content --check): review dates, objectives and sources on every
lesson, sources rendered as footnotes, and the quiz rules (objective coverage, the
longest-answer cue, knowledge checks repeated in the quiz, pool depth)."""

import textwrap
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from courses.models import Lesson
from courses.pipeline.editorial import content_review
from courses.pipeline.render import render_content
from courses.pipeline.sync import content_sync, content_validate
from courses.pipeline.validate import load_content
from courses.services import enrollment_create

KEYS = """\
---
slug: keys
title: Keys and addresses
order: 1
minutes: 10
access: public
reviewed: 2026-12-01
objectives:
  - id: explain-keys
    text: Explain what a private key controls.
  - id: derive-address
    text: Say how an address is derived from a public key.
sources:
  - id: fips-186-5
    publisher: National Institute of Standards and Technology (NIST)
    title: "Digital Signature Standard (DSS), FIPS 186-5"
    date: 2023-02-03
    url: https://doi.org/10.6028/NIST.FIPS.186-5
    kind: standard
---
## Keys

Signatures follow a published standard[^fips-186-5].

```check
question: Who can move funds held by an address?
choices:
  - text: Whoever holds its private key
    correct: true
  - text: The exchange that listed the coin
```
"""

BLOCKS = """\
---
slug: blocks
title: Blocks
order: 2
minutes: 10
access: public
reviewed: 2026-12-01
objectives:
  - id: read-height
    text: Read a block's height from an explorer.
  - id: count-confirmations
    text: Count a transaction's confirmations.
sources:
  - id: nakamoto-2008
    publisher: Satoshi Nakamoto
    title: "Bitcoin: A Peer-to-Peer Electronic Cash System"
    date: 2008-10-31
    url: https://bitcoin.org/bitcoin.pdf
    note: The original description of proof-of-work blocks.
---
## Blocks

Blocks are chained by proof of work[^nakamoto-2008].

```check
question: What does a block's height count?
choices:
  - text: The blocks before it
    correct: true
  - text: Its size in bytes
```
"""


def single(key: str, objective: str, right: str, wrong: str, prompt: str | None = None) -> str:
    return textwrap.indent(
        textwrap.dedent(f"""\
            - key: {key}
              type: single
              objective: {objective}
              prompt: {prompt or f"Question {key} about {objective}?"}
              choices:
                - {{key: a, text: "{right}", correct: true}}
                - {{key: b, text: "{wrong}"}}
            """),
        "  ",
    )


QUIZ = (
    "slug: basics-quiz\ntitle: Basics quiz\npass_mark: 70\ndraw: 2\n"
    "attempts_per_day: 3\ncooldown_minutes: 30\nfeedback: after_pass\nquestions:\n"
    + single("q1", "explain-keys", "The key holder", "Anyone who knows the address")
    + single("q2", "derive-address", "By hashing it", "By encrypting it with the private key")
    + single("q3", "read-height", "Its position", "The number of transactions it holds")
    + "  - key: q4\n    type: numeric\n    objective: count-confirmations\n"
    "    prompt: A transaction is in block 100 and the tip is block 105. How many confirmations?\n"
    "    answer: 6\n" + "  - key: q5\n    type: true_false\n    objective: explain-keys\n"
    "    prompt: Losing the private key loses control of the funds.\n    answer: true\n"
)


def write_reviewed_course(root: Path, *, quiz: str = QUIZ) -> Path:
    """A small course that meets the editorial bar; tests break one rule at a time."""
    course = root / "courses" / "basics"
    module = course / "01-module"
    module.mkdir(parents=True)
    (course / "course.md").write_text(
        "---\nslug: basics\ntitle: Basics\nlanguage: en\norder: 1\n---\nIntro.\n"
    )
    (module / "module.md").write_text(
        "---\nslug: module-one\ntitle: Module one\norder: 1\n---\nIntroduction.\n"
    )
    (module / "01-keys.md").write_text(KEYS)
    (module / "02-blocks.md").write_text(BLOCKS)
    (module / "quiz.yaml").write_text(quiz)
    return module


def review(root: Path) -> list[str]:
    courses, errors = content_validate(root=root)
    assert errors == [], errors
    return [str(error) for error in content_review(courses)]


def test_a_course_that_meets_the_bar_passes_the_check(tmp_path, capsys):
    write_reviewed_course(tmp_path)
    call_command("sync_content", "--check", "--path", str(tmp_path))
    assert "content OK: 1 course(s), 2 lesson(s)" in capsys.readouterr().out


@pytest.mark.parametrize("key", ["reviewed", "objectives", "sources"])
def test_each_lesson_key_is_required_by_the_check_but_not_by_the_import(tmp_path, key):
    module = write_reviewed_course(tmp_path)
    text = (module / "02-blocks.md").read_text()
    start = text.index(f"{key}:")
    end = min(
        (
            text.index(f"\n{other}:", start)
            for other in ("objectives", "sources")
            if f"\n{other}:" in text[start:]
        ),
        default=text.index("\n---\n", start),
    )
    stripped = text[:start] + text[end + 1 :]
    if key == "sources":
        stripped = stripped.replace("[^nakamoto-2008]", "")
    if key == "objectives":
        (module / "quiz.yaml").write_text(
            QUIZ.replace("objective: read-height", "objective: explain-keys").replace(
                "objective: count-confirmations", "objective: derive-address"
            )
        )
    (module / "02-blocks.md").write_text(stripped)

    assert any(f"02-blocks.md:1: '{key}' is required" in e for e in review(tmp_path))
    with pytest.raises(CommandError):
        call_command("sync_content", "--check", "--path", str(tmp_path))
    _courses, errors = content_validate(root=tmp_path)
    assert errors == []  # the import itself still accepts the lesson


def test_sources_become_numbered_footnotes_in_english_and_in_translations(tmp_path):
    module = write_reviewed_course(tmp_path)
    (module / "01-keys.ko.md").write_text(
        '---\ntitle: 키와 주소\nsource_hash: "00000000"\n---\n## 키\n\n서명은 표준을 따릅니다[^fips-186-5].\n'
    )
    courses, errors = load_content(tmp_path)
    assert errors == []
    assert render_content(courses, tmp_path) == []
    lesson = courses[0].modules[0].lessons[0]
    for language in ("en", "ko"):
        html = lesson.html[language]
        assert 'class="footnote"' in html
        assert "National Institute of Standards and Technology (NIST)" in html
        assert "<em>Digital Signature Standard (DSS), FIPS 186-5</em>" in html
        assert "2023-02-03" in html and 'href="https://doi.org/10.6028/NIST.FIPS.186-5"' in html
    blocks = courses[0].modules[0].lessons[1]
    assert "The original description of proof-of-work blocks." in blocks.html["en"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda t: t.replace("published standard[^fips-186-5]", "published standard"),
            "01-keys.md:14: source 'fips-186-5' is never cited in the text",
        ),
        (
            lambda t: t.replace("[^fips-186-5].", "[^fips-186].", 1),
            "01-keys.md:23: citation '[^fips-186]' names no source in the front matter",
        ),
        (
            lambda t: t + "\n[^fips-186-5]: Written by hand.\n",
            "write sources in the front matter, not footnote definitions",
        ),
        (lambda t: t.replace("date: 2023-02-03", "date: 3 Feb 2023"), "'date' must be YYYY"),
        (lambda t: t.replace("url: https://", "url: ftp://"), "'url' must be an http(s) address"),
        (lambda t: t.replace("kind: standard", "kind: blog"), "'kind' must be one of primary"),
        (
            lambda t: t.replace("reviewed: 2026-12-01", "reviewed: 2999-01-01"),
            "'reviewed' is in the future",
        ),
        (
            lambda t: t.replace("  - id: derive-address\n", "  - id: explain-keys\n"),
            "objective id 'explain-keys' is used twice",
        ),
        (
            lambda t: t.replace(
                "  - id: derive-address\n    text: Say how an address is derived from a public key.\n",
                "",
            ),
            "'objectives' must be a list of 2 to 4 items",
        ),
    ],
)
def test_source_and_objective_mistakes_are_reported(tmp_path, change, message):
    module = write_reviewed_course(tmp_path)
    (module / "01-keys.md").write_text(change(KEYS))
    _courses, errors = content_validate(root=tmp_path)
    assert any(message in str(error) for error in errors), errors


def test_objective_ids_are_unique_across_the_module(tmp_path):
    module = write_reviewed_course(tmp_path)
    (module / "02-blocks.md").write_text(BLOCKS.replace("id: read-height", "id: explain-keys"))
    _courses, errors = content_validate(root=tmp_path)
    assert any("objective id 'explain-keys' is also used in" in str(e) for e in errors)


def test_every_question_names_an_objective_and_every_objective_is_tested(tmp_path):
    quiz = QUIZ.replace("    objective: count-confirmations\n", "").replace(
        "objective: read-height", "objective: read-heights"
    )
    write_reviewed_course(tmp_path, quiz=quiz)
    problems = review(tmp_path)
    assert any("question 'q4' needs 'objective:'" in p for p in problems)
    assert any(
        "names objective 'read-heights', which no lesson of this module has" in p for p in problems
    )
    assert any(
        "02-blocks.md:9: objective 'read-height' is tested by no question" in p for p in problems
    )
    assert any("objective 'count-confirmations' is tested by no question" in p for p in problems)


def test_the_right_option_may_be_the_longest_in_at_most_35_percent_of_singles(tmp_path):
    # q1..q3 are singles; making two of three right options the longest is 67%.
    quiz = QUIZ.replace(
        '"The key holder"', '"The holder of the private key, whoever that is"'
    ).replace('"Its position"', '"Its position in the chain, counting from the genesis block"')
    write_reviewed_course(tmp_path, quiz=quiz)
    assert any(
        "the right option is the single longest in 2 of 3 single-answer questions (67%" in p
        for p in review(tmp_path)
    )
    # One of three (33%) passes.
    write_reviewed_course(
        tmp_path / "one",
        quiz=quiz.replace(
            '"Its position in the chain, counting from the genesis block"', '"Its position"'
        ),
    )
    assert review(tmp_path / "one") == []


def test_a_quiz_prompt_that_repeats_a_knowledge_check_is_reported(tmp_path):
    quiz = QUIZ.replace(
        "prompt: Question q1 about explain-keys?",
        "prompt: Who can move the funds held by an address?",
    )
    write_reviewed_course(tmp_path, quiz=quiz)
    problems = review(tmp_path)
    assert len(problems) == 1
    assert (
        "01-keys.md:25: this knowledge check is" in problems[0] and "question 'q1'" in problems[0]
    )


def test_the_pool_holds_at_least_two_and_a_half_times_the_draw(tmp_path):
    write_reviewed_course(tmp_path, quiz=QUIZ.replace("draw: 2\n", "draw: 3\n"))
    assert any(
        "the pool holds 5 questions besides labs; drawing 3 needs at least 8" in p
        for p in review(tmp_path)
    )


@pytest.mark.django_db
def test_the_lesson_page_shows_when_it_was_reviewed_and_its_objectives(tmp_path, client, officer):
    write_reviewed_course(tmp_path)
    content_sync(root=tmp_path)
    lesson = Lesson.objects.get(slug="keys")
    assert lesson.reviewed_on.isoformat() == "2026-12-01"
    assert [o["id"] for o in lesson.objectives] == ["explain-keys", "derive-address"]
    enrollment_create(user=officer, course=lesson.module.course)
    client.force_login(officer)

    response = client.get(lesson.get_absolute_url())

    assert response.status_code == 200
    assert 'Last reviewed <time datetime="2026-12-01">' in response.text
    assert "After this lesson you can" in response.text
    assert "<li>Explain what a private key controls.</li>" in response.text
    assert "National Institute of Standards and Technology (NIST)" in response.text
    assert (
        reverse("courses:lesson", args=["basics", "module-one", "keys"])
        == lesson.get_absolute_url()
    )
