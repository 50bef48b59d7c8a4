from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"

    def ready(self) -> None:
        # Registers the quiz.yaml content handler and the "quizzes passed" requirement.
        from assessments import completion, quizfile  # noqa: F401
        from assessments.quizreview import quiz_review
        from courses.pipeline.editorial import editorial_rule_register

        editorial_rule_register("quizzes", quiz_review)
