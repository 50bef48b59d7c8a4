"""Below the views nothing sees a request: services, selectors, imports, tasks and the rest
take an AuditContext (core.audit) where they need where an action came from. And no view
writes an audit row itself: every app's views call services, which write them."""

import ast
from pathlib import Path

from tests.test_layers import LAYERS

ROOT = Path(__file__).resolve().parents[1]

# The modules that stand at the request's level, with the reason; every other module of
# every app must not take, import or read a request.
REQUEST_LEVEL = {
    "core/audit.py": "AuditContext.from_request turns a request into the context",
    "core/clientip.py": "reads the client address from the request the proxy forwarded",
    "core/ratelimit.py": "limits requests by client address",
    "core/middleware.py": "middleware",
    "core/observability/metrics.py": "middleware, and who may read /metrics",
    "core/formrender.py": "Django's form renderer, called with the request it renders for",
    "accounts/middleware.py": "middleware",
    "accounts/adapters.py": "allauth's adapter, called with the request",
    "accounts/context_processors.py": "template context processors",
    "accounts/forms/signup.py": "allauth's signup form hook, called with the request",
    "accounts/lockout.py": "django-axes' login-name callable, called with the request",
    "accounts/receivers.py": "signal receivers for allauth and axes: they build the context",
}


def app_modules() -> list[Path]:
    return [
        path
        for app in LAYERS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def is_request_level(path: Path) -> bool:
    relative = path.relative_to(ROOT).as_posix()
    parts = path.relative_to(ROOT).parts
    return (
        relative in REQUEST_LEVEL
        or path.name in {"views.py", "admin.py"}
        or "views" in parts[1:-1]
        or (len(parts) > 2 and parts[-2] == "views")
    )


def request_uses(path: Path) -> list[str]:
    """Where a module takes a parameter named request, imports HttpRequest or reads .META."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
            if "request" in {argument.arg for argument in arguments}:
                found.append(f"{node.name}() takes request (line {node.lineno})")
        elif isinstance(node, ast.alias) and node.name == "HttpRequest":
            found.append("imports HttpRequest")
        elif isinstance(node, ast.Attribute) and node.attr == "META":
            found.append(f"reads .META (line {node.lineno})")
    return found


def test_nothing_below_the_views_takes_or_reads_a_request():
    below = [path for path in app_modules() if not is_request_level(path)]
    names = {path.relative_to(ROOT).as_posix() for path in below}
    # The walk reaches the modules the rule is about.
    assert {
        "accounts/services/vetting.py",
        "accounts/imports.py",
        "accounts/audit.py",
        "cohorts/services/seats.py",
        "cohorts/notices.py",
        "core/imports/spec.py",
        "core/outbox.py",
        "courses/services.py",
        "assessments/services.py",
        "certificates/services/issue.py",
        "reports/services/exports.py",
    } <= names
    offences = {path.relative_to(ROOT).as_posix(): request_uses(path) for path in below}
    assert {name: uses for name, uses in offences.items() if uses} == {}


def test_the_request_level_list_names_only_modules_that_exist():
    assert all((ROOT / name).is_file() for name in REQUEST_LEVEL)


def test_no_view_of_any_app_writes_audit_rows_itself():
    """Writes, audit rows included, go through services: no view module imports or calls
    audit_log (or core's audit hook)."""
    views = [path for path in app_modules() if is_request_level(path) and "views" in str(path)]
    apps = {path.relative_to(ROOT).parts[0] for path in views}
    assert apps == set(LAYERS)
    for path in views:
        tree = ast.parse(path.read_text())
        imported = {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            for alias in node.names
        }
        names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        assert not {"audit_log", "audit"} & (imported | names | attributes), path
