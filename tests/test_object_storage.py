"""Generated files in a private S3 bucket, on a real S3 server over HTTP (moto_server, which
scripts/ensure-services.sh starts at TEST_S3_ENDPOINT_URL): a certificate, a transcript and an
export written into the bucket, streamed to their owner after the access check and refused to
anyone else; no object readable from the bucket without a signature, nor linked by the admin;
audit checkpoints and a backup and restore through the bucket. Each test has a bucket of its
own, so parallel processes share the server; the rest of the suite keeps local files."""

import functools
import hashlib
import os
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from accounts.audit import audit_log
from accounts.checkpoints import audit_checkpoint_write, checkpoint_read
from accounts.models import AuditEvent
from config.storage import s3_storage
from core.backups.objects import object_restore, objects_copy
from reports.services.export_jobs import export_job_build, export_job_create, export_jobs_expire
from reports.services.transcripts import transcript_render, transcript_request
from tests.certificates.issuing import issued_certificate
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    admin_of,
    reauthenticated_now,
    staff_user,
)

pytestmark = pytest.mark.django_db

ENDPOINT = os.environ.get("TEST_S3_ENDPOINT_URL", "http://127.0.0.1:5100").rstrip("/")
REGION = "us-east-1"
# moto takes any key pair; real credentials are never read (they are passed explicitly).
ACCESS_KEY = SECRET_KEY = "testing"


@functools.cache
def s3_client():
    # One per process: a new client loads botocore's S3 model again (0.2 s).
    return boto3.client(
        "s3",
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


@pytest.fixture
def bucket(settings):
    """A fresh private bucket as the default storage, emptied and removed afterwards."""
    client = s3_client()
    name = f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{uuid.uuid4().hex[:12]}"
    try:
        client.create_bucket(Bucket=name)
    except EndpointConnectionError:
        pytest.fail(
            f"No S3 server at {ENDPOINT}: run scripts/ensure-services.sh (make test does), "
            "or set TEST_S3_ENDPOINT_URL."
        )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(
            bucket_name=name,
            endpoint_url=ENDPOINT,
            region_name=REGION,
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
        ),
    }
    yield SimpleNamespace(name=name, client=client)
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=name):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=name, Key=item["Key"])
    client.delete_bucket(Bucket=name)


def stored(bucket, key: str) -> bytes:
    return bucket.client.get_object(Bucket=bucket.name, Key=key)["Body"].read()


def anonymous_get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as refused:
        return refused.code


def test_a_certificate_is_rendered_into_the_bucket_and_streamed_to_its_owner_only(
    bucket, client, officer, agency, settings
):
    certificate = issued_certificate(officer)

    key = certificate.pdf.name
    pdf = stored(bucket, key)
    assert key.startswith("certificates/") and pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == certificate.pdf_sha256
    assert not (Path(settings.MEDIA_ROOT) / key).exists()  # nothing on this machine's disk

    url = reverse("certificates:download", args=[certificate.pk])
    client.force_login(officer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="certificate-{certificate.serial}.pdf"'
    )
    assert int(response["Content-Length"]) == len(pdf)
    assert b"".join(response.streaming_content) == pdf

    # A colleague in the same agency and another agency's admin: the same 404 as for a
    # certificate that does not exist, though the object is in the bucket.
    for stranger in (MembershipFactory(agency=agency).user, admin_of(AgencyFactory())):
        client.force_login(stranger)
        reauthenticated_now(client, stranger)
        assert client.get(url).status_code == 404


def test_the_bucket_refuses_a_read_without_a_signature(bucket):
    name = default_storage.save("certificates/private.pdf", ContentFile(b"%PDF-1.7 private"))
    object_url = f"{ENDPOINT}/{bucket.name}/{name}"

    assert anonymous_get(object_url) == 403
    # The object is there: a signed link (what storage.url() makes) reads it, and dies in
    # five minutes.
    signed = default_storage.url(name)
    assert anonymous_get(signed) == 200
    query = parse_qs(urlsplit(signed).query)
    assert "Signature" in query or "X-Amz-Signature" in query
    grants = bucket.client.get_object_acl(Bucket=bucket.name, Key=name)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner alone


def test_a_taken_name_gets_a_new_one_rather_than_replacing_the_file(bucket):
    """A transcript rendered again is saved under its serial while the previous file is
    deleted on commit: overwriting would have that deletion remove the new file."""
    first = default_storage.save("transcripts/TR-1.pdf", ContentFile(b"first"))
    second = default_storage.save("transcripts/TR-1.pdf", ContentFile(b"second"))
    assert first != second
    assert (stored(bucket, first), stored(bucket, second)) == (b"first", b"second")


def test_a_transcript_is_rendered_into_the_bucket_and_streamed_to_its_requester_only(
    bucket, client, officer, agency
):
    made = transcript_render(
        transcript_id=transcript_request(officer=officer, actor=officer, language="en").pk
    )
    pdf = stored(bucket, made.pdf.name)
    assert made.pdf.name.startswith("transcripts/")
    assert hashlib.sha256(pdf).hexdigest() == made.pdf_sha256

    url = reverse("reports:signed_transcript_download", args=[made.serial])
    client.force_login(officer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{made.serial}.pdf"'
    assert b"".join(response.streaming_content) == pdf

    for stranger in (MembershipFactory(agency=agency).user, admin_of(AgencyFactory())):
        client.force_login(stranger)
        reauthenticated_now(client, stranger)
        assert client.get(url).status_code == 404


def test_audit_checkpoints_are_kept_in_the_bucket_once_per_head(bucket, officer):
    audit_log(action="test.storage", actor=officer, target=officer)
    head = AuditEvent.objects.order_by("-id").first()

    name = audit_checkpoint_write()

    assert name.startswith("audit-checkpoints/") and stored(bucket, name)
    checkpoint = checkpoint_read(name)  # no such local file: read from the bucket
    assert (checkpoint.last_id, checkpoint.row_hash) == (head.pk, head.row_hash)
    assert audit_checkpoint_write() is None  # the same head, found by listing the bucket


def test_the_admin_names_a_stored_pdf_without_linking_into_the_bucket(bucket, client, officer):
    certificate = issued_certificate(officer, render=False)
    certificate.pdf.save("CERT-1.pdf", ContentFile(b"%PDF-1.7"))
    client.force_login(staff_user(is_superuser=True))

    page = client.get(reverse("admin:certificates_certificate_change", args=[certificate.pk]))

    assert page.status_code == 200
    assert certificate.pdf.name in page.text
    assert bucket.name not in page.text and "Signature" not in page.text


def test_an_export_is_built_into_the_bucket_served_to_its_owner_and_deleted_on_expiry(
    bucket, client, agency, django_capture_on_commit_callbacks
):
    admin = admin_of(agency)
    MembershipFactory.create_batch(2, agency=agency)
    job = export_job_create(
        user=admin, table="roster", fmt="csv", params={"agency": agency.pk}, agency=agency,
        rows_total=3,
    )  # fmt: skip
    built = export_job_build(job_id=job.pk)
    data = stored(bucket, built.file.name)
    assert built.file.name.startswith("exports/") and data.count(b"\n") == 4  # header + 3

    url = reverse("reports:export_job_download", args=[job.pk])
    for stranger in (admin_of(agency), admin_of(AgencyFactory())):
        client.force_login(stranger)
        reauthenticated_now(client, stranger)
        assert client.get(url).status_code == 404
    client.force_login(admin)
    reauthenticated_now(client, admin)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == data

    with django_capture_on_commit_callbacks(execute=True):
        assert export_jobs_expire(now=built.expires_at) == [job.pk]
    listed = bucket.client.list_objects_v2(Bucket=bucket.name, Prefix="exports/")
    assert listed["KeyCount"] == 0


def test_a_backup_copies_the_bucket_and_restores_it_into_the_emptied_bucket(bucket, tmp_path):
    """manage.py backup and restore walk storage by listdir: on a bucket, "/" prefixes."""
    files = {"certificates/CERT-1.pdf": b"%PDF-1.7", "audit-checkpoints/2026-12-05/a.json": b"{}"}
    for name, data in files.items():
        assert default_storage.save(name, ContentFile(data)) == name

    copied, vanished = objects_copy(storage=default_storage, root=tmp_path)
    assert sorted(item.key for item in copied) == sorted(files) and vanished == []
    for name in files:
        default_storage.delete(name)
    for item in copied:
        assert object_restore(storage=default_storage, root=tmp_path, item=item, replace=False)

    assert {name: stored(bucket, name) for name in files} == files
