from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.agencies, name="agencies"),
    path("<int:agency_id>/roster/", views.roster, name="roster"),
    path("<int:agency_id>/roster.csv", views.roster_export, name="roster_export"),
]
