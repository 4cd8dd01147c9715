"""Independent readers of our iCalendar output: the strict `ical` parser, vobject, Mozilla's ical.js
(through Node.js) and a Radicale CalDAV server started on 127.0.0.1 for the test."""
from __future__ import annotations

import json
import shutil
import subprocess
import threading
import uuid
from contextlib import contextmanager
from datetime import datetime, UTC
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from collections.abc import Iterator
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from tests.conftest import REQUIRE_ALL

JS_DIR = Path(__file__).parent / "js"


def strict_ical(body: bytes) -> dict[str, Any]:
    """uid -> (start UTC, summary) through the strict `ical` package (pydantic models, RFC 5545 rules)."""
    from ical.calendar_stream import IcsCalendarStream

    calendar = IcsCalendarStream.calendar_from_ics(body.decode("utf-8"))
    return {e.uid: (_utc(e.dtstart), e.summary) for e in calendar.events} | \
        {t.uid: (_utc(t.due), t.summary) for t in calendar.todos}


def vobject_read(body: bytes) -> dict[str, Any]:
    import vobject

    calendar = vobject.readOne(body.decode("utf-8"), validate=True)
    out = {}
    for component in calendar.getChildren():
        if component.name in ("VEVENT", "VTODO"):
            when = component.dtstart.value if component.name == "VEVENT" else component.due.value
            out[component.uid.value] = (_utc(when), component.summary.value)
    return out


def _utc(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value
    return value


def node_available() -> str:
    node = shutil.which("node")
    npm = shutil.which("npm")
    if not node or not npm:
        if REQUIRE_ALL:
            pytest.fail("Node.js and npm are needed for the ical.js check (OUTREACH_REQUIRE_ALL_BACKENDS=1)")
        pytest.skip("ical.js check skipped: Node.js is not installed on this machine")
    if not (JS_DIR / "node_modules" / "ical.js" / "package.json").exists():
        # .ci/run installs it; a developer's first run installs it from the lock file (cached if possible).
        result = subprocess.run([npm, "ci", "--prefer-offline", "--no-audit", "--no-fund"], cwd=JS_DIR,
                                capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            pytest.fail(f"npm ci in {JS_DIR} failed: {result.stderr[-2000:]}")
    return node


def icaljs_read(body: bytes) -> dict[str, Any]:
    node = node_available()
    result = subprocess.run([node, str(JS_DIR / "parse.mjs")], input=body, capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    return json.loads(result.stdout)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:  # keep the test output clean
        pass


@contextmanager
def radicale_server(tmp_path: Path) -> Iterator[tuple[str, int]]:
    """A Radicale CalDAV server on 127.0.0.1 and an ephemeral port, storing under *tmp_path*."""
    from radicale import Application, config

    configuration = config.load()
    configuration.update({"storage": {"filesystem_folder": str(tmp_path / "collections")},
                          "auth": {"type": "none"}, "rights": {"type": "owner_only"},
                          "logging": {"level": "warning"}}, "test", privileged=True)
    server: WSGIServer = make_server("127.0.0.1", 0, Application(configuration), handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield "127.0.0.1", server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def split_events(body: bytes) -> list[tuple[str, bytes]]:
    """One calendar object per event (with the time zones it uses), as a CalDAV server stores them."""
    import icalendar

    calendar = icalendar.Calendar.from_ical(body)
    zones = {str(z["TZID"]): z for z in calendar.walk("VTIMEZONE")}
    objects = []
    for component in calendar.subcomponents:
        if component.name not in ("VEVENT", "VTODO"):
            continue
        single = icalendar.Calendar()
        single.add("VERSION", "2.0")
        single.add("PRODID", "-//Outreach tests//EN")
        tzid = component.get("DTSTART", component.get("DUE")).params.get("TZID")
        if tzid in zones:
            single.add_component(zones[tzid])
        single.add_component(component)
        objects.append((str(component["UID"]), single.to_ical()))
    return objects


def radicale_round_trip(body: bytes, tmp_path: Path) -> dict[str, Any]:
    """PUT every event of *body* into a new Radicale calendar, read each back, and parse it."""
    import icalendar

    out = {}
    with radicale_server(tmp_path) as (host, port):
        conn = HTTPConnection(host, port, timeout=30)
        auth = {"Authorization": "Basic dGVzdDp0ZXN0"}  # test:test (any password with auth type none)
        collection = f"/test/{uuid.uuid4().hex}/"
        conn.request("MKCALENDAR", collection, headers=auth)
        response = conn.getresponse()
        response.read()
        assert response.status == 201, response.status
        for uid, data in split_events(body):
            path = f"{collection}{uuid.uuid5(uuid.NAMESPACE_URL, uid).hex}.ics"
            conn.request("PUT", path, body=data, headers={**auth, "Content-Type": "text/calendar; charset=utf-8"})
            response = conn.getresponse()
            detail = response.read()
            assert response.status in (201, 204), (response.status, detail[:500])
            conn.request("GET", path, headers=auth)
            response = conn.getresponse()
            stored = response.read()
            assert response.status == 200
            component = [c for c in icalendar.Calendar.from_ical(stored).subcomponents
                         if c.name in ("VEVENT", "VTODO")][0]
            when = component.decoded("DTSTART") if component.name == "VEVENT" else component.decoded("DUE")
            out[str(component["UID"])] = (_utc(when), str(component["SUMMARY"]))
        conn.close()
    return out
