from django.contrib import admin
from django.urls import include, path

from certificates import views as certificate_views
from config import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("dashboard/", certificate_views.dashboard, name="dashboard"),
    path("accounts/", include("allauth.urls")),
    path("courses/", include("courses.urls")),
    path("", include("assessments.urls")),
    path("", include("certificates.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
