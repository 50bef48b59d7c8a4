"""Lesson media behind the access check, translated lessons, and the remembered language."""

import hashlib

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from courses.models import Course, Lesson
from courses.pipeline.sync import content_sync
from courses.services import enrollment_create
from tests.courses.test_content import write_course
from tests.courses.test_pipeline import SVG, lesson_text
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced(tmp_path):
    module = write_course(tmp_path)
    (module / "media").mkdir()
    (module / "media" / "flow.svg").write_text(SVG)
    (module / "media" / "secret.svg").write_text(SVG)
    (module / "01-one.md").write_text(lesson_text("![A flow](media/flow.svg)"))
    (module / "02-two.md").write_text(
        lesson_text("![Secret](media/secret.svg)", slug="two", order=2, extra="access: le_only\n")
    )
    digest = hashlib.sha256((module / "01-one.md").read_bytes()).hexdigest()[:12]
    (module / "01-one.ko.md").write_text(
        f'---\ntitle: 하나\nsource_hash: "{digest}"\n---\n한국어 본문\n'
    )
    content_sync(root=tmp_path)
    return Course.objects.get()


def media_url(path):
    return reverse("courses:media", args=["basics", path])


def test_public_image_is_served_with_a_locked_down_policy(client, officer, synced):
    client.force_login(officer)
    response = client.get(media_url("01-module/media/flow.svg"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response.content == SVG.encode()


def test_law_enforcement_image_needs_an_agency(client, synced):
    client.force_login(UserFactory(email="someone@mail.example"))
    assert client.get(media_url("01-module/media/flow.svg")).status_code == 200
    assert client.get(media_url("01-module/media/secret.svg")).status_code == 404
    client.logout()
    assert client.get(media_url("01-module/media/flow.svg")).status_code == 302


def test_lesson_is_shown_in_the_chosen_language(client, officer, synced):
    enrollment_create(user=officer, course=synced)
    client.force_login(officer)
    response = client.post(reverse("accounts:set_language"), {"language": "ko", "next": "/"})
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.language == "ko"
    assert AuditEvent.objects.filter(action="account.language", actor=officer).exists()

    lesson = Lesson.objects.get(slug="one")
    page = client.get(lesson.get_absolute_url())
    assert "한국어 본문" in page.text and '<html lang="ko">' in page.text
    english = client.get(lesson.get_absolute_url() + "?lang=en")
    assert "한국어 본문" not in english.text
    untranslated = client.get(Lesson.objects.get(slug="two").get_absolute_url())
    assert "not yet translated" in untranslated.text or untranslated.status_code == 200


def test_saved_language_follows_the_user_to_a_new_browser(client, officer, synced):
    officer.language = "th"
    officer.save()
    client.force_login(officer)
    assert '<html lang="th">' in client.get(reverse("certificates:dashboard")).text
