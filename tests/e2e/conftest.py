"""Shared by the browser journeys: emails written as files, as in development."""

import email
import email.policy
import re

import pytest

from tests.polling import wait_for


@pytest.fixture
def mail_dir(settings, tmp_path):
    """Send this test's email to files in a folder (Django's file backend), like make run."""
    folder = tmp_path / "mail"
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(folder)},
        }
    }
    return folder


def confirmation_link(mail_dir, timeout: float = 10) -> str:
    """The email-confirmation link from the mail files, waiting briefly for it."""

    def link() -> str | None:
        for path in sorted(mail_dir.glob("*.log")):
            raw = path.read_text().split("\n" + "-" * 79)[0]
            body = email.message_from_string(raw, policy=email.policy.default).get_content()
            found = re.search(r"https?://\S+/accounts/confirm-email/\S+/", body)
            if found:
                return found.group(0)
        return None

    return wait_for(link, timeout=timeout, message="no confirmation email was written")
