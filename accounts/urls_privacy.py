"""Privacy URLs: profile, "download my data" and erasure, all under /account/."""

from django.urls import path

from accounts.views import privacy
from reports.privacy import data_export

app_name = "privacy"

urlpatterns = [
    path("profile/", privacy.profile, name="profile"),
    # The export reads every app, so its view lives in reports (the top layer); a URL
    # module may point at it without accounts code depending on reports.
    path("data.json", data_export, name="export"),
    path("people/<int:user_id>/erase/", privacy.erase, name="erase"),
]
