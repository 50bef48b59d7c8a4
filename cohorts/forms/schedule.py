"""Forms for scheduling cohorts: the cohort, its sessions, participating agencies and status.
Times are typed as the venue's wall-clock time and turned into instants with its time zone."""

import re
import zoneinfo
from functools import cache

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency, User
from accounts.permissions import schedule_host_agencies
from assessments.models import Quiz
from cohorts.models import Cohort, Participation
from cohorts.selectors.schedule import TrainerOption
from cohorts.services.schedule import local_instant
from courses.models import Course, Module, TrainingCategory

COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class CourseChoiceForm(forms.Form):
    """Step one of scheduling: the course decides which trainers, modules and quizzes fit."""

    course = forms.ModelChoiceField(
        label=_("Course"),
        queryset=Course.objects.filter(is_published=True).order_by("order", "title"),
        to_field_name="slug",
        empty_label=_("Choose a course"),
    )


class TrainerCheckboxes(forms.CheckboxSelectMultiple):
    """Trainer checkboxes; one that cannot be assigned is disabled, the reason in its label."""

    def __init__(self, *args, problems=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.problems = problems or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if str(value) in self.problems:
            option["attrs"]["disabled"] = True
        return option


class CohortForm(forms.Form):
    """A cohort's details. With `cohort` it edits that cohort (course and host agency stay as
    they are); without, it schedules a new cohort of `course`, hosted by an agency `user` may
    host with (a trainer bound to an agency: that agency only)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    country = forms.CharField(
        label=_("Host country"),
        max_length=2,
        min_length=2,
        help_text=_("Two-letter ISO code, e.g. TH."),
    )
    city = forms.CharField(label=_("City"), max_length=100)
    venue_name = forms.CharField(label=_("Venue"), max_length=200)
    venue_address = forms.CharField(
        label=_("Venue address"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    time_zone = forms.ChoiceField(
        label=_("Venue time zone"),
        help_text=_("Session times and the nomination deadline are typed in this zone."),
    )
    language = forms.ChoiceField(label=_("Teaching language"), choices=settings.LANGUAGES)
    category = forms.ChoiceField(
        label=_("Training category"),
        choices=TrainingCategory.choices,
        initial=TrainingCategory.PRACTICAL,
        required=False,
        help_text=_("Where the hours officers attend count in their agency's requirement."),
    )
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=5000)
    host_agency = forms.ModelChoiceField(
        label=_("Host agency"),
        queryset=Agency.objects.none(),
        error_messages={
            "invalid_choice": _(
                "Choose a host agency from the list. A trainer of an agency schedules cohorts "
                "hosted by their own agency only."
            )
        },
    )
    cohost_agencies = forms.ModelMultipleChoiceField(
        label=_("Co-host agencies"),
        queryset=Agency.objects.order_by("name"),
        required=False,
        help_text=_("Optional. Co-hosts decide on nominations with the host."),
    )
    trainers = forms.TypedMultipleChoiceField(
        label=_("Trainers"),
        coerce=int,
        required=False,
        widget=TrainerCheckboxes,
        help_text=_(
            "Only approved trainers with a qualification for this course, valid until the "
            "last session, can be assigned."
        ),
    )
    prerequisite_modules = forms.ModelMultipleChoiceField(
        label=_("Prerequisite online modules"),
        queryset=Module.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    assessment = forms.ModelChoiceField(
        label=_("Assessment"),
        queryset=Quiz.objects.none(),
        required=False,
        empty_label=_("None"),
        help_text=_("The quiz officers must pass; leave empty for none."),
    )
    attendance_threshold = forms.IntegerField(
        label=_("Attendance needed for completion (%)"), min_value=1, max_value=100, initial=80
    )
    deadline_date = forms.DateField(
        label=_("Nomination deadline: date at the venue"), widget=DateInput
    )
    deadline_time = forms.TimeField(
        label=_("Nomination deadline: time at the venue"), initial="17:00", widget=TimeInput
    )

    def __init__(
        self,
        *args,
        course: Course,
        trainer_options: list[TrainerOption],
        user: User,
        cohort: Cohort | None = None,
        **kwargs,
    ):
        self.course = course
        self.cohort = cohort
        if cohort is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(cohort)
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()
        self.options = {option.user.pk: option for option in trainer_options}
        problems = {
            str(pk): option.problem for pk, option in self.options.items() if option.problem
        }
        self.fields["trainers"].widget.problems = problems
        self.fields["trainers"].choices = [
            (pk, self._trainer_label(option)) for pk, option in self.options.items()
        ]
        self.fields["prerequisite_modules"].queryset = Module.objects.filter(
            course=course
        ).order_by("order")
        self.fields["assessment"].queryset = (
            Quiz.objects.filter(module__course=course)
            .select_related("module")
            .order_by("module__order")
        )
        if cohort is None:
            # A host outside the choices (a crafted POST) is refused as an invalid choice;
            # cohort_create refuses it again for any other caller.
            self.fields["host_agency"].queryset = schedule_host_agencies(user).order_by("name")
        else:
            del self.fields["host_agency"], self.fields["cohost_agencies"]
            self.fields["trainers"].help_text = _(
                "Only approved trainers with a qualification for this course, valid until the "
                "last session, can be assigned. A trainer shown as unavailable is removed "
                "when you save."
            )

    @staticmethod
    def initial_from(cohort: Cohort) -> dict:
        deadline = cohort.nomination_deadline.astimezone(cohort.tz)
        return {
            "title": cohort.title,
            "country": cohort.country,
            "city": cohort.city,
            "venue_name": cohort.venue_name,
            "venue_address": cohort.venue_address,
            "time_zone": cohort.time_zone,
            "language": cohort.language,
            "category": cohort.category,
            "capacity": cohort.capacity,
            "trainers": [user.pk for user in cohort.trainers.all()],
            "prerequisite_modules": list(cohort.prerequisite_modules.all()),
            "assessment": cohort.assessment_id,
            "attendance_threshold": cohort.attendance_threshold,
            "deadline_date": deadline.date(),
            "deadline_time": deadline.time().replace(second=0, microsecond=0),
        }

    @staticmethod
    def _trainer_label(option: TrainerOption) -> str:
        name = option.user.get_short_name()
        if option.problem:
            return gettext("%(name)s (%(where)s) — unavailable: %(reason)s") % {
                "name": name,
                "where": option.where,
                "reason": option.problem,
            }
        return gettext("%(name)s (%(where)s)") % {"name": name, "where": option.where}

    def clean_country(self) -> str:
        country = self.cleaned_data["country"].strip().upper()
        if not COUNTRY_RE.match(country):
            raise ValidationError(_("Use the two-letter country code, e.g. TH."))
        return country

    def clean_category(self) -> str:
        return self.cleaned_data["category"] or TrainingCategory.PRACTICAL

    def clean_trainers(self):
        refused = [
            gettext("%(name)s cannot be assigned: %(reason)s.")
            % {"name": self.options[pk].user.get_short_name(), "reason": self.options[pk].problem}
            for pk in self.cleaned_data["trainers"]
            if self.options[pk].problem
        ]
        if refused:
            raise ValidationError(refused)
        return [self.options[pk].user for pk in self.cleaned_data["trainers"]]

    def clean(self):
        data = super().clean()
        zone = data.get("time_zone")
        day, at = data.get("deadline_date"), data.get("deadline_time")
        if zone and day and at:
            try:
                deadline = local_instant(day, at, zone)
            except ValidationError as error:
                self.add_error("deadline_time", error)
            else:
                if self.cohort is not None:
                    # The form shows whole minutes: an untouched deadline stays exactly as is.
                    current = self.cohort.nomination_deadline
                    if deadline == current.replace(second=0, microsecond=0):
                        deadline = current
                data["nomination_deadline"] = deadline
                changed = self.cohort is None or deadline != self.cohort.nomination_deadline
                if changed and deadline <= timezone.now():
                    self.add_error("deadline_date", _("The nomination deadline has passed."))
        return data

    def service_kwargs(self) -> dict:
        """The cleaned values as cohort_create takes them."""
        data = self.cleaned_data
        return {
            "course": self.course,
            "title": data["title"],
            "country": data["country"],
            "city": data["city"],
            "venue_name": data["venue_name"],
            "venue_address": data["venue_address"],
            "time_zone": data["time_zone"],
            "language": data["language"],
            "category": data["category"],
            "capacity": data["capacity"],
            "host_agency": data["host_agency"],
            "cohost_agencies": list(data["cohost_agencies"]),
            "trainers": data["trainers"],
            "prerequisite_modules": list(data["prerequisite_modules"]),
            "assessment": data["assessment"],
            "attendance_threshold": data["attendance_threshold"],
            "nomination_deadline": data["nomination_deadline"],
        }

    def changes(self) -> dict:
        """The fields of the edited cohort whose values differ, for cohort_update."""
        data = self.cleaned_data
        wanted = {
            name: data[name]
            for name in (
                "title",
                "country",
                "city",
                "venue_name",
                "venue_address",
                "time_zone",
                "language",
                "category",
                "capacity",
                "assessment",
                "attendance_threshold",
                "nomination_deadline",
            )
        }
        return {
            name: value for name, value in wanted.items() if getattr(self.cohort, name) != value
        }


class SessionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=_("Starts"), widget=TimeInput())
    end_time = forms.TimeField(label=_("Ends"), widget=TimeInput())
    title = forms.CharField(
        label=_("Title"), max_length=200, required=False, help_text=_("Optional, e.g. Day 1.")
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("A session must end after it starts."))
        return data


ROLE_CHOICES = [
    (Participation.Role.PARTICIPANT, Participation.Role.PARTICIPANT.label),
    (Participation.Role.COHOST, Participation.Role.COHOST.label),
]


class ParticipationForm(forms.Form):
    """Invite an agency to take part."""

    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)
    seat_quota = forms.IntegerField(
        label=_("Seat quota"),
        min_value=0,
        max_value=5000,
        required=False,
        help_text=_("Leave empty for no quota."),
    )

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.exclude(
            participations__cohort=cohort
        ).order_by("name")


class QuotaForm(forms.Form):
    """Change a participating agency's quota (and role, except the host's)."""

    participation = forms.ModelChoiceField(
        queryset=Participation.objects.none(), widget=forms.HiddenInput
    )
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, required=False)
    seat_quota = forms.IntegerField(
        label=_("Seat quota"), min_value=0, max_value=5000, required=False
    )

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participation"].queryset = Participation.objects.filter(
            cohort=cohort
        ).select_related("agency")


STATUS_ACTIONS = {
    Cohort.Status.OPEN: _("Open for nominations"),
    Cohort.Status.RUNNING: _("Start running"),
    Cohort.Status.CLOSED: _("Close the cohort"),
    Cohort.Status.DRAFT: _("Back to draft"),
    Cohort.Status.CANCELLED: _("Cancel the cohort"),
}


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Cohort.Status.choices)
    confirm = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        if data.get("status") == Cohort.Status.CANCELLED and not data.get("confirm"):
            raise ValidationError(
                _("Tick the box to confirm: cancelling gives every seat up and cannot be undone.")
            )
        return data
