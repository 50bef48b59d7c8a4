"""Joining the one row of a reverse relation that a condition picks (a lesson's translation in
the viewer's language, the viewer's enrollment in a course) into the query that reads its
parent, instead of asking for it in a query of its own."""

from django.db.models import FilteredRelation, Q, QuerySet


def join_one(queryset: QuerySet, *, name: str, relation: str, **condition) -> QuerySet:
    """queryset with the row of relation that matches condition selected as name. At most one
    row may match (a unique constraint must say so), or the parents would repeat."""
    match = Q(**{f"{relation}__{field}": value for field, value in condition.items()})
    return queryset.annotate(**{name: FilteredRelation(relation, condition=match)}).select_related(
        name
    )


def joined(row, name: str):
    """The row join_one selected as name; None when none matched (the join leaves the
    attribute unset then)."""
    return getattr(row, name, None)
