"""The Dockerfile's essentials, read from the file (no Docker daemon runs here): a pinned
base, a non-root user, the locked requirements installed with their hashes, translations and
static files built in, the system libraries scripts/ensure-services.sh installs."""

import json
import os
import re

import pytest

from tests.deploy.composefile import ROOT

DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENSURE_SERVICES = ROOT / "scripts" / "ensure-services.sh"
PINNED_BASE = re.compile(r"^[\w./-]+:\d[\w.-]*@sha256:[0-9a-f]{64}$")


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    result, pending = [], ""
    for line in text.splitlines():
        if line.strip().startswith("#") or (not pending and not line.strip()):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).strip().partition(" ")
        result.append((keyword.upper(), " ".join(arguments.split())))
        pending = ""
    return result


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    return instructions(DOCKERFILE.read_text())


def _final_stage(dockerfile):
    start = max(i for i, (keyword, _) in enumerate(dockerfile) if keyword == "FROM")
    return dockerfile[start:]


def _runs(dockerfile) -> list[str]:
    return [arguments for keyword, arguments in dockerfile if keyword == "RUN"]


def test_instructions_join_continuations_and_skip_comments():
    parsed = instructions("# c\nFROM a AS b\nRUN one \\\n  # inside\n  two\nUSER 1\n")
    assert parsed == [("FROM", "a AS b"), ("RUN", "one two"), ("USER", "1")]


def test_base_image_is_pinned_by_version_and_digest(dockerfile):
    stages, external = set(), []
    for keyword, arguments in dockerfile:
        if keyword == "FROM":
            image, *alias = arguments.split()
            if image not in stages:
                external.append(image)
            if alias:
                stages.add(alias[-1])
    assert external, "no FROM"
    for image in external:
        assert PINNED_BASE.match(image), image


def test_image_runs_as_a_non_root_user(dockerfile):
    users = [arguments for keyword, arguments in _final_stage(dockerfile) if keyword == "USER"]
    assert users, "the final stage sets no USER, so it runs as root"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}


def test_locked_requirements_are_installed_with_hashes(dockerfile):
    installs = [run for run in _runs(dockerfile) if "pip install" in run]
    assert any("uv pip install" in run and "requirements/base.txt" in run for run in installs)
    assert any("requirements/bootstrap.txt" in run for run in installs)
    for run in installs:
        assert run.count("pip install") == run.count("--require-hashes"), run
        assert "dev.txt" not in run


def test_translations_and_static_files_are_built_in(dockerfile):
    runs = _runs(dockerfile)
    assert any("manage.py compile_translations" in run for run in runs)
    collectstatic = [run for run in runs if "manage.py collectstatic --noinput" in run]
    # DEBUG off: the hashed, compressed files of production's manifest storage.
    assert collectstatic and "DEBUG=false" in collectstatic[0]


def test_no_secret_is_baked_into_the_image(dockerfile):
    for keyword, arguments in dockerfile:
        if keyword in {"RUN", "ENV", "ARG"}:
            assert not re.search(r"\b(SECRET_KEY|AUDIT_HMAC_KEY|PASSWORD)\w*=", arguments)


def test_system_packages_are_those_ensure_services_installs(dockerfile):
    site_packages = re.search(r"^SITE_PACKAGES=\(([^)]*)\)", ENSURE_SERVICES.read_text(), re.M)
    apt = " ".join(run for run in _runs(dockerfile) if "apt-get install" in run).split()
    assert set(site_packages.group(1).split()) - set(apt) == set()


def test_entry_point_is_the_roles_script(dockerfile):
    entrypoint = [
        json.loads(arguments) for keyword, arguments in dockerfile if keyword == "ENTRYPOINT"
    ]
    assert entrypoint[-1] == ["/app/deploy/docker/entrypoint.sh"]
    script = ROOT / "deploy" / "docker" / "entrypoint.sh"
    assert os.access(script, os.X_OK)


def test_dockerignore_leaves_out_local_and_secret_files_but_not_the_site():
    ignored = {
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", "var", "deploy/.env", "deploy/secrets"} <= ignored
    needed = {"config", "core", "content", "locale", "requirements", "deploy", "manage.py"}
    assert needed & ignored == set()
