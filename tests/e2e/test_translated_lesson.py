"""End to end in Chromium: switch the interface to Korean, read a translated lesson, and see
the stale-translation notice once the English text changes."""

import re
import shutil

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from courses.models import Course, Lesson
from courses.pipeline.sync import content_sync
from courses.services import enrollment_create
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


@pytest.fixture
def content_copy(tmp_path, settings):
    root = tmp_path / "content"
    shutil.copytree(django_settings.CONTENT_DIR, root)
    settings.CONTENT_DIR = root
    content_sync(root=root)
    return root


def test_officer_reads_korean_and_sees_stale_notice(page, live_server, content_copy, officer):
    course = Course.objects.get(slug="crypto-investigation")
    enrollment_create(user=officer, course=course)
    lesson = Lesson.objects.get(module__slug="blockchain-basics", slug="keys-and-addresses")
    korean = lesson.translations.get(language="ko")
    with translation.override("ko"):
        stale_notice = translation.gettext(
            "This translation was made from an earlier version of the English text and may be out of date."
        )
        dashboard_title = translation.gettext("Dashboard")

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email:").fill(officer.email)
    page.get_by_label("Password:").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("heading", name=re.compile("Welcome")).wait_for()

    # Switch the interface to Korean with the footer's language form.
    page.get_by_label("Language").select_option("ko")
    page.get_by_role("button", name="Change").click()
    page.get_by_role("link", name=dashboard_title, exact=True).wait_for()
    assert page.locator("html").get_attribute("lang") == "ko"

    page.goto(live_server.url + lesson.get_absolute_url())
    assert page.get_by_role("heading", level=1).inner_text() == korean.title
    assert page.locator("article").get_attribute("lang") == "ko"
    assert page.get_by_text(stale_notice).count() == 0

    # The English lesson changes; the Korean one is now flagged as made from an older text.
    english = content_copy / lesson.current_version.source_path.split("/", 1)[1]
    english.write_text(english.read_text() + "\nA new paragraph on wallet recovery.\n")
    content_sync(root=content_copy)
    page.reload()
    page.get_by_text(stale_notice).wait_for()
    assert page.get_by_role("heading", level=1).inner_text() == korean.title
    page.locator("a[href='?lang=en']").first.click()
    page.get_by_role("heading", level=1, name=lesson.title).wait_for()
    assert "wallet recovery" in page.locator("article").inner_text()
