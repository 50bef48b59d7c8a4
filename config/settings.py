"""Django settings, read once from the environment with safe development defaults.

Production differs from development only by environment variables; see deploy/README.md.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.beat import beat_schedule
from config.env import env_bool, env_int, env_list, env_str
from config.storage import LOCAL_BACKEND, OBJECT_STORAGE_CHOICES, s3_storage
from core.observability.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


# Off unless asked for: `make run` (and the test suite's setup) set DEBUG=true.
DEBUG = env_bool("DEBUG", False)

_DEV_SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production-0123456789"  # noqa: S105
# Required when DEBUG is false, but only where it is used: Django refuses an empty key on
# first use, the web entry points (config/wsgi.py, asgi.py) refuse to start without it, and
# `check --deploy` fails (security.W009). Commands that sign nothing (makemigrations,
# migrate, check) still run, so a bare `manage.py` works on a fresh checkout.
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY if DEBUG else "")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Public base URL printed in certificate QR codes and emails.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Printed on every certificate PDF: the issuing programme, and who signs for it. The
# defaults are placeholders, plainly generic; set the real names in production.
CERT_PROGRAMME_NAME = env_str("CERT_PROGRAMME_NAME", "Crypto Crime Training Programme")
CERT_SIGNATORY_NAME = env_str("CERT_SIGNATORY_NAME", "A. N. Example")
CERT_SIGNATORY_TITLE = env_str("CERT_SIGNATORY_TITLE", "Programme Director")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Before allauth: core's templates override allauth's layouts.
    "core",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "accounts",
    "courses",
    "assessments",
    "cohorts",
    "certificates",
    "reports",
]

MIDDLEWARE = [
    # Outermost, so a request's latency includes every middleware (core.observability).
    "core.observability.metrics.MetricsMiddleware",
    # Next, so every response (an error page too) carries the request id.
    "core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Compresses HTML and JSON for clients that accept gzip (a lesson page: about 5 times
    # smaller), with Django's BREACH mitigation (random padding per response; CSRF tokens
    # are masked anew on every page). Above WhiteNoise, which serves static files
    # pre-compressed and marks them so they are left alone here.
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's SessionMiddleware, but requests a device makes by itself (the projector's
    # polling) do not keep a signed-in session alive.
    "accounts.middleware.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The viewer's memberships, read once per request for everything below that asks.
    "accounts.middleware.ViewerMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "accounts.middleware.ViewerTimezoneMiddleware",
    "accounts.middleware.NoStoreForSignedInMiddleware",
    "accounts.middleware.MfaRequiredMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "accounts.context_processors.roles",
            ],
            # {% load i18n %} with constant translations kept per language.
            "libraries": {"i18n": "core.templatetags.i18n_kept"},
        },
    },
]
# Inputs and selects in Python, with Django's markup (core/formrender.py).
FORM_RENDERER = "core.formrender.QuickWidgets"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        # Each thread keeps its connection for a minute instead of opening one per request
        # (a new PostgreSQL connection costs a few milliseconds; a page now takes about
        # ten); checked before reuse, so a restarted database costs one failed check only.
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the dashboards' aggregates are estimated expensive enough to trigger
    # it, and compiling took 0.8-1.4 s per query against 0.1-0.3 s of execution at 20,000
    # officers (EXPLAIN ANALYZE in bench/agency_dashboard.py --explain).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    # Values sent apart from the SQL, so a query's text is the same on every request and
    # psycopg prepares it on a connection after five runs: PostgreSQL then plans it once,
    # where planning took longer than running (the dashboard's reads: 2.8 ms against 0.6 ms).
    # Off (0) behind a transaction-pooling PgBouncer, which cannot keep prepared statements.
    if env_bool("DB_SERVER_SIDE_BINDING", True):
        DATABASES["default"]["OPTIONS"] |= {"server_side_binding": True, "prepare_threshold": 5}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cc",
        }
    }
else:
    # Without Redis (make run), a file cache is still shared by every local process.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: counts failures and refuses locked-out logins before any other backend runs.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "certificates:dashboard"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.signup.SignupForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    # Per login name, django-axes locks at 5 failures; allauth limits per address only.
    "login_failed": "10/m/ip,20/15m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
# The public certificate check (/verify/), per client address and minute: enough for a desk
# checking a pile of certificates, far too few to walk the token space.
VERIFY_RATE_PER_MINUTE = env_int("VERIFY_RATE_PER_MINUTE", 60)
# The organisation that issues the certificates: on the PDF's visible signature line, as the
# issuer Profile in every Open Badges credential, and in the "Add to LinkedIn profile" link.
CERT_ISSUER_NAME = env_str("CERT_ISSUER_NAME", "Crypto Crime Training Programme")
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300

# Multi-factor authentication (allauth.mfa): TOTP with recovery codes, and WebAuthn keys.
# Required for trainers, agency admins, coordinators and staff; for officers by setting.
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "Crypto Crime Training"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_REQUIRED_FOR_OFFICERS = env_bool("MFA_REQUIRED_FOR_OFFICERS", False)
# Key for encrypting TOTP secrets at rest; derived from SECRET_KEY when not set.
MFA_ENCRYPTION_KEY = env_str("MFA_ENCRYPTION_KEY")

# django-axes: 5 failed logins for one login name within 15 minutes lock it for the rest of
# the 15 minutes (or until staff unlock it in the admin); the admin login counts too.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "accounts.lockout.login_name"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_VERBOSE = False
# axes.W006 asks to lock by IP too. Officers of one agency often share one NAT address, so an
# IP lock would lock out a whole police station; per-IP limits come from allauth's rate limits
# (ACCOUNT_RATE_LIMITS "login_failed" per IP) instead.
# templates.W003 reports `i18n` as two tag modules: core.templatetags.i18n_kept replaces Django's
# on purpose (TEMPLATES); tests/core/test_i18n_kept.py checks that no other name is taken twice.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "templates.W003"]

# Proxies in front of the site that append to X-Forwarded-For (deploy/: nginx, so 1). Zero
# ignores the header, which any client can forge; core.clientip reads it.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "core.clientip.client_ip"
# /readyz (database, broker, workers) answers internal addresses, and callers sending this
# token in an X-Readyz-Token header; everyone else gets 404.
READYZ_TOKEN = env_str("READYZ_TOKEN")
# /metrics: callers in these networks or sending "Authorization: Bearer <METRICS_TOKEN>".
_INTERNAL = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", _INTERNAL)
METRICS_TOKEN = env_str("METRICS_TOKEN")
# Errors (web, worker) go to Sentry when set, without personal data; unset: sentry-sdk is off.
SENTRY_DSN = env_str("SENTRY_DSN")
SENTRY_ENVIRONMENT = env_str("SENTRY_ENVIRONMENT", "development" if DEBUG else "production")

# The audit chain: every row carries an HMAC-SHA256 keyed with AUDIT_HMAC_KEY, which lives only
# in the environment (never in the database), so whoever can write the table still cannot
# recompute the chain. Required when DEBUG is false (a deploy check refuses to pass without
# it); development uses a fixed key named as what it is.
_DEV_AUDIT_HMAC_KEY = "development-only-audit-hmac-key-do-not-use-in-production"
AUDIT_HMAC_KEY = env_str("AUDIT_HMAC_KEY", _DEV_AUDIT_HMAC_KEY if DEBUG else "")
# Signs the checkpoints of the chain's head (defaults to AUDIT_HMAC_KEY). A separate key needs
# to be only on the worker machines and with whoever verifies, not on the web nodes.
AUDIT_CHECKPOINT_KEY = env_str("AUDIT_CHECKPOINT_KEY")
# Staff addresses that receive each new checkpoint by email (comma-separated; none: no email).
AUDIT_CHECKPOINT_EMAILS = env_list("AUDIT_CHECKPOINT_EMAILS")
AUDIT_CHECKPOINT_SECONDS = env_int("AUDIT_CHECKPOINT_SECONDS", 600)
# Rows up to this id may be unkeyed SHA-256 links written before the chain was keyed; later
# ones must be keyed. 0 for a database started keyed; unset: any unkeyed run at the start of
# the chain is accepted, and audit_verify names it.
AUDIT_LEGACY_LAST_ID = (
    int(os.environ["AUDIT_LEGACY_LAST_ID"]) if os.environ.get("AUDIT_LEGACY_LAST_ID") else None
)

# Open Badges 3.0 credentials and Bitstring Status Lists (certificates/badges/) are signed
# with an Ed25519 key (PEM, PKCS#8). Development creates one with `manage.py badge_dev_key`;
# production must name one (a deploy check refuses to pass without it). After a rotation, keep
# the old key's file (public or private PEM) in OB_PUBLISHED_KEYS: its Multikey stays
# published, so credentials it signed still verify.
OB_SIGNING_KEY = env_str(
    "OB_SIGNING_KEY", str(VAR_DIR / "signing" / "ob-ed25519-dev.pem") if DEBUG else ""
)
OB_PUBLISHED_KEYS = env_list("OB_PUBLISHED_KEYS")
# The issuer Profile's name in every credential; the certificates' issuer unless set.
OB_ISSUER_NAME = env_str("OB_ISSUER_NAME", CERT_ISSUER_NAME)
# Keys the per-certificate salt of the holder's hashed email (HMAC of the serial), so rebuilds
# of a credential hash alike; defaults to SECRET_KEY. Changing it changes the identityHash
# of credentials built afterwards, never of those already handed out.
OB_IDENTITY_SALT_KEY = env_str("OB_IDENTITY_SALT_KEY")
# Seconds a published status list may be cached by clients and proxies.
OB_STATUS_LIST_MAX_AGE = env_int("OB_STATUS_LIST_MAX_AGE", 60)

# Reports (issue 13). In a view that crosses agencies, a count below this many officers shows
# as "<k", with complementary cells hidden so totals cannot be subtracted to recover it.
REPORTS_SMALL_CELL_K = env_int("REPORTS_SMALL_CELL_K", 5)
# An officer short of their requirement with fewer than this many days left in the cycle is
# "at risk" (after the cycle ends: "overdue").
REPORTS_AT_RISK_DAYS = env_int("REPORTS_AT_RISK_DAYS", 60)
# A table export of more rows than this is built by a worker; its link lasts this many hours
# and works only for the person who asked for it.
EXPORT_ASYNC_ROWS = env_int("EXPORT_ASYNC_ROWS", 5000)
EXPORT_LINK_HOURS = env_int("EXPORT_LINK_HOURS", 24)

# Vetting: approval lapses after this many days unless an agency admin re-confirms it.
VETTING_RECONFIRM_DAYS = env_int("VETTING_RECONFIRM_DAYS", 365)
# Seconds after a timed quiz's deadline during which a submit still counts (network delay).
QUIZ_GRACE_SECONDS = env_int("QUIZ_GRACE_SECONDS", 5)
INVITATION_DAYS = env_int("INVITATION_DAYS", 14)
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Crypto Crime Training] "

# Idle sessions end after 30 minutes: a request pushes the expiry forward, writing the session
# at most once a minute (accounts.middleware.IdleSessionMiddleware), so a session ends 29 to 30
# minutes after its last request and a page view is not a database write. Sessions are read
# from the cache (Redis in production) and kept in the database too, so a restart of either
# signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_TOUCH_SECONDS = env_int("SESSION_TOUCH_SECONDS", 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ko", _("Korean")),
    ("th", _("Thai")),
    ("ro", _("Romanian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Every generated file (certificate PDFs, transcripts, sign-in sheets, lab traces, exports,
# audit checkpoints) goes through STORAGES["default"], never a disk path: local files under
# MEDIA_ROOT, or with OBJECT_STORAGE=s3 a private S3-compatible bucket that every web and
# worker machine shares. Unset means local files, and `check --deploy` warns (core.W010):
# production says which it means. Downloads stream through Django after the access check.
OBJECT_STORAGE = env_str("OBJECT_STORAGE").strip().lower()
if OBJECT_STORAGE and OBJECT_STORAGE not in OBJECT_STORAGE_CHOICES:
    # Silently falling back to local files would scatter them over the machines' disks.
    raise ImproperlyConfigured(
        f"OBJECT_STORAGE={OBJECT_STORAGE!r}: use one of {', '.join(OBJECT_STORAGE_CHOICES)}"
    )
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
STORAGES = {
    "default": (
        s3_storage(
            bucket_name=AWS_STORAGE_BUCKET_NAME,
            endpoint_url=env_str("AWS_S3_ENDPOINT_URL"),
            region_name=env_str("AWS_S3_REGION_NAME"),
            access_key=env_str("AWS_ACCESS_KEY_ID"),
            secret_key=env_str("AWS_SECRET_ACCESS_KEY"),
            addressing_style=env_str("AWS_S3_ADDRESSING_STYLE"),
        )
        if OBJECT_STORAGE == "s3"
        else {"BACKEND": LOCAL_BACKEND}
    ),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# manage.py backup's folders; pg_dump/pg_restore of another folder than /usr/lib/postgresql/N/bin.
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(VAR_DIR / "backups")))
BACKUP_PG_BIN_DIR = env_str("BACKUP_PG_BIN_DIR")

# Development writes each email as a file under var/mail/; production sends by SMTP.
MAIL_DIR = Path(env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail")))
if env_str("EMAIL_DELIVERY", "file" if DEBUG else "smtp") == "file":
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(MAIL_DIR)},
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("EMAIL_HOST", "localhost"),
                "port": env_int("EMAIL_PORT", 25),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "timeout": 20,
            },
        }
    }
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "training@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers. Secure-transport flags default on whenever DEBUG is off.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Celery. Without REDIS_URL, kombu's filesystem transport under var/ is an embedded
# broker: a real worker process still renders certificates, no server needed.
CELERY_BROKER_DIR = VAR_DIR / "celery-broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "store_processed": False,
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
CELERY_BEAT_SCHEDULE = beat_schedule(audit_checkpoint_seconds=AUDIT_CHECKPOINT_SECONDS)
CELERY_TIMEZONE = "UTC"
# One beat for the whole deployment (core/beatlock.py): beat sends only while it holds this
# Redis lock, renewed three times per lifetime; a second beat stands by, idle, and takes over
# at most BEAT_LOCK_SECONDS after the first one dies (at once when it stops cleanly).
CELERY_BEAT_SCHEDULER = "core.beatlock:LockedScheduler"
BEAT_LOCK_SECONDS = env_int("BEAT_LOCK_SECONDS", 30)
BEAT_LOCK_KEY = "cryptocops:beat-lock"

# The outbox (core/outbox.py): a side effect not done this many seconds after it was queued
# is queued again by the sweeper, waiting twice as long after each attempt (at most
# OUTBOX_BACKOFF_MAX_SECONDS); after OUTBOX_MAX_ATTEMPTS it is marked failed and listed for
# staff. The former CERTIFICATE_* names still work as fallbacks.
OUTBOX_STALE_SECONDS = env_int("OUTBOX_STALE_SECONDS", env_int("CERTIFICATE_STALE_SECONDS", 120))
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", env_int("CERTIFICATE_MAX_ATTEMPTS", 5))
OUTBOX_BACKOFF_MAX_SECONDS = env_int("OUTBOX_BACKOFF_MAX_SECONDS", 3600)

# A seat offered from the waiting list waits this long for the officer to claim it.
COHORT_CLAIM_WINDOW_HOURS = env_int("COHORT_CLAIM_WINDOW_HOURS", 48)

CONTENT_DIR = Path(env_str("CONTENT_DIR", str(BASE_DIR / "content")))

# Certificate PDFs are signed (PAdES, core.signing) with this key and certificate, PEM files.
# Development: `manage.py signing_dev_keys` (run by `make run` and the test suite) creates a
# development root and signing certificate under var/signing/. Production: set the paths;
# `check --deploy` fails when they are missing, unreadable or the development ones.
_DEV_SIGNING_DIR = VAR_DIR / "signing"
CERT_SIGNING_KEY = env_str(
    "CERT_SIGNING_KEY", str(_DEV_SIGNING_DIR / "dev-signing-key.pem") if DEBUG else ""
)
CERT_SIGNING_CERT = env_str(
    "CERT_SIGNING_CERT", str(_DEV_SIGNING_DIR / "dev-signing-cert.pem") if DEBUG else ""
)
# Intermediate certificates (and, for the development key, the root), one PEM file.
CERT_SIGNING_CHAIN = env_str(
    "CERT_SIGNING_CHAIN", str(_DEV_SIGNING_DIR / "dev-root-cert.pem") if DEBUG else ""
)
CERT_SIGNING_KEY_PASSWORD = env_str("CERT_SIGNING_KEY_PASSWORD")
# An RFC 3161 time-stamping authority: set, signatures are PAdES B-T; unset, B-B.
CERT_TSA_URL = env_str("CERT_TSA_URL")

# JSON lines in production, readable ones in development; each carries the request id.
LOGGING = logging_config(
    env_str("LOG_FORMAT", "text" if DEBUG else "json"), env_str("LOG_LEVEL", "INFO")
)
