"""The login name django-axes counts failures against: the same for the site and the admin."""


def login_name(request, credentials) -> str:
    credentials = credentials or {}
    name = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not name and request is not None:
        name = request.POST.get("login") or request.POST.get("username") or ""
    return str(name).strip().lower()[:254]
