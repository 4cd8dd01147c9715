"""A live Outreach on a SQLite file with demo data, and Debian's Chromium driven by Playwright."""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any
from collections.abc import Iterator

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from werkzeug.serving import make_server

    from outreach import create_app
    from outreach.demo import seed_demo
    from outreach.migrate import upgrade
    from tests.conftest import app_config

    folder = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{folder / 'live.db'}"
    app = create_app(app_config(url, folder, WTF_CSRF_ENABLED=True))
    upgrade(url)
    with app.app_context():
        seed_demo()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from tests.conftest import REQUIRE_ALL

    if not os.path.exists(CHROMIUM):
        if REQUIRE_ALL:
            pytest.fail(f"No Chromium at {CHROMIUM} but OUTREACH_REQUIRE_ALL_BACKENDS=1")
        pytest.skip(f"Browser tests skipped: no Chromium at {CHROMIUM} (apt-get install chromium; bash .ci/run does)")
    playwright_api = pytest.importorskip(
        "playwright.sync_api", reason="Browser tests skipped: playwright not installed"
    )
    with playwright_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


#: axe-core, vendored for the tests only (tests/browser/vendor/VERSIONS.md); never served by the app.
AXE_SOURCE = Path(__file__).with_name("vendor") / "axe.min.js"
#: What must never be found on a page.
BLOCKING_IMPACTS = ("serious", "critical")


def axe_violations(page: Any) -> list[str]:
    """Run axe-core on the page as it is now; the serious and critical violations, described."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text())  # through the DevTools protocol: the page's CSP does not apply
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [f"{page.url}: {v['id']} ({v['impact']}) {v['help']} — "
            + "; ".join(" ".join(node["target"]) if isinstance(node["target"][0], str) else str(node["target"])
                        for node in v["nodes"][:5])
            for v in result["violations"] if v["impact"] in BLOCKING_IMPACTS]


def _audit_visited(context: Any, urls: list[str]) -> list[str]:
    """Open again every page the test visited, in its browser context, and run axe-core on each."""
    found: list[str] = []
    if not urls:
        return found
    page = context.new_page()
    for url in dict.fromkeys(urls):
        page.goto(url)
        found += axe_violations(page)
    page.close()
    return found


@pytest.fixture
def page_factory(browser: Any) -> Iterator[Any]:
    """Pages in fresh browser contexts. Every page a test visits is checked with axe-core afterwards:
    no serious or critical violation."""
    contexts = []
    visited: dict[Any, list[str]] = {}

    def make(width: int = 1366, height: int = 900, **options: Any) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        contexts.append(context)
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.problems = []  # console errors, CSP violations, failed requests
        page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.problems.append(str(e)))
        page.on("requestfailed", lambda r: page.problems.append(f"failed: {r.url} {r.failure}")
                if "ERR_ABORTED" not in (r.failure or "") else None)  # navigating away aborts loads
        seen = visited.setdefault(context, [])
        page.on("framenavigated", lambda frame: seen.append(frame.url)
                if frame == page.main_frame and frame.url.startswith("http") else None)
        return page

    yield make
    violations = []
    for context in contexts:
        violations += _audit_visited(context, visited.get(context, []))
        context.close()
    assert violations == [], "axe-core found serious or critical violations:\n" + "\n".join(violations)


def sign_in(page: Any, base: str, email: str) -> None:
    from outreach.demo import DEMO_PASSWORD

    page.goto(f"{base}/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
