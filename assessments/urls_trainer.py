from django.urls import path

from assessments import views_trainer

app_name = "assessments_trainer"

urlpatterns = [
    path("quizzes/trainer/", views_trainer.quizzes, name="quizzes"),
    path("quizzes/trainer/<int:quiz_id>/", views_trainer.items, name="items"),
    path("quizzes/trainer/<int:quiz_id>/items.csv", views_trainer.items_csv, name="items_csv"),
    path("quizzes/trainer/<int:quiz_id>/officers/", views_trainer.officers, name="officers"),
    path(
        "quizzes/trainer/<int:quiz_id>/officers.csv",
        views_trainer.officers_csv,
        name="officers_csv",
    ),
]
