"""Deploy checks for the PDF signing key: production refuses a missing, unreadable,
mismatched, expired or development key and certificate."""

import os
import secrets
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings as django_settings

from core.checks import (
    object_storage_bucket_check,
    object_storage_choice_check,
    signing_key_check,
)
from tests.core.signing import (
    issue_certificate,
    production_keys_environment,
    production_like_settings,
    write_key_and_certificate,
)
from tests.processes import project_python

# Where signing_dev_keys put the development key for the test suite (the settings' defaults).
DEVELOPMENT_KEY = {
    "CERT_SIGNING_KEY": str(django_settings.VAR_DIR / "signing" / "dev-signing-key.pem"),
    "CERT_SIGNING_CERT": str(django_settings.VAR_DIR / "signing" / "dev-signing-cert.pem"),
    "CERT_SIGNING_CHAIN": str(django_settings.VAR_DIR / "signing" / "dev-root-cert.pem"),
}


def check_ids() -> list[str]:
    return [problem.id for problem in signing_key_check()]


@pytest.fixture
def production(settings, tmp_path):
    settings.DEBUG = False
    settings.CERT_SIGNING_KEY_PASSWORD = ""
    for name, value in production_like_settings(tmp_path).items():
        setattr(settings, name, value)
    return settings


def test_production_with_a_real_key_passes(production):
    assert check_ids() == []


@pytest.mark.parametrize("missing", ["CERT_SIGNING_KEY", "CERT_SIGNING_CERT"])
def test_production_without_key_or_certificate_is_an_error(production, missing):
    setattr(production, missing, "")
    assert check_ids() == ["core.E001"]


def test_an_unreadable_key_file_is_an_error(production, tmp_path):
    production.CERT_SIGNING_KEY = str(tmp_path / "absent.pem")
    assert check_ids() == ["core.E001"]


def test_a_key_that_is_not_the_certificates_is_an_error(production, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    production.CERT_SIGNING_KEY = production_like_settings(other)["CERT_SIGNING_KEY"]
    assert check_ids() == ["core.E001"]


def test_the_development_certificate_is_an_error(production, tmp_path):
    # The development key, as signing_dev_keys made it for the test suite.
    for name, value in DEVELOPMENT_KEY.items():
        setattr(production, name, value)
    assert check_ids() == ["core.E002"]


def test_an_expired_certificate_is_an_error(production, tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    expired = issue_certificate(
        common_name="Expired",
        public_key=key.public_key(),
        issuer=None,
        issuer_key=key,
        not_before=datetime.now(UTC) - timedelta(days=60),
        days=30,
    )
    for name, value in write_key_and_certificate(tmp_path, key, expired).items():
        setattr(production, name, value)
    assert check_ids() == ["core.E003"]


def test_development_needs_no_production_key(settings):
    settings.DEBUG = True
    settings.CERT_SIGNING_KEY = ""
    assert check_ids() == []


def test_check_deploy_fails_without_a_signing_key_and_passes_with_one(tmp_path):
    """As `make test` runs it: the Makefile's DEPLOY_ENV, then with a throwaway key."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AUDIT_", "CERT_", "OB_")) and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    environment.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(48),
        AUDIT_HMAC_KEY=secrets.token_urlsafe(48),
        AUDIT_LEGACY_LAST_ID="0",
        ALLOWED_HOSTS="training.example.org",
        SITE_URL="https://training.example.org",
        OBJECT_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="cryptocops-files",
    )

    def deploy_check(**env: str) -> subprocess.CompletedProcess:
        return project_python(
            "manage.py", "check", "--deploy", "--fail-level", "WARNING", env={**environment, **env}
        )

    keys = production_keys_environment(tmp_path)
    refused = deploy_check(OB_SIGNING_KEY=keys["OB_SIGNING_KEY"])
    assert refused.returncode != 0
    assert "core.E001" in refused.stderr
    development = deploy_check(OB_SIGNING_KEY=keys["OB_SIGNING_KEY"], **DEVELOPMENT_KEY)
    assert development.returncode != 0
    assert "core.E002" in development.stderr
    passed = deploy_check(**keys)
    assert passed.returncode == 0, passed.stderr


def storage_check_ids() -> list[str]:
    return [problem.id for problem in object_storage_choice_check()] + [
        problem.id for problem in object_storage_bucket_check()
    ]


def test_production_that_names_no_object_storage_is_warned(settings):
    settings.DEBUG = False
    settings.OBJECT_STORAGE = ""
    assert storage_check_ids() == ["core.W010"]
    settings.OBJECT_STORAGE = "local"  # one machine, or a shared MEDIA_ROOT: said on purpose
    assert storage_check_ids() == []
    settings.DEBUG, settings.OBJECT_STORAGE = True, ""
    assert storage_check_ids() == []


def test_s3_without_a_bucket_is_an_error(settings):
    settings.OBJECT_STORAGE = "s3"
    settings.AWS_STORAGE_BUCKET_NAME = ""
    assert storage_check_ids() == ["core.E010"]
    settings.AWS_STORAGE_BUCKET_NAME = "cryptocops-files"
    assert storage_check_ids() == []


def test_object_storage_comes_from_the_environment():
    def default_storage_with(**env: str) -> subprocess.CompletedProcess:
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("AWS_", "OBJECT_STORAGE"))
        }
        return project_python(
            "-c",
            "from config import settings; print(settings.STORAGES)",
            env={**environment, **env},
            timeout=60,
        )

    assert "FileSystemStorage" in default_storage_with().stdout
    s3 = default_storage_with(
        OBJECT_STORAGE="S3",
        AWS_STORAGE_BUCKET_NAME="cryptocops-files",
        AWS_S3_ENDPOINT_URL="https://objects.example.org",
        AWS_S3_REGION_NAME="eu-central-1",
    ).stdout
    for expected in (
        "'BACKEND': 'storages.backends.s3.S3Storage'",
        "'bucket_name': 'cryptocops-files'",
        "'endpoint_url': 'https://objects.example.org'",
        "'region_name': 'eu-central-1'",
        "'default_acl': None",
        "'querystring_auth': True",
        "'file_overwrite': False",
    ):
        assert expected in s3
    refused = default_storage_with(OBJECT_STORAGE="nfs")
    assert refused.returncode != 0
    assert "ImproperlyConfigured" in refused.stderr and "OBJECT_STORAGE='nfs'" in refused.stderr
