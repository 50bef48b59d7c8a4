from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

# The admin has no login of its own: staff sign in through the site's login, so MFA, the
# lockout and the rate limits apply to them too.
admin.site.login = secure_admin_login(admin.site.login)

# One URL module per app, its namespace the app label. Apps mounted at "" carry their own
# path prefixes, so every path people bookmark (and /healthz, /readyz for nginx) is unchanged.
urlpatterns = [
    path("", include("core.urls")),
    path("", include("certificates.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("courses/", include("courses.urls")),
    path("", include("assessments.urls")),
    path("cohorts/", include("cohorts.urls")),
    path("", include("reports.urls")),
    path("admin/", admin.site.urls),
]
