"""Template context: the signed-in user's roles, for navigation (one lazy query)."""

from django.utils.functional import SimpleLazyObject


def roles(request):
    def load() -> set[str]:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return set()
        found = set(user.memberships.values_list("role", flat=True))
        if user.is_staff:
            found.add("staff")
        return found

    return {"user_roles": SimpleLazyObject(load)}
