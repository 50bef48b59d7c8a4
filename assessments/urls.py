"""URLs of assessments (namespace assessments): quizzes, attempts and labs, and the trainers'
quiz statistics (`trainer_*`, under quizzes/trainer/). Mounted at the site's root."""

from django.urls import path

from assessments.views import lab, quiz, trainer

app_name = "assessments"

urlpatterns = [
    path("courses/<slug:course_slug>/quizzes/<slug:module_slug>/", quiz.quiz_detail, name="quiz"),
    path(
        "courses/<slug:course_slug>/quizzes/<slug:module_slug>/start/",
        quiz.quiz_start,
        name="quiz_start",
    ),
    path("attempts/<int:attempt_id>/", quiz.attempt_take, name="attempt"),
    path("attempts/<int:attempt_id>/save/", quiz.attempt_save, name="save"),
    path("attempts/<int:attempt_id>/result/", quiz.attempt_result, name="result"),
    path("attempts/<int:attempt_id>/lab/<str:question_key>/", lab.lab_start, name="lab"),
    path(
        "attempts/<int:attempt_id>/lab/<str:question_key>/address/<str:address>/",
        lab.lab_address,
        name="lab_address",
    ),
    path(
        "attempts/<int:attempt_id>/lab/<str:question_key>/tx/<str:tx_id>/",
        lab.lab_tx,
        name="lab_tx",
    ),
    path(
        "attempts/<int:attempt_id>/lab/<str:question_key>/address/<str:address>/trace/",
        lab.lab_trace_add,
        name="lab_trace_add",
    ),
    path(
        "attempts/<int:attempt_id>/lab/<str:question_key>/trace/",
        lab.lab_trace_page,
        name="lab_trace",
    ),
    path(
        "attempts/<int:attempt_id>/lab/<str:question_key>/trace/pdf/",
        lab.lab_trace_pdf_prepare,
        name="lab_trace_pdf_prepare",
    ),
    path(
        "attempts/<int:attempt_id>/lab/<str:question_key>/trace.pdf",
        lab.lab_trace_pdf,
        name="lab_trace_pdf",
    ),
    path(
        "attempts/<int:attempt_id>/lab/<str:question_key>/trace/<int:index>/remove/",
        lab.lab_trace_remove,
        name="lab_trace_remove",
    ),
    path(
        "attempts/<int:attempt_id>/lab/<str:question_key>/trace.csv",
        lab.lab_trace_csv,
        name="lab_trace_csv",
    ),
    path("quizzes/trainer/", trainer.quizzes, name="trainer_quizzes"),
    path("quizzes/trainer/<int:quiz_id>/", trainer.items, name="trainer_items"),
    path(
        "quizzes/trainer/<int:quiz_id>/items.csv",
        trainer.items_csv,
        name="trainer_items_csv",
    ),
    path("quizzes/trainer/<int:quiz_id>/officers/", trainer.officers, name="trainer_officers"),
    path(
        "quizzes/trainer/<int:quiz_id>/officers.csv",
        trainer.officers_csv,
        name="trainer_officers_csv",
    ),
]
