"""End to end in Chromium: an officer does the module-2 tracing lab by clicking through
addresses, keeps a trace, answers, and sees the graded result; and a utxo_sweep lab from its
case file to a transaction's inputs and outputs."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from assessments.labs.answers import answer_key
from assessments.models import Attempt, Question
from assessments.questions.lab import lab_graph
from assessments.services import attempt_start
from courses.services import enrollment_create
from tests.e2e.answers import question_answer_fill
from tests.e2e.labs import lab_answer_fill
from tests.factories import TEST_PASSWORD, QuestionFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def sign_in(page, base: str, officer) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email:").fill(officer.email)
    page.get_by_label("Password:").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("heading", name=re.compile("Welcome")).wait_for()


def test_officer_traces_the_funds_and_is_graded(page, live_server, curriculum, officer):
    course = curriculum
    enrollment_create(user=officer, course=course)
    base = live_server.url

    sign_in(page, base, officer)

    page.goto(f"{base}/courses/crypto-investigation/quizzes/tracing-stolen-funds/")
    page.get_by_role("button", name="Start the quiz").click()
    # The module quiz has two labs (peel chain and UTXO sweep): open the peel-chain one.
    page.locator('a[href$="/lab/lab1/"]', has_text="Open the tracing lab").click()

    attempt = Attempt.objects.get(user=officer, quiz__module__slug="tracing-stolen-funds")
    question = Question.objects.get(quiz=attempt.quiz, key="lab1")
    graph = lab_graph(question, attempt.seed)
    key = answer_key(graph)

    # Start at the reported collection address, keep it in the trace, then follow the money
    # by clicking the outgoing transfer to the consolidation address.
    page.get_by_text("The victims reported paying this address").wait_for()
    page.get_by_label("Note for your trace (optional)").fill(
        "Collection address reported by the victims"
    )
    page.get_by_role("button", name="Add this address to my trace").click()
    page.get_by_text("Added to your trace.").wait_for()
    outgoing = page.locator("table").nth(1)
    outgoing.get_by_role(
        "link", name=re.compile(re.escape(key.consolidation_address[:8]))
    ).first.click()
    page.locator("dd code", has_text=key.consolidation_address).wait_for()
    page.get_by_role("button", name="Add this address to my trace").click()
    # Wait for the second add to land before leaving the page: clicking on at once could
    # abort its POST, or count the list before the trace page has loaded.
    page.get_by_text("Added to your trace.").wait_for()
    page.get_by_role("link", name=re.compile("Your trace")).click()
    expect(page.locator("ol.trace li")).to_have_count(2)

    # Answer the lab tasks and the drawn questions, then submit.
    page.get_by_role("link", name="Back to the quiz answers").click()
    page.get_by_label(re.compile("Which exchanges received")).fill(
        "\n".join(f"{name}: {amount}" for name, amount in key.exchanges.items())
    )
    page.get_by_label("Which address is the consolidation point?").fill(key.consolidation_address)
    drawn = attempt.quiz.questions.filter(key__in=attempt.question_keys)
    for q in drawn.exclude(key="lab1"):
        if q.kind == "lab":
            lab_answer_fill(page, q, attempt)  # the module's other lab, answered as in the journey
        else:
            question_answer_fill(page, q, attempt.seed)
    page.get_by_role("button", name="Submit answers").click()
    page.get_by_role("heading", name="Passed", exact=True).wait_for()
    page.get_by_text("You scored 100%").wait_for()
    assert key.consolidation_address in page.locator("main").inner_text()


def test_officer_examines_a_utxo_transaction_and_is_graded(page, live_server, officer, course):
    """The utxo_sweep lab (hard): from the case file to the named transaction's inputs and
    outputs, into the trace, then every task answered through the shared helper."""
    quiz = course.modules.first().quiz
    QuestionFactory(
        quiz=quiz,
        key="sweep",
        order=99,
        kind="lab",
        prompt="Cluster the thief's wallet.",
        choices=[],
        explanation="",
        spec={
            "params": {
                "scenario": "utxo_sweep",
                "victims": 3,
                "peel_hops": 6,
                "exchanges": 2,
                "noise": 20,
                "difficulty": "hard",
            }
        },
        points=4,
    )
    enrollment_create(user=officer, course=course)
    base = live_server.url
    sign_in(page, base, officer)

    page.goto(f"{base}/courses/{course.slug}/quizzes/{quiz.module.slug}/")
    page.get_by_role("button", name="Start the quiz").click()
    page.get_by_role("link", name="Open the tracing lab").click()
    attempt = Attempt.objects.get(user=officer, quiz=quiz)
    question = Question.objects.get(quiz=quiz, key="sweep")
    graph = lab_graph(question, attempt.seed)
    tx = graph.transactions[graph.briefing["change_tx"]]

    # The case file names the transaction; the start address's own table may list it too
    # (once per input or output of that address), so follow the case file's link.
    page.locator("dl").get_by_role("link", name=tx.id).first.click()
    page.get_by_role("heading", name="Transaction", exact=True).wait_for()
    inputs = page.locator("table").nth(0)
    outputs = page.locator("table").nth(1)
    assert inputs.locator("tbody tr").count() == len(tx.inputs)
    assert outputs.locator("tbody tr").count() == len(tx.outputs)
    key = answer_key(graph)
    outputs.get_by_role("link", name=key.change_output).first.click()
    page.locator("dd code", has_text=key.change_output).wait_for()
    page.get_by_role("button", name="Add this address to my trace").click()
    page.get_by_text("Added to your trace.").wait_for()

    page.get_by_role("link", name="Back to the quiz answers").click()
    lab_answer_fill(page, question, attempt)
    for q in quiz.questions.filter(key__in=attempt.question_keys).exclude(kind="lab"):
        for choice_key in q.correct_keys:  # the factory's prompts are all alike: pick by name
            page.locator(f'[name="q_{q.key}"][value="{choice_key}"]').check()
    page.get_by_role("button", name="Submit answers").click()
    page.get_by_role("heading", name="Passed", exact=True).wait_for()
    page.get_by_text("You scored 100%").wait_for()
    assert key.change_output in page.locator("main").inner_text()


def test_new_lab_pages_have_no_serious_accessibility_violations(page, live_server, officer, course):
    """axe-core on the pages the new scenarios add or fill: a transaction's inputs and outputs,
    an address with many transactions, and an address with energy delegations."""
    from tests.e2e.test_accessibility import problems

    quiz = course.modules.first().quiz
    for key, scenario in (
        ("sweep", "utxo_sweep"),
        ("energy", "tron_energy"),
        ("libr", "commingling"),
    ):
        QuestionFactory(
            quiz=quiz,
            key=key,
            kind="lab",
            prompt=f"Lab {scenario}",
            choices=[],
            explanation="",
            spec={
                "params": {"scenario": scenario, "peel_hops": 6, "noise": 30, "difficulty": "hard"}
            },
        )
    enrollment = enrollment_create(user=officer, course=course)
    attempt = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
    sweep = lab_graph(Question.objects.get(quiz=quiz, key="sweep"), attempt.seed)
    energy = lab_graph(Question.objects.get(quiz=quiz, key="energy"), attempt.seed)
    libr = lab_graph(Question.objects.get(quiz=quiz, key="libr"), attempt.seed)
    rented = next(
        d.target for d in energy.delegations if energy.addresses[d.source].kind == "rental"
    )
    paths = [
        reverse("assessments:lab_tx", args=[attempt.pk, "sweep", sweep.briefing["change_tx"]]),
        reverse("assessments:lab_address", args=[attempt.pk, "sweep", sweep.start_address]),
        reverse("assessments:lab_address", args=[attempt.pk, "energy", rented]),
        reverse("assessments:lab_address", args=[attempt.pk, "libr", libr.start_address]),
        reverse("assessments:attempt", args=[attempt.pk]),
    ]
    base = live_server.url
    sign_in(page, base, officer)
    found = {}
    for path in paths:
        page.goto(base + path)
        found[path] = problems(page)
    assert {path: issues for path, issues in found.items() if issues} == {}
