"""The page of every CSV import: upload -> a report of every row's problems, or the checked
rows with a signed confirm button -> confirm: the signed rows are checked again and applied
all or nothing.

A submission refused on confirm answers 400, whether its confirmation was tampered with,
stale or someone else's, or its rows no longer pass the checks; an upload with problems is
an answer about the file, 200."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from core.audit import AuditContext
from core.imports.forms import CsvUploadForm
from core.imports.spec import ImportProblems, ImportSpec, Row

TEMPLATE = "core/csv_import.html"


def csv_import_page(
    request, spec: ImportSpec, *, template: str = TEMPLATE, context: dict | None = None
) -> HttpResponse:
    """The whole page for one import; template extends core/csv_import.html with the
    page's heading (block intro) and its upload instructions (block instructions)."""
    context = {
        **(context or {}),
        "spec": spec,
        "max_rows": spec.max_rows,
        "cancel_url": request.path,
        "upload_form": _upload_form(spec),
    }
    if request.method == "POST" and "payload" in request.POST:
        confirm = spec.confirm_form(request.POST)
        if not confirm.is_valid():
            context["refused"] = confirm.errors["payload"]
            return render(request, template, context, status=400)
        rows = confirm.cleaned_data["payload"]

        def apply(request):
            return _apply(request, spec, rows, template=template, context=context)

        decorator = spec.confirm_decorator(rows)
        return (decorator(apply) if decorator else apply)(request)
    if request.method == "POST":
        upload = _upload_form(spec, request.POST, request.FILES)
        context["upload_form"] = upload
        if upload.is_valid():
            rows, problems = spec.parse(upload.cleaned_data["file"])
            if problems:
                context["problems"] = problems
            else:
                context.update(_checked(spec, rows))
    return render(request, template, context)


def _upload_form(spec: ImportSpec, *args) -> CsvUploadForm:
    return CsvUploadForm(*args, help_text=spec.upload_help, max_bytes=spec.max_bytes)


def _checked(spec: ImportSpec, rows: list[Row]) -> dict:
    """The table of checked rows and the form that confirms them."""
    return {
        "rows": [{**row, "cells": spec.preview_cells(row)} for row in rows],
        "summary": spec.summary(len(rows)),
        "submit_label": spec.submit_label(len(rows)),
        "confirm_form": spec.confirm_form(initial={"payload": spec.sign(rows)}),
    }


def _apply(request, spec: ImportSpec, rows: list[Row], *, template: str, context: dict):
    try:
        result = spec.apply(rows, context=AuditContext.from_request(request))
    except ImportProblems as error:
        context["problems"] = error.problems
        return render(request, template, context, status=400)
    messages.success(request, spec.done_message(result))
    return redirect(spec.done_url())
