"""Item analysis for trainers: the statistics, the pages, the CSV exports and who may see them."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Membership
from assessments.analysis import (
    attempts_per_officer,
    discrimination_index,
    item_statistics,
    quiz_versions,
)
from assessments.models import Attempt, Question
from courses.services import enrollment_create
from tests.factories import (
    AgencyFactory,
    AttemptFactory,
    MembershipFactory,
    QuestionFactory,
    QuizFactory,
    UserFactory,
    admin_of,
    reauthenticated_now,
    staff_user,
    with_totp,
)

pytestmark = pytest.mark.django_db

OLD_HASH = "2" * 64

# Ten attempts on the current version: total score, then each question's score. q3 is drawn
# only by the first five attempts.
TOTALS = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
Q1 = [0, 0, 1, 0, 1, 1, 0, 1, 1, 1]
Q2 = [1, 0.5, 0, 0.5, 1, 0.5, 1, 0, 0.5, 1]
Q3 = [1, 1, 0, 1, 0]
# q1's wrong answers, by attempt: a plain string, a list, two options at once.
Q1_WRONG = {0: "b", 1: ["c"], 3: ["b"], 6: ["b", "c"]}


def graded_attempt(quiz, user, *, score, scores, answers=None, keys=None, quiz_hash=None):
    return AttemptFactory(
        quiz=quiz,
        enrollment=enrollment_create(user=user, course=quiz.module.course),
        user=user,
        quiz_hash=quiz_hash or quiz.content_hash,
        question_keys=list(scores) if keys is None else keys,
        question_scores=scores,
        answers=answers or {},
        status=Attempt.Status.GRADED,
        score=Decimal(score),
        passed=score >= quiz.pass_mark,
        submitted_at=timezone.now(),
    )


@pytest.fixture
def quiz():
    quiz = QuizFactory()
    QuestionFactory(quiz=quiz, key="q1", order=1, kind=Question.Kind.SINGLE)
    QuestionFactory(quiz=quiz, key="q2", order=2, kind=Question.Kind.MULTIPLE, partial=True)
    QuestionFactory(
        quiz=quiz,
        key="q3",
        order=3,
        kind=Question.Kind.NUMERIC,
        choices=[],
        spec={"answer": 42, "tolerance": 0},
    )
    return quiz


@pytest.fixture
def sample(quiz):
    """The ten attempts above, plus one graded before per-question scores, one still open and
    one on an older version: none of those three may count."""
    for index, total in enumerate(TOTALS):
        scores = {"q1": Q1[index], "q2": Q2[index]}
        if index < len(Q3):
            scores["q3"] = Q3[index]
        q2_answer = {1: ["a", "b"], 0.5: ["a"], 0: ["c"]}[Q2[index]]
        answers = {
            "q1": ["a"] if Q1[index] else Q1_WRONG[index],
            "q2": q2_answer,
            "q3": "42",
        }
        graded_attempt(quiz, UserFactory(), score=total, scores=scores, answers=answers)
    graded_attempt(quiz, UserFactory(), score=100, scores={}, keys=[], answers={"q1": ["a"]})
    AttemptFactory(
        quiz=quiz,
        question_scores={"q1": 1.0},
        answers={"q1": ["a"]},
    )
    graded_attempt(
        quiz,
        UserFactory(),
        score=0,
        scores={"q1": 0.0, "q2": 0.0},
        answers={"q1": ["c"]},
        quiz_hash=OLD_HASH,
    )
    return quiz


@pytest.fixture
def trainer_client(client):
    # A programme-wide trainer (no agency): sees every agency's officers.
    trainer = MembershipFactory(role=Membership.Role.TRAINER, agency=None).user
    with_totp(trainer)
    client.force_login(trainer)
    reauthenticated_now(client, trainer)  # the officers CSV asks for the password again
    return client


def by_key(report):
    return {item.key: item for item in report.items}


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# The statistics


def test_difficulty_mean_and_discrimination_on_hand_made_attempts(sample):
    report = item_statistics(quiz=sample, quiz_hash=sample.content_hash)
    assert report.graded_attempts == 11
    assert report.skipped_attempts == 1
    assert report.analysed_attempts == 10
    items = by_key(report)
    assert [item.key for item in report.items] == ["q1", "q2", "q3"]

    q1 = items["q1"]
    assert (q1.attempts, q1.full_marks) == (10, 6)
    assert q1.difficulty == pytest.approx(0.6)
    assert q1.mean_score == pytest.approx(0.6)
    # Top 3 by total (80, 90, 100) all right; bottom 3 (10, 20, 30) one right.
    assert q1.discrimination == pytest.approx(1 - 1 / 3)

    q2 = items["q2"]  # partial credit: full marks are the 1.0s only
    assert (q2.attempts, q2.full_marks) == (10, 4)
    assert q2.difficulty == pytest.approx(0.4)
    assert q2.mean_score == pytest.approx(0.6)
    assert q2.discrimination == pytest.approx(0.0)

    q3 = items["q3"]  # drawn by five attempts only: too few for a discrimination index
    assert (q3.attempts, q3.full_marks) == (5, 3)
    assert q3.difficulty == pytest.approx(0.6)
    assert q3.discrimination is None


def test_discrimination_needs_ten_attempts_and_takes_27_percent():
    nine = [(float(i), 1.0 if i > 4 else 0.0) for i in range(9)]
    assert discrimination_index(nine) is None
    # 20 attempts: groups of round(5.4) = 5; only the top 5 got it right.
    twenty = [(float(i), 1.0 if i >= 15 else 0.0) for i in range(20)]
    assert discrimination_index(twenty) == pytest.approx(1.0)
    # A question the weaker officers get right discriminates negatively.
    reversed_ = [(float(i), 1.0 if i < 5 else 0.0) for i in range(20)]
    assert discrimination_index(reversed_) == pytest.approx(-1.0)


def test_option_frequencies_count_attempts_that_chose_each_option(sample):
    items = by_key(item_statistics(quiz=sample, quiz_hash=sample.content_hash))
    q1 = {o.key: (o.chosen, o.correct) for o in items["q1"].options}
    assert q1 == {"a": (6, True), "b": (3, False), "c": (2, False)}
    assert {o.key: o.share for o in items["q1"].options}["b"] == pytest.approx(0.3)
    q2 = {o.key: o.chosen for o in items["q2"].options}
    assert q2 == {"a": 8, "b": 4, "c": 2}
    assert items["q3"].options == []  # not a choice question


def test_version_filter_separates_quiz_versions(sample):
    old = by_key(item_statistics(quiz=sample, quiz_hash=OLD_HASH))
    assert old["q1"].attempts == 1
    assert old["q1"].difficulty == 0
    assert {o.key: o.chosen for o in old["q1"].options} == {"a": 0, "b": 0, "c": 1}
    assert old["q3"].attempts == 0
    assert old["q3"].difficulty is None

    versions = quiz_versions(quiz=sample)
    assert [(v.quiz_hash, v.attempts, v.is_current) for v in versions] == [
        (sample.content_hash, 11, True),
        (OLD_HASH, 1, False),
    ]
    everything = by_key(item_statistics(quiz=sample))
    assert everything["q1"].attempts == 11


def test_questions_removed_since_an_old_version_are_still_reported(quiz):
    graded_attempt(
        quiz,
        UserFactory(),
        score=50,
        scores={"q1": 1.0, "gone": 0.0},
        quiz_hash=OLD_HASH,
    )
    items = by_key(item_statistics(quiz=quiz, quiz_hash=OLD_HASH))
    assert items["gone"].in_current_quiz is False
    assert items["gone"].attempts == 1


def test_attempts_per_officer_counts_best_score_and_pass(quiz):
    alice = UserFactory(full_name="Alice Analyst")
    bob = UserFactory(full_name="Bob Burner")
    for total in (40, 80, 60):
        graded_attempt(quiz, alice, score=total, scores={"q1": 1.0})
    graded_attempt(quiz, bob, score=50, scores={"q1": 0.0})
    rows = attempts_per_officer(quiz=quiz)
    assert [(r.full_name, r.attempts, r.best_score, r.passed) for r in rows] == [
        ("Alice Analyst", 3, Decimal("80.00"), True),
        ("Bob Burner", 1, Decimal("50.00"), False),
    ]


# The pages


def test_item_page_shows_the_current_version_by_default(trainer_client, sample):
    response = trainer_client.get(reverse("assessments:trainer_items", args=[sample.pk]))
    assert response.status_code == 200
    assert "11 graded attempts on version 111111111111" in response.text
    assert "0.67" in response.text  # q1's discrimination
    assert "—" in response.text  # q3's, from too few attempts


def test_item_page_version_filter_takes_a_hash_prefix(trainer_client, sample):
    url = reverse("assessments:trainer_items", args=[sample.pk])
    response = trainer_client.get(url + "?version=2222")
    assert response.status_code == 200
    assert "1 graded attempt on version 222222222222" in response.text
    assert trainer_client.get(url + "?version=abcdef").status_code == 404


def test_quiz_list_shows_attempt_counts(trainer_client, sample):
    response = trainer_client.get(reverse("assessments:trainer_quizzes"))
    assert response.status_code == 200
    assert response.context["quizzes"][0].graded_count == 12
    assert sample.title in response.text


def test_trainer_content_page_links_to_quiz_statistics(trainer_client):
    response = trainer_client.get(reverse("courses:trainer_content"))
    assert reverse("assessments:trainer_quizzes") in response.text


def trainer_urls(quiz_id: int) -> list[str]:
    return [
        reverse("assessments:trainer_quizzes"),
        reverse("assessments:trainer_items", args=[quiz_id]),
        reverse("assessments:trainer_items_csv", args=[quiz_id]),
        reverse("assessments:trainer_officers", args=[quiz_id]),
        reverse("assessments:trainer_officers_csv", args=[quiz_id]),
    ]


def test_officers_and_agency_admins_get_404(client, officer, agency, sample):
    for user in (officer, admin_of(agency)):
        client.force_login(user)
        for url in trainer_urls(sample.pk):
            assert client.get(url).status_code == 404, url
    assert not AuditEvent.objects.filter(action__startswith="quiz.").exists()


def test_trainers_and_staff_get_every_page(client, trainer_client, sample):
    for url in trainer_urls(sample.pk):
        assert trainer_client.get(url).status_code == 200, url
    staff = staff_user()
    client.force_login(staff)
    reauthenticated_now(client, staff)
    for url in trainer_urls(sample.pk):
        assert client.get(url).status_code == 200, url


def test_agency_trainer_sees_only_their_agencys_officers(client, sample):
    from assessments.analysis import attempts_per_officer
    from assessments.views.trainer import officer_scope

    everyone = {row.user_id for row in attempts_per_officer(quiz=sample)}
    agency = AgencyFactory(name="Trainer's own agency")
    trainer = MembershipFactory(role=Membership.Role.TRAINER, agency=agency).user
    assert officer_scope(trainer) == [agency.pk]
    assert attempts_per_officer(quiz=sample, agency_ids=officer_scope(trainer)) == []
    assert everyone  # the sample has officers, just none of this agency


def test_agency_trainer_sees_only_officers_whose_membership_counts(quiz):
    from datetime import timedelta

    from assessments.views.trainer import officer_scope

    agency = AgencyFactory(name="Trainer's own agency")
    trainer = MembershipFactory(role=Membership.Role.TRAINER, agency=agency).user
    people = {
        "current": {},
        "pending": {"status": Membership.Status.PENDING, "vetted_at": None},
        "rejected": {"status": Membership.Status.REJECTED, "vetted_at": None},
        "left": {"status": Membership.Status.LEFT},
        "lapsed": {"vetted_at": timezone.now() - timedelta(days=800)},
    }
    users = {}
    for name, fields in people.items():
        users[name] = MembershipFactory(agency=agency, **fields).user
        graded_attempt(quiz, users[name], score=50, scores={"q1": 1.0})
    assert officer_scope(trainer) == [agency.pk]
    seen = {row.user_id for row in attempts_per_officer(quiz=quiz, agency_ids=[agency.pk])}
    assert seen == {users["current"].pk}


@pytest.mark.parametrize("status", ["pending", "rejected", "left"])
def test_a_trainer_membership_that_does_not_count_opens_no_scope(status):
    from assessments.views.trainer import officer_scope

    agency = AgencyFactory()
    trainer = MembershipFactory(role=Membership.Role.TRAINER, agency=agency).user
    # A programme-wide trainer membership still waiting, refused or ended sees no one more.
    MembershipFactory(user=trainer, role=Membership.Role.TRAINER, agency=None, status=status)
    assert officer_scope(trainer) == [agency.pk]


def test_officers_csv_asks_for_the_password_again(client, sample):
    trainer = MembershipFactory(role=Membership.Role.TRAINER, agency=None).user
    with_totp(trainer)
    client.force_login(trainer)
    response = client.get(reverse("assessments:trainer_officers_csv", args=[sample.pk]))
    assert response.status_code == 302 and "reauthenticate" in response["Location"]


def test_missing_quiz_is_404_for_trainers(trainer_client, quiz):
    for url in trainer_urls(quiz.pk + 1000)[1:]:
        assert trainer_client.get(url).status_code == 404, url


# The CSV exports


def test_items_csv_has_the_statistics_and_an_audit_row(trainer_client, sample):
    url = reverse("assessments:trainer_items_csv", args=[sample.pk])
    response = trainer_client.get(url)
    assert response["Content-Disposition"].startswith("attachment;")
    rows = csv_rows(response)
    assert rows[0][0] == "quiz version"
    q1 = next(row for row in rows[1:] if row[1] == "q1")
    assert q1[0] == sample.content_hash
    assert q1[5:10] == ["10", "6", "0.600", "0.600", "0.667"]
    assert q1[10] == "a (correct): 6/10; b: 3/10; c: 2/10"
    q3 = next(row for row in rows[1:] if row[1] == "q3")
    assert q3[9] == ""  # no discrimination from five attempts
    event = AuditEvent.objects.get(action="quiz.items_export")
    assert event.details == {"quiz": sample.pk, "version": sample.content_hash, "rows": 3}

    old = csv_rows(trainer_client.get(url + "?version=22222"))
    assert {row[0] for row in old[1:]} == {OLD_HASH}


def test_csv_exports_escape_formula_cells(trainer_client, quiz):
    QuestionFactory(quiz=quiz, key="q9", order=9, prompt='=HYPERLINK("http://x")')
    graded_attempt(
        quiz, UserFactory(full_name="@SUM(A1)", email="+1@x.example"), score=10, scores={"q1": 0.0}
    )
    graded_attempt(quiz, UserFactory(full_name="-2+3"), score=90, scores={"q1": 1.0})

    items = csv_rows(trainer_client.get(reverse("assessments:trainer_items_csv", args=[quiz.pk])))
    assert next(row for row in items if row[1] == "q9")[3] == '\'=HYPERLINK("http://x")'

    response = trainer_client.get(reverse("assessments:trainer_officers_csv", args=[quiz.pk]))
    rows = csv_rows(response)
    assert rows[0][:3] == ["Full name", "Email", "Attempts"]
    cells = {row[0]: row for row in rows[1:]}
    assert cells["'@SUM(A1)"][1] == "'+1@x.example"
    assert cells["'@SUM(A1)"][2:5] == ["1", "10.00", "no"]
    assert cells["'-2+3"][2:5] == ["1", "90.00", "yes"]
    event = AuditEvent.objects.get(action="quiz.officers_export")
    assert event.details == {"quiz": quiz.pk, "rows": 2}


# Query counts


def add_attempts(quiz, count: int) -> None:
    users = [UserFactory() for _ in range(max(1, count // 4))]
    for index in range(count):
        graded_attempt(
            quiz,
            users[index % len(users)],
            score=index % 100,
            scores={"q1": float(index % 2), "q2": 0.5, "q3": 1.0},
            answers={"q1": ["a"] if index % 2 else ["b"], "q2": ["a"]},
            quiz_hash=OLD_HASH if index % 3 == 0 else None,
        )


@pytest.mark.parametrize("name", ["items", "items_csv", "officers", "officers_csv"])
def test_page_query_count_does_not_grow_with_attempts(trainer_client, name):
    counts = []
    for attempts in (3, 40):
        quiz = QuizFactory()
        for order in (1, 2, 3):
            QuestionFactory(quiz=quiz, key=f"q{order}", order=order)
        add_attempts(quiz, attempts)
        url = reverse(f"assessments:trainer_{name}", args=[quiz.pk])
        with CaptureQueriesContext(connection) as queries:
            assert trainer_client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_analysis_reads_attempts_once_whatever_their_number(
    quiz, sample, django_assert_num_queries
):
    add_attempts(quiz, 40)
    with django_assert_num_queries(2):  # the graded attempts, the questions
        item_statistics(quiz=quiz, quiz_hash=quiz.content_hash)
    with django_assert_num_queries(1):
        attempts_per_officer(quiz=quiz)
