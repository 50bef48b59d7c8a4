"""Open Badges 3.0 endpoints: the holder's credential download, the public one reached from the
verify page, and the issuer's published documents (Profile, keys, status lists)."""

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from certificates.access import access_certificate, access_verification
from certificates.badges.credential import credential_for
from certificates.badges.keys import issuer_profile, jwks_document, multikey_document, published_key
from certificates.badges.statuslist import cached_status_list_credential
from certificates.selectors import (
    credential_certificate,
    status_list_by_slug,
    status_list_with_bits,
)
from certificates.views.pages import verify_allowed, verify_refused_json

CREDENTIAL_TYPE = "application/vc+ld+json"
# The issuer's documents change only with a key rotation.
PUBLISHED_MAX_AGE = 3600


def _credential_response(certificate_id: int, *, attachment: bool) -> HttpResponse:
    certificate = credential_certificate(certificate_id=certificate_id)
    if certificate is None:
        raise Http404
    body = json.dumps(credential_for(certificate), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type=f"{CREDENTIAL_TYPE}; charset=utf-8")
    if attachment:
        name = f"credential-{certificate.file_stem}.json"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# No method check before the access check: another person's POST gets 404 like a GET.
@login_required
@cache_control(private=True, no_store=True)
def credential_download(request, certificate_id: int):
    certificate = access_certificate(user=request.user, certificate_id=certificate_id)
    return _credential_response(certificate.pk, attachment=True)


@require_safe
@cache_control(no_store=True)
def verify_credential(request, token: str):
    if not verify_allowed(request):
        return verify_refused_json()
    certificate = access_verification(token=token)
    return _credential_response(certificate.pk, attachment=True)


def _published(document: dict, *, content_type: str = "application/json") -> HttpResponse:
    return JsonResponse(document, content_type=content_type, json_dumps_params={"indent": 2})


@require_safe
@cache_control(public=True, max_age=PUBLISHED_MAX_AGE)
def issuer(request):
    return _published(issuer_profile(), content_type="application/ld+json")


@require_safe
@cache_control(public=True, max_age=PUBLISHED_MAX_AGE)
def credential_key(request, key_id: str):
    key = published_key(key_id)
    if key is None:
        raise Http404
    return _published(multikey_document(key), content_type="application/ld+json")


@require_safe
@cache_control(public=True, max_age=PUBLISHED_MAX_AGE)
def jwks(request):
    return _published(jwks_document(), content_type="application/jwk-set+json")


@require_safe
def status_list(request, slug: str):
    found = status_list_by_slug(slug=slug)
    if found is None:
        raise Http404
    document = cached_status_list_credential(
        found, load_bits=lambda: status_list_with_bits(status_list_id=found.pk)
    )
    response = _published(document, content_type=CREDENTIAL_TYPE)
    # Short: a revocation must reach verifiers within a minute or so.
    response["Cache-Control"] = f"public, max-age={settings.OB_STATUS_LIST_MAX_AGE}"
    return response
