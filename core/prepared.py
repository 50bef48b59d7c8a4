"""Reads whose SQL is compiled once per process: the hot pages' queries without the ORM's
rebuild on every request.

The ORM builds a queryset and compiles its SQL anew on each call. For the pages every officer
opens (the dashboard's enrollments, certificates and seats; a cohort's sessions) that took
three quarters of each query's CPU, more than the database took to answer it. A prepared
read is a function that returns a queryset from keyword arguments only:

    @prepared
    def enrollments_of(*, user_id: int):
        return Enrollment.objects.filter(user_id=user_id).select_related("course")

    enrollments_of(user_id=request.user.pk)  # a list, as list(queryset) would give

The first call in a process, per database, builds the queryset twice with stand-in values
(two sets, unlike any real value), compiles both and compares them:
- the SQL must be the same text;
- a parameter that differs between the two must be exactly one argument's stand-in in both
  (the argument reaches the database unchanged);
- every argument must reach at least one parameter;
- nothing else may differ: a value the function takes from elsewhere, such as the time now,
  would otherwise be frozen in the stored statement. Such a function is refused, with
  PreparedQueryError, on its first call (in the tests, not in production).
Later calls put their values into the stored parameters and run the stored SQL. Rows become
objects through the queryset's own iterable, as list(queryset) would: select_related,
annotations, values_list and prefetch_related behave as usual.

The function must build the same SQL whatever its values: no `if` on an argument (the two
stand-ins would take the same branch, and another value would get the other branch's
statement), except on the arguments named as its shape (prepared(shape=...)), which choose
among forms compiled apart, or on a value no caller passes (the lesson and attempt reads call
a selector that joins a translation unless the language is "en": English goes to a read of
its own, so only the joining form is ever built).

Values may be int, str, date or aware datetime. A None (which makes different SQL: IS NULL)
takes the ORM's ordinary path for that call. The stored statement holds only SQL and the
constants written in the function; values are never kept between calls.
"""

import datetime
import functools
import inspect
import threading
import weakref
from collections.abc import Callable

from django.db import connections, router
from django.db.models import QuerySet

# Two stand-ins per argument (its position k): far outside any real id, date or text.
_BASE_INT = -7_301_015_409_000


def _stand_in(kind: type, k: int, which: int):
    offset = 2 * k + which
    if kind is int:
        return _BASE_INT - offset
    if kind is str:
        return f"\u2063prepared-stand-in-{k}-{which}\u2063"
    if kind is datetime.datetime:
        base = datetime.datetime(1901, 2, 3, 4, 5, 6, tzinfo=datetime.UTC)
        return base + datetime.timedelta(microseconds=offset + 1)
    if kind is datetime.date:
        return datetime.date(1901, 2, 3) + datetime.timedelta(days=offset + 1)
    raise PreparedQueryError(f"no stand-in for a {kind.__name__} argument")


def _kind(value) -> type:
    # bool is an int to Python but not a value we can tell apart from the SQL's constants.
    for kind in (datetime.datetime, datetime.date, str):
        if isinstance(value, kind):
            return kind
    if isinstance(value, int) and not isinstance(value, bool):
        return int
    raise PreparedQueryError(f"a prepared read takes int, str, date or datetime, not {value!r}")


def _adapt(ops, value):
    """A value as the backend's ORM passes it to the database driver."""
    if isinstance(value, datetime.datetime):
        return ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return ops.adapt_datefield_value(value)
    return value


class PreparedQueryError(Exception):
    """A function that cannot be prepared (a programming error, raised on its first call)."""


class _Statement:
    """One database's compiled statement: the template queryset and its compiler (their
    select, related-object and annotation maps), the SQL, the parameters and, for each
    argument, where its value goes."""

    def __init__(self, queryset: QuerySet, compiler, sql: str, params: tuple, slots: dict):
        self.queryset = queryset
        self.compiler = compiler
        self.sql = sql
        self.params = params
        self.slots = slots  # argument name -> (adapted?, positions in params)
        # The compiler's converters of the selected columns, per connection (they are bound
        # to it): the same on every run, and the ORM would work them out again each time.
        self.converters: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def run(self, alias: str, values: dict) -> list:
        params = list(self.params)
        ops = connections[alias].ops
        for name, (adapt, positions) in self.slots.items():
            value = _adapt(ops, values[name]) if adapt else values[name]
            for position in positions:
                params[position] = value
        connection = connections[alias]
        compiler = _shallow_copy(self.compiler)
        compiler.connection = connection
        sql = self.sql
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        compiler.get_converters = functools.partial(self._converters, compiler, connection)
        query = _shallow_copy(self.queryset.query)
        query.get_compiler = lambda *args, **kwargs: compiler
        # A fresh queryset around that query (not copy.copy: pickling a queryset evaluates it).
        queryset = QuerySet.__new__(type(self.queryset))
        queryset.__dict__.update(self.queryset.__dict__)
        queryset._query = query
        queryset._db = alias
        queryset._result_cache = None
        queryset._prefetch_done = False
        return list(queryset)

    def _converters(self, compiler, connection, expressions) -> dict:
        known = self.converters.get(connection)
        key = tuple(map(id, expressions))
        if known is None or known[0] != key:
            known = (key, type(compiler).get_converters(compiler, expressions))
            self.converters[connection] = known
        return known[1]


def _shallow_copy(obj):
    """copy.copy without its pickling protocol (a query or compiler copied on every run)."""
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    return new


def _compile(queryset: QuerySet, alias: str):
    compiler = queryset.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    return compiler, sql, tuple(params)


class Prepared:
    def __init__(self, build: Callable[..., QuerySet], shape: tuple[str, ...] = ()):
        if build.__closure__:
            raise PreparedQueryError(
                f"{build.__qualname__} reads variables of an enclosing function: "
                "pass every value as a keyword argument"
            )
        self.build = build
        arguments = [
            p.name
            for p in inspect.signature(build).parameters.values()
            if p.kind is inspect.Parameter.KEYWORD_ONLY
        ]
        unknown = set(shape) - set(arguments)
        if unknown:
            raise PreparedQueryError(f"{build.__qualname__} has no argument {sorted(unknown)}")
        self.shape = tuple(shape)
        self.names = [name for name in arguments if name not in self.shape]
        self._statements: dict[tuple, _Statement] = {}
        self._model = None  # known after the first call
        self._lock = threading.Lock()
        functools.update_wrapper(self, build)

    def __call__(self, **values) -> list:
        expected = sorted([*self.names, *self.shape])
        if sorted(values) != expected:
            raise TypeError(f"{self.build.__qualname__} takes {expected}, got {sorted(values)}")
        if any(values[name] is None for name in self.names):
            return list(self.build(**values))
        shape = {name: values[name] for name in self.shape}
        kinds = tuple(_kind(values[name]) for name in self.names)
        key = (kinds, tuple(shape.values()))
        model = self._model
        alias = router.db_for_read(model) if model is not None else None
        statement = self._statements.get((alias, key))
        if statement is None:
            statement = self._prepare(kinds, shape, key)
            alias = statement.queryset.db
        return statement.run(alias, {name: values[name] for name in self.names})

    def _build_with(self, which: int, kinds: tuple, shape: dict) -> QuerySet:
        values = {
            name: _stand_in(kind, k, which)
            for k, (name, kind) in enumerate(zip(self.names, kinds, strict=True))
        }
        queryset = self.build(**values, **shape)
        if not isinstance(queryset, QuerySet):
            raise PreparedQueryError(f"{self.build.__qualname__} must return a queryset")
        return queryset

    def _prepare(self, kinds: tuple, shape: dict, key: tuple) -> _Statement:
        first, second = self._build_with(0, kinds, shape), self._build_with(1, kinds, shape)
        alias = first.db
        if first._prefetch_related_lookups != second._prefetch_related_lookups:
            raise PreparedQueryError(f"{self.build.__qualname__}: prefetches differ")
        compiler, sql, params = _compile(first, alias)
        _compiler2, sql2, params2 = _compile(second, alias)
        name = self.build.__qualname__
        if sql != sql2 or len(params) != len(params2):
            raise PreparedQueryError(f"{name}: the SQL depends on the values given")
        ops = connections[alias].ops
        # Each argument's two stand-ins as given and as the backend adapts them (SQLite
        # stores dates and times as text).
        stand_ins = []
        for k, (arg, kind) in enumerate(zip(self.names, kinds, strict=True)):
            one, two = _stand_in(kind, k, 0), _stand_in(kind, k, 1)
            stand_ins.append((arg, False, one, two))
            stand_ins.append((arg, True, _adapt(ops, one), _adapt(ops, two)))
        slots: dict[str, tuple[bool, list[int]]] = {}
        for position, (a, b) in enumerate(zip(params, params2, strict=True)):
            if type(a) is type(b) and a == b:
                continue
            owners = {
                (arg, adapted)
                for arg, adapted, one, two in stand_ins
                if type(a) is type(one) and a == one and type(b) is type(two) and b == two
            }
            # As given and as adapted are the same for values the backend passes unchanged.
            if len({arg for arg, _adapted in owners}) != 1:
                raise PreparedQueryError(
                    f"{name}: parameter {position} changes between two builds but is not an "
                    f"argument's value as given ({a!r} / {b!r}): a value from elsewhere (the "
                    "time now?) or one the ORM transforms; pass it as it reaches the database"
                )
            arg, adapted = min(owners)  # (arg, False) first: no adapting when not needed
            slots.setdefault(arg, (adapted, []))[1].append(position)
            if slots[arg][0] != adapted:
                raise PreparedQueryError(f"{name}: {arg} reaches the database in two forms")
        unused = [arg for arg in self.names if arg not in slots]
        if unused:
            raise PreparedQueryError(f"{name}: {unused} reach no parameter of the SQL")
        statement = _Statement(first, compiler, sql, params, slots)
        with self._lock:
            self._statements[(alias, key)] = statement
            self._model = first.model
        return statement


def prepared(build: Callable[..., QuerySet] | None = None, *, shape: tuple[str, ...] = ()):
    """Decorate a function of keyword-only arguments that returns a queryset: calling it
    returns the list of results, with the SQL compiled once per process (module docstring).

    shape names arguments that choose the statement's form rather than fill its values
    (booleans such as "the viewer is staff"): the function may branch on them, each form
    is compiled apart, and they must be hashable."""
    if build is None:
        return lambda function: Prepared(function, shape)
    return Prepared(build, shape)
