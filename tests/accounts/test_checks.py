"""Deploy checks for the audit chain's keys: production without AUDIT_HMAC_KEY fails
`manage.py check --deploy`."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings as django_settings

from accounts.checks import audit_keys_check
from tests.core.signing import production_keys_environment
from tests.processes import project_python

DEVELOPMENT_KEY = "development-only-audit-hmac-key-do-not-use-in-production"


def check_ids() -> list[str]:
    return [problem.id for problem in audit_keys_check()]


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.AUDIT_HMAC_KEY = secrets.token_urlsafe(48)
    settings.AUDIT_CHECKPOINT_KEY = ""
    settings.AUDIT_LEGACY_LAST_ID = 0
    return settings


def test_production_with_a_long_random_key_passes(production):
    assert check_ids() == []


@pytest.mark.parametrize("key", ["", "too-short-0123456789", DEVELOPMENT_KEY])
def test_production_without_a_proper_audit_key_is_an_error(production, key):
    production.AUDIT_HMAC_KEY = key
    assert check_ids() == ["accounts.E001"]


def test_development_runs_with_its_fixed_development_key(settings):
    settings.DEBUG = True
    settings.AUDIT_HMAC_KEY = DEVELOPMENT_KEY
    settings.AUDIT_LEGACY_LAST_ID = None
    assert check_ids() == []


def test_a_short_checkpoint_key_is_an_error(production):
    production.AUDIT_CHECKPOINT_KEY = "short"
    assert check_ids() == ["accounts.E002"]


def test_a_checkpoint_key_equal_to_the_chain_key_is_a_warning(production):
    production.AUDIT_CHECKPOINT_KEY = production.AUDIT_HMAC_KEY
    assert check_ids() == ["accounts.W002"]


def test_unset_legacy_last_id_is_a_warning(production):
    production.AUDIT_LEGACY_LAST_ID = None
    assert check_ids() == ["accounts.W001"]


def deploy_check(**env: str) -> subprocess.CompletedProcess:
    """`manage.py check --deploy --fail-level WARNING` with a production environment, as
    `make test` runs it."""
    # Only what the Makefile's DEPLOY_ENV sets, on top of a shell without the test-only flag.
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AUDIT_") and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    environment.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="training.example.org",
        SITE_URL="https://training.example.org",
        OBJECT_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="cryptocops-files",
        **env,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_fails_without_audit_hmac_key(tmp_path):
    # Production signing keys too (PDF and Open Badges), which check --deploy also asks for.
    signing_key = production_keys_environment(tmp_path)
    refused = deploy_check(AUDIT_LEGACY_LAST_ID="0", **signing_key)
    assert refused.returncode != 0
    assert "accounts.E001" in refused.stderr and "AUDIT_HMAC_KEY" in refused.stderr
    passed = deploy_check(
        AUDIT_LEGACY_LAST_ID="0", AUDIT_HMAC_KEY=secrets.token_urlsafe(48), **signing_key
    )
    assert passed.returncode == 0, passed.stderr


def test_settings_use_the_development_key_only_when_debug_is_on():
    def key_with(**env: str) -> str:
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("AUDIT_") and key != "DEBUG"
        }
        environment.update(SECRET_KEY=secrets.token_urlsafe(48), **env)
        shown = subprocess.run(
            [sys.executable, "-c", "from config import settings; print(settings.AUDIT_HMAC_KEY)"],
            cwd=django_settings.BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return shown.stdout.strip()

    assert key_with(DEBUG="true") == DEVELOPMENT_KEY
    # DEBUG is off by default, and so is the development key.
    assert key_with() == ""
    assert key_with(DEBUG="false") == ""
    assert key_with(DEBUG="false", AUDIT_HMAC_KEY="k" * 40) == "k" * 40


def _without_secret_key(**env: str) -> dict:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY"} and not key.startswith("AUDIT_")
    }
    environment.update(env)
    return environment


def _run(command: list[str], environment: dict) -> subprocess.CompletedProcess:
    return project_python(*command, env=environment)


def test_manage_py_commands_that_sign_nothing_run_without_debug_or_a_secret_key():
    """A fresh checkout, no environment: DEBUG is off and there is no key, yet the settings
    load, so makemigrations and migrate checks work."""
    checked = _run(["manage.py", "makemigrations", "--check", "--dry-run"], _without_secret_key())
    assert checked.returncode == 0, checked.stderr
    assert "No changes detected" in checked.stdout


def test_the_web_process_refuses_to_start_without_a_secret_key():
    for entry in ("config.wsgi", "config.asgi"):
        refused = _run(["-c", f"import {entry}"], _without_secret_key(DEBUG="false"))
        assert refused.returncode != 0, entry
        assert "ImproperlyConfigured" in refused.stderr and "SECRET_KEY" in refused.stderr
        started = _run(
            ["-c", f"import {entry}"],
            _without_secret_key(DEBUG="false", SECRET_KEY=secrets.token_urlsafe(48)),
        )
        assert started.returncode == 0, started.stderr


def test_check_deploy_fails_without_a_secret_key():
    refused = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        _without_secret_key(
            DEBUG="false",
            ALLOWED_HOSTS="training.example.org",
            SITE_URL="https://training.example.org",
            AUDIT_HMAC_KEY=secrets.token_urlsafe(48),
            AUDIT_LEGACY_LAST_ID="0",
        ),
    )
    assert refused.returncode != 0
    assert "security.W009" in refused.stderr
