"""The utxo_sweep, tron_energy and commingling labs in the quiz: their explorer pages
(transactions with their inputs and outputs, energy delegations, the case file), answers
graded through the form, and the answer key kept out of every page before grading."""

import pytest
from django.urls import reverse

from assessments.grading import model_answer
from assessments.labs.answers import answer_key
from assessments.labs.graph import RENTAL_LABEL
from assessments.models import Attempt, Question
from assessments.questions.lab import lab_graph
from assessments.services import attempt_start, attempt_submit
from courses.services import enrollment_create
from tests.factories import QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db


def make_attempt(course, officer, scenario: str, difficulty: str = "hard") -> Attempt:
    quiz = course.modules.first().quiz
    for _ in range(2):
        QuestionFactory(quiz=quiz)
    QuestionFactory(
        quiz=quiz,
        key="lab1",
        order=99,
        kind="lab",
        prompt="Trace it.",
        choices=[],
        explanation="",
        spec={
            "params": {
                "scenario": scenario,
                "victims": 3,
                "peel_hops": 6,
                "exchanges": 2,
                "noise": 20,
                "difficulty": difficulty,
            }
        },
        points=4,
    )
    quiz.draw = 1
    quiz.save()
    enrollment = enrollment_create(user=officer, course=course)
    return attempt_start(user=officer, quiz=quiz, enrollment=enrollment)


def lab_url(name: str, attempt: Attempt, *args) -> str:
    return reverse(f"assessments:{name}", args=[attempt.pk, "lab1", *args])


def test_utxo_sweep_explorer_shows_transactions_with_inputs_and_outputs(
    officer_client, course, officer
):
    attempt = make_attempt(course, officer, "utxo_sweep")
    graph = lab_graph(Question.objects.get(key="lab1"), attempt.seed)
    change_tx = graph.briefing["change_tx"]
    start = officer_client.get(lab_url("lab_address", attempt, graph.start_address))
    assert start.status_code == 200
    assert "Transactions with several inputs or outputs" in start.text
    assert lab_url("lab_tx", attempt, change_tx) in start.text  # the case file links it
    page = officer_client.get(lab_url("lab_tx", attempt, change_tx))
    assert page.status_code == 200
    tx = graph.transactions[change_tx]
    for address_id, amount in (*tx.inputs, *tx.outputs):
        assert address_id in page.text and str(amount) in page.text
        assert lab_url("lab_address", attempt, address_id) in page.text
    assert str(tx.fee) in page.text
    assert officer_client.get(lab_url("lab_tx", attempt, "f" * 64)).status_code == 404


def test_tron_energy_explorer_shows_energy_delegations(officer_client, course, officer):
    attempt = make_attempt(course, officer, "tron_energy")
    graph = lab_graph(Question.objects.get(key="lab1"), attempt.seed)
    rental = next(a for a in graph.addresses.values() if a.label == RENTAL_LABEL)
    rented = next(d.target for d in graph.delegations if d.source == rental.id)
    page = officer_client.get(lab_url("lab_address", attempt, rented))
    assert page.status_code == 200
    assert "Energy delegations" in page.text and RENTAL_LABEL in page.text
    service = officer_client.get(lab_url("lab_address", attempt, rental.id))
    assert service.text.count("Delegated to") == min(200, len(graph.delegations_of(rental.id)))


def test_commingling_case_file_names_the_withdrawal(officer_client, course, officer):
    attempt = make_attempt(course, officer, "commingling")
    graph = lab_graph(Question.objects.get(key="lab1"), attempt.seed)
    start = officer_client.get(lab_url("lab", attempt), follow=True)
    assert graph.briefing["withdrawal_tx"] in start.text


@pytest.mark.parametrize("scenario", ["utxo_sweep", "tron_energy", "commingling"])
def test_the_answer_key_is_in_no_page_before_grading(officer_client, course, officer, scenario):
    attempt = make_attempt(course, officer, scenario)
    question = Question.objects.get(key="lab1")
    graph = lab_graph(question, attempt.seed)
    key = answer_key(graph)
    secrets = {*key.cluster, *key.deposits, *key.trail}
    if key.libr_remaining is not None:
        secrets.add(str(key.libr_remaining))
    pages = [
        officer_client.get(reverse("assessments:attempt", args=[attempt.pk])).text,
        officer_client.post(
            reverse("assessments:save", args=[attempt.pk]), {"q_lab1__cluster": "x"}
        ).text,
        officer_client.get(lab_url("lab_trace", attempt)).text,
    ]
    for page in pages:
        assert not any(secret in page for secret in secrets)
    # Explorer pages show addresses but never what they are (the generator's kinds).
    start = officer_client.get(lab_url("lab_address", attempt, graph.start_address)).text
    for word in ("wallet", "funder", "commingled", "coinjoin", "consolidation"):
        assert f">{word}<" not in start


@pytest.mark.parametrize("scenario", ["utxo_sweep", "tron_energy", "commingling"])
def test_form_posts_of_the_model_answer_get_full_marks(officer_client, course, officer, scenario):
    attempt = make_attempt(course, officer, scenario)
    question = Question.objects.get(key="lab1")
    data = {}
    for name, value in model_answer(question, attempt.seed).items():
        if isinstance(value, dict):
            value = "\n".join(f"{k}: {v}" for k, v in value.items())
        elif isinstance(value, list):
            value = "\n".join(value)
        data[f"q_lab1__{name}"] = value
    officer_client.post(reverse("assessments:attempt", args=[attempt.pk]), data)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED
    assert attempt.question_scores["lab1"] == 1.0


def test_partial_and_wrong_answers_get_partial_credit(course, officer):
    attempt = make_attempt(course, officer, "utxo_sweep")
    key = answer_key(lab_graph(Question.objects.get(key="lab1"), attempt.seed))
    answers = {"lab1": {"cluster": sorted(key.cluster), "change_output": "bc1qwrong"}}
    graded, _ = attempt_submit(attempt_id=attempt.pk, user=officer, raw_answers=answers)
    assert graded.question_scores["lab1"] == pytest.approx(1 / 3)


@pytest.mark.parametrize("name", ["lab_tx", "lab_address"])
def test_another_users_lab_pages_are_404(client, course, officer, name):
    attempt = make_attempt(course, officer, "utxo_sweep")
    graph = lab_graph(Question.objects.get(key="lab1"), attempt.seed)
    target = graph.briefing["change_tx"] if name == "lab_tx" else graph.start_address
    client.force_login(UserFactory())
    assert client.get(lab_url(name, attempt, target)).status_code == 404


def test_trace_csv_totals_each_asset_apart(officer_client, course, officer):
    attempt = make_attempt(course, officer, "tron_energy")
    graph = lab_graph(Question.objects.get(key="lab1"), attempt.seed)
    funder = next(a.id for a in graph.addresses.values() if a.kind == "funder")
    topped = next(t.target for t in graph.outgoing(funder) if t.asset == "TRX")
    officer_client.post(lab_url("lab_trace_add", attempt, topped), {"note": "topped up"})
    csv_text = officer_client.get(lab_url("lab_trace_csv", attempt)).content.decode()
    row = next(line for line in csv_text.splitlines() if topped in line)
    usdt = sum(t.amount for t in graph.incoming(topped) if t.asset == "USDT")
    trx = sum(t.amount for t in graph.incoming(topped) if t.asset == "TRX")
    assert f"{usdt} USDT" in row and f"{trx} TRX" in row
