"""Trainers preview any lesson version and diff two versions; others get 404."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from courses.models import Lesson, LessonTranslation
from courses.pipeline.sync import content_sync
from tests.courses.test_content import write_course
from tests.factories import MembershipFactory, with_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_versions(tmp_path):
    module = write_course(tmp_path)
    content_sync(root=tmp_path)
    path = module / "01-one.md"
    path.write_text(path.read_text().replace("Body text for one.", "Body text for one, revised."))
    content_sync(root=tmp_path)
    return Lesson.objects.get(slug="one")


@pytest.fixture
def trainer_client(client):
    trainer = MembershipFactory(role=Membership.Role.TRAINER).user
    with_totp(trainer)
    client.force_login(trainer)
    return client


def test_trainer_sees_versions_preview_and_diff(trainer_client, two_versions):
    lesson = two_versions
    page = trainer_client.get(reverse("courses:trainer_lesson", args=[lesson.pk]))
    assert page.status_code == 200 and "v2" in page.text and "v1" in page.text
    old = trainer_client.get(reverse("courses:trainer_version", args=[lesson.pk, 1]))
    assert "Body text for one." in old.text and "revised" not in old.text
    diff = trainer_client.get(reverse("courses:trainer_diff", args=[lesson.pk]) + "?from=1&to=2")
    assert '<span class="diff-removed">' in diff.text
    assert "Body text for one, revised." in diff.text


def test_trainer_content_lists_stale_translations(trainer_client, tmp_path, two_versions):
    LessonTranslation.objects.create(
        lesson=two_versions,
        language="ko",
        title="하나",
        body_html="<p>x</p>",
        source_path="x.ko.md",
        content_hash="a" * 64,
        source_hash="b" * 12,
        is_stale=True,
    )
    response = trainer_client.get(reverse("courses:trainer_content"))
    assert "하나" not in response.text  # listed by the English title, with the language
    assert "[ko]" in response.text and two_versions.title in response.text


def test_trainer_pages_are_404_for_officers(client, officer, two_versions):
    client.force_login(officer)
    for url in (
        reverse("courses:trainer_content"),
        reverse("courses:trainer_lesson", args=[two_versions.pk]),
        reverse("courses:trainer_version", args=[two_versions.pk, 1]),
        reverse("courses:trainer_diff", args=[two_versions.pk]) + "?from=1&to=2",
    ):
        assert client.get(url).status_code == 404


def test_diff_with_bad_parameters_is_404(trainer_client, two_versions):
    url = reverse("courses:trainer_diff", args=[two_versions.pk])
    assert trainer_client.get(url + "?from=x&to=2").status_code == 404
    assert trainer_client.get(url + "?from=1&to=9").status_code == 404


def test_missing_version_is_404(trainer_client, two_versions):
    url = reverse("courses:trainer_version", args=[two_versions.pk, 9])
    assert trainer_client.get(url).status_code == 404
