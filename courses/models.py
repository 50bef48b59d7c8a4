"""Courses, modules and lessons imported from content/, their versions, and learner progress."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ContentAccess(models.TextChoices):
    """Who may open a piece of the curriculum (a lesson, its images, a quiz, a glossary).

    Ordered from open to strict; courses.access.content_access_allowed is the one check.
    """

    PUBLIC = "public", _("Public")
    LAW_ENFORCEMENT = "le_only", _("Law enforcement only")


# How strict each level is: higher is stricter. A module's quiz and glossary default to the
# strictest level among its lessons.
ACCESS_RANK = {ContentAccess.PUBLIC: 0, ContentAccess.LAW_ENFORCEMENT: 1}


def strictest_access(levels) -> str:
    """The strictest of these levels; public when there are none."""
    return max(levels, key=lambda level: ACCESS_RANK.get(level, 99), default=ContentAccess.PUBLIC)


class TrainingCategory(models.TextChoices):
    """What a module (module.md's `category`) or an in-person cohort trains; requirement sets
    (content/requirements/) set minimum hours per category."""

    BLOCKCHAIN = "blockchain", _("Blockchain fundamentals")
    TRACING = "tracing", _("Tracing and analysis")
    CASEWORK = "casework", _("Case work")
    EMERGING = "emerging_threats", _("AI and emerging threats")
    LEGAL = "legal", _("Legal process and cooperation")
    PRACTICAL = "practical", _("Practical exercises")


class Course(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    intro_html = models.TextField(_("introduction (rendered)"), blank=True)
    language = models.CharField(_("language"), max_length=10, default="en")
    order = models.PositiveIntegerField(_("order"), default=0)
    source_path = models.CharField(_("source file"), max_length=300)
    content_hash = models.CharField(_("content hash"), max_length=64)
    is_published = models.BooleanField(_("published"), default=True)
    # From course.md; a certificate is valid this many months from its issue. Empty: no expiry.
    valid_for_months = models.PositiveSmallIntegerField(
        _("certificate valid for (months)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("courses:detail", kwargs={"course_slug": self.slug})


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    slug = models.SlugField(_("slug"))
    title = models.CharField(_("title"), max_length=200)
    intro_html = models.TextField(_("introduction (rendered)"), blank=True)
    objectives = models.JSONField(_("learning objectives"), default=list, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    # module.md's `category`: where its lessons' minutes count in a requirement set's hours.
    # db_default: rows written by code (or migration states) that predate the field get "".
    category = models.CharField(
        _("training category"),
        max_length=20,
        choices=TrainingCategory.choices,
        blank=True,
        db_default="",
    )
    source_path = models.CharField(_("source file"), max_length=300)
    content_hash = models.CharField(_("content hash"), max_length=64)
    # Set by sync_content from glossary.yaml's access key, else the strictest lesson's level.
    glossary_access = models.CharField(
        _("glossary access"),
        max_length=12,
        choices=ContentAccess.choices,
        default=ContentAccess.LAW_ENFORCEMENT,
    )

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["course", "order"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="module_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    Access = ContentAccess

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    slug = models.SlugField(_("slug"))
    title = models.CharField(_("title"), max_length=200)
    order = models.PositiveIntegerField(_("order"), default=0)
    minutes = models.PositiveIntegerField(_("estimated minutes"))
    access = models.CharField(
        _("access"), max_length=12, choices=Access.choices, default=Access.PUBLIC
    )
    current_version = models.ForeignKey(
        "LessonVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # From the lesson's front matter (content/README.md, "Sources and objectives"): the date
    # its facts were last checked, and what an officer should be able to do after it, as
    # [{"id": ..., "text": ...}]. Empty for lessons imported before the keys existed.
    reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)
    objectives = models.JSONField(_("objectives"), null=True, blank=True)

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["module", "order"]
        constraints = [
            models.UniqueConstraint(fields=["module", "slug"], name="lesson_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "courses:lesson",
            kwargs={
                "course_slug": self.module.course.slug,
                "module_slug": self.module.slug,
                "lesson_slug": self.slug,
            },
        )


class LessonVersion(models.Model):
    """One imported revision of a lesson's text, pinned by content hash and git commit."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    git_commit = models.CharField(_("git commit"), max_length=64, blank=True)
    source_path = models.CharField(_("source file"), max_length=300)
    source_text = models.TextField(_("source (Markdown)"), blank=True)
    body_html = models.TextField(_("body (rendered, sanitized)"))
    is_material = models.BooleanField(_("material change"), default=False)
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)

    class Meta:
        verbose_name = _("lesson version")
        verbose_name_plural = _("lesson versions")
        ordering = ["lesson", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["lesson", "number"], name="lessonversion_unique_number"
            ),
            models.UniqueConstraint(
                fields=["lesson", "content_hash"], name="lessonversion_unique_hash"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lesson} v{self.number}"


class Enrollment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrollments")
    enrolled_at = models.DateTimeField(_("enrolled"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="enrollment_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.course}"


class LessonProgress(models.Model):
    """A lesson marked complete, with the exact version the officer read."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(LessonVersion, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(_("completed"), default=timezone.now)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "lesson"], name="progress_unique_lesson"),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment} - {self.lesson}"


class ModuleProgress(models.Model):
    """How far an enrollment has read one module: a summary of its LessonProgress rows, kept
    by courses.services.lesson_complete in the same transaction (and lesson_refresh_complete
    for last_read_at), so reports count modules read without aggregating lesson progress.

    lessons_read counts the module's lessons read (progress is unique per lesson, and a lesson
    is never deleted while progress on it exists: PROTECT). last_read_at is the latest
    completed_at of those progress rows. completed_at is when every lesson of the module was
    last all read (the time of the read that reached the module's lesson count then): content
    sync may add a lesson to the module afterwards, so "all lessons read now" is
    lessons_read >= the module's current lesson count, and readers compare the counts rather
    than trust completed_at alone.
    """

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="module_progress"
    )
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="+")
    lessons_read = models.PositiveIntegerField(_("lessons read"), default=0)
    last_read_at = models.DateTimeField(_("last read"))
    completed_at = models.DateTimeField(_("all lessons read"), null=True, blank=True)

    class Meta:
        verbose_name = _("module progress")
        verbose_name_plural = _("module progress")
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "module"], name="moduleprogress_unique_module"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment} - {self.module}"


class TranslationBase(models.Model):
    """What every translated file records: where it came from, and whether the English text
    it was made from (source_hash) is still the current one."""

    language = models.CharField(_("language"), max_length=10)
    title = models.CharField(_("title"), max_length=200)
    source_path = models.CharField(_("source file"), max_length=300)
    content_hash = models.CharField(_("content hash"), max_length=64)
    source_hash = models.CharField(_("English version translated"), max_length=64)
    is_stale = models.BooleanField(_("stale"), default=False)

    class Meta:
        abstract = True


class LessonTranslation(TranslationBase):
    """A lesson in another language, tied to the English text it was translated from."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="translations")
    body_html = models.TextField(_("body (rendered, sanitized)"))
    source_text = models.TextField(_("source (Markdown)"), blank=True)
    # The lesson's objectives in this language: {objective id: text}; empty when the file
    # does not translate them (the page then shows the English ones, marked as English).
    objectives = models.JSONField(_("learning objectives"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("lesson translation")
        verbose_name_plural = _("lesson translations")
        constraints = [
            models.UniqueConstraint(fields=["lesson", "language"], name="lessontranslation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.lesson} [{self.language}]"


class ModuleTranslation(TranslationBase):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="translations")
    objectives = models.JSONField(_("learning objectives"), default=list, blank=True)
    intro_html = models.TextField(_("introduction (rendered)"), blank=True)

    class Meta:
        verbose_name = _("module translation")
        verbose_name_plural = _("module translations")
        constraints = [
            models.UniqueConstraint(fields=["module", "language"], name="moduletranslation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.module} [{self.language}]"


class GlossaryTerm(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="glossary")
    term = models.CharField(_("term"), max_length=200)
    anchor = models.SlugField(_("anchor"), max_length=200)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    definition_html = models.TextField(_("definition (rendered)"))
    order = models.PositiveIntegerField(_("order"), default=0)
    # {"ko": {"name": "...", "definition_html": "..."}}: translated names and definitions.
    translations = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary terms")
        ordering = ["module", "order"]
        constraints = [
            models.UniqueConstraint(fields=["module", "anchor"], name="glossaryterm_unique_anchor"),
        ]

    def __str__(self) -> str:
        return self.term


class ContentAsset(models.Model):
    """An image from content/, served only after the access check of its most open lesson."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assets")
    path = models.CharField(_("path"), max_length=300)
    content_type = models.CharField(_("content type"), max_length=50)
    data = models.BinaryField(_("data"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    access = models.CharField(_("access"), max_length=12, choices=Lesson.Access.choices)

    class Meta:
        verbose_name = _("content asset")
        verbose_name_plural = _("content assets")
        constraints = [
            models.UniqueConstraint(fields=["course", "path"], name="contentasset_unique_path"),
        ]

    def __str__(self) -> str:
        return self.path


class ContentFile(models.Model):
    """The hash of every file under content/ at the last sync: a no-change sync compares
    these and stops without parsing anything."""

    path = models.CharField(_("path"), max_length=300, unique=True)
    content_hash = models.CharField(_("content hash"), max_length=64)

    class Meta:
        verbose_name = _("content file")
        verbose_name_plural = _("content files")

    def __str__(self) -> str:
        return self.path
