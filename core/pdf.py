"""PDF rendering with WeasyPrint for every app: a template to bytes, fetching nothing but
data: URLs and the project's own static files (static:path)."""

import mimetypes
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_PREFIX = "static:"


class StaticOnlyURLFetcher(URLFetcher):
    """Serve data: URLs and our own static files (as static:path); refuse everything else,
    so text typed by a person (a name, a note) can never make the worker fetch a URL."""

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith(STATIC_PREFIX):
            try:
                found = finders.find(url.removeprefix(STATIC_PREFIX).lstrip("/"))
            except SuspiciousFileOperation:
                found = None
            if found:
                path = Path(found).resolve()
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    url, body=path.read_bytes(), headers={"Content-Type": content_type}
                )
        raise ValueError(f"PDF rendering may not fetch {url!r}")


def render_pdf(template: str, context: dict, *, language: str) -> bytes:
    with translation.override(language):
        html = render_to_string(template, {**context, "static_prefix": STATIC_PREFIX})
    fetcher = StaticOnlyURLFetcher(allowed_protocols={"data", "static"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
