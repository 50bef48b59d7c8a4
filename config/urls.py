from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from assessments.urls import trainer_urlpatterns
from certificates import views as certificate_views
from core import views

# The admin has no login of its own: staff sign in through the site's login, so MFA, the
# lockout and the rate limits apply to them too.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("dashboard/", certificate_views.dashboard, name="dashboard"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("account/", include("accounts.urls_vetting")),
    path("audit/", include("accounts.urls_audit")),
    path("agency/", include("reports.urls")),
    path("account/", include("accounts.urls_privacy")),
    path("courses/", include("courses.urls")),
    path("", include("assessments.urls")),
    path("", include((trainer_urlpatterns, "assessments_trainer"))),
    path("", include("certificates.urls")),
    path("cohorts/", include("cohorts.urls")),
    path("cohorts/", include("reports.urls_cohorts")),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
