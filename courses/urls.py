from django.urls import path

from courses import views

app_name = "courses"

LESSON = "<slug:course_slug>/lessons/<slug:module_slug>/<slug:lesson_slug>/"

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("trainer/", views.trainer_content, name="trainer_content"),
    path("trainer/lessons/<int:lesson_id>/", views.trainer_lesson, name="trainer_lesson"),
    path(
        "trainer/lessons/<int:lesson_id>/v/<int:number>/",
        views.trainer_version,
        name="trainer_version",
    ),
    path("trainer/lessons/<int:lesson_id>/diff/", views.trainer_diff, name="trainer_diff"),
    path(
        "trainer/translations/<slug:kind>/<int:translation_id>/changes/",
        views.trainer_translation_changes,
        name="trainer_translation_changes",
    ),
    path("agency/refreshers/", views.agency_refreshers, name="agency_refreshers"),
    path("<slug:course_slug>/", views.course_detail, name="detail"),
    path("<slug:course_slug>/enroll/", views.enroll, name="enroll"),
    path("<slug:course_slug>/resume/", views.resume, name="resume"),
    path("<slug:course_slug>/glossary/<slug:module_slug>/", views.glossary, name="glossary"),
    path("<slug:course_slug>/media/<path:path>", views.media, name="media"),
    path(LESSON, views.lesson_detail, name="lesson"),
    path(LESSON + "complete/", views.lesson_mark_complete, name="lesson_complete"),
    path(LESSON + "refresh/", views.lesson_refresh, name="lesson_refresh"),
]
