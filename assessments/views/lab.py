"""The tracing lab explorer: an address page with its transfers and a graph, moving hop by hop,
and the officer's saved trace (with notes) as a page and a CSV for the case file."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.access import access_lab
from assessments.labs.graph import totals_by_asset
from assessments.labs.svg import render_graph_svg
from assessments.questions.lab import lab_graph
from assessments.selectors import lab_trace, lab_trace_steps
from assessments.services import (
    lab_trace_add_step,
    lab_trace_pdf_request,
    lab_trace_remove_step,
)
from core.audit import AuditContext
from core.csv import csv_attachment, csv_text


def _address_url(attempt_id: int, key: str, address: str) -> str:
    return reverse("assessments:lab_address", args=[attempt_id, key, address])


def _tx_url(attempt_id: int, key: str, tx_id: str) -> str:
    return reverse("assessments:lab_tx", args=[attempt_id, key, tx_id])


def _briefing(graph, attempt_id: int, key: str) -> dict:
    """What the case file names (a transaction to examine), with a link where it has a page."""
    found = {}
    for name, tx_id in graph.briefing.items():
        url = _tx_url(attempt_id, key, tx_id) if tx_id in graph.transactions else None
        found[name] = {"id": tx_id, "url": url}
    return found


@login_required
def lab_start(request, attempt_id: int, question_key: str):
    attempt, question = access_lab(
        user=request.user, attempt_id=attempt_id, question_key=question_key
    )
    graph = lab_graph(question, attempt.seed)
    return redirect(_address_url(attempt.pk, question.key, graph.start_address))


@login_required
def lab_address(request, attempt_id: int, question_key: str, address: str):
    attempt, question = access_lab(
        user=request.user, attempt_id=attempt_id, question_key=question_key
    )
    graph = lab_graph(question, attempt.seed)
    node = graph.addresses.get(address)
    if node is None:
        raise Http404
    steps = lab_trace_steps(attempt=attempt, question_key=question.key)
    visited = [step["address"] for step in steps]

    def rows(transfers, other_end):
        return [
            {
                "transfer": t,
                "other": graph.addresses[getattr(t, other_end)],
                "url": _address_url(attempt.pk, question.key, getattr(t, other_end)),
                "tx_url": _tx_url(attempt.pk, question.key, t.id)
                if t.id in graph.transactions
                else None,
            }
            for t in transfers
        ]

    transactions = []
    for tx in graph.transactions_of(address):
        sent = sum((amount for a, amount in tx.inputs if a == address), start=tx.fee * 0)
        received = sum((amount for a, amount in tx.outputs if a == address), start=tx.fee * 0)
        transactions.append(
            {
                "tx": tx,
                "url": _tx_url(attempt.pk, question.key, tx.id),
                "sent": sent,
                "received": received,
            }
        )
    delegations = [
        {
            "record": record,
            "given": record.source == address,
            "other": graph.addresses[record.target if record.source == address else record.source],
            "url": _address_url(
                attempt.pk,
                question.key,
                record.target if record.source == address else record.source,
            ),
        }
        for record in graph.delegations_of(address)
    ]

    incoming, outgoing = graph.incoming(address), graph.outgoing(address)
    svg = render_graph_svg(
        graph,
        focus=address,
        visited=visited,
        href=lambda other: _address_url(attempt.pk, question.key, other),
    )
    return render(
        request,
        "assessments/lab_address.html",
        {
            "attempt": attempt,
            "question": question,
            "node": node,
            "incoming": rows(incoming, "source"),
            "outgoing": rows(outgoing, "target"),
            "svg": svg,
            "steps": steps,
            "in_trace": address in visited,
            "is_start": address == graph.start_address,
            "transactions": transactions,
            "delegations": delegations[:200],
            "delegations_hidden": max(0, len(delegations) - 200),
            "briefing": _briefing(graph, attempt.pk, question.key)
            if address == graph.start_address
            else {},
        },
    )


@login_required
def lab_tx(request, attempt_id: int, question_key: str, tx_id: str):
    """A multi-input, multi-output transaction: every input and output with its address."""
    attempt, question = access_lab(
        user=request.user, attempt_id=attempt_id, question_key=question_key
    )
    graph = lab_graph(question, attempt.seed)
    tx = graph.transactions.get(tx_id)
    if tx is None:
        raise Http404

    def rows(entries):
        return [
            {
                "address": graph.addresses[address_id],
                "amount": amount,
                "url": _address_url(attempt.pk, question.key, address_id),
            }
            for address_id, amount in entries
        ]

    return render(
        request,
        "assessments/lab_tx.html",
        {
            "attempt": attempt,
            "question": question,
            "tx": tx,
            "inputs": rows(tx.inputs),
            "outputs": rows(tx.outputs),
            "total_in": sum((amount for _, amount in tx.inputs), start=tx.fee * 0),
            "total_out": sum((amount for _, amount in tx.outputs), start=tx.fee * 0),
        },
    )


@login_required
@require_POST
def lab_trace_add(request, attempt_id: int, question_key: str, address: str):
    attempt, question = access_lab(
        user=request.user, attempt_id=attempt_id, question_key=question_key
    )
    graph = lab_graph(question, attempt.seed)
    if address not in graph.addresses:
        raise Http404
    lab_trace_add_step(
        attempt=attempt,
        question_key=question.key,
        address=address,
        note=request.POST.get("note", ""),
        context=AuditContext.from_request(request),
    )
    messages.success(request, _("Added to your trace."))
    return redirect(_address_url(attempt.pk, question.key, address))


@login_required
@require_POST
def lab_trace_remove(request, attempt_id: int, question_key: str, index: int):
    attempt, question = access_lab(
        user=request.user, attempt_id=attempt_id, question_key=question_key
    )
    lab_trace_remove_step(
        attempt=attempt,
        question_key=question.key,
        index=index,
        context=AuditContext.from_request(request),
    )
    return redirect("assessments:lab_trace", attempt_id=attempt.pk, question_key=question.key)


@login_required
@require_POST
def lab_trace_pdf_prepare(request, attempt_id: int, question_key: str):
    attempt, question = access_lab(
        user=request.user, attempt_id=attempt_id, question_key=question_key
    )
    trace = lab_trace(attempt=attempt, question_key=question.key)
    if trace is None or not trace.steps:
        messages.error(request, _("Add at least one address to your trace first."))
    else:
        lab_trace_pdf_request(trace=trace, context=AuditContext.from_request(request))
        messages.info(
            request, _("Your PDF report is being prepared. Reload this page in a moment.")
        )
    return redirect("assessments:lab_trace", attempt_id=attempt.pk, question_key=question.key)


@login_required
def lab_trace_pdf(request, attempt_id: int, question_key: str):
    attempt, question = access_lab(
        user=request.user, attempt_id=attempt_id, question_key=question_key
    )
    trace = lab_trace(attempt=attempt, question_key=question.key)
    if trace is None or not trace.pdf_current:
        raise Http404
    return FileResponse(
        trace.pdf.open("rb"),
        as_attachment=True,
        filename=f"trace-{attempt.pk}-{question.key}.pdf",
        content_type="application/pdf",
    )


@login_required
def lab_trace_page(request, attempt_id: int, question_key: str):
    attempt, question = access_lab(
        user=request.user, attempt_id=attempt_id, question_key=question_key
    )
    graph = lab_graph(question, attempt.seed)
    steps = [
        {
            **step,
            "node": graph.addresses.get(step["address"]),
            "url": _address_url(attempt.pk, question.key, step["address"]),
        }
        for step in lab_trace_steps(attempt=attempt, question_key=question.key)
    ]
    return render(
        request,
        "assessments/lab_trace.html",
        {
            "attempt": attempt,
            "question": question,
            "steps": steps,
            "trace": lab_trace(attempt=attempt, question_key=question.key),
        },
    )


@login_required
def lab_trace_csv(request, attempt_id: int, question_key: str):
    attempt, question = access_lab(
        user=request.user, attempt_id=attempt_id, question_key=question_key
    )
    graph = lab_graph(question, attempt.seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["step", "address", "chain", "label", "received", "sent", "note", "added (UTC)"]
    )
    for number, step in enumerate(
        lab_trace_steps(attempt=attempt, question_key=question.key), start=1
    ):
        node = graph.addresses.get(step["address"])
        received = totals_by_asset(graph.incoming(step["address"]))
        sent = totals_by_asset(graph.outgoing(step["address"]))
        writer.writerow(
            [
                number,
                csv_text(step["address"]),
                node.chain if node else "",
                csv_text(node.label if node else ""),
                received,
                sent,
                csv_text(step.get("note", "")),
                step.get("at", ""),
            ]
        )
    return csv_attachment(buffer.getvalue(), f"trace-{attempt.pk}-{question.key}.csv")
