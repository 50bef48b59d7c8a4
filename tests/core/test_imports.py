"""The confirm-step CSV import itself (core.imports), through a small import of its own:
people's accounts from rows of email and name. The file's caps, the header, every row's
problems with its number, the signed confirmation, and all or nothing when applied."""

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from core.imports import ImportProblems, ImportSpec
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NAME_MAX_LENGTH = 20


class AccountImport(ImportSpec):
    """A row per account to open; an email that already has one is refused."""

    columns = ("email", "name")
    required_columns = ("email",)
    header_message = "Name the columns: email, and optionally name (found: %(found)s)."
    salt = "tests.account-import"
    max_bytes = 1024
    max_rows = 3

    def __init__(self, *, actor, team: int = 1):
        super().__init__(actor=actor)
        self.team = team
        self.committed: list[str] = []

    def scope(self):
        return {"team": self.team}

    def read_row(self, cells):
        return {"email": cells.get("email", "").strip().lower(), "name": cells.get("name", "")}

    def lookup(self, rows):
        emails = {row["email"] for row in rows}
        return set(User.objects.filter(email__in=emails).values_list("email", flat=True))

    def row_messages(self, row, *, found, email_valid):
        messages = []
        if row["email"] in found:
            messages.append("This email already has an account.")
        if len(row["name"]) > NAME_MAX_LENGTH:
            messages.append("The name is too long.")
        return messages

    def write_row(self, row, *, found, context):
        if row["name"] == "refuse":
            raise ValidationError("The service refused this row.")
        user = User.objects.create_user(email=row["email"], full_name=row["name"])
        # A side effect waiting for the commit, as an email would.
        transaction.on_commit(lambda: self.committed.append(user.email))
        return user


def csv_bytes(*lines: str) -> bytes:
    return "\r\n".join(lines).encode()


@pytest.fixture
def actor():
    return UserFactory()


def test_good_rows_are_read_with_their_spreadsheet_row_numbers(actor):
    rows, problems = AccountImport(actor=actor).parse(
        csv_bytes("Email, Name", "A@Mail.example,Ann", "", "b@mail.example,Ben")
    )
    assert problems == []
    assert rows == [
        {"row": 2, "email": "a@mail.example", "name": "Ann"},
        {"row": 4, "email": "b@mail.example", "name": "Ben"},
    ]


@pytest.mark.parametrize(
    "header", ["email,colour", "name", "email,email", "colour,email,name"], ids=str
)
def test_a_header_naming_other_columns_refuses_the_file(actor, header):
    rows, problems = AccountImport(actor=actor).parse(csv_bytes(header, "a@mail.example"))
    assert rows == []
    assert problems == [
        {
            "row": None,
            "email": "",
            "messages": [
                "Name the columns: email, and optionally name (found: "
                + header.replace(",", ", ")
                + ")."
            ],
        }
    ]


def test_the_size_cap_refuses_the_file_as_a_whole(actor):
    spec = AccountImport(actor=actor)
    data = b"email\na@mail.example\n"
    at_cap = data + b"\n" * (spec.max_bytes - len(data))  # blank lines are skipped
    assert len(at_cap) == spec.max_bytes
    assert spec.parse(at_cap)[1] == []
    rows, problems = spec.parse(at_cap + b"x")
    assert rows == []
    assert [p["row"] for p in problems] == [None]
    assert problems[0]["messages"] == ["The file is larger than 1 KB."]


def test_the_row_cap_refuses_the_file_as_a_whole(actor):
    spec = AccountImport(actor=actor)
    lines = ["email", *[f"p{n}@mail.example" for n in range(4)]]
    rows, problems = spec.parse(csv_bytes(*lines[:4]))
    assert (len(rows), problems) == (3, [])
    rows, problems = spec.parse(csv_bytes(*lines))
    assert rows == []
    assert problems[0]["messages"] == [
        "The file has more than 3 rows; split it into smaller files."
    ]


def test_every_problem_of_every_row_is_reported_with_its_number(actor):
    UserFactory(email="taken@mail.example")
    rows, problems = AccountImport(actor=actor).parse(
        csv_bytes(
            "email,name",
            "TAKEN@mail.example," + "n" * 21,
            "not-an-email,Kim,extra",
            ",Lee",
        )
    )
    assert len(rows) == 3
    assert problems == [
        {
            "row": 2,
            "email": "taken@mail.example",
            "messages": ["This email already has an account.", "The name is too long."],
        },
        {
            "row": 3,
            "email": "not-an-email",
            "messages": [
                "The row has more cells than the header.",
                "This is not a valid email address.",
            ],
        },
        {"row": 4, "email": "", "messages": ["The email is missing."]},
    ]


def test_the_same_email_twice_is_reported_on_the_later_row(actor):
    _rows, problems = AccountImport(actor=actor).parse(
        csv_bytes("email", "a@mail.example", "b@mail.example", "A@mail.example")
    )
    assert problems == [
        {"row": 4, "email": "a@mail.example", "messages": ["The same email is already on row 2."]}
    ]


def test_rows_come_back_from_the_confirmation_unchanged(actor):
    spec = AccountImport(actor=actor)
    rows, _problems = spec.parse(csv_bytes("email,name", "a@mail.example,Ann"))
    form = spec.confirm_form({"payload": spec.sign(rows)})
    assert form.is_valid()
    assert form.cleaned_data["payload"] == rows


def test_a_tampered_or_foreign_confirmation_is_refused(actor):
    spec = AccountImport(actor=actor)
    rows = [{"row": 2, "email": "a@mail.example", "name": "Ann"}]
    payload = spec.sign(rows)
    value, signature = payload.rsplit(":", 1)
    for refused in (
        value + ":" + signature[::-1],  # tampered
        payload[:-2],
        "",
        signing.dumps({"team": 1, "user": actor.pk, "rows": rows}, salt="another-import"),
        AccountImport(actor=actor, team=2).sign(rows),  # for another target
        AccountImport(actor=UserFactory()).sign(rows),  # for another person
        signing.dumps({"team": 1, "user": actor.pk, "rows": "all"}, salt=spec.salt),
    ):
        form = spec.confirm_form({"payload": refused})
        assert not form.is_valid(), refused
        assert form.errors["payload"] == [
            "This confirmation has expired or was changed. Upload the file again."
        ]


def test_apply_writes_every_row_then_runs_the_side_effects(
    actor, django_capture_on_commit_callbacks
):
    spec = AccountImport(actor=actor)
    rows, _problems = spec.parse(csv_bytes("email,name", "a@mail.example,Ann", "b@mail.example,"))
    with django_capture_on_commit_callbacks(execute=True):
        written = spec.apply(rows)
    assert [user.email for user in written] == ["a@mail.example", "b@mail.example"]
    assert spec.committed == ["a@mail.example", "b@mail.example"]


def test_a_row_that_became_invalid_after_the_check_refuses_every_row(
    actor, django_capture_on_commit_callbacks
):
    spec = AccountImport(actor=actor)
    rows, problems = spec.parse(
        csv_bytes("email,name", "a@mail.example,Ann", "b@mail.example,Ben", "c@mail.example,Cho")
    )
    assert problems == []
    UserFactory(email="c@mail.example")  # someone opened it while the summary was read

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ImportProblems) as error:
        spec.apply(rows)

    assert error.value.problems == [
        {"row": 4, "email": "c@mail.example", "messages": ["This email already has an account."]}
    ]
    assert error.value.messages == ["Row 4: This email already has an account."]
    assert not User.objects.filter(email__in=["a@mail.example", "b@mail.example"]).exists()
    assert spec.committed == []


def test_a_row_refused_while_writing_rolls_back_the_rows_before_it(
    actor, django_capture_on_commit_callbacks
):
    spec = AccountImport(actor=actor)
    rows = [
        {"row": 2, "email": "a@mail.example", "name": "Ann"},
        {"row": 3, "email": "b@mail.example", "name": "refuse"},
    ]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ImportProblems) as error:
        spec.apply(rows)
    assert error.value.problems == [
        {"row": 3, "email": "b@mail.example", "messages": ["The service refused this row."]}
    ]
    assert not User.objects.filter(email="a@mail.example").exists()
    assert spec.committed == []


def test_apply_refuses_no_rows_and_more_rows_than_the_cap(actor):
    spec = AccountImport(actor=actor)
    with pytest.raises(ImportProblems) as error:
        spec.apply([])
    assert error.value.messages == ["The file has a header but no rows."]
    rows = [{"row": n + 2, "email": f"p{n}@mail.example", "name": ""} for n in range(4)]
    with pytest.raises(ImportProblems) as error:
        spec.apply(rows)
    assert error.value.messages == ["The file has more than 3 rows; split it into smaller files."]
    assert not User.objects.filter(email__startswith="p").exists()
