"""Reading deploy/compose.yaml as Docker Compose would, for the tests: YAML (merge keys and
anchors resolved), ${...} interpolation from deploy/.env.example, and the secrets a service
gets mounted as files."""

import re
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
ENV_EXAMPLE = DEPLOY / ".env.example"
SECRETS_MOUNT = "/run/secrets/"

# $$, ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}
_VARIABLE = re.compile(r"\$(?:\$|\{(\w+)(?:(:?[-?])([^}]*))?\})")


def load() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def dotenv(path: Path = ENV_EXAMPLE) -> dict[str, str]:
    """KEY=VALUE lines, as compose reads its .env (the value is the rest of the line)."""
    variables = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            variables[name.strip()] = value.strip()
    return variables


def interpolate(text: str, variables: dict[str, str]) -> str:
    def replace(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, operator, argument = match.groups()
        value = variables.get(name)
        if operator in (":-", "-"):
            unset = value is None or (operator == ":-" and value == "")
            return argument if unset else value
        if operator in (":?", "?") and (value is None or (operator == ":?" and value == "")):
            raise KeyError(f"{name}: {argument}")
        return value or ""

    return _VARIABLE.sub(replace, text)


def environment(service: dict, variables: dict[str, str]) -> dict[str, str]:
    return {
        name: interpolate(str(value), variables)
        for name, value in (service.get("environment") or {}).items()
    }


def secret_targets(service: dict) -> dict[str, str]:
    """The file name each secret gets under /run/secrets in the service: target -> source."""
    targets = {}
    for entry in service.get("secrets") or []:
        if isinstance(entry, str):
            targets[entry] = entry
        else:
            targets[entry.get("target", entry["source"])] = entry["source"]
    return targets


def secret_file(compose: dict, source: str, variables: dict[str, str]) -> Path:
    """The host file a top-level secret names, relative to the compose file's folder."""
    return (DEPLOY / interpolate(compose["secrets"][source]["file"], variables)).resolve()


def mount_secrets(
    compose: dict, service: dict, variables: dict[str, str], source_dir: Path, run_dir: Path
) -> None:
    """Copy what compose would mount at /run/secrets into run_dir, taking each secret's file
    from source_dir (make-secrets.sh's output) instead of deploy/secrets."""
    run_dir.mkdir(parents=True, exist_ok=True)
    for target, source in secret_targets(service).items():
        shutil.copyfile(source_dir / secret_file(compose, source, variables).name, run_dir / target)
