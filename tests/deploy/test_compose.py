"""deploy/compose.yaml: valid against the Compose Specification's JSON schema (vendored beside
this file, source in README.md), and giving web, worker and beat everything production needs.
No Docker daemon runs here, so the file is checked by reading it."""

import copy
import json
import re
import subprocess
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

from tests.deploy import composefile

SCHEMA = Path(__file__).with_name("compose-spec.json")
APP_SERVICES = ("web", "worker", "beat")
ONE_SHOT_SERVICES = ("migrate", "storage-init")
ENTRYPOINT = composefile.DEPLOY / "docker" / "entrypoint.sh"
MAKE_SECRETS = composefile.DEPLOY / "docker" / "make-secrets.sh"

# What config/settings.py must be given in production (DEBUG off): what `check --deploy`
# refuses to pass without, and what would otherwise fall back to a development value
# (SQLite, the file broker, email written to files, placeholder names on certificates).
REQUIRED_IN_PRODUCTION = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SITE_URL",
    "DATABASE_URL",
    "REDIS_URL",
    "TRUSTED_PROXY_COUNT",
    "MFA_ENCRYPTION_KEY",
    "AUDIT_HMAC_KEY",
    "AUDIT_LEGACY_LAST_ID",
    "CERT_SIGNING_KEY",
    "CERT_SIGNING_CERT",
    "OB_SIGNING_KEY",
    "CERT_PROGRAMME_NAME",
    "CERT_SIGNATORY_NAME",
    "CERT_SIGNATORY_TITLE",
    "CERT_ISSUER_NAME",
    "EMAIL_DELIVERY",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "DEFAULT_FROM_EMAIL",
}
# The object store (django-storages' S3 backend), shared by every web and worker container.
OBJECT_STORAGE = {
    "OBJECT_STORAGE",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
}
DIGEST_PINNED = re.compile(r"^[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}$")
VARIABLE_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


@pytest.fixture(scope="module")
def compose() -> dict:
    return composefile.load()


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    schema = json.loads(SCHEMA.read_text())
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def _errors(validator: Draft7Validator, document: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def _provided(service: dict) -> set[str]:
    """Variables the service's processes get: its environment, and the secrets the image's
    entry point exports (files named like a variable)."""
    secrets = {name for name in composefile.secret_targets(service) if VARIABLE_NAME.match(name)}
    return set(service.get("environment") or {}) | secrets


def test_compose_file_is_valid_against_the_compose_specification(compose, validator):
    assert _errors(validator, compose) == []


def _misspell_environment(services: dict) -> None:
    services["web"]["enviroment"] = services["web"].pop("environment")


def _nest_secrets_list(services: dict) -> None:
    # What `- *app-secrets` followed by more items makes: YAML has no list merge.
    services["worker"]["secrets"] = [services["worker"]["secrets"]]


def _unknown_condition(services: dict) -> None:
    services["web"]["depends_on"]["migrate"]["condition"] = "service_finished"


def _restart_no_unquoted(services: dict) -> None:
    # `restart: no` without quotes is YAML's false, which compose refuses.
    services["migrate"]["restart"] = False


def _cap_drop_string(services: dict) -> None:
    services["beat"]["cap_drop"] = "ALL"


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (_misspell_environment, "'enviroment' does not match"),
        (_nest_secrets_list, "services/worker/secrets/0:"),
        (_unknown_condition, "services/web/depends_on:"),
        (_restart_no_unquoted, "services/migrate/restart: False is not of type 'string'"),
        (_cap_drop_string, "services/beat/cap_drop: 'ALL' is not of type 'array'"),
    ],
)
def test_schema_rejects_a_broken_compose_file(compose, validator, breakage, expected):
    broken = copy.deepcopy(compose)
    breakage(broken["services"])

    errors = _errors(validator, broken)

    assert any(expected in error for error in errors), errors


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_services_get_every_variable_production_needs(compose, service):
    missing = (REQUIRED_IN_PRODUCTION | OBJECT_STORAGE) - _provided(compose["services"][service])
    assert missing == set()


def test_required_variables_are_the_ones_settings_read():
    # A renamed setting would otherwise leave this list, and the compose file, stale.
    source = (composefile.ROOT / "config" / "settings.py").read_text()
    assert {name for name in REQUIRED_IN_PRODUCTION if f'"{name}"' not in source} == set()


def test_app_services_run_a_role_of_the_entry_point(compose):
    roles = set(re.findall(r"^([a-z]+)\)$", ENTRYPOINT.read_text(), flags=re.MULTILINE))
    for name in (*APP_SERVICES, "migrate"):
        command = compose["services"][name]["command"]
        assert command[0] in roles, (name, command, roles)
    assert compose["services"]["migrate"]["command"] == ["release"]


def test_key_files_named_in_the_environment_are_mounted(compose):
    for name in (*APP_SERVICES, "migrate"):
        service = compose["services"][name]
        targets = composefile.secret_targets(service)
        for variable, value in service["environment"].items():
            if str(value).startswith(composefile.SECRETS_MOUNT):
                assert value.removeprefix(composefile.SECRETS_MOUNT) in targets, (name, variable)


def test_only_migrate_holds_the_database_owner(compose):
    services = compose["services"]
    assert composefile.secret_targets(services["migrate"])["DATABASE_URL"] == "owner_database_url"
    for name in APP_SERVICES:
        assert composefile.secret_targets(services[name])["DATABASE_URL"] == "database_url"


def test_only_the_worker_holds_the_audit_checkpoint_key(compose):
    holders = {
        name
        for name, service in compose["services"].items()
        if "AUDIT_CHECKPOINT_KEY" in _provided(service)
    }
    assert holders == {"worker"}


def test_migrations_run_once_before_the_site_starts(compose):
    services = compose["services"]
    assert services["migrate"]["restart"] == "no"
    for name in APP_SERVICES:
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name


def test_long_running_services_restart_and_report_their_health(compose):
    for name, service in compose["services"].items():
        if name in ONE_SHOT_SERVICES:
            assert service["restart"] == "no", name
            continue
        assert service["restart"] == "unless-stopped", name
        assert service["healthcheck"]["test"], name


def test_stateful_services_keep_their_data_in_named_volumes(compose):
    for name, path in [
        ("postgres", "/var/lib/postgresql/data"),
        ("redis", "/data"),
        ("minio", "/data"),
        ("beat", "/var/lib/cryptocops/beat"),
    ]:
        volumes = compose["services"][name]["volumes"]
        named = [v for v in volumes if v.split(":")[0] in compose["volumes"]]
        assert [v for v in named if v.split(":")[1] == path], (name, volumes)


def test_third_party_images_are_pinned_by_version_and_digest(compose):
    for name, service in compose["services"].items():
        if "build" in service:
            continue
        assert DIGEST_PINNED.match(service["image"]), (name, service["image"])


def test_files_the_compose_file_mounts_from_the_repository_exist(compose):
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./") and source != "./acme":
                assert (composefile.DEPLOY / source).is_file(), source


def test_make_secrets_writes_every_secret_file(compose, tmp_path):
    subprocess.run([MAKE_SECRETS, tmp_path / "secrets"], check=True, capture_output=True)
    variables = composefile.dotenv()

    expected = {composefile.secret_file(compose, s, variables).name for s in compose["secrets"]}

    assert expected <= {path.name for path in (tmp_path / "secrets").iterdir()}
    # And they agree: the URLs carry the passwords the servers were given.
    secrets = tmp_path / "secrets"
    app_password = (secrets / "postgres_app_password").read_text()
    assert f":{app_password}@postgres:5432/" in (secrets / "database_url").read_text()
    redis_password = (secrets / "redis_password").read_text()
    assert (secrets / "redis.conf").read_text() == f"requirepass {redis_password}\n"
    assert f":{redis_password}@redis:6379/" in (secrets / "redis_url").read_text()


def test_compose_nginx_keeps_the_proxy_contract_of_deploy_nginx(compose):
    """The adapted nginx passes what the site relies on, as deploy/nginx/cryptocops.conf does
    (tests/core/test_context.py): the client's address alone, its request id, no /readyz."""
    template = (composefile.DEPLOY / "nginx" / "compose.conf.template").read_text()
    assert template.count("proxy_set_header X-Request-ID $request_id;") == 1
    assert "rid=$request_id" in template
    assert "$proxy_add_x_forwarded_for" not in template
    assert template.count("proxy_set_header X-Forwarded-For $remote_addr;") == 2
    assert "location = /readyz {\n        return 404;" in template
    assert "location = /metrics {\n        return 404;" in template
    # gunicorn's multiprocess metrics live on the web container's tmpfs: empty at each start.
    metrics_dir = Path(compose["services"]["web"]["environment"]["PROMETHEUS_MULTIPROC_DIR"])
    assert any(metrics_dir.is_relative_to(mount) for mount in compose["services"]["web"]["tmpfs"])
    # The upstream is the web service on the port gunicorn listens on there, and the site
    # counts exactly this one proxy.
    web = compose["services"]["web"]["environment"]
    assert f"server web:{web['PORT']} resolve" in template
    assert web["TRUSTED_PROXY_COUNT"] == "1"
    mounted = [v for v in compose["services"]["nginx"]["volumes"] if "compose.conf" in v]
    assert mounted == [
        "./nginx/compose.conf.template:/etc/nginx/templates/default.conf.template:ro"
    ]
