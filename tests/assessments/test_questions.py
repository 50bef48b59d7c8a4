"""Question types as a registry: a type defined here, in the test, is picked up by quiz.yaml
validation and import, the attempt form, grading and the review, with no other edit."""

import sys

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

import assessments.questions
from assessments.grading import attempt_score, option_order, question_score
from assessments.models import Attempt, Question
from assessments.questions import (
    QuestionType,
    YamlCheck,
    discover,
    kind_choices,
    question_type,
    question_types,
    register,
    unregister,
)
from assessments.questions.base import as_list
from courses.services import enrollment_create
from tests.assessments.test_quizfile import HEADER, SINGLE, errors_for, line_of, quiz_path
from tests.factories import LessonFactory, QuizFactory


class Hexadecimal(QuestionType):
    """A toy type: the answer is a whole number, typed in hexadecimal ("0x1f" or "1F")."""

    kind = "hexadecimal"
    label = "Hexadecimal"
    keys = frozenset({"value"})

    def validate(self, question: dict, check: YamlCheck) -> None:
        value = question.get("value")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            check("a hexadecimal question needs a whole number 'value'", "value")

    def stored_spec(self, item: dict) -> dict:
        return {"value": item["value"]}

    def fields(self, question, label, order, local):
        yield None, forms.CharField(label=label, required=False, max_length=20)

    def score(self, question, value, seed):
        return 1.0 if int(as_list(value)[0], 16) == question.spec["value"] else 0.0

    def review(self, question, value, seed, local):
        return {
            **super().review(question, value, seed, local),
            "expected": hex(question.spec["value"]),
        }


HEX_QUESTION = """\
  - key: port
    type: hexadecimal
    prompt: The port 8080, in hexadecimal?
    value: 8080
"""


@pytest.fixture
def hexadecimal():
    register(Hexadecimal)
    yield question_type("hexadecimal")
    unregister("hexadecimal")


def test_the_seven_built_in_types_and_the_lab_are_registered_in_order():
    assert [t.kind for t in question_types()] == [
        "single", "multiple", "true_false", "numeric", "short_text", "ordering", "matching", "lab",
    ]  # fmt: skip
    assert kind_choices() == list(Question.Kind.choices)


TOY_MODULE = """
from assessments.questions.base import QuestionType, register


@register
class Roman(QuestionType):
    kind = "roman"
    label = "Roman numeral"
    keys = frozenset({"value"})
"""


def test_a_new_module_in_the_package_is_registered_with_no_other_edit(tmp_path, monkeypatch):
    (tmp_path / "roman.py").write_text(TOY_MODULE)
    monkeypatch.setattr(
        assessments.questions, "__path__", [*assessments.questions.__path__, str(tmp_path)]
    )
    try:
        discover()
        assert question_type("roman").label == "Roman numeral"
        assert [t.kind for t in question_types()][-1] == "roman"  # after the built-in types
    finally:
        unregister("roman")
        sys.modules.pop("assessments.questions.roman", None)


def test_hints_moved_from_the_template_to_the_types_are_still_translated():
    with translation.override("ko"):
        assert str(question_type("multiple").hint) == "해당하는 답을 모두 선택하십시오."
    assert str(question_type("multiple").hint) == "Choose all that apply."


def test_a_registered_type_is_a_valid_question_kind(hexadecimal):
    field = Question._meta.get_field("kind")
    assert ("hexadecimal", "Hexadecimal") in kind_choices()
    assert field.clean("hexadecimal", None) == "hexadecimal"
    unregister("hexadecimal")
    with pytest.raises(ValidationError):
        field.clean("hexadecimal", None)


def test_registering_another_class_under_a_taken_kind_is_refused(hexadecimal):
    class Impostor(Hexadecimal):
        pass

    with pytest.raises(ValueError, match="already registered"):
        register(Impostor)
    assert type(question_type("hexadecimal")) is Hexadecimal


def test_quiz_yaml_knows_a_type_only_once_it_is_registered(tmp_path, hexadecimal):
    text = HEADER + "questions:\n" + SINGLE + HEX_QUESTION
    assert errors_for(tmp_path / "valid", text) == []

    unregister("hexadecimal")
    (error,) = errors_for(tmp_path / "unknown", text)
    assert "question 'type' must be one of single, multiple, true_false" in error
    assert "hexadecimal" not in error.split("one of")[1]


def test_quiz_yaml_runs_the_new_types_own_checks(tmp_path, hexadecimal):
    text = (
        HEADER
        + "questions:\n"
        + HEX_QUESTION.replace("value: 8080", "value: lots\n    partial: true\n    items: []")
    )
    errors = errors_for(tmp_path, text)
    root = tmp_path.name
    assert errors == [
        f"{root}/courses/basics/01-module/quiz.yaml:{line_of(text, 'items: []')}: "
        "unknown key 'items' for a hexadecimal question",
        f"{quiz_path(tmp_path)}:{line_of(text, 'value: lots')}: "
        "a hexadecimal question needs a whole number 'value'",
        f"{quiz_path(tmp_path)}:{line_of(text, 'partial: true')}: "
        "'partial' applies to multiple, ordering and matching questions",
    ]


@pytest.mark.django_db
def test_sync_content_imports_the_new_type_with_its_spec(tmp_path, hexadecimal):
    assert errors_for(tmp_path, HEADER + "questions:\n" + SINGLE + HEX_QUESTION) == []
    call_command("sync_content", "--path", str(tmp_path))

    question = Question.objects.get(quiz__slug="engine-quiz", key="port")
    assert (question.kind, question.spec, question.choices) == ("hexadecimal", {"value": 8080}, [])
    assert question.get_kind_display() == "Hexadecimal"


def test_grading_scores_the_new_type_and_zero_for_nonsense(hexadecimal):
    question = Question(key="port", kind="hexadecimal", spec={"value": 8080}, points=2)
    assert question_score(question, ["0x1F90"]) == 1.0
    assert question_score(question, ["1f91"]) == 0.0
    assert question_score(question, ["not hex"]) == 0.0  # ValueError from the type: 0
    assert question_score(question, None) == 0.0
    assert option_order(question, seed=3) == []
    assert attempt_score([question], {"port": ["1f90"]}) == (100, {"port": 1.0})


@pytest.mark.django_db
def test_an_attempt_shows_grades_and_reviews_the_new_type(hexadecimal, officer, officer_client):
    quiz = QuizFactory(module=LessonFactory().module, draw=None, pass_mark=50)
    Question.objects.create(
        quiz=quiz, key="port", order=1, kind="hexadecimal", prompt="Port 8080 in hex?",
        spec={"value": 8080},
    )  # fmt: skip
    enrollment_create(user=officer, course=quiz.module.course)
    officer_client.post(
        reverse("assessments:quiz_start", args=[quiz.module.course.slug, quiz.module.slug])
    )
    attempt = Attempt.objects.get(user=officer, quiz=quiz)
    url = reverse("assessments:attempt", args=[attempt.pk])

    saved = officer_client.post(
        reverse("assessments:save", args=[attempt.pk]), {"q_port": "0x1f90"}
    )
    assert saved.json()["saved"] == 1
    page = officer_client.get(url)
    assert "1. Port 8080 in hex?" in page.text
    assert 'name="q_port" value="0x1f90"' in page.text

    response = officer_client.post(url, {"q_port": "0x1f90", "q_port__shown": "1"})
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert (attempt.answers, attempt.question_scores) == ({"port": ["0x1f90"]}, {"port": 1.0})
    assert attempt.passed is True

    result = officer_client.get(reverse("assessments:result", args=[attempt.pk]))
    review = result.context["review"]
    assert [(r["kind"], r["given"], r["expected"], r["is_right"]) for r in review] == [
        ("hexadecimal", "0x1f90", "0x1f90", True)
    ]
