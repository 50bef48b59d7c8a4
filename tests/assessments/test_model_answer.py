"""Model answers: each question type writes down a right answer, in the shape its form stores,
that its grading gives full marks, for every question of the real course and every type."""

import pytest
from django.conf import settings

from assessments.forms import AttemptForm
from assessments.grading import model_answer, model_answers, question_score
from assessments.models import Question, Quiz
from assessments.questions import NoModelAnswer, question_types
from assessments.questions.short_text import pattern_example
from assessments.quizfile import question_fields
from courses.pipeline.sync import content_sync
from courses.pipeline.validate import load_content
from tests.assessments.test_quizfile import EVERY_TYPE
from tests.courses.test_content import write_course

pytestmark = pytest.mark.django_db

SEEDS = (0, 1, 7, 2**31 + 11, 2**48 - 1, 193_507_728_114)


@pytest.fixture(scope="module")
def real_questions() -> list[Question]:
    """Every question of the real course in content/, built with the field mapping
    sync_content stores (quizfile.question_fields), one unsaved Quiz per module: the
    model answers need no database, and a real import costs seconds per test."""
    courses, errors = load_content(settings.CONTENT_DIR)
    assert errors == []
    questions = []
    for number, module in enumerate(courses[0].modules, start=1):
        quiz = Quiz(pk=number, slug=module.extra_files["quiz.yaml"].data["slug"])
        for order, item in enumerate(module.extra_files["quiz.yaml"].data["questions"]):
            questions.append(
                Question(quiz=quiz, key=item["key"], order=order, **question_fields(item))
            )
    return questions


@pytest.fixture
def every_type(tmp_path) -> list[Question]:
    """One quiz with a question of each built-in type (short_text twice: answers, pattern)."""
    write_course(tmp_path, quiz=EVERY_TYPE)
    content_sync(root=tmp_path)
    return list(Quiz.objects.get(slug="engine-quiz").questions.order_by("order"))


def round_trip(questions: list[Question], answers: dict, seed: int) -> dict:
    """The answers shown in the attempt form, posted back as a browser would, read again."""
    shown = AttemptForm(questions=questions, seed=seed, saved=answers)
    posted = AttemptForm(dict(shown.initial), questions=questions, seed=seed)
    assert posted.is_valid(), posted.errors
    return posted.raw_answers()


def test_every_question_of_the_real_course_gets_full_marks_for_its_model_answer(
    real_questions,
):
    kinds = {question.kind for question in real_questions}
    assert {kind.value for kind in Question.Kind} <= kinds | {Question.Kind.TRUE_FALSE}
    assert len({question.quiz_id for question in real_questions}) == 9
    for seed in SEEDS:
        for question in real_questions:
            answer = model_answer(question, seed)
            assert question_score(question, answer, seed) == 1.0, (question.key, seed)


def test_the_real_course_model_answers_survive_the_attempt_form(real_questions):
    quizzes = {}
    for question in real_questions:  # one form per quiz: keys repeat across quizzes
        quizzes.setdefault(question.quiz_id, []).append(question)
    for seed in SEEDS[:3]:
        for questions in quizzes.values():
            answers = model_answers(questions, seed)
            assert round_trip(questions, answers, seed) == answers


def test_a_tracing_lab_model_answer_is_read_from_the_attempts_own_graph(real_questions):
    labs = [q for q in real_questions if q.kind == Question.Kind.LAB]
    scenarios = {lab.spec["params"]["scenario"] for lab in labs}
    assert scenarios == {
        "peel_chain",
        "mixer_swap_bridge",
        "utxo_sweep",
        "tron_energy",
        "commingling",
    }
    for lab in labs:
        mine, theirs = model_answer(lab, 1), model_answer(lab, 2)
        assert mine != theirs
        assert question_score(lab, theirs, 1) < 1.0
        if lab.spec["params"]["scenario"] in {"peel_chain", "mixer_swap_bridge"}:
            assert set(mine) >= {"exchanges", "consolidation"}
        if lab.spec["params"]["scenario"] == "mixer_swap_bridge":
            assert mine["bridge_chain"] in {"bitcoin", "ethereum", "tron"}
            assert mine["bridge_hop"]


def test_every_built_in_type_has_a_model_answer_with_full_marks(every_type):
    assert {q.kind for q in every_type} | {Question.Kind.LAB} == {t.kind for t in question_types()}
    by_key = {q.key: q for q in every_type}
    answers = model_answers(every_type, 5)
    assert answers == {
        "pick": ["a"],
        "many": ["a", "b"],
        "tf": ["true"],
        "fee": ["0.0005"],
        "whole": ["6"],
        "coin": ["Bitcoin"],
        "addr": ["bc1a"],
        "steps": ["seize", "image", "trace"],
        "match": {"btc": "btc", "eth": "eth"},
    }
    for key, answer in answers.items():
        assert question_score(by_key[key], answer, 5) == 1.0, key
    assert round_trip(every_type, answers, 5) == answers


def test_a_numeric_answer_is_written_in_plain_digits(every_type):
    fee = next(q for q in every_type if q.key == "fee")
    fee.spec["answer"] = 0.00001
    assert model_answer(fee) == ["0.00001"]
    assert question_score(fee, model_answer(fee)) == 1.0


@pytest.mark.parametrize(
    ("pattern", "case_sensitive", "example"),
    [
        (r"bc1[a-z0-9]+", False, "bc1a"),
        (r"0x[0-9a-f]{40}", False, "0x" + "0" * 40),
        (r"(?:btc|bitcoin)\s?wallet", False, "btcwallet"),
        (r"[^a-c]\d{2,}", False, "000"),
        (r"T[A-Z]{2}(-\d)?", True, "TAA"),
        (r"(ab)c\1", False, "abcab"),
        (r"\w+@\w+\.example", False, "a@a.example"),
        (r"(?i)Chain\s*analysis", False, "Chainanalysis"),
    ],
)
def test_a_pattern_only_short_text_question_gets_an_example_the_pattern_accepts(
    pattern, case_sensitive, example
):
    assert pattern_example(pattern, case_sensitive=case_sensitive) == example
    question = Question(
        key="q",
        kind=Question.Kind.SHORT_TEXT,
        spec={"answers": [], "pattern": pattern, "case_sensitive": case_sensitive},
    )
    assert question_score(question, model_answer(question)) == 1.0


def test_a_pattern_no_example_satisfies_is_refused_not_guessed():
    with pytest.raises(NoModelAnswer, match="no example"):
        pattern_example(r"(?=\d)[a-z]+")
