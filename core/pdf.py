"""PDF rendering for every app: a template to bytes with WeasyPrint (core.pdf_engine),
fetching nothing but data: URLs and the project's own static files (static:path).

WeasyPrint (with its fonts, Pango bindings and fontTools) is imported on the first render,
not with this module: a web process imports every service at start and renders no PDF (the
Celery workers do), and importing it cost each gunicorn worker about half a second of CPU
at every start (workers are recycled every 1,000 requests).
"""

from dataclasses import dataclass

STATIC_PREFIX = "static:"


@dataclass(frozen=True)
class PdfAttachment:
    """A file embedded in the PDF (PDF/A-3 "associated file"): relationship is the PDF 2.0
    AFRelationship, "Data" for data the document shows, "Source" for what it was made from."""

    name: str
    data: bytes
    mime_type: str = "application/octet-stream"
    description: str = ""
    relationship: str = "Data"


def render_pdf(template: str, context: dict, **options) -> bytes:
    """Render a template to PDF; options (language, pdf_variant, attachments, stylesheets,
    own_defaults) as core.pdf_engine.render_pdf takes and explains them."""
    from core import pdf_engine

    return pdf_engine.render_pdf(template, context, **options)


def __getattr__(name: str):
    # The fetcher class, for the tests and the benchmark that use it directly.
    if name == "StaticOnlyURLFetcher":
        from core.pdf_engine import StaticOnlyURLFetcher

        return StaticOnlyURLFetcher
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
