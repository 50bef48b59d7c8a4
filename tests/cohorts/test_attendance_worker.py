"""The sign-in sheet through a real Celery worker process on Redis (no eager mode)."""

import io

import pytest
from pypdf import PdfReader

from cohorts.models import SignInSheet
from cohorts.services.attendance import sign_in_sheet_request
from tests.factories import MembershipFactory, UserFactory, build_cohort, seated
from tests.polling import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_sign_in_sheet_is_rendered_by_the_worker(celery_worker):
    cohort = build_cohort(capacity=5)
    names = ["Nattapong Srisuk", "Park Ji-woo"]
    for name in names:
        user = MembershipFactory(agency=cohort.host_agency, user=UserFactory(full_name=name)).user
        seated(cohort, user=user)
    session = cohort.sessions.first()

    sign_in_sheet_request(session=session, actor=cohort.trainers.first())

    wait_for(
        lambda: SignInSheet.objects.get(session=session).is_current,
        message="the worker did not render the sign-in sheet",
    )
    sheet = SignInSheet.objects.get(session=session)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(sheet.pdf.read())).pages)
    for name in names:
        assert name in text
