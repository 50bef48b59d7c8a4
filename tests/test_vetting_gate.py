"""One vetting gate for all law-enforcement material (issue 10, point 1).

Lessons, their images and knowledge checks, quizzes, attempts and their reviews, tracing labs,
glossaries and trainer previews all answer 404, exactly as for a missing object, to an
officer who is pending, rejected, lapsed or has left; a vetted officer opens them.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from assessments.models import Question
from assessments.questions.lab import lab_graph
from assessments.services import (
    attempt_start,
    attempt_submit,
    lab_trace_add_step,
    lab_trace_pdf_render,
)
from courses.models import ContentAsset, GlossaryTerm, Lesson, LessonTranslation
from courses.services import enrollment_create
from tests.factories import (
    AgencyFactory,
    LessonFactory,
    MembershipFactory,
    QuestionFactory,
    UserFactory,
    build_course,
    trainer_for,
)

pytestmark = pytest.mark.django_db

CHECK = """## Seizure

```check
question: Which key must never leave the evidence wallet?
choices:
  - text: The seed phrase
    correct: true
  - text: The address
explanation: Whoever holds the seed phrase holds the funds.
```
"""
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'
PARAMS = {"scenario": "peel_chain", "victims": 2, "peel_hops": 3, "exchanges": 1, "noise": 2}


def _lapsed():
    return timezone.now() - timedelta(days=settings.VETTING_RECONFIRM_DAYS + 1)


# How each kind of unvetted officer's membership looks.
UNVETTED = {
    "pending": {"status": Membership.Status.PENDING, "vetted_at": None},
    "rejected": {"status": Membership.Status.REJECTED},
    "lapsed": {"vetted_at": _lapsed},
    "left": {"status": Membership.Status.LEFT},
}


def make_unvetted(membership: Membership, kind: str) -> None:
    changes = {k: v() if callable(v) else v for k, v in UNVETTED[kind].items()}
    Membership.objects.filter(pk=membership.pk).update(**changes)


@pytest.fixture
def le_world():
    """A module with a public and a law-enforcement-only lesson (with a knowledge check and
    an image), an le_only glossary and quiz with a tracing lab; a vetted officer who has a
    graded attempt (its review) and an open one (with a lab trace and its PDF)."""
    course = build_course(modules=1, lessons_per_module=1, questions=2)
    module = course.modules.get()
    module.glossary_access = Lesson.Access.LAW_ENFORCEMENT
    module.save(update_fields=["glossary_access"])
    GlossaryTerm.objects.create(
        module=module, term="Seed phrase", anchor="seed-phrase", definition_html="<p>Keys.</p>"
    )
    le_lesson = LessonFactory(module=module, access=Lesson.Access.LAW_ENFORCEMENT, body=CHECK)
    ContentAsset.objects.create(
        course=course,
        path="m/media/seizure.svg",
        content_type="image/svg+xml",
        data=SVG,
        content_hash="a" * 64,
        access=Lesson.Access.LAW_ENFORCEMENT,
    )
    quiz = module.quiz
    quiz.access = Lesson.Access.LAW_ENFORCEMENT
    quiz.save(update_fields=["access"])
    QuestionFactory(
        quiz=quiz,
        key="lab1",
        order=50,
        kind="lab",
        prompt="Trace.",
        choices=[],
        explanation="",
        spec={"params": PARAMS},
    )
    membership = MembershipFactory(agency=AgencyFactory(name="Royal Thai Police"))
    officer = membership.user
    enrollment = enrollment_create(user=officer, course=course)
    graded = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
    attempt_submit(attempt_id=graded.pk, user=officer, raw_answers={})
    attempt = attempt_start(user=officer, quiz=quiz, enrollment=enrollment)
    start = lab_graph(Question.objects.get(key="lab1"), attempt.seed).start_address
    trace = lab_trace_add_step(attempt=attempt, question_key="lab1", address=start)
    lab_trace_pdf_render(trace_id=trace.pk)
    lab = {"attempt_id": attempt.pk, "question_key": "lab1"}
    quiz_kwargs = {"course_slug": course.slug, "module_slug": module.slug}
    # (method, url name, kwargs, what a vetted officer gets); GETs first, as POSTs change state.
    urls = [
        ("get", "courses:lesson", {**quiz_kwargs, "lesson_slug": le_lesson.slug}, 200),
        ("get", "courses:media", {"course_slug": course.slug, "path": "m/media/seizure.svg"}, 200),
        ("get", "courses:glossary", quiz_kwargs, 200),
        ("get", "assessments:quiz", quiz_kwargs, 200),
        ("get", "assessments:attempt", {"attempt_id": attempt.pk}, 200),
        ("get", "assessments:result", {"attempt_id": graded.pk}, 200),
        ("get", "assessments:lab", lab, 302),
        ("get", "assessments:lab_address", {**lab, "address": start}, 200),
        ("get", "assessments:lab_trace", lab, 200),
        ("get", "assessments:lab_trace_csv", lab, 200),
        ("get", "assessments:lab_trace_pdf", lab, 200),
        ("post", "assessments:save", {"attempt_id": attempt.pk}, 200),
        ("post", "assessments:lab_trace_add", {**lab, "address": start}, 302),
        ("post", "assessments:lab_trace_pdf_prepare", lab, 302),
        ("post", "assessments:lab_trace_remove", {**lab, "index": 0}, 302),
        ("post", "courses:lesson_complete", {**quiz_kwargs, "lesson_slug": le_lesson.slug}, 302),
        ("post", "assessments:attempt", {"attempt_id": attempt.pk}, 200),  # no answers: form again
        ("post", "assessments:quiz_start", quiz_kwargs, 302),
    ]
    return {"membership": membership, "officer": officer, "urls": urls, "course": course}


@pytest.mark.parametrize("kind", list(UNVETTED))
def test_unvetted_officer_gets_404_for_all_law_enforcement_material(client, le_world, kind):
    make_unvetted(le_world["membership"], kind)
    client.force_login(le_world["officer"])
    for method, name, kwargs, _vetted in le_world["urls"]:
        response = getattr(client, method)(reverse(name, kwargs=kwargs))
        assert response.status_code == 404, (kind, name)
        assert b"seed phrase" not in response.content.lower(), (kind, name)


def test_vetted_officer_opens_all_law_enforcement_material(client, le_world):
    client.force_login(le_world["officer"])
    for method, name, kwargs, expected in le_world["urls"]:
        response = getattr(client, method)(reverse(name, kwargs=kwargs))
        assert response.status_code == expected, name
    lesson_url = reverse("courses:lesson", kwargs=le_world["urls"][0][2])
    assert "Which key must never leave the evidence wallet?" in client.get(lesson_url).text


@pytest.mark.parametrize("kind", list(UNVETTED))
def test_unvetted_officer_still_opens_public_material(client, le_world, kind):
    course = le_world["course"]
    public = Lesson.objects.get(module__course=course, access=Lesson.Access.PUBLIC)
    make_unvetted(le_world["membership"], kind)
    client.force_login(le_world["officer"])
    assert client.get(public.get_absolute_url()).status_code == 200
    assert client.get(course.get_absolute_url()).status_code == 200


def trainer_urls(course) -> list[str]:
    lesson = Lesson.objects.filter(module__course=course).first()
    quiz = course.modules.first().quiz
    translation = LessonTranslation.objects.get_or_create(
        lesson=lesson,
        language="ko",
        defaults={"title": "번역", "body_html": "<p>번역</p>", "source_path": "x.ko.md",
                  "content_hash": "a" * 64, "source_hash": "b" * 12},
    )[0]  # fmt: skip
    return [
        reverse("courses:trainer_content"),
        reverse("courses:trainer_lesson", args=[lesson.pk]),
        reverse("courses:trainer_version", args=[lesson.pk, 1]),
        reverse("courses:trainer_diff", args=[lesson.pk]) + "?from=1&to=1",
        reverse("courses:trainer_translation_changes", args=["lesson", translation.pk]),
        reverse("assessments:trainer_quizzes"),
        reverse("assessments:trainer_items", args=[quiz.pk]),
        reverse("assessments:trainer_items_csv", args=[quiz.pk]),
    ]


@pytest.mark.parametrize("kind", [*UNVETTED, "vetted"])
def test_trainer_previews_are_closed_to_officers(client, kind):
    course = build_course(modules=1)
    membership = MembershipFactory()
    if kind != "vetted":
        make_unvetted(membership, kind)
    client.force_login(membership.user)
    for url in trainer_urls(course):
        assert client.get(url).status_code == 404, (kind, url)


def test_trainer_previews_open_to_trainers_and_pass_the_vetting_check(client):
    course = build_course(modules=1)
    trainer = trainer_for(course)
    client.force_login(trainer)
    for url in trainer_urls(course):
        assert client.get(url).status_code == 200, url
    # A trainer whose own membership is no longer approved loses the previews too.
    Membership.objects.filter(user=trainer).update(status=Membership.Status.LEFT)
    for url in trainer_urls(course):
        assert client.get(url).status_code == 404, url


def test_signed_in_user_of_no_agency_gets_404_for_law_enforcement_quiz(client, le_world):
    stranger = UserFactory()
    course = le_world["course"]
    enrollment_create(user=stranger, course=course)
    client.force_login(stranger)
    module = course.modules.get()
    url = reverse("assessments:quiz", args=[course.slug, module.slug])
    assert client.get(url).status_code == 404


def test_issue_scenario_pending_officer_and_the_module_6_quiz(client, curriculum):
    """The issue, on the real curriculum: officer.pending@rtp.example signed up with an agency
    address, is not vetted yet, enrolls, and tries every module quiz."""
    from accounts.services import membership_assign_from_email
    from assessments.models import Quiz
    from courses.models import Course
    from tests.factories import admin_of

    agency = AgencyFactory(name="Royal Thai Police", country="TH", email_domains=["rtp.example"])
    admin_of(agency, full_name="Niran Chaiyaporn")
    officer = UserFactory(email="officer.pending@rtp.example")
    membership = membership_assign_from_email(user=officer)
    assert membership.status == Membership.Status.PENDING
    course = Course.objects.get(slug="crypto-investigation")
    client.force_login(officer)
    assert client.post(reverse("courses:enroll", args=[course.slug])).status_code == 302

    quizzes = {quiz.module.order: quiz for quiz in Quiz.objects.select_related("module")}
    six = quizzes[6]
    assert six.title.startswith("Freezing, seizure and cross-border cooperation")
    for quiz in quizzes.values():
        url = reverse("assessments:quiz", args=[course.slug, quiz.module.slug])
        expected = 200 if quiz.access == Lesson.Access.PUBLIC else 404
        assert client.get(url).status_code == expected, quiz.module.slug
    assert quizzes[min(quizzes)].access == Lesson.Access.PUBLIC  # module 1 stays open
    start = reverse("assessments:quiz_start", args=[course.slug, six.module.slug])
    assert client.post(start).status_code == 404

    # An attempt opened before the gate existed: neither it nor its review opens any more.
    enrollment = course.enrollments.get(user=officer)
    attempt = attempt_start(user=officer, quiz=six, enrollment=enrollment)
    attempt_submit(attempt_id=attempt.pk, user=officer, raw_answers={})
    for name in ("assessments:attempt", "assessments:result"):
        response = client.get(reverse(name, args=[attempt.pk]))
        assert response.status_code == 404, name
        assert six.questions.first().prompt not in response.text

    page = client.get(course.get_absolute_url()).text
    assert "Why: your agency, Royal Thai Police, has not vetted your account yet." in page
    assert "Who vets you: your agency admin at Royal Thai Police: Niran Chaiyaporn." in page
    assert "Completing this course waits for your vetting" in page
    assert reverse("assessments:quiz", args=[course.slug, six.module.slug]) not in page
