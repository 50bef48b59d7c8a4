from django.urls import path

from courses import views

app_name = "courses"

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("<slug:course_slug>/", views.course_detail, name="detail"),
    path("<slug:course_slug>/enroll/", views.enroll, name="enroll"),
    path("<slug:course_slug>/resume/", views.resume, name="resume"),
    path(
        "<slug:course_slug>/lessons/<slug:module_slug>/<slug:lesson_slug>/",
        views.lesson_detail,
        name="lesson",
    ),
    path(
        "<slug:course_slug>/lessons/<slug:module_slug>/<slug:lesson_slug>/complete/",
        views.lesson_mark_complete,
        name="lesson_complete",
    ),
]
