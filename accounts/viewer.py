"""The signed-in person's memberships, read once per request.

The middleware (time zone, MFA), the navigation's roles, the permission checks and the
views all ask about the same person's memberships. Inside a request (accounts.middleware.ViewerMiddleware)
the first ask loads them in one query, with each membership's agency and whether the person
has an MFA authenticator, and later asks reuse that read. Outside a request (tasks,
commands, tests calling services) every ask reads the database, as before.

Nothing is kept from one request to the next: a role granted, a membership rejected or an
officer's vetting lapsing takes effect on the very next request. Inside a request, saving
or deleting a membership or an authenticator forgets that person's read (signals below),
so a view that changes them and reads them again sees the change.
"""

from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache

from allauth.mfa.models import Authenticator
from django.db import connections, router
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import Agency, Membership, User

# Authenticators that satisfy "must use MFA" (recovery codes alone do not).
MFA_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)

# user id -> that user's memberships, for the request being served; None outside requests.
_reads: ContextVar[dict[int, list[Membership]] | None] = ContextVar("viewer_reads", default=None)


@dataclass(frozen=True)
class _Read:
    sql: str
    membership_names: list[str]
    agency_names: list[str]
    agency_pk: int  # index of the agency's primary key among its columns
    converters: list[tuple[int, object, list]]  # column index, its expression, its converters


@cache
def _read_for(alias: str) -> _Read:
    """The read as one SQL statement, written once per process from the models' fields.

    Every page runs it, and the ORM took about a millisecond of CPU on each request to build
    the same statement again (select_related, an Exists annotation, ordering), more than the
    database took to answer it. The columns come from the models, so a field added to
    Membership or Agency is read too; values pass through the same converters the ORM applies
    (JSON, SQLite's dates) and rows become objects through Model.from_db, as in the ORM.
    """
    connection = connections[alias]
    quote = connection.ops.quote_name
    membership, agency = Membership._meta, Agency._meta
    fields = [("m", f) for f in membership.concrete_fields]
    fields += [("a", f) for f in agency.concrete_fields]
    converters = []
    for index, (_table, field) in enumerate(fields):
        column = field.get_col(_table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((index, column, found))
    authenticator = Authenticator._meta
    user_column = quote(membership.get_field("user").column)
    placeholders = ", ".join(["%s"] * len(MFA_TYPES))
    # Only identifiers from the models' metadata are interpolated (quoted by the backend);
    # every value is a parameter.
    has_mfa = (
        f"EXISTS (SELECT 1 FROM {quote(authenticator.db_table)} x "  # noqa: S608
        f"WHERE x.{quote(authenticator.get_field('user').column)} = m.{user_column} "
        f"AND x.{quote(authenticator.get_field('type').column)} IN ({placeholders}))"
    )
    columns = ", ".join(f"{table}.{quote(field.column)}" for table, field in fields)
    sql = (
        f"SELECT {columns}, {has_mfa} FROM {quote(membership.db_table)} m "  # noqa: S608
        f"LEFT OUTER JOIN {quote(agency.db_table)} a "
        f"ON a.{quote(agency.pk.column)} = m.{quote(membership.get_field('agency').column)} "
        f"WHERE m.{user_column} = %s "
        f"ORDER BY m.{quote(membership.get_field('created_at').column)}, "
        f"m.{quote(membership.pk.column)}"
    )
    return _Read(
        sql=sql,
        membership_names=[f.attname for f in membership.concrete_fields],
        agency_names=[f.attname for f in agency.concrete_fields],
        agency_pk=agency.concrete_fields.index(agency.pk),
        converters=converters,
    )


def _load(user: User) -> list[Membership]:
    """Every membership of the user, oldest first, with its agency, each annotated with
    `user_has_mfa` (the same for all: whether the user has a TOTP or WebAuthn authenticator)."""
    alias = router.db_for_read(Membership)
    connection = connections[alias]
    read = _read_for(alias)
    with connection.cursor() as cursor:
        cursor.execute(read.sql, [*MFA_TYPES, user.pk])
        rows = cursor.fetchall()
    split = len(read.membership_names)
    agency_field = Membership._meta.get_field("agency")
    memberships = []
    for raw in rows:
        row = list(raw)
        for index, column, converters in read.converters:
            for converter in converters:
                row[index] = converter(row[index], column, connection)
        membership = Membership.from_db(alias, read.membership_names, row[:split])
        agency_row = row[split:-1]
        agency = None
        if agency_row[read.agency_pk] is not None:
            agency = Agency.from_db(alias, read.agency_names, agency_row)
        agency_field.set_cached_value(membership, agency)
        membership.user_has_mfa = bool(row[-1])
        memberships.append(membership)
    return memberships


def memberships_of(user: User) -> list[Membership]:
    """All the user's memberships (any status), oldest first, with their agencies: read once
    per request, then reused. Callers filter; they must not change the list."""
    reads = _reads.get()
    if reads is None:
        return _load(user)
    if user.pk not in reads:
        reads[user.pk] = _load(user)
    return reads[user.pk]


def has_mfa_authenticator(user: User) -> bool:
    """Whether the user has a TOTP or WebAuthn authenticator (from the membership read when
    there is one: no query of its own)."""
    memberships = memberships_of(user)
    if memberships:
        return memberships[0].user_has_mfa
    return Authenticator.objects.filter(user=user, type__in=MFA_TYPES).exists()


def forget(user_id: int | None) -> None:
    reads = _reads.get()
    if reads is not None and user_id is not None:
        reads.pop(user_id, None)


def reads_open():
    """Start a request's reads (accounts.middleware.ViewerMiddleware); returns the token
    reads_close() needs."""
    return _reads.set({})


def reads_close(token) -> None:
    _reads.reset(token)


@receiver(post_save, sender=Membership, dispatch_uid="viewer_forget_membership_saved")
@receiver(post_delete, sender=Membership, dispatch_uid="viewer_forget_membership_deleted")
@receiver(post_save, sender=Authenticator, dispatch_uid="viewer_forget_authenticator_saved")
@receiver(post_delete, sender=Authenticator, dispatch_uid="viewer_forget_authenticator_deleted")
def _forget_on_change(sender, instance, **kwargs) -> None:
    forget(instance.user_id)
