"""The certificate page (/certificates/<id>/): the holder's page (download, verify link,
LinkedIn) and, for programme staff and the holder's agency admin, the status history and
the forms that revoke, suspend, reinstate or correct it, each after the password again."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from certificates.access import access_certificate_manage, access_certificate_page
from certificates.forms import CorrectNameForm, ReinstateForm, RevokeForm, SuspendForm
from certificates.linkedin import linkedin_add_url
from certificates.models import Certificate
from certificates.selectors import (
    certificate_history,
    certificate_revisions,
    renewal_opens_at,
)
from certificates.services import (
    certificate_reinstate,
    certificate_reissue,
    certificate_revoke,
    certificate_suspend,
)
from certificates.services.lifecycle import REINSTATABLE, REVOCABLE, SUSPENDABLE
from core.audit import AuditContext

# The audit actions shown in the history, in words.
EVENTS = {
    "certificate.create": gettext_lazy("Written, to be rendered"),
    "certificate.issue": gettext_lazy("Issued"),
    "certificate.fail": gettext_lazy("Rendering failed"),
    "certificate.retry": gettext_lazy("Queued again"),
    "certificate.reissue": gettext_lazy("Correction requested"),
    "certificate.supersede": gettext_lazy("Superseded"),
    "certificate.revoke": gettext_lazy("Revoked"),
    "certificate.suspend": gettext_lazy("Suspended"),
    "certificate.reinstate": gettext_lazy("Reinstated"),
    "certificate.pseudonymise": gettext_lazy("Holder's name pseudonymised"),
}

FORMS = {
    "revoke_form": RevokeForm,
    "suspend_form": SuspendForm,
    "reinstate_form": ReinstateForm,
    "correct_form": CorrectNameForm,
}


def _page(request, certificate: Certificate, manage: bool, **bound):
    """Render the page; `bound` holds a form that failed, shown again with its errors."""
    context = {
        "certificate": certificate,
        "public_status": certificate.public_status(),
        "is_holder": certificate.user_id == request.user.pk,
        "manage": manage,
        "verify_url": certificate.verify_url,
    }
    if context["is_holder"] and context["public_status"] == "valid":
        context["linkedin_url"] = linkedin_add_url(certificate)
    opens_at = renewal_opens_at(certificate)
    context["can_renew"] = (
        context["is_holder"]
        and certificate.status == Certificate.Status.ISSUED
        and opens_at is not None
        and timezone.now() >= opens_at
    )
    if manage:
        revisions = certificate_revisions(certificate=certificate)
        successor = next((r for r in revisions if r.supersedes_id == certificate.pk), None)
        history = certificate_history(revisions=revisions)
        revision_of = {str(revision.pk): revision.revision for revision in revisions}
        for event in history:
            event.label = EVENTS.get(event.action, event.action)
            event.revision = revision_of.get(event.target_id)
            category = event.details.get("category")
            if category in Certificate.RevocationReason.values:
                event.category = Certificate.RevocationReason(category).label
        context |= {
            "revisions": revisions,
            "history": history,
            "can_revoke": certificate.status in REVOCABLE,
            "can_suspend": certificate.status in SUSPENDABLE,
            "can_reinstate": certificate.status in REINSTATABLE,
            # A correction of an issued certificate that has no newer revision yet.
            "can_correct": certificate.status == Certificate.Status.ISSUED and successor is None,
        }
        for name, form_class in FORMS.items():
            initial = {"holder_name": certificate.holder_name} if name == "correct_form" else None
            context[name] = bound.get(name) or form_class(user=request.user, initial=initial)
    return render(request, "certificates/detail.html", context)


@login_required
def certificate_detail(request, certificate_id: int):
    certificate, manage = access_certificate_page(user=request.user, certificate_id=certificate_id)
    return _page(request, certificate, manage)


def _act(request, certificate_id: int, form_name: str, apply, success: str):
    """Check access (404 first, before the password), validate the form with the password,
    apply the service, then PRG back to the page with a message; a refused transition
    (the status moved on meanwhile) is a message too, and changes nothing."""
    certificate = access_certificate_manage(user=request.user, certificate_id=certificate_id)
    form = FORMS[form_name](request.POST, user=request.user)
    if not form.is_valid():
        return _page(request, certificate, True, **{form_name: form})
    try:
        result = apply(certificate, form.cleaned_data, AuditContext.from_request(request))
    except ValueError:
        messages.error(request, _("That change is not possible in the certificate's status."))
        return redirect("certificates:detail", certificate_id=certificate.pk)
    messages.success(request, success)
    return redirect("certificates:detail", certificate_id=result.pk)


@require_POST
@login_required
def certificate_revoke_view(request, certificate_id: int):
    return _act(
        request,
        certificate_id,
        "revoke_form",
        lambda certificate, data, context: certificate_revoke(
            certificate=certificate,
            actor=request.user,
            reason_category=data["category"],
            reason=data["reason"],
            context=context,
        ),
        _("The certificate is revoked. The holder is told by email."),
    )


@require_POST
@login_required
def certificate_suspend_view(request, certificate_id: int):
    return _act(
        request,
        certificate_id,
        "suspend_form",
        lambda certificate, data, context: certificate_suspend(
            certificate=certificate, actor=request.user, reason=data["reason"], context=context
        ),
        _("The certificate is suspended. The holder is told by email."),
    )


@require_POST
@login_required
def certificate_reinstate_view(request, certificate_id: int):
    return _act(
        request,
        certificate_id,
        "reinstate_form",
        lambda certificate, data, context: certificate_reinstate(
            certificate=certificate, actor=request.user, reason=data["reason"], context=context
        ),
        _("The suspension has ended. The holder is told by email."),
    )


@require_POST
@login_required
def certificate_correct_view(request, certificate_id: int):
    return _act(
        request,
        certificate_id,
        "correct_form",
        lambda certificate, data, context: certificate_reissue(
            certificate=certificate,
            actor=request.user,
            reason=data["reason"],
            holder_name=data["holder_name"],
            context=context,
        ),
        _(
            "A corrected certificate is being prepared. The current one stays valid until "
            "the new one is issued."
        ),
    )
