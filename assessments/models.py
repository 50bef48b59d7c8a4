"""Quizzes imported from content/, their questions, and officers' graded attempts."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import ContentAccess, Enrollment, Module, TranslationBase


class Quiz(models.Model):
    module = models.OneToOneField(Module, on_delete=models.CASCADE, related_name="quiz")
    slug = models.SlugField(_("slug"))
    title = models.CharField(_("title"), max_length=200)
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"))
    draw = models.PositiveSmallIntegerField(
        _("questions per attempt"), null=True, blank=True, help_text=_("Empty: all of them.")
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("attempt limit"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    cooldown_minutes = models.PositiveIntegerField(_("minutes between attempts"), default=0)
    # At most this many attempts started in any 24 hours (a final assessment's retake limit).
    attempts_per_day = models.PositiveSmallIntegerField(
        _("attempts per 24 hours"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    feedback = models.CharField(
        _("feedback"),
        max_length=20,
        choices=[
            ("after_attempt", _("After each attempt")),
            ("after_close", _("Once the quiz closes")),
            ("after_pass", _("Once the learner has passed or has no attempt left")),
        ],
        default="after_attempt",
    )
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    # Set by sync_content from quiz.yaml's access key, else the strictest lesson's level; a
    # quiz may not be declared less strict than the lessons it tests.
    access = models.CharField(
        _("access"),
        max_length=12,
        choices=ContentAccess.choices,
        default=ContentAccess.LAW_ENFORCEMENT,
    )
    source_path = models.CharField(_("source file"), max_length=300)
    content_hash = models.CharField(_("content hash"), max_length=64)

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pass_mark__gte=1, pass_mark__lte=100),
                name="quiz_pass_mark_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


def question_kind_choices() -> list[tuple[str, str]]:
    """The registered question types (assessments.questions), so a new type needs no
    migration."""
    from assessments.questions import kind_choices

    return kind_choices()


class Question(models.Model):
    # The built-in types; any type registered in assessments.questions is a valid kind.
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TRUE_FALSE = "true_false", _("True or false")
        NUMERIC = "numeric", _("Number")
        SHORT_TEXT = "short_text", _("Short text")
        ORDERING = "ordering", _("Ordering")
        MATCHING = "matching", _("Matching")
        LAB = "lab", _("Tracing lab")

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    key = models.CharField(_("key"), max_length=40)
    order = models.PositiveIntegerField(_("order"))
    kind = models.CharField(_("type"), max_length=12, choices=question_kind_choices)
    prompt = models.TextField(_("prompt"))
    explanation = models.TextField(_("explanation"), blank=True)
    # Choice questions (single, multiple, true_false):
    # [{"key": "a", "text": "...", "correct": true}, ...] in the order the author wrote them.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    # The answer key of the other types: numeric {"answer", "tolerance"}, short_text
    # {"answers", "pattern", "case_sensitive"}, ordering {"items": [{"key","text"}] in the
    # right order}, matching {"pairs": [{"key","left","right"}]}.
    spec = models.JSONField(_("answer key"), default=dict, blank=True)
    points = models.PositiveSmallIntegerField(_("points"), default=1)
    partial = models.BooleanField(_("partial credit"), default=False)
    shuffle = models.BooleanField(_("shuffle options"), default=True)
    # The id of the lesson objective this question tests (a lesson's `objectives` in its
    # module); the result page names the objectives of missed questions.
    objective = models.CharField(
        _("objective"), max_length=50, blank=True, default="", db_default=""
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["quiz", "order"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "key"], name="question_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.quiz.slug}/{self.key}"

    @property
    def correct_keys(self) -> set[str]:
        return {choice["key"] for choice in self.choices if choice.get("correct")}


class Attempt(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        GRADED = "graded", _("Graded")

    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    quiz_hash = models.CharField(_("quiz version"), max_length=64)
    # The questions drawn from the pool for this attempt, reproducible from the seed.
    seed = models.BigIntegerField(_("draw seed"), default=0)
    question_keys = models.JSONField(_("questions drawn"), default=list, blank=True)
    # Answers saved after this instant are not counted (time limit, enforced on the server).
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    # {"q1": 1.0, "q2": 0.5}: each drawn question's score from 0 to 1, for item analysis.
    question_scores = models.JSONField(_("question scores"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.IN_PROGRESS
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # {"q1": ["a"], "q2": ["b", "d"]}: question key -> chosen choice keys.
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    score = models.DecimalField(
        _("score (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["-started_at"]
        constraints = [
            # A graded attempt always carries its grade; an open one never does.
            models.CheckConstraint(
                condition=(
                    models.Q(
                        status="graded",
                        score__isnull=False,
                        passed__isnull=False,
                        submitted_at__isnull=False,
                    )
                    | models.Q(status="in_progress", score__isnull=True, passed__isnull=True)
                ),
                name="attempt_grade_matches_status",
            ),
            # At most one open attempt per officer and quiz.
            models.UniqueConstraint(
                fields=["user", "quiz"],
                condition=models.Q(status="in_progress"),
                name="attempt_one_open_per_quiz",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.quiz} ({self.get_status_display()})"


class QuizTranslation(TranslationBase):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="translations")
    # {"q1": {"prompt": "...", "choices": {"a": "..."}, "explanation": "..."}}
    questions = models.JSONField(_("questions"), default=dict)

    class Meta:
        verbose_name = _("quiz translation")
        verbose_name_plural = _("quiz translations")
        constraints = [
            models.UniqueConstraint(fields=["quiz", "language"], name="quiztranslation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.quiz} [{self.language}]"


class AttemptAnswer(models.Model):
    """One question's answer as last saved (autosave): nothing is lost on a bad connection,
    and answers saved after the deadline are never counted."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="saved_answers")
    question_key = models.CharField(_("question"), max_length=40)
    value = models.JSONField(_("answer"))
    saved_at = models.DateTimeField(_("saved"), default=timezone.now)

    class Meta:
        verbose_name = _("saved answer")
        verbose_name_plural = _("saved answers")
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question_key"], name="attemptanswer_unique_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.question_key}"


class Regrade(models.Model):
    """A grade changed because the answer key was corrected: old and new, never silently."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="regrades")
    old_score = models.DecimalField(_("old score"), max_digits=5, decimal_places=2)
    new_score = models.DecimalField(_("new score"), max_digits=5, decimal_places=2)
    old_passed = models.BooleanField(_("passed before"))
    new_passed = models.BooleanField(_("passed now"))
    quiz_hash = models.CharField(_("quiz version"), max_length=64)
    created_at = models.DateTimeField(_("regraded"), default=timezone.now)

    class Meta:
        verbose_name = _("regrade")
        verbose_name_plural = _("regrades")

    def __str__(self) -> str:
        return f"{self.attempt_id}: {self.old_score} -> {self.new_score}"


class LabTrace(models.Model):
    """The path an officer followed through a tracing lab, with their notes: what they would
    attach to a case file."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="lab_traces")
    question_key = models.CharField(_("question"), max_length=40)
    # [{"address": "...", "note": "...", "at": "ISO time"}], in the order followed.
    steps = models.JSONField(_("steps"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    # The PDF report is rendered by Celery; it is current while pdf_updated_at >= updated_at.
    pdf = models.FileField(_("PDF report"), upload_to="traces/", blank=True)
    pdf_requested_at = models.DateTimeField(_("PDF requested"), null=True, blank=True)
    pdf_updated_at = models.DateTimeField(_("PDF rendered"), null=True, blank=True)

    class Meta:
        verbose_name = _("lab trace")
        verbose_name_plural = _("lab traces")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question_key"], name="labtrace_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.question_key}"

    @property
    def pdf_current(self) -> bool:
        return (
            bool(self.pdf)
            and self.pdf_updated_at is not None
            and self.pdf_updated_at >= self.updated_at
        )

    @property
    def pdf_pending(self) -> bool:
        return (
            not self.pdf_current
            and self.pdf_requested_at is not None
            and self.pdf_requested_at >= self.updated_at
        )
