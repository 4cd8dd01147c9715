"""The feature graph from DESIGN.md, enforced by scanning imports.

core imports no feature; contacts imports no other feature; meetings may import contacts;
campaigns and introductions may import meetings and contacts; api may import any feature.
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "outreach"
FEATURES = {"contacts", "meetings", "campaigns", "introductions", "api"}
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "contacts": set(),
    "meetings": {"contacts"},
    "campaigns": {"meetings", "contacts"},
    "introductions": {"meetings", "contacts"},
    "api": FEATURES - {"api"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            raise AssertionError(f"{path}: use absolute imports (from outreach.x import y)")
    return found


def _violations() -> list[str]:
    problems = []
    for package, allowed in ALLOWED.items():
        folder = PACKAGE / package
        if not folder.exists():
            continue
        for path in folder.rglob("*.py"):
            for module in _imports(path):
                parts = module.split(".")
                if parts[0] != "outreach" or len(parts) < 2:
                    continue
                target = parts[1]
                if target in FEATURES and target != package and target not in allowed:
                    problems.append(f"{path.relative_to(PACKAGE.parent)} imports {module}")
    return problems


def test_feature_graph_is_respected():
    assert _violations() == []


def test_the_scan_catches_a_violation(tmp_path, monkeypatch):
    core = tmp_path / "outreach" / "core"
    core.mkdir(parents=True)
    (core / "bad.py").write_text("from outreach.meetings.models import Meeting\n")
    monkeypatch.setattr("tests.test_architecture.PACKAGE", tmp_path / "outreach")
    assert _violations() == ["outreach/core/bad.py imports outreach.meetings.models"]


def test_services_never_touch_the_request():
    for path in PACKAGE.rglob("services.py"):
        source = path.read_text()
        for forbidden in ("current_user", "from flask import request", "flask.request", "session["):
            assert forbidden not in source, f"{path} uses {forbidden}: services take actor and now"
