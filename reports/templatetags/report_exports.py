"""{% export_url table fmt %}: the download link of an export table, with the page's query
string (less its page number) as the table's parameters, plus the ids the include is given
(agency_id and cohort_id become agency and cohort; user_id keeps its name; country_code becomes country)."""

from django import template
from django.http import QueryDict
from django.urls import reverse

register = template.Library()

# The include's variables and the parameter each becomes. user_id keeps its name: the
# transcript table reads it so, as the reports:transcript URL does.
ID_PARAMS = {
    "agency_id": "agency",
    "cohort_id": "cohort",
    "user_id": "user_id",
    "country_code": "country",
}


@register.simple_tag(takes_context=True)
def export_url(context, table: str, fmt: str, **ids) -> str:
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    url = reverse("reports:export", kwargs={"table": table, "fmt": fmt})
    query.pop("page", None)
    for name, key in ID_PARAMS.items():
        value = ids.get(name)
        if value not in (None, ""):
            query[key] = str(value)
    encoded = query.urlencode()
    return f"{url}?{encoded}" if encoded else url
