"""The attack surface: security headers on every GET route for every role, cookie flags, bandit, pip-audit.

Every state-changing route refusing a missing CSRF token is proved by
tests/core/test_security.py::test_csrf_is_required_on_every_state_change (it walks the URL map, so a new
route without a listed check fails it). The property-based form tests (hypothesis) are their own suite.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from outreach import create_app
from outreach.core.db import db
from outreach.core.permissions import ROLES
from tests.conftest import PASSWORD, REQUIRE_ALL, app_config

ROOT = Path(__file__).resolve().parents[2]
HEADERS = {"x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "no-referrer"}


def _get_urls(app) -> list[str]:  # type: ignore[no-untyped-def]
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        urls.append(re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: "1" if m.group(1).endswith("id") else "x", rule.rule))
    return sorted(set(urls))


def _assert_headers(response, where: str) -> None:  # type: ignore[no-untyped-def]
    csp = response.headers.get("Content-Security-Policy", "")
    assert re.search(r"script-src 'self' 'nonce-[^']+'", csp), where
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp, where
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (where, name)


def test_every_get_route_answers_with_the_security_headers_for_every_role(app, login_as):
    urls = _get_urls(app)
    assert len(urls) > 40
    checked = 0
    for role in [None, *[r.value for r in ROLES]]:
        client = login_as(role)[0] if role else app.test_client()
        for url in urls:
            response = client.get(url)
            _assert_headers(response, f"{role} GET {url} -> {response.status_code}")
            assert response.status_code < 500, (role, url, response.status_code)
            if role and response.status_code == 200 and response.mimetype == "text/html":  # a personal page
                assert response.headers.get("Cache-Control") == "no-store", (role, url)
            response.close()
            checked += 1
    assert checked == len(urls) * (len(ROLES) + 1)


@pytest.mark.parametrize("production", [False, True])
def test_cookies_are_httponly_samesite_and_secure_over_https(database_url, tmp_path, make_user, connection,
                                                            production):
    overrides = {"ENV": "production"} if production else {}
    application = create_app(app_config(database_url, tmp_path, **overrides))
    user = make_user("coordinator")
    client = application.test_client()
    base = "https://localhost" if production else "http://localhost"
    with db.bound_to(application, connection):
        response = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"},
                               base_url=base)
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    names = {c.split("=", 1)[0] for c in cookies}
    assert "outreach_session" in names
    for cookie in cookies:
        flags = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
        assert "httponly" in flags, cookie
        assert flags.get("samesite", "").lower() == "samesite=lax", cookie
        assert ("secure" in flags) is production, cookie


def test_bandit_reports_no_medium_or_high_finding_and_every_nosec_says_why():
    if shutil.which("bandit", path=str(Path(sys.executable).parent)) is None:
        if REQUIRE_ALL:
            pytest.fail("bandit is not installed (pip install -e '.[test]')")
        pytest.skip("bandit is not installed (pip install -e '.[test]')")
    result = subprocess.run([str(Path(sys.executable).with_name("bandit")), "-r", "outreach", "-ll", "-f", "json",
                             "-q"], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    findings = json.loads(result.stdout)["results"]
    assert findings == [], [(f["filename"], f["line_number"], f["test_id"], f["issue_text"]) for f in findings]
    for path in (ROOT / "outreach").rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if "# nosec" in line:
                comment = line.split("#", 1)[1]
                reason = comment.split("# nosec", 1)[0].strip()
                assert re.search(r"# nosec B\d{3}", line) and len(reason) >= 8, \
                    f"{path.relative_to(ROOT)}:{number}: a nosec names its test and says why before it"


def _vulnerability_service_reachable() -> bool:
    try:
        with urllib.request.urlopen("https://pypi.org/pypi/flask/json", timeout=10) as answer:  # nosec B310
            return "vulnerabilities" in json.load(answer)
    except Exception:  # noqa: BLE001 - any failure means: not reachable from here
        return False


def test_pip_audit_where_its_vulnerability_service_is_reachable():
    audit = Path(sys.executable).with_name("pip-audit")
    if not audit.exists():
        pytest.skip("pip-audit is not installed here (pip install pip-audit to run it)")
    if not _vulnerability_service_reachable():
        pytest.skip("pip-audit not run: PyPI's vulnerability service is not reachable from this machine")
    result = subprocess.run([str(audit), "--progress-spinner", "off", "--skip-editable"], cwd=ROOT,
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
