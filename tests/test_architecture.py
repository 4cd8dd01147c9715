"""The feature graph and the service-layer rule, enforced by reading every import with `ast`.

The rules (README, "Architecture"):
- core imports no feature; contacts imports no other feature; meetings may import contacts;
- campaigns, introductions, monitoring and resources may import meetings and contacts, not each other;
- calendars may import meetings and contacts (higher features contribute to it through core);
- api may import any feature.
- Services take the acting user and `now` as arguments: no module of the service layer reads the
  request, the session, `g` or `current_user`.

Every import form counts: `import outreach.x`, `from outreach.x import y`, `from outreach import x`,
and relative imports (`from ..meetings import y`), resolved against the importing module. Each check
is proven by a test that feeds it a violating snippet.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "outreach"
FEATURES = {"contacts", "meetings", "campaigns", "introductions", "calendars", "monitoring", "resources", "api"}
_BASE = {"meetings", "contacts"}
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "contacts": set(),
    "meetings": {"contacts"},
    "campaigns": _BASE,
    "introductions": _BASE,
    "monitoring": _BASE,
    "resources": _BASE,
    "calendars": _BASE,
    "api": FEATURES - {"api"},
}
#: What the service layer may not import: the request-bound globals of Flask and Flask-Login.
REQUEST_BOUND = {("flask", "request"), ("flask", "session"), ("flask", "g"), ("flask_login", "current_user")}


def _module_name(path: Path, root: Path) -> list[str]:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def imported_modules(path: Path, root: Path = PACKAGE) -> set[str]:
    """Every module *path* imports, as dotted names; `from a import b` yields both a and a.b."""
    tree = ast.parse(path.read_text(), filename=str(path))
    here = _module_name(path, root)
    package = here if path.name == "__init__.py" else here[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def request_bound_names(path: Path) -> set[str]:
    """The request-bound globals *path* imports or reaches as attributes (flask.request)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.update(f"{node.module}.{a.name}" for a in node.names if (node.module, a.name) in REQUEST_BOUND)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in REQUEST_BOUND:
                found.add(f"{node.value.id}.{node.attr}")
    return found


def feature_violations(root: Path = PACKAGE) -> list[str]:
    problems = []
    for package, allowed in ALLOWED.items():
        folder = root / package
        if not folder.exists():
            continue
        for path in sorted(folder.rglob("*.py")):
            for module in sorted(imported_modules(path, root)):
                parts = module.split(".")
                if parts[0] != "outreach" or len(parts) < 2:
                    continue
                target = parts[1]
                if target in FEATURES and target != package and target not in allowed:
                    problems.append(f"{path.relative_to(root.parent)} imports {module}")
    return problems


def service_modules(root: Path = PACKAGE) -> list[Path]:
    """The service layer: every services.py, every module of a services/ package."""
    return sorted(p for p in root.rglob("*.py") if p.name == "services.py" or p.parent.name == "services")


def service_violations(root: Path = PACKAGE) -> list[str]:
    return [f"{path.relative_to(root.parent)} uses {name}" for path in service_modules(root)
            for name in sorted(request_bound_names(path))]


def test_the_feature_graph_is_respected() -> None:
    assert feature_violations() == []


def test_services_never_touch_the_request() -> None:
    assert service_modules(), "no service module found: the scan looks in the wrong place"
    assert service_violations() == []


def _plant(tmp_path: Path, relative: str, source: str) -> Path:
    path = tmp_path / "outreach" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    for parent in path.relative_to(tmp_path).parents:
        init = tmp_path / parent / "__init__.py"
        if parent != Path(".") and not init.exists():
            init.write_text("")
    path.write_text(source)
    return tmp_path / "outreach"


@pytest.mark.parametrize(("relative", "source", "expected"), [
    ("core/bad.py", "from outreach.meetings.models import Meeting\n", "outreach.meetings.models"),
    ("core/bad.py", "from outreach import meetings\n", "outreach.meetings"),
    ("core/bad.py", "import outreach.contacts.search\n", "outreach.contacts.search"),
    ("core/bad.py", "from ..meetings import models\n", "outreach.meetings"),
    ("core/sub/bad.py", "from ...contacts.models import Contact\n", "outreach.contacts.models"),
    ("contacts/bad.py", "def later():\n    from outreach.meetings import queries\n", "outreach.meetings"),
    ("campaigns/bad.py", "from outreach.introductions.models import Request\n", "outreach.introductions.models"),
    ("meetings/bad.py", "from outreach.calendars import ics\n", "outreach.calendars"),
])
def test_the_graph_check_catches_every_import_form(tmp_path: Path, relative: str, source: str,
                                                   expected: str) -> None:
    root = _plant(tmp_path, relative, source)
    assert any(problem.endswith(f"imports {expected}") for problem in feature_violations(root)), \
        feature_violations(root)


def test_the_graph_check_allows_what_the_rules_allow(tmp_path: Path) -> None:
    root = _plant(tmp_path, "campaigns/ok.py", "from outreach.meetings.models import Meeting\n"
                                               "from outreach.core.db import db\nfrom . import models\n")
    assert feature_violations(root) == []


@pytest.mark.parametrize("source", [
    "from flask import g, request\n",
    "from flask import session\n",
    "from flask_login import current_user\n",
    "import flask\n\ndef f():\n    return flask.request.args\n",
])
def test_the_service_check_catches_request_bound_globals(tmp_path: Path, source: str) -> None:
    root = _plant(tmp_path, "meetings/services.py", source)
    assert service_violations(root), source
    root = _plant(tmp_path, "campaigns/services/targets.py", source)
    assert any("campaigns/services/targets.py" in v for v in service_violations(root)), source
