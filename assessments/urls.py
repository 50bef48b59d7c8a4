from django.urls import path

from assessments import views, views_lab

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
    path("attempts/<int:attempt_id>/lab/<str:question_key>/", views_lab.lab_start, name="lab"),
    path(
        "attempts/<int:attempt_id>/lab/<str:question_key>/address/<str:address>/",
        views_lab.lab_address,
        name="lab_address",
    ),
    path(
        "attempts/<int:attempt_id>/lab/<str:question_key>/address/<str:address>/trace/",
        views_lab.lab_trace_add,
        name="lab_trace_add",
    ),
    path(
        "attempts/<int:attempt_id>/lab/<str:question_key>/trace/",
        views_lab.lab_trace_page,
        name="lab_trace",
    ),
    path(
        "attempts/<int:attempt_id>/lab/<str:question_key>/trace/pdf/",
        views_lab.lab_trace_pdf_prepare,
        name="lab_trace_pdf_prepare",
    ),
    path(
        "attempts/<int:attempt_id>/lab/<str:question_key>/trace.pdf",
        views_lab.lab_trace_pdf,
        name="lab_trace_pdf",
    ),
    path(
        "attempts/<int:attempt_id>/lab/<str:question_key>/trace/<int:index>/remove/",
        views_lab.lab_trace_remove,
        name="lab_trace_remove",
    ),
    path(
        "attempts/<int:attempt_id>/lab/<str:question_key>/trace.csv",
        views_lab.lab_trace_csv,
        name="lab_trace_csv",
    ),
]
