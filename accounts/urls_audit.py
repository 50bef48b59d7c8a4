"""Audit search and export, mounted at /audit/."""

from django.urls import path

from accounts.views import audit

app_name = "audit"

urlpatterns = [
    path("", audit.search, name="search"),
    path("export.csv", audit.export, name="export"),
]
