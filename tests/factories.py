"""factory-boy factories for every model the tests build."""

import functools
import hashlib
from datetime import time, timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import Agency, Membership, TrainerQualification, Unit, User
from assessments.models import Attempt, Question, Quiz
from certificates.models import Certificate
from cohorts.models import Cohort, Participation, Seat, Session
from courses.models import Course, Enrollment, Lesson, LessonProgress, LessonVersion, Module
from courses.pipeline.render import render_markdown

TEST_PASSWORD = "correct horse battery staple 42"


@functools.cache
def _hashed(password: str) -> str:
    from django.contrib.auth.hashers import make_password

    return make_password(password)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Test Police Agency {n}")
    country = "KR"
    time_zone = "Asia/Seoul"
    email_domains = factory.Sequence(lambda n: [f"agency{n}.example"])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"officer{n}@agency.example")
    full_name = factory.Sequence(lambda n: f"Officer Number {n}")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        # Argon2 is slow by design (~50 ms a hash): hash the shared test password once per
        # run, so pages with 600 officers are quick to set up. Signing in still checks it.
        self.password = _hashed(extracted) if extracted else _hashed(TEST_PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Membership.Role.OFFICER
    status = Membership.Status.APPROVED
    vetted_at = factory.LazyFunction(timezone.now)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Unit {n}")


class TrainerQualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainerQualification

    user = factory.SubFactory(UserFactory)
    title = "Qualified trainer"
    course_slug = "course"
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    slug = factory.Sequence(lambda n: f"course-{n}")
    title = factory.Sequence(lambda n: f"Course {n}")
    summary = "A course for tests."
    source_path = factory.LazyAttribute(lambda o: f"content/courses/{o.slug}/course.md")
    content_hash = "0" * 64


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    course = factory.SubFactory(CourseFactory)
    slug = factory.Sequence(lambda n: f"module-{n}")
    title = factory.Sequence(lambda n: f"Module {n}")
    order = factory.Sequence(lambda n: n)
    source_path = "content/module.md"
    content_hash = "0" * 64
    # Like LessonFactory's public lessons; sync_content sets the strictest lesson's level.
    glossary_access = "public"


class LessonFactory(factory.django.DjangoModelFactory):
    """A lesson with one imported version, as sync_content would leave it."""

    class Meta:
        model = Lesson
        skip_postgeneration_save = True

    module = factory.SubFactory(ModuleFactory)
    slug = factory.Sequence(lambda n: f"lesson-{n}")
    title = factory.Sequence(lambda n: f"Lesson {n}")
    order = factory.Sequence(lambda n: n)
    minutes = 15

    @factory.post_generation
    def body(self, create, extracted, **kwargs):
        if not create:
            return
        text = extracted or f"## {self.title}\n\nWhat an investigator needs to know."
        version = LessonVersion.objects.create(
            lesson=self,
            number=1,
            content_hash=hashlib.sha256(text.encode()).hexdigest(),
            git_commit="",
            source_path=f"content/{self.slug}.md",
            body_html=render_markdown(text),
        )
        self.current_version = version
        self.save(update_fields=["current_version"])


class QuizFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quiz

    module = factory.SubFactory(ModuleFactory)
    slug = factory.Sequence(lambda n: f"quiz-{n}")
    title = factory.Sequence(lambda n: f"Quiz {n}")
    pass_mark = 70
    access = "public"  # like LessonFactory's public lessons
    source_path = "content/quiz.yaml"
    content_hash = "1" * 64


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    quiz = factory.SubFactory(QuizFactory)
    key = factory.Sequence(lambda n: f"q{n}")
    order = factory.Sequence(lambda n: n)
    kind = Question.Kind.SINGLE
    prompt = "Which of these is right?"
    explanation = "Because it is."
    choices = factory.LazyAttribute(
        lambda o: (
            [
                {"key": "a", "text": "Right", "correct": True},
                {"key": "b", "text": "Wrong", "correct": False},
                {"key": "c", "text": "Also wrong", "correct": False},
            ]
            if o.kind == Question.Kind.SINGLE
            else [
                {"key": "a", "text": "Right", "correct": True},
                {"key": "b", "text": "Also right", "correct": True},
                {"key": "c", "text": "Wrong", "correct": False},
            ]
        )
    )


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    user = factory.SubFactory(UserFactory)
    course = factory.SubFactory(CourseFactory)


class AttemptFactory(factory.django.DjangoModelFactory):
    """An attempt row as written (in progress unless told), with the enrollment it needs."""

    class Meta:
        model = Attempt

    quiz = factory.SubFactory(QuizFactory)
    user = factory.SubFactory(UserFactory)
    enrollment = factory.LazyAttribute(
        lambda o: Enrollment.objects.get_or_create(user=o.user, course=o.quiz.module.course)[0]
    )
    quiz_hash = factory.SelfAttribute("quiz.content_hash")


class CertificateFactory(factory.django.DjangoModelFactory):
    """A certificate row for an enrollment, pending unless told (no PDF is rendered)."""

    class Meta:
        model = Certificate

    enrollment = factory.SubFactory(EnrollmentFactory)
    user = factory.SelfAttribute("enrollment.user")
    course = factory.SelfAttribute("enrollment.course")
    content_version = "v1"
    holder_name = factory.SelfAttribute("user.full_name")
    course_title = factory.SelfAttribute("course.title")
    hours = 2
    completed_at = factory.LazyFunction(timezone.now)


def build_course(*, lessons_per_module: int = 2, modules: int = 2, questions: int = 3) -> Course:
    """A published course with modules, lessons and a quiz per module."""
    course = CourseFactory()
    for _ in range(modules):
        module = ModuleFactory(course=course)
        for _ in range(lessons_per_module):
            LessonFactory(module=module)
        quiz = QuizFactory(module=module)
        for index in range(questions):
            QuestionFactory(
                quiz=quiz,
                kind=Question.Kind.MULTIPLE if index % 2 else Question.Kind.SINGLE,
            )
    return course


def lesson_read(enrollment: Enrollment, lesson: Lesson, *, completed_at=None) -> LessonProgress:
    """A lesson read at a given time, as lesson_complete writes it (its progress row and the
    module's summary) without the course-completion side effects."""
    from courses.services import module_progress_record

    progress = LessonProgress.objects.create(
        enrollment=enrollment,
        lesson=lesson,
        version=lesson.current_version,
        completed_at=completed_at or timezone.now(),
    )
    module_progress_record(progress=progress, module_id=lesson.module_id)
    return progress


def correct_answers(quiz: Quiz) -> dict[str, list[str]]:
    return {q.key: sorted(q.correct_keys) for q in quiz.questions.all()}


def with_totp(user: User) -> str:
    """Give a user an authenticator app (TOTP), as setting up MFA would; returns the secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str) -> str:
    """The code an authenticator app would show right now. Near the end of a 30-second
    window it waits for the next one, as a person would, so that a code typed into a slow
    browser test is not already stale when the server checks it."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    left = 30 - time.time() % 30
    if left < 4:
        time.sleep(left + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def admin_of(agency: Agency, **user_fields) -> User:
    """An agency admin of that agency, with MFA set up (required for the role)."""
    user = MembershipFactory(
        agency=agency, role=Membership.Role.AGENCY_ADMIN, user=UserFactory(**user_fields)
    ).user
    with_totp(user)
    return user


def coordinator_of(country: str, **user_fields) -> User:
    """A country coordinator (no agency of their own), with MFA set up."""
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, agency=None, country=country, role=Membership.Role.COORDINATOR)
    with_totp(user)
    return user


def staff_user(**user_fields) -> User:
    """Programme staff, with MFA set up."""
    user = UserFactory(is_staff=True, **user_fields)
    with_totp(user)
    return user


def reauthenticated_now(client, user: User) -> None:
    """What allauth's reauthenticate page leaves in the session after a correct password
    (client.force_login records no authentication time)."""
    import time

    from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY

    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "reauthenticated": True}
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


def trainer_for(course: Course, *, expires_in_days: int = 365, **user_fields) -> User:
    """A programme-wide trainer qualified to teach this course, with MFA set up."""
    user = MembershipFactory(
        agency=None, role=Membership.Role.TRAINER, user=UserFactory(**user_fields)
    ).user
    TrainerQualificationFactory(
        user=user,
        title=f"Qualified: {course.title}",
        course_slug=course.slug,
        expires_on=timezone.localdate() + timedelta(days=expires_in_days),
    )
    with_totp(user)
    return user


class CohortFactory(factory.django.DjangoModelFactory):
    """A bare cohort row at a Bangkok venue: no trainer, sessions or participations (see
    build_cohort for a cohort ready to use)."""

    class Meta:
        model = Cohort

    course = factory.SubFactory(CourseFactory)
    title = factory.LazyAttribute(lambda o: f"{o.course.title} in person")
    host_agency = factory.SubFactory(AgencyFactory, country="TH", time_zone="Asia/Bangkok")
    country = factory.SelfAttribute("host_agency.country")
    city = "Bangkok"
    venue_name = "Training Centre"
    venue_address = "1 Rama IV Road"
    time_zone = "Asia/Bangkok"
    language = "en"
    capacity = 10
    nomination_deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    status = Cohort.Status.OPEN


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    cohort = factory.SubFactory(CohortFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Participation.Role.PARTICIPANT
    seat_quota = None


class SessionFactory(factory.django.DjangoModelFactory):
    """A day's session in the venue's time zone, three weeks from today, 9:00 to 17:00."""

    class Meta:
        model = Session

    cohort = factory.SubFactory(CohortFactory)
    date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=21))
    start_time = time(9)
    end_time = time(17)
    time_zone = factory.SelfAttribute("cohort.time_zone")


class SeatFactory(factory.django.DjangoModelFactory):
    """A seat row as written, without the services (so no counters move and no message is
    sent): for states the services would refuse, or an officer merely nominated. Use
    `seated` for a confirmed seat."""

    class Meta:
        model = Seat

    cohort = factory.SubFactory(CohortFactory)
    user = factory.SubFactory(UserFactory)
    agency = factory.SelfAttribute("cohort.host_agency")
    status = Seat.Status.NOMINATED


def build_cohort(
    *,
    course: Course | None = None,
    host: Agency | None = None,
    trainer: User | None = None,
    capacity: int = 10,
    status: str = "open",
    days: int = 2,
    time_zone: str = "Asia/Bangkok",
    first_day=None,
    start=(9, 0),
    end=(17, 0),
    **fields,
):
    """A cohort with `days` daily sessions at the venue, a trainer, the host agency taking
    part, and the given status (no seats)."""
    course = course or build_course(modules=1, questions=1)
    host = host or AgencyFactory(country="TH", time_zone="Asia/Bangkok")
    trainer = trainer or trainer_for(course)
    first_day = first_day or (timezone.localdate() + timedelta(days=21))
    cohort = CohortFactory(
        course=course,
        host_agency=host,
        time_zone=time_zone,
        capacity=capacity,
        status=status,
        created_by=trainer,
        **fields,
    )
    cohort.trainers.add(trainer)
    ParticipationFactory(cohort=cohort, agency=host, role=Participation.Role.HOST)
    for offset in range(days):
        SessionFactory(
            cohort=cohort,
            date=first_day + timedelta(days=offset),
            start_time=time(*start),
            end_time=time(*end),
        )
    return cohort


def take_part(cohort, agency: Agency, *, quota: int | None = None):
    return ParticipationFactory(cohort=cohort, agency=agency, seat_quota=quota)


def seated(cohort, *, agency: Agency | None = None, user: User | None = None):
    """An approved officer of `agency` (default: the host) holding a seat, through the
    services (so counters and messages are as in real life)."""
    from cohorts.services.seats import seat_approve, seat_nominate

    agency = agency or cohort.host_agency
    user = user or MembershipFactory(agency=agency).user
    actor = cohort.trainers.first()
    seat = seat_nominate(cohort=cohort, user=user, agency=agency, actor=actor)
    return seat_approve(seat=seat, actor=actor)


def completed_cohort(seats: int, **fields) -> Cohort:
    """A cohort (build_cohort's fields) with `seats` approved seats, every one completed,
    and no certificate yet."""
    cohort = build_cohort(capacity=seats + 1, **fields)
    SeatFactory.create_batch(
        seats,
        cohort=cohort,
        user=factory.SubFactory(UserFactory),
        status=Seat.Status.APPROVED,
        completed_at=timezone.now(),
    )
    return cohort
