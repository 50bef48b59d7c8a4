"""Bitstring Status Lists: random, distinct, never reused indexes, a new list once half full,
MSB-first bits, and the published list decoded by hand (gzip + base64url, not our encoder)."""

import base64
import gzip
import json

import pytest
from django.db import transaction
from django.urls import reverse

from certificates.badges.credential import credential_verify
from certificates.models import StatusList
from certificates.services import status_list_allocate, status_list_set
from certificates.services.statuslist import _set_bit, status_list_bit
from tests.certificates.badges_helpers import issued_certificate, set_status
from tests.factories import CertificateFactory

pytestmark = pytest.mark.django_db


def decode_by_hand(encoded: str) -> bytes:
    """Bitstring Status List v1.0: multibase "u", base64url without padding, GZIP."""
    assert encoded.startswith("u")
    body = encoded[1:]
    assert "=" not in body
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def bit(bits: bytes, index: int) -> int:
    # Index 0 is the most significant bit of byte 0.
    return (bits[index // 8] >> (7 - index % 8)) & 1


def test_indexes_are_random_distinct_strings():
    certificates = [status_list_allocate(certificate=CertificateFactory()) for _ in range(30)]
    for purpose in ("revocation", "suspension"):
        indexes = [getattr(c, f"{purpose}_index") for c in certificates]
        assert all(isinstance(index, str) and index.isdigit() for index in indexes)
        assert len(set(indexes)) == len(indexes)
        # Random over 131,072 entries, not handed out in order.
        assert sorted(int(i) for i in indexes) != list(range(30))
        assert max(int(i) for i in indexes) > 1000


def test_allocation_is_kept_on_a_second_call():
    certificate = status_list_allocate(certificate=CertificateFactory())
    before = (certificate.revocation_list_id, certificate.revocation_index)
    status_list_allocate(certificate=certificate)
    assert (certificate.revocation_list_id, certificate.revocation_index) == before


def test_a_small_list_is_used_up_to_half_then_a_new_one_opens_and_no_index_repeats():
    small = StatusList.objects.create(purpose="revocation", number=1, size=16, bits=bytes(2))
    StatusList.objects.create(purpose="suspension", number=1, size=16, bits=bytes(2))
    certificates = [status_list_allocate(certificate=CertificateFactory()) for _ in range(10)]
    in_small = [c for c in certificates if c.revocation_list_id == small.pk]
    assert len(in_small) == 8
    assert {int(c.revocation_index) for c in in_small} <= set(range(16))
    assert len({c.revocation_index for c in in_small}) == 8
    later = {c.revocation_list.number for c in certificates[8:]}
    assert later == {2}
    small.refresh_from_db()
    assert small.allocated == 8
    pairs = [(c.revocation_list_id, c.revocation_index) for c in certificates]
    assert len(set(pairs)) == len(pairs)


def test_bits_are_msb_first():
    data = _set_bit(bytes(2), 0, True)
    assert data == b"\x80\x00"
    data = _set_bit(data, 9, True)
    assert data == b"\x80\x40"
    data = _set_bit(data, 15, True)
    assert data == b"\x80\x41"
    assert _set_bit(data, 0, False) == b"\x00\x41"
    status_list = StatusList(purpose="revocation", number=9, size=16, bits=data)
    assert status_list_bit(status_list=status_list, index=9)
    assert not status_list_bit(status_list=status_list, index=8)


@pytest.mark.django_db(transaction=True)
def test_setting_a_bit_needs_the_status_change_transaction():
    certificate = issued_certificate()
    with pytest.raises(RuntimeError):
        status_list_set(certificate=certificate, purpose="revocation", value=True)


def _published(client, slug: str) -> dict:
    response = client.get(reverse("certificates:status_list", kwargs={"slug": slug}))
    assert response.status_code == 200
    return json.loads(response.content)


def test_published_lists_show_exactly_the_revoked_and_suspended_bits(client, settings):
    settings.SITE_URL = "https://training.example.org"
    valid = issued_certificate()
    revoked = set_status(issued_certificate(), "revoked")
    suspended = set_status(issued_certificate(), "suspended")
    revocation = _published(client, valid.revocation_list.slug)
    suspension = _published(client, valid.suspension_list.slug)
    for document, purpose, flagged in (
        (revocation, "revocation", revoked),
        (suspension, "suspension", suspended),
    ):
        assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
        subject = document["credentialSubject"]
        assert subject["type"] == "BitstringStatusList"
        assert subject["statusPurpose"] == purpose
        assert document["id"] == (
            f"https://training.example.org/credentials/status/{purpose}-1.json"
        )
        bits = decode_by_hand(subject["encodedList"])
        assert len(bits) * 8 == 131_072
        ones = [i for i in range(len(bits) * 8) if bits[i // 8] and bit(bits, i)]
        assert ones == [int(getattr(flagged, f"{purpose}_index"))]
        assert bit(bits, int(getattr(valid, f"{purpose}_index"))) == 0
        credential_verify(document)


def test_a_flip_is_published_at_once_despite_the_cache(client):
    certificate = issued_certificate()
    slug = certificate.revocation_list.slug
    index = int(certificate.revocation_index)
    first = _published(client, slug)
    assert bit(decode_by_hand(first["credentialSubject"]["encodedList"]), index) == 0
    assert _published(client, slug) == first  # served from the cache
    set_status(certificate, "revoked")
    after = _published(client, slug)
    assert bit(decode_by_hand(after["credentialSubject"]["encodedList"]), index) == 1
    with transaction.atomic():
        status_list_set(certificate=certificate, purpose="revocation", value=False)
    cleared = _published(client, slug)
    assert bit(decode_by_hand(cleared["credentialSubject"]["encodedList"]), index) == 0


def test_status_list_is_cached_briefly_and_cheap_to_serve(client, django_assert_num_queries):
    certificate = issued_certificate()
    url = reverse("certificates:status_list", kwargs={"slug": certificate.revocation_list.slug})
    with django_assert_num_queries(2):  # the list's header, then its bits to build it
        response = client.get(url)
    assert response["Cache-Control"] == "public, max-age=60"
    assert response["Content-Type"] == "application/vc+ld+json"
    with django_assert_num_queries(1):  # from the cache: the header only
        assert client.get(url).content == response.content


@pytest.mark.parametrize("slug", ["revocation-9", "other-1", "revocation-x"])
def test_unknown_status_list_is_404(client, slug):
    issued_certificate()
    assert client.get(f"/credentials/status/{slug}.json").status_code == 404
