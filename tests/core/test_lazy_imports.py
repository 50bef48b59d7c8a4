"""A web process starts without WeasyPrint, pyHanko, openpyxl, qrcode and icalendar: they
are imported by the first PDF render, signature, workbook, QR code or calendar (mostly the
Celery workers'), not by the services and writers every view imports. Each gunicorn worker starts again every 1,000 requests, and they
were half of its start.
(Rendering and signing through core.pdf and core.signing are tested in test_signing and
tests/certificates/test_rendering.)"""

import os

from tests.processes import project_python

PROBE = """
import sys
import django
django.setup()
from django.urls import get_resolver
get_resolver()._populate()  # every view module, as the first request imports them
import core.checks, core.pdf, core.signing  # noqa
LAZY = ("weasyprint", "pyhanko", "aiohttp", "openpyxl", "qrcode", "icalendar", "pyld", "requests")
print(",".join(sorted(m for m in LAZY if m in sys.modules)))
"""


def test_starting_the_site_imports_no_pdf_or_spreadsheet_library():
    found = project_python(
        "-c", PROBE, env=os.environ | {"DJANGO_SETTINGS_MODULE": "config.settings"}
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == ""
