"""Cohort calendar URLs (included by cohorts/urls.py, namespace cohorts)."""

urlpatterns = []
