"""PDF rendering with WeasyPrint for every app: a template to bytes, fetching nothing but
data: URLs and the project's own static files (static:path)."""

import base64
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML, Attachment
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


@dataclass(frozen=True)
class PdfAttachment:
    """A file embedded in the PDF (PDF/A-3 "associated file"): relationship is the PDF 2.0
    AFRelationship, "Data" for data the document shows, "Source" for what it was made from."""

    name: str
    data: bytes
    mime_type: str = "application/octet-stream"
    description: str = ""
    relationship: str = "Data"

    def as_weasyprint(self, fetcher: URLFetcher) -> Attachment:
        # A data: URL carries the MIME type (WeasyPrint would guess it from the name).
        url = f"data:{self.mime_type};base64,{base64.b64encode(self.data).decode('ascii')}"
        return Attachment(
            url=url,
            url_fetcher=fetcher,
            name=self.name,
            description=self.description or None,
            relationship=self.relationship,
        )


def render_pdf(
    template: str,
    context: dict,
    *,
    language: str,
    pdf_variant: str | None = None,
    attachments: Sequence[PdfAttachment] = (),
) -> bytes:
    """pdf_variant is WeasyPrint's ("pdf/a-3b" for archival PDF/A-3b, which may carry
    attachments); attachments are embedded files."""
    with translation.override(language):
        html = render_to_string(template, {**context, "static_prefix": STATIC_PREFIX})
    fetcher = StaticOnlyURLFetcher(allowed_protocols={"data", "static"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf(
        pdf_variant=pdf_variant,
        attachments=[attachment.as_weasyprint(fetcher) for attachment in attachments] or None,
    )
