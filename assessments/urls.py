from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("courses/<slug:course_slug>/quizzes/<slug:module_slug>/", views.quiz_detail, name="quiz"),
    path(
        "courses/<slug:course_slug>/quizzes/<slug:module_slug>/start/",
        views.quiz_start,
        name="quiz_start",
    ),
    path("attempts/<int:attempt_id>/", views.attempt_take, name="attempt"),
    path("attempts/<int:attempt_id>/save/", views.attempt_save, name="save"),
    path("attempts/<int:attempt_id>/result/", views.attempt_result, name="result"),
]
