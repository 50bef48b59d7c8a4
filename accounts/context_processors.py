"""Template context: the signed-in user's roles, for navigation (from the request's one read
of the viewer's memberships)."""

from django.utils.functional import SimpleLazyObject

from accounts.viewer import memberships_of


def roles(request):
    def load() -> set[str]:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return set()
        found = {membership.role for membership in memberships_of(user)}
        if user.is_staff:
            found.add("staff")
        return found

    return {"user_roles": SimpleLazyObject(load)}
