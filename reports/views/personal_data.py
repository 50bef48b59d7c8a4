"""'Download my data': the signed-in person's own data as a JSON download
(reports:personal_data_export, at /account/data.json beside the profile page)."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from core.audit import AuditContext
from reports.services.exports import personal_data_export


@require_GET
@login_required
@cache_control(no_store=True)
def data_export(request):
    """The person's data (reports.personal_data), with an audit row for the export
    (reports.services.personal_data_export)."""
    data = personal_data_export(user=request.user, context=AuditContext.from_request(request))
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.json"'
    return response
