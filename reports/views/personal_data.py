"""'Download my data': the signed-in person's own data as a JSON download
(reports:personal_data_export, at /account/data.json beside the profile page)."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from accounts.audit import audit_log
from reports.personal_data import personal_data


@require_GET
@login_required
@cache_control(no_store=True)
def data_export(request):
    """The person's data (reports.personal_data), with an audit row for the export."""
    data = personal_data(user=request.user)
    audit_log(action="account.export", actor=request.user, target=request.user, request=request)
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.json"'
    return response
