"""The audit trail: append-only in the database, hash-chained, verified by audit_verify, and
searched and exported by staff (every row) and agency admins (their agency's rows)."""

import csv
import hashlib
import hmac
import io
import json
import threading
from datetime import UTC, datetime

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import ProgrammingError, connection, transaction
from django.urls import reverse

from accounts.audit import (
    audit_chain_verify,
    audit_hmac_key,
    audit_log,
    row_digest,
    row_hmac,
)
from accounts.models import AuditEvent, Membership
from accounts.views import audit as audit_views
from core.audit import AuditContext
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    UserFactory,
    admin_of,
    reauthenticated_now,
    staff_user,
    with_totp,
)

pytestmark = pytest.mark.django_db

SEARCH = reverse("accounts:audit_search")
EXPORT = reverse("accounts:audit_export")


# Helpers ---------------------------------------------------------------------------------------


def event_at(when: datetime, **fields) -> AuditEvent:
    """An audit row at a chosen time, chained as audit_log chains it (audit_log always
    stamps now)."""
    event = AuditEvent(created_at=when, **fields)
    previous = AuditEvent.objects.order_by("-id").values_list("row_hash", flat=True).first()
    event.prev_hash = previous or ""
    event.row_hash = row_hmac(event, event.prev_hash, key=audit_hmac_key())
    event.save()
    return event


def legacy_row(action: str) -> AuditEvent:
    """A row as written before the chain was keyed: chained with plain SHA-256."""
    event = AuditEvent(action=action)
    previous = AuditEvent.objects.order_by("-id").values_list("row_hash", flat=True).first()
    event.prev_hash = previous or ""
    event.row_hash = row_digest(event, event.prev_hash)
    event.save()
    return event


def verify_output() -> str:
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def listed_actions(response) -> list[str]:
    return [event.action for event in response.context["page"]]


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def two_agencies():
    return AgencyFactory(name="Agency A"), AgencyFactory(name="Agency B")


@pytest.fixture
def trail(two_agencies):
    """Rows of agency A, agency B and of no agency."""
    agency_a, agency_b = two_agencies
    actor_a = UserFactory(email="actor@a.example")
    actor_b = UserFactory(email="actor@b.example")
    audit_log(action="vetting.approve", actor=actor_a, agency=agency_a, details={"n": 1})
    audit_log(
        action="vetting.reject",
        actor=actor_a,
        agency=agency_a,
        outcome=AuditEvent.Outcome.FAILURE,
    )
    audit_log(action="roles.change", actor=actor_b, agency=agency_b)
    audit_log(action="account.login", actor=actor_b)
    return agency_a, agency_b


# The database and the chain ---------------------------------------------------------------------


def test_database_refuses_update_of_an_audit_row():
    event = audit_log(action="test.update")
    with (
        pytest.raises(ProgrammingError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE accounts_auditevent SET action = %s WHERE id = %s", ["x", event.pk])
    event.refresh_from_db()
    assert event.action == "test.update"


def test_database_refuses_delete_of_an_audit_row():
    event = audit_log(action="test.delete")
    with (
        pytest.raises(ProgrammingError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM accounts_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_database_refuses_truncate_of_the_audit_table():
    event = audit_log(action="test.truncate")
    with (
        pytest.raises(ProgrammingError, match="append-only: TRUNCATE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE accounts_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_rows_are_chained_with_an_hmac_keyed_from_the_environment():
    first = audit_log(action="test.first")
    second = audit_log(action="test.second", details={"n": 2})
    key = django_settings.AUDIT_HMAC_KEY.encode()
    assert second.prev_hash == first.row_hash
    assert second.row_hash == row_hmac(second, second.prev_hash, key=key)
    assert second.row_hash != row_digest(second, second.prev_hash)  # not a plain hash
    second.refresh_from_db()
    assert row_hmac(second, second.prev_hash, key=key) == second.row_hash


def test_chain_does_not_verify_under_another_key(settings):
    first = audit_log(action="test.first")
    audit_log(action="test.second")
    settings.AUDIT_HMAC_KEY = "another-key-of-forty-characters-0123456789"
    report = audit_chain_verify()
    assert report.broken_at == first.pk
    assert report.reason == "its contents do not match its keyed hash"


def test_audit_log_refuses_to_write_an_unkeyed_row(settings):
    settings.AUDIT_HMAC_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="AUDIT_HMAC_KEY"):
        audit_log(action="test.unkeyed")
    assert not AuditEvent.objects.filter(action="test.unkeyed").exists()


def test_audit_verify_names_legacy_links_at_the_start_of_the_chain():
    # Rows written before the upgrade carry plain SHA-256 links; they are not re-keyed (that
    # would be the very rewrite the key is there to show) but verify as legacy, and say so.
    old_first = legacy_row("test.old")
    old_last = legacy_row("test.old")
    audit_log(action="test.new")
    audit_log(action="test.new")
    output = verify_output()
    assert "audit chain OK: 4 rows (2 keyed with HMAC-SHA256)" in output
    assert f"2 unkeyed legacy links (plain SHA-256, events {old_first.pk} to {old_last.pk})" in (
        output
    )


def test_unkeyed_link_after_a_keyed_one_is_refused():
    audit_log(action="test.keyed")
    forged = legacy_row("test.forged")
    with pytest.raises(
        CommandError, match=f"broken at event {forged.pk}: it is an unkeyed .* after keyed ones"
    ):
        verify_output()


def test_unkeyed_links_after_audit_legacy_last_id_are_refused(settings):
    old = legacy_row("test.old")
    later = legacy_row("test.later")
    settings.AUDIT_LEGACY_LAST_ID = old.pk
    with pytest.raises(
        CommandError, match=f"broken at event {later.pk}: .* after AUDIT_LEGACY_LAST_ID"
    ):
        verify_output()
    settings.AUDIT_LEGACY_LAST_ID = later.pk
    assert "audit chain OK: 2 rows (0 keyed" in verify_output()


def test_audit_verify_passes_an_untampered_chain():
    for number in range(3):
        audit_log(action="test.write", details={"n": number})
    count = AuditEvent.objects.count()
    assert f"audit chain OK: {count} rows ({count} keyed with HMAC-SHA256)" in verify_output()


def test_audit_verify_names_the_tampered_row():
    audit_log(action="test.first")
    tampered = audit_log(action="test.second", details={"grade": 40})
    audit_log(action="test.third")
    with connection.cursor() as cursor:
        # Deferred foreign-key checks queued in the test's transaction would block ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "ALTER TABLE accounts_auditevent DISABLE TRIGGER accounts_auditevent_append_only"
        )
        cursor.execute(
            "UPDATE accounts_auditevent SET details = %s WHERE id = %s",
            ['{"grade": 100}', tampered.pk],
        )
        cursor.execute(
            "ALTER TABLE accounts_auditevent ENABLE TRIGGER accounts_auditevent_append_only"
        )
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    with pytest.raises(CommandError, match=f"audit chain broken at event {tampered.pk}:"):
        call_command("audit_verify", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_concurrent_audit_writes_form_one_valid_chain():
    threads, per_thread = 8, 10
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def write(worker: int) -> None:
        try:
            start.wait()
            for number in range(per_thread):
                audit_log(action="test.concurrent", details={"worker": worker, "n": number})
        except BaseException as exc:  # surfaced in the main thread below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    report = audit_chain_verify()
    assert report.broken_at is None
    assert report.checked == threads * per_thread == AuditEvent.objects.count()
    links = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(set(links)) == len(links)  # no two rows chained onto the same row


# Who sees what ---------------------------------------------------------------------------------


def test_staff_sees_every_row(client, trail):
    client.force_login(staff_user())
    response = client.get(SEARCH)
    assert response.status_code == 200
    # Signing in writes rows of its own; every row of the trail is there.
    assert {"account.login", "roles.change", "vetting.approve", "vetting.reject"} <= set(
        listed_actions(response)
    )


def test_audit_times_carry_at_most_milliseconds(client):
    """HTML's `<time datetime>` allows three digits of a second's fraction; stored times
    have six."""
    event_at(datetime(2026, 3, 4, 5, 6, 7, 891234, tzinfo=UTC), action="vetting.approve")
    client.force_login(staff_user())
    response = client.get(SEARCH)
    assert '<time datetime="2026-03-04T05:06:07.891+00:00">' in response.text
    assert ".891234" not in response.text


def test_agency_admin_sees_only_their_agencys_rows(client, trail):
    agency_a, _agency_b = trail
    client.force_login(admin_of(agency_a))
    response = client.get(SEARCH)
    assert response.status_code == 200
    assert sorted(listed_actions(response)) == ["vetting.approve", "vetting.reject"]
    assert "roles.change" not in response.text
    assert "account.login" not in response.text


def test_agency_admin_cannot_choose_another_agency(client, trail):
    agency_a, agency_b = trail
    client.force_login(admin_of(agency_a))
    response = client.get(SEARCH, {"agency": agency_b.pk})
    assert response.status_code == 200
    assert response.context["page"] is None
    assert "roles.change" not in response.text
    choices = [choice for choice, _label in response.context["form"].fields["agency"].choices]
    assert [str(choice) for choice in choices] == ["", str(agency_a.pk)]


@pytest.mark.parametrize("url", [SEARCH, EXPORT])
def test_officer_gets_404_on_audit_pages(client, trail, url):
    agency_a, _agency_b = trail
    officer = MembershipFactory(agency=agency_a).user
    client.force_login(officer)
    assert client.get(url).status_code == 404
    reauthenticated_now(client, officer)
    assert client.get(url).status_code == 404


def test_trainer_gets_404_on_audit_search(client, trail):
    agency_a, _agency_b = trail
    trainer = MembershipFactory(agency=agency_a, role=Membership.Role.TRAINER).user
    with_totp(trainer)
    client.force_login(trainer)
    assert client.get(SEARCH).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(SEARCH)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# Filters ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "vetting.approve"}, ["vetting.approve"]),
        ({"action": "vetting"}, []),  # exact unless it ends in *
        ({"action": "vetting.*"}, ["vetting.approve", "vetting.reject"]),
        ({"actor_email": "ACTOR@b.example"}, ["account.login", "roles.change"]),
        ({"outcome": "failure"}, ["vetting.reject"]),
        ({"outcome": "success", "action": "vetting.*"}, ["vetting.approve"]),
    ],
)
def test_search_filters(client, trail, params, expected):
    client.force_login(staff_user())
    response = client.get(SEARCH, params)
    assert sorted(listed_actions(response)) == expected


def test_search_filters_by_agency(client, trail):
    _agency_a, agency_b = trail
    client.force_login(staff_user())
    response = client.get(SEARCH, {"agency": agency_b.pk})
    assert listed_actions(response) == ["roles.change"]


def test_dates_are_days_in_the_viewers_time_zone(client):
    # 16:30 UTC on 1 May is 01:30 on 2 May in Seoul.
    event_at(datetime(2025, 5, 1, 16, 30, tzinfo=UTC), action="test.late")
    event_at(datetime(2025, 5, 1, 14, 0, tzinfo=UTC), action="test.early")  # 23:00 in Seoul
    client.force_login(staff_user(time_zone="Asia/Seoul"))
    on_2_may = client.get(SEARCH, {"date_from": "2025-05-02", "date_to": "2025-05-02"})
    assert listed_actions(on_2_may) == ["test.late"]
    on_1_may = client.get(SEARCH, {"date_from": "2025-05-01", "date_to": "2025-05-01"})
    assert listed_actions(on_1_may) == ["test.early"]
    assert "Asia/Seoul" in on_1_may.text


def test_end_date_before_start_date_is_an_error(client, trail):
    client.force_login(staff_user())
    response = client.get(SEARCH, {"date_from": "2025-05-02", "date_to": "2025-05-01"})
    assert response.context["page"] is None
    assert "The end date is before the start date." in response.text


def test_search_pages_hold_50_rows_and_keep_the_filters(client):
    for number in range(55):
        audit_log(action="test.paged", details={"n": number})
    audit_log(action="test.other")
    client.force_login(staff_user())
    first = client.get(SEARCH, {"action": "test.paged"})
    assert len(first.context["page"]) == 50
    assert "?action=test.paged&amp;page=2" in first.text
    second = client.get(SEARCH, {"action": "test.paged", "page": 2})
    assert len(second.context["page"]) == 5


@pytest.mark.parametrize(("viewer", "pinned"), [("staff", 11), ("agency_admin", 18)])
def test_search_query_count_does_not_grow_with_rows(
    client, two_agencies, viewer, pinned, django_assert_max_num_queries
):
    agency_a, _agency_b = two_agencies
    actors = [UserFactory() for _ in range(3)]
    audit_log(action="test.query", actor=actors[0], agency=agency_a)
    client.force_login(staff_user() if viewer == "staff" else admin_of(agency_a))
    with django_assert_max_num_queries(pinned) as few:
        response = client.get(SEARCH)
    assert response.status_code == 200
    for number in range(60):
        actor = actors[number % len(actors)]
        audit_log(action="test.query", actor=actor, agency=AgencyFactory())
        audit_log(action="test.query", actor=actor, agency=agency_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(SEARCH)
    assert response.status_code == 200
    assert len(response.context["page"]) == 50


# Export ----------------------------------------------------------------------------------------


def test_export_without_recent_reauthentication_asks_for_it(client, trail):
    client.force_login(staff_user())
    response = client.get(EXPORT, {"action": "vetting.*"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_export_is_a_csv_of_the_filtered_rows_with_utc_times(client, trail):
    user = staff_user(time_zone="Asia/Seoul")
    client.force_login(user)
    reauthenticated_now(client, user)
    response = client.get(EXPORT, {"action": "vetting.*"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    header, *rows = csv_rows(response)
    assert header == [
        "time (UTC)",
        "actor email",
        "action",
        "target type",
        "target id",
        "agency",
        "IP address",
        "outcome",
        "details",
    ]
    assert sorted(row[2] for row in rows) == ["vetting.approve", "vetting.reject"]
    approve = next(row for row in rows if row[2] == "vetting.approve")
    event = AuditEvent.objects.get(action="vetting.approve")
    assert approve[0] == event.created_at.astimezone(UTC).isoformat()
    assert approve[0].endswith("+00:00")
    assert approve[1] == "actor@a.example"
    assert approve[5] == "Agency A"
    assert approve[7] == "success"
    assert approve[8] == '{"n": 1}'


def test_export_escapes_cells_that_start_a_formula(client):
    target = UserFactory()
    audit_log(action='=HYPERLINK("http://evil.example")', target=target)
    audit_log(action="+cmd", agency=AgencyFactory(name="@SUM(A1)"))
    user = staff_user()
    client.force_login(user)
    reauthenticated_now(client, user)
    _header, *rows = csv_rows(client.get(EXPORT))
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://evil.example")' in cells
    assert "'+cmd" in cells
    assert "'@SUM(A1)" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_export_writes_an_audit_row_with_filters_and_row_count(client, trail):
    agency_a, _agency_b = trail
    user = admin_of(agency_a)
    client.force_login(user)
    reauthenticated_now(client, user)
    response = client.get(EXPORT, {"outcome": "success"})
    _header, *rows = csv_rows(response)
    assert [row[2] for row in rows] == ["vetting.approve"]  # agency A only, success only
    logged = AuditEvent.objects.get(action="audit.export")
    assert logged.actor == user
    assert logged.agency == agency_a
    assert logged.outcome == AuditEvent.Outcome.SUCCESS
    assert logged.details == {"filters": {"outcome": "success"}, "rows": 1}
    assert audit_chain_verify().broken_at is None


def test_export_over_the_cap_is_refused_with_a_message(client):
    AuditEvent.objects.bulk_create(
        [AuditEvent(action="test.bulk") for _ in range(audit_views.EXPORT_CAP + 1)],
        batch_size=5000,
    )
    user = staff_user()
    client.force_login(user)
    reauthenticated_now(client, user)
    response = client.get(EXPORT, {"action": "test.bulk"}, follow=True)
    assert response.redirect_chain[0][0] == SEARCH + "?action=test.bulk"
    assert response["Content-Type"].startswith("text/html")
    assert "Narrow the filters" in response.text
    refused = AuditEvent.objects.get(action="audit.export")
    assert refused.outcome == AuditEvent.Outcome.FAILURE
    assert refused.details["rows"] == audit_views.EXPORT_CAP + 1


# The request's user agent and id (AuditContext) -------------------------------------------


def pre_context_hmac(event: AuditEvent, prev_hash: str) -> str:
    """The HMAC exactly as audit_log computed it before rows carried a user agent and a
    request id: the payload is spelled out here, so a change to it fails this test."""
    payload = {
        "created_at": event.created_at.isoformat(),
        "actor": event.actor_id,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "agency": event.agency_id,
        "ip": event.ip_address,
        "outcome": event.outcome,
        "details": event.details,
        "prev": prev_hash,
    }
    message = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hmac.new(audit_hmac_key(), message, hashlib.sha256).hexdigest()


def tamper(event: AuditEvent, column: str, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "ALTER TABLE accounts_auditevent DISABLE TRIGGER accounts_auditevent_append_only"
        )
        # The column is one of two fixed names, never input.
        cursor.execute(
            f"UPDATE accounts_auditevent SET {column} = %s WHERE id = %s",  # noqa: S608
            [value, event.pk],
        )
        cursor.execute(
            "ALTER TABLE accounts_auditevent ENABLE TRIGGER accounts_auditevent_append_only"
        )
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_rows_without_user_agent_or_request_id_hash_as_rows_written_before_them():
    old = audit_log(action="test.old", details={"n": 1}, context=AuditContext(ip="192.0.2.1"))
    assert old.row_hash == pre_context_hmac(old, old.prev_hash)
    # An old-format row (as a database restored from before the change holds), then new rows
    # with the context: the chain verifies.
    new = audit_log(
        action="test.new", context=AuditContext(ip=None, user_agent="curl/8", request_id="r-1")
    )
    assert new.row_hash != pre_context_hmac(new, new.prev_hash)
    report = audit_chain_verify()
    assert (report.broken_at, report.keyed) == (None, 2)


@pytest.mark.parametrize(("column", "value"), [("user_agent", "forged/1"), ("request_id", "")])
def test_tampering_with_the_user_agent_or_request_id_breaks_the_chain(column, value):
    audit_log(action="test.first")
    context = AuditContext(ip="192.0.2.1", user_agent="Firefox/140", request_id="abc-1")
    event = audit_log(action="test.second", context=context)
    audit_log(action="test.third")
    assert audit_chain_verify().broken_at is None
    tamper(event, column, value)
    assert audit_chain_verify().broken_at == event.pk
