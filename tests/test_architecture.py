"""The feature graph, the service-layer rule and the import graph, enforced by reading every import with `ast`.

The rules (README, "Architecture"):
- core imports no feature; contacts imports no other feature; meetings may import contacts;
- campaigns, introductions, monitoring and resources may import meetings and contacts, not each other;
- calendars may import meetings and contacts (higher features contribute to it through core);
- api may import any feature.
- Services take the acting user and `now` as arguments: no module of the service layer reads the
  request, the session, `g` or `current_user`. The service layer is every module of outreach/ except the
  web edge (WEB_EDGE: view modules, forms, web helpers, and the few core modules that serve a request).
- No import cycle among the modules of outreach/ and bench/, counting the imports that run when a module
  is imported (module level, class bodies, `try`/`if` at those levels). An import inside a function runs
  when it is called, after every module is loaded: such a lazy import is allowed (the feature graph still
  counts it), and so is one under `if TYPE_CHECKING:`, which never runs.

Every import form counts: `import outreach.x`, `import outreach.x as y`, `from outreach.x import y`,
`from outreach import x`, relative imports (`from ..meetings import y`, `from . import x`) resolved against
the importing module, and `importlib.import_module("outreach.x")` / `__import__("outreach.x")` with a
written name. Each check is proven by a test that feeds it a violating snippet.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "outreach"
BENCH = PACKAGE.parent / "bench"
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
#: Where the request-bound globals are read: views, forms and web helpers by name, and these modules.
WEB_EDGE_NAMES = ("views.py", "forms.py", "web.py")
WEB_EDGE = {
    "__init__.py",  # the app factory: the per-request hooks
    "core/db.py",  # the session of the request's application context
    "core/i18n.py",  # the reader's language and zone
    "core/security.py",  # sign-in, CSRF, the client's address
}
#: Functions that import the module their first argument names.
DYNAMIC_IMPORTS = {"import_module", "__import__"}


def _module_name(path: Path, root: Path) -> list[str]:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _names(node: ast.AST, package: list[str]) -> set[str]:
    """The modules one node imports, as dotted names; `from a import b` yields both a and a.b."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    if isinstance(node, ast.ImportFrom):
        if node.level:
            base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
            module = ".".join(base + ([node.module] if node.module else []))
        else:
            module = node.module or ""
        return {module} | {f"{module}.{alias.name}" for alias in node.names}
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
            and isinstance(node.args[0].value, str):
        function = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if function in DYNAMIC_IMPORTS:
            return {node.args[0].value}
    return set()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _run_at_import(statements: list[ast.stmt]) -> list[ast.AST]:
    """Every node that runs when the module is imported: not function bodies, not `if TYPE_CHECKING:`."""
    found: list[ast.AST] = []
    for node in statements:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:  # decorators run at import; the body does not
                found.extend(ast.walk(decorator))
            continue
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            found.extend(_run_at_import(node.orelse))
            continue
        found.append(node)
        for _name, value in ast.iter_fields(node):
            children = value if isinstance(value, list) else [value]
            for child in children:
                if isinstance(child, ast.stmt):
                    found.extend(_run_at_import([child]))
                elif isinstance(child, ast.excepthandler):
                    found.extend(_run_at_import(child.body))
                elif isinstance(child, ast.AST) and not isinstance(child, ast.Lambda):
                    found.extend(n for n in ast.walk(child) if not isinstance(n, ast.Lambda))
    return found


def imported_modules(path: Path, root: Path = PACKAGE, *, at_import_only: bool = False) -> set[str]:
    """Every module *path* imports, as dotted names (only those imported as it loads: *at_import_only*)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    nodes = _run_at_import(tree.body) if at_import_only else ast.walk(tree)
    here = _module_name(path, root)
    package = here if path.name == "__init__.py" else here[:-1]
    return {name for node in nodes for name in _names(node, package)}


def request_bound_names(path: Path) -> set[str]:
    """The request-bound globals *path* imports or reaches as attributes (flask.request, fl.g after
    `import flask as fl`), from the packages themselves or their submodules (flask.globals)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    aliases = {top: top for top, _name in REQUEST_BOUND}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases.update((a.asname or a.name, a.name.split(".")[0]) for a in node.names)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            top = node.module.split(".")[0]
            found.update(f"{top}.{a.name}" for a in node.names if (top, a.name) in REQUEST_BOUND)
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
              and (aliases.get(node.value.id), node.attr) in REQUEST_BOUND):
            found.add(f"{aliases[node.value.id]}.{node.attr}")
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
    """The service layer: every module of the package but the web edge (services, queries, jobs, models,
    access rules, importers, builders… and whatever module comes next)."""
    return sorted(p for p in root.rglob("*.py")
                  if not p.name.endswith(WEB_EDGE_NAMES) and p.relative_to(root).as_posix() not in WEB_EDGE)


def service_violations(root: Path = PACKAGE) -> list[str]:
    return [f"{path.relative_to(root.parent)} uses {name}" for path in service_modules(root)
            for name in sorted(request_bound_names(path))]


def import_graph(roots: tuple[Path, ...] = (PACKAGE, BENCH)) -> dict[str, set[str]]:
    """Module -> the modules of *roots* it imports as it loads (`from a import b`: a, and a.b if a module)."""
    paths = {".".join(_module_name(path, root)): (path, root) for root in roots for path in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for module, (path, root) in paths.items():
        targets = set()
        for name in imported_modules(path, root, at_import_only=True):
            while name and name not in paths:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
        graph[module] = targets
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each group of modules that import one another, directly or around a loop (Tarjan's components)."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        order[module] = low[module] = len(order)
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if target not in order:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], order[target])
        if low[module] == order[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(graph):
        if module not in order:
            visit(module)
    return cycles


def test_the_feature_graph_is_respected() -> None:
    assert feature_violations() == []


def test_services_never_touch_the_request() -> None:
    layer = {p.relative_to(PACKAGE).as_posix() for p in service_modules()}
    assert {"meetings/services.py", "meetings/queries.py", "meetings/jobs.py", "contacts/merge.py",
            "calendars/importer.py", "core/notifications.py"} <= layer, "the scan misses part of the service layer"
    assert not {"meetings/views.py", "core/web.py"} & layer
    assert service_violations() == []


def test_no_import_cycle() -> None:
    graph = import_graph()
    assert "bench.run" in graph and "outreach.meetings.services" in graph, "the scan looks in the wrong place"
    assert import_cycles(graph) == []


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
    ("core/bad.py", "import outreach.meetings as m\n", "outreach.meetings"),
    ("core/bad.py", "from .. import meetings\n", "outreach.meetings"),
    ("core/bad.py", "import importlib\nm = importlib.import_module(\"outreach.meetings.jobs\")\n",
     "outreach.meetings.jobs"),
    ("contacts/bad.py", "m = __import__(\"outreach.campaigns\")\n", "outreach.campaigns"),
    ("meetings/bad.py", "class X:\n    from outreach.introductions import models\n", "outreach.introductions"),
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
    "import flask as fl\n\ndef f():\n    return fl.g.user\n",
    "from flask.globals import request\n",
    "def f():\n    from flask_login import current_user\n    return current_user\n",
])
def test_the_service_check_catches_request_bound_globals(tmp_path: Path, source: str) -> None:
    root = _plant(tmp_path, "meetings/services.py", source)
    assert service_violations(root), source
    root = _plant(tmp_path, "campaigns/services/targets.py", source)
    assert any("campaigns/services/targets.py" in v for v in service_violations(root)), source
    root = _plant(tmp_path, "resources/queries.py", source)
    assert any("resources/queries.py" in v for v in service_violations(root)), source


def test_the_service_check_leaves_the_web_edge_alone(tmp_path: Path) -> None:
    root = _plant(tmp_path, "meetings/views.py", "from flask import request\n")
    _plant(tmp_path, "core/web.py", "from flask_login import current_user\n")
    assert service_violations(root) == []


def _plant_tree(tmp_path: Path, files: dict[str, str]) -> tuple[Path, ...]:
    tops = sorted({Path(relative).parts[0] for relative in files})
    for relative, source in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    for top in tops:
        (tmp_path / top / "__init__.py").touch()
    return tuple(tmp_path / top for top in tops)


@pytest.mark.parametrize(("files", "expected"), [
    ({"bench/run.py": "from bench.pages import catalog\n", "bench/pages.py": "from bench.run import Page\n"},
     ["bench.pages", "bench.run"]),
    ({"outreach/contacts/__init__.py": "", "outreach/contacts/views.py": "from outreach.contacts import io_views\n",
      "outreach/contacts/io_views.py": "from .views import get_contact_or_404\n"},
     ["outreach.contacts.io_views", "outreach.contacts.views"]),
    ({"outreach/a.py": "import outreach.b as b\n",
      "outreach/b.py": "try:\n    from outreach import c\nexcept ImportError:\n    c = None\n",
      "outreach/c.py": "class C:\n    from outreach.a import x\n"},
     ["outreach.a", "outreach.b", "outreach.c"]),
    ({"outreach/a.py": "import importlib\nb = importlib.import_module(\"outreach.b\")\n",
      "outreach/b.py": "@__import__(\"outreach.a\").a.register\ndef f():\n    pass\n"},
     ["outreach.a", "outreach.b"]),
])
def test_the_cycle_check_catches_a_loop(tmp_path: Path, files: dict[str, str], expected: list[str]) -> None:
    assert import_cycles(import_graph(_plant_tree(tmp_path, files))) == [expected]


def test_the_cycle_check_allows_lazy_and_type_checking_imports(tmp_path: Path) -> None:
    graph = import_graph(_plant_tree(tmp_path, {
        "bench/run.py": "def main():\n    from bench.report import write\n",
        "bench/report.py": "from bench.run import TARGET\n",
        "outreach/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from outreach.b import B\n",
        "outreach/b.py": "from outreach.a import A\nf = lambda: __import__(\"outreach.c\")\n",
        "outreach/c.py": "import outreach.b\n"}))
    assert graph["bench.report"] == {"bench.run"} and graph["bench.run"] == set()
    assert graph["outreach.b"] == {"outreach.a"} and graph["outreach.a"] == set()
    assert import_cycles(graph) == []
