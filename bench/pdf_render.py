"""Benchmark: one certificate PDF, today's path against the optimised one and the floor.

Renders the same certificate (a Latin name, then a Korean name) and prints one line each:

    pdf today_ms=… optimised_ms=… signed_ms=… reportlab_ms=… new_process_ms=… vs_reportlab=…x speedup_vs_process=…x

- today_ms: the render path as it was at commit a78a09a, copied here so it stays what it
  was: a new URL fetcher per render (an SSL context each), an SVG-path QR code, the old
  template (bench/baseline_certificate_pdf.html, English only) with its inline <style>;
- optimised_ms: certificates.rendering.draw_certificate_pdf, warm: PDF/A-3b with the Open
  Badges credential attached, unsigned (bilingual for the Korean holder, so it prints more
  than today's page);
- signed_ms: the same, then PAdES-signed (render_certificate_pdf, what a worker stores);
- reportlab_ms: the same content drawn on a ReportLab canvas, QR included: the floor,
  with the same fonts embedded (subset): DejaVu, and Nanum Myeongjo for Korean;
- new_process_ms: a new Python process that sets Django up and renders and signs one
  certificate; speedup_vs_process compares it with signed_ms, the same work warm.

Medians of --runs warm renders (after --warmup), wall-clock; on a box busy with other work,
--clock cpu counts CPU time instead (this process's, and the new process's own), which
the load disturbs far less. Needs no database: the certificates are unsaved model
instances.

    make bench
    .venv/bin/python bench/pdf_render.py --runs 50 --clock cpu
"""

import argparse
import io
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
BASELINE_TEMPLATE = Path(__file__).resolve().parent / "baseline_certificate_pdf.html"

NAMES = {"latin": ("Elena Ciobanu-Ștefănescu", ""), "ko": ("김민준", "ko")}


def make_certificate(which: str):
    from django.utils import timezone

    from accounts.models import User
    from certificates.models import Certificate
    from courses.models import Course

    name, language = NAMES[which]
    now = timezone.now()
    return Certificate(
        # Unsaved: the credential reads the holder's address and the course.
        user=User(email="officer@knpa.example", full_name=name),
        course=Course(slug="crypto-investigation", title="Crypto Investigation Foundations"),
        holder_name=name,
        holder_language=language,
        agency_name="Korean National Police Agency",
        course_title="Crypto Investigation Foundations",
        delivery="In person: Bangkok, Thailand, 3-4 December 2026",
        hours=Decimal("12.0"),
        completed_at=now,
        valid_until=now + timedelta(days=3 * 365),
        serial="CC-2026-0A1B2C3D4E",
        verify_token="bench-token-0123456789abcdefghijklmnopqrstuv",  # noqa: S106 - not a secret
    )


# --- today's path (a78a09a), kept as it was ----------------------------------------------


def baseline_qr_svg(data: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=10,
        border=2,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]


class BaselineRenderer:
    def __init__(self):
        from django.template import engines

        # The cached template loader parsed the template once; so does this.
        self.template = engines["django"].from_string(BASELINE_TEMPLATE.read_text())

    def render(self, certificate) -> bytes:
        from django.conf import settings
        from django.utils import translation
        from weasyprint import HTML

        from core.pdf import STATIC_PREFIX, StaticOnlyURLFetcher

        context = {"certificate": certificate, "qr_svg": baseline_qr_svg(certificate.verify_url)}
        with translation.override(settings.LANGUAGE_CODE):
            html = self.template.render({**context, "static_prefix": STATIC_PREFIX})
        fetcher = StaticOnlyURLFetcher(allowed_protocols={"data", "static"})
        return HTML(string=html, url_fetcher=fetcher).write_pdf()


# --- the floor: a ReportLab canvas ------------------------------------------------------


class ReportLabRenderer:
    """The same content as the optimised page, drawn at the same places."""

    def __init__(self):
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        fonts = "/usr/share/fonts/truetype/"
        for name, file in (
            ("DejaVuSans", "dejavu/DejaVuSans.ttf"),
            ("DejaVuSans-Bold", "dejavu/DejaVuSans-Bold.ttf"),
            ("DejaVuSerif-Bold", "dejavu/DejaVuSerif-Bold.ttf"),
            ("NanumMyeongjo-Bold", "nanum/NanumMyeongjoBold.ttf"),
        ):
            pdfmetrics.registerFont(TTFont(name, fonts + file))

    def render(self, certificate) -> bytes:
        from reportlab.lib.colors import HexColor
        from reportlab.lib.pagesizes import A4, landscape
        from reportlab.pdfgen import canvas

        from certificates.rendering import SIGNATURE_BOX, certificate_texts
        from core.qr import qr_matrix

        context = certificate_texts(certificate)
        labels, dates = context["labels"], context["dates"]
        korean = context["language"] == "ko"
        serif_local = "NanumMyeongjo-Bold" if korean else "DejaVuSerif-Bold"
        sans_local = "NanumMyeongjo-Bold" if korean else "DejaVuSans"
        name_font = "NanumMyeongjo-Bold" if korean else "DejaVuSerif-Bold"

        buffer = io.BytesIO()
        width, height = landscape(A4)
        pdf = canvas.Canvas(buffer, pagesize=(width, height))
        pdf.setTitle(f"{certificate.course_title} · {certificate.serial}")
        navy = HexColor("#0b3d91")
        pdf.setStrokeColor(navy)
        pdf.setLineWidth(14.2)
        pdf.rect(7.1, 7.1, width - 14.2, height - 14.2)
        pdf.setLineWidth(0.6)
        pdf.rect(22.7, 22.7, width - 45.4, height - 45.4)

        x, y = 62.4, height - 62
        pdf.setFillColor(navy)
        pdf.setFont("DejaVuSans", 9.5)
        pdf.drawString(x, y, context["programme"].upper())
        pdf.setFillColor(HexColor("#111111"))
        pdf.setFont("DejaVuSerif-Bold", 32)
        pdf.drawString(x, y - 40, labels["heading"]["en"])
        if labels["heading"]["local"]:
            pdf.setFont(serif_local, 19)
            pdf.drawString(x, y - 64, labels["heading"]["local"])
        for offset, key in ((-100, "certifies"), (-200, "completed_course")):
            pdf.setFont("DejaVuSans", 12)
            pdf.drawString(x, y + offset, labels[key]["en"])
            if labels[key]["local"]:
                pdf.setFont(sans_local, 11)
                pdf.drawString(x + 150, y + offset, "/ " + labels[key]["local"])
        pdf.setFont(name_font, 30)
        pdf.drawString(x, y - 136, certificate.holder_name)
        pdf.setFont("DejaVuSans", 13)
        pdf.drawString(x, y - 158, certificate.agency_name)
        pdf.setFont("DejaVuSerif-Bold", 19)
        pdf.drawString(x, y - 226, certificate.course_title)
        pdf.setFont("DejaVuSans", 11.5)
        pdf.drawString(x, y - 246, certificate.delivery)

        facts = [
            (labels["hours"], {"en": str(certificate.hours), "local": ""}),
            (labels["completed"], dates["completed"]),
            (labels["valid_until"], dates["valid_until"]),
            (labels["serial"], {"en": certificate.serial, "local": ""}),
        ]
        row = 62 + 32 * len(facts)
        for label, value in facts:
            for column, text, bold in ((x, label, False), (x + 110, value, True)):
                pdf.setFont("DejaVuSans-Bold" if bold else "DejaVuSans", 10)
                pdf.drawString(column, row, text["en"])
                if text["local"]:
                    pdf.setFont(sans_local, 9)
                    pdf.drawString(column, row - 11, text["local"])
            row -= 32

        left, _bottom, right, top = SIGNATURE_BOX
        pdf.setFont("DejaVuSans", 8.5)
        pdf.drawString(left, top + 50, labels["signatory"]["en"])
        pdf.setFont("DejaVuSans-Bold", 12)
        pdf.drawString(left, top + 30, context["signatory_name"])
        pdf.setFont("DejaVuSans", 9.5)
        pdf.drawString(left, top + 17, context["signatory_title"])
        pdf.line(left, top + 8, right, top + 8)

        matrix = qr_matrix(certificate.verify_url)
        size = 113.4  # 40 mm
        module = size / len(matrix)
        qr_x, qr_y = width - 62 - size, 62 + 30
        pdf.setFillColor(HexColor("#000000"))
        for r, cells in enumerate(matrix):
            c = 0
            while c < len(cells):
                if cells[c]:
                    start = c
                    while c < len(cells) and cells[c]:
                        c += 1
                    pdf.rect(
                        qr_x + start * module,
                        qr_y + size - (r + 1) * module,
                        (c - start) * module,
                        module,
                        stroke=0,
                        fill=1,
                    )
                c += 1
        pdf.setFont("DejaVuSans", 8)
        pdf.drawCentredString(qr_x + size / 2, qr_y - 12, labels["scan"]["en"])
        if labels["scan"]["local"]:
            pdf.setFont(sans_local, 8)
            pdf.drawCentredString(qr_x + size / 2, qr_y - 23, labels["scan"]["local"])
        pdf.showPage()
        pdf.save()
        return buffer.getvalue()


# --- measuring --------------------------------------------------------------------------


def median_ms(
    renderers: dict, certificate, runs: int, warmup: int, clock=time.perf_counter
) -> dict[str, float]:
    """Median ms per renderer. The renderers take turns within each run, so a busy box
    slows them alike and the ratios between them hold."""
    for _ in range(warmup):
        for render in renderers.values():
            render(certificate)
    times = {label: [] for label in renderers}
    for _ in range(runs):
        for label, render in renderers.items():
            started = clock()
            render(certificate)
            times[label].append(clock() - started)
    return {label: statistics.median(values) * 1000 for label, values in times.items()}


def credential_for_bench(certificate) -> bytes:
    """The Open Badges credential both paths embed, built once (its own cost is not the
    render's: about 6 ms, in bench/certificate_throughput.py's end-to-end figure)."""
    from django.utils import timezone

    from certificates.badges.credential import credential_json

    return credential_json(certificate, issued_at=timezone.now())


def new_process_ms(which: str, runs: int, *, cpu: bool = False) -> float:
    """Median ms for a new process to render one certificate: wall-clock, or with cpu the
    child's own CPU time (user + system)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--one", which],
            check=True,
            cwd=ROOT,
            env=os.environ.copy(),
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if cpu:
            times.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        else:
            times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def render_one(which: str) -> None:
    """What a new process per certificate pays: start Python, set Django up, render."""
    import django

    django.setup()
    from certificates.rendering import render_certificate_pdf

    render_certificate_pdf(make_certificate(which))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="warm renders per measurement")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--process-runs", type=int, default=5, help="new processes")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    parser.add_argument("--one", choices=sorted(NAMES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        render_one(args.one)
        return

    import django

    django.setup()
    from certificates.rendering import draw_certificate_pdf, render_certificate_pdf

    baseline, reportlab = BaselineRenderer(), ReportLabRenderer()
    for which in ("latin", "ko"):
        certificate = make_certificate(which)
        credential = credential_for_bench(certificate)
        renderers = {
            "today": baseline.render,
            # PDF/A-3b with the credential attached: what is signed.
            "optimised": partial(draw_certificate_pdf, credential_json=credential),
            # The same, then PAdES-signed with the visible line: what a worker stores.
            "signed": partial(render_certificate_pdf, credential_json=credential),
            "reportlab": reportlab.render,
        }
        clock = time.process_time if args.clock == "cpu" else time.perf_counter
        ms = median_ms(renderers, certificate, args.runs, args.warmup, clock)
        signed_ms = f"{ms['signed']:.0f}"
        process = new_process_ms(which, args.process_runs, cpu=args.clock == "cpu")
        name = " name=ko" if which == "ko" else ""
        print(
            f"pdf{name} today_ms={ms['today']:.0f} optimised_ms={ms['optimised']:.0f} "
            f"signed_ms={signed_ms} reportlab_ms={ms['reportlab']:.0f} "
            f"new_process_ms={process:.0f} vs_reportlab={ms['optimised'] / ms['reportlab']:.2f}x "
            f"speedup_vs_process={process / ms['signed']:.1f}x",
            flush=True,
        )


if __name__ == "__main__":
    main()
