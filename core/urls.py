"""URLs of core (namespace core): the start page and the health checks. The paths stay at
the site's root: nginx and monitors call /healthz and /readyz."""

from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]
