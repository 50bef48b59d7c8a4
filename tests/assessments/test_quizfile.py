"""quiz.yaml: path:line messages for mistakes in every question type and quiz setting, and
the import of a valid quiz that uses them all."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from assessments.models import Question, Quiz
from courses.pipeline.sync import ContentInvalid, content_sync
from courses.pipeline.validate import load_content
from tests.courses.test_content import write_course

HEADER = """\
slug: engine-quiz
title: Engine quiz
pass_mark: 70
"""

SINGLE = """\
  - key: pick
    type: single
    prompt: Pick one
    choices:
      - key: a
        text: Right
        correct: true
      - key: b
        text: Wrong
"""


def quiz_path(root) -> str:
    return f"{root.name}/courses/basics/01-module/quiz.yaml"


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first line containing needle."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in the quiz text")


def errors_for(tmp_path, text: str) -> list[str]:
    write_course(tmp_path, quiz=text)
    _courses, errors = load_content(tmp_path)
    return [str(error) for error in errors]


def check_output(tmp_path, capsys, text: str) -> list[str]:
    """What `sync_content --check` prints for a tree with this quiz.yaml."""
    write_course(tmp_path, quiz=text)
    with pytest.raises(CommandError, match="content error"):
        call_command("sync_content", "--check", "--path", str(tmp_path))
    return capsys.readouterr().err.splitlines()


# Each case: the questions (after `questions:`), or None to keep one valid question; extra
# quiz settings; the text on the line the error must point at; the message.
QUESTION_MISTAKES = {
    "numeric without answer": (
        "  - key: fee\n    type: numeric\n    prompt: The fee?\n    tolerance: 0.1\n",
        "- key: fee",
        "a numeric question needs a number 'answer'",
    ),
    "numeric answer not a number": (
        "  - key: fee\n    type: numeric\n    prompt: The fee?\n    answer: twelve\n",
        "answer: twelve",
        "a numeric question needs a number 'answer'",
    ),
    "negative tolerance": (
        "  - key: fee\n    type: numeric\n    prompt: The fee?\n    answer: 12\n"
        "    tolerance: -0.5\n",
        "tolerance: -0.5",
        "'tolerance' must be a number of 0 or more",
    ),
    "short_text without answers or pattern": (
        "  - key: coin\n    type: short_text\n    prompt: Which coin?\n",
        "- key: coin",
        "a short_text question needs 'answers' or a 'pattern'",
    ),
    "short_text with an empty answers list": (
        "  - key: coin\n    type: short_text\n    prompt: Which coin?\n    answers: []\n",
        "- key: coin",
        "a short_text question needs 'answers' or a 'pattern'",
    ),
    "short_text with an empty answer": (
        "  - key: coin\n    type: short_text\n    prompt: Which coin?\n    answers:\n"
        "      - Bitcoin\n      - '  '\n",
        "answers:",
        "'answers' must be a list of text items",
    ),
    "invalid regex": (
        "  - key: coin\n    type: short_text\n    prompt: Which coin?\n    pattern: 'bc1[a-z'\n",
        "pattern: 'bc1[a-z'",
        "'pattern' is not a valid regular expression: unterminated character set",
    ),
    "ordering with one item": (
        "  - key: steps\n    type: ordering\n    prompt: Order them\n    items:\n"
        "      - key: seize\n        text: Seize the wallet\n",
        "items:",
        "'items' needs at least 2 entries",
    ),
    "ordering item without text": (
        "  - key: steps\n    type: ordering\n    prompt: Order them\n    items:\n"
        "      - key: seize\n        text: Seize\n      - key: trace\n",
        "- key: trace",
        "'text' is required text",
    ),
    "matching pair without right": (
        "  - key: match\n    type: matching\n    prompt: Match them\n    pairs:\n"
        "      - key: btc\n        left: Bitcoin\n        right: UTXO\n"
        "      - key: eth\n        left: Ethereum\n",
        "- key: eth",
        "'right' is required text",
    ),
    "matching duplicate pair key": (
        "  - key: match\n    type: matching\n    prompt: Match them\n    pairs:\n"
        "      - key: btc\n        left: Bitcoin\n        right: UTXO\n"
        "      - key: btc  # again\n        left: Ethereum\n        right: Accounts\n",
        "key: btc  # again",
        "duplicate key 'btc' in 'pairs'",
    ),
    "partial on a single question": (
        SINGLE.replace("    type: single\n", "    type: single\n    partial: true\n"),
        "partial: true",
        "'partial' applies to multiple, ordering and matching questions",
    ),
    "partial on a numeric question": (
        "  - key: fee\n    type: numeric\n    prompt: The fee?\n    answer: 1\n    partial: true\n",
        "partial: true",
        "'partial' applies to multiple, ordering and matching questions",
    ),
    "unknown key for a type": (
        SINGLE.replace("    type: single\n", "    type: single\n    tolerance: 1\n"),
        "tolerance: 1",
        "unknown key 'tolerance' for a single question",
    ),
    "choices on a numeric question": (
        "  - key: fee\n    type: numeric\n    prompt: The fee?\n    answer: 1\n    choices: []\n",
        "choices: []",
        "unknown key 'choices' for a numeric question",
    ),
    "case_sensitive not a flag": (
        "  - key: coin\n    type: short_text\n    prompt: Which coin?\n    answers: [BTC]\n"
        "    case_sensitive: sometimes\n",
        "case_sensitive: sometimes",
        "'case_sensitive' must be true or false",
    ),
    "points out of range": (
        SINGLE.replace("    type: single\n", "    type: single\n    points: 0\n"),
        "points: 0",
        "'points' must be a whole number from 1 to 100",
    ),
    "true_false without answer": (
        "  - key: tf\n    type: true_false\n    prompt: Keys are public?\n",
        "- key: tf",
        "a true_false question needs 'answer: true' or 'answer: false'",
    ),
}


@pytest.mark.parametrize(
    ("question", "needle", "message"),
    list(QUESTION_MISTAKES.values()),
    ids=list(QUESTION_MISTAKES),
)
def test_question_mistakes_are_reported_with_path_and_line(
    tmp_path, capsys, question, needle, message
):
    text = HEADER + "questions:\n" + question
    printed = check_output(tmp_path, capsys, text)
    expected = f"{quiz_path(tmp_path)}:{line_of(text, needle)}: {message}"
    assert any(line.startswith(expected) for line in printed), printed


QUIZ_MISTAKES = {
    "time_limit_minutes zero": (
        "time_limit_minutes: 0\n",
        "time_limit_minutes",
        "'time_limit_minutes' must be a whole number from 1 to 600",
    ),
    "time_limit_minutes too long": (
        "time_limit_minutes: 601\n",
        "time_limit_minutes",
        "'time_limit_minutes' must be a whole number from 1 to 600",
    ),
    "max_attempts zero": (
        "max_attempts: 0\n",
        "max_attempts",
        "'max_attempts' must be a whole number from 1 to 100",
    ),
    "cooldown negative": (
        "cooldown_minutes: -1\n",
        "cooldown_minutes",
        "'cooldown_minutes' must be a whole number from 0 to 10080",
    ),
    "feedback after_close without closes": (
        "feedback: after_close\n",
        "feedback",
        "feedback after_close needs a 'closes' date and time",
    ),
    "unknown feedback": (
        "feedback: never\n",
        "feedback",
        "'feedback' must be one of after_attempt, after_close, after_pass",
    ),
    "closes without a time zone": (
        "closes: 2026-12-31T23:59:00\n",
        "closes",
        "'closes' must be a date and time with a time zone",
    ),
    "closes as quoted text without a time zone": (
        "closes: '2026-12-31 23:59'\n",
        "closes",
        "'closes' must be a date and time with a time zone",
    ),
    "closes a date only": (
        "closes: 2026-12-31\n",
        "closes",
        "'closes' must be a date and time with a time zone",
    ),
    "unknown quiz key": ("shuffle: true\n", "shuffle", "unknown key 'shuffle'"),
}


@pytest.mark.parametrize(
    ("setting", "needle", "message"), list(QUIZ_MISTAKES.values()), ids=list(QUIZ_MISTAKES)
)
def test_quiz_setting_mistakes_are_reported_with_path_and_line(
    tmp_path, capsys, setting, needle, message
):
    text = HEADER + setting + "questions:\n" + SINGLE
    printed = check_output(tmp_path, capsys, text)
    expected = f"{quiz_path(tmp_path)}:{line_of(text, needle)}: {message}"
    assert any(line.startswith(expected) for line in printed), printed


def test_every_mistake_in_one_file_is_reported(tmp_path):
    questions = "".join(
        QUESTION_MISTAKES[name][0].replace("key: ", f"key: x{index}", 1)
        for index, name in enumerate(
            ["numeric without answer", "invalid regex", "ordering with one item"]
        )
    )
    text = HEADER + "time_limit_minutes: 900\nquestions:\n" + questions
    errors = errors_for(tmp_path, text)
    assert len(errors) == 4, errors
    assert all(error.startswith(quiz_path(tmp_path) + ":") for error in errors)


def test_short_text_with_answers_only_or_pattern_only_is_valid(tmp_path):
    text = (
        HEADER
        + "questions:\n"
        + "  - key: a\n    type: short_text\n    prompt: Coin?\n    answers: [BTC]\n"
        + "  - key: b\n    type: short_text\n    prompt: Address?\n    pattern: 'bc1[a-z0-9]+'\n"
    )
    assert errors_for(tmp_path, text) == []


EVERY_TYPE = (
    HEADER.replace("pass_mark: 70\n", "pass_mark: 60\n")
    + """\
max_attempts: 3
cooldown_minutes: 15
time_limit_minutes: 45
feedback: after_close
closes: 2030-06-30T18:00:00+09:00
questions:
  - key: pick
    type: single
    prompt: Pick one
    explanation: Because a is right.
    shuffle: false
    choices:
      - key: a
        text: '  Right  '
        correct: true
      - key: b
        text: Wrong
  - key: many
    type: multiple
    prompt: Pick all that apply
    points: 2
    partial: true
    choices:
      - key: a
        text: Seed phrase
        correct: true
      - key: b
        text: Private key
        correct: true
      - key: c
        text: Address
  - key: tf
    type: true_false
    prompt: An address is public.
    answer: true
  - key: fee
    type: numeric
    prompt: The fee in BTC?
    answer: 0.0005
    tolerance: 0.0001
  - key: whole
    type: numeric
    prompt: How many confirmations?
    answer: 6
  - key: coin
    type: short_text
    prompt: Which coin?
    answers: [' Bitcoin ', BTC]
    case_sensitive: true
  - key: addr
    type: short_text
    prompt: A Bech32 address?
    pattern: 'bc1[a-z0-9]+'
  - key: steps
    type: ordering
    prompt: Put the steps in order
    partial: true
    items:
      - key: seize
        text: Seize the device
      - key: image
        text: Image it
      - key: trace
        text: Trace the funds
  - key: match
    type: matching
    prompt: Match each chain with its model
    points: 3
    pairs:
      - key: btc
        left: Bitcoin
        right: UTXO
      - key: eth
        left: Ethereum
        right: Accounts
"""
)


def test_a_quiz_using_every_type_is_valid(tmp_path):
    assert errors_for(tmp_path, EVERY_TYPE) == []


@pytest.mark.django_db
def test_a_quiz_using_every_type_imports_with_the_right_spec(tmp_path):
    write_course(tmp_path, quiz=EVERY_TYPE)
    content_sync(root=tmp_path)

    quiz = Quiz.objects.get(slug="engine-quiz")
    assert (quiz.pass_mark, quiz.draw) == (60, None)
    assert (quiz.max_attempts, quiz.cooldown_minutes, quiz.time_limit_minutes) == (3, 15, 45)
    assert quiz.feedback == "after_close"
    assert quiz.closes_at == datetime(2030, 6, 30, 9, 0, tzinfo=UTC)
    assert quiz.closes_at.utcoffset() is not None
    questions = {q.key: q for q in Question.objects.filter(quiz=quiz)}
    assert [q.key for q in Question.objects.filter(quiz=quiz).order_by("order")] == [
        "pick", "many", "tf", "fee", "whole", "coin", "addr", "steps", "match",
    ]  # fmt: skip

    pick = questions["pick"]
    assert (pick.kind, pick.shuffle, pick.partial, pick.points) == ("single", False, False, 1)
    assert pick.choices == [
        {"key": "a", "text": "Right", "correct": True},
        {"key": "b", "text": "Wrong", "correct": False},
    ]
    assert pick.spec == {} and pick.explanation == "Because a is right."

    many = questions["many"]
    assert (many.kind, many.points, many.partial, many.shuffle) == ("multiple", 2, True, True)
    assert many.correct_keys == {"a", "b"}

    tf = questions["tf"]
    assert tf.kind == "true_false" and tf.spec == {}
    assert tf.choices == [
        {"key": "true", "text": "True", "correct": True},
        {"key": "false", "text": "False", "correct": False},
    ]

    assert questions["fee"].spec == {"answer": 0.0005, "tolerance": 0.0001}
    assert questions["fee"].choices == []
    assert questions["whole"].spec == {"answer": 6, "tolerance": 0}
    assert questions["coin"].spec == {
        "answers": ["Bitcoin", "BTC"],
        "pattern": None,
        "case_sensitive": True,
    }
    assert questions["addr"].spec == {
        "answers": [],
        "pattern": "bc1[a-z0-9]+",
        "case_sensitive": False,
    }
    steps = questions["steps"]
    assert (steps.kind, steps.partial) == ("ordering", True)
    assert steps.spec == {
        "items": [
            {"key": "seize", "text": "Seize the device"},
            {"key": "image", "text": "Image it"},
            {"key": "trace", "text": "Trace the funds"},
        ]
    }
    match = questions["match"]
    assert (match.kind, match.points, match.partial) == ("matching", 3, False)
    assert match.spec == {
        "pairs": [
            {"key": "btc", "left": "Bitcoin", "right": "UTXO"},
            {"key": "eth", "left": "Ethereum", "right": "Accounts"},
        ]
    }


@pytest.mark.django_db
def test_imported_answer_keys_grade_as_written(tmp_path):
    from assessments.grading import attempt_score

    write_course(tmp_path, quiz=EVERY_TYPE)
    content_sync(root=tmp_path)
    questions = list(Question.objects.filter(quiz__slug="engine-quiz").order_by("order"))
    answers = {
        "pick": ["a"],
        "many": ["a", "b"],
        "tf": ["true"],
        "fee": ["0,0006"],
        "whole": ["6"],
        "coin": ["BTC"],
        "addr": ["BC1QABC"],
        "steps": ["seize", "image", "trace"],
        "match": {"btc": "btc", "eth": "eth"},
    }
    percent, scores = attempt_score(questions, answers)
    assert scores == dict.fromkeys(answers, 1.0)
    assert percent == 100
    _percent, scores = attempt_score(questions, {**answers, "coin": ["btc"]})
    assert scores["coin"] == 0.0  # case_sensitive


@pytest.mark.django_db
def test_settings_removed_from_quiz_yaml_are_cleared_on_sync(tmp_path):
    module = write_course(tmp_path, quiz=EVERY_TYPE)
    content_sync(root=tmp_path)
    settings_block = (
        "max_attempts: 3\ncooldown_minutes: 15\ntime_limit_minutes: 45\n"
        "feedback: after_close\ncloses: 2030-06-30T18:00:00+09:00\n"
    )
    assert settings_block in EVERY_TYPE
    (module / "quiz.yaml").write_text(EVERY_TYPE.replace(settings_block, ""))

    content_sync(root=tmp_path)

    quiz = Quiz.objects.get(slug="engine-quiz")
    assert (quiz.max_attempts, quiz.cooldown_minutes, quiz.time_limit_minutes) == (None, 0, None)
    assert (quiz.feedback, quiz.closes_at) == ("after_attempt", None)


@pytest.mark.django_db
def test_invalid_quiz_imports_nothing(tmp_path):
    write_course(tmp_path, quiz=HEADER + "time_limit_minutes: 0\nquestions:\n" + SINGLE)
    with pytest.raises(ContentInvalid):
        content_sync(root=tmp_path)
    assert not Quiz.objects.exists()


@pytest.mark.django_db
def test_closes_in_another_zone_is_kept_as_the_same_instant(tmp_path):
    text = HEADER + "closes: '2030-01-01T00:00:00-05:00'\nquestions:\n" + SINGLE
    write_course(tmp_path, quiz=text)
    content_sync(root=tmp_path)
    closes_at = Quiz.objects.get(slug="engine-quiz").closes_at
    assert closes_at == datetime(2030, 1, 1, 5, 0, tzinfo=UTC)
    assert closes_at == datetime(2030, 1, 1, tzinfo=timezone(timedelta(hours=-5)))
