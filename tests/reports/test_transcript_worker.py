"""The signed PDF transcript through a real Celery worker on Redis: asked for over HTTP,
made by the worker from the outbox, followed on its page's JSON and downloaded by the person
who asked, with a signature poppler's pdfsig accepts; nobody else gets the page or the file."""

import pytest
from django.urls import reverse

from reports.models import Transcript
from tests.core.signing import pdfsig
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    UserFactory,
    admin_of,
    reauthenticated_now,
    staff_user,
)
from tests.polling import wait_for
from tests.reports.test_transcripts import complete_course

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def finished(client, made: Transcript) -> dict:
    url = reverse("reports:signed_transcript_status", args=[made.serial])
    return wait_for(
        lambda: (data := client.get(url).json())["finished"] and data,
        message="the worker did not make the transcript",
    )


def test_the_worker_makes_a_signed_pdf_only_its_requester_downloads(client, celery_worker):
    agency = AgencyFactory(name="Seoul Metropolitan Police", country="KR", time_zone="Asia/Seoul")
    officer = MembershipFactory(agency=agency, user=UserFactory(full_name="김민준")).user
    complete_course(officer)
    admin = admin_of(agency)
    request_url = reverse("reports:signed_transcript_request", kwargs={"user_id": officer.pk})

    # An admin gives the password again before asking.
    client.force_login(admin)
    response = client.post(request_url)
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    reauthenticated_now(client, admin)
    response = client.post(request_url)
    made = officer.transcripts.get()
    assert response["Location"] == reverse("reports:signed_transcript", args=[made.serial])

    state = finished(client, made)

    assert (state["status"], state["ready"]) == ("ready", True)
    response = client.get(state["download_url"])
    assert response.status_code == 200
    pdf = b"".join(response.streaming_content)
    assert "Signature is Valid." in pdfsig(pdf)
    made.refresh_from_db()
    assert made.created_by == admin and made.lines > 0 and made.audit_head_hash

    urls = [
        reverse(name, args=[made.serial])
        for name in (
            "reports:signed_transcript",
            "reports:signed_transcript_status",
            "reports:signed_transcript_download",
        )
    ]
    for other in (admin_of(agency), staff_user(), officer):
        client.force_login(other)
        reauthenticated_now(client, other)
        assert [client.get(url).status_code for url in urls] == [404, 404, 404]

    # The officer's own request needs no password; their PDF is theirs alone.
    client.force_login(officer)
    response = client.post(request_url)
    own = officer.transcripts.exclude(pk=made.pk).get()
    assert response["Location"] == reverse("reports:signed_transcript", args=[own.serial])
    state = finished(client, own)
    response = client.get(state["download_url"])
    assert response.status_code == 200
    assert "Signature is Valid." in pdfsig(b"".join(response.streaming_content))
