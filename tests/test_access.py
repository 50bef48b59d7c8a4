"""Access, walked from the URL configuration:

- every URL pattern that carries an object id answers 404 to a user of another agency (the
  highest role there: its agency admin, with MFA), exactly as for a missing object;
- a role x page matrix shows who may open each page, as docs/permissions.md says.

A new URL with an id fails the first test until it is listed below with the object to use.
"""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Membership
from accounts.permissions import PER_COHORT, Action
from accounts.services import invitation_create
from assessments.services import attempt_start
from certificates.services import certificate_batch_start, certificate_create_for_completion
from cohorts.access import cohort_actions
from courses.models import Lesson, LessonTranslation
from courses.services import enrollment_create, lesson_complete
from reports.models import ExportJob, Transcript
from tests.cohorts.access_objects import cohort_context, cohort_urls
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    QuestionFactory,
    UserFactory,
    admin_of,
    build_cohort,
    build_course,
    coordinator_of,
    reauthenticated_now,
    seated,
    staff_user,
    take_part,
    trainer_for,
    with_totp,
)

pytestmark = pytest.mark.django_db

# URLs whose id is not an agency's or a person's object, with the reason.
NOT_OWNED = {
    "account_confirm_email": "one-time key mailed to the person",
    "account_reset_password_from_key": "one-time key mailed to the person",
    "accounts:invitation": "unguessable token mailed to the invitee",
    "certificates:verify": "public verification by unguessable token, by design",
    "certificates:verify_json": "public verification by unguessable token, by design",
    "certificates:verify_credential": "public verification by unguessable token, by design",
    "certificates:credential_key": "the issuer's public key, published by design",
    "reports:transcript_verify": "public verification by unguessable token, by design",
    "certificates:status_list": "the public Bitstring Status List, published by design",
    "cohorts:feed": "secret per-user calendar feed token, revocable",
    "cohorts:projector": "display token for one session until it ends (test_checkin)",
    "cohorts:projector_current": "display token for one session until it ends (test_checkin)",
    "courses:detail": "the shared curriculum, open to every signed-in learner",
    "courses:enroll": "the shared curriculum, open to every signed-in learner",
    "courses:glossary": "shared curriculum; law-enforcement-only ones tested in test_vetting_gate",
    "courses:media": "shared curriculum images; law-enforcement ones tested in test_media_and_language",
    "reports:export": "a table's name and format; its object ids are in the query string, "
    "each table's scope is tested in tests/reports/test_exports.py",
}


def url_names_with_parameters() -> set[str]:
    found = set()

    def walk(patterns, namespace=None, inherited=False):
        for pattern in patterns:
            has_params = inherited or bool(pattern.pattern.regex.groupindex)
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith("admin/"):
                    continue
                walk(pattern.url_patterns, pattern.namespace or namespace, has_params)
            elif isinstance(pattern, URLPattern) and has_params:
                found.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns)
    return found


@pytest.fixture
def agency_a_objects():
    """Objects that belong to agency A and its officer."""
    agency = AgencyFactory(name="Agency A", country="KR")
    officer = MembershipFactory(agency=agency).user
    pending = MembershipFactory(agency=agency, status=Membership.Status.PENDING, vetted_at=None)
    admin = admin_of(agency)
    invitation = invitation_create(agency=agency, email="new@a.example", actor=admin)
    course = build_course()
    enrollment = enrollment_create(user=officer, course=course)
    lessons = list(Lesson.objects.filter(module__course=course))
    for lesson in lessons:
        lesson_complete(enrollment=enrollment, lesson=lesson)
    module = course.modules.first()
    attempt = attempt_start(user=officer, quiz=module.quiz, enrollment=enrollment)
    certificate = certificate_create_for_completion(enrollment=enrollment)
    key = Authenticator.objects.create(user=officer, type=Authenticator.Type.WEBAUTHN, data={})
    lesson = lessons[0]
    lesson_kwargs = {
        "course_slug": course.slug,
        "module_slug": lesson.module.slug,
        "lesson_slug": lesson.slug,
    }
    member = {"membership_id": pending.pk}
    translation = LessonTranslation.objects.create(
        lesson=lesson, language="ko", title="번역", body_html="<p>번역</p>",
        source_path="content/x.ko.md", content_hash="a" * 64, source_hash="b" * 12,
    ).pk  # fmt: skip
    QuestionFactory(
        quiz=module.quiz, key="lab1", order=50, kind="lab", prompt="Trace.", choices=[],
        explanation="", spec={"params": {"scenario": "peel_chain"}},
    )  # fmt: skip
    attempt.question_keys = [*attempt.question_keys, "lab1"]
    attempt.save(update_fields=["question_keys"])
    lab = {"attempt_id": attempt.pk, "question_key": "lab1"}
    cohort_ctx = cohort_context(agency=agency, officer=officer, course=course)
    cohort = cohort_ctx["cohort"]
    batch = certificate_batch_start(cohort=cohort, kind="issue", actor=cohort.trainers.first())
    export_job = ExportJob.objects.create(
        user=admin, agency=agency, table="roster", params={"agency": agency.pk}, format="csv"
    )
    transcript = Transcript.objects.create(user=officer, created_by=officer, language="en")
    signed = {"serial": transcript.serial}
    return {
        "_agency": agency,
        "_officer": officer,
        **cohort_urls(cohort_ctx),
        "accounts:member": member,
        "accounts:member_approve": member,
        "accounts:member_reject": member,
        "accounts:member_left": member,
        "accounts:member_reconfirm": member,
        "accounts:member_role": member,
        "accounts:invitations": {"agency_id": agency.pk},
        "accounts:invitation_import": {"agency_id": agency.pk},
        "accounts:invitation_resend": {"invitation_id": invitation.pk},
        "reports:roster": {"agency_id": agency.pk},
        "reports:roster_export": {"agency_id": agency.pk},
        "reports:agency_requirements": {"agency_id": agency.pk},
        "reports:dashboard_agency": {"agency_id": agency.pk},
        "reports:dashboard_officers": {"agency_id": agency.pk},
        "reports:dashboard_country": {"country": agency.country},
        "reports:export_job": {"job_id": export_job.pk},
        "reports:export_job_status": {"job_id": export_job.pk},
        "reports:export_job_download": {"job_id": export_job.pk},
        "reports:transcript": {"user_id": officer.pk},
        "reports:signed_transcript_request": {"user_id": officer.pk},
        "reports:signed_transcript": signed,
        "reports:signed_transcript_status": signed,
        "reports:signed_transcript_download": signed,
        "accounts:person_erase": {"user_id": officer.pk},
        "assessments:attempt": {"attempt_id": attempt.pk},
        "assessments:result": {"attempt_id": attempt.pk},
        "assessments:save": {"attempt_id": attempt.pk},
        "assessments:lab": lab,
        "assessments:lab_trace": lab,
        "assessments:lab_trace_csv": lab,
        "assessments:lab_trace_pdf": lab,
        "assessments:lab_trace_pdf_prepare": lab,
        "assessments:lab_address": {**lab, "address": "addr1"},
        "assessments:lab_tx": {**lab, "tx_id": "tx1"},
        "assessments:lab_trace_add": {**lab, "address": "addr1"},
        "assessments:lab_trace_remove": {**lab, "index": 0},
        "assessments:trainer_items": {"quiz_id": module.quiz.pk},
        "assessments:trainer_items_csv": {"quiz_id": module.quiz.pk},
        "assessments:trainer_officers": {"quiz_id": module.quiz.pk},
        "assessments:trainer_officers_csv": {"quiz_id": module.quiz.pk},
        "assessments:quiz": {"course_slug": course.slug, "module_slug": module.slug},
        "assessments:quiz_start": {"course_slug": course.slug, "module_slug": module.slug},
        "certificates:download": {"certificate_id": certificate.pk},
        "certificates:detail": {"certificate_id": certificate.pk},
        "certificates:revoke": {"certificate_id": certificate.pk},
        "certificates:suspend": {"certificate_id": certificate.pk},
        "certificates:reinstate": {"certificate_id": certificate.pk},
        "certificates:correct": {"certificate_id": certificate.pk},
        "certificates:credential": {"certificate_id": certificate.pk},
        "certificates:renew": {"certificate_id": certificate.pk},
        "certificates:renew_finish": {"certificate_id": certificate.pk},
        "certificates:cohort_certificates": {"cohort_id": cohort.pk},
        "certificates:batch_issue": {"cohort_id": cohort.pk},
        "certificates:batch_reissue": {"cohort_id": cohort.pk},
        "certificates:batch": {"batch_id": batch.pk},
        "certificates:batch_json": {"batch_id": batch.pk},
        "certificates:batch_retry": {"batch_id": batch.pk},
        "courses:resume": {"course_slug": course.slug},
        "courses:lesson": lesson_kwargs,
        "courses:lesson_complete": lesson_kwargs,
        "courses:lesson_refresh": lesson_kwargs,
        "courses:trainer_lesson": {"lesson_id": lesson.pk},
        "courses:trainer_version": {"lesson_id": lesson.pk, "number": 1},
        "courses:trainer_diff": {"lesson_id": lesson.pk},
        "courses:trainer_translation_changes": {"kind": "lesson", "translation_id": translation},
        "mfa_remove_webauthn": {"pk": key.pk},
        "mfa_edit_webauthn": {"pk": key.pk},
    }


def test_every_url_with_an_id_is_walked(agency_a_objects):
    walked = {name for name in agency_a_objects if not name.startswith("_")}
    assert url_names_with_parameters() - set(NOT_OWNED) == walked


def _text(response) -> str:
    return b"".join(getattr(response, "streaming_content", [response.content])).decode()


def _lapsed_vetting():
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    return timezone.now() - timedelta(days=settings.VETTING_RECONFIRM_DAYS + 1)


# The adversaries of SECURITY.md, each against agency A's objects: another agency's admin and
# trainer, a coordinator of another country, a colleague in agency A, and agency A officers
# whose vetting is pending, was rejected, has lapsed, or who have left.
ADVERSARIES = {
    "agency B admin": lambda a, b: admin_of(b),
    "agency B trainer": lambda a, b: _with_mfa(
        MembershipFactory(agency=b, role=Membership.Role.TRAINER).user
    ),
    "coordinator of another country": lambda a, b: coordinator_of(b.country),
    "colleague in agency A": lambda a, b: MembershipFactory(agency=a).user,
    "pending officer of A": lambda a, b: (
        MembershipFactory(agency=a, status=Membership.Status.PENDING, vetted_at=None).user
    ),
    "rejected officer of A": lambda a, b: (
        MembershipFactory(agency=a, status=Membership.Status.REJECTED, vetted_at=None).user
    ),
    "lapsed officer of A": lambda a, b: (
        MembershipFactory(agency=a, vetted_at=_lapsed_vetting()).user
    ),
    "officer who left A": lambda a, b: (
        MembershipFactory(agency=a, status=Membership.Status.LEFT).user
    ),
}


# What the matrix gives every trainer, whatever their agency: the shared curriculum (previews,
# versions, diffs, quiz item statistics), and per-officer quiz statistics limited to the
# trainer's own agency (checked below to show none of agency A's officers).
TRAINERS_OPEN = {
    "courses:trainer_lesson",
    "courses:trainer_version",
    "courses:trainer_diff",
    "courses:trainer_translation_changes",
    "assessments:trainer_items",
    "assessments:trainer_items_csv",
}
TRAINERS_OWN_AGENCY_ONLY = {"assessments:trainer_officers", "assessments:trainer_officers_csv"}


@pytest.mark.parametrize("adversary", list(ADVERSARIES))
def test_adversaries_get_404_for_every_object_url(client, agency_a_objects, adversary):
    agency_a, officer = agency_a_objects["_agency"], agency_a_objects["_officer"]
    user = ADVERSARIES[adversary](agency_a, AgencyFactory(name="Agency B", country="TH"))
    client.force_login(user)
    # Past the password prompt that guards some views, so each reaches its object lookup.
    reauthenticated_now(client, user)
    opened = []
    for name, kwargs in agency_a_objects.items():
        if name.startswith("_"):
            continue
        url = reverse(name, kwargs=kwargs)
        query = "?from=1&to=1" if name == "courses:trainer_diff" else ""
        if adversary == "agency B trainer" and name in TRAINERS_OPEN:
            continue
        if adversary == "agency B trainer" and name in TRAINERS_OWN_AGENCY_ONLY:
            response = client.get(url)
            assert response.status_code == 200, name
            text = _text(response)
            assert officer.email not in text and officer.full_name not in text, name
            continue
        got = (client.get(url + query).status_code, client.post(url + query).status_code)
        if got[0] not in {404, 405} or got[1] != 404:
            opened.append((name, got))
    assert opened == [], (adversary, opened)


# The role x page matrix. "login": anonymous visitors are sent to sign in.
PAGES = ["dashboard", "catalog", "trainer", "refreshers", "agencies", "audit", "profile",
         "roster", "invitations", "import"]  # fmt: skip
MATRIX = {
    #               dash catalog trainer refresh agencies audit profile roster invites import
    "anonymous":   ["login"] * 10,
    "officer":     [200, 200, 404, 404, 404, 404, 200, 404, 404, 404],
    "trainer":     [200, 200, 200, 404, 404, 404, 200, 404, 404, 404],
    "admin":       [200, 200, 404, 200, 200, 200, 200, 200, 200, 200],
    "coordinator": [200, 200, 404, 200, 200, 404, 200, 200, 404, 404],
    "staff":       [200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
}  # fmt: skip


@pytest.mark.parametrize("role", list(MATRIX))
def test_role_page_matrix(client, role):
    agency = AgencyFactory(name="Korean Agency", country="KR")
    users = {
        "officer": lambda: MembershipFactory(agency=agency).user,
        "trainer": lambda: _with_mfa(MembershipFactory(agency=agency, role="trainer").user),
        "admin": lambda: admin_of(agency),
        "coordinator": lambda: coordinator_of("KR"),
        "staff": staff_user,
    }
    if role != "anonymous":
        client.force_login(users[role]())
    urls = {
        "dashboard": reverse("certificates:dashboard"),
        "catalog": reverse("courses:catalog"),
        "trainer": reverse("courses:trainer_content"),
        "refreshers": reverse("courses:agency_refreshers"),
        "agencies": reverse("reports:agencies"),
        "audit": reverse("accounts:audit_search"),
        "profile": reverse("accounts:profile"),
        "roster": reverse("reports:roster", args=[agency.pk]),
        "invitations": reverse("accounts:invitations", args=[agency.pk]),
        "import": reverse("accounts:invitation_import", args=[agency.pk]),
    }
    for page, expected in zip(PAGES, MATRIX[role], strict=True):
        response = client.get(urls[page])
        if expected == "login":
            assert response.status_code == 302, page
            assert response["Location"].startswith(reverse("account_login")), page
        else:
            assert response.status_code == expected, (role, page)


def _with_mfa(user):
    with_totp(user)
    return user


def test_officer_of_other_agency_sees_no_foreign_certificate(client, agency_a_objects):
    stranger = UserFactory()
    client.force_login(stranger)
    url = reverse("certificates:download", kwargs=agency_a_objects["certificates:download"])
    assert client.get(url).status_code == 404


def test_trainer_quiz_statistics_show_only_their_own_agencys_officers(client, agency_a_objects):
    from django.utils import timezone

    from assessments.models import Attempt

    officer = agency_a_objects["_officer"]
    attempt_id = agency_a_objects["assessments:result"]["attempt_id"]
    Attempt.objects.filter(pk=attempt_id).update(
        status=Attempt.Status.GRADED, score=80, passed=True, submitted_at=timezone.now()
    )
    quiz = agency_a_objects["assessments:trainer_officers"]
    agency_b = AgencyFactory(name="Agency B", country="TH")
    for agency, sees in ((agency_b, False), (agency_a_objects["_agency"], True)):
        trainer = _with_mfa(MembershipFactory(agency=agency, role=Membership.Role.TRAINER).user)
        client.force_login(trainer)
        reauthenticated_now(client, trainer)
        for name in TRAINERS_OWN_AGENCY_ONLY:
            response = client.get(reverse(name, kwargs=quiz))
            assert response.status_code == 200, name
            text = _text(response)
            assert (officer.email in text) is sees, (agency.name, name)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("officer", 404), ("trainer", 404), ("admin", 404), ("coordinator", 404), ("staff", 302)],
)
def test_only_programme_staff_may_change_a_role(client, role, expected):
    """grant_roles in docs/permissions.md: the agency's own admin gets the same 404 as anyone
    who may not, even right after giving the password again."""
    agency = AgencyFactory(name="Korean Agency", country="KR")
    target = MembershipFactory(agency=agency)
    user = {
        "officer": lambda: MembershipFactory(agency=agency).user,
        "trainer": lambda: _with_mfa(MembershipFactory(agency=agency, role="trainer").user),
        "admin": lambda: admin_of(agency),
        "coordinator": lambda: coordinator_of("KR"),
        "staff": staff_user,
    }[role]()
    client.force_login(user)
    reauthenticated_now(client, user)
    response = client.post(reverse("accounts:member_role", args=[target.pk]), {"role": "trainer"})
    assert response.status_code == expected
    target.refresh_from_db()
    assert target.role == ("trainer" if role == "staff" else "officer")


def test_cohort_actions_are_the_matrix_vocabulary_and_follow_the_relation():
    """The actions over one cohort are the matrix's (accounts.permissions.PER_COHORT, shown in
    docs/permissions.md), held through how a person relates to the cohort."""
    host = AgencyFactory(name="Host", country="TH")
    guest = AgencyFactory(name="Guest", country="TH")
    cohort = build_cohort(host=host)
    take_part(cohort, guest)
    trainer = cohort.trainers.get()
    officer = seated(cohort, agency=guest).user
    view, run, decide, nominate, attend = (
        Action.VIEW_COHORT,
        Action.RUN_COHORT,
        Action.DECIDE_NOMINATIONS,
        Action.NOMINATE_OFFICERS,
        Action.ATTEND_COHORT,
    )
    expected = {
        "its trainer": (trainer, {view, run, decide}),
        "host agency admin": (admin_of(host), {view, decide, nominate}),
        "participating agency admin": (admin_of(guest), {view, nominate}),
        "seated officer": (officer, {view, attend}),
        "staff": (staff_user(), {view, run, decide, nominate}),
        "coordinator of the country": (coordinator_of("TH"), set()),
        "another trainer": (trainer_for(cohort.course), set()),
        "officer without a seat": (MembershipFactory(agency=guest).user, set()),
    }
    for person, (user, actions) in expected.items():
        assert cohort_actions(user=user, cohort=cohort) == actions, person
    assert set(PER_COHORT) | {nominate} == {view, run, decide, nominate, attend}
