from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"

    def ready(self) -> None:
        # Registers the quiz.yaml content handler and the "quizzes passed" requirement.
        from assessments import completion, quizfile  # noqa: F401
        from assessments.quizreview import quiz_review
        from courses.pipeline.editorial import editorial_rule_register

        editorial_rule_register("quizzes", quiz_review)
        _register_quiz_translations()


def _register_quiz_translations() -> None:
    """Quiz translations in the trainers' stale list (courses.translations)."""
    from django.utils.translation import gettext_lazy as _

    from assessments.models import QuizTranslation
    from courses.translations import TranslationKind, translation_kind_register

    translation_kind_register(
        TranslationKind(
            slug="quiz",
            label=_("Quiz"),
            model=QuizTranslation,
            related=("quiz__module__course",),
            module=lambda row: row.quiz.module,
            title=lambda row: row.quiz.title,
            english_hash=lambda row: row.quiz.content_hash,
            order=40,
        )
    )
