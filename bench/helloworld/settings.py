"""Settings of the hello-world Django project that bench/page_throughput.py measures the site's
pages against: DEBUG off, no database, no installed apps, and Django's default `startproject`
middleware without the three that need a session store (sessions, authentication, messages).
"""

import os

# Signs nothing here (no sessions, no CSRF token is asked for); Django only wants one set.
SECRET_KEY = os.environ.get("SECRET_KEY") or "hello-world-benchmark-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "helloworld.urls"
WSGI_APPLICATION = "helloworld.wsgi.application"
INSTALLED_APPS: list[str] = []
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
DATABASES: dict = {}
USE_TZ = True
