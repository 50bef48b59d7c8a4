"""pg_dump and pg_restore for the configured PostgreSQL database: which client binaries to
run (the server's major version), how to reach the server, and whether a target is empty."""

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections

from core.backups.errors import BackupError

_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")
# The schemas PostgreSQL itself keeps in every database: a restore target may hold these.
_SYSTEM_SCHEMAS = ("pg_catalog", "information_schema")


@dataclass(frozen=True)
class Tool:
    path: str
    version: str  # "15.20"

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])


def _connection(alias: str):
    connection = connections[alias]
    if connection.vendor != "postgresql":
        raise BackupError(
            f"backup and restore need PostgreSQL; the {alias!r} database is {connection.vendor}."
        )
    return connection


def database_name(alias: str = "default") -> str:
    return _connection(alias).settings_dict["NAME"]


def server_version(alias: str = "default") -> str:
    """The server's version, "15.20": pg_version is 150020 (major * 10000 + minor)."""
    connection = _connection(alias)
    connection.ensure_connection()
    number = connection.pg_version
    return f"{number // 10000}.{number % 10000}"


def _tool_version(path: str) -> str | None:
    try:
        result = subprocess.run(  # noqa: S603 (a PostgreSQL binary, no shell)
            [path, "--version"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = _VERSION.search(result.stdout)
    return f"{match.group(1)}.{match.group(2) or 0}" if match else None


def _candidates(name: str, major: int) -> list[str]:
    """Where a client binary may be: BACKUP_PG_BIN_DIR if set, Debian's per-version folder
    (/usr/lib/postgresql/<major>/bin, where postgresql-client-<major> installs), then PATH
    (on Debian a wrapper that picks the newest installed client)."""
    paths = []
    if settings.BACKUP_PG_BIN_DIR:
        paths.append(str(Path(settings.BACKUP_PG_BIN_DIR) / name))
    paths.append(f"/usr/lib/postgresql/{major}/bin/{name}")
    found = shutil.which(name)
    if found:
        paths.append(found)
    return [path for path in paths if Path(path).is_file()]


def client_tool(name: str, *, server: str) -> Tool:
    """pg_dump or pg_restore of the server's major version. A newer one is the fallback
    (pg_dump reads older servers); an older one refuses a newer server's dump, so it is never
    used."""
    major = int(server.split(".")[0])
    newer = None
    for path in _candidates(name, major):
        version = _tool_version(path)
        if version is None:
            continue
        tool = Tool(path, version)
        if tool.major == major:
            return tool
        if tool.major > major and newer is None:
            newer = tool
    if newer is not None:
        return newer
    raise BackupError(
        f"{name} for PostgreSQL {major} not found (the server runs {server}). Install "
        f"postgresql-client-{major} (Debian: apt-get install postgresql-client-{major}) or "
        "set BACKUP_PG_BIN_DIR to the folder holding it."
    )


def _connection_arguments(alias: str) -> tuple[list[str], dict[str, str]]:
    """-h/-p/-U for the client and its environment: the password travels in PGPASSWORD,
    never on a command line other users can read in the process list."""
    connection = _connection(alias)
    settings_dict = connection.settings_dict
    _args, env = connection.client.settings_to_cmd_args_env(settings_dict, [])
    arguments = ["--no-password"]
    if settings_dict.get("HOST"):
        arguments += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        arguments += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        arguments += ["--username", str(settings_dict["USER"])]
    return arguments, env or {}


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(  # noqa: S603 (a PostgreSQL binary, arguments from settings)
        command, capture_output=True, text=True, env={**os.environ, **env}, check=False
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()[-2000:]
        raise BackupError(f"{what} failed (exit {result.returncode}): {detail}")


def database_dump(*, path: Path, tool: Tool, alias: str = "default") -> None:
    """pg_dump's custom format (-Fc): compressed, and pg_restore can restore it selectively.
    One snapshot of the whole database, taken in a single transaction."""
    arguments, env = _connection_arguments(alias)
    command = [tool.path, "--format=custom", f"--file={path}", *arguments, database_name(alias)]
    _run(command, env, "pg_dump")


def database_restore(*, path: Path, tool: Tool, replace: bool, alias: str = "default") -> None:
    """pg_restore into the configured database, all or nothing (one transaction, stop at the
    first error). Owners and grants are not restored: the objects belong to the role that
    restores (the owner role), and the runtime role's grants are given again with
    `manage.py audit_db_roles` (deploy/README.md, restore runbook). With `replace`, the
    backup's objects are dropped first (pg_restore --clean); other objects stay."""
    arguments, env = _connection_arguments(alias)
    command = [
        tool.path,
        "--single-transaction",
        "--exit-on-error",
        "--no-owner",
        "--no-privileges",
        *(["--clean", "--if-exists"] if replace else []),
        *arguments,
        f"--dbname={database_name(alias)}",
        str(path),
    ]
    _run(command, env, "pg_restore")


def database_relations(alias: str = "default", *, limit: int = 5) -> tuple[int, list[str]]:
    """How many tables, views and sequences the database holds outside PostgreSQL's own
    schemas, and the first few names: a restore target must hold none."""
    connection = _connection(alias)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname || '.' || c.relname FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
            "AND n.nspname <> ALL(%s) AND n.nspname NOT LIKE 'pg\\_toast%%' "
            "AND n.nspname NOT LIKE 'pg\\_temp\\_%%' ORDER BY 1",
            [list(_SYSTEM_SCHEMAS)],
        )
        names = [row[0] for row in cursor.fetchall()]
    return len(names), names[:limit]
