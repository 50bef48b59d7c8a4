"""The credential endpoints: the holder's download (own certificate only), the public one by
verify token (rate limited), the issuer Profile, Multikey and JWKS documents; query counts."""

import json

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from certificates.badges.credential import credential_verify
from certificates.badges.keys import signing_key, signing_key_create
from certificates.models import Certificate
from core.jsonld.multibase import ed25519_from_multikey
from tests.certificates.badges_helpers import issued_certificate, set_status
from tests.factories import (
    AgencyFactory,
    CertificateFactory,
    EnrollmentFactory,
    MembershipFactory,
    admin_of,
    staff_user,
)

pytestmark = pytest.mark.django_db

SITE = "https://training.example.org"


@pytest.fixture(autouse=True)
def _https_site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def certificate(officer):
    return issued_certificate(enrollment=EnrollmentFactory(user=officer))


def credential_url(certificate) -> str:
    return reverse("certificates:credential", kwargs={"certificate_id": certificate.pk})


def public_url(certificate) -> str:
    return reverse("certificates:verify_credential", kwargs={"token": certificate.verify_token})


def test_holder_downloads_the_signed_credential(
    officer_client, certificate, django_assert_max_num_queries
):
    with django_assert_max_num_queries(9):
        response = officer_client.get(credential_url(certificate))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+ld+json; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="credential-{certificate.serial}.json"'
    )
    assert "no-store" in response["Cache-Control"]
    document = json.loads(response.content)
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert "kim@knpa.example" not in response.text
    credential_verify(document)


def test_holder_download_query_count_is_pinned(
    officer_client, certificate, django_assert_num_queries
):
    officer_client.get(credential_url(certificate))
    # The user and the viewer's memberships (middleware), then the certificate with holder,
    # course and list names and its access check. The session is read from Redis and not
    # written on a read.
    with django_assert_num_queries(4):
        officer_client.get(credential_url(certificate))
    for _ in range(3):
        issued_certificate(enrollment=EnrollmentFactory(user=certificate.user))
    with django_assert_num_queries(4):
        officer_client.get(credential_url(certificate))


@pytest.mark.parametrize(
    "who",
    ["colleague", "other agency admin", "own agency admin", "unvetted colleague"],
)
def test_nobody_else_gets_the_holders_credential(client, certificate, agency, who):
    other = AgencyFactory(name="Agency B", country="TH")
    user = {
        "colleague": lambda: MembershipFactory(agency=agency).user,
        "other agency admin": lambda: admin_of(other),
        "own agency admin": lambda: admin_of(agency),
        "unvetted colleague": lambda: (
            MembershipFactory(agency=agency, status="pending", vetted_at=None).user
        ),
    }[who]()
    client.force_login(user)
    assert client.get(credential_url(certificate)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, certificate):
    response = client.get(credential_url(certificate))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_staff_may_download_any_credential(client, certificate):
    client.force_login(staff_user())
    assert client.get(credential_url(certificate)).status_code == 200


def test_missing_certificate_is_404(officer_client):
    assert officer_client.get("/certificates/999999/credential.json").status_code == 404


@pytest.mark.parametrize("status", ["pending", "failed"])
def test_no_credential_before_issue(officer_client, officer, status):
    certificate = CertificateFactory(enrollment=EnrollmentFactory(user=officer), status=status)
    assert officer_client.get(credential_url(certificate)).status_code == 404
    assert officer_client.get(public_url(certificate)).status_code == 404


@pytest.mark.parametrize("status", ["revoked", "suspended", "superseded"])
def test_revoked_suspended_and_superseded_still_have_their_credential(
    officer_client, certificate, status
):
    if status == "superseded":
        Certificate.objects.filter(pk=certificate.pk).update(status=status)
    else:
        set_status(certificate, status)
    assert officer_client.get(credential_url(certificate)).status_code == 200
    assert officer_client.get(public_url(certificate)).status_code == 200


def test_expired_certificate_has_its_credential_with_valid_until(officer_client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(
        valid_until=timezone.now() - timezone.timedelta(days=1)
    )
    response = officer_client.get(public_url(certificate))
    assert response.status_code == 200
    assert "validUntil" in json.loads(response.content)


def test_anyone_with_the_verify_link_gets_the_credential(
    client, certificate, django_assert_num_queries
):
    with django_assert_num_queries(2):  # the token, then the certificate with its relations
        response = client.get(public_url(certificate))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    credential_verify(json.loads(response.content))


def test_verify_page_links_the_credential_once_issued(client, certificate, officer):
    page = client.get(certificate.get_absolute_url())
    assert public_url(certificate) in page.text
    pending = CertificateFactory(enrollment=EnrollmentFactory(user=officer))
    assert public_url(pending) not in client.get(pending.get_absolute_url()).text


def test_public_credential_shares_the_verify_rate_limit(client, certificate, settings):
    settings.VERIFY_RATE_PER_MINUTE = 2
    settings.TRUSTED_PROXY_COUNT = 1

    def get(url):
        return client.get(url, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.9")

    with time_machine.travel(timezone.now().replace(second=5), tick=False):
        assert get(certificate.get_absolute_url()).status_code == 200
        assert get(public_url(certificate)).status_code == 200
        limited = get(public_url(certificate))
        assert limited.status_code == 429
        assert certificate.holder_name not in limited.text
        assert "proof" not in limited.text


def test_issuer_profile_names_the_published_keys(
    client, settings, tmp_path, django_assert_num_queries
):
    old = tmp_path / "old.pem"
    signing_key_create(old)
    settings.OB_PUBLISHED_KEYS = [str(old)]
    with django_assert_num_queries(0):
        response = client.get(reverse("certificates:issuer"))
    assert response.status_code == 200
    assert "max-age=3600" in response["Cache-Control"]
    profile = response.json()
    assert profile["id"] == f"{SITE}/credentials/issuer.json"
    assert profile["type"] == ["Profile"]
    assert profile["url"] == SITE
    assert len(profile["assertionMethod"]) == 2
    assert profile["assertionMethod"][0] == signing_key().url


def test_key_is_published_as_a_multikey(client, django_assert_num_queries):
    key = signing_key()
    with django_assert_num_queries(0):
        response = client.get(key.url.removeprefix(SITE))
    assert response.status_code == 200
    document = response.json()
    assert document == {
        "@context": "https://w3id.org/security/multikey/v1",
        "id": key.url,
        "type": "Multikey",
        "controller": f"{SITE}/credentials/issuer.json",
        "publicKeyMultibase": key.key_id,
    }
    assert key.key_id.startswith("z6Mk")
    assert ed25519_from_multikey(key.key_id) == key.raw_public


def test_an_old_key_stays_published_and_an_unknown_one_is_404(client, settings, tmp_path):
    old = tmp_path / "old.pem"
    signing_key_create(old)
    settings.OB_PUBLISHED_KEYS = [str(old)]
    from certificates.badges.keys import load_key_file

    old_key = load_key_file(old)
    assert client.get(old_key.url.removeprefix(SITE)).status_code == 200
    settings.OB_PUBLISHED_KEYS = []
    assert client.get(old_key.url.removeprefix(SITE)).status_code == 404


def test_jwks_lists_every_published_key(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("certificates:jwks"))
    assert response.status_code == 200
    [jwk] = response.json()["keys"]
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519"
    assert jwk["kid"] == signing_key().url
