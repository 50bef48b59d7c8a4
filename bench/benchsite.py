"""The site as production runs it, for the benchmarks that load it over HTTP (page_throughput.py,
loadtest/): its environment with throwaway keys, a fresh PostgreSQL database and a Redis
database of the caller's choosing, the setup (migrations, content, demo data, static files),
authenticator apps for MFA users and a real sign-in over HTTP.

Production settings: DEBUG=false, throwaway SECRET_KEY, AUDIT_HMAC_KEY, AUDIT_CHECKPOINT_KEY,
MFA_ENCRYPTION_KEY and signing keys (a one-day self-signed P-256 PDF key made with openssl and
an Ed25519 badge key, as `make test` makes them for `check --deploy`), ALLOWED_HOSTS=127.0.0.1,
AUDIT_LEGACY_LAST_ID=0; plain HTTP on loopback, so SECURE_SSL_REDIRECT, SESSION_COOKIE_SECURE
and CSRF_COOKIE_SECURE are off. Every setting not named here (DB_CONN_MAX_AGE, the session
settings...) keeps its default, as in deploy/README.md's production environment. Email goes to
files in the temporary directory (EMAIL_DELIVERY=file): seed_demo must not reach an SMTP server.
"""

import contextlib
import http.cookiejar
import os
import shutil
import signal
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from benchhttp import NoRedirect, Server, csrf_token, http_request, stop
from throwaway import throwaway_keys

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres:postgres@127.0.0.1:5432")


def production_env(
    tmp: Path, site_url: str, *, database: str, redis_url: str, workers: int, threads: int
) -> dict[str, str]:
    """The site's environment as production would have it, with throwaway keys (made under
    `tmp`), on the PostgreSQL database `database` of PG_SERVER and on `redis_url`, served by
    gunicorn with `workers` processes of `threads` threads."""
    keys = tmp / "keys"
    return {
        "DEBUG": "false",
        **throwaway_keys(keys, purpose="a benchmark"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": site_url,
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "DATABASE_URL": f"{PG_SERVER}/{database}",
        "REDIS_URL": redis_url,
        "OB_SIGNING_KEY": str(keys / "ob-ed25519.pem"),
        "VAR_DIR": str(tmp / "var"),
        "STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        "EMAIL_DELIVERY": "file",
        "EMAIL_FILE_PATH": str(tmp / "mail"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_THREADS": str(threads),
    }


def database(name: str, *, create: bool) -> None:
    """Drop the database `name` of PG_SERVER (closing its connections), then create it afresh
    if `create`."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')


def flush_redis(url: str) -> None:
    """Empty the one Redis database of `url` (never the whole server)."""
    import redis

    redis.Redis.from_url(url).flushdb()


@contextlib.contextmanager
def cleaned_up(
    *, prefix: str, database_name: str, redis_url: str, keep_db: bool
) -> Iterator[tuple[Path, list[Server]]]:
    """A temporary directory and a list for the servers started meanwhile; on the way out,
    also after a failure, Ctrl-C or SIGTERM: the servers stopped (process groups), Django's
    connections closed, the Redis database emptied (if set up that far), the database dropped
    unless `keep_db`, the directory removed."""

    def interrupted(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    servers: list[Server] = []
    try:
        yield tmp, servers
    finally:
        # A second Ctrl-C must not cut the clean-up short.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        for server in servers:
            stop(server)
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        if os.environ.get("REDIS_URL") == redis_url:  # set up as far as Redis
            flush_redis(redis_url)
        if not keep_db:
            database(database_name, create=False)
        shutil.rmtree(tmp, ignore_errors=True)


def prepare_site(tmp: Path) -> None:
    """Migrate, import the content, seed the demo data, collect the static files (Django set
    up with production_env's environment)."""
    from django.core.management import call_command

    with (tmp / "setup.log").open("w") as out:
        call_command("badge_dev_key", path=os.environ["OB_SIGNING_KEY"], stdout=out)
        call_command("migrate", verbosity=0)
        call_command("sync_content", verbosity=0, stdout=out)
        call_command("seed_demo", not_production=True, stdout=out)
    call_command("collectstatic", interactive=False, verbosity=0)


def totp_activate(users) -> dict[str, str]:
    """An authenticator app (allauth's TOTP, with a secret made here) for each user; their
    secrets by email, to compute the codes the app would show."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secrets_by_email = {}
    for user in users:
        secrets_by_email[user.email] = generate_totp_secret()
        TOTP.activate(user, secrets_by_email[user.email])
    return secrets_by_email


def totp_code(secret: str) -> str:
    """The code the authenticator app shows; in the last 3 s of a window, the next one's."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    if time.time() % 30 > 27:
        time.sleep(3.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in(server: Server, email: str, totp_secret: str | None) -> str:
    """Sign in as a person does (login form, then the MFA code if they use MFA); returns the
    session cookie."""
    from django.urls import reverse

    from accounts.demo import DEMO_PASSWORD

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    login = server.base + reverse("account_login")
    status, _headers, body = http_request(login, opener=opener)
    fields = {"login": email, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": csrf_token(body)}
    status, headers, _body = http_request(login, opener=opener, data=fields)
    if totp_secret is not None:
        mfa = server.base + reverse("mfa_authenticate")
        if status != 302 or not mfa.endswith(headers.get("Location", "-")):
            raise SystemExit(f"sign-in {email}: expected the MFA step, got {status} {headers}")
        status, _headers, body = http_request(mfa, opener=opener)
        fields = {"code": totp_code(totp_secret), "csrfmiddlewaretoken": csrf_token(body)}
        status, headers, _body = http_request(mfa, opener=opener, data=fields)
    if status != 302 or headers.get("Location") != reverse("certificates:dashboard"):
        raise SystemExit(f"sign-in {email}: expected a redirect to the dashboard, got {status}")
    cookie = next((c.value for c in jar if c.name == "sessionid"), "")
    if not cookie:
        raise SystemExit(f"sign-in {email}: no session cookie")
    return cookie
