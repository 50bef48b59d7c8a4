"""Tracing labs in the quiz: always drawn, explored address by address, traced, graded."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from assessments.labs.answers import answer_key
from assessments.models import Attempt, LabTrace, Question
from assessments.questions.lab import lab_graph
from assessments.services import attempt_start, attempt_submit, draw_questions
from courses.services import enrollment_create
from tests.factories import QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db

PARAMS = {"scenario": "peel_chain", "victims": 3, "peel_hops": 6, "exchanges": 2, "noise": 10}


@pytest.fixture
def lab_quiz(course):
    quiz = course.modules.first().quiz
    for _ in range(4):
        QuestionFactory(quiz=quiz)
    QuestionFactory(
        quiz=quiz,
        key="lab1",
        order=99,
        kind="lab",
        prompt="Trace it.",
        choices=[],
        explanation="",
        spec={"params": PARAMS},
        points=4,
    )
    quiz.draw = 2
    quiz.save()
    return quiz


@pytest.fixture
def attempt(officer, course, lab_quiz):
    enrollment = enrollment_create(user=officer, course=course)
    return attempt_start(user=officer, quiz=lab_quiz, enrollment=enrollment)


def test_lab_is_always_drawn_besides_the_pool(lab_quiz):
    for seed in range(10):
        keys = draw_questions(quiz=lab_quiz, seed=seed)
        assert "lab1" in keys and len(keys) == 3


def test_address_pages_move_hop_by_hop(officer_client, attempt):
    question = Question.objects.get(key="lab1")
    graph = lab_graph(question, attempt.seed)
    start = officer_client.get(reverse("assessments:lab", args=[attempt.pk, "lab1"]))
    assert start["Location"] == reverse(
        "assessments:lab_address", args=[attempt.pk, "lab1", graph.start_address]
    )
    page = officer_client.get(start["Location"])
    assert page.status_code == 200
    assert "<svg" in page.text and "Incoming transfers" in page.text
    nxt = graph.outgoing(graph.start_address)[0].target
    assert reverse("assessments:lab_address", args=[attempt.pk, "lab1", nxt]) in page.text
    assert (
        officer_client.get(
            reverse("assessments:lab_address", args=[attempt.pk, "lab1", "nope"])
        ).status_code
        == 404
    )


def test_trace_is_saved_with_notes_and_exported(officer_client, attempt):
    graph = lab_graph(Question.objects.get(key="lab1"), attempt.seed)
    url = reverse("assessments:lab_trace_add", args=[attempt.pk, "lab1", graph.start_address])
    officer_client.post(url, {"note": "=reported by victims"})
    officer_client.post(url, {"note": "reported by victims"})  # updates the note, one step
    trace = LabTrace.objects.get(attempt=attempt)
    assert [s["address"] for s in trace.steps] == [graph.start_address]
    assert AuditEvent.objects.filter(action="lab.trace_step").count() == 2
    csv_text = officer_client.get(
        reverse("assessments:lab_trace_csv", args=[attempt.pk, "lab1"])
    ).content.decode()
    assert graph.start_address in csv_text and "reported by victims" in csv_text


def test_formula_in_a_note_is_escaped_in_the_csv(officer_client, attempt):
    graph = lab_graph(Question.objects.get(key="lab1"), attempt.seed)
    officer_client.post(
        reverse("assessments:lab_trace_add", args=[attempt.pk, "lab1", graph.start_address]),
        {"note": "=HYPERLINK(1)"},
    )
    csv_text = officer_client.get(
        reverse("assessments:lab_trace_csv", args=[attempt.pk, "lab1"])
    ).content.decode()
    assert "'=HYPERLINK(1)" in csv_text


def test_someone_elses_lab_is_404(client, attempt):
    client.force_login(UserFactory())
    assert client.get(reverse("assessments:lab", args=[attempt.pk, "lab1"])).status_code == 404


def test_lab_answers_are_graded_with_partial_credit(officer, attempt):
    question = Question.objects.get(key="lab1")
    key = answer_key(lab_graph(question, attempt.seed))
    first_exchange, amount = next(iter(key.exchanges.items()))
    answers = {
        "lab1": {
            "exchanges": {first_exchange: str(amount)},
            "consolidation": key.consolidation_address,
        }
    }
    graded, _ = attempt_submit(attempt_id=attempt.pk, user=officer, raw_answers=answers)
    score = graded.question_scores["lab1"]
    assert 0.5 < score < 1  # consolidation right, one of two exchanges right


def test_lab_form_posts_are_graded_in_full(officer_client, officer, attempt):
    question = Question.objects.get(key="lab1")
    key = answer_key(lab_graph(question, attempt.seed))
    data = {
        "q_lab1__exchanges": "\n".join(
            f"{name}: {amount}" for name, amount in key.exchanges.items()
        ),
        "q_lab1__consolidation": key.consolidation_address,
    }
    page = officer_client.get(reverse("assessments:attempt", args=[attempt.pk]))
    assert reverse("assessments:lab", args=[attempt.pk, "lab1"]) in page.text
    officer_client.post(reverse("assessments:attempt", args=[attempt.pk]), data)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED
    assert attempt.question_scores["lab1"] == 1.0
    result = officer_client.get(reverse("assessments:result", args=[attempt.pk]))
    assert key.consolidation_address in result.text


def test_trace_pdf_is_rendered_once_per_state_of_the_trace(
    officer_client, attempt, django_capture_on_commit_callbacks
):
    from assessments.services import lab_trace_pdf_render
    from tests.certificates.pdf import pdf_facts

    graph = lab_graph(Question.objects.get(key="lab1"), attempt.seed)
    officer_client.post(
        reverse("assessments:lab_trace_add", args=[attempt.pk, "lab1", graph.start_address]),
        {"note": "Reported by the victims"},
    )
    with django_capture_on_commit_callbacks() as callbacks:
        officer_client.post(reverse("assessments:lab_trace_pdf_prepare", args=[attempt.pk, "lab1"]))
        officer_client.post(reverse("assessments:lab_trace_pdf_prepare", args=[attempt.pk, "lab1"]))
    assert len(callbacks) == 1  # asked twice, queued once
    page = officer_client.get(reverse("assessments:lab_trace", args=[attempt.pk, "lab1"]))
    assert "being prepared" in page.text
    pdf_url = reverse("assessments:lab_trace_pdf", args=[attempt.pk, "lab1"])
    assert officer_client.get(pdf_url).status_code == 404

    trace = LabTrace.objects.get(attempt=attempt)
    lab_trace_pdf_render(trace_id=trace.pk)  # what the worker runs
    rendered_at = LabTrace.objects.get(pk=trace.pk).pdf_updated_at
    lab_trace_pdf_render(trace_id=trace.pk)  # a second run changes nothing
    assert LabTrace.objects.get(pk=trace.pk).pdf_updated_at == rendered_at
    response = officer_client.get(pdf_url)
    assert response.status_code == 200
    text = " ".join(pdf_facts(b"".join(response.streaming_content))["text"].split())
    assert graph.start_address in text.replace(" ", "")
    assert "Reported by the victims" in text


def test_editing_the_trace_makes_the_pdf_stale(officer_client, attempt):
    from assessments.services import lab_trace_pdf_render

    graph = lab_graph(Question.objects.get(key="lab1"), attempt.seed)
    add = reverse("assessments:lab_trace_add", args=[attempt.pk, "lab1", graph.start_address])
    officer_client.post(add, {"note": "first"})
    trace = LabTrace.objects.get(attempt=attempt)
    lab_trace_pdf_render(trace_id=trace.pk)
    assert LabTrace.objects.get(pk=trace.pk).pdf_current
    officer_client.post(add, {"note": "second thoughts"})
    assert not LabTrace.objects.get(pk=trace.pk).pdf_current


# Short notes: a long one wraps in its table cell, and comes back out of the PDF in pieces.
@pytest.mark.parametrize("note", ["신고", "แจ้ง", "Ștefănescu"])
def test_trace_pdf_prints_notes_in_any_script_with_real_glyphs(officer_client, attempt, note):
    from assessments.services import lab_trace_pdf_render
    from tests.certificates.pdf import assert_real_glyphs

    graph = lab_graph(Question.objects.get(key="lab1"), attempt.seed)
    officer_client.post(
        reverse("assessments:lab_trace_add", args=[attempt.pk, "lab1", graph.start_address]),
        {"note": note},
    )
    trace = lab_trace_pdf_render(trace_id=LabTrace.objects.get(attempt=attempt).pk)
    assert_real_glyphs(trace.pdf.open("rb").read(), note)
