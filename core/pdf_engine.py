"""WeasyPrint's side of core.pdf (import core.pdf, not this): a template to bytes, fetching
nothing but data: URLs and the project's own static files (static:path).

The costly pieces that do not depend on the document are built once per thread (so once
per Celery worker process) and reused: the URL fetcher (WeasyPrint's URLFetcher.__init__
builds an SSL context and loads the system CA store), the FontConfiguration, and parsed
stylesheets. They are per thread, not per process, because neither a FontConfiguration
nor a fetcher is safe to share between threads rendering at once.
"""

import base64
import mimetypes
import threading
from collections.abc import Sequence
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from core.pdf import STATIC_PREFIX, PdfAttachment


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


def _as_weasyprint(attachment: PdfAttachment, fetcher: URLFetcher) -> Attachment:
    # A data: URL carries the MIME type (WeasyPrint would guess it from the name).
    data = base64.b64encode(attachment.data).decode("ascii")
    return Attachment(
        url=f"data:{attachment.mime_type};base64,{data}",
        url_fetcher=fetcher,
        name=attachment.name,
        description=attachment.description or None,
        relationship=attachment.relationship,
    )


class _Shared(threading.local):
    """What every render on this thread reuses; built on first use."""

    fetcher: StaticOnlyURLFetcher | None = None
    font_config: FontConfiguration | None = None
    stylesheets: dict[str, CSS]

    def __init__(self):
        self.stylesheets = {}


_shared = _Shared()


class _HTMLWithOwnDefaults(HTML):
    """An HTML document whose stylesheets replace WeasyPrint's HTML5 user-agent stylesheet.

    Cascading the several hundred rules of that sheet is about a quarter of a small page's
    render. _ua_stylesheets is WeasyPrint's own hook for it (EPUB and forms use it); should
    a later WeasyPrint drop it, the override goes unused and pages render as before, only
    slower."""

    def __init__(self, *args, defaults: list[CSS], **kwargs):
        super().__init__(*args, **kwargs)
        self._own_defaults = defaults

    def _ua_stylesheets(self, forms=False):
        return self._own_defaults


def shared_fetcher() -> StaticOnlyURLFetcher:
    if _shared.fetcher is None:
        _shared.fetcher = StaticOnlyURLFetcher(allowed_protocols={"data", "static"})
    return _shared.fetcher


def shared_font_config() -> FontConfiguration:
    if _shared.font_config is None:
        _shared.font_config = FontConfiguration()
    return _shared.font_config


def shared_stylesheet(path: str) -> CSS:
    """A static CSS file (path as for {% static %}), parsed once per thread with the shared
    font configuration. Restart the worker to pick up an edited file."""
    sheet = _shared.stylesheets.get(path)
    if sheet is None:
        sheet = CSS(
            url=STATIC_PREFIX + path,
            url_fetcher=shared_fetcher(),
            font_config=shared_font_config(),
        )
        _shared.stylesheets[path] = sheet
    return sheet


def render_pdf(
    template: str,
    context: dict,
    *,
    language: str,
    pdf_variant: str | None = None,
    attachments: Sequence[PdfAttachment] = (),
    stylesheets: tuple[str, ...] = (),
    own_defaults: bool = False,
) -> bytes:
    """Render a template to PDF. pdf_variant is WeasyPrint's ("pdf/a-3b" for archival
    PDF/A-3b, which may carry attachments); attachments are embedded files. `stylesheets`
    are static CSS paths parsed once and reused (faster than a <style> element, which
    WeasyPrint parses on every render). With `own_defaults`, they replace WeasyPrint's HTML5
    defaults, so they must say how every element they use is displayed (head hidden, blocks
    as blocks)."""
    with translation.override(language):
        html = render_to_string(template, {**context, "static_prefix": STATIC_PREFIX})
    fetcher = shared_fetcher()
    sheets = [shared_stylesheet(path) for path in stylesheets]
    if own_defaults:
        document = _HTMLWithOwnDefaults(string=html, url_fetcher=fetcher, defaults=sheets)
        sheets = []
    else:
        document = HTML(string=html, url_fetcher=fetcher)
    return document.write_pdf(
        stylesheets=sheets,
        font_config=shared_font_config(),
        pdf_variant=pdf_variant,
        attachments=[_as_weasyprint(attachment, fetcher) for attachment in attachments] or None,
    )
