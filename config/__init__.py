"""Project package: settings, URLs, the Celery app, and shared templates and static files."""

from config.celery import app as celery_app

__all__ = ("celery_app",)
