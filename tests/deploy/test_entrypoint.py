"""deploy/docker/entrypoint.sh, run for real: secrets mounted as files become the environment,
and what compose gives web and worker passes `manage.py check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy import composefile

ENTRYPOINT = composefile.DEPLOY / "docker" / "entrypoint.sh"
MAKE_SECRETS = composefile.DEPLOY / "docker" / "make-secrets.sh"


def _run(args: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [ENTRYPOINT, *args],
        env={"PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", **env},
        cwd=composefile.ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        **kwargs,
    )


def test_secret_files_named_like_variables_become_the_environment(tmp_path):
    (tmp_path / "SECRET_KEY").write_text("from-the-file\n")
    (tmp_path / "cert_signing_key.pem").write_text("a key file stays a file")
    (tmp_path / "lower_case").write_text("ignored")

    result = _run(
        ["sh", "-c", 'printf "%s|%s" "$SECRET_KEY" "${lower_case-unset}"'],
        {"SECRETS_DIR": str(tmp_path)},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "from-the-file|unset"


def test_the_environment_wins_over_a_secret_file(tmp_path):
    (tmp_path / "SECRET_KEY").write_text("from-the-file")

    result = _run(
        ["sh", "-c", 'printf "%s" "$SECRET_KEY"'],
        {"SECRETS_DIR": str(tmp_path), "SECRET_KEY": "from-the-environment"},
    )

    assert result.stdout == "from-the-environment"


@pytest.fixture(scope="module")
def made_secrets(tmp_path_factory) -> Path:
    secrets = tmp_path_factory.mktemp("made") / "secrets"
    subprocess.run([MAKE_SECRETS, secrets], check=True, capture_output=True, timeout=60)
    return secrets


@pytest.mark.parametrize("service", ["web", "worker"])
def test_compose_environment_passes_the_deploy_checks(service, made_secrets, tmp_path):
    """The environment and secrets compose gives the service, with deploy/.env.example's
    values and make-secrets.sh's files, pass `check --deploy` as `make test` runs it: no
    production key or setting is missing, and the secret files load through the entry point."""
    compose = composefile.load()
    variables = composefile.dotenv()
    definition = compose["services"][service]
    run_secrets = tmp_path / "run-secrets"
    composefile.mount_secrets(compose, definition, variables, made_secrets, run_secrets)
    environment = {
        name: value.replace(composefile.SECRETS_MOUNT, f"{run_secrets}/")
        for name, value in composefile.environment(definition, variables).items()
    }

    result = _run(
        ["manage", "check", "--deploy", "--fail-level", "WARNING"],
        {**environment, "SECRETS_DIR": str(run_secrets), "VAR_DIR": str(tmp_path / "var")},
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
