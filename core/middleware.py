"""Every request gets an id: the one nginx set (X-Request-ID, trusted only behind a trusted
proxy) or a fresh one. It goes into the audit rows, onto every log line written while the
request is served (and by the Celery tasks it queues), and back out in the response header,
so an audit row, the logs and a user's report can be matched."""

import re
import uuid

from django.conf import settings

from core.observability.context import request_id_bind

REQUEST_ID_HEADER = "X-Request-ID"
_VALID = re.compile(r"[a-z0-9-]{1,64}")


def request_id_for(request) -> str:
    """The proxy's id when one is trusted and it is well formed, else a new uuid4 hex."""
    if settings.TRUSTED_PROXY_COUNT > 0:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        if _VALID.fullmatch(incoming):
            return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_for(request)
        # Not reset on the way out: Django logs a 4xx or 5xx response ("Not Found: ...")
        # after the middleware has returned. The request_finished signal clears it.
        request_id_bind(request.request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.request_id
        return response
