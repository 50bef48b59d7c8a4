"""HTTP tests for the quiz pages."""

import pytest
from django.urls import reverse

from assessments.models import Attempt
from courses.services import enrollment_create
from tests.factories import UserFactory, correct_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def module(course):
    return course.modules.first()


def test_quiz_page_needs_enrollment(officer_client, course, module):
    url = reverse("assessments:quiz", args=[course.slug, module.slug])
    assert officer_client.get(url).status_code == 404


def test_take_and_pass_a_quiz(officer_client, officer, course, module):
    enrollment_create(user=officer, course=course)
    response = officer_client.get(reverse("assessments:quiz", args=[course.slug, module.slug]))
    assert response.status_code == 200
    assert "You pass with 70% or more" in response.text

    response = officer_client.post(
        reverse("assessments:quiz_start", args=[course.slug, module.slug])
    )
    attempt = Attempt.objects.get(user=officer)
    assert response["Location"] == reverse("assessments:attempt", args=[attempt.pk])

    page = officer_client.get(response["Location"])
    for question in module.quiz.questions.all():
        assert question.prompt in page.text
    data = {
        f"q_{key}": value if len(value) > 1 else value[0]
        for key, value in correct_answers(module.quiz).items()
    }
    response = officer_client.post(reverse("assessments:attempt", args=[attempt.pk]), data)
    assert response["Location"] == reverse("assessments:result", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.passed is True

    result = officer_client.get(response["Location"])
    assert "You scored 100%" in result.text
    # Submitting the same attempt again only shows the result.
    again = officer_client.post(reverse("assessments:attempt", args=[attempt.pk]), {})
    assert again["Location"] == reverse("assessments:result", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.passed is True


def test_another_officers_attempt_is_404(client, officer, course, module):
    enrollment_create(user=officer, course=course)
    client.force_login(officer)
    client.post(reverse("assessments:quiz_start", args=[course.slug, module.slug]))
    attempt = Attempt.objects.get(user=officer)
    client.force_login(UserFactory())
    assert client.get(reverse("assessments:attempt", args=[attempt.pk])).status_code == 404
    assert client.post(reverse("assessments:attempt", args=[attempt.pk]), {}).status_code == 404
    assert client.get(reverse("assessments:result", args=[attempt.pk])).status_code == 404


def test_start_needs_post(officer_client, officer, course, module):
    enrollment_create(user=officer, course=course)
    url = reverse("assessments:quiz_start", args=[course.slug, module.slug])
    assert officer_client.get(url).status_code == 405
