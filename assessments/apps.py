from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"

    def ready(self) -> None:
        # Registers the quiz.yaml content handler and the "quizzes passed" requirement.
        from assessments import completion, quizfile  # noqa: F401
